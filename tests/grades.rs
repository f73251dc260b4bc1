//! Credit grades (信用等级) over real gRPC: issued, downgraded, corrected and
//! revoked by their authority; the grade in force on a date and as known at
//! an instant; published levels only for procurement callers.

mod common;

use chrono::{Duration, Months, NaiveDate};
use common::*;
use creditregistry::auth::Role;
use creditregistry::proto::pb;
use tonic::Code;

fn code(n: u32) -> String {
    code_in("440800", n)
}

fn grade(scheme: &str, level: &str, number: &str, evaluated_on: NaiveDate, months: u32) -> pb::Grade {
    pb::Grade {
        scheme: scheme.into(),
        level: level.into(),
        decision_number: number.into(),
        evaluated_on: date(evaluated_on),
        valid_until: date(evaluated_on.checked_add_months(Months::new(months)).unwrap()),
        grounds: "年度评价".into(),
        legal_basis: "GB/T 31863-2015".into(),
    }
}

async fn issue(w: &mut RecordsClient, uscc: &str, g: pb::Grade) -> Result<pb::Record, tonic::Status> {
    w.record_grade(pb::RecordGradeRequest { request_id: String::new(), uscc: uscc.into(), grade: Some(g) })
        .await
        .map(|r| r.into_inner().record.unwrap())
}

fn change(grade_record_id: &str, kind: pb::GradeChangeType, level: &str, decided_on: NaiveDate) -> pb::ChangeGradeRequest {
    pb::ChangeGradeRequest {
        request_id: String::new(),
        change: Some(pb::GradeChange {
            grade_record_id: grade_record_id.into(),
            r#type: kind as i32,
            level: level.into(),
            decided_on: date(decided_on),
            decision_number: String::new(),
            reason: "复核".into(),
        }),
    }
}

/// The grades in force a caller sees, as (scheme, level).
async fn grades_on(client: &mut RecordsClient, uscc: &str, on: Option<NaiveDate>, known_at: Option<prost_types::Timestamp>) -> Vec<(String, String)> {
    client
        .get_profile(pb::GetProfileRequest { uscc: uscc.into(), evaluated_on: on.and_then(date), known_at, ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .grades_in_force
        .into_iter()
        .map(|g| (g.scheme, g.level))
        .collect()
}

fn pair(scheme: &str, level: &str) -> Vec<(String, String)> {
    vec![(scheme.to_string(), level.to_string())]
}

async fn a_grade_is_issued_downgraded_and_revoked_and_stands_by_date() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut auditor = reg.auditor().await;
    let uscc = code(1);
    let evaluated = days_ago(100);
    let issued = issue(&mut w, &uscc, grade("quality_credit", "A", "QC-1", evaluated, 24)).await.unwrap();

    assert_eq!(grades_on(&mut auditor, &uscc, None, None).await, pair("quality_credit", "A"));
    assert!(grades_on(&mut auditor, &uscc, Some(evaluated - Duration::days(1)), None).await.is_empty(), "before its evaluation");
    let last = evaluated.checked_add_months(Months::new(24)).unwrap();
    assert_eq!(grades_on(&mut auditor, &uscc, Some(last), None).await, pair("quality_credit", "A"), "its last valid day");
    assert!(grades_on(&mut auditor, &uscc, Some(last + Duration::days(1)), None).await.is_empty(), "after its validity");

    let before_downgrade = issued.recorded_at;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let err = w.change_grade(change(&issued.record_id, pb::GradeChangeType::Downgrade, "A", days_ago(10))).await.unwrap_err();
    assert_violation(&err, "change.level", "not below");
    w.change_grade(change(&issued.record_id, pb::GradeChangeType::Downgrade, "C", days_ago(10))).await.unwrap();
    assert_eq!(grades_on(&mut auditor, &uscc, None, None).await, pair("quality_credit", "C"));
    assert_eq!(grades_on(&mut auditor, &uscc, Some(days_ago(11)), None).await, pair("quality_credit", "A"), "before the downgrade's date");
    let mut auditor_checks = reg.records(&reg.token("auditor-1", &[Role::Auditor], None)).await;
    assert_eq!(
        grades_on(&mut auditor_checks, &uscc, None, before_downgrade).await,
        pair("quality_credit", "A"),
        "as known before the downgrade"
    );

    let mut other = reg.records(&reg.token("officer-9", &[Role::Enforcement], Some(OTHER_AUTHORITY))).await;
    let err = other.change_grade(change(&issued.record_id, pb::GradeChangeType::Revocation, "", days_ago(1))).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "谁认定、谁修复");
    w.change_grade(change(&issued.record_id, pb::GradeChangeType::Revocation, "", days_ago(1))).await.unwrap();
    assert!(grades_on(&mut auditor, &uscc, Some(days_ago(20)), None).await.is_empty(), "a revocation voids from the start");
    let history = profile(&mut auditor, &uscc).await;
    let entry = history.records.iter().find(|e| e.record.as_ref().unwrap().record_id == issued.record_id).unwrap();
    assert_eq!(entry.status, pb::RecordStatus::Revoked as i32);
    assert_eq!(entry.changed_by_record_ids.len(), 2, "the downgrade and the revocation");
    let history = reg
        .audit("auditor-1", &[Role::Auditor])
        .await
        .get_entity_history(pb::GetEntityHistoryRequest { uscc: uscc.clone(), evaluated_on: date(days_ago(20)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    let kinds: Vec<bool> = history
        .entries
        .iter()
        .map(|e| matches!(e.entry.as_ref().unwrap().record.as_ref().unwrap().body, Some(pb::record::Body::GradeChange(_))))
        .collect();
    assert_eq!(kinds, [false, true, true], "the grade, its downgrade and its revocation, in ledger order");
    assert_eq!(history.entries[0].entry.as_ref().unwrap().status, pb::RecordStatus::Revoked as i32);
    reg.stop().await;
}

async fn procurement_sees_a_grade_only_where_its_scheme_publishes_the_level() {
    let reg = TestRegistry::start().await;
    let mut tax = reg.records(&reg.token("tax-1", &[Role::Enforcement], Some("TAX-440800"))).await;
    let mut samr = reg.enforcement().await;
    let mut buyer = reg.procurement().await;
    let mut auditor = reg.auditor().await;
    let (a_grade, b_grade) = (code(2), code(3));
    issue(&mut tax, &a_grade, grade("tax_credit", "A", "TAXG-2", days_ago(30), 12)).await.unwrap();
    issue(&mut tax, &b_grade, grade("tax_credit", "B", "TAXG-3", days_ago(30), 12)).await.unwrap();
    assert_eq!(grades_on(&mut buyer, &a_grade, None, None).await, pair("tax_credit", "A"), "the A list is published");
    assert!(grades_on(&mut buyer, &b_grade, None, None).await.is_empty(), "B is not published");
    assert_eq!(profile(&mut buyer, &b_grade).await.status, pb::ProfileStatus::NoRecords as i32);
    assert_eq!(grades_on(&mut auditor, &b_grade, None, None).await, pair("tax_credit", "B"));

    let err = issue(&mut samr, &a_grade, grade("tax_credit", "A", "TAXG-X", days_ago(30), 12)).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "GRADE_NOT_FOR_AUTHORITY"), "{err:?}");
    reg.stop().await;
}

async fn a_later_serious_listing_caps_the_grade_where_the_scheme_says_so() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut auditor = reg.auditor().await;
    let uscc = code(4);
    let issued = issue(&mut w, &uscc, grade("quality_credit", "A", "QC-4", days_ago(60), 24)).await.unwrap();
    let listed = days_ago(30);
    let entry = record_listing(
        &mut w,
        &uscc,
        listing(pb::ListType::SeriousIllegalDishonest, "S-4", listed, Some(listed.checked_add_months(Months::new(36)).unwrap())),
    )
    .await;
    let shown = auditor
        .get_profile(pb::GetProfileRequest { uscc: uscc.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .grades_in_force;
    assert_eq!((shown[0].level.as_str(), shown[0].grade_record_id.as_str()), ("D", issued.record_id.as_str()));
    assert_eq!(shown[0].capped_by_record_id, entry.record_id);
    assert!(!shown[0].schemes_version.is_empty());
    assert_eq!(grades_on(&mut auditor, &uscc, Some(days_ago(31)), None).await, pair("quality_credit", "A"), "before the listing");
    reg.stop().await;
}

async fn impossible_grades_are_refused_with_every_problem() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let bad = pb::Grade { level: "A+".into(), grounds: String::new(), ..grade("quality_credit", "A", "QC-9", days_ago(10), 36) };
    let err = issue(&mut w, &code(5), bad).await.unwrap_err();
    assert_violation(&err, "grade.level", "not a level");
    assert_violation(&err, "grade.valid_until", "longer than the 24 months");
    assert_violation(&err, "grade.grounds", "is required");
    let err = issue(&mut w, &code(5), grade("michelin", "3", "M-1", days_ago(10), 12)).await.unwrap_err();
    assert_violation(&err, "grade.scheme", "not a grading scheme");
    reg.stop().await;
}

fn check(uscc: &str, domain: pb::MeasureDomain) -> pb::CheckEligibilityRequest {
    pb::CheckEligibilityRequest { uscc: uscc.into(), domain: domain as i32, ..Default::default() }
}

fn incentives(d: &pb::Decision) -> Vec<&str> {
    d.incentives.iter().map(|m| m.measure_code.as_str()).collect()
}

/// 守信联合激励 (国发〔2016〕33号): a red-listed supplier gets its incentive in
/// the right domain, and loses it there once debarred, since a restriction
/// always outranks an incentive in its domain.
async fn incentives_follow_the_red_list_grades_and_awards_and_yield_to_restrictions() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut tax = reg.records(&reg.token("tax-1", &[Role::Enforcement], Some("TAX-440800"))).await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let red = code(10);
    record_listing(&mut w, &red, listing(pb::ListType::RedList, "RED-10", days_ago(30), None)).await;
    let d = decide(&mut c, check(&red, pb::MeasureDomain::GovernmentProcurement)).await;
    assert_eq!((eligibility(&d), incentives(&d)), (pb::Eligibility::Eligible, vec!["INC-RED-PROCUREMENT-PRIORITY"]));
    assert_eq!(d.incentives[0].incentive, "priority");
    let d = decide(&mut c, check(&red, pb::MeasureDomain::MarketAccess)).await;
    assert_eq!(incentives(&d), ["INC-RED-GREEN-CHANNEL"]);

    let start = days_ago(5);
    record_listing(&mut w, &red, listing(pb::ListType::ProcurementDebarment, "D-10", start, Some(start.checked_add_months(Months::new(12)).unwrap()))).await;
    let d = decide(&mut c, check(&red, pb::MeasureDomain::GovernmentProcurement)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible);
    assert!(d.incentives.is_empty(), "a restriction outranks the incentive: {d:?}");
    let d = decide(&mut c, check(&red, pb::MeasureDomain::MarketAccess)).await;
    assert_eq!(incentives(&d), ["INC-RED-GREEN-CHANNEL"], "other domains keep theirs");

    let (graded_a, graded_b) = (code(11), code(12));
    issue(&mut tax, &graded_a, grade("tax_credit", "A", "TAXG-11", days_ago(30), 12)).await.unwrap();
    issue(&mut tax, &graded_b, grade("tax_credit", "B", "TAXG-12", days_ago(30), 12)).await.unwrap();
    let d = decide(&mut c, check(&graded_a, pb::MeasureDomain::MarketAccess)).await;
    assert_eq!(incentives(&d), ["INC-TAX-A-GREEN-CHANNEL"]);
    let d = decide(&mut c, check(&graded_b, pb::MeasureDomain::MarketAccess)).await;
    assert!(d.incentives.is_empty());

    let awarded = code(13);
    w.record_commendation(pb::RecordCommendationRequest {
        request_id: String::new(),
        uscc: awarded.clone(),
        commendation: Some(pb::Commendation {
            decision_number: "质量奖〔2026〕1号".into(),
            kind: pb::CommendationKind::GovernmentQualityAward as i32,
            title: "湛江市政府质量奖".into(),
            awarded_on: date(days_ago(40)),
            valid_until: None,
        }),
    })
    .await
    .unwrap();
    let d = decide(&mut c, check(&awarded, pb::MeasureDomain::Honours)).await;
    assert_eq!(incentives(&d), ["INC-AWARD-HONOURS-PRIORITY"]);
    reg.stop().await;
}

/// The risk scoring reads the grade in force as data and names it in its
/// explanation; grade, risk class and eligibility stay three answers.
async fn risk_scores_name_the_grade_and_statistics_count_grades_by_level() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let (a, d1, d2) = (code(20), code(21), code(22));
    let graded = issue(&mut w, &a, grade("quality_credit", "A", "QC-20", days_ago(50), 24)).await.unwrap();
    for (uscc, number) in [(&d1, "QC-21"), (&d2, "QC-22")] {
        issue(&mut w, uscc, grade("quality_credit", "D", number, days_ago(50), 24)).await.unwrap();
    }
    let mut regulator = reg.supervision("regulator-1", &[Role::Regulator]).await;
    let assessment = regulator
        .get_risk_assessment(pb::GetRiskAssessmentRequest { uscc: d1.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .assessment
        .unwrap();
    let named = assessment.contributions.iter().find(|c| c.reason.contains("grade D of quality_credit"));
    assert!(named.is_some_and(|c| c.points > 0), "{assessment:?}");
    let assessment = regulator
        .get_risk_assessment(pb::GetRiskAssessmentRequest { uscc: a.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .assessment
        .unwrap();
    assert!(assessment.contributions.iter().any(|c| c.record_id == graded.record_id && c.points < 0), "{assessment:?}");

    let stats = regulator
        .get_grade_statistics(pb::GetGradeStatisticsRequest { region_prefix: "4408".into(), scheme: "quality_credit".into(), evaluated_on: None })
        .await
        .unwrap()
        .into_inner();
    let rows: Vec<(&str, i64)> = stats.rows.iter().map(|r| (r.level.as_str(), r.entities)).collect();
    assert_eq!(rows, [("A", 1), ("B", 0), ("C", 0), ("D", 2)]);
    let before = regulator
        .get_grade_statistics(pb::GetGradeStatisticsRequest {
            region_prefix: "4408".into(),
            scheme: "quality_credit".into(),
            evaluated_on: date(days_ago(51)),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(before.rows.iter().all(|r| r.entities == 0), "no grade was in force yet");
    let err = regulator
        .get_grade_statistics(pb::GetGradeStatisticsRequest { scheme: "michelin".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_violation(&err, "scheme", "not a grading scheme");
    reg.stop().await;
}

/// A 双随机 draw weighted by grade (policy/supervision.toml `grade_sampling`):
/// quality grade D doubles a class's sampling ratio.
async fn a_draw_samples_poorly_graded_entities_more() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    for n in 0..20 {
        let graded = code_in("440900", n);
        issue(&mut w, &graded, grade("quality_credit", "D", &format!("QD-{n}"), days_ago(20), 24)).await.unwrap();
        let plain = code_in("441000", n);
        w.record_spot_check(pb::RecordSpotCheckRequest {
            request_id: String::new(),
            uscc: plain,
            spot_check: Some(pb::SpotCheck {
                report_number: format!("SC-{n}"),
                category: pb::Category::ProductQuality as i32,
                product: "电线".into(),
                product_class: "电线电缆".into(),
                batch: "B1".into(),
                outcome: pb::SpotCheckOutcome::Pass as i32,
                checked_on: date(days_ago(20)),
                failed_items: vec![],
            }),
        })
        .await
        .unwrap();
    }
    let regulator = reg.supervision("regulator-1", &[Role::Regulator]).await;
    let draw = |region: &str| {
        let request = pb::DrawInspectionSampleRequest { region_prefix: region.into(), seed: b"fixed".to_vec(), ..Default::default() };
        let mut client = regulator.clone();
        async move { client.draw_inspection_sample(request).await.unwrap().into_inner().sample.unwrap().sampled_codes.len() }
    };
    // Both populations are class A (5%): 20 entities give ceil(1.0) = 1, or
    // ceil(2.0) = 2 at the D grade's 200%.
    assert_eq!(draw("441000").await, 1);
    assert_eq!(draw("440900").await, 2);
    let policy = regulator.clone().get_supervision_policy(pb::GetSupervisionPolicyRequest::default()).await.unwrap().into_inner();
    assert!(policy.grade_sampling.iter().any(|g| g.scheme == "quality_credit" && g.levels == ["D"] && g.ratio_percent == 200));
    assert!(policy.grade_points.iter().any(|g| (g.scheme.as_str(), g.level.as_str(), g.points) == ("quality_credit", "D", 150)));
    reg.stop().await;
}

/// Downgrades only ever lower a grade, whatever order they are recorded in;
/// only a grade in force can be downgraded; a bad validity is named even
/// beside an unknown scheme.
async fn downgrades_never_raise_a_grade_and_need_one_in_force() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut auditor = reg.auditor().await;
    let uscc = code(30);
    let issued = issue(&mut w, &uscc, grade("quality_credit", "A", "QC-30", days_ago(300), 24)).await.unwrap();
    w.change_grade(change(&issued.record_id, pb::GradeChangeType::Downgrade, "B", days_ago(100))).await.unwrap();
    w.change_grade(change(&issued.record_id, pb::GradeChangeType::Downgrade, "D", days_ago(200))).await.unwrap();
    assert_eq!(grades_on(&mut auditor, &uscc, Some(days_ago(150)), None).await, pair("quality_credit", "D"));
    assert_eq!(grades_on(&mut auditor, &uscc, None, None).await, pair("quality_credit", "D"), "the later B cannot raise it");

    let expired = issue(&mut w, &code(31), grade("quality_credit", "B", "QC-31", days_ago(400), 12)).await.unwrap();
    let err = w.change_grade(change(&expired.record_id, pb::GradeChangeType::Downgrade, "C", days_ago(10))).await.unwrap_err();
    assert_violation(&err, "change.decided_on", "not in force");

    let bad = pb::Grade { valid_until: date(days_ago(20)), ..grade("nosuch", "A", "QC-32", days_ago(10), 12) };
    let err = issue(&mut w, &code(32), bad).await.unwrap_err();
    assert_violation(&err, "grade.scheme", "not a grading scheme");
    assert_violation(&err, "grade.valid_until", "before evaluated_on");
    reg.stop().await;
}

on_both_backends!(
    a_grade_is_issued_downgraded_and_revoked_and_stands_by_date,
    procurement_sees_a_grade_only_where_its_scheme_publishes_the_level,
    a_later_serious_listing_caps_the_grade_where_the_scheme_says_so,
    impossible_grades_are_refused_with_every_problem,
    incentives_follow_the_red_list_grades_and_awards_and_yield_to_restrictions,
    risk_scores_name_the_grade_and_statistics_count_grades_by_level,
    a_draw_samples_poorly_graded_entities_more,
    downgrades_never_raise_a_grade_and_need_one_in_force,
);
