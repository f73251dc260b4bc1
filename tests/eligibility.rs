//! Joint-punishment checks, repair, risk classes and inspection draws over
//! real gRPC: the scenarios procurement platforms and regulators rely on.

mod common;

use chrono::{Months, NaiveDate};
use common::*;
use creditregistry::auth::Role;
use creditregistry::proto::pb;
use prost::Message;
use tonic::Code;

const GP: pb::MeasureDomain = pb::MeasureDomain::GovernmentProcurement;

/// A valid code of region 310115 numbered `n`.
fn code(n: u32) -> String {
    code_in("310115", n)
}

fn serious_penalty(number: &str, fine_fen: i64, decided_on: NaiveDate) -> pb::Penalty {
    pb::Penalty { severity: pb::SeverityTier::Serious as i32, decided_on: date(decided_on), ..penalty(number, fine_fen) }
}

fn check(uscc: &str, on: Option<NaiveDate>) -> pb::CheckEligibilityRequest {
    pb::CheckEligibilityRequest {
        uscc: uscc.into(),
        domain: GP as i32,
        evaluated_on: on.and_then(date),
        min_sequence: 0,
        known_at: None,
        declared_name: String::new(),
    }
}

async fn major_violation_bars_procurement_for_three_years_from_a_fine_of_two_million() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let (recent, old, small) = (code(1), code(2), code(3));
    let recent_fine = record_penalty(&mut w, &recent, serious_penalty("F-1", cny(2_500_000), months_ago(35))).await;
    let old_day = today().checked_sub_months(Months::new(36)).unwrap() - chrono::Duration::days(1);
    record_penalty(&mut w, &old, serious_penalty("F-2", cny(2_500_000), old_day)).await;
    record_penalty(&mut w, &small, serious_penalty("F-3", cny(1_999_999), months_ago(1))).await;

    let d = decide(&mut c, check(&recent, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible);
    assert_eq!(d.measures.len(), 1);
    let m = &d.measures[0];
    assert_eq!(m.measure_code, "GP-MAJOR-VIOLATION");
    assert_eq!(m.trigger_record_ids, vec![recent_fine.record_id]);
    assert!(m.legal_basis.contains("政府采购法"), "{}", m.legal_basis);
    assert_eq!(m.from, date(months_ago(35)));
    assert!(!d.catalogue_version.is_empty());

    let d = decide(&mut c, check(&old, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "3 years and 1 day ago: {d:?}");
    assert!(d.no_records, "its publicity has ended: procurement sees nothing");
    let mut auditor = reg.eligibility("auditor-1", &[Role::Auditor]).await;
    let d = decide(&mut auditor, check(&old, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible);
    assert!(!d.no_records, "an auditor sees the expired record");
    let d = decide(&mut c, check(&old, Some(old_day + chrono::Duration::days(30)))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "a check dated within the 3 years");

    let d = decide(&mut c, check(&small, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "CNY 1,999,999 is below the bar: {d:?}");

    let d = decide(&mut c, check(&code(4), None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible);
    assert!(d.no_records, "no records is an explicit, eligible answer");
    reg.stop().await;
}

async fn a_debarment_bars_until_its_last_day() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let uscc = code(10);
    let start = months_ago(12);
    let end = start.checked_add_months(Months::new(24)).unwrap().pred_opt().unwrap();
    let listing = record_listing(&mut w, &uscc, listing(pb::ListType::ProcurementDebarment, "D-1", start, Some(end))).await;

    let d = decide(&mut c, check(&uscc, Some(end.pred_opt().unwrap()))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible);
    assert_eq!(d.measures[0].measure_code, "GP-DEBARMENT");
    assert_eq!(d.measures[0].trigger_record_ids, vec![listing.record_id]);
    assert_eq!(d.measures[0].until, date(end));
    let d = decide(&mut c, check(&uscc, Some(end.succ_opt().unwrap()))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "{d:?}");

    let mut bidding = check(&uscc, None);
    bidding.domain = pb::MeasureDomain::BiddingAndTendering as i32;
    let d = decide(&mut c, bidding).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "a procurement ban does not reach bidding");
    reg.stop().await;
}

async fn a_repaired_serious_listing_stops_counting_and_disappears_for_procurement() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let uscc = code(20);
    let start = today() - chrono::Duration::days(400);
    let end = start.checked_add_months(Months::new(36)).unwrap().pred_opt().unwrap();
    let listing = record_listing(&mut w, &uscc, listing(pb::ListType::SeriousIllegalDishonest, "S-1", start, Some(end))).await;

    let application = |target: &str, applied_on: NaiveDate| pb::RequestRepairRequest {
        request_id: String::new(),
        application: Some(pb::RepairApplication {
            target_record_id: target.into(),
            applied_on: date(applied_on),
            statement: "已整改并作出信用承诺".into(),
        }),
    };
    let early = w.request_repair(application(&listing.record_id, start + chrono::Duration::days(100))).await.unwrap_err();
    assert_not_yet(&early, "REPAIR_NOT_ALLOWED", start.checked_add_months(Months::new(12)).unwrap().succ_opt().unwrap());

    let applied = w.request_repair(application(&listing.record_id, days_ago(10))).await.unwrap().into_inner().record.unwrap();
    let pending = w.request_repair(application(&listing.record_id, days_ago(9))).await.unwrap_err();
    assert_eq!(pending.code(), Code::FailedPrecondition, "{pending:?}");

    let mut other = reg.records(&reg.token("officer-9", &[Role::Enforcement], Some(OTHER_AUTHORITY))).await;
    let decision = |outcome: pb::RepairOutcome| pb::DecideRepairRequest {
        request_id: String::new(),
        decision: Some(pb::RepairDecision {
            application_record_id: applied.record_id.clone(),
            outcome: outcome as i32,
            decided_on: date(days_ago(5)),
            decision_number: "修复〔2026〕1号".into(),
            reason: String::new(),
        }),
    };
    let err = other.decide_repair(decision(pb::RepairOutcome::Granted)).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "谁认定、谁修复");
    w.decide_repair(decision(pb::RepairOutcome::Granted)).await.unwrap();
    let twice = w.decide_repair(decision(pb::RepairOutcome::Refused)).await.unwrap_err();
    assert_eq!(twice.code(), Code::FailedPrecondition);

    let d = decide(&mut c, check(&uscc, Some(days_ago(6)))).await;
    // 市场监管总局令第44号: an important factor in procurement, so RESTRICTED.
    assert_eq!(eligibility(&d), pb::Eligibility::Restricted, "before the repair date");
    assert_eq!(d.measures[0].measure_code, "GP-SERIOUS-DISHONEST");
    let d = decide(&mut c, check(&uscc, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "after the repair: {d:?}");

    let public = profile(&mut reg.procurement().await, &uscc).await;
    assert_eq!(public.status, pb::ProfileStatus::NoRecords as i32, "{public:?}");
    assert!(public.records.is_empty());
    let audit = profile(&mut reg.auditor().await, &uscc).await;
    let entry = audit.records.iter().find(|e| e.record.as_ref().unwrap().record_id == listing.record_id).unwrap();
    assert_eq!(entry.status, pb::RecordStatus::Repaired as i32);
    assert!(!entry.public);
    assert_eq!(audit.total_records, 3, "listing, application, decision");

    let mut records = reg.procurement().await;
    let hidden = records
        .get_record(pb::GetRecordRequest { record_id: listing.record_id.clone(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(hidden.code(), Code::NotFound, "a repaired record is not shown to procurement");
    reg.stop().await;
}

async fn a_revoked_penalty_stops_counting_but_past_knowledge_still_shows_it() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = code(30);
    let fine = record_penalty(&mut w, &uscc, serious_penalty("R-1", cny(3_000_000), days_ago(30))).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    w.correct_penalty(revocation(&fine.record_id, "复议〔2026〕7号", 2)).await.unwrap();

    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let d = decide(&mut buyer, check(&uscc, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "{d:?}");

    let mut auditor = reg.eligibility("auditor-1", &[Role::Auditor]).await;
    let then = pb::CheckEligibilityRequest { known_at: fine.recorded_at, ..check(&uscc, None) };
    let d = decide(&mut auditor, then.clone()).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "as known before the revocation");
    assert_eq!(d.measures[0].trigger_record_ids, vec![fine.record_id]);

    let err = buyer.check_eligibility(then).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    assert_eq!(reason(&err), "KNOWN_AT_AUDITORS_ONLY");
    reg.stop().await;
}

async fn a_consortium_with_one_debarred_member_is_ineligible_and_names_it() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let members = [code(40), code(41), code(42)];
    let start = months_ago(2);
    let end = start.checked_add_months(Months::new(12)).unwrap().pred_opt().unwrap();
    record_listing(&mut w, &members[1], listing(pb::ListType::ProcurementDebarment, "C-1", start, Some(end))).await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let request = |codes: Vec<String>| pb::CheckConsortiumRequest {
        member_codes: codes,
        domain: GP as i32,
        evaluated_on: None,
        min_sequence: 0,
        known_at: None,
        member_declared_names: Vec::new(),
    };
    let r = c.check_consortium(request(members.to_vec())).await.unwrap().into_inner();
    assert_eq!(r.eligibility, pb::Eligibility::Ineligible as i32);
    assert_eq!(r.barred_members, vec![members[1].clone()]);
    assert_eq!(r.member_decisions.len(), 3);

    let err = c.check_consortium(request(vec![members[0].clone(), "91310115MA1K3BTP2C".into()])).await.unwrap_err();
    assert_violation(&err, "member_codes[1]", "check character 18");
    let err = c.check_consortium(request(vec![members[0].clone(), members[0].clone()])).await.unwrap_err();
    assert_violation(&err, "member_codes[1]", "repeats member_codes[0]");
    reg.stop().await;
}

async fn a_batch_of_a_thousand_with_ten_malformed_gives_990_answers_and_10_precise_errors() {
    let reg = TestRegistry::start().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let codes: Vec<String> = (0..1000u32)
        .map(|i| {
            let good = code(1000 + i);
            if i % 100 == 7 { format!("{}X", &good[..17]) } else { good }
        })
        .collect();
    let request = |codes: Vec<String>| pb::BatchCheckEligibilityRequest {
        codes,
        domain: GP as i32,
        evaluated_on: None,
        min_sequence: 0,
        known_at: None,
        declared_names: Vec::new(),
    };
    let results = c.batch_check_eligibility(request(codes.clone())).await.unwrap().into_inner().results;
    assert_eq!(results.len(), 1000);
    let mut errors = 0;
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.requested_code, codes[i]);
        match r.outcome.as_ref().unwrap() {
            pb::batch_check_eligibility_result::Outcome::Decision(d) => {
                assert_eq!(d.eligibility, pb::Eligibility::Eligible as i32);
                assert!(d.no_records);
            }
            pb::batch_check_eligibility_result::Outcome::Error(status) => {
                errors += 1;
                assert_eq!(i % 100, 7);
                assert_eq!(status.code, Code::InvalidArgument as i32);
                let bad = status
                    .details
                    .iter()
                    .find(|a| a.type_url.ends_with("google.rpc.BadRequest"))
                    .map(|a| tonic_types::pb::BadRequest::decode(&a.value[..]).unwrap())
                    .expect("a BadRequest detail");
                assert_eq!(bad.field_violations[0].field, format!("codes[{i}]"));
                assert!(bad.field_violations[0].description.contains("check character 18"), "{bad:?}");
            }
        }
    }
    assert_eq!(errors, 10);

    let err = c.batch_check_eligibility(request(vec![code(1); 1001])).await.unwrap_err();
    assert_violation(&err, "codes", "1001 codes");
    let err =
        c.batch_check_eligibility(pb::BatchCheckEligibilityRequest { domain: 0, ..request(vec![code(1)]) }).await.unwrap_err();
    assert_violation(&err, "domain", "is required");
    reg.stop().await;
}

async fn risk_classes_are_for_regulators_with_score_and_explanation() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = code(50);
    let start = months_ago(1);
    let end = start.checked_add_months(Months::new(36)).unwrap().pred_opt().unwrap();
    let listing = record_listing(&mut w, &uscc, listing(pb::ListType::SeriousIllegalDishonest, "K-1", start, Some(end))).await;
    let fine = record_penalty(&mut w, &uscc, serious_penalty("K-2", cny(10_000), months_ago(2))).await;
    let request = pb::GetRiskAssessmentRequest { uscc: uscc.clone(), evaluated_on: None, known_at: None };

    let mut buyer = reg.supervision("platform-1", &[Role::Procurement]).await;
    let err = buyer.get_risk_assessment(request.clone()).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);

    let mut regulator = reg.supervision("regulator-1", &[Role::Regulator]).await;
    let a = regulator.get_risk_assessment(request).await.unwrap().into_inner().assessment.unwrap();
    assert_eq!(a.risk_class, pb::RiskClass::D as i32, "{a:?}");
    assert_eq!(a.score, 950);
    let ids: Vec<&str> = a.contributions.iter().map(|c| c.record_id.as_str()).collect();
    assert!(ids.contains(&listing.record_id.as_str()) && ids.contains(&fine.record_id.as_str()), "{a:?}");
    assert_eq!(a.contributions.iter().map(|c| c.points).sum::<i32>(), a.score);
    assert!(!a.policy_version.is_empty());

    let listed = regulator
        .list_entities_by_risk_class(pb::ListEntitiesByRiskClassRequest {
            risk_class: pb::RiskClass::D as i32,
            region_prefix: "3101".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.assessments.len(), 1);
    assert_eq!(listed.assessments[0].uscc, uscc);
    let err = regulator
        .list_entities_by_risk_class(pb::ListEntitiesByRiskClassRequest { region_prefix: "31AB".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_violation(&err, "region_prefix", "administrative-division prefix");
    reg.stop().await;
}

async fn inspection_draws_are_reproducible_from_their_seed() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    for i in 0..40u32 {
        w.record_spot_check(pb::RecordSpotCheckRequest {
            request_id: String::new(),
            uscc: code(100 + i),
            spot_check: Some(pb::SpotCheck {
                report_number: format!("SC-{i}"),
                category: pb::Category::ProductQuality as i32,
                product: "电线".into(),
                product_class: "电线电缆".into(),
                batch: "B1".into(),
                outcome: pb::SpotCheckOutcome::Pass as i32,
                checked_on: date(days_ago(3)),
                failed_items: vec![],
                party_name: String::new(),
                legal_representative: String::new(),
            }),
        })
        .await
        .unwrap();
    }
    let mut regulator = reg.supervision("regulator-1", &[Role::Regulator]).await;
    let draw = |seed: &[u8], tree_size: i64| pb::DrawInspectionSampleRequest {
        region_prefix: "310115".into(),
        seed: seed.to_vec(),
        evaluated_on: None,
        request_id: String::new(),
        tree_size,
    };
    let first = regulator.draw_inspection_sample(draw(b"seed-2026-11", 0)).await.unwrap().into_inner().sample.unwrap();
    assert_eq!(first.sampled_codes.len(), 2, "ceil(40 x 5%) of class A");
    assert_eq!(first.tree_size, 40);
    let again = regulator.draw_inspection_sample(draw(b"seed-2026-11", 0)).await.unwrap().into_inner().sample.unwrap();
    assert_eq!(again.sampled_codes, first.sampled_codes);
    assert_ne!(again.draw_id, first.draw_id, "each draw is recorded");
    let other = regulator.draw_inspection_sample(draw(b"seed-2026-12", 0)).await.unwrap().into_inner().sample.unwrap();
    assert_ne!(other.sampled_codes, first.sampled_codes);

    // More entities later: re-running at the first draw's ledger size still
    // gives its sample.
    for i in 40..60u32 {
        w.record_commendation(pb::RecordCommendationRequest {
            request_id: String::new(),
            uscc: code(100 + i),
            commendation: Some(pb::Commendation {
                decision_number: format!("AW-{i}"),
                kind: pb::CommendationKind::FamousBrand as i32,
                title: "名牌产品".into(),
                awarded_on: date(days_ago(3)),
                valid_until: None,
                party_name: String::new(),
                legal_representative: String::new(),
            }),
        })
        .await
        .unwrap();
    }
    let rerun = regulator.draw_inspection_sample(draw(b"seed-2026-11", 40)).await.unwrap().into_inner().sample.unwrap();
    assert_eq!(rerun.sampled_codes, first.sampled_codes);

    let mut auditor = reg.supervision("auditor-1", &[Role::Auditor]).await;
    let kept = kept_sample(&mut auditor, &first.draw_id).await;
    assert_eq!(kept, first);
    let err = auditor.draw_inspection_sample(draw(b"x", 0)).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "only regulators draw");

    let random = regulator.draw_inspection_sample(draw(b"", 0)).await.unwrap().into_inner().sample.unwrap();
    assert_eq!(random.seed.len(), 32, "a fresh seed is chosen and returned");
    let err = regulator.draw_inspection_sample(draw(b"s", 1000)).await.unwrap_err();
    assert_violation(&err, "tree_size", "not a ledger size");
    reg.stop().await;
}

#[tokio::test]
async fn inspection_draws_stored_with_comma_joined_codes_keep_their_sample_after_the_migration() {
    use sqlx::{ConnectOptions, Executor};
    use std::str::FromStr;
    let mut reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    for i in 0..40u32 {
        let penalty = penalty(&format!("D-{i}"), 100);
        w.record_penalty(penalty_request("", &code(100 + i), penalty)).await.unwrap();
    }
    let mut regulator = reg.supervision("regulator-1", &[Role::Regulator]).await;
    let request = pb::DrawInspectionSampleRequest { region_prefix: "310115".into(), seed: b"s".to_vec(), ..Default::default() };
    let first = regulator.draw_inspection_sample(request).await.unwrap().into_inner().sample.unwrap();
    assert!(first.sampled_codes.len() > 1);
    reg.running.take().expect("running").stop().await.expect("clean stop");
    // Back to the shape migration 8 replaced: the codes comma-joined in the
    // draw's row.
    let mut db = sqlx::sqlite::SqliteConnectOptions::from_str(&reg.config.database_url()).unwrap().connect().await.unwrap();
    for sql in [
        "ALTER TABLE inspection_draws ADD COLUMN sampled_codes TEXT NOT NULL DEFAULT ''",
        "DROP TRIGGER inspection_draws_no_update",
        "UPDATE inspection_draws SET sampled_codes = (SELECT group_concat(uscc, ',') FROM \
         (SELECT uscc FROM inspection_draw_codes c WHERE c.draw_id = inspection_draws.draw_id ORDER BY position))",
        "CREATE TRIGGER inspection_draws_no_update BEFORE UPDATE ON inspection_draws \
         BEGIN SELECT RAISE(ABORT, 'inspection draws are append-only'); END",
        "DROP TABLE inspection_draw_codes",
        "DELETE FROM schema_migrations WHERE version = 8",
    ] {
        db.execute(sql).await.unwrap();
    }
    drop(db);
    reg.running = Some(creditregistry::server::start(&reg.config).await.expect("server restarts"));
    let mut auditor = reg.supervision("auditor-1", &[Role::Auditor]).await;
    let kept = kept_sample(&mut auditor, &first.draw_id).await;
    assert_eq!(kept, first, "the codes, in the order drawn");
    reg.stop().await;
}

/// A recorded inspection draw, read back by its id.
async fn kept_sample(client: &mut SupervisionClient, draw_id: &str) -> pb::InspectionSample {
    client
        .get_inspection_sample(pb::GetInspectionSampleRequest { draw_id: draw_id.into() })
        .await
        .unwrap()
        .into_inner()
        .sample
        .unwrap()
}

/// While writes arrive, checks take turns (`writer.checks_while_writing`):
/// every check is still answered and logged, and a check asked after a
/// write was acknowledged sees it.
#[tokio::test]
async fn checks_taking_turns_beside_a_stream_of_writes_are_all_answered_and_see_acknowledged_writes() {
    let reg = TestRegistry::start_with(|c| c.writer.checks_while_writing = 1).await;
    let written = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let writing = {
        let (mut w, written) = (reg.enforcement().await, written.clone());
        tokio::spawn(async move {
            for n in 0..60u32 {
                let uscc = code(5000 + n);
                record_penalty(&mut w, &uscc, serious_penalty(&format!("T-{n}"), cny(2_500_000), months_ago(1))).await;
                written.lock().unwrap().push(uscc);
            }
        })
    };
    let mut checkers = Vec::new();
    for k in 0..12u32 {
        let (mut c, written) = (reg.eligibility("platform-1", &[Role::Procurement]).await, written.clone());
        checkers.push(tokio::spawn(async move {
            let mut answered = 0u64;
            for round in 0u32.. {
                let acknowledged = written.lock().unwrap().clone();
                if acknowledged.len() == 60 && round > 0 {
                    break;
                }
                if k == 0 {
                    // A batch of every code written so far, and some never written.
                    let mut codes = acknowledged.clone();
                    codes.extend((0..40).map(|i| code(9000 + i)));
                    let request = pb::BatchCheckEligibilityRequest { codes, domain: GP as i32, ..Default::default() };
                    let results = c.batch_check_eligibility(request).await.expect("a batch check").into_inner().results;
                    for r in &results[..acknowledged.len()] {
                        let Some(pb::batch_check_eligibility_result::Outcome::Decision(d)) = &r.outcome else {
                            panic!("no decision: {r:?}")
                        };
                        assert_eq!(eligibility(d), pb::Eligibility::Ineligible, "{}", r.requested_code);
                    }
                } else if let Some(uscc) = acknowledged.get((round * 12 + k) as usize % acknowledged.len().max(1)) {
                    let d = decide(&mut c, check(uscc, None)).await;
                    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "{uscc} was written before this check");
                } else {
                    decide(&mut c, check(&code(9999), None)).await;
                }
                answered += 1;
            }
            answered
        }));
    }
    writing.await.unwrap();
    let mut answered = 0;
    for checker in checkers {
        answered += checker.await.unwrap();
    }
    assert!(answered >= 12, "every checker answered");
    let mut a = reg.audit("auditor-1", &[Role::Auditor]).await;
    let cp = a.create_checkpoint(pb::CreateCheckpointRequest {}).await.unwrap().into_inner().checkpoint.unwrap();
    let body = pb::Checkpoint::decode(cp.checkpoint.as_slice()).unwrap();
    assert_eq!(body.check_log_size as u64, answered, "every check answered is logged");
    reg.stop().await;
}

on_both_backends!(
    major_violation_bars_procurement_for_three_years_from_a_fine_of_two_million,
    a_debarment_bars_until_its_last_day,
    a_repaired_serious_listing_stops_counting_and_disappears_for_procurement,
    a_revoked_penalty_stops_counting_but_past_knowledge_still_shows_it,
    a_consortium_with_one_debarred_member_is_ineligible_and_names_it,
    a_batch_of_a_thousand_with_ten_malformed_gives_990_answers_and_10_precise_errors,
    risk_classes_are_for_regulators_with_score_and_explanation,
    inspection_draws_are_reproducible_from_their_seed,
);
