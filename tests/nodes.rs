//! Several server nodes on one PostgreSQL database, as behind a load
//! balancer: each reads what the others write, they write at once without
//! losing, doubling or reordering a record, and they keep one Merkle tree.

mod common;

use std::time::{Duration, Instant};

use common::*;
use creditregistry::auth::Role;
use creditregistry::proto::pb;

const GP: i32 = pb::MeasureDomain::GovernmentProcurement as i32;

/// Runs `test` with PostgreSQL as its registries' store.
async fn on_postgres<F: std::future::Future<Output = ()>>(test: F) {
    BACKEND.scope(Backend::Postgres, test).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_node_is_read_on_the_other() {
    on_postgres(async {
        let a = TestRegistry::start().await;
        let b = a.another_node().await;
        let mut writer = a.enforcement().await;
        let mut buyer = b.eligibility("platform-1", &[Role::Procurement]).await;
        let mut delays = Vec::new();
        for n in 0..40 {
            let uscc = code_in("310115", n);
            let listing = listing(pb::ListType::ProcurementDebarment, &format!("D-{n}"), days_ago(1), Some(days_ago(-400)));
            let written = try_listing(&mut writer, &uscc, listing).await.unwrap();
            let acknowledged = Instant::now();
            // With the write's sequence, the other node answers as of it.
            let decision = decide(
                &mut buyer,
                pb::CheckEligibilityRequest { uscc: uscc.clone(), domain: GP, min_sequence: written.sequence, ..Default::default() },
            )
            .await;
            assert_eq!(eligibility(&decision), pb::Eligibility::Ineligible, "the debarment written on the first node");
            delays.push(acknowledged.elapsed());
        }
        // Without it, the other node still follows within a bounded delay.
        let written = record_penalty(&mut writer, &code_in("310115", 99), penalty("P-99", 100_000)).await;
        let acknowledged = Instant::now();
        let mut records = b.procurement().await;
        loop {
            let seen = records
                .get_profile(pb::GetProfileRequest { uscc: code_in("310115", 99), ..Default::default() })
                .await
                .unwrap()
                .into_inner();
            if seen.total_records == 1 {
                break;
            }
            assert!(acknowledged.elapsed() < Duration::from_secs(5), "the second node never saw record {}", written.sequence);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        delays.sort();
        println!(
            "index catch-up between nodes after an acknowledged write: p50 {:.1} ms, p99 {:.1} ms (min_sequence, {} writes); {:.1} ms without it",
            delays[delays.len() / 2].as_secs_f64() * 1e3,
            delays[delays.len() * 99 / 100].as_secs_f64() * 1e3,
            delays.len(),
            acknowledged.elapsed().as_secs_f64() * 1e3,
        );
        b.stop().await;
        a.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_writing_at_once_lose_nothing_and_keep_one_tree() {
    on_postgres(async {
        let a = TestRegistry::start().await;
        let b = a.another_node().await;
        const CALLERS: u32 = 8;
        const EACH: u32 = 150;
        let mut writes = tokio::task::JoinSet::new();
        for (node, reg) in [&a, &b].into_iter().enumerate() {
            for caller in 0..CALLERS {
                let mut w = reg.enforcement().await;
                writes.spawn(async move {
                    let mut sequences = Vec::new();
                    for n in 0..EACH {
                        let uscc = code_in("440800", caller * EACH + n);
                        let id = format!("node{node}-caller{caller}-{n}");
                        let p = penalty(&format!("N{node}-{caller}-{n}"), 100_000);
                        let written = w.record_penalty(penalty_request(&id, &uscc, p)).await.unwrap().into_inner();
                        assert!(!written.idempotent_replay);
                        sequences.push(written.record.unwrap().sequence);
                    }
                    sequences
                });
            }
        }
        // Both nodes log checks at once, into one hash-chained check log.
        let mut checks = tokio::task::JoinSet::new();
        for reg in [&a, &b] {
            let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
            checks.spawn(async move {
                for n in 0..200 {
                    let request = pb::CheckEligibilityRequest { uscc: code_in("440800", n), domain: GP, ..Default::default() };
                    buyer.check_eligibility(request).await.unwrap();
                }
            });
        }
        let mut sequences = Vec::new();
        while let Some(done) = writes.join_next().await {
            sequences.extend(done.unwrap());
        }
        while let Some(done) = checks.join_next().await {
            done.unwrap();
        }
        let total = 2 * CALLERS * EACH;
        sequences.sort_unstable();
        assert_eq!(sequences, (1..=i64::from(total)).collect::<Vec<_>>(), "every acknowledged write has its own sequence, none missing");

        // A repeat sent to the other node is the original record.
        let mut w = b.enforcement().await;
        let again = w
            .record_penalty(penalty_request("node0-caller0-0", &code_in("440800", 0), penalty("N0-0-0", 100_000)))
            .await
            .unwrap()
            .into_inner();
        assert!(again.idempotent_replay, "the request id written on the other node is found");

        // Both nodes sign the same tree, and each verifies the whole store.
        let mut roots = Vec::new();
        for reg in [&a, &b] {
            let mut auditor = reg.audit("auditor-1", &[Role::Auditor]).await;
            let mut records = reg.procurement().await;
            let seen = records
                .get_profile(pb::GetProfileRequest {
                    uscc: code_in("440800", 0),
                    min_sequence: i64::from(total),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            assert_eq!(seen.total_records, 2, "one record of each node for this code");
            let signed = auditor
                .create_checkpoint(pb::CreateCheckpointRequest::default())
                .await
                .unwrap()
                .into_inner()
                .checkpoint
                .unwrap();
            let checkpoint = <pb::Checkpoint as prost::Message>::decode(signed.checkpoint.as_slice()).unwrap();
            assert_eq!(checkpoint.tree_size, i64::from(total));
            roots.push(checkpoint.root_hash);
            let verified = auditor.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
            assert!(verified.ok, "{verified:?}");
            assert_eq!(verified.records_checked, i64::from(total));
            assert!(verified.check_log_entries_checked >= 400, "{verified:?}");
        }
        assert_eq!(roots[0], roots[1], "one Merkle tree");
        b.stop().await;
        a.stop().await;
    })
    .await;
}

/// An auditor's "as known at" answer on one node counts what another node
/// had committed by then, without `min_sequence`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_known_at_on_one_node_counts_what_the_other_had_committed() {
    on_postgres(async {
        let a = TestRegistry::start().await;
        let b = a.another_node().await;
        let mut writer = a.enforcement().await;
        let mut auditor = b.eligibility("auditor-1", &[Role::Auditor]).await;
        for n in 0..20 {
            let uscc = code_in("310116", n);
            let listing = listing(pb::ListType::ProcurementDebarment, &format!("K-{n}"), days_ago(1), Some(days_ago(-400)));
            try_listing(&mut writer, &uscc, listing).await.unwrap();
            let known_at = prost_types::Timestamp::from(std::time::SystemTime::now());
            let decision = decide(
                &mut auditor,
                pb::CheckEligibilityRequest {
                    uscc,
                    domain: GP,
                    known_at: Some(prost_types::Timestamp { seconds: known_at.seconds, nanos: known_at.nanos }),
                    ..Default::default()
                },
            )
            .await;
            assert_eq!(eligibility(&decision), pb::Eligibility::Ineligible, "write {n}, acknowledged before known_at");
        }
        b.stop().await;
        a.stop().await;
    })
    .await;
}

/// Two nodes logging checks at once both seal segments at every
/// checkpoint: the segments they store follow one another without a gap
/// or an overlap, one chain of heads, and the store verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_sealing_at_once_keep_one_chain_of_segments() {
    on_postgres(async {
        let a = TestRegistry::start_with(|c| {
            c.audit.segment_hours = 0;
            c.audit.checkpoint_interval_secs = 1;
        })
        .await;
        let b = a.another_node().await;
        let mut checks = tokio::task::JoinSet::new();
        for reg in [&a, &b] {
            let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
            checks.spawn(async move {
                let until = Instant::now() + Duration::from_secs(4);
                while Instant::now() < until {
                    let request = pb::CheckEligibilityRequest { uscc: CODES[0].into(), domain: GP, ..Default::default() };
                    buyer.check_eligibility(request).await.unwrap();
                }
            });
        }
        checks.join_all().await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let store = creditregistry::store::Store::open_existing(&a.config.database_url(), &Default::default()).await.unwrap();
        let segments = store.segments().await.unwrap();
        store.close().await;
        assert!(segments.len() >= 2, "both nodes sealed: {} segments", segments.len());
        for (i, s) in segments.iter().enumerate() {
            assert_eq!(s.number, i as u64 + 1);
            let after = if i == 0 { 0 } else { segments[i - 1].last_sequence };
            assert_eq!(s.first_sequence, after + 1, "segment {} follows the one before", s.number);
        }
        let mut auditor = a.audit("auditor-1", &[Role::Auditor]).await;
        let verified = auditor.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
        assert!(verified.ok, "{verified:?}");
        b.stop().await;
        a.stop().await;
    })
    .await;
}
