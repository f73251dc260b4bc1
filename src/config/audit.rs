//! The `[audit]` section, and the registry's keys it names: the signing key
//! for checkpoints and receipts and the retired keys trusted beside it.

use std::path::PathBuf;

use serde::Deserialize;

use super::Config;
use crate::keys::KeyPairFiles;
use crate::ledger::signing::{PublicKey, RegistryKey};

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

impl Config {
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
