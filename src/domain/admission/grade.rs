//! A grade (信用等级、评价结果) on its own as its scheme allows, who may
//! issue it, and a change (降级、更正、撤销、修复) against the grade in force.

use std::sync::Arc;

use chrono::Datelike;

use super::fields::Checker;
use super::{Target, not_before};
use crate::domain::record::{Grade, GradeChange, GradeChangeKind, Record, RecordBody, WireName};
use crate::domain::rules::grades::{RatingYear, Scheme};
use crate::domain::rules::{Rules, term_end};
use crate::domain::state::{RecordStatus, fold, grade_level};
use crate::domain::{Refusal, Violation};

impl Checker<'_> {
    pub(super) fn grade(&mut self, g: &Grade) {
        self.number("decision_number", &g.decision_number);
        self.text("grounds", &g.grounds, true);
        self.text("legal_basis", &g.legal_basis, true);
        self.party("", &g.party, false);
        self.past_date("evaluated_on", g.evaluated_on);
        if g.valid_until < g.evaluated_on {
            self.push("valid_until", format!("{} is before evaluated_on {}", g.valid_until, g.evaluated_on));
        }
        // The edition in force on the evaluation date judges the grade.
        let grades = self.rules.grades_for(g.evaluated_on);
        match grades.scheme(&g.scheme) {
            None => self.push(
                "scheme",
                format!(
                    "'{}' is not a grading scheme (one of {}; {})",
                    g.scheme,
                    grades.schemes.iter().map(|s| s.code.as_str()).collect::<Vec<_>>().join(", "),
                    grades.version
                ),
            ),
            Some(scheme) => {
                self.grade_level(g, scheme, &grades.version);
                let latest = term_end(g.evaluated_on, scheme.valid_months);
                if g.valid_until > latest {
                    self.push(
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

    pub(super) fn grade_change(&mut self, c: &GradeChange) {
        self.reference("grade_record_id", &c.grade_record_id);
        self.optional_number("decision_number", &c.decision_number);
        self.text("reason", &c.reason, true);
        self.past_date("decided_on", c.decided_on);
        if let GradeChangeKind::Downgrade { level } | GradeChangeKind::Correction { level } | GradeChangeKind::Repair { level } =
            &c.change
            && level.trim().is_empty()
        {
            self.push("level", "is required for a downgrade, correction or repair");
        }
    }
}

/// Only the authorities a scheme names may issue its grades.
pub(super) fn may_issue(g: &Grade, authority: &str, rules: &Rules) -> Result<(), Refusal> {
    let grades = rules.grades_for(g.evaluated_on);
    match grades.scheme(&g.scheme) {
        Some(scheme) if !scheme.may_issue(rules.authority_kind(authority)) => Err(Refusal::Forbidden {
            reason: "GRADE_NOT_FOR_AUTHORITY",
            message: format!(
                "authority '{authority}' may not issue {} grades: only authorities of kind {} do ({}; {})",
                scheme.name_zh,
                super::kind_names(&scheme.issuer_kinds),
                scheme.legal_basis,
                grades.version
            ),
        }),
        _ => Ok(()),
    }
}

/// A change is made by the grade's authority to a grade not revoked, no
/// earlier than its evaluation; a downgrade lowers the level in force, a
/// repair restores no higher than the level evaluated and only once no
/// listing caps the grade.
pub(super) fn change_against(c: &GradeChange, target: &Target<'_>, authority: &str, rules: &Rules) -> Result<(), Refusal> {
    let RecordBody::Grade(grade) = &target.record.body else {
        return Err(target.not_a("grade"));
    };
    target.same_authority(authority)?;
    let state = fold(target.entity_records, None, c.decided_on, rules);
    let view = state.find(&target.record.id).expect("the target is among the entity's records");
    if view.status == RecordStatus::Revoked {
        return Err(Refusal::TargetClosed {
            record_id: target.record.id.clone(),
            reason: format!("grade {} was revoked; a revoked grade cannot be changed again", target.record.id),
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
                target.record.id,
                c.decided_on,
                view.status.wire_name()
            ),
        ));
    }
    if let GradeChangeKind::Downgrade { level } | GradeChangeKind::Correction { level } | GradeChangeKind::Repair { level } =
        &c.change
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
                format!("grade {} is not rated; it has no level to downgrade or repair", target.record.id),
            )),
            (Some(new), Some(now)) if matches!(c.change, GradeChangeKind::Downgrade { .. }) && new <= now => {
                problems.push(Violation::new(
                    "level",
                    format!("'{level}' is not below the grade in force on {} ('{current}'); a downgrade lowers it", c.decided_on),
                ))
            }
            _ => {}
        }
        if let GradeChangeKind::Repair { level } = &c.change {
            // A repair restores; it never lifts a grade above the level evaluated.
            let corrections: Vec<&Arc<Record>> = view
                .changed_by
                .iter()
                .copied()
                .filter(
                    |r| matches!(&r.body, RecordBody::GradeChange(x) if matches!(x.change, GradeChangeKind::Correction { .. })),
                )
                .collect();
            let evaluated = grade_level(grade, &corrections, c.decided_on, None);
            if let (Some(new), Some(was)) = (scheme.rank(level), scheme.rank(evaluated))
                && new < was
            {
                problems.push(Violation::new(
                    "level",
                    format!("'{level}' is above the level evaluated ('{evaluated}'); a repair cannot raise a grade above it"),
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
                        listing.record.id, target.record.id, c.decided_on
                    ),
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    not_before("GRADE_CHANGE_NOT_ALLOWED", c.decided_on, &format!("grade {}", target.record.id), grade.evaluated_on)
}

#[cfg(test)]
mod tests {
    use crate::domain::admission::fixture::*;
    use crate::domain::record::{Grade, GradeChange, GradeChangeKind, RecordBody};
    use crate::domain::rules::term_end;

    fn change(kind: GradeChangeKind, decided_on: crate::domain::record::Date) -> RecordBody {
        RecordBody::GradeChange(GradeChange {
            grade_record_id: id(1),
            change: kind,
            decided_on,
            decision_number: String::new(),
            reason: "复核".into(),
        })
    }

    fn level(level: &str) -> String {
        level.into()
    }

    #[test]
    fn a_grade_passes_and_each_bad_field_is_named() {
        let on = day(2026, 1, 5);
        assert_eq!(fields(RecordBody::Grade(grade("A", on))), Vec::<String>::new());
        let bad = |change: fn(&mut Grade)| {
            let mut g = grade("A", day(2026, 1, 5));
            change(&mut g);
            fields(RecordBody::Grade(g))
        };
        assert_eq!(bad(|g| g.scheme = "stars".into()), ["scheme"]);
        assert_eq!(bad(|g| g.level = "E".into()), ["level"]);
        assert_eq!(bad(|g| g.valid_until = term_end(g.evaluated_on, 25)), ["valid_until"]);
        assert_eq!(bad(|g| g.valid_until = day(2026, 1, 4)), ["valid_until"]);
        assert_eq!(bad(|g| g.not_rated = true), ["not_rated", "level"]);
        assert_eq!(bad(|g| g.rating_year = Some(2027)), ["rating_year"]);
        assert_eq!(fields(change(GradeChangeKind::Downgrade { level: String::new() }, day(2026, 3, 1))), ["level"]);
    }

    /// Only the authorities a scheme names issue its grades.
    #[test]
    fn a_grade_is_issued_by_its_schemes_authorities() {
        let body = RecordBody::Grade(grade("A", day(2026, 1, 5)));
        let check = |authority| {
            crate::domain::admission::check_against(
                &body,
                &uscc(),
                authority,
                None,
                &crate::domain::rules::Rules::defaults(),
                today(),
            )
        };
        assert_eq!(check(AUTHORITY), Ok(()));
        assert_eq!(forbidden(check("example:sh-tax")), "GRADE_NOT_FOR_AUTHORITY");
        assert!(
            matches!(check("SAMR-310000"), Err(crate::domain::Refusal::UnknownAuthority { .. })),
            "an id the directory does not list"
        );
    }

    #[test]
    fn a_change_lowers_or_corrects_a_grade_in_force_no_earlier_than_its_evaluation() {
        let graded = record(1, RecordBody::Grade(grade("B", day(2026, 1, 5))));
        let records = [graded.clone()];
        let on = day(2026, 3, 1);
        assert_eq!(against(&change(GradeChangeKind::Downgrade { level: level("C") }, on), &graded, &records), Ok(()));
        assert_eq!(invalid(against(&change(GradeChangeKind::Downgrade { level: level("A") }, on), &graded, &records)), ["level"]);
        assert_eq!(
            invalid(against(&change(GradeChangeKind::Correction { level: level("Z") }, on), &graded, &records)),
            ["level"]
        );
        assert_eq!(
            not_yet(against(&change(GradeChangeKind::Correction { level: level("C") }, day(2026, 1, 4)), &graded, &records)),
            ("GRADE_CHANGE_NOT_ALLOWED", day(2026, 1, 5))
        );
        assert_eq!(invalid(against(&change(GradeChangeKind::Repair { level: level("A") }, on), &graded, &records)), ["level"]);
    }
}
