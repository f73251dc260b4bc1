//! The SQLite audit and draw stores: the audit file's check log,
//! checkpoints, segments and keys, the ledger file's draws.

use std::time::Duration;

use sqlx::{Row, Sqlite, Transaction};

use super::SqliteStore;
use crate::domain::rules::supervision::InspectionDraw;
use crate::ledger::Hash;
use crate::store::rows::{self, CHECKPOINT_COLUMNS};
use crate::store::sql::Sql;
use crate::store::{
    AuditStore, CheckEntry, CheckFilter, CheckIndexDigests, CheckLogUpgrade, DrawStore, Log, StoreError, StoredCheckBlock,
    StoredCheckpoint, StoredKey, StoredSegment,
};

impl SqliteStore {
    /// Copies the check log and checkpoints of a store made before they had
    /// a file of their own into the audit file, entry bytes and chain
    /// hashes unchanged.
    pub(super) async fn move_audit_rows(&self, upgrade: &dyn CheckLogUpgrade) -> Result<(), StoreError> {
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
