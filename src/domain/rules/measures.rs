//! The joint-punishment measure catalogue (联合惩戒措施清单) as data, and the
//! shape of the decision it yields (made in `domain::decide`).
//!
//! The catalogue is `policy/measures.toml` (or a configured file): versioned,
//! validated at start, and named in every decision it makes.

use std::collections::HashSet;

use serde::Deserialize;

use crate::domain::record::{Category, CommendationKind, Date, ListType, RecordId, Sanction, SeverityTier};

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
