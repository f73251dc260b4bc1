//! A real registry on 127.0.0.1:0 with a fresh data directory, tokens
//! signed by its development key, and gRPC clients.
//!
//! A test written once runs on both backends when it is named in
//! `on_both_backends!`: on a fresh SQLite file, and on a fresh database of a
//! throwaway PostgreSQL cluster that the test binary starts from the
//! PostgreSQL 15 binaries (`pg_cluster`). A test marked `#[tokio::test]`
//! runs on SQLite only: it is about SQLite's files.

use std::path::{Path, PathBuf};

use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use creditregistry::auth::{Role, TokenRequest};
use creditregistry::config::{Config, KeyAlgorithm, KeyConfig};
use creditregistry::proto::pb::audit_service_client::AuditServiceClient;
use creditregistry::proto::pb::eligibility_service_client::EligibilityServiceClient;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;
use creditregistry::proto::pb::supervision_service_client::SupervisionServiceClient;
use creditregistry::server::Running;

use crate::pg_cluster::{Durability, PgCluster};
use crate::records::AUTHORITY;
use crate::tokens::{Bearer, TokenKey};

/// Which store a test's registries use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    /// The backend of the test running on this task (SQLite when unset).
    pub static BACKEND: Backend;
}

/// The backend of the running test.
pub fn backend() -> Backend {
    BACKEND.try_with(|b| *b).unwrap_or(Backend::Sqlite)
}

/// One throwaway PostgreSQL cluster per test binary, started on first use.
static CLUSTER: tokio::sync::OnceCell<PgCluster> = tokio::sync::OnceCell::const_new();

/// A URL of a fresh database in the test binary's PostgreSQL cluster.
pub async fn fresh_postgres_database() -> String {
    let cluster =
        CLUSTER.get_or_init(|| async { PgCluster::start(Durability::Off).expect("a throwaway PostgreSQL cluster") }).await;
    cluster.database(&format!("test_{}", uuid::Uuid::now_v7().simple())).await.expect("a fresh database")
}

/// Runs each named `async fn()` as two tests, `on_sqlite::NAME` and
/// `on_postgres::NAME`, each on a fresh store of its backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::registry::BACKEND.scope($crate::registry::Backend::Sqlite, super::$name()).await
                }
            )+
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::registry::BACKEND.scope($crate::registry::Backend::Postgres, super::$name()).await
                }
            )+
        }
    };
}

/// Starts the registry `config` describes, in this process. Nodes of a
/// PostgreSQL store serve with the registry's key: when none is
/// configured, the one kept in the data directory, made there once.
pub async fn start(config: &mut Config) -> Result<Running, String> {
    if creditregistry::store::is_shared_url(&config.database_url()) && config.audit.signing_key_file.is_none() {
        let key = config.generated_registry_key();
        key.ensure()?;
        config.audit.signing_key_file = Some(key.private_key_file);
    }
    creditregistry::server::start(config).await
}

/// A test fixture file, by name.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// A registry under test, with its data directory.
pub struct TestRegistry {
    pub dir: tempfile::TempDir,
    pub config: Config,
    pub running: Option<Running>,
    key: TokenKey,
}

impl TestRegistry {
    /// A fresh registry with development keys and the test RSA key trusted.
    pub async fn start() -> TestRegistry {
        TestRegistry::start_with(|_| {}).await
    }

    /// A fresh registry whose configuration `configure` changes first.
    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> TestRegistry {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config =
            Config { listen: "127.0.0.1:0".parse().unwrap(), data_dir: dir.path().to_path_buf(), ..Config::default() };
        // Plain text on 127.0.0.1, as `serve --dev` serves; a test configures TLS to test it.
        config.tls.plaintext = true;
        let key = TokenKey::of(&config).expect("dev keys");
        key.trust(&mut config);
        config.auth.keys.push(KeyConfig {
            kid: "rsa".into(),
            algorithm: KeyAlgorithm::RS256,
            public_key_file: fixture("rs256-test.pub.pem"),
        });
        config.policy.authority_directory = Some(fixture("authorities.toml"));
        if backend() == Backend::Postgres {
            config.database_url = fresh_postgres_database().await;
        }
        configure(&mut config);
        let running = start(&mut config).await.expect("server starts");
        TestRegistry { dir, config, running: Some(running), key }
    }

    /// A second server node on the same store and keys (PostgreSQL, which
    /// several nodes serve), on its own port. It must stop before this one.
    pub async fn another_node(&self) -> TestRegistry {
        let config = Config { listen: "127.0.0.1:0".parse().unwrap(), ..self.config.clone() };
        let running = creditregistry::server::start(&config).await.expect("another node starts");
        TestRegistry {
            dir: tempfile::tempdir().expect("temp dir"),
            config,
            running: Some(running),
            key: TokenKey::of(&self.config).expect("dev keys"),
        }
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.running.as_ref().expect("running").addr
    }

    /// Stops the server and starts it again on the same database.
    pub async fn restart(&mut self) {
        self.running.take().expect("running").stop().await.expect("clean stop");
        self.running = Some(creditregistry::server::start(&self.config).await.expect("server restarts"));
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await.expect("clean stop");
        }
    }

    /// The development key's private key, PKCS#8 PEM.
    pub fn private_key(&self) -> Vec<u8> {
        self.key.private_key()
    }

    /// A token for `roles`, signed with the development key.
    pub fn token(&self, subject: &str, roles: &[Role], authority: Option<&str>) -> String {
        self.key.sign(&self.token_request(subject, roles, authority)).expect("token")
    }

    /// `request` signed with the development key.
    pub fn sign(&self, request: &TokenRequest) -> String {
        self.key.sign(request).expect("token")
    }

    pub fn token_request(&self, subject: &str, roles: &[Role], authority: Option<&str>) -> TokenRequest {
        self.key.request(&self.config, subject, roles, authority)
    }

    pub fn enforcement_token(&self) -> String {
        self.token("officer-1", &[Role::Enforcement], Some(AUTHORITY))
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr())).unwrap().connect().await.expect("connect")
    }

    pub async fn records(&self, token: &str) -> RecordsClient {
        RecordsServiceClient::new(InterceptedService::new(self.channel().await, Bearer::new(token)))
    }

    pub async fn enforcement(&self) -> RecordsClient {
        self.records(&self.enforcement_token()).await
    }

    pub async fn procurement(&self) -> RecordsClient {
        self.records(&self.token("platform-1", &[Role::Procurement], None)).await
    }

    pub async fn eligibility(&self, subject: &str, roles: &[Role]) -> EligibilityClient {
        EligibilityServiceClient::new(InterceptedService::new(
            self.channel().await,
            Bearer::new(&self.token(subject, roles, None)),
        ))
    }

    pub async fn supervision(&self, subject: &str, roles: &[Role]) -> SupervisionClient {
        SupervisionServiceClient::new(InterceptedService::new(
            self.channel().await,
            Bearer::new(&self.token(subject, roles, None)),
        ))
    }

    pub async fn audit(&self, subject: &str, roles: &[Role]) -> AuditClient {
        AuditServiceClient::new(InterceptedService::new(self.channel().await, Bearer::new(&self.token(subject, roles, None))))
    }

    pub async fn auditor(&self) -> RecordsClient {
        self.records(&self.token("auditor-1", &[Role::Auditor], None)).await
    }
}

pub type RecordsClient = RecordsServiceClient<InterceptedService<Channel, Bearer>>;
pub type EligibilityClient = EligibilityServiceClient<InterceptedService<Channel, Bearer>>;
pub type AuditClient = AuditServiceClient<InterceptedService<Channel, Bearer>>;
pub type SupervisionClient = SupervisionServiceClient<InterceptedService<Channel, Bearer>>;
