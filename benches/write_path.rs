//! Write and read throughput over real gRPC on loopback, in-process.
//!
//! Prints figures, asserts nothing. Each figure is paired with a baseline
//! measured in the same run, because the machines are shared and noisy:
//! - group commit (max_batch 256) against one record per transaction;
//! - GetProfile (served from the index) against a health check (no work).
//!
//! Run: `cargo bench --bench write_path` (WRITES=3200 CONCURRENCY=64 to change).

mod common;

use common::{bearer, channel, code, env_usize, penalty, rate, start};
use tonic::service::interceptor::InterceptedService;

use creditregistry::proto::pb;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;

/// Writes `total` penalties from `concurrency` tasks; returns writes per second.
async fn write_rate(max_batch: usize, total: usize, concurrency: usize) -> f64 {
    let setup = start(max_batch).await;
    let client = RecordsServiceClient::new(InterceptedService::new(channel(&setup).await, bearer(setup.enforcement.clone())));
    let rate = rate(client, total, concurrency, |mut client, i| async move {
        client
            .record_penalty(pb::RecordPenaltyRequest {
                request_id: format!("bench-{i}"),
                uscc: code(i),
                penalty: Some(penalty(format!("BENCH-{i}"))),
            })
            .await
            .expect("write");
    })
    .await;
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
                penalty: Some(penalty(format!("READ-{i}"))),
            })
            .await
            .unwrap();
    }
    let records = RecordsServiceClient::new(InterceptedService::new(channel(&setup).await, bearer(setup.reader.clone())));
    let profile_rate = rate(records, total, concurrency, |mut client, i| async move {
        client.get_profile(pb::GetProfileRequest { uscc: code(i % 10), ..Default::default() }).await.expect("profile");
    })
    .await;
    let health = tonic_health::pb::health_client::HealthClient::new(channel(&setup).await);
    let health_rate = rate(health, total, concurrency, |mut client, _| async move {
        client.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await.expect("health");
    })
    .await;
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
