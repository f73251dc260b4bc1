//! Faults at the store, over real gRPC: a PostgreSQL server that goes
//! away and comes back under two nodes, and a corrupt record met while a
//! write is admitted, on both backends.

mod common;

use std::time::{Duration, Instant};

use common::*;
use creditregistry::proto::pb;
use creditregistry_testkit::pg_cluster::{Durability, PgCluster};
use tonic::{Code, Request, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_types::StatusExt;

/// The health of a node: the server as a whole and the records service.
async fn health(reg: &TestRegistry) -> [ServingStatus; 2] {
    let mut client = HealthClient::new(reg.channel().await);
    let mut statuses = [ServingStatus::Unknown; 2];
    for (slot, service) in statuses.iter_mut().zip(["", "creditregistry.v1.RecordsService"]) {
        let answer = client.check(HealthCheckRequest { service: service.into() }).await.unwrap().into_inner();
        *slot = ServingStatus::try_from(answer.status).unwrap();
    }
    statuses
}

/// Waits up to `within` for both nodes' health to be `status`.
async fn until_health(nodes: [&TestRegistry; 2], status: ServingStatus, within: Duration) {
    let started = Instant::now();
    loop {
        let mut now = Vec::new();
        for node in nodes {
            now.extend(health(node).await);
        }
        if now.iter().all(|s| *s == status) {
            return;
        }
        assert!(started.elapsed() < within, "health is {now:?}, not {status:?}, after {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A penalty write with a deadline, and how long its answer took.
async fn write_within(
    w: &mut RecordsClient,
    request_id: &str,
    uscc: &str,
    deadline: Duration,
) -> (Result<pb::Record, Status>, Duration) {
    let mut request = Request::new(penalty_request(request_id, uscc, penalty(&format!("停{request_id}"), 100_000)));
    request.set_timeout(deadline);
    let started = Instant::now();
    let answer = w.record_penalty(request).await.map(|r| r.into_inner().record.unwrap());
    (answer, started.elapsed())
}

/// The store's answer while PostgreSQL is down, as a caller must see it.
#[track_caller]
fn assert_unreachable(err: &Status, port: u16) {
    assert_eq!(err.code(), Code::Unavailable, "{err:?}");
    assert_eq!(reason(err), "STORE_UNREACHABLE", "{err:?}");
    assert!(err.get_error_details().retry_info().is_some(), "RetryInfo: {err:?}");
    let message = err.message();
    assert!(message.contains("the store is unreachable"), "{message}");
    // Refused when a new connection was asked for, lost when a pooled one
    // was open as the server went: either is the real cause, with its address.
    let at = format!(" at 127.0.0.1:{port}");
    assert!(["connection refused", "connection lost"].iter().any(|cause| message.contains(&format!("{cause}{at}"))), "{message}");
    for internal in ["pool timed out", "expected to read", "database error", "bytes at EOF", "os error"] {
        assert!(!message.contains(internal), "the driver's words reach the caller: {message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_goes_away_is_answered_at_once_and_health_follows_it_back() {
    let cluster = PgCluster::start(Durability::Off).expect("a throwaway PostgreSQL cluster");
    let url = cluster.database("registry").await.unwrap();
    let a = TestRegistry::start_with(|c| c.database_url = url.clone()).await;
    let b = a.another_node().await;
    let mut wa = a.enforcement().await;
    let mut wb = b.enforcement().await;
    let (first, _) = write_within(&mut wa, "before", &code_in("310115", 0), Duration::from_secs(30)).await;
    assert_eq!(first.unwrap().sequence, 1);
    until_health([&a, &b], ServingStatus::Serving, Duration::from_secs(1)).await;

    cluster.stop().unwrap();

    // A write with a deadline shorter than the store's connect timeout,
    // sent as the store goes: answered before its deadline all the same
    // (its commit unconfirmed, the store unreachable if the node knew, or,
    // on a loaded machine, not yet taken up by the writer).
    // A write with a 30 s deadline sent meanwhile: UNAVAILABLE in the
    // registry's words well within 2 s, not after the pool's wait.
    let mut w = wa.clone();
    let short =
        tokio::spawn(async move { write_within(&mut w, "down-short", &code_in("310115", 2), Duration::from_millis(600)).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (answer, took) = write_within(&mut wa, "down-a", &code_in("310115", 1), Duration::from_secs(30)).await;
    assert_unreachable(&answer.unwrap_err(), cluster.port);
    assert!(took < Duration::from_millis(1800), "answered after {took:?}");
    let (answer, took) = short.await.unwrap();
    let err = answer.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable, "{err:?}");
    assert!(["COMMIT_UNCONFIRMED", "STORE_UNREACHABLE", "NOT_TAKEN_UP"].contains(&reason(&err).as_str()), "{err:?}");
    assert!(err.get_error_details().retry_info().is_some(), "RetryInfo: {err:?}");
    assert!(took < Duration::from_millis(600), "answered after {took:?}");
    println!("a 600 ms write as the store went: {} after {took:?}", reason(&err));

    // Writes with 5 s deadlines, several at once on the other node: each
    // answered UNAVAILABLE before its deadline, none DEADLINE_EXCEEDED.
    let mut writes = tokio::task::JoinSet::new();
    for n in 0..6 {
        let mut w = wb.clone();
        writes.spawn(async move {
            write_within(&mut w, &format!("down-b{n}"), &code_in("310115", 10 + n), Duration::from_secs(5)).await
        });
    }
    while let Some(done) = writes.join_next().await {
        let (answer, took) = done.unwrap();
        let err = answer.unwrap_err();
        assert_ne!(err.code(), Code::DeadlineExceeded, "{err:?}");
        assert_unreachable(&err, cluster.port);
        assert!(took < Duration::from_secs(2), "answered after {took:?}");
    }
    // Health says so on both nodes, and a read that needs the store
    // answers UNAVAILABLE too.
    until_health([&a, &b], ServingStatus::NotServing, Duration::from_secs(3)).await;
    let started = Instant::now();
    let err = a
        .procurement()
        .await
        .get_profile(pb::GetProfileRequest { uscc: code_in("310115", 0), ..Default::default() })
        .await
        .unwrap_err();
    assert_unreachable(&err, cluster.port);
    assert!(started.elapsed() < Duration::from_secs(2), "answered after {:?}", started.elapsed());

    cluster.start_again().unwrap();
    until_health([&a, &b], ServingStatus::Serving, Duration::from_secs(10)).await;

    // The refused writes sent again are written once each; the ledger
    // goes on from the one record written before, without a gap (the
    // withdrawn write, not sent again, took no sequence).
    let mut sequences = Vec::new();
    let (answer, _) = write_within(&mut wa, "down-a", &code_in("310115", 1), Duration::from_secs(30)).await;
    sequences.push(answer.unwrap().sequence);
    for n in 0..6 {
        let (answer, _) = write_within(&mut wb, &format!("down-b{n}"), &code_in("310115", 10 + n), Duration::from_secs(30)).await;
        sequences.push(answer.unwrap().sequence);
    }
    sequences.sort_unstable();
    assert_eq!(sequences, (2..=8).collect::<Vec<i64>>());
    // Each node follows the other's writes again.
    for (node, uscc) in [(&a, code_in("310115", 10)), (&b, code_in("310115", 1))] {
        let started = Instant::now();
        loop {
            let seen = node
                .procurement()
                .await
                .get_profile(pb::GetProfileRequest { uscc: uscc.clone(), ..Default::default() })
                .await
                .unwrap()
                .into_inner();
            if seen.total_records == 1 {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "a node does not follow the other after the restart");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    b.stop().await;
    a.stop().await;
}

/// Replaces the stored bytes of these ledger entries with bytes that do
/// not decode.
async fn corrupt_records(reg: &TestRegistry, sequences: &[i64]) {
    let list = sequences.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let garbage = match backend() {
        Backend::Sqlite => format!("UPDATE ledger SET record = X'FFFFFFFF' WHERE sequence IN ({list})"),
        Backend::Postgres => format!("UPDATE ledger SET record = '\\xffffffff'::bytea WHERE sequence IN ({list})"),
    };
    tamper(reg, Part::Ledger, &["DROP TRIGGER ledger_no_update", &garbage]).await;
}

#[track_caller]
fn assert_data_loss(err: &Status, sequence: i64) {
    assert_eq!(err.code(), Code::DataLoss, "{err:?}");
    assert_eq!(reason(err), "STORED_DATA_CORRUPT");
    assert!(err.get_error_details().retry_info().is_none(), "not to be retried: {err:?}");
    assert!(err.message().contains(&format!("ledger entry {sequence}")), "{}", err.message());
    for decoder in ["Protobuf", "protobuf", "buffer underflow", "failed to decode"] {
        assert!(!err.message().contains(decoder), "the decoder's words reach the caller: {}", err.message());
    }
}

/// A corrupt record that a write's admission reads (the listing a removal
/// names; the record holding a decision number used again) is DATA_LOSS,
/// as on every read, not UNAVAILABLE for a client to retry for ever.
async fn a_corrupt_record_met_while_admitting_a_write_is_data_loss() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let listing = record_listing(
        &mut w,
        CODES[0],
        listing(pb::ListType::ProcurementDebarment, "采禁〔2026〕1号", days_ago(30), Some(days_ago(-400))),
    )
    .await;
    let first = record_penalty(&mut w, CODES[1], penalty("罚〔2026〕1号", 100_000)).await;
    corrupt_records(&reg, &[listing.sequence, first.sequence]).await;

    let err = w.remove_listing(removal(&listing.record_id, pb::RemovalReason::TermEnded, days_ago(1))).await.unwrap_err();
    assert_data_loss(&err, listing.sequence);

    let err = w.record_penalty(penalty_request("", CODES[1], penalty("罚〔2026〕1号", 200_000))).await.unwrap_err();
    assert_data_loss(&err, first.sequence);

    // Writes that read no corrupt record are still written.
    record_penalty(&mut w, CODES[2], penalty("罚〔2026〕2号", 100_000)).await;
    reg.stop().await;
}

on_both_backends!(a_corrupt_record_met_while_admitting_a_write_is_data_loss);

/// A record another node cannot read (its stored bytes do not decode)
/// stops a node following the ledger: a read waiting for it, and a write
/// that must first read it, are DATA_LOSS naming it, not UNAVAILABLE
/// NOT_CAUGHT_UP for a client to retry for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_record_that_stops_a_node_following_is_data_loss() {
    BACKEND
        .scope(Backend::Postgres, async {
            let a = TestRegistry::start().await;
            let b = a.another_node().await;
            let mut wa = a.enforcement().await;
            record_penalty(&mut wa, CODES[0], penalty("罚〔2026〕1号", 100_000)).await;
            // A second record appended behind the nodes' backs, its bytes
            // not a record, and announced as an append is.
            tamper(
                &a,
                Part::Ledger,
                &[
                    "INSERT INTO ledger (sequence, record_id, recorded_at, uscc, authority, actor, kind, record)
                     VALUES (2, 'not-a-record', 0, '91110000600037341L', 'SAMR-310115', 'officer-1', 'penalty', '\\xffffffff'::bytea)",
                    "UPDATE ledger_head SET size = 2",
                    "SELECT pg_notify('creditregistry_ledger', '2')",
                ],
            )
            .await;
            let started = std::time::Instant::now();
            let err = b
                .procurement()
                .await
                .get_profile(pb::GetProfileRequest { uscc: CODES[0].into(), min_sequence: 2, ..Default::default() })
                .await
                .unwrap_err();
            assert_data_loss(&err, 2);
            println!("DATA_LOSS after {:?}", started.elapsed());
            let err = wa.record_penalty(penalty_request("", CODES[1], penalty("罚〔2026〕2号", 100_000))).await.unwrap_err();
            assert_data_loss(&err, 2);
            b.stop().await;
            a.stop().await;
        })
        .await;
}
