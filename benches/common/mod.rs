//! What the benchmarks share: a registry on 127.0.0.1:0 with a fresh data
//! directory and tokens, codes for a population, and a rate meter.

#![allow(dead_code)]

use std::future::Future;
use std::time::Instant;

use creditregistry::auth::{DEV_KID, Role, TokenRequest, issue_token};
use creditregistry::config::{Config, KeyAlgorithm, KeyConfig};
use creditregistry::domain::uscc::Uscc;
use creditregistry::keys::KeyPairFiles;
use creditregistry::proto::google::r#type::Date;
use creditregistry::proto::pb;
use tonic::transport::Channel;

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn bearer(token: String) -> impl tonic::service::Interceptor + Clone {
    let value: tonic::metadata::MetadataValue<_> = format!("Bearer {token}").parse().unwrap();
    move |mut r: tonic::Request<()>| {
        r.metadata_mut().insert("authorization", value.clone());
        Ok(r)
    }
}

/// A code for entity `i` of the benchmark's population.
pub fn code(i: usize) -> String {
    Uscc::complete(&format!("913101{:02}MA{:06}", i % 100, i)).unwrap().to_string()
}

/// A general product-quality penalty numbered `number`.
pub fn penalty(number: String) -> pb::Penalty {
    pb::Penalty {
        decision_number: number,
        category: pb::Category::ProductQuality as i32,
        severity: pb::SeverityTier::General as i32,
        legal_basis: "《产品质量法》第四十九条".into(),
        fine_fen: 100_000,
        sanctions: vec![],
        decided_on: Some(Date { year: 2025, month: 6, day: 1 }),
        violation: String::new(),
    }
}

pub struct Setup {
    _dir: tempfile::TempDir,
    pub running: creditregistry::server::Running,
    pub enforcement: String,
    pub reader: String,
    pub auditor: String,
}

pub async fn start(max_batch: usize) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyPairFiles::in_dir(&dir.path().join("keys"));
    keys.ensure().unwrap();
    let mut config = Config { listen: "127.0.0.1:0".parse().unwrap(), data_dir: dir.path().to_path_buf(), ..Config::default() };
    config.writer.max_batch = max_batch;
    config.auth.keys =
        vec![KeyConfig { kid: DEV_KID.into(), algorithm: KeyAlgorithm::EdDSA, public_key_file: keys.public_key_file.clone() }];
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
    let auditor = token(vec![Role::Auditor], None);
    let running = creditregistry::server::start(&config).await.unwrap();
    Setup { _dir: dir, running, enforcement, reader, auditor }
}

pub async fn channel(setup: &Setup) -> Channel {
    Channel::from_shared(format!("http://{}", setup.running.addr)).unwrap().connect().await.unwrap()
}

/// Makes `total` calls `call(client, i)` from `concurrency` tasks, each with
/// its own clone of `client`; returns calls per second.
pub async fn rate<C, F, Fut>(client: C, total: usize, concurrency: usize, call: F) -> f64
where
    C: Clone + Send + 'static,
    F: Fn(C, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let client = client.clone();
            let call = call.clone();
            tokio::spawn(async move {
                for i in (t..total).step_by(concurrency) {
                    call(client.clone(), i).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}
