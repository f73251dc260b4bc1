//! Sealing the check log into segments: a signed head over each range of
//! committed entries, chained to the head before it; and the removal of
//! exported segments from the live store once their retention has passed.

use std::time::Duration;

use super::checkpoints::{Trail, segment_commitment, sha256};
use crate::proto::convert::timestamp_to_wire;
use crate::proto::pb;
use crate::store::{Audit, AuditStore, CheckFilter, StoreError, StoredSegment};

/// What the check-log task keeps of the sealed segments.
pub(super) struct Sealing {
    /// The newest sealed segment.
    newest: Option<StoredSegment>,
    /// Oldest `checked_at` of the unsealed log (microseconds), once read.
    unsealed_since: Option<i64>,
    /// How old the oldest unsealed entry is when the log is sealed.
    segment_every: Duration,
    /// How old an exported segment's newest entry is when it leaves the
    /// live store.
    retention: Duration,
}

impl Sealing {
    /// Sealing after `newest`, the newest sealed segment (`Schedule` gives
    /// the durations).
    pub(super) fn new(newest: Option<StoredSegment>, segment_every: Duration, retention: Duration) -> Sealing {
        Sealing { newest, unsealed_since: None, segment_every, retention }
    }

    /// Seals the committed log after the newest segment into the next one
    /// once its oldest entry is `segment_every` old: a signed head over its
    /// range, chain and times, chained to the head before it.
    pub(super) async fn seal_if_due(&mut self, trail: &Trail, store: &Audit) -> Result<(), StoreError> {
        let (log_size, log_head) = {
            let heads = trail.heads.lock().expect("audit heads");
            (heads.log_size, heads.log_head)
        };
        let sealed = self.newest.as_ref().map_or(0, |s| s.last_sequence);
        if log_size <= sealed {
            return Ok(());
        }
        let since = match self.unsealed_since {
            Some(at) => at,
            None => {
                let filter = CheckFilter { after: sealed, ..CheckFilter::default() };
                let Some(first) = store.check_blocks(&filter, 1).await?.pop() else { return Ok(()) };
                *self.unsealed_since.insert(first.min_at)
            }
        };
        let now = trail.clock.now();
        if now.timestamp_micros().saturating_sub(since) < self.segment_every.as_micros() as i64 {
            return Ok(());
        }
        let (min_at, max_at) = store.block_span(sealed, log_size).await?;
        let previous = self.newest.as_ref();
        let micros = |at: i64| timestamp_to_wire(chrono::DateTime::from_timestamp_micros(at).unwrap_or_default());
        let head = pb::CheckSegmentHead {
            origin: trail.origin.clone(),
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
        let signed = trail.key.sign_segment_head(&head);
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
        let newest = if store.seal_segment(&segment).await? {
            tracing::info!(number = segment.number, last_sequence = log_size, "check-log segment sealed");
            segment
        } else {
            match store.segments().await?.pop() {
                Some(newest) => newest,
                None => return Ok(()),
            }
        };
        let mut heads = trail.heads.lock().expect("audit heads");
        (heads.segments, heads.segment_head_hash) = segment_commitment(Some(&newest));
        self.newest = Some(newest);
        Ok(())
    }

    /// Removes from the live store each exported segment whose newest entry
    /// is older than the retention period.
    pub(super) async fn remove_expired(&self, trail: &Trail, store: &Audit) -> Result<(), StoreError> {
        let now = trail.clock.now().timestamp_micros();
        let cutoff = now.saturating_sub(self.retention.as_micros() as i64);
        for number in store.expired_segments(cutoff).await? {
            store.remove_segment(number, now).await?;
            tracing::info!(number, "exported check-log segment removed from the live store");
        }
        Ok(())
    }
}
