//! TLS on the gRPC port: rustls (ring provider, TLS 1.2 and 1.3), an
//! optional client CA for mutual TLS, and certificates reloaded without a
//! restart when their files change or on SIGHUP.
//!
//! Each connection is handshaken with the configuration current when it
//! arrives, so a reload applies to new connections; those open keep theirs.
//! A reload that fails (a file half-written, a key that does not match)
//! keeps the configuration in force and says why in the log.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;

use crate::config::TlsConfig;

/// How long a client has to finish its handshake.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// How often the certificate files are looked at for a change.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// The files a TLS configuration is read from.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
    pub client_cert_required: bool,
}

impl TlsFiles {
    /// The files `config` names; `None` when it names no certificate.
    pub fn of(config: &TlsConfig) -> Option<TlsFiles> {
        Some(TlsFiles {
            cert: config.cert.clone()?,
            key: config.key.clone()?,
            client_ca: config.client_ca.clone(),
            client_cert_required: config.client_cert_required(),
        })
    }

    fn paths(&self) -> impl Iterator<Item = &Path> {
        [self.cert.as_path(), self.key.as_path()].into_iter().chain(self.client_ca.as_deref())
    }

    /// The rustls configuration the files make; an error names the file and
    /// what is wrong with it.
    pub fn load(&self) -> Result<ServerConfig, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&self.cert)
            .and_then(|certs| certs.collect())
            .map_err(|e| format!("tls.cert {}: {e}", self.cert.display()))?;
        if certs.is_empty() {
            return Err(format!("tls.cert {}: no certificate in it", self.cert.display()));
        }
        let key = PrivateKeyDer::from_pem_file(&self.key).map_err(|e| format!("tls.key {}: {e}", self.key.display()))?;
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| e.to_string())?;
        let builder = match &self.client_ca {
            None => builder.with_no_client_auth(),
            Some(path) => {
                let mut roots = rustls::RootCertStore::empty();
                let cas = CertificateDer::pem_file_iter(path)
                    .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| format!("tls.client_ca {}: {e}", path.display()))?;
                for ca in cas {
                    roots.add(ca).map_err(|e| format!("tls.client_ca {}: {e}", path.display()))?;
                }
                if roots.is_empty() {
                    return Err(format!("tls.client_ca {}: no certificate in it", path.display()));
                }
                let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
                let verifier = if self.client_cert_required { verifier } else { verifier.allow_unauthenticated() };
                builder.with_client_cert_verifier(verifier.build().map_err(|e| format!("tls.client_ca {}: {e}", path.display()))?)
            }
        };
        let mut config = builder
            .with_single_cert(certs, key)
            .map_err(|e| format!("tls.cert {} and tls.key {}: {e}", self.cert.display(), self.key.display()))?;
        // HTTP/2 for gRPC; HTTP/1.1 for gRPC-Web from browsers.
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }

    /// When the files were last changed (the newest of them).
    fn changed(&self) -> Option<SystemTime> {
        self.paths().filter_map(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok()).max()
    }
}

/// TLS connections accepted on `listener`, each handshaken with the
/// configuration current when it arrives, which follows `files` from now on.
/// The tasks end when the returned stream is dropped (the task handle
/// aborts the listener, which otherwise waits for the next connection).
pub fn incoming(
    listener: TcpListener,
    files: TlsFiles,
    first: ServerConfig,
) -> (ReceiverStream<Result<TlsStream<TcpStream>, std::io::Error>>, JoinHandle<()>) {
    let current = Arc::new(ArcSwap::from_pointee(first));
    let (tx, rx) = mpsc::channel(256);
    let reloading = tokio::spawn(follow(files, current.clone()));
    let accepting = tokio::spawn(async move {
        loop {
            let (tcp, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: try again shortly.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            // Small responses go out at once: without TCP_NODELAY a response
            // written in two segments waits for the client's delayed ACK.
            let _ = tcp.set_nodelay(true);
            if tx.is_closed() {
                break;
            }
            let acceptor = TlsAcceptor::from(current.load_full());
            let handshaken = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE_LIMIT, acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => {
                        let _ = handshaken.send(Ok(tls)).await;
                    }
                    Ok(Err(e)) => tracing::info!(%peer, error = %e, "TLS handshake refused"),
                    Err(_) => tracing::info!(%peer, "TLS handshake not finished in time"),
                }
            });
        }
        reloading.abort();
    });
    (ReceiverStream::new(rx), accepting)
}

/// Reloads the configuration when the files change or on SIGHUP.
async fn follow(files: TlsFiles, current: Arc<ArcSwap<ServerConfig>>) {
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut seen = files.changed();
    loop {
        let signalled = async {
            match hangup.as_mut() {
                Some(signal) => signal.recv().await,
                None => std::future::pending().await,
            }
        };
        let why = tokio::select! {
            _ = signalled => "SIGHUP",
            _ = tokio::time::sleep(WATCH_EVERY) => {
                let now = files.changed();
                if now == seen {
                    continue;
                }
                seen = now;
                "the files changed"
            }
        };
        match files.load() {
            Ok(config) => {
                current.store(Arc::new(config));
                tracing::info!(cert = %files.cert.display(), why, "TLS certificates reloaded");
            }
            Err(e) => tracing::warn!(error = %e, why, "TLS certificates not reloaded; the ones in force stay"),
        }
    }
}

/// The subject organisation (O) of a DER certificate, if it names one.
pub fn organisation(cert: &[u8]) -> Option<String> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).ok()?;
    parsed.subject().iter_organization().next().and_then(|o| o.as_str().ok()).map(str::to_owned)
}
