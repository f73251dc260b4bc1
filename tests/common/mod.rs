//! Test harness: a real registry on 127.0.0.1:0 with a fresh store, tokens
//! signed by keys made for the test, and gRPC clients.
//!
//! A test written once runs on both backends when it is named in
//! `on_both_backends!`: on a fresh SQLite file, and on a fresh database of a
//! throwaway PostgreSQL cluster that the test binary starts from the
//! PostgreSQL 15 binaries (`creditregistry::pg_cluster`). A test marked
//! `#[tokio::test]` runs on SQLite only: it is about SQLite's files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{Datelike, FixedOffset, Utc};
use tonic::metadata::MetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;

use creditregistry::auth::{DEV_KID, Role, TokenRequest, issue_token};
use creditregistry::config::{Config, KeyAlgorithm, KeyConfig};
use creditregistry::keys::KeyPairFiles;
use creditregistry::proto::google::r#type::Date;
use creditregistry::proto::pb;
use creditregistry::proto::pb::audit_service_client::AuditServiceClient;
use creditregistry::proto::pb::eligibility_service_client::EligibilityServiceClient;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;
use creditregistry::proto::pb::supervision_service_client::SupervisionServiceClient;
use creditregistry::server::Running;

pub const AUTHORITY: &str = "SAMR-310115";
pub const OTHER_AUTHORITY: &str = "SAMR-340600";
/// Real codes that pass both checks.
pub const CODES: [&str; 6] = [
    "91110000600037341L",
    "121200004013590816",
    "91310115MA1K3BTP2B",
    "91340600MA2PBM9HXD",
    "92340602MA2PBMEM24",
    "91230100128025258G",
];

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
static CLUSTER: tokio::sync::OnceCell<creditregistry::pg_cluster::PgCluster> = tokio::sync::OnceCell::const_new();

/// A URL of a fresh database in the test binary's PostgreSQL cluster.
pub async fn fresh_postgres_database() -> String {
    use creditregistry::pg_cluster::{Durability, PgCluster};
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
                    $crate::common::BACKEND.scope($crate::common::Backend::Sqlite, super::$name()).await
                }
            )+
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::common::BACKEND.scope($crate::common::Backend::Postgres, super::$name()).await
                }
            )+
        }
    };
}

/// A registry under test, with its data directory.
pub struct TestRegistry {
    pub dir: tempfile::TempDir,
    pub config: Config,
    pub running: Option<Running>,
    keys: KeyPairFiles,
}

impl TestRegistry {
    /// A fresh registry with development keys and the test RSA key trusted.
    pub async fn start() -> TestRegistry {
        TestRegistry::start_with(|_| {}).await
    }

    /// A fresh registry whose configuration `configure` changes first.
    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> TestRegistry {
        let dir = tempfile::tempdir().expect("temp dir");
        let keys = KeyPairFiles::in_dir(&dir.path().join("keys"));
        keys.ensure().expect("dev keys");
        let mut config =
            Config { listen: "127.0.0.1:0".parse().unwrap(), data_dir: dir.path().to_path_buf(), ..Config::default() };
        config.auth.keys = vec![
            KeyConfig { kid: DEV_KID.into(), algorithm: KeyAlgorithm::EdDSA, public_key_file: keys.public_key_file.clone() },
            KeyConfig { kid: "rsa".into(), algorithm: KeyAlgorithm::RS256, public_key_file: fixture("rs256-test.pub.pem") },
        ];
        if backend() == Backend::Postgres {
            config.database_url = fresh_postgres_database().await;
        }
        configure(&mut config);
        if creditregistry::store::is_shared_url(&config.database_url()) && config.audit.signing_key_file.is_none() {
            // Nodes of a PostgreSQL store serve with the registry's key.
            let key = config.generated_registry_key();
            key.ensure().expect("registry key");
            config.audit.signing_key_file = Some(key.private_key_file);
        }
        let running = creditregistry::server::start(&config).await.expect("server starts");
        TestRegistry { dir, config, running: Some(running), keys }
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
            keys: KeyPairFiles::in_dir(&self.dir.path().join("keys")),
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

    pub fn private_key(&self) -> Vec<u8> {
        std::fs::read(&self.keys.private_key_file).unwrap()
    }

    /// A token for `roles`, signed with the development key.
    pub fn token(&self, subject: &str, roles: &[Role], authority: Option<&str>) -> String {
        issue_token(&self.token_request(subject, roles, authority), &self.private_key()).expect("token")
    }

    pub fn token_request(&self, subject: &str, roles: &[Role], authority: Option<&str>) -> TokenRequest {
        TokenRequest {
            subject: subject.into(),
            roles: roles.to_vec(),
            authority: authority.map(str::to_string),
            organisation: Some("test org".into()),
            issuer: self.config.auth.issuer.clone(),
            audience: self.config.auth.audience.clone(),
            ttl_seconds: 600,
            kid: Some(DEV_KID.into()),
            algorithm: KeyAlgorithm::EdDSA,
        }
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

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub type RecordsClient = RecordsServiceClient<InterceptedService<Channel, Bearer>>;
pub type EligibilityClient = EligibilityServiceClient<InterceptedService<Channel, Bearer>>;
pub type AuditClient = AuditServiceClient<InterceptedService<Channel, Bearer>>;
pub type SupervisionClient = SupervisionServiceClient<InterceptedService<Channel, Bearer>>;

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<tonic::metadata::Ascii>>);

impl Bearer {
    pub fn new(token: &str) -> Bearer {
        Bearer(Some(format!("Bearer {token}").parse().unwrap()))
    }
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

/// Today in UTC+8, the registry's legal time zone.
pub fn today() -> chrono::NaiveDate {
    Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap()).date_naive()
}

pub fn date(d: chrono::NaiveDate) -> Option<Date> {
    Some(Date { year: d.year(), month: d.month() as i32, day: d.day() as i32 })
}

pub fn days_ago(n: i64) -> chrono::NaiveDate {
    today() - chrono::Duration::days(n)
}

pub fn penalty(decision_number: &str, fine_fen: i64) -> pb::Penalty {
    pb::Penalty {
        decision_number: decision_number.into(),
        category: pb::Category::ProductQuality as i32,
        severity: pb::SeverityTier::General as i32,
        legal_basis: "《产品质量法》第四十九条".into(),
        fine_fen,
        sanctions: vec![pb::Sanction::Confiscation as i32],
        decided_on: date(days_ago(30)),
        violation: "生产不符合保障人体健康的国家标准的产品".into(),
    }
}

pub fn penalty_request(request_id: &str, uscc: &str, penalty: pb::Penalty) -> pb::RecordPenaltyRequest {
    pb::RecordPenaltyRequest { request_id: request_id.into(), uscc: uscc.into(), penalty: Some(penalty) }
}

pub fn listing(
    list_type: pb::ListType,
    decision_number: &str,
    listed_on: chrono::NaiveDate,
    planned_end: Option<chrono::NaiveDate>,
) -> pb::Listing {
    pb::Listing {
        list_type: list_type as i32,
        decision_number: decision_number.into(),
        grounds: "grounds".into(),
        abnormal_ground: if list_type == pb::ListType::AbnormalOperations {
            pb::AbnormalGround::AnnualReportNotFiled as i32
        } else {
            0
        },
        listed_on: date(listed_on),
        planned_end: planned_end.and_then(date),
        legal_basis: "basis".into(),
        penalty_record_id: String::new(),
        legal_representative: String::new(),
        article: if list_type == pb::ListType::BiddingDisqualification {
            "招标投标法第五十四条".into()
        } else {
            String::new()
        },
    }
}

/// An amendment (变更) of a penalty on reconsideration, decided on `on`.
pub fn amendment(
    penalty_record_id: &str,
    amended: pb::Penalty,
    on: chrono::NaiveDate,
    number: &str,
) -> pb::CorrectPenaltyRequest {
    pb::CorrectPenaltyRequest {
        request_id: String::new(),
        correction: Some(pb::PenaltyCorrection {
            penalty_record_id: penalty_record_id.into(),
            r#type: pb::CorrectionType::Amendment as i32,
            ground: pb::CorrectionGround::Reconsideration as i32,
            decision_number: number.into(),
            decided_on: date(on),
            amended_penalty: Some(amended),
            reason: "变更".into(),
        }),
    }
}

/// A revocation (撤销) of a penalty on reconsideration, decided `days` ago.
pub fn revocation(penalty_record_id: &str, decision_number: &str, days: i64) -> pb::CorrectPenaltyRequest {
    pb::CorrectPenaltyRequest {
        request_id: String::new(),
        correction: Some(pb::PenaltyCorrection {
            penalty_record_id: penalty_record_id.into(),
            r#type: pb::CorrectionType::Revocation as i32,
            ground: pb::CorrectionGround::Reconsideration as i32,
            decision_number: decision_number.into(),
            decided_on: date(days_ago(days)),
            amended_penalty: None,
            reason: "复议撤销".into(),
        }),
    }
}

/// The profile of an entity as `client`'s caller sees it today.
pub async fn profile(client: &mut RecordsClient, uscc: &str) -> pb::GetProfileResponse {
    client.get_profile(pb::GetProfileRequest { uscc: uscc.into(), ..Default::default() }).await.expect("profile").into_inner()
}

/// The BadRequest field violations of a status, as (field, description).
pub fn violations(status: &Status) -> Vec<(String, String)> {
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| (v.field.clone(), v.description.clone())).collect())
        .unwrap_or_default()
}

/// The ErrorInfo reason of a status.
pub fn reason(status: &Status) -> String {
    status.get_error_details().error_info().map(|i| i.reason.clone()).unwrap_or_default()
}

/// Asserts a status's code and that one field violation names `field` and
/// contains `text`.
#[track_caller]
pub fn assert_violation(status: &Status, field: &str, text: &str) {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let v = violations(status);
    assert!(
        v.iter().any(|(f, d)| f == field && d.contains(text)),
        "expected a violation of {field} containing {text:?}, got {v:?}"
    );
    assert_eq!(reason(status), "INVALID_ARGUMENT");
}

/// Asserts a "not yet allowed on this date" refusal: FAILED_PRECONDITION
/// with `expected_reason` and the first day it is allowed in the
/// ErrorInfo metadata `allowed_from`.
#[track_caller]
pub fn assert_not_yet(status: &Status, expected_reason: &str, allowed_from: chrono::NaiveDate) {
    assert_eq!((status.code(), reason(status).as_str()), (Code::FailedPrecondition, expected_reason), "{status:?}");
    let metadata = status.get_error_details().error_info().map(|i| i.metadata.clone()).unwrap_or_default();
    assert_eq!(metadata.get("allowed_from"), Some(&allowed_from.to_string()), "{status:?}");
    assert!(status.message().contains(&format!("allowed from {allowed_from}")), "{}", status.message());
}

/// CNY in fen.
pub const fn cny(yuan: i64) -> i64 {
    yuan * 100
}

/// A valid code of administrative division `region` (6 digits) numbered `n`.
pub fn code_in(region: &str, n: u32) -> String {
    creditregistry::domain::uscc::Uscc::complete(&format!("91{region}{n:08}")).unwrap().to_string()
}

pub fn months_ago(months: u32) -> chrono::NaiveDate {
    today().checked_sub_months(chrono::Months::new(months)).unwrap()
}

pub async fn record_penalty(w: &mut RecordsClient, uscc: &str, p: pb::Penalty) -> pb::Record {
    w.record_penalty(penalty_request("", uscc, p)).await.unwrap().into_inner().record.unwrap()
}

pub async fn try_listing(w: &mut RecordsClient, uscc: &str, l: pb::Listing) -> Result<pb::Record, Status> {
    w.record_listing(pb::RecordListingRequest { request_id: String::new(), uscc: uscc.into(), listing: Some(l) })
        .await
        .map(|r| r.into_inner().record.unwrap())
}

pub async fn record_listing(w: &mut RecordsClient, uscc: &str, l: pb::Listing) -> pb::Record {
    try_listing(w, uscc, l).await.unwrap()
}

pub async fn decide(c: &mut EligibilityClient, request: pb::CheckEligibilityRequest) -> pb::Decision {
    c.check_eligibility(request).await.unwrap().into_inner().decision.unwrap()
}

pub fn eligibility(d: &pb::Decision) -> pb::Eligibility {
    pb::Eligibility::try_from(d.eligibility).unwrap()
}

pub fn removal(listing_record_id: &str, reason: pb::RemovalReason, removed_on: chrono::NaiveDate) -> pb::RemoveListingRequest {
    pb::RemoveListingRequest {
        request_id: String::new(),
        removal: Some(pb::Removal {
            listing_record_id: listing_record_id.into(),
            reason: reason as i32,
            removed_on: date(removed_on),
            decision_number: "移出〔2026〕1号".into(),
            explanation: "移出决定".into(),
        }),
    }
}

/// Which part of the store SQL is run on: on SQLite two files, on
/// PostgreSQL one database.
#[derive(Clone, Copy)]
pub enum Part {
    Ledger,
    Audit,
}

/// Changes the database behind the registry's back, as someone with
/// access to it could: triggers and foreign keys do not stop them (on
/// PostgreSQL a superuser's `session_replication_role = replica`; the
/// `DROP TRIGGER` statements SQLite needs are not run there).
pub async fn tamper(reg: &TestRegistry, part: Part, sql: &[&str]) {
    use sqlx::Connection;
    let url = reg.config.database_url();
    match backend() {
        Backend::Sqlite => {
            let url = match part {
                Part::Ledger => url,
                Part::Audit => creditregistry::store::audit_url(&url),
            };
            let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut db).await.unwrap();
            for statement in sql {
                sqlx::query(statement).execute(&mut db).await.unwrap();
            }
            db.close().await.unwrap();
        }
        Backend::Postgres => {
            let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query("SET session_replication_role = replica").execute(&mut db).await.unwrap();
            for statement in sql.iter().filter(|s| !s.starts_with("DROP TRIGGER")) {
                sqlx::query(statement).execute(&mut db).await.unwrap();
            }
            db.close().await.unwrap();
        }
    }
}
