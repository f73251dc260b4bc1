//! Durability: the registry's own binary is killed with SIGKILL while
//! clients write, and started again on the same store. Every write it
//! acknowledged is there (a repeat of it is answered as the original), and
//! the whole store verifies — on SQLite and on PostgreSQL.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use tonic::transport::Channel;

use creditregistry::proto::pb::records_service_client::RecordsServiceClient;

/// The registry's binary serving `reg`'s store and keys on a free port.
fn serve(reg: &TestRegistry) -> (Child, String) {
    let keys: Vec<String> =
        reg.config.auth.keys.iter().map(|k| format!("{}:{:?}:{}", k.kid, k.algorithm, k.public_key_file.display())).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("CREDITREGISTRY_PLAINTEXT", "true")
        .env("CREDITREGISTRY_DATA_DIR", reg.dir.path())
        .env("CREDITREGISTRY_DATABASE_URL", reg.config.database_url())
        .env("CREDITREGISTRY_AUTH_KEYS", keys.join(","))
        .envs(reg.config.policy.authority_directory.iter().map(|file| ("CREDITREGISTRY_AUTHORITY_DIRECTORY", file)))
        .envs(reg.config.audit.signing_key_file.iter().map(|key| ("CREDITREGISTRY_SIGNING_KEY", key)))
        .env_remove("CREDITREGISTRY_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().rsplit(' ').next().expect("the address it serves on").to_string();
    assert!(line.contains("serving gRPC on"), "{line}");
    (child, format!("http://{addr}"))
}

async fn writer(reg: &TestRegistry, url: &str) -> RecordsClient {
    let channel = Channel::from_shared(url.to_string()).unwrap().connect().await.unwrap();
    RecordsServiceClient::with_interceptor(channel, Bearer::new(&reg.enforcement_token()))
}

async fn acknowledged_writes_survive_a_kill() {
    let mut reg = TestRegistry::start().await;
    reg.running.take().expect("running").stop().await.expect("clean stop");
    let (mut child, url) = serve(&reg);

    // Writers write until the server dies under them.
    let mut writers = tokio::task::JoinSet::new();
    for caller in 0..8u32 {
        let mut w = writer(&reg, &url).await;
        writers.spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0.. {
                let request = penalty_request(
                    &format!("kill-{caller}-{n}"),
                    &code_in("310115", caller * 100_000 + n),
                    penalty(&format!("K-{caller}-{n}"), 100_000),
                );
                match w.record_penalty(request.clone()).await {
                    Ok(answer) => acknowledged.push((request, answer.into_inner().record.unwrap())),
                    Err(_) => break,
                }
            }
            acknowledged
        });
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let mut acknowledged = Vec::new();
    while let Some(done) = writers.join_next().await {
        acknowledged.extend(done.unwrap());
    }
    assert!(acknowledged.len() > 100, "writes were acknowledged before the kill: {}", acknowledged.len());
    println!("{} writes acknowledged in {:.1} s before SIGKILL", acknowledged.len(), started.elapsed().as_secs_f64());

    // Started again: each acknowledged write is there, as written.
    let (mut child, url) = serve(&reg);
    let mut w = writer(&reg, &url).await;
    for (request, record) in &acknowledged {
        let again = w.record_penalty(request.clone()).await.unwrap().into_inner();
        assert!(again.idempotent_replay, "acknowledged write {} is in the store", record.record_id);
        assert_eq!(again.record.as_ref(), Some(record));
    }
    // The index it started with (a snapshot and the ledger after it, or
    // the ledger alone) counts what the store holds, as a rebuild does.
    let (penalties, stored) = counted(&reg, &url).await;
    assert_eq!(penalties, stored, "the index holds every stored record");
    child.kill().unwrap();
    child.wait().unwrap();
    if let Some(snapshot) = creditregistry::snapshot::path_for(&reg.config.database_url()) {
        let _ = std::fs::remove_file(snapshot);
    }
    let (mut child, url) = serve(&reg);
    assert_eq!(counted(&reg, &url).await, (penalties, stored), "a rebuild from the store counts the same");
    child.kill().unwrap();
    child.wait().unwrap();

    // The whole store verifies.
    let out = Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .arg("verify")
        .env("CREDITREGISTRY_DATA_DIR", reg.dir.path())
        .env("CREDITREGISTRY_DATABASE_URL", reg.config.database_url())
        .env_remove("CREDITREGISTRY_CONFIG")
        .output()
        .unwrap();
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{output}");
}

/// Penalties the index counts in the region written to, and records the
/// store holds (the tree size of a checkpoint signed now).
async fn counted(reg: &TestRegistry, url: &str) -> (i64, i64) {
    use creditregistry::auth::Role;
    use creditregistry::proto::pb;
    let channel = Channel::from_shared(url.to_string()).unwrap().connect().await.unwrap();
    let token = reg.token("regulator-1", &[Role::Regulator, Role::Auditor], None);
    let mut supervision =
        pb::supervision_service_client::SupervisionServiceClient::with_interceptor(channel.clone(), Bearer::new(&token));
    let rows = supervision
        .get_penalty_statistics(pb::GetPenaltyStatisticsRequest {
            region_prefix: "310115".into(),
            from: date(days_ago(365)),
            until: date(today()),
        })
        .await
        .unwrap()
        .into_inner()
        .rows;
    let mut audit = pb::audit_service_client::AuditServiceClient::with_interceptor(channel, Bearer::new(&token));
    let signed = audit.create_checkpoint(pb::CreateCheckpointRequest {}).await.unwrap().into_inner().checkpoint.unwrap();
    let checkpoint = <pb::Checkpoint as prost::Message>::decode(signed.checkpoint.as_slice()).unwrap();
    (rows.iter().map(|r| r.penalties).sum(), checkpoint.tree_size)
}

on_both_backends!(acknowledged_writes_survive_a_kill);

/// Two nodes on one PostgreSQL database, both written to: one is killed
/// mid-write. The other keeps serving without a refused write, and every
/// write the killed node acknowledged is in the store.
#[tokio::test]
async fn a_node_killed_mid_write_loses_nothing_and_the_other_keeps_serving() {
    BACKEND
        .scope(Backend::Postgres, async {
            let reg = TestRegistry::start().await;
            let (mut killed, url) = serve(&reg);
            let survivor = format!("http://{}", reg.addr());
            let stop_at = Instant::now() + Duration::from_millis(2500);
            let mut writers = tokio::task::JoinSet::new();
            for (node, url) in [(0u32, url.clone()), (1, survivor.clone())] {
                for caller in 0..4u32 {
                    let mut w = writer(&reg, &url).await;
                    writers.spawn(async move {
                        let mut acknowledged = Vec::new();
                        let mut refused = 0;
                        let mut n = 0;
                        while Instant::now() < stop_at {
                            n += 1;
                            let id = format!("node{node}-{caller}-{n}");
                            let request = penalty_request(
                                &id,
                                &code_in("440800", node * 1_000_000 + caller * 100_000 + n),
                                penalty(&id, 100_000),
                            );
                            match w.record_penalty(request.clone()).await {
                                Ok(answer) => acknowledged.push((request, answer.into_inner().record.unwrap())),
                                Err(_) if node == 0 => break,
                                Err(_) => refused += 1,
                            }
                        }
                        (node, acknowledged, refused)
                    });
                }
            }
            tokio::time::sleep(Duration::from_millis(1000)).await;
            killed.kill().unwrap();
            killed.wait().unwrap();
            let mut acknowledged = Vec::new();
            while let Some(done) = writers.join_next().await {
                let (node, written, refused) = done.unwrap();
                assert_eq!(refused, 0, "the surviving node refused writes");
                if node == 1 {
                    assert!(!written.is_empty());
                }
                acknowledged.extend(written);
            }
            // Every acknowledged write, from either node, is in the store.
            let mut w = writer(&reg, &survivor).await;
            for (request, record) in &acknowledged {
                let again = w.record_penalty(request.clone()).await.unwrap().into_inner();
                assert!(again.idempotent_replay, "acknowledged write {} is in the store", record.record_id);
                assert_eq!(again.record.as_ref(), Some(record));
            }
            let mut auditor = reg.audit("auditor-1", &[creditregistry::auth::Role::Auditor]).await;
            let verified = auditor.verify_ledger(creditregistry::proto::pb::VerifyLedgerRequest {}).await.unwrap().into_inner();
            assert!(verified.ok, "{verified:?}");
            println!("{} writes acknowledged by two nodes, one killed mid-write", acknowledged.len());
            reg.stop().await;
        })
        .await
}
