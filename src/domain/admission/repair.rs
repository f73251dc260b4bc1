//! Credit repair (信用修复): an application and its decision, and when a
//! record's credit may be repaired.

use std::sync::Arc;

use super::fields::Checker;
use super::{Target, not_before};
use crate::domain::record::{Date, Record, RecordBody, RecordId, RepairApplication, RepairDecision, RepairOutcome, WireName};
use crate::domain::rules::{Rules, term_end};
use crate::domain::state::{RecordStatus, fold};
use crate::domain::{Refusal, Violation};

impl Checker<'_> {
    pub(super) fn repair_application(&mut self, a: &RepairApplication) {
        self.reference("target_record_id", &a.target_record_id);
        self.text("statement", &a.statement, true);
        self.past_date("applied_on", a.applied_on);
    }

    pub(super) fn repair_decision(&mut self, d: &RepairDecision) {
        self.reference("application_record_id", &d.application_record_id);
        self.optional_number("decision_number", &d.decision_number);
        self.text("reason", &d.reason, false);
        self.past_date("decided_on", d.decided_on);
    }
}

/// A repair application (信用修复申请) must name a penalty or listing still
/// standing on the application date, with no application pending, and pass
/// the repair rules on that date (`repair_allowed`).
pub(super) fn application_against(
    a: &RepairApplication,
    target: &Target<'_>,
    authority: &str,
    rules: &Rules,
    today: Date,
) -> Result<(), Refusal> {
    target.same_authority(authority)?;
    let (target, entity_records) = (target.record, target.entity_records);
    if !matches!(target.body, RecordBody::Penalty(_) | RecordBody::Listing(_)) {
        return Err(Refusal::Invalid(vec![Violation::new(
            "target_record_id",
            format!("record {} is a {}, not a penalty or listing", target.id, target.body.kind()),
        )]));
    }
    let decided: Vec<&RecordId> = entity_records
        .iter()
        .filter_map(|r| match &r.body {
            RecordBody::RepairDecision(d) => Some(&d.application_record_id),
            _ => None,
        })
        .collect();
    if let Some(pending) = entity_records.iter().find(|r| {
        matches!(&r.body, RecordBody::RepairApplication(x) if x.target_record_id == target.id) && !decided.contains(&&r.id)
    }) {
        return Err(Refusal::TargetClosed {
            record_id: target.id.clone(),
            reason: format!("repair application {} for {} is still pending", pending.id, target.id),
        });
    }
    repair_allowed(target, entity_records, rules, a.applied_on.min(today), "applied_on")
}

/// A repair decision answers a pending application of its own authority, no
/// earlier than it; a grant passes the repair rules on its own date.
pub(super) fn decision_against(d: &RepairDecision, target: &Target<'_>, authority: &str, rules: &Rules) -> Result<(), Refusal> {
    let RecordBody::RepairApplication(application) = &target.record.body else {
        return Err(target.not_a("repair application"));
    };
    target.same_authority(authority)?;
    let entity_records = target.entity_records;
    if let Some(earlier) = entity_records
        .iter()
        .find(|e| matches!(&e.body, RecordBody::RepairDecision(x) if x.application_record_id == target.record.id))
    {
        return Err(Refusal::TargetClosed {
            record_id: target.record.id.clone(),
            reason: format!("repair application {} was already decided by record {}", target.record.id, earlier.id),
        });
    }
    not_before("REPAIR_NOT_ALLOWED", d.decided_on, "the application", application.applied_on)?;
    if d.outcome == RepairOutcome::Granted {
        let repaired = entity_records
            .iter()
            .find(|r| r.id == application.target_record_id)
            .expect("an application names a record of its entity");
        repair_allowed(repaired, entity_records, rules, d.decided_on, "decided_on")?;
    }
    Ok(())
}

/// Whether the credit of `target` may be repaired on `on`: every path that
/// repairs a record (an application, and a grant on its own date) passes
/// here. The record must still stand; lists that cannot be repaired, and
/// penalties whose publication may not end early (SAMR Order 45 arts. 14,
/// 18: their sanctions, or an entity on the abnormal-operations or serious
/// list), are refused; and the minimum period must be complete: repair may
/// be sought from the day after it ends. `field` names the date checked.
fn repair_allowed(
    target: &Arc<Record>,
    entity_records: &[Arc<Record>],
    rules: &Rules,
    on: Date,
    field: &str,
) -> Result<(), Refusal> {
    // Sought before the record takes effect, repair is judged as on its first
    // day: too early, with the first day it is allowed, not a closed record.
    let first_day = match &target.body {
        RecordBody::Penalty(p) => p.decided_on,
        RecordBody::Listing(l) => l.listed_on,
        _ => on,
    };
    let judged_on = on.max(first_day);
    let state = fold(entity_records, None, judged_on, rules);
    let view = state.find(&target.id).expect("the target is among the entity's records");
    // A penalty past its publicity may still be in use (a measure's own
    // window): repair stops that use, so it may still be sought.
    if !matches!(view.status, RecordStatus::InEffect | RecordStatus::Amended | RecordStatus::PublicityEnded) {
        return Err(Refusal::TargetClosed {
            record_id: target.id.clone(),
            reason: format!(
                "{} {} is {} on {judged_on}; only a standing record can be repaired",
                target.body.kind(),
                target.id,
                view.status.wire_name(),
            ),
        });
    }
    let forbidden = |message: String| Refusal::Forbidden { reason: "REPAIR_NOT_ALLOWED", message };
    let period_end = if let RecordBody::Listing(l) = &target.body {
        let rule = rules.lists.rule(l.list_type);
        let months = rule.repair_after_months.ok_or_else(|| {
            forbidden(format!(
                "an entry on the {} cannot be repaired; it ends with its term or its revocation ({}; {})",
                rule.name_zh, rule.legal_basis, rules.lists.version
            ))
        })?;
        term_end(l.listed_on, months)
    } else {
        let current =
            state.penalties_for_use(false).find(|p| p.record.id == target.id).expect("a standing penalty is usable").penalty;
        let bar = &rules.publicity.early_end_bar;
        if bar.binds(rules.authority_kind(&target.authority))
            && let Some((listing, l)) = state.listings_in_force().find(|(_, l)| bar.refused_while_listed.contains(&l.list_type))
        {
            return Err(forbidden(format!(
                "a penalty of an entity on the {} ({}, listing {}) cannot be repaired while it is listed ({}; {})",
                rules.lists.rule(l.list_type).name_zh,
                l.list_type.wire_name(),
                listing.id,
                bar.legal_basis,
                rules.publicity.version
            )));
        }
        rules.publicity.repair_period_end(current, rules.authority_kind(&target.authority)).map_err(forbidden)?
    };
    if on <= period_end {
        let allowed_from = period_end.succ_opt().unwrap_or(period_end);
        return Err(Refusal::NotYet {
            reason: "REPAIR_NOT_ALLOWED",
            message: format!(
                "{field} {on} is too early: the minimum period of {} ends on {period_end}; allowed from {allowed_from} ({}, {})",
                target.id, rules.publicity.version, rules.lists.version
            ),
            allowed_from,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::domain::Refusal;
    use crate::domain::admission::fixture::*;
    use crate::domain::record::{RecordBody, RepairDecision, RepairOutcome};

    fn decision(application: u32, decided_on: crate::domain::record::Date) -> RecordBody {
        RecordBody::RepairDecision(RepairDecision {
            application_record_id: id(application),
            outcome: RepairOutcome::Granted,
            decided_on,
            decision_number: String::new(),
            reason: String::new(),
        })
    }

    #[test]
    fn an_application_states_its_case_and_a_decision_names_its_application() {
        assert_eq!(fields(RecordBody::RepairApplication(application(1, day(2026, 5, 1)))), Vec::<String>::new());
        let mut a = application(1, day(2026, 5, 1));
        a.statement = " ".into();
        assert_eq!(fields(RecordBody::RepairApplication(a)), ["statement"]);
        assert_eq!(fields(decision(2, day(2026, 5, 1))), Vec::<String>::new());
        let RecordBody::RepairDecision(mut d) = decision(2, day(2026, 5, 1)) else { unreachable!() };
        d.application_record_id = id(2).to_uppercase();
        assert_eq!(fields(RecordBody::RepairDecision(d)), ["application_record_id"]);
    }

    /// A quality-blacklist entry may be repaired once 12 months have passed
    /// since its listing: from the day after the period is complete.
    #[test]
    fn repair_is_sought_after_the_minimum_period_of_a_standing_record() {
        let listed = record(1, RecordBody::Listing(listing(day(2025, 1, 1))));
        let apply = |on| RecordBody::RepairApplication(application(1, on));
        assert_eq!(against(&apply(day(2026, 5, 1)), &listed, std::slice::from_ref(&listed)), Ok(()));
        assert_eq!(
            not_yet(against(&apply(day(2026, 1, 1)), &listed, std::slice::from_ref(&listed))),
            ("REPAIR_NOT_ALLOWED", day(2026, 1, 2))
        );
        let pending = record(2, apply(day(2026, 2, 1)));
        let again = against(&apply(day(2026, 5, 1)), &listed, &[listed.clone(), pending]);
        assert!(matches!(again, Err(Refusal::TargetClosed { .. })));
        let grade = record(1, RecordBody::Grade(grade("A", day(2026, 1, 5))));
        assert_eq!(invalid(against(&apply(day(2026, 5, 1)), &grade, std::slice::from_ref(&grade))), ["target_record_id"]);
    }

    #[test]
    fn a_decision_answers_one_application_no_earlier_than_it() {
        let listed = record(1, RecordBody::Listing(listing(day(2025, 1, 1))));
        let applied = record(2, RecordBody::RepairApplication(application(1, day(2026, 3, 1))));
        let records = [listed.clone(), applied.clone()];
        assert_eq!(against(&decision(2, day(2026, 3, 10)), &applied, &records), Ok(()));
        assert_eq!(not_yet(against(&decision(2, day(2026, 2, 28)), &applied, &records)), ("REPAIR_NOT_ALLOWED", day(2026, 3, 1)));
        assert_eq!(invalid(against(&decision(1, day(2026, 3, 10)), &listed, &records)), ["application_record_id"]);
        let decided = record(3, decision(2, day(2026, 3, 5)));
        let again = against(&decision(2, day(2026, 3, 10)), &applied, &[listed, applied.clone(), decided]);
        assert!(matches!(again, Err(Refusal::TargetClosed { .. })));
    }
}
