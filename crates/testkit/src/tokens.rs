//! The tokens a test registry trusts: signed by the development key of its
//! data directory, sent as a bearer header.

use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::{Request, Status};

use creditregistry::auth::{DEV_KID, Role, TokenRequest, issue_token};
use creditregistry::config::{Config, KeyAlgorithm, KeyConfig};
use creditregistry::keys::KeyPairFiles;

/// The development key pair of a data directory (in `dev-keys/`, where
/// `serve --dev` keeps it), which signs the tokens of tests and of the
/// benchmark.
pub struct TokenKey {
    pub files: KeyPairFiles,
}

impl TokenKey {
    /// The key of `config`'s data directory, made there when it is not yet;
    /// the error says why it could not be made.
    pub fn of(config: &Config) -> Result<TokenKey, String> {
        let files = KeyPairFiles::in_dir(&config.dev_keys_dir());
        files.ensure()?;
        Ok(TokenKey { files })
    }

    /// Trusts this key in `config`, as `serve --dev` trusts it.
    pub fn trust(&self, config: &mut Config) {
        config.auth.keys.push(KeyConfig {
            kid: DEV_KID.into(),
            algorithm: KeyAlgorithm::EdDSA,
            public_key_file: self.files.public_key_file.clone(),
        });
    }

    /// The private key, PKCS#8 PEM.
    pub fn private_key(&self) -> Vec<u8> {
        std::fs::read(&self.files.private_key_file).expect("the development key")
    }

    /// A request for a token for `roles`, acting for `authority`, that a
    /// registry configured as `config` accepts: of `subject` in "test org",
    /// valid for ten minutes.
    pub fn request(&self, config: &Config, subject: &str, roles: &[Role], authority: Option<&str>) -> TokenRequest {
        TokenRequest {
            subject: subject.into(),
            roles: roles.to_vec(),
            authority: authority.map(str::to_string),
            organisation: Some("test org".into()),
            issuer: config.auth.issuer.clone(),
            audience: config.auth.audience.clone(),
            ttl_seconds: 600,
            kid: Some(DEV_KID.into()),
            algorithm: KeyAlgorithm::EdDSA,
        }
    }

    /// `request` signed with this key.
    pub fn sign(&self, request: &TokenRequest) -> Result<String, String> {
        issue_token(request, &self.private_key())
    }
}

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<Ascii>>);

impl Bearer {
    pub fn new(token: &str) -> Bearer {
        Bearer(Some(format!("Bearer {token}").parse().expect("a token is a header value")))
    }

    /// Adds nothing: calls without a token.
    pub fn none() -> Bearer {
        Bearer(None)
    }
}

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(v) = &self.0 {
            request.metadata_mut().insert("authorization", v.clone());
        }
        Ok(request)
    }
}
