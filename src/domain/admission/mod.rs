//! What may be recorded: the checks a record must pass before it is written.
//!
//! `check_body` looks at the record alone (amounts, dates, required text);
//! `check_against` looks at the earlier record it refers to. Both are pure:
//! the caller supplies today's date and the entity's records. Each kind of
//! record has its rules in a file of its own; `fields` holds the checks they
//! share.

mod commendation;
mod fields;
mod grade;
mod listing;
mod penalty;
mod removal;
mod repair;
mod spot_check;

use std::sync::Arc;

use fields::Checker;

use super::record::{Date, Record, RecordBody, RecordId};
use super::rules::Rules;
use super::rules::authorities::AuthorityKind;
use super::uscc::Uscc;
use super::violation::{Refusal, Violation};

/// Checks a record body on its own; returns every problem found.
pub fn check_body(body: &RecordBody, today: Date, rules: &Rules) -> Vec<Violation> {
    let mut v = Checker { today, rules, out: Vec::new() };
    match body {
        RecordBody::Penalty(p) => v.penalty("", p),
        RecordBody::PenaltyCorrection(c) => v.penalty_correction(c),
        RecordBody::SpotCheck(s) => v.spot_check(s),
        RecordBody::Commendation(c) => v.commendation(c),
        RecordBody::Listing(l) => v.listing(l),
        RecordBody::Removal(r) => v.removal(r),
        RecordBody::RepairApplication(a) => v.repair_application(a),
        RecordBody::RepairDecision(d) => v.repair_decision(d),
        RecordBody::Grade(g) => v.grade(g),
        RecordBody::GradeChange(c) => v.grade_change(c),
    }
    v.out
}

/// `check_body` for a body some of whose fields could not be read (they
/// hold stand-ins): every problem found in the fields that were read, and
/// none judged with an unreadable one, so that a caller learns every problem
/// in one answer. `unreadable` are field paths relative to the body.
pub fn check_readable(body: &RecordBody, today: Date, rules: &Rules, unreadable: &[String]) -> Vec<Violation> {
    // A field's name without indices: `sanctions[2]` is `sanctions`.
    fn base(field: &str) -> &str {
        field.split_once('[').map_or(field, |(b, _)| b)
    }
    let unreadable: Vec<&str> = unreadable.iter().map(|f| base(f)).collect();
    check_body(body, today, rules)
        .into_iter()
        .filter(|v| {
            let field = base(&v.field);
            let (prefix, name) = field.rsplit_once('.').map_or(("", field), |(p, n)| (p, n));
            let judged_with: &[&str] = match name {
                "planned_end" | "article" => &["list_type", "listed_on", "article"],
                "abnormal_ground" => &["list_type"],
                "valid_until" => &["awarded_on", "evaluated_on"],
                // The edition that judges a grade is chosen by its evaluation date.
                "level" | "rating_year" | "not_rated" => &["evaluated_on"],
                "failed_items" => &["outcome"],
                "fine_fen" | "sanctions" => &["severity"],
                _ => &[],
            };
            std::iter::once(name).chain(judged_with.iter().copied()).all(|dep| {
                let path = if prefix.is_empty() { dep.to_string() } else { format!("{prefix}.{dep}") };
                !unreadable.contains(&path.as_str())
            })
        })
        .collect()
}

/// Checks a record against the earlier record it refers to, among the
/// entity's known records. `target` is `None` when no record has that id.
pub fn check_against(
    body: &RecordBody,
    uscc: &Uscc,
    authority: &str,
    target: Option<(&Arc<Record>, &[Arc<Record>])>,
    rules: &Rules,
    today: Date,
) -> Result<(), Refusal> {
    known_authority(authority, rules, today)?;
    if let RecordBody::Grade(g) = body {
        grade::may_issue(g, authority, rules)?;
    }
    if let RecordBody::Listing(l) = body {
        listing::may_post(l, authority, rules)?;
    }
    let Some((field, id)) = reference_of(body) else { return Ok(()) };
    let Some((record, entity_records)) = target else {
        return Err(Refusal::TargetNotFound { field: field.into(), record_id: id.clone() });
    };
    let target = Target { field, id, record, entity_records };
    match body {
        RecordBody::Listing(l) => listing::against(l, &target, uscc, rules, today),
        RecordBody::PenaltyCorrection(c) => penalty::correction_against(c, &target, authority, rules, today),
        RecordBody::Removal(r) => removal::against(r, &target, authority, &rules.lists),
        RecordBody::RepairApplication(a) => repair::application_against(a, &target, authority, rules, today),
        RecordBody::RepairDecision(d) => repair::decision_against(d, &target, authority, rules),
        RecordBody::GradeChange(c) => grade::change_against(c, &target, authority, rules),
        RecordBody::Penalty(_) | RecordBody::SpotCheck(_) | RecordBody::Commendation(_) | RecordBody::Grade(_) => Ok(()),
    }
}

/// `Ok` when a change decided on `decided_on` is no earlier than `from`, the
/// date of `what` it changes (e.g. `penalty <id>`); else the `NotYet`
/// refusal with `reason`, naming `from` as the first day allowed.
fn not_before(reason: &'static str, decided_on: Date, what: &str, from: Date) -> Result<(), Refusal> {
    if decided_on >= from {
        return Ok(());
    }
    Err(Refusal::NotYet {
        reason,
        message: format!("decided_on {decided_on} is too early: {what} is from {from}; allowed from {from}"),
        allowed_from: from,
    })
}

/// The earlier record a body refers to, found among its entity's records.
struct Target<'a> {
    /// The body's field that names it, and the id it names there.
    field: &'static str,
    id: &'a RecordId,
    record: &'a Arc<Record>,
    /// The entity's known records, in ledger order.
    entity_records: &'a [Arc<Record>],
}

impl Target<'_> {
    fn invalid(&self, description: String) -> Refusal {
        Refusal::Invalid(vec![Violation::new(self.field, description)])
    }

    /// The body names a record of another kind than the one it changes.
    fn not_a(&self, kind: &str) -> Refusal {
        self.invalid(format!("record {} is a {}, not a {kind}", self.id, self.record.body.kind()))
    }

    /// 谁认定、谁修复: only the authority that decided a record changes it.
    fn same_authority(&self, authority: &str) -> Result<(), Refusal> {
        if self.record.authority == authority {
            Ok(())
        } else {
            Err(Refusal::OtherAuthority {
                field: self.field.into(),
                record_id: self.record.id.clone(),
                authority: self.record.authority.clone(),
            })
        }
    }
}

/// Whether `id` has the form of a record id the registry issues: a UUID in
/// its hyphenated lower-case form (other spellings of a UUID name no record).
/// Only an authority the directory lists, on a day it exists, writes: the
/// directory is where its kind, and so the rules that apply to it, come from.
fn known_authority(authority: &str, rules: &Rules, today: Date) -> Result<(), Refusal> {
    let how = "an operator adds it to the authority directory (policy.authority_directory; see docs/operations.md)";
    let message = match rules.directory.get(authority) {
        None => format!(
            "the token's authority claim '{authority}' is not in the authority directory {}: {how}",
            rules.directory.version
        ),
        Some(a) if !a.exists_on(today) => format!(
            "the token's authority claim '{authority}' ({}) does not exist on {today} in the authority directory {} \
             (from {}{}): a record is written by an authority that exists that day{}",
            a.name_on(today).name,
            rules.directory.version,
            a.established,
            a.dissolved.map(|d| format!(", until {d}")).unwrap_or_default(),
            a.succeeded_by.as_ref().map(|s| format!("; its work went to '{s}'")).unwrap_or_default()
        ),
        Some(_) => return Ok(()),
    };
    Err(Refusal::UnknownAuthority { authority: authority.to_string(), message })
}

/// Authority kinds as rule files name them, for a refusal's message.
fn kind_names(kinds: &[AuthorityKind]) -> String {
    kinds.iter().map(|k| k.file_name()).collect::<Vec<_>>().join(", ")
}

pub fn is_record_id(id: &str) -> bool {
    uuid::Uuid::try_parse(id).is_ok_and(|u| u.hyphenated().to_string() == id)
}

/// The field and id of the record a body refers to, if any. A listing may
/// name the penalty it rests on.
pub fn reference_of(body: &RecordBody) -> Option<(&'static str, &RecordId)> {
    match body {
        RecordBody::Listing(l) => l.penalty_record_id.as_ref().map(|id| ("penalty_record_id", id)),
        RecordBody::PenaltyCorrection(c) => Some(("penalty_record_id", &c.penalty_record_id)),
        RecordBody::Removal(r) => Some(("listing_record_id", &r.listing_record_id)),
        RecordBody::RepairApplication(a) => Some(("target_record_id", &a.target_record_id)),
        RecordBody::RepairDecision(d) => Some(("application_record_id", &d.application_record_id)),
        RecordBody::GradeChange(c) => Some(("grade_record_id", &c.grade_record_id)),
        _ => None,
    }
}

#[cfg(test)]
mod fixture;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::admission::fixture::{day, fields, id, listing, today};

    #[test]
    fn a_record_id_is_a_uuid_in_its_hyphenated_lower_case_form() {
        assert!(is_record_id(&id(1)));
        assert!(!is_record_id(&id(1).to_uppercase()));
        assert!(!is_record_id(&id(1).replace('-', "")));
        assert!(!is_record_id("1"));
    }

    /// A problem judged with a field that could not be read is not reported:
    /// the caller hears of the unreadable field instead.
    #[test]
    fn problems_judged_with_an_unreadable_field_are_left_out() {
        let mut l = listing(day(2026, 5, 1));
        l.planned_end = None;
        l.grounds.clear();
        let body = RecordBody::Listing(l);
        assert_eq!(fields(body.clone()), ["grounds", "planned_end"]);
        let readable = |unreadable: &[&str]| -> Vec<String> {
            let unreadable: Vec<String> = unreadable.iter().map(|f| f.to_string()).collect();
            check_readable(&body, today(), &Rules::defaults(), &unreadable).into_iter().map(|v| v.field).collect()
        };
        assert_eq!(readable(&["list_type"]), ["grounds"]);
        assert_eq!(readable(&["grounds"]), ["planned_end"]);
    }
}
