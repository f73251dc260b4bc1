//! Verification of a whole store against itself and the registry's keys:
//! every leaf re-hashed from its stored bytes, every Merkle node recomputed,
//! the check-log chain recomputed, every checkpoint's signature checked and
//! its root and check-log head compared with what the store gives now.
//! Stops at the first divergence and says exactly where it is.

use std::fmt::Write as _;

use prost::Message;

use super::{chain_hash, signed_of, with_nodes};
use crate::ledger::merkle::{Frontier, Node, nodes_in, root};
use crate::ledger::signing::{PublicKey, hex, verify_checkpoint};
use crate::ledger::{self, Hash};
use crate::proto::pb;
use crate::store::{CheckFilter, Store, StoreError};

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
    let size = match verify_tree(store, &mut report).await? {
        Some(size) => size,
        None => return Ok(report),
    };
    let log_size = match verify_check_log(store, &mut report).await? {
        Some(n) => n,
        None => return Ok(report),
    };
    verify_checkpoints(store, keys, size, log_size, &mut report).await?;
    Ok(report)
}

fn diverge(report: &mut Report, sequence: Option<u64>, what: String) {
    report.divergence = Some(Divergence { sequence, what });
}

/// Leaves and nodes; the ledger's size when they verify.
async fn verify_tree(store: &Store, report: &mut Report) -> Result<Option<u64>, StoreError> {
    let mut frontier = Frontier::default();
    let mut completed = Vec::new();
    loop {
        let page = store.ledger_page(frontier.size(), u64::MAX, PAGE).await?;
        let Some(last) = page.last() else { break };
        let first_node = nodes_in(frontier.size());
        let stored_nodes = store.node_range(first_node, nodes_in(last.sequence.max(frontier.size()))).await?;
        let mut stored_nodes = stored_nodes.into_iter().peekable();
        for entry in &page {
            let sequence = frontier.size() + 1;
            if entry.sequence != sequence {
                let what = format!(
                    "record {sequence} is missing: the ledger goes from sequence {} to {}",
                    sequence - 1,
                    entry.sequence
                );
                diverge(report, Some(sequence), what);
                return Ok(None);
            }
            let leaf = ledger::leaf_hash(&entry.bytes);
            if entry.leaf_hash != leaf {
                let what = format!(
                    "the stored bytes of record {sequence} hash to leaf {} but its stored leaf hash is {}: the record was changed after it was written",
                    hex(&leaf),
                    hex(&entry.leaf_hash)
                );
                diverge(report, Some(sequence), what);
                return Ok(None);
            }
            match ledger::decode(&entry.bytes) {
                Ok(record) if record.sequence == sequence => {}
                Ok(record) => {
                    let what = format!("record {sequence} says it is sequence {}", record.sequence);
                    diverge(report, Some(sequence), what);
                    return Ok(None);
                }
                Err(e) => {
                    diverge(report, Some(sequence), format!("record {sequence} does not decode: {e}"));
                    return Ok(None);
                }
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
    let node_count = store.node_count().await?;
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

/// The check-log chain; its length when it verifies.
async fn verify_check_log(store: &Store, report: &mut Report) -> Result<Option<u64>, StoreError> {
    let mut size = 0u64;
    let mut chain: Hash = [0; 32];
    loop {
        let page = store.checks(&CheckFilter { after: size, ..CheckFilter::default() }, PAGE).await?;
        if page.is_empty() {
            return Ok(Some(size));
        }
        for check in page {
            let n = size + 1;
            let fault = if check.sequence != n {
                Some(format!("check-log entry {n} is missing: the log goes from {size} to {}", check.sequence))
            } else if pb::CheckLogEntry::decode(check.entry.as_slice()).ok().map(|e| e.sequence) != Some(n as i64) {
                Some(format!("check-log entry {n} does not decode as entry {n}"))
            } else if chain_hash(&chain, &check.entry) != check.chain_hash {
                Some(format!(
                    "check-log entry {n} (receipt {}) does not chain: its bytes or an earlier entry's were changed",
                    check.receipt_id
                ))
            } else {
                None
            };
            if let Some(what) = fault {
                diverge(report, None, what);
                return Ok(None);
            }
            chain = check.chain_hash;
            size = n;
            report.check_log_entries_checked += 1;
        }
    }
}

/// Every stored checkpoint: signature, root against the verified tree,
/// check-log head against the verified chain.
async fn verify_checkpoints(
    store: &Store,
    keys: &[PublicKey],
    size: u64,
    log_size: u64,
    report: &mut Report,
) -> Result<(), StoreError> {
    let mut after = 0;
    loop {
        let page = store.checkpoint_page(after, PAGE).await?;
        if page.is_empty() {
            return Ok(());
        }
        for (id, stored) in page {
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
                Some((None, format!("checkpoint #{id} signs a check log of {} entries but it holds {log_size}", checkpoint.check_log_size)))
            } else {
                let now = with_nodes(store, |nodes| root(tree_size, nodes)).await?;
                let log_head = log_head_at(store, checkpoint.check_log_size as u64).await?;
                if checkpoint.root_hash != now {
                    Some((
                        None,
                        format!(
                            "checkpoint #{id} signs root {} for {tree_size} records but the ledger gives {}",
                            hex(&checkpoint.root_hash),
                            hex(&now)
                        ),
                    ))
                } else if checkpoint.check_log_head != log_head {
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
}

/// Chain hash after `n` check-log entries (verified before this is asked).
async fn log_head_at(store: &Store, n: u64) -> Result<Hash, StoreError> {
    if n == 0 {
        return Ok([0; 32]);
    }
    let entry = store.checks(&CheckFilter { after: n - 1, ..CheckFilter::default() }, 1).await?;
    Ok(entry.first().map_or([0; 32], |c| c.chain_hash))
}
