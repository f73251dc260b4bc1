//! What may be recorded: the checks a record must pass before it is written.
//!
//! `check_body` looks at the record alone (amounts, dates, required text);
//! `check_against` looks at the earlier record it refers to. Both are pure:
//! the caller supplies today's date and the entity's records.

use std::sync::Arc;

use chrono::Datelike;

use super::record::{
    CorrectionChange, Date, Grade, GradeChangeKind, ListType, Listing, Penalty, Record, RecordBody, RecordId, Removal,
    RemovalReason, RepairApplication, RepairOutcome, SeverityTier, WireName, wire_names,
};
use super::rules::grades::{RatingYear, Scheme};
use super::rules::lists::ListRules;
use super::rules::{Rules, term_end};
use super::state::{RecordStatus, fold, grade_level};
use super::uscc::Uscc;

/// One problem with one field of the input. `field` is the path within the
/// record body, e.g. `fine_fen` or `amended_penalty.decided_on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub description: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Violation {
        Violation { field: field.into(), description: description.into() }
    }
}

/// Why a record that refers to an earlier one cannot be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The input itself is impossible.
    Invalid(Vec<Violation>),
    /// The referenced record does not exist.
    TargetNotFound { field: String, record_id: RecordId },
    /// The referenced record was decided by another authority (谁认定、谁修复).
    OtherAuthority { field: String, record_id: RecordId, authority: String },
    /// The referenced record is already in a state that forbids this change.
    TargetClosed { record_id: RecordId, reason: String },
    /// A rule of law forbids this change now or by this path; `reason` is a
    /// stable code (e.g. `REMOVAL_NOT_ALLOWED`), `message` cites the rule.
    Forbidden { reason: &'static str, message: String },
    /// The change is not yet allowed on the date it names, and is from
    /// `allowed_from`: every "too early" refusal (a removal, a repair sought
    /// or granted, a grade change, a penalty correction) is this one, with
    /// its kind's `reason`.
    NotYet { reason: &'static str, message: String, allowed_from: Date },
}

/// Largest fine accepted, in fen: CNY 100 billion; anything above is a typo.
const MAX_FINE_FEN: i64 = 10_000_000_000_000;
/// Longest free-text identifier (decision numbers, report numbers).
const MAX_NUMBER_LEN: usize = 128;
/// Longest free text.
const MAX_TEXT_LEN: usize = 4000;

/// Checks a record body on its own; returns every problem found.
pub fn check_body(body: &RecordBody, today: Date, rules: &Rules) -> Vec<Violation> {
    let mut v = Checker { today, rules, out: Vec::new() };
    match body {
        RecordBody::Penalty(p) => v.penalty("", p),
        RecordBody::PenaltyCorrection(c) => {
            v.reference("penalty_record_id", &c.penalty_record_id);
            v.optional_number("decision_number", &c.decision_number);
            v.text("reason", &c.reason, false);
            v.past_date("decided_on", c.decided_on);
            if let CorrectionChange::Amendment(p) = &c.change {
                v.penalty("amended_penalty.", p);
            }
        }
        RecordBody::SpotCheck(s) => {
            v.number("report_number", &s.report_number);
            v.text("product", &s.product, true);
            v.text("product_class", &s.product_class, false);
            v.text("batch", &s.batch, false);
            v.past_date("checked_on", s.checked_on);
            match (s.outcome, s.failed_items.is_empty()) {
                (super::record::SpotCheckOutcome::Fail, true) => {
                    v.push("failed_items", "must name at least one failed item when the outcome is FAIL")
                }
                (super::record::SpotCheckOutcome::Pass, false) => {
                    v.push("failed_items", "must be empty when the outcome is PASS")
                }
                _ => {}
            }
            for (i, item) in s.failed_items.iter().enumerate() {
                v.text(&format!("failed_items[{i}]"), item, true);
            }
        }
        RecordBody::Commendation(c) => {
            v.number("decision_number", &c.decision_number);
            v.text("title", &c.title, true);
            v.past_date("awarded_on", c.awarded_on);
            if let Some(until) = c.valid_until
                && until < c.awarded_on
            {
                v.push("valid_until", format!("{until} is before awarded_on {}", c.awarded_on));
            }
        }
        RecordBody::Listing(l) => {
            v.number("decision_number", &l.decision_number);
            v.text("grounds", &l.grounds, true);
            v.text("legal_basis", &l.legal_basis, true);
            v.text("legal_representative", &l.legal_representative, false);
            v.past_date("listed_on", l.listed_on);
            if let Some(id) = &l.penalty_record_id {
                v.reference("penalty_record_id", id);
            }
            match (l.list_type == ListType::AbnormalOperations, l.abnormal_ground.is_some()) {
                (true, false) => v.push("abnormal_ground", "is required for the abnormal-operations list (经营异常名录)"),
                (false, true) => v.push("abnormal_ground", "applies only to the abnormal-operations list"),
                _ => {}
            }
            let rule = rules.lists.rule(l.list_type);
            // A listing on a penalty whose sanction may extend it is checked
            // against its maximum once the penalty is known (check_against).
            let may_extend = l.penalty_record_id.is_some() && !rule.extended_by_sanctions.is_empty();
            if let Some(problem) = rule.term_violation(l.listed_on, l.planned_end, &l.article, may_extend) {
                v.push(problem.field, problem.description);
            }
            if rule.article.is_empty() && !l.article.is_empty() {
                v.push("article", format!("must be empty: the term of the {} does not depend on an article", rule.name_zh));
            }
            v.optional_number("article", &l.article);
        }
        RecordBody::Removal(r) => {
            v.reference("listing_record_id", &r.listing_record_id);
            // Revoking a listing decision (撤销列入决定) is a correction that
            // voids it from the start: it names the revoking decision and why.
            if r.reason == RemovalReason::Revoked {
                v.number("decision_number", &r.decision_number);
                v.text("explanation", &r.explanation, true);
            } else {
                v.optional_number("decision_number", &r.decision_number);
                v.text("explanation", &r.explanation, false);
            }
            v.past_date("removed_on", r.removed_on);
        }
        RecordBody::RepairApplication(a) => {
            v.reference("target_record_id", &a.target_record_id);
            v.text("statement", &a.statement, true);
            v.past_date("applied_on", a.applied_on);
        }
        RecordBody::RepairDecision(d) => {
            v.reference("application_record_id", &d.application_record_id);
            v.optional_number("decision_number", &d.decision_number);
            v.text("reason", &d.reason, false);
            v.past_date("decided_on", d.decided_on);
        }
        RecordBody::Grade(g) => {
            v.number("decision_number", &g.decision_number);
            v.text("grounds", &g.grounds, true);
            v.text("legal_basis", &g.legal_basis, true);
            v.past_date("evaluated_on", g.evaluated_on);
            if g.valid_until < g.evaluated_on {
                v.push("valid_until", format!("{} is before evaluated_on {}", g.valid_until, g.evaluated_on));
            }
            // The edition in force on the evaluation date judges the grade.
            let grades = rules.grades_for(g.evaluated_on);
            match grades.scheme(&g.scheme) {
                None => v.push(
                    "scheme",
                    format!(
                        "'{}' is not a grading scheme (one of {}; {})",
                        g.scheme,
                        grades.schemes.iter().map(|s| s.code.as_str()).collect::<Vec<_>>().join(", "),
                        grades.version
                    ),
                ),
                Some(scheme) => {
                    v.grade_level(g, scheme, &grades.version);
                    let latest = term_end(g.evaluated_on, scheme.valid_months);
                    if g.valid_until > latest {
                        v.push(
                            "valid_until",
                            format!(
                                "{} is longer than the {} months a {} grade is valid (latest {latest}; {})",
                                g.valid_until, scheme.valid_months, scheme.name_zh, grades.version
                            ),
                        );
                    }
                }
            }
        }
        RecordBody::GradeChange(c) => {
            v.reference("grade_record_id", &c.grade_record_id);
            v.optional_number("decision_number", &c.decision_number);
            v.text("reason", &c.reason, true);
            v.past_date("decided_on", c.decided_on);
            if let GradeChangeKind::Downgrade { level }
            | GradeChangeKind::Correction { level }
            | GradeChangeKind::Repair { level } = &c.change
                && level.trim().is_empty()
            {
                v.push("level", "is required for a downgrade, correction or repair");
            }
        }
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
    let lists = &rules.lists;
    if let RecordBody::Grade(g) = body
        && let grades = rules.grades_for(g.evaluated_on)
        && let Some(scheme) = grades.scheme(&g.scheme)
        && !scheme.may_issue(authority)
    {
        return Err(Refusal::Forbidden {
            reason: "GRADE_NOT_FOR_AUTHORITY",
            message: format!(
                "authority '{authority}' may not issue {} grades: only authorities {} do ({}; {})",
                scheme.name_zh,
                scheme.issuer_prefixes.join(", "),
                scheme.legal_basis,
                grades.version
            ),
        });
    }
    if let RecordBody::Listing(l) = body {
        let rule = lists.rule(l.list_type);
        if !rule.may_post(authority) {
            return Err(Refusal::Forbidden {
                reason: "LIST_NOT_FOR_AUTHORITY",
                message: format!(
                    "authority '{authority}' may not post the {}: only authorities {} do ({}; {})",
                    rule.name_zh,
                    rule.authority_prefixes.join(", "),
                    rule.legal_basis,
                    lists.version
                ),
            });
        }
    }
    let Some(target_id) = reference_of(body) else { return Ok(()) };
    let (field, target_id) = target_id;
    let Some((target, entity_records)) = target else {
        return Err(Refusal::TargetNotFound { field: field.into(), record_id: target_id.clone() });
    };
    let invalid = |description: String| Refusal::Invalid(vec![Violation::new(field, description)]);
    match body {
        RecordBody::Listing(l) => match &target.body {
            RecordBody::Penalty(p) if target.uscc == *uscc => {
                let state = fold(entity_records, None, today, rules);
                if state.find(&target.id).is_some_and(|v| v.status == RecordStatus::Revoked) {
                    return Err(Refusal::TargetClosed {
                        record_id: target.id.clone(),
                        reason: format!("penalty {} was revoked; no listing can rest on it (SAMR Order 44 art. 19)", target.id),
                    });
                }
                let rule = lists.rule(l.list_type);
                let extended = p.sanctions.iter().any(|s| rule.extended_by_sanctions.contains(s));
                match rule.term_violation(l.listed_on, l.planned_end, &l.article, extended) {
                    Some(problem) => Err(Refusal::Invalid(vec![Violation::new(problem.field, problem.description)])),
                    None => Ok(()),
                }
            }
            RecordBody::Penalty(_) => Err(invalid(format!("penalty {target_id} is about entity {}, not {uscc}", target.uscc))),
            other => Err(invalid(format!("record {target_id} is a {}, not a penalty", other.kind()))),
        },
        RecordBody::PenaltyCorrection(c) => {
            let RecordBody::Penalty(original) = &target.body else {
                return Err(invalid(format!("record {target_id} is a {}, not a penalty", target.body.kind())));
            };
            same_authority(field, target, authority)?;
            let state = fold(entity_records, None, today, rules);
            if let Some(view) = state.find(&target.id)
                && view.status == RecordStatus::Revoked
            {
                return Err(Refusal::TargetClosed {
                    record_id: target.id.clone(),
                    reason: format!(
                        "penalty {} was revoked by record {}; a revoked penalty cannot be changed again",
                        target.id,
                        view.changed_by.last().map(|r| r.id.as_str()).unwrap_or_default()
                    ),
                });
            }
            let mut problems = Vec::new();
            if let CorrectionChange::Amendment(amended) = &c.change {
                if amended.decision_number != original.decision_number {
                    problems.push(Violation::new(
                        "amended_penalty.decision_number",
                        format!(
                            "is '{}', must be the original decision number '{}'",
                            amended.decision_number, original.decision_number
                        ),
                    ));
                }
                // The penalty keeps its decision date (lookbacks run from
                // it); the amendment takes effect from the correction's date.
                if amended.decided_on != original.decided_on {
                    problems.push(Violation::new(
                        "amended_penalty.decided_on",
                        format!(
                            "is {}, must be the original decision date {}; the amendment takes effect from the correction's decided_on",
                            amended.decided_on, original.decided_on
                        ),
                    ));
                }
            }
            if !problems.is_empty() {
                return Err(Refusal::Invalid(problems));
            }
            if c.decided_on < original.decided_on {
                return Err(Refusal::NotYet {
                    reason: "CORRECTION_NOT_ALLOWED",
                    message: format!(
                        "decided_on {} is too early: penalty {} is from {}; allowed from {}",
                        c.decided_on, target.id, original.decided_on, original.decided_on
                    ),
                    allowed_from: original.decided_on,
                });
            }
            Ok(())
        }
        RecordBody::Removal(r) => {
            let RecordBody::Listing(listing) = &target.body else {
                return Err(invalid(format!("record {target_id} is a {}, not a listing", target.body.kind())));
            };
            same_authority(field, target, authority)?;
            if let Some(earlier) =
                entity_records.iter().find(|e| matches!(&e.body, RecordBody::Removal(x) if x.listing_record_id == target.id))
            {
                return Err(Refusal::TargetClosed {
                    record_id: target.id.clone(),
                    reason: format!("listing {} was already removed by record {}", target.id, earlier.id),
                });
            }
            removal_allowed(r, listing, lists)
        }
        RecordBody::RepairApplication(a) => {
            same_authority(field, target, authority)?;
            check_repair_application(a, target, entity_records, rules, today)
        }
        RecordBody::RepairDecision(d) => {
            let RecordBody::RepairApplication(application) = &target.body else {
                return Err(invalid(format!("record {target_id} is a {}, not a repair application", target.body.kind())));
            };
            same_authority(field, target, authority)?;
            if let Some(earlier) = entity_records
                .iter()
                .find(|e| matches!(&e.body, RecordBody::RepairDecision(x) if x.application_record_id == target.id))
            {
                return Err(Refusal::TargetClosed {
                    record_id: target.id.clone(),
                    reason: format!("repair application {} was already decided by record {}", target.id, earlier.id),
                });
            }
            if d.decided_on < application.applied_on {
                return Err(Refusal::NotYet {
                    reason: "REPAIR_NOT_ALLOWED",
                    message: format!(
                        "decided_on {} is too early: the application is from {}; allowed from {}",
                        d.decided_on, application.applied_on, application.applied_on
                    ),
                    allowed_from: application.applied_on,
                });
            }
            if d.outcome == RepairOutcome::Granted {
                let repaired = entity_records
                    .iter()
                    .find(|r| r.id == application.target_record_id)
                    .expect("an application names a record of its entity");
                repair_allowed(repaired, entity_records, rules, d.decided_on, "decided_on")?;
            }
            Ok(())
        }
        RecordBody::GradeChange(c) => {
            let RecordBody::Grade(grade) = &target.body else {
                return Err(invalid(format!("record {target_id} is a {}, not a grade", target.body.kind())));
            };
            same_authority(field, target, authority)?;
            let state = fold(entity_records, None, c.decided_on, rules);
            let view = state.find(&target.id).expect("the target is among the entity's records");
            if view.status == RecordStatus::Revoked {
                return Err(Refusal::TargetClosed {
                    record_id: target.id.clone(),
                    reason: format!("grade {} was revoked; a revoked grade cannot be changed again", target.id),
                });
            }
            let mut problems = Vec::new();
            let too_early = c.decided_on < grade.evaluated_on;
            let needs_level_in_force = matches!(c.change, GradeChangeKind::Downgrade { .. } | GradeChangeKind::Repair { .. });
            if needs_level_in_force && view.grade.is_none() && !too_early {
                problems.push(Violation::new(
                    "decided_on",
                    format!(
                        "grade {} is not in force on {} ({}); only a grade in force can be downgraded or repaired",
                        target.id,
                        c.decided_on,
                        view.status.wire_name()
                    ),
                ));
            }
            if let GradeChangeKind::Downgrade { level }
            | GradeChangeKind::Correction { level }
            | GradeChangeKind::Repair { level } = &c.change
                && let Some(scheme) = rules.grades_for(grade.evaluated_on).scheme(&grade.scheme)
            {
                let current = grade_level(grade, &view.changed_by, c.decided_on, Some(scheme));
                match (scheme.rank(level), scheme.rank(current)) {
                    (None, _) => problems.push(Violation::new(
                        "level",
                        format!(
                            "'{level}' is not a level of {} (levels {})",
                            scheme.code,
                            scheme.level.iter().map(|l| l.level.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                    (Some(_), None) if needs_level_in_force => problems.push(Violation::new(
                        "level",
                        format!("grade {} is not rated; it has no level to downgrade or repair", target.id),
                    )),
                    (Some(new), Some(now)) if matches!(c.change, GradeChangeKind::Downgrade { .. }) && new <= now => problems
                        .push(Violation::new(
                            "level",
                            format!(
                                "'{level}' is not below the grade in force on {} ('{current}'); a downgrade lowers it",
                                c.decided_on
                            ),
                        )),
                    _ => {}
                }
                if let GradeChangeKind::Repair { level } = &c.change {
                    // A repair restores; it never lifts a grade above the level evaluated.
                    let corrections: Vec<&Arc<Record>> = view
                        .changed_by
                        .iter()
                        .copied()
                        .filter(|r| matches!(&r.body, RecordBody::GradeChange(x) if matches!(x.change, GradeChangeKind::Correction { .. })))
                        .collect();
                    let evaluated = grade_level(grade, &corrections, c.decided_on, None);
                    if let (Some(new), Some(was)) = (scheme.rank(level), scheme.rank(evaluated))
                        && new < was
                    {
                        problems.push(Violation::new(
                            "level",
                            format!(
                                "'{level}' is above the level evaluated ('{evaluated}'); a repair cannot raise a grade above it"
                            ),
                        ));
                    }
                    let listed = view.grade.as_ref().and_then(|s| s.capped_by).and_then(|by| state.find(&by.id));
                    if let Some(listing) =
                        listed.filter(|l| matches!(l.record.body, RecordBody::Listing(_)) && l.status == RecordStatus::InEffect)
                    {
                        return Err(Refusal::Forbidden {
                            reason: "REPAIR_NOT_ALLOWED",
                            message: format!(
                                "listing {} caps grade {} and is still in force on {}; a repair may be recorded once the listing has ended",
                                listing.record.id, target.id, c.decided_on
                            ),
                        });
                    }
                }
            }
            if !problems.is_empty() {
                return Err(Refusal::Invalid(problems));
            }
            if too_early {
                return Err(Refusal::NotYet {
                    reason: "GRADE_CHANGE_NOT_ALLOWED",
                    message: format!(
                        "decided_on {} is too early: grade {} is from {}; allowed from {}",
                        c.decided_on, target.id, grade.evaluated_on, grade.evaluated_on
                    ),
                    allowed_from: grade.evaluated_on,
                });
            }
            Ok(())
        }
        RecordBody::Penalty(_) | RecordBody::SpotCheck(_) | RecordBody::Commendation(_) | RecordBody::Grade(_) => Ok(()),
    }
}

/// Whether a removal may end a listing: every path that ends a listing early
/// passes here. The list must allow the reason; TERM_ENDED applies only from
/// the day after the planned end; CREDIT_REPAIR is never a removal of its
/// own, only the effect of a granted `DecideRepair` after the list's
/// minimum period (SAMR Order 44 arts. 16-20). `Err` cites the rule broken,
/// and names the first day the removal is allowed if it is only too early.
pub fn removal_allowed(r: &Removal, listing: &Listing, lists: &ListRules) -> Result<(), Refusal> {
    let forbidden = |message: String| Refusal::Forbidden { reason: "REMOVAL_NOT_ALLOWED", message };
    let rule = lists.rule(listing.list_type);
    if r.reason == RemovalReason::CreditRepair {
        return Err(forbidden(format!(
            "a listing on the {} ends for credit repair only by a granted repair decision (RequestRepair, then DecideRepair), {}; not by RemoveListing ({})",
            rule.name_zh,
            match rule.repair_after_months {
                Some(m) => format!("which may be sought {m} months after listing"),
                None => "which this list does not allow".into(),
            },
            lists.version
        )));
    }
    if !rule.removal_reasons.contains(&r.reason) {
        return Err(forbidden(format!(
            "{} is not a way to leave the {} (allowed: {}; {}; {})",
            r.reason.wire_name(),
            rule.name_zh,
            wire_names(&rule.removal_reasons),
            rule.legal_basis,
            lists.version
        )));
    }
    // The first day the removal may take effect, and why: never before the
    // listing, and for some reasons only after a period.
    let day_after = |d: Date| d.succ_opt().unwrap_or(d);
    let mut first = (listing.listed_on, format!("the listing is from {}", listing.listed_on));
    if r.reason == RemovalReason::Cured
        && let Some(months) = rule.cured_after_months
    {
        let from = day_after(term_end(listing.listed_on, months));
        if from > first.0 {
            first = (
                from,
                format!("an entry on the {} ends on cure only after {months} months ({})", rule.name_zh, rule.legal_basis),
            );
        }
    }
    if r.reason == RemovalReason::TermEnded {
        let Some(end) = listing.planned_end else {
            return Err(forbidden(format!("{} needs a listing with a planned end; this one has none", r.reason.wire_name())));
        };
        if day_after(end) > first.0 {
            first = (day_after(end), format!("the planned term ends on {end}"));
        }
    }
    let (allowed_from, why) = first;
    if r.removed_on < allowed_from {
        return Err(Refusal::NotYet {
            reason: "REMOVAL_NOT_ALLOWED",
            message: format!(
                "removed_on {} is too early for {}: {why}; allowed from {allowed_from}",
                r.removed_on,
                r.reason.wire_name()
            ),
            allowed_from,
        });
    }
    Ok(())
}

/// A repair application (信用修复申请) must name a penalty or listing still
/// standing on the application date, with no application pending, and pass
/// the repair rules on that date (`repair_allowed`).
fn check_repair_application(
    a: &RepairApplication,
    target: &Arc<Record>,
    entity_records: &[Arc<Record>],
    rules: &Rules,
    today: Date,
) -> Result<(), Refusal> {
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
        if bar.binds(&target.authority)
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
        rules.publicity.repair_period_end(current, &target.authority).map_err(forbidden)?
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

/// Whether `id` has the form of a record id the registry issues: a UUID in
/// its hyphenated lower-case form (other spellings of a UUID name no record).
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

fn same_authority(field: &str, target: &Record, authority: &str) -> Result<(), Refusal> {
    if target.authority == authority {
        Ok(())
    } else {
        Err(Refusal::OtherAuthority { field: field.into(), record_id: target.id.clone(), authority: target.authority.clone() })
    }
}

struct Checker<'r> {
    today: Date,
    rules: &'r Rules,
    out: Vec<Violation>,
}

impl Checker<'_> {
    fn push(&mut self, field: &str, description: impl Into<String>) {
        self.out.push(Violation::new(field, description));
    }

    fn penalty(&mut self, prefix: &str, p: &Penalty) {
        let f = |name: &str| format!("{prefix}{name}");
        self.number(&f("decision_number"), &p.decision_number);
        self.text(&f("legal_basis"), &p.legal_basis, true);
        self.text(&f("violation"), &p.violation, false);
        if p.fine_fen < 0 {
            self.push(&f("fine_fen"), format!("must not be negative, got {}", p.fine_fen));
        } else if p.fine_fen > MAX_FINE_FEN {
            self.push(&f("fine_fen"), format!("{} fen exceeds the largest accepted fine of {MAX_FINE_FEN} fen", p.fine_fen));
        }
        for (i, s) in p.sanctions.iter().enumerate() {
            if p.sanctions[..i].contains(s) {
                self.push(&format!("{prefix}sanctions[{i}]"), format!("{} is listed twice", s.wire_name()));
            }
        }
        self.past_date(&f("decided_on"), p.decided_on);
        if p.severity == SeverityTier::Minor {
            let limits = &self.rules.publicity.minor_tier;
            for (i, s) in p.sanctions.iter().enumerate() {
                if limits.excluded_sanctions.contains(s) {
                    self.push(
                        &format!("{prefix}sanctions[{i}]"),
                        format!("{} is not a minor (轻微) penalty: record it as SEVERITY_TIER_GENERAL, SEVERITY_TIER_HEAVIER or SEVERITY_TIER_SERIOUS ({})", s.wire_name(), limits.legal_basis),
                    );
                }
            }
            if p.fine_fen >= limits.fine_below_fen {
                self.push(
                    &f("fine_fen"),
                    format!(
                        "{} fen is not a minor (轻微) penalty: a minor fine is below {} fen ({})",
                        p.fine_fen, limits.fine_below_fen, limits.legal_basis
                    ),
                );
            }
        }
    }

    /// A grade's level, or its not-rated state, and its rating year, as
    /// the scheme of the edition in force on its evaluation date allows.
    fn grade_level(&mut self, g: &Grade, scheme: &Scheme, version: &str) {
        let levels = || scheme.level.iter().map(|l| l.level.as_str()).collect::<Vec<_>>().join(", ");
        if g.not_rated {
            if scheme.not_rated.is_none() {
                self.push("not_rated", format!("{} has no not-rated state ({version}); record a level", scheme.code));
            }
            if !g.level.is_empty() {
                self.push("level", "must be empty when not_rated is set: not rated is not a level");
            }
        } else if scheme.rank(&g.level).is_none() {
            self.push("level", format!("'{}' is not a level of {} (levels {}; {version})", g.level, scheme.code, levels()));
        } else if !scheme.level_given_on(&g.level, g.evaluated_on) {
            let level = scheme.level(&g.level).expect("a level of the scheme");
            self.push(
                "level",
                format!(
                    "'{}' is given only to grades evaluated from {} ({}; {version})",
                    g.level,
                    level.evaluated_from.map(|d| d.to_string()).unwrap_or_default(),
                    level.legal_basis.as_deref().unwrap_or_default()
                ),
            );
        }
        let year = g.evaluated_on.year();
        match g.rating_year {
            None if scheme.rating_year == RatingYear::Required => {
                self.push("rating_year", format!("is required for {} grades ({}; {version})", scheme.code, scheme.legal_basis))
            }
            Some(rating) if rating > year || rating < self.rules.earliest_date.year() => self.push(
                "rating_year",
                format!(
                    "{rating} is not a year that can have been rated by {}: between {} and {year} (a year is rated once it has begun)",
                    g.evaluated_on,
                    self.rules.earliest_date.year()
                ),
            ),
            _ => {}
        }
    }

    /// A date that has happened, and not before the earliest date the
    /// registry accepts (`policy.earliest_date`).
    fn past_date(&mut self, field: &str, date: Date) {
        if date > self.today {
            self.push(field, format!("{date} is in the future (today is {} UTC+8)", self.today));
        } else if date < self.rules.earliest_date {
            self.push(
                field,
                format!(
                    "{date} is before {}, the earliest date this registry accepts (policy.earliest_date)",
                    self.rules.earliest_date
                ),
            );
        }
    }

    fn number(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.push(field, "is required");
        } else {
            self.optional_number(field, value);
        }
    }

    fn optional_number(&mut self, field: &str, value: &str) {
        if value.chars().count() > MAX_NUMBER_LEN {
            self.push(field, format!("is longer than {MAX_NUMBER_LEN} characters"));
        } else if value != value.trim() {
            self.push(field, "must not start or end with white space");
        }
    }

    /// A record id: required, and a UUID as the registry issues them; a
    /// malformed one is refused here rather than looked up.
    fn reference(&mut self, field: &str, id: &str) {
        if id.trim().is_empty() {
            self.push(field, "is required");
        } else if !is_record_id(id) {
            self.push(
                field,
                format!(
                    "'{}' is not a record id (a UUID such as 01a2059c-5236-73df-b2e5-44c888f9a4ba)",
                    id.chars().take(64).collect::<String>()
                ),
            );
        }
    }

    fn text(&mut self, field: &str, value: &str, required: bool) {
        if required && value.trim().is_empty() {
            self.push(field, "is required");
        } else if value.chars().count() > MAX_TEXT_LEN {
            self.push(field, format!("is longer than {MAX_TEXT_LEN} characters"));
        }
    }
}
