//! Several server nodes on one PostgreSQL database, as behind a load
//! balancer: each reads what the others write, they write at once without
//! losing, doubling or reordering a record, and they keep one Merkle tree.

mod common;

use std::time::{Duration, Instant};

use common::*;
use creditregistry::auth::Role;
use creditregistry::proto::pb;
use creditregistry::store::AuditStore;

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
        assert_eq!(
            sequences,
            (1..=i64::from(total)).collect::<Vec<_>>(),
            "every acknowledged write has its own sequence, none missing"
        );

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
            let signed =
                auditor.create_checkpoint(pb::CreateCheckpointRequest::default()).await.unwrap().into_inner().checkpoint.unwrap();
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
        let segments = store.audit().segments().await.unwrap();
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

/// A node whose signing key is not the registry's refuses to start, naming
/// both key ids, and a node without the registry's key (`serve --dev`
/// against PostgreSQL) never makes one of its own: every checkpoint the
/// store holds is signed with the registry's key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_without_the_registry_key_refuses_to_start() {
    on_postgres(async {
        let a = TestRegistry::start().await;
        let b = a.another_node().await;
        let registry =
            creditregistry::ledger::signing::RegistryKey::from_pem_file(a.config.audit.signing_key_file.as_ref().unwrap())
                .unwrap()
                .public()
                .key_id
                .clone();

        let third = tempfile::tempdir().unwrap();
        let own = creditregistry::keys::KeyPairFiles::named(third.path(), "own");
        own.ensure().unwrap();
        let mut config = creditregistry::config::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: third.path().to_path_buf(),
            ..a.config.clone()
        };
        config.audit.signing_key_file = Some(own.private_key_file.clone());
        let own_id =
            creditregistry::ledger::signing::RegistryKey::from_pem_file(&own.private_key_file).unwrap().public().key_id.clone();
        let err = creditregistry::server::start(&config).await.err().expect("a node with another key is refused");
        assert!(err.contains(&own_id) && err.contains(&registry), "names both key ids: {err}");

        // As `serve --dev` configures it: no signing key, a data directory of its own.
        config.audit.signing_key_file = None;
        let err = creditregistry::server::start(&config).await.err().expect("a node without the registry's key is refused");
        assert!(err.contains("CREDITREGISTRY_SIGNING_KEY"), "{err}");
        assert!(!config.generated_registry_key().private_key_file.exists(), "no key of its own is made");

        let mut auditor = b.audit("auditor-1", &[Role::Auditor]).await;
        auditor.create_checkpoint(pb::CreateCheckpointRequest::default()).await.unwrap();
        let store = creditregistry::store::Store::open_existing(&a.config.database_url(), &Default::default()).await.unwrap();
        let keys = store.audit().registry_keys().await.unwrap();
        let checkpoints = store.audit().checkpoint_page(0, 100).await.unwrap();
        store.close().await;
        assert_eq!(keys.iter().map(|k| (k.key_id.as_str(), k.retired_at)).collect::<Vec<_>>(), [(registry.as_str(), None)]);
        assert!(!checkpoints.is_empty() && checkpoints.iter().all(|(_, c)| c.key_id == registry), "{checkpoints:?}");
        let verified = auditor.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
        assert!(verified.ok, "{verified:?}");
        b.stop().await;
        a.stop().await;
    })
    .await;
}

/// A read naming a sequence another node has not written yet waits for it
/// as long as the caller's deadline allows (here 8 s, the write coming
/// after 6 s), and no longer than that deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_waits_for_min_sequence_until_the_call_deadline() {
    on_postgres(async {
        let a = TestRegistry::start().await;
        let b = a.another_node().await;
        let mut writer = a.enforcement().await;
        let uscc = code_in("310117", 1);
        let first = record_penalty(&mut writer, &uscc, penalty("W-1", 100_000)).await;
        let mut reader = b.procurement().await;
        let profile = |min_sequence: i64, timeout: Duration| {
            let mut request =
                tonic::Request::new(pb::GetProfileRequest { uscc: uscc.clone(), min_sequence, ..Default::default() });
            request.set_timeout(timeout);
            request
        };

        let started = Instant::now();
        let err = reader.get_profile(profile(first.sequence + 100, Duration::from_secs(1))).await.expect_err("never written");
        assert!(started.elapsed() < Duration::from_secs(1), "answered before the deadline: {:?}", started.elapsed());
        assert_eq!(err.code(), tonic::Code::Unavailable, "{err:?}");
        assert!(err.message().contains("not visible yet"), "{err:?}");

        let waiting = tokio::spawn({
            let mut reader = reader.clone();
            let request = profile(first.sequence + 1, Duration::from_secs(8));
            async move { reader.get_profile(request).await }
        });
        tokio::time::sleep(Duration::from_secs(6)).await;
        let second = record_penalty(&mut writer, &uscc, penalty("W-2", 100_000)).await;
        assert_eq!(second.sequence, first.sequence + 1);
        let seen = waiting.await.unwrap().expect("answered once the write is read, within the deadline").into_inner();
        assert_eq!(seen.total_records, 2);
        b.stop().await;
        a.stop().await;
    })
    .await;
}

/// Two nodes, both writing, store one checkpoint per interval between
/// them, not one each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_store_one_checkpoint_per_interval() {
    on_postgres(async {
        const INTERVAL: u64 = 2;
        let a = TestRegistry::start_with(|c| c.audit.checkpoint_interval_secs = INTERVAL).await;
        let b = a.another_node().await;
        let mut writes = tokio::task::JoinSet::new();
        for (node, reg) in [&a, &b].into_iter().enumerate() {
            let mut w = reg.enforcement().await;
            writes.spawn(async move {
                let until = Instant::now() + Duration::from_secs(4 * INTERVAL);
                let mut n = 0;
                while Instant::now() < until {
                    record_penalty(&mut w, &code_in("310118", n), penalty(&format!("I-{node}-{n}"), 100_000)).await;
                    n += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            });
        }
        writes.join_all().await;
        let store = creditregistry::store::Store::open_existing(&a.config.database_url(), &Default::default()).await.unwrap();
        let stored = store.audit().checkpoint_page(0, 100).await.unwrap();
        store.close().await;
        let times: Vec<i64> = stored.iter().map(|(_, c)| c.created_at).collect();
        assert!(times.len() >= 3, "checkpoints were stored: {times:?}");
        for pair in times.windows(2) {
            assert!(
                pair[1] - pair[0] >= (INTERVAL * 1_000_000) as i64,
                "two checkpoints {} ms apart: {times:?}",
                (pair[1] - pair[0]) / 1000
            );
        }
        b.stop().await;
        a.stop().await;
    })
    .await;
}

/// After `rotate-key`, while the nodes are restarted one by one, a node not
/// yet restarted publishes the store's keys (the new one current, its own
/// retired) and verifies what the restarted ones sign with the new key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_not_yet_restarted_after_a_key_rotation_publishes_and_trusts_the_new_key() {
    on_postgres(async {
        let mut a = TestRegistry::start().await;
        let b = a.another_node().await;
        record_penalty(&mut a.enforcement().await, CODES[0], penalty("P-1", 100_000)).await;
        let mut on_b = b.audit("auditor-1", &[Role::Auditor]).await;
        let old_id = on_b.get_registry_keys(pb::GetRegistryKeysRequest {}).await.unwrap().into_inner().keys[0].key_id.clone();

        let new = creditregistry::keys::KeyPairFiles::named(&a.dir.path().join("rotated"), "registry-2027");
        new.ensure().unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
            .arg("rotate-key")
            .arg(&new.private_key_file)
            .env("CREDITREGISTRY_DATABASE_URL", a.config.database_url())
            .env_remove("CREDITREGISTRY_CONFIG")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        a.config.audit.signing_key_file = Some(new.private_key_file.clone());
        a.restart().await;
        let mut on_a = a.audit("auditor-1", &[Role::Auditor]).await;
        let signed = on_a.create_checkpoint(pb::CreateCheckpointRequest::default()).await.unwrap().into_inner();
        let new_id = signed.checkpoint.unwrap().key_id;
        assert_ne!(new_id, old_id);

        let published = on_b.get_registry_keys(pb::GetRegistryKeysRequest {}).await.unwrap().into_inner().keys;
        assert_eq!(
            published.iter().map(|k| (k.key_id.as_str(), k.retired)).collect::<Vec<_>>(),
            [(new_id.as_str(), false), (old_id.as_str(), true)]
        );
        let report = on_b.verify_ledger(pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
        assert!(report.ok, "the new key's checkpoint verifies on the node not yet restarted: {report:?}");
        b.stop().await;
        a.stop().await;
    })
    .await;
}
