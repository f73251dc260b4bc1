//! The `[postgres]` section: how a PostgreSQL store is reached.

use serde::Deserialize;

use super::Config;
use crate::store::PgSettings;

/// Connections to PostgreSQL, when `database_url` names it.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostgresConfig {
    /// Connections per server node. `CREDITREGISTRY_POSTGRES_POOL_SIZE`.
    pub pool_size: u32,
    /// Seconds a statement may run before PostgreSQL cancels it.
    /// `CREDITREGISTRY_POSTGRES_STATEMENT_TIMEOUT`.
    pub statement_timeout_secs: u64,
    /// Milliseconds an operation waits for a connection (a free one, or a
    /// new one opened) before the store is answered as unreachable or
    /// busy. `CREDITREGISTRY_POSTGRES_CONNECT_TIMEOUT_MS`.
    pub connect_timeout_ms: u64,
}

impl Default for PostgresConfig {
    fn default() -> Self {
        let defaults = PgSettings::default();
        PostgresConfig {
            pool_size: defaults.pool_size,
            statement_timeout_secs: defaults.statement_timeout.as_secs(),
            connect_timeout_ms: defaults.connect_timeout.as_millis() as u64,
        }
    }
}

impl Config {
    /// How the store is reached beyond its URL.
    pub fn store_settings(&self) -> PgSettings {
        PgSettings {
            pool_size: self.postgres.pool_size,
            statement_timeout: std::time::Duration::from_secs(self.postgres.statement_timeout_secs),
            connect_timeout: std::time::Duration::from_millis(self.postgres.connect_timeout_ms.max(1)),
        }
    }
}
