//! Key files: Ed25519 key pairs kept as PEM files, made by `creditregistry
//! keygen` or on first use (the development JWT key; the registry's signing
//! key of a SQLite store when none is configured). PKCS#8 for the private
//! key (RFC 8410), SPKI for the public key (RFC 8410 §4), so OpenSSL and
//! Python's `cryptography` read them.

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
        KeyPairFiles { private_key_file: dir.join(format!("{stem}.pem")), public_key_file: dir.join(format!("{stem}.pub.pem")) }
    }

    /// The private key `file` and its public key beside it: `x.pem` and
    /// `x.pub.pem` (`x.pub.pem` too for a file `x`).
    pub fn beside(file: &Path) -> KeyPairFiles {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let stem = name.strip_suffix(".pem").unwrap_or(&name);
        KeyPairFiles { private_key_file: file.to_path_buf(), public_key_file: file.with_file_name(format!("{stem}.pub.pem")) }
    }

    /// Creates the key pair unless it exists; returns whether it was created.
    pub fn ensure(&self) -> Result<bool, String> {
        if self.private_key_file.exists() && self.public_key_file.exists() {
            return Ok(false);
        }
        self.write(false)?;
        Ok(true)
    }

    /// Creates a new key pair; refuses when either file exists, so a key
    /// is never replaced.
    pub fn create(&self) -> Result<(), String> {
        for file in [&self.private_key_file, &self.public_key_file] {
            if file.exists() {
                return Err(format!("{} exists; a key file is never overwritten", file.display()));
            }
        }
        self.write(true)
    }

    /// Writes a new key pair; with `new_only`, a file that appeared
    /// meanwhile is not replaced.
    fn write(&self, new_only: bool) -> Result<(), String> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| format!("no randomness: {e}"))?;
        let signing = SigningKey::from_bytes(&seed);
        // PKCS#8 v1 (RFC 8410: the private key alone), which OpenSSL and
        // Python's cryptography read; v2 with the public key they refuse.
        let private =
            KeypairBytes { secret_key: seed, public_key: None }.to_pkcs8_pem(LineEnding::LF).map_err(|e| e.to_string())?;
        let public = signing.verifying_key().to_public_key_pem(LineEnding::LF).map_err(|e| e.to_string())?;
        if let Some(dir) = self.private_key_file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        write_file(&self.private_key_file, private.as_bytes(), 0o600, new_only)?;
        write_file(&self.public_key_file, public.as_bytes(), 0o644, new_only)
    }
}

/// Writes a key file with `mode` (a private key readable by its owner
/// only); with `new_only`, fails if the file exists.
fn write_file(path: &Path, bytes: &[u8], mode: u32, new_only: bool) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).mode(mode);
    if new_only {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    let mut file = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(bytes).map_err(|e| format!("{}: {e}", path.display()))
}
