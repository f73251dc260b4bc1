//! Entity state as a pure fold over its records.
//!
//! `fold(records, known_at, evaluated_on)` answers "what did the registry know
//! at `known_at` about this entity's standing on `evaluated_on`". Records are
//! never changed; a later record (correction, removal) changes how an earlier
//! one stands, and only once the later one is known.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::record::{
    CorrectionChange, Date, Listing, Penalty, PenaltyCorrection, Record, RecordBody, RecordId,
    RemovalReason, RepairOutcome,
};
use super::rules::publicity::PublicityRules;

/// Where a record stands on the evaluation date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStatus {
    InEffect,
    /// A penalty amended (变更) on or before the evaluation date; the
    /// amendment is what counts from its own date on.
    Amended,
    /// A penalty or listing decision revoked: void from the start.
    Revoked,
    /// A listing removed or past its planned term; a commendation past its validity.
    Ended,
    /// A penalty or listing whose credit was repaired (信用修复): not shown
    /// publicly, no measure rests on it.
    Repaired,
    /// A penalty past its publicity period: publication stopped by itself.
    /// Publication is not use: a measure whose law fixes its own window
    /// (the procurement bar's 3 years) still rests on it within that window.
    PublicityEnded,
    /// A record whose decision, start or check date is after the evaluation date.
    NotYetEffective,
}

/// One record with its standing.
#[derive(Clone, Debug)]
pub struct RecordView<'a> {
    pub record: &'a Arc<Record>,
    pub status: RecordStatus,
    /// Shown to the public and procurement callers on the evaluation date:
    /// not repaired, expired, revoked, ended, unpublished or internal.
    pub public: bool,
    /// Later records that changed this one, oldest first.
    pub changed_by: Vec<&'a Arc<Record>>,
}

/// What the registry knows of one entity at a time, on a date.
#[derive(Clone, Debug)]
pub struct EntityState<'a> {
    /// Every known record, in ledger order.
    pub records: Vec<RecordView<'a>>,
    /// The evaluation date the statuses are for.
    pub on: Date,
}

/// A penalty that a measure may rest on, as it stands on the evaluation date.
#[derive(Clone, Copy, Debug)]
pub struct UsablePenalty<'a> {
    pub record: &'a Arc<Record>,
    /// As last amended on or before the evaluation date.
    pub penalty: &'a Penalty,
}

impl<'a> EntityState<'a> {
    /// Listings in force on the evaluation date.
    pub fn listings_in_force(&self) -> impl Iterator<Item = (&'a Arc<Record>, &'a Listing)> + '_ {
        self.records.iter().filter_map(|v| match &v.record.body {
            RecordBody::Listing(l) if v.status == RecordStatus::InEffect => Some((v.record, l)),
            _ => None,
        })
    }

    /// Penalties that count on the evaluation date, as last amended by then:
    /// in effect and published.
    pub fn penalties_in_effect(&self) -> impl Iterator<Item = (&'a Arc<Record>, &'a Penalty)> + '_ {
        self.records.iter().filter_map(move |v| match &v.record.body {
            RecordBody::Penalty(p)
                if matches!(v.status, RecordStatus::InEffect | RecordStatus::Amended) =>
            {
                Some((v.record, amended(p, &v.changed_by, self.on)))
            }
            _ => None,
        })
    }

    /// Penalties a measure may rest on: those in effect and those whose
    /// publicity has ended (use is not publication), and, when
    /// `with_repaired`, those whose credit was repaired (for measures whose
    /// statutory window a repair does not lift). Revoked penalties and
    /// penalties not yet decided never count.
    pub fn penalties_for_use(&self, with_repaired: bool) -> impl Iterator<Item = UsablePenalty<'a>> + '_ {
        self.records.iter().filter_map(move |v| match &v.record.body {
            RecordBody::Penalty(p)
                if matches!(v.status, RecordStatus::InEffect | RecordStatus::Amended | RecordStatus::PublicityEnded)
                    || (with_repaired && v.status == RecordStatus::Repaired) =>
            {
                Some(UsablePenalty { record: v.record, penalty: amended(p, &v.changed_by, self.on) })
            }
            _ => None,
        })
    }

    /// A known record by id.
    pub fn find(&self, id: &str) -> Option<&RecordView<'a>> {
        self.records.iter().find(|v| v.record.id == id)
    }
}

/// Folds an entity's records (in ledger order) into its state.
///
/// `known_at`: only records committed at or before it count (transaction
/// time); `None` means everything recorded. `evaluated_on`: the date the
/// standing is evaluated on (valid time). `publicity` decides when a penalty
/// stops being published.
pub fn fold<'a>(
    records: &'a [Arc<Record>],
    known_at: Option<DateTime<Utc>>,
    evaluated_on: Date,
    publicity: &PublicityRules,
) -> EntityState<'a> {
    let known: Vec<&Arc<Record>> = records
        .iter()
        .filter(|r| known_at.is_none_or(|t| r.recorded_at <= t))
        .collect();
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
                c.iter().copied().find(|c| {
                    matches!(&c.body, RecordBody::PenaltyCorrection(x) if x.change == CorrectionChange::Revocation)
                })
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
                RecordBody::PenaltyCorrection(_) => target_public && status == RecordStatus::InEffect,
                RecordBody::Listing(_) | RecordBody::SpotCheck(_) | RecordBody::Commendation(_) => {
                    status == RecordStatus::InEffect
                }
                RecordBody::Removal(_)
                | RecordBody::RepairApplication(_)
                | RecordBody::RepairDecision(_) => false,
            };
            public.insert(&r.id, is_public);
            RecordView {
                record: r,
                status,
                public: is_public,
                changed_by: changers.to_vec(),
            }
        })
        .collect();
    EntityState { records, on: evaluated_on }
}

/// A penalty as amended by the latest of `changers` decided on or before
/// `on` (by decision date, whatever order they were recorded in; of two on
/// the same date, the later recorded).
///
/// An amendment (变更) after reconsideration or a court ruling takes effect
/// from its own decision date: until then the original decision stood and
/// was enforced (行政复议法 art. 42 and 行政诉讼法 art. 56: 复议、诉讼期间不停止
/// 执行), so a check dated before the amendment is judged on the original.
/// A revocation (撤销) instead voids the decision from the start.
fn amended<'a>(original: &'a Penalty, changers: &[&'a Arc<Record>], on: Date) -> &'a Penalty {
    changers
        .iter()
        .filter_map(|c| match &c.body {
            RecordBody::PenaltyCorrection(PenaltyCorrection {
                change: CorrectionChange::Amendment(p),
                decided_on,
                ..
            }) if *decided_on <= on => Some((*decided_on, p)),
            _ => None,
        })
        .max_by_key(|(decided_on, _)| *decided_on)
        .map_or(original, |(_, p)| p)
}

/// Whether a revocation (撤销) of the record, or of the penalty it rests on, is known.
fn revoked(changers: &[&Arc<Record>]) -> bool {
    changers.iter().any(|c| {
        matches!(&c.body, RecordBody::PenaltyCorrection(c) if c.change == CorrectionChange::Revocation)
    })
}

/// Whether a granted repair had taken effect by `on`.
fn repaired_by(changers: &[&Arc<Record>], on: Date) -> bool {
    changers.iter().any(|c| {
        matches!(&c.body, RecordBody::RepairDecision(d)
            if d.outcome == RepairOutcome::Granted && d.decided_on <= on)
    })
}

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
        RecordBody::SpotCheck(s) if s.checked_on > on => RecordStatus::NotYetEffective,
        // A revocation voids from the start, so it stands on every date;
        // other changes take effect on their own date.
        RecordBody::PenaltyCorrection(c)
            if c.change != CorrectionChange::Revocation && c.decided_on > on =>
        {
            RecordStatus::NotYetEffective
        }
        RecordBody::Removal(r) if r.reason != RemovalReason::Revoked && r.removed_on > on => {
            RecordStatus::NotYetEffective
        }
        RecordBody::RepairApplication(a) if a.applied_on > on => RecordStatus::NotYetEffective,
        RecordBody::RepairDecision(d) if d.decided_on > on => RecordStatus::NotYetEffective,
        RecordBody::Commendation(c) if c.awarded_on > on => RecordStatus::NotYetEffective,
        RecordBody::Commendation(c) if c.valid_until.is_some_and(|until| until < on) => {
            RecordStatus::Ended
        }
        _ => RecordStatus::InEffect,
    }
}
