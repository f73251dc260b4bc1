//! A snapshot of the index kept beside the ledger, so a restart need not
//! decode every record: written when the registry stops, read at start.
//!
//! Format (all integers big-endian): the 8 bytes `CRIDX02\n`; the tree size
//! (u64) and root (32 bytes) the index held; the number of entities (u64);
//! per entity its code (18 bytes), the length of its packed facts (u64) and
//! the packed facts (each: LEB128 sequence, LEB128 length, the canonical
//! bytes of the record's `Record::facts`); then SHA-256 of everything
//! before it; then the registry key's Ed25519 signature over that digest
//! (64 bytes; `Signed::IndexSnapshot`).
//!
//! Facts cannot be hashed back to the ledger's leaves (the texts are not in
//! them), so the snapshot is bound to the ledger in two ways: it is used
//! only when the registry's own key signed it, and when it holds each
//! sequence from 1 to its size exactly once and names a root that the
//! store's Merkle nodes give for its size. Otherwise — another key, a byte
//! changed, cut short, another ledger — the index is rebuilt from the
//! ledger.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::domain::uscc::{CODE_LEN, Uscc};
use crate::index::{Entities, Index, TreeHead, packed_records};
use crate::ledger::Hash;
use crate::ledger::signing::{PublicKey, RegistryKey, Signed};

const MAGIC: &[u8; 8] = b"CRIDX02\n";

/// Where the snapshot of a SQLite store's index is kept:
/// `sqlite://data/registry.db` → `data/registry-index.snapshot`. None for
/// an in-memory store.
pub fn path_for(database_url: &str) -> Option<PathBuf> {
    let path = crate::store::sqlite_file(database_url)?.to_str()?;
    let stem = path.strip_suffix(".db").unwrap_or(path);
    Some(PathBuf::from(format!("{stem}-index.snapshot")))
}

/// Where a registry keeps its index snapshot, and the key that signs it.
#[derive(Clone)]
pub struct SnapshotFile {
    pub path: PathBuf,
    pub key: RegistryKey,
}

/// Writes the index to `file.path` (through a temporary file, then renamed).
pub fn write(index: &Index, file: &SnapshotFile) -> std::io::Result<()> {
    let path = &file.path;
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
    out.write_all(&file.key.sign(Signed::IndexSnapshot, &sum))?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&temporary, path)
}

/// A snapshot read and checked against itself, not yet against the store.
pub struct Snapshot {
    pub head: TreeHead,
    pub entities: Entities,
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

    /// Checks that the body is read to its end, that the checksum after it
    /// matches, and that `key` signed that checksum.
    fn finish(mut self, key: &PublicKey) -> Result<(), String> {
        if self.left != 0 {
            return Err("bytes follow the last entity".into());
        }
        let mut sum = [0; 32];
        self.reader.read_exact(&mut sum).map_err(|e| e.to_string())?;
        if self.digest.finalize()[..] != sum {
            return Err("its checksum does not match".into());
        }
        let mut signature = [0; 64];
        self.reader.read_exact(&mut signature).map_err(|e| e.to_string())?;
        key.verify(Signed::IndexSnapshot, &sum, &signature)
            .map_err(|_| format!("it is not signed by the registry key {}", key.key_id))
    }
}

/// Reads a snapshot signed by `key`; an error says why it cannot be used.
pub fn read(path: &Path, key: &PublicKey) -> Result<Snapshot, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let left = len.checked_sub(32 + 64).ok_or("too short")?;
    let mut body = Body { reader: std::io::BufReader::with_capacity(1 << 20, file), digest: Sha256::new(), left };
    if body.take(MAGIC.len())? != MAGIC {
        return Err("not an index snapshot of this version".into());
    }
    let size = body.u64()?;
    let root = Hash::try_from(body.take(32)?).expect("32 bytes");
    let count = body.u64()?;
    let mut held = vec![false; usize::try_from(size).map_err(|e| e.to_string())?];
    let mut entities = Entities::with_capacity_and_hasher(count.min(1 << 24) as usize, Default::default());
    for _ in 0..count {
        let code = body.take(CODE_LEN)?;
        let code = std::str::from_utf8(&code).map_err(|e| e.to_string())?;
        let code = Uscc::parse(code).map_err(|e| format!("code {code}: {e}"))?;
        let len = usize::try_from(body.u64()?).map_err(|e| e.to_string())?;
        let packed: Arc<[u8]> = body.take(len)?.into();
        for (sequence, _) in packed_records(&packed)? {
            let slot = sequence
                .checked_sub(1)
                .and_then(|i| held.get_mut(i as usize))
                .ok_or(format!("record {sequence} is outside a tree of {size}"))?;
            if std::mem::replace(slot, true) {
                return Err(format!("record {sequence} appears twice"));
            }
        }
        if entities.insert(code, packed).is_some() {
            return Err(format!("entity {code} appears twice"));
        }
    }
    body.finish(key)?;
    if let Some(i) = held.iter().position(|h| !h) {
        return Err(format!("record {} is missing", i + 1));
    }
    Ok(Snapshot { head: TreeHead { size, root }, entities })
}
