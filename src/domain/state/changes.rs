//! What later records make of an earlier one: a penalty as amended, a
//! grade's level as changed, a listing's last day, a revocation or a granted
//! repair.

use std::sync::Arc;

use crate::domain::record::{
    CorrectionChange, Date, Grade, GradeChange, GradeChangeKind, Listing, Penalty, PenaltyCorrection, Record, RecordBody,
    RepairOutcome,
};
use crate::domain::rules::grades::Scheme;

/// The last day a listing was in force: the day before its removal, or the
/// end of its term, whichever came first.
pub(super) fn last_day_listed(listing: &Listing, changers: &[&Arc<Record>]) -> Option<Date> {
    let removed = changers.iter().find_map(|c| match &c.body {
        RecordBody::Removal(r) => r.removed_on.pred_opt(),
        _ => None,
    });
    removed.into_iter().chain(listing.planned_end).min()
}

/// A grade's level as changed by `changers` by `on`: the last correction
/// (from the grade's evaluation date) replaces the level issued; the latest
/// repair (信用修复) decided by `on` sets the level from its own date; and
/// every downgrade decided by `on` (after that repair, if any) can only
/// lower it, whatever order they were recorded in. `scheme` orders the
/// levels; without it (a scheme no longer known) the level as corrected or
/// repaired stands. Empty for a grade that is not rated.
pub fn grade_level<'a>(grade: &'a Grade, changers: &[&'a Arc<Record>], on: Date, scheme: Option<&Scheme>) -> &'a str {
    let corrected = changers
        .iter()
        .copied()
        .rev()
        .find_map(|c| match &c.body {
            RecordBody::GradeChange(GradeChange { change: GradeChangeKind::Correction { level }, .. }) => Some(level.as_str()),
            _ => None,
        })
        .unwrap_or(grade.level.as_str());
    let repaired = changers
        .iter()
        .filter_map(|c| match &c.body {
            RecordBody::GradeChange(GradeChange { change: GradeChangeKind::Repair { level }, decided_on, .. })
                if *decided_on <= on =>
            {
                Some((*decided_on, level.as_str()))
            }
            _ => None,
        })
        .max_by_key(|(decided_on, _)| *decided_on);
    let base = repaired.map_or(corrected, |(_, level)| level);
    let Some(scheme) = scheme else { return base };
    changers
        .iter()
        .copied()
        .filter_map(|c| match &c.body {
            RecordBody::GradeChange(GradeChange { change: GradeChangeKind::Downgrade { level }, decided_on, .. })
                if *decided_on <= on && repaired.is_none_or(|(since, _)| *decided_on > since) =>
            {
                Some(level.as_str())
            }
            _ => None,
        })
        .fold(base, |worst, level| scheme.worse(worst, level))
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
pub(super) fn amended<'a>(original: &'a Penalty, changers: &[&'a Arc<Record>], on: Date) -> &'a Penalty {
    changers
        .iter()
        .filter_map(|c| match &c.body {
            RecordBody::PenaltyCorrection(PenaltyCorrection { change: CorrectionChange::Amendment(p), decided_on, .. })
                if *decided_on <= on =>
            {
                Some((*decided_on, p))
            }
            _ => None,
        })
        .max_by_key(|(decided_on, _)| *decided_on)
        .map_or(original, |(_, p)| p)
}

/// Whether a revocation (撤销) of the record, or of the penalty it rests on, is known.
pub(super) fn revoked(changers: &[&Arc<Record>]) -> bool {
    changers.iter().any(|c| matches!(&c.body, RecordBody::PenaltyCorrection(c) if c.change == CorrectionChange::Revocation))
}

/// Whether a granted repair had taken effect by `on`.
pub(super) fn repaired_by(changers: &[&Arc<Record>], on: Date) -> bool {
    changers.iter().any(|c| {
        matches!(&c.body, RecordBody::RepairDecision(d)
            if d.outcome == RepairOutcome::Granted && d.decided_on <= on)
    })
}
