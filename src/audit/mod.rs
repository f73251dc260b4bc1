//! The audit trail: signed checkpoints of the ledger, signed receipts for
//! eligibility checks, the hash-chained check log, proofs read from the
//! store, and verification of the whole store (`verify`).
//!
//! Rooms: this handle; `checkpoints` (checkpoint signing); `check_log`
//! (the check-log task); `sealing` (the log sealed into segments);
//! `receipts` (the receipt signer); `entry` (the entry format and its
//! chain); `block` (entries framed, packed and keyed into blocks); `log` (reading the log); `segments` (sealed segments as files);
//! `keys` (the registry's keys); `verify`.
//!
//! One task owns the check log and checkpoint persistence. Checks hand it
//! their log entries over a queue and return at once; it chains them
//! (SHA-256 over the previous chain hash and the entry), commits what has
//! gathered every `COMMIT_EVERY` (sooner when half of `IN_FLIGHT` waits) in
//! one transaction, and signs a checkpoint at least every interval while
//! the ledger or the check log has grown, and on demand. A receipt signer
//! task signs receipts in batches (`sign_receipts`).
//!
//! Entries not yet committed are bounded by what they hold, not by their
//! number: an entry costs one unit plus one per code it asked about, and
//! at most `IN_FLIGHT` units wait; beyond that, checks wait for the log
//! before they answer (backpressure), so memory stays flat and shutdown
//! drains at most one bounded commit. A crash loses at most those entries.
//! The receipts of lost entries still prove their checks: a receipt
//! carries its signed checkpoint, whose tree is durable (its nodes commit
//! with the records), so its holder can prove it against any later
//! checkpoint without the log.

pub mod block;
mod check_log;
mod checkpoints;
mod entry;
mod keys;
pub mod log;
mod receipts;
mod sealing;
pub mod segments;
pub mod verify;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::clock::Clock;
use crate::index::{Index, TreeHead};
use crate::ledger::Hash;
use crate::ledger::merkle::{Node, NodeSource, nodes_needed};
use crate::ledger::signing::{PublicKey, RegistryKey};
use crate::proto::pb;
use crate::store::{Audit, AuditStore, Ledger, LedgerStore, StoreError};
use check_log::{CheckLogEvent, CheckLogTask};
use checkpoints::{Heads, Trail, segment_commitment};
use receipts::ReceiptSigner;

pub use check_log::{AuditTask, IN_FLIGHT, Schedule};
pub use checkpoints::signed_of;
pub use entry::chain_hash;
pub use keys::{adopt_key, stored_keys, with_others};

/// Handle shared by the services.
#[derive(Clone)]
pub struct AuditTrail {
    trail: Arc<Trail>,
    events: mpsc::UnboundedSender<CheckLogEvent>,
    receipts: ReceiptSigner,
}

impl AuditTrail {
    /// Starts the trail's task over the store's check log and checkpoints.
    pub async fn start(
        store: Audit,
        index: Arc<Index>,
        key: RegistryKey,
        retired: Vec<PublicKey>,
        origin: String,
        clock: Clock,
        schedule: Schedule,
    ) -> Result<(AuditTrail, AuditTask), StoreError> {
        let (log_size, log_head) = store.check_log_head().await?;
        let newest_segment = store.segments().await?.pop();
        let (segments, segment_head_hash) = segment_commitment(newest_segment.as_ref());
        let stored = store.checkpoint(None).await?;
        // A checkpoint signed with a retired key is not reused for receipts.
        let recent =
            stored.iter().filter(|c| c.key_id == key.public().key_id).map(|c| (c.tree_size, Arc::new(signed_of(c)))).collect();
        let persisted = stored.as_ref().map_or((0, 0), |c| (c.tree_size, c.check_log_size));
        let trail = Arc::new(Trail {
            key,
            retired,
            origin,
            index,
            clock,
            heads: Mutex::new(Heads { recent, log_size, log_head, segments, segment_head_hash }),
            in_flight: Arc::new(Semaphore::new(IN_FLIGHT as usize)),
        });
        let (events, task) = CheckLogTask::spawn(trail.clone(), store, newest_segment, persisted, schedule);
        let receipts = ReceiptSigner::start(trail.key.clone(), trail.clock);
        Ok((AuditTrail { trail, events, receipts }, task))
    }

    pub fn public_key(&self) -> &PublicKey {
        self.trail.key.public()
    }

    /// Every key checkpoints and receipts may be signed with: the current
    /// one first, then the retired ones.
    pub fn public_keys(&self) -> Vec<PublicKey> {
        std::iter::once(self.public_key()).chain(&self.trail.retired).cloned().collect()
    }

    /// A signed checkpoint of exactly `head`: a recent one of that size,
    /// else one signed now. It is not stored: checkpoints are stored at
    /// most once per interval (and on demand and at shutdown), whatever
    /// the check rate; a receipt carries the signed checkpoint its
    /// decisions were computed from, and a consistency proof links it to
    /// any later stored one.
    pub fn checkpoint_for(&self, head: TreeHead) -> Arc<pb::SignedCheckpoint> {
        let mut heads = self.trail.heads.lock().expect("audit heads");
        if let Some((_, signed)) = heads.recent.iter().rev().find(|(size, _)| *size == head.size) {
            return signed.clone();
        }
        let signed = Arc::new(self.trail.sign(head, &heads).0);
        heads.remember(head.size, signed.clone());
        signed
    }

    /// Signs and stores a checkpoint of the ledger now, after the check-log
    /// entries queued before this call.
    pub async fn create_checkpoint(&self) -> Result<pb::SignedCheckpoint, StoreError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Stopped("the audit trail");
        self.events.send(CheckLogEvent::Sign(reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Signs a receipt body together with the others waiting: see
    /// `ReceiptSigner`.
    pub async fn sign_receipt(&self, body: &pb::ReceiptBody) -> Result<pb::Receipt, StoreError> {
        self.receipts.sign(body).await
    }

    /// Queues a check for the log; returns once it is queued, not stored,
    /// after waiting while `IN_FLIGHT` units are. `codes` are the valid
    /// codes it asked about.
    pub async fn log_check(&self, entry: pb::CheckLogEntry, codes: Vec<String>) {
        let units = (1 + codes.len()).min(IN_FLIGHT as usize) as u32;
        let queued = match self.trail.in_flight.clone().acquire_many_owned(units).await {
            Ok(permit) => self.events.send(CheckLogEvent::Check(Box::new(entry), codes, permit)).is_ok(),
            Err(_) => false,
        };
        if !queued {
            tracing::error!("the audit trail has stopped; a check was not logged");
        }
    }
}

/// Runs a Merkle computation over nodes read from the store: one read of
/// exactly the nodes it needs.
pub async fn with_nodes<T>(store: &Ledger, compute: impl Fn(&mut NodeSource) -> T) -> Result<T, StoreError> {
    let needed = nodes_needed(&compute);
    let positions: Vec<u64> = needed.iter().map(|n| n.position()).collect();
    let hashes = store.nodes(&positions).await?;
    let by_node: HashMap<Node, Hash> = needed.into_iter().zip(hashes).collect();
    Ok(compute(&mut |node| by_node[&node]))
}
