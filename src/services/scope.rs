//! How one read sees the ledger (`ReadScope`), and resolving it for a
//! caller: the evaluation date, `known_at`, and waiting until this node
//! holds what the read needs.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::error::ServiceError;
use crate::clock::Clock;
use crate::domain::Violation;
use crate::domain::record::{Date, Record};
use crate::domain::rules::{RuleBook, Rules};
use crate::domain::state::{EntityState, RecordView, fold};
use crate::index::{Index, TreeHead};
use crate::services::caller::{Principal, Role};
use crate::store::{Ledger, LedgerStore};
use crate::writer::Writer;

/// How one read sees the ledger: on which date, as known when, at which
/// tree head, and whether the caller sees everything or only what is public.
pub struct ReadScope {
    pub on: Date,
    pub known_at: Option<DateTime<Utc>>,
    /// The ledger the answer is computed against: records after it, which
    /// the index may already hold, are left out.
    pub tree: TreeHead,
    pub sees_everything: bool,
}

impl ReadScope {
    /// The edition of the rules in force on the evaluation date.
    pub fn rules<'r>(&self, book: &'r RuleBook) -> &'r Rules {
        book.on(self.on)
    }

    /// The whole state, for decisions: they do not depend on who asks.
    pub fn fold<'a>(&self, records: &'a [Arc<Record>], book: &RuleBook) -> EntityState<'a> {
        let in_tree = records.partition_point(|r| r.sequence <= self.tree.size);
        fold(&records[..in_tree], self.known_at, self.on, self.rules(book))
    }

    /// The records of a state this caller may see: everything, or what is
    /// public and what a measure in force rests on (`Catalogue::in_use`).
    pub fn visible<'s, 'a>(&self, state: &'s EntityState<'a>, book: &RuleBook) -> Vec<&'s RecordView<'a>> {
        if self.sees_everything { state.records.iter().collect() } else { self.rules(book).catalogue.disclosed(state) }
    }
}

/// What a read asks of its scope, as its request gives it.
pub struct Asked {
    /// The evaluation date; today (UTC+8) when unset.
    pub on: Option<Date>,
    /// The registry's knowledge as of a past instant; for auditors only.
    pub known_at: Option<DateTime<Utc>>,
    /// A ledger sequence the read must see (0: none), e.g. of the
    /// caller's own write.
    pub min_sequence: i64,
    /// When waiting for the ledger stops.
    pub deadline: Instant,
}

/// Resolves read scopes against this node's index.
#[derive(Clone)]
pub struct Scopes {
    index: Arc<Index>,
    /// Whether this node cannot read past a stored record.
    writer: Writer,
    /// The ledger's head, on a store other nodes write to.
    ledger: Ledger,
    clock: Clock,
    rules: Arc<RuleBook>,
}

impl Scopes {
    pub fn new(index: Arc<Index>, writer: Writer, ledger: Ledger, clock: Clock, rules: Arc<RuleBook>) -> Scopes {
        Scopes { index, writer, ledger, clock, rules }
    }

    /// Resolves a read's scope: `known_at` is for auditors only; `on`
    /// defaults to today; waits for `min_sequence` (0: no wait) and what
    /// `known_at` needs until the deadline.
    ///
    /// Errors: `KnownAtAuditorsOnly`; `Invalid` for a negative
    /// `min_sequence`; `NotCaughtUp` when the wait ends first; `Store` for a
    /// stored record this node cannot read past (waiting would only time
    /// out) or a store that cannot answer.
    pub async fn resolve(&self, caller: &Principal, asked: &Asked) -> Result<ReadScope, ServiceError> {
        if asked.known_at.is_some() && !caller.has(Role::Auditor) {
            return Err(ServiceError::KnownAtAuditorsOnly);
        }
        if let Some(instant) = asked.known_at {
            self.settled(instant, asked.deadline).await?;
        }
        self.caught_up(asked.min_sequence, asked.deadline).await?;
        Ok(ReadScope {
            on: asked.on.unwrap_or_else(|| self.clock.today()),
            known_at: asked.known_at,
            tree: self.index.tree_head(),
            sees_everything: caller.sees_everything(),
        })
    }

    /// The ledger's size as this node holds it now.
    pub fn head(&self) -> u64 {
        self.index.head()
    }

    /// The edition of the rules in force on `on`, today (UTC+8) when unset.
    pub fn rules_on(&self, on: Option<Date>) -> &Rules {
        self.rules.on(on.unwrap_or_else(|| self.clock.today()))
    }

    /// Waits until the index holds `min_sequence` (0: no wait), until
    /// `deadline`.
    async fn caught_up(&self, min_sequence: i64, deadline: Instant) -> Result<(), ServiceError> {
        let wanted = u64::try_from(min_sequence).map_err(|_| {
            ServiceError::Invalid(vec![Violation::new("min_sequence", format!("must not be negative, got {min_sequence}"))])
        })?;
        if wanted == 0 || self.index.head() >= wanted {
            return Ok(());
        }
        if let Some(fault) = self.unreadable_ledger() {
            return Err(fault);
        }
        if self.index.wait_for(wanted, left(deadline)).await {
            Ok(())
        } else {
            Err(self.unreadable_ledger().unwrap_or(ServiceError::NotCaughtUp(format!(
                "ledger sequence {wanted} is not visible yet (this node holds up to {})",
                self.index.head()
            ))))
        }
    }

    /// The stored record this node cannot read past, when it cannot:
    /// waiting for later records would only time out.
    fn unreadable_ledger(&self) -> Option<ServiceError> {
        self.writer.following_fault().map(ServiceError::Store)
    }

    /// Waits until every record stamped at or before `instant` (a past
    /// `known_at`, as `WireReader::known_at` ensures) is held: an answer as
    /// known at an instant never changes once given (a receipt's `known_at`
    /// answer is final).
    ///
    /// On a store other nodes write to, this node first catches up with
    /// the ledger as stored when the read began, so that it holds what
    /// they committed by then; a record they stamped at or before
    /// `instant` but commit later still (a commit slower than the time
    /// since `instant`) is not waited for. Waits until `deadline`.
    async fn settled(&self, instant: DateTime<Utc>, deadline: Instant) -> Result<(), ServiceError> {
        if self.ledger.is_shared() {
            let head = self.ledger.head().await?;
            if !self.index.wait_for(head, left(deadline)).await {
                return Err(self.unreadable_ledger().unwrap_or(ServiceError::NotCaughtUp(format!(
                    "this node holds {} of the ledger's {head} records",
                    self.index.head()
                ))));
            }
        }
        if self.index.settled(instant, left(deadline)).await {
            Ok(())
        } else {
            Err(ServiceError::NotCaughtUp(format!("the records stamped up to {} are not all visible yet", instant.to_rfc3339())))
        }
    }
}

/// The time left until `deadline`.
fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}
