//! The SQLite backend: one file, WAL, `synchronous=FULL`, so nothing is
//! acknowledged before it is on disk.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, Row, SqlitePool, Sqlite, Transaction};
use tokio_stream::StreamExt;

use super::{Appended, StoreError, StoredEntry, migrate};
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
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
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

    pub async fn append(&self, batch: &[Appended]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for entry in batch {
            append_one(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn scan_ledger(
        &self,
        mut each: impl FnMut(StoredEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut rows = sqlx::query("SELECT sequence, record, leaf_hash FROM ledger ORDER BY sequence")
            .fetch(&self.pool);
        while let Some(row) = rows.next().await {
            let row = row?;
            let sequence: i64 = row.try_get("sequence")?;
            each(StoredEntry {
                sequence: sequence as u64,
                bytes: row.try_get("record")?,
                leaf_hash: row.try_get("leaf_hash")?,
            })?;
        }
        Ok(())
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
        RecordBody::Commendation(_) | RecordBody::RepairApplication(_) | RecordBody::RepairDecision(_) => {}
    }
    Ok(())
}
