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
    pub bytes: Vec<u8>,
    pub leaf_hash: Vec<u8>,
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

    /// Appends records and their projections in one transaction; returns
    /// once it is durably committed.
    pub async fn append(&self, batch: &[Appended]) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.append(batch).await,
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
