//! Credit files (信用档案): an entity's whole records, texts and all, for
//! profiles, record lists and histories. The in-memory index holds only
//! what decisions read (`Record::facts`); the whole records come from the
//! store, and the most recently read are kept in a cache bounded in bytes,
//! so an entity looked at again and again (a bidder through a tender) is
//! read from the store once.
//!
//! A cached file needs no invalidation: it holds every record of the entity
//! up to the tree size it was read at, and it still answers for a later
//! tree exactly when the index knows no newer record of the entity up to
//! that tree.

use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::domain::record::Record;
use crate::domain::uscc::Uscc;
use crate::index::{EntityRecords, Index};
use crate::store::{Ledger, LedgerStore, Located, StoreError, decode_record};

/// Bytes a decoded record is counted as in the cache, beyond its canonical
/// bytes: the `Record` itself and its strings' headers.
const RECORD_OVERHEAD: u64 = 256;

/// An entity's records as read from the store.
#[derive(Clone)]
struct File {
    /// The tree size read at: `records` is every record up to it.
    read_at: u64,
    records: EntityRecords,
    /// Canonical bytes read, for the cache's weight.
    bytes: u64,
}

#[derive(Clone)]
struct ByBytes;

impl Weighter<Uscc, File> for ByBytes {
    fn weight(&self, _: &Uscc, file: &File) -> u64 {
        file.bytes + RECORD_OVERHEAD * file.records.len() as u64
    }
}

/// Reads credit files from the store through the cache.
#[derive(Clone)]
pub struct CreditFiles {
    ledger: Ledger,
    index: Arc<Index>,
    cache: Arc<Cache<Uscc, File, ByBytes>>,
}

impl CreditFiles {
    /// Files over `store`, at most `cache_bytes` of them cached (0: none).
    pub fn new(ledger: Ledger, index: Arc<Index>, cache_bytes: u64) -> CreditFiles {
        // Sized for files of a few records (about 1 KiB each); the weight
        // bound is what holds.
        let items = (cache_bytes / 1024).max(1) as usize;
        CreditFiles { ledger, index, cache: Arc::new(Cache::with_weighter(items, cache_bytes, ByBytes)) }
    }

    /// One entity's whole records with sequence at most `tree_size`, in
    /// ledger order (empty when it has none). `StoreError::Corrupt` names a
    /// stored record that does not decode.
    pub async fn records(&self, uscc: &Uscc, tree_size: u64) -> Result<EntityRecords, StoreError> {
        let Some(newest) = self.index.newest(uscc, tree_size) else {
            return Ok(EntityRecords::default());
        };
        if let Some(file) = self.cache.get(uscc)
            && newest <= file.read_at
        {
            let held = file.records.partition_point(|r| r.sequence <= tree_size);
            return Ok(if held == file.records.len() { file.records } else { Arc::new(file.records[..held].to_vec()) });
        }
        let stored = self.canonical(uscc, tree_size).await?;
        let bytes = stored.iter().map(|(_, b)| b.len() as u64).sum();
        let records: EntityRecords = Arc::new(stored.into_iter().map(|(r, _)| r).collect());
        self.cache.insert(*uscc, File { read_at: tree_size, records: records.clone(), bytes });
        Ok(records)
    }

    /// One entity's records with sequence at most `tree_size`, in ledger
    /// order, each with its canonical bytes as stored; read from the store
    /// (the cache keeps no bytes). `StoreError::Corrupt` names a stored
    /// record that does not decode.
    pub async fn canonical(&self, uscc: &Uscc, tree_size: u64) -> Result<Vec<(Arc<Record>, Vec<u8>)>, StoreError> {
        let rows = self.ledger.entity_ledger(uscc.as_str(), tree_size).await?;
        rows.into_iter().map(|row| Ok((Arc::new(decode_record(row.sequence, &row.bytes)?), row.bytes))).collect()
    }

    /// Where the record `record_id` is: its entity and sequence; `None`
    /// when the ledger has no such record.
    pub async fn locate(&self, record_id: &str) -> Result<Option<Located>, StoreError> {
        Ok(self.ledger.locate(&[record_id]).await?.remove(record_id))
    }
}
