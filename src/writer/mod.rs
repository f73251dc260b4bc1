//! The single writer: owns the ledger head, admits records, group-commits.
//!
//! Requests queue to one task. It takes whatever is waiting (up to a bound),
//! checks each against the registry's state and the rest of the batch,
//! appends all admitted records in one transaction, and only after the commit
//! updates the index and answers every caller. Nothing is acknowledged before
//! it is durable; a failed commit fails the whole batch and changes nothing.
//!
//! `commit`: the writer's loop and group commit; `rebuild`: the index and
//! tree loaded from the ledger at start; `follow`: records other nodes
//! appended, read as they arrive.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::domain::record::{Record, RecordBody, RecordId};
use crate::domain::rules::RuleBook;
use crate::domain::uscc::Uscc;
use crate::domain::{Refusal, Violation};
use crate::index::Index;
use crate::ledger::merkle::Frontier;
use crate::priority::{PRIORITY_WINDOW, WritePriority};
use crate::snapshot::SnapshotFile;
use crate::store::{Ledger, StoreError};

mod commit;
mod follow;
mod rebuild;

use rebuild::{Rebuilt, rebuild};

/// The writer's settings (the `[writer]` section of the configuration).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WriterConfig {
    /// Most records committed in one transaction. `CREDITREGISTRY_WRITER_MAX_BATCH`.
    pub max_batch: usize,
    /// Writes waiting for the writer before callers wait to enqueue.
    pub queue: usize,
    /// Checks worked on at once while writes are arriving (see
    /// `priority::WritePriority`); 0 never limits them.
    /// `CREDITREGISTRY_CHECKS_WHILE_WRITING`.
    pub checks_while_writing: u32,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig { max_batch: 256, queue: 4096, checks_while_writing: 4 }
    }
}

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

/// Everything the writer owns.
pub struct WriterTask {
    ledger: Ledger,
    index: Arc<Index>,
    rules: Arc<RuleBook>,
    clock: Clock,
    /// The Merkle tree's right edge: its size is the ledger head.
    frontier: Frontier,
    last_recorded_at: chrono::DateTime<chrono::Utc>,
    max_batch: usize,
    following: FollowFault,
}

/// Starts the writer over a rebuilt index; returns its handle and task.
pub async fn start(
    ledger: Ledger,
    index: Arc<Index>,
    rules: Arc<RuleBook>,
    clock: Clock,
    settings: &WriterConfig,
    snapshot: Option<&SnapshotFile>,
) -> Result<(Writer, tokio::task::JoinHandle<()>), StoreError> {
    let Rebuilt { frontier, last_recorded_at } = rebuild(&ledger, &index, snapshot).await?;
    let (tx, rx) = mpsc::channel(settings.queue.max(1));
    let task = WriterTask {
        ledger,
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
