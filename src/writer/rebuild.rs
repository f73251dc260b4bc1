//! The index and the Merkle tree loaded from the ledger at start.

use std::path::Path;

use crate::domain::uscc::Uscc;
use crate::index::{Index, Indexed, TreeHead};
use crate::ledger;
use crate::ledger::merkle::{Frontier, frontier, nodes_in};
use crate::ledger::signing::PublicKey;
use crate::snapshot::{self, Snapshot, SnapshotFile};
use crate::store::{Ledger, LedgerStore, NewNodes, StoreError, StoredEntry, decode_record};

/// What the writer needs from the ledger at start.
pub(super) struct Rebuilt {
    pub(super) frontier: Frontier,
    pub(super) last_recorded_at: chrono::DateTime<chrono::Utc>,
}

/// Records decoded at rebuild before they go to the index together.
const REBUILD_CHUNK: usize = 65_536;

/// Loads the ledger into a fresh index and the Merkle frontier: from the
/// index snapshot at `snapshot` when it is there and the store's tree
/// confirms it, then every record after it; stores any tree nodes the store
/// lacks (a ledger written before the tree was kept). Every record read
/// from the ledger is decoded once, so the index never holds one that does
/// not; a gap in the sequence, a misplaced record or one that does not
/// decode stops it.
pub(super) async fn rebuild(store: &Ledger, index: &Index, snapshot: Option<&SnapshotFile>) -> Result<Rebuilt, StoreError> {
    let stored_nodes = store.node_count().await?;
    let head = store.head().await?;
    let mut frontier = match snapshot.filter(|s| s.path.exists()) {
        Some(SnapshotFile { path, key }) => match confirmed(store, path, key.public(), head).await? {
            Ok((snapshot, frontier)) => {
                tracing::info!(records = snapshot.head.size, path = %path.display(), "index loaded from its snapshot");
                index.import(snapshot.entities, snapshot.head);
                frontier
            }
            Err(why) => {
                tracing::warn!(path = %path.display(), why, "index snapshot not used; rebuilding from the ledger");
                Frontier::default()
            }
        },
        None => {
            tracing::info!("no index snapshot; rebuilding the index from the ledger");
            Frontier::default()
        }
    };
    let mut pending: Vec<(Uscc, Vec<u8>)> = Vec::with_capacity(REBUILD_CHUNK);
    let mut last_recorded_at = chrono::DateTime::UNIX_EPOCH;
    let apply = |pending: &mut Vec<(Uscc, Vec<u8>)>, frontier: &Frontier| {
        let head = TreeHead { size: frontier.size(), root: frontier.root() };
        let first = frontier.size() + 1 - pending.len() as u64;
        let indexed = pending.iter().zip(first..).map(|((uscc, bytes), sequence)| Indexed { uscc: *uscc, sequence, bytes });
        index.apply(indexed, head);
        pending.clear();
    };
    let mut nodes = Vec::new();
    let mut missing = NewNodes { first: stored_nodes, hashes: Vec::new() };
    store
        .scan_ledger(frontier.size(), |entry| {
            let first = nodes_in(frontier.size());
            let (uscc, facts, recorded_at) = next_record(&mut frontier, &entry, &mut nodes)?;
            for (i, hash) in nodes.iter().enumerate() {
                if first + i as u64 >= stored_nodes {
                    missing.hashes.push(*hash);
                }
            }
            last_recorded_at = recorded_at;
            pending.push((uscc, facts));
            if pending.len() == REBUILD_CHUNK {
                apply(&mut pending, &frontier);
            }
            Ok(())
        })
        .await?;
    apply(&mut pending, &frontier);
    if stored_nodes > nodes_in(frontier.size()) {
        return Err(StoreError::Inconsistent(format!(
            "the Merkle tree has {stored_nodes} nodes but the ledger's {} records make {}: records are missing",
            frontier.size(),
            nodes_in(frontier.size())
        )));
    }
    if !missing.hashes.is_empty() {
        tracing::info!(nodes = missing.hashes.len(), "storing Merkle nodes the store lacked");
        store.append(&[], &missing).await?;
    }
    if last_recorded_at == chrono::DateTime::UNIX_EPOCH && head > 0 {
        // Every record came from the snapshot: the newest is read for its time.
        let newest = store.ledger_page(head - 1, head, 1).await?;
        if let Some(entry) = newest.first() {
            last_recorded_at = decode_record(entry.sequence, &entry.bytes)?.recorded_at;
        }
    }
    Ok(Rebuilt { frontier, last_recorded_at })
}

/// The record after `frontier` in the ledger, checked and added to the
/// tree: its entity, its facts as the index holds them, and its time;
/// `nodes` holds the tree nodes it completed. A gap in the sequence, a
/// misplaced record or one that does not decode is corrupt data.
pub(super) fn next_record(
    frontier: &mut Frontier,
    entry: &StoredEntry,
    nodes: &mut Vec<ledger::Hash>,
) -> Result<(Uscc, Vec<u8>, chrono::DateTime<chrono::Utc>), StoreError> {
    if entry.sequence != frontier.size() + 1 {
        return Err(StoreError::Corrupt {
            sequence: frontier.size() + 1,
            reason: format!("missing: the ledger goes from {} to {}", frontier.size(), entry.sequence),
        });
    }
    let record = decode_record(entry.sequence, &entry.bytes)?;
    if record.sequence != entry.sequence {
        return Err(StoreError::Corrupt {
            sequence: entry.sequence,
            reason: format!("record says sequence {}", record.sequence),
        });
    }
    nodes.clear();
    frontier.push(ledger::leaf_hash(&entry.bytes), nodes);
    Ok((record.uscc, ledger::encode(&record.facts()), record.recorded_at))
}

/// The snapshot at `path` if the store's tree confirms it: no larger than
/// the ledger, with the root the stored nodes give for its size; with the
/// tree's frontier at that size, read from those nodes. The outer error is
/// the store's; the inner says why the snapshot is not used.
async fn confirmed(
    store: &Ledger,
    path: &Path,
    key: &PublicKey,
    head: u64,
) -> Result<Result<(Snapshot, Frontier), String>, StoreError> {
    let snapshot = match snapshot::read(path, key) {
        Ok(s) => s,
        Err(why) => return Ok(Err(why)),
    };
    let size = snapshot.head.size;
    if size > head {
        return Ok(Err(format!("it holds {size} records but the ledger {head}")));
    }
    let frontier = crate::audit::with_nodes(store, |nodes| frontier(size, nodes)).await?;
    if frontier.root() != snapshot.head.root {
        return Ok(Err(format!("its root for {size} records is not the ledger's")));
    }
    Ok(Ok((snapshot, frontier)))
}
