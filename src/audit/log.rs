//! Reading the check log: entries are hash-chained one by one and stored
//! in blocks (`audit::block`) with one index row per distinct code and
//! caller in a block. Reading finds the blocks an index points to and
//! filters their entries exactly.

use super::block;
use super::entry::{chain_hash, checked_at_micros, decode};
use crate::domain::uscc::Uscc;
use crate::ledger::Hash;
use crate::proto::pb;
use crate::store::{Audit, AuditStore, CheckFilter, StoreError};

/// Blocks read at a time.
const BLOCKS_PER_READ: u32 = 8;

/// An entry as read: decoded, with its chain hash set.
#[derive(Clone, Debug)]
pub struct LoggedCheck {
    pub sequence: u64,
    pub entry: pb::CheckLogEntry,
    /// Stored size in bytes.
    pub size: usize,
}

/// Entries matching `query` and, when given, asking about `code`
/// (normalised), oldest first, at most `limit`.
pub async fn read(store: &Audit, query: &CheckFilter, code: Option<&str>, limit: usize) -> Result<Vec<LoggedCheck>, StoreError> {
    let mut filter = CheckFilter { code_key: code.map(block::code_key), ..query.clone() };
    let mut found = Vec::new();
    loop {
        let blocks = store.check_blocks(&filter, BLOCKS_PER_READ).await?;
        let Some(last) = blocks.last() else { return Ok(found) };
        filter.after = last.last_sequence;
        for stored in &blocks {
            let mut chain = stored.chain_before;
            let unpacked = block::unpacked(stored)?;
            for (sequence, bytes) in block::entries(stored, &unpacked)? {
                chain = chain_hash(&chain, bytes);
                if sequence <= query.after {
                    continue;
                }
                let entry = decode(sequence, bytes)?;
                if matches(query, code, &entry) {
                    found.push(LoggedCheck {
                        sequence,
                        entry: pb::CheckLogEntry { chain_hash: chain.to_vec(), ..entry },
                        size: bytes.len(),
                    });
                    if found.len() == limit {
                        return Ok(found);
                    }
                }
            }
        }
    }
}

/// Heads of the segments that have left the live store and may hold
/// entries matching `query`: those after its page and meeting its time
/// range. Their entries are in exported files, not in `read`'s answer.
pub async fn removed_segments(store: &Audit, query: &CheckFilter) -> Result<Vec<pb::SignedCheckSegmentHead>, StoreError> {
    let segments = store.removed_segments(query).await?;
    Ok(segments.into_iter().map(|s| super::segments::signed_of(&s)).collect())
}

/// The chain hash after `n` entries.
pub async fn head_at(store: &Audit, n: u64) -> Result<Hash, StoreError> {
    if n == 0 {
        return Ok([0; 32]);
    }
    let found = read(store, &CheckFilter { after: n - 1, ..CheckFilter::default() }, None, 1).await?;
    let chain = found.first().filter(|c| c.sequence == n).map(|c| c.entry.chain_hash.as_slice());
    Ok(chain.and_then(|c| Hash::try_from(c).ok()).unwrap_or([0; 32]))
}

fn matches(query: &CheckFilter, code: Option<&str>, entry: &pb::CheckLogEntry) -> bool {
    let at = checked_at_micros(entry);
    query.caller_subject.as_ref().is_none_or(|c| *c == entry.caller_subject)
        && query.organisation.as_ref().is_none_or(|o| *o == entry.caller_organisation)
        && query.from.is_none_or(|f| at >= f)
        && query.until.is_none_or(|u| at <= u)
        && code.is_none_or(|code| entry.codes.iter().any(|c| Uscc::parse(c).is_ok_and(|u| u.as_str() == code)))
}
