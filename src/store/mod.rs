//! Durable storage: the ledger rows and the projections derived from them.
//! All SQL lives here. SQLite (bundled, WAL, `synchronous=FULL`) is the
//! embedded default; the backend is chosen by the database URL's scheme.

mod migrate;
mod sqlite;

use std::sync::Arc;

use crate::domain::record::Record;
use crate::domain::rules::supervision::InspectionDraw;
use crate::ledger::Hash;

pub use sqlite::SqliteStore;

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
    pub leaf_hash: Vec<u8>,
}

/// Nodes of the Merkle tree to append: `hashes[i]` is node `first + i`.
#[derive(Clone, Debug, Default)]
pub struct NewNodes {
    pub first: u64,
    pub hashes: Vec<Hash>,
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

/// One check-log entry as stored.
#[derive(Clone, Debug)]
pub struct StoredCheck {
    pub sequence: u64,
    /// Microseconds since the Unix epoch, UTC.
    pub checked_at: i64,
    pub caller_subject: String,
    pub receipt_id: String,
    /// The codes the check asked about (for look-up by code).
    pub codes: Vec<String>,
    /// The encoded entry with its chain hash empty.
    pub entry: Vec<u8>,
    pub chain_hash: Hash,
}

/// Which check-log entries an auditor wants; all filters combine.
#[derive(Clone, Debug, Default)]
pub struct CheckFilter {
    pub caller_subject: Option<String>,
    pub uscc: Option<String>,
    /// Microseconds, inclusive.
    pub from: Option<i64>,
    /// Microseconds, inclusive.
    pub until: Option<i64>,
    /// Only entries after this sequence (pagination).
    pub after: u64,
}


#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("unsupported database URL '{0}': expected sqlite://PATH")]
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
}

/// The configured backend.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
}

impl Store {
    /// Opens the store named by `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(SqliteStore::open(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    /// Opens an existing store without creating or migrating it: for
    /// verifying a store as it is.
    pub async fn open_existing(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(SqliteStore::open_existing(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    /// The newest record's sequence.
    pub async fn head(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.head().await,
        }
    }

    /// The highest checkpoint id ever given (0 when there is none).
    pub async fn last_checkpoint_id(&self) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s.last_checkpoint_id().await,
        }
    }

    /// (sequence, code) rows of the check log's code index for entries
    /// `after < sequence <= until`, in order.
    pub async fn indexed_codes(&self, after: u64, until: u64) -> Result<Vec<(u64, String)>, StoreError> {
        match self {
            Store::Sqlite(s) => s.indexed_codes(after, until).await,
        }
    }

    /// Appends records, their projections and the Merkle nodes they
    /// complete in one transaction; returns once it is durably committed.
    pub async fn append(&self, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.append(batch, nodes).await,
        }
    }

    /// How many Merkle nodes are stored.
    pub async fn node_count(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.node_count().await,
        }
    }

    /// The nodes at `positions`; an error if any is missing.
    pub async fn nodes(&self, positions: &[u64]) -> Result<Vec<Hash>, StoreError> {
        match self {
            Store::Sqlite(s) => s.nodes(positions).await,
        }
    }

    /// Stored nodes with positions in `[from, to)`, in order, as stored.
    pub async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        match self {
            Store::Sqlite(s) => s.node_range(from, to).await,
        }
    }

    /// Ledger rows with `after < sequence <= until`, at most `limit`, in order.
    pub async fn ledger_page(&self, after: u64, until: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        match self {
            Store::Sqlite(s) => s.ledger_page(after, until, limit).await,
        }
    }

    /// One entity's ledger rows with `sequence <= until`, in order.
    pub async fn entity_ledger(&self, uscc: &str, until: u64) -> Result<Vec<StoredEntry>, StoreError> {
        match self {
            Store::Sqlite(s) => s.entity_ledger(uscc, until).await,
        }
    }

    /// The sequence of a record id.
    pub async fn sequence_of(&self, record_id: &str) -> Result<Option<u64>, StoreError> {
        match self {
            Store::Sqlite(s) => s.sequence_of(record_id).await,
        }
    }

    /// Appends check-log entries and checkpoints in one transaction.
    pub async fn append_audit(&self, checks: &[StoredCheck], checkpoints: &[StoredCheckpoint]) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.append_audit(checks, checkpoints).await,
        }
    }

    /// The last check-log entry's sequence and chain hash.
    pub async fn check_log_head(&self) -> Result<(u64, Hash), StoreError> {
        match self {
            Store::Sqlite(s) => s.check_log_head().await,
        }
    }

    /// Check-log entries matching `filter`, oldest first, at most `limit`.
    pub async fn checks(&self, filter: &CheckFilter, limit: u32) -> Result<Vec<StoredCheck>, StoreError> {
        match self {
            Store::Sqlite(s) => s.checks(filter, limit).await,
        }
    }

    /// The newest stored checkpoint, of exactly `tree_size` when given.
    pub async fn checkpoint(&self, tree_size: Option<u64>) -> Result<Option<StoredCheckpoint>, StoreError> {
        match self {
            Store::Sqlite(s) => s.checkpoint(tree_size).await,
        }
    }

    /// Stored checkpoints with `after_id < id`, at most `limit`, by id,
    /// with their ids.
    pub async fn checkpoint_page(&self, after_id: i64, limit: u32) -> Result<Vec<(i64, StoredCheckpoint)>, StoreError> {
        match self {
            Store::Sqlite(s) => s.checkpoint_page(after_id, limit).await,
        }
    }



    /// Every ledger entry in sequence order, handed to `each` one at a time.
    pub async fn scan_ledger(
        &self,
        each: impl FnMut(StoredEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.scan_ledger(each).await,
        }
    }

    /// Keeps a draw; if the caller already made one with the same request
    /// id, returns that one instead.
    pub async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError> {
        match self {
            Store::Sqlite(s) => s.save_draw(draw).await,
        }
    }

    pub async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError> {
        match self {
            Store::Sqlite(s) => s.draw(id).await,
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
        }
    }
}
