//! The PostgreSQL audit and draw stores.

use std::time::Duration;

use sqlx::{Postgres, Row, Transaction};

use super::PgStore;
use crate::domain::rules::supervision::InspectionDraw;
use crate::ledger::Hash;
use crate::store::rows::{self, clamp};
use crate::store::sql::Sql;
use crate::store::{
    AuditStore, CheckFilter, CheckIndexDigests, DrawStore, Log, StoreError, StoredCheckBlock, StoredCheckpoint, StoredKey,
    StoredSegment,
};

impl AuditStore for PgStore {
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
        let mut tx = self.sql.ledger.begin().await?;
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
        let mut stored = true;
        if let (Some(spacing), Some(first)) = (spacing, checkpoints.first()) {
            // Nodes storing checkpoints take turns on the id row, so each
            // sees the newest the others stored.
            sqlx::query("SELECT last_id FROM checkpoint_ids FOR UPDATE").execute(&mut *tx).await?;
            let newest: Option<i64> = sqlx::query_scalar(rows::NEWEST_CHECKPOINT_AT).fetch_optional(&mut *tx).await?;
            stored = !rows::too_soon(newest, first.created_at, spacing);
        }
        if stored {
            for cp in checkpoints {
                insert_checkpoint(&mut tx, cp).await?;
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn last_checkpoint_id(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT last_id FROM checkpoint_ids").fetch_one(&self.sql.ledger).await?)
    }
}

impl DrawStore for PgStore {
    async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError> {
        self.sql.save_draw(draw).await
    }

    async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError> {
        self.sql.draw(id).await
    }
}

/// One block row and its index rows, each index in one statement.
async fn insert_block(tx: &mut Transaction<'_, Postgres>, block: &StoredCheckBlock) -> Result<(), StoreError> {
    let last = Sql::insert_block_row(tx, block).await?;
    if !block.code_keys.is_empty() {
        sqlx::query("INSERT INTO check_block_codes (code_key, last_sequence) SELECT k, $1 FROM UNNEST($2::BIGINT[]) AS k")
            .bind(last)
            .bind(&block.code_keys)
            .execute(&mut **tx)
            .await?;
    }
    for (table, column, values) in rows::text_indexes(block) {
        if !values.is_empty() {
            sqlx::query(&format!("INSERT INTO {table} ({column}, last_sequence) SELECT c, $1 FROM UNNEST($2::TEXT[]) AS c"))
                .bind(last)
                .bind(values)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// A checkpoint row, its id the next from `checkpoint_ids` (a row lock
/// that orders checkpoints written by several nodes).
async fn insert_checkpoint(tx: &mut Transaction<'_, Postgres>, cp: &StoredCheckpoint) -> Result<(), StoreError> {
    sqlx::query(
        "WITH next AS (UPDATE checkpoint_ids SET last_id = last_id + 1 RETURNING last_id)
         INSERT INTO checkpoints (id, checkpoint, key_id, signature, tree_size, check_log_size, created_at)
         SELECT last_id, $1, $2, $3, $4, $5, $6 FROM next",
    )
    .bind(&cp.bytes)
    .bind(&cp.key_id)
    .bind(&cp.signature)
    .bind(clamp(cp.tree_size))
    .bind(clamp(cp.check_log_size))
    .bind(cp.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
