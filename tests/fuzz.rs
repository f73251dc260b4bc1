//! Fuzzing with proptest: the USCC parser, token parsing and validation, and
//! every unary RPC through decoding, validation and its handler on a live
//! server. Nothing panics, nothing is answered INTERNAL or UNKNOWN, the server
//! keeps serving and its ledger verifies after.
//!
//! CI runs a short pass with a fixed seed. For a long run:
//! `FUZZ_CASES=1000000 FUZZ_SEED=7 cargo test --release --test fuzz -- --nocapture`
//! (`FUZZ_CASES` is the parser cases; the live server gets a tenth of them).

mod common;

use std::sync::Arc;

use common::*;
use creditregistry::auth::{Authenticator, Role};
use creditregistry::domain::uscc::{Uscc, normalise};
use creditregistry::proto::pb;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use prost::Message;
use tonic::Code;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000)
}

fn runner(cases: u32) -> TestRunner {
    let seed = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20_261_129);
    TestRunner::new(Config { cases, rng_seed: RngSeed::Fixed(seed), failure_persistence: None, ..Config::default() })
}

/// Text as users and attackers type it: ASCII, full-width forms, CJK,
/// hyphens and spaces of every kind, control characters.
fn text() -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            proptest::char::range('0', 'Z'),
            proptest::char::range('\u{FF01}', '\u{FF5E}'),
            proptest::char::range('\u{2010}', '\u{2015}'),
            proptest::char::range('\u{4E00}', '\u{4E20}'),
            Just('\u{3000}'),
            any::<char>(),
        ],
        0..40,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

#[test]
fn the_uscc_parser_takes_any_text() {
    let n = cases();
    runner(n)
        .run(&text(), |input| {
            match Uscc::parse(&input) {
                Ok(code) => {
                    prop_assert_eq!(code.as_str(), normalise(&input));
                    prop_assert_eq!(Uscc::parse(code.as_str()).ok(), Some(code));
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
            prop_assert_eq!(normalise(&normalise(&input)), normalise(&input));
            Ok(())
        })
        .unwrap();
    println!("uscc parser: {n} cases, no failure");
}

#[test]
fn token_parsing_takes_any_header_value() {
    let dir = tempfile::tempdir().unwrap();
    let keys = creditregistry::keys::KeyPairFiles::in_dir(dir.path());
    keys.ensure().unwrap();
    let mut config = creditregistry::config::Config::default().auth;
    config.keys = vec![creditregistry::config::KeyConfig {
        kid: "dev".into(),
        algorithm: creditregistry::config::KeyAlgorithm::EdDSA,
        public_key_file: keys.public_key_file.clone(),
    }];
    let auth = Authenticator::from_config(&config).unwrap();
    let b64 = |bytes: Vec<u8>| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    // Three dot-separated segments of arbitrary bytes, JSON-like headers, or anything.
    let token = prop_oneof![
        (vec(any::<u8>(), 0..80), vec(any::<u8>(), 0..200), vec(any::<u8>(), 0..80)).prop_map(move |(h, c, s)| format!(
            "Bearer {}.{}.{}",
            b64(h),
            b64(c),
            b64(s)
        )),
        (text(), text()).prop_map(move |(kid, body)| {
            let header = format!("{{\"alg\":\"EdDSA\",\"kid\":{kid:?}}}");
            let claims = format!("{{\"sub\":{body:?},\"aud\":[1,{{}}],\"exp\":1e400}}");
            format!("Bearer {}.{}.c2ln", b64(header.into_bytes()), b64(claims.into_bytes()))
        }),
        text().prop_map(|t| format!("Bearer {t}")),
        text(),
    ];
    let n = cases();
    runner(n)
        .run(&token, |value| {
            let answer = auth.authenticate(Some(&value));
            prop_assert!(answer.is_err(), "an unsigned token was accepted: {value}");
            Ok(())
        })
        .unwrap();
    println!("token parsing: {n} cases, no failure");
}

/// Sends raw bytes as the request message of any method.
#[derive(Clone, Default)]
struct RawCodec;

struct RawEncoder;
struct RawDecoder;

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        use prost::bytes::BufMut;
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        use prost::bytes::Buf;
        let mut out = vec![0; src.remaining()];
        src.copy_to_slice(&mut out);
        Ok(Some(out))
    }
}

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

/// Every unary method with a well-formed request to mutate.
fn methods() -> Vec<(&'static str, Vec<u8>)> {
    let uscc = CODES[2].to_string();
    let on = date(today());
    let gp = pb::MeasureDomain::GovernmentProcurement as i32;
    let listing =
        listing(pb::ListType::ProcurementDebarment, "F-L", days_ago(10), Some(days_ago(10) + chrono::Duration::days(400)));
    let id = "01a2059c-5236-73df-b2e5-44c888f9a4ba".to_string();
    vec![
        ("RecordsService/RecordPenalty", penalty_request("", &uscc, penalty("F-P", 100)).encode_to_vec()),
        (
            "RecordsService/CorrectPenalty",
            pb::CorrectPenaltyRequest { correction: revocation(&id, "F-C", 1).correction, ..Default::default() }.encode_to_vec(),
        ),
        (
            "RecordsService/RecordSpotCheck",
            pb::RecordSpotCheckRequest {
                uscc: uscc.clone(),
                spot_check: Some(pb::SpotCheck {
                    report_number: "F-S".into(),
                    category: 1,
                    product: "p".into(),
                    outcome: 1,
                    checked_on: on,
                    ..Default::default()
                }),
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            "RecordsService/RecordCommendation",
            pb::RecordCommendationRequest {
                uscc: uscc.clone(),
                commendation: Some(pb::Commendation {
                    decision_number: "F-A".into(),
                    kind: 1,
                    title: "t".into(),
                    awarded_on: on,
                    valid_until: None,
                    party_name: String::new(),
                    legal_representative: String::new(),
                }),
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            "RecordsService/RecordListing",
            pb::RecordListingRequest { uscc: uscc.clone(), listing: Some(listing), ..Default::default() }.encode_to_vec(),
        ),
        ("RecordsService/RemoveListing", removal(&id, pb::RemovalReason::Revoked, today()).encode_to_vec()),
        (
            "RecordsService/RequestRepair",
            pb::RequestRepairRequest {
                application: Some(pb::RepairApplication { target_record_id: id.clone(), applied_on: on, statement: "s".into() }),
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            "RecordsService/DecideRepair",
            pb::DecideRepairRequest {
                decision: Some(pb::RepairDecision {
                    application_record_id: id.clone(),
                    outcome: 1,
                    decided_on: on,
                    ..Default::default()
                }),
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            "RecordsService/RecordGrade",
            pb::RecordGradeRequest {
                uscc: uscc.clone(),
                grade: Some(pb::Grade {
                    scheme: "local_aaa".into(),
                    level: "A".into(),
                    decision_number: "F-G".into(),
                    evaluated_on: on,
                    valid_until: on,
                    grounds: "g".into(),
                    legal_basis: "b".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            "RecordsService/ChangeGrade",
            pb::ChangeGradeRequest {
                change: Some(pb::GradeChange {
                    grade_record_id: id.clone(),
                    r#type: 3,
                    decided_on: on,
                    reason: "r".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        ("RecordsService/GetProfile", pb::GetProfileRequest { uscc: uscc.clone(), ..Default::default() }.encode_to_vec()),
        (
            "RecordsService/ListRecords",
            pb::ListRecordsRequest { uscc: uscc.clone(), page_size: 5, ..Default::default() }.encode_to_vec(),
        ),
        ("RecordsService/GetRecord", pb::GetRecordRequest { record_id: id.clone(), ..Default::default() }.encode_to_vec()),
        (
            "EligibilityService/CheckEligibility",
            pb::CheckEligibilityRequest { uscc: uscc.clone(), domain: gp, ..Default::default() }.encode_to_vec(),
        ),
        (
            "EligibilityService/BatchCheckEligibility",
            pb::BatchCheckEligibilityRequest {
                codes: CODES.iter().map(|c| c.to_string()).collect(),
                domain: gp,
                ..Default::default()
            }
            .encode_to_vec(),
        ),
        (
            "EligibilityService/CheckConsortium",
            pb::CheckConsortiumRequest { member_codes: vec![CODES[0].into(), CODES[2].into()], domain: gp, ..Default::default() }
                .encode_to_vec(),
        ),
        ("EligibilityService/GetMeasureCatalogue", pb::GetMeasureCatalogueRequest { evaluated_on: on }.encode_to_vec()),
        (
            "SupervisionService/GetRiskAssessment",
            pb::GetRiskAssessmentRequest { uscc: uscc.clone(), ..Default::default() }.encode_to_vec(),
        ),
        (
            "SupervisionService/ListEntitiesByRiskClass",
            pb::ListEntitiesByRiskClassRequest { region_prefix: "31".into(), risk_class: 1, ..Default::default() }
                .encode_to_vec(),
        ),
        ("SupervisionService/GetSupervisionPolicy", pb::GetSupervisionPolicyRequest { evaluated_on: on }.encode_to_vec()),
        (
            "SupervisionService/DrawInspectionSample",
            pb::DrawInspectionSampleRequest { region_prefix: "31".into(), seed: b"s".to_vec(), ..Default::default() }
                .encode_to_vec(),
        ),
        ("SupervisionService/GetInspectionSample", pb::GetInspectionSampleRequest { draw_id: id.clone() }.encode_to_vec()),
        ("SupervisionService/GetSpotCheckStatistics", pb::GetSpotCheckStatisticsRequest::default().encode_to_vec()),
        ("SupervisionService/GetPenaltyStatistics", pb::GetPenaltyStatisticsRequest::default().encode_to_vec()),
        (
            "SupervisionService/GetGradeStatistics",
            pb::GetGradeStatisticsRequest { scheme: "local_aaa".into(), ..Default::default() }.encode_to_vec(),
        ),
        ("AuditService/GetCheckpoint", pb::GetCheckpointRequest::default().encode_to_vec()),
        ("AuditService/ListCheckpoints", pb::ListCheckpointsRequest::default().encode_to_vec()),
        ("AuditService/CreateCheckpoint", pb::CreateCheckpointRequest::default().encode_to_vec()),
        (
            "AuditService/GetInclusionProof",
            pb::GetInclusionProofRequest { leaf: Some(pb::get_inclusion_proof_request::Leaf::Sequence(1)), ..Default::default() }
                .encode_to_vec(),
        ),
        (
            "AuditService/GetConsistencyProof",
            pb::GetConsistencyProofRequest { first_tree_size: 1, second_tree_size: 2 }.encode_to_vec(),
        ),
        (
            "AuditService/GetEntityHistory",
            pb::GetEntityHistoryRequest { uscc: uscc.clone(), ..Default::default() }.encode_to_vec(),
        ),
        ("AuditService/ListChecks", pb::ListChecksRequest::default().encode_to_vec()),
        ("AuditService/GetRegistryKeys", pb::GetRegistryKeysRequest::default().encode_to_vec()),
    ]
}

/// A request: a method and its well-formed message with bytes flipped,
/// inserted and cut, or arbitrary bytes.
fn request(count: usize) -> impl Strategy<Value = (usize, Vec<(usize, u8)>, Vec<u8>, usize, bool)> {
    (0..count, vec((any::<usize>(), any::<u8>()), 0..6), vec(any::<u8>(), 0..64), any::<usize>(), any::<bool>())
}

#[test]
fn every_method_takes_any_bytes_on_a_live_server() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reg = rt.block_on(TestRegistry::start());
    let token = reg.token("fuzzer", &[Role::Enforcement, Role::Auditor, Role::Regulator], Some(AUTHORITY));
    let channel = rt.block_on(reg.channel());
    let methods = Arc::new(methods());
    let n = (cases() / 10).max(300);
    let counts = std::cell::RefCell::new(std::collections::BTreeMap::<String, u32>::new());
    runner(n)
        .run(&request(methods.len()), |(method, flips, tail, cut, random)| {
            let (path, seed) = &methods[method];
            let mut bytes = if random { tail.clone() } else { seed.clone() };
            for (at, byte) in flips {
                if !bytes.is_empty() {
                    let i = at % bytes.len();
                    bytes[i] = byte;
                }
            }
            if !random {
                bytes.truncate(bytes.len().saturating_sub(cut % 4));
                bytes.extend(&tail[..tail.len().min(cut % 8)]);
            }
            let code = rt.block_on(async {
                let mut grpc = tonic::client::Grpc::new(channel.clone());
                grpc.ready().await.map_err(|e| TestCaseError::fail(e.to_string()))?;
                let mut req = tonic::Request::new(bytes.clone());
                req.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
                let full = format!("/creditregistry.v1.{path}");
                let answer = grpc.unary(req, full.parse().unwrap(), RawCodec).await;
                if let Err(status) = &answer {
                    // Percent-encoded message and base64 details: under 8 KiB.
                    let trailers = status.message().len() * 3 + status.details().len().div_ceil(3) * 4;
                    prop_assert!(trailers < 8 * 1024, "{path}: trailers of {trailers} bytes");
                }
                Ok::<Code, TestCaseError>(answer.map_or_else(|s| s.code(), |_| Code::Ok))
            })?;
            prop_assert!(!matches!(code, Code::Internal | Code::Unknown), "{path} answered {code:?} to {bytes:?}");
            *counts.borrow_mut().entry(format!("{code:?}")).or_default() += 1;
            Ok(())
        })
        .unwrap();
    println!("live server: {n} requests over {} methods, answers {:?}", methods.len(), counts.borrow());
    rt.block_on(async {
        let mut audit = reg.audit("auditor-1", &[Role::Auditor]).await;
        let report = audit.verify_ledger(pb::VerifyLedgerRequest::default()).await.expect("still serving").into_inner();
        assert!(report.ok, "the ledger verifies after fuzzing: {report:?}");
        reg.stop().await;
    });
}
