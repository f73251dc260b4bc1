//! Key files: Ed25519 key pairs kept as PEM files in a directory and made
//! on first use (the development JWT key; the registry's signing key when
//! none is configured). PKCS#8 for the private key (RFC 8410), SPKI for the
//! public key (RFC 8410 §4), so OpenSSL and Python's `cryptography` read
//! them.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey, KeypairBytes};

/// An Ed25519 key pair kept in a directory, made on first use: the
/// development JWT key, and the registry signing key when none is configured.
pub struct KeyPairFiles {
    pub private_key_file: PathBuf,
    pub public_key_file: PathBuf,
}

impl KeyPairFiles {
    /// The development JWT key pair in `dir`.
    pub fn in_dir(dir: &Path) -> KeyPairFiles {
        KeyPairFiles::named(dir, "jwt-ed25519")
    }

    /// A key pair `<stem>.pem`, `<stem>.pub.pem` in `dir`.
    pub fn named(dir: &Path, stem: &str) -> KeyPairFiles {
        KeyPairFiles {
            private_key_file: dir.join(format!("{stem}.pem")),
            public_key_file: dir.join(format!("{stem}.pub.pem")),
        }
    }

    /// Creates the key pair unless it exists; returns whether it was created.
    pub fn ensure(&self) -> Result<bool, String> {
        if self.private_key_file.exists() && self.public_key_file.exists() {
            return Ok(false);
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| format!("no randomness: {e}"))?;
        let signing = SigningKey::from_bytes(&seed);
        // PKCS#8 v1 (RFC 8410: the private key alone), which OpenSSL and
        // Python's cryptography read; v2 with the public key they refuse.
        let private = KeypairBytes { secret_key: seed, public_key: None }
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| e.to_string())?;
        let public = signing
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| e.to_string())?;
        if let Some(dir) = self.private_key_file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        write_private(&self.private_key_file, private.as_bytes())?;
        std::fs::write(&self.public_key_file, public)
            .map_err(|e| format!("{}: {e}", self.public_key_file.display()))?;
        Ok(true)
    }
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(bytes).map_err(|e| format!("{}: {e}", path.display()))
}
