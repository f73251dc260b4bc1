//! What a refused input is told: the problems with its fields, or why a
//! change to an earlier record cannot be made. Every floor answers with these.

use super::record::{Date, RecordId};

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
    /// The writer's authority (its token's `authority` claim) is not in the
    /// authority directory, or did not exist on the day of writing.
    UnknownAuthority { authority: String, message: String },
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
