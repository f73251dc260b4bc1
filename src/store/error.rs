//! What the store answers when it cannot: `StoreError`, and the class
//! (`Fault`) every layer above keeps.

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

#[cfg(test)]
mod tests {
    use super::{Fault, StoreError};

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
}
