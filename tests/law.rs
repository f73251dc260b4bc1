//! Answers that match the law, over real gRPC: each test names the input,
//! the right answer and its legal source.

mod common;

use chrono::{Duration, Months, NaiveDate};
use common::*;
use creditregistry::auth::Role;
use creditregistry::proto::pb;
use prost::Message;
use tonic::Code;

const GP: pb::MeasureDomain = pb::MeasureDomain::GovernmentProcurement;
const BT: pb::MeasureDomain = pb::MeasureDomain::BiddingAndTendering;

/// A valid code of region 440800 (Zhanjiang) numbered `n`.
fn code(n: u32) -> String {
    code_in("440800", n)
}

fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap()
}

fn fine(number: &str, severity: pb::SeverityTier, fine_fen: i64, decided_on: NaiveDate) -> pb::Penalty {
    pb::Penalty { severity: severity as i32, sanctions: vec![], decided_on: date(decided_on), ..penalty(number, fine_fen) }
}

fn check(uscc: &str, domain: pb::MeasureDomain, on: Option<NaiveDate>) -> pb::CheckEligibilityRequest {
    pb::CheckEligibilityRequest {
        uscc: uscc.into(),
        domain: domain as i32,
        evaluated_on: on.and_then(date),
        min_sequence: 0,
        known_at: None,
        declared_name: String::new(),
    }
}

fn codes_of(d: &pb::Decision) -> Vec<&str> {
    d.measures.iter().map(|m| m.measure_code.as_str()).collect()
}

fn repair_application(target: &str, applied_on: NaiveDate) -> pb::RequestRepairRequest {
    pb::RequestRepairRequest {
        request_id: String::new(),
        application: Some(pb::RepairApplication {
            target_record_id: target.into(),
            applied_on: date(applied_on),
            statement: "已整改并作出信用承诺".into(),
        }),
    }
}

fn grant(application_record_id: &str, decided_on: NaiveDate) -> pb::DecideRepairRequest {
    pb::DecideRepairRequest {
        request_id: String::new(),
        decision: Some(pb::RepairDecision {
            application_record_id: application_record_id.into(),
            outcome: pb::RepairOutcome::Granted as i32,
            decided_on: date(decided_on),
            decision_number: "修复〔2026〕9号".into(),
            reason: String::new(),
        }),
    }
}

/// Fault 1. A GENERAL penalty with a CNY 3,000,000 fine, decided 14 months
/// ago: its publicity (一般, at most 1 year, NDRC Order 36 art. 12) has
/// ended, but the procurement bar runs 3 years from the decision (政府采购法
/// art. 22(5), 实施条例 art. 19, 财库〔2022〕3号): INELIGIBLE, and the
/// procurement caller can read the record the answer rests on.
async fn a_major_fine_bars_procurement_for_three_years_whatever_its_publicity() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let uscc = code(1);
    let decided = months_ago(14);
    let record = record_penalty(&mut w, &uscc, fine("GD-1", pb::SeverityTier::General, cny(3_000_000), decided)).await;

    let d = decide(&mut buyer, check(&uscc, GP, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "{d:?}");
    assert_eq!(codes_of(&d), ["GP-MAJOR-VIOLATION"]);
    assert_eq!(d.measures[0].trigger_record_ids, std::slice::from_ref(&record.record_id));
    assert!(!d.no_records, "the record the answer rests on is disclosed to the caller");
    let shown = reg
        .procurement()
        .await
        .get_record(pb::GetRecordRequest { record_id: record.record_id.clone(), ..Default::default() })
        .await
        .expect("a procurement caller reads the trigger of its answer")
        .into_inner()
        .entry
        .unwrap();
    assert_eq!(shown.status, pb::RecordStatus::PublicityEnded as i32);
    assert!(!shown.public, "it is no longer published");

    // 民法典 arts. 201-202: the 3 years end on the corresponding day.
    let last_day = add_months(decided, 36);
    let d = decide(&mut buyer, check(&uscc, GP, Some(last_day))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "on the last day of the 3 years");
    let d = decide(&mut buyer, check(&uscc, GP, Some(last_day + Duration::days(1)))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "the day after");
    assert!(d.no_records, "nothing is published or in use then");

    // A granted repair stops use by default (NDRC Order 36; the measure's
    // `lifted_by_repair`), and a repair may be sought after publicity ended.
    let applied =
        w.request_repair(repair_application(&record.record_id, days_ago(10))).await.unwrap().into_inner().record.unwrap();
    w.decide_repair(grant(&applied.record_id, days_ago(5))).await.unwrap();
    let d = decide(&mut buyer, check(&uscc, GP, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "repaired: {d:?}");
    let d = decide(&mut buyer, check(&uscc, GP, Some(days_ago(6)))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "before the repair");
    reg.stop().await;
}

/// Fault 1, the switch: where a catalogue says a repair does not lift the
/// procurement bar (`lifted_by_repair = false`), the 3 years run regardless.
async fn a_measure_that_repair_does_not_lift_runs_its_window() {
    let catalogue =
        creditregistry::domain::rules::DEFAULT_MEASURES.replacen("lifted_by_repair = true", "lifted_by_repair = false", 1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("measures.toml");
    std::fs::write(&file, catalogue).unwrap();
    let reg = TestRegistry::start_with(|c| c.policy.measure_catalogue = vec![file.clone()]).await;
    let mut w = reg.enforcement().await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let uscc = code(2);
    let record = record_penalty(&mut w, &uscc, fine("GD-2", pb::SeverityTier::General, cny(3_000_000), months_ago(14))).await;
    let applied =
        w.request_repair(repair_application(&record.record_id, days_ago(10))).await.unwrap().into_inner().record.unwrap();
    w.decide_repair(grant(&applied.record_id, days_ago(5))).await.unwrap();
    let d = decide(&mut buyer, check(&uscc, GP, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "{d:?}");
    let m = reg
        .eligibility("platform-1", &[Role::Procurement])
        .await
        .get_measure_catalogue(pb::GetMeasureCatalogueRequest::default())
        .await
        .unwrap()
        .into_inner();
    let major = m.measures.iter().find(|m| m.code == "GP-MAJOR-VIOLATION").unwrap();
    assert!(!major.lifted_by_repair);
    reg.stop().await;
}

/// Fault 2. A minor (轻微) penalty cannot carry a CNY 3,000,000 fine,
/// revocation, suspension or closure (行政处罚法 arts. 9, 33; 财库〔2022〕3号):
/// refused at admission, every problem named.
async fn a_minor_penalty_with_a_major_sanction_is_refused() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = code(3);
    let mut p = fine("M-1", pb::SeverityTier::Minor, cny(3_000_000), days_ago(1));
    p.sanctions = vec![pb::Sanction::Warning as i32, pb::Sanction::OrderedClosure as i32];
    let err = w.record_penalty(penalty_request("", &uscc, p)).await.unwrap_err();
    assert_violation(&err, "penalty.fine_fen", "not a minor");
    assert_violation(&err, "penalty.sanctions[1]", "not a minor");
    assert_eq!(violations(&err).len(), 2, "{:?}", violations(&err));

    // A minor penalty within its tier is unpublished and bars nothing:
    // procurement is told NO_RECORDS and ELIGIBLE, consistently.
    record_penalty(&mut w, &uscc, fine("M-2", pb::SeverityTier::Minor, cny(2_000), days_ago(1))).await;
    let d = decide(&mut reg.eligibility("platform-1", &[Role::Procurement]).await, check(&uscc, GP, None)).await;
    assert_eq!((eligibility(&d), d.no_records), (pb::Eligibility::Eligible, true));
    let p = profile(&mut reg.procurement().await, &uscc).await;
    assert_eq!(p.status, pb::ProfileStatus::NoRecords as i32);
    reg.stop().await;
}

/// Fault 3. A serious-list entry listed 100 days ago cannot be ended by
/// RemoveListing for credit repair: only a granted DecideRepair ends it
/// early, after 1 year (SAMR Order 44 arts. 16-18); it is not cured, and
/// TERM_ENDED waits for the term (art. 21).
async fn a_listing_ends_early_only_by_the_repair_rules() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let uscc = code(4);
    let listed = days_ago(100);
    let entry =
        try_listing(&mut w, &uscc, listing(pb::ListType::SeriousIllegalDishonest, "S-4", listed, Some(add_months(listed, 36))))
            .await
            .unwrap();
    for why in [pb::RemovalReason::CreditRepair, pb::RemovalReason::Cured, pb::RemovalReason::TermEnded] {
        let err = w.remove_listing(removal(&entry.record_id, why, today())).await.unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition, "{why:?}: {err:?}");
        assert_eq!(reason(&err), "REMOVAL_NOT_ALLOWED");
    }
    let err = w.request_repair(repair_application(&entry.record_id, today())).await.unwrap_err();
    assert_not_yet(&err, "REPAIR_NOT_ALLOWED", add_months(listed, 12).succ_opt().unwrap());
    let d = decide(&mut buyer, check(&uscc, GP, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Restricted, "still listed: {d:?}");
    reg.stop().await;
}

/// Fault 4. A term from 29 February: 36 months from 2024-02-29 end on
/// 2027-02-28 (民法典 arts. 201-202), and the day before is accepted too;
/// bidding terms follow the article applied (招标投标法 arts. 53, 54, 60).
async fn terms_from_29_february_and_by_article() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let leap = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let serious = |n: &str, end: &str| listing(pb::ListType::SeriousIllegalDishonest, n, leap, Some(end.parse().unwrap()));
    try_listing(&mut w, &code(5), serious("L-1", "2027-02-28")).await.expect("D + 36 months");
    try_listing(&mut w, &code(6), serious("L-2", "2027-02-27")).await.expect("the day before");
    let err = try_listing(&mut w, &code(7), serious("L-3", "2027-03-01")).await.unwrap_err();
    assert_violation(&err, "listing.planned_end", "latest 2027-02-28");
    let err = try_listing(&mut w, &code(7), serious("L-4", "2026-02-28")).await.unwrap_err();
    assert_violation(&err, "listing.planned_end", "minimum of 36 months");

    let start = days_ago(10);
    let bidding = |n: &str, article: &str, months: u32| pb::Listing {
        article: article.into(),
        ..listing(pb::ListType::BiddingDisqualification, n, start, Some(add_months(start, months)))
    };
    try_listing(&mut w, &code(8), bidding("B-1", "招标投标法第五十三条", 24)).await.expect("art. 53: up to 2 years");
    let err = try_listing(&mut w, &code(8), bidding("B-2", "招标投标法第五十三条", 36)).await.unwrap_err();
    assert_violation(&err, "listing.planned_end", "maximum of 24 months");
    let err = try_listing(&mut w, &code(8), bidding("B-3", "招标投标法第六十条", 12)).await.unwrap_err();
    assert_violation(&err, "listing.planned_end", "minimum of 24 months");
    let err = try_listing(&mut w, &code(8), bidding("B-4", "", 12)).await.unwrap_err();
    assert_violation(&err, "listing.article", "not an article");
    reg.stop().await;
}

/// A bureau cites an article as it writes it: book-title marks, the
/// 中华人民共和国 prefix, Arabic numerals and a paragraph read as the article
/// the rules name, and the term is that article's; the record keeps the
/// decision's own wording.
async fn an_article_is_read_in_its_usual_spellings_and_kept_as_written() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let start = days_ago(10);
    let bidding = |n: &str, article: &str, months: u32| pb::Listing {
        article: article.into(),
        ..listing(pb::ListType::BiddingDisqualification, n, start, Some(add_months(start, months)))
    };
    for (i, (article, months)) in [
        ("《中华人民共和国招标投标法》第五十三条", 24),
        ("招标投标法第53条", 24),
        ("《招标投标法》第５４条第二款", 36),
        ("中华人民共和国招标投标法第六十条", 60),
    ]
    .into_iter()
    .enumerate()
    {
        let record = try_listing(&mut w, &code(20 + i as u32), bidding(&format!("BA-{i}"), article, months))
            .await
            .unwrap_or_else(|e| panic!("{article}: {e:?}"));
        let Some(pb::record::Body::Listing(l)) = record.body else { panic!("{record:?}") };
        assert_eq!(l.article, article, "kept as written");
    }
    let err = try_listing(&mut w, &code(30), bidding("BA-9", "招标投标法第53条", 36)).await.unwrap_err();
    assert_violation(&err, "listing.planned_end", "maximum of 24 months");
    let err = try_listing(&mut w, &code(30), bidding("BA-10", "《招标投标法》第55条", 12)).await.unwrap_err();
    assert_violation(&err, "listing.article", "read as 招标投标法第五十五条");
    assert_violation(&err, "listing.article", "招标投标法第五十三条、招标投标法第五十四条、招标投标法第六十条");
    reg.stop().await;
}

/// Fault 5. An auditor's `known_at` after the registry's present is refused;
/// an answer as known at a past instant never changes.
async fn known_at_in_the_future_is_refused_and_past_answers_never_change() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut auditor = reg.eligibility("auditor-1", &[Role::Auditor]).await;
    let uscc = code(9);
    let at = |t: chrono::DateTime<chrono::Utc>| pb::CheckEligibilityRequest {
        known_at: Some(prost_types::Timestamp { seconds: t.timestamp(), nanos: t.timestamp_subsec_nanos() as i32 }),
        ..check(&uscc, GP, None)
    };
    let err = auditor.check_eligibility(at(chrono::Utc::now() + Duration::days(1))).await.unwrap_err();
    assert_violation(&err, "known_at", "not in the past");
    let both = pb::CheckEligibilityRequest { uscc: "91440800MA1K3BTP2C".into(), ..at(chrono::Utc::now() + Duration::days(1)) };
    let err = auditor.check_eligibility(both).await.unwrap_err();
    assert_violation(&err, "known_at", "not in the past");
    assert_violation(&err, "uscc", "check character");

    let before = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let first = decide(&mut auditor, at(before)).await;
    let start = days_ago(10);
    try_listing(&mut w, &uscc, listing(pb::ListType::ProcurementDebarment, "D-9", start, Some(add_months(start, 24))))
        .await
        .unwrap();
    let again = decide(&mut auditor, at(before)).await;
    assert_eq!(eligibility(&first), pb::Eligibility::Eligible);
    assert_eq!(first, again, "the same known_at gives the same answer");
    let now = decide(&mut auditor, check(&uscc, GP, None)).await;
    assert_eq!(eligibility(&now), pb::Eligibility::Ineligible);
    reg.stop().await;
}

/// Fault 6. Impossible dates never enter the permanent ledger: year 26 and
/// 1900 are before the earliest accepted date (1990-01-01 by default,
/// `policy.earliest_date`).
async fn dates_before_the_earliest_accepted_are_refused() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    for (n, year) in [(1, 26), (2, 1900), (3, 1989)] {
        let p = fine(&format!("Y-{n}"), pb::SeverityTier::General, 100, NaiveDate::from_ymd_opt(year, 6, 1).unwrap());
        let err = w.record_penalty(penalty_request("", &code(10), p)).await.unwrap_err();
        assert_violation(&err, "penalty.decided_on", "earliest date");
    }
    let ok = fine("Y-4", pb::SeverityTier::General, 100, NaiveDate::from_ymd_opt(1990, 1, 1).unwrap());
    w.record_penalty(penalty_request("", &code(10), ok)).await.expect("the earliest day itself");
    reg.stop().await;

    let reg = TestRegistry::start_with(|c| c.policy.earliest_date = Some("2000-01-01".into())).await;
    let p = fine("Y-5", pb::SeverityTier::General, 100, NaiveDate::from_ymd_opt(1999, 12, 31).unwrap());
    let err = reg.enforcement().await.record_penalty(penalty_request("", &code(10), p)).await.unwrap_err();
    assert_violation(&err, "penalty.decided_on", "before 2000-01-01");
    reg.stop().await;
}

/// Fault 7. An amendment (变更) on reconsideration or by a court takes effect
/// from its own date: the original decision stood and was enforced until then
/// (行政复议法 art. 42, 行政诉讼法 art. 56). A CNY 2.5M fine amended to
/// CNY 1.5M on day A bars procurement on dates before A, not after. A
/// revocation (撤销) voids the decision from the start.
async fn an_amendment_counts_from_its_own_date_and_a_revocation_from_the_start() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let uscc = code(11);
    let decided = days_ago(100);
    let original = record_penalty(&mut w, &uscc, fine("A-1", pb::SeverityTier::Serious, cny(2_500_000), decided)).await;
    let amendment_day = days_ago(10);
    let amend = |amended: pb::Penalty| amendment(&original.record_id, amended, amendment_day, "复议〔2026〕3号");
    let moved = fine("A-1", pb::SeverityTier::Serious, cny(1_500_000), decided + Duration::days(1));
    let err = w.correct_penalty(amend(moved)).await.unwrap_err();
    assert_violation(&err, "correction.amended_penalty.decided_on", "original decision date");
    w.correct_penalty(amend(fine("A-1", pb::SeverityTier::Serious, cny(1_500_000), decided))).await.unwrap();

    let d = decide(&mut buyer, check(&uscc, GP, Some(amendment_day - Duration::days(1)))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "the day before the amendment: {d:?}");
    let d = decide(&mut buyer, check(&uscc, GP, Some(amendment_day))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "from the amendment's own date");

    let other = code(12);
    let revoked = record_penalty(&mut w, &other, fine("A-2", pb::SeverityTier::Serious, cny(2_500_000), decided)).await;
    w.correct_penalty(revocation(&revoked.record_id, "复议〔2026〕4号", 10)).await.unwrap();
    let d = decide(&mut buyer, check(&other, GP, Some(days_ago(20)))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "void from the start, even before the revocation date");
    reg.stop().await;
}

/// Fault 8. Every problem with a write, reading and rules alike, in one answer.
async fn every_problem_is_reported_at_once() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let p = pb::Penalty {
        decision_number: String::new(),
        category: 0,
        fine_fen: -5,
        decided_on: date(today() + Duration::days(3)),
        ..penalty("X", 0)
    };
    let err = w.record_penalty(penalty_request("", "91440800MA1K3BTP2C", p)).await.unwrap_err();
    for (field, text) in [
        ("uscc", ""),
        ("penalty.decision_number", "is required"),
        ("penalty.category", "is required"),
        ("penalty.fine_fen", "must not be negative"),
        ("penalty.decided_on", "in the future"),
    ] {
        assert_violation(&err, field, text);
    }
    assert_eq!(violations(&err).len(), 5, "{:?}", violations(&err));

    // Nothing judged with an unreadable field is reported: a listing whose
    // list type is unreadable is not told its term is wrong.
    let l = pb::Listing { list_type: 99, ..listing(pb::ListType::ProcurementDebarment, "", today(), None) };
    let err = try_listing(&mut w, &code(13), l).await.unwrap_err();
    assert_violation(&err, "listing.list_type", "not a known value");
    assert_violation(&err, "listing.decision_number", "is required");
    assert!(!violations(&err).iter().any(|(f, _)| f == "listing.planned_end"), "{:?}", violations(&err));
    reg.stop().await;
}

/// Serious list: an important factor (重要考量因素) in procurement and
/// bidding, so RESTRICTED; no SAMR honours (Order 44 art. 15). The quality
/// blacklist has no national basis: RESTRICTED, marked local.
async fn serious_list_restricts_procurement_and_bars_honours() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let (serious, blacklisted) = (code(14), code(15));
    let listed = days_ago(30);
    try_listing(&mut w, &serious, listing(pb::ListType::SeriousIllegalDishonest, "S-14", listed, Some(add_months(listed, 36))))
        .await
        .unwrap();
    try_listing(&mut w, &blacklisted, listing(pb::ListType::QualityBlacklist, "Q-15", listed, Some(add_months(listed, 24))))
        .await
        .unwrap();
    for (domain, want) in [
        (GP, pb::Eligibility::Restricted),
        (BT, pb::Eligibility::Restricted),
        (pb::MeasureDomain::Honours, pb::Eligibility::Ineligible),
    ] {
        assert_eq!(eligibility(&decide(&mut c, check(&serious, domain, None)).await), want, "{domain:?}");
    }
    let d = decide(&mut c, check(&blacklisted, GP, None)).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Restricted);
    assert!(d.measures[0].legal_basis.contains("地方示例"), "{}", d.measures[0].legal_basis);
    reg.stop().await;
}

/// Court judgment defaulters and major tax violators: procurement must refuse
/// them (财库〔2016〕125号), bidding bars them (法〔2016〕285号; 发改财金〔2014〕
/// 3062号), in a consortium too; only courts and tax authorities post them.
async fn court_defaulters_and_tax_violators_are_refused_and_posted_only_by_their_authorities() {
    let reg = TestRegistry::start().await;
    let mut court = reg.records(&reg.token("judge-1", &[Role::Enforcement], Some("COURT-440800"))).await;
    let mut tax = reg.records(&reg.token("tax-1", &[Role::Enforcement], Some("TAX-440800"))).await;
    let mut samr = reg.enforcement().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let (defaulter, violator, clean) = (code(16), code(17), code(18));
    let listed = days_ago(40);
    let defaulter_listing =
        listing(pb::ListType::CourtJudgmentDefaulter, "(2026)粤08执1号", listed, Some(add_months(listed, 24)));
    let err = try_listing(&mut samr, &defaulter, defaulter_listing.clone()).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "LIST_NOT_FOR_AUTHORITY"), "{err:?}");
    try_listing(&mut court, &defaulter, defaulter_listing).await.unwrap();
    let published = try_listing(
        &mut tax,
        &violator,
        listing(pb::ListType::MajorTaxViolator, "湛税稽〔2026〕1号", listed, Some(add_months(listed, 36))),
    )
    .await
    .unwrap();
    // Publication stops early after payment, but not before 6 months
    // (税务总局令第54号 art. 18(1)).
    let err = tax.remove_listing(removal(&published.record_id, pb::RemovalReason::Cured, today())).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "REMOVAL_NOT_ALLOWED"), "{err:?}");

    for uscc in [&defaulter, &violator] {
        for domain in [GP, BT] {
            let d = decide(&mut c, check(uscc, domain, None)).await;
            assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "{uscc} in {domain:?}: {d:?}");
        }
    }
    let consortium = c
        .check_consortium(pb::CheckConsortiumRequest {
            member_codes: vec![clean.clone(), defaulter.clone()],
            domain: GP as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(consortium.eligibility, pb::Eligibility::Ineligible as i32);
    assert_eq!(consortium.barred_members, [defaulter]);
    reg.stop().await;
}

/// 责令关闭 is a 重大违法记录 (实施条例 art. 19 "等"; 行政处罚法 art. 9(5)).
async fn an_ordered_closure_is_a_major_violation() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = code(19);
    let mut p = fine("C-19", pb::SeverityTier::Serious, 0, days_ago(200));
    p.sanctions = vec![pb::Sanction::OrderedClosure as i32];
    record_penalty(&mut w, &uscc, p).await;
    let d = decide(&mut reg.eligibility("platform-1", &[Role::Procurement]).await, check(&uscc, GP, None)).await;
    assert_eq!((eligibility(&d), codes_of(&d)), (pb::Eligibility::Ineligible, vec!["GP-MAJOR-VIOLATION"]));
    reg.stop().await;
}

/// Revoking a penalty ends the listings that rest on it (SAMR Order 44 art.
/// 19), shown in the listing's history; and a penalty of an entity on the
/// serious list cannot be repaired while it is listed (SAMR Order 45 art. 14).
async fn revoking_a_penalty_ends_its_listing_and_listed_entities_cannot_repair() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut c = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let uscc = code(20);
    let base = record_penalty(&mut w, &uscc, fine("H-1", pb::SeverityTier::Heavier, cny(100_000), days_ago(200))).await;
    let listed = days_ago(190);
    let entry = try_listing(
        &mut w,
        &uscc,
        pb::Listing {
            penalty_record_id: base.record_id.clone(),
            ..listing(pb::ListType::SeriousIllegalDishonest, "S-20", listed, Some(add_months(listed, 36)))
        },
    )
    .await
    .unwrap();
    let general = record_penalty(&mut w, &uscc, fine("G-20", pb::SeverityTier::General, cny(10_000), days_ago(150))).await;
    let err = w.request_repair(repair_application(&general.record_id, today())).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "REPAIR_NOT_ALLOWED"), "{err:?}");

    assert_eq!(eligibility(&decide(&mut c, check(&uscc, GP, None)).await), pb::Eligibility::Restricted);
    let revocation_record =
        w.correct_penalty(revocation(&base.record_id, "复议〔2026〕20号", 5)).await.unwrap().into_inner().record.unwrap();
    assert_eq!(eligibility(&decide(&mut c, check(&uscc, GP, None)).await), pb::Eligibility::Eligible);
    let audit = profile(&mut reg.auditor().await, &uscc).await;
    let shown = audit.records.iter().find(|e| e.record.as_ref().unwrap().record_id == entry.record_id).unwrap();
    assert_eq!(shown.status, pb::RecordStatus::Revoked as i32);
    assert_eq!(shown.changed_by_record_ids, [revocation_record.record_id]);
    reg.stop().await;
}

/// Rules in force on a date: the procurement bar's CNY 2,000,000 threshold
/// applies from 2022-02-08 (财库〔2022〕3号); NDRC Order 58's publicity rules
/// before 2026-04-01, Order 36's from then. Each decision and its receipt
/// name the versions used.
async fn a_check_applies_the_rules_in_force_on_its_date() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let uscc = code(21);
    let decided = NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
    record_penalty(&mut w, &uscc, fine("T-21", pb::SeverityTier::Serious, cny(2_500_000), decided)).await;

    let before = NaiveDate::from_ymd_opt(2022, 2, 7).unwrap();
    let answer = buyer.check_eligibility(check(&uscc, GP, Some(before))).await.unwrap().into_inner();
    let d = answer.decision.unwrap();
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "no national fine threshold yet: {d:?}");
    assert_eq!((d.catalogue_version.as_str(), d.publicity_version.as_str()), ("measures-2016.1", "publicity-2023.1"));
    let receipt = pb::ReceiptBody::decode(answer.receipt.unwrap().body.as_slice()).unwrap();
    assert_eq!(receipt.catalogue_version, "measures-2016.1", "the receipt names the catalogue of its date");

    let d = decide(&mut buyer, check(&uscc, GP, Some(before + Duration::days(1)))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "from 2022-02-08: {d:?}");
    assert_eq!(d.catalogue_version, "measures-2026.2");
    let d = decide(&mut buyer, check(&uscc, GP, Some(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()))).await;
    assert_eq!(d.publicity_version, "publicity-2026.2", "NDRC Order 36 from 2026-04-01");

    let catalogue = |on: NaiveDate| pb::GetMeasureCatalogueRequest { evaluated_on: date(on) };
    let old = buyer.get_measure_catalogue(catalogue(before)).await.unwrap().into_inner();
    assert_eq!(old.version, "measures-2016.1");
    reg.stop().await;
}

/// An abnormal-operations entry uncured for 3 years is due to move to the
/// serious list (企业信息公示暂行条例 (2014) art. 17(2); SAMR Order 44):
/// regulators and auditors see it from that day, procurement does not.
async fn an_abnormal_operations_entry_is_due_to_escalate_after_three_years() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let (old, young) = (code(22), code(23));
    let listed = months_ago(36) - Duration::days(2);
    let entry = try_listing(&mut w, &old, listing(pb::ListType::AbnormalOperations, "A-22", listed, None)).await.unwrap();
    try_listing(&mut w, &young, listing(pb::ListType::AbnormalOperations, "A-23", months_ago(24), None)).await.unwrap();
    let regulator = || async { reg.records(&reg.token("regulator-1", &[Role::Regulator], None)).await };
    let seen = profile(&mut regulator().await, &old).await;
    let shown = seen.records.iter().find(|e| e.record.as_ref().unwrap().record_id == entry.record_id).unwrap();
    assert_eq!(shown.escalation_due_on, date(add_months(listed, 36)));
    let seen = profile(&mut regulator().await, &young).await;
    assert_eq!(seen.records[0].escalation_due_on, None, "not yet due");
    let public = profile(&mut reg.procurement().await, &old).await;
    assert_eq!(public.records[0].escalation_due_on, None, "for regulators and auditors only");
    reg.stop().await;
}

/// A serious-list entry runs exactly 3 years, or as long as the 限制从业 or
/// 限制开展生产经营活动 of the penalty it rests on when that runs longer
/// (SAMR Order 44 art. 21).
async fn a_serious_listing_runs_longer_only_with_a_longer_ban() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = code(24);
    let decided = days_ago(20);
    let mut banned = fine("PB-24", pb::SeverityTier::Serious, cny(100_000), decided);
    banned.sanctions = vec![pb::Sanction::PracticeBan as i32];
    let banned = record_penalty(&mut w, &uscc, banned).await;
    let plain = record_penalty(&mut w, &uscc, fine("PL-24", pb::SeverityTier::Heavier, cny(100_000), decided)).await;
    let listed = days_ago(10);
    let five_years = |n: &str, penalty: &str| pb::Listing {
        penalty_record_id: penalty.into(),
        ..listing(pb::ListType::SeriousIllegalDishonest, n, listed, Some(add_months(listed, 60)))
    };
    try_listing(&mut w, &uscc, five_years("S-24a", &banned.record_id)).await.expect("as long as the practice ban");
    let err = try_listing(&mut w, &uscc, five_years("S-24b", &plain.record_id)).await.unwrap_err();
    assert_violation(&err, "listing.planned_end", "maximum of 36 months");
    reg.stop().await;
}

/// Every path that repairs a record passes the same rules on its own date: a
/// grant made while the entity is on the abnormal-operations list is refused
/// (SAMR Order 45 art. 14), as are repairs barred by a sanction or by a list
/// that runs its term; a minimum period of a year is complete the day after
/// it ends (民法典 arts. 201-202).
async fn a_repair_is_checked_when_granted_as_when_sought() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = code(25);
    let general = record_penalty(&mut w, &uscc, fine("R-25", pb::SeverityTier::General, cny(10_000), months_ago(8))).await;
    let applied =
        w.request_repair(repair_application(&general.record_id, days_ago(20))).await.unwrap().into_inner().record.unwrap();
    try_listing(&mut w, &uscc, listing(pb::ListType::AbnormalOperations, "A-25", days_ago(15), None)).await.unwrap();
    let err = w.decide_repair(grant(&applied.record_id, days_ago(10))).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "REPAIR_NOT_ALLOWED"), "{err:?}");

    let mut suspended = fine("R-26", pb::SeverityTier::Serious, cny(10_000), months_ago(20));
    suspended.sanctions = vec![pb::Sanction::OrderedSuspension as i32];
    let suspended = record_penalty(&mut w, &code(26), suspended).await;
    let start = months_ago(14);
    let debarment =
        try_listing(&mut w, &code(26), listing(pb::ListType::ProcurementDebarment, "D-26", start, Some(add_months(start, 24))))
            .await
            .unwrap();
    for target in [&suspended.record_id, &debarment.record_id] {
        let err = w.request_repair(repair_application(target, today())).await.unwrap_err();
        assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "REPAIR_NOT_ALLOWED"), "{err:?}");
    }

    // Listed exactly 12 months ago: the year ends today, repair is sought
    // from tomorrow. Listed a day earlier: from today.
    let serious = |n: u32, listed: NaiveDate| {
        listing(pb::ListType::SeriousIllegalDishonest, &format!("S-{n}"), listed, Some(add_months(listed, 36)))
    };
    let year_ago = months_ago(12);
    let exact = try_listing(&mut w, &code(27), serious(27, year_ago)).await.unwrap();
    let earlier = try_listing(&mut w, &code(30), serious(30, year_ago - Duration::days(1))).await.unwrap();
    if add_months(year_ago, 12) == today() {
        let err = w.request_repair(repair_application(&exact.record_id, today())).await.unwrap_err();
        assert_not_yet(&err, "REPAIR_NOT_ALLOWED", today().succ_opt().unwrap());
    }
    w.request_repair(repair_application(&earlier.record_id, today())).await.expect("the day after the year ends");
    reg.stop().await;
}

/// An authority's kind is what the authority directory says, never what its
/// id looks like: a court of any id posts the court judgment defaulter list
/// and a housing bureau may not; SAMR Order 45's repair bars bind a market
/// regulator of any id (art. 18), not a housing bureau.
async fn an_authority_is_what_the_directory_says_not_what_its_id_looks_like() {
    let reg = TestRegistry::start().await;
    let as_authority = |authority: &str| reg.token("officer-9", &[Role::Enforcement], Some(authority));
    let mut tribunal = reg.records(&as_authority("tribunal-office")).await;
    let mut bureau = reg.records(&as_authority("bureau-7")).await;
    let mut housing = reg.records(&as_authority("MOHURD-1")).await;
    let listed = days_ago(40);
    let defaulter = |n: u32| {
        listing(pb::ListType::CourtJudgmentDefaulter, &format!("(2026)粤08执{n}号"), listed, Some(add_months(listed, 24)))
    };
    try_listing(&mut tribunal, &code(40), defaulter(40)).await.expect("a court, whatever its id");
    let err = try_listing(&mut housing, &code(41), defaulter(41)).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "LIST_NOT_FOR_AUTHORITY"), "{err:?}");
    assert!(err.message().contains("court"), "the refusal names the kind that may: {}", err.message());

    // A serious penalty with an ordered suspension, 20 months old: past the
    // minimum, but a market regulator's stays published to its end.
    let suspended = |number: &str| {
        let mut p = fine(number, pb::SeverityTier::Serious, cny(10_000), months_ago(20));
        p.sanctions = vec![pb::Sanction::OrderedSuspension as i32];
        p
    };
    let by_bureau = record_penalty(&mut bureau, &code(42), suspended("K-42")).await;
    let err = bureau.request_repair(repair_application(&by_bureau.record_id, today())).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "REPAIR_NOT_ALLOWED"), "{err:?}");
    let by_housing = record_penalty(&mut housing, &code(43), suspended("K-43")).await;
    housing.request_repair(repair_application(&by_housing.record_id, today())).await.expect("Order 45 binds market regulation");
    reg.stop().await;
}

/// A token whose authority the directory does not list, or lists as merged
/// into another, cannot write: PERMISSION_DENIED naming the claim and how to
/// add it; nothing is written.
async fn an_authority_outside_the_directory_cannot_write() {
    let reg = TestRegistry::start().await;
    for (authority, says) in [
        (
            "SAMR-999999",
            "is not in the authority directory authorities-test.1: an operator adds it to the authority directory (policy.authority_directory",
        ),
        ("SAIC-310000", "its work went to 'SAMR-310000'"),
    ] {
        let mut w = reg.records(&reg.token("officer-9", &[Role::Enforcement], Some(authority))).await;
        let request = penalty_request(
            &format!("req-{authority}"),
            &code(44),
            fine(authority, pb::SeverityTier::General, cny(1_000), days_ago(3)),
        );
        let err = w.record_penalty(request).await.unwrap_err();
        assert_eq!((err.code(), reason(&err).as_str()), (Code::PermissionDenied, "AUTHORITY_NOT_IN_DIRECTORY"), "{err:?}");
        assert!(err.message().contains(authority) && err.message().contains(says), "{}", err.message());
    }
    let mut auditor = reg.auditor().await;
    assert!(profile(&mut auditor, &code(44)).await.records.is_empty(), "nothing was written");
    reg.stop().await;
}

/// The directory is read as it is: whole, by kind, by region, and one
/// authority by id, with its dates, successor and former names, and the
/// directory's own date; any caller may read it.
async fn the_authority_directory_is_read_by_kind_region_and_id() {
    let reg = TestRegistry::start().await;
    let mut platform = reg.procurement().await;
    let all = platform.list_authorities(pb::ListAuthoritiesRequest::default()).await.unwrap().into_inner();
    assert_eq!(all.directory_version, "authorities-test.1");
    assert_eq!(all.directory_effective_from, date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()), "a dated document");
    let ids = |r: &pb::ListAuthoritiesResponse| r.authorities.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert!(ids(&all).contains(&"tribunal-office".to_string()) && ids(&all).windows(2).all(|w| w[0] < w[1]), "{:?}", ids(&all));
    let courts = pb::ListAuthoritiesRequest { kind: pb::AuthorityKind::Court as i32, ..Default::default() };
    assert_eq!(ids(&platform.list_authorities(courts).await.unwrap().into_inner()), ["COURT-440800", "tribunal-office"]);
    let shanghai = pb::ListAuthoritiesRequest { region_prefix: "31".into(), ..Default::default() };
    let shanghai = platform.list_authorities(shanghai).await.unwrap().into_inner();
    assert!(!shanghai.authorities.is_empty() && shanghai.authorities.iter().all(|a| a.region.starts_with("31")));

    let merged = platform.get_authority(pb::GetAuthorityRequest { id: "SAIC-310000".into() }).await.unwrap().into_inner();
    let merged = merged.authority.unwrap();
    assert_eq!((merged.name.as_str(), merged.kind), ("上海市工商行政管理局", pb::AuthorityKind::MarketRegulation as i32));
    assert_eq!(
        (merged.succeeded_by.as_str(), merged.dissolved),
        ("SAMR-310000", date(NaiveDate::from_ymd_opt(2018, 12, 1).unwrap()))
    );

    let renamed = platform.get_authority(pb::GetAuthorityRequest { id: "bureau-7".into() }).await.unwrap().into_inner();
    assert_eq!(renamed.directory_effective_from, all.directory_effective_from);
    let renamed = renamed.authority.unwrap();
    assert_eq!(renamed.name, "某市市场监督管理局", "its name today");
    assert_eq!(
        renamed.former_names,
        [pb::AuthorityFormerName {
            name: "某市市场和质量监督管理局".into(),
            name_en: "A city's Administration for Market and Quality Supervision".into(),
            until: date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
        }]
    );
    let listed = all.authorities.iter().find(|a| a.id == "bureau-7").unwrap();
    assert_eq!(listed.former_names, renamed.former_names, "the list shows former names too");

    let err = platform.get_authority(pb::GetAuthorityRequest { id: "SAMR-999999".into() }).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::NotFound, "AUTHORITY_NOT_FOUND"), "{err:?}");
    let bad = pb::ListAuthoritiesRequest { region_prefix: "31x".into(), kind: 99 };
    let err = platform.list_authorities(bad).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let fields: Vec<String> = violations(&err).into_iter().map(|(field, _)| field).collect();
    assert_eq!(fields, ["kind", "region_prefix"], "every problem at once");
    reg.stop().await;
}

/// A record names its authority by the name the authority had on the
/// record's decision date (a renamed authority keeps its id), in profiles
/// (their current listings too), record lists, single records and
/// histories; a record whose authority the
/// directory does not list (written before the directory existed) shows
/// none.
async fn records_carry_the_name_their_authority_had_on_the_decision_date() {
    let mut reg = TestRegistry::start().await;
    let mut bureau = reg.records(&reg.token("officer-9", &[Role::Enforcement], Some("bureau-7"))).await;
    let uscc = code(45);
    let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let before =
        record_penalty(&mut bureau, &uscc, fine("R-45-1", pb::SeverityTier::General, cny(1_000), on(2023, 12, 31))).await;
    let renamed = record_penalty(&mut bureau, &uscc, fine("R-45-2", pb::SeverityTier::General, cny(1_000), on(2024, 1, 1))).await;
    let mut samr = reg.enforcement().await;
    let other = record_penalty(&mut samr, &uscc, fine("R-45-3", pb::SeverityTier::General, cny(1_000), days_ago(3))).await;
    let listed =
        record_listing(&mut bureau, &uscc, listing(pb::ListType::AbnormalOperations, "A-45", on(2023, 6, 1), None)).await;
    let expected = [
        (listed.record_id.clone(), "某市市场和质量监督管理局"),
        (before.record_id.clone(), "某市市场和质量监督管理局"),
        (renamed.record_id.clone(), "某市市场监督管理局"),
        (other.record_id.clone(), "上海市浦东新区市场监督管理局"),
    ];
    let names = |entries: Vec<pb::RecordEntry>| {
        let mut found: Vec<(String, String)> =
            entries.into_iter().map(|e| (e.record.unwrap().record_id, e.authority_name)).collect();
        found.sort();
        found
    };
    let want = |directory_lists_bureau: bool| {
        let mut want: Vec<(String, String)> = expected
            .iter()
            .map(|(id, name)| {
                let listed = directory_lists_bureau || *id == other.record_id;
                (id.clone(), if listed { name.to_string() } else { String::new() })
            })
            .collect();
        want.sort();
        want
    };
    for directory_lists_bureau in [true, false] {
        let mut auditor = reg.auditor().await;
        let file = profile(&mut auditor, &uscc).await;
        assert_eq!(names(file.records), want(directory_lists_bureau), "profile");
        let want_listing: Vec<_> = want(directory_lists_bureau).into_iter().filter(|(id, _)| *id == listed.record_id).collect();
        assert_eq!(file.current_listing_authority_names.into_iter().collect::<Vec<_>>(), want_listing, "current listings");
        let page = auditor.list_records(pb::ListRecordsRequest { uscc: uscc.clone(), ..Default::default() }).await.unwrap();
        assert_eq!(names(page.into_inner().records), want(directory_lists_bureau), "record list");
        let one = auditor.get_record(pb::GetRecordRequest { record_id: before.record_id.clone(), ..Default::default() });
        let one = one.await.unwrap().into_inner().entry.unwrap();
        let want_one: Vec<_> = want(directory_lists_bureau).into_iter().filter(|(id, _)| *id == before.record_id).collect();
        assert_eq!(names(vec![one]), want_one, "one record");
        let mut audit = reg.audit("auditor-1", &[Role::Auditor]).await;
        let history = audit.get_entity_history(pb::GetEntityHistoryRequest { uscc: uscc.clone(), ..Default::default() });
        let history = history.await.unwrap().into_inner();
        assert_eq!(history.current_listing_authority_names.into_iter().collect::<Vec<_>>(), want_listing, "history's listings");
        let entries = history.entries.into_iter().map(|h| h.entry.unwrap()).collect();
        assert_eq!(names(entries), want(directory_lists_bureau), "history");

        if directory_lists_bureau {
            // The same store under a directory that does not list bureau-7.
            let directory = reg.dir.path().join("authorities-without-bureau-7.toml");
            let text = std::fs::read_to_string(fixture("authorities.toml")).unwrap().replace("\"bureau-7\"", "\"bureau-8\"");
            std::fs::write(&directory, text).unwrap();
            reg.config.policy.authority_directory = Some(directory);
            reg.restart().await;
        }
    }
    reg.stop().await;
}

/// A directory with a bad entry stops the server at start, naming the entry
/// and what is wrong with it, as a bad rule file does.
#[tokio::test]
async fn a_bad_authority_directory_stops_the_server_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("authorities.toml");
    let good = std::fs::read_to_string(fixture("authorities.toml")).unwrap();
    for (bad, says) in [
        (good.replacen("kind = \"tax\"", "kind = \"police\"", 1), "authority[4] (TAX-440800): kind 'police' is not one of"),
        (good.replacen("region = \"440800\"", "region = \"990000\"", 1), "authority[3] (bureau-7): region '990000'"),
        (
            good.replacen("region = \"440800\"", "region = \"440899\"", 1),
            "authority[3] (bureau-7): region '440899' is not a GB/T 2260 division code",
        ),
        (
            good.replacen("region = \"440800\"", "region = \"310108\"", 1),
            "authority[3] (bureau-7): region '310108' was not in use while the authority existed",
        ),
    ] {
        std::fs::write(&file, bad).unwrap();
        let mut config = creditregistry::config::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join("data"),
            ..Default::default()
        };
        creditregistry_testkit::tokens::TokenKey::of(&config).unwrap().trust(&mut config);
        config.tls.plaintext = true;
        config.policy.authority_directory = Some(file.clone());
        let err = start(&mut config).await.err().expect("the server refuses to start");
        assert!(err.contains(&file.display().to_string()) && err.contains(says), "{err}");
    }
}

/// Amendments apply by their own dates, whatever order they were recorded in;
/// revoking a listing decision names the revoking decision and voids the
/// listing from the start; no listing may rest on a revoked penalty.
async fn corrections_apply_by_date_and_revocations_name_their_decision() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let mut buyer = reg.eligibility("platform-1", &[Role::Procurement]).await;
    let uscc = code(28);
    let decided = days_ago(300);
    let original = record_penalty(&mut w, &uscc, fine("C-28", pb::SeverityTier::Serious, cny(3_000_000), decided)).await;
    let amend = |fine_fen: i64, on: NaiveDate, number: &str| {
        amendment(&original.record_id, fine("C-28", pb::SeverityTier::Serious, fine_fen, decided), on, number)
    };
    let (later, earlier) = (days_ago(50), days_ago(100));
    w.correct_penalty(amend(100, later, "(2026)粤08行终1号")).await.unwrap();
    w.correct_penalty(amend(cny(3_000_000), earlier, "(2026)粤08行初1号")).await.unwrap();
    let d = decide(&mut buyer, check(&uscc, GP, Some(later))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Eligible, "the later-dated amendment is in force from its date: {d:?}");
    let d = decide(&mut buyer, check(&uscc, GP, Some(later - Duration::days(1)))).await;
    assert_eq!(eligibility(&d), pb::Eligibility::Ineligible, "the earlier one before it");

    let start = days_ago(40);
    let debarment =
        try_listing(&mut w, &uscc, listing(pb::ListType::ProcurementDebarment, "D-28", start, Some(add_months(start, 24))))
            .await
            .unwrap();
    let bare = pb::RemoveListingRequest {
        removal: Some(pb::Removal {
            decision_number: String::new(),
            explanation: String::new(),
            ..removal(&debarment.record_id, pb::RemovalReason::Revoked, today()).removal.unwrap()
        }),
        ..Default::default()
    };
    let err = w.remove_listing(bare).await.unwrap_err();
    assert_violation(&err, "removal.decision_number", "is required");
    assert_violation(&err, "removal.explanation", "is required");
    w.remove_listing(removal(&debarment.record_id, pb::RemovalReason::Revoked, today())).await.unwrap();
    let d = decide(&mut buyer, check(&uscc, GP, Some(start + Duration::days(1)))).await;
    assert!(!codes_of(&d).contains(&"GP-DEBARMENT"), "void from the start: {d:?}");

    let revoked = record_penalty(&mut w, &code(29), fine("C-29", pb::SeverityTier::Heavier, cny(10_000), days_ago(60))).await;
    w.correct_penalty(revocation(&revoked.record_id, "复议〔2026〕29号", 30)).await.unwrap();
    let on_revoked = pb::Listing {
        penalty_record_id: revoked.record_id.clone(),
        ..listing(pb::ListType::SeriousIllegalDishonest, "S-29", days_ago(20), Some(add_months(days_ago(20), 36)))
    };
    let err = try_listing(&mut w, &code(29), on_revoked).await.unwrap_err();
    assert_eq!((err.code(), reason(&err).as_str()), (Code::FailedPrecondition, "RECORD_CLOSED"), "{err:?}");
    reg.stop().await;
}

on_both_backends!(
    a_major_fine_bars_procurement_for_three_years_whatever_its_publicity,
    a_measure_that_repair_does_not_lift_runs_its_window,
    a_minor_penalty_with_a_major_sanction_is_refused,
    a_listing_ends_early_only_by_the_repair_rules,
    terms_from_29_february_and_by_article,
    an_article_is_read_in_its_usual_spellings_and_kept_as_written,
    known_at_in_the_future_is_refused_and_past_answers_never_change,
    dates_before_the_earliest_accepted_are_refused,
    an_amendment_counts_from_its_own_date_and_a_revocation_from_the_start,
    every_problem_is_reported_at_once,
    serious_list_restricts_procurement_and_bars_honours,
    court_defaulters_and_tax_violators_are_refused_and_posted_only_by_their_authorities,
    an_ordered_closure_is_a_major_violation,
    revoking_a_penalty_ends_its_listing_and_listed_entities_cannot_repair,
    a_check_applies_the_rules_in_force_on_its_date,
    an_abnormal_operations_entry_is_due_to_escalate_after_three_years,
    a_serious_listing_runs_longer_only_with_a_longer_ban,
    a_repair_is_checked_when_granted_as_when_sought,
    corrections_apply_by_date_and_revocations_name_their_decision,
    an_authority_is_what_the_directory_says_not_what_its_id_looks_like,
    an_authority_outside_the_directory_cannot_write,
    the_authority_directory_is_read_by_kind_region_and_id,
    records_carry_the_name_their_authority_had_on_the_decision_date,
);
