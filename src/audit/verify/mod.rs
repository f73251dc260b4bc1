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
//!
//! The check log and its segments are verified in `check_log`.

use std::fmt::Write as _;

use crate::audit::checkpoints::signed_of;
use crate::audit::with_nodes;
use crate::ledger;
use crate::ledger::merkle::{Frontier, Node, nodes_in, root};
use crate::ledger::signing::{PublicKey, hex, verify_checkpoint};
use crate::store::{Audit, AuditStore, Ledger, LedgerStore, StoreError};

mod check_log;

use check_log::{Log, segment_fault, verify_check_log};

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

/// Checks the store (its ledger and audit trail); `keys` are the registry keys checkpoints may be signed with.
pub async fn verify((ledger, audit): (&Ledger, &Audit), keys: &[PublicKey]) -> Result<Report, StoreError> {
    let mut report = Report::default();
    // In this order: each bound covers what the one before it signs.
    let last_checkpoint = audit.last_checkpoint_id().await?;
    let node_count = ledger.node_count().await?;
    let head = ledger.head().await?;
    let size = match verify_tree(ledger, head, node_count, &mut report).await? {
        Some(size) => size,
        None => return Ok(report),
    };
    let segments = audit.segments().await?;
    if let Some(what) = segment_fault(&segments, keys) {
        diverge(&mut report, None, what);
        return Ok(report);
    }
    let log_size = match verify_check_log(audit, &segments, &mut report).await? {
        Some(n) => n,
        None => return Ok(report),
    };
    let log = Log { size: log_size, segments: &segments };
    verify_checkpoints((ledger, audit), keys, last_checkpoint, size, log, &mut report).await?;
    Ok(report)
}

fn diverge(report: &mut Report, sequence: Option<u64>, what: String) {
    report.divergence = Some(Divergence { sequence, what });
}

/// Leaves and nodes of records up to `head`; the ledger's size when they verify.
async fn verify_tree(store: &Ledger, head: u64, node_count: u64, report: &mut Report) -> Result<Option<u64>, StoreError> {
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

/// Every stored checkpoint: signature, root against the verified tree,
/// check-log head against the verified chain.
async fn verify_checkpoints(
    (ledger, store): (&Ledger, &Audit),
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
                let now = with_nodes(ledger, |nodes| root(tree_size, nodes)).await?;
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
