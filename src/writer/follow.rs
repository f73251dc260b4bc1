//! Following other nodes: the records they appended, read into the index
//! and the tree in order.

use std::sync::Arc;

use crate::index::{Indexed, TreeHead};
use crate::store::{Fault, LedgerStore, StoreError};

use super::WriterTask;
use super::rebuild::next_record;

/// How often a node looks for records other nodes appended, when the
/// store does not tell it.
pub(super) const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Records read at a time when catching up with other nodes.
const CATCH_UP_PAGE: u32 = 4096;

impl WriterTask {
    /// The index and tree brought up to `head`, the ledger's head in a
    /// ledger transaction: no other node appends meanwhile.
    pub(super) async fn caught_up_to(&mut self, head: u64) -> Result<(), StoreError> {
        self.catch_up().await?;
        if self.frontier.size() != head {
            return Err(StoreError::Inconsistent(format!(
                "the ledger's head says {head} records but {} were read",
                self.frontier.size()
            )));
        }
        Ok(())
    }

    /// Reads what other nodes appended, logging a failure: the next notice
    /// or poll tries again.
    pub(super) async fn follow(&mut self) {
        // Not while the store is unreachable (it would answer so, every
        // poll): it marks itself reachable again, and the next notice or
        // poll reads what was appended meanwhile.
        if self.ledger.unreachable().is_some() {
            return;
        }
        let fault = match self.catch_up().await {
            Ok(()) => None,
            Err(e) => {
                tracing::error!(error = %e, "could not read the ledger's newest records");
                (e.fault() == Fault::Corrupt).then(|| Arc::new(e))
            }
        };
        *self.following.lock().expect("follow fault") = fault;
    }

    /// Brings the index and the tree up to the store's head: the records
    /// other nodes appended, in order, each decoded once.
    async fn catch_up(&mut self) -> Result<(), StoreError> {
        loop {
            let page = self.ledger.ledger_page(self.frontier.size(), u64::MAX, CATCH_UP_PAGE).await?;
            if page.is_empty() {
                return Ok(());
            }
            let mut facts = Vec::with_capacity(page.len());
            let mut frontier = self.frontier.clone();
            let mut nodes = Vec::new();
            let mut last_recorded_at = self.last_recorded_at;
            for entry in &page {
                let (uscc, bytes, recorded_at) = next_record(&mut frontier, entry, &mut nodes)?;
                last_recorded_at = last_recorded_at.max(recorded_at);
                facts.push((uscc, bytes));
            }
            let first = self.frontier.size() + 1;
            let indexed = facts.iter().zip(first..).map(|((uscc, bytes), sequence)| Indexed { uscc: *uscc, sequence, bytes });
            self.index.apply(indexed, TreeHead { size: frontier.size(), root: frontier.root() });
            tracing::debug!(records = page.len(), head = frontier.size(), "followed the ledger");
            self.frontier = frontier;
            self.last_recorded_at = last_recorded_at;
        }
    }
}
