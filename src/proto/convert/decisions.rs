//! Answers read from the folded state and the rules: the grade in force, a
//! decision and its measures, and the catalogue's measures.

use super::date_to_wire;
use crate::domain::record as d;
use crate::domain::rules::{grades, measures};
use crate::domain::state;
use crate::domain::uscc::Uscc;
use crate::proto::pb;

/// The grade in force in one scheme, as a profile shows it.
pub fn grade_in_force_to_wire(
    record: &d::Record,
    standing: &state::GradeStanding<'_>,
    scheme: &grades::Scheme,
    schemes_version: &str,
) -> pb::GradeInForce {
    let not_rated = standing.level.is_empty();
    let (meaning_zh, meaning_en) = match (scheme.level(&standing.level), &scheme.not_rated) {
        (Some(l), _) => (l.meaning_zh.clone(), l.meaning_en.clone()),
        (None, Some(n)) if not_rated => (n.meaning_zh.clone(), n.meaning_en.clone()),
        _ => Default::default(),
    };
    pb::GradeInForce {
        scheme: scheme.code.clone(),
        scheme_name_zh: scheme.name_zh.clone(),
        scheme_name_en: scheme.name_en.clone(),
        level: standing.level.clone(),
        meaning_zh,
        meaning_en,
        grade_record_id: record.id.clone(),
        evaluated_on: Some(date_to_wire(standing.grade.evaluated_on)),
        valid_until: Some(date_to_wire(standing.grade.valid_until)),
        capped_by_record_id: standing.capped_by.map(|r| r.id.clone()).unwrap_or_default(),
        schemes_version: schemes_version.to_string(),
        rating_year: standing.grade.rating_year.unwrap_or_default(),
        not_rated,
        legal_basis: scheme.legal_basis.clone(),
    }
}

/// A decision for one entity, with the version of the publicity rules its
/// records were read with. `no_records`: the caller sees nothing of it.
pub fn decision_to_wire(uscc: &Uscc, d: &measures::Decision<'_>, publicity_version: &str, no_records: bool) -> pb::Decision {
    pb::Decision {
        uscc: uscc.to_string(),
        domain: pb::MeasureDomain::from(d.domain) as i32,
        evaluated_on: Some(date_to_wire(d.evaluated_on)),
        eligibility: pb::Eligibility::from(d.eligibility) as i32,
        no_records,
        measures: d.measures.iter().map(measure_in_force_to_wire).collect(),
        incentives: d.incentives.iter().map(measure_in_force_to_wire).collect(),
        catalogue_version: d.catalogue_version.to_string(),
        publicity_version: publicity_version.to_string(),
        name_match: None,
    }
}

fn measure_in_force_to_wire(m: &measures::MeasureInForce<'_>) -> pb::MeasureInForce {
    pb::MeasureInForce {
        measure_code: m.measure.code.clone(),
        domain: pb::MeasureDomain::from(m.measure.domain) as i32,
        effect: pb::Eligibility::from(m.measure.effect) as i32,
        description_zh: m.measure.description_zh.clone(),
        description_en: m.measure.description_en.clone(),
        legal_basis: m.measure.legal_basis.clone(),
        trigger_record_ids: m.triggers.clone(),
        from: Some(date_to_wire(m.from)),
        until: m.until.map(date_to_wire),
        incentive: m.measure.incentive.clone().unwrap_or_default(),
        trigger_count: m.triggers.len() as i32,
    }
}

/// Triggers a batch answer lists per measure.
const BATCH_TRIGGERS: usize = 3;

/// A decision as a batch answer carries it: each measure's code, effect,
/// dates and first triggers with their count, without the texts a client
/// reads once from the catalogue. This bounds the answer by design.
pub fn compact_decision(mut d: pb::Decision) -> pb::Decision {
    for m in d.measures.iter_mut().chain(d.incentives.iter_mut()) {
        m.description_zh.clear();
        m.description_en.clear();
        m.legal_basis.clear();
        m.trigger_record_ids.truncate(BATCH_TRIGGERS);
    }
    d
}

pub fn measure_to_wire(m: &measures::Measure) -> pb::Measure {
    let trigger = match &m.trigger {
        measures::Trigger::Grade { scheme, levels } => {
            pb::MeasureTrigger { grade_scheme: scheme.clone(), grade_levels: levels.clone(), ..Default::default() }
        }
        measures::Trigger::Commendation { kinds } => pb::MeasureTrigger {
            commendation_kinds: kinds.iter().map(|k| pb::CommendationKind::from(*k) as i32).collect(),
            ..Default::default()
        },
        measures::Trigger::Listing { list_types } => pb::MeasureTrigger {
            list_types: list_types.iter().map(|t| pb::ListType::from(*t) as i32).collect(),
            ..Default::default()
        },
        measures::Trigger::Penalty { sanctions, min_severity, min_fine_fen, sector_fine, lookback_months } => {
            pb::MeasureTrigger {
                sanctions: sanctions.iter().map(|s| pb::Sanction::from(*s) as i32).collect(),
                min_severity: min_severity.map_or(0, |s| pb::SeverityTier::from(s) as i32),
                min_fine_fen: min_fine_fen.unwrap_or(0),
                lookback_months: *lookback_months as i32,
                sector_fines: sector_fine
                    .iter()
                    .map(|s| pb::SectorFine {
                        categories: s.categories.iter().map(|c| pb::Category::from(*c) as i32).collect(),
                        min_fine_fen: s.min_fine_fen,
                        legal_basis: s.legal_basis.clone(),
                    })
                    .collect(),
                ..Default::default()
            }
        }
    };
    pb::Measure {
        code: m.code.clone(),
        domain: pb::MeasureDomain::from(m.domain) as i32,
        effect: pb::Eligibility::from(m.effect) as i32,
        trigger: Some(trigger),
        duration: m.duration.clone(),
        legal_basis: m.legal_basis.clone(),
        description_zh: m.description_zh.clone(),
        description_en: m.description_en.clone(),
        lifted_by_repair: m.lifted_by_repair,
        incentive: m.incentive.clone().unwrap_or_default(),
    }
}
