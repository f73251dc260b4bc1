//! The SQLite backend: the ledger in one file (WAL, `synchronous=FULL`, so
//! nothing is acknowledged before it is on disk) and the check log and
//! checkpoints in an audit file beside it (`store::audit_url`), so that
//! logging checks never takes the ledger's write lock.

use std::collections::HashMap;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Executor, QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::rows::{self, CHECKPOINT_COLUMNS};
use super::sql::{ROWS, Sql};
use super::{
    Appended, AuditStore, CheckEntry, CheckFilter, CheckIndexDigests, CheckLogUpgrade, DrawStore, FoundKeys, LedgerStore,
    Located, Log, NewNodes, StoreError, StoredCheckBlock, StoredCheckpoint, StoredEntry, StoredKey, StoredSegment, ToAppend,
    migrate,
};
use crate::domain::rules::supervision::InspectionDraw;
use crate::ledger::Hash;

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

/// What the `ledger_in_order` trigger says when a record does not go on
/// from the ledger's head.
const OUT_OF_ORDER: &str = "ledger sequence out of order";

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

    /// Copies the check log and checkpoints of a store made before they had
    /// a file of their own into the audit file, entry bytes and chain
    /// hashes unchanged.
    async fn move_audit_rows(&self, upgrade: &dyn CheckLogUpgrade) -> Result<(), StoreError> {
        let old: Option<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'check_log'")
                .fetch_optional(&self.sql.ledger)
                .await?;
        let (moved, _) = self.check_log_head().await?;
        if old.is_none() || moved > 0 {
            return Ok(());
        }
        let mut tx = self.sql.audit.begin().await?;
        let rows = sqlx::query(&format!("{CHECKPOINT_COLUMNS} ORDER BY id")).fetch_all(&self.sql.ledger).await?;
        for row in &rows {
            insert_checkpoint(&mut tx, Some(row.try_get("id")?), &rows::checkpoint(row)?).await?;
        }
        let last_id: Option<i64> = sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'checkpoints'")
            .fetch_optional(&self.sql.ledger)
            .await?;
        if let Some(seq) = last_id {
            sqlx::query("UPDATE sqlite_sequence SET seq = MAX(seq, $1) WHERE name = 'checkpoints'")
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        let mut chain = [0u8; 32];
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(
                "SELECT sequence, checked_at, caller_subject, codes, entry, chain_hash FROM check_log
                 WHERE sequence > $1 ORDER BY sequence LIMIT 256",
            )
            .bind(after)
            .fetch_all(&self.sql.ledger)
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("sequence")?;
            let mut checks = Vec::with_capacity(rows.len());
            for row in &rows {
                let codes: String = row.try_get("codes")?;
                let chain_hash: Vec<u8> = row.try_get("chain_hash")?;
                let (sequence, bytes): (i64, Vec<u8>) = (row.try_get("sequence")?, row.try_get("entry")?);
                checks.push(CheckEntry {
                    sequence: sequence as u64,
                    checked_at: row.try_get("checked_at")?,
                    caller_subject: row.try_get("caller_subject")?,
                    codes: codes.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect(),
                    bytes,
                    chain_hash: Hash::try_from(chain_hash.as_slice()).unwrap_or([0; 32]),
                });
            }
            let next = checks.last().expect("a page holds a check").chain_hash;
            for block in upgrade.cut(checks, chain)? {
                insert_block(&mut tx, &block).await?;
            }
            chain = next;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl LedgerStore for SqliteStore {
    async fn head(&self) -> Result<u64, StoreError> {
        self.sql.head().await
    }

    async fn node_count(&self) -> Result<u64, StoreError> {
        self.sql.node_count().await
    }

    async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.sql.node_range(from, to).await
    }

    async fn ledger_page(&self, after: u64, until: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        self.sql.ledger_page(after, until, limit).await
    }

    async fn entity_ledger(&self, uscc: &str, until: u64) -> Result<Vec<StoredEntry>, StoreError> {
        self.sql.entity_ledger(uscc, until).await
    }

    async fn scan_ledger(
        &self,
        after: u64,
        each: impl FnMut(StoredEntry) -> Result<(), StoreError> + Send,
    ) -> Result<(), StoreError> {
        self.sql.scan_ledger(after, each).await
    }

    /// A batch as one transaction sent to SQLite's worker thread in one
    /// hand-off: `BEGIN`, multi-row inserts (each of at most `ROWS` rows)
    /// and `COMMIT` in one script. Each statement sent alone costs a
    /// round trip between threads, and under a full read load every round
    /// trip waits for a core.
    async fn append(&self, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        let mut script = QueryBuilder::<Sqlite>::new("BEGIN IMMEDIATE;");
        for chunk in batch.chunks(ROWS) {
            script.push(
                " INSERT INTO ledger (sequence, record_id, recorded_at, uscc, authority, actor, request_id, kind, record) ",
            );
            script.push_values(chunk, |mut row, entry| {
                let r = &entry.record;
                row.push_bind(r.sequence as i64)
                    .push_bind(r.id.as_str())
                    .push_bind(r.recorded_at.timestamp_micros())
                    .push_bind(r.uscc.as_str())
                    .push_bind(r.authority.as_str())
                    .push_bind(r.actor.as_str())
                    .push_bind((!r.request_id.is_empty()).then_some(r.request_id.as_str()))
                    .push_bind(r.body.kind())
                    .push_bind(entry.bytes.as_slice());
            });
            script.push(";");
            let numbered: Vec<(&Appended, &str)> =
                chunk.iter().filter_map(|e| Some((e, e.record.body.unique_decision_number()?))).collect();
            if !numbered.is_empty() {
                script.push(" INSERT INTO decision_numbers (authority, decision_number, sequence) ");
                script.push_values(numbered, |mut row, (entry, number)| {
                    row.push_bind(entry.record.authority.as_str()).push_bind(number).push_bind(entry.record.sequence as i64);
                });
                script.push(";");
            }
        }
        let positions = (nodes.first..).zip(&nodes.hashes).collect::<Vec<_>>();
        for chunk in positions.chunks(ROWS) {
            script.push(" INSERT INTO merkle_nodes (position, hash) ");
            script.push_values(chunk, |mut row, (position, hash)| {
                row.push_bind(*position as i64).push_bind(&hash[..]);
            });
            script.push(";");
        }
        script.push(" COMMIT;");
        let mut appender = self.appender.lock().await;
        let conn = match &mut *appender {
            Some(conn) => conn,
            None => appender.insert(SqliteConnection::connect_with(&self.sql.ledger.connect_options()).await?),
        };
        if let Err(e) = script.build().execute(&mut *conn).await {
            // A statement failed and those after it, COMMIT among them, did
            // not run: the transaction is still open on this connection.
            if let Err(rollback) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
                tracing::error!(error = %rollback, "rolling a failed append back failed; closing its connection");
                appender.take();
            }
            drop(appender);
            if matches!(&e, sqlx::Error::Database(d) if d.message().contains(OUT_OF_ORDER)) {
                return Err(StoreError::Behind { log: Log::Ledger, head: self.head().await? });
            }
            return Err(e.into());
        }
        Ok(())
    }

    async fn existing_keys(
        &self,
        requests: &[(String, String)],
        decisions: &[(String, String)],
    ) -> Result<FoundKeys, StoreError> {
        let mut found = FoundKeys::default();
        // Both kinds of key in one statement, a round trip per batch: a
        // join from the keys, so each is one probe of its unique index (a
        // row-value IN would scan the table).
        let keys: Vec<(i64, &(String, String))> =
            requests.iter().map(|k| (0, k)).chain(decisions.iter().map(|k| (1, k))).collect();
        for chunk in keys.chunks(ROWS) {
            let mut query = QueryBuilder::<Sqlite>::new("WITH k(t, a, b) AS (VALUES ");
            let mut values = query.separated(", ");
            for (kind, (a, b)) in chunk {
                values.push("(").push_bind_unseparated(*kind).push_unseparated(", ");
                values.push_bind_unseparated(a.as_str()).push_unseparated(", ");
                values.push_bind_unseparated(b.as_str()).push_unseparated(")");
            }
            query.push(
                ") SELECT k.t, k.a, k.b, l.record_id, l.uscc, l.sequence, l.record FROM k
                   JOIN ledger l ON l.actor = k.a AND l.request_id = k.b WHERE k.t = 0
                 UNION ALL
                 SELECT k.t, k.a, k.b, l.record_id, l.uscc, l.sequence, l.record FROM k
                   JOIN decision_numbers d ON d.authority = k.a AND d.decision_number = k.b
                   JOIN ledger l ON l.sequence = d.sequence WHERE k.t = 1",
            );
            for row in query.build().fetch_all(&self.sql.ledger).await? {
                rows::found_key(&mut found, &row)?;
            }
        }
        Ok(found)
    }

    async fn locate(&self, record_ids: &[&str]) -> Result<HashMap<String, Located>, StoreError> {
        let mut found = HashMap::with_capacity(record_ids.len());
        for chunk in record_ids.chunks(ROWS) {
            let mut query =
                QueryBuilder::<Sqlite>::new("SELECT record_id, uscc, sequence, record FROM ledger WHERE record_id IN (");
            let mut ids = query.separated(", ");
            for id in chunk {
                ids.push_bind(*id);
            }
            query.push(")");
            for row in query.build().fetch_all(&self.sql.ledger).await? {
                let (id, place) = rows::located(&row)?;
                found.insert(id, place);
            }
        }
        Ok(found)
    }

    async fn nodes(&self, positions: &[u64]) -> Result<Vec<Hash>, StoreError> {
        let mut rows = Vec::with_capacity(positions.len());
        for chunk in positions.chunks(ROWS) {
            let mut query = QueryBuilder::<Sqlite>::new("SELECT position, hash FROM merkle_nodes WHERE position IN (");
            let mut list = query.separated(", ");
            for position in chunk {
                list.push_bind(*position as i64);
            }
            query.push(")");
            rows.extend(query.build().fetch_all(&self.sql.ledger).await?);
        }
        rows::nodes_in_order(positions, &rows)
    }

    fn ledger_notices(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }

    /// One process appends (`claim`), so the head it reads stays the head;
    /// the `ledger_in_order` trigger checks it all the same.
    async fn transact<B, F, Fut, E>(&self, build: F) -> Result<B, E>
    where
        B: ToAppend + Send,
        F: FnOnce(u64) -> Fut + Send,
        Fut: Future<Output = Result<B, E>> + Send,
        E: From<StoreError> + Send,
    {
        let built = build(self.head().await?).await?;
        let (batch, nodes) = built.to_append();
        self.append(batch, nodes).await?;
        Ok(built)
    }
}

impl AuditStore for SqliteStore {
    async fn check_log_head(&self) -> Result<(u64, Hash), StoreError> {
        self.sql.check_log_head().await
    }

    async fn check_blocks(&self, filter: &CheckFilter, limit: u32) -> Result<Vec<StoredCheckBlock>, StoreError> {
        self.sql.check_blocks(filter, limit).await
    }

    async fn check_index_digests(&self, until: u64) -> Result<CheckIndexDigests, StoreError> {
        self.sql.check_index_digests(until).await
    }

    async fn block_span(&self, after: u64, until: u64) -> Result<(i64, i64), StoreError> {
        self.sql.block_span(after, until).await
    }

    async fn seal_segment(&self, segment: &StoredSegment) -> Result<bool, StoreError> {
        self.sql.seal_segment(segment).await
    }

    async fn segments(&self) -> Result<Vec<StoredSegment>, StoreError> {
        self.sql.segments().await
    }

    async fn removed_segments(&self, filter: &CheckFilter) -> Result<Vec<StoredSegment>, StoreError> {
        self.sql.removed_segments(filter).await
    }

    async fn expired_segments(&self, cutoff: i64) -> Result<Vec<u64>, StoreError> {
        self.sql.expired_segments(cutoff).await
    }

    async fn mark_exported(&self, number: u64, at: i64) -> Result<(), StoreError> {
        self.sql.mark_exported(number, at).await
    }

    async fn remove_segment(&self, number: u64, at: i64) -> Result<(), StoreError> {
        self.sql.remove_segment(number, at).await
    }

    async fn checkpoint(&self, tree_size: Option<u64>) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.sql.checkpoint(tree_size).await
    }

    async fn checkpoint_page(&self, after_id: i64, limit: u32) -> Result<Vec<(i64, StoredCheckpoint)>, StoreError> {
        self.sql.checkpoint_page(after_id, limit).await
    }

    async fn registry_keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        self.sql.registry_keys().await
    }

    async fn adopt_registry_key(&self, key: &StoredKey) -> Result<Vec<StoredKey>, StoreError> {
        self.sql.adopt_registry_key(key).await
    }

    async fn rotate_registry_key(&self, key: &StoredKey) -> Result<Option<StoredKey>, StoreError> {
        self.sql.rotate_registry_key(key).await
    }

    async fn append_audit(
        &self,
        blocks: &[StoredCheckBlock],
        checkpoints: &[StoredCheckpoint],
        spacing: Option<Duration>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.sql.audit.begin().await?;
        if let Some(first) = blocks.first() {
            let row = sqlx::query(rows::LOG_HEAD).fetch_optional(&mut *tx).await?;
            let (size, chain) = rows::log_head(row.as_ref())?;
            if size + 1 != first.first_sequence || chain != first.chain_before {
                return Err(StoreError::Behind { log: Log::CheckLog, head: size });
            }
        }
        for block in blocks {
            insert_block(&mut tx, block).await?;
        }
        let stored = match (spacing, checkpoints.first()) {
            (Some(spacing), Some(first)) => {
                let newest: Option<i64> = sqlx::query_scalar(rows::NEWEST_CHECKPOINT_AT).fetch_optional(&mut *tx).await?;
                !rows::too_soon(newest, first.created_at, spacing)
            }
            _ => true,
        };
        if stored {
            for cp in checkpoints {
                insert_checkpoint(&mut tx, None, cp).await?;
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// The highest checkpoint id ever given, so a deleted newest checkpoint
    /// shows as missing too (AUTOINCREMENT keeps it in `sqlite_sequence`).
    async fn last_checkpoint_id(&self) -> Result<i64, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM checkpoints), 0),
                        COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'checkpoints'), 0))",
        )
        .fetch_one(&self.sql.audit)
        .await?;
        Ok(id.unwrap_or(0))
    }
}

impl DrawStore for SqliteStore {
    async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError> {
        self.sql.save_draw(draw).await
    }

    async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError> {
        self.sql.draw(id).await
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

/// One block row and its index rows: each index in one statement, the
/// values expanded inside SQLite from a JSON array, keys in order.
async fn insert_block(tx: &mut Transaction<'_, Sqlite>, block: &StoredCheckBlock) -> Result<(), StoreError> {
    let last = Sql::insert_block_row(tx, block).await?;
    if !block.code_keys.is_empty() {
        sqlx::query("INSERT INTO check_block_codes (code_key, last_sequence) SELECT value, $1 FROM json_each($2)")
            .bind(last)
            .bind(serde_json::to_string(&block.code_keys).expect("integers encode"))
            .execute(&mut **tx)
            .await?;
    }
    for (table, column, values) in rows::text_indexes(block) {
        if values.is_empty() {
            continue;
        }
        sqlx::query(&format!("INSERT INTO {table} ({column}, last_sequence) SELECT value, $1 FROM json_each($2)"))
            .bind(last)
            .bind(serde_json::to_string(values).expect("strings encode"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A checkpoint row; `id` only when copying one that has it.
async fn insert_checkpoint(tx: &mut Transaction<'_, Sqlite>, id: Option<i64>, cp: &StoredCheckpoint) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO checkpoints (id, created_at, tree_size, check_log_size, checkpoint, key_id, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(cp.created_at)
    .bind(cp.tree_size as i64)
    .bind(cp.check_log_size as i64)
    .bind(&cp.bytes)
    .bind(&cp.key_id)
    .bind(&cp.signature)
    .execute(&mut **tx)
    .await?;
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
