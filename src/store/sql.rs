//! The SQL both backends speak alike, written once over `sqlx::Database`:
//! a backend's store holds a `Sql` over its pools and answers these
//! methods through it; what differs (bulk inserts, locks, notices) stays
//! in `sqlite/` and `postgres/`.

use sqlx::{Pool, Row};

use super::rows::{self, BLOCK_COLUMNS, CHECKPOINT_COLUMNS, Columns, DRAW_COLUMNS, LEDGER_COLUMNS, SEGMENT_COLUMNS, clamp};
use super::statement::{self, Statement, Value};
use super::{
    CheckFilter, CheckIndexDigests, CheckLogUpgrade, StoreError, StoredCheckBlock, StoredCheckpoint, StoredEntry, StoredKey,
    StoredSegment,
};
use crate::domain::rules::supervision::InspectionDraw;
use crate::ledger::Hash;

/// Ledger rows read at a time by a scan: whole pages, read while nothing
/// waits on them (streaming rows to a slower reader costs a thread switch
/// per row on SQLite).
pub const SCAN_PAGE: u32 = 8192;

/// Most rows in one multi-row INSERT of a few columns: well under either
/// database's bound-parameter limit.
pub const ROWS: usize = 500;

/// A backend's pools: the ledger's (with draws and keys) and the audit
/// trail's (check log, segments, checkpoints); on PostgreSQL one pool.
#[derive(Debug)]
pub struct Sql<DB: sqlx::Database> {
    pub ledger: Pool<DB>,
    pub audit: Pool<DB>,
}

impl<DB: sqlx::Database> Clone for Sql<DB> {
    fn clone(&self) -> Self {
        Sql { ledger: self.ledger.clone(), audit: self.audit.clone() }
    }
}

impl<DB> Sql<DB>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB> + Default,
    DB::Row: Columns,
    usize: sqlx::ColumnIndex<DB::Row>,
    for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Vec<u8>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q [u8]: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    pub async fn scan_ledger(
        &self,
        mut after: u64,
        mut each: impl FnMut(StoredEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        loop {
            let page = self.ledger_page(after, u64::MAX, SCAN_PAGE).await?;
            let Some(last) = page.last() else { return Ok(()) };
            after = last.sequence;
            for entry in page {
                each(entry)?;
            }
        }
    }

    pub async fn head(&self) -> Result<u64, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(sequence) FROM ledger").fetch_one(&self.ledger).await?;
        Ok(head.unwrap_or(0) as u64)
    }

    pub async fn node_count(&self) -> Result<u64, StoreError> {
        let next: Option<i64> = sqlx::query_scalar("SELECT MAX(position) + 1 FROM merkle_nodes").fetch_one(&self.ledger).await?;
        Ok(next.unwrap_or(0) as u64)
    }

    pub async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let rows =
            sqlx::query("SELECT position, hash FROM merkle_nodes WHERE position >= $1 AND position < $2 ORDER BY position")
                .bind(clamp(from))
                .bind(clamp(to))
                .fetch_all(&self.ledger)
                .await?;
        rows.iter().map(|row| Ok((row.try_get::<i64, _>("position")? as u64, row.try_get("hash")?))).collect()
    }

    pub async fn ledger_page(&self, after: u64, until: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(&format!("{LEDGER_COLUMNS} WHERE sequence > $1 AND sequence <= $2 ORDER BY sequence LIMIT $3"))
            .bind(clamp(after))
            .bind(clamp(until))
            .bind(i64::from(limit))
            .fetch_all(&self.ledger)
            .await?;
        rows.iter().map(rows::entry).collect()
    }

    pub async fn entity_ledger(&self, uscc: &str, until: u64) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(&format!("{LEDGER_COLUMNS} WHERE uscc = $1 AND sequence <= $2 ORDER BY sequence"))
            .bind(uscc)
            .bind(clamp(until))
            .fetch_all(&self.ledger)
            .await?;
        rows.iter().map(rows::entry).collect()
    }

    pub async fn check_log_head(&self) -> Result<(u64, Hash), StoreError> {
        let row = sqlx::query(rows::LOG_HEAD).fetch_optional(&self.audit).await?;
        rows::log_head(row.as_ref())
    }

    pub async fn check_blocks(&self, filter: &CheckFilter, limit: u32) -> Result<Vec<StoredCheckBlock>, StoreError> {
        let mut sql = Statement::new(BLOCK_COLUMNS);
        if let Some(key) = filter.code_key {
            sql.push(" JOIN check_block_codes k ON k.last_sequence = b.last_sequence AND k.code_key = ").bind(Value::Int(key));
        }
        if let Some(caller) = &filter.caller_subject {
            sql.push(" JOIN check_block_callers c ON c.last_sequence = b.last_sequence AND c.caller_subject = ")
                .bind(Value::Text(caller));
        }
        if let Some(organisation) = &filter.organisation {
            sql.push(" JOIN check_block_organisations o ON o.last_sequence = b.last_sequence AND o.organisation = ")
                .bind(Value::Text(organisation));
        }
        sql.push(" WHERE b.last_sequence > ").bind(Value::Int(clamp(filter.after)));
        if let Some(from) = filter.from {
            sql.push(" AND b.max_at >= ").bind(Value::Int(from));
        }
        if let Some(until) = filter.until {
            sql.push(" AND b.min_at <= ").bind(Value::Int(until));
        }
        sql.push(" ORDER BY b.last_sequence LIMIT ").bind(Value::Int(i64::from(limit)));
        let rows = statement::query(&sql).fetch_all(&self.audit).await?;
        rows.iter().map(rows::block).collect()
    }

    pub async fn check_index_digests(&self, until: u64) -> Result<CheckIndexDigests, StoreError> {
        let index = |table: &str, column: &str| format!("SELECT {column}, last_sequence FROM {table} WHERE last_sequence <= $1");
        let (codes, callers, organisations) = (
            index("check_block_codes", "code_key"),
            index("check_block_callers", "caller_subject"),
            index("check_block_organisations", "organisation"),
        );
        let codes = sqlx::query(&codes).bind(clamp(until)).fetch(&self.audit);
        let codes = rows::digest(codes, "code_key", false).await?;
        let callers = sqlx::query(&callers).bind(clamp(until)).fetch(&self.audit);
        let callers = rows::digest(callers, "caller_subject", true).await?;
        let organisations = sqlx::query(&organisations).bind(clamp(until)).fetch(&self.audit);
        let organisations = rows::digest(organisations, "organisation", true).await?;
        Ok(CheckIndexDigests { codes, callers, organisations })
    }

    pub async fn checkpoint(&self, tree_size: Option<u64>) -> Result<Option<StoredCheckpoint>, StoreError> {
        let row = match tree_size {
            Some(size) => {
                sqlx::query(&format!("{CHECKPOINT_COLUMNS} WHERE tree_size = $1 ORDER BY id DESC LIMIT 1"))
                    .bind(clamp(size))
                    .fetch_optional(&self.audit)
                    .await?
            }
            None => {
                sqlx::query(&format!("{CHECKPOINT_COLUMNS} ORDER BY tree_size DESC, id DESC LIMIT 1"))
                    .fetch_optional(&self.audit)
                    .await?
            }
        };
        row.as_ref().map(rows::checkpoint).transpose()
    }

    pub async fn checkpoint_page(&self, after_id: i64, limit: u32) -> Result<Vec<(i64, StoredCheckpoint)>, StoreError> {
        let rows = sqlx::query(&format!("{CHECKPOINT_COLUMNS} WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(after_id)
            .bind(i64::from(limit))
            .fetch_all(&self.audit)
            .await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, rows::checkpoint(row)?))).collect()
    }

    pub async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError> {
        let Some(row) = sqlx::query(&format!("{DRAW_COLUMNS} WHERE draw_id = $1")).bind(id).fetch_optional(&self.ledger).await?
        else {
            return Ok(None);
        };
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT uscc FROM inspection_draw_codes WHERE draw_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(&self.ledger)
                .await?;
        rows::draw(&row, &codes).map(Some)
    }

    pub async fn seal_segment(&self, segment: &StoredSegment) -> Result<bool, StoreError> {
        let mut tx = self.audit.begin().await?;
        let newest = sqlx::query("SELECT number, last_sequence FROM check_segments ORDER BY number DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (number, last) = match newest {
            Some(row) => (row.try_get::<i64, _>(0)? as u64, row.try_get::<i64, _>(1)? as u64),
            None => (0, 0),
        };
        if segment.number <= number {
            return Ok(false);
        }
        let block_end: Option<i64> = sqlx::query_scalar("SELECT last_sequence FROM check_blocks WHERE last_sequence = $1")
            .bind(clamp(segment.last_sequence))
            .fetch_optional(&mut *tx)
            .await?;
        if segment.number != number + 1 || segment.first_sequence != last + 1 || block_end.is_none() {
            return Err(StoreError::Inconsistent(format!(
                "segment {} of entries {}..={} does not follow segment {number} (to entry {last}) and end at a block",
                segment.number, segment.first_sequence, segment.last_sequence
            )));
        }
        let inserted = sqlx::query(
            "INSERT INTO check_segments (number, first_sequence, last_sequence, min_at, max_at, chain_hash, head,
                                         key_id, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING number",
        )
        .bind(clamp(segment.number))
        .bind(clamp(segment.first_sequence))
        .bind(clamp(segment.last_sequence))
        .bind(segment.min_at)
        .bind(segment.max_at)
        .bind(&segment.chain_hash[..])
        .bind(&segment.head)
        .bind(&segment.key_id)
        .bind(&segment.signature)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        tx.commit().await?;
        Ok(inserted)
    }

    pub async fn complete_backfills(&self, upgrade: &dyn CheckLogUpgrade) -> Result<(), StoreError> {
        let mut tx = self.audit.begin().await?;
        let until: Option<i64> = sqlx::query_scalar("SELECT until FROM pending_backfills WHERE name = 'organisations'")
            .fetch_optional(&mut *tx)
            .await?;
        let Some(until) = until else { return Ok(()) };
        let mut after = 0i64;
        loop {
            let page = sqlx::query(&format!(
                "{BLOCK_COLUMNS} WHERE b.last_sequence > $1 AND b.last_sequence <= $2 ORDER BY b.last_sequence LIMIT 256"
            ))
            .bind(after)
            .bind(until)
            .fetch_all(&mut *tx)
            .await?;
            let Some(last) = page.last() else { break };
            after = sqlx::Row::try_get(last, "last_sequence")?;
            let mut indexed = Vec::new();
            for row in &page {
                let block = rows::block(row)?;
                for organisation in upgrade.organisations(&block)? {
                    indexed.push((organisation, clamp(block.last_sequence)));
                }
            }
            for chunk in indexed.chunks(ROWS) {
                let mut insert = Statement::new("INSERT INTO check_block_organisations (organisation, last_sequence) VALUES ");
                insert.rows(chunk.iter().map(|(organisation, last)| [Value::Text(organisation), Value::Int(*last)]));
                insert.push(" ON CONFLICT DO NOTHING");
                statement::query(&insert).execute(&mut *tx).await?;
            }
        }
        sqlx::query("DELETE FROM pending_backfills WHERE name = 'organisations'").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn block_span(&self, after: u64, until: u64) -> Result<(i64, i64), StoreError> {
        let row =
            sqlx::query("SELECT MIN(min_at), MAX(max_at) FROM check_blocks WHERE last_sequence > $1 AND last_sequence <= $2")
                .bind(clamp(after))
                .bind(clamp(until))
                .fetch_one(&self.audit)
                .await?;
        Ok((row.try_get::<Option<i64>, _>(0)?.unwrap_or(0), row.try_get::<Option<i64>, _>(1)?.unwrap_or(0)))
    }

    pub async fn segments(&self) -> Result<Vec<StoredSegment>, StoreError> {
        let rows = sqlx::query(&format!("{SEGMENT_COLUMNS} ORDER BY number")).fetch_all(&self.audit).await?;
        rows.iter().map(rows::segment).collect()
    }

    pub async fn removed_segments(&self, filter: &CheckFilter) -> Result<Vec<StoredSegment>, StoreError> {
        let mut sql = Statement::new(SEGMENT_COLUMNS);
        sql.push(" WHERE removed_at IS NOT NULL AND last_sequence > ").bind(Value::Int(clamp(filter.after)));
        if let Some(from) = filter.from {
            sql.push(" AND max_at >= ").bind(Value::Int(from));
        }
        if let Some(until) = filter.until {
            sql.push(" AND min_at <= ").bind(Value::Int(until));
        }
        sql.push(" ORDER BY number");
        let rows = statement::query(&sql).fetch_all(&self.audit).await?;
        rows.iter().map(rows::segment).collect()
    }

    pub async fn expired_segments(&self, cutoff: i64) -> Result<Vec<u64>, StoreError> {
        let numbers: Vec<i64> = sqlx::query_scalar(
            "SELECT number FROM check_segments
             WHERE exported_at IS NOT NULL AND removed_at IS NULL AND max_at <= $1 ORDER BY number",
        )
        .bind(cutoff)
        .fetch_all(&self.audit)
        .await?;
        Ok(numbers.into_iter().map(|n| n as u64).collect())
    }

    pub async fn mark_exported(&self, number: u64, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE check_segments SET exported_at = COALESCE(exported_at, $1) WHERE number = $2")
            .bind(at)
            .bind(rows::clamp(number))
            .execute(&self.audit)
            .await?;
        Ok(())
    }

    pub async fn remove_segment(&self, number: u64, at: i64) -> Result<(), StoreError> {
        let mut tx = self.audit.begin().await?;
        let row = sqlx::query("SELECT first_sequence, last_sequence, exported_at FROM check_segments WHERE number = $1")
            .bind(clamp(number))
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Err(StoreError::Inconsistent(format!("there is no check-log segment {number}")));
        };
        if row.try_get::<Option<i64>, _>(2)?.is_none() {
            return Err(StoreError::Inconsistent(format!(
                "check-log segment {number} has not been exported: it stays in the live store"
            )));
        }
        let (first, last): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        for table in ["check_block_codes", "check_block_callers", "check_block_organisations", "check_blocks"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE last_sequence >= $1 AND last_sequence <= $2"))
                .bind(first)
                .bind(last)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE check_segments SET removed_at = COALESCE(removed_at, $1) WHERE number = $2")
            .bind(at)
            .bind(clamp(number))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn registry_keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        let rows = sqlx::query(rows::KEY_COLUMNS).fetch_all(&self.ledger).await?;
        rows.iter().map(rows::key).collect()
    }

    pub async fn adopt_registry_key(&self, key: &StoredKey) -> Result<Vec<StoredKey>, StoreError> {
        // Nodes starting at once: the unique index on the current key
        // lets one insert, and the others find its key.
        sqlx::query(
            "INSERT INTO registry_keys (key_id, public_key, added_at)
             SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM registry_keys WHERE retired_at IS NULL)
             ON CONFLICT DO NOTHING",
        )
        .bind(&key.key_id)
        .bind(&key.public_key)
        .bind(key.added_at)
        .execute(&self.ledger)
        .await?;
        self.registry_keys().await
    }

    pub async fn rotate_registry_key(&self, key: &StoredKey) -> Result<Option<StoredKey>, StoreError> {
        let mut tx = self.ledger.begin().await?;
        let known: Option<String> = sqlx::query_scalar("SELECT key_id FROM registry_keys WHERE key_id = $1")
            .bind(&key.key_id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_some() {
            return Err(StoreError::Inconsistent(format!(
                "the registry already holds key {}: rotate to a new key (`creditregistry keygen registry FILE`)",
                key.key_id
            )));
        }
        let retired = sqlx::query(
            "UPDATE registry_keys SET retired_at = $1 WHERE retired_at IS NULL
             RETURNING key_id, public_key, added_at, retired_at",
        )
        .bind(key.added_at)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO registry_keys (key_id, public_key, added_at) VALUES ($1, $2, $3)")
            .bind(&key.key_id)
            .bind(&key.public_key)
            .bind(key.added_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        retired.as_ref().map(rows::key).transpose()
    }

    /// A draw saved once per (drawer, request id): a repeat returns the
    /// draw first saved.
    pub async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError> {
        let mut tx = self.ledger.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO inspection_draws (draw_id, region_prefix, seed, evaluated_on, policy_version,
                                           drawn_at_ns, drawn_by, request_id, tree_size)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT DO NOTHING RETURNING draw_id",
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
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if inserted {
            // A draw's sampled codes, in order, in multi-row inserts.
            let codes: Vec<(i64, &str)> =
                draw.sampled.iter().map(|c| c.as_str()).enumerate().map(|(i, c)| (i as i64, c)).collect();
            for chunk in codes.chunks(ROWS) {
                let mut insert = Statement::new("INSERT INTO inspection_draw_codes (draw_id, position, uscc) VALUES ");
                insert
                    .rows(chunk.iter().map(|(position, code)| [Value::Text(&draw.id), Value::Int(*position), Value::Text(code)]));
                statement::query(&insert).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        if inserted {
            return Ok(draw.clone());
        }
        let id: String = sqlx::query_scalar("SELECT draw_id FROM inspection_draws WHERE drawn_by = $1 AND request_id = $2")
            .bind(&draw.drawn_by)
            .bind(&draw.request_id)
            .fetch_one(&self.ledger)
            .await?;
        self.draw(&id).await?.ok_or_else(|| StoreError::Inconsistent(format!("draw {id} went while it was being read")))
    }

    /// A check-log block's row; returns its last sequence as stored, for
    /// its index rows.
    pub async fn insert_block_row(tx: &mut sqlx::Transaction<'_, DB>, block: &StoredCheckBlock) -> Result<i64, StoreError> {
        let last = clamp(block.last_sequence);
        sqlx::query(
            "INSERT INTO check_blocks (last_sequence, first_sequence, min_at, max_at, chain_before, chain_hash,
                                       entries, encoding)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(last)
        .bind(clamp(block.first_sequence))
        .bind(block.min_at)
        .bind(block.max_at)
        .bind(&block.chain_before[..])
        .bind(&block.chain_hash[..])
        .bind(&block.bytes)
        .bind(block.encoding)
        .execute(&mut **tx)
        .await?;
        Ok(last)
    }
}
