//! A snapshot of the index kept beside the ledger, so a restart need not
//! decode every record: written when the registry stops, read at start.
//!
//! Format (all integers big-endian): the 8 bytes `CRIDX01\n`; the tree size
//! (u64) and root (32 bytes) the index held; the number of entities (u64);
//! per entity its code (18 bytes), the length of its packed records (u64)
//! and the packed records (each: LEB128 sequence, LEB128 length, the
//! record's canonical bytes, as the ledger stores them); then SHA-256 of
//! everything before it.
//!
//! A snapshot is trusted only as far as the ledger confirms it: the leaf
//! hashes of its records, in sequence order, must make a tree of exactly
//! its size whose root the store's Merkle nodes give for that size. So a
//! snapshot that differs from the ledger in one byte or one position is
//! refused, and the index is rebuilt from the ledger instead.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use prost::Message;
use sha2::{Digest, Sha256};

use crate::domain::uscc::{CODE_LEN, Uscc};
use crate::index::{Index, TreeHead, packed_records, record_key};
use crate::ledger::merkle::Frontier;
use crate::ledger::{Hash, leaf_hash};

const MAGIC: &[u8; 8] = b"CRIDX01\n";

/// Where the snapshot of a SQLite store's index is kept:
/// `sqlite://data/registry.db` → `data/registry-index.snapshot`. None for
/// an in-memory store.
pub fn path_for(database_url: &str) -> Option<PathBuf> {
    let path = database_url.strip_prefix("sqlite://")?.split('?').next()?;
    if path.contains(":memory:") {
        return None;
    }
    let stem = path.strip_suffix(".db").unwrap_or(path);
    Some(PathBuf::from(format!("{stem}-index.snapshot")))
}

/// Writes the index to `path` (through a temporary file, then renamed).
pub fn write(index: &Index, path: &Path) -> std::io::Result<()> {
    let head = index.tree_head();
    let entities = index.export();
    let temporary = path.with_extension("snapshot.partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
    let mut digest = Sha256::new();
    let mut put = |bytes: &[u8]| -> std::io::Result<()> {
        digest.update(bytes);
        out.write_all(bytes)
    };
    put(MAGIC)?;
    put(&head.size.to_be_bytes())?;
    put(&head.root)?;
    put(&(entities.len() as u64).to_be_bytes())?;
    for (code, packed) in &entities {
        put(code.as_bytes())?;
        put(&(packed.len() as u64).to_be_bytes())?;
        put(packed)?;
    }
    let sum: [u8; 32] = digest.finalize().into();
    out.write_all(&sum)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&temporary, path)
}

/// A snapshot read and checked against itself, not yet against the store.
pub struct Snapshot {
    pub head: TreeHead,
    /// The tree its records make, to go on appending to.
    pub frontier: Frontier,
    entities: Vec<(Uscc, Arc<[u8]>)>,
    ids: Vec<(u128, Uscc)>,
}

/// Only the id of a canonical record, decoded without the rest.
#[derive(Clone, PartialEq, Message)]
struct RecordId {
    #[prost(string, tag = "1")]
    record_id: String,
}

/// Reads a snapshot; an error says why it cannot be used.
pub fn read(path: &Path) -> Result<Snapshot, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let (body, sum) = bytes.split_at_checked(bytes.len().saturating_sub(32)).ok_or("too short")?;
    if sum.len() != 32 || Sha256::digest(body)[..] != *sum {
        return Err("its checksum does not match".into());
    }
    let mut rest = body.strip_prefix(MAGIC.as_slice()).ok_or("not an index snapshot of this version")?;
    let mut take = |n: usize| -> Result<&[u8], String> {
        let (taken, later) = rest.split_at_checked(n).ok_or("cut short")?;
        rest = later;
        Ok(taken)
    };
    let u64_of = |b: &[u8]| u64::from_be_bytes(b.try_into().expect("8 bytes"));
    let size = u64_of(take(8)?);
    let root = Hash::try_from(take(32)?).expect("32 bytes");
    let count = u64_of(take(8)?);
    let mut leaves: Vec<Option<Hash>> = vec![None; usize::try_from(size).map_err(|e| e.to_string())?];
    let mut entities = Vec::with_capacity(count.min(1 << 24) as usize);
    let mut ids = Vec::with_capacity(leaves.len());
    for _ in 0..count {
        let code = std::str::from_utf8(take(CODE_LEN)?).map_err(|e| e.to_string())?;
        let code = Uscc::parse(code).map_err(|e| format!("code {code}: {e}"))?;
        let len = u64_of(take(8)?) as usize;
        let packed: Arc<[u8]> = take(len)?.into();
        for (sequence, record) in packed_records(&packed)? {
            let slot = sequence
                .checked_sub(1)
                .and_then(|i| leaves.get_mut(i as usize))
                .ok_or(format!("record {sequence} is outside a tree of {size}"))?;
            if slot.replace(leaf_hash(record)).is_some() {
                return Err(format!("record {sequence} appears twice"));
            }
            let id = RecordId::decode(record).map_err(|e| format!("record {sequence}: {e}"))?.record_id;
            let key = record_key(&id).ok_or(format!("record {sequence}: id '{id}' is not a UUID"))?;
            ids.push((key, code));
        }
        entities.push((code, packed));
    }
    if !rest.is_empty() {
        return Err("bytes follow the last entity".into());
    }
    let mut frontier = Frontier::default();
    let mut completed = Vec::new();
    for (i, leaf) in leaves.into_iter().enumerate() {
        frontier.push(leaf.ok_or(format!("record {} is missing", i + 1))?, &mut completed);
        completed.clear();
    }
    if frontier.root() != root {
        return Err("its records do not make the root it names".into());
    }
    Ok(Snapshot { head: TreeHead { size, root }, frontier, entities, ids })
}

impl Snapshot {
    /// Fills an empty index with the snapshot's records.
    pub fn load_into(self, index: &Index) -> Frontier {
        index.import(self.entities, self.ids, self.head);
        self.frontier
    }
}
