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
    CorrectionChange, Date, Grade, GradeChange, GradeChangeKind, Listing, Penalty, PenaltyCorrection, Record, RecordBody,
    RecordId, RemovalReason, RepairOutcome, WireName,
};
use super::rules::Rules;
use super::rules::grades::{Cap, Scheme};
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

/// The last day a listing was in force: the day before its removal, or the
/// end of its term, whichever came first.
fn last_day_listed(listing: &Listing, changers: &[&Arc<Record>]) -> Option<Date> {
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
fn amended<'a>(original: &'a Penalty, changers: &[&'a Arc<Record>], on: Date) -> &'a Penalty {
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
fn revoked(changers: &[&Arc<Record>]) -> bool {
    changers.iter().any(|c| matches!(&c.body, RecordBody::PenaltyCorrection(c) if c.change == CorrectionChange::Revocation))
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

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::*;
    use crate::domain::record::{ListType, Removal};
    use crate::domain::rules::{DEFAULT_EARLIEST_DATE, RuleBook, RuleFiles, term_end};
    use crate::domain::uscc::Uscc;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn record(id: &str, sequence: u64, body: RecordBody) -> Arc<Record> {
        Arc::new(Record {
            id: id.into(),
            sequence,
            recorded_at: DateTime::from_timestamp(1_780_000_000 + sequence as i64, 0).unwrap(),
            uscc: Uscc::parse("91310115MA1K3BTP2B").unwrap(),
            authority: "TAX-440800".into(),
            actor: "a".into(),
            request_id: String::new(),
            body,
        })
    }

    fn tax_grade(level: &str, evaluated_on: &str) -> RecordBody {
        let evaluated_on = day(evaluated_on);
        RecordBody::Grade(Grade {
            scheme: "tax_credit".into(),
            level: level.into(),
            not_rated: level.is_empty(),
            rating_year: Some(evaluated_on.year() - 1),
            decision_number: format!("G-{evaluated_on}"),
            evaluated_on,
            valid_until: evaluated_on + chrono::Days::new(364),
            grounds: "年度评价".into(),
            legal_basis: "L".into(),
        })
    }

    fn violator(listed_on: &str) -> RecordBody {
        let listed_on = day(listed_on);
        RecordBody::Listing(Listing {
            list_type: ListType::MajorTaxViolator,
            decision_number: "税稽1".into(),
            grounds: String::new(),
            abnormal_ground: None,
            listed_on,
            planned_end: Some(term_end(listed_on, 36)),
            legal_basis: String::new(),
            penalty_record_id: None,
            legal_representative: String::new(),
            article: String::new(),
        })
    }

    fn removal(removed_on: &str) -> RecordBody {
        RecordBody::Removal(Removal {
            listing_record_id: "listing".into(),
            reason: RemovalReason::Cured,
            removed_on: day(removed_on),
            decision_number: String::new(),
            explanation: "缴清".into(),
        })
    }

    fn change(change: GradeChangeKind, decided_on: &str) -> RecordBody {
        RecordBody::GradeChange(GradeChange {
            grade_record_id: "grade".into(),
            change,
            decided_on: day(decided_on),
            decision_number: String::new(),
            reason: "信用修复".into(),
        })
    }

    /// The tax grade in force on `on`: its level and the record that capped it.
    fn tax_on(book: &RuleBook, records: &[Arc<Record>], on: &str) -> Option<(String, Option<String>)> {
        let on = day(on);
        let state = fold(records, None, on, book.on(on));
        state.grades_in_force().next().map(|(_, s)| (s.level, s.capped_by.map(|r| r.id.clone())))
    }

    fn level(level: &str, capped: bool) -> Option<(String, Option<String>)> {
        Some((level.into(), capped.then(|| "listing".to_string())))
    }

    #[test]
    fn a_major_tax_violator_listing_makes_the_grade_d_whenever_it_began() {
        let book = RuleBook::defaults();
        let listed_first = [record("listing", 1, violator("2026-03-01")), record("grade", 2, tax_grade("A", "2026-04-15"))];
        assert_eq!(tax_on(&book, &listed_first, "2026-05-01"), level("D", true), "listed, then evaluated A");
        let graded_first = [record("grade", 1, tax_grade("A", "2026-04-15")), record("listing", 2, violator("2026-06-01"))];
        assert_eq!(tax_on(&book, &graded_first, "2026-05-31"), level("A", false), "before the listing");
        assert_eq!(tax_on(&book, &graded_first, "2026-06-01"), level("D", true), "from the listing's first day");
    }

    #[test]
    fn the_d_outlasts_the_listing_until_a_repair_or_a_newer_evaluation() {
        let book = RuleBook::defaults();
        let mut records = vec![
            record("grade", 1, tax_grade("A", "2026-04-15")),
            record("listing", 2, violator("2026-06-01")),
            record("removal", 3, removal("2026-12-10")),
        ];
        assert_eq!(tax_on(&book, &records, "2026-12-20"), level("D", true), "paid and removed: still D");
        records.push(record("repair", 4, change(GradeChangeKind::Repair { level: "B".into() }, "2027-01-05")));
        assert_eq!(tax_on(&book, &records, "2027-01-04"), level("D", true));
        assert_eq!(tax_on(&book, &records, "2027-01-05"), level("B", false), "the repair sets the level");
        records.pop();
        records.push(record("newer", 4, tax_grade("A", "2027-04-10")));
        assert_eq!(tax_on(&book, &records, "2027-04-10"), Some(("A".into(), None)), "a new evaluation after the listing ended");

        // The switch: a cap that does not outlast its listing ends with it.
        let mut files = RuleFiles::built_in();
        files.grades[1].text = files.grades[1].text.replace("outlasts_listing = true", "outlasts_listing = false");
        let held = RuleBook::parse(&files, DEFAULT_EARLIEST_DATE).unwrap();
        records.pop();
        assert_eq!(tax_on(&held, &records, "2026-12-20"), level("A", false));
        assert_eq!(tax_on(&held, &records, "2026-12-09"), level("D", true));
    }

    #[test]
    fn grades_read_with_the_edition_of_their_evaluation_date() {
        let book = RuleBook::defaults();
        let on = book.on(day("2026-11-07"));
        assert_eq!(on.grades_for(day("2026-04-15")).version, "grades-2026.2");
        assert_eq!(on.grades_for(day("2025-06-30")).version, "grades-2014.1");
        let old = on.grades_for(day("2024-04-15")).scheme("tax_credit").unwrap();
        assert!(old.legal_basis.contains("2014年第40号") && old.cap[0].listed_before_evaluation && !old.cap[0].outlasts_listing);
        assert!(!old.level_given_on("M", day("2018-03-31")) && old.level_given_on("M", day("2018-04-01")));
        assert!(old.not_rated.is_none());
        let new = on.grades_for(day("2025-07-01")).scheme("tax_credit").unwrap();
        assert!(new.legal_basis.contains("2025年第12号") && new.not_rated.is_some());
    }

    #[test]
    fn not_rated_is_no_level_and_is_not_capped() {
        let book = RuleBook::defaults();
        let records = [record("grade", 1, tax_grade("", "2026-04-15")), record("listing", 2, violator("2026-06-01"))];
        assert_eq!(tax_on(&book, &records, "2026-05-01"), Some((String::new(), None)));
        assert_eq!(tax_on(&book, &records, "2026-07-01"), Some((String::new(), None)), "the listing stands on its own");
        let state = fold(&records, None, day("2026-05-01"), book.on(day("2026-05-01")));
        assert!(!state.find("grade").unwrap().public);
    }

    #[test]
    fn downgrades_before_a_repair_are_what_it_repaired() {
        let scheme = RuleBook::defaults().latest().grades.scheme("tax_credit").unwrap().clone();
        let grade = record("grade", 1, tax_grade("A", "2026-04-15"));
        let RecordBody::Grade(g) = &grade.body else { unreachable!() };
        let changers = [
            record("d1", 2, change(GradeChangeKind::Downgrade { level: "D".into() }, "2026-05-01")),
            record("r", 3, change(GradeChangeKind::Repair { level: "B".into() }, "2026-08-01")),
            record("d2", 4, change(GradeChangeKind::Downgrade { level: "C".into() }, "2026-09-01")),
        ];
        let changers: Vec<&Arc<Record>> = changers.iter().collect();
        assert_eq!(grade_level(g, &changers, day("2026-07-31"), Some(&scheme)), "D");
        assert_eq!(grade_level(g, &changers, day("2026-08-01"), Some(&scheme)), "B");
        assert_eq!(grade_level(g, &changers, day("2026-09-01"), Some(&scheme)), "C");
    }
}
