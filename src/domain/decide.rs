//! The decision the measure catalogue yields for one entity in one domain on
//! one date, read from the entity's folded state. The catalogue itself (data
//! and its validation) is `rules::measures`; this sits above the fold.

use std::collections::HashSet;

use super::record::{Date, RecordBody, RecordId};
use super::rules::measures::{ALL_DOMAINS, Catalogue, Decision, Eligibility, Measure, MeasureDomain, MeasureInForce, Trigger};
use super::rules::term_end;
use super::state::{EntityState, RecordStatus, RecordView, UsablePenalty};

impl Catalogue {
    /// Decides one entity's eligibility in `domain` on `on`, from its state
    /// folded for that date. Only records that may be used count: repaired,
    /// expired, revoked and ended records trigger nothing.
    pub fn decide(&self, state: &EntityState<'_>, domain: MeasureDomain, on: Date) -> Decision<'_> {
        let (incentives, measures): (Vec<MeasureInForce>, Vec<MeasureInForce>) = self
            .measures
            .iter()
            .filter(|m| m.domain == domain)
            .filter_map(|m| in_force(m, state, on))
            .partition(|m| m.measure.incentive.is_some());
        Decision {
            domain,
            evaluated_on: on,
            eligibility: measures.iter().map(|m| m.measure.effect).max().unwrap_or(Eligibility::Eligible),
            no_records: state.records.is_empty(),
            incentives: if measures.is_empty() { incentives } else { Vec::new() },
            measures,
            catalogue_version: &self.version,
        }
    }

    /// The records some measure in force on the state's date rests on, in
    /// any domain. A caller shown a decision can read every record it rests
    /// on: these are disclosed to restricted callers whatever their
    /// publicity, because use in joint punishment is itself disclosure to
    /// the user (no measure rests on a record its caller is told does not
    /// exist).
    pub fn in_use(&self, state: &EntityState<'_>) -> HashSet<RecordId> {
        ALL_DOMAINS
            .iter()
            .map(|d| self.decide(state, *d, state.on))
            .flat_map(|d| d.measures.into_iter().chain(d.incentives))
            .flat_map(|m| m.triggers)
            .collect()
    }

    /// The records a restricted caller (procurement, the public) may read:
    /// those published on the state's date and those in use.
    pub fn disclosed<'s, 'a>(&self, state: &'s EntityState<'a>) -> Vec<&'s RecordView<'a>> {
        let in_use = self.in_use(state);
        state.records.iter().filter(|v| v.public || in_use.contains(&v.record.id)).collect()
    }
}

/// The measure as it applies on `on`, if any record triggers it.
fn in_force<'c>(measure: &'c Measure, state: &EntityState<'_>, on: Date) -> Option<MeasureInForce<'c>> {
    let mut hits: Vec<(RecordId, Date, Option<Date>)> = Vec::new();
    match &measure.trigger {
        Trigger::Grade { scheme, levels } => {
            for (record, standing) in state.grades_in_force() {
                if standing.grade.scheme == *scheme && levels.contains(&standing.level) {
                    hits.push((record.id.clone(), standing.grade.evaluated_on, Some(standing.grade.valid_until)));
                }
            }
        }
        Trigger::Commendation { kinds } => {
            for v in state.records.iter().filter(|v| v.status == RecordStatus::InEffect) {
                if let RecordBody::Commendation(c) = &v.record.body
                    && kinds.contains(&c.kind)
                {
                    hits.push((v.record.id.clone(), c.awarded_on, c.valid_until));
                }
            }
        }
        Trigger::Listing { list_types } => {
            for (record, listing) in state.listings_in_force() {
                if list_types.contains(&listing.list_type) {
                    hits.push((record.id.clone(), listing.listed_on, listing.planned_end));
                }
            }
        }
        Trigger::Penalty { sanctions, min_severity, min_fine_fen, sector_fine, lookback_months } => {
            for UsablePenalty { record, penalty: p } in state.penalties_for_use(!measure.lifted_by_repair) {
                let fine_bar =
                    sector_fine.iter().find(|s| s.categories.contains(&p.category)).map(|s| s.min_fine_fen).or(*min_fine_fen);
                let matches = p.sanctions.iter().any(|s| sanctions.contains(s))
                    || min_severity.is_some_and(|min| p.severity >= min)
                    || fine_bar.is_some_and(|min| p.fine_fen >= min);
                let until = term_end(p.decided_on, *lookback_months);
                if matches && p.decided_on <= on && on <= until {
                    hits.push((record.id.clone(), p.decided_on, Some(until)));
                }
            }
        }
    }
    let from = hits.iter().map(|h| h.1).min()?;
    // Open-ended if any trigger is; else the latest end.
    let until = hits.iter().map(|h| h.2).try_fold(Date::MIN, |acc, end| end.map(|e| acc.max(e)));
    Some(MeasureInForce { measure, triggers: hits.into_iter().map(|h| h.0).collect(), from, until })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Category, SeverityTier};
    use crate::domain::rules::DEFAULT_MEASURES;

    /// 财库〔2022〕3号: a field whose law sets a higher 较大数额 than
    /// CNY 2,000,000 keeps its own bar.
    #[test]
    fn a_sector_fine_bar_replaces_the_general_one_for_its_categories() {
        use crate::domain::record::{Penalty, Record};
        use crate::domain::rules::Rules;
        use crate::domain::state::fold;
        use crate::domain::uscc::Uscc;
        use std::sync::Arc;

        let text = DEFAULT_MEASURES.replacen(
            "min_fine_fen = 200000000\nlookback_months = 36",
            "min_fine_fen = 200000000\nlookback_months = 36\n[[measure.trigger.penalty.sector_fine]]\ncategories = [\"environment\"]\nmin_fine_fen = 500000000\nlegal_basis = \"示例\"",
            1,
        );
        let catalogue = Catalogue::parse(&text).unwrap();
        let rules = Rules::defaults();
        let on = Date::from_ymd_opt(2026, 6, 1).unwrap();
        let decide = |category: Category, fine_fen: i64| {
            let record = Arc::new(Record {
                id: "r1".into(),
                sequence: 1,
                recorded_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
                uscc: Uscc::parse("91310115MA1K3BTP2B").unwrap(),
                authority: "SAMR-1".into(),
                actor: "a".into(),
                request_id: String::new(),
                body: RecordBody::Penalty(Penalty {
                    decision_number: "P".into(),
                    category,
                    severity: SeverityTier::Serious,
                    legal_basis: "L".into(),
                    fine_fen,
                    sanctions: vec![],
                    decided_on: on - chrono::Days::new(30),
                    violation: String::new(),
                    party: crate::domain::record::Party::default(),
                }),
            });
            let records = [record];
            let state = fold(&records, None, on, &rules);
            catalogue.decide(&state, MeasureDomain::GovernmentProcurement, on).eligibility
        };
        assert_eq!(decide(Category::ProductQuality, 300_000_000), Eligibility::Ineligible);
        assert_eq!(decide(Category::Environment, 300_000_000), Eligibility::Eligible, "below the sector's bar");
        assert_eq!(decide(Category::Environment, 500_000_000), Eligibility::Ineligible);
        let lower = text.replace("min_fine_fen = 500000000", "min_fine_fen = 100000000");
        assert!(Catalogue::parse(&lower).unwrap_err().contains("may only raise"));
    }
}
