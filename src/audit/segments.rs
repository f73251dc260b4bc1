//! Sealed check-log segments as files, for cold storage: export from the
//! live store, and verification of a file alone with the registry's public
//! keys. The format is documented with `SignedCheckSegmentHead` in
//! `proto/creditregistry/v1/types.proto`: gzip (RFC 1952) of the signed
//! head, then each entry, every one preceded by its length as a varint.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;
use prost::Message;

use super::entry::{chain_hash, checked_at_micros, decode, micros};
use crate::ledger::Hash;
use crate::ledger::signing::{PublicKey, verify_segment_head};
use crate::proto::pb;
use crate::store::{Audit, AuditStore, CheckFilter, StoreError, StoredSegment};

/// Blocks read at a time while exporting.
const BLOCKS_PER_READ: u32 = 64;

#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the segment file: {0}")]
    Io(#[from] std::io::Error),
    /// The segment cannot be exported as asked; says why.
    #[error("{0}")]
    Refused(String),
}

/// What a segment file holds, once verified.
#[derive(Debug)]
pub struct Verified {
    pub head: pb::CheckSegmentHead,
    pub entries: u64,
}

/// Writes sealed segment `number` to `out` in the file format, checking
/// as it goes that its entries chain from the head's `chain_before` to its
/// `chain_hash`; returns the entries written. A segment already removed,
/// or one whose entries no longer chain, is refused. `export_to_dir` makes
/// the file durable and only then notes the export in the store: from then
/// on the segment may leave the live store.
pub async fn export(store: &Audit, number: u64, out: impl Write) -> Result<u64, SegmentError> {
    let segment = store
        .segments()
        .await?
        .into_iter()
        .find(|s| s.number == number)
        .ok_or_else(|| SegmentError::Refused(format!("there is no sealed check-log segment {number}")))?;
    if segment.removed_at.is_some() {
        return Err(SegmentError::Refused(format!(
            "check-log segment {number} has left the live store: its exported file is the copy"
        )));
    }
    let head = pb::CheckSegmentHead::decode(segment.head.as_slice())
        .map_err(|e| refused(&segment, format!("its stored head does not decode: {e}")))?;
    let mut gz = GzEncoder::new(out, Compression::default());
    gz.write_all(&signed_of(&segment).encode_length_delimited_to_vec())?;
    let mut chain: Option<Hash> = None;
    let mut next = segment.first_sequence;
    let mut filter = CheckFilter { after: segment.first_sequence - 1, ..CheckFilter::default() };
    while next <= segment.last_sequence {
        let blocks = store.check_blocks(&filter, BLOCKS_PER_READ).await?;
        if blocks.is_empty() {
            break;
        }
        for block in blocks.iter().take_while(|b| b.last_sequence <= segment.last_sequence) {
            if block.first_sequence != next {
                return Err(refused(&segment, format!("entry {next} is missing from the live store")));
            }
            let mut at = *chain.get_or_insert(block.chain_before);
            let unpacked = super::block::unpacked(block)?;
            for (_, bytes) in super::block::entries(block, &unpacked)? {
                at = chain_hash(&at, bytes);
                let mut length = Vec::with_capacity(5);
                prost::encoding::encode_varint(bytes.len() as u64, &mut length);
                gz.write_all(&length)?;
                gz.write_all(bytes)?;
            }
            chain = Some(at);
            next = block.last_sequence + 1;
        }
        filter.after = blocks.last().map_or(u64::MAX, |b| b.last_sequence);
    }
    if next != segment.last_sequence + 1 {
        return Err(refused(&segment, format!("entry {next} is missing from the live store")));
    }
    if chain.map(|c| c.to_vec()) != Some(head.chain_hash.clone()) {
        return Err(refused(&segment, "its entries do not chain to its signed head".into()));
    }
    gz.finish()?.flush()?;
    Ok(segment.last_sequence - segment.first_sequence + 1)
}

/// Exports sealed segment `number` into `dir` as `check-segment-NNNNNN.gz`
/// and only then notes the export in the store: the file is written under
/// a name of this process's own (two exports at once never write one
/// file), synced, renamed into place and its directory synced; a failed
/// export leaves nothing behind. Returns the file and its entries. Errors
/// name the file.
pub async fn export_to_dir(store: &Audit, number: u64, dir: &Path) -> Result<(PathBuf, u64), String> {
    let path = dir.join(format!("check-segment-{number:06}.gz"));
    let partial = dir.join(format!("check-segment-{number:06}.gz.partial-{}", std::process::id()));
    let written = write_durably(store, number, &partial, &path).await;
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    let entries = written?;
    // Only now may the segment leave the live store.
    store.mark_exported(number, chrono::Utc::now().timestamp_micros()).await.map_err(|e| e.to_string())?;
    Ok((path, entries))
}

/// Writes segment `number` to `partial`, syncs it and renames it to `path`.
async fn write_durably(store: &Audit, number: u64, partial: &Path, path: &Path) -> Result<u64, String> {
    fn at(p: &Path) -> impl Fn(std::io::Error) -> String + '_ {
        move |e| format!("{}: {e}", p.display())
    }
    let file = std::fs::File::create(partial).map_err(at(partial))?;
    let mut out = std::io::BufWriter::new(file);
    let entries = export(store, number, &mut out).await.map_err(|e| e.to_string())?;
    let file = out.into_inner().map_err(|e| at(partial)(e.into_error()))?;
    file.sync_all().map_err(at(partial))?;
    std::fs::rename(partial, path).map_err(at(path))?;
    if let Some(dir) = path.parent().and_then(|d| std::fs::File::open(d).ok()) {
        dir.sync_all().map_err(at(path))?;
    }
    Ok(entries)
}

fn refused(segment: &StoredSegment, why: String) -> SegmentError {
    SegmentError::Refused(format!("check-log segment {} not exported: {why}", segment.number))
}

/// The wire form of a stored segment head.
pub fn signed_of(segment: &StoredSegment) -> pb::SignedCheckSegmentHead {
    pb::SignedCheckSegmentHead {
        head: segment.head.clone(),
        key_id: segment.key_id.clone(),
        signature: segment.signature.clone(),
    }
}

/// Verifies a segment file alone: one gzip member and nothing after it,
/// the head's signature with one of `keys`, then every entry in order (its
/// sequence, its time within the head's range), the chain from
/// `chain_before` to `chain_hash`, and that nothing follows the last entry.
/// An error says what is wrong and where.
pub fn verify_file(mut file: impl Read, keys: &[PublicKey]) -> Result<Verified, String> {
    let mut packed = Vec::new();
    file.read_to_end(&mut packed).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut gz = GzDecoder::new(packed.as_slice());
    let mut bytes = Vec::new();
    gz.read_to_end(&mut bytes).map_err(|e| format!("not a gzip file: {e}"))?;
    // Exactly one gzip member: a reader that went on into a second one would
    // see entries this check never saw.
    if !gz.into_inner().is_empty() {
        return Err("bytes follow the segment's gzip stream".into());
    }
    let mut rest = bytes.as_slice();
    let signed = pb::SignedCheckSegmentHead::decode_length_delimited(&mut rest)
        .map_err(|e| format!("no segment head at the start: {e}"))?;
    let head = verify_segment_head(&signed, keys).map_err(|e| format!("segment head: {e}"))?;
    let (first, last) = (head.first_sequence as u64, head.last_sequence as u64);
    let (from, until) = (micros(head.first_checked_at.as_ref()), micros(head.last_checked_at.as_ref()));
    let mut chain: Hash = head.chain_before.as_slice().try_into().map_err(|_| "chain_before is not 32 bytes")?;
    let mut n = first;
    while !rest.is_empty() {
        let len = prost::encoding::decode_varint(&mut rest).map_err(|_| format!("entry {n} has no length"))?;
        if len > rest.len() as u64 || n > last {
            return Err(format!("entry {n} is cut short or lies beyond the head's last entry {last}"));
        }
        let (entry, later) = rest.split_at(len as usize);
        let decoded = decode(n, entry).map_err(|e| e.to_string())?;
        if decoded.sequence != n as i64 {
            return Err(format!("entry {n} says it is entry {}", decoded.sequence));
        }
        let checked = checked_at_micros(&decoded);
        if checked < from || checked > until {
            return Err(format!("entry {n} was checked outside the head's time range"));
        }
        chain = chain_hash(&chain, entry);
        rest = later;
        n += 1;
    }
    if n != last + 1 {
        return Err(format!("the file ends after entry {}, before the head's last entry {last}", n - 1));
    }
    if chain.as_slice() != head.chain_hash.as_slice() {
        return Err("its entries do not chain to the signed head: an entry was changed, added or removed".into());
    }
    Ok(Verified { head, entries: last - first + 1 })
}
