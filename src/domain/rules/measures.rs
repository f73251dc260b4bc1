//! The joint-punishment measure catalogue (联合惩戒措施清单) as data, and the
//! decision it yields for one entity in one domain on one date.
//!
//! The catalogue is `policy/measures.toml` (or a configured file): versioned,
//! validated at start, and named in every decision it makes.

use std::collections::HashSet;

use serde::Deserialize;

use super::term_end;
use crate::domain::record::{Category, CommendationKind, Date, ListType, RecordBody, RecordId, Sanction, SeverityTier};
use crate::domain::state::{EntityState, RecordStatus, RecordView, UsablePenalty};

/// Domains where measures restrict or reward an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureDomain {
    /// 政府采购
    GovernmentProcurement,
    /// 招标投标
    BiddingAndTendering,
    /// 财政补贴
    FiscalSubsidies,
    /// 评优评先、荣誉
    Honours,
    /// 市场准入、行政许可
    MarketAccess,
    /// 融资授信
    Financing,
    /// 国有土地出让
    StateLand,
    /// 日常监管 (inspection frequency, supervision arrangements)
    Supervision,
}

/// Every domain, so a check over all of them cannot leave one out.
pub const ALL_DOMAINS: [MeasureDomain; 8] = [
    MeasureDomain::GovernmentProcurement,
    MeasureDomain::BiddingAndTendering,
    MeasureDomain::FiscalSubsidies,
    MeasureDomain::Honours,
    MeasureDomain::MarketAccess,
    MeasureDomain::Financing,
    MeasureDomain::StateLand,
    MeasureDomain::Supervision,
];

/// The answer to "may this entity take part", from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    Eligible,
    /// May take part under restrictions.
    Restricted,
    /// Barred.
    Ineligible,
}

/// What makes a measure apply.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// A listing on any of these lists, while it is in force.
    Listing { list_types: Vec<ListType> },
    /// A grade in force in `scheme` at one of `levels` (after changes and
    /// caps): "a grade at or above a level", the levels named one by one.
    Grade { scheme: String, levels: Vec<String> },
    /// A commendation of one of these kinds, while in effect.
    Commendation { kinds: Vec<CommendationKind> },
    /// A penalty decided within the last `lookback_months` that has any of
    /// `sanctions`, or a severity of at least `min_severity`, or a fine of at
    /// least `min_fine_fen` (or of its category's `sector_fine`, where one
    /// sets a higher bar). The window is the law's own: the end of the
    /// penalty's publicity does not shorten it.
    Penalty {
        #[serde(default)]
        sanctions: Vec<Sanction>,
        #[serde(default)]
        min_severity: Option<SeverityTier>,
        #[serde(default)]
        min_fine_fen: Option<i64>,
        #[serde(default)]
        sector_fine: Vec<SectorFine>,
        lookback_months: u32,
    },
}

/// A sector's own fine threshold, replacing `min_fine_fen` for penalties of
/// these categories (财库〔2022〕3号: where the law or a State Council
/// department sets a higher 较大数额 for a field, that bar applies).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectorFine {
    pub categories: Vec<Category>,
    pub min_fine_fen: i64,
    pub legal_basis: String,
}

/// One measure (惩戒措施) of the catalogue.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub code: String,
    pub domain: MeasureDomain,
    /// For a restriction (惩戒), the answer it gives; for an incentive
    /// (守信激励), `eligible`.
    pub effect: Eligibility,
    /// Set for an incentive: what it grants, e.g. `simplified_procedures`.
    /// A restriction in force in a domain outranks every incentive there.
    #[serde(default)]
    pub incentive: Option<String>,
    pub trigger: Trigger,
    /// Whether a granted credit repair (信用修复) of a triggering penalty
    /// ends the measure before its window does. Contested where the law
    /// fixes the window itself; the default follows NDRC Order 36 (a
    /// repaired record is no longer shared or used). The end of publicity
    /// alone never ends a measure.
    #[serde(default = "lifted_by_repair_default")]
    pub lifted_by_repair: bool,
    /// How long it lasts, in words.
    pub duration: String,
    pub legal_basis: String,
    pub description_zh: String,
    pub description_en: String,
}

fn lifted_by_repair_default() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    version: String,
    #[serde(default)]
    effective_from: Option<String>,
    measure: Vec<Measure>,
}

#[derive(Clone, Debug)]
pub struct Catalogue {
    pub version: String,
    /// First day this catalogue applies (`Date::MIN`: from the start).
    pub effective_from: Date,
    pub measures: Vec<Measure>,
}

/// A measure in force against an entity, and why.
#[derive(Clone, Debug)]
pub struct MeasureInForce<'c> {
    pub measure: &'c Measure,
    /// The records that trigger it, in ledger order.
    pub triggers: Vec<RecordId>,
    /// First and last day it applies; `until` is `None` while open-ended.
    pub from: Date,
    pub until: Option<Date>,
}

/// The decision for one entity in one domain on one date.
#[derive(Clone, Debug)]
pub struct Decision<'c> {
    pub domain: MeasureDomain,
    pub evaluated_on: Date,
    pub eligibility: Eligibility,
    /// The registry knows nothing of the entity.
    pub no_records: bool,
    /// Restrictions in force (联合惩戒).
    pub measures: Vec<MeasureInForce<'c>>,
    /// Incentives granted (守信激励): none while a restriction is in force in
    /// the domain, which always outranks them.
    pub incentives: Vec<MeasureInForce<'c>>,
    pub catalogue_version: &'c str,
}

impl Catalogue {
    /// Parses and validates a catalogue; the error names the measure and the problem.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let file: CatalogueFile = super::read_versioned(text)?;
        let mut codes = HashSet::new();
        for (i, m) in file.measure.iter().enumerate() {
            let at = format!("measure[{i}] {}", m.code);
            if m.code.trim().is_empty() {
                return Err(format!("measure[{i}]: code must not be empty"));
            }
            if !codes.insert(m.code.as_str()) {
                return Err(format!("{at}: code appears more than once"));
            }
            for (name, value) in [
                ("legal_basis", &m.legal_basis),
                ("description_zh", &m.description_zh),
                ("description_en", &m.description_en),
                ("duration", &m.duration),
            ] {
                if value.trim().is_empty() {
                    return Err(format!("{at}: {name} must not be empty"));
                }
            }
            match (&m.incentive, m.effect) {
                (None, Eligibility::Eligible) => {
                    return Err(format!("{at}: effect must be restricted or ineligible (or the measure an incentive)"));
                }
                (Some(_), Eligibility::Restricted | Eligibility::Ineligible) => {
                    return Err(format!("{at}: an incentive's effect is eligible"));
                }
                (Some(i), _) if i.trim().is_empty() => return Err(format!("{at}: incentive must name what it grants")),
                _ => {}
            }
            match &m.trigger {
                Trigger::Listing { list_types } if list_types.is_empty() => {
                    return Err(format!("{at}: a listing trigger needs at least one list type"));
                }
                Trigger::Grade { scheme, levels } if scheme.trim().is_empty() || levels.is_empty() => {
                    return Err(format!("{at}: a grade trigger needs a scheme and levels"));
                }
                Trigger::Commendation { kinds } if kinds.is_empty() => {
                    return Err(format!("{at}: a commendation trigger needs at least one kind"));
                }
                Trigger::Penalty { sanctions, min_severity, min_fine_fen, sector_fine, lookback_months } => {
                    for (j, s) in sector_fine.iter().enumerate() {
                        if s.categories.is_empty() || s.legal_basis.trim().is_empty() || s.min_fine_fen <= 0 {
                            return Err(format!(
                                "{at}: sector_fine[{j}] needs categories, a positive min_fine_fen and a legal_basis"
                            ));
                        }
                        if min_fine_fen.is_some_and(|base| s.min_fine_fen < base) {
                            return Err(format!("{at}: sector_fine[{j}] may only raise min_fine_fen (财库〔2022〕3号)"));
                        }
                    }
                    if sanctions.is_empty() && min_severity.is_none() && min_fine_fen.is_none() {
                        return Err(format!("{at}: a penalty trigger needs sanctions, min_severity or min_fine_fen"));
                    }
                    if *lookback_months == 0 {
                        return Err(format!("{at}: lookback_months must be at least 1"));
                    }
                    if min_fine_fen.is_some_and(|f| f <= 0) {
                        return Err(format!("{at}: min_fine_fen must be positive"));
                    }
                }
                Trigger::Listing { .. } | Trigger::Grade { .. } | Trigger::Commendation { .. } => {}
            }
        }
        Ok(Catalogue {
            version: file.version,
            effective_from: super::effective_from(file.effective_from)?,
            measures: file.measure,
        })
    }

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
}

impl Catalogue {
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
    use crate::domain::rules::DEFAULT_MEASURES;

    #[test]
    fn default_catalogue_parses_and_cites_law_for_every_measure() {
        let c = Catalogue::parse(DEFAULT_MEASURES).unwrap();
        for m in &c.measures {
            let cites = m.legal_basis.contains('《') || m.legal_basis.contains('〔');
            assert!(cites || m.legal_basis.contains("地方示例"), "{}: cites no law and is not marked local", m.code);
            if m.legal_basis.contains("地方示例") && m.incentive.is_none() {
                assert_eq!(m.effect, Eligibility::Restricted, "{}: a local restriction only restricts", m.code);
            }
        }
        for domain in [MeasureDomain::GovernmentProcurement, MeasureDomain::BiddingAndTendering] {
            assert!(c.measures.iter().any(|m| m.domain == domain), "{domain:?}");
        }
    }

    /// 财库〔2022〕3号: a field whose law sets a higher 较大数额 than
    /// CNY 2,000,000 keeps its own bar.
    #[test]
    fn a_sector_fine_bar_replaces_the_general_one_for_its_categories() {
        use crate::domain::record::{Penalty, Record, RecordBody};
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

    #[test]
    fn malformed_catalogues_are_refused_with_the_measure_named() {
        let dup = format!(
            "{DEFAULT_MEASURES}\n[[measure]]\ncode = \"GP-MAJOR-VIOLATION\"\ndomain = \"honours\"\neffect = \"restricted\"\nduration = \"x\"\nlegal_basis = \"x\"\ndescription_zh = \"x\"\ndescription_en = \"x\"\n[measure.trigger.listing]\nlist_types = [\"red_list\"]\n"
        );
        assert!(Catalogue::parse(&dup).unwrap_err().contains("GP-MAJOR-VIOLATION"));
        let bad_effect = DEFAULT_MEASURES.replacen("effect = \"ineligible\"", "effect = \"eligible\"", 1);
        assert!(Catalogue::parse(&bad_effect).unwrap_err().contains("effect"));
        let unknown = DEFAULT_MEASURES.replacen("government_procurement", "lottery", 1);
        assert!(Catalogue::parse(&unknown).unwrap_err().contains("lottery"));
    }
}
