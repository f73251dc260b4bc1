//! The audit store: the check log's blocks and their indexes, its sealed
//! segments, the signed checkpoints and the registry's signing keys. It
//! keeps bytes and the columns it selects by; what the bytes mean is the
//! audit trail's (its `block` module).

use std::future::Future;
use std::time::Duration;

use super::{Store, StoreError};
use crate::ledger::Hash;

/// A signed checkpoint as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub tree_size: u64,
    pub check_log_size: u64,
    /// Microseconds since the Unix epoch, UTC.
    pub created_at: i64,
    /// The encoded `Checkpoint` exactly as signed.
    pub bytes: Vec<u8>,
    pub key_id: String,
    pub signature: Vec<u8>,
}

/// A registry signing key as the store keeps it: the registry's current
/// key, or one it signed with before (`retired_at`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    pub key_id: String,
    /// The raw Ed25519 public key, 32 bytes.
    pub public_key: Vec<u8>,
    /// Microseconds since the Unix epoch, UTC.
    pub added_at: i64,
    /// When another key replaced it; `None` for the current key.
    pub retired_at: Option<i64>,
}

/// Consecutive check-log entries committed together, as stored: one row
/// per block, with one index row per code key, caller and organisation
/// given. How the entries are packed and keyed is the check log's
/// (`audit::block`); the store keeps the bytes and keys as given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredCheckBlock {
    pub first_sequence: u64,
    pub last_sequence: u64,
    /// Earliest and latest `checked_at` in the block, microseconds UTC.
    pub min_at: i64,
    pub max_at: i64,
    /// Chain hash of the entry before the block (zeros before the first).
    pub chain_before: Hash,
    /// Chain hash of the block's last entry.
    pub chain_hash: Hash,
    /// How `bytes` are packed, a number the store keeps as given.
    pub encoding: i64,
    /// The entries as packed.
    pub bytes: Vec<u8>,
    /// Keys of the codes asked about, sorted and distinct (written; empty
    /// when read).
    pub code_keys: Vec<i64>,
    /// Callers, sorted and distinct (written; empty when read).
    pub callers: Vec<String>,
    /// Callers' organisations, sorted, distinct, none empty (written;
    /// empty when read).
    pub organisations: Vec<String>,
}

/// A sealed check-log segment as stored: its signed head (an encoded
/// `creditregistry.v1.CheckSegmentHead`, its key id and signature) and the
/// columns the store selects by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredSegment {
    /// From 1, consecutive.
    pub number: u64,
    pub first_sequence: u64,
    pub last_sequence: u64,
    /// Earliest and latest `checked_at`, microseconds UTC.
    pub min_at: i64,
    pub max_at: i64,
    /// Chain hash of entry `last_sequence`.
    pub chain_hash: Hash,
    pub head: Vec<u8>,
    pub key_id: String,
    pub signature: Vec<u8>,
    /// When a file of it was first written, microseconds UTC.
    pub exported_at: Option<i64>,
    /// When its blocks left the live store, microseconds UTC.
    pub removed_at: Option<i64>,
}

/// A chained check-log entry with the columns its block is indexed by
/// (but its caller's organisation, which only its bytes name): as a store
/// from before check-log blocks kept it.
pub struct CheckEntry {
    pub sequence: u64,
    /// Microseconds since the Unix epoch, UTC.
    pub checked_at: i64,
    pub caller_subject: String,
    /// Valid codes asked about, normalised.
    pub codes: Vec<String>,
    /// The encoded entry with its chain hash empty.
    pub bytes: Vec<u8>,
    pub chain_hash: Hash,
}

/// What bringing an old check log up to date needs of its block format,
/// which the store does not know: `audit::block::Upgrade`.
pub trait CheckLogUpgrade: Sync {
    /// Consecutive old entries cut into blocks; `before` is the chain hash
    /// of the entry before the first. An entry that does not decode is
    /// inconsistent data.
    fn cut(&self, checks: Vec<CheckEntry>, before: Hash) -> Result<Vec<StoredCheckBlock>, StoreError>;
    /// The organisations a block stored before the organisation index is
    /// indexed under; entries that do not read are inconsistent data.
    fn organisations(&self, block: &StoredCheckBlock) -> Result<Vec<String>, StoreError>;
}

/// Which check-log entries an auditor wants; all filters combine. The store
/// answers with the blocks that may hold them (`AuditStore::check_blocks`),
/// through its indexes; the caller filters their entries exactly.
#[derive(Clone, Debug, Default)]
pub struct CheckFilter {
    pub caller_subject: Option<String>,
    /// Checks by callers of this organisation.
    pub organisation: Option<String>,
    /// Blocks indexed under this code key.
    pub code_key: Option<i64>,
    /// Microseconds, inclusive.
    pub from: Option<i64>,
    /// Microseconds, inclusive.
    pub until: Option<i64>,
    /// Only entries (blocks) after this sequence.
    pub after: u64,
}

/// Digests of the check log's three indexes as stored (`IndexDigest`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckIndexDigests {
    pub codes: IndexDigest,
    pub callers: IndexDigest,
    pub organisations: IndexDigest,
}

/// An order-free digest of an index's rows, for comparing with what the
/// blocks say it should hold: row count and wrapping sum of
/// SHA-256(value || block)[..16].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexDigest {
    pub rows: u64,
    pub sum: u128,
}

impl IndexDigest {
    pub fn add(&mut self, value: &[u8], last_sequence: u64) {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(value);
        h.update(last_sequence.to_be_bytes());
        let d = h.finalize();
        self.rows += 1;
        self.sum = self.sum.wrapping_add(u128::from_be_bytes(d[..16].try_into().expect("16 bytes")));
    }
}

/// What every backend's audit store does, each in its own database's SQL.
/// The contract suite (`tests/store_contract/`) runs the same tests
/// against each.
pub trait AuditStore: Sync {
    /// Appends check-log blocks, their index rows and checkpoints in one
    /// transaction, apart from the ledger's. The first block must go on
    /// from the stored check log (its size and chain hash), or the append
    /// fails with `StoreError::Behind` and changes nothing. With `spacing`,
    /// the checkpoints are left out (the blocks still stored) when the
    /// newest stored checkpoint was created less than `spacing` before the
    /// first of them, whichever node stored it: the store, not each node,
    /// keeps checkpoints to one per interval. Whether they were stored.
    fn append_audit(
        &self,
        blocks: &[StoredCheckBlock],
        checkpoints: &[StoredCheckpoint],
        spacing: Option<Duration>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The check log's size and the chain hash of its last entry.
    fn check_log_head(&self) -> impl Future<Output = Result<(u64, Hash), StoreError>> + Send;

    /// Blocks that may hold entries matching `filter`, in order, at most
    /// `limit`; the caller filters their entries exactly.
    fn check_blocks(
        &self,
        filter: &CheckFilter,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredCheckBlock>, StoreError>> + Send;

    /// Digests of the code, caller and organisation indexes as stored, for
    /// blocks ending at or before entry `until`.
    fn check_index_digests(&self, until: u64) -> impl Future<Output = Result<CheckIndexDigests, StoreError>> + Send;

    /// Earliest `min_at` and latest `max_at` of the blocks ending in
    /// `(after, until]`; zeros when there are none.
    fn block_span(&self, after: u64, until: u64) -> impl Future<Output = Result<(i64, i64), StoreError>> + Send;

    /// Stores a sealed segment's head. It must follow the newest segment
    /// (number and first entry) and end at a stored block's last entry;
    /// false, storing nothing, when another node sealed that number first.
    fn seal_segment(&self, segment: &StoredSegment) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every sealed segment, by number.
    fn segments(&self) -> impl Future<Output = Result<Vec<StoredSegment>, StoreError>> + Send;

    /// Segments that have left the live store and may hold entries matching
    /// `filter`: ending after its `after`, their time range meeting its
    /// own (heads record no callers or codes), by number.
    fn removed_segments(&self, filter: &CheckFilter) -> impl Future<Output = Result<Vec<StoredSegment>, StoreError>> + Send;

    /// Segments exported and still live whose newest entry was checked at
    /// or before `cutoff` (microseconds UTC), by number: those retention
    /// lets go.
    fn expired_segments(&self, cutoff: i64) -> impl Future<Output = Result<Vec<u64>, StoreError>> + Send;

    /// Notes that segment `number` was exported at `at` (microseconds UTC),
    /// keeping the first time.
    fn mark_exported(&self, number: u64, at: i64) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes an exported segment's blocks and index rows from the live
    /// store and notes when, in one transaction; its head stays. A segment
    /// not exported is refused (`StoreError::Inconsistent`).
    fn remove_segment(&self, number: u64, at: i64) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The newest stored checkpoint, of exactly `tree_size` when given.
    fn checkpoint(&self, tree_size: Option<u64>) -> impl Future<Output = Result<Option<StoredCheckpoint>, StoreError>> + Send;

    /// Stored checkpoints with `after_id < id`, at most `limit`, by id,
    /// with their ids.
    fn checkpoint_page(
        &self,
        after_id: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(i64, StoredCheckpoint)>, StoreError>> + Send;

    /// The highest checkpoint id ever given (0 when there is none), so a
    /// deleted newest checkpoint shows as missing.
    fn last_checkpoint_id(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// The registry's signing keys: the current one first, then the
    /// retired ones, most recently retired first. Empty before the store
    /// was first served.
    fn registry_keys(&self) -> impl Future<Output = Result<Vec<StoredKey>, StoreError>> + Send;

    /// Makes `key` the registry's current key when the store has none (the
    /// first node to serve it writes its key), then `registry_keys`.
    fn adopt_registry_key(&self, key: &StoredKey) -> impl Future<Output = Result<Vec<StoredKey>, StoreError>> + Send;

    /// Retires the current key (at `key.added_at`) and makes `key` current,
    /// in one transaction; returns the key retired. A key the store already
    /// holds is refused (`StoreError::Inconsistent`): a retired key is
    /// never made current again.
    fn rotate_registry_key(&self, key: &StoredKey) -> impl Future<Output = Result<Option<StoredKey>, StoreError>> + Send;
}

/// The audit store of the configured backend (`Store::audit`): a cheap
/// clone, each call in a `tracing` span of its own.
#[derive(Clone, Debug)]
pub struct Audit(pub(super) Store);

impl Audit {
    /// Whether other processes may append to this audit store (PostgreSQL,
    /// which several nodes serve).
    pub fn is_shared(&self) -> bool {
        self.0.is_shared()
    }
}

impl AuditStore for Audit {
    #[tracing::instrument(name = "store.append_audit", level = "debug", skip_all, fields(blocks = blocks.len(), checkpoints = checkpoints.len()))]
    async fn append_audit(
        &self,
        blocks: &[StoredCheckBlock],
        checkpoints: &[StoredCheckpoint],
        spacing: Option<Duration>,
    ) -> Result<bool, StoreError> {
        dispatch!(&self.0, s => s.append_audit(blocks, checkpoints, spacing).await)
    }

    #[tracing::instrument(name = "store.check_log_head", level = "debug", skip_all)]
    async fn check_log_head(&self) -> Result<(u64, Hash), StoreError> {
        dispatch!(&self.0, s => s.check_log_head().await)
    }

    #[tracing::instrument(name = "store.check_blocks", level = "debug", skip_all, fields(after = filter.after, limit))]
    async fn check_blocks(&self, filter: &CheckFilter, limit: u32) -> Result<Vec<StoredCheckBlock>, StoreError> {
        dispatch!(&self.0, s => s.check_blocks(filter, limit).await)
    }

    #[tracing::instrument(name = "store.check_index_digests", level = "debug", skip_all, fields(until))]
    async fn check_index_digests(&self, until: u64) -> Result<CheckIndexDigests, StoreError> {
        dispatch!(&self.0, s => s.check_index_digests(until).await)
    }

    #[tracing::instrument(name = "store.block_span", level = "debug", skip_all, fields(after, until))]
    async fn block_span(&self, after: u64, until: u64) -> Result<(i64, i64), StoreError> {
        dispatch!(&self.0, s => s.block_span(after, until).await)
    }

    #[tracing::instrument(name = "store.seal_segment", level = "debug", skip_all, fields(number = segment.number))]
    async fn seal_segment(&self, segment: &StoredSegment) -> Result<bool, StoreError> {
        dispatch!(&self.0, s => s.seal_segment(segment).await)
    }

    #[tracing::instrument(name = "store.segments", level = "debug", skip_all)]
    async fn segments(&self) -> Result<Vec<StoredSegment>, StoreError> {
        dispatch!(&self.0, s => s.segments().await)
    }

    #[tracing::instrument(name = "store.removed_segments", level = "debug", skip_all)]
    async fn removed_segments(&self, filter: &CheckFilter) -> Result<Vec<StoredSegment>, StoreError> {
        dispatch!(&self.0, s => s.removed_segments(filter).await)
    }

    #[tracing::instrument(name = "store.expired_segments", level = "debug", skip_all, fields(cutoff))]
    async fn expired_segments(&self, cutoff: i64) -> Result<Vec<u64>, StoreError> {
        dispatch!(&self.0, s => s.expired_segments(cutoff).await)
    }

    #[tracing::instrument(name = "store.mark_exported", level = "debug", skip_all, fields(number))]
    async fn mark_exported(&self, number: u64, at: i64) -> Result<(), StoreError> {
        dispatch!(&self.0, s => s.mark_exported(number, at).await)
    }

    #[tracing::instrument(name = "store.remove_segment", level = "debug", skip_all, fields(number))]
    async fn remove_segment(&self, number: u64, at: i64) -> Result<(), StoreError> {
        dispatch!(&self.0, s => s.remove_segment(number, at).await)
    }

    #[tracing::instrument(name = "store.checkpoint", level = "debug", skip_all, fields(tree_size))]
    async fn checkpoint(&self, tree_size: Option<u64>) -> Result<Option<StoredCheckpoint>, StoreError> {
        dispatch!(&self.0, s => s.checkpoint(tree_size).await)
    }

    #[tracing::instrument(name = "store.checkpoint_page", level = "debug", skip_all, fields(after_id, limit))]
    async fn checkpoint_page(&self, after_id: i64, limit: u32) -> Result<Vec<(i64, StoredCheckpoint)>, StoreError> {
        dispatch!(&self.0, s => s.checkpoint_page(after_id, limit).await)
    }

    #[tracing::instrument(name = "store.last_checkpoint_id", level = "debug", skip_all)]
    async fn last_checkpoint_id(&self) -> Result<i64, StoreError> {
        dispatch!(&self.0, s => s.last_checkpoint_id().await)
    }

    #[tracing::instrument(name = "store.registry_keys", level = "debug", skip_all)]
    async fn registry_keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        dispatch!(&self.0, s => s.registry_keys().await)
    }

    #[tracing::instrument(name = "store.adopt_registry_key", level = "debug", skip_all, fields(key_id = %key.key_id))]
    async fn adopt_registry_key(&self, key: &StoredKey) -> Result<Vec<StoredKey>, StoreError> {
        dispatch!(&self.0, s => s.adopt_registry_key(key).await)
    }

    #[tracing::instrument(name = "store.rotate_registry_key", level = "debug", skip_all, fields(key_id = %key.key_id))]
    async fn rotate_registry_key(&self, key: &StoredKey) -> Result<Option<StoredKey>, StoreError> {
        dispatch!(&self.0, s => s.rotate_registry_key(key).await)
    }
}
