//! What both backends read back the same way: the columns their queries
//! select, and rows mapped to the store's types. Each backend says only how
//! one of its rows gives an integer, a text or bytes (`Columns`), which
//! any sqlx row that decodes those does.

use std::collections::HashMap;

use super::{
    FoundKeys, IndexDigest, Located, StoreError, StoredCheckBlock, StoredCheckpoint, StoredEntry, StoredKey, StoredSegment,
};
use crate::domain::rules::supervision::InspectionDraw;
use crate::domain::uscc::Uscc;
use crate::ledger::Hash;

pub const LEDGER_COLUMNS: &str = "SELECT sequence, record_id, uscc, recorded_at, record FROM ledger";

pub const CHECKPOINT_COLUMNS: &str =
    "SELECT id, tree_size, check_log_size, created_at, checkpoint, key_id, signature FROM checkpoints";

pub const KEY_COLUMNS: &str = "SELECT key_id, public_key, added_at, retired_at FROM registry_keys
                                      ORDER BY retired_at IS NOT NULL, retired_at DESC";

/// When the newest stored checkpoint was created.
pub const NEWEST_CHECKPOINT_AT: &str = "SELECT created_at FROM checkpoints ORDER BY id DESC LIMIT 1";

/// Whether checkpoints the first of which was created at `first` come
/// less than `spacing` after the newest stored one (`newest`).
pub fn too_soon(newest: Option<i64>, first: i64, spacing: std::time::Duration) -> bool {
    newest.is_some_and(|at| first.saturating_sub(at) < spacing.as_micros() as i64)
}

/// A key row selected with `KEY_COLUMNS`.
pub fn key(row: &impl Columns) -> Result<StoredKey, StoreError> {
    Ok(StoredKey {
        key_id: row.text("key_id")?,
        public_key: row.bytes("public_key")?,
        added_at: row.int("added_at")?,
        retired_at: row.optional_int("retired_at")?,
    })
}

pub const DRAW_COLUMNS: &str = "SELECT draw_id, region_prefix, seed, evaluated_on, policy_version, drawn_at_ns,
                                   drawn_by, request_id, tree_size FROM inspection_draws";

pub const BLOCK_COLUMNS: &str =
    "SELECT b.first_sequence, b.last_sequence, b.min_at, b.max_at, b.chain_before, b.chain_hash, b.entries, b.encoding
     FROM check_blocks b";

pub const SEGMENT_COLUMNS: &str = "SELECT number, first_sequence, last_sequence, min_at, max_at, chain_hash, head, key_id,
                                          signature, exported_at, removed_at FROM check_segments";

/// The check log's last entry and chain hash: the newest block's, or the
/// newest segment's when every block has left with its segment.
pub const LOG_HEAD: &str = "SELECT last_sequence, chain_hash FROM (
        SELECT * FROM (SELECT last_sequence, chain_hash FROM check_blocks ORDER BY last_sequence DESC LIMIT 1) AS b
        UNION ALL
        SELECT * FROM (SELECT last_sequence, chain_hash FROM check_segments ORDER BY last_sequence DESC LIMIT 1) AS s
    ) AS h ORDER BY last_sequence DESC LIMIT 1";

/// A row's columns by name, as each backend decodes them.
pub trait Columns {
    fn int(&self, column: &str) -> Result<i64, StoreError>;
    fn text(&self, column: &str) -> Result<String, StoreError>;
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError>;
    fn optional_int(&self, column: &str) -> Result<Option<i64>, StoreError>;
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
    fn optional_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
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

/// A check-log block row selected with `BLOCK_COLUMNS`, its entries as
/// stored; a hash that is not 32 bytes is inconsistent data.
pub fn block(row: &impl Columns) -> Result<StoredCheckBlock, StoreError> {
    let last = row.int("last_sequence")?;
    let fault = |what: String| StoreError::Inconsistent(format!("check-log block ending at entry {last}: {what}"));
    let hash = |column: &str| -> Result<Hash, StoreError> {
        let bytes = row.bytes(column)?;
        Hash::try_from(bytes.as_slice()).map_err(|_| fault(format!("{column} has {} bytes", bytes.len())))
    };
    Ok(StoredCheckBlock {
        first_sequence: row.int("first_sequence")? as u64,
        last_sequence: last as u64,
        min_at: row.int("min_at")?,
        max_at: row.int("max_at")?,
        chain_before: hash("chain_before")?,
        chain_hash: hash("chain_hash")?,
        encoding: row.int("encoding")?,
        bytes: row.bytes("entries")?,
        code_keys: Vec::new(),
        callers: Vec::new(),
        organisations: Vec::new(),
    })
}

/// A block's text indexes: (table, column, the block's distinct values).
pub fn text_indexes(block: &StoredCheckBlock) -> [(&'static str, &'static str, &[String]); 2] {
    [
        ("check_block_callers", "caller_subject", &block.callers),
        ("check_block_organisations", "organisation", &block.organisations),
    ]
}

/// A segment row selected with `SEGMENT_COLUMNS`.
pub fn segment(row: &impl Columns) -> Result<StoredSegment, StoreError> {
    let number = row.int("number")?;
    let chain = row.bytes("chain_hash")?;
    Ok(StoredSegment {
        number: number as u64,
        first_sequence: row.int("first_sequence")? as u64,
        last_sequence: row.int("last_sequence")? as u64,
        min_at: row.int("min_at")?,
        max_at: row.int("max_at")?,
        chain_hash: Hash::try_from(chain.as_slice())
            .map_err(|_| StoreError::Inconsistent(format!("check-log segment {number}: chain_hash has {} bytes", chain.len())))?,
        head: row.bytes("head")?,
        key_id: row.text("key_id")?,
        signature: row.bytes("signature")?,
        exported_at: row.optional_int("exported_at")?,
        removed_at: row.optional_int("removed_at")?,
    })
}

/// The check log's size and last chain hash from a `LOG_HEAD` row
/// (`last_sequence`, `chain_hash`); an empty log when there is none.
pub fn log_head(row: Option<&impl Columns>) -> Result<(u64, Hash), StoreError> {
    let Some(row) = row else {
        return Ok((0, [0; 32]));
    };
    let sequence = row.int("last_sequence")?;
    let chain = row.bytes("chain_hash")?;
    let chain = Hash::try_from(chain.as_slice())
        .map_err(|_| StoreError::Inconsistent(format!("check-log entry {sequence} has a chain hash of {} bytes", chain.len())))?;
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

/// A record's place from its row (`record_id`, `uscc`, `sequence`,
/// `record`), keyed by record id; a code that does not parse is corrupt
/// data.
pub fn located(row: &impl Columns) -> Result<(String, Located), StoreError> {
    let sequence = row.int("sequence")? as u64;
    let uscc = row.text("uscc")?;
    let uscc = Uscc::parse(&uscc).map_err(|e| StoreError::Corrupt { sequence, reason: format!("its code '{uscc}': {e}") })?;
    Ok((row.text("record_id")?, Located { uscc, sequence, bytes: row.bytes("record")? }))
}

/// A found idempotency key from its row: `t` (0 a request id, 1 a
/// decision number), the key's two parts `a` and `b`, and the record
/// holding it (as `located`).
pub fn found_key(found: &mut FoundKeys, row: &impl Columns) -> Result<(), StoreError> {
    let (id, place) = located(row)?;
    let keys = &mut found.keys;
    let into = if row.int("t")? == 0 { &mut keys.requests } else { &mut keys.decisions };
    into.insert((row.text("a")?, row.text("b")?), id.clone());
    found.places.insert(id, place);
    Ok(())
}

/// A sequence or size as a signed 64-bit column; "no bound" (`u64::MAX`) is
/// the largest.
pub fn clamp(value: u64) -> i64 {
    value.min(i64::MAX as u64) as i64
}
