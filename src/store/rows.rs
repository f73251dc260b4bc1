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

/// Ledger rows read at a time by a scan: whole pages, read while nothing
/// waits on them (streaming rows to a slower reader costs a thread switch
/// per row on SQLite).
pub const SCAN_PAGE: u32 = 8192;

/// The `Backend` methods whose SQL reads the same on both backends, written
/// once and expanded in each backend's `impl Backend`: `$db` is the sqlx
/// database, `$ledger` and `$audit` the fields holding the pools for the
/// ledger (and draws) and for the check log and checkpoints.
macro_rules! same_on_both {
    ($db:ty, $ledger:ident, $audit:ident) => {
        async fn scan_ledger(
            &self,
            mut after: u64,
            mut each: impl FnMut($crate::store::StoredEntry) -> Result<(), $crate::store::StoreError>,
        ) -> Result<(), $crate::store::StoreError> {
            loop {
                let page = self.ledger_page(after, u64::MAX, $crate::store::rows::SCAN_PAGE).await?;
                let Some(last) = page.last() else { return Ok(()) };
                after = last.sequence;
                for entry in page {
                    each(entry)?;
                }
            }
        }

        async fn head(&self) -> Result<u64, $crate::store::StoreError> {
            let head: Option<i64> = sqlx::query_scalar("SELECT MAX(sequence) FROM ledger").fetch_one(&self.$ledger).await?;
            Ok(head.unwrap_or(0) as u64)
        }

        async fn node_count(&self) -> Result<u64, $crate::store::StoreError> {
            let next: Option<i64> =
                sqlx::query_scalar("SELECT MAX(position) + 1 FROM merkle_nodes").fetch_one(&self.$ledger).await?;
            Ok(next.unwrap_or(0) as u64)
        }

        async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, $crate::store::StoreError> {
            use sqlx::Row;
            use $crate::store::rows::clamp;
            let rows =
                sqlx::query("SELECT position, hash FROM merkle_nodes WHERE position >= $1 AND position < $2 ORDER BY position")
                    .bind(clamp(from))
                    .bind(clamp(to))
                    .fetch_all(&self.$ledger)
                    .await?;
            rows.iter().map(|row| Ok((row.try_get::<i64, _>("position")? as u64, row.try_get("hash")?))).collect()
        }

        async fn ledger_page(
            &self,
            after: u64,
            until: u64,
            limit: u32,
        ) -> Result<Vec<$crate::store::StoredEntry>, $crate::store::StoreError> {
            use $crate::store::rows::{self, LEDGER_COLUMNS, clamp};
            let rows =
                sqlx::query(&format!("{LEDGER_COLUMNS} WHERE sequence > $1 AND sequence <= $2 ORDER BY sequence LIMIT $3"))
                    .bind(clamp(after))
                    .bind(clamp(until))
                    .bind(i64::from(limit))
                    .fetch_all(&self.$ledger)
                    .await?;
            rows.iter().map(rows::entry).collect()
        }

        async fn entity_ledger(
            &self,
            uscc: &str,
            until: u64,
        ) -> Result<Vec<$crate::store::StoredEntry>, $crate::store::StoreError> {
            use $crate::store::rows::{self, LEDGER_COLUMNS, clamp};
            let rows = sqlx::query(&format!("{LEDGER_COLUMNS} WHERE uscc = $1 AND sequence <= $2 ORDER BY sequence"))
                .bind(uscc)
                .bind(clamp(until))
                .fetch_all(&self.$ledger)
                .await?;
            rows.iter().map(rows::entry).collect()
        }

        async fn check_log_head(&self) -> Result<(u64, $crate::ledger::Hash), $crate::store::StoreError> {
            let row = sqlx::query($crate::store::rows::LOG_HEAD).fetch_optional(&self.$audit).await?;
            $crate::store::rows::log_head(row.as_ref())
        }

        async fn check_blocks(
            &self,
            filter: &$crate::store::CheckFilter,
            limit: u32,
        ) -> Result<Vec<$crate::store::StoredCheckBlock>, $crate::store::StoreError> {
            use $crate::store::rows::{self, BLOCK_COLUMNS, clamp};
            let mut sql = sqlx::QueryBuilder::<$db>::new(BLOCK_COLUMNS);
            if let Some(key) = filter.code_key {
                sql.push(" JOIN check_block_codes k ON k.last_sequence = b.last_sequence AND k.code_key = ").push_bind(key);
            }
            if let Some(caller) = &filter.caller_subject {
                sql.push(" JOIN check_block_callers c ON c.last_sequence = b.last_sequence AND c.caller_subject = ")
                    .push_bind(caller);
            }
            if let Some(organisation) = &filter.organisation {
                sql.push(" JOIN check_block_organisations o ON o.last_sequence = b.last_sequence AND o.organisation = ")
                    .push_bind(organisation);
            }
            sql.push(" WHERE b.last_sequence > ").push_bind(clamp(filter.after));
            if let Some(from) = filter.from {
                sql.push(" AND b.max_at >= ").push_bind(from);
            }
            if let Some(until) = filter.until {
                sql.push(" AND b.min_at <= ").push_bind(until);
            }
            sql.push(" ORDER BY b.last_sequence LIMIT ").push_bind(i64::from(limit));
            let rows = sql.build().fetch_all(&self.$audit).await?;
            rows.iter().map(rows::block).collect()
        }

        async fn check_index_digests(&self, until: u64) -> Result<$crate::store::CheckIndexDigests, $crate::store::StoreError> {
            use $crate::store::rows::clamp;
            let index =
                |table: &str, column: &str| format!("SELECT {column}, last_sequence FROM {table} WHERE last_sequence <= $1");
            let (codes, callers, organisations) = (
                index("check_block_codes", "code_key"),
                index("check_block_callers", "caller_subject"),
                index("check_block_organisations", "organisation"),
            );
            let codes = sqlx::query(&codes).bind(clamp(until)).fetch(&self.$audit);
            let codes = rows::digest(codes, "code_key", false).await?;
            let callers = sqlx::query(&callers).bind(clamp(until)).fetch(&self.$audit);
            let callers = rows::digest(callers, "caller_subject", true).await?;
            let organisations = sqlx::query(&organisations).bind(clamp(until)).fetch(&self.$audit);
            let organisations = rows::digest(organisations, "organisation", true).await?;
            Ok($crate::store::CheckIndexDigests { codes, callers, organisations })
        }

        async fn checkpoint(
            &self,
            tree_size: Option<u64>,
        ) -> Result<Option<$crate::store::StoredCheckpoint>, $crate::store::StoreError> {
            use $crate::store::rows::{self, CHECKPOINT_COLUMNS, clamp};
            let row = match tree_size {
                Some(size) => {
                    sqlx::query(&format!("{CHECKPOINT_COLUMNS} WHERE tree_size = $1 ORDER BY id DESC LIMIT 1"))
                        .bind(clamp(size))
                        .fetch_optional(&self.$audit)
                        .await?
                }
                None => {
                    sqlx::query(&format!("{CHECKPOINT_COLUMNS} ORDER BY tree_size DESC, id DESC LIMIT 1"))
                        .fetch_optional(&self.$audit)
                        .await?
                }
            };
            row.as_ref().map(rows::checkpoint).transpose()
        }

        async fn checkpoint_page(
            &self,
            after_id: i64,
            limit: u32,
        ) -> Result<Vec<(i64, $crate::store::StoredCheckpoint)>, $crate::store::StoreError> {
            use sqlx::Row;
            use $crate::store::rows::{self, CHECKPOINT_COLUMNS};
            let rows = sqlx::query(&format!("{CHECKPOINT_COLUMNS} WHERE id > $1 ORDER BY id LIMIT $2"))
                .bind(after_id)
                .bind(i64::from(limit))
                .fetch_all(&self.$audit)
                .await?;
            rows.iter().map(|row| Ok((row.try_get("id")?, rows::checkpoint(row)?))).collect()
        }

        async fn draw(
            &self,
            id: &str,
        ) -> Result<Option<$crate::domain::rules::supervision::InspectionDraw>, $crate::store::StoreError> {
            use $crate::store::rows::{self, DRAW_COLUMNS};
            let Some(row) =
                sqlx::query(&format!("{DRAW_COLUMNS} WHERE draw_id = $1")).bind(id).fetch_optional(&self.$ledger).await?
            else {
                return Ok(None);
            };
            let codes: Vec<String> =
                sqlx::query_scalar("SELECT uscc FROM inspection_draw_codes WHERE draw_id = $1 ORDER BY position")
                    .bind(id)
                    .fetch_all(&self.$ledger)
                    .await?;
            rows::draw(&row, &codes).map(Some)
        }

        async fn seal_segment(&self, segment: &$crate::store::StoredSegment) -> Result<bool, $crate::store::StoreError> {
            use sqlx::Row;
            use $crate::store::StoreError;
            use $crate::store::rows::clamp;
            let mut tx = self.$audit.begin().await?;
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
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
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
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            tx.commit().await?;
            Ok(inserted)
        }

        async fn complete_backfills(
            &self,
            upgrade: &dyn $crate::store::CheckLogUpgrade,
        ) -> Result<(), $crate::store::StoreError> {
            use $crate::store::rows::{self, BLOCK_COLUMNS, clamp};
            let mut tx = self.$audit.begin().await?;
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
                for chunk in indexed.chunks(500) {
                    let mut insert =
                        sqlx::QueryBuilder::<$db>::new("INSERT INTO check_block_organisations (organisation, last_sequence) ");
                    insert.push_values(chunk, |mut row, (organisation, last)| {
                        row.push_bind(organisation.as_str()).push_bind(*last);
                    });
                    insert.push(" ON CONFLICT DO NOTHING");
                    insert.build().execute(&mut *tx).await?;
                }
            }
            sqlx::query("DELETE FROM pending_backfills WHERE name = 'organisations'").execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn block_span(&self, after: u64, until: u64) -> Result<(i64, i64), $crate::store::StoreError> {
            use sqlx::Row;
            use $crate::store::rows::clamp;
            let row =
                sqlx::query("SELECT MIN(min_at), MAX(max_at) FROM check_blocks WHERE last_sequence > $1 AND last_sequence <= $2")
                    .bind(clamp(after))
                    .bind(clamp(until))
                    .fetch_one(&self.$audit)
                    .await?;
            Ok((row.try_get::<Option<i64>, _>(0)?.unwrap_or(0), row.try_get::<Option<i64>, _>(1)?.unwrap_or(0)))
        }

        async fn segments(&self) -> Result<Vec<$crate::store::StoredSegment>, $crate::store::StoreError> {
            use $crate::store::rows::{self, SEGMENT_COLUMNS};
            let rows = sqlx::query(&format!("{SEGMENT_COLUMNS} ORDER BY number")).fetch_all(&self.$audit).await?;
            rows.iter().map(rows::segment).collect()
        }

        async fn removed_segments(
            &self,
            filter: &$crate::store::CheckFilter,
        ) -> Result<Vec<$crate::store::StoredSegment>, $crate::store::StoreError> {
            use $crate::store::rows::{self, SEGMENT_COLUMNS, clamp};
            let mut sql = sqlx::QueryBuilder::<$db>::new(SEGMENT_COLUMNS);
            sql.push(" WHERE removed_at IS NOT NULL AND last_sequence > ").push_bind(clamp(filter.after));
            if let Some(from) = filter.from {
                sql.push(" AND max_at >= ").push_bind(from);
            }
            if let Some(until) = filter.until {
                sql.push(" AND min_at <= ").push_bind(until);
            }
            sql.push(" ORDER BY number");
            let rows = sql.build().fetch_all(&self.$audit).await?;
            rows.iter().map(rows::segment).collect()
        }

        async fn expired_segments(&self, cutoff: i64) -> Result<Vec<u64>, $crate::store::StoreError> {
            let numbers: Vec<i64> = sqlx::query_scalar(
                "SELECT number FROM check_segments
                 WHERE exported_at IS NOT NULL AND removed_at IS NULL AND max_at <= $1 ORDER BY number",
            )
            .bind(cutoff)
            .fetch_all(&self.$audit)
            .await?;
            Ok(numbers.into_iter().map(|n| n as u64).collect())
        }

        async fn mark_exported(&self, number: u64, at: i64) -> Result<(), $crate::store::StoreError> {
            sqlx::query("UPDATE check_segments SET exported_at = COALESCE(exported_at, $1) WHERE number = $2")
                .bind(at)
                .bind($crate::store::rows::clamp(number))
                .execute(&self.$audit)
                .await?;
            Ok(())
        }

        async fn remove_segment(&self, number: u64, at: i64) -> Result<(), $crate::store::StoreError> {
            use sqlx::Row;
            use $crate::store::rows::clamp;
            let mut tx = self.$audit.begin().await?;
            let row = sqlx::query("SELECT first_sequence, last_sequence, exported_at FROM check_segments WHERE number = $1")
                .bind(clamp(number))
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err($crate::store::StoreError::Inconsistent(format!("there is no check-log segment {number}")));
            };
            if row.try_get::<Option<i64>, _>(2)?.is_none() {
                return Err($crate::store::StoreError::Inconsistent(format!(
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

        async fn registry_keys(&self) -> Result<Vec<$crate::store::StoredKey>, $crate::store::StoreError> {
            let rows = sqlx::query($crate::store::rows::KEY_COLUMNS).fetch_all(&self.$ledger).await?;
            rows.iter().map($crate::store::rows::key).collect()
        }

        async fn adopt_registry_key(
            &self,
            key: &$crate::store::StoredKey,
        ) -> Result<Vec<$crate::store::StoredKey>, $crate::store::StoreError> {
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
            .execute(&self.$ledger)
            .await?;
            self.registry_keys().await
        }

        async fn rotate_registry_key(
            &self,
            key: &$crate::store::StoredKey,
        ) -> Result<Option<$crate::store::StoredKey>, $crate::store::StoreError> {
            let mut tx = self.$ledger.begin().await?;
            let known: Option<String> = sqlx::query_scalar("SELECT key_id FROM registry_keys WHERE key_id = $1")
                .bind(&key.key_id)
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_some() {
                return Err($crate::store::StoreError::Inconsistent(format!(
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
            retired.as_ref().map($crate::store::rows::key).transpose()
        }

        /// A draw saved once per (drawer, request id): a repeat returns the
        /// draw first saved.
        async fn save_draw(
            &self,
            draw: &$crate::domain::rules::supervision::InspectionDraw,
        ) -> Result<$crate::domain::rules::supervision::InspectionDraw, $crate::store::StoreError> {
            let mut tx = self.$ledger.begin().await?;
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
            .bind($crate::store::rows::clamp(draw.tree_size))
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if inserted {
                insert_draw_codes(&mut tx, draw).await?;
            }
            tx.commit().await?;
            if inserted {
                return Ok(draw.clone());
            }
            let id: String = sqlx::query_scalar("SELECT draw_id FROM inspection_draws WHERE drawn_by = $1 AND request_id = $2")
                .bind(&draw.drawn_by)
                .bind(&draw.request_id)
                .fetch_one(&self.$ledger)
                .await?;
            self.draw(&id)
                .await?
                .ok_or_else(|| $crate::store::StoreError::Inconsistent(format!("draw {id} went while it was being read")))
        }
    };
}
pub(super) use same_on_both;

/// A free function `insert_block_row(tx, block)`, the same on both
/// backends, expanded in each with its sqlx database `$db`: a check-log
/// block's row; returns its last sequence as stored,
/// for its index rows.
macro_rules! insert_block_row {
    ($db:ty) => {
        async fn insert_block_row(
            tx: &mut sqlx::Transaction<'_, $db>,
            block: &$crate::store::StoredCheckBlock,
        ) -> Result<i64, $crate::store::StoreError> {
            use $crate::store::rows::clamp;
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
    };
}
pub(super) use insert_block_row;
