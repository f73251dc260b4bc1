//! The in-memory index: every entity's records as decisions read them
//! (`Record::facts`: ids, dates, amounts, severity, sanctions, list terms,
//! numbers; no free texts), rebuilt from the store at start and extended by
//! the writer after each commit, with the Merkle tree head those records
//! make. Checks, risk classes and statistics are answered from it; readers
//! take a short read lock and never wait on disk. Profiles and histories,
//! which show the texts, read whole records from the store
//! (`services::files`).
//!
//! Facts are held compactly, as their canonical encoding (one allocation
//! per entity, each record preceded by its sequence and length), and
//! decoded when read: a few microseconds per record, against several times
//! the memory for records kept decoded. Every record was decoded once
//! before it was admitted here (by the writer that made it, or at rebuild),
//! so decoding cannot fail.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::domain::record::Record;
use crate::domain::uscc::Uscc;
use crate::ledger::Hash;
use crate::ledger::merkle::empty_root;

/// The ledger's size and RFC 9162 root hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

impl Default for TreeHead {
    fn default() -> Self {
        TreeHead { size: 0, root: empty_root() }
    }
}

/// One entity's records in ledger order, shared with readers: facts when
/// they come from the index, whole records when from the store.
pub type EntityRecords = Arc<Vec<Arc<Record>>>;

/// Codes come from callers, so the hash is seeded per process; foldhash is
/// several times cheaper than the standard SipHash on an 18-byte key.
type RandomState = foldhash::fast::RandomState;

/// Each entity's facts in ledger order: LEB128 sequence, LEB128 length,
/// canonical bytes of `Record::facts`. Records are found by id through the store
/// (`LedgerStore::locate`): a map of every id would cost more memory than the
/// records it points at.
pub type Entities = HashMap<Uscc, Arc<[u8]>, RandomState>;

/// A record ready for the index: its entity, sequence and the canonical
/// bytes of its facts (`Record::facts`).
pub struct Indexed<'a> {
    pub uscc: Uscc,
    pub sequence: u64,
    pub bytes: &'a [u8],
}

/// An entity's packed facts, each as (sequence, canonical bytes); an error
/// if the packing is cut short.
pub fn packed_records(packed: &[u8]) -> Result<Vec<(u64, &[u8])>, String> {
    let mut out = Vec::new();
    let mut rest = packed;
    while !rest.is_empty() {
        let sequence = prost::encoding::decode_varint(&mut rest).map_err(|e| e.to_string())?;
        let len = prost::encoding::decode_varint(&mut rest).map_err(|e| e.to_string())? as usize;
        if len > rest.len() {
            return Err(format!("record {sequence} is cut short"));
        }
        let (bytes, later) = rest.split_at(len);
        out.push((sequence, bytes));
        rest = later;
    }
    Ok(out)
}

/// Decodes an entity's packed records.
fn unpack(packed: &[u8]) -> EntityRecords {
    let records = packed_records(packed).expect("the index packs what it encoded");
    Arc::new(
        records
            .into_iter()
            .map(|(_, bytes)| Arc::new(crate::ledger::decode(bytes).expect("the index holds records decoded before")))
            .collect(),
    )
}

pub struct Index {
    inner: RwLock<Entities>,
    head: watch::Sender<TreeHead>,
    /// The commit time of the batch the writer is committing, while it is:
    /// records stamped at or after it may still arrive. `None`: every
    /// record stamped so far is held.
    in_flight: watch::Sender<Option<DateTime<Utc>>>,
    /// Entities given records since a follower last took them; `None`
    /// while no follower tracks them.
    changed: Mutex<Option<HashSet<Uscc, RandomState>>>,
}

impl Default for Index {
    fn default() -> Self {
        Index {
            inner: RwLock::default(),
            head: watch::Sender::new(TreeHead::default()),
            in_flight: watch::Sender::new(None),
            changed: Mutex::default(),
        }
    }
}

impl Index {
    /// The facts of one entity's records; `None` when it has none.
    pub fn facts(&self, uscc: &Uscc) -> Option<EntityRecords> {
        let packed = self.inner.read().expect("index lock").get(uscc).cloned()?;
        Some(unpack(&packed))
    }

    /// The sequence of one entity's newest record at or before `until`;
    /// `None` when it has none there. Reads no record.
    pub fn newest(&self, uscc: &Uscc, until: u64) -> Option<u64> {
        let packed = self.inner.read().expect("index lock").get(uscc).cloned()?;
        let records = packed_records(&packed).expect("the index packs what it encoded");
        records.into_iter().map(|(sequence, _)| sequence).take_while(|&sequence| sequence <= until).last()
    }

    /// The facts of every entity whose administrative division starts with
    /// `prefix`, in code order.
    pub fn entities_in_region(&self, prefix: &str) -> Vec<(Uscc, EntityRecords)> {
        let mut packed: Vec<(Uscc, Arc<[u8]>)> = self
            .inner
            .read()
            .expect("index lock")
            .iter()
            .filter(|(code, _)| code.division().starts_with(prefix))
            .map(|(code, records)| (*code, records.clone()))
            .collect();
        packed.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        packed.into_iter().map(|(code, records)| (code, unpack(&records))).collect()
    }

    /// The size of the published tree: every record up to it is held (the
    /// index may already hold a few newer ones).
    pub fn head(&self) -> u64 {
        self.head.borrow().size
    }

    /// The tree head of the records the index holds. Records read after it
    /// may be newer; a reader that answers against this head ignores them.
    pub fn tree_head(&self) -> TreeHead {
        *self.head.borrow()
    }

    /// Adds committed records' facts, in ledger order, and the tree head
    /// they make.
    pub fn apply<'a>(&self, committed: impl IntoIterator<Item = Indexed<'a>>, head: TreeHead) {
        {
            let mut inner = self.inner.write().expect("index lock");
            let mut grown: HashMap<Uscc, Vec<u8>, RandomState> = HashMap::default();
            for r in committed {
                let packed = grown.entry(r.uscc).or_insert_with(|| inner.get(&r.uscc).map(|v| v.to_vec()).unwrap_or_default());
                prost::encoding::encode_varint(r.sequence, packed);
                prost::encoding::encode_varint(r.bytes.len() as u64, packed);
                packed.extend_from_slice(r.bytes);
            }
            // Before the head moves: whoever sees the new head finds its entities here.
            if let Some(changed) = self.changed.lock().expect("changed lock").as_mut() {
                changed.extend(grown.keys());
            }
            for (uscc, packed) in grown {
                inner.insert(uscc, packed.into());
            }
        }
        self.head.send_replace(head);
    }

    /// From now on, remembers the entities records are added to, for
    /// [`take_changed`](Self::take_changed) (the name search follows the
    /// index so).
    pub fn track_changes(&self) {
        self.changed.lock().expect("changed lock").get_or_insert_with(HashSet::default);
    }

    /// The entities given records since the last call (or since
    /// [`track_changes`](Self::track_changes)), in no order.
    pub fn take_changed(&self) -> Vec<Uscc> {
        let mut changed = self.changed.lock().expect("changed lock");
        changed.as_mut().map(|set| set.drain().collect()).unwrap_or_default()
    }

    /// Every entity's packed facts, for a snapshot.
    pub fn export(&self) -> Vec<(Uscc, Arc<[u8]>)> {
        let inner = self.inner.read().expect("index lock");
        inner.iter().map(|(code, packed)| (*code, packed.clone())).collect()
    }

    /// Fills an empty index from a snapshot: packed entities and the tree
    /// head they make.
    pub fn import(&self, entities: Entities, head: TreeHead) {
        *self.inner.write().expect("index lock") = entities;
        self.head.send_replace(head);
    }

    /// Marks a batch as being committed and returns its commit time, taken
    /// from `now` only after the mark is visible: a reader that saw no batch
    /// in flight after reading the clock knows any later batch is stamped no
    /// earlier than its own reading.
    pub fn begin_batch(&self, now: impl FnOnce() -> DateTime<Utc>) -> DateTime<Utc> {
        self.in_flight.send_replace(Some(DateTime::<Utc>::MIN_UTC));
        let at = now();
        self.in_flight.send_replace(Some(at));
        at
    }

    /// The batch begun last is applied (or failed): nothing is in flight.
    pub fn end_batch(&self) {
        self.in_flight.send_replace(None);
    }

    /// Waits until every record stamped at or before `instant` is held, so
    /// that an answer "as known at `instant`" can never change later; false
    /// if that does not happen within `timeout`. `instant` must be before
    /// the caller's reading of the clock.
    pub async fn settled(&self, instant: DateTime<Utc>, timeout: Duration) -> bool {
        let mut rx = self.in_flight.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|batch| batch.is_none_or(|at| at > instant))).await.is_ok_and(|r| r.is_ok())
    }

    /// Waits until the index holds `sequence`, for read-your-writes; false
    /// if it does not within `timeout`.
    pub async fn wait_for(&self, sequence: u64, timeout: Duration) -> bool {
        let mut rx = self.head.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|head| head.size >= sequence)).await.is_ok_and(|r| r.is_ok())
    }
}
