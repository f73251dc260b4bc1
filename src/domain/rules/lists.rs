//! List rules as data: the term each list takes and the reasons an entry may
//! end. Loaded from `policy/lists.toml` (or a configured file) and validated
//! at start.

use std::collections::HashMap;

use serde::Deserialize;

use super::authorities::AuthorityKind;

use super::citation::canonical_article;
use super::term_end;
use crate::domain::record::{Date, ListType, RemovalReason, Sanction, rule_file_name};

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
    /// A listing that rests on a penalty with one of these sanctions may run
    /// as long as that sanction does, past `max_term_months` (SAMR Order 44
    /// art. 20: a 限制从业 or 限制开展生产经营活动 longer than 3 years).
    #[serde(default)]
    pub extended_by_sanctions: Vec<Sanction>,
    /// Where the term depends on the article applied (招标投标法 arts. 53, 54,
    /// 60), one entry per article; a listing must name one of them.
    #[serde(default)]
    pub article: Vec<ArticleTerm>,
    /// When not empty, only authorities of these kinds (as the authority
    /// directory has them) may post the list: courts, tax authorities.
    #[serde(default)]
    pub authority_kinds: Vec<AuthorityKind>,
    /// CURED ends an entry no earlier than this many months after listing
    /// (a major tax violator: after at least 6 months of publication).
    #[serde(default)]
    pub cured_after_months: Option<u32>,
    /// An entry still in force this long after listing is due to move to
    /// another list.
    #[serde(default)]
    pub escalation: Option<Escalation>,
    pub legal_basis: String,
}

/// When an entry left uncured is due to move to a graver list.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub after_months: u32,
    pub to: ListType,
    pub legal_basis: String,
}

/// The term bounds one article of law sets for a listing.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleTerm {
    /// The article, e.g. "招标投标法第五十三条", in any spelling
    /// `canonical_article` reads; held in its canonical spelling once parsed.
    pub article: String,
    pub min_term_months: u32,
    pub max_term_months: u32,
    pub legal_basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListRulesFile {
    version: String,
    #[serde(default)]
    effective_from: Option<String>,
    list: Vec<ListRule>,
}

/// All list rules, one per list type, with the version that names them.
#[derive(Clone, Debug)]
pub struct ListRules {
    pub version: String,
    /// First day these rules apply (`Date::MIN`: from the start).
    pub effective_from: Date,
    rules: HashMap<ListType, ListRule>,
}

/// Every list type the registry knows, so a rule file cannot leave one out.
pub const ALL_LISTS: [ListType; 8] = [
    ListType::AbnormalOperations,
    ListType::SeriousIllegalDishonest,
    ListType::QualityBlacklist,
    ListType::ProcurementDebarment,
    ListType::BiddingDisqualification,
    ListType::RedList,
    ListType::CourtJudgmentDefaulter,
    ListType::MajorTaxViolator,
];

impl ListRules {
    /// Parses and validates a rule file; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<ListRules, String> {
        let file: ListRulesFile = super::read_versioned(text)?;
        let mut rules = HashMap::new();
        for mut rule in file.list {
            let name = rule_file_name(&rule.list_type);
            if let (Some(min), Some(max)) = (rule.min_term_months, rule.max_term_months)
                && min > max
            {
                return Err(format!("list {name}: min_term_months {min} exceeds max_term_months {max}"));
            }
            if rule.term == TermRule::None && (rule.min_term_months.is_some() || rule.max_term_months.is_some()) {
                return Err(format!("list {name}: term \"none\" takes no term bounds"));
            }
            if rule.removal_reasons.is_empty() {
                return Err(format!("list {name}: removal_reasons must not be empty"));
            }
            if rule.legal_basis.trim().is_empty() {
                return Err(format!("list {name}: legal_basis must not be empty"));
            }
            for (i, a) in rule.article.iter_mut().enumerate() {
                if a.article.trim().is_empty() || a.legal_basis.trim().is_empty() {
                    return Err(format!("list {name}: article[{i}]: article and legal_basis must not be empty"));
                }
                a.article = canonical_article(&a.article)
                    .ok_or_else(|| format!("list {name}: article[{i}] {}: not an article citation", a.article))?;
                if a.min_term_months > a.max_term_months {
                    return Err(format!("list {name}: article[{i}] {}: min_term_months exceeds max_term_months", a.article));
                }
            }
            if let Some(e) = &rule.escalation
                && (e.after_months == 0 || e.legal_basis.trim().is_empty() || e.to == rule.list_type)
            {
                return Err(format!("list {name}: escalation needs after_months, a legal_basis and another list"));
            }
            if !rule.article.is_empty() && rule.term != TermRule::Required {
                return Err(format!("list {name}: terms by article need term \"required\""));
            }
            if rules.insert(rule.list_type, rule).is_some() {
                return Err(format!("list {name} appears more than once"));
            }
        }
        if let Some(missing) = ALL_LISTS.iter().find(|t| !rules.contains_key(t)) {
            return Err(format!("no rule for list {}", rule_file_name(missing)));
        }
        Ok(ListRules { version: file.version, effective_from: super::effective_from(file.effective_from)?, rules })
    }

    /// The rule for a list type; every type has one once parsed.
    pub fn rule(&self, list_type: ListType) -> &ListRule {
        &self.rules[&list_type]
    }
}

/// Why a listing's planned end does not fit its list's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermProblem {
    /// `planned_end` or `article`.
    pub field: &'static str,
    pub description: String,
}

impl ListRule {
    /// The day an entry of this list is due to move to a graver one if it is
    /// still in force then.
    pub fn escalation_due_on(&self, listing: &crate::domain::record::Listing) -> Option<Date> {
        self.escalation.as_ref().map(|e| term_end(listing.listed_on, e.after_months))
    }

    /// Whether an authority of `kind` (`None`: not in the directory) may
    /// post this list.
    pub fn may_post(&self, kind: Option<AuthorityKind>) -> bool {
        super::kind_within(&self.authority_kinds, kind)
    }

    /// Why `planned_end` (and `article`, where the list's terms depend on
    /// it) does not fit this list's term rule, if it does not.
    ///
    /// A term of N months from D may be written either way the law allows:
    /// ending on D + N months (民法典 art. 202), or on the day before. So the
    /// shortest accepted end is the day before D + min months and the longest
    /// D + max months. `extended`: the listing rests on a penalty whose
    /// sanction lets it run past the maximum (`extended_by_sanctions`).
    pub fn term_violation(
        &self,
        listed_on: Date,
        planned_end: Option<Date>,
        article: &str,
        extended: bool,
    ) -> Option<TermProblem> {
        let problem = |field, description: String| Some(TermProblem { field, description });
        let Some(end) = planned_end else {
            return (self.term == TermRule::Required).then(|| TermProblem {
                field: "planned_end",
                description: format!("is required for the {} ({})", self.name_zh, self.legal_basis),
            });
        };
        if self.term == TermRule::None {
            return problem(
                "planned_end",
                format!("must be unset: the {} has no fixed term, an entry lasts until removed", self.name_zh),
            );
        }
        if end < listed_on {
            return problem("planned_end", format!("{end} is before listed_on {listed_on}"));
        }
        let (min, max, basis) = if self.article.is_empty() {
            (self.min_term_months, self.max_term_months, self.legal_basis.as_str())
        } else {
            let cited = canonical_article(article);
            match self.article.iter().find(|a| Some(&a.article) == cited.as_ref()) {
                Some(a) => (Some(a.min_term_months), Some(a.max_term_months), a.legal_basis.as_str()),
                None => {
                    let known = self.article.iter().map(|a| a.article.as_str()).collect::<Vec<_>>().join("、");
                    let read_as = cited.map(|c| format!(" (read as {c})")).unwrap_or_default();
                    return problem(
                        "article",
                        format!(
                            "'{article}'{read_as} is not an article the {} is decided under (one of {known}; 《中华人民共和国…》 and 第53条 spellings are read too)",
                            self.name_zh
                        ),
                    );
                }
            }
        };
        if let Some(min) = min {
            let earliest = term_end(listed_on, min).pred_opt().unwrap_or(listed_on);
            if end < earliest {
                return problem(
                    "planned_end",
                    format!(
                        "{end} makes a term shorter than the minimum of {min} months for the {} (earliest {earliest}; {basis})",
                        self.name_zh
                    ),
                );
            }
        }
        if let Some(max) = max
            && !extended
            && end > term_end(listed_on, max)
        {
            return problem(
                "planned_end",
                format!(
                    "{end} makes a term longer than the maximum of {max} months for the {} (latest {}; {basis})",
                    self.name_zh,
                    term_end(listed_on, max)
                ),
            );
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
        assert_eq!(rules.version, "lists-2026.3");
        assert_eq!(rules.rule(ListType::ProcurementDebarment).max_term_months, Some(36));
    }

    #[test]
    fn malformed_rules_are_rejected_with_the_reason() {
        let missing = DEFAULT.replace("list_type = \"red_list\"", "list_type = \"abnormal_operations\"");
        assert!(ListRules::parse(&missing).unwrap_err().contains("list abnormal_operations appears more than once"));
        let unknown = DEFAULT.replace("red_list", "green_list");
        assert!(ListRules::parse(&unknown).unwrap_err().contains("green_list"));
        let inverted =
            DEFAULT.replace("min_term_months = 12\nmax_term_months = 36", "min_term_months = 40\nmax_term_months = 36");
        assert!(ListRules::parse(&inverted).unwrap_err().contains("exceeds"));
    }

    #[test]
    fn procurement_debarment_term_is_one_to_three_years() {
        let rules = ListRules::parse(DEFAULT).unwrap();
        let rule = rules.rule(ListType::ProcurementDebarment);
        let start = date("2024-03-15");
        let problem = |end: Option<Date>| rule.term_violation(start, end, "", false).map(|p| p.description);
        assert_eq!(problem(Some(date("2026-03-14"))), None);
        assert_eq!(problem(Some(date("2027-03-14"))), None);
        assert_eq!(problem(Some(date("2027-03-15"))), None, "D + 36 months (民法典 art. 202)");
        assert!(problem(Some(date("2027-03-16"))).unwrap().contains("maximum"));
        assert_eq!(problem(Some(date("2025-03-14"))), None, "the day before D + 12 months");
        assert!(problem(Some(date("2025-03-13"))).unwrap().contains("minimum"));
        assert!(problem(Some(date("2024-03-01"))).unwrap().contains("before"));
        assert!(problem(None).unwrap().contains("required"));
    }

    #[test]
    fn a_term_from_29_february_ends_on_28_february() {
        let rules = ListRules::parse(DEFAULT).unwrap();
        let rule = rules.rule(ListType::SeriousIllegalDishonest);
        let leap = date("2024-02-29");
        assert_eq!(rule.term_violation(leap, Some(date("2027-02-28")), "", false), None);
        assert_eq!(rule.term_violation(leap, Some(date("2027-02-27")), "", false), None);
        assert!(rule.term_violation(leap, Some(date("2027-03-01")), "", false).is_some());
        assert_eq!(rule.term_violation(leap, Some(date("2029-02-28")), "", true), None, "extended by a practice ban");
        assert!(rule.term_violation(leap, Some(date("2026-02-28")), "", false).is_some(), "the term is 3 years");
    }

    #[test]
    fn bidding_terms_follow_the_article_applied() {
        let rules = ListRules::parse(DEFAULT).unwrap();
        let rule = rules.rule(ListType::BiddingDisqualification);
        let start = date("2025-06-10");
        let check = |article: &str, end: &str| rule.term_violation(start, Some(date(end)), article, false);
        assert_eq!(check("招标投标法第五十三条", "2027-06-10"), None);
        assert_eq!(check("招标投标法第五十三条", "2027-06-11").unwrap().field, "planned_end");
        assert_eq!(check("招标投标法第五十四条", "2028-06-10"), None);
        assert_eq!(check("招标投标法第六十条", "2026-06-10").unwrap().field, "planned_end");
        assert_eq!(check("招标投标法第六十条", "2030-06-10"), None);
        assert_eq!(check("", "2026-06-10").unwrap().field, "article");
    }

    #[test]
    fn abnormal_operations_has_no_fixed_term() {
        let rules = ListRules::parse(DEFAULT).unwrap();
        let rule = rules.rule(ListType::AbnormalOperations);
        assert_eq!(rule.term_violation(date("2024-01-01"), None, "", false), None);
        assert!(rule.term_violation(date("2024-01-01"), Some(date("2025-01-01")), "", false).is_some());
    }
}
