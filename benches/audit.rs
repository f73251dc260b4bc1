//! What the audit trail costs, over real gRPC on loopback, in-process.
//!
//! Prints figures, asserts nothing. Each figure is paired with a baseline
//! measured in the same run, because the machines are shared and noisy:
//! - CheckEligibility (decision, signed receipt, check-log entry) against
//!   GetProfile (the same fold from the index, no signature, no log);
//! - an inclusion proof in the first 1,000 records against one in the whole
//!   ledger: proofs read O(log n) tree nodes, so the ratio stays near 1
//!   however large the ledger grows;
//! - VerifyLedger over the whole store, in records per second.
//!
//! Run: `cargo bench --bench audit` (RECORDS=20000 CALLS=12800 CONCURRENCY=64 to change).

mod common;

use std::time::Instant;

use common::{env_usize, rate, token};
use tonic::service::interceptor::InterceptedService;

use creditregistry::auth::Role;
use creditregistry::proto::pb;
use creditregistry::proto::pb::audit_service_client::AuditServiceClient;
use creditregistry::proto::pb::eligibility_service_client::EligibilityServiceClient;
use creditregistry::proto::pb::get_inclusion_proof_request::Leaf;
use creditregistry_testkit::population::code;
use creditregistry_testkit::records::{AUTHORITY, penalty, penalty_request};
use creditregistry_testkit::registry::TestRegistry;
use creditregistry_testkit::tokens::Bearer;

/// Leaves of the small tree the proofs are compared against.
const SMALL_TREE: usize = 1000;

#[tokio::main]
async fn main() {
    let records = env_usize("RECORDS", 20_000).max(SMALL_TREE);
    let calls = env_usize("CALLS", 12_800);
    let concurrency = env_usize("CONCURRENCY", 64);
    let reg = TestRegistry::start().await;
    let reader_token = token(&reg, &[Role::Procurement], None);
    let writer = reg.records(&token(&reg, &[Role::Enforcement], Some(AUTHORITY))).await;
    let written = rate(writer, records, concurrency, |mut client, i| async move {
        let request = penalty_request("", &code(i % 1000).to_string(), penalty(&format!("AUDIT-{i}"), 100_000));
        client.record_penalty(request).await.expect("write");
    })
    .await;
    println!("ledger: {records} penalties over 1,000 entities, written at {written:.0} writes/s");

    let reader = reg.records(&reader_token).await;
    let profile = rate(reader, calls, concurrency, |mut client, i| async move {
        client
            .get_profile(pb::GetProfileRequest { uscc: code(i % 1000).to_string(), ..Default::default() })
            .await
            .expect("profile");
    })
    .await;
    let checker = EligibilityServiceClient::new(InterceptedService::new(reg.channel().await, Bearer::new(&reader_token)));
    let checks = rate(checker, calls, concurrency, |mut client, i| async move {
        let answer = client
            .check_eligibility(pb::CheckEligibilityRequest {
                uscc: code(i % 1000).to_string(),
                domain: pb::MeasureDomain::GovernmentProcurement as i32,
                ..Default::default()
            })
            .await
            .expect("check")
            .into_inner();
        assert!(answer.receipt.is_some());
    })
    .await;
    println!("checks: {calls} calls from {concurrency} concurrent callers");
    println!("  GetProfile (baseline):                      {profile:>9.0} calls/s");
    println!("  CheckEligibility with receipt and log:      {checks:>9.0} calls/s");
    println!("  CheckEligibility / GetProfile:              {:>9.2}x", checks / profile);

    let auditor_token = token(&reg, &[Role::Auditor], None);
    let auditor = AuditServiceClient::new(InterceptedService::new(reg.channel().await, Bearer::new(&auditor_token)));
    let proofs = |tree: usize| {
        rate(auditor.clone(), calls, concurrency, move |mut client, i| async move {
            let proof = client
                .get_inclusion_proof(pb::GetInclusionProofRequest {
                    leaf: Some(Leaf::Sequence((i * 7919 % tree + 1) as i64)),
                    tree_size: tree as i64,
                })
                .await
                .expect("proof")
                .into_inner();
            assert!(!proof.hashes.is_empty());
        })
    };
    let small = proofs(SMALL_TREE).await;
    let large = proofs(records).await;
    println!("inclusion proofs: {calls} calls from {concurrency} concurrent callers");
    println!("  in the first {SMALL_TREE} records (baseline):     {small:>9.0} proofs/s");
    println!("  in all {records} records:                {large:>9.0} proofs/s");
    println!("  all / first {SMALL_TREE}:                         {:>9.2}x", large / small);

    let mut auditor = auditor;
    let started = Instant::now();
    let report = auditor.verify_ledger(pb::VerifyLedgerRequest {}).await.expect("verify").into_inner();
    let seconds = started.elapsed().as_secs_f64();
    assert!(report.ok, "{}", report.divergence);
    println!(
        "verify: {} records, {} checkpoints, {} check-log entries in {seconds:.2} s ({:.0} records/s)",
        report.records_checked,
        report.checkpoints_checked,
        report.check_log_entries_checked,
        report.records_checked as f64 / seconds
    );
    reg.stop().await;
}
