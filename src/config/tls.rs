//! The `[tls]` section: how the gRPC port is secured.

use std::path::PathBuf;

use serde::Deserialize;

use super::Config;

/// TLS on the gRPC port (TLS 1.2 and 1.3, rustls with the ring provider).
/// With no `cert`, the port speaks plain text, which is allowed only when
/// `plaintext` says so and the listen address is a loopback one.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// The server's certificate chain, PEM, leaf first.
    /// `CREDITREGISTRY_TLS_CERT`.
    pub cert: Option<PathBuf>,
    /// Its private key, PEM (PKCS#8, PKCS#1 or SEC1). `CREDITREGISTRY_TLS_KEY`.
    pub key: Option<PathBuf>,
    /// Certificate authorities (PEM) whose client certificates are
    /// accepted: mutual TLS. `CREDITREGISTRY_TLS_CLIENT_CA`.
    pub client_ca: Option<PathBuf>,
    /// With `client_ca`: whether a client must present a certificate
    /// (default) or may connect without one. `CREDITREGISTRY_TLS_CLIENT_CERT_REQUIRED`.
    pub client_cert_required: Option<bool>,
    /// With `client_ca`: a client certificate's subject organisation (O)
    /// must equal the organisation (`org`) of the token sent on that
    /// connection, so a platform cannot use another's token. Default true.
    /// `CREDITREGISTRY_TLS_BIND_ORGANISATION`.
    pub bind_organisation: Option<bool>,
    /// Serve plain text, allowed only on a loopback address (`serve --dev`
    /// sets it). `CREDITREGISTRY_PLAINTEXT`.
    pub plaintext: bool,
}

impl TlsConfig {
    /// Whether a client certificate is required (when a client CA is set).
    pub fn client_cert_required(&self) -> bool {
        self.client_cert_required.unwrap_or(true)
    }

    /// Whether a client certificate's organisation must be the token's.
    pub fn bind_organisation(&self) -> bool {
        self.client_ca.is_some() && self.bind_organisation.unwrap_or(true)
    }
}

impl Config {
    /// Reads the `CREDITREGISTRY_TLS_*` and `CREDITREGISTRY_PLAINTEXT` variables.
    pub(super) fn apply_tls_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<(), String> {
        let flag = |name: &str| -> Result<Option<bool>, String> {
            var(name).map(|v| v.parse::<bool>().map_err(|e| format!("{name}: {e} (true or false)"))).transpose()
        };
        if let Some(v) = var("CREDITREGISTRY_TLS_CERT") {
            self.tls.cert = Some(v.into());
        }
        if let Some(v) = var("CREDITREGISTRY_TLS_KEY") {
            self.tls.key = Some(v.into());
        }
        if let Some(v) = var("CREDITREGISTRY_TLS_CLIENT_CA") {
            self.tls.client_ca = Some(v.into());
        }
        if let Some(v) = flag("CREDITREGISTRY_TLS_CLIENT_CERT_REQUIRED")? {
            self.tls.client_cert_required = Some(v);
        }
        if let Some(v) = flag("CREDITREGISTRY_TLS_BIND_ORGANISATION")? {
            self.tls.bind_organisation = Some(v);
        }
        if let Some(v) = flag("CREDITREGISTRY_PLAINTEXT")? {
            self.tls.plaintext = v;
        }
        Ok(())
    }

    /// Whether the configuration serves TLS; an error when it may serve
    /// neither TLS nor plain text (no certificate, and plain text not
    /// allowed or not on a loopback address), or names half a TLS setup.
    pub fn serves_tls(&self) -> Result<bool, String> {
        match (&self.tls.cert, &self.tls.key) {
            (Some(_), Some(_)) => Ok(true),
            (Some(_), None) => Err("tls.cert is set but tls.key is not (CREDITREGISTRY_TLS_KEY)".into()),
            (None, Some(_)) => Err("tls.key is set but tls.cert is not (CREDITREGISTRY_TLS_CERT)".into()),
            (None, None) if self.tls.client_ca.is_some() => Err("tls.client_ca needs tls.cert and tls.key".into()),
            (None, None) if !self.tls.plaintext => Err(format!(
                "no TLS certificate configured for {}: set tls.cert and tls.key (CREDITREGISTRY_TLS_CERT, \
                 CREDITREGISTRY_TLS_KEY), or, on a loopback address only, plaintext = true (CREDITREGISTRY_PLAINTEXT=true; \
                 `serve --dev` sets it)",
                self.listen
            )),
            (None, None) if !self.listen.ip().is_loopback() => Err(format!(
                "plain text is served only on a loopback address, not {}: configure tls.cert and tls.key",
                self.listen
            )),
            (None, None) => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(listen: &str, tls: TlsConfig) -> Config {
        Config { listen: listen.parse().unwrap(), tls, ..Config::default() }
    }

    #[test]
    fn plain_text_is_served_only_when_asked_for_and_on_a_loopback_address() {
        let plaintext = TlsConfig { plaintext: true, ..TlsConfig::default() };
        assert_eq!(config("127.0.0.1:50051", plaintext.clone()).serves_tls(), Ok(false));
        assert_eq!(config("[::1]:50051", plaintext.clone()).serves_tls(), Ok(false));
        let err = config("0.0.0.0:50051", plaintext).serves_tls().unwrap_err();
        assert!(err.contains("only on a loopback address, not 0.0.0.0:50051"), "{err}");
        let err = config("127.0.0.1:50051", TlsConfig::default()).serves_tls().unwrap_err();
        assert!(err.contains("no TLS certificate") && err.contains("CREDITREGISTRY_TLS_CERT"), "{err}");
    }

    #[test]
    fn half_a_tls_setup_is_named() {
        let cert = TlsConfig { cert: Some("c.pem".into()), ..TlsConfig::default() };
        assert!(config("0.0.0.0:1", cert).serves_tls().unwrap_err().contains("tls.key is not"));
        let ca = TlsConfig { client_ca: Some("ca.pem".into()), plaintext: true, ..TlsConfig::default() };
        assert!(config("127.0.0.1:1", ca).serves_tls().unwrap_err().contains("tls.client_ca needs"));
        let both = TlsConfig { cert: Some("c.pem".into()), key: Some("k.pem".into()), ..TlsConfig::default() };
        assert_eq!(config("0.0.0.0:1", both).serves_tls(), Ok(true));
    }

    #[test]
    fn the_environment_sets_tls() {
        let mut config = Config::default();
        let env = |name: &str| match name {
            "CREDITREGISTRY_TLS_CERT" => Some("/etc/c.pem".to_string()),
            "CREDITREGISTRY_TLS_KEY" => Some("/etc/k.pem".to_string()),
            "CREDITREGISTRY_TLS_CLIENT_CA" => Some("/etc/ca.pem".to_string()),
            "CREDITREGISTRY_TLS_CLIENT_CERT_REQUIRED" => Some("false".to_string()),
            _ => None,
        };
        config.apply_tls_env(&env).unwrap();
        assert_eq!(config.tls.cert.as_deref(), Some(std::path::Path::new("/etc/c.pem")));
        assert!(!config.tls.client_cert_required() && config.tls.bind_organisation());
        let bad = |name: &str| (name == "CREDITREGISTRY_PLAINTEXT").then(|| "yes".to_string());
        assert!(config.apply_tls_env(&bad).unwrap_err().contains("CREDITREGISTRY_PLAINTEXT"));
    }
}
