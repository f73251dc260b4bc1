//! TLS on the gRPC port over real connections: a TLS client served, a
//! client trusting another CA or a plain-text client refused, an expired
//! certificate refused, mutual TLS with and without a client certificate
//! and with another organisation's token, certificates reloaded when their
//! files change.

use std::path::Path;
use std::time::{Duration, Instant};

use creditregistry::auth::Role;
use creditregistry::config::Config;
use creditregistry::proto::pb;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;
use creditregistry_testkit::registry::TestRegistry;
use creditregistry_testkit::tls::{Ca, Issued, Validity};
use creditregistry_testkit::tokens::Bearer;
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

/// Serves TLS with `server` (written to the registry's data directory).
fn serve_tls(config: &mut Config, dir: &Path, server: &Issued) {
    let (cert, key) = server.write(dir, "server");
    config.tls.cert = Some(cert);
    config.tls.key = Some(key);
    config.tls.plaintext = false;
}

/// A TLS channel to `reg` trusting `ca`, presenting `client` if given.
async fn connect(reg: &TestRegistry, ca: &Ca, client: Option<&Issued>) -> Result<Channel, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&ca.pem)).domain_name("localhost");
    if let Some(client) = client {
        tls = tls.identity(Identity::from_pem(&client.cert_pem, &client.key_pem));
    }
    Channel::from_shared(format!("https://{}", reg.addr())).unwrap().tls_config(tls)?.connect().await
}

/// Whether a search answers over `channel` with `token` (the code of the
/// refusal otherwise).
async fn search(channel: Channel, token: &str) -> Result<(), tonic::Status> {
    let mut client = RecordsServiceClient::new(InterceptedService::new(channel, Bearer::new(token)));
    client.search_entities(pb::SearchEntitiesRequest { query: "华腾科技".into(), limit: 1 }).await.map(|_| ())
}

/// A token of `organisation`'s procurement platform.
fn platform_token(reg: &TestRegistry, organisation: &str) -> String {
    let mut request = reg.token_request("platform", &[Role::Procurement], None);
    request.organisation = Some(organisation.into());
    reg.sign(&request)
}

#[tokio::test]
async fn a_tls_client_is_served_and_one_trusting_another_ca_or_speaking_plain_text_is_refused() {
    let (ca, other) = (Ca::new("Registry CA"), Ca::new("Another CA"));
    let server = ca.server(Validity::Current);
    let dir = tempfile::tempdir().unwrap();
    let reg = TestRegistry::start_with(|config| serve_tls(config, dir.path(), &server)).await;

    let channel = connect(&reg, &ca, None).await.expect("a TLS client connects");
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    health.check(tonic_health::pb::HealthCheckRequest::default()).await.expect("health over TLS");
    search(channel, &platform_token(&reg, "Platform A")).await.expect("a call over TLS");

    assert!(connect(&reg, &other, None).await.is_err(), "a client trusting another CA is refused");
    let plain = Channel::from_shared(format!("http://{}", reg.addr())).unwrap().connect().await;
    let answered = match plain {
        Ok(channel) => tonic_health::pb::health_client::HealthClient::new(channel)
            .check(tonic_health::pb::HealthCheckRequest::default())
            .await
            .is_ok(),
        Err(_) => false,
    };
    assert!(!answered, "plain text is not answered on a TLS port");
    reg.stop().await;
}

#[tokio::test]
async fn an_expired_server_certificate_is_refused_by_the_client() {
    let ca = Ca::new("Registry CA");
    let server = ca.server(Validity::Expired);
    let dir = tempfile::tempdir().unwrap();
    let reg = TestRegistry::start_with(|config| serve_tls(config, dir.path(), &server)).await;
    assert!(connect(&reg, &ca, None).await.is_err());
    reg.stop().await;
}

#[tokio::test]
async fn mutual_tls_needs_a_current_client_certificate_of_the_token_s_organisation() {
    let (ca, clients) = (Ca::new("Registry CA"), Ca::new("Platforms CA"));
    let server = ca.server(Validity::Current);
    let dir = tempfile::tempdir().unwrap();
    let clients_file = clients.write(dir.path(), "clients");
    let reg = TestRegistry::start_with(|config| {
        serve_tls(config, dir.path(), &server);
        config.tls.client_ca = Some(clients_file.clone());
    })
    .await;
    let token_a = platform_token(&reg, "Platform A");
    let a = clients.client("Platform A", "platform-a", Validity::Current);

    // With its certificate and its own organisation's token: served.
    search(connect(&reg, &ca, Some(&a)).await.unwrap(), &token_a).await.expect("served");

    // Without a certificate, or with an expired one, or one another CA issued: no connection.
    for client in [
        None,
        Some(&clients.client("Platform A", "a", Validity::Expired)),
        Some(&ca.client("Platform A", "a", Validity::Current)),
    ] {
        let refused = match connect(&reg, &ca, client).await {
            Err(_) => true,
            Ok(channel) => search(channel, &token_a).await.is_err(),
        };
        assert!(refused, "a client without a current certificate from the client CA is refused");
    }

    // Another platform's token over platform A's certificate.
    let status = search(connect(&reg, &ca, Some(&a)).await.unwrap(), &platform_token(&reg, "Platform B")).await.unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    assert!(status.message().contains("Platform A") && status.message().contains("Platform B"), "{status:?}");
    reg.stop().await;
}

#[tokio::test]
async fn certificates_are_reloaded_when_their_files_change() {
    let (first, second) = (Ca::new("First CA"), Ca::new("Second CA"));
    let dir = tempfile::tempdir().unwrap();
    let reg = TestRegistry::start_with(|config| serve_tls(config, dir.path(), &first.server(Validity::Current))).await;
    assert!(connect(&reg, &second, None).await.is_err(), "not yet the second CA's certificate");

    second.server(Validity::Current).write(dir.path(), "server");
    let started = Instant::now();
    while connect(&reg, &second, None).await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "the new certificate is served within 20 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(connect(&reg, &first, None).await.is_err(), "the old certificate is no longer served");
    reg.stop().await;
}
