//! Verification of a whole store against itself and the registry's keys:
//! every leaf re-hashed from its stored bytes, the columns reads select by
//! compared with those bytes, every Merkle node recomputed, the check-log
//! chain recomputed and its columns and code index compared with its
//! entries, every checkpoint's signature checked and its root and check-log
//! head compared with what the store gives now. Stops at the first
//! divergence and says exactly where it is.
//!
//! A running registry keeps writing while this reads, so it first fixes
//! what it checks: the checkpoints stored so far, the tree nodes and the
//! ledger up to its head then. Everything a checkpoint signs was committed
//! before the checkpoint was stored, so it lies within those bounds.

use std::fmt::Write as _;

use super::checkpoints::{segment_commitment, sha256, signed_of};
use super::entry::{chain_hash, checked_at_micros, decode, valid_codes};
use super::segments::signed_of as signed_segment;
use super::{log, with_nodes};
use crate::ledger::merkle::{Frontier, Node, nodes_in, root};
use crate::ledger::signing::{PublicKey, hex, verify_checkpoint, verify_segment_head};
use crate::ledger::{self, Hash};
use crate::store::{CheckBlock, CheckFilter, CheckIndexDigests, Store, StoreError, StoredSegment, code_key};

/// Rows read at a time.
const PAGE: u32 = 2048;

/// What `verify` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub records_checked: u64,
    pub checkpoints_checked: u64,
    pub check_log_entries_checked: u64,
    /// The first divergence; `None` when everything verified.
    pub divergence: Option<Divergence>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The ledger sequence of the record at fault, when one is.
    pub sequence: Option<u64>,
    pub what: String,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.divergence.is_none()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = format!(
            "{} records, {} checkpoints, {} check-log entries checked",
            self.records_checked, self.checkpoints_checked, self.check_log_entries_checked
        );
        match &self.divergence {
            None => s.push_str(": the store verifies"),
            Some(d) => {
                let _ = write!(s, "\nDIVERGENCE");
                if let Some(seq) = d.sequence {
                    let _ = write!(s, " at ledger sequence {seq}");
                }
                let _ = write!(s, ": {}", d.what);
            }
        }
        f.write_str(&s)
    }
}

/// Checks the store; `keys` are the registry keys checkpoints may be signed with.
pub async fn verify(store: &Store, keys: &[PublicKey]) -> Result<Report, StoreError> {
    let mut report = Report::default();
    // In this order: each bound covers what the one before it signs.
    let last_checkpoint = store.last_checkpoint_id().await?;
    let node_count = store.node_count().await?;
    let head = store.head().await?;
    let size = match verify_tree(store, head, node_count, &mut report).await? {
        Some(size) => size,
        None => return Ok(report),
    };
    let segments = store.segments().await?;
    if let Some(what) = segment_fault(&segments, keys) {
        diverge(&mut report, None, what);
        return Ok(report);
    }
    let log_size = match verify_check_log(store, &segments, &mut report).await? {
        Some(n) => n,
        None => return Ok(report),
    };
    let log = Log { size: log_size, segments: &segments };
    verify_checkpoints(store, keys, last_checkpoint, size, log, &mut report).await?;
    Ok(report)
}

fn diverge(report: &mut Report, sequence: Option<u64>, what: String) {
    report.divergence = Some(Divergence { sequence, what });
}

/// Leaves and nodes of records up to `head`; the ledger's size when they verify.
async fn verify_tree(store: &Store, head: u64, node_count: u64, report: &mut Report) -> Result<Option<u64>, StoreError> {
    let mut frontier = Frontier::default();
    let mut completed = Vec::new();
    loop {
        let page = store.ledger_page(frontier.size(), head, PAGE).await?;
        let Some(last) = page.last() else { break };
        let first_node = nodes_in(frontier.size());
        let stored_nodes = store.node_range(first_node, nodes_in(last.sequence.max(frontier.size()))).await?;
        let mut stored_nodes = stored_nodes.into_iter().peekable();
        for entry in &page {
            let sequence = frontier.size() + 1;
            if entry.sequence != sequence {
                let what =
                    format!("record {sequence} is missing: the ledger goes from sequence {} to {}", sequence - 1, entry.sequence);
                diverge(report, Some(sequence), what);
                return Ok(None);
            }
            let leaf = ledger::leaf_hash(&entry.bytes);
            let fault = match ledger::decode(&entry.bytes) {
                Err(e) => Some(format!("record {sequence} does not decode: {e}")),
                Ok(record) if record.sequence != sequence => {
                    Some(format!("record {sequence} says it is sequence {}", record.sequence))
                }
                Ok(record) if record.id != entry.record_id || record.uscc.as_str() != entry.uscc => Some(format!(
                    "the columns of record {sequence} name record {} of {} but its bytes say record {} of {}",
                    entry.record_id, entry.uscc, record.id, record.uscc
                )),
                Ok(record) if record.recorded_at.timestamp_micros() != entry.recorded_at => Some(format!(
                    "the recorded_at column of record {sequence} differs from the time in its bytes, {}",
                    record.recorded_at
                )),
                Ok(_) => None,
            };
            if let Some(what) = fault {
                diverge(report, Some(sequence), what);
                return Ok(None);
            }
            let position = nodes_in(frontier.size());
            completed.clear();
            frontier.push(leaf, &mut completed);
            for (i, hash) in completed.iter().enumerate() {
                let position = position + i as u64;
                let stored = stored_nodes.next_if(|(p, _)| *p == position);
                if stored.as_ref().map(|(_, h)| h.as_slice()) != Some(hash.as_slice()) {
                    let node = node_at(position, sequence);
                    let (from, to) = node.sequences();
                    let what = match stored {
                        None => format!("Merkle node {position} (records {from}..{to}) is missing"),
                        Some((_, h)) if i == 0 => format!(
                            "the stored bytes of record {sequence} hash to leaf {} but the tree's leaf for it is {}: the record was changed after it was written",
                            hex(hash),
                            hex(&h)
                        ),
                        Some((_, h)) => format!(
                            "Merkle node {position} (records {from}..{to}) is stored as {} but the records give {}",
                            hex(&h),
                            hex(hash)
                        ),
                    };
                    diverge(report, Some(sequence), what);
                    return Ok(None);
                }
            }
            report.records_checked += 1;
        }
    }
    let size = frontier.size();
    if node_count > nodes_in(size) {
        let what = format!(
            "the Merkle tree has {node_count} nodes but the ledger's {size} records make {}: records after {size} are missing",
            nodes_in(size)
        );
        diverge(report, Some(size + 1), what);
        return Ok(None);
    }
    Ok(Some(size))
}

/// The node at `position`, which the leaf `sequence` completed.
fn node_at(position: u64, sequence: u64) -> Node {
    (0..64)
        .map(|level| Node { level, index: (sequence - 1) >> level })
        .find(|n| n.position() == position)
        .unwrap_or(Node { level: 0, index: sequence - 1 })
}

/// What is wrong with the sealed segments' heads: each signed by a
/// registry key, saying what its row says, numbered from 1, and going on
/// from the one before (entries, chain, and the hash of its head).
fn segment_fault(segments: &[StoredSegment], keys: &[PublicKey]) -> Option<String> {
    let mut previous: Option<&StoredSegment> = None;
    for (i, segment) in segments.iter().enumerate() {
        let n = segment.number;
        let head = match verify_segment_head(&signed_segment(segment), keys) {
            Ok(head) => head,
            Err(e) => return Some(format!("check-log segment {n}: {e}")),
        };
        let after = previous.map_or(0, |p| p.last_sequence);
        let fault = if n != i as u64 + 1 {
            Some(format!("segment {} is missing", i + 1))
        } else if (head.number as u64, head.first_sequence as u64, head.last_sequence as u64)
            != (n, segment.first_sequence, segment.last_sequence)
            || head.chain_hash != segment.chain_hash
        {
            Some("its stored columns differ from its signed head".into())
        } else if segment.first_sequence != after + 1 || segment.last_sequence < segment.first_sequence {
            Some(format!(
                "it covers entries {}..={} after a segment ending at {after}",
                segment.first_sequence, segment.last_sequence
            ))
        } else if head.chain_before != previous.map_or([0; 32], |p| p.chain_hash) {
            Some("its chain does not start where the segment before it ends".into())
        } else if head.previous_head_hash != previous.map(|p| sha256(&p.head)).unwrap_or_default() {
            Some("it does not name the head of the segment before it".into())
        } else {
            None
        };
        if let Some(what) = fault {
            return Some(format!("check-log segment {n}: {what}"));
        }
        previous = Some(segment);
    }
    None
}

/// The check-log chain, each block's columns, and the code, caller and
/// organisation indexes against the entries; the log's length when it verifies. The
/// live chain starts where the segments that left the live store end (their
/// exported files are verified alone); each sealed segment still live must
/// end, block-aligned, on its signed chain hash.
async fn verify_check_log(store: &Store, segments: &[StoredSegment], report: &mut Report) -> Result<Option<u64>, StoreError> {
    let mut size = 0u64;
    let mut chain: Hash = [0; 32];
    let mut expected = CheckIndexDigests::default();
    // The segments in order (`segment_fault` has checked that they follow
    // one another), consumed as the chain passes their ends.
    let mut upcoming = segments.iter().peekable();
    type Upcoming<'s> = std::iter::Peekable<std::slice::Iter<'s, StoredSegment>>;
    // Past segments that left the live store: the chain goes on from their heads.
    fn skip_removed(upcoming: &mut Upcoming<'_>, size: &mut u64, chain: &mut Hash) {
        while let Some(s) = upcoming.next_if(|s| s.removed_at.is_some() && s.first_sequence == *size + 1) {
            (*size, *chain) = (s.last_sequence, s.chain_hash);
        }
    }
    loop {
        skip_removed(&mut upcoming, &mut size, &mut chain);
        let blocks = store.check_blocks(&CheckFilter { after: size, ..CheckFilter::default() }, 64).await?;
        if blocks.is_empty() {
            break;
        }
        for block in blocks {
            skip_removed(&mut upcoming, &mut size, &mut chain);
            if let Some(what) = block_fault(&block, size, &mut chain, &mut expected, report) {
                diverge(report, None, what);
                return Ok(None);
            }
            size = block.last_sequence;
            while let Some(s) = upcoming.next_if(|s| s.last_sequence <= size) {
                let what = if s.last_sequence != size {
                    "it ends inside a block"
                } else if s.chain_hash != chain {
                    "its entries no longer chain to its signed head"
                } else {
                    continue;
                };
                diverge(report, None, format!("check-log segment {}: {what}", s.number));
                return Ok(None);
            }
        }
    }
    if let Some(s) = upcoming.peek() {
        let what = format!("check-log segment {} ends at entry {} but the log holds {size}", s.number, s.last_sequence);
        diverge(report, None, what);
        return Ok(None);
    }
    let stored = store.check_index_digests(size).await?;
    for (name, stored, expected) in [
        ("code", stored.codes, expected.codes),
        ("caller", stored.callers, expected.callers),
        ("organisation", stored.organisations, expected.organisations),
    ] {
        if stored != expected {
            let what = format!(
                "the check log's {name} index differs from its entries: {} rows indexed, {} expected",
                stored.rows, expected.rows
            );
            diverge(report, None, what);
            return Ok(None);
        }
    }
    Ok(Some(size))
}

/// The check log as verified: its size and its sealed segments.
#[derive(Clone, Copy)]
struct Log<'a> {
    size: u64,
    segments: &'a [StoredSegment],
}

impl Log<'_> {
    /// The chain hash after `n` entries, when it can be known from the live
    /// store: read from the log, or a segment's signed head when entry `n`
    /// ends one; `None` inside a segment that left the live store.
    async fn head_at(&self, store: &Store, n: u64) -> Result<Option<Hash>, StoreError> {
        // The segment holding entry `n`, if any: they follow one another.
        let holding = self.segments.get(self.segments.partition_point(|s| s.last_sequence < n));
        match holding {
            Some(s) if s.last_sequence == n => Ok(Some(s.chain_hash)),
            Some(s) if s.removed_at.is_some() && s.first_sequence <= n => Ok(None),
            _ => Ok(Some(log::head_at(store, n).await?)),
        }
    }

    /// What a checkpoint signing `sealed` segments and `hash` should sign.
    fn segment_fault(&self, sealed: i64, hash: &[u8]) -> Option<String> {
        let newest = match sealed {
            0 => None,
            n => Some(self.segments.get(n as usize - 1)?),
        };
        let (_, expected) = segment_commitment(newest);
        (hash != expected.as_slice())
            .then(|| format!("it signs {sealed} sealed segments, whose newest head is not the one stored"))
    }
}

/// What is wrong with `block`, stored after `size` entries whose chain
/// ends in `chain`; adds its index rows to the digests.
fn block_fault(
    block: &CheckBlock,
    size: u64,
    chain: &mut Hash,
    expected: &mut CheckIndexDigests,
    report: &mut Report,
) -> Option<String> {
    let (first, last) = (block.first_sequence, block.last_sequence);
    if first != size + 1 {
        return Some(format!("check-log entry {} is missing: the log goes from {size} to {first}", size + 1));
    }
    if block.chain_before != *chain {
        return Some(format!("check-log block {first}..={last}: chain_before is not the chain hash of entry {size}"));
    }
    let entries = match block.entries() {
        Ok(entries) => entries,
        Err(e) => return Some(e.to_string()),
    };
    let (mut block_codes, mut block_callers, mut block_organisations) = (Vec::new(), Vec::new(), Vec::new());
    let (mut min_at, mut max_at) = (i64::MAX, i64::MIN);
    for (n, bytes) in entries {
        *chain = chain_hash(chain, bytes);
        let entry = match decode(n, bytes) {
            Ok(entry) => entry,
            Err(e) => return Some(e.to_string()),
        };
        if entry.sequence != n as i64 {
            return Some(format!("check-log entry {n} says it is entry {}", entry.sequence));
        }
        let at = checked_at_micros(&entry);
        (min_at, max_at) = (min_at.min(at), max_at.max(at));
        block_codes.extend(valid_codes(&entry));
        block_callers.push(entry.caller_subject);
        if !entry.caller_organisation.is_empty() {
            block_organisations.push(entry.caller_organisation);
        }
        report.check_log_entries_checked += 1;
    }
    if *chain != block.chain_hash {
        return Some(format!(
            "check-log block {first}..={last} does not chain: bytes of an entry in it or before it were changed"
        ));
    }
    if (min_at, max_at) != (block.min_at, block.max_at) {
        return Some(format!("check-log block {first}..={last}: min_at or max_at differs from its entries"));
    }
    block_codes.sort_unstable();
    block_codes.dedup();
    for list in [&mut block_callers, &mut block_organisations] {
        list.sort_unstable();
        list.dedup();
    }
    let mut keys: Vec<i64> = block_codes.iter().map(|c| code_key(c)).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        expected.codes.add(&key.to_be_bytes(), last);
    }
    for caller in block_callers {
        expected.callers.add(caller.as_bytes(), last);
    }
    for organisation in block_organisations {
        expected.organisations.add(organisation.as_bytes(), last);
    }
    None
}

/// Every stored checkpoint: signature, root against the verified tree,
/// check-log head against the verified chain.
async fn verify_checkpoints(
    store: &Store,
    keys: &[PublicKey],
    last: i64,
    size: u64,
    log: Log<'_>,
    report: &mut Report,
) -> Result<(), StoreError> {
    let log_size = log.size;
    let mut after = 0;
    while after < last {
        let page = store.checkpoint_page(after, PAGE).await?;
        if page.first().is_none_or(|(id, _)| *id > last) {
            break;
        }
        for (id, stored) in page.into_iter().take_while(|(id, _)| *id <= last) {
            if id != after + 1 {
                diverge(report, None, format!("checkpoint #{} is missing: the checkpoints go from #{after} to #{id}", after + 1));
                return Ok(());
            }
            after = id;
            let checkpoint = match verify_checkpoint(&signed_of(&stored), keys) {
                Ok(c) => c,
                Err(e) => {
                    diverge(report, None, format!("checkpoint #{id} (tree size {}): {e}", stored.tree_size));
                    return Ok(());
                }
            };
            let tree_size = checkpoint.tree_size as u64;
            let what = if tree_size != stored.tree_size || checkpoint.check_log_size as u64 != stored.check_log_size {
                Some((None, format!("checkpoint #{id}: its stored sizes differ from what it signs")))
            } else if tree_size > size {
                Some((
                    Some(size + 1),
                    format!(
                        "checkpoint #{id} signs a tree of {tree_size} records but the ledger holds {size}: records {}..{tree_size} are missing",
                        size + 1
                    ),
                ))
            } else if checkpoint.check_log_size as u64 > log_size {
                Some((
                    None,
                    format!(
                        "checkpoint #{id} signs a check log of {} entries but it holds {log_size}",
                        checkpoint.check_log_size
                    ),
                ))
            } else if checkpoint.sealed_segments as usize > log.segments.len() {
                Some((
                    None,
                    format!(
                        "checkpoint #{id} signs {} sealed segments but the store holds {}",
                        checkpoint.sealed_segments,
                        log.segments.len()
                    ),
                ))
            } else if let Some(what) = log.segment_fault(checkpoint.sealed_segments, &checkpoint.segment_head_hash) {
                Some((None, format!("checkpoint #{id}: {what}")))
            } else {
                let now = with_nodes(store, |nodes| root(tree_size, nodes)).await?;
                let log_head = log.head_at(store, checkpoint.check_log_size as u64).await?;
                if checkpoint.root_hash != now {
                    Some((
                        None,
                        format!(
                            "checkpoint #{id} signs root {} for {tree_size} records but the ledger gives {}",
                            hex(&checkpoint.root_hash),
                            hex(&now)
                        ),
                    ))
                } else if log_head.is_some_and(|h| checkpoint.check_log_head != h) {
                    Some((None, format!("checkpoint #{id} signs a check-log head the log no longer has")))
                } else {
                    None
                }
            };
            if let Some((sequence, what)) = what {
                diverge(report, sequence, what);
                return Ok(());
            }
            report.checkpoints_checked += 1;
        }
    }
    if after < last {
        let what = if after + 1 == last {
            format!("checkpoint #{last}, the newest, is missing")
        } else {
            format!("checkpoints #{}..#{last} are missing", after + 1)
        };
        diverge(report, None, what);
    }
    Ok(())
}
