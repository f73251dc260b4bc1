//! List rules as data: the term each list takes and the reasons an entry may
//! end. Loaded from `policy/lists.toml` (or a configured file) and validated
//! at start.

use std::collections::HashMap;

use serde::Deserialize;

use super::term_end;

use crate::domain::record::{Date, ListType, RemovalReason};

/// Whether a list's entries have a planned end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermRule {
    /// No fixed term (lasts until cured): `planned_end` must be unset.
    None,
    Required,
    Optional,
}

/// The rule for one list.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListRule {
    pub list_type: ListType,
    pub name_zh: String,
    pub term: TermRule,
    #[serde(default)]
    pub min_term_months: Option<u32>,
    #[serde(default)]
    pub max_term_months: Option<u32>,
    /// Months after listing when repair may be sought; `None`: never.
    #[serde(default)]
    pub repair_after_months: Option<u32>,
    pub removal_reasons: Vec<RemovalReason>,
    pub legal_basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListRulesFile {
    version: String,
    list: Vec<ListRule>,
}

/// All list rules, one per list type, with the version that names them.
#[derive(Clone, Debug)]
pub struct ListRules {
    pub version: String,
    rules: HashMap<ListType, ListRule>,
}

/// Every list type the registry knows, so a rule file cannot leave one out.
pub const ALL_LISTS: [ListType; 6] = [
    ListType::AbnormalOperations,
    ListType::SeriousIllegalDishonest,
    ListType::QualityBlacklist,
    ListType::ProcurementDebarment,
    ListType::BiddingDisqualification,
    ListType::RedList,
];

impl ListRules {
    /// Parses and validates a rule file; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<ListRules, String> {
        let file: ListRulesFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if file.version.trim().is_empty() {
            return Err("version must not be empty".into());
        }
        let mut rules = HashMap::new();
        for rule in file.list {
            let name = format!("{:?}", rule.list_type);
            if let (Some(min), Some(max)) = (rule.min_term_months, rule.max_term_months)
                && min > max
            {
                return Err(format!(
                    "list {name}: min_term_months {min} exceeds max_term_months {max}"
                ));
            }
            if rule.term == TermRule::None
                && (rule.min_term_months.is_some() || rule.max_term_months.is_some())
            {
                return Err(format!("list {name}: term \"none\" takes no term bounds"));
            }
            if rule.removal_reasons.is_empty() {
                return Err(format!("list {name}: removal_reasons must not be empty"));
            }
            if rule.legal_basis.trim().is_empty() {
                return Err(format!("list {name}: legal_basis must not be empty"));
            }
            if rules.insert(rule.list_type, rule).is_some() {
                return Err(format!("list {name} appears more than once"));
            }
        }
        if let Some(missing) = ALL_LISTS.iter().find(|t| !rules.contains_key(t)) {
            return Err(format!("no rule for list {missing:?}"));
        }
        Ok(ListRules { version: file.version, rules })
    }

    /// The rule for a list type; every type has one once parsed.
    pub fn rule(&self, list_type: ListType) -> &ListRule {
        &self.rules[&list_type]
    }
}

impl ListRule {
    /// Why `planned_end` does not fit this list's term rule, if it does not.
    pub fn term_violation(&self, listed_on: Date, planned_end: Option<Date>) -> Option<String> {
        let Some(end) = planned_end else {
            return (self.term == TermRule::Required)
                .then(|| format!("is required for the {} ({})", self.name_zh, self.legal_basis));
        };
        if self.term == TermRule::None {
            return Some(format!(
                "must be unset: the {} has no fixed term, an entry lasts until removed",
                self.name_zh
            ));
        }
        if end < listed_on {
            return Some(format!("{end} is before listed_on {listed_on}"));
        }
        if let Some(min) = self.min_term_months
            && end < term_end(listed_on, min)
        {
            return Some(format!(
                "{end} makes a term shorter than the minimum of {min} months for the {} (earliest {})",
                self.name_zh,
                term_end(listed_on, min)
            ));
        }
        if let Some(max) = self.max_term_months
            && end > term_end(listed_on, max)
        {
            return Some(format!(
                "{end} makes a term longer than the maximum of {max} months for the {} (latest {})",
                self.name_zh,
                term_end(listed_on, max)
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::rules::DEFAULT_LISTS as DEFAULT;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn default_rules_parse() {
        let rules = ListRules::parse(DEFAULT).unwrap();
        assert_eq!(rules.version, "lists-2026.2");
        assert_eq!(rules.rule(ListType::ProcurementDebarment).max_term_months, Some(36));
    }

    #[test]
    fn malformed_rules_are_rejected_with_the_reason() {
        let missing = DEFAULT.replace("list_type = \"red_list\"", "list_type = \"abnormal_operations\"");
        assert!(ListRules::parse(&missing).unwrap_err().contains("more than once"));
        let unknown = DEFAULT.replace("red_list", "green_list");
        assert!(ListRules::parse(&unknown).unwrap_err().contains("green_list"));
        let inverted = DEFAULT.replace("min_term_months = 12\nmax_term_months = 36", "min_term_months = 40\nmax_term_months = 36");
        assert!(ListRules::parse(&inverted).unwrap_err().contains("exceeds"));
    }

    #[test]
    fn procurement_debarment_term_is_one_to_three_years() {
        let rules = ListRules::parse(DEFAULT).unwrap();
        let rule = rules.rule(ListType::ProcurementDebarment);
        let start = date("2024-03-15");
        assert_eq!(rule.term_violation(start, Some(date("2026-03-14"))), None);
        assert_eq!(rule.term_violation(start, Some(date("2027-03-14"))), None);
        assert!(rule.term_violation(start, Some(date("2027-03-15"))).unwrap().contains("maximum"));
        assert!(rule.term_violation(start, Some(date("2025-03-13"))).unwrap().contains("minimum"));
        assert!(rule.term_violation(start, Some(date("2024-03-01"))).unwrap().contains("before"));
        assert!(rule.term_violation(start, None).unwrap().contains("required"));
    }

    #[test]
    fn abnormal_operations_has_no_fixed_term() {
        let rules = ListRules::parse(DEFAULT).unwrap();
        let rule = rules.rule(ListType::AbnormalOperations);
        assert_eq!(rule.term_violation(date("2024-01-01"), None), None);
        assert!(rule.term_violation(date("2024-01-01"), Some(date("2025-01-01"))).is_some());
    }
}
