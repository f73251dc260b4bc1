//! Figures for regulators and auditors (质量状况统计): spot-check pass rates
//! and penalty counts by category, computed from the records themselves,
//! so they are as trustworthy as the ledger they come from.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::record::{Category, CorrectionChange, Date, Penalty, Record, RecordBody, SpotCheckOutcome};
use super::state::EntityState;

/// Spot checks of one category and product class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpotCheckTally {
    pub checked: u64,
    pub passed: u64,
}

/// Penalties of one category.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PenaltyTally {
    /// Not revoked.
    pub penalties: u64,
    /// Their fines as last amended, in fen.
    pub fines_fen: i64,
    pub revoked: u64,
}

/// Entities by the level of their grade in force in one scheme.
#[derive(Clone, Debug, Default)]
pub struct GradeTally {
    /// Level -> entities.
    pub levels: BTreeMap<String, u64>,
    /// Entities not rated (无记载不评价): never counted under a level.
    pub not_rated: u64,
}

/// Adds an entity's grade in force in `scheme` to `tally`, from its state
/// on the statistics date.
pub fn count_grade(state: &EntityState<'_>, scheme: &str, tally: &mut GradeTally) {
    if let Some((_, standing)) = state.grades_in_force().find(|(_, g)| g.grade.scheme == scheme) {
        if standing.level.is_empty() {
            tally.not_rated += 1;
        } else {
            *tally.levels.entry(standing.level).or_default() += 1;
        }
    }
}

/// Adds an entity's spot checks dated `from..=until` to `tally`.
pub fn count_spot_checks(
    records: &[Arc<Record>],
    from: Date,
    until: Date,
    tally: &mut BTreeMap<(Category, String), SpotCheckTally>,
) {
    for record in records {
        if let RecordBody::SpotCheck(s) = &record.body
            && (from..=until).contains(&s.checked_on)
        {
            let t = tally.entry((s.category, s.product_class.clone())).or_default();
            t.checked += 1;
            t.passed += u64::from(s.outcome == SpotCheckOutcome::Pass);
        }
    }
}

/// Adds an entity's penalties decided `from..=until` to `tally`, each as
/// its latest correction left it: revoked, or amended (category and fine).
pub fn count_penalties(records: &[Arc<Record>], from: Date, until: Date, tally: &mut BTreeMap<Category, PenaltyTally>) {
    let mut latest: HashMap<&str, &CorrectionChange> = HashMap::new();
    for record in records {
        if let RecordBody::PenaltyCorrection(c) = &record.body {
            latest.insert(c.penalty_record_id.as_str(), &c.change);
        }
    }
    for record in records {
        let RecordBody::Penalty(original) = &record.body else { continue };
        if !(from..=until).contains(&original.decided_on) {
            continue;
        }
        let standing: Option<&Penalty> = match latest.get(record.id.as_str()) {
            Some(CorrectionChange::Revocation) => None,
            Some(CorrectionChange::Amendment(amended)) => Some(amended),
            None => Some(original),
        };
        match standing {
            None => tally.entry(original.category).or_default().revoked += 1,
            Some(p) => {
                let t = tally.entry(p.category).or_default();
                t.penalties += 1;
                t.fines_fen += p.fine_fen;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::record::{CorrectionGround, PenaltyCorrection, SeverityTier, SpotCheck};
    use crate::domain::uscc::Uscc;

    fn day(d: u32) -> Date {
        Date::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn record(n: u64, body: RecordBody) -> Arc<Record> {
        Arc::new(Record {
            id: format!("r{n}"),
            sequence: n,
            recorded_at: Utc::now(),
            uscc: Uscc::parse("91310115MA1K3BTP2B").unwrap(),
            authority: "SAMR-310115".into(),
            actor: "officer".into(),
            request_id: String::new(),
            body,
        })
    }

    fn penalty(category: Category, fine_fen: i64, decided_on: Date) -> Penalty {
        Penalty {
            decision_number: format!("P-{fine_fen}"),
            category,
            severity: SeverityTier::General,
            legal_basis: String::new(),
            fine_fen,
            sanctions: Vec::new(),
            decided_on,
            violation: String::new(),
            party: crate::domain::record::Party::default(),
        }
    }

    fn correction(target: &str, change: CorrectionChange) -> RecordBody {
        RecordBody::PenaltyCorrection(PenaltyCorrection {
            penalty_record_id: target.into(),
            change,
            ground: CorrectionGround::Reconsideration,
            decision_number: format!("C-{target}"),
            decided_on: day(20),
            reason: String::new(),
        })
    }

    fn spot_check(outcome: SpotCheckOutcome, checked_on: Date) -> RecordBody {
        RecordBody::SpotCheck(SpotCheck {
            report_number: String::new(),
            category: Category::ProductQuality,
            product: "电线".into(),
            product_class: "电线电缆".into(),
            batch: String::new(),
            outcome,
            checked_on,
            failed_items: Vec::new(),
            party: crate::domain::record::Party::default(),
        })
    }

    #[test]
    fn penalties_count_as_their_latest_correction_left_them() {
        let records = vec![
            record(1, RecordBody::Penalty(penalty(Category::FoodSafety, 500, day(1)))),
            record(2, RecordBody::Penalty(penalty(Category::FoodSafety, 700, day(2)))),
            record(3, RecordBody::Penalty(penalty(Category::FoodSafety, 900, day(3)))),
            record(4, correction("r1", CorrectionChange::Revocation)),
            // Amended into another category, then amended again.
            record(5, correction("r2", CorrectionChange::Amendment(penalty(Category::Metrology, 100, day(2))))),
            record(6, correction("r2", CorrectionChange::Amendment(penalty(Category::Metrology, 300, day(2))))),
            record(7, RecordBody::Penalty(penalty(Category::FoodSafety, 1000, day(25)))),
        ];
        let mut tally = BTreeMap::new();
        count_penalties(&records, day(1), day(10), &mut tally);
        assert_eq!(tally[&Category::FoodSafety], PenaltyTally { penalties: 1, fines_fen: 900, revoked: 1 });
        assert_eq!(tally[&Category::Metrology], PenaltyTally { penalties: 1, fines_fen: 300, revoked: 0 });
    }

    #[test]
    fn spot_checks_count_within_the_dates() {
        let records = vec![
            record(1, spot_check(SpotCheckOutcome::Pass, day(1))),
            record(2, spot_check(SpotCheckOutcome::Fail, day(5))),
            record(3, spot_check(SpotCheckOutcome::Pass, day(9))),
            record(4, spot_check(SpotCheckOutcome::Pass, day(11))),
        ];
        let mut tally = BTreeMap::new();
        count_spot_checks(&records, day(1), day(10), &mut tally);
        let key = (Category::ProductQuality, "电线电缆".to_string());
        assert_eq!(tally[&key], SpotCheckTally { checked: 3, passed: 2 });
    }
}
