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
    CorrectionChange, Date, Listing, Penalty, Record, RecordBody, RecordId, RemovalReason,
};

/// Where a record stands on the evaluation date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStatus {
    InEffect,
    /// A penalty amended later; the amendment is what counts.
    Amended,
    /// A penalty or listing decision revoked: void from the start.
    Revoked,
    /// A listing removed, or past its planned term.
    Ended,
    /// A listing removed by credit repair.
    Repaired,
    /// A penalty decided, or a listing starting, after the evaluation date.
    NotYetEffective,
}

/// One record with its standing.
#[derive(Clone, Debug)]
pub struct RecordView<'a> {
    pub record: &'a Arc<Record>,
    pub status: RecordStatus,
    /// Later records that changed this one, oldest first.
    pub changed_by: Vec<&'a RecordId>,
}

/// What the registry knows of one entity at a time, on a date.
#[derive(Clone, Debug, Default)]
pub struct EntityState<'a> {
    /// Every known record, in ledger order.
    pub records: Vec<RecordView<'a>>,
}

impl<'a> EntityState<'a> {
    /// Listings in force on the evaluation date.
    pub fn listings_in_force(&self) -> impl Iterator<Item = (&'a Arc<Record>, &'a Listing)> + '_ {
        self.records.iter().filter_map(|v| match &v.record.body {
            RecordBody::Listing(l) if v.status == RecordStatus::InEffect => Some((v.record, l)),
            _ => None,
        })
    }

    /// Penalties that count on the evaluation date, as last amended.
    pub fn penalties_in_effect(&self) -> impl Iterator<Item = (&'a Arc<Record>, &'a Penalty)> + '_ {
        self.records.iter().filter_map(move |v| match &v.record.body {
            RecordBody::Penalty(p)
                if matches!(v.status, RecordStatus::InEffect | RecordStatus::Amended) =>
            {
                Some((v.record, self.effective_penalty(v).unwrap_or(p)))
            }
            _ => None,
        })
    }

    /// The newest amendment of a penalty, if any.
    fn effective_penalty(&self, view: &RecordView<'a>) -> Option<&'a Penalty> {
        view.changed_by.iter().rev().find_map(|id| {
            self.find(id).and_then(|v| match &v.record.body {
                RecordBody::PenaltyCorrection(c) => match &c.change {
                    CorrectionChange::Amendment(p) => Some(p),
                    CorrectionChange::Revocation => None,
                },
                _ => None,
            })
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
/// standing is evaluated on (valid time).
pub fn fold(
    records: &[Arc<Record>],
    known_at: Option<DateTime<Utc>>,
    evaluated_on: Date,
) -> EntityState<'_> {
    let known: Vec<&Arc<Record>> = records
        .iter()
        .filter(|r| known_at.is_none_or(|t| r.recorded_at <= t))
        .collect();

    let mut changes: HashMap<&RecordId, Vec<&Arc<Record>>> = HashMap::new();
    for r in &known {
        if let Some(target) = r.body.target() {
            changes.entry(target).or_default().push(r);
        }
    }

    let records = known
        .iter()
        .map(|r| {
            let changers = changes.get(&r.id).map(Vec::as_slice).unwrap_or_default();
            RecordView {
                record: r,
                status: status_of(r, changers, evaluated_on),
                changed_by: changers.iter().map(|c| &c.id).collect(),
            }
        })
        .collect();
    EntityState { records }
}

fn status_of(record: &Record, changers: &[&Arc<Record>], on: Date) -> RecordStatus {
    match &record.body {
        RecordBody::Penalty(p) => {
            let mut status = RecordStatus::InEffect;
            for c in changers {
                if let RecordBody::PenaltyCorrection(c) = &c.body {
                    match c.change {
                        CorrectionChange::Revocation => return RecordStatus::Revoked,
                        CorrectionChange::Amendment(_) => status = RecordStatus::Amended,
                    }
                }
            }
            if p.decided_on > on {
                RecordStatus::NotYetEffective
            } else {
                status
            }
        }
        RecordBody::Listing(l) => {
            let removal = changers.iter().find_map(|c| match &c.body {
                RecordBody::Removal(r) => Some(r),
                _ => None,
            });
            match removal {
                Some(r) if r.reason == RemovalReason::Revoked => RecordStatus::Revoked,
                _ if l.listed_on > on => RecordStatus::NotYetEffective,
                Some(r) if r.removed_on <= on => match r.reason {
                    RemovalReason::CreditRepair => RecordStatus::Repaired,
                    _ => RecordStatus::Ended,
                },
                _ if l.planned_end.is_some_and(|end| end < on) => RecordStatus::Ended,
                _ => RecordStatus::InEffect,
            }
        }
        _ => RecordStatus::InEffect,
    }
}
