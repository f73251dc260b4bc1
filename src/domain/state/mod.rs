//! Entity state as a pure fold over its records.
//!
//! `fold(records, known_at, evaluated_on)` answers "what did the registry know
//! at `known_at` about this entity's standing on `evaluated_on`". Records are
//! never changed; a later record (correction, removal) changes how an earlier
//! one stands, and only once the later one is known.

use std::sync::Arc;

use super::record::{Date, Grade, Listing, Penalty, Record, RecordBody, WireName};

mod changes;
mod fold;
#[cfg(test)]
mod tests;

use changes::amended;
pub use changes::grade_level;
pub use fold::fold;

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

impl WireName for RecordStatus {
    const PREFIX: &'static str = "RECORD_STATUS";
}

/// A grade in force: its level after changes and caps.
#[derive(Clone, Debug)]
pub struct GradeStanding<'a> {
    pub grade: &'a Grade,
    /// The level in force: the grade's, as last downgraded, corrected or
    /// repaired, capped by a listing or penalty where the scheme says so.
    /// Empty while the entity is not rated: no level is in force.
    pub level: String,
    /// The record whose cap lowered the level, if one did.
    pub capped_by: Option<&'a Arc<Record>>,
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
    /// For a grade in force on the evaluation date (the newest of its
    /// scheme): the level that stands.
    pub grade: Option<GradeStanding<'a>>,
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
            RecordBody::Penalty(p) if matches!(v.status, RecordStatus::InEffect | RecordStatus::Amended) => {
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

    /// The grade in force in each scheme on the evaluation date.
    pub fn grades_in_force(&self) -> impl Iterator<Item = (&'a Arc<Record>, GradeStanding<'a>)> + '_ {
        self.records.iter().filter_map(|v| v.grade.clone().map(|g| (v.record, g)))
    }

    /// A known record by id.
    pub fn find(&self, id: &str) -> Option<&RecordView<'a>> {
        self.records.iter().find(|v| v.record.id == id)
    }
}
