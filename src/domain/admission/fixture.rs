//! Valid records of each kind, judged on one day by the built-in rules, for
//! the tests of each kind's rules.

use std::sync::Arc;

use super::{check_against, check_body};
use crate::domain::Refusal;
use crate::domain::record::{
    Category, Date, Grade, ListType, Listing, Penalty, Record, RecordBody, RecordId, Removal, RemovalReason, RepairApplication,
    Sanction, SeverityTier,
};
use crate::domain::rules::{Rules, term_end};
use crate::domain::uscc::Uscc;

/// The authority that writes every fixture record.
pub(super) const AUTHORITY: &str = "example:sh-amr";

pub(super) fn day(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).expect("a calendar date")
}

/// The day every check is made on.
pub(super) fn today() -> Date {
    day(2026, 6, 1)
}

/// The `n`th record id, in the form the registry issues.
pub(super) fn id(n: u32) -> RecordId {
    format!("0a1b2c3d-0000-7000-8000-{n:012}")
}

pub(super) fn uscc() -> Uscc {
    Uscc::parse("91310115MA1K3BTP2B").expect("a valid code")
}

/// Record `n` of the fixture entity, written by `AUTHORITY`.
pub(super) fn record(n: u32, body: RecordBody) -> Arc<Record> {
    Arc::new(Record {
        id: id(n),
        sequence: n.into(),
        recorded_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a time"),
        uscc: uscc(),
        authority: AUTHORITY.into(),
        actor: "inspector".into(),
        request_id: String::new(),
        body,
    })
}

/// The fields `check_body` names for `body` today, in order.
pub(super) fn fields(body: RecordBody) -> Vec<String> {
    check_body(&body, today(), &Rules::defaults()).into_iter().map(|v| v.field).collect()
}

/// `check_against` for `body` written today by `authority`, naming `target` among `records`.
pub(super) fn against_by(
    authority: &str,
    body: &RecordBody,
    target: &Arc<Record>,
    records: &[Arc<Record>],
) -> Result<(), Refusal> {
    check_against(body, &uscc(), authority, Some((target, records)), &Rules::defaults(), today())
}

pub(super) fn against(body: &RecordBody, target: &Arc<Record>, records: &[Arc<Record>]) -> Result<(), Refusal> {
    against_by(AUTHORITY, body, target, records)
}

/// The fields of an `Invalid` refusal.
pub(super) fn invalid(refusal: Result<(), Refusal>) -> Vec<String> {
    match refusal {
        Err(Refusal::Invalid(problems)) => problems.into_iter().map(|v| v.field).collect(),
        other => panic!("not an Invalid refusal: {other:?}"),
    }
}

/// The reason and first allowed date of a `NotYet` refusal.
pub(super) fn not_yet(refusal: Result<(), Refusal>) -> (&'static str, Date) {
    match refusal {
        Err(Refusal::NotYet { reason, allowed_from, .. }) => (reason, allowed_from),
        other => panic!("not a NotYet refusal: {other:?}"),
    }
}

/// The reason of a `Forbidden` refusal.
pub(super) fn forbidden(refusal: Result<(), Refusal>) -> &'static str {
    match refusal {
        Err(Refusal::Forbidden { reason, .. }) => reason,
        other => panic!("not a Forbidden refusal: {other:?}"),
    }
}

/// The party a fixture's penalty or listing names.
pub(super) fn party() -> crate::domain::record::Party {
    crate::domain::record::Party { name: "上海示例质量科技有限公司".into(), legal_representative: String::new() }
}

pub(super) fn penalty(decided_on: Date) -> Penalty {
    Penalty {
        decision_number: "沪市监罚〔2026〕1号".into(),
        category: Category::ProductQuality,
        severity: SeverityTier::General,
        legal_basis: "《产品质量法》第四十九条".into(),
        fine_fen: 1_000_000,
        sanctions: vec![Sanction::Warning, Sanction::Confiscation],
        decided_on,
        violation: String::new(),
        party: party(),
    }
}

/// A quality-blacklist entry for 36 months from `listed_on`.
pub(super) fn listing(listed_on: Date) -> Listing {
    Listing {
        list_type: ListType::QualityBlacklist,
        decision_number: "沪市监列〔2026〕1号".into(),
        grounds: "质量违法".into(),
        abnormal_ground: None,
        listed_on,
        planned_end: Some(term_end(listed_on, 36)),
        legal_basis: "地方示例".into(),
        penalty_record_id: None,
        party: party(),
        article: String::new(),
    }
}

pub(super) fn removal(listing: u32, reason: RemovalReason, removed_on: Date) -> Removal {
    Removal { listing_record_id: id(listing), reason, removed_on, decision_number: String::new(), explanation: String::new() }
}

pub(super) fn application(target: u32, applied_on: Date) -> RepairApplication {
    RepairApplication { target_record_id: id(target), applied_on, statement: "已整改".into() }
}

/// A quality-credit grade at `level`, valid a year.
pub(super) fn grade(level: &str, evaluated_on: Date) -> Grade {
    Grade {
        scheme: "quality_credit".into(),
        level: level.into(),
        not_rated: false,
        rating_year: None,
        decision_number: "沪市监评〔2026〕1号".into(),
        evaluated_on,
        valid_until: term_end(evaluated_on, 12),
        grounds: "年度评价".into(),
        legal_basis: "GB/T 31863-2015".into(),
        party: crate::domain::record::Party::default(),
    }
}
