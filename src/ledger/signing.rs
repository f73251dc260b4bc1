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

use crate::proto::pb;

/// The kinds of message the registry signs.
#[derive(Clone, Copy, Debug)]
pub enum Signed {
    Checkpoint,
    Receipt,
}

impl Signed {
    fn context(self) -> &'static [u8] {
        match self {
            Signed::Checkpoint => b"creditregistry.v1.Checkpoint\0",
            Signed::Receipt => b"creditregistry.v1.ReceiptBody\0",
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

    /// Signs a checkpoint.
    pub fn sign_checkpoint(&self, checkpoint: &pb::Checkpoint) -> pb::SignedCheckpoint {
        let bytes = checkpoint.encode_to_vec();
        pb::SignedCheckpoint {
            signature: self.sign(Signed::Checkpoint, &bytes),
            checkpoint: bytes,
            key_id: self.public.key_id.clone(),
        }
    }

    /// Signs a receipt body.
    pub fn sign_receipt(&self, body: &pb::ReceiptBody) -> pb::Receipt {
        let bytes = body.encode_to_vec();
        pb::Receipt {
            signature: self.sign(Signed::Receipt, &bytes),
            body: bytes,
            key_id: self.public.key_id.clone(),
        }
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
    let checkpoint = pb::Checkpoint::decode(signed.checkpoint.as_slice())
        .map_err(|e| VerifyError::Malformed(format!("checkpoint: {e}")))?;
    if checkpoint.root_hash.len() != 32 {
        return Err(VerifyError::Malformed("checkpoint: root hash is not 32 bytes".into()));
    }
    Ok(checkpoint)
}

/// Verifies a stored receipt, byte for byte: the encoded `Receipt` must be
/// exactly what re-encoding it gives, its signature and its checkpoint's
/// must verify. Returns what it attests.
pub fn verify_receipt(stored: &[u8], keys: &[PublicKey]) -> Result<pb::ReceiptBody, VerifyError> {
    let receipt = pb::Receipt::decode(stored).map_err(|e| VerifyError::Malformed(format!("not a Receipt: {e}")))?;
    if receipt.encode_to_vec() != stored {
        return Err(VerifyError::Malformed("the receipt holds bytes that are not part of a Receipt".into()));
    }
    key(keys, &receipt.key_id)?.verify(Signed::Receipt, &receipt.body, &receipt.signature)?;
    let body = pb::ReceiptBody::decode(receipt.body.as_slice())
        .map_err(|e| VerifyError::Malformed(format!("receipt body: {e}")))?;
    let checkpoint = body
        .checkpoint
        .as_ref()
        .ok_or_else(|| VerifyError::Malformed("the receipt names no checkpoint".into()))?;
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
        k.sign_receipt(&body).encode_to_vec()
    }

    #[test]
    fn a_receipt_verifies_with_the_public_key_alone() {
        let k = key();
        let public = PublicKey::from_pem(&k.public().to_pem()).unwrap();
        let body = verify_receipt(&receipt(&k), &[public]).unwrap();
        assert_eq!(body.receipt_id, "r-1");
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
        assert_eq!(verify_receipt(&receipt(&k), &[other.public().clone()]).unwrap_err(), VerifyError::UnknownKey(k.public().key_id.clone()));
        let cp = k.sign_checkpoint(&pb::Checkpoint { tree_size: 1, root_hash: vec![1; 32], ..Default::default() });
        let as_receipt = pb::SignedCheckpoint { signature: k.sign(Signed::Receipt, &cp.checkpoint), ..cp };
        assert_eq!(verify_checkpoint(&as_receipt, &[k.public().clone()]).unwrap_err(), VerifyError::BadSignature);
    }
}
