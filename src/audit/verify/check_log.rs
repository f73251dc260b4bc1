//! The check log verified: its chain, each block's columns and its
//! indexes against the entries, and the sealed segments' heads.

use crate::audit::block::{self, code_key};
use crate::audit::checkpoints::{segment_commitment, sha256};
use crate::audit::entry::{chain_hash, checked_at_micros, decode, valid_codes};
use crate::audit::log;
use crate::audit::segments::signed_of as signed_segment;
use crate::ledger::Hash;
use crate::ledger::signing::{PublicKey, verify_segment_head};
use crate::store::{Audit, AuditStore, CheckFilter, CheckIndexDigests, StoreError, StoredCheckBlock, StoredSegment};

use super::{Report, diverge};

/// What is wrong with the sealed segments' heads: each signed by a
/// registry key, saying what its row says, numbered from 1, and going on
/// from the one before (entries, chain, and the hash of its head).
pub(super) fn segment_fault(segments: &[StoredSegment], keys: &[PublicKey]) -> Option<String> {
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
pub(super) async fn verify_check_log(
    store: &Audit,
    segments: &[StoredSegment],
    report: &mut Report,
) -> Result<Option<u64>, StoreError> {
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
pub(super) struct Log<'a> {
    pub(super) size: u64,
    pub(super) segments: &'a [StoredSegment],
}

impl Log<'_> {
    /// The chain hash after `n` entries, when it can be known from the live
    /// store: read from the log, or a segment's signed head when entry `n`
    /// ends one; `None` inside a segment that left the live store.
    pub(super) async fn head_at(&self, store: &Audit, n: u64) -> Result<Option<Hash>, StoreError> {
        // The segment holding entry `n`, if any: they follow one another.
        let holding = self.segments.get(self.segments.partition_point(|s| s.last_sequence < n));
        match holding {
            Some(s) if s.last_sequence == n => Ok(Some(s.chain_hash)),
            Some(s) if s.removed_at.is_some() && s.first_sequence <= n => Ok(None),
            _ => Ok(Some(log::head_at(store, n).await?)),
        }
    }

    /// What a checkpoint signing `sealed` segments and `hash` should sign.
    pub(super) fn segment_fault(&self, sealed: i64, hash: &[u8]) -> Option<String> {
        let newest = match sealed {
            0 => None,
            n => Some(self.segments.get(n as usize - 1)?),
        };
        let (_, expected) = segment_commitment(newest);
        (hash != expected.as_slice())
            .then(|| format!("it signs {sealed} sealed segments, whose newest head is not the one stored"))
    }
}

/// What is wrong with block `stored`, stored after `size` entries whose chain
/// ends in `chain`; adds its index rows to the digests.
fn block_fault(
    stored: &StoredCheckBlock,
    size: u64,
    chain: &mut Hash,
    expected: &mut CheckIndexDigests,
    report: &mut Report,
) -> Option<String> {
    let (first, last) = (stored.first_sequence, stored.last_sequence);
    if first != size + 1 {
        return Some(format!("check-log entry {} is missing: the log goes from {size} to {first}", size + 1));
    }
    if stored.chain_before != *chain {
        return Some(format!("check-log block {first}..={last}: chain_before is not the chain hash of entry {size}"));
    }
    let unpacked = match block::unpacked(stored) {
        Ok(unpacked) => unpacked,
        Err(e) => return Some(e.to_string()),
    };
    let entries = match block::entries(stored, &unpacked) {
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
    if *chain != stored.chain_hash {
        return Some(format!(
            "check-log block {first}..={last} does not chain: bytes of an entry in it or before it were changed"
        ));
    }
    if (min_at, max_at) != (stored.min_at, stored.max_at) {
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
