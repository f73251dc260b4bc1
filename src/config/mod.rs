//! One `Config`, layered: defaults < file < environment.
//!
//! The file is TOML, named by `--config` or `CREDITREGISTRY_CONFIG`. Every
//! setting can also come from an environment variable, listed on each field.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::FixedOffset;
use serde::Deserialize;

pub use crate::writer::WriterConfig;

mod audit;
mod auth;
mod policy;
mod postgres;
mod tls;

pub use audit::{AuditConfig, read_public_keys};
pub use auth::{AuthConfig, KeyAlgorithm, KeyConfig};
pub use policy::PolicyConfig;
pub use postgres::PostgresConfig;
pub use tls::TlsConfig;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to serve gRPC on. `CREDITREGISTRY_LISTEN`.
    pub listen: SocketAddr,
    /// `sqlite://PATH` (the default, `<data_dir>/registry.db`) or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…]`.
    /// `CREDITREGISTRY_DATABASE_URL`.
    pub database_url: String,
    /// Directory for the SQLite file and development keys. `CREDITREGISTRY_DATA_DIR`.
    pub data_dir: PathBuf,
    /// Offset of the legal time zone that decides "today" (China: +08:00).
    /// `CREDITREGISTRY_UTC_OFFSET`.
    pub utc_offset: String,
    /// Whole records kept in memory for profiles and record lists, most
    /// recently read first, in MiB (0: none; every read goes to the store).
    /// `CREDITREGISTRY_RECORD_CACHE_MIB`.
    pub record_cache_mib: u64,
    pub auth: AuthConfig,
    pub writer: WriterConfig,
    pub policy: PolicyConfig,
    pub audit: AuditConfig,
    pub postgres: PostgresConfig,
    pub tls: TlsConfig,
    /// `text`, `json`, or `auto` (the default): JSON when standard error,
    /// where logs go, is not a terminal. `CREDITREGISTRY_LOG_FORMAT`.
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Auto,
    Text,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<LogFormat, String> {
        match s {
            "auto" => Ok(LogFormat::Auto),
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("'{other}' is not auto, text or json")),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:50051".parse().expect("valid default address"),
            database_url: String::new(),
            data_dir: PathBuf::from("data"),
            utc_offset: "+08:00".into(),
            record_cache_mib: 64,
            auth: AuthConfig::default(),
            writer: WriterConfig::default(),
            policy: PolicyConfig::default(),
            audit: AuditConfig::default(),
            postgres: PostgresConfig::default(),
            tls: TlsConfig::default(),
            log_format: LogFormat::Auto,
        }
    }
}

impl Config {
    /// Defaults, then the file (if any), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let file = file.map(Path::to_path_buf).or_else(|| std::env::var_os("CREDITREGISTRY_CONFIG").map(PathBuf::from));
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| format!("config {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| format!("config {}: {e}", path.display()))?
            }
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        let bad = |name: &str, e: &dyn std::fmt::Display| format!("{name}: {e}");
        if let Some(v) = var("CREDITREGISTRY_LISTEN") {
            self.listen = v.parse().map_err(|e| bad("CREDITREGISTRY_LISTEN", &e))?;
        }
        if let Some(v) = var("CREDITREGISTRY_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = var("CREDITREGISTRY_LOG_FORMAT") {
            self.log_format = v.parse().map_err(|e| bad("CREDITREGISTRY_LOG_FORMAT", &e))?;
        }
        if let Some(v) = var("CREDITREGISTRY_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = var("CREDITREGISTRY_UTC_OFFSET") {
            self.utc_offset = v;
        }
        if let Some(v) = var("CREDITREGISTRY_AUTH_ISSUER") {
            self.auth.issuer = v;
        }
        if let Some(v) = var("CREDITREGISTRY_AUTH_AUDIENCE") {
            self.auth.audience = v;
        }
        if let Some(v) = var("CREDITREGISTRY_AUTH_KEYS") {
            self.auth.keys = v
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|entry| {
                    let mut parts = entry.trim().splitn(3, ':');
                    match (parts.next(), parts.next(), parts.next()) {
                        (Some(kid), Some(alg), Some(path)) => {
                            Ok(KeyConfig { kid: kid.into(), algorithm: alg.parse()?, public_key_file: path.into() })
                        }
                        _ => Err(format!("'{entry}' is not kid:algorithm:path")),
                    }
                })
                .collect::<Result<_, String>>()
                .map_err(|e| bad("CREDITREGISTRY_AUTH_KEYS", &e))?;
        }
        if let Some(v) = var("CREDITREGISTRY_RECORD_CACHE_MIB") {
            self.record_cache_mib = v.parse().map_err(|e| bad("CREDITREGISTRY_RECORD_CACHE_MIB", &e))?;
        }
        if let Some(v) = var("CREDITREGISTRY_WRITER_MAX_BATCH") {
            self.writer.max_batch = v.parse().map_err(|e| bad("CREDITREGISTRY_WRITER_MAX_BATCH", &e))?;
        }
        if let Some(v) = var("CREDITREGISTRY_CHECKS_WHILE_WRITING") {
            self.writer.checks_while_writing = v.parse().map_err(|e| bad("CREDITREGISTRY_CHECKS_WHILE_WRITING", &e))?;
        }
        if let Some(v) = var("CREDITREGISTRY_POSTGRES_POOL_SIZE") {
            self.postgres.pool_size = v.parse().map_err(|e| bad("CREDITREGISTRY_POSTGRES_POOL_SIZE", &e))?;
        }
        if let Some(v) = var("CREDITREGISTRY_SIGNING_KEY") {
            self.audit.signing_key_file = Some(v.into());
        }
        for (name, slot) in [
            ("CREDITREGISTRY_POSTGRES_STATEMENT_TIMEOUT", &mut self.postgres.statement_timeout_secs),
            ("CREDITREGISTRY_POSTGRES_CONNECT_TIMEOUT_MS", &mut self.postgres.connect_timeout_ms),
            ("CREDITREGISTRY_CHECKPOINT_INTERVAL", &mut self.audit.checkpoint_interval_secs),
            ("CREDITREGISTRY_SEGMENT_HOURS", &mut self.audit.segment_hours),
            ("CREDITREGISTRY_CHECK_LOG_RETENTION_DAYS", &mut self.audit.check_log_retention_days),
        ] {
            if let Some(v) = var(name) {
                *slot = v.parse().map_err(|e| bad(name, &e))?;
            }
        }
        if let Some(v) = var("CREDITREGISTRY_ORIGIN") {
            self.audit.origin = v;
        }
        if let Some(v) = var("CREDITREGISTRY_RETIRED_KEYS") {
            self.audit.retired_public_key_files =
                v.split(',').map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect();
        }
        if let Some(v) = var("CREDITREGISTRY_EARLIEST_DATE") {
            self.policy.earliest_date = Some(v);
        }
        if let Some(v) = var("CREDITREGISTRY_AUTHORITY_DIRECTORY") {
            self.policy.authority_directory = Some(PathBuf::from(v));
        }
        for (name, slot) in [
            ("CREDITREGISTRY_LIST_RULES", &mut self.policy.list_rules),
            ("CREDITREGISTRY_PUBLICITY_RULES", &mut self.policy.publicity_rules),
            ("CREDITREGISTRY_MEASURE_CATALOGUE", &mut self.policy.measure_catalogue),
            ("CREDITREGISTRY_SUPERVISION_POLICY", &mut self.policy.supervision_policy),
            ("CREDITREGISTRY_GRADING_SCHEMES", &mut self.policy.grading_schemes),
        ] {
            if let Some(v) = var(name) {
                *slot = v.split(',').map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect();
            }
        }
        self.apply_tls_env(&var)
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("registry.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn utc_offset(&self) -> Result<FixedOffset, String> {
        self.utc_offset.parse().map_err(|e| format!("utc_offset '{}': {e} (expected e.g. +08:00)", self.utc_offset))
    }

    /// Directory of the development keys.
    pub fn dev_keys_dir(&self) -> PathBuf {
        self.data_dir.join("dev-keys")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_file_and_defaults() {
        let mut config: Config = toml::from_str("listen = \"127.0.0.1:7000\"\n[auth]\nissuer = \"file\"").unwrap();
        assert_eq!(config.auth.audience, "creditregistry");
        config
            .apply_env(|name| match name {
                "CREDITREGISTRY_AUTH_ISSUER" => Some("env".into()),
                "CREDITREGISTRY_AUTH_KEYS" => Some("a:EdDSA:/k/a.pem,b:RS256:/k/b.pem".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.listen.port(), 7000);
        assert_eq!(config.auth.issuer, "env");
        assert_eq!(config.auth.keys.len(), 2);
        assert_eq!(config.auth.keys[1].algorithm, KeyAlgorithm::RS256);
    }

    #[test]
    fn bad_settings_are_named() {
        let mut config = Config::default();
        let err = config.apply_env(|name| (name == "CREDITREGISTRY_AUTH_KEYS").then(|| "a:HS256:/x".into())).unwrap_err();
        assert!(err.contains("CREDITREGISTRY_AUTH_KEYS") && err.contains("HS256"), "{err}");
        assert!(toml::from_str::<Config>("listn = \"x\"").is_err());
    }
}
