//! The ledger store: the append-only ledger of records, the Merkle nodes
//! over it, record look-ups and idempotency keys, and notices of other
//! nodes' appends. What the writer, the rebuild at start and the readers
//! of records are given.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use super::{Store, StoreError};
use crate::domain::record::Record;
use crate::ledger::Hash;

/// A record ready to append: the record, its canonical bytes and leaf hash.
#[derive(Clone, Debug)]
pub struct Appended {
    pub record: Arc<Record>,
    pub bytes: Vec<u8>,
    pub leaf_hash: Hash,
}

/// One ledger row as stored.
#[derive(Clone, Debug)]
pub struct StoredEntry {
    pub sequence: u64,
    pub record_id: String,
    pub uscc: String,
    /// Microseconds since the Unix epoch, UTC.
    pub recorded_at: i64,
    pub bytes: Vec<u8>,
}

/// Where a record is (its entity and its sequence), and its canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub uscc: crate::domain::uscc::Uscc,
    pub sequence: u64,
    pub bytes: Vec<u8>,
}

/// Nodes of the Merkle tree to append: `hashes[i]` is node `first + i`.
#[derive(Clone, Debug, Default)]
pub struct NewNodes {
    pub first: u64,
    pub hashes: Vec<Hash>,
}

/// Keys that make a write idempotent, each with the record holding it.
#[derive(Clone, Debug, Default)]
pub struct IdempotencyKeys {
    /// (actor, request id) -> record id.
    pub requests: HashMap<(String, String), String>,
    /// (authority, decision number) of penalties and listings -> record id.
    pub decisions: HashMap<(String, String), String>,
}

/// Idempotency keys found in the store, and the records holding them.
#[derive(Clone, Debug, Default)]
pub struct FoundKeys {
    pub keys: IdempotencyKeys,
    /// Record id -> its entity, sequence and bytes.
    pub places: HashMap<String, Located>,
}

impl IdempotencyKeys {
    /// Adds the keys a record holds.
    pub fn add(&mut self, r: &Record) {
        if !r.request_id.is_empty() {
            self.requests.insert((r.actor.clone(), r.request_id.clone()), r.id.clone());
        }
        if let Some(number) = r.body.unique_decision_number() {
            self.decisions.insert((r.authority.clone(), number.to_string()), r.id.clone());
        }
    }
}

/// A stored record decoded; `StoreError::Corrupt` at `sequence` when its
/// bytes do not decode.
pub fn decode_record(sequence: u64, bytes: &[u8]) -> Result<Record, StoreError> {
    crate::ledger::decode(bytes).map_err(|reason| StoreError::Corrupt { sequence, reason })
}

/// What a ledger transaction appends: records going on from the head it
/// was given, and the Merkle nodes they complete.
pub trait ToAppend {
    fn to_append(&self) -> (&[Appended], &NewNodes);
}

impl ToAppend for (&[Appended], &NewNodes) {
    fn to_append(&self) -> (&[Appended], &NewNodes) {
        (self.0, self.1)
    }
}

/// What every backend's ledger does, each in its own database's SQL. The
/// contract suite (`tests/store_contract/`) runs the same tests against
/// each.
pub trait LedgerStore: Sync {
    /// The newest record's sequence (0 for an empty ledger).
    fn head(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Appends records and the Merkle nodes they complete in one
    /// transaction; returns once it is durably committed. The batch must
    /// go on from the stored head: one numbered against an older head
    /// fails with `StoreError::Behind` (another node appended first). A
    /// record whose id, request id (per actor) or decision number (per
    /// authority) is already held fails the whole batch
    /// (`StoreError::is_duplicate_key`). A failed batch changes nothing.
    fn append(&self, batch: &[Appended], nodes: &NewNodes) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A read-write transaction on the ledger: locks the head for this
    /// process (other nodes' appends wait), hands it to `build`, and
    /// appends what `build` returns, as `append` does, before releasing the
    /// lock. For a writer whose optimistic `append` was `Behind`: `build`
    /// reads what was appended up to the head, admits again, and cannot be
    /// behind. An error from `build` appends nothing.
    fn transact<B, F, Fut, E>(&self, build: F) -> impl Future<Output = Result<B, E>> + Send
    where
        B: ToAppend + Send,
        F: FnOnce(u64) -> Fut + Send,
        Fut: Future<Output = Result<B, E>> + Send,
        E: From<StoreError> + Send;

    /// How many Merkle nodes are stored.
    fn node_count(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The nodes at `positions` (not empty), in that order; an error if any
    /// is missing.
    fn nodes(&self, positions: &[u64]) -> impl Future<Output = Result<Vec<Hash>, StoreError>> + Send;

    /// Stored nodes with positions in `[from, to)`, in order, as stored.
    fn node_range(&self, from: u64, to: u64) -> impl Future<Output = Result<Vec<(u64, Vec<u8>)>, StoreError>> + Send;

    /// Ledger rows with `after < sequence <= until`, at most `limit`, in order.
    fn ledger_page(
        &self,
        after: u64,
        until: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredEntry>, StoreError>> + Send;

    /// One entity's ledger rows with `sequence <= until`, in order.
    fn entity_ledger(&self, uscc: &str, until: u64) -> impl Future<Output = Result<Vec<StoredEntry>, StoreError>> + Send;

    /// Every ledger entry after sequence `after`, in order, handed to
    /// `each` one at a time.
    fn scan_ledger(
        &self,
        after: u64,
        each: impl FnMut(StoredEntry) -> Result<(), StoreError> + Send,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The records already holding any of these idempotency keys:
    /// (actor, request id) pairs and (authority, decision number) pairs,
    /// each answered with its record id, and those records.
    fn existing_keys(
        &self,
        requests: &[(String, String)],
        decisions: &[(String, String)],
    ) -> impl Future<Output = Result<FoundKeys, StoreError>> + Send;

    /// Where records are in the ledger, by record id: each id found
    /// answers with its entity, sequence and bytes; ids not in the ledger
    /// are left out.
    fn locate(&self, record_ids: &[&str]) -> impl Future<Output = Result<HashMap<String, Located>, StoreError>> + Send;

    /// Notices of the ledger's size after other processes' appends, where
    /// the database sends them (PostgreSQL's LISTEN/NOTIFY); `None` where
    /// no other process appends (SQLite, which one process serves).
    fn ledger_notices(&self) -> Option<tokio::sync::watch::Receiver<u64>>;
}

/// The ledger store of the configured backend (`Store::ledger`): a cheap
/// clone, each call in a `tracing` span of its own.
#[derive(Clone, Debug)]
pub struct Ledger(pub(super) Store);

impl Ledger {
    /// Whether other processes may append to this ledger (PostgreSQL,
    /// which several nodes serve), so that this one must read their records.
    pub fn is_shared(&self) -> bool {
        self.0.is_shared()
    }

    /// See `Store::unreachable`.
    pub fn unreachable(&self) -> Option<StoreError> {
        self.0.unreachable()
    }
}

impl LedgerStore for Ledger {
    #[tracing::instrument(name = "store.head", level = "debug", skip_all)]
    async fn head(&self) -> Result<u64, StoreError> {
        dispatch!(&self.0, s => s.head().await)
    }

    #[tracing::instrument(name = "store.append", level = "debug", skip_all, fields(records = batch.len()))]
    async fn append(&self, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        dispatch!(&self.0, s => s.append(batch, nodes).await)
    }

    #[tracing::instrument(name = "store.transact", level = "debug", skip_all)]
    async fn transact<B, F, Fut, E>(&self, build: F) -> Result<B, E>
    where
        B: ToAppend + Send,
        F: FnOnce(u64) -> Fut + Send,
        Fut: Future<Output = Result<B, E>> + Send,
        E: From<StoreError> + Send,
    {
        match &self.0 {
            Store::Sqlite(s) => s.transact(build).await,
            Store::Postgres(s) => {
                if let Some(unreachable) = s.unreachable() {
                    return Err(unreachable.into());
                }
                s.transact(build).await
            }
        }
    }

    #[tracing::instrument(name = "store.node_count", level = "debug", skip_all)]
    async fn node_count(&self) -> Result<u64, StoreError> {
        dispatch!(&self.0, s => s.node_count().await)
    }

    #[tracing::instrument(name = "store.nodes", level = "debug", skip_all, fields(nodes = positions.len()))]
    async fn nodes(&self, positions: &[u64]) -> Result<Vec<Hash>, StoreError> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        dispatch!(&self.0, s => s.nodes(positions).await)
    }

    #[tracing::instrument(name = "store.node_range", level = "debug", skip_all, fields(from, to))]
    async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        dispatch!(&self.0, s => s.node_range(from, to).await)
    }

    #[tracing::instrument(name = "store.ledger_page", level = "debug", skip_all, fields(after, until, limit))]
    async fn ledger_page(&self, after: u64, until: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        dispatch!(&self.0, s => s.ledger_page(after, until, limit).await)
    }

    #[tracing::instrument(name = "store.entity_ledger", level = "debug", skip_all, fields(until))]
    async fn entity_ledger(&self, uscc: &str, until: u64) -> Result<Vec<StoredEntry>, StoreError> {
        dispatch!(&self.0, s => s.entity_ledger(uscc, until).await)
    }

    #[tracing::instrument(name = "store.scan_ledger", level = "debug", skip_all, fields(after))]
    async fn scan_ledger(
        &self,
        after: u64,
        each: impl FnMut(StoredEntry) -> Result<(), StoreError> + Send,
    ) -> Result<(), StoreError> {
        dispatch!(&self.0, s => s.scan_ledger(after, each).await)
    }

    #[tracing::instrument(name = "store.existing_keys", level = "debug", skip_all, fields(requests = requests.len(), decisions = decisions.len()))]
    async fn existing_keys(
        &self,
        requests: &[(String, String)],
        decisions: &[(String, String)],
    ) -> Result<FoundKeys, StoreError> {
        dispatch!(&self.0, s => s.existing_keys(requests, decisions).await)
    }

    #[tracing::instrument(name = "store.locate", level = "debug", skip_all, fields(records = record_ids.len()))]
    async fn locate(&self, record_ids: &[&str]) -> Result<HashMap<String, Located>, StoreError> {
        dispatch!(&self.0, s => s.locate(record_ids).await)
    }

    fn ledger_notices(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        match &self.0 {
            Store::Sqlite(s) => s.ledger_notices(),
            Store::Postgres(s) => s.ledger_notices(),
        }
    }
}
