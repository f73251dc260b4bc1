//! The SQLite backend: one file, WAL, `synchronous=FULL`, so nothing is
//! acknowledged before it is on disk.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, Row, SqlitePool, Sqlite, Transaction};
use tokio_stream::StreamExt;

use super::{
    Appended, CheckFilter, NewNodes, StoreError, StoredCheck, StoredCheckpoint, StoredEntry, migrate,
};
use crate::ledger::Hash;
use crate::domain::record::{CorrectionChange, RecordBody};
use crate::domain::rules::supervision::InspectionDraw;
use crate::domain::uscc::Uscc;

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite://")
            && let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        let store = SqliteStore::connect(url, true).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens a store as it is: never creates the file or changes its schema.
    pub async fn open_existing(url: &str) -> Result<SqliteStore, StoreError> {
        let store = SqliteStore::connect(url, false)
            .await
            .map_err(|e| StoreError::Open { url: url.to_string(), source: Box::new(e) })?;
        let newest = migrate::SQLITE.last().map_or(0, |m| m.0);
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&store.pool)
            .await
            .map_err(|_| StoreError::Inconsistent(format!("{url} is not a registry store")))?;
        if applied != Some(newest) {
            store.close().await;
            return Err(StoreError::Inconsistent(format!(
                "{url} has schema version {}, this build reads {newest}: run `creditregistry migrate` first",
                applied.unwrap_or(0)
            )));
        }
        Ok(store)
    }

    async fn connect(url: &str, create: bool) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        Ok(SqliteStore { pool })
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        self.pool
            .execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
            )
            .await?;
        for &(version, name, sql) in migrate::SQLITE {
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&self.pool)
                    .await?;
            if done.is_some() {
                continue;
            }
            let fail = |source| StoreError::Migration { version, name, source };
            let mut tx = self.pool.begin().await?;
            tx.execute(sql).await.map_err(fail)?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(version)
                .bind(name)
                .bind(chrono::Utc::now().timestamp())
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
            tx.commit().await?;
        }
        Ok(())
    }

    pub async fn append(&self, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for entry in batch {
            append_one(&mut tx, entry).await?;
        }
        for (i, hash) in nodes.hashes.iter().enumerate() {
            sqlx::query("INSERT INTO merkle_nodes (position, hash) VALUES ($1, $2)")
                .bind((nodes.first + i as u64) as i64)
                .bind(&hash[..])
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn scan_ledger(
        &self,
        mut each: impl FnMut(StoredEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = format!("{LEDGER_COLUMNS} ORDER BY sequence");
        let mut rows = sqlx::query(&sql).fetch(&self.pool);
        while let Some(row) = rows.next().await {
            each(entry_from_row(&row?)?)?;
        }
        Ok(())
    }

    pub async fn node_count(&self) -> Result<u64, StoreError> {
        let next: Option<i64> = sqlx::query_scalar("SELECT MAX(position) + 1 FROM merkle_nodes")
            .fetch_one(&self.pool)
            .await?;
        Ok(next.unwrap_or(0) as u64)
    }

    pub async fn nodes(&self, positions: &[u64]) -> Result<Vec<Hash>, StoreError> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        let list = positions.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        let rows = sqlx::query(&format!("SELECT position, hash FROM merkle_nodes WHERE position IN ({list})"))
            .fetch_all(&self.pool)
            .await?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in rows {
            let position: i64 = row.try_get("position")?;
            let hash: Vec<u8> = row.try_get("hash")?;
            found.insert(position as u64, hash);
        }
        positions
            .iter()
            .map(|p| {
                found
                    .get(p)
                    .and_then(|h| Hash::try_from(h.as_slice()).ok())
                    .ok_or_else(|| StoreError::Inconsistent(format!("Merkle node {p} is missing or malformed")))
            })
            .collect()
    }

    pub async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let rows = sqlx::query("SELECT position, hash FROM merkle_nodes WHERE position >= $1 AND position < $2 ORDER BY position")
            .bind(from as i64)
            .bind(to as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<i64, _>("position")? as u64, row.try_get("hash")?)))
            .collect()
    }

    pub async fn ledger_page(&self, after: u64, until: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(&format!(
            "{LEDGER_COLUMNS} WHERE sequence > $1 AND sequence <= $2 ORDER BY sequence LIMIT $3"
        ))
        .bind(after as i64)
        .bind(until.min(i64::MAX as u64) as i64)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    pub async fn entity_ledger(&self, uscc: &str, until: u64) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(&format!("{LEDGER_COLUMNS} WHERE uscc = $1 AND sequence <= $2 ORDER BY sequence"))
            .bind(uscc)
            .bind(until.min(i64::MAX as u64) as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(entry_from_row).collect()
    }

    pub async fn sequence_of(&self, record_id: &str) -> Result<Option<u64>, StoreError> {
        let sequence: Option<i64> = sqlx::query_scalar("SELECT sequence FROM ledger WHERE record_id = $1")
            .bind(record_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(sequence.map(|s| s as u64))
    }

    pub async fn append_audit(&self, checks: &[StoredCheck], checkpoints: &[StoredCheckpoint]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for c in checks {
            sqlx::query(
                "INSERT INTO check_log (sequence, checked_at, caller_subject, receipt_id, codes, entry, chain_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(c.sequence as i64)
            .bind(c.checked_at)
            .bind(&c.caller_subject)
            .bind(&c.receipt_id)
            .bind(c.codes.join(","))
            .bind(&c.entry)
            .bind(&c.chain_hash[..])
            .execute(&mut *tx)
            .await?;
            for code in &c.codes {
                sqlx::query("INSERT OR IGNORE INTO check_log_codes (uscc, sequence) VALUES ($1, $2)")
                    .bind(code)
                    .bind(c.sequence as i64)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for cp in checkpoints {
            sqlx::query(
                "INSERT INTO checkpoints (tree_size, check_log_size, created_at, checkpoint, key_id, signature)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(cp.tree_size as i64)
            .bind(cp.check_log_size as i64)
            .bind(cp.created_at)
            .bind(&cp.bytes)
            .bind(&cp.key_id)
            .bind(&cp.signature)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn check_log_head(&self) -> Result<(u64, Hash), StoreError> {
        let row = sqlx::query("SELECT sequence, chain_hash FROM check_log ORDER BY sequence DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok((0, [0; 32])) };
        let sequence: i64 = row.try_get("sequence")?;
        let chain: Vec<u8> = row.try_get("chain_hash")?;
        let chain = Hash::try_from(chain.as_slice()).map_err(|_| {
            StoreError::Inconsistent(format!("check-log entry {sequence} has a chain hash of {} bytes", chain.len()))
        })?;
        Ok((sequence as u64, chain))
    }

    pub async fn checks(&self, filter: &CheckFilter, limit: u32) -> Result<Vec<StoredCheck>, StoreError> {
        let mut sql = String::from(
            "SELECT c.sequence, c.checked_at, c.caller_subject, c.receipt_id, c.codes, c.entry, c.chain_hash FROM check_log c",
        );
        if filter.uscc.is_some() {
            sql.push_str(" JOIN check_log_codes k ON k.sequence = c.sequence AND k.uscc = $1");
        }
        sql.push_str(" WHERE c.sequence > $2");
        if filter.caller_subject.is_some() {
            sql.push_str(" AND c.caller_subject = $3");
        }
        if filter.from.is_some() {
            sql.push_str(" AND c.checked_at >= $4");
        }
        if filter.until.is_some() {
            sql.push_str(" AND c.checked_at <= $5");
        }
        sql.push_str(" ORDER BY c.sequence LIMIT $6");
        let rows = sqlx::query(&sql)
            .bind(&filter.uscc)
            .bind(filter.after.min(i64::MAX as u64) as i64)
            .bind(&filter.caller_subject)
            .bind(filter.from)
            .bind(filter.until)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut checks = Vec::with_capacity(rows.len());
        for row in rows {
            let codes: String = row.try_get("codes")?;
            let chain: Vec<u8> = row.try_get("chain_hash")?;
            checks.push(StoredCheck {
                sequence: row.try_get::<i64, _>("sequence")? as u64,
                checked_at: row.try_get("checked_at")?,
                caller_subject: row.try_get("caller_subject")?,
                receipt_id: row.try_get("receipt_id")?,
                codes: codes.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect(),
                entry: row.try_get("entry")?,
                // A malformed chain hash reads as zeros, which never verifies.
                chain_hash: Hash::try_from(chain.as_slice()).unwrap_or([0; 32]),
            });
        }
        Ok(checks)
    }

    pub async fn checkpoint(&self, tree_size: Option<u64>) -> Result<Option<StoredCheckpoint>, StoreError> {
        let row = match tree_size {
            Some(size) => {
                sqlx::query(&format!("{CHECKPOINT_COLUMNS} WHERE tree_size = $1 ORDER BY id DESC LIMIT 1"))
                    .bind(size as i64)
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(&format!("{CHECKPOINT_COLUMNS} ORDER BY tree_size DESC, id DESC LIMIT 1"))
                    .fetch_optional(&self.pool)
                    .await?
            }
        };
        row.as_ref().map(checkpoint_from_row).transpose()
    }

    /// The highest checkpoint id ever given, so a deleted newest checkpoint
    /// shows as missing too (AUTOINCREMENT keeps it in `sqlite_sequence`).
    pub async fn last_checkpoint_id(&self) -> Result<i64, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM checkpoints), 0),
                        COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'checkpoints'), 0))",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(id.unwrap_or(0))
    }

    pub async fn head(&self) -> Result<u64, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(sequence) FROM ledger").fetch_one(&self.pool).await?;
        Ok(head.unwrap_or(0) as u64)
    }

    pub async fn indexed_codes(&self, after: u64, until: u64) -> Result<Vec<(u64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT sequence, uscc FROM check_log_codes WHERE sequence > $1 AND sequence <= $2 ORDER BY sequence, uscc",
        )
        .bind(after.min(i64::MAX as u64) as i64)
        .bind(until.min(i64::MAX as u64) as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get::<i64, _>("sequence")? as u64, r.try_get("uscc")?))).collect()
    }

    pub async fn checkpoint_page(&self, after_id: i64, limit: u32) -> Result<Vec<(i64, StoredCheckpoint)>, StoreError> {
        let rows = sqlx::query(&format!("{CHECKPOINT_COLUMNS} WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, checkpoint_from_row(row)?))).collect()
    }

    pub async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError> {
        let codes: Vec<&str> = draw.sampled.iter().map(|c| c.as_str()).collect();
        let inserted = sqlx::query(
            "INSERT INTO inspection_draws (draw_id, region_prefix, seed, evaluated_on, policy_version,
                                           drawn_at_ns, drawn_by, request_id, tree_size, sampled_codes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
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
        .bind(draw.tree_size as i64)
        .bind(codes.join(","))
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(draw.clone());
        }
        let row = sqlx::query(&format!("{DRAW_COLUMNS} WHERE drawn_by = $1 AND request_id = $2"))
            .bind(&draw.drawn_by)
            .bind(&draw.request_id)
            .fetch_one(&self.pool)
            .await?;
        draw_from_row(&row)
    }

    pub async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError> {
        let row = sqlx::query(&format!("{DRAW_COLUMNS} WHERE draw_id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(draw_from_row).transpose()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

const LEDGER_COLUMNS: &str = "SELECT sequence, record_id, uscc, recorded_at, record, leaf_hash FROM ledger";

fn entry_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredEntry, StoreError> {
    Ok(StoredEntry {
        sequence: row.try_get::<i64, _>("sequence")? as u64,
        record_id: row.try_get("record_id")?,
        uscc: row.try_get("uscc")?,
        recorded_at: row.try_get("recorded_at")?,
        bytes: row.try_get("record")?,
        leaf_hash: row.try_get("leaf_hash")?,
    })
}

const CHECKPOINT_COLUMNS: &str =
    "SELECT id, tree_size, check_log_size, created_at, checkpoint, key_id, signature FROM checkpoints";

fn checkpoint_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredCheckpoint, StoreError> {
    Ok(StoredCheckpoint {
        tree_size: row.try_get::<i64, _>("tree_size")? as u64,
        check_log_size: row.try_get::<i64, _>("check_log_size")? as u64,
        created_at: row.try_get("created_at")?,
        bytes: row.try_get("checkpoint")?,
        key_id: row.try_get("key_id")?,
        signature: row.try_get("signature")?,
    })
}

const DRAW_COLUMNS: &str = "SELECT draw_id, region_prefix, seed, evaluated_on, policy_version, drawn_at_ns,
                                   drawn_by, request_id, tree_size, sampled_codes FROM inspection_draws";

fn draw_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<InspectionDraw, StoreError> {
    let id: String = row.try_get("draw_id")?;
    let corrupt = |reason: String| StoreError::CorruptDraw { id: id.clone(), reason };
    let evaluated_on: String = row.try_get("evaluated_on")?;
    let drawn_at_ns: i64 = row.try_get("drawn_at_ns")?;
    let tree_size: i64 = row.try_get("tree_size")?;
    let codes: String = row.try_get("sampled_codes")?;
    Ok(InspectionDraw {
        region_prefix: row.try_get("region_prefix")?,
        seed: row.try_get("seed")?,
        evaluated_on: evaluated_on.parse().map_err(|e| corrupt(format!("evaluated_on: {e}")))?,
        policy_version: row.try_get("policy_version")?,
        drawn_at: chrono::DateTime::from_timestamp_nanos(drawn_at_ns),
        drawn_by: row.try_get("drawn_by")?,
        request_id: row.try_get("request_id")?,
        tree_size: tree_size as u64,
        sampled: codes
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| Uscc::parse(c).map_err(|e| corrupt(format!("code {c}: {e}"))))
            .collect::<Result<_, _>>()?,
        id: id.clone(),
    })
}

async fn append_one(tx: &mut Transaction<'_, Sqlite>, entry: &Appended) -> Result<(), StoreError> {
    let r = &entry.record;
    let sequence = r.sequence as i64;
    let uscc = r.uscc.as_str();
    sqlx::query(
        "INSERT INTO ledger (sequence, record_id, recorded_at, uscc, authority, actor, request_id, kind, record, leaf_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(sequence)
    .bind(&r.id)
    .bind(r.recorded_at.timestamp_micros())
    .bind(uscc)
    .bind(&r.authority)
    .bind(&r.actor)
    .bind((!r.request_id.is_empty()).then_some(&r.request_id))
    .bind(r.body.kind())
    .bind(&entry.bytes)
    .bind(&entry.leaf_hash[..])
    .execute(&mut **tx)
    .await?;

    if let Some(number) = r.body.unique_decision_number() {
        sqlx::query("INSERT INTO decision_numbers (authority, decision_number, record_id) VALUES ($1, $2, $3)")
            .bind(&r.authority)
            .bind(number)
            .bind(&r.id)
            .execute(&mut **tx)
            .await?;
    }

    sqlx::query(
        "INSERT INTO entities (uscc, division, first_sequence, last_sequence, record_count)
         VALUES ($1, $2, $3, $3, 1)
         ON CONFLICT (uscc) DO UPDATE SET last_sequence = excluded.last_sequence,
                                          record_count = entities.record_count + 1",
    )
    .bind(uscc)
    .bind(r.uscc.division())
    .bind(sequence)
    .execute(&mut **tx)
    .await?;

    match &r.body {
        RecordBody::Penalty(p) => {
            sqlx::query(
                "INSERT INTO penalties (record_id, uscc, authority, decision_number, category, severity, fine_fen, decided_on)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&r.id)
            .bind(uscc)
            .bind(&r.authority)
            .bind(&p.decision_number)
            .bind(format!("{:?}", p.category))
            .bind(format!("{:?}", p.severity))
            .bind(p.fine_fen)
            .bind(p.decided_on.to_string())
            .execute(&mut **tx)
            .await?;
        }
        RecordBody::PenaltyCorrection(c) => {
            let (category, severity, fine, revoked) = match &c.change {
                CorrectionChange::Revocation => (None, None, None, true),
                CorrectionChange::Amendment(p) => (
                    Some(format!("{:?}", p.category)),
                    Some(format!("{:?}", p.severity)),
                    Some(p.fine_fen),
                    false,
                ),
            };
            sqlx::query(
                "UPDATE penalties SET corrected_by = $1, revoked = $2,
                        category = COALESCE($3, category), severity = COALESCE($4, severity),
                        fine_fen = COALESCE($5, fine_fen)
                 WHERE record_id = $6",
            )
            .bind(&r.id)
            .bind(revoked)
            .bind(category)
            .bind(severity)
            .bind(fine)
            .bind(&c.penalty_record_id)
            .execute(&mut **tx)
            .await?;
        }
        RecordBody::Listing(l) => {
            sqlx::query(
                "INSERT INTO listings (record_id, uscc, authority, list_type, decision_number, listed_on, planned_end)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&r.id)
            .bind(uscc)
            .bind(&r.authority)
            .bind(format!("{:?}", l.list_type))
            .bind(&l.decision_number)
            .bind(l.listed_on.to_string())
            .bind(l.planned_end.map(|d| d.to_string()))
            .execute(&mut **tx)
            .await?;
        }
        RecordBody::Removal(m) => {
            sqlx::query(
                "UPDATE listings SET removed_by = $1, removed_on = $2, removal_reason = $3 WHERE record_id = $4",
            )
            .bind(&r.id)
            .bind(m.removed_on.to_string())
            .bind(format!("{:?}", m.reason))
            .bind(&m.listing_record_id)
            .execute(&mut **tx)
            .await?;
        }
        RecordBody::SpotCheck(s) => {
            sqlx::query(
                "INSERT INTO spot_checks (record_id, uscc, authority, category, product_class, outcome, checked_on)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&r.id)
            .bind(uscc)
            .bind(&r.authority)
            .bind(format!("{:?}", s.category))
            .bind(&s.product_class)
            .bind(format!("{:?}", s.outcome))
            .bind(s.checked_on.to_string())
            .execute(&mut **tx)
            .await?;
        }
        RecordBody::Commendation(_)
        | RecordBody::RepairApplication(_)
        | RecordBody::RepairDecision(_)
        | RecordBody::Grade(_)
        | RecordBody::GradeChange(_) => {}
    }
    Ok(())
}
