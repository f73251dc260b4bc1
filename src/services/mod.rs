//! The services under the API: what the registry does, in domain terms,
//! whichever front end asks (the gRPC API; later the watchlist and the
//! public site).
//!
//! - `checks`: joint-punishment checks (联合惩戒核查) — decide, attest with a
//!   signed receipt, log.
//! - `files`: credit files (信用档案) — an entity's whole records, from the
//!   store through a bounded cache.

pub mod checks;
pub mod files;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::record::{Date, Record};
use crate::domain::rules::{RuleBook, Rules};
use crate::domain::state::{EntityState, RecordView, fold};
use crate::index::TreeHead;

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
