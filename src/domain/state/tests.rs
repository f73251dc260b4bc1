//! The fold's grade standings: caps by listings and penalties, repairs,
//! editions and the not-rated state.

use chrono::{DateTime, Datelike};

use super::*;
use crate::domain::record::{GradeChange, GradeChangeKind, ListType, Removal, RemovalReason};
use crate::domain::rules::{DEFAULT_EARLIEST_DATE, RuleBook, RuleFiles, term_end};
use crate::domain::uscc::Uscc;

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn record(id: &str, sequence: u64, body: RecordBody) -> Arc<Record> {
    Arc::new(Record {
        id: id.into(),
        sequence,
        recorded_at: DateTime::from_timestamp(1_780_000_000 + sequence as i64, 0).unwrap(),
        uscc: Uscc::parse("91310115MA1K3BTP2B").unwrap(),
        authority: "TAX-440800".into(),
        actor: "a".into(),
        request_id: String::new(),
        body,
    })
}

fn tax_grade(level: &str, evaluated_on: &str) -> RecordBody {
    let evaluated_on = day(evaluated_on);
    RecordBody::Grade(Grade {
        scheme: "tax_credit".into(),
        level: level.into(),
        not_rated: level.is_empty(),
        rating_year: Some(evaluated_on.year() - 1),
        decision_number: format!("G-{evaluated_on}"),
        evaluated_on,
        valid_until: evaluated_on + chrono::Days::new(364),
        grounds: "年度评价".into(),
        legal_basis: "L".into(),
        party: crate::domain::record::Party::default(),
    })
}

fn violator(listed_on: &str) -> RecordBody {
    let listed_on = day(listed_on);
    RecordBody::Listing(Listing {
        list_type: ListType::MajorTaxViolator,
        decision_number: "税稽1".into(),
        grounds: String::new(),
        abnormal_ground: None,
        listed_on,
        planned_end: Some(term_end(listed_on, 36)),
        legal_basis: String::new(),
        penalty_record_id: None,
        party: crate::domain::record::Party::default(),
        article: String::new(),
    })
}

fn removal(removed_on: &str) -> RecordBody {
    RecordBody::Removal(Removal {
        listing_record_id: "listing".into(),
        reason: RemovalReason::Cured,
        removed_on: day(removed_on),
        decision_number: String::new(),
        explanation: "缴清".into(),
    })
}

fn change(change: GradeChangeKind, decided_on: &str) -> RecordBody {
    RecordBody::GradeChange(GradeChange {
        grade_record_id: "grade".into(),
        change,
        decided_on: day(decided_on),
        decision_number: String::new(),
        reason: "信用修复".into(),
    })
}

/// The tax grade in force on `on`: its level and the record that capped it.
fn tax_on(book: &RuleBook, records: &[Arc<Record>], on: &str) -> Option<(String, Option<String>)> {
    let on = day(on);
    let state = fold(records, None, on, book.on(on));
    state.grades_in_force().next().map(|(_, s)| (s.level, s.capped_by.map(|r| r.id.clone())))
}

fn level(level: &str, capped: bool) -> Option<(String, Option<String>)> {
    Some((level.into(), capped.then(|| "listing".to_string())))
}

#[test]
fn a_major_tax_violator_listing_makes_the_grade_d_whenever_it_began() {
    let book = RuleBook::defaults();
    let listed_first = [record("listing", 1, violator("2026-03-01")), record("grade", 2, tax_grade("A", "2026-04-15"))];
    assert_eq!(tax_on(&book, &listed_first, "2026-05-01"), level("D", true), "listed, then evaluated A");
    let graded_first = [record("grade", 1, tax_grade("A", "2026-04-15")), record("listing", 2, violator("2026-06-01"))];
    assert_eq!(tax_on(&book, &graded_first, "2026-05-31"), level("A", false), "before the listing");
    assert_eq!(tax_on(&book, &graded_first, "2026-06-01"), level("D", true), "from the listing's first day");
}

#[test]
fn the_d_outlasts_the_listing_until_a_repair_or_a_newer_evaluation() {
    let book = RuleBook::defaults();
    let mut records = vec![
        record("grade", 1, tax_grade("A", "2026-04-15")),
        record("listing", 2, violator("2026-06-01")),
        record("removal", 3, removal("2026-12-10")),
    ];
    assert_eq!(tax_on(&book, &records, "2026-12-20"), level("D", true), "paid and removed: still D");
    records.push(record("repair", 4, change(GradeChangeKind::Repair { level: "B".into() }, "2027-01-05")));
    assert_eq!(tax_on(&book, &records, "2027-01-04"), level("D", true));
    assert_eq!(tax_on(&book, &records, "2027-01-05"), level("B", false), "the repair sets the level");
    records.pop();
    records.push(record("newer", 4, tax_grade("A", "2027-04-10")));
    assert_eq!(tax_on(&book, &records, "2027-04-10"), Some(("A".into(), None)), "a new evaluation after the listing ended");

    // The switch: a cap that does not outlast its listing ends with it.
    let mut files = RuleFiles::built_in();
    files.grades[1].text = files.grades[1].text.replace("outlasts_listing = true", "outlasts_listing = false");
    let held = RuleBook::parse(&files, DEFAULT_EARLIEST_DATE).unwrap();
    records.pop();
    assert_eq!(tax_on(&held, &records, "2026-12-20"), level("A", false));
    assert_eq!(tax_on(&held, &records, "2026-12-09"), level("D", true));
}

#[test]
fn grades_read_with_the_edition_of_their_evaluation_date() {
    let book = RuleBook::defaults();
    let on = book.on(day("2026-11-07"));
    assert_eq!(on.grades_for(day("2026-04-15")).version, "grades-2026.2");
    assert_eq!(on.grades_for(day("2025-06-30")).version, "grades-2014.1");
    let old = on.grades_for(day("2024-04-15")).scheme("tax_credit").unwrap();
    assert!(old.legal_basis.contains("2014年第40号") && old.cap[0].listed_before_evaluation && !old.cap[0].outlasts_listing);
    assert!(!old.level_given_on("M", day("2018-03-31")) && old.level_given_on("M", day("2018-04-01")));
    assert!(old.not_rated.is_none());
    let new = on.grades_for(day("2025-07-01")).scheme("tax_credit").unwrap();
    assert!(new.legal_basis.contains("2025年第12号") && new.not_rated.is_some());
}

#[test]
fn not_rated_is_no_level_and_is_not_capped() {
    let book = RuleBook::defaults();
    let records = [record("grade", 1, tax_grade("", "2026-04-15")), record("listing", 2, violator("2026-06-01"))];
    assert_eq!(tax_on(&book, &records, "2026-05-01"), Some((String::new(), None)));
    assert_eq!(tax_on(&book, &records, "2026-07-01"), Some((String::new(), None)), "the listing stands on its own");
    let state = fold(&records, None, day("2026-05-01"), book.on(day("2026-05-01")));
    assert!(!state.find("grade").unwrap().public);
}

#[test]
fn downgrades_before_a_repair_are_what_it_repaired() {
    let scheme = RuleBook::defaults().latest().grades.scheme("tax_credit").unwrap().clone();
    let grade = record("grade", 1, tax_grade("A", "2026-04-15"));
    let RecordBody::Grade(g) = &grade.body else { unreachable!() };
    let changers = [
        record("d1", 2, change(GradeChangeKind::Downgrade { level: "D".into() }, "2026-05-01")),
        record("r", 3, change(GradeChangeKind::Repair { level: "B".into() }, "2026-08-01")),
        record("d2", 4, change(GradeChangeKind::Downgrade { level: "C".into() }, "2026-09-01")),
    ];
    let changers: Vec<&Arc<Record>> = changers.iter().collect();
    assert_eq!(grade_level(g, &changers, day("2026-07-31"), Some(&scheme)), "D");
    assert_eq!(grade_level(g, &changers, day("2026-08-01"), Some(&scheme)), "B");
    assert_eq!(grade_level(g, &changers, day("2026-09-01"), Some(&scheme)), "C");
}
