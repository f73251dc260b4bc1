//! The check log's block format: consecutive entries framed (each as its
//! LEB128 length, then its bytes), packed with zlib and stored as one
//! `StoredCheckBlock`, with the keys the store indexes the block under
//! (each code's `code_key`, the callers, their `organisation_index`). The
//! store keeps the bytes and keys as given; this module alone makes and
//! reads them.

use crate::ledger::Hash;
use crate::store::{CheckEntry, StoreError, StoredCheckBlock};

/// `StoredCheckBlock::encoding`: the entries as they are, or zlib (RFC 1950).
pub const PLAIN: i64 = 0;
pub const ZLIB: i64 = 1;

/// Most entries in one block.
pub const BLOCK_ENTRIES: usize = 512;
/// Most entry bytes in one block (a block holds at least one entry).
pub const BLOCK_BYTES: usize = 512 * 1024;

/// An entry chained and waiting to be stored: its columns (read through
/// it) and its caller's organisation.
pub struct ChainedCheck {
    pub entry: CheckEntry,
    pub caller_organisation: String,
}

impl std::ops::Deref for ChainedCheck {
    type Target = CheckEntry;

    fn deref(&self) -> &CheckEntry {
        &self.entry
    }
}

impl std::ops::DerefMut for ChainedCheck {
    fn deref_mut(&mut self) -> &mut CheckEntry {
        &mut self.entry
    }
}

/// Cuts consecutive chained entries into blocks; `before` is the chain
/// hash of the entry before the first.
pub fn cut(entries: &[ChainedCheck], mut before: Hash) -> Vec<StoredCheckBlock> {
    let mut blocks = Vec::new();
    let mut rest = entries;
    while let Some(first) = rest.first() {
        let mut bytes = 0;
        let take = rest
            .iter()
            .take(BLOCK_ENTRIES)
            .take_while(|e| {
                bytes += e.bytes.len();
                bytes == e.bytes.len() || bytes <= BLOCK_BYTES
            })
            .count();
        let (these, later) = rest.split_at(take);
        let last = these.last().expect("a block holds an entry");
        let mut entries = Vec::with_capacity(these.iter().map(|e| e.bytes.len() + 3).sum());
        for e in these {
            prost::encoding::encode_varint(e.bytes.len() as u64, &mut entries);
            entries.extend_from_slice(&e.bytes);
        }
        let mut block = StoredCheckBlock {
            first_sequence: first.sequence,
            last_sequence: last.sequence,
            min_at: these.iter().map(|e| e.checked_at).min().unwrap_or_default(),
            max_at: these.iter().map(|e| e.checked_at).max().unwrap_or_default(),
            chain_before: before,
            chain_hash: last.chain_hash,
            encoding: ZLIB,
            bytes: packed(&entries),
            code_keys: these.iter().flat_map(|e| e.codes.iter().map(|c| code_key(c))).collect(),
            callers: these.iter().map(|e| e.caller_subject.clone()).collect(),
            organisations: organisation_index(these.iter().map(|e| e.caller_organisation.clone())),
        };
        block.code_keys.sort_unstable();
        block.code_keys.dedup();
        block.callers.sort_unstable();
        block.callers.dedup();
        before = last.chain_hash;
        blocks.push(block);
        rest = later;
    }
    blocks
}

/// A block's entries unpacked: each as its LEB128 length, then its
/// bytes (read them with `entries`); entries that do not unpack are
/// inconsistent data.
pub fn unpacked(block: &StoredCheckBlock) -> Result<Vec<u8>, StoreError> {
    match block.encoding {
        PLAIN => Ok(block.bytes.clone()),
        ZLIB => {
            use std::io::Read;
            let mut entries = Vec::with_capacity(block.bytes.len() * 4);
            flate2::read::ZlibDecoder::new(block.bytes.as_slice())
                .read_to_end(&mut entries)
                .map_err(|e| corrupt(block, format!("its entries do not unpack: {e}")))?;
            Ok(entries)
        }
        other => Err(corrupt(block, format!("unknown encoding {other}"))),
    }
}

/// The block's entries in `unpacked` (from `unpacked`), each with its
/// sequence; an error names the first that cannot be read.
pub fn entries<'a>(block: &StoredCheckBlock, unpacked: &'a [u8]) -> Result<Vec<(u64, &'a [u8])>, StoreError> {
    let corrupt = |what: String| corrupt(block, what);
    let mut out = Vec::new();
    let mut rest = unpacked;
    while !rest.is_empty() {
        let sequence = block.first_sequence + out.len() as u64;
        let len = prost::encoding::decode_varint(&mut rest).map_err(|_| corrupt(format!("entry {sequence} has no length")))?;
        if len > rest.len() as u64 {
            return Err(corrupt(format!("entry {sequence} is cut short")));
        }
        let (bytes, later) = rest.split_at(len as usize);
        out.push((sequence, bytes));
        rest = later;
    }
    if block.last_sequence.checked_sub(block.first_sequence).map(|n| n + 1) != Some(out.len() as u64) {
        return Err(corrupt(format!(
            "it holds {} entries for sequences {}..={}",
            out.len(),
            block.first_sequence,
            block.last_sequence
        )));
    }
    Ok(out)
}

fn corrupt(block: &StoredCheckBlock, what: String) -> StoreError {
    StoreError::Inconsistent(format!("check-log block ending at entry {}: {what}", block.last_sequence))
}

/// A block's entries as stored: zlib-compressed, at the fastest level.
/// Entries of one block repeat callers, organisations, times and policy
/// versions, so this stores a check in about a quarter of its bytes; the
/// default level saves only a further 8% for twice the time, which the
/// check log's task would take from the cores answering calls.
fn packed(entries: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::with_capacity(entries.len() / 3), flate2::Compression::fast());
    z.write_all(entries).expect("writing to memory");
    z.finish().expect("writing to memory")
}

/// The check log's look-up key of a code: the first 8 bytes of
/// SHA-256(code), big-endian, as a signed integer.
pub fn code_key(code: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(code.as_bytes());
    i64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

/// The organisations a block is indexed under, from its entries' callers'
/// organisations: sorted, distinct, none empty (an entry without one is
/// not indexed by organisation).
pub fn organisation_index(organisations: impl IntoIterator<Item = String>) -> Vec<String> {
    let found: std::collections::BTreeSet<String> = organisations.into_iter().filter(|o| !o.is_empty()).collect();
    found.into_iter().collect()
}

/// The caller's organisation an encoded check-log entry names.
pub fn organisation_of(sequence: u64, entry: &[u8]) -> Result<String, StoreError> {
    use prost::Message;
    crate::proto::pb::CheckLogEntry::decode(entry)
        .map(|e| e.caller_organisation)
        .map_err(|e| StoreError::Inconsistent(format!("check-log entry {sequence} does not decode: {e}")))
}

/// The format as the store needs it to bring an old check log up to date
/// (`store::CheckLogUpgrade`).
pub struct Upgrade;

impl crate::store::CheckLogUpgrade for Upgrade {
    fn cut(&self, checks: Vec<CheckEntry>, before: Hash) -> Result<Vec<StoredCheckBlock>, StoreError> {
        let chained = checks
            .into_iter()
            .map(|entry| Ok(ChainedCheck { caller_organisation: organisation_of(entry.sequence, &entry.bytes)?, entry }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(cut(&chained, before))
    }

    fn organisations(&self, block: &StoredCheckBlock) -> Result<Vec<String>, StoreError> {
        let unpacked = unpacked(block)?;
        let named: Vec<String> = entries(block, &unpacked)?
            .into_iter()
            .map(|(sequence, bytes)| organisation_of(sequence, bytes))
            .collect::<Result<_, _>>()?;
        Ok(organisation_index(named))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sequence: u64, organisation: &str, codes: &[&str]) -> ChainedCheck {
        ChainedCheck {
            entry: CheckEntry {
                sequence,
                checked_at: sequence as i64 * 10,
                caller_subject: format!("caller-{}", sequence % 2),
                codes: codes.iter().map(|c| c.to_string()).collect(),
                bytes: format!("entry {sequence}").into_bytes(),
                chain_hash: [sequence as u8; 32],
            },
            caller_organisation: organisation.into(),
        }
    }

    #[test]
    fn a_cut_block_reads_back_its_entries_and_keys() {
        let checks: Vec<_> =
            (1..=BLOCK_ENTRIES as u64 + 1).map(|n| check(n, if n == 1 { "" } else { "org" }, &["b", "a", "b"])).collect();
        let blocks = cut(&checks, [9; 32]);
        assert_eq!(blocks.len(), 2, "at most {BLOCK_ENTRIES} entries a block");
        let (first, second) = (&blocks[0], &blocks[1]);
        assert_eq!((first.first_sequence, first.last_sequence, first.chain_before), (1, 512, [9; 32]));
        assert_eq!((second.first_sequence, second.chain_before, second.chain_hash), (513, [0; 32], [1; 32]));
        assert_eq!((first.min_at, first.max_at, first.encoding), (10, 5120, ZLIB));
        let mut keys = vec![code_key("a"), code_key("b")];
        keys.sort_unstable();
        assert_eq!(first.code_keys, keys);
        assert_eq!(first.callers, ["caller-0", "caller-1"]);
        assert_eq!(first.organisations, ["org"], "an entry without an organisation is not indexed by one");
        let unpacked = unpacked(second).unwrap();
        assert_eq!(entries(second, &unpacked).unwrap(), [(513, b"entry 513".as_slice())]);
    }

    #[test]
    fn a_block_that_does_not_read_names_its_fault() {
        let mut block = cut(&[check(1, "org", &[]), check(2, "org", &[])], [0; 32]).remove(0);
        block.last_sequence = 3;
        let framed = unpacked(&block).unwrap();
        let err = entries(&block, &framed).unwrap_err().to_string();
        assert!(err.contains("it holds 2 entries for sequences 1..=3"), "{err}");
        assert!(entries(&block, &framed[..framed.len() - 1]).unwrap_err().to_string().contains("entry 2 is cut short"));
        block.encoding = 7;
        assert!(unpacked(&block).unwrap_err().to_string().contains("unknown encoding 7"));
        block.encoding = PLAIN;
        block.bytes = b"\x01x".to_vec();
        block.last_sequence = 1;
        assert_eq!(entries(&block, &unpacked(&block).unwrap()).unwrap(), [(1, b"x".as_slice())]);
    }
}
