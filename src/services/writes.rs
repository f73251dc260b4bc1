//! Enforcement writes (执法机关的处罚、抽查、名单等记录): the rules' judgement of
//! a record some of whose fields could not be read, and the write itself
//! through this node's single writer.

use std::sync::Arc;

use crate::clock::Clock;
use crate::domain::Violation;
use crate::domain::admission::check_readable;
use crate::domain::record::RecordBody;
use crate::domain::rules::RuleBook;
use crate::writer::{WriteCommand, WriteError, Writer, Written};

/// Writes records through the writer, which admits and commits them.
#[derive(Clone)]
pub struct Writes {
    writer: Writer,
    rules: Arc<RuleBook>,
    clock: Clock,
}

impl Writes {
    pub fn new(writer: Writer, rules: Arc<RuleBook>, clock: Clock) -> Writes {
        Writes { writer, rules, clock }
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
}
