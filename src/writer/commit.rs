//! Group commit: the writer's loop takes whatever writes are waiting,
//! admits each against the registry's state and the rest of the batch, and
//! appends all admitted records in one transaction.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;

use crate::domain::admission::{check_against, check_body, reference_of};
use crate::domain::record::{Record, RecordId};
use crate::domain::uscc::Uscc;
use crate::domain::{Refusal, Violation};
use crate::index::{Indexed, TreeHead};
use crate::ledger;
use crate::ledger::merkle::Frontier;
use crate::ledger::merkle::nodes_in;
use crate::store::{Appended, FoundKeys, IdempotencyKeys, LedgerStore, NewNodes, StoreError, ToAppend, decode_record};

use super::follow::FOLLOW_EVERY;
use super::{Job, Reply, TAKEN, WAITING, WriteCommand, WriteError, WriterTask, Written};

/// Keys that make a write idempotent: those of the records in a batch,
/// and those of earlier records the batch's commands name, read from the
/// store, whose unique constraints hold them.
type Keys = IdempotencyKeys;

/// What admitting one command decided.
enum Admitted {
    New(Arc<Record>),
    Replay(Arc<Record>),
}

/// What the store holds that a batch's commands name: the keys they
/// repeat, and the whole records that those keys and the commands'
/// references name (the index holds only their facts), by id.
#[derive(Default)]
struct Earlier {
    keys: IdempotencyKeys,
    records: HashMap<String, Arc<Record>>,
}

/// What a batch's admission reads of the store first.
#[derive(Clone, Copy)]
enum Lookup {
    /// The records the commands refer to (a correction's penalty, ...).
    References,
    /// Those, and the records holding any of the commands' idempotency keys.
    KeysAndReferences,
}

/// Each caller's answer, in order.
type Answers = Vec<Result<Written, WriteError>>;

/// A batch admitted and ready to append.
struct Prepared {
    answers: Answers,
    /// The new records, encoded, in ledger order.
    appended: Vec<Appended>,
    nodes: NewNodes,
    /// The tree with them.
    frontier: Frontier,
    /// Their commit time.
    now: chrono::DateTime<chrono::Utc>,
}

impl ToAppend for Prepared {
    fn to_append(&self) -> (&[Appended], &NewNodes) {
        (&self.appended, &self.nodes)
    }
}

/// Records admitted in the current batch but not yet committed.
#[derive(Default)]
struct Batch {
    records: Vec<Arc<Record>>,
    keys: Keys,
}

impl WriterTask {
    /// Takes up queued writes a batch at a time and follows other nodes'
    /// appends, until every handle to the writer is dropped.
    pub(super) async fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        let mut jobs = Vec::with_capacity(self.max_batch);
        // Other nodes' appends: told at once where the store can tell
        // (PostgreSQL's NOTIFY), and looked for every `FOLLOW_EVERY` in
        // case a notice was lost.
        let following = self.ledger.is_shared();
        let mut notices = self.ledger.ledger_notices();
        let mut poll = tokio::time::interval(FOLLOW_EVERY);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                n = rx.recv_many(&mut jobs, self.max_batch) => {
                    if n == 0 {
                        break;
                    }
                    self.commit_batch(std::mem::take(&mut jobs)).await;
                }
                notice = async { notices.as_mut().expect("listening").changed().await }, if notices.is_some() => {
                    if notice.is_err() {
                        notices = None;
                    }
                    self.follow().await;
                }
                _ = poll.tick(), if following => self.follow().await,
            }
        }
    }

    /// Admits and commits one batch, every record stamped `now`.
    ///
    /// Most writes are new, so a batch is first admitted without looking
    /// its idempotency keys up: the store's unique keys catch a repeat, the
    /// commit fails, and the batch is admitted again against the records
    /// its keys name. That spares the look-up on the writer's one path,
    /// where it took a fifth of each cycle.
    ///
    /// Another node may have appended since this one last read the ledger:
    /// the store then refuses the batch (`StoreError::Behind`), and the
    /// batch is admitted again after reading what was appended, against
    /// the keys too, since that node may have written the same request.
    async fn commit_batch(&mut self, mut jobs: Vec<Job>) {
        // A job its caller withdrew is dropped; the others are taken up,
        // and each is answered with its outcome.
        jobs.retain(|job| job.state.compare_exchange(WAITING, TAKEN, Ordering::AcqRel, Ordering::Acquire).is_ok());
        if jobs.is_empty() {
            return;
        }
        let mut commands = Vec::with_capacity(jobs.len());
        let mut replies = Vec::with_capacity(jobs.len());
        for job in jobs {
            commands.push(job.command);
            replies.push((job.give_up, Some(job.reply)));
        }
        let attempts = self.admit_and_append(&commands);
        tokio::pin!(attempts);
        let outcome = loop {
            let waiting = replies.iter().filter(|(_, reply)| reply.is_some());
            let Some(next) = waiting.map(|(give_up, _)| *give_up).min() else { break attempts.await };
            tokio::select! {
                outcome = &mut attempts => break outcome,
                _ = tokio::time::sleep_until(next) => {
                    // A caller's deadline: it is answered now, its commit
                    // unconfirmed. The store's work is not cut short (a
                    // cancelled commit may or may not be written): it goes
                    // on, and its outcome keeps the writer's head as
                    // stored and answers the callers still waiting.
                    let now = tokio::time::Instant::now();
                    for (_, reply) in replies.iter_mut().filter(|(give_up, _)| *give_up <= now) {
                        if let Some(reply) = reply.take() {
                            let _ = reply.send(Err(WriteError::Unconfirmed));
                        }
                    }
                }
            }
        };
        Self::answer_all(&mut replies, outcome.map_err(WriteError::from));
    }

    /// Admits and commits a batch, admitting it again when the store's
    /// keys or another node's appends call for it (see `commit_batch`).
    async fn admit_and_append(&mut self, commands: &[WriteCommand]) -> Result<Answers, StoreError> {
        let mut lookup = Lookup::References;
        loop {
            match self.attempt(commands, lookup).await {
                Err(e) if e.is_duplicate_key() && matches!(lookup, Lookup::References) => {
                    tracing::debug!("a key of the batch is already recorded; admitting it again against the store's keys");
                }
                Err(StoreError::Behind { head, .. }) => {
                    // In a ledger transaction no other node appends: reading
                    // theirs and admitting again cannot be behind.
                    tracing::debug!(head, "another node appended first; admitting again in a ledger transaction");
                    return self.attempt_in_transaction(commands).await;
                }
                outcome => return outcome,
            }
            lookup = Lookup::KeysAndReferences;
        }
    }

    /// Admits `commands` and appends what is new, on the ledger's head as
    /// this node last read it; the index and tree updated once committed.
    async fn attempt(&mut self, commands: &[WriteCommand], lookup: Lookup) -> Result<Answers, StoreError> {
        let outcome = match self.prepare(commands, lookup).await {
            Ok(batch) if !batch.appended.is_empty() => self.ledger.append(&batch.appended, &batch.nodes).await.map(|()| batch),
            other => other,
        };
        self.committed(outcome)
    }

    /// Admits `commands` against the store's keys and appends what is new
    /// in a ledger transaction, after reading what other nodes appended up
    /// to its head.
    async fn attempt_in_transaction(&mut self, commands: &[WriteCommand]) -> Result<Answers, StoreError> {
        let ledger = self.ledger.clone();
        let task = &mut *self;
        let outcome = ledger
            .transact(move |head| async move {
                task.caught_up_to(head).await?;
                task.prepare(commands, Lookup::KeysAndReferences).await
            })
            .await;
        self.committed(outcome)
    }

    /// Answers each caller not yet answered with its answer, or all with
    /// the batch's failure.
    fn answer_all(replies: &mut [Reply], outcome: Result<Vec<Result<Written, WriteError>>, WriteError>) {
        match outcome {
            Ok(answers) => {
                for ((_, reply), answer) in replies.iter_mut().zip(answers) {
                    if let Some(reply) = reply.take() {
                        let _ = reply.send(answer);
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = replies.len(), "ledger commit failed");
                for reply in replies.iter_mut().filter_map(|(_, reply)| reply.take()) {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }

    /// Admits `commands` against what `lookup` reads of the store, stamped
    /// with the batch's commit time: the callers' answers, and what is new
    /// encoded, with the tree grown on a copy.
    async fn prepare(&mut self, commands: &[WriteCommand], lookup: Lookup) -> Result<Prepared, StoreError> {
        let (clock, last) = (self.clock, self.last_recorded_at);
        let now = self.index.begin_batch(|| clock.now().max(last));
        let today = self.clock.today();
        let earlier = self.known(commands, lookup).await?;
        let mut batch = Batch::default();
        let answers: Answers = commands
            .iter()
            .map(|command| match self.admit(command, &batch, &earlier, now, today)? {
                Admitted::New(record) => {
                    batch.keys.add(&record);
                    batch.records.push(record.clone());
                    Ok(Written { record, replayed: false })
                }
                Admitted::Replay(record) => Ok(Written { record, replayed: true }),
            })
            .collect();
        let appended: Vec<Appended> = batch
            .records
            .iter()
            .map(|record| {
                let bytes = ledger::encode(record);
                let leaf_hash = ledger::leaf_hash(&bytes);
                Appended { record: record.clone(), bytes, leaf_hash }
            })
            .collect();
        // The tree grows on a copy, kept only if the commit succeeds.
        let mut frontier = self.frontier.clone();
        let mut nodes = NewNodes { first: nodes_in(frontier.size()), hashes: Vec::new() };
        for entry in &appended {
            frontier.push(entry.leaf_hash, &mut nodes.hashes);
        }
        Ok(Prepared { answers, appended, nodes, frontier, now })
    }

    /// After a batch's commit (or its failure): the committed records in
    /// the index and the tree, the batch no longer in flight.
    fn committed(&mut self, outcome: Result<Prepared, StoreError>) -> Result<Answers, StoreError> {
        let answers = outcome.map(|batch| {
            if !batch.appended.is_empty() {
                self.last_recorded_at = batch.now;
                let facts: Vec<Vec<u8>> = batch.appended.iter().map(|a| ledger::encode(&a.record.facts())).collect();
                let indexed = batch.appended.iter().zip(&facts).map(|(a, facts)| Indexed {
                    uscc: a.record.uscc,
                    sequence: a.record.sequence,
                    bytes: facts,
                });
                self.index.apply(indexed, TreeHead { size: batch.frontier.size(), root: batch.frontier.root() });
                self.frontier = batch.frontier;
                tracing::debug!(records = batch.appended.len(), head = self.frontier.size(), "committed");
            }
            batch.answers
        });
        self.index.end_batch();
        answers
    }

    /// A committed or batched record by id.
    fn find(&self, batch: &Batch, earlier: &Earlier, id: &str) -> Option<Arc<Record>> {
        batch.records.iter().find(|r| r.id == id).or_else(|| earlier.records.get(id)).cloned()
    }

    /// An entity's committed records (their facts) and batched records, in
    /// ledger order.
    fn entity_records(&self, batch: &Batch, uscc: &Uscc) -> Vec<Arc<Record>> {
        let mut records = self.index.facts(uscc).map(|v| v.as_ref().clone()).unwrap_or_default();
        records.extend(batch.records.iter().filter(|r| r.uscc == *uscc).cloned());
        records
    }

    /// The records the commands refer to, and with `Lookup::KeysAndReferences`
    /// the keys of earlier records that the commands' keys match, with
    /// those records.
    async fn known(&self, commands: &[WriteCommand], lookup: Lookup) -> Result<Earlier, StoreError> {
        let mut found = match lookup {
            Lookup::References => FoundKeys::default(),
            Lookup::KeysAndReferences => {
                let requests: Vec<(String, String)> = commands
                    .iter()
                    .filter(|c| !c.request_id.is_empty())
                    .map(|c| (c.actor.clone(), c.request_id.clone()))
                    .collect();
                let decisions: Vec<(String, String)> = commands
                    .iter()
                    .filter_map(|c| Some((c.authority.clone(), c.body.unique_decision_number()?.to_string())))
                    .collect();
                self.ledger.existing_keys(&requests, &decisions).await?
            }
        };
        // The records the keys name came with them; the records the
        // commands refer to are looked up.
        let ids: Vec<&str> = commands
            .iter()
            .filter_map(|c| reference_of(&c.body))
            .map(|(_, id)| id.as_str())
            .filter(|id| !found.places.contains_key(*id))
            .collect();
        if !ids.is_empty() {
            found.places.extend(self.ledger.locate(&ids).await?);
        }
        let mut records = HashMap::with_capacity(found.places.len());
        for (id, at) in found.places {
            records.insert(id, Arc::new(decode_record(at.sequence, &at.bytes)?));
        }
        Ok(Earlier { keys: found.keys, records })
    }

    fn admit(
        &self,
        cmd: &WriteCommand,
        batch: &Batch,
        earlier: &Earlier,
        now: chrono::DateTime<chrono::Utc>,
        today: chrono::NaiveDate,
    ) -> Result<Admitted, WriteError> {
        // Admission applies the rules in force today.
        let rules = self.rules.on(today);
        let problems = check_body(&cmd.body, today, rules);
        if !problems.is_empty() {
            return Err(WriteError::Invalid(problems));
        }
        let reference = match reference_of(&cmd.body) {
            Some((field, id)) => Some(
                self.find(batch, earlier, id)
                    .ok_or_else(|| WriteError::Refused(Refusal::TargetNotFound { field: field.into(), record_id: id.clone() }))?,
            ),
            None => None,
        };
        let uscc = cmd
            .uscc
            .or(reference.as_ref().map(|r| r.uscc))
            .ok_or_else(|| WriteError::Invalid(vec![Violation::new("uscc", "is required")]))?;

        if let Some(existing) = self.replay_of(cmd, uscc, batch, earlier)? {
            return Ok(Admitted::Replay(existing));
        }

        // Only a record that refers to another is judged against the
        // entity's records.
        let entity = reference.as_ref().map(|_| self.entity_records(batch, &uscc));
        check_against(&cmd.body, &uscc, &cmd.authority, reference.as_ref().zip(entity.as_deref()), rules, today)
            .map_err(WriteError::Refused)?;

        Ok(Admitted::New(Arc::new(Record {
            id: uuid::Uuid::now_v7().to_string(),
            sequence: self.frontier.size() + 1 + batch.records.len() as u64,
            recorded_at: now,
            uscc,
            authority: cmd.authority.clone(),
            actor: cmd.actor.clone(),
            request_id: cmd.request_id.clone(),
            body: cmd.body.clone(),
        })))
    }

    /// The record this command repeats, if it is a repeat; a conflict if it
    /// re-uses a key for something else.
    fn replay_of(
        &self,
        cmd: &WriteCommand,
        uscc: Uscc,
        batch: &Batch,
        earlier: &Earlier,
    ) -> Result<Option<Arc<Record>>, WriteError> {
        let lookup = |map: fn(&Keys) -> &HashMap<(String, String), RecordId>, key: (String, String)| {
            map(&batch.keys).get(&key).or_else(|| map(&earlier.keys).get(&key)).cloned()
        };
        let by_request = (!cmd.request_id.is_empty())
            .then(|| lookup(|k| &k.requests, (cmd.actor.clone(), cmd.request_id.clone())))
            .flatten()
            .map(|id| (id, "REQUEST_ID_REUSED", format!("request_id '{}' was already used by this caller", cmd.request_id)));
        let by_decision = || {
            let number = cmd.body.unique_decision_number()?;
            lookup(|k| &k.decisions, (cmd.authority.clone(), number.to_string())).map(|id| {
                (
                    id,
                    "DECISION_NUMBER_REUSED",
                    format!("decision number '{number}' of authority '{}' is already recorded", cmd.authority),
                )
            })
        };
        let Some((id, reason, what)) = by_request.or_else(by_decision) else { return Ok(None) };
        let original = self.find(batch, earlier, &id).expect("keys name indexed records");
        if original.uscc == uscc && original.body == cmd.body {
            Ok(Some(original))
        } else {
            Err(WriteError::Conflict {
                reason,
                message: format!("{what}, for {} {}, with different content", original.body.kind(), original.id),
                existing: original.id.clone(),
            })
        }
    }
}
