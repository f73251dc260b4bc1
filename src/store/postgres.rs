//! The PostgreSQL backend: the production store, shared by several server
//! nodes. One database holds the ledger and the audit trail; a check-log
//! commit locks only audit rows, so it never waits on a ledger commit.
//! Commits are durable when acknowledged (`synchronous_commit` as the
//! server is configured: on by default).

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions, PgRow};
use sqlx::{Executor, Postgres, QueryBuilder, Row, Transaction};

use super::rows::{self, BLOCK_COLUMNS, CHECKPOINT_COLUMNS, DRAW_COLUMNS, LEDGER_COLUMNS};
use super::{
    Appended, Backend, Held, LedgerLock, Log, BlockFilter, CheckBlock, FoundKeys, IndexDigest, Located, NewNodes, StoreError, StoredCheckpoint, StoredEntry,
    migrate,
};
use crate::domain::rules::supervision::InspectionDraw;
use crate::domain::uscc::Uscc;
use crate::ledger::Hash;

/// How a PostgreSQL store is reached beyond its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgSettings {
    /// Connections per server node.
    pub pool_size: u32,
    /// Longest a statement may run before the server cancels it.
    pub statement_timeout: Duration,
}

impl Default for PgSettings {
    fn default() -> PgSettings {
        PgSettings { pool_size: 16, statement_timeout: Duration::from_secs(30) }
    }
}

#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
}

/// Most rows in one multi-row INSERT (9 columns: well under PostgreSQL's
/// 65,535 bound parameters).
const ROWS: usize = 500;

/// Ledger rows read at a time by a scan.
const SCAN_PAGE: i64 = 8192;

/// Migrations of concurrently starting nodes wait on this advisory lock,
/// so exactly one applies each.
const MIGRATION_LOCK: i64 = 0x6372_6564_6974_7265; // "creditre"

/// The channel on which each ledger append notifies its new size.
pub const LEDGER_CHANNEL: &str = "creditregistry_ledger";

impl PgStore {
    /// Opens the store and brings its schema up to date.
    pub async fn open(url: &str, settings: &PgSettings) -> Result<PgStore, StoreError> {
        let store = PgStore { pool: connect(url, settings).await? };
        let mut tx = store.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        for &(version, name, sql) in migrate::POSTGRES {
            let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
            if done.is_some() {
                continue;
            }
            let fail = |source| StoreError::Migration { version, name, source };
            tx.execute(sql).await.map_err(fail)?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(version)
                .bind(name)
                .bind(chrono::Utc::now().timestamp())
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        tx.commit().await?;
        Ok(store)
    }

    /// Opens a store as it is: never changes its schema.
    pub async fn open_existing(url: &str, settings: &PgSettings) -> Result<PgStore, StoreError> {
        let pool = connect(url, settings).await?;
        let newest = migrate::POSTGRES.last().map_or(0, |m| m.0);
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&pool)
            .await
            .map_err(|_| StoreError::Inconsistent(format!("{} is not a registry store", super::redacted(url))))?;
        if applied != Some(newest) {
            pool.close().await;
            return Err(StoreError::Inconsistent(format!(
                "{} has schema version {}, this build reads {newest}: run `creditregistry migrate` first",
                super::redacted(url),
                applied.unwrap_or(0)
            )));
        }
        Ok(PgStore { pool })
    }
}

impl Backend for PgStore {
    /// A batch in one transaction: multi-row inserts of at most `ROWS`
    /// rows each.
    async fn append(&self, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        let lock = self.lock_ledger().await?;
        self.append_locked(lock, batch, nodes).await
    }

    /// Appends from every node take their turns on the head row.
    async fn lock_ledger(&self) -> Result<LedgerLock, StoreError> {
        let mut tx = self.pool.begin().await?;
        let head: i64 = sqlx::query_scalar("SELECT size FROM ledger_head FOR UPDATE").fetch_one(&mut *tx).await?;
        Ok(LedgerLock { head: head as u64, held: Held::Postgres(tx) })
    }

    async fn append_locked(&self, lock: LedgerLock, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        let Held::Postgres(mut tx) = lock.held else {
            return Err(StoreError::Inconsistent("a ledger lock of another store".into()));
        };
        if let Some(last) = batch.last() {
            let in_order = batch.iter().zip(lock.head + 1..).all(|(a, sequence)| a.record.sequence == sequence);
            if !in_order {
                return Err(StoreError::Behind { log: Log::Ledger, head: lock.head });
            }
            sqlx::query("UPDATE ledger_head SET size = $1").bind(clamp(last.record.sequence)).execute(&mut *tx).await?;
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(LEDGER_CHANNEL)
                .bind(last.record.sequence.to_string())
                .execute(&mut *tx)
                .await?;
        }
        for chunk in batch.chunks(ROWS) {
            let mut ledger = QueryBuilder::<Postgres>::new(
                "INSERT INTO ledger (sequence, record_id, recorded_at, uscc, authority, actor, request_id, kind, record) ",
            );
            ledger.push_values(chunk, |mut row, entry| {
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
            ledger.build().execute(&mut *tx).await?;
            let numbered: Vec<(&Appended, &str)> =
                chunk.iter().filter_map(|e| Some((e, e.record.body.unique_decision_number()?))).collect();
            if !numbered.is_empty() {
                let mut numbers =
                    QueryBuilder::<Postgres>::new("INSERT INTO decision_numbers (authority, decision_number, sequence) ");
                numbers.push_values(numbered, |mut row, (entry, number)| {
                    row.push_bind(entry.record.authority.as_str()).push_bind(number).push_bind(entry.record.sequence as i64);
                });
                numbers.build().execute(&mut *tx).await?;
            }
        }
        let positions = (nodes.first..).zip(&nodes.hashes).collect::<Vec<_>>();
        for chunk in positions.chunks(ROWS) {
            let mut insert = QueryBuilder::<Postgres>::new("INSERT INTO merkle_nodes (position, hash) ");
            insert.push_values(chunk, |mut row, (position, hash)| {
                row.push_bind(*position as i64).push_bind(&hash[..]);
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn scan_ledger(
        &self,
        mut after: u64,
        mut each: impl FnMut(StoredEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        loop {
            let page = self.ledger_page(after, u64::MAX, SCAN_PAGE as u32).await?;
            let Some(last) = page.last() else { return Ok(()) };
            after = last.sequence;
            for entry in page {
                each(entry)?;
            }
        }
    }

    async fn node_count(&self) -> Result<u64, StoreError> {
        let next: Option<i64> = sqlx::query_scalar("SELECT MAX(position) + 1 FROM merkle_nodes").fetch_one(&self.pool).await?;
        Ok(next.unwrap_or(0) as u64)
    }

    async fn nodes(&self, positions: &[u64]) -> Result<Vec<Hash>, StoreError> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<i64> = positions.iter().map(|p| *p as i64).collect();
        let rows = sqlx::query("SELECT position, hash FROM merkle_nodes WHERE position = ANY($1)")
            .bind(&wanted)
            .fetch_all(&self.pool)
            .await?;
        rows::nodes_in_order(positions, &rows)
    }

    async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let rows = sqlx::query("SELECT position, hash FROM merkle_nodes WHERE position >= $1 AND position < $2 ORDER BY position")
            .bind(clamp(from))
            .bind(clamp(to))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| Ok((row.try_get::<i64, _>("position")? as u64, row.try_get("hash")?))).collect()
    }

    async fn ledger_page(&self, after: u64, until: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(&format!("{LEDGER_COLUMNS} WHERE sequence > $1 AND sequence <= $2 ORDER BY sequence LIMIT $3"))
            .bind(clamp(after))
            .bind(clamp(until))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::entry).collect()
    }

    async fn entity_ledger(&self, uscc: &str, until: u64) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(&format!("{LEDGER_COLUMNS} WHERE uscc = $1 AND sequence <= $2 ORDER BY sequence"))
            .bind(uscc)
            .bind(clamp(until))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::entry).collect()
    }

    async fn existing_keys(
        &self,
        requests: &[(String, String)],
        decisions: &[(String, String)],
    ) -> Result<FoundKeys, StoreError> {
        let mut found = FoundKeys::default();
        // Each kind of key as two parallel arrays, joined on its unique index.
        let (actors, request_ids): (Vec<&str>, Vec<&str>) = requests.iter().map(|(a, b)| (a.as_str(), b.as_str())).unzip();
        let (authorities, numbers): (Vec<&str>, Vec<&str>) = decisions.iter().map(|(a, b)| (a.as_str(), b.as_str())).unzip();
        let rows = sqlx::query(
            "SELECT 0::BIGINT AS t, k.a, k.b, l.record_id, l.uscc, l.sequence, l.record
               FROM UNNEST($1::TEXT[], $2::TEXT[]) AS k(a, b)
               JOIN ledger l ON l.actor = k.a AND l.request_id = k.b
             UNION ALL
             SELECT 1::BIGINT, k.a, k.b, l.record_id, l.uscc, l.sequence, l.record
               FROM UNNEST($3::TEXT[], $4::TEXT[]) AS k(a, b)
               JOIN decision_numbers d ON d.authority = k.a AND d.decision_number = k.b
               JOIN ledger l ON l.sequence = d.sequence",
        )
        .bind(&actors)
        .bind(&request_ids)
        .bind(&authorities)
        .bind(&numbers)
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            let keys = &mut found.keys;
            let into = if row.try_get::<i64, _>(0)? == 0 { &mut keys.requests } else { &mut keys.decisions };
            let id: String = row.try_get(3)?;
            into.insert((row.try_get(1)?, row.try_get(2)?), id.clone());
            found.places.insert(id, rows::located(row.try_get(4)?, row.try_get(5)?, row.try_get(6)?)?);
        }
        Ok(found)
    }

    async fn locate(&self, record_ids: &[&str]) -> Result<HashMap<String, Located>, StoreError> {
        let rows = sqlx::query("SELECT record_id, uscc, sequence, record FROM ledger WHERE record_id = ANY($1)")
            .bind(record_ids)
            .fetch_all(&self.pool)
            .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in rows {
            found.insert(row.try_get(0)?, rows::located(row.try_get(1)?, row.try_get(2)?, row.try_get(3)?)?);
        }
        Ok(found)
    }

    async fn append_audit(&self, blocks: &[CheckBlock], checkpoints: &[StoredCheckpoint]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if let (Some(first), Some(last)) = (blocks.first(), blocks.last()) {
            let row = sqlx::query("SELECT size, chain_hash FROM check_log_head FOR UPDATE").fetch_one(&mut *tx).await?;
            let (size, chain): (i64, Vec<u8>) = (row.try_get("size")?, row.try_get("chain_hash")?);
            if size as u64 + 1 != first.first_sequence || chain != first.chain_before {
                return Err(StoreError::Behind { log: Log::CheckLog, head: size as u64 });
            }
            sqlx::query("UPDATE check_log_head SET size = $1, chain_hash = $2")
                .bind(clamp(last.last_sequence))
                .bind(&last.chain_hash[..])
                .execute(&mut *tx)
                .await?;
        }
        for block in blocks {
            insert_block(&mut tx, block).await?;
        }
        for cp in checkpoints {
            insert_checkpoint(&mut tx, cp).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn check_log_head(&self) -> Result<(u64, Hash), StoreError> {
        let row = sqlx::query("SELECT last_sequence, chain_hash FROM check_blocks ORDER BY last_sequence DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        rows::log_head(row.as_ref())
    }

    async fn check_blocks(&self, filter: &BlockFilter, limit: u32) -> Result<Vec<CheckBlock>, StoreError> {
        let mut sql = QueryBuilder::<Postgres>::new(BLOCK_COLUMNS);
        if let Some(key) = filter.code_key {
            sql.push(" JOIN check_block_codes k ON k.last_sequence = b.last_sequence AND k.code_key = ").push_bind(key);
        }
        if let Some(caller) = &filter.caller_subject {
            sql.push(" JOIN check_block_callers c ON c.last_sequence = b.last_sequence AND c.caller_subject = ")
                .push_bind(caller);
        }
        sql.push(" WHERE b.last_sequence > ").push_bind(clamp(filter.after));
        if let Some(from) = filter.from {
            sql.push(" AND b.max_at >= ").push_bind(from);
        }
        if let Some(until) = filter.until {
            sql.push(" AND b.min_at <= ").push_bind(until);
        }
        sql.push(" ORDER BY b.last_sequence LIMIT ").push_bind(i64::from(limit));
        let rows = sql.build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::block).collect()
    }

    async fn check_index_digests(&self, until: u64) -> Result<(IndexDigest, IndexDigest), StoreError> {
        let codes = sqlx::query("SELECT code_key, last_sequence FROM check_block_codes WHERE last_sequence <= $1")
            .bind(clamp(until))
            .fetch(&self.pool);
        let codes = rows::digest(codes, "code_key", false).await?;
        let callers = sqlx::query("SELECT caller_subject, last_sequence FROM check_block_callers WHERE last_sequence <= $1")
            .bind(clamp(until))
            .fetch(&self.pool);
        Ok((codes, rows::digest(callers, "caller_subject", true).await?))
    }

    async fn checkpoint(&self, tree_size: Option<u64>) -> Result<Option<StoredCheckpoint>, StoreError> {
        let row = match tree_size {
            Some(size) => {
                sqlx::query(&format!("{CHECKPOINT_COLUMNS} WHERE tree_size = $1 ORDER BY id DESC LIMIT 1"))
                    .bind(clamp(size))
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(&format!("{CHECKPOINT_COLUMNS} ORDER BY tree_size DESC, id DESC LIMIT 1"))
                    .fetch_optional(&self.pool)
                    .await?
            }
        };
        row.as_ref().map(rows::checkpoint).transpose()
    }

    /// The highest checkpoint id ever given, so a deleted newest checkpoint
    /// shows as missing too.
    async fn last_checkpoint_id(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT last_id FROM checkpoint_ids").fetch_one(&self.pool).await?)
    }

    async fn head(&self) -> Result<u64, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(sequence) FROM ledger").fetch_one(&self.pool).await?;
        Ok(head.unwrap_or(0) as u64)
    }

    async fn checkpoint_page(&self, after_id: i64, limit: u32) -> Result<Vec<(i64, StoredCheckpoint)>, StoreError> {
        let rows = sqlx::query(&format!("{CHECKPOINT_COLUMNS} WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(after_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, rows::checkpoint(row)?))).collect()
    }

    async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO inspection_draws (draw_id, region_prefix, seed, evaluated_on, policy_version,
                                           drawn_at_ns, drawn_by, request_id, tree_size)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT DO NOTHING",
        )
        .bind(&draw.id)
        .bind(&draw.region_prefix)
        .bind(&draw.seed)
        .bind(draw.evaluated_on.to_string())
        .bind(&draw.policy_version)
        .bind(draw.drawn_at.timestamp_nanos_opt().unwrap_or(i64::MAX))
        .bind(&draw.drawn_by)
        .bind(&draw.request_id)
        .bind(clamp(draw.tree_size))
        .execute(&mut *tx)
        .await?;
        let inserted = inserted.rows_affected() == 1;
        if inserted && !draw.sampled.is_empty() {
            let codes: Vec<&str> = draw.sampled.iter().map(Uscc::as_str).collect();
            sqlx::query(
                "INSERT INTO inspection_draw_codes (draw_id, position, uscc)
                 SELECT $1, c.ordinality - 1, c.uscc FROM UNNEST($2::TEXT[]) WITH ORDINALITY AS c(uscc, ordinality)",
            )
            .bind(&draw.id)
            .bind(&codes)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        if inserted {
            return Ok(draw.clone());
        }
        let row = sqlx::query(&format!("{DRAW_COLUMNS} WHERE drawn_by = $1 AND request_id = $2"))
            .bind(&draw.drawn_by)
            .bind(&draw.request_id)
            .fetch_one(&self.pool)
            .await?;
        self.draw_from_row(&row).await
    }

    async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError> {
        let row = sqlx::query(&format!("{DRAW_COLUMNS} WHERE draw_id = $1")).bind(id).fetch_optional(&self.pool).await?;
        match row {
            Some(row) => Ok(Some(self.draw_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    /// Listens on `LEDGER_CHANNEL` from a connection of its own, listening
    /// again after the connection is lost (notices sent meanwhile are
    /// lost; the writer also polls).
    fn ledger_notices(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        let (tx, rx) = tokio::sync::watch::channel(0);
        let pool = self.pool.clone();
        tokio::spawn(async move {
            while !tx.is_closed() && !pool.is_closed() {
                let mut listener = match PgListener::connect_with(&pool).await {
                    Ok(listener) => listener,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for other nodes' appends; polling only");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(LEDGER_CHANNEL).await {
                    tracing::warn!(error = %e, "cannot listen for other nodes' appends; polling only");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                loop {
                    tokio::select! {
                        notice = listener.try_recv() => match notice {
                            Ok(Some(notice)) => {
                                if let Ok(size) = notice.payload().parse::<u64>() {
                                    tx.send_if_modified(|seen| std::mem::replace(seen, size.max(*seen)) < size);
                                }
                            }
                            // The connection was lost; listen again.
                            Ok(None) | Err(_) => break,
                        },
                        _ = tx.closed() => return,
                    }
                }
            }
        });
        Some(rx)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

impl PgStore {
    /// A draw from its row and its codes' rows.
    async fn draw_from_row(&self, row: &PgRow) -> Result<InspectionDraw, StoreError> {
        let id: String = row.try_get("draw_id")?;
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT uscc FROM inspection_draw_codes WHERE draw_id = $1 ORDER BY position")
                .bind(&id)
                .fetch_all(&self.pool)
                .await?;
        rows::draw(row, &codes)
    }
}

/// A sequence or size as PostgreSQL's BIGINT; "no bound" (`u64::MAX`) is its largest.
fn clamp(value: u64) -> i64 {
    value.min(i64::MAX as u64) as i64
}







/// One block row and its index rows, each index in one statement.
async fn insert_block(tx: &mut Transaction<'_, Postgres>, block: &CheckBlock) -> Result<(), StoreError> {
    let last = clamp(block.last_sequence);
    sqlx::query(
        "INSERT INTO check_blocks (last_sequence, first_sequence, min_at, max_at, chain_before, chain_hash, entries)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(last)
    .bind(clamp(block.first_sequence))
    .bind(block.min_at)
    .bind(block.max_at)
    .bind(&block.chain_before[..])
    .bind(&block.chain_hash[..])
    .bind(&block.entries)
    .execute(&mut **tx)
    .await?;
    if !block.code_keys.is_empty() {
        sqlx::query("INSERT INTO check_block_codes (code_key, last_sequence) SELECT k, $1 FROM UNNEST($2::BIGINT[]) AS k")
            .bind(last)
            .bind(&block.code_keys)
            .execute(&mut **tx)
            .await?;
    }
    if !block.callers.is_empty() {
        sqlx::query(
            "INSERT INTO check_block_callers (caller_subject, last_sequence) SELECT c, $1 FROM UNNEST($2::TEXT[]) AS c",
        )
        .bind(last)
        .bind(&block.callers)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A checkpoint row, its id the next from `checkpoint_ids` (a row lock
/// that orders checkpoints written by several nodes).
async fn insert_checkpoint(tx: &mut Transaction<'_, Postgres>, cp: &StoredCheckpoint) -> Result<(), StoreError> {
    sqlx::query(
        "WITH next AS (UPDATE checkpoint_ids SET last_id = last_id + 1 RETURNING last_id)
         INSERT INTO checkpoints (id, tree_size, check_log_size, created_at, checkpoint, key_id, signature)
         SELECT last_id, $1, $2, $3, $4, $5, $6 FROM next",
    )
    .bind(clamp(cp.tree_size))
    .bind(clamp(cp.check_log_size))
    .bind(cp.created_at)
    .bind(&cp.bytes)
    .bind(&cp.key_id)
    .bind(&cp.signature)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn connect(url: &str, settings: &PgSettings) -> Result<PgPool, StoreError> {
    let timeout_ms = settings.statement_timeout.as_millis().to_string();
    let options = PgConnectOptions::from_str(url)?.options([("statement_timeout", timeout_ms.as_str())]);
    PgPoolOptions::new()
        .max_connections(settings.pool_size.max(2))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Open { url: super::redacted(url), source: Box::new(StoreError::Database(e)) })
}
