//! The `[auth]` section: the tokens the registry accepts and the keys it
//! trusts to have signed them.

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Required `iss`. `CREDITREGISTRY_AUTH_ISSUER`.
    pub issuer: String,
    /// Required `aud`. `CREDITREGISTRY_AUTH_AUDIENCE`.
    pub audience: String,
    /// Trusted public keys. `CREDITREGISTRY_AUTH_KEYS="kid:EdDSA:path,kid2:RS256:path"`.
    pub keys: Vec<KeyConfig>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    pub kid: String,
    pub algorithm: KeyAlgorithm,
    /// PEM SubjectPublicKeyInfo.
    pub public_key_file: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum KeyAlgorithm {
    EdDSA,
    RS256,
}

impl std::str::FromStr for KeyAlgorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "EdDSA" => Ok(KeyAlgorithm::EdDSA),
            "RS256" => Ok(KeyAlgorithm::RS256),
            other => Err(format!("unknown key algorithm '{other}': expected EdDSA or RS256")),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig { issuer: "creditregistry-dev".into(), audience: "creditregistry".into(), keys: Vec::new() }
    }
}
