//! The registry's keys as the store holds them, and a node's adoption of
//! the registry's key.

use crate::ledger::signing::PublicKey;
use crate::store::{Audit, AuditStore, StoreError, StoredKey};

/// The registry's keys as the store holds them (`AuditStore::registry_keys`):
/// the current one first, then the retired ones. A stored key that is not
/// an Ed25519 key, or not of its key id, is inconsistent data.
pub async fn stored_keys(store: &Audit) -> Result<Vec<PublicKey>, StoreError> {
    public_keys(&store.registry_keys().await?)
}

/// `keys`, then each of `more` whose key id is not among them: the keys a
/// reader trusts beside the store's, each once.
pub fn with_others(mut keys: Vec<PublicKey>, more: impl IntoIterator<Item = PublicKey>) -> Vec<PublicKey> {
    for key in more {
        if !keys.iter().any(|k| k.key_id == key.key_id) {
            keys.push(key);
        }
    }
    keys
}

fn public_keys(stored: &[StoredKey]) -> Result<Vec<PublicKey>, StoreError> {
    stored
        .iter()
        .map(|s| match PublicKey::from_raw(&s.public_key) {
            Ok(key) if key.key_id == s.key_id => Ok(key),
            Ok(key) => Err(StoreError::Inconsistent(format!("registry key {} in the store is key {}", s.key_id, key.key_id))),
            Err(e) => Err(StoreError::Inconsistent(format!("registry key {} in the store: {e}", s.key_id))),
        })
        .collect()
}

/// A node may sign for the registry only with the registry's current key:
/// the store's (`key` becomes it when the store has none, so the first node
/// to serve a store writes its key). Returns the registry's retired keys;
/// a node holding another key is refused, both key ids named, and the
/// registry's key changes only by `creditregistry rotate-key`.
pub async fn adopt_key(store: &Audit, key: &PublicKey, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<PublicKey>, String> {
    let ours = StoredKey {
        key_id: key.key_id.clone(),
        public_key: key.raw().to_vec(),
        added_at: now.timestamp_micros(),
        retired_at: None,
    };
    let stored = store.adopt_registry_key(&ours).await.map_err(|e| e.to_string())?;
    let mut keys = public_keys(&stored).map_err(|e| e.to_string())?.into_iter();
    match keys.next() {
        Some(current) if current.key_id == key.key_id => Ok(keys.collect()),
        Some(current) => Err(format!(
            "this node's signing key {} is not the registry's current key {}: serve with the registry's key \
             (CREDITREGISTRY_SIGNING_KEY), or change the registry's key with `creditregistry rotate-key`",
            key.key_id, current.key_id
        )),
        None => Err("the store holds no current registry key".into()),
    }
}
