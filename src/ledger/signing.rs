//! The registry's Ed25519 signatures over checkpoints and receipts.
//!
//! What is signed is always protobuf bytes exactly as they travel, prefixed
//! by the message's full name and a zero byte, so a signature over one kind
//! of message can never be passed off as another. Verifiers need only the
//! public key; a key id names the key so it can be rotated.

use std::path::Path;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use prost::Message;
use sha2::{Digest, Sha256};

use crate::ledger::merkle::{Frontier, inclusion_path, verify_inclusion};
use crate::ledger::{Hash, leaf_hash};
use crate::proto::pb;

/// The kinds of message the registry signs.
#[derive(Clone, Copy, Debug)]
pub enum Signed {
    Checkpoint,
    /// A receipt body signed alone (receipts issued before batches).
    Receipt,
    ReceiptBatch,
    CheckSegmentHead,
    /// The digest of an index snapshot (`snapshot`): not a protobuf
    /// message, and named so that it cannot be taken for one.
    IndexSnapshot,
    /// The digest of a name search snapshot (`services::search`), likewise.
    SearchSnapshot,
}

impl Signed {
    fn context(self) -> &'static [u8] {
        match self {
            Signed::Checkpoint => b"creditregistry.v1.Checkpoint\0",
            Signed::Receipt => b"creditregistry.v1.ReceiptBody\0",
            Signed::ReceiptBatch => b"creditregistry.v1.ReceiptBatchHead\0",
            Signed::CheckSegmentHead => b"creditregistry.v1.CheckSegmentHead\0",
            Signed::IndexSnapshot => b"creditregistry index snapshot\0",
            Signed::SearchSnapshot => b"creditregistry search snapshot\0",
        }
    }

    fn message(self, bytes: &[u8]) -> Vec<u8> {
        [self.context(), bytes].concat()
    }
}

/// Key id of a public key: "registry-" and the first 8 bytes of SHA-256 of
/// the raw key, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("registry-{}", hex(&digest[..8]))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The registry's signing key.
#[derive(Clone)]
pub struct RegistryKey {
    key: SigningKey,
    public: PublicKey,
}

impl RegistryKey {
    /// Reads a PKCS#8 PEM Ed25519 private key.
    pub fn from_pem_file(path: &Path) -> Result<RegistryKey, String> {
        let pem = std::fs::read_to_string(path).map_err(|e| format!("signing key {}: {e}", path.display()))?;
        let key = SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| format!("signing key {}: not a PKCS#8 Ed25519 private key: {e}", path.display()))?;
        Ok(RegistryKey::new(key))
    }

    pub fn new(key: SigningKey) -> RegistryKey {
        let verifying = key.verifying_key();
        RegistryKey { public: PublicKey { key_id: key_id(&verifying), key: verifying }, key }
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `bytes` as a message of kind `what`.
    pub fn sign(&self, what: Signed, bytes: &[u8]) -> Vec<u8> {
        self.key.sign(&what.message(bytes)).to_bytes().to_vec()
    }

    /// A message's encoding, its signature as `what`, and the key id.
    fn encode_and_sign(&self, what: Signed, message: &impl Message) -> (Vec<u8>, Vec<u8>, String) {
        let bytes = message.encode_to_vec();
        let signature = self.sign(what, &bytes);
        (bytes, signature, self.public.key_id.clone())
    }

    /// Signs a checkpoint.
    pub fn sign_checkpoint(&self, checkpoint: &pb::Checkpoint) -> pb::SignedCheckpoint {
        let (checkpoint, signature, key_id) = self.encode_and_sign(Signed::Checkpoint, checkpoint);
        pb::SignedCheckpoint { checkpoint, key_id, signature }
    }

    /// Signs a sealed check-log segment's head.
    pub fn sign_segment_head(&self, head: &pb::CheckSegmentHead) -> pb::SignedCheckSegmentHead {
        let (head, signature, key_id) = self.encode_and_sign(Signed::CheckSegmentHead, head);
        pb::SignedCheckSegmentHead { head, key_id, signature }
    }

    /// Signs encoded receipt bodies together: one signature over the head
    /// of an RFC 9162 tree of them, each receipt with its inclusion path,
    /// in the order given.
    pub fn sign_receipts(&self, bodies: Vec<Vec<u8>>, signed_at: prost_types::Timestamp) -> Vec<pb::Receipt> {
        let size = bodies.len() as u64;
        let mut frontier = Frontier::default();
        let mut nodes = Vec::with_capacity(bodies.len() * 2);
        for body in &bodies {
            frontier.push(leaf_hash(body), &mut nodes);
        }
        let head = pb::ReceiptBatchHead { size: size as i64, root_hash: frontier.root().to_vec(), signed_at: Some(signed_at) }
            .encode_to_vec();
        let signature = self.sign(Signed::ReceiptBatch, &head);
        bodies
            .into_iter()
            .enumerate()
            .map(|(i, body)| pb::Receipt {
                body,
                key_id: self.public.key_id.clone(),
                signature: signature.clone(),
                batch_head: head.clone(),
                leaf_index: i as i64,
                inclusion_path: inclusion_path(i as u64, size, &mut |n| nodes[n.position() as usize])
                    .iter()
                    .map(|h| h.to_vec())
                    .collect(),
            })
            .collect()
    }
}

/// A registry public key, as verifiers hold it.
#[derive(Clone, Debug)]
pub struct PublicKey {
    pub key_id: String,
    key: VerifyingKey,
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo PEM Ed25519 key.
    pub fn from_pem(pem: &str) -> Result<PublicKey, String> {
        let key = VerifyingKey::from_public_key_pem(pem)
            .map_err(|e| format!("not an Ed25519 public key (SubjectPublicKeyInfo PEM): {e}"))?;
        Ok(PublicKey { key_id: key_id(&key), key })
    }

    pub fn to_pem(&self) -> String {
        self.key.to_public_key_pem(LineEnding::LF).expect("an Ed25519 key encodes")
    }

    /// The raw 32-byte key, as the store keeps it.
    pub fn raw(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// A raw 32-byte Ed25519 key.
    pub fn from_raw(bytes: &[u8]) -> Result<PublicKey, String> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| format!("{} bytes, not 32", bytes.len()))?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|e| format!("not an Ed25519 public key: {e}"))?;
        Ok(PublicKey { key_id: key_id(&key), key })
    }

    /// Checks a signature over `bytes` as a message of kind `what`.
    pub fn verify(&self, what: Signed, bytes: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        let signature = Signature::from_slice(signature).map_err(|_| VerifyError::BadSignature)?;
        self.key.verify_strict(&what.message(bytes), &signature).map_err(|_| VerifyError::BadSignature)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("signed by key '{0}', which is not a registry key given to the verifier")]
    UnknownKey(String),
    #[error("the signature does not match the signed bytes")]
    BadSignature,
    #[error("{0}")]
    Malformed(String),
}

fn key<'k>(keys: &'k [PublicKey], id: &str) -> Result<&'k PublicKey, VerifyError> {
    keys.iter().find(|k| k.key_id == id).ok_or_else(|| VerifyError::UnknownKey(id.to_string()))
}

/// Verifies a signed checkpoint; returns what it says.
pub fn verify_checkpoint(signed: &pb::SignedCheckpoint, keys: &[PublicKey]) -> Result<pb::Checkpoint, VerifyError> {
    key(keys, &signed.key_id)?.verify(Signed::Checkpoint, &signed.checkpoint, &signed.signature)?;
    let checkpoint =
        pb::Checkpoint::decode(signed.checkpoint.as_slice()).map_err(|e| VerifyError::Malformed(format!("checkpoint: {e}")))?;
    if checkpoint.root_hash.len() != 32 {
        return Err(VerifyError::Malformed("checkpoint: root hash is not 32 bytes".into()));
    }
    Ok(checkpoint)
}

/// Verifies a signed check-log segment head; returns what it says.
pub fn verify_segment_head(signed: &pb::SignedCheckSegmentHead, keys: &[PublicKey]) -> Result<pb::CheckSegmentHead, VerifyError> {
    key(keys, &signed.key_id)?.verify(Signed::CheckSegmentHead, &signed.head, &signed.signature)?;
    let head =
        pb::CheckSegmentHead::decode(signed.head.as_slice()).map_err(|e| VerifyError::Malformed(format!("segment head: {e}")))?;
    if head.chain_hash.len() != 32 || head.chain_before.len() != 32 {
        return Err(VerifyError::Malformed("segment head: a chain hash is not 32 bytes".into()));
    }
    Ok(head)
}

/// Verifies a stored receipt, byte for byte: the encoded `Receipt` must be
/// exactly what re-encoding it gives, its signature and its checkpoint's
/// must verify. Returns what it attests.
pub fn verify_receipt(stored: &[u8], keys: &[PublicKey]) -> Result<pb::ReceiptBody, VerifyError> {
    let receipt = pb::Receipt::decode(stored).map_err(|e| VerifyError::Malformed(format!("not a Receipt: {e}")))?;
    if receipt.encode_to_vec() != stored {
        return Err(VerifyError::Malformed("the receipt holds bytes that are not part of a Receipt".into()));
    }
    let signer = key(keys, &receipt.key_id)?;
    if receipt.batch_head.is_empty() {
        signer.verify(Signed::Receipt, &receipt.body, &receipt.signature)?;
    } else {
        signer.verify(Signed::ReceiptBatch, &receipt.batch_head, &receipt.signature)?;
        let head = pb::ReceiptBatchHead::decode(receipt.batch_head.as_slice())
            .map_err(|e| VerifyError::Malformed(format!("receipt batch head: {e}")))?;
        let root = Hash::try_from(head.root_hash.as_slice())
            .map_err(|_| VerifyError::Malformed("receipt batch head: root hash is not 32 bytes".into()))?;
        let path = receipt
            .inclusion_path
            .iter()
            .map(|h| Hash::try_from(h.as_slice()))
            .collect::<Result<Vec<Hash>, _>>()
            .map_err(|_| VerifyError::Malformed("receipt inclusion path: a hash is not 32 bytes".into()))?;
        let (index, size) = (receipt.leaf_index, head.size);
        if index < 0 || index >= size || !verify_inclusion(index as u64, size as u64, &leaf_hash(&receipt.body), &path, &root) {
            return Err(VerifyError::Malformed(format!("the receipt body is not leaf {index} of the signed batch of {size}")));
        }
    }
    let body =
        pb::ReceiptBody::decode(receipt.body.as_slice()).map_err(|e| VerifyError::Malformed(format!("receipt body: {e}")))?;
    let checkpoint = body.checkpoint.as_ref().ok_or_else(|| VerifyError::Malformed("the receipt names no checkpoint".into()))?;
    verify_checkpoint(checkpoint, keys)?;
    Ok(body)
}

/// The tree size a checkpoint the registry just signed says (not verified).
pub fn tree_size_of(signed: &pb::SignedCheckpoint) -> u64 {
    pb::Checkpoint::decode(signed.checkpoint.as_slice()).map_or(0, |c| c.tree_size as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RegistryKey {
        RegistryKey::new(SigningKey::from_bytes(&[7; 32]))
    }

    fn receipt(k: &RegistryKey) -> Vec<u8> {
        let checkpoint = k.sign_checkpoint(&pb::Checkpoint {
            origin: "test".into(),
            tree_size: 3,
            root_hash: vec![9; 32],
            ..Default::default()
        });
        let body = pb::ReceiptBody {
            receipt_id: "r-1".into(),
            requested_codes: vec!["91310115MA1K3BTP2B".into()],
            catalogue_version: "measures-test".into(),
            checkpoint: Some(checkpoint),
            ..Default::default()
        };
        let mut batch = k.sign_receipts(vec![b"another".to_vec(), body.encode_to_vec(), b"a third".to_vec()], Default::default());
        batch.remove(1).encode_to_vec()
    }

    #[test]
    fn a_receipt_verifies_with_the_public_key_alone() {
        let k = key();
        let public = PublicKey::from_pem(&k.public().to_pem()).unwrap();
        let body = verify_receipt(&receipt(&k), &[public]).unwrap();
        assert_eq!(body.receipt_id, "r-1");
    }

    #[test]
    fn a_receipt_signed_alone_before_batches_still_verifies() {
        let k = key();
        let batched = pb::Receipt::decode(receipt(&k).as_slice()).unwrap();
        let alone = pb::Receipt {
            signature: k.sign(Signed::Receipt, &batched.body),
            body: batched.body.clone(),
            key_id: batched.key_id.clone(),
            ..Default::default()
        };
        assert_eq!(verify_receipt(&alone.encode_to_vec(), &[k.public().clone()]).unwrap().receipt_id, "r-1");
        // The batch's signature is not one over the body alone.
        let mixed = pb::Receipt { signature: batched.signature.clone(), ..alone };
        assert_eq!(verify_receipt(&mixed.encode_to_vec(), &[k.public().clone()]).unwrap_err(), VerifyError::BadSignature);
    }

    #[test]
    fn a_batched_receipt_at_another_leaf_fails() {
        let k = key();
        let mut moved = pb::Receipt::decode(receipt(&k).as_slice()).unwrap();
        moved.leaf_index = 0;
        assert!(matches!(verify_receipt(&moved.encode_to_vec(), &[k.public().clone()]), Err(VerifyError::Malformed(_))));
        moved.leaf_index = 3;
        assert!(verify_receipt(&moved.encode_to_vec(), &[k.public().clone()]).is_err());
    }

    #[test]
    fn any_changed_byte_fails() {
        let k = key();
        let keys = [k.public().clone()];
        let stored = receipt(&k);
        for i in 0..stored.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = stored.clone();
                bad[i] ^= flip;
                assert!(verify_receipt(&bad, &keys).is_err(), "byte {i} ^ {flip:#x} went unnoticed");
            }
        }
        let mut longer = stored.clone();
        longer.extend_from_slice(&[0x30, 0x01]);
        assert!(verify_receipt(&longer, &keys).is_err());
        assert!(verify_receipt(&stored[..stored.len() - 1], &keys).is_err());
    }

    #[test]
    fn another_key_or_a_swapped_signature_fails() {
        let k = key();
        let other = RegistryKey::new(SigningKey::from_bytes(&[8; 32]));
        assert_eq!(
            verify_receipt(&receipt(&k), &[other.public().clone()]).unwrap_err(),
            VerifyError::UnknownKey(k.public().key_id.clone())
        );
        let cp = k.sign_checkpoint(&pb::Checkpoint { tree_size: 1, root_hash: vec![1; 32], ..Default::default() });
        let as_receipt = pb::SignedCheckpoint { signature: k.sign(Signed::Receipt, &cp.checkpoint), ..cp };
        assert_eq!(verify_checkpoint(&as_receipt, &[k.public().clone()]).unwrap_err(), VerifyError::BadSignature);
    }
}
