//! The supervision score and risk class (信用风险分类) of one entity on one
//! date, read from its folded state. The policy (data, bands, the draw) is
//! `rules::supervision`; this sits above the fold.

use super::record::{Date, RecordBody, RecordId, SpotCheckOutcome, WireName};
use super::rules::supervision::{Assessment, Contribution, RiskClass, SupervisionPolicy};
use super::rules::term_end;
use super::state::{EntityState, RecordStatus};

impl SupervisionPolicy {
    /// Scores an entity on `on` from its usable records, explaining each point.
    pub fn assess(&self, state: &EntityState<'_>, on: Date) -> Assessment {
        let p = &self.points;
        let mut contributions = Vec::new();
        let mut add = |id: &RecordId, points: i32, reason: String| {
            if points != 0 {
                contributions.push(Contribution { record_id: id.clone(), points, reason });
            }
        };
        for (record, penalty) in state.penalties_in_effect() {
            if on <= term_end(penalty.decided_on, p.penalty_lookback_months) {
                add(
                    &record.id,
                    p.penalty[&penalty.severity],
                    format!("{} penalty {} of {}", penalty.severity.wire_name(), penalty.decision_number, penalty.decided_on),
                );
            }
        }
        for (record, listing) in state.listings_in_force() {
            add(
                &record.id,
                p.listing[&listing.list_type],
                format!("listed on {} since {}", listing.list_type.wire_name(), listing.listed_on),
            );
        }
        for view in state.records.iter().filter(|v| v.status == RecordStatus::InEffect) {
            match &view.record.body {
                RecordBody::SpotCheck(s) if on <= term_end(s.checked_on, p.spot_check_lookback_months) => {
                    let (points, outcome) = match s.outcome {
                        SpotCheckOutcome::Fail => (p.spot_check_fail, "failed"),
                        SpotCheckOutcome::Pass => (p.spot_check_pass, "passed"),
                    };
                    add(&view.record.id, points, format!("spot check {} {outcome} on {}", s.report_number, s.checked_on));
                }
                RecordBody::Commendation(c) => {
                    add(&view.record.id, p.commendation, format!("commendation {} ({})", c.title, c.awarded_on));
                }
                _ => {}
            }
        }
        for (record, standing) in state.grades_in_force() {
            if let Some(points) = p.grade.get(&standing.grade.scheme).and_then(|levels| levels.get(&standing.level)) {
                add(
                    &record.id,
                    *points,
                    format!(
                        "grade {} of {} (evaluated {}, valid until {})",
                        standing.level, standing.grade.scheme, standing.grade.evaluated_on, standing.grade.valid_until
                    ),
                );
            }
        }
        let score = contributions.iter().map(|c| c.points).sum::<i32>().clamp(0, self.max_score);
        let class = self.classes.iter().find(|b| (b.min_score..=b.max_score).contains(&score)).map_or(RiskClass::D, |b| b.class);
        let sampling_percent = self
            .grade_sampling
            .iter()
            .find(|rule| state.grades_in_force().any(|(_, g)| g.grade.scheme == rule.scheme && rule.levels.contains(&g.level)))
            .map_or(100, |rule| rule.ratio_percent);
        Assessment { class, score, contributions, sampling_percent }
    }
}
