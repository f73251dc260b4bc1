//! The SQLite backend: the ledger in one file (WAL, `synchronous=FULL`, so
//! nothing is acknowledged before it is on disk) and the check log and
//! checkpoints in an audit file beside it (`store::audit_url`), so that
//! logging checks never takes the ledger's write lock.
//!
//! `ledger`: its `LedgerStore`; `audit`: its `AuditStore` and `DrawStore`,
//! and the move of an old check log into the audit file.

mod audit;
mod ledger;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Executor, Sqlite, SqliteConnection, SqlitePool};

use super::sql::Sql;
use super::{CheckLogUpgrade, StoreError, migrate};

#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// The ledger's pool, and the audit file's (check log and checkpoints,
    /// with its own write lock).
    sql: Sql<Sqlite>,
    /// The ledger's one appending connection, outside the pool, opened at
    /// the first append: a pooled connection goes back to the pool through
    /// a task of its own, which under a full read load waits behind the
    /// readers' tasks.
    appender: Arc<tokio::sync::Mutex<Option<SqliteConnection>>>,
}

/// Rows a query may have read ahead of its reader.
const ROW_BUFFER: usize = 1024;

/// SQLite's page cache per connection, in KiB (negative: a size, not
/// pages). The ledger's reads are mostly served by the in-memory index;
/// the audit file's writer inserts index rows at random places and
/// benefits from more.
const LEDGER_CACHE_KIB: &str = "-8192";
const AUDIT_CACHE_KIB: &str = "-32768";

impl SqliteStore {
    pub async fn open(url: &str, upgrade: &dyn CheckLogUpgrade) -> Result<SqliteStore, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite://")
            && let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        let audit_missing = missing_file(&super::audit_url(url));
        let pool = connect(url, true, SqliteSynchronous::Full, LEDGER_CACHE_KIB).await?;
        if let Some(path) = audit_missing
            && applied(&pool, migrate::AUDIT_MOVED).await?
        {
            pool.close().await;
            return Err(audit_file_missing(&path));
        }
        let store = SqliteStore::with_audit(pool, url, true).await?;
        for &migration in migrate::SQLITE_AUDIT {
            apply(&store.sql.audit, migration).await?;
        }
        for &migration in migrate::SQLITE {
            if migration.0 == migrate::AUDIT_MOVED && !applied(&store.sql.ledger, migration.0).await? {
                store.move_audit_rows(upgrade).await?;
            }
            apply(&store.sql.ledger, migration).await?;
        }
        Ok(store)
    }

    /// Opens a store as it is: never creates the files or changes their schema.
    pub async fn open_existing(url: &str) -> Result<SqliteStore, StoreError> {
        if missing_file(url).is_none()
            && let Some(path) = missing_file(&super::audit_url(url))
        {
            return Err(audit_file_missing(&path));
        }
        let store =
            SqliteStore::connect(url, false).await.map_err(|e| StoreError::Open { url: url.to_string(), source: Box::new(e) })?;
        for (pool, migrations, name) in [
            (&store.sql.ledger, migrate::SQLITE, url.to_string()),
            (&store.sql.audit, migrate::SQLITE_AUDIT, super::audit_url(url)),
        ] {
            let newest = migrations.last().map_or(0, |m| m.0);
            let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
                .fetch_one(pool)
                .await
                .map_err(|_| StoreError::Inconsistent(format!("{name} is not a registry store")))?;
            if applied != Some(newest) {
                store.close().await;
                return Err(StoreError::Inconsistent(format!(
                    "{name} has schema version {}, this build reads {newest}: run `creditregistry migrate` first",
                    applied.unwrap_or(0)
                )));
            }
        }
        Ok(store)
    }

    async fn connect(url: &str, create: bool) -> Result<SqliteStore, StoreError> {
        SqliteStore::with_audit(connect(url, create, SqliteSynchronous::Full, LEDGER_CACHE_KIB).await?, url, create).await
    }

    /// The store over the ledger `pool`, with the audit file beside `url`.
    async fn with_audit(pool: SqlitePool, url: &str, create: bool) -> Result<SqliteStore, StoreError> {
        // The check log is written after its checks are answered, so a
        // crash may lose its newest entries whatever the sync mode; WAL with
        // NORMAL keeps the file consistent and spares a sync per commit.
        match connect(&super::audit_url(url), create, SqliteSynchronous::Normal, AUDIT_CACHE_KIB).await {
            Ok(audit) => Ok(SqliteStore { sql: Sql { ledger: pool, audit }, appender: Default::default() }),
            Err(e) => {
                pool.close().await;
                Err(e)
            }
        }
    }
}

impl SqliteStore {
    /// See `Sql::complete_backfills`.
    pub async fn complete_backfills(&self, upgrade: &dyn CheckLogUpgrade) -> Result<(), StoreError> {
        self.sql.complete_backfills(upgrade).await
    }

    pub async fn close(&self) {
        if let Some(conn) = self.appender.lock().await.take() {
            let _ = conn.close().await;
        }
        self.sql.ledger.close().await;
        self.sql.audit.close().await;
    }
}

/// The file a SQLite URL names, when it is a file and not there.
fn missing_file(url: &str) -> Option<String> {
    super::sqlite_file(url).filter(|path| !path.exists()).map(|path| path.display().to_string())
}

/// One serving process's claim on a SQLite store: an exclusive lock on
/// `<store>.lock` beside it, which names the holder. The lock goes when the
/// claim is dropped or the process ends, however it ends.
#[derive(Debug)]
pub struct ServingClaim {
    _file: std::fs::File,
}

/// Claims the SQLite store at `url` for this process, described as
/// `holder`; `StoreError::InUse` names the process that holds it. `None`
/// for an in-memory store.
pub fn claim(url: &str, holder: &str) -> Result<Option<ServingClaim>, StoreError> {
    use std::io::{Read, Seek, Write};
    let Some(store) = super::sqlite_file(url) else {
        return Ok(None);
    };
    let path = store.with_extension("lock");
    let failed = |source| StoreError::Claim { path: path.display().to_string(), source };
    let mut file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(failed)?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0).map_err(failed)?;
            file.rewind().map_err(failed)?;
            file.write_all(holder.as_bytes()).map_err(failed)?;
            Ok(Some(ServingClaim { _file: file }))
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut named = String::new();
            let _ = file.read_to_string(&mut named);
            let holder = if named.trim().is_empty() { "another process".to_string() } else { named.trim().to_string() };
            Err(StoreError::InUse { path: store.display().to_string(), holder })
        }
        Err(std::fs::TryLockError::Error(e)) => Err(failed(e)),
    }
}

fn audit_file_missing(path: &str) -> StoreError {
    StoreError::Inconsistent(format!(
        "the store's audit file {path} (check log and checkpoints) is missing: restore it beside the ledger"
    ))
}

async fn applied(pool: &SqlitePool, version: i64) -> Result<bool, StoreError> {
    pool.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )
    .await?;
    let done: Option<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1").bind(version).fetch_optional(pool).await?;
    Ok(done.is_some())
}

/// Applies one migration, in a transaction of its own, unless it has been.
async fn apply(pool: &SqlitePool, migration: (i64, &'static str, &'static str)) -> Result<(), StoreError> {
    if applied(pool, migration.0).await? {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    migrate::apply::<Sqlite>(&mut tx, migration).await?;
    tx.commit().await?;
    Ok(())
}

async fn connect(url: &str, create: bool, synchronous: SqliteSynchronous, cache_kib: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", cache_kib.to_string())
        // Rows cross from SQLite's thread in runs of this many, not a few
        // dozen: a scan of the ledger otherwise pays a thread switch per
        // handful of rows.
        .row_buffer_size(ROW_BUFFER);
    // A connection to a local file does not go stale: testing each one
    // before use would only cost a round trip to its thread.
    Ok(SqlitePoolOptions::new().max_connections(4).test_before_acquire(false).connect_with(options).await?)
}
