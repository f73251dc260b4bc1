//! Publicity periods of penalties (行政处罚信息公示期限) and when credit repair
//! (信用修复) may be sought, as data: `policy/publicity.toml`.
//!
//! A penalty is published from its decision date for its tier's maximum
//! period; at the end publication stops by itself. After the minimum period
//! the entity may apply for repair, unless its sanctions bar an early end.

use std::collections::HashMap;

use serde::Deserialize;

use super::authorities::AuthorityKind;

use super::term_end;
use crate::domain::record::{Category, Date, ListType, Penalty, Sanction, SeverityTier, WireName, rule_file_name};

/// The publicity rule for one severity tier.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicityTier {
    pub severity: SeverityTier,
    /// The tier of NDRC Order 36 it falls in: 轻微, 一般 or 严重.
    pub tier_zh: String,
    /// Whether the penalty is shown publicly at all (轻微: in principle not).
    pub published: bool,
    pub min_months: u32,
    pub max_months: u32,
    pub legal_basis: String,
}

/// Sectors where the minimum period is longer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectorMinimum {
    pub categories: Vec<Category>,
    pub min_months: u32,
    pub legal_basis: String,
}

/// When publication may not end before the maximum (SAMR Order 45
/// arts. 14, 18): penalties with these sanctions, and any penalty of an
/// entity on one of `refused_while_listed`, decided by an authority of one
/// of `authority_kinds` (empty: every authority).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyEndBar {
    pub sanctions: Vec<Sanction>,
    #[serde(default)]
    pub refused_while_listed: Vec<ListType>,
    #[serde(default)]
    pub authority_kinds: Vec<AuthorityKind>,
    pub legal_basis: String,
}

impl EarlyEndBar {
    /// Whether the bar binds a penalty decided by an authority of `kind`
    /// (`None`: not in the directory).
    pub fn binds(&self, kind: Option<AuthorityKind>) -> bool {
        super::kind_within(&self.authority_kinds, kind)
    }
}

/// What a minor (轻微) penalty cannot carry: a sanction or fine that makes
/// it at least general, and in procurement a major violation.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinorTierLimits {
    pub excluded_sanctions: Vec<Sanction>,
    /// A minor penalty's fine is below this, in fen.
    pub fine_below_fen: i64,
    pub legal_basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicityFile {
    version: String,
    #[serde(default)]
    effective_from: Option<String>,
    tier: Vec<PublicityTier>,
    #[serde(default)]
    sector_minimum: Vec<SectorMinimum>,
    early_end_bar: EarlyEndBar,
    minor_tier: MinorTierLimits,
}

#[derive(Clone, Debug)]
pub struct PublicityRules {
    pub version: String,
    /// First day these rules apply (`Date::MIN`: from the start).
    pub effective_from: Date,
    tiers: HashMap<SeverityTier, PublicityTier>,
    sector_minimums: Vec<SectorMinimum>,
    pub early_end_bar: EarlyEndBar,
    pub minor_tier: MinorTierLimits,
}

/// Whether and until when one penalty is published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publicity {
    pub published: bool,
    /// Last day of publication.
    pub last_day: Date,
}

const ALL_TIERS: [SeverityTier; 4] = [SeverityTier::Minor, SeverityTier::General, SeverityTier::Heavier, SeverityTier::Serious];

impl PublicityRules {
    pub fn parse(text: &str) -> Result<PublicityRules, String> {
        let file: PublicityFile = super::read_versioned(text)?;
        let mut tiers = HashMap::new();
        for tier in file.tier {
            let name = format!("tier {}", rule_file_name(&tier.severity));
            if tier.min_months > tier.max_months {
                return Err(format!("{name}: min_months {} exceeds max_months {}", tier.min_months, tier.max_months));
            }
            if tier.max_months == 0 {
                return Err(format!("{name}: max_months must be at least 1"));
            }
            if tier.legal_basis.trim().is_empty() || tier.tier_zh.trim().is_empty() {
                return Err(format!("{name}: tier_zh and legal_basis must not be empty"));
            }
            if tiers.insert(tier.severity, tier).is_some() {
                return Err(format!("{name} appears more than once"));
            }
        }
        if let Some(missing) = ALL_TIERS.iter().find(|t| !tiers.contains_key(t)) {
            return Err(format!("no tier for severity {}", rule_file_name(missing)));
        }
        for (i, s) in file.sector_minimum.iter().enumerate() {
            if s.categories.is_empty() || s.legal_basis.trim().is_empty() {
                return Err(format!("sector_minimum[{i}]: categories and legal_basis must not be empty"));
            }
        }
        if file.early_end_bar.legal_basis.trim().is_empty() {
            return Err("early_end_bar: legal_basis must not be empty".into());
        }
        if file.minor_tier.legal_basis.trim().is_empty() || file.minor_tier.fine_below_fen <= 0 {
            return Err("minor_tier: legal_basis must not be empty and fine_below_fen must be positive".into());
        }
        Ok(PublicityRules {
            effective_from: super::effective_from(file.effective_from)?,
            version: file.version,
            tiers,
            sector_minimums: file.sector_minimum,
            early_end_bar: file.early_end_bar,
            minor_tier: file.minor_tier,
        })
    }

    pub fn tier(&self, severity: SeverityTier) -> &PublicityTier {
        &self.tiers[&severity]
    }

    /// The publicity of a penalty as it now stands.
    pub fn of(&self, p: &Penalty) -> Publicity {
        let tier = self.tier(p.severity);
        Publicity { published: tier.published, last_day: term_end(p.decided_on, tier.max_months) }
    }

    /// The last day of the minimum publicity period of a penalty decided
    /// by an authority of `kind`: repair may be sought from the day after.
    /// `Err` says why none may be before publication ends.
    pub fn repair_period_end(&self, p: &Penalty, kind: Option<AuthorityKind>) -> Result<Date, String> {
        let tier = self.tier(p.severity);
        let sector =
            self.sector_minimums.iter().filter(|s| s.categories.contains(&p.category)).map(|s| s.min_months).max().unwrap_or(0);
        let min_months = tier.min_months.max(sector).min(tier.max_months);
        let bar = &self.early_end_bar;
        let barred = p.sanctions.iter().find(|s| bar.binds(kind) && bar.sanctions.contains(s));
        match barred {
            Some(s) => Err(format!(
                "a penalty with sanction {} stays published for its full term of {} months ({}; {})",
                s.wire_name(),
                tier.max_months,
                self.early_end_bar.legal_basis,
                self.version
            )),
            None => Ok(term_end(p.decided_on, min_months)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rules::DEFAULT_PUBLICITY as DEFAULT_PUBLICITY_RULES;

    fn penalty(severity: SeverityTier, category: Category, sanctions: Vec<Sanction>) -> Penalty {
        Penalty {
            decision_number: "X".into(),
            category,
            severity,
            legal_basis: "L".into(),
            fine_fen: 0,
            sanctions,
            decided_on: Date::from_ymd_opt(2025, 3, 31).unwrap(),
            violation: String::new(),
            party: crate::domain::record::Party::default(),
        }
    }

    #[test]
    fn periods_follow_the_three_tiers_and_sector_minimums() {
        let rules = PublicityRules::parse(DEFAULT_PUBLICITY_RULES).unwrap();
        let general = penalty(SeverityTier::General, Category::ProductQuality, vec![]);
        assert!(rules.of(&general).published);
        assert_eq!(rules.of(&general).last_day, Date::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!(
            rules.repair_period_end(&general, Some(AuthorityKind::MarketRegulation)),
            Ok(Date::from_ymd_opt(2025, 6, 30).unwrap())
        );
        let food = penalty(SeverityTier::General, Category::FoodSafety, vec![]);
        assert_eq!(
            rules.repair_period_end(&food, Some(AuthorityKind::MarketRegulation)),
            Ok(Date::from_ymd_opt(2026, 3, 31).unwrap())
        );
        let minor = penalty(SeverityTier::Minor, Category::ProductQuality, vec![]);
        assert!(!rules.of(&minor).published);
        let serious = penalty(SeverityTier::Serious, Category::ProductQuality, vec![Sanction::LicenceRevocation]);
        assert_eq!(rules.of(&serious).last_day, Date::from_ymd_opt(2028, 3, 31).unwrap());
        assert!(rules.repair_period_end(&serious, Some(AuthorityKind::MarketRegulation)).is_err());
        assert!(rules.repair_period_end(&serious, Some(AuthorityKind::DrugRegulation)).is_err());
        assert!(
            rules.repair_period_end(&serious, Some(AuthorityKind::BiddingSupervision)).is_ok(),
            "Order 45 binds market regulation and drugs (art. 18)"
        );
        assert!(rules.repair_period_end(&serious, None).is_ok(), "an authority not in the directory is of no kind the bar names");
    }

    #[test]
    fn malformed_rules_are_refused_with_the_reason() {
        let broken = DEFAULT_PUBLICITY_RULES.replacen("max_months = 3", "max_months = 0", 1);
        assert!(PublicityRules::parse(&broken).unwrap_err().contains("max_months"));
        let missing = DEFAULT_PUBLICITY_RULES.replacen("severity = \"minor\"", "severity = \"general\"", 1);
        assert!(PublicityRules::parse(&missing).unwrap_err().contains("tier general appears more than once"));
    }
}
