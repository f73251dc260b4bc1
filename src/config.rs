//! One `Config`, layered: defaults < file < environment.
//!
//! The file is TOML, named by `--config` or `CREDITREGISTRY_CONFIG`. Every
//! setting can also come from an environment variable, listed on each field.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::FixedOffset;
use serde::Deserialize;

use crate::domain::rules::{DEFAULT_EARLIEST_DATE, RuleBook, RuleFile, RuleFiles};
use crate::keys::KeyPairFiles;
use crate::ledger::signing::{PublicKey, RegistryKey};
use crate::store::PgSettings;

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
}

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

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// The registry's Ed25519 signing key (PKCS#8 PEM) for checkpoints and
    /// receipts. `CREDITREGISTRY_SIGNING_KEY`. When unset, a key made on
    /// first run in `<data_dir>/registry-keys/` (SQLite only: a PostgreSQL
    /// store refuses to start without it).
    pub signing_key_file: Option<PathBuf>,
    /// Longest time between checkpoints while the ledger or the check log
    /// grows. `CREDITREGISTRY_CHECKPOINT_INTERVAL` (seconds).
    pub checkpoint_interval_secs: u64,
    /// The registry's name in its checkpoints. `CREDITREGISTRY_ORIGIN`.
    pub origin: String,
    /// Public keys (PEM) the registry signed with before its current key,
    /// beside those the store keeps (`rotate-key`): published with it and
    /// trusted when verifying.
    /// `CREDITREGISTRY_RETIRED_KEYS="path1,path2"`.
    pub retired_public_key_files: Vec<PathBuf>,
    /// The check log is sealed into a signed segment once its oldest
    /// unsealed entry is this old (checked at each checkpoint; 0 seals at
    /// every checkpoint). `CREDITREGISTRY_SEGMENT_HOURS`.
    pub segment_hours: u64,
    /// An exported segment leaves the live store once its newest entry is
    /// this old; a segment not exported never does.
    /// `CREDITREGISTRY_CHECK_LOG_RETENTION_DAYS`.
    pub check_log_retention_days: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            signing_key_file: None,
            checkpoint_interval_secs: 10,
            origin: "creditregistry".into(),
            retired_public_key_files: Vec::new(),
            segment_hours: 24,
            check_log_retention_days: 365,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Required `iss`. `CREDITREGISTRY_AUTH_ISSUER`.
    pub issuer: String,
    /// Required `aud`. `CREDITREGISTRY_AUTH_AUDIENCE`.
    pub audience: String,
    /// Trusted public keys. `CREDITREGISTRY_AUTH_KEYS="kid:EdDSA:path,kid2:RS256:path"`.
    pub keys: Vec<KeyConfig>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    pub kid: String,
    pub algorithm: KeyAlgorithm,
    /// PEM SubjectPublicKeyInfo.
    pub public_key_file: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum KeyAlgorithm {
    EdDSA,
    RS256,
}

impl std::str::FromStr for KeyAlgorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "EdDSA" => Ok(KeyAlgorithm::EdDSA),
            "RS256" => Ok(KeyAlgorithm::RS256),
            other => Err(format!("unknown key algorithm '{other}': expected EdDSA or RS256")),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WriterConfig {
    /// Most records committed in one transaction. `CREDITREGISTRY_WRITER_MAX_BATCH`.
    pub max_batch: usize,
    /// Writes waiting for the writer before callers wait to enqueue.
    pub queue: usize,
    /// Checks worked on at once while writes are arriving (see
    /// `priority::WritePriority`); 0 never limits them.
    /// `CREDITREGISTRY_CHECKS_WHILE_WRITING`.
    pub checks_while_writing: u32,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    // Each kind takes one or more files, one per version (each with its own
    // `effective_from`); set, they replace the built-in versions of that
    // kind. Environment variables take comma-separated paths.
    /// List rules; the built-in `policy/lists.toml` when empty.
    /// `CREDITREGISTRY_LIST_RULES`.
    pub list_rules: Vec<PathBuf>,
    /// Publicity periods; the built-in `policy/publicity*.toml` when empty.
    /// `CREDITREGISTRY_PUBLICITY_RULES`.
    pub publicity_rules: Vec<PathBuf>,
    /// Measure catalogue; the built-in `policy/measures*.toml` when empty.
    /// `CREDITREGISTRY_MEASURE_CATALOGUE`.
    pub measure_catalogue: Vec<PathBuf>,
    /// Risk scoring and supervision; the built-in `policy/supervision.toml`
    /// when empty. `CREDITREGISTRY_SUPERVISION_POLICY`.
    pub supervision_policy: Vec<PathBuf>,
    /// Credit grading schemes; the built-in `policy/grades*.toml` when empty.
    /// `CREDITREGISTRY_GRADING_SCHEMES`.
    pub grading_schemes: Vec<PathBuf>,
    /// Earliest date a record may carry, `YYYY-MM-DD`; 1990-01-01 when
    /// unset. `CREDITREGISTRY_EARLIEST_DATE`.
    pub earliest_date: Option<String>,
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
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig { issuer: "creditregistry-dev".into(), audience: "creditregistry".into(), keys: Vec::new() }
    }
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig { max_batch: 256, queue: 4096, checks_while_writing: 4 }
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
        Ok(())
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("registry.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// How the store is reached beyond its URL.
    pub fn store_settings(&self) -> PgSettings {
        PgSettings {
            pool_size: self.postgres.pool_size,
            statement_timeout: std::time::Duration::from_secs(self.postgres.statement_timeout_secs),
            connect_timeout: std::time::Duration::from_millis(self.postgres.connect_timeout_ms.max(1)),
        }
    }

    pub fn utc_offset(&self) -> Result<FixedOffset, String> {
        self.utc_offset.parse().map_err(|e| format!("utc_offset '{}': {e} (expected e.g. +08:00)", self.utc_offset))
    }

    /// Loads and validates the rule data: configured files, else the built-in
    /// defaults. The error names the rule set and the problem.
    pub fn rules(&self) -> Result<RuleBook, String> {
        let read = |paths: &[PathBuf], built_in: Vec<RuleFile>| -> Result<Vec<RuleFile>, String> {
            if paths.is_empty() {
                return Ok(built_in);
            }
            paths
                .iter()
                .map(|path| {
                    std::fs::read_to_string(path)
                        .map(|text| RuleFile::new(path.display().to_string(), text))
                        .map_err(|e| format!("rule file {}: {e}", path.display()))
                })
                .collect()
        };
        let p = &self.policy;
        let built_in = RuleFiles::built_in();
        let files = RuleFiles {
            lists: read(&p.list_rules, built_in.lists)?,
            publicity: read(&p.publicity_rules, built_in.publicity)?,
            measures: read(&p.measure_catalogue, built_in.measures)?,
            supervision: read(&p.supervision_policy, built_in.supervision)?,
            grades: read(&p.grading_schemes, built_in.grades)?,
        };
        let earliest = match &p.earliest_date {
            Some(date) => date.parse().map_err(|e| format!("policy.earliest_date '{date}': {e} (expected YYYY-MM-DD)"))?,
            None => DEFAULT_EARLIEST_DATE,
        };
        RuleBook::parse(&files, earliest)
    }

    /// The registry's signing key: the configured file, else (SQLite only)
    /// the one made on first run in the data directory. A store several
    /// nodes serve is served with the registry's key, never one a node made.
    pub fn registry_key(&self) -> Result<RegistryKey, String> {
        let file = match &self.audit.signing_key_file {
            Some(file) => file.clone(),
            None if crate::store::is_shared_url(&self.database_url()) => {
                return Err(format!(
                    "{} is served by several nodes, all with the registry's signing key: set audit.signing_key_file \
                     (CREDITREGISTRY_SIGNING_KEY) to it (`creditregistry keygen registry FILE` makes one); \
                     no node makes a key of its own for a PostgreSQL store",
                    crate::store::redacted(&self.database_url())
                ));
            }
            None => {
                let pair = self.generated_registry_key();
                if pair.ensure()? {
                    tracing::info!(file = %pair.private_key_file.display(), "created the registry signing key");
                }
                pair.private_key_file
            }
        };
        RegistryKey::from_pem_file(&file)
    }

    /// The registry's public key, for verifying: from the configured key,
    /// else from the key made on first run; never makes one.
    pub fn registry_public_key(&self) -> Result<PublicKey, String> {
        if self.audit.signing_key_file.is_some() {
            return Ok(self.registry_key()?.public().clone());
        }
        let file = self.generated_registry_key().public_key_file;
        let pem = std::fs::read_to_string(&file).map_err(|e| format!("no registry public key at {} ({e})", file.display()))?;
        PublicKey::from_pem(&pem).map_err(|e| format!("{}: {e}", file.display()))
    }

    /// The registry's retired public keys.
    pub fn retired_registry_keys(&self) -> Result<Vec<PublicKey>, String> {
        read_public_keys(&self.audit.retired_public_key_files)
    }

    /// Where the registry key made on first run lives.
    pub fn generated_registry_key(&self) -> KeyPairFiles {
        KeyPairFiles::named(&self.data_dir.join("registry-keys"), "registry-ed25519")
    }

    /// Directory of the development keys.
    pub fn dev_keys_dir(&self) -> PathBuf {
        self.data_dir.join("dev-keys")
    }
}

/// Reads SubjectPublicKeyInfo PEM Ed25519 public keys; the error names the file.
pub fn read_public_keys(files: &[PathBuf]) -> Result<Vec<PublicKey>, String> {
    files
        .iter()
        .map(|f| {
            let pem = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
            PublicKey::from_pem(&pem).map_err(|e| format!("{}: {e}", f.display()))
        })
        .collect()
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
