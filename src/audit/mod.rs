//! The audit trail: signed checkpoints of the ledger, signed receipts for
//! eligibility checks, the hash-chained check log, proofs read from the
//! store, and verification of the whole store (`verify`).
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

pub mod log;
pub mod segments;
pub mod verify;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prost::Message;
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::clock::Clock;
use crate::index::{Index, TreeHead};
use crate::ledger::Hash;
use crate::ledger::merkle::{Node, NodeSource, nodes_needed};
use crate::ledger::signing::{PublicKey, RegistryKey};
use crate::proto::convert::timestamp_to_wire;
use crate::proto::pb;
use crate::store::{ChainedCheck, CheckBlock, CheckFilter, Store, StoreError, StoredCheckpoint, StoredKey, StoredSegment};

/// Most events the task takes in one round.
const MAX_EVENTS: usize = 4096;
/// Units (one per entry plus one per code in it) that may wait to be
/// committed before checks wait: about 13 MB of entries.
pub const IN_FLIGHT: u32 = 128 * 1024;
/// Longest an entry waits to be committed while the log keeps up: commits
/// gather what arrives meanwhile (or half of `IN_FLIGHT`, whichever first),
/// so a busy registry commits a few times a second, not once per check.
const COMMIT_EVERY: Duration = Duration::from_millis(50);
/// Pause between commits while the store refuses them.
const RETRY: Duration = Duration::from_secs(1);
/// Most times one commit is numbered again while other nodes keep logging first.
const MAX_ATTEMPTS: usize = 32;
/// Checkpoints kept for answers computed against a recent tree head.
const RECENT: usize = 16;

/// When the audit task stores checkpoints, seals the check log into
/// segments and lets exported segments leave the live store.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    /// A checkpoint is stored at most this often while anything grows.
    pub checkpoint_every: Duration,
    /// The log is sealed once its oldest unsealed entry is this old,
    /// checked at each checkpoint (zero: at every checkpoint).
    pub segment_every: Duration,
    /// An exported segment leaves the live store once its newest entry is
    /// this old.
    pub retention: Duration,
}

/// Handle shared by the services.
#[derive(Clone)]
pub struct AuditTrail {
    shared: Arc<Shared>,
    events: mpsc::UnboundedSender<Event>,
    receipts: mpsc::Sender<ReceiptJob>,
}

/// An encoded receipt body and who waits for its receipt.
type ReceiptJob = (Vec<u8>, oneshot::Sender<pb::Receipt>);

/// Most receipts signed together.
const RECEIPTS_PER_SIGNATURE: usize = 1024;

/// Rounds of other tasks a batch waits for more bodies, while they come.
const GATHER_ROUNDS: usize = 8;

/// Signs receipts in batches: it takes every body waiting (up to
/// `RECEIPTS_PER_SIGNATURE`); when the last batch held more than one, so
/// that checks are running side by side, it lets the other tasks run while
/// more bodies arrive (at most `GATHER_ROUNDS` turns, no timer), then
/// signs them all with one signature over their Merkle root and answers
/// each with its inclusion path. A lone check is signed at once. A receipt
/// waits at most for the round under way when it arrives and its own: two
/// rounds of at most 1,024 bodies, a few milliseconds.
async fn sign_receipts(shared: Arc<Shared>, mut rx: mpsc::Receiver<ReceiptJob>) {
    let mut jobs = Vec::with_capacity(RECEIPTS_PER_SIGNATURE);
    let mut last = 0;
    while rx.recv_many(&mut jobs, RECEIPTS_PER_SIGNATURE).await > 0 {
        if last > 1 {
            for _ in 0..GATHER_ROUNDS {
                tokio::task::yield_now().await;
                let before = jobs.len();
                while jobs.len() < RECEIPTS_PER_SIGNATURE
                    && let Ok(job) = rx.try_recv()
                {
                    jobs.push(job);
                }
                if jobs.len() == before || jobs.len() == RECEIPTS_PER_SIGNATURE {
                    break;
                }
            }
        }
        last = jobs.len();
        let (bodies, replies): (Vec<_>, Vec<_>) = jobs.drain(..).unzip();
        let receipts = shared.key.sign_receipts(bodies, timestamp_to_wire(shared.clock.now()));
        for (receipt, reply) in receipts.into_iter().zip(replies) {
            let _ = reply.send(receipt);
        }
    }
}

struct Shared {
    key: RegistryKey,
    /// Keys the registry signed with before `key`.
    retired: Vec<PublicKey>,
    origin: String,
    index: Arc<Index>,
    clock: Clock,
    state: Mutex<State>,
    /// Units of entries not yet committed (`IN_FLIGHT` in all).
    in_flight: Arc<Semaphore>,
}

#[derive(Default)]
struct State {
    /// The newest checkpoints signed (stored or not yet), by tree size,
    /// oldest first.
    recent: VecDeque<(u64, Arc<pb::SignedCheckpoint>)>,
    /// The check log as committed: its size and chain head.
    log_size: u64,
    log_head: Hash,
    /// Sealed segments, and SHA-256 of the newest one's head (empty when
    /// none is sealed), as checkpoints sign them.
    segments: u64,
    segment_head_hash: Vec<u8>,
}

enum Event {
    /// An entry, the valid codes it asked about (for look-up by code) and
    /// the units it holds until committed.
    Check(Box<pb::CheckLogEntry>, Vec<String>, OwnedSemaphorePermit),
    Sign(oneshot::Sender<Result<pb::SignedCheckpoint, StoreError>>),
}

impl AuditTrail {
    /// Starts the trail's task over the store's check log and checkpoints.
    pub async fn start(
        store: Store,
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
        let shared = Arc::new(Shared {
            key,
            retired,
            origin,
            index,
            clock,
            state: Mutex::new(State { recent, log_size, log_head, segments, segment_head_hash }),
            in_flight: Arc::new(Semaphore::new(IN_FLIGHT as usize)),
        });
        // Unbounded: checks are bounded by `in_flight`, and the other events
        // are one per request for a checkpoint.
        let (events, rx) = mpsc::unbounded_channel();
        let (stopping, stop) = watch::channel(false);
        let task = Task {
            shared: shared.clone(),
            store,
            next_check: log_size + 1,
            chain: log_head,
            pending_checks: Vec::new(),
            pending_units: None,
            pending_checkpoints: Vec::new(),
            pending_spacing: None,
            persisted,
            persisted_segments: segments,
            newest_segment,
            unsealed_since: None,
            schedule,
            retry_after: None,
        };
        let handle = tokio::spawn(task.run(rx, stop, schedule.checkpoint_every.max(Duration::from_millis(10))));
        let (receipts, to_sign) = mpsc::channel(RECEIPTS_PER_SIGNATURE);
        tokio::spawn(sign_receipts(shared.clone(), to_sign));
        Ok((AuditTrail { shared, events, receipts }, AuditTask { handle, stopping }))
    }

    pub fn public_key(&self) -> &PublicKey {
        self.shared.key.public()
    }

    /// Every key checkpoints and receipts may be signed with: the current
    /// one first, then the retired ones.
    pub fn public_keys(&self) -> Vec<PublicKey> {
        std::iter::once(self.public_key()).chain(&self.shared.retired).cloned().collect()
    }

    /// A signed checkpoint of exactly `head`: a recent one of that size,
    /// else one signed now. It is not stored: checkpoints are stored at
    /// most once per interval (and on demand and at shutdown), whatever
    /// the check rate; a receipt carries the signed checkpoint its
    /// decisions were computed from, and a consistency proof links it to
    /// any later stored one.
    pub fn checkpoint_for(&self, head: TreeHead) -> Arc<pb::SignedCheckpoint> {
        let mut state = self.shared.state.lock().expect("audit state");
        if let Some((_, signed)) = state.recent.iter().rev().find(|(size, _)| *size == head.size) {
            return signed.clone();
        }
        let signed = Arc::new(self.shared.sign(head, &state).0);
        state.remember(head.size, signed.clone());
        signed
    }

    /// Signs and stores a checkpoint of the ledger now, after the check-log
    /// entries queued before this call.
    pub async fn create_checkpoint(&self) -> Result<pb::SignedCheckpoint, StoreError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Stopped("the audit trail");
        self.events.send(Event::Sign(reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Signs a receipt body together with the others waiting: see
    /// `sign_receipts`.
    pub async fn sign_receipt(&self, body: &pb::ReceiptBody) -> Result<pb::Receipt, StoreError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Stopped("the receipt signer");
        self.receipts.send((body.encode_to_vec(), reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }

    /// Queues a check for the log; returns once it is queued, not stored,
    /// after waiting while `IN_FLIGHT` units are. `codes` are the valid
    /// codes it asked about.
    pub async fn log_check(&self, entry: pb::CheckLogEntry, codes: Vec<String>) {
        let units = (1 + codes.len()).min(IN_FLIGHT as usize) as u32;
        let queued = match self.shared.in_flight.clone().acquire_many_owned(units).await {
            Ok(permit) => self.events.send(Event::Check(Box::new(entry), codes, permit)).is_ok(),
            Err(_) => false,
        };
        if !queued {
            tracing::error!("the audit trail has stopped; a check was not logged");
        }
    }
}

/// The running task, for whoever shuts the registry down.
pub struct AuditTask {
    handle: tokio::task::JoinHandle<Result<(), String>>,
    stopping: watch::Sender<bool>,
}

impl AuditTask {
    /// Says the registry is stopping: while the store refuses commits,
    /// checks waiting for room in the log give up and answer unlogged.
    pub fn stopping(&self) {
        self.stopping.send_replace(true);
    }

    /// Waits for the task to end once every handle is dropped; an error if
    /// entries or checkpoints were left uncommitted.
    pub async fn join(self) -> Result<(), String> {
        self.handle.await.map_err(|e| e.to_string())?
    }
}

impl State {
    fn remember(&mut self, tree_size: u64, signed: Arc<pb::SignedCheckpoint>) {
        self.recent.push_back((tree_size, signed));
        if self.recent.len() > RECENT {
            self.recent.pop_front();
        }
    }
}

impl Shared {
    /// Signs a checkpoint of `head` with the committed check-log head.
    fn sign(&self, head: TreeHead, state: &State) -> (pb::SignedCheckpoint, StoredCheckpoint) {
        let now = self.clock.now();
        let checkpoint = pb::Checkpoint {
            origin: self.origin.clone(),
            tree_size: head.size as i64,
            root_hash: head.root.to_vec(),
            created_at: Some(timestamp_to_wire(now)),
            check_log_head: state.log_head.to_vec(),
            check_log_size: state.log_size as i64,
            sealed_segments: state.segments as i64,
            segment_head_hash: state.segment_head_hash.clone(),
        };
        let signed = self.key.sign_checkpoint(&checkpoint);
        let stored = StoredCheckpoint {
            tree_size: head.size,
            check_log_size: state.log_size,
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

/// When a check-log entry was checked, in microseconds since the epoch: the
/// `checked_at` column, which verify compares with the entry.
pub fn checked_at_micros(entry: &pb::CheckLogEntry) -> i64 {
    micros(entry.checked_at.as_ref())
}

/// A wire timestamp in microseconds since the epoch; 0 when absent.
pub fn micros(t: Option<&prost_types::Timestamp>) -> i64 {
    t.map_or(0, |t| t.seconds * 1_000_000 + i64::from(t.nanos) / 1000)
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

/// The chain hash of a check-log entry: SHA-256(previous || entry bytes).
pub fn chain_hash(previous: &Hash, entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(entry);
    h.finalize().into()
}

struct Task {
    shared: Arc<Shared>,
    store: Store,
    next_check: u64,
    /// Chain hash of the last entry given a sequence (committed or pending).
    chain: Hash,
    /// Chained but not yet committed, kept across a failed commit, with
    /// the units they hold, merged.
    pending_checks: Vec<ChainedCheck>,
    pending_units: Option<OwnedSemaphorePermit>,
    pending_checkpoints: Vec<StoredCheckpoint>,
    /// How far after the newest stored checkpoint the pending ones may be
    /// stored (`Store::append_audit`); `None` stores them whatever.
    pending_spacing: Option<Duration>,
    /// (tree size, check-log size) of the newest stored checkpoint.
    persisted: (u64, u64),
    /// Sealed segments the newest stored checkpoint signs.
    persisted_segments: u64,
    /// The newest sealed segment.
    newest_segment: Option<StoredSegment>,
    /// Oldest `checked_at` of the unsealed log (microseconds), once read.
    unsealed_since: Option<i64>,
    schedule: Schedule,
    /// After a failed commit, no retry before this.
    retry_after: Option<Instant>,
}

impl Task {
    /// Runs until every handle is dropped; an error if entries were left
    /// uncommitted at the end.
    async fn run(
        mut self,
        mut rx: mpsc::UnboundedReceiver<Event>,
        mut stop: watch::Receiver<bool>,
        interval: Duration,
    ) -> Result<(), String> {
        // An interval after each attempt, stored or not: an interval timer
        // would fire a little early against the previous checkpoint's time
        // as often as late, and the store would refuse every other one.
        let mut next_checkpoint = Instant::now() + interval;
        let mut commit = tokio::time::interval(COMMIT_EVERY);
        commit.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut events = Vec::with_capacity(MAX_EVENTS);
        let mut stopping = false;
        loop {
            let retry = self.retry_after;
            tokio::select! {
                n = rx.recv_many(&mut events, MAX_EVENTS) => {
                    if n == 0 {
                        break;
                    }
                    self.handle(std::mem::take(&mut events)).await;
                }
                _ = commit.tick() => {
                    self.flush_or_log().await;
                }
                _ = tokio::time::sleep_until(next_checkpoint) => {
                    self.checkpoint_if_grown(Some(interval)).await;
                    next_checkpoint = Instant::now() + interval;
                }
                _ = tokio::time::sleep_until(retry.unwrap_or_else(Instant::now)), if retry.is_some() => {
                    self.flush_or_log().await;
                }
                changed = stop.changed(), if !stopping => {
                    stopping = changed.is_err() || *stop.borrow();
                }
            }
            if stopping && self.retry_after.is_some() {
                // Checks waiting for room get an error and finish, so the
                // server can stop; what is queued is kept.
                self.shared.in_flight.close();
            }
        }
        self.checkpoint_if_grown(None).await;
        self.flush().await.map(|_| ()).map_err(|e| {
            format!(
                "{} check-log entries and {} checkpoints were not stored: {e}",
                self.pending_checks.len(),
                self.pending_checkpoints.len()
            )
        })
    }

    /// Commits what is pending unless a failed commit was too recent;
    /// whether nothing is left pending.
    async fn flush_or_log(&mut self) -> bool {
        if self.retry_after.is_some_and(|t| Instant::now() < t) {
            return false;
        }
        match self.flush().await {
            Ok(_) => {
                self.retry_after = None;
                true
            }
            Err(e) => {
                tracing::error!(error = %e, pending = self.pending_checks.len(), "check log not stored yet; will retry");
                self.retry_after = Some(Instant::now() + RETRY);
                false
            }
        }
    }

    async fn handle(&mut self, events: Vec<Event>) {
        for event in events {
            match event {
                Event::Check(entry, codes, permit) => {
                    self.chain(*entry, codes);
                    match &mut self.pending_units {
                        Some(units) => units.merge(permit),
                        None => self.pending_units = Some(permit),
                    }
                }
                Event::Sign(reply) => {
                    let _ = reply.send(self.sign_and_store(None).await.map(|(signed, _)| signed));
                }
            }
        }
        if self.pending_units.as_ref().is_some_and(|u| u.num_permits() >= IN_FLIGHT as usize / 2) {
            self.flush_or_log().await;
        }
    }

    /// Gives an entry its sequence and chain hash.
    fn chain(&mut self, mut entry: pb::CheckLogEntry, codes: Vec<String>) {
        entry.sequence = self.next_check as i64;
        entry.chain_hash.clear();
        let bytes = entry.encode_to_vec();
        self.chain = chain_hash(&self.chain, &bytes);
        self.pending_checks.push(ChainedCheck {
            sequence: self.next_check,
            checked_at: checked_at_micros(&entry),
            caller_subject: entry.caller_subject,
            caller_organisation: entry.caller_organisation,
            codes,
            bytes,
            chain_hash: self.chain,
        });
        self.next_check += 1;
    }

    /// Commits pending entries and checkpoints; then publishes the log
    /// head. Whether the checkpoints were stored (see `pending_spacing`).
    async fn flush(&mut self) -> Result<bool, StoreError> {
        if self.pending_checks.is_empty() && self.pending_checkpoints.is_empty() {
            return Ok(true);
        }
        let mut attempts = 0;
        let checkpoints_stored = loop {
            let committed = self.shared.state.lock().expect("audit state").log_head;
            let blocks = CheckBlock::cut(&self.pending_checks, committed);
            match self.store.append_audit(&blocks, &self.pending_checkpoints, self.pending_spacing).await {
                Ok(stored) => break stored,
                Err(StoreError::Behind { head, .. }) if attempts < MAX_ATTEMPTS => {
                    // Another node logged checks first: ours go after its.
                    attempts += 1;
                    tracing::debug!(head, "another node logged checks first; numbering ours after them");
                    self.rechain().await?;
                }
                // A commit can succeed and still report an error; retrying it
                // would then fail for ever on the entries' sequence numbers.
                Err(e) if self.committed_after_all().await => {
                    tracing::debug!(error = %e, "the commit reported an error but was stored");
                    break true;
                }
                Err(e) => return Err(e),
            }
        };
        if let Some(last) = self.pending_checks.last() {
            let mut state = self.shared.state.lock().expect("audit state");
            state.log_size = last.sequence;
            state.log_head = last.chain_hash;
        }
        if !checkpoints_stored {
            tracing::debug!("another node stored a checkpoint within the interval; this one is not stored");
        }
        for c in self.pending_checkpoints.iter().filter(|_| checkpoints_stored) {
            self.persisted = self.persisted.max((c.tree_size, c.check_log_size));
        }
        self.pending_checks.clear();
        self.pending_units = None;
        self.pending_checkpoints.clear();
        Ok(checkpoints_stored)
    }

    /// Whether the store already holds the newest pending entry: its chain
    /// hash is the stored one at its sequence.
    async fn committed_after_all(&self) -> bool {
        match self.pending_checks.last() {
            Some(last) => log::head_at(&self.store, last.sequence).await.is_ok_and(|chain| chain == last.chain_hash),
            None => false,
        }
    }

    /// Numbers and chains the pending entries again after the check log as
    /// stored. Pending checkpoints named the old numbering and are dropped:
    /// the next is signed over the log as stored.
    async fn rechain(&mut self) -> Result<(), StoreError> {
        let (size, chain) = self.store.check_log_head().await?;
        {
            let mut state = self.shared.state.lock().expect("audit state");
            state.log_size = size;
            state.log_head = chain;
        }
        self.next_check = size + 1;
        self.chain = chain;
        self.pending_checkpoints.clear();
        for mut check in std::mem::take(&mut self.pending_checks) {
            let mut entry = log::decode(check.sequence, &check.bytes)?;
            entry.sequence = self.next_check as i64;
            check.bytes = entry.encode_to_vec();
            check.sequence = self.next_check;
            self.chain = chain_hash(&self.chain, &check.bytes);
            check.chain_hash = self.chain;
            self.pending_checks.push(check);
            self.next_check += 1;
        }
        Ok(())
    }

    /// Signs a checkpoint and stores it, with `spacing` as
    /// `Store::append_audit` takes it; the checkpoint, and whether it was
    /// stored.
    async fn sign_and_store(&mut self, spacing: Option<Duration>) -> Result<(pb::SignedCheckpoint, bool), StoreError> {
        self.flush().await?;
        if self.store.is_shared() {
            // Sign over the check log as stored, other nodes' entries too:
            // checkpoints are stored once per interval for the registry,
            // possibly always by another node than the one logging.
            self.rechain().await?;
        }
        let head = self.shared.index.tree_head();
        let (signed, stored, segments) = {
            let mut state = self.shared.state.lock().expect("audit state");
            let (signed, stored) = self.shared.sign(head, &state);
            state.remember(head.size, Arc::new(signed.clone()));
            (signed, stored, state.segments)
        };
        self.pending_checkpoints.push(stored);
        self.pending_spacing = spacing;
        let stored = self.flush().await?;
        if stored {
            self.persisted_segments = segments;
        }
        Ok((signed, stored))
    }

    /// At each interval: commits what is pending, seals the log and lets
    /// expired exported segments go when due, then stores a checkpoint if
    /// anything grew since the last (unless another node stored one within
    /// `spacing`).
    async fn checkpoint_if_grown(&mut self, spacing: Option<Duration>) {
        if !self.flush_or_log().await {
            return;
        }
        if let Err(e) = self.seal_if_due().await {
            tracing::error!(error = %e, "check-log segment not sealed; will try again");
        }
        if let Err(e) = self.remove_expired().await {
            tracing::error!(error = %e, "exported check-log segment not removed; will try again");
        }
        let (log_size, segments) = {
            let state = self.shared.state.lock().expect("audit state");
            (state.log_size, state.segments)
        };
        if (self.shared.index.head(), log_size) == self.persisted && segments == self.persisted_segments {
            return;
        }
        match self.sign_and_store(spacing).await {
            Ok((_, true)) => tracing::debug!(tree_size = self.persisted.0, "checkpoint signed"),
            Ok((_, false)) => {}
            Err(e) => tracing::error!(error = %e, "checkpoint not stored"),
        }
    }

    /// Seals the committed log after the newest segment into the next one
    /// once its oldest entry is `segment_every` old: a signed head over its
    /// range, chain and times, chained to the head before it.
    async fn seal_if_due(&mut self) -> Result<(), StoreError> {
        let (log_size, log_head) = {
            let state = self.shared.state.lock().expect("audit state");
            (state.log_size, state.log_head)
        };
        let sealed = self.newest_segment.as_ref().map_or(0, |s| s.last_sequence);
        if log_size <= sealed {
            return Ok(());
        }
        let since = match self.unsealed_since {
            Some(at) => at,
            None => {
                let filter = CheckFilter { after: sealed, ..CheckFilter::default() };
                let Some(first) = self.store.check_blocks(&filter, 1).await?.pop() else { return Ok(()) };
                *self.unsealed_since.insert(first.min_at)
            }
        };
        let now = self.shared.clock.now();
        if now.timestamp_micros().saturating_sub(since) < self.schedule.segment_every.as_micros() as i64 {
            return Ok(());
        }
        let (min_at, max_at) = self.store.block_span(sealed, log_size).await?;
        let previous = self.newest_segment.as_ref();
        let micros = |at: i64| timestamp_to_wire(chrono::DateTime::from_timestamp_micros(at).unwrap_or_default());
        let head = pb::CheckSegmentHead {
            origin: self.shared.origin.clone(),
            number: previous.map_or(1, |s| s.number as i64 + 1),
            first_sequence: sealed as i64 + 1,
            last_sequence: log_size as i64,
            chain_before: previous.map_or([0; 32], |s| s.chain_hash).to_vec(),
            chain_hash: log_head.to_vec(),
            first_checked_at: Some(micros(min_at)),
            last_checked_at: Some(micros(max_at)),
            sealed_at: Some(timestamp_to_wire(now)),
            previous_head_hash: previous.map(|s| sha256(&s.head)).unwrap_or_default(),
        };
        let signed = self.shared.key.sign_segment_head(&head);
        let segment = StoredSegment {
            number: head.number as u64,
            first_sequence: sealed + 1,
            last_sequence: log_size,
            min_at,
            max_at,
            chain_hash: log_head,
            head: signed.head,
            key_id: signed.key_id,
            signature: signed.signature,
            exported_at: None,
            removed_at: None,
        };
        self.unsealed_since = None;
        // Another node may have sealed this number first: then its head is
        // the newest.
        let newest = if self.store.seal_segment(&segment).await? {
            tracing::info!(number = segment.number, last_sequence = log_size, "check-log segment sealed");
            segment
        } else {
            match self.store.segments().await?.pop() {
                Some(newest) => newest,
                None => return Ok(()),
            }
        };
        let mut state = self.shared.state.lock().expect("audit state");
        (state.segments, state.segment_head_hash) = segment_commitment(Some(&newest));
        self.newest_segment = Some(newest);
        Ok(())
    }

    /// Removes from the live store each exported segment whose newest entry
    /// is older than the retention period.
    async fn remove_expired(&mut self) -> Result<(), StoreError> {
        let now = self.shared.clock.now().timestamp_micros();
        let cutoff = now.saturating_sub(self.schedule.retention.as_micros() as i64);
        for number in self.store.expired_segments(cutoff).await? {
            self.store.remove_segment(number, now).await?;
            tracing::info!(number, "exported check-log segment removed from the live store");
        }
        Ok(())
    }
}

/// The registry's keys as the store holds them (`Store::registry_keys`):
/// the current one first, then the retired ones. A stored key that is not
/// an Ed25519 key, or not of its key id, is inconsistent data.
pub async fn stored_keys(store: &Store) -> Result<Vec<PublicKey>, StoreError> {
    public_keys(&store.registry_keys().await?)
}

fn public_keys(stored: &[StoredKey]) -> Result<Vec<PublicKey>, StoreError> {
    stored
        .iter()
        .map(|s| match PublicKey::from_raw(&s.public_key) {
            Ok(key) if key.key_id == s.key_id => Ok(key),
            Ok(key) => Err(StoreError::Inconsistent(format!("registry key {} in the store is key {}", s.key_id, key.key_id))),
            Err(e) => Err(StoreError::Inconsistent(format!("registry key {} in the store: {e}", s.key_id))),
        })
        .collect()
}

/// A node may sign for the registry only with the registry's current key:
/// the store's (`key` becomes it when the store has none, so the first node
/// to serve a store writes its key). Returns the registry's retired keys;
/// a node holding another key is refused, both key ids named, and the
/// registry's key changes only by `creditregistry rotate-key`.
pub async fn adopt_key(store: &Store, key: &PublicKey, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<PublicKey>, String> {
    let ours = StoredKey {
        key_id: key.key_id.clone(),
        public_key: key.raw().to_vec(),
        added_at: now.timestamp_micros(),
        retired_at: None,
    };
    let stored = store.adopt_registry_key(&ours).await.map_err(|e| e.to_string())?;
    let mut keys = public_keys(&stored).map_err(|e| e.to_string())?.into_iter();
    match keys.next() {
        Some(current) if current.key_id == key.key_id => Ok(keys.collect()),
        Some(current) => Err(format!(
            "this node's signing key {} is not the registry's current key {}: serve with the registry's key \
             (CREDITREGISTRY_SIGNING_KEY), or change the registry's key with `creditregistry rotate-key`",
            key.key_id, current.key_id
        )),
        None => Err("the store holds no current registry key".into()),
    }
}

/// Runs a Merkle computation over nodes read from the store: one read of
/// exactly the nodes it needs.
pub async fn with_nodes<T>(store: &Store, compute: impl Fn(&mut NodeSource) -> T) -> Result<T, StoreError> {
    let needed = nodes_needed(&compute);
    let positions: Vec<u64> = needed.iter().map(|n| n.position()).collect();
    let hashes = store.nodes(&positions).await?;
    let by_node: HashMap<Node, Hash> = needed.into_iter().zip(hashes).collect();
    Ok(compute(&mut |node| by_node[&node]))
}
