//! Party names (当事人名称) over real gRPC: names on every record kind, an
//! entity's names over time, a rename, declared names in single, batch and
//! consortium checks and their receipts and check log, what a procurement
//! caller may see, and bad names.

mod common;

use chrono::NaiveDate;
use common::*;
use creditregistry::auth::Role;
use creditregistry::proto::pb;
use prost::Message;
use tonic::Code;

const GP: pb::MeasureDomain = pb::MeasureDomain::GovernmentProcurement;
const OLD_NAME: &str = "湛江市甲乙电线厂";
const NEW_NAME: &str = "广东甲乙线缆科技有限公司";

/// A valid code of region 440800 (Zhanjiang) numbered `n`.
fn code(n: u32) -> String {
    code_in("440800", n)
}

fn named_penalty(number: &str, name: &str, decided_on: NaiveDate) -> pb::Penalty {
    pb::Penalty { party_name: name.into(), decided_on: date(decided_on), ..penalty(number, cny(3_000_000)) }
}

async fn post_penalty(w: &mut RecordsClient, uscc: &str, p: pb::Penalty) -> pb::RecordPenaltyResponse {
    w.record_penalty(penalty_request("", uscc, p)).await.expect("penalty recorded").into_inner()
}

fn wire_date(d: NaiveDate) -> creditregistry::proto::google::r#type::Date {
    date(d).unwrap()
}

fn check(uscc: &str, declared: &str) -> pb::CheckEligibilityRequest {
    pb::CheckEligibilityRequest { uscc: uscc.into(), domain: GP as i32, declared_name: declared.into(), ..Default::default() }
}

fn result(m: &Option<pb::NameMatch>) -> pb::NameMatchResult {
    m.as_ref().map_or(pb::NameMatchResult::Unspecified, |m| m.result())
}

/// Every kind that names a party keeps its name and legal representative as
/// written; the profile derives the entity's current name from them.
async fn every_record_kind_carries_its_party() {
    let registry = TestRegistry::start().await;
    let mut w = registry.enforcement().await;
    let uscc = code(1);
    let name = "湛江市示例（电器）有限公司";
    let answered = post_penalty(&mut w, &uscc, named_penalty("名-1", name, days_ago(50))).await;
    let Some(pb::record::Body::Penalty(written)) = answered.record.unwrap().body else { panic!("a penalty") };
    assert_eq!((written.party_name.as_str(), written.legal_representative.as_str()), (name, "张三"));
    assert_eq!(result(&answered.party_name_match), pb::NameMatchResult::Unknown, "the first name the registry learns");
    let spot = w
        .record_spot_check(pb::RecordSpotCheckRequest {
            request_id: String::new(),
            uscc: uscc.clone(),
            spot_check: Some(pb::SpotCheck {
                report_number: "SC-名-1".into(),
                category: pb::Category::ProductQuality as i32,
                product: "电饭煲".into(),
                product_class: "家用电器".into(),
                batch: "B1".into(),
                outcome: pb::SpotCheckOutcome::Pass as i32,
                checked_on: date(days_ago(40)),
                failed_items: vec![],
                // Half-width brackets and a space: the same name.
                party_name: "湛江市示例(电器) 有限公司".into(),
                legal_representative: "李四".into(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(result(&spot.party_name_match), pb::NameMatchResult::Exact);
    let commendation = w
        .record_commendation(pb::RecordCommendationRequest {
            request_id: String::new(),
            uscc: uscc.clone(),
            commendation: Some(pb::Commendation {
                decision_number: "质量奖-名-1".into(),
                kind: pb::CommendationKind::FamousBrand as i32,
                title: "名牌产品".into(),
                awarded_on: date(days_ago(30)),
                valid_until: None,
                party_name: name.into(),
                legal_representative: String::new(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(result(&commendation.party_name_match), pb::NameMatchResult::Exact);
    let listing = w
        .record_listing(pb::RecordListingRequest {
            request_id: String::new(),
            uscc: uscc.clone(),
            listing: Some(pb::Listing {
                legal_representative: "张三".into(),
                ..listing(pb::ListType::QualityBlacklist, "列-名-1", days_ago(20), Some(days_ago(20) + chrono::Days::new(365)))
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(result(&listing.party_name_match), pb::NameMatchResult::Mismatch, "the test kit's listing names another party");
    // As written on the newest record naming it (the commendation).
    assert_eq!(listing.party_name_match.unwrap().name_on_record, name);
    let grade = w
        .record_grade(pb::RecordGradeRequest {
            request_id: String::new(),
            uscc: uscc.clone(),
            grade: Some(pb::Grade {
                scheme: "quality_credit".into(),
                level: "B".into(),
                decision_number: "评-名-1".into(),
                evaluated_on: date(days_ago(10)),
                valid_until: date(days_ago(10) + chrono::Days::new(300)),
                grounds: "年度评价".into(),
                legal_basis: "GB/T 31863-2015".into(),
                rating_year: 0,
                not_rated: false,
                party_name: name.into(),
                legal_representative: "张三".into(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    // The listing, decided after the others, named another party: this name
    // is a former one until the grade names it again.
    assert_eq!(result(&grade.party_name_match), pb::NameMatchResult::FormerName);
    // Kinds that change an earlier record name no party.
    let id = answered_id(&mut w, &uscc, "名-2").await;
    let revoked = w.correct_penalty(revocation(&id, "复-名-2", 1)).await.unwrap().into_inner();
    assert!(revoked.record.is_some());

    let regulator = registry.records(&registry.token("regulator-1", &[Role::Regulator], None)).await;
    let file = profile(&mut regulator.clone(), &uscc).await;
    let names = file.names.unwrap();
    assert_eq!(names.current.unwrap().name, name, "the grade, decided last, names it as the penalty did");
    let former: Vec<&str> = names.former.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(former, [PARTY_NAME]);
    let kinds_named: Vec<String> = file
        .records
        .iter()
        .filter_map(|e| e.record.as_ref())
        .filter_map(|r| match r.body.as_ref()? {
            pb::record::Body::Penalty(p) => Some(p.party_name.clone()),
            pb::record::Body::SpotCheck(s) => Some(s.party_name.clone()),
            pb::record::Body::Commendation(c) => Some(c.party_name.clone()),
            pb::record::Body::Listing(l) => Some(l.party_name.clone()),
            pb::record::Body::Grade(g) => Some(g.party_name.clone()),
            _ => None,
        })
        .collect();
    assert!(kinds_named.contains(&"湛江市示例(电器) 有限公司".to_string()), "kept as written: {kinds_named:?}");
    assert_eq!(kinds_named.iter().filter(|n| !n.is_empty()).count(), 6, "{kinds_named:?}");
    registry.stop().await;
}

async fn answered_id(w: &mut RecordsClient, uscc: &str, number: &str) -> String {
    post_penalty(w, uscc, named_penalty(number, "湛江市示例（电器）有限公司", days_ago(45))).await.record.unwrap().record_id
}

/// A company renames: the name on the record decided last is current, the
/// old one is former with the date it changed, whatever order the records
/// were posted in; declared names are matched against both in single,
/// batch and consortium checks, inside the receipt and the check log. A
/// mismatch flags, never bars.
async fn a_rename_and_declared_names_in_every_check() {
    let registry = TestRegistry::start().await;
    let mut w = registry.enforcement().await;
    let (renamed, unnamed, clean) = (code(2), code(3), code(4));
    let renamed_on = days_ago(100);
    // The newer decision is posted first.
    let first = post_penalty(&mut w, &renamed, named_penalty("更名-2", NEW_NAME, renamed_on)).await;
    assert_eq!(result(&first.party_name_match), pb::NameMatchResult::Unknown);
    let second = post_penalty(&mut w, &renamed, named_penalty("更名-1", OLD_NAME, days_ago(400))).await;
    let second_match = second.party_name_match.unwrap();
    assert_eq!(second_match.result(), pb::NameMatchResult::Mismatch);
    assert_eq!(second_match.name_on_record, NEW_NAME);
    let small = pb::Penalty { fine_fen: cny(1_000), ..named_penalty("清-1", "湛江市清白商贸有限公司", days_ago(20)) };
    post_penalty(&mut w, &clean, small).await;

    let file = profile(&mut registry.auditor().await, &renamed).await;
    let names = file.names.unwrap();
    let current = names.current.unwrap();
    assert_eq!((current.name.as_str(), current.first_seen), (NEW_NAME, Some(wire_date(renamed_on))));
    assert_eq!(names.former.len(), 1);
    assert_eq!(names.former[0].name, OLD_NAME);
    assert_eq!(names.former[0].changed_on, Some(wire_date(renamed_on)));

    let mut platform = registry.eligibility("platform-1", &[Role::Procurement]).await;
    // Single checks: each result, the name on record where it differs.
    let exact = platform.check_eligibility(check(&renamed, "广东甲乙线缆科技有限公司 ")).await.unwrap().into_inner();
    let decision = exact.decision.unwrap();
    assert_eq!(result(&decision.name_match), pb::NameMatchResult::Exact);
    assert_eq!(decision.eligibility(), pb::Eligibility::Ineligible, "a CNY 3,000,000 fine bars procurement");
    let former = platform.check_eligibility(check(&renamed, OLD_NAME)).await.unwrap().into_inner().decision.unwrap();
    let former_match = former.name_match.unwrap();
    assert_eq!(former_match.result(), pb::NameMatchResult::FormerName);
    assert_eq!(former_match.changed_on, Some(wire_date(renamed_on)));
    assert_eq!(former_match.name_on_record, NEW_NAME);
    let fraud = platform.check_eligibility(check(&clean, NEW_NAME)).await.unwrap().into_inner();
    let fraud_decision = fraud.decision.unwrap();
    let fraud_match = fraud_decision.name_match.clone().unwrap();
    assert_eq!(fraud_match.result(), pb::NameMatchResult::Mismatch);
    assert_eq!(fraud_match.name_on_record, "湛江市清白商贸有限公司");
    assert_eq!(fraud_decision.eligibility(), pb::Eligibility::Eligible, "a mismatch never changes eligibility");
    let unknown = platform.check_eligibility(check(&unnamed, "任何公司")).await.unwrap().into_inner().decision.unwrap();
    assert_eq!(result(&unknown.name_match), pb::NameMatchResult::Unknown);
    let undeclared = platform.check_eligibility(check(&renamed, "")).await.unwrap().into_inner().decision.unwrap();
    assert_eq!(undeclared.name_match, None);
    // The receipt signs the declared name and its result.
    let body = pb::ReceiptBody::decode(fraud.receipt.unwrap().body.as_slice()).unwrap();
    assert_eq!(body.declared_names, [NEW_NAME]);
    assert_eq!(result(&body.decisions[0].name_match), pb::NameMatchResult::Mismatch);

    // A batch: one name per code, empty for none; a refused code keeps its place.
    let batch = platform
        .batch_check_eligibility(pb::BatchCheckEligibilityRequest {
            codes: vec![renamed.clone(), clean.clone(), "not-a-code".into(), unnamed.clone()],
            domain: GP as i32,
            declared_names: vec![OLD_NAME.into(), String::new(), "某公司".into(), "某公司".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let decided: Vec<pb::NameMatchResult> = batch
        .results
        .iter()
        .map(|r| match &r.outcome {
            Some(pb::batch_check_eligibility_result::Outcome::Decision(d)) => result(&d.name_match),
            _ => pb::NameMatchResult::Unspecified,
        })
        .collect();
    use pb::NameMatchResult::*;
    assert_eq!(decided, [FormerName, Unspecified, Unspecified, Unknown]);
    let body = pb::ReceiptBody::decode(batch.receipt.unwrap().body.as_slice()).unwrap();
    assert_eq!(body.declared_names.len(), 4);

    // A consortium: members' names in order.
    let consortium = platform
        .check_consortium(pb::CheckConsortiumRequest {
            member_codes: vec![clean.clone(), renamed.clone()],
            domain: GP as i32,
            member_declared_names: vec!["湛江市清白商贸有限公司".into(), "另一家公司".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let members: Vec<pb::NameMatchResult> = consortium.member_decisions.iter().map(|d| result(&d.name_match)).collect();
    assert_eq!(members, [Exact, Mismatch]);
    let body = pb::ReceiptBody::decode(consortium.receipt.unwrap().body.as_slice()).unwrap();
    assert_eq!(body.declared_names, ["湛江市清白商贸有限公司", "另一家公司"]);

    // The check log keeps the declared names and each result.
    let mut audit = registry.audit("auditor-1", &[Role::Auditor]).await;
    // A checkpoint covers every check queued before it.
    audit.create_checkpoint(pb::CreateCheckpointRequest {}).await.unwrap();
    let logged = audit
        .list_checks(pb::ListChecksRequest { uscc: clean.clone(), page_size: 10, ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .checks;
    let kinds: Vec<(Vec<String>, Vec<i32>)> = logged.iter().map(|c| (c.declared_names.clone(), c.name_matches.clone())).collect();
    assert!(kinds.contains(&(vec![NEW_NAME.into()], vec![Mismatch as i32])), "{kinds:?}");
    assert!(
        kinds.contains(&(vec!["湛江市清白商贸有限公司".into(), "另一家公司".into()], vec![Exact as i32, Mismatch as i32])),
        "{kinds:?}"
    );
    registry.stop().await;
}

/// Procurement callers see names only on records disclosed to them: an
/// entity whose only record is a minor penalty (not published) has no name
/// for them, and a declared name is UNKNOWN; a regulator sees it.
async fn names_follow_what_the_caller_may_see() {
    let registry = TestRegistry::start().await;
    let mut w = registry.enforcement().await;
    let quiet = code(5);
    let minor = pb::Penalty {
        severity: pb::SeverityTier::Minor as i32,
        sanctions: vec![pb::Sanction::Warning as i32],
        fine_fen: cny(1_000),
        ..named_penalty("轻微-1", "湛江市安静贸易有限公司", days_ago(30))
    };
    post_penalty(&mut w, &quiet, minor).await;
    let procurement = profile(&mut registry.procurement().await, &quiet).await;
    assert_eq!(procurement.names.unwrap().current, None);
    let regulator = profile(&mut registry.records(&registry.token("regulator-1", &[Role::Regulator], None)).await, &quiet).await;
    assert_eq!(regulator.names.unwrap().current.unwrap().name, "湛江市安静贸易有限公司");
    let mut platform = registry.eligibility("platform-1", &[Role::Procurement]).await;
    let seen = platform.check_eligibility(check(&quiet, "湛江市安静贸易有限公司")).await.unwrap().into_inner();
    assert_eq!(result(&seen.decision.unwrap().name_match), pb::NameMatchResult::Unknown);
    let mut supervisor = registry.eligibility("regulator-1", &[Role::Regulator]).await;
    let known = supervisor.check_eligibility(check(&quiet, "湛江市安静贸易有限公司")).await.unwrap().into_inner();
    assert_eq!(result(&known.decision.unwrap().name_match), pb::NameMatchResult::Exact);
    registry.stop().await;
}

/// A penalty or listing needs its party's name; names are at most 200
/// characters; declared names come one per code. Each refusal names its
/// field, and nothing is written.
async fn bad_names_are_refused_naming_the_field() {
    let registry = TestRegistry::start().await;
    let mut w = registry.enforcement().await;
    let uscc = code(6);
    let unnamed = w
        .record_penalty(penalty_request("", &uscc, pb::Penalty { party_name: String::new(), ..penalty("坏-1", cny(1)) }))
        .await
        .unwrap_err();
    assert_violation(&unnamed, "penalty.party_name", "is required");
    let long = w
        .record_listing(pb::RecordListingRequest {
            request_id: String::new(),
            uscc: uscc.clone(),
            listing: Some(pb::Listing {
                party_name: "长".repeat(201),
                legal_representative: "\u{7}".into(),
                ..listing(pb::ListType::QualityBlacklist, "坏-2", days_ago(1), Some(days_ago(1) + chrono::Days::new(365)))
            }),
        })
        .await
        .unwrap_err();
    assert_violation(&long, "listing.party_name", "longer than 200 characters");
    assert_violation(&long, "listing.legal_representative", "control characters");
    let empty = profile(&mut registry.auditor().await, &uscc).await;
    assert_eq!(empty.total_records, 0, "nothing was written");

    let mut platform = registry.eligibility("platform-1", &[Role::Procurement]).await;
    let single = platform.check_eligibility(check(&uscc, &"名".repeat(201))).await.unwrap_err();
    assert_violation(&single, "declared_name", "longer than 200 characters");
    let batch = platform
        .batch_check_eligibility(pb::BatchCheckEligibilityRequest {
            codes: vec![uscc.clone(), code(7)],
            domain: GP as i32,
            declared_names: vec!["甲".into()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_violation(&batch, "declared_names", "1 names for 2 codes");
    let consortium = platform
        .check_consortium(pb::CheckConsortiumRequest {
            member_codes: vec![uscc.clone(), code(7)],
            domain: GP as i32,
            member_declared_names: vec!["甲".into(), "  ".into()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(consortium.code(), Code::InvalidArgument);
    assert_violation(&consortium, "member_declared_names[1]", "white space");
    registry.stop().await;
}

on_both_backends!(
    every_record_kind_carries_its_party,
    a_rename_and_declared_names_in_every_check,
    names_follow_what_the_caller_may_see,
    bad_names_are_refused_naming_the_field,
);
