//! The API's edge over real gRPC: what every client can read, whatever the
//! input. Errors keep `grpc-message` one short line and their trailers under
//! the 8 KiB gRPC lets clients cap them at (PROTOCOL-HTTP2.md).

mod common;

use common::*;
use creditregistry::auth::Role;
use creditregistry::proto::pb;
use tonic::Code;

/// An upper bound on the trailers an error takes: `grpc-message`
/// percent-encoded (at most 3 bytes per byte) and the details base64-encoded.
fn trailer_bytes(status: &tonic::Status) -> usize {
    status.message().len() * 3 + status.details().len().div_ceil(3) * 4 + 64
}

#[track_caller]
fn assert_readable(status: &tonic::Status, violations_at_least: usize) {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(trailer_bytes(status) < 8 * 1024, "trailers of {} bytes", trailer_bytes(status));
    assert!(!status.message().contains('\n') && status.message().len() < 600, "one short line: {}", status.message());
    assert!(violations(status).len() >= violations_at_least.min(40), "{:?}", violations(status).len());
}

async fn the_worst_invalid_input_of_each_kind_stays_readable() {
    let reg = TestRegistry::start().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    // 50 members whose entity-type character is wrong: 50 violations.
    let members: Vec<String> = (0..50).map(|n| format!("97{}", &code_in("440800", n)[2..])).collect();
    let err = c
        .check_consortium(pb::CheckConsortiumRequest {
            member_codes: members,
            domain: pb::MeasureDomain::GovernmentProcurement as i32,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_readable(&err, 50);
    assert!(err.message().contains("and 49 more"), "{}", err.message());

    // A penalty with 10,000 unknown sanctions and every text field too long.
    let long = "违".repeat(5_000);
    let p = pb::Penalty {
        sanctions: vec![999; 10_000],
        decision_number: long.clone(),
        legal_basis: long.clone(),
        violation: long,
        ..penalty("X", 1)
    };
    let err = reg.enforcement().await.record_penalty(penalty_request("", "91440800MA1K3BTP2C", p)).await.unwrap_err();
    assert_readable(&err, 40);
    let listed = violations(&err);
    assert!(listed.last().unwrap().1.contains("more problems not listed"), "{:?}", listed.last());
    reg.stop().await;
}

/// A request over the 4 MiB message limit is RESOURCE_EXHAUSTED naming the
/// limit, not OUT_OF_RANGE; the server keeps serving.
async fn an_oversized_request_is_resource_exhausted() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let p = pb::Penalty { violation: "x".repeat(10 * 1024 * 1024), ..penalty("BIG-1", 1) };
    let err = w.record_penalty(penalty_request("", CODES[0], p)).await.unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    assert_eq!(reason(&err), "REQUEST_TOO_LARGE");
    assert!(err.message().contains("4194304 bytes"), "{}", err.message());
    w.record_penalty(penalty_request("", CODES[0], penalty("SMALL-1", 1))).await.expect("still serving");
    reg.stop().await;
}

/// Only `serve` makes keys: `token` and `registry-key` run outside the
/// server's data directory fail naming where they looked, and write nothing.
#[test]
fn commands_never_make_keys_of_their_own() {
    let empty = tempfile::tempdir().unwrap();
    for args in [&["token", "--role", "procurement"][..], &["registry-key"][..]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
            .args(args)
            .current_dir(empty.path())
            .env_remove("CREDITREGISTRY_DATA_DIR")
            .env_remove("CREDITREGISTRY_CONFIG")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(stderr.contains("data/"), "{args:?} names where it looked: {stderr}");
        assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0, "{args:?} wrote nothing");
    }
}

/// The registry's binary run as `args` on the data directory `dir`, killed
/// if it has not exited within 30 s: (exited with success, stderr).
fn run_on(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .args(args)
        .env("CREDITREGISTRY_DATA_DIR", dir)
        .env_remove("CREDITREGISTRY_DATABASE_URL")
        .env_remove("CREDITREGISTRY_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// One process serves a SQLite store: a second `serve` or a `migrate` on
/// the same data directory refuses to start and names the holder, and the
/// store is free again once the first stops.
#[tokio::test]
async fn a_second_process_on_a_served_sqlite_store_refuses_naming_the_holder() {
    let mut reg = TestRegistry::start().await;
    reg.enforcement().await.record_penalty(penalty_request("", CODES[0], penalty("ONE-1", 1))).await.unwrap();
    let dir = reg.dir.path().to_path_buf();
    let holder = format!("already served by process {}", std::process::id());
    for args in [&["serve", "--dev", "--listen", "127.0.0.1:0"][..], &["migrate"][..]] {
        let (ok, stderr) = run_on(&dir, args);
        assert!(!ok, "{args:?} must refuse");
        assert!(stderr.contains(&holder), "{args:?} names the holder: {stderr}");
    }
    reg.running.take().unwrap().stop().await.unwrap();
    let (ok, stderr) = run_on(&dir, &["migrate"]);
    assert!(ok, "the store is free once its server stopped: {stderr}");
}

/// Codes are normalised with NFKC: a code typed full-width with a Chinese
/// input method names the same entity.
async fn a_full_width_code_names_the_same_entity() {
    let reg = TestRegistry::start().await;
    reg.enforcement().await.record_penalty(penalty_request("", "91310115MA1K3BTP2B", penalty("FW-1", 1))).await.unwrap();
    let seen = profile(&mut reg.auditor().await, "９１３１０１１５ＭＡ１Ｋ３ＢＴＰ２ｂ").await;
    assert_eq!((seen.uscc.as_str(), seen.total_records), ("91310115MA1K3BTP2B", 1));
    reg.stop().await;
}

/// A batch flags a repeated code, and its receipt gives each refused code's
/// reason beside it.
async fn a_batch_flags_repeats_and_its_receipt_says_why_a_code_was_refused() {
    use prost::Message;
    let reg = TestRegistry::start().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let codes = vec![CODES[0].to_string(), "91310115MA1K3BTP2C".to_string(), CODES[0].to_lowercase()];
    let answer = c
        .batch_check_eligibility(pb::BatchCheckEligibilityRequest {
            codes,
            domain: pb::MeasureDomain::GovernmentProcurement as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let repeats: Vec<Option<i32>> = answer.results.iter().map(|r| r.repeats_index).collect();
    assert_eq!(repeats, [None, None, Some(0)], "the lower-case code repeats codes[0]");
    let body = pb::ReceiptBody::decode(answer.receipt.unwrap().body.as_slice()).unwrap();
    assert_eq!(body.decisions.len(), 2);
    assert_eq!(body.refused_codes.len(), 1);
    assert_eq!(body.refused_codes[0].index, 1);
    assert!(body.refused_codes[0].reason.contains("check character 18"), "{:?}", body.refused_codes);
    reg.stop().await;
}

/// 1,000 suppliers, each with three CNY 3M penalties and four listings: the
/// batch of all 1,000, at the documented maximum, is answered in full with its
/// receipt under 4 MiB (measures listed by code, at most 3 triggers each,
/// with their count).
async fn a_batch_at_the_documented_maximum_is_answered() {
    use prost::Message;
    let reg = TestRegistry::start().await;
    let w = reg.enforcement().await;
    let codes: Vec<String> = (0..1000).map(|n| code_in("440800", n)).collect();
    let listed = days_ago(30);
    let end = Some(listed + chrono::Duration::days(400));
    let mut writes = tokio::task::JoinSet::new();
    for (n, uscc) in codes.iter().enumerate() {
        for k in 0..3 {
            let (mut w, uscc) = (w.clone(), uscc.clone());
            let mut p = penalty(&format!("B-{n}-{k}"), 300_000_000);
            p.severity = pb::SeverityTier::Serious as i32;
            writes.spawn(async move { w.record_penalty(penalty_request("", &uscc, p)).await.map(|_| ()) });
        }
        for (k, (list, planned_end)) in [
            (pb::ListType::ProcurementDebarment, end),
            (pb::ListType::SeriousIllegalDishonest, Some(listed.checked_add_months(chrono::Months::new(36)).unwrap())),
            (pb::ListType::QualityBlacklist, end),
            (pb::ListType::AbnormalOperations, None),
        ]
        .into_iter()
        .enumerate()
        {
            let (mut w, uscc) = (w.clone(), uscc.clone());
            let l = listing(list, &format!("L-{n}-{k}"), listed, planned_end);
            writes.spawn(async move {
                w.record_listing(pb::RecordListingRequest { request_id: String::new(), uscc, listing: Some(l) }).await.map(|_| ())
            });
        }
    }
    while let Some(done) = writes.join_next().await {
        done.unwrap().unwrap();
    }
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let answer = c
        .batch_check_eligibility(pb::BatchCheckEligibilityRequest {
            codes: codes.clone(),
            domain: pb::MeasureDomain::GovernmentProcurement as i32,
            ..Default::default()
        })
        .await
        .expect("answered in full")
        .into_inner();
    let size = answer.encoded_len();
    println!("batch of 1,000 answered in {size} bytes");
    assert!(size < 4 * 1024 * 1024);
    assert_eq!(answer.results.len(), 1000);
    let Some(pb::batch_check_eligibility_result::Outcome::Decision(d)) = &answer.results[0].outcome else { panic!() };
    assert_eq!(eligibility(d), pb::Eligibility::Ineligible);
    let major = d.measures.iter().find(|m| m.measure_code == "GP-MAJOR-VIOLATION").unwrap();
    assert_eq!((major.trigger_record_ids.len(), major.trigger_count), (3, 3));
    assert!(major.legal_basis.is_empty(), "texts are read once from the catalogue");
    reg.stop().await;
}

/// What a batch echoes is bounded too: a code far longer than any code fails
/// the call; a page of the check log stops before it outgrows a message.
async fn echoed_codes_are_bounded_and_check_log_pages_fit_a_message() {
    let reg = TestRegistry::start().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let batch = |codes: Vec<String>| pb::BatchCheckEligibilityRequest {
        codes,
        domain: pb::MeasureDomain::GovernmentProcurement as i32,
        ..Default::default()
    };
    let err = c.batch_check_eligibility(batch(vec!["中".repeat(1000)])).await.unwrap_err();
    assert_violation(&err, "codes[0]", "at most 64 bytes");
    // 60 checks of 1,000 refused 60-byte codes: about 3.7 MB of check log.
    for _ in 0..60 {
        c.batch_check_eligibility(batch(vec!["Ｘ".repeat(20); 1000])).await.unwrap();
    }
    let mut audit = reg.audit("auditor-1", &[Role::Auditor]).await;
    let mut seen = 0;
    let mut token = String::new();
    for _ in 0..200 {
        let page = audit
            .list_checks(pb::ListChecksRequest { page_size: 500, page_token: token.clone(), ..Default::default() })
            .await
            .expect("every page fits a message")
            .into_inner();
        seen += page.checks.len();
        if page.next_page_token.is_empty() {
            if seen == 60 {
                break;
            }
            // The log is written off the request path: read again from the start.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            seen = 0;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, 60);
    reg.stop().await;
}

/// Many more calls in flight on one connection than it takes at once:
/// each small request waits for a stream and is answered; none is refused
/// and the connection is not closed.
async fn thousands_of_calls_in_flight_on_one_connection_are_all_answered() {
    let reg = TestRegistry::start().await;
    let c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..(4 * creditregistry::server::MAX_CONCURRENT_STREAMS) {
        let mut c = c.clone();
        calls.spawn(async move {
            c.check_eligibility(pb::CheckEligibilityRequest {
                uscc: CODES[0].into(),
                domain: pb::MeasureDomain::GovernmentProcurement as i32,
                ..Default::default()
            })
            .await
            .map(|_| ())
        });
    }
    while let Some(done) = calls.join_next().await {
        done.unwrap().unwrap();
    }
    reg.stop().await;
}

/// 0000-12-31T23:59:59Z and 10000-01-01T00:00:00Z: one second outside
/// protobuf's Timestamp range on either side.
const YEAR_0: prost_types::Timestamp = prost_types::Timestamp { seconds: -62_135_596_801, nanos: 0 };
const YEAR_10000: prost_types::Timestamp = prost_types::Timestamp { seconds: 253_402_300_800, nanos: 0 };

/// Every Timestamp of every request outside protobuf's range
/// (0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z, nanos below one
/// second) is INVALID_ARGUMENT naming the field, with the request's other
/// problems in the same answer; the range's own ends are accepted.
async fn timestamps_outside_protobufs_range_are_refused_on_every_rpc() {
    let reg = TestRegistry::start().await;
    let roles = [Role::Auditor, Role::Regulator, Role::Procurement];
    let mut e = reg.eligibility("auditor-1", &roles).await;
    let mut r = reg.records(&reg.token("auditor-1", &roles, None)).await;
    let mut s = reg.supervision("auditor-1", &roles).await;
    let mut a = reg.audit("auditor-1", &roles).await;
    let domain = pb::MeasureDomain::GovernmentProcurement as i32;
    let leap_nanos = prost_types::Timestamp { seconds: 1_700_000_000, nanos: 1_000_000_000 };
    for bad in [YEAR_0, YEAR_10000, leap_nanos] {
        let known_at = Some(bad);
        let uscc = CODES[0].to_string();
        let err = e
            .check_eligibility(pb::CheckEligibilityRequest { uscc: "not a code".into(), domain, known_at, ..Default::default() })
            .await
            .unwrap_err();
        assert_violation(&err, "known_at", "not a valid timestamp");
        assert_violation(&err, "uscc", "");
        let err = e
            .batch_check_eligibility(pb::BatchCheckEligibilityRequest {
                codes: vec![uscc.clone()],
                domain,
                known_at,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_violation(&err, "known_at", "not a valid timestamp");
        let err = e
            .check_consortium(pb::CheckConsortiumRequest {
                member_codes: vec![uscc.clone()],
                domain,
                known_at,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_violation(&err, "known_at", "not a valid timestamp");
        let err = r.get_profile(pb::GetProfileRequest { uscc: uscc.clone(), known_at, ..Default::default() }).await.unwrap_err();
        assert_violation(&err, "known_at", "not a valid timestamp");
        let err =
            r.list_records(pb::ListRecordsRequest { uscc: uscc.clone(), known_at, ..Default::default() }).await.unwrap_err();
        assert_violation(&err, "known_at", "not a valid timestamp");
        let record_id = uuid::Uuid::now_v7().to_string();
        let err = r.get_record(pb::GetRecordRequest { record_id, known_at, ..Default::default() }).await.unwrap_err();
        assert_violation(&err, "known_at", "not a valid timestamp");
        let err = s
            .get_risk_assessment(pb::GetRiskAssessmentRequest { uscc: uscc.clone(), known_at, ..Default::default() })
            .await
            .unwrap_err();
        assert_violation(&err, "known_at", "not a valid timestamp");
        let err = a
            .get_entity_history(pb::GetEntityHistoryRequest { uscc: uscc.clone(), known_at, ..Default::default() })
            .await
            .unwrap_err();
        assert_violation(&err, "known_at", "not a valid timestamp");
    }
    let err = a
        .list_checks(pb::ListChecksRequest { checked_from: Some(YEAR_10000), checked_until: Some(YEAR_0), ..Default::default() })
        .await
        .unwrap_err();
    assert_violation(&err, "checked_from", "not a valid timestamp");
    assert_violation(&err, "checked_until", "not a valid timestamp");

    let first = prost_types::Timestamp { seconds: YEAR_0.seconds + 1, nanos: 0 };
    let last = prost_types::Timestamp { seconds: YEAR_10000.seconds - 1, nanos: 999_999_999 };
    a.list_checks(pb::ListChecksRequest { checked_from: Some(first), checked_until: Some(last), ..Default::default() })
        .await
        .expect("the range's own ends");
    decide(&mut e, pb::CheckEligibilityRequest { uscc: CODES[0].into(), domain, known_at: Some(first), ..Default::default() })
        .await;
    reg.stop().await;
}

on_both_backends!(
    thousands_of_calls_in_flight_on_one_connection_are_all_answered,
    the_worst_invalid_input_of_each_kind_stays_readable,
    an_oversized_request_is_resource_exhausted,
    a_full_width_code_names_the_same_entity,
    a_batch_flags_repeats_and_its_receipt_says_why_a_code_was_refused,
    a_batch_at_the_documented_maximum_is_answered,
    echoed_codes_are_bounded_and_check_log_pages_fit_a_message,
    timestamps_outside_protobufs_range_are_refused_on_every_rpc,
);
