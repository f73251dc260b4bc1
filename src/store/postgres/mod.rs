//! The PostgreSQL backend: the production store, shared by several server
//! nodes. One database holds the ledger and the audit trail; a check-log
//! commit locks only audit rows, so it never waits on a ledger commit.
//! Commits are durable when acknowledged (`synchronous_commit` as the
//! server is configured: on by default).
//!
//! `ledger`: its `LedgerStore` (appends under the head row's lock, notices
//! of other nodes' appends); `audit`: its `AuditStore` and `DrawStore`.

mod audit;
mod ledger;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::{Connection, Executor, Postgres};

use super::sql::Sql;
use super::{CheckLogUpgrade, StoreError, migrate};

/// How a PostgreSQL store is reached beyond its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgSettings {
    /// Connections per server node.
    pub pool_size: u32,
    /// Longest a statement may run before the server cancels it.
    pub statement_timeout: Duration,
    /// Longest an operation waits for a connection: one free in the pool,
    /// or a new one opened. A store that refuses connections is answered
    /// as unreachable after this long, not after a caller's whole deadline.
    pub connect_timeout: Duration,
}

impl Default for PgSettings {
    fn default() -> PgSettings {
        PgSettings { pool_size: 16, statement_timeout: Duration::from_secs(30), connect_timeout: Duration::from_secs(1) }
    }
}

#[derive(Clone, Debug)]
pub struct PgStore {
    /// One pool for the ledger and the audit trail.
    sql: Sql<Postgres>,
    /// `HOST:PORT` of the database server, for messages.
    address: String,
    /// Why the store cannot be reached, while it cannot.
    down: std::sync::Arc<tokio::sync::watch::Sender<Option<&'static str>>>,
}

/// Migrations of concurrently starting nodes wait on this advisory lock,
/// so exactly one applies each.
const MIGRATION_LOCK: i64 = 0x6372_6564_6974_7265; // "creditre"

/// The channel on which each ledger append notifies its new size.
pub const LEDGER_CHANNEL: &str = "creditregistry_ledger";

impl PgStore {
    /// Opens the store and brings its schema up to date.
    pub async fn open(url: &str, settings: &PgSettings) -> Result<PgStore, StoreError> {
        let store = connect(url, settings).await?;
        let mut tx = store.sql.ledger.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        for &migration in migrate::POSTGRES {
            migrate::apply::<Postgres>(&mut tx, migration).await?;
        }
        tx.commit().await?;
        Ok(store)
    }

    /// Opens a store as it is: never changes its schema.
    pub async fn open_existing(url: &str, settings: &PgSettings) -> Result<PgStore, StoreError> {
        let store = connect(url, settings).await?;
        let pool = &store.sql.ledger;
        let newest = migrate::POSTGRES.last().map_or(0, |m| m.0);
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(pool)
            .await
            .map_err(|_| StoreError::Inconsistent(format!("{} is not a registry store", super::redacted(url))))?;
        if applied != Some(newest) {
            pool.close().await;
            return Err(StoreError::Inconsistent(format!(
                "{} has schema version {}, this build reads {newest}: run `creditregistry migrate` first",
                super::redacted(url),
                applied.unwrap_or(0)
            )));
        }
        Ok(store)
    }

    /// How often a store found unreachable is asked again.
    pub const RETRY_EVERY: Duration = Duration::from_millis(500);

    /// Longest wait for the connection that tells why the store cannot be
    /// reached.
    const DIAGNOSE_WITHIN: Duration = Duration::from_millis(250);

    /// `e` in the registry's words when it says the store cannot be
    /// reached (`StoreError::Unreachable`, `StoreError::Busy`), which marks
    /// the store unreachable until it answers again; the driver's own
    /// words go to the log. Any other error as it is.
    pub async fn explain(&self, e: StoreError) -> StoreError {
        let StoreError::Database(driver) = &e else { return e };
        let cause = match driver {
            sqlx::Error::PoolTimedOut if self.sql.ledger.size() >= self.sql.ledger.options().get_max_connections() => {
                tracing::warn!(error = %driver, "every connection to the store is in use");
                return StoreError::Busy(self.sql.ledger.options().get_max_connections());
            }
            sqlx::Error::PoolTimedOut => self.why_no_connection().await,
            other => match connection_fault(other) {
                Some(cause) => {
                    tracing::warn!(error = %driver, address = %self.address, "the store is unreachable");
                    cause
                }
                None => return e,
            },
        };
        self.mark_down(cause);
        StoreError::Unreachable { address: self.address.clone(), cause }
    }

    /// Why the pool could open no connection: it retries a refused one
    /// until its timeout and then says only that it timed out, so one
    /// connection of its own, for at most `DIAGNOSE_WITHIN`, tells why.
    async fn why_no_connection(&self) -> &'static str {
        let options = self.sql.ledger.connect_options();
        match tokio::time::timeout(Self::DIAGNOSE_WITHIN, PgConnection::connect_with(&options)).await {
            Err(_) => {
                tracing::warn!(address = %self.address, "the store is unreachable: no answer to a connection");
                "connection timed out"
            }
            Ok(Ok(connection)) => {
                let _ = connection.close().await;
                tracing::warn!(address = %self.address, "the store is unreachable: the pool opened no connection in time");
                "no connection could be opened in time"
            }
            Ok(Err(driver)) => {
                tracing::warn!(error = %driver, address = %self.address, "the store is unreachable");
                connection_fault(&driver).unwrap_or("no connection could be opened in time")
            }
        }
    }

    /// Marks the store unreachable; the first to do so asks it again every
    /// `RETRY_EVERY` until it answers, and then marks it reachable.
    fn mark_down(&self, cause: &'static str) {
        if self.down.send_replace(Some(cause)).is_some() {
            return;
        }
        let (pool, down, address) = (self.sql.ledger.clone(), self.down.clone(), self.address.clone());
        tokio::spawn(async move {
            while !pool.is_closed() {
                tokio::time::sleep(PgStore::RETRY_EVERY).await;
                if sqlx::query("SELECT 1").execute(&pool).await.is_ok() {
                    down.send_replace(None);
                    tracing::info!(%address, "the store is reachable again");
                    return;
                }
            }
        });
    }

    /// See `Store::unreachable`.
    pub fn unreachable(&self) -> Option<StoreError> {
        let cause = (*self.down.borrow())?;
        Some(StoreError::Unreachable { address: self.address.clone(), cause })
    }

    /// See `Store::reachability`.
    pub fn reachability(&self) -> tokio::sync::watch::Receiver<Option<&'static str>> {
        self.down.subscribe()
    }
}

impl PgStore {
    /// See `Sql::complete_backfills`.
    pub async fn complete_backfills(&self, upgrade: &dyn CheckLogUpgrade) -> Result<(), StoreError> {
        self.sql.complete_backfills(upgrade).await
    }

    pub async fn close(&self) {
        self.sql.ledger.close().await;
    }
}

/// The registry's words for a driver error that says the store cannot be
/// reached; `None` for any other.
fn connection_fault(e: &sqlx::Error) -> Option<&'static str> {
    Some(match e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => "connection refused",
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => "connection timed out",
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => "connection lost",
        sqlx::Error::Tls(_) => "the TLS handshake failed",
        // admin_shutdown, crash_shutdown, cannot_connect_now; class 08 is
        // connection_exception.
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("57P01" | "57P02") => "the database server is shutting down",
            Some("57P03") => "the database server is not accepting connections yet",
            Some(code) if code.starts_with("08") => "connection failure",
            _ => return None,
        },
        _ => return None,
    })
}

async fn connect(url: &str, settings: &PgSettings) -> Result<PgStore, StoreError> {
    let timeout_ms = settings.statement_timeout.as_millis().to_string();
    let options = PgConnectOptions::from_str(url)?.options([("statement_timeout", timeout_ms.as_str())]);
    let address = format!("{}:{}", options.get_host(), options.get_port());
    // An idle connection is tested before it is handed out (a restarted
    // server has dropped them all), and a refused connection is retried
    // only until `connect_timeout`.
    let pool = PgPoolOptions::new()
        .max_connections(settings.pool_size.max(2))
        .acquire_timeout(settings.connect_timeout)
        .test_before_acquire(true)
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Open { url: super::redacted(url), source: Box::new(StoreError::Database(e)) })?;
    Ok(PgStore {
        sql: Sql { ledger: pool.clone(), audit: pool },
        address,
        down: std::sync::Arc::new(tokio::sync::watch::channel(None).0),
    })
}
