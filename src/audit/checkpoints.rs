//! Checkpoint signing: what the trail's handle and its check-log task share,
//! the heads a checkpoint signs and the newest checkpoints signed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::clock::Clock;
use crate::index::{Index, TreeHead};
use crate::ledger::Hash;
use crate::ledger::signing::{PublicKey, RegistryKey};
use crate::proto::convert::timestamp_to_wire;
use crate::proto::pb;
use crate::store::{StoredCheckpoint, StoredSegment};

/// Checkpoints kept for answers computed against a recent tree head.
const RECENT: usize = 16;

/// What the trail's handle and its check-log task share: the signing key,
/// the heads checkpoints sign, and the room left in the log.
pub(super) struct Trail {
    pub(super) key: RegistryKey,
    /// Keys the registry signed with before `key`.
    pub(super) retired: Vec<PublicKey>,
    pub(super) origin: String,
    pub(super) index: Arc<Index>,
    pub(super) clock: Clock,
    pub(super) heads: Mutex<Heads>,
    /// Units of entries not yet committed (`IN_FLIGHT` in all).
    pub(super) in_flight: Arc<Semaphore>,
}

/// The heads a checkpoint signs, as committed, and the newest checkpoints
/// signed.
#[derive(Default)]
pub(super) struct Heads {
    /// The newest checkpoints signed (stored or not yet), by tree size,
    /// oldest first.
    pub(super) recent: VecDeque<(u64, Arc<pb::SignedCheckpoint>)>,
    /// The check log as committed: its size and chain head.
    pub(super) log_size: u64,
    pub(super) log_head: Hash,
    /// Sealed segments, and SHA-256 of the newest one's head (empty when
    /// none is sealed), as checkpoints sign them.
    pub(super) segments: u64,
    pub(super) segment_head_hash: Vec<u8>,
}

impl Heads {
    /// Keeps `signed` among the recent checkpoints, the oldest let go.
    pub(super) fn remember(&mut self, tree_size: u64, signed: Arc<pb::SignedCheckpoint>) {
        self.recent.push_back((tree_size, signed));
        if self.recent.len() > RECENT {
            self.recent.pop_front();
        }
    }
}

impl Trail {
    /// Signs a checkpoint of `head` with the committed check-log head.
    pub(super) fn sign(&self, head: TreeHead, heads: &Heads) -> (pb::SignedCheckpoint, StoredCheckpoint) {
        let now = self.clock.now();
        let checkpoint = pb::Checkpoint {
            origin: self.origin.clone(),
            tree_size: head.size as i64,
            root_hash: head.root.to_vec(),
            created_at: Some(timestamp_to_wire(now)),
            check_log_head: heads.log_head.to_vec(),
            check_log_size: heads.log_size as i64,
            sealed_segments: heads.segments as i64,
            segment_head_hash: heads.segment_head_hash.clone(),
        };
        let signed = self.key.sign_checkpoint(&checkpoint);
        let stored = StoredCheckpoint {
            tree_size: head.size,
            check_log_size: heads.log_size,
            created_at: now.timestamp_micros(),
            bytes: signed.checkpoint.clone(),
            key_id: signed.key_id.clone(),
            signature: signed.signature.clone(),
        };
        (signed, stored)
    }
}

/// The wire form of a stored checkpoint.
pub fn signed_of(c: &StoredCheckpoint) -> pb::SignedCheckpoint {
    pb::SignedCheckpoint { checkpoint: c.bytes.clone(), key_id: c.key_id.clone(), signature: c.signature.clone() }
}

/// SHA-256 of `bytes`: how a checkpoint and the next segment name a
/// segment head.
pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// What a checkpoint signs of the sealed segments, the newest given: how
/// many, and SHA-256 of its encoded head (empty when none is sealed).
pub fn segment_commitment(newest: Option<&StoredSegment>) -> (u64, Vec<u8>) {
    newest.map_or((0, Vec::new()), |s| (s.number, sha256(&s.head)))
}
