//! The check-log task: it chains the entries checks hand it, commits them
//! in blocks, stores checkpoints, and seals the log into segments.

use std::sync::Arc;
use std::time::Duration;

use prost::Message;
use tokio::sync::{OwnedSemaphorePermit, mpsc, oneshot, watch};
use tokio::time::Instant;

use super::block::{self, ChainedCheck};
use super::checkpoints::Trail;
use super::entry::{chain_hash, checked_at_micros, decode};
use super::log;
use super::sealing::Sealing;
use crate::ledger::Hash;
use crate::proto::pb;
use crate::store::{Audit, AuditStore, CheckEntry, StoreError, StoredCheckpoint, StoredSegment};

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

/// What the check-log task is handed.
pub(super) enum CheckLogEvent {
    /// An entry, the valid codes it asked about (for look-up by code) and
    /// the units it holds until committed.
    Check(Box<pb::CheckLogEntry>, Vec<String>, OwnedSemaphorePermit),
    Sign(oneshot::Sender<Result<pb::SignedCheckpoint, StoreError>>),
}

/// The task that owns the check log and checkpoint persistence.
pub(super) struct CheckLogTask {
    trail: Arc<Trail>,
    store: Audit,
    next_check: u64,
    /// Chain hash of the last entry given a sequence (committed or pending).
    chain: Hash,
    /// Chained but not yet committed, kept across a failed commit, with
    /// the units they hold, merged.
    pending_checks: Vec<ChainedCheck>,
    pending_units: Option<OwnedSemaphorePermit>,
    pending_checkpoints: Vec<StoredCheckpoint>,
    /// How far after the newest stored checkpoint the pending ones may be
    /// stored (`AuditStore::append_audit`); `None` stores them whatever.
    pending_spacing: Option<Duration>,
    /// (tree size, check-log size) of the newest stored checkpoint.
    persisted: (u64, u64),
    /// Sealed segments the newest stored checkpoint signs.
    persisted_segments: u64,
    /// The log's sealing into segments, and exported segments' removal.
    sealing: Sealing,
    /// After a failed commit, no retry before this.
    retry_after: Option<Instant>,
}

impl CheckLogTask {
    /// Spawns the task over the check log as `trail`'s heads hold it, the
    /// newest sealed segment given; `persisted` is (tree size, check-log
    /// size) of the newest stored checkpoint. Returns the queue checks hand
    /// their entries to, and the running task.
    pub(super) fn spawn(
        trail: Arc<Trail>,
        store: Audit,
        newest_segment: Option<StoredSegment>,
        persisted: (u64, u64),
        schedule: Schedule,
    ) -> (mpsc::UnboundedSender<CheckLogEvent>, AuditTask) {
        let (log_size, log_head, segments) = {
            let heads = trail.heads.lock().expect("audit heads");
            (heads.log_size, heads.log_head, heads.segments)
        };
        // Unbounded: checks are bounded by `in_flight`, and the other events
        // are one per request for a checkpoint.
        let (events, rx) = mpsc::unbounded_channel();
        let (stopping, stop) = watch::channel(false);
        let task = CheckLogTask {
            trail,
            store,
            next_check: log_size + 1,
            chain: log_head,
            pending_checks: Vec::new(),
            pending_units: None,
            pending_checkpoints: Vec::new(),
            pending_spacing: None,
            persisted,
            persisted_segments: segments,
            sealing: Sealing::new(newest_segment, schedule.segment_every, schedule.retention),
            retry_after: None,
        };
        let handle = tokio::spawn(task.run(rx, stop, schedule.checkpoint_every.max(Duration::from_millis(10))));
        (events, AuditTask { handle, stopping })
    }

    /// Runs until every handle is dropped; an error if entries were left
    /// uncommitted at the end.
    async fn run(
        mut self,
        mut rx: mpsc::UnboundedReceiver<CheckLogEvent>,
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
                self.trail.in_flight.close();
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

    async fn handle(&mut self, events: Vec<CheckLogEvent>) {
        for event in events {
            match event {
                CheckLogEvent::Check(entry, codes, permit) => {
                    self.chain(*entry, codes);
                    match &mut self.pending_units {
                        Some(units) => units.merge(permit),
                        None => self.pending_units = Some(permit),
                    }
                }
                CheckLogEvent::Sign(reply) => {
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
            entry: CheckEntry {
                sequence: self.next_check,
                checked_at: checked_at_micros(&entry),
                caller_subject: entry.caller_subject,
                codes,
                bytes,
                chain_hash: self.chain,
            },
            caller_organisation: entry.caller_organisation,
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
            let committed = self.trail.heads.lock().expect("audit heads").log_head;
            let blocks = block::cut(&self.pending_checks, committed);
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
            let mut heads = self.trail.heads.lock().expect("audit heads");
            heads.log_size = last.sequence;
            heads.log_head = last.chain_hash;
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
            let mut heads = self.trail.heads.lock().expect("audit heads");
            heads.log_size = size;
            heads.log_head = chain;
        }
        self.next_check = size + 1;
        self.chain = chain;
        self.pending_checkpoints.clear();
        for mut check in std::mem::take(&mut self.pending_checks) {
            let mut entry = decode(check.sequence, &check.bytes)?;
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
    /// `AuditStore::append_audit` takes it; the checkpoint, and whether it was
    /// stored.
    async fn sign_and_store(&mut self, spacing: Option<Duration>) -> Result<(pb::SignedCheckpoint, bool), StoreError> {
        self.flush().await?;
        if self.store.is_shared() {
            // Sign over the check log as stored, other nodes' entries too:
            // checkpoints are stored once per interval for the registry,
            // possibly always by another node than the one logging.
            self.rechain().await?;
        }
        let head = self.trail.index.tree_head();
        let (signed, stored, segments) = {
            let mut heads = self.trail.heads.lock().expect("audit heads");
            let (signed, stored) = self.trail.sign(head, &heads);
            heads.remember(head.size, Arc::new(signed.clone()));
            (signed, stored, heads.segments)
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
        if let Err(e) = self.sealing.seal_if_due(&self.trail, &self.store).await {
            tracing::error!(error = %e, "check-log segment not sealed; will try again");
        }
        if let Err(e) = self.sealing.remove_expired(&self.trail, &self.store).await {
            tracing::error!(error = %e, "exported check-log segment not removed; will try again");
        }
        let (log_size, segments) = {
            let heads = self.trail.heads.lock().expect("audit heads");
            (heads.log_size, heads.segments)
        };
        if (self.trail.index.head(), log_size) == self.persisted && segments == self.persisted_segments {
            return;
        }
        match self.sign_and_store(spacing).await {
            Ok((_, true)) => tracing::debug!(tree_size = self.persisted.0, "checkpoint signed"),
            Ok((_, false)) => {}
            Err(e) => tracing::error!(error = %e, "checkpoint not stored"),
        }
    }
}
