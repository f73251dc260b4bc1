//! Credit grades (信用等级) and their changes.

use super::{Date, Party, RecordId};

/// A credit grade (信用等级) issued to an entity under a grading scheme
/// (`policy/grades.toml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grade {
    /// The scheme's code, e.g. `tax_credit`.
    pub scheme: String,
    /// One of the scheme's levels; empty when `not_rated`.
    pub level: String,
    /// The authority records that the entity is not rated (无记载不评价), a
    /// state of its own in the schemes that have one, never a level.
    pub not_rated: bool,
    /// The rating year (评价年度) the grade belongs to; `None` in records
    /// written before it was kept, and where the scheme does not ask for it.
    pub rating_year: Option<i32>,
    /// 评价决定文号, unique per authority.
    pub decision_number: String,
    /// The date the grade was evaluated on; it applies from then.
    pub evaluated_on: Date,
    /// Last day it is valid, inclusive; at most the scheme's validity.
    pub valid_until: Date,
    pub grounds: String,
    pub legal_basis: String,
    pub party: Party,
}

/// How a grade was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GradeChangeKind {
    /// 降级: a worse level, from the change's own date.
    Downgrade { level: String },
    /// 更正: the level as it should have been, from the grade's evaluation date.
    Correction { level: String },
    /// 撤销: void from the start.
    Revocation,
    /// 信用修复: the level in force from the change's own date, lifting a
    /// cap that outlasted its listing (policy/grades.toml `outlasts_listing`).
    Repair { level: String },
}

/// A downgrade, correction, repair or revocation of an earlier grade of the same
/// authority (谁认定、谁修复).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeChange {
    pub grade_record_id: RecordId,
    pub change: GradeChangeKind,
    pub decided_on: Date,
    pub decision_number: String,
    pub reason: String,
}
