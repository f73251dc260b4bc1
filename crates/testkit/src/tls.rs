//! Certificates for TLS tests: a certificate authority, server certificates
//! for 127.0.0.1 and localhost, client certificates naming an organisation,
//! and expired ones.

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// A certificate authority.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    /// Its certificate, PEM.
    pub pem: String,
}

/// A certificate an authority issued, with its key.
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

/// When a certificate is valid.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// From yesterday for a year.
    Current,
    /// For a day that ended a month ago.
    Expired,
}

fn params(validity: Validity, names: Vec<String>) -> CertificateParams {
    let mut params = CertificateParams::new(names).expect("valid names");
    let now = time::OffsetDateTime::now_utc();
    (params.not_before, params.not_after) = match validity {
        Validity::Current => (now - time::Duration::days(1), now + time::Duration::days(365)),
        Validity::Expired => (now - time::Duration::days(31), now - time::Duration::days(30)),
    };
    params
}

impl Ca {
    /// A new authority named `name`.
    pub fn new(name: &str) -> Ca {
        let mut params = params(Validity::Current, Vec::new());
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().expect("a key");
        let pem = params.self_signed(&key).expect("a CA certificate").pem();
        Ca { issuer: Issuer::new(params, key), pem }
    }

    /// A server certificate for 127.0.0.1 and localhost.
    pub fn server(&self, validity: Validity) -> Issued {
        let mut params = params(validity, vec!["localhost".into(), "127.0.0.1".into()]);
        params.distinguished_name.push(DnType::CommonName, "localhost");
        self.issue(params)
    }

    /// A client certificate whose subject names `organisation` (O) and `name` (CN).
    pub fn client(&self, organisation: &str, name: &str, validity: Validity) -> Issued {
        let mut params = params(validity, Vec::new());
        params.distinguished_name.push(DnType::OrganizationName, organisation);
        params.distinguished_name.push(DnType::CommonName, name);
        self.issue(params)
    }

    fn issue(&self, params: CertificateParams) -> Issued {
        let key = KeyPair::generate().expect("a key");
        let cert = params.signed_by(&key, &self.issuer).expect("a certificate");
        Issued { cert_pem: cert.pem(), key_pem: key.serialize_pem() }
    }

    /// Writes its certificate to `dir/name.pem`.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(format!("{name}.pem"));
        std::fs::write(&path, &self.pem).expect("written");
        path
    }
}

impl Issued {
    /// Writes the certificate and key to `dir/name.pem` and `dir/name.key`.
    pub fn write(&self, dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let (cert, key) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
        std::fs::write(&cert, &self.cert_pem).expect("written");
        std::fs::write(&key, &self.key_pem).expect("written");
        (cert, key)
    }
}
