//! What both backends read back the same way: the columns their queries
//! select, and rows mapped to the store's types. Each backend says only how
//! one of its rows gives an integer, a text or bytes (`Columns`), which
//! any sqlx row that decodes those does.

use std::collections::HashMap;

use super::{CheckBlock, IndexDigest, Located, StoreError, StoredCheckpoint, StoredEntry};
use crate::domain::rules::supervision::InspectionDraw;
use crate::domain::uscc::Uscc;
use crate::ledger::Hash;

pub const LEDGER_COLUMNS: &str = "SELECT sequence, record_id, uscc, recorded_at, record FROM ledger";

pub const CHECKPOINT_COLUMNS: &str =
    "SELECT id, tree_size, check_log_size, created_at, checkpoint, key_id, signature FROM checkpoints";

pub const DRAW_COLUMNS: &str = "SELECT draw_id, region_prefix, seed, evaluated_on, policy_version, drawn_at_ns,
                                   drawn_by, request_id, tree_size FROM inspection_draws";

pub const BLOCK_COLUMNS: &str =
    "SELECT b.first_sequence, b.last_sequence, b.min_at, b.max_at, b.chain_before, b.chain_hash, b.entries
     FROM check_blocks b";

/// A row's columns by name, as each backend decodes them.
pub trait Columns {
    fn int(&self, column: &str) -> Result<i64, StoreError>;
    fn text(&self, column: &str) -> Result<String, StoreError>;
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError>;
}

impl<R> Columns for R
where
    R: sqlx::Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn int(&self, column: &str) -> Result<i64, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn text(&self, column: &str) -> Result<String, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError> {
        Ok(self.try_get(column)?)
    }
}

/// An index's rows (`value`, `last_sequence`), streamed in any order,
/// digested; the value read as bytes (`text`) or as a big-endian integer.
pub async fn digest<R: Columns>(
    mut rows: impl tokio_stream::Stream<Item = Result<R, sqlx::Error>> + Unpin,
    value: &str,
    text: bool,
) -> Result<IndexDigest, StoreError> {
    use tokio_stream::StreamExt;
    let mut digest = IndexDigest::default();
    while let Some(row) = rows.next().await {
        let row = row?;
        let last = row.int("last_sequence")? as u64;
        if text {
            digest.add(row.text(value)?.as_bytes(), last);
        } else {
            digest.add(&row.int(value)?.to_be_bytes(), last);
        }
    }
    Ok(digest)
}

/// A ledger row selected with `LEDGER_COLUMNS`.
pub fn entry(row: &impl Columns) -> Result<StoredEntry, StoreError> {
    Ok(StoredEntry {
        sequence: row.int("sequence")? as u64,
        record_id: row.text("record_id")?,
        uscc: row.text("uscc")?,
        recorded_at: row.int("recorded_at")?,
        bytes: row.bytes("record")?,
    })
}

/// A checkpoint row selected with `CHECKPOINT_COLUMNS`.
pub fn checkpoint(row: &impl Columns) -> Result<StoredCheckpoint, StoreError> {
    Ok(StoredCheckpoint {
        tree_size: row.int("tree_size")? as u64,
        check_log_size: row.int("check_log_size")? as u64,
        created_at: row.int("created_at")?,
        bytes: row.bytes("checkpoint")?,
        key_id: row.text("key_id")?,
        signature: row.bytes("signature")?,
    })
}

/// A check-log block row selected with `BLOCK_COLUMNS`; a hash that is not
/// 32 bytes is inconsistent data.
pub fn block(row: &impl Columns) -> Result<CheckBlock, StoreError> {
    let last = row.int("last_sequence")?;
    let hash = |column: &str| -> Result<Hash, StoreError> {
        let bytes = row.bytes(column)?;
        Hash::try_from(bytes.as_slice()).map_err(|_| {
            StoreError::Inconsistent(format!("check-log block ending at entry {last}: {column} has {} bytes", bytes.len()))
        })
    };
    Ok(CheckBlock {
        first_sequence: row.int("first_sequence")? as u64,
        last_sequence: last as u64,
        min_at: row.int("min_at")?,
        max_at: row.int("max_at")?,
        chain_before: hash("chain_before")?,
        chain_hash: hash("chain_hash")?,
        entries: row.bytes("entries")?,
        code_keys: Vec::new(),
        callers: Vec::new(),
    })
}

/// The check log's size and last chain hash from its newest block row
/// (`last_sequence`, `chain_hash`); an empty log when there is none.
pub fn log_head(row: Option<&impl Columns>) -> Result<(u64, Hash), StoreError> {
    let Some(row) = row else { return Ok((0, [0; 32])) };
    let sequence = row.int("last_sequence")?;
    let chain = row.bytes("chain_hash")?;
    let chain = Hash::try_from(chain.as_slice()).map_err(|_| {
        StoreError::Inconsistent(format!("check-log entry {sequence} has a chain hash of {} bytes", chain.len()))
    })?;
    Ok((sequence as u64, chain))
}

/// A draw row selected with `DRAW_COLUMNS`, with its sampled codes in order.
pub fn draw(row: &impl Columns, codes: &[String]) -> Result<InspectionDraw, StoreError> {
    let id = row.text("draw_id")?;
    let corrupt = |reason: String| StoreError::CorruptDraw { id: id.clone(), reason };
    let evaluated_on = row.text("evaluated_on")?;
    Ok(InspectionDraw {
        region_prefix: row.text("region_prefix")?,
        seed: row.bytes("seed")?,
        evaluated_on: evaluated_on.parse().map_err(|e| corrupt(format!("evaluated_on: {e}")))?,
        policy_version: row.text("policy_version")?,
        drawn_at: chrono::DateTime::from_timestamp_nanos(row.int("drawn_at_ns")?),
        drawn_by: row.text("drawn_by")?,
        request_id: row.text("request_id")?,
        tree_size: row.int("tree_size")? as u64,
        sampled: codes.iter().map(|c| Uscc::parse(c).map_err(|e| corrupt(format!("code {c}: {e}")))).collect::<Result<_, _>>()?,
        id: id.clone(),
    })
}

/// The nodes at `positions`, in that order, from (position, hash) rows; a
/// missing or malformed one is inconsistent data.
pub fn nodes_in_order(positions: &[u64], rows: &[impl Columns]) -> Result<Vec<Hash>, StoreError> {
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        found.insert(row.int("position")? as u64, row.bytes("hash")?);
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

/// A record's place from its ledger columns; a code that does not parse
/// is corrupt data.
pub fn located(uscc: &str, sequence: i64, bytes: Vec<u8>) -> Result<Located, StoreError> {
    let sequence = sequence as u64;
    let uscc = Uscc::parse(uscc).map_err(|e| StoreError::Corrupt { sequence, reason: format!("its code '{uscc}': {e}") })?;
    Ok(Located { uscc, sequence, bytes })
}
