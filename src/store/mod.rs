//! Durable storage: the ledger, its Merkle nodes, the check log and checkpoints.
//! All SQL lives here. SQLite (bundled, WAL, `synchronous=FULL`) is the
//! embedded default; PostgreSQL the production store; the backend is
//! chosen by the database URL's scheme.

mod migrate;
mod postgres;
mod rows;
mod sqlite;

use std::sync::Arc;

use crate::domain::record::Record;
use crate::domain::rules::supervision::InspectionDraw;
use crate::ledger::Hash;

pub use postgres::{PgSettings, PgStore};
pub use sqlite::{ServingClaim, SqliteStore};

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
    pub requests: std::collections::HashMap<(String, String), String>,
    /// (authority, decision number) of penalties and listings -> record id.
    pub decisions: std::collections::HashMap<(String, String), String>,
}

/// Idempotency keys found in the store, and the records holding them.
#[derive(Clone, Debug, Default)]
pub struct FoundKeys {
    pub keys: IdempotencyKeys,
    /// Record id -> its entity, sequence and bytes.
    pub places: std::collections::HashMap<String, Located>,
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

/// The file a SQLite URL names (`sqlite://PATH` or `sqlite:PATH`, any
/// `?options` dropped); `None` for an in-memory database or another scheme.
pub fn sqlite_file(url: &str) -> Option<&std::path::Path> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    (!path.contains(":memory:")).then(|| std::path::Path::new(path))
}

/// A stored record decoded; `StoreError::Corrupt` at `sequence` when its
/// bytes do not decode.
pub fn decode_record(sequence: u64, bytes: &[u8]) -> Result<Record, StoreError> {
    crate::ledger::decode(bytes).map_err(|reason| StoreError::Corrupt { sequence, reason })
}

/// Where a SQLite store keeps its audit file, beside the ledger:
/// `sqlite://data/registry.db` → `sqlite://data/registry-audit.db`
/// (`-audit` appended when the name does not end in `.db`).
pub fn audit_url(url: &str) -> String {
    let (path, query) = url.split_once('?').map_or((url, None), |(p, q)| (p, Some(q)));
    let audit = match path.strip_suffix(".db") {
        _ if path.ends_with(":memory:") => path.to_string(),
        Some(stem) => format!("{stem}-audit.db"),
        None => format!("{path}-audit"),
    };
    match query {
        Some(q) => format!("{audit}?{q}"),
        None => audit,
    }
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
/// answers with the blocks that may hold them (`Backend::check_blocks`),
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

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("unsupported database URL '{0}': expected sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl(String),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration { version: i64, name: &'static str, source: sqlx::Error },
    #[error("ledger entry {sequence} is unreadable: {reason}")]
    Corrupt { sequence: u64, reason: String },
    #[error("inspection draw {id} is unreadable: {reason}")]
    CorruptDraw { id: String, reason: String },
    #[error("{0}")]
    Inconsistent(String),
    #[error("{0} has stopped")]
    Stopped(&'static str),
    #[error("cannot open the store {url}: {source}")]
    Open { url: String, source: Box<StoreError> },
    /// Another process serves this SQLite store.
    #[error("the store {path} is already served by {holder}; one process serves a SQLite store: stop that one first")]
    InUse { path: String, holder: String },
    #[error("cannot claim the store {path}: {source}")]
    Claim { path: String, source: std::io::Error },
    /// An append was numbered against an older head than the store's:
    /// another node appended first. Nothing was written.
    #[error("the {log} has grown to {head} entries since this append was numbered")]
    Behind { log: Log, head: u64 },
    /// The store cannot be reached: it refuses or drops connections, or
    /// none opens in time. The driver's own words are logged, not kept.
    #[error("the store is unreachable: {cause} at {address}")]
    Unreachable { address: String, cause: &'static str },
    /// Every connection to the store is in use and none came free in time.
    #[error("the store is busy: all {0} of this node's connections to it are in use")]
    Busy(u32),
}

/// What a store error means to whoever asked: the class every layer keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Stored data is corrupt or inconsistent: asking again will not help.
    Corrupt,
    /// The store cannot answer now (unreachable, busy, a commit failed or
    /// raced another node's): asking again may.
    Unavailable,
    /// The registry is shutting down.
    Stopped,
}

/// The two append-only logs a store keeps in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    Ledger,
    CheckLog,
}

impl std::fmt::Display for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Log::Ledger => "ledger",
            Log::CheckLog => "check log",
        })
    }
}

impl StoreError {
    /// The error's class: corrupt data, whatever the layer it surfaced in,
    /// a value the driver cannot decode included.
    pub fn fault(&self) -> Fault {
        match self {
            StoreError::Corrupt { .. } | StoreError::CorruptDraw { .. } | StoreError::Inconsistent(_) => Fault::Corrupt,
            StoreError::Database(sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_)) => Fault::Corrupt,
            StoreError::Stopped(_) | StoreError::Database(sqlx::Error::PoolClosed) => Fault::Stopped,
            _ => Fault::Unavailable,
        }
    }

    /// The error in the registry's words, for a caller: what the driver
    /// said (a statement, a socket, a protocol message) stays in the log.
    pub fn public_message(&self) -> String {
        match self {
            StoreError::Database(e) => match e {
                sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                    "a value stored in the database does not decode (the server log names it)".into()
                }
                sqlx::Error::PoolClosed => "the store's connections are closed: the registry is stopping".into(),
                sqlx::Error::Database(d) if d.code().as_deref() == Some("57014") => {
                    "the store cancelled a statement that ran longer than its statement timeout".into()
                }
                sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40001" | "40P01")) => {
                    "the store aborted the transaction in a conflict with another; nothing was written".into()
                }
                _ => "the store failed to answer (the server log has its error)".into(),
            },
            StoreError::Migration { version, name, .. } => {
                format!("migration {version} ({name}) failed (the server log has its error)")
            }
            StoreError::Open { url, .. } => format!("cannot open the store {url} (the server log has its error)"),
            StoreError::Corrupt { sequence, .. } => format!(
                "ledger entry {sequence} is unreadable: its stored bytes are not a valid record (the server log has the fault; \
                 `creditregistry verify` names it)"
            ),
            StoreError::CorruptDraw { id, .. } => {
                format!("inspection draw {id} is unreadable: its stored form is not valid (the server log has the fault)")
            }
            other => other.to_string(),
        }
    }

    /// Whether a write failed on a unique key (an idempotency key already
    /// held): the writer then looks the keys up and admits again.
    pub fn is_duplicate_key(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// What every backend does, each in its own database's SQL; `Store`
/// dispatches to one. The contract suite (`tests/store_contract.rs`) runs
/// the same tests against each.
pub(crate) trait Backend {
    /// The newest record's sequence (0 for an empty ledger).
    async fn head(&self) -> Result<u64, StoreError>;

    /// The highest checkpoint id ever given (0 when there is none), so a
    /// deleted newest checkpoint shows as missing.
    async fn last_checkpoint_id(&self) -> Result<i64, StoreError>;

    /// Appends records and the Merkle nodes they complete in one
    /// transaction; returns once it is durably committed. The batch must
    /// go on from the stored head: one numbered against an older head
    /// fails with `StoreError::Behind` (another node appended first). A
    /// record whose id, request id (per actor) or decision number (per
    /// authority) is already held fails the whole batch
    /// (`StoreError::is_duplicate_key`). A failed batch changes nothing.
    async fn append(&self, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError>;

    /// Locks the ledger's head for one append by this process, until the
    /// lock is appended with or dropped: other nodes' appends wait. For a
    /// writer whose optimistic append was `Behind`: under the lock it reads
    /// what was appended, admits again, and cannot be behind.
    async fn lock_ledger(&self) -> Result<LedgerLock, StoreError>;

    /// `append` under a lock from `lock_ledger`, which it releases.
    async fn append_locked(&self, lock: LedgerLock, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError>;

    /// How many Merkle nodes are stored.
    async fn node_count(&self) -> Result<u64, StoreError>;

    /// The nodes at `positions` (not empty), in that order; an error if any
    /// is missing.
    async fn nodes(&self, positions: &[u64]) -> Result<Vec<Hash>, StoreError>;

    /// Stored nodes with positions in `[from, to)`, in order, as stored.
    async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError>;

    /// Ledger rows with `after < sequence <= until`, at most `limit`, in order.
    async fn ledger_page(&self, after: u64, until: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError>;

    /// One entity's ledger rows with `sequence <= until`, in order.
    async fn entity_ledger(&self, uscc: &str, until: u64) -> Result<Vec<StoredEntry>, StoreError>;

    /// The records already holding any of these idempotency keys:
    /// (actor, request id) pairs and (authority, decision number) pairs,
    /// each answered with its record id, and those records.
    async fn existing_keys(&self, requests: &[(String, String)], decisions: &[(String, String)])
    -> Result<FoundKeys, StoreError>;

    /// Where records are in the ledger, by record id: each id found
    /// answers with its entity, sequence and bytes; ids not in the ledger
    /// are left out.
    async fn locate(&self, record_ids: &[&str]) -> Result<std::collections::HashMap<String, Located>, StoreError>;

    /// Appends check-log blocks, their index rows and checkpoints in one
    /// transaction, apart from the ledger's. The first block must go on
    /// from the stored check log (its size and chain hash), or the append
    /// fails with `StoreError::Behind` and changes nothing. With `spacing`,
    /// the checkpoints are left out (the blocks still stored) when the
    /// newest stored checkpoint was created less than `spacing` before the
    /// first of them, whichever node stored it: the store, not each node,
    /// keeps checkpoints to one per interval. Whether they were stored.
    async fn append_audit(
        &self,
        blocks: &[StoredCheckBlock],
        checkpoints: &[StoredCheckpoint],
        spacing: Option<std::time::Duration>,
    ) -> Result<bool, StoreError>;

    /// The check log's size and the chain hash of its last entry.
    async fn check_log_head(&self) -> Result<(u64, Hash), StoreError>;

    /// Blocks that may hold entries matching `filter`, in order, at most
    /// `limit`; the caller filters their entries exactly.
    async fn check_blocks(&self, filter: &CheckFilter, limit: u32) -> Result<Vec<StoredCheckBlock>, StoreError>;

    /// Digests of the code, caller and organisation indexes as stored, for
    /// blocks ending at or before entry `until`.
    async fn check_index_digests(&self, until: u64) -> Result<CheckIndexDigests, StoreError>;

    /// Stores a sealed segment's head. It must follow the newest segment
    /// (number and first entry) and end at a stored block's last entry;
    /// false, storing nothing, when another node sealed that number first.
    async fn seal_segment(&self, segment: &StoredSegment) -> Result<bool, StoreError>;

    /// Finishes what a migration left to the store (`pending_backfills`):
    /// indexing blocks stored before the organisation index, in one
    /// transaction. Nothing when nothing is pending.
    async fn complete_backfills(&self, upgrade: &dyn CheckLogUpgrade) -> Result<(), StoreError>;

    /// Earliest `min_at` and latest `max_at` of the blocks ending in
    /// `(after, until]`; zeros when there are none.
    async fn block_span(&self, after: u64, until: u64) -> Result<(i64, i64), StoreError>;

    /// Every sealed segment, by number.
    async fn segments(&self) -> Result<Vec<StoredSegment>, StoreError>;

    /// Segments that have left the live store and may hold entries matching
    /// `filter`: ending after its `after`, their time range meeting its
    /// own (heads record no callers or codes), by number.
    async fn removed_segments(&self, filter: &CheckFilter) -> Result<Vec<StoredSegment>, StoreError>;

    /// Segments exported and still live whose newest entry was checked at
    /// or before `cutoff` (microseconds UTC), by number: those retention
    /// lets go.
    async fn expired_segments(&self, cutoff: i64) -> Result<Vec<u64>, StoreError>;

    /// Notes that segment `number` was exported at `at` (microseconds UTC),
    /// keeping the first time.
    async fn mark_exported(&self, number: u64, at: i64) -> Result<(), StoreError>;

    /// Removes an exported segment's blocks and index rows from the live
    /// store and notes when, in one transaction; its head stays. A segment
    /// not exported is refused (`StoreError::Inconsistent`).
    async fn remove_segment(&self, number: u64, at: i64) -> Result<(), StoreError>;

    /// The newest stored checkpoint, of exactly `tree_size` when given.
    async fn checkpoint(&self, tree_size: Option<u64>) -> Result<Option<StoredCheckpoint>, StoreError>;

    /// Stored checkpoints with `after_id < id`, at most `limit`, by id,
    /// with their ids.
    async fn checkpoint_page(&self, after_id: i64, limit: u32) -> Result<Vec<(i64, StoredCheckpoint)>, StoreError>;

    /// Every ledger entry after sequence `after`, in order, handed to
    /// `each` one at a time.
    async fn scan_ledger(&self, after: u64, each: impl FnMut(StoredEntry) -> Result<(), StoreError>) -> Result<(), StoreError>;

    /// The registry's signing keys: the current one first, then the
    /// retired ones, most recently retired first. Empty before the store
    /// was first served.
    async fn registry_keys(&self) -> Result<Vec<StoredKey>, StoreError>;

    /// Makes `key` the registry's current key when the store has none (the
    /// first node to serve it writes its key), then `registry_keys`.
    async fn adopt_registry_key(&self, key: &StoredKey) -> Result<Vec<StoredKey>, StoreError>;

    /// Retires the current key (at `key.added_at`) and makes `key` current,
    /// in one transaction; returns the key retired. A key the store already
    /// holds is refused (`StoreError::Inconsistent`): a retired key is
    /// never made current again.
    async fn rotate_registry_key(&self, key: &StoredKey) -> Result<Option<StoredKey>, StoreError>;

    /// Keeps a draw; if the caller already made one with the same request
    /// id, returns that one instead.
    async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError>;

    /// A kept draw by id.
    async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError>;

    /// Notices of the ledger's size after other processes' appends, where
    /// the database sends them (PostgreSQL's LISTEN/NOTIFY); `None` where
    /// no other process appends (SQLite, which one process serves).
    fn ledger_notices(&self) -> Option<tokio::sync::watch::Receiver<u64>>;

    /// Closes every connection.
    async fn close(&self);
}

/// The ledger's head, locked for one append (`Backend::lock_ledger`).
pub struct LedgerLock {
    /// The ledger's size under the lock.
    pub head: u64,
    held: Held,
}

/// What holds a `LedgerLock`: on PostgreSQL an open transaction that has
/// the head row; on SQLite nothing beyond the process's claim.
enum Held {
    Sqlite,
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// The configured backend, chosen by the database URL's scheme:
/// `sqlite://PATH` (the embedded default) or `postgres://…`.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Calls the same method on whichever backend the store is. A PostgreSQL
/// error that says the store cannot be reached is told in the registry's
/// words (`PgStore::explain`), and marks the store unreachable; while it is
/// marked, calls are answered so at once rather than each waiting for a
/// connection (the store asks again on its own, `PgStore::RETRY_EVERY`).
macro_rules! dispatch {
    ($store:expr, $backend:ident => $call:expr) => {
        match $store {
            Store::Sqlite($backend) => $call,
            Store::Postgres($backend) => match $backend.unreachable() {
                Some(unreachable) => Err(unreachable),
                None => match $call {
                    Err(e) => Err($backend.explain(e).await),
                    ok => ok,
                },
            },
        }
    };
}

/// Which backend a URL names.
fn scheme(url: &str) -> Result<Scheme, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Scheme::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Scheme::Postgres)
    } else {
        Err(StoreError::UnsupportedUrl(redacted(url)))
    }
}

enum Scheme {
    Sqlite,
    Postgres,
}

/// Whether the store a URL names is one several nodes serve (PostgreSQL).
pub fn is_shared_url(url: &str) -> bool {
    matches!(scheme(url), Ok(Scheme::Postgres))
}

/// A database URL fit for an error or a log: any password replaced by `***`.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        // Not a URL we can take apart: keep only what cannot hold a password.
        Err(_) => url.split_once('@').map_or_else(|| url.to_string(), |(_, host)| format!("***@{host}")),
    }
}

impl Store {
    /// Claims the store at `url` for one process that serves or migrates
    /// it, described as `holder`: a SQLite store has one such process at a
    /// time, and a second fails with `StoreError::InUse` naming the first.
    /// The claim lasts until the value is dropped; `None` when there is
    /// nothing to claim (an in-memory store, or PostgreSQL, which several
    /// nodes serve at once).
    pub fn claim(url: &str, holder: &str) -> Result<Option<ServingClaim>, StoreError> {
        match scheme(url)? {
            Scheme::Sqlite => sqlite::claim(url, holder),
            Scheme::Postgres => Ok(None),
        }
    }

    /// Opens the store named by `url` and brings its schema up to date.
    /// `upgrade` is the check log's block format, for bringing an old check
    /// log up to date.
    pub async fn open(url: &str, settings: &PgSettings, upgrade: &dyn CheckLogUpgrade) -> Result<Store, StoreError> {
        let store = match scheme(url)? {
            Scheme::Sqlite => Store::Sqlite(SqliteStore::open(url, upgrade).await?),
            Scheme::Postgres => Store::Postgres(PgStore::open(url, settings).await?),
        };
        dispatch!(&store, s => s.complete_backfills(upgrade).await)?;
        Ok(store)
    }

    /// Opens an existing store without creating or migrating it: for
    /// verifying a store as it is.
    pub async fn open_existing(url: &str, settings: &PgSettings) -> Result<Store, StoreError> {
        match scheme(url)? {
            Scheme::Sqlite => Ok(Store::Sqlite(SqliteStore::open_existing(url).await?)),
            Scheme::Postgres => Ok(Store::Postgres(PgStore::open_existing(url, settings).await?)),
        }
    }

    /// Whether other processes may append to this store (PostgreSQL, which
    /// several nodes serve), so that this one must read their records.
    pub fn is_shared(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    /// See `Backend::head`.
    pub async fn head(&self) -> Result<u64, StoreError> {
        dispatch!(self, s => s.head().await)
    }

    /// See `Backend::last_checkpoint_id`.
    pub async fn last_checkpoint_id(&self) -> Result<i64, StoreError> {
        dispatch!(self, s => s.last_checkpoint_id().await)
    }

    /// See `Backend::append`.
    pub async fn append(&self, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        dispatch!(self, s => s.append(batch, nodes).await)
    }

    /// See `Backend::lock_ledger`.
    pub async fn lock_ledger(&self) -> Result<LedgerLock, StoreError> {
        dispatch!(self, s => s.lock_ledger().await)
    }

    /// See `Backend::append_locked`.
    pub async fn append_locked(&self, lock: LedgerLock, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        dispatch!(self, s => s.append_locked(lock, batch, nodes).await)
    }

    /// See `Backend::node_count`.
    pub async fn node_count(&self) -> Result<u64, StoreError> {
        dispatch!(self, s => s.node_count().await)
    }

    /// See `Backend::nodes`.
    pub async fn nodes(&self, positions: &[u64]) -> Result<Vec<Hash>, StoreError> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        dispatch!(self, s => s.nodes(positions).await)
    }

    /// See `Backend::node_range`.
    pub async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        dispatch!(self, s => s.node_range(from, to).await)
    }

    /// See `Backend::ledger_page`.
    pub async fn ledger_page(&self, after: u64, until: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        dispatch!(self, s => s.ledger_page(after, until, limit).await)
    }

    /// See `Backend::entity_ledger`.
    pub async fn entity_ledger(&self, uscc: &str, until: u64) -> Result<Vec<StoredEntry>, StoreError> {
        dispatch!(self, s => s.entity_ledger(uscc, until).await)
    }

    /// See `Backend::existing_keys`.
    pub async fn existing_keys(
        &self,
        requests: &[(String, String)],
        decisions: &[(String, String)],
    ) -> Result<FoundKeys, StoreError> {
        dispatch!(self, s => s.existing_keys(requests, decisions).await)
    }

    /// See `Backend::locate`.
    pub async fn locate(&self, record_ids: &[&str]) -> Result<std::collections::HashMap<String, Located>, StoreError> {
        dispatch!(self, s => s.locate(record_ids).await)
    }

    /// See `Backend::append_audit`.
    pub async fn append_audit(
        &self,
        blocks: &[StoredCheckBlock],
        checkpoints: &[StoredCheckpoint],
        spacing: Option<std::time::Duration>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, s => s.append_audit(blocks, checkpoints, spacing).await)
    }

    /// See `Backend::check_log_head`.
    pub async fn check_log_head(&self) -> Result<(u64, Hash), StoreError> {
        dispatch!(self, s => s.check_log_head().await)
    }

    /// See `Backend::check_blocks`.
    pub async fn check_blocks(&self, filter: &CheckFilter, limit: u32) -> Result<Vec<StoredCheckBlock>, StoreError> {
        dispatch!(self, s => s.check_blocks(filter, limit).await)
    }

    /// See `Backend::check_index_digests`.
    pub async fn check_index_digests(&self, until: u64) -> Result<CheckIndexDigests, StoreError> {
        dispatch!(self, s => s.check_index_digests(until).await)
    }

    /// See `Backend::seal_segment`.
    pub async fn seal_segment(&self, segment: &StoredSegment) -> Result<bool, StoreError> {
        dispatch!(self, s => s.seal_segment(segment).await)
    }

    /// See `Backend::block_span`.
    pub async fn block_span(&self, after: u64, until: u64) -> Result<(i64, i64), StoreError> {
        dispatch!(self, s => s.block_span(after, until).await)
    }

    /// See `Backend::segments`.
    pub async fn segments(&self) -> Result<Vec<StoredSegment>, StoreError> {
        dispatch!(self, s => s.segments().await)
    }

    /// See `Backend::removed_segments`.
    pub async fn removed_segments(&self, filter: &CheckFilter) -> Result<Vec<StoredSegment>, StoreError> {
        dispatch!(self, s => s.removed_segments(filter).await)
    }

    /// See `Backend::expired_segments`.
    pub async fn expired_segments(&self, cutoff: i64) -> Result<Vec<u64>, StoreError> {
        dispatch!(self, s => s.expired_segments(cutoff).await)
    }

    /// See `Backend::mark_exported`.
    pub async fn mark_exported(&self, number: u64, at: i64) -> Result<(), StoreError> {
        dispatch!(self, s => s.mark_exported(number, at).await)
    }

    /// See `Backend::remove_segment`.
    pub async fn remove_segment(&self, number: u64, at: i64) -> Result<(), StoreError> {
        dispatch!(self, s => s.remove_segment(number, at).await)
    }

    /// See `Backend::checkpoint`.
    pub async fn checkpoint(&self, tree_size: Option<u64>) -> Result<Option<StoredCheckpoint>, StoreError> {
        dispatch!(self, s => s.checkpoint(tree_size).await)
    }

    /// See `Backend::checkpoint_page`.
    pub async fn checkpoint_page(&self, after_id: i64, limit: u32) -> Result<Vec<(i64, StoredCheckpoint)>, StoreError> {
        dispatch!(self, s => s.checkpoint_page(after_id, limit).await)
    }

    /// See `Backend::scan_ledger`.
    pub async fn scan_ledger(
        &self,
        after: u64,
        each: impl FnMut(StoredEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.scan_ledger(after, each).await)
    }

    /// See `Backend::registry_keys`.
    pub async fn registry_keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        dispatch!(self, s => s.registry_keys().await)
    }

    /// See `Backend::adopt_registry_key`.
    pub async fn adopt_registry_key(&self, key: &StoredKey) -> Result<Vec<StoredKey>, StoreError> {
        dispatch!(self, s => s.adopt_registry_key(key).await)
    }

    /// See `Backend::rotate_registry_key`.
    pub async fn rotate_registry_key(&self, key: &StoredKey) -> Result<Option<StoredKey>, StoreError> {
        dispatch!(self, s => s.rotate_registry_key(key).await)
    }

    /// See `Backend::save_draw`.
    pub async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError> {
        dispatch!(self, s => s.save_draw(draw).await)
    }

    /// See `Backend::draw`.
    pub async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError> {
        dispatch!(self, s => s.draw(id).await)
    }

    /// See `Backend::ledger_notices`.
    pub fn ledger_notices(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        match self {
            Store::Sqlite(s) => s.ledger_notices(),
            Store::Postgres(s) => s.ledger_notices(),
        }
    }

    /// See `Backend::close`.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Postgres(s) => s.close().await,
        }
    }

    /// Asks the store a trivial question: an error when it cannot be
    /// reached, which marks it unreachable until it answers again.
    pub async fn probe(&self) -> Result<(), StoreError> {
        dispatch!(self, s => s.head().await.map(|_| ()))
    }

    /// Why the store cannot be reached, while it cannot: set by any
    /// operation that finds it so, cleared once it answers again (the
    /// store tries every `PgStore::RETRY_EVERY` meanwhile). Never for
    /// SQLite, a file of this process.
    pub fn unreachable(&self) -> Option<StoreError> {
        match self {
            Store::Sqlite(_) => None,
            Store::Postgres(s) => s.unreachable(),
        }
    }

    /// Why the store cannot be reached (`None` while it can), as it
    /// changes; `None` for SQLite.
    pub fn reachability(&self) -> Option<tokio::sync::watch::Receiver<Option<&'static str>>> {
        match self {
            Store::Sqlite(_) => None,
            Store::Postgres(s) => Some(s.reachability()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Fault, StoreError, redacted};

    #[test]
    fn a_store_error_keeps_its_class_and_tells_a_caller_no_driver_words() {
        let undecodable = StoreError::Database(sqlx::Error::Decode("invalid utf-8 sequence".into()));
        assert_eq!(undecodable.fault(), Fault::Corrupt);
        assert!(!undecodable.public_message().contains("utf-8"), "{}", undecodable.public_message());
        assert_eq!(StoreError::Corrupt { sequence: 7, reason: "x".into() }.fault(), Fault::Corrupt);
        assert_eq!(StoreError::Database(sqlx::Error::PoolClosed).fault(), Fault::Stopped);
        let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "expected to read 5 bytes, got 0 bytes at EOF");
        for e in [StoreError::Database(sqlx::Error::PoolTimedOut), StoreError::Database(sqlx::Error::Io(eof))] {
            assert_eq!(e.fault(), Fault::Unavailable);
            let message = e.public_message();
            assert!(!message.contains("pool timed out") && !message.contains("bytes at EOF"), "{message}");
        }
    }

    #[test]
    fn a_password_never_leaves_in_a_url() {
        for (url, secret) in [
            ("postgres://registry:s3cr%40t@db.example:5432/registry?sslmode=require", "s3cr"),
            ("postgresql://registry:hunter2@10.0.0.5/registry", "hunter2"),
            ("postgres://registry:two words@db/registry", "two words"),
            ("not a url:pass@host", "pass"),
        ] {
            let shown = redacted(url);
            assert!(!shown.contains(secret), "{shown}");
            assert!(shown.contains("***"), "{shown}");
        }
        assert_eq!(redacted("postgres://registry@db:5432/registry"), "postgres://registry@db:5432/registry");
        assert_eq!(redacted("sqlite://data/registry.db"), "sqlite://data/registry.db");
    }
}
