//! The single writer: owns the ledger head, admits records, group-commits.
//!
//! Requests queue to one task. It takes whatever is waiting (up to a bound),
//! checks each against the registry's state and the rest of the batch,
//! appends all admitted records in one transaction, and only after the commit
//! updates the index and answers every caller. Nothing is acknowledged before
//! it is durable; a failed commit fails the whole batch and changes nothing.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::config::WriterConfig;
use crate::domain::admission::{Refusal, Violation, check_against, check_body, reference_of};
use crate::domain::record::{Record, RecordBody, RecordId};
use crate::domain::rules::RuleBook;
use crate::domain::uscc::Uscc;
use crate::index::{Index, Indexed, TreeHead};
use crate::ledger;
use crate::ledger::merkle::{Frontier, frontier, nodes_in};
use crate::ledger::signing::PublicKey;
use crate::priority::{PRIORITY_WINDOW, WritePriority};
use crate::snapshot::{self, Snapshot, SnapshotFile};
use crate::store::{
    Appended, Fault, FoundKeys, IdempotencyKeys, LedgerLock, NewNodes, Store, StoreError, StoredEntry, decode_record,
};

/// A record to write, as the API parsed it.
#[derive(Clone, Debug)]
pub struct WriteCommand {
    /// JWT subject of the writer.
    pub actor: String,
    /// The authority the writer acts for.
    pub authority: String,
    pub request_id: String,
    /// The entity; `None` for records that take it from the record they change.
    pub uscc: Option<Uscc>,
    pub body: RecordBody,
}

/// A committed write.
#[derive(Clone, Debug)]
pub struct Written {
    pub record: Arc<Record>,
    /// True when this repeats an earlier request and nothing new was written.
    pub replayed: bool,
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum WriteError {
    #[error("invalid record")]
    Invalid(Vec<Violation>),
    #[error("refused")]
    Refused(Refusal),
    #[error("{message}")]
    Conflict { reason: &'static str, message: String, existing: RecordId },
    /// What the store answered, its class kept (corrupt data met while
    /// admitting is not something to retry); one error may answer a batch.
    #[error(transparent)]
    Store(Arc<StoreError>),
    /// The write was withdrawn at the call's deadline before the writer
    /// took it up: nothing was written.
    #[error("the write was not taken up before the call's deadline; nothing was written")]
    NotTakenUp,
    /// The store had not confirmed the write's batch by the deadline of a
    /// call in it: it may or may not have been committed.
    #[error(
        "the store did not confirm the write before the call's deadline; it may have been committed: \
         send it again with the same request_id, which answers the original if it was"
    )]
    Unconfirmed,
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> WriteError {
        WriteError::Store(Arc::new(e))
    }
}

struct Job {
    command: WriteCommand,
    reply: oneshot::Sender<Result<Written, WriteError>>,
    /// `WAITING` until the writer takes the job up (`TAKEN`: it will be
    /// answered with its outcome) or its caller withdraws it (`WITHDRAWN`:
    /// never written).
    state: Arc<AtomicU8>,
    /// When its caller stops waiting.
    give_up: tokio::time::Instant,
}

/// A taken-up job's caller: when it stops waiting, and its reply until
/// answered.
type Reply = (tokio::time::Instant, Option<oneshot::Sender<Result<Written, WriteError>>>);

const WAITING: u8 = 0;
const TAKEN: u8 = 1;
const WITHDRAWN: u8 = 2;

/// Withdraws a job not yet taken up when its caller stops waiting (the
/// call's deadline passed, or the call was cancelled).
struct Withdraw(Arc<AtomicU8>);

impl Withdraw {
    /// Whether the job was withdrawn now or before, so will not be written.
    fn withdraw(&self) -> bool {
        self.0.compare_exchange(WAITING, WITHDRAWN, Ordering::AcqRel, Ordering::Acquire).is_ok()
            || self.0.load(Ordering::Acquire) == WITHDRAWN
    }
}

impl Drop for Withdraw {
    fn drop(&mut self) {
        self.withdraw();
    }
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
    priority: WritePriority,
    following: FollowFault,
}

/// Corrupt data that stops this node following the ledger, while it does.
type FollowFault = Arc<std::sync::Mutex<Option<Arc<StoreError>>>>;

impl Writer {
    /// The corrupt record (or gap) in the ledger that this node cannot
    /// read past, while it cannot: a read waiting for records after it
    /// waits in vain.
    pub fn following_fault(&self) -> Option<Arc<StoreError>> {
        self.following.lock().expect("follow fault").clone()
    }

    /// What gives writes precedence over checks.
    pub fn priority(&self) -> WritePriority {
        self.priority.clone()
    }

    /// Submits one write and waits for its commit. At `give_up` a write
    /// the writer has not taken up yet is withdrawn, never to be written,
    /// and answered `WriteError::NotTakenUp`; one taken up is answered
    /// with its outcome.
    pub async fn submit(&self, command: WriteCommand, give_up: tokio::time::Instant) -> Result<Written, WriteError> {
        self.priority.write_arrived();
        let stopped = || WriteError::from(StoreError::Stopped("the writer"));
        let (reply, mut answer) = oneshot::channel();
        let state = Arc::new(AtomicU8::new(WAITING));
        let withdraw = Withdraw(state.clone());
        let job = Job { command, reply, state, give_up };
        let queued = async {
            self.queue.send(job).await.map_err(|_| stopped())?;
            (&mut answer).await.map_err(|_| stopped())?
        };
        tokio::select! {
            answered = queued => answered,
            _ = tokio::time::sleep_until(give_up) => {
                if withdraw.withdraw() {
                    Err(WriteError::NotTakenUp)
                } else {
                    answer.await.map_err(|_| stopped())?
                }
            }
        }
    }
}

/// Keys that make a write idempotent: those of the records in a batch,
/// and those of earlier records the batch's commands name, read from the
/// store, whose unique constraints hold them.
type Keys = IdempotencyKeys;

/// Everything the writer owns.
pub struct WriterTask {
    store: Store,
    index: Arc<Index>,
    rules: Arc<RuleBook>,
    clock: Clock,
    /// The Merkle tree's right edge: its size is the ledger head.
    frontier: Frontier,
    last_recorded_at: chrono::DateTime<chrono::Utc>,
    max_batch: usize,
    following: FollowFault,
}

/// What the writer needs from the ledger at start.
struct Rebuilt {
    frontier: Frontier,
    last_recorded_at: chrono::DateTime<chrono::Utc>,
}

/// How often a node looks for records other nodes appended, when the
/// store does not tell it.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Records read at a time when catching up with other nodes.
const CATCH_UP_PAGE: u32 = 4096;

/// Records decoded at rebuild before they go to the index together.
const REBUILD_CHUNK: usize = 65_536;

/// Loads the ledger into a fresh index and the Merkle frontier: from the
/// index snapshot at `snapshot` when it is there and the store's tree
/// confirms it, then every record after it; stores any tree nodes the store
/// lacks (a ledger written before the tree was kept). Every record read
/// from the ledger is decoded once, so the index never holds one that does
/// not; a gap in the sequence, a misplaced record or one that does not
/// decode stops it.
async fn rebuild(store: &Store, index: &Index, snapshot: Option<&SnapshotFile>) -> Result<Rebuilt, StoreError> {
    let stored_nodes = store.node_count().await?;
    let head = store.head().await?;
    let mut frontier = match snapshot.filter(|s| s.path.exists()) {
        Some(SnapshotFile { path, key }) => match confirmed(store, path, key.public(), head).await? {
            Ok((snapshot, frontier)) => {
                tracing::info!(records = snapshot.head.size, path = %path.display(), "index loaded from its snapshot");
                index.import(snapshot.entities, snapshot.head);
                frontier
            }
            Err(why) => {
                tracing::warn!(path = %path.display(), why, "index snapshot not used; rebuilding from the ledger");
                Frontier::default()
            }
        },
        None => {
            tracing::info!("no index snapshot; rebuilding the index from the ledger");
            Frontier::default()
        }
    };
    let mut pending: Vec<(Uscc, Vec<u8>)> = Vec::with_capacity(REBUILD_CHUNK);
    let mut last_recorded_at = chrono::DateTime::UNIX_EPOCH;
    let apply = |pending: &mut Vec<(Uscc, Vec<u8>)>, frontier: &Frontier| {
        let head = TreeHead { size: frontier.size(), root: frontier.root() };
        let first = frontier.size() + 1 - pending.len() as u64;
        let indexed = pending.iter().zip(first..).map(|((uscc, bytes), sequence)| Indexed { uscc: *uscc, sequence, bytes });
        index.apply(indexed, head);
        pending.clear();
    };
    let mut nodes = Vec::new();
    let mut missing = NewNodes { first: stored_nodes, hashes: Vec::new() };
    store
        .scan_ledger(frontier.size(), |entry| {
            let first = nodes_in(frontier.size());
            let (uscc, facts, recorded_at) = next_record(&mut frontier, &entry, &mut nodes)?;
            for (i, hash) in nodes.iter().enumerate() {
                if first + i as u64 >= stored_nodes {
                    missing.hashes.push(*hash);
                }
            }
            last_recorded_at = recorded_at;
            pending.push((uscc, facts));
            if pending.len() == REBUILD_CHUNK {
                apply(&mut pending, &frontier);
            }
            Ok(())
        })
        .await?;
    apply(&mut pending, &frontier);
    if stored_nodes > nodes_in(frontier.size()) {
        return Err(StoreError::Inconsistent(format!(
            "the Merkle tree has {stored_nodes} nodes but the ledger's {} records make {}: records are missing",
            frontier.size(),
            nodes_in(frontier.size())
        )));
    }
    if !missing.hashes.is_empty() {
        tracing::info!(nodes = missing.hashes.len(), "storing Merkle nodes the store lacked");
        store.append(&[], &missing).await?;
    }
    if last_recorded_at == chrono::DateTime::UNIX_EPOCH && head > 0 {
        // Every record came from the snapshot: the newest is read for its time.
        let newest = store.ledger_page(head - 1, head, 1).await?;
        if let Some(entry) = newest.first() {
            last_recorded_at = decode_record(entry.sequence, &entry.bytes)?.recorded_at;
        }
    }
    Ok(Rebuilt { frontier, last_recorded_at })
}

/// The record after `frontier` in the ledger, checked and added to the
/// tree: its entity, its facts as the index holds them, and its time;
/// `nodes` holds the tree nodes it completed. A gap in the sequence, a
/// misplaced record or one that does not decode is corrupt data.
fn next_record(
    frontier: &mut Frontier,
    entry: &StoredEntry,
    nodes: &mut Vec<ledger::Hash>,
) -> Result<(Uscc, Vec<u8>, chrono::DateTime<chrono::Utc>), StoreError> {
    if entry.sequence != frontier.size() + 1 {
        return Err(StoreError::Corrupt {
            sequence: frontier.size() + 1,
            reason: format!("missing: the ledger goes from {} to {}", frontier.size(), entry.sequence),
        });
    }
    let record = decode_record(entry.sequence, &entry.bytes)?;
    if record.sequence != entry.sequence {
        return Err(StoreError::Corrupt {
            sequence: entry.sequence,
            reason: format!("record says sequence {}", record.sequence),
        });
    }
    nodes.clear();
    frontier.push(ledger::leaf_hash(&entry.bytes), nodes);
    Ok((record.uscc, ledger::encode(&record.facts()), record.recorded_at))
}

/// The snapshot at `path` if the store's tree confirms it: no larger than
/// the ledger, with the root the stored nodes give for its size; with the
/// tree's frontier at that size, read from those nodes. The outer error is
/// the store's; the inner says why the snapshot is not used.
async fn confirmed(
    store: &Store,
    path: &Path,
    key: &PublicKey,
    head: u64,
) -> Result<Result<(Snapshot, Frontier), String>, StoreError> {
    let snapshot = match snapshot::read(path, key) {
        Ok(s) => s,
        Err(why) => return Ok(Err(why)),
    };
    let size = snapshot.head.size;
    if size > head {
        return Ok(Err(format!("it holds {size} records but the ledger {head}")));
    }
    let frontier = crate::audit::with_nodes(store, |nodes| frontier(size, nodes)).await?;
    if frontier.root() != snapshot.head.root {
        return Ok(Err(format!("its root for {size} records is not the ledger's")));
    }
    Ok(Ok((snapshot, frontier)))
}

/// Starts the writer over a rebuilt index; returns its handle and task.
pub async fn start(
    store: Store,
    index: Arc<Index>,
    rules: Arc<RuleBook>,
    clock: Clock,
    settings: &WriterConfig,
    snapshot: Option<&SnapshotFile>,
) -> Result<(Writer, tokio::task::JoinHandle<()>), StoreError> {
    let Rebuilt { frontier, last_recorded_at } = rebuild(&store, &index, snapshot).await?;
    let (tx, rx) = mpsc::channel(settings.queue.max(1));
    let task = WriterTask {
        store,
        index,
        rules,
        clock,
        frontier,
        last_recorded_at,
        max_batch: settings.max_batch.max(1),
        following: FollowFault::default(),
    };
    let priority = WritePriority::new(settings.checks_while_writing, PRIORITY_WINDOW);
    // The writer runs on a thread of its own, not among the request
    // workers: each of its turns (a batch arriving, a commit returning from
    // the store's connection thread) would otherwise wait behind whatever
    // reads are queued there, and under a full read load writes slowed to
    // the readers' pace.
    let runtime = tokio::runtime::Handle::current();
    let following = task.following.clone();
    Ok((Writer { queue: tx, priority, following }, tokio::task::spawn_blocking(move || runtime.block_on(task.run(rx)))))
}

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

/// Records admitted in the current batch but not yet committed.
#[derive(Default)]
struct Batch {
    records: Vec<Arc<Record>>,
    keys: Keys,
}

impl WriterTask {
    async fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        let mut jobs = Vec::with_capacity(self.max_batch);
        // Other nodes' appends: told at once where the store can tell
        // (PostgreSQL's NOTIFY), and looked for every `FOLLOW_EVERY` in
        // case a notice was lost.
        let following = self.store.is_shared();
        let mut notices = self.store.ledger_notices();
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

    /// The ledger's lock, with the index and tree brought up to its head.
    async fn locked_and_caught_up(&mut self) -> Result<LedgerLock, StoreError> {
        let lock = self.store.lock_ledger().await?;
        self.catch_up().await?;
        if self.frontier.size() != lock.head {
            return Err(StoreError::Inconsistent(format!(
                "the ledger's head says {} records but {} were read",
                lock.head,
                self.frontier.size()
            )));
        }
        Ok(lock)
    }

    /// Reads what other nodes appended, logging a failure: the next notice
    /// or poll tries again.
    async fn follow(&mut self) {
        // Not while the store is unreachable (it would answer so, every
        // poll): it marks itself reachable again, and the next notice or
        // poll reads what was appended meanwhile.
        if self.store.unreachable().is_some() {
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
            let page = self.store.ledger_page(self.frontier.size(), u64::MAX, CATCH_UP_PAGE).await?;
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
    async fn admit_and_append(&mut self, commands: &[WriteCommand]) -> Result<Vec<Result<Written, WriteError>>, StoreError> {
        let mut lookup = Lookup::References;
        let mut lock = None;
        loop {
            let locked = lock.is_some();
            let (clock, last) = (self.clock, self.last_recorded_at);
            let now = self.index.begin_batch(|| clock.now().max(last));
            let outcome = self.try_batch(commands, now, lookup, lock.take()).await;
            self.index.end_batch();
            match outcome {
                Err(e) if e.is_duplicate_key() && matches!(lookup, Lookup::References) => {
                    tracing::debug!("a key of the batch is already recorded; admitting it again against the store's keys");
                }
                Err(StoreError::Behind { head, .. }) if !locked => {
                    // Under the head's lock no other node appends: reading
                    // theirs and admitting again cannot be behind.
                    tracing::debug!(head, "another node appended first; admitting again under the ledger's lock");
                    lock = Some(self.locked_and_caught_up().await?);
                }
                outcome => return outcome,
            }
            lookup = Lookup::KeysAndReferences;
        }
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

    /// Admits `commands` against what `lookup` reads of the store and commits
    /// what is new; the answer to each job, in order, once committed.
    async fn try_batch(
        &mut self,
        commands: &[WriteCommand],
        now: chrono::DateTime<chrono::Utc>,
        lookup: Lookup,
        lock: Option<LedgerLock>,
    ) -> Result<Vec<Result<Written, WriteError>>, StoreError> {
        let today = self.clock.today();
        let earlier = self.known(commands, lookup).await?;
        let mut batch = Batch::default();
        let answers: Vec<Result<Written, WriteError>> = commands
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
        if batch.records.is_empty() {
            return Ok(answers);
        }
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
        match lock {
            Some(lock) => self.store.append_locked(lock, &appended, &nodes).await?,
            None => self.store.append(&appended, &nodes).await?,
        }
        self.last_recorded_at = now;
        let facts: Vec<Vec<u8>> = appended.iter().map(|a| ledger::encode(&a.record.facts())).collect();
        let indexed = appended.iter().zip(&facts).map(|(a, facts)| Indexed {
            uscc: a.record.uscc,
            sequence: a.record.sequence,
            bytes: facts,
        });
        self.index.apply(indexed, TreeHead { size: frontier.size(), root: frontier.root() });
        self.frontier = frontier;
        tracing::debug!(records = batch.records.len(), head = self.frontier.size(), "committed");
        Ok(answers)
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
                self.store.existing_keys(&requests, &decisions).await?
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
            found.places.extend(self.store.locate(&ids).await?);
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
