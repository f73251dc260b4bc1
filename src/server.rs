//! Assembles the registry: store, writer, index, audit trail, services,
//! health and reflection; serves until told to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;

use crate::api::{AuditApi, Authenticate, EligibilityApi, RecordsApi, Registry, SupervisionApi};
use crate::audit::{AuditTask, AuditTrail, Schedule};
use crate::auth::Authenticator;
use crate::clock::Clock;
use crate::config::Config;
use crate::index::Index;
use crate::proto::pb::{
    audit_service_server::AuditServiceServer, eligibility_service_server::EligibilityServiceServer,
    records_service_server::RecordsServiceServer, supervision_service_server::SupervisionServiceServer,
};
use crate::services::audit::AuditReads;
use crate::services::authorities::Authorities;
use crate::services::checks::Checks;
use crate::services::files::CreditFiles;
use crate::services::profiles::Profiles;
use crate::services::scope::Scopes;
use crate::services::search::{FollowedNames, Search};
use crate::services::supervision::Supervision;
use crate::services::writes::Writes;
use crate::snapshot::SnapshotFile;
use crate::store::{ServingClaim, Store};
use crate::tls::TlsFiles;
use crate::writer;

use crate::api::{CALL_LIMIT, MAX_MESSAGE_BYTES};
/// Calls in flight on one client connection.
pub const MAX_CONCURRENT_STREAMS: u32 = 1024;
const CONNECTION_WINDOW_BYTES: u32 = 1024 * 1024;

/// A running registry.
pub struct Running {
    pub addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    serving: JoinHandle<Result<(), tonic::transport::Error>>,
    /// With TLS: accepts connections and handshakes them.
    accepting: Option<JoinHandle<()>>,
    writer: JoinHandle<()>,
    audit: AuditTask,
    store: Store,
    index: Arc<Index>,
    /// The name index, saved beside the index when the registry stops.
    names: Arc<FollowedNames>,
    /// Where the index is saved when the registry stops.
    snapshot: Option<SnapshotFile>,
    /// Keeps health following the store; ended when the registry stops.
    health_watch: JoinHandle<()>,
    /// This process's claim on the store, given up when it stops.
    _claim: Option<ServingClaim>,
}

impl Running {
    /// Stops accepting calls, lets the writer finish its batch and the audit
    /// trail store its queue, closes the store.
    pub async fn stop(self) -> Result<(), String> {
        let _ = self.shutdown.send(());
        self.health_watch.abort();
        self.audit.stopping();
        if let Some(accepting) = &self.accepting {
            accepting.abort();
        }
        let served = self.serving.await.map_err(|e| e.to_string())?;
        let _ = self.writer.await;
        if let Some(file) = &self.snapshot {
            let path = &file.path;
            // Nothing writes now: the snapshot is of the ledger as stored.
            match crate::snapshot::write(&self.index, file) {
                Ok(()) => tracing::info!(path = %path.display(), records = self.index.head(), "index snapshot written"),
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "index snapshot not written"),
            }
            match self.names.write_snapshot(file) {
                Ok(path) => tracing::info!(path = %path.display(), "name search snapshot written"),
                Err(e) => tracing::warn!(error = %e, "name search snapshot not written"),
            }
        }
        let logged = self.audit.join().await;
        self.store.close().await;
        served.map_err(|e| e.to_string())?;
        logged
    }

    /// Serves until the task ends or Ctrl-C / SIGTERM.
    pub async fn wait_for_signal(self) -> Result<(), String> {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = terminate() => {},
        }
        tracing::info!("shutting down");
        self.stop().await
    }
}

async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

/// Opens the store, rebuilds the index and starts serving on `config.listen`
/// (port 0 picks a free port; `Running::addr` tells which).
pub async fn start(config: &Config) -> Result<Running, String> {
    // Before anything is opened: a port that would serve neither stops here.
    let tls = match (config.serves_tls()?, TlsFiles::of(&config.tls)) {
        (true, Some(files)) => Some((files.load()?, files)),
        _ => None,
    };
    let authenticator = Arc::new(Authenticator::from_config(&config.auth)?);
    let rules = Arc::new(config.rules()?);
    let clock = Clock::new(config.utc_offset()?);
    let url = config.database_url();
    let holder = format!(
        "process {} (started {}, serving on {})",
        std::process::id(),
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        config.listen
    );
    let claim = Store::claim(&url, &holder).map_err(|e| e.to_string())?;
    let store = Store::open(&url, &config.store_settings(), &crate::audit::block::Upgrade).await.map_err(|e| e.to_string())?;
    let index = Arc::new(Index::default());
    let registry_key = config.registry_key()?;
    let retired = crate::audit::adopt_key(&store.audit(), registry_key.public(), chrono::Utc::now()).await?;
    // Keys configured as retired before the store held its keys.
    let retired = crate::audit::with_others(retired, config.retired_registry_keys()?);
    let snapshot = crate::snapshot::path_for(&url).map(|path| SnapshotFile { path, key: registry_key.clone() });
    let (writer, writer_task) =
        writer::start(store.ledger(), index.clone(), rules.clone(), clock, &config.writer, snapshot.as_ref())
            .await
            .map_err(|e| e.to_string())?;
    tracing::info!(records = index.head(), "index ready");
    for edition in rules.editions() {
        let [lists, publicity, catalogue, supervision, grades] = edition.versions();
        let from = match edition.effective_from {
            crate::domain::record::Date::MIN => "the start".to_string(),
            date => date.to_string(),
        };
        tracing::info!(%from, lists, publicity, catalogue, supervision, grades, "rule edition");
    }

    let (audit, audit_task) = AuditTrail::start(
        store.audit(),
        index.clone(),
        registry_key,
        retired,
        config.audit.origin.clone(),
        clock,
        Schedule {
            checkpoint_every: Duration::from_secs(config.audit.checkpoint_interval_secs),
            segment_every: Duration::from_secs(config.audit.segment_hours * 3600),
            retention: Duration::from_secs(config.audit.check_log_retention_days * 86_400),
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    tracing::info!(key_id = %audit.public_key().key_id, "registry signing key loaded");

    let snapshot_index = index.clone();
    let files = CreditFiles::new(store.ledger(), index.clone(), config.record_cache_mib << 20);
    let scopes = Scopes::new(index.clone(), writer.clone(), store.ledger(), clock, rules.clone());
    let checks = Checks::new(scopes.clone(), index.clone(), rules.clone(), audit.clone(), clock, writer.priority());
    let profiles = Profiles::new(scopes.clone(), files.clone(), rules.clone());
    let supervision = Supervision::new(scopes.clone(), index.clone(), rules.clone(), clock, store.draws());
    let audit = AuditReads::new(scopes.clone(), (store.ledger(), store.audit()), audit, files, rules.clone());
    let authorities = Authorities::new(rules.clone());
    let search = Search::start(index.clone(), scopes.clone(), rules.clone(), snapshot.as_ref()).await?;
    let names = search.names();
    let writes = Writes::new(writer, index.clone(), rules, clock);
    let registry = Registry { clock, writes, authorities, scopes, checks, profiles, audit, supervision, search };
    let auth = Authenticate { authenticator, bind_organisation: config.tls.bind_organisation() };

    let (health_reporter, health) = tonic_health::server::health_reporter();
    report_health(&health_reporter, true).await;
    let health_watch = tokio::spawn(watch_store(store.clone(), health_reporter));

    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(crate::proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(|e| e.to_string())?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(crate::proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()
        .map_err(|e| e.to_string())?;

    let records = RecordsServiceServer::new(RecordsApi::new(registry.clone()))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let eligibility = EligibilityServiceServer::new(EligibilityApi::new(registry.clone()))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let supervision = SupervisionServiceServer::new(SupervisionApi::new(registry.clone()))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let audit_service = AuditServiceServer::new(AuditApi::new(registry))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);

    let listener = TcpListener::bind(config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (shutdown, stop) = oneshot::channel::<()>();
    let router = Server::builder()
        .timeout(CALL_LIMIT)
        // A client with more calls than this in flight on one connection
        // waits for a stream (HTTP/2's own backpressure). Without a bound,
        // thousands of small requests buffered unread exhaust the HTTP/2
        // library's budget for small DATA frames (half the connection
        // window) and the whole connection is closed with ENHANCE_YOUR_CALM;
        // with it, the most they can buffer (streams × 256 bytes) stays
        // within the budget of a 1 MiB connection window.
        .max_concurrent_streams(MAX_CONCURRENT_STREAMS)
        .initial_connection_window_size(CONNECTION_WINDOW_BYTES)
        .layer(crate::api::requests::layer())
        .layer(tower::util::MapResponseLayer::new(|response| crate::api::error::answer_codec_errors(response, MAX_MESSAGE_BYTES)))
        .add_service(health)
        .add_service(InterceptedService::new(reflection, auth.clone()))
        .add_service(InterceptedService::new(reflection_v1alpha, auth.clone()))
        .add_service(InterceptedService::new(records, auth.clone()))
        .add_service(InterceptedService::new(eligibility, auth.clone()))
        .add_service(InterceptedService::new(supervision, auth.clone()))
        .add_service(InterceptedService::new(audit_service, auth));
    let stopped = async {
        let _ = stop.await;
    };
    let (serving, accepting) = match tls {
        Some((first, files)) => {
            let (incoming, accepting) = crate::tls::incoming(listener, files, first);
            (tokio::spawn(router.serve_with_incoming_shutdown(incoming, stopped)), Some(accepting))
        }
        None => {
            // Small responses go out at once: without TCP_NODELAY a response
            // written in two segments waits for the client's delayed ACK.
            let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
            (tokio::spawn(router.serve_with_incoming_shutdown(incoming, stopped)), None)
        }
    };
    let transport = if accepting.is_some() { "TLS" } else { "plain text (loopback only)" };
    tracing::info!(%addr, transport, database = %crate::store::redacted(&url), "serving");
    Ok(Running {
        addr,
        shutdown,
        serving,
        accepting,
        writer: writer_task,
        audit: audit_task,
        store,
        index: snapshot_index,
        names,
        snapshot,
        health_watch,
        _claim: claim,
    })
}

/// How often the health of a store that can be reached is checked when
/// nothing else has found it unreachable.
const PROBE_EVERY: Duration = Duration::from_secs(1);

/// Every service (and the server as a whole, service "") as serving or not.
async fn report_health(reporter: &tonic_health::server::HealthReporter, serving: bool) {
    let status = if serving { ServingStatus::Serving } else { ServingStatus::NotServing };
    reporter.set_service_status("", status).await;
    reporter.set_service_status(service_name::<RecordsServiceServer<RecordsApi>>(), status).await;
    reporter.set_service_status(service_name::<EligibilityServiceServer<EligibilityApi>>(), status).await;
    reporter.set_service_status(service_name::<SupervisionServiceServer<SupervisionApi>>(), status).await;
    reporter.set_service_status(service_name::<AuditServiceServer<AuditApi>>(), status).await;
}

fn service_name<S: tonic::server::NamedService>() -> &'static str {
    S::NAME
}

/// Health follows the store: NOT_SERVING from the moment a probe, a read
/// or a write finds it unreachable, SERVING again once it answers (the
/// store asks it again meanwhile). SQLite, a file of this process, is
/// always reachable.
async fn watch_store(store: Store, reporter: tonic_health::server::HealthReporter) {
    let Some(mut reachability) = store.reachability() else { return };
    let mut serving = true;
    loop {
        tokio::select! {
            changed = reachability.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep(PROBE_EVERY), if serving => {
                // An error marks the store unreachable, seen above.
                let _ = store.probe().await;
            }
        }
        let reachable = reachability.borrow_and_update().is_none();
        if reachable != serving {
            serving = reachable;
            report_health(&reporter, serving).await;
            match store.unreachable() {
                Some(e) => tracing::warn!(error = %e, "health: NOT_SERVING"),
                None => tracing::info!("health: SERVING"),
            }
        }
    }
}
