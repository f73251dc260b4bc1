//! Enforcement writes (执法机关的处罚、抽查、名单等记录): the rules' judgement of
//! a record some of whose fields could not be read, and the write itself
//! through this node's single writer.

use std::sync::Arc;

use crate::clock::Clock;
use crate::domain::Violation;
use crate::domain::admission::check_readable;
use crate::domain::party::{Names, names};
use crate::domain::record::{Record, RecordBody};
use crate::domain::rules::RuleBook;
use crate::index::Index;
use crate::writer::{WriteCommand, WriteError, Writer, Written};

/// Writes records through the writer, which admits and commits them.
#[derive(Clone)]
pub struct Writes {
    writer: Writer,
    index: Arc<Index>,
    rules: Arc<RuleBook>,
    clock: Clock,
}

/// A record's party name and the names the registry knew for its entity
/// before it, to compare them (`Names::classify`).
pub struct PartyName {
    pub name: String,
    pub known_before: Names,
}

impl Writes {
    pub fn new(writer: Writer, index: Arc<Index>, rules: Arc<RuleBook>, clock: Clock) -> Writes {
        Writes { writer, index, rules, clock }
    }

    /// What today's rules say about the rest of a body whose fields at
    /// `unreadable` (paths within the body) could not be read, so that a
    /// caller learns every problem in one answer; each violation names its
    /// field within the body.
    pub fn judge_rest(&self, body: &RecordBody, unreadable: &[String]) -> Vec<Violation> {
        let today = self.clock.today();
        check_readable(body, today, self.rules.on(today), unreadable)
    }

    /// Writes one record, durable when answered (see `Writer::submit`,
    /// whose errors it answers, and `give_up`).
    pub async fn write(&self, command: WriteCommand, give_up: tokio::time::Instant) -> Result<Written, WriteError> {
        self.writer.submit(command, give_up).await
    }

    /// The party a written record names, against the names the entity's
    /// earlier records give it; `None` when the record names no party.
    /// The writer applied the record's batch to this node's index before
    /// answering, so every earlier record is there.
    pub fn party_name(&self, record: &Record) -> Option<PartyName> {
        let party = record.body.party().filter(|p| !p.name.is_empty())?;
        let records = self.index.facts(&record.uscc).unwrap_or_default();
        let known_before = names(records.iter().filter(|r| r.sequence < record.sequence).map(|r| r.as_ref()));
        Some(PartyName { name: party.name.clone(), known_before })
    }
}
