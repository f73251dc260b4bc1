//! The fold itself: which records are known, what changed each, and where
//! each stands on the evaluation date.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::changes::{amended, grade_level, last_day_listed, repaired_by, revoked};
use super::{EntityState, GradeStanding, RecordStatus, RecordView};
use crate::domain::record::{
    CorrectionChange, Date, Grade, GradeChange, GradeChangeKind, Listing, Record, RecordBody, RecordId, RemovalReason,
};
use crate::domain::rules::Rules;
use crate::domain::rules::grades::Cap;
use crate::domain::rules::publicity::PublicityRules;

/// Folds an entity's records (in ledger order) into its state.
///
/// `known_at`: only records committed at or before it count (transaction
/// time); `None` means everything recorded. `evaluated_on`: the date the
/// standing is evaluated on (valid time). `rules`: the edition in force on
/// that date; its publicity rules decide when a penalty stops being
/// published, its grading schemes which grade levels are published and
/// what caps them.
pub fn fold<'a>(
    records: &'a [Arc<Record>],
    known_at: Option<DateTime<Utc>>,
    evaluated_on: Date,
    rules: &Rules,
) -> EntityState<'a> {
    let publicity = &rules.publicity;
    let known: Vec<&Arc<Record>> = records.iter().filter(|r| known_at.is_none_or(|t| r.recorded_at <= t)).collect();
    let by_id: HashMap<&RecordId, &Arc<Record>> = known.iter().map(|r| (&r.id, *r)).collect();

    // What changed each record: its corrections, removals and repair
    // applications, and the decisions on those applications.
    let mut changes: HashMap<&RecordId, Vec<&Arc<Record>>> = HashMap::new();
    for r in &known {
        if let Some(target) = r.body.target() {
            changes.entry(target).or_default().push(r);
            if let RecordBody::RepairDecision(_) = &r.body
                && let Some(application) = by_id.get(target)
                && let Some(repaired) = application.body.target()
            {
                changes.entry(repaired).or_default().push(r);
            }
        }
    }

    // Revoking a penalty ends the listings that rest on it (SAMR Order 44
    // art. 19): the revocation changes those listings too.
    for r in &known {
        if let RecordBody::Listing(Listing { penalty_record_id: Some(penalty), .. }) = &r.body
            && let Some(revocation) = changes.get(penalty).and_then(|c| {
                c.iter()
                    .copied()
                    .find(|c| matches!(&c.body, RecordBody::PenaltyCorrection(x) if x.change == CorrectionChange::Revocation))
            })
        {
            changes.entry(&r.id).or_default().push(revocation);
        }
    }

    let mut public: HashMap<&RecordId, bool> = HashMap::new();
    let records = known
        .iter()
        .map(|r| {
            let changers = changes.get(&r.id).map(Vec::as_slice).unwrap_or_default();
            let status = status_of(r, changers, evaluated_on, publicity);
            let target_public = r.body.target().and_then(|t| public.get(t).copied()).unwrap_or(false);
            let is_public = match &r.body {
                RecordBody::Penalty(p) => {
                    matches!(status, RecordStatus::InEffect | RecordStatus::Amended)
                        && publicity.of(amended(p, changers, evaluated_on)).published
                }
                RecordBody::PenaltyCorrection(_) | RecordBody::GradeChange(_) => {
                    target_public && status == RecordStatus::InEffect
                }
                // Decided with the grade's standing, below.
                RecordBody::Grade(_) => false,
                RecordBody::Listing(_) | RecordBody::SpotCheck(_) | RecordBody::Commendation(_) => {
                    status == RecordStatus::InEffect
                }
                RecordBody::Removal(_) | RecordBody::RepairApplication(_) | RecordBody::RepairDecision(_) => false,
            };
            public.insert(&r.id, is_public);
            RecordView { record: r, status, public: is_public, changed_by: changers.to_vec(), grade: None }
        })
        .collect();
    let mut state = EntityState { records, on: evaluated_on };
    stand_grades(&mut state, rules);
    state
}

/// Settles the grades: in each scheme the standing grade evaluated last is
/// in force, the others are superseded (`Ended`); its level is the grade's as
/// changed by `on`, capped by the listings and penalties its scheme names;
/// it is public when the scheme publishes that level. Each grade is read
/// with the grading schemes in force on its evaluation date.
fn stand_grades<'a>(state: &mut EntityState<'a>, rules: &Rules) {
    let standing = |v: &RecordView<'_>| matches!(v.status, RecordStatus::InEffect | RecordStatus::Amended);
    // Per scheme: the standing grade evaluated last (of two on one day, the
    // later recorded), by index.
    let mut newest: HashMap<&str, (usize, Date)> = HashMap::new();
    for (i, v) in state.records.iter().enumerate() {
        if let RecordBody::Grade(g) = &v.record.body
            && standing(v)
            && newest.get(g.scheme.as_str()).is_none_or(|&(_, kept)| g.evaluated_on >= kept)
        {
            newest.insert(&g.scheme, (i, g.evaluated_on));
        }
    }
    let in_force: Vec<usize> = newest.into_values().map(|(i, _)| i).collect();
    let mut standings = Vec::new();
    for (i, v) in state.records.iter().enumerate() {
        let record: &'a Arc<Record> = v.record;
        let RecordBody::Grade(g) = &record.body else { continue };
        if !standing(v) {
            continue;
        }
        if !in_force.contains(&i) {
            standings.push((i, None));
            continue;
        }
        let scheme = rules.grades_for(g.evaluated_on).scheme(&g.scheme);
        let mut level = grade_level(g, &v.changed_by, state.on, scheme).to_string();
        let mut capped_by = None;
        // Not rated: there is no level to cap (the listing stands on its own).
        for cap in scheme.filter(|_| !level.is_empty()).map(|s| s.cap.as_slice()).unwrap_or_default() {
            let listed = state.records.iter().find(|l| listing_caps(l, cap, g, &v.changed_by, state.on)).map(|l| l.record);
            let penalised = state.penalties_for_use(false).find(|p| {
                cap.penalty_min_severity.is_some_and(|min| p.penalty.severity >= min) && p.penalty.decided_on > g.evaluated_on
            });
            let by = listed.or(penalised.map(|p| p.record));
            if let (Some(by), Some(scheme)) = (by, scheme)
                && scheme.worse(&level, &cap.max_level) != level
            {
                level = cap.max_level.clone();
                capped_by = Some(by);
            }
        }
        let public = scheme.is_some_and(|s| s.publishes(&level));
        standings.push((i, Some((GradeStanding { grade: g, level, capped_by }, public))));
    }
    for (i, standing) in standings {
        let view = &mut state.records[i];
        match standing {
            None => {
                view.status = RecordStatus::Ended;
                view.public = false;
            }
            Some((s, public)) => {
                view.public = public;
                view.grade = Some(s);
            }
        }
    }
}

/// Whether `listing` caps `grade` under `cap` on `on`. A listing in force
/// caps when it began after the evaluation, or before it where the cap says
/// so (直接判为D级). One that ended by its term or by cure still caps where
/// the cap outlasts the listing, as long as the grade was evaluated before
/// it ended and no repair of the grade (`grade_changers`) has been decided
/// since it ended. A revoked or repaired listing never caps.
fn listing_caps(listing: &RecordView<'_>, cap: &Cap, grade: &Grade, grade_changers: &[&Arc<Record>], on: Date) -> bool {
    let RecordBody::Listing(l) = &listing.record.body else { return false };
    let began_in_time = cap.listed_before_evaluation || l.listed_on > grade.evaluated_on;
    if !cap.listed.contains(&l.list_type) || !began_in_time {
        return false;
    }
    match listing.status {
        RecordStatus::InEffect => true,
        RecordStatus::Ended if cap.outlasts_listing => last_day_listed(l, &listing.changed_by).is_some_and(|last| {
            last >= grade.evaluated_on && !grade_changers.iter().any(|c| {
                matches!(&c.body, RecordBody::GradeChange(GradeChange { change: GradeChangeKind::Repair { .. }, decided_on, .. })
                        if *decided_on > last && *decided_on <= on)
            })
        }),
        _ => false,
    }
}

/// Where `record` stands on `on`, given the later records that changed it.
fn status_of(record: &Record, changers: &[&Arc<Record>], on: Date, publicity: &PublicityRules) -> RecordStatus {
    match &record.body {
        RecordBody::Penalty(p) => {
            let current = amended(p, changers, on);
            if revoked(changers) {
                RecordStatus::Revoked
            } else if p.decided_on > on {
                RecordStatus::NotYetEffective
            } else if repaired_by(changers, on) {
                RecordStatus::Repaired
            } else if on > publicity.of(current).last_day {
                RecordStatus::PublicityEnded
            } else if !std::ptr::eq(current, p) {
                RecordStatus::Amended
            } else {
                RecordStatus::InEffect
            }
        }
        RecordBody::Listing(l) => {
            let removal = changers.iter().find_map(|c| match &c.body {
                RecordBody::Removal(r) => Some(r),
                _ => None,
            });
            match removal {
                _ if revoked(changers) => RecordStatus::Revoked,
                Some(r) if r.reason == RemovalReason::Revoked => RecordStatus::Revoked,
                _ if l.listed_on > on => RecordStatus::NotYetEffective,
                _ if repaired_by(changers, on) => RecordStatus::Repaired,
                Some(r) if r.removed_on <= on => match r.reason {
                    RemovalReason::CreditRepair => RecordStatus::Repaired,
                    _ => RecordStatus::Ended,
                },
                _ if l.planned_end.is_some_and(|end| end < on) => RecordStatus::Ended,
                _ => RecordStatus::InEffect,
            }
        }
        RecordBody::Grade(g) => {
            let revoked =
                changers.iter().any(|c| matches!(&c.body, RecordBody::GradeChange(x) if x.change == GradeChangeKind::Revocation));
            let changed = changers.iter().any(|c| match &c.body {
                RecordBody::GradeChange(GradeChange { change: GradeChangeKind::Correction { .. }, .. }) => true,
                RecordBody::GradeChange(GradeChange {
                    change: GradeChangeKind::Downgrade { .. } | GradeChangeKind::Repair { .. },
                    decided_on,
                    ..
                }) => *decided_on <= on,
                _ => false,
            });
            if revoked {
                RecordStatus::Revoked
            } else if g.evaluated_on > on {
                RecordStatus::NotYetEffective
            } else if g.valid_until < on {
                RecordStatus::Ended
            } else if changed {
                RecordStatus::Amended
            } else {
                RecordStatus::InEffect
            }
        }
        RecordBody::GradeChange(c) if c.change != GradeChangeKind::Revocation && c.decided_on > on => {
            RecordStatus::NotYetEffective
        }
        RecordBody::SpotCheck(s) if s.checked_on > on => RecordStatus::NotYetEffective,
        // A revocation voids from the start, so it stands on every date;
        // other changes take effect on their own date.
        RecordBody::PenaltyCorrection(c) if c.change != CorrectionChange::Revocation && c.decided_on > on => {
            RecordStatus::NotYetEffective
        }
        RecordBody::Removal(r) if r.reason != RemovalReason::Revoked && r.removed_on > on => RecordStatus::NotYetEffective,
        RecordBody::RepairApplication(a) if a.applied_on > on => RecordStatus::NotYetEffective,
        RecordBody::RepairDecision(d) if d.decided_on > on => RecordStatus::NotYetEffective,
        RecordBody::Commendation(c) if c.awarded_on > on => RecordStatus::NotYetEffective,
        RecordBody::Commendation(c) if c.valid_until.is_some_and(|until| until < on) => RecordStatus::Ended,
        _ => RecordStatus::InEffect,
    }
}
