//! The ledger's verifiable format: canonical record bytes, RFC 9162
//! hashing and proofs (`merkle`), and the registry's signatures over
//! checkpoints and receipts (`signing`).
//!
//! A record's canonical bytes are the protobuf encoding of
//! `creditregistry.v1.Record`, produced once when it is appended and kept
//! verbatim, so anyone who receives them can re-hash the leaf. Checkpoints
//! and receipts are signed protobuf bytes for the same reason: the wire
//! format is the format verifiers hold.

pub mod merkle;
pub mod signing;

use prost::Message;
use sha2::{Digest, Sha256};

use crate::domain::record::Record;
use crate::proto::convert::{record_from_wire, record_to_wire};
use crate::proto::pb;

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// RFC 9162 leaf hash: SHA-256(0x00 || leaf bytes).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    h.finalize().into()
}

/// The canonical bytes of a record.
pub fn encode(record: &Record) -> Vec<u8> {
    record_to_wire(record).encode_to_vec()
}

/// Reads canonical bytes back into a record; the error says what is wrong.
pub fn decode(bytes: &[u8]) -> Result<Record, String> {
    let wire = pb::Record::decode(bytes).map_err(|e| format!("not a protobuf Record: {e}"))?;
    record_from_wire(&wire)
        .map_err(|violations| violations.iter().map(|v| format!("{}: {}", v.field, v.description)).collect::<Vec<_>>().join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::signing::hex;

    #[test]
    fn leaf_hash_of_empty_leaf_matches_rfc_9162() {
        // SHA-256 of the single byte 0x00.
        assert_eq!(hex(&leaf_hash(b"")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    }
}
