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

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::domain::uscc::{CODE_LEN, Uscc};
use crate::index::{Entities, Index, TreeHead, packed_records};
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
    entities: Entities,
}

/// A snapshot's bytes before its checksum, read in order and hashed as
/// they are read: the file is never held whole in memory.
struct Body {
    reader: std::io::BufReader<std::fs::File>,
    digest: Sha256,
    /// Bytes of the body not read yet.
    left: u64,
}

impl Body {
    fn take(&mut self, n: usize) -> Result<Vec<u8>, String> {
        if n as u64 > self.left {
            return Err("cut short".into());
        }
        let mut bytes = vec![0; n];
        self.reader.read_exact(&mut bytes).map_err(|e| e.to_string())?;
        self.digest.update(&bytes);
        self.left -= n as u64;
        Ok(bytes)
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    /// Checks that the body is read to its end and that the checksum
    /// after it matches.
    fn finish(mut self) -> Result<(), String> {
        if self.left != 0 {
            return Err("bytes follow the last entity".into());
        }
        let mut sum = [0; 32];
        self.reader.read_exact(&mut sum).map_err(|e| e.to_string())?;
        if self.digest.finalize()[..] != sum {
            return Err("its checksum does not match".into());
        }
        Ok(())
    }
}

/// Reads a snapshot; an error says why it cannot be used.
pub fn read(path: &Path) -> Result<Snapshot, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let left = len.checked_sub(32).ok_or("too short")?;
    let mut body = Body { reader: std::io::BufReader::with_capacity(1 << 20, file), digest: Sha256::new(), left };
    if body.take(MAGIC.len())? != MAGIC {
        return Err("not an index snapshot of this version".into());
    }
    let size = body.u64()?;
    let root = Hash::try_from(body.take(32)?).expect("32 bytes");
    let count = body.u64()?;
    let mut leaves: Vec<Option<Hash>> = vec![None; usize::try_from(size).map_err(|e| e.to_string())?];
    let mut entities = Entities::with_capacity_and_hasher(count.min(1 << 24) as usize, Default::default());
    for _ in 0..count {
        let code = body.take(CODE_LEN)?;
        let code = std::str::from_utf8(&code).map_err(|e| e.to_string())?;
        let code = Uscc::parse(code).map_err(|e| format!("code {code}: {e}"))?;
        let len = usize::try_from(body.u64()?).map_err(|e| e.to_string())?;
        let packed: Arc<[u8]> = body.take(len)?.into();
        for (sequence, record) in packed_records(&packed)? {
            let slot = sequence
                .checked_sub(1)
                .and_then(|i| leaves.get_mut(i as usize))
                .ok_or(format!("record {sequence} is outside a tree of {size}"))?;
            if slot.replace(leaf_hash(record)).is_some() {
                return Err(format!("record {sequence} appears twice"));
            }
        }
        if entities.insert(code, packed).is_some() {
            return Err(format!("entity {code} appears twice"));
        }
    }
    body.finish()?;
    let mut frontier = Frontier::default();
    let mut completed = Vec::new();
    for (i, leaf) in leaves.into_iter().enumerate() {
        frontier.push(leaf.ok_or(format!("record {} is missing", i + 1))?, &mut completed);
        completed.clear();
    }
    if frontier.root() != root {
        return Err("its records do not make the root it names".into());
    }
    Ok(Snapshot { head: TreeHead { size, root }, frontier, entities })
}

impl Snapshot {
    /// Fills an empty index with the snapshot's records.
    pub fn load_into(self, index: &Index) -> Frontier {
        index.import(self.entities, self.head);
        self.frontier
    }
}
