//! Credit grades (信用等级) over real gRPC: issued, downgraded, corrected,
//! repaired and revoked by their authority; the grade in force on a date and
//! as known at an instant, read with the edition of its evaluation date;
//! published levels only for procurement callers; not rated as a state of
//! its own; the major tax violator list against a tax grade.

mod common;

use chrono::{Datelike, Duration, Months, NaiveDate};
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
        rating_year: evaluated_on.year() - 1,
        not_rated: false,
        party_name: String::new(),
        legal_representative: String::new(),
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
async fn grades_on(
    client: &mut RecordsClient,
    uscc: &str,
    on: Option<NaiveDate>,
    known_at: Option<prost_types::Timestamp>,
) -> Vec<(String, String)> {
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
    assert_eq!(
        grades_on(&mut auditor, &uscc, Some(days_ago(11)), None).await,
        pair("quality_credit", "A"),
        "before the downgrade's date"
    );
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
        .get_entity_history(pb::GetEntityHistoryRequest {
            uscc: uscc.clone(),
            evaluated_on: date(days_ago(20)),
            ..Default::default()
        })
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
    record_listing(
        &mut w,
        &red,
        listing(pb::ListType::ProcurementDebarment, "D-10", start, Some(start.checked_add_months(Months::new(12)).unwrap())),
    )
    .await;
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
            party_name: String::new(),
            legal_representative: String::new(),
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
        .get_grade_statistics(pb::GetGradeStatisticsRequest {
            region_prefix: "4408".into(),
            scheme: "quality_credit".into(),
            evaluated_on: None,
        })
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
                party_name: String::new(),
                legal_representative: String::new(),
            }),
        })
        .await
        .unwrap();
    }
    let regulator = reg.supervision("regulator-1", &[Role::Regulator]).await;
    let draw = |region: &str| {
        let request =
            pb::DrawInspectionSampleRequest { region_prefix: region.into(), seed: b"fixed".to_vec(), ..Default::default() };
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

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A tax grade evaluated on `evaluated_on` for `rating_year` (0: none).
fn tax_grade(level: &str, number: &str, evaluated_on: &str, rating_year: i32) -> pb::Grade {
    pb::Grade {
        rating_year, legal_basis: "纳税缴费信用评价".into(), ..grade("tax_credit", level, number, day(evaluated_on), 12)
    }
}

/// The grade in force in the tax scheme on `on`, as `client` sees it.
async fn tax_in_force(client: &mut RecordsClient, uscc: &str, on: &str) -> Option<pb::GradeInForce> {
    client
        .get_profile(pb::GetProfileRequest { uscc: uscc.into(), evaluated_on: date(day(on)), ..Default::default() })
        .await
        .unwrap()
        .into_inner()
        .grades_in_force
        .into_iter()
        .find(|g| g.scheme == "tax_credit")
}

async fn tax_authority(reg: &TestRegistry) -> RecordsClient {
    reg.records(&reg.token("tax-1", &[Role::Enforcement], Some("TAX-440800"))).await
}

/// 《纳税缴费信用管理办法》 (公告2025年第12号) from 2025-07-01; the 2014
/// measures (公告2014年第40号, M from 2018-04-01 by 公告2018年第8号) for
/// grades evaluated before: a grade is explained by the edition in force on
/// its evaluation date, and names its rating year.
async fn tax_grades_are_read_with_the_edition_of_their_evaluation_date() {
    let reg = TestRegistry::start().await;
    let mut tax = tax_authority(&reg).await;
    let mut auditor = reg.auditor().await;
    let (new, old, m) = (code(40), code(41), code(42));
    issue(&mut tax, &new, tax_grade("A", "TAXG-40", "2026-04-15", 2025)).await.unwrap();
    issue(&mut tax, &old, tax_grade("A", "TAXG-41", "2024-04-15", 2023)).await.unwrap();

    let shown = tax_in_force(&mut auditor, &new, "2026-11-07").await.unwrap();
    assert_eq!((shown.schemes_version.as_str(), shown.scheme_name_zh.as_str()), ("grades-2026.2", "纳税缴费信用等级"));
    assert!(shown.legal_basis.contains("2025年第12号"), "{}", shown.legal_basis);
    assert_eq!(shown.rating_year, 2025);
    for on in ["2024-11-07", "2025-03-01"] {
        let shown = tax_in_force(&mut auditor, &old, on).await.unwrap();
        assert_eq!((shown.schemes_version.as_str(), shown.scheme_name_zh.as_str()), ("grades-2014.1", "纳税信用等级"), "on {on}");
        assert!(shown.legal_basis.contains("2014年第40号"), "{}", shown.legal_basis);
        assert_eq!(shown.rating_year, 2023);
    }
    let record = profile(&mut auditor, &new).await.records.into_iter().find_map(|e| match e.record?.body? {
        pb::record::Body::Grade(g) => Some(g),
        _ => None,
    });
    assert_eq!(record.map(|g| g.rating_year), Some(2025), "the record keeps its rating year");

    // M only for evaluations from 2018-04-01 (公告2018年第8号).
    let err = issue(&mut tax, &m, tax_grade("M", "TAXG-42", "2018-03-31", 2017)).await.unwrap_err();
    assert_violation(&err, "grade.level", "only to grades evaluated from 2018-04-01");
    issue(&mut tax, &m, tax_grade("M", "TAXG-43", "2018-04-01", 2017)).await.unwrap();

    // The 2025 measures evaluate by calendar year: the rating year is
    // required, and cannot be after the year evaluated in.
    let err = issue(&mut tax, &code(44), tax_grade("B", "TAXG-44", "2026-04-15", 0)).await.unwrap_err();
    assert_violation(&err, "grade.rating_year", "is required");
    let err = issue(&mut tax, &code(44), tax_grade("B", "TAXG-45", "2026-04-15", 2027)).await.unwrap_err();
    assert_violation(&err, "grade.rating_year", "2027");
    issue(&mut tax, &code(44), tax_grade("B", "TAXG-46", "2024-04-15", 0)).await.unwrap();
    reg.stop().await;
}

/// 无记载不评价 (公告2025年第12号 arts. 12, 15): not rated is a state of its
/// own: shown as not rated, never as M, no incentive, not counted as M.
async fn not_rated_is_a_state_of_its_own_and_never_m() {
    let reg = TestRegistry::start().await;
    let mut tax = tax_authority(&reg).await;
    let mut auditor = reg.auditor().await;
    let mut buyer = reg.procurement().await;
    let (first_year, m) = (code(50), code(51));
    let not_rated = pb::Grade { level: String::new(), not_rated: true, ..tax_grade("", "TAXG-50", "2026-04-15", 2025) };
    let unrated = issue(&mut tax, &first_year, not_rated.clone()).await.unwrap();
    issue(&mut tax, &m, tax_grade("M", "TAXG-51", "2026-04-15", 2025)).await.unwrap();

    let shown = tax_in_force(&mut auditor, &first_year, "2026-05-01").await.unwrap();
    assert!(shown.not_rated && shown.level.is_empty(), "{shown:?}");
    assert!(shown.meaning_zh.contains("不予评价"), "{}", shown.meaning_zh);
    assert!(tax_in_force(&mut buyer, &first_year, "2026-05-01").await.is_none(), "not published");
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let d = decide(
        &mut c,
        pb::CheckEligibilityRequest {
            evaluated_on: date(day("2026-05-01")),
            ..check(&first_year, pb::MeasureDomain::MarketAccess)
        },
    )
    .await;
    assert!(d.incentives.is_empty(), "{d:?}");

    let mut regulator = reg.supervision("regulator-1", &[Role::Regulator]).await;
    let stats = regulator
        .get_grade_statistics(pb::GetGradeStatisticsRequest {
            region_prefix: "4408".into(),
            scheme: "tax_credit".into(),
            evaluated_on: date(day("2026-05-01")),
        })
        .await
        .unwrap()
        .into_inner();
    let rows: Vec<(&str, i64)> = stats.rows.iter().map(|r| (r.level.as_str(), r.entities)).collect();
    assert_eq!(rows, [("A", 0), ("B", 0), ("M", 1), ("C", 0), ("D", 0)]);
    assert_eq!(stats.not_rated, 1);

    let err =
        tax.change_grade(change(&unrated.record_id, pb::GradeChangeType::Downgrade, "D", day("2026-05-01"))).await.unwrap_err();
    assert_violation(&err, "change.level", "not rated");
    let err = issue(&mut tax, &code(52), pb::Grade { level: "M".into(), decision_number: "TAXG-52".into(), ..not_rated.clone() })
        .await
        .unwrap_err();
    assert_violation(&err, "grade.level", "must be empty");
    let before = pb::Grade { decision_number: "TAXG-53".into(), ..tax_grade("", "TAXG-53", "2025-04-15", 2024) };
    let err = issue(&mut tax, &code(53), pb::Grade { not_rated: true, ..before }).await.unwrap_err();
    assert_violation(&err, "grade.not_rated", "no not-rated state");
    reg.stop().await;
}

fn violator(number: &str, listed_on: &str) -> pb::Listing {
    let listed_on = day(listed_on);
    listing(pb::ListType::MajorTaxViolator, number, listed_on, listed_on.checked_add_months(Months::new(36)))
}

/// Incentives of a tax grade in force in market access on `on`.
async fn tax_incentives(c: &mut EligibilityClient, uscc: &str, on: &str) -> Vec<String> {
    let d =
        decide(c, pb::CheckEligibilityRequest { evaluated_on: date(day(on)), ..check(uscc, pb::MeasureDomain::MarketAccess) })
            .await;
    d.incentives.into_iter().map(|m| m.measure_code).collect()
}

/// 公告2025年第12号 art. 18(12): a taxpayer on the major tax violator list
/// is D, whether listed before or after the evaluation; the D names the
/// listing, grants no tax-A incentive, and outlasts the listing's removal
/// until a repair or a new evaluation.
async fn a_major_tax_violator_is_d_from_the_listing_until_a_repair_or_a_new_evaluation() {
    let reg = TestRegistry::start().await;
    let mut tax = tax_authority(&reg).await;
    let mut auditor = reg.auditor().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let (listed_first, graded_first, evaluated_again) = (code(60), code(61), code(62));
    let green = vec!["INC-TAX-A-GREEN-CHANNEL".to_string()];

    let listing = record_listing(&mut tax, &listed_first, violator("湛税稽〔2026〕60号", "2026-01-10")).await;
    let grade_a = issue(&mut tax, &listed_first, tax_grade("A", "TAXG-60", "2026-04-15", 2025)).await.unwrap();
    let shown = tax_in_force(&mut auditor, &listed_first, "2026-05-01").await.unwrap();
    assert_eq!((shown.level.as_str(), shown.capped_by_record_id.as_str()), ("D", listing.record_id.as_str()));
    assert!(tax_incentives(&mut c, &listed_first, "2026-05-01").await.is_empty(), "no tax-A incentive while D");

    issue(&mut tax, &graded_first, tax_grade("A", "TAXG-61", "2026-03-01", 2025)).await.unwrap();
    let later = record_listing(&mut tax, &graded_first, violator("湛税稽〔2026〕61号", "2026-04-01")).await;
    assert_eq!(tax_in_force(&mut auditor, &graded_first, "2026-03-31").await.unwrap().level, "A");
    assert_eq!(tax_incentives(&mut c, &graded_first, "2026-03-31").await, green);
    let shown = tax_in_force(&mut auditor, &graded_first, "2026-04-01").await.unwrap();
    assert_eq!(
        (shown.level.as_str(), shown.capped_by_record_id.as_str()),
        ("D", later.record_id.as_str()),
        "D from the listing's date"
    );
    assert!(tax_incentives(&mut c, &graded_first, "2026-04-01").await.is_empty());

    // Paid and removed: still D, naming the listing.
    tax.remove_listing(removal(&listing.record_id, pb::RemovalReason::Cured, day("2026-10-20"))).await.unwrap();
    let shown = tax_in_force(&mut auditor, &listed_first, "2026-11-01").await.unwrap();
    assert_eq!(
        (shown.level.as_str(), shown.capped_by_record_id.as_str()),
        ("D", listing.record_id.as_str()),
        "removal does not restore A"
    );
    assert!(tax_incentives(&mut c, &listed_first, "2026-11-01").await.is_empty());

    // A repair while the capping listing stands is refused; after, it sets the level.
    let mut repair = change(&grade_a.record_id, pb::GradeChangeType::Repair, "B", day("2026-11-10"));
    let still = change(&grade_a.record_id, pb::GradeChangeType::Repair, "B", day("2026-10-19"));
    let err = tax.change_grade(still).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "REPAIR_NOT_ALLOWED"), "{err:?}");
    repair.change.as_mut().unwrap().reason = "已缴清税款、滞纳金和罚款，信用修复".into();
    tax.change_grade(repair).await.unwrap();
    let shown = tax_in_force(&mut auditor, &listed_first, "2026-11-15").await.unwrap();
    assert_eq!((shown.level.as_str(), shown.capped_by_record_id.as_str()), ("B", ""));
    assert_eq!(tax_in_force(&mut auditor, &listed_first, "2026-11-09").await.unwrap().level, "D", "before the repair");

    // A new evaluation after the listing ended stands on its own.
    let third = record_listing(&mut tax, &evaluated_again, violator("湛税稽〔2026〕62号", "2026-01-10")).await;
    issue(&mut tax, &evaluated_again, tax_grade("A", "TAXG-62", "2026-02-01", 2025)).await.unwrap();
    tax.remove_listing(removal(&third.record_id, pb::RemovalReason::Cured, day("2026-08-01"))).await.unwrap();
    assert_eq!(tax_in_force(&mut auditor, &evaluated_again, "2026-08-20").await.unwrap().level, "D");
    issue(&mut tax, &evaluated_again, tax_grade("A", "TAXG-63", "2026-09-01", 2025)).await.unwrap();
    let shown = tax_in_force(&mut auditor, &evaluated_again, "2026-09-10").await.unwrap();
    assert_eq!((shown.level.as_str(), shown.capped_by_record_id.as_str()), ("A", ""));
    assert_eq!(tax_incentives(&mut c, &evaluated_again, "2026-09-10").await, green);
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
    tax_grades_are_read_with_the_edition_of_their_evaluation_date,
    not_rated_is_a_state_of_its_own_and_never_m,
    a_major_tax_violator_is_d_from_the_listing_until_a_repair_or_a_new_evaluation,
);
