//! Credit grading schemes (信用等级评价) as data: `policy/grades-2014.toml`, `policy/grades.toml`.
//!
//! A scheme names its levels best first, how long a grade is valid, who may
//! issue one, which levels are published, and which listings or penalties
//! cap the grade in force. Versions are editions of the law: a grade is read
//! with the version in force on its evaluation date.

use std::collections::HashSet;

use serde::Deserialize;

use super::authorities::AuthorityKind;

use crate::domain::record::{Date, ListType, SeverityTier};

/// One level of a scheme.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub level: String,
    pub meaning_zh: String,
    pub meaning_en: String,
    /// Given only to grades evaluated on or after this date (the M tax
    /// level from 2018-04-01); unset: always.
    #[serde(default, deserialize_with = "optional_date")]
    pub evaluated_from: Option<Date>,
    /// Why the level has a start date; required with `evaluated_from`.
    #[serde(default)]
    pub legal_basis: Option<String>,
}

/// What caps a grade in force: a listing on one of `listed` in force, or a
/// penalty of at least `penalty_min_severity` in effect, decided after the
/// grade's evaluation date.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    #[serde(default)]
    pub listed: Vec<ListType>,
    #[serde(default)]
    pub penalty_min_severity: Option<SeverityTier>,
    pub max_level: String,
    /// A listing caps whether it began before or after the evaluation
    /// (直接判为D级); otherwise only one that began after it.
    #[serde(default)]
    pub listed_before_evaluation: bool,
    /// Once a listing has capped the grade, the cap outlasts the listing's
    /// end by term or cure until a repair of the grade or a newer grade.
    #[serde(default)]
    pub outlasts_listing: bool,
    pub legal_basis: String,
}

/// A `YYYY-MM-DD` string as a date.
fn optional_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map(Some).map_err(|e| serde::de::Error::custom(format!("'{text}': {e} (expected YYYY-MM-DD)")))
}

/// Whether a grade names the rating year (评价年度) it belongs to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingYear {
    Required,
    #[default]
    Optional,
}

/// A state a scheme's authority may record that is not a level: the
/// entity is not rated for a rating year (无记载不评价).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotRated {
    pub meaning_zh: String,
    pub meaning_en: String,
    pub legal_basis: String,
}

/// One grading scheme.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Stable code grades name, e.g. `tax_credit`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Best first.
    pub level: Vec<Level>,
    /// Longest validity of a grade, in months from its evaluation date.
    pub valid_months: u32,
    /// Only authorities of these kinds (as the authority directory has
    /// them) issue grades; empty: any enforcement authority.
    pub issuer_kinds: Vec<AuthorityKind>,
    /// Levels shown to procurement callers and the public.
    pub published_levels: Vec<String>,
    #[serde(default)]
    pub cap: Vec<Cap>,
    #[serde(default)]
    pub rating_year: RatingYear,
    /// The not-rated state, for schemes that have one.
    #[serde(default)]
    pub not_rated: Option<NotRated>,
    /// A local or illustrative scheme rather than a national one.
    #[serde(default)]
    pub local: bool,
    pub legal_basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GradesFile {
    version: String,
    #[serde(default)]
    effective_from: Option<String>,
    scheme: Vec<Scheme>,
}

/// Every grading scheme, with the version that names them.
#[derive(Clone, Debug)]
pub struct GradeSchemes {
    pub version: String,
    /// First day these schemes apply (`Date::MIN`: from the start).
    pub effective_from: Date,
    pub schemes: Vec<Scheme>,
}

impl GradeSchemes {
    /// Parses and validates the schemes; the error names the scheme and the problem.
    pub fn parse(text: &str) -> Result<GradeSchemes, String> {
        let file: GradesFile = super::read_versioned(text)?;
        let mut codes = HashSet::new();
        for s in &file.scheme {
            let at = format!("scheme {}", s.code);
            if s.code.trim().is_empty() || !codes.insert(s.code.as_str()) {
                return Err(format!("{at}: code must be present and unique"));
            }
            if s.level.is_empty() || s.valid_months == 0 || s.legal_basis.trim().is_empty() {
                return Err(format!("{at}: needs levels, valid_months and a legal_basis"));
            }
            let mut levels = HashSet::new();
            for l in &s.level {
                if l.level.trim().is_empty() || !levels.insert(l.level.as_str()) {
                    return Err(format!("{at}: level '{}' is empty or repeated", l.level));
                }
                if l.meaning_zh.trim().is_empty() || l.meaning_en.trim().is_empty() {
                    return Err(format!("{at}: level {} needs its meaning in Chinese and English", l.level));
                }
                if l.evaluated_from.is_some() != l.legal_basis.as_deref().is_some_and(|b| !b.trim().is_empty()) {
                    return Err(format!("{at}: level {}: evaluated_from and its legal_basis go together", l.level));
                }
            }
            if let Some(n) = &s.not_rated
                && [&n.meaning_zh, &n.meaning_en, &n.legal_basis].iter().any(|t| t.trim().is_empty())
            {
                return Err(format!("{at}: not_rated needs its meaning in Chinese and English and a legal_basis"));
            }
            if let Some(unknown) = s.published_levels.iter().find(|p| !levels.contains(p.as_str())) {
                return Err(format!("{at}: published level '{unknown}' is not a level of the scheme"));
            }
            for (i, c) in s.cap.iter().enumerate() {
                if !levels.contains(c.max_level.as_str()) {
                    return Err(format!("{at}: cap[{i}]: max_level '{}' is not a level of the scheme", c.max_level));
                }
                if (c.listed.is_empty() && c.penalty_min_severity.is_none()) || c.legal_basis.trim().is_empty() {
                    return Err(format!("{at}: cap[{i}] needs listed or penalty_min_severity, and a legal_basis"));
                }
                if (c.listed_before_evaluation || c.outlasts_listing) && c.listed.is_empty() {
                    return Err(format!("{at}: cap[{i}]: listed_before_evaluation and outlasts_listing apply to listings only"));
                }
            }
        }
        Ok(GradeSchemes {
            version: file.version,
            effective_from: super::effective_from(file.effective_from)?,
            schemes: file.scheme,
        })
    }

    pub fn scheme(&self, code: &str) -> Option<&Scheme> {
        self.schemes.iter().find(|s| s.code == code)
    }
}

impl Scheme {
    /// A level's place, 0 the best; `None` for a level the scheme lacks.
    pub fn rank(&self, level: &str) -> Option<usize> {
        self.level.iter().position(|l| l.level == level)
    }

    pub fn level(&self, level: &str) -> Option<&Level> {
        self.level.iter().find(|l| l.level == level)
    }

    /// Whether a grade evaluated on `evaluated_on` may be given `level`.
    pub fn level_given_on(&self, level: &str, evaluated_on: Date) -> bool {
        self.level(level).is_some_and(|l| l.evaluated_from.is_none_or(|from| evaluated_on >= from))
    }

    /// Whether an authority of `kind` (`None`: not in the directory) may
    /// issue grades of this scheme.
    pub fn may_issue(&self, kind: Option<AuthorityKind>) -> bool {
        super::kind_within(&self.issuer_kinds, kind)
    }

    /// Whether a grade at `level` is shown to procurement callers and the public.
    pub fn publishes(&self, level: &str) -> bool {
        self.published_levels.iter().any(|l| l == level)
    }

    /// The worse of two levels of this scheme.
    pub fn worse<'a>(&self, a: &'a str, b: &'a str) -> &'a str {
        if self.rank(a) >= self.rank(b) { a } else { b }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rules::DEFAULT_GRADES;

    #[test]
    fn default_schemes_parse_with_levels_in_order() {
        let g = GradeSchemes::parse(DEFAULT_GRADES).unwrap();
        let tax = g.scheme("tax_credit").unwrap();
        assert_eq!(tax.rank("A"), Some(0));
        assert_eq!(tax.rank("D"), Some(4));
        assert!(tax.publishes("A") && !tax.publishes("B"));
        use super::AuthorityKind::{MarketRegulation, Tax};
        assert!(tax.may_issue(Some(Tax)) && !tax.may_issue(Some(MarketRegulation)) && !tax.may_issue(None));
        assert_eq!(tax.worse("B", "D"), "D");
        assert!(g.schemes.iter().all(|s| s.legal_basis.contains('《') || s.local), "every national scheme cites its basis");
    }

    #[test]
    fn malformed_schemes_are_refused_naming_the_scheme() {
        let bad = DEFAULT_GRADES.replacen("max_level = \"D\"", "max_level = \"Z\"", 1);
        assert!(GradeSchemes::parse(&bad).unwrap_err().contains("scheme tax_credit"));
        let bad = DEFAULT_GRADES.replacen("published_levels = [\"A\"]", "published_levels = [\"A+\"]", 1);
        assert!(GradeSchemes::parse(&bad).unwrap_err().contains("A+"));
        let undated = DEFAULT_GRADES.replacen(
            "meaning_en = \"good (annual score 70 to under 90)\" }",
            "meaning_en = \"good (annual score 70 to under 90)\", evaluated_from = \"2025-07-01\" }",
            1,
        );
        assert!(GradeSchemes::parse(&undated).unwrap_err().contains("evaluated_from and its legal_basis"));
        let unexplained =
            DEFAULT_GRADES.replacen("[scheme.not_rated]\nmeaning_zh = \"", "[scheme.not_rated]\nmeaning_zh = \" \" # \"", 1);
        assert!(GradeSchemes::parse(&unexplained).unwrap_err().contains("not_rated needs"));
        let penalty_outlasting = DEFAULT_GRADES.replacen(
            "penalty_min_severity = \"heavier\"",
            "penalty_min_severity = \"heavier\"\noutlasts_listing = true",
            1,
        );
        assert!(GradeSchemes::parse(&penalty_outlasting).unwrap_err().contains("listings only"));
    }

    #[test]
    fn the_2014_edition_gives_m_only_from_2018_and_has_no_not_rated_state() {
        let old = GradeSchemes::parse(include_str!("../../../policy/grades-2014.toml")).unwrap();
        let tax = old.scheme("tax_credit").unwrap();
        let day = |s: &str| s.parse::<Date>().unwrap();
        assert!(tax.level_given_on("A", day("2015-04-01")) && !tax.level_given_on("M", day("2018-03-31")));
        assert!(tax.level_given_on("M", day("2018-04-01")));
        assert!(tax.not_rated.is_none() && tax.rating_year == RatingYear::Optional);
        let new = GradeSchemes::parse(DEFAULT_GRADES).unwrap();
        assert_eq!(new.effective_from, day("2025-07-01"));
        assert_eq!(new.scheme("tax_credit").unwrap().rating_year, RatingYear::Required);
    }
}
