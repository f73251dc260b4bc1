//! The check log as stored: entries hash-chained one by one, kept in blocks
//! of consecutive entries committed together, with one index row per
//! distinct code and caller in a block. Reading finds the blocks an index
//! points to and filters their entries exactly.

use prost::Message;

use super::chain_hash;
use crate::domain::uscc::Uscc;
use crate::ledger::Hash;
use crate::proto::pb;
use crate::store::{BlockFilter, CheckBlock, Store, StoreError, code_key};

/// Most entries in one block.
pub const BLOCK_ENTRIES: usize = 512;
/// Most entry bytes in one block (a block holds at least one entry).
pub const BLOCK_BYTES: usize = 512 * 1024;
/// Blocks read at a time.
const BLOCKS_PER_READ: u32 = 8;

/// An entry chained and waiting to be stored.
pub struct Chained {
    pub sequence: u64,
    /// Microseconds since the Unix epoch, UTC.
    pub checked_at: i64,
    pub caller_subject: String,
    /// Valid codes asked about, normalised.
    pub codes: Vec<String>,
    /// The encoded entry with its chain hash empty.
    pub bytes: Vec<u8>,
    pub chain_hash: Hash,
}

/// Cuts consecutive chained entries into blocks; `before` is the chain
/// hash of the entry before the first.
pub fn blocks(entries: &[Chained], mut before: Hash) -> Vec<CheckBlock> {
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
        let mut block = CheckBlock {
            first_sequence: first.sequence,
            last_sequence: last.sequence,
            min_at: these.iter().map(|e| e.checked_at).min().unwrap_or_default(),
            max_at: these.iter().map(|e| e.checked_at).max().unwrap_or_default(),
            chain_before: before,
            chain_hash: last.chain_hash,
            entries: Vec::with_capacity(these.iter().map(|e| e.bytes.len() + 3).sum()),
            code_keys: these.iter().flat_map(|e| e.codes.iter().map(|c| code_key(c))).collect(),
            callers: these.iter().map(|e| e.caller_subject.clone()).collect(),
        };
        for e in these {
            prost::encoding::encode_varint(e.bytes.len() as u64, &mut block.entries);
            block.entries.extend_from_slice(&e.bytes);
        }
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

/// A block's entries as stored, each with its sequence; an error names
/// the first that cannot be read.
pub fn entries(block: &CheckBlock) -> Result<Vec<(u64, &[u8])>, StoreError> {
    let corrupt = |what: String| {
        StoreError::Inconsistent(format!("check-log block ending at entry {}: {what}", block.last_sequence))
    };
    let mut out = Vec::new();
    let mut rest = block.entries.as_slice();
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

/// Which check-log entries an auditor wants; all filters combine.
#[derive(Clone, Debug, Default)]
pub struct CheckQuery {
    pub caller_subject: Option<String>,
    /// Checks that asked about this code (normalised).
    pub uscc: Option<String>,
    /// Microseconds, inclusive.
    pub from: Option<i64>,
    /// Microseconds, inclusive.
    pub until: Option<i64>,
    /// Only entries after this sequence (pagination).
    pub after: u64,
}

/// An entry as read: decoded, with its chain hash set.
#[derive(Clone, Debug)]
pub struct LoggedCheck {
    pub sequence: u64,
    pub entry: pb::CheckLogEntry,
    /// Stored size in bytes.
    pub size: usize,
}

/// Entries matching `query`, oldest first, at most `limit`.
pub async fn read(store: &Store, query: &CheckQuery, limit: usize) -> Result<Vec<LoggedCheck>, StoreError> {
    let mut filter = BlockFilter {
        caller_subject: query.caller_subject.clone(),
        code_key: query.uscc.as_deref().map(code_key),
        from: query.from,
        until: query.until,
        after: query.after,
    };
    let mut found = Vec::new();
    loop {
        let blocks = store.check_blocks(&filter, BLOCKS_PER_READ).await?;
        let Some(last) = blocks.last() else { return Ok(found) };
        filter.after = last.last_sequence;
        for block in &blocks {
            let mut chain = block.chain_before;
            for (sequence, bytes) in entries(block)? {
                chain = chain_hash(&chain, bytes);
                if sequence <= query.after {
                    continue;
                }
                let entry = decode(sequence, bytes)?;
                if matches(query, &entry) {
                    found.push(LoggedCheck { sequence, entry: pb::CheckLogEntry { chain_hash: chain.to_vec(), ..entry }, size: bytes.len() });
                    if found.len() == limit {
                        return Ok(found);
                    }
                }
            }
        }
    }
}

/// The chain hash after `n` entries.
pub async fn head_at(store: &Store, n: u64) -> Result<Hash, StoreError> {
    if n == 0 {
        return Ok([0; 32]);
    }
    let found = read(store, &CheckQuery { after: n - 1, ..CheckQuery::default() }, 1).await?;
    let chain = found.first().filter(|c| c.sequence == n).map(|c| c.entry.chain_hash.as_slice());
    Ok(chain.and_then(|c| Hash::try_from(c).ok()).unwrap_or([0; 32]))
}

pub fn decode(sequence: u64, bytes: &[u8]) -> Result<pb::CheckLogEntry, StoreError> {
    pb::CheckLogEntry::decode(bytes)
        .map_err(|e| StoreError::Inconsistent(format!("check-log entry {sequence} does not decode: {e}")))
}

/// The valid codes an entry asked about, normalised, sorted and distinct.
pub fn valid_codes(entry: &pb::CheckLogEntry) -> Vec<String> {
    let mut codes: Vec<String> = entry.codes.iter().filter_map(|c| Uscc::parse(c).ok()).map(|u| u.to_string()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

fn matches(query: &CheckQuery, entry: &pb::CheckLogEntry) -> bool {
    let at = super::checked_at_micros(entry);
    query.caller_subject.as_ref().is_none_or(|c| *c == entry.caller_subject)
        && query.from.is_none_or(|f| at >= f)
        && query.until.is_none_or(|u| at <= u)
        && query.uscc.as_ref().is_none_or(|code| {
            entry.codes.iter().any(|c| Uscc::parse(c).is_ok_and(|u| u.as_str() == code))
        })
}
