//! Durable storage: the ledger, its Merkle nodes, the check log and
//! checkpoints, inspection draws. All SQL lives here. SQLite (bundled, WAL,
//! `synchronous=FULL`) is the embedded default; PostgreSQL the production
//! store; the backend is chosen by the database URL's scheme.
//!
//! The seam is by role, each a trait every backend implements and a
//! handle the configured store gives out, so each consumer holds only the
//! store it uses:
//! - `ledger`: `LedgerStore`, handle `Ledger` (the writer, rebuild,
//!   readers of records);
//! - `audit`: `AuditStore`, handle `Audit` (the audit trail);
//! - `draws`: `DrawStore`, handle `Draws` (inspection draws).
//!
//! `sql` holds the SQL both backends speak alike, generic over
//! `sqlx::Database`; `sqlite` and `postgres` what each says its own way.

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

mod audit;
mod draws;
mod error;
mod ledger;
mod migrate;
mod postgres;
mod rows;
mod sql;
mod sqlite;
mod statement;

pub use audit::{
    Audit, AuditStore, CheckEntry, CheckFilter, CheckIndexDigests, CheckLogUpgrade, IndexDigest, StoredCheckBlock,
    StoredCheckpoint, StoredKey, StoredSegment,
};
pub use draws::{DrawStore, Draws};
pub use error::{Fault, Log, StoreError};
pub use ledger::{
    Appended, FoundKeys, IdempotencyKeys, Ledger, LedgerStore, Located, NewNodes, StoredEntry, ToAppend, decode_record,
};
pub use postgres::{PgSettings, PgStore};
pub use sqlite::{ServingClaim, SqliteStore};

/// The file a SQLite URL names (`sqlite://PATH` or `sqlite:PATH`, any
/// `?options` dropped); `None` for an in-memory database or another scheme.
pub fn sqlite_file(url: &str) -> Option<&std::path::Path> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    (!path.contains(":memory:")).then(|| std::path::Path::new(path))
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

/// The configured backend, chosen by the database URL's scheme:
/// `sqlite://PATH` (the embedded default) or `postgres://…`.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
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

    /// The ledger store, for the writer and readers of records.
    pub fn ledger(&self) -> Ledger {
        Ledger(self.clone())
    }

    /// The audit store, for the audit trail.
    pub fn audit(&self) -> Audit {
        Audit(self.clone())
    }

    /// The draw store, for inspection draws.
    pub fn draws(&self) -> Draws {
        Draws(self.clone())
    }

    /// Closes every connection.
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
    use super::redacted;

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
