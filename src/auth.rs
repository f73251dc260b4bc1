//! Authentication: JWT bearer tokens -> `Principal`.
//!
//! Tokens are EdDSA (Ed25519) or RS256, verified against the public key their
//! `kid` header names in configuration; `iss`, `aud` (a string or an array),
//! `exp`, `nbf` and `sub` are required, `iat` is optional; a header listing
//! `crit` is refused, since the registry understands no extension. The
//! `token` command issues tokens from a local private key for development.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::{AuthConfig, KeyAlgorithm};
pub use crate::services::caller::{Principal, Role};

/// The `aud` claim: one audience or several (RFC 7519 §4.1.3); a token is
/// accepted when any of them is the registry's.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The token's claims.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: Audience,
    #[serde(deserialize_with = "numeric_date")]
    pub exp: i64,
    #[serde(deserialize_with = "numeric_date")]
    pub nbf: i64,
    /// Optional (RFC 7519 §4.1.6); the registry does not use it.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "optional_numeric_date")]
    pub iat: Option<i64>,
    pub roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

/// An RFC 7519 §2 NumericDate, which may be non-integer (issuers in
/// JavaScript and Java write `1765104000.5`): read as whole seconds toward
/// the past, so that no reading ever lengthens a token's life.
fn numeric_date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(deserializer)?;
    n.as_i64()
        .or_else(|| {
            let seconds = n.as_f64()?.floor();
            (seconds >= i64::MIN as f64 && seconds < i64::MAX as f64).then_some(seconds as i64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a NumericDate (seconds since 1970)")))
}

fn optional_numeric_date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Seconds(#[serde(deserialize_with = "numeric_date")] i64);
    Ok(Option::<Seconds>::deserialize(deserializer)?.map(|Seconds(s)| s))
}

/// Why a token was not accepted. Each maps to UNAUTHENTICATED with its own
/// reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token: send metadata 'authorization: Bearer <JWT>'")]
    Missing,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet (nbf is in the future)")]
    NotYetValid,
    #[error("the token's signature does not verify with any configured key")]
    BadSignature,
    #[error("the token is for another audience; expected '{0}'")]
    WrongAudience(String),
    #[error("the token is from another issuer; expected '{0}'")]
    WrongIssuer(String),
    #[error("the token is malformed: {0}")]
    Malformed(String),
    #[error("the token has no 'kid' header; it must name a configured key ({0})")]
    MissingKid(String),
    #[error("the token's 'kid' header '{0}' names no configured key ({1})")]
    UnknownKid(String, String),
    #[error(
        "the token's 'crit' header lists extensions the registry does not understand ({0}); RFC 7515 §4.1.11 requires refusing it"
    )]
    CriticalExtension(String),
}

impl AuthError {
    /// Stable machine-readable reason for `google.rpc.ErrorInfo`.
    pub fn reason(&self) -> &'static str {
        match self {
            AuthError::Missing => "TOKEN_MISSING",
            AuthError::Expired => "TOKEN_EXPIRED",
            AuthError::NotYetValid => "TOKEN_NOT_YET_VALID",
            AuthError::BadSignature => "TOKEN_SIGNATURE_INVALID",
            AuthError::WrongAudience(_) => "TOKEN_AUDIENCE_INVALID",
            AuthError::WrongIssuer(_) => "TOKEN_ISSUER_INVALID",
            AuthError::Malformed(_) => "TOKEN_MALFORMED",
            AuthError::MissingKid(_) => "TOKEN_KID_MISSING",
            AuthError::UnknownKid(..) => "TOKEN_KID_UNKNOWN",
            AuthError::CriticalExtension(_) => "TOKEN_CRIT_UNSUPPORTED",
        }
    }
}

struct VerifyingKey {
    kid: String,
    algorithm: Algorithm,
    key: DecodingKey,
}

/// Verifies bearer tokens against the configured keys.
///
/// A token that verified is remembered, by the SHA-256 of its text, until
/// it expires (plus the leeway), so a caller pays for one signature check
/// per token, not per call. Only successes are remembered. The keys are
/// fixed for the life of the process: removing a key from the
/// configuration takes effect at restart, which starts with no tokens
/// remembered.
pub struct Authenticator {
    keys: Vec<VerifyingKey>,
    issuer: String,
    audience: String,
    verified: quick_cache::sync::Cache<[u8; 32], (Principal, i64)>,
}

/// Tokens remembered at once.
const REMEMBERED: usize = 100_000;
/// Seconds a token is still accepted after `exp` or before `nbf`.
const LEEWAY: u64 = 30;

fn jwt_algorithm(a: KeyAlgorithm) -> Algorithm {
    match a {
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        KeyAlgorithm::RS256 => Algorithm::RS256,
    }
}

impl Authenticator {
    /// Loads every configured public key; fails naming the key that is bad.
    pub fn from_config(config: &AuthConfig) -> Result<Authenticator, String> {
        if config.keys.is_empty() {
            return Err("no JWT public keys configured (auth.keys); for development run `serve --dev`".into());
        }
        let mut keys = Vec::new();
        for k in &config.keys {
            let pem = std::fs::read(&k.public_key_file)
                .map_err(|e| format!("auth key '{}': cannot read {}: {e}", k.kid, k.public_key_file.display()))?;
            let key = match k.algorithm {
                KeyAlgorithm::EdDSA => DecodingKey::from_ed_pem(&pem),
                KeyAlgorithm::RS256 => DecodingKey::from_rsa_pem(&pem),
            }
            .map_err(|e| format!("auth key '{}': {}: {e}", k.kid, k.public_key_file.display()))?;
            keys.push(VerifyingKey { kid: k.kid.clone(), algorithm: jwt_algorithm(k.algorithm), key });
        }
        Ok(Authenticator {
            keys,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            verified: quick_cache::sync::Cache::new(REMEMBERED),
        })
    }

    /// Authenticates the value of the `authorization` metadata.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Principal, AuthError> {
        let token = authorization
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::Missing)?;
        let digest: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()).into();
        if let Some((principal, valid_until)) = self.verified.get(&digest) {
            if chrono::Utc::now().timestamp() <= valid_until {
                return Ok(principal);
            }
            self.verified.remove(&digest);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|e| not_a_jws(&e))?;
        // The registry understands no extension header, so any `crit` (even
        // an empty one, which RFC 7515 forbids producers to send) refuses
        // the token before its signature is checked.
        if let Some(crit) = &header.crit {
            return Err(AuthError::CriticalExtension(serde_json::to_string(crit).unwrap_or_default()));
        }
        // The key is chosen by `kid` alone: a token that names none, or one
        // not configured, is refused rather than tried against every key.
        let known = || self.keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>().join(", ");
        let kid = header.kid.as_deref().ok_or_else(|| AuthError::MissingKid(format!("one of: {}", known())))?;
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| AuthError::UnknownKid(kid.to_string(), format!("one of: {}", known())))?;
        if key.algorithm != header.alg {
            return Err(AuthError::BadSignature);
        }
        let (principal, exp) = self.verify_with(token, key)?;
        self.verified.insert(digest, (principal.clone(), exp.saturating_add(LEEWAY as i64)));
        Ok(principal)
    }

    /// The principal and the token's `exp`.
    fn verify_with(&self, token: &str, key: &VerifyingKey) -> Result<(Principal, i64), AuthError> {
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        // `exp` and `nbf` are read by `Claims` (`numeric_date`) and checked
        // below: the library would round a fractional `exp` up, past the
        // token's stated end.
        validation.set_required_spec_claims(&["iss", "aud", "sub"]);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm => AuthError::BadSignature,
                ErrorKind::InvalidAudience => AuthError::WrongAudience(self.audience.clone()),
                ErrorKind::InvalidIssuer => AuthError::WrongIssuer(self.issuer.clone()),
                ErrorKind::MissingRequiredClaim(claim) => AuthError::Malformed(format!("claim '{claim}' is missing")),
                // Signed, but its claims are not what the registry reads:
                // said claim by claim rather than in the JSON reader's words.
                ErrorKind::Json(_) => AuthError::Malformed(claims_problems(token)),
                _ => not_a_jws(&e),
            })?
            .claims;
        let now = chrono::Utc::now().timestamp();
        if claims.exp < now - LEEWAY as i64 {
            return Err(AuthError::Expired);
        }
        if claims.nbf > now + LEEWAY as i64 {
            return Err(AuthError::NotYetValid);
        }
        let exp = claims.exp;
        Ok((principal_from(claims)?, exp))
    }
}

/// A token that cannot be read as a signed JWT, in the registry's words;
/// the library's own go to the log.
fn not_a_jws(e: &jsonwebtoken::errors::Error) -> AuthError {
    tracing::debug!(error = %e, "unreadable token");
    AuthError::Malformed(
        "it is not a signed JWT: three base64url parts (header, claims, signature) separated by '.', the first two JSON objects \
         (RFC 7515 §7.1)"
            .into(),
    )
}

/// Each claim of a signed token that the registry cannot read, and why.
fn claims_problems(token: &str) -> String {
    use serde_json::Value;
    let Ok(claims) = jsonwebtoken::dangerous::insecure_decode_claims::<serde_json::Map<String, Value>>(token) else {
        return "its claims are not a JSON object".into();
    };
    let mut problems = Vec::new();
    let date = "must be a NumericDate, a number of seconds since 1970-01-01T00:00:00Z (RFC 7519 §2)";
    let text = "must be a string";
    let roles = "must be a list of roles: enforcement, procurement, auditor, regulator or admin";
    type Readable = fn(&Value) -> bool;
    let checks: [(&str, bool, &str, Readable); 9] = [
        ("iss", true, text, Value::is_string),
        ("sub", true, text, Value::is_string),
        ("aud", true, "must be a string or a list of strings", |v| {
            v.is_string() || v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
        }),
        ("exp", true, date, |v| v.as_f64().is_some_and(|n| n.abs() < i64::MAX as f64)),
        ("nbf", true, date, |v| v.as_f64().is_some_and(|n| n.abs() < i64::MAX as f64)),
        ("iat", false, date, |v| v.as_f64().is_some_and(|n| n.abs() < i64::MAX as f64)),
        ("roles", true, roles, |v| v.as_array().is_some_and(|a| a.iter().all(|r| Role::deserialize(r).is_ok()))),
        ("authority", false, text, Value::is_string),
        ("org", false, text, Value::is_string),
    ];
    for (claim, required, what, readable) in checks {
        match claims.get(claim) {
            None if required => problems.push(format!("claim '{claim}' is missing")),
            Some(value) if !readable(value) => problems.push(format!("claim '{claim}' {what}, got {value}")),
            _ => {}
        }
    }
    if problems.is_empty() { "its claims cannot be read".into() } else { problems.join("; ") }
}

fn principal_from(claims: Claims) -> Result<Principal, AuthError> {
    if claims.sub.trim().is_empty() {
        return Err(AuthError::Malformed("claim 'sub' is empty".into()));
    }
    if claims.roles.is_empty() {
        return Err(AuthError::Malformed("claim 'roles' is empty".into()));
    }
    let authority = claims.authority.filter(|a| !a.trim().is_empty());
    if claims.roles.contains(&Role::Enforcement) && authority.is_none() {
        return Err(AuthError::Malformed("role 'enforcement' needs claim 'authority' naming the authority it acts for".into()));
    }
    Ok(Principal {
        subject: claims.sub,
        roles: claims.roles,
        authority,
        organisation: claims.org.filter(|o| !o.trim().is_empty()),
    })
}

/// What to put in a token.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub subject: String,
    pub roles: Vec<Role>,
    pub authority: Option<String>,
    pub organisation: Option<String>,
    pub issuer: String,
    pub audience: String,
    pub ttl_seconds: i64,
    pub kid: Option<String>,
    pub algorithm: KeyAlgorithm,
}

/// Signs a token with a PEM private key (PKCS#8 Ed25519, or RSA for RS256).
pub fn issue_token(request: &TokenRequest, private_key_pem: &[u8]) -> Result<String, String> {
    let key = match request.algorithm {
        KeyAlgorithm::EdDSA => EncodingKey::from_ed_pem(private_key_pem),
        KeyAlgorithm::RS256 => EncodingKey::from_rsa_pem(private_key_pem),
    }
    .map_err(|e| format!("private key: {e}"))?;
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        iss: request.issuer.clone(),
        sub: request.subject.clone(),
        aud: Audience::One(request.audience.clone()),
        exp: now + request.ttl_seconds,
        nbf: now - 1,
        iat: Some(now),
        roles: request.roles.clone(),
        authority: request.authority.clone(),
        org: request.organisation.clone(),
    };
    let mut header = Header::new(jwt_algorithm(request.algorithm));
    header.kid = request.kid.clone();
    jsonwebtoken::encode(&header, &claims, &key).map_err(|e| e.to_string())
}

/// Key id of the development key.
pub const DEV_KID: &str = "dev";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::KeyConfig;
    use crate::keys::KeyPairFiles;

    fn setup(ttl_seconds: i64) -> (Authenticator, String, [u8; 32]) {
        let dir = tempfile::tempdir().unwrap();
        let pair = KeyPairFiles::in_dir(dir.path());
        pair.ensure().unwrap();
        let config = AuthConfig {
            issuer: "iss".into(),
            audience: "aud".into(),
            keys: vec![KeyConfig {
                kid: DEV_KID.into(),
                algorithm: KeyAlgorithm::EdDSA,
                public_key_file: pair.public_key_file.clone(),
            }],
        };
        let request = TokenRequest {
            subject: "platform-1".into(),
            roles: vec![Role::Procurement],
            authority: None,
            organisation: None,
            issuer: "iss".into(),
            audience: "aud".into(),
            ttl_seconds,
            kid: Some(DEV_KID.into()),
            algorithm: KeyAlgorithm::EdDSA,
        };
        let token = issue_token(&request, &std::fs::read(&pair.private_key_file).unwrap()).unwrap();
        let digest = <sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()).into();
        (Authenticator::from_config(&config).unwrap(), format!("Bearer {token}"), digest)
    }

    #[test]
    fn a_verified_token_is_remembered_until_it_expires_and_no_longer() {
        let (auth, bearer, digest) = setup(3600);
        let first = auth.authenticate(Some(&bearer)).unwrap();
        let (remembered, until) = auth.verified.get(&digest).expect("remembered");
        assert_eq!(remembered, first);
        let exp = chrono::Utc::now().timestamp() + 3600;
        assert!((exp + LEEWAY as i64 - until).abs() <= 2, "kept until exp plus the leeway");
        assert_eq!(auth.authenticate(Some(&bearer)).unwrap(), first);

        // Past its time, a remembered answer is not used: the token is
        // verified again.
        let stale = Principal { subject: "stale".into(), ..first.clone() };
        auth.verified.insert(digest, (stale, chrono::Utc::now().timestamp() - 1));
        assert_eq!(auth.authenticate(Some(&bearer)).unwrap().subject, "platform-1");
    }

    #[test]
    fn a_refused_token_is_not_remembered() {
        let (auth, bearer, digest) = setup(-(LEEWAY as i64) - 60);
        assert_eq!(auth.authenticate(Some(&bearer)), Err(AuthError::Expired));
        assert!(auth.verified.get(&digest).is_none());
        let tampered = format!("{bearer}x");
        assert!(auth.authenticate(Some(&tampered)).is_err());
        assert_eq!(auth.verified.len(), 0);
    }
}
