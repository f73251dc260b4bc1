//! The registry's signing keys in the audit store.

use super::*;
use creditregistry::store::{Store, StoredKey};

/// The registry's keys: the first adopted is current, another node's key
/// does not replace it, rotation retires it and keeps it, a known key is
/// never made current again, and no key is deleted.
pub(crate) async fn the_registry_keys_change_only_by_rotation<S: Backend>() {
    let Fresh { store, url, dir: _dir } = S::fresh().await;
    let key = |id: &str, at: i64| StoredKey { key_id: id.into(), public_key: vec![at as u8; 32], added_at: at, retired_at: None };
    assert!(store.registry_keys().await.unwrap().is_empty());
    assert_eq!(store.adopt_registry_key(&key("registry-a", 1)).await.unwrap(), [key("registry-a", 1)]);
    assert_eq!(store.adopt_registry_key(&key("registry-b", 2)).await.unwrap(), [key("registry-a", 1)], "the first stays current");
    assert_eq!(
        store.rotate_registry_key(&key("registry-b", 3)).await.unwrap(),
        Some(StoredKey { retired_at: Some(3), ..key("registry-a", 1) })
    );
    assert_eq!(store.rotate_registry_key(&key("registry-c", 4)).await.unwrap().map(|k| k.key_id), Some("registry-b".into()));
    let keys = store.registry_keys().await.unwrap();
    assert_eq!(
        keys.iter().map(|k| (k.key_id.as_str(), k.retired_at)).collect::<Vec<_>>(),
        [("registry-c", None), ("registry-b", Some(4)), ("registry-a", Some(3)),]
    );
    let err = store.rotate_registry_key(&key("registry-a", 5)).await.expect_err("a retired key");
    assert!(matches!(&err, StoreError::Inconsistent(m) if m.contains("registry-a")), "{err}");
    assert_eq!(store.registry_keys().await.unwrap(), keys, "a refused rotation changes nothing");
    Backend::close(&store).await;
    let direct = Store::open_existing(&url, &PgSettings::default()).await.unwrap();
    assert_eq!(direct.audit().registry_keys().await.unwrap(), keys);
    direct.close().await;
    // The store itself refuses to lose or change a key.
    for sql in ["DELETE FROM registry_keys", "UPDATE registry_keys SET retired_at = NULL WHERE key_id = 'registry-a'"] {
        let refused = S::refuses(&url, sql).await;
        assert!(refused, "{sql}");
    }
}
