//! The check-log entry format: an entry's bytes, when it was checked, and
//! how entries chain (SHA-256 over the previous chain hash and the entry).

use prost::Message;
use sha2::{Digest, Sha256};

use crate::domain::uscc::Uscc;
use crate::ledger::Hash;
use crate::proto::pb;
use crate::store::StoreError;

/// When a check-log entry was checked, in microseconds since the epoch: the
/// `checked_at` column, which verify compares with the entry.
pub fn checked_at_micros(entry: &pb::CheckLogEntry) -> i64 {
    micros(entry.checked_at.as_ref())
}

/// A wire timestamp in microseconds since the epoch; 0 when absent.
pub fn micros(t: Option<&prost_types::Timestamp>) -> i64 {
    t.map_or(0, |t| t.seconds * 1_000_000 + i64::from(t.nanos) / 1000)
}

/// The chain hash of a check-log entry: SHA-256(previous || entry bytes).
pub fn chain_hash(previous: &Hash, entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(entry);
    h.finalize().into()
}

/// A check-log entry from its stored bytes; one that does not decode is
/// inconsistent data.
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
