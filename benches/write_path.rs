//! Write and read throughput over real gRPC on loopback, in-process.
//!
//! Prints figures, asserts nothing. Each figure is paired with a baseline
//! measured in the same run, because the machines are shared and noisy:
//! - group commit (max_batch 256) against one record per transaction;
//! - GetProfile (served from the index) against a health check (no work).
//!
//! Run: `cargo bench --bench write_path` (WRITES=3200 CONCURRENCY=64 to change).

use std::time::Instant;

use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use creditregistry::auth::{DEV_KID, DevKeyPair, Role, TokenRequest, issue_token};
use creditregistry::config::{Config, KeyAlgorithm, KeyConfig};
use creditregistry::domain::uscc::Uscc;
use creditregistry::proto::google::r#type::Date;
use creditregistry::proto::pb;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn bearer(token: String) -> impl tonic::service::Interceptor + Clone {
    let value: tonic::metadata::MetadataValue<_> = format!("Bearer {token}").parse().unwrap();
    move |mut r: tonic::Request<()>| {
        r.metadata_mut().insert("authorization", value.clone());
        Ok(r)
    }
}

/// A code for entity `i` of the benchmark's population.
fn code(i: usize) -> String {
    Uscc::complete(&format!("913101{:02}MA{:06}", i % 100, i)).unwrap().to_string()
}

struct Setup {
    _dir: tempfile::TempDir,
    running: creditregistry::server::Running,
    enforcement: String,
    reader: String,
}

async fn start(max_batch: usize) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let keys = DevKeyPair::in_dir(&dir.path().join("keys"));
    keys.ensure().unwrap();
    let mut config = Config::default();
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.data_dir = dir.path().to_path_buf();
    config.writer.max_batch = max_batch;
    config.auth.keys = vec![KeyConfig {
        kid: DEV_KID.into(),
        algorithm: KeyAlgorithm::EdDSA,
        public_key_file: keys.public_key_file.clone(),
    }];
    let pem = std::fs::read(&keys.private_key_file).unwrap();
    let token = |roles: Vec<Role>, authority: Option<&str>| {
        issue_token(
            &TokenRequest {
                subject: "bench".into(),
                roles,
                authority: authority.map(str::to_string),
                organisation: None,
                issuer: config.auth.issuer.clone(),
                audience: config.auth.audience.clone(),
                ttl_seconds: 3600,
                kid: Some(DEV_KID.into()),
                algorithm: KeyAlgorithm::EdDSA,
            },
            &pem,
        )
        .unwrap()
    };
    let enforcement = token(vec![Role::Enforcement], Some("SAMR-310115"));
    let reader = token(vec![Role::Procurement], None);
    let running = creditregistry::server::start(&config).await.unwrap();
    Setup { _dir: dir, running, enforcement, reader }
}

async fn channel(setup: &Setup) -> Channel {
    Channel::from_shared(format!("http://{}", setup.running.addr)).unwrap().connect().await.unwrap()
}

/// Writes `total` penalties from `concurrency` tasks; returns writes per second.
async fn write_rate(max_batch: usize, total: usize, concurrency: usize) -> f64 {
    let setup = start(max_batch).await;
    let client = RecordsServiceClient::new(InterceptedService::new(channel(&setup).await, bearer(setup.enforcement.clone())));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let mut client = client.clone();
            tokio::spawn(async move {
                for i in (t..total).step_by(concurrency) {
                    client
                        .record_penalty(pb::RecordPenaltyRequest {
                            request_id: format!("bench-{i}"),
                            uscc: code(i),
                            penalty: Some(pb::Penalty {
                                decision_number: format!("BENCH-{i}"),
                                category: pb::Category::ProductQuality as i32,
                                severity: pb::SeverityTier::General as i32,
                                legal_basis: "《产品质量法》第四十九条".into(),
                                fine_fen: 100_000,
                                sanctions: vec![],
                                decided_on: Some(Date { year: 2025, month: 6, day: 1 }),
                                violation: String::new(),
                            }),
                        })
                        .await
                        .expect("write");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    setup.running.stop().await.unwrap();
    rate
}

/// Reads per second of GetProfile and of a health check, same connection count.
async fn read_rates(total: usize, concurrency: usize) -> (f64, f64) {
    let setup = start(256).await;
    let mut writer = RecordsServiceClient::new(InterceptedService::new(channel(&setup).await, bearer(setup.enforcement.clone())));
    for i in 0..100 {
        writer
            .record_penalty(pb::RecordPenaltyRequest {
                request_id: String::new(),
                uscc: code(i % 10),
                penalty: Some(pb::Penalty {
                    decision_number: format!("READ-{i}"),
                    category: pb::Category::FoodSafety as i32,
                    severity: pb::SeverityTier::Minor as i32,
                    legal_basis: "《食品安全法》第一百二十四条".into(),
                    fine_fen: 5_000,
                    sanctions: vec![],
                    decided_on: Some(Date { year: 2025, month: 6, day: 1 }),
                    violation: String::new(),
                }),
            })
            .await
            .unwrap();
    }
    let records = RecordsServiceClient::new(InterceptedService::new(channel(&setup).await, bearer(setup.reader.clone())));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let mut client = records.clone();
            tokio::spawn(async move {
                for i in (t..total).step_by(concurrency) {
                    client
                        .get_profile(pb::GetProfileRequest { uscc: code(i % 10), ..Default::default() })
                        .await
                        .expect("profile");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let profile_rate = total as f64 / started.elapsed().as_secs_f64();

    let health = tonic_health::pb::health_client::HealthClient::new(channel(&setup).await);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let mut client = health.clone();
            tokio::spawn(async move {
                for _ in (t..total).step_by(concurrency) {
                    client.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await.expect("health");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let health_rate = total as f64 / started.elapsed().as_secs_f64();
    setup.running.stop().await.unwrap();
    (profile_rate, health_rate)
}

#[tokio::main]
async fn main() {
    let total = env_usize("WRITES", 3200);
    let concurrency = env_usize("CONCURRENCY", 64);
    println!("write path: {total} penalties from {concurrency} concurrent callers, SQLite WAL synchronous=FULL");
    let single = write_rate(1, total, concurrency).await;
    let grouped = write_rate(256, total, concurrency).await;
    println!("  one record per transaction (baseline): {single:>9.0} writes/s");
    println!("  group commit, max_batch 256:           {grouped:>9.0} writes/s");
    println!("  group commit / baseline:               {:>9.2}x", grouped / single);

    let reads = total * 4;
    let (profile, health) = read_rates(reads, concurrency).await;
    println!("read path: {reads} calls from {concurrency} concurrent callers, 10 entities x 10 records");
    println!("  health check (baseline):               {health:>9.0} calls/s");
    println!("  GetProfile from the index:             {profile:>9.0} calls/s");
    println!("  GetProfile / health check:             {:>9.2}x", profile / health);
}
