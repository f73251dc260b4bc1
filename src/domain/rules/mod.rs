//! Rule data and the pure functions that apply it. Each rule set is a
//! versioned TOML document, validated when parsed; the defaults are the files
//! under `policy/`, built into the binary.

pub mod authorities;
mod citation;
pub mod divisions;
pub mod grades;
pub mod lists;
pub mod measures;
pub mod publicity;
pub mod supervision;

use std::sync::Arc;

use chrono::Months;

use super::record::Date;

pub const DEFAULT_LISTS: &str = include_str!("../../../policy/lists.toml");
pub const DEFAULT_PUBLICITY: &str = include_str!("../../../policy/publicity.toml");
pub const DEFAULT_MEASURES: &str = include_str!("../../../policy/measures.toml");
pub const DEFAULT_SUPERVISION: &str = include_str!("../../../policy/supervision.toml");
pub const DEFAULT_GRADES: &str = include_str!("../../../policy/grades.toml");
pub const DEFAULT_AUTHORITIES: &str = include_str!("../../../policy/authorities.toml");

/// A rule document's TOML as `T`, once its `version` is known to be
/// present and not blank: every rule set is versioned, and a decision
/// names the versions it applied.
fn read_versioned<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    #[derive(serde::Deserialize)]
    struct Versioned {
        version: String,
    }
    let head: Versioned = toml::from_str(text).map_err(|e| e.to_string())?;
    if head.version.trim().is_empty() {
        return Err("version must not be empty".into());
    }
    toml::from_str(text).map_err(|e| e.to_string())
}

/// One rule document: where it came from (named in errors) and its text.
#[derive(Clone, Debug)]
pub struct RuleFile {
    pub name: String,
    pub text: String,
}

impl RuleFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> RuleFile {
        RuleFile { name: name.into(), text: text.into() }
    }
}

/// Every version of every rule document, by kind.
#[derive(Clone, Debug)]
pub struct RuleFiles {
    pub lists: Vec<RuleFile>,
    pub publicity: Vec<RuleFile>,
    pub measures: Vec<RuleFile>,
    pub supervision: Vec<RuleFile>,
    pub grades: Vec<RuleFile>,
    /// The authority directory: one document.
    pub authorities: RuleFile,
}

impl RuleFiles {
    /// The documents under `policy/`, built into the binary.
    pub fn built_in() -> RuleFiles {
        RuleFiles {
            lists: vec![RuleFile::new("policy/lists.toml", DEFAULT_LISTS)],
            publicity: vec![
                RuleFile::new("policy/publicity-2023.toml", include_str!("../../../policy/publicity-2023.toml")),
                RuleFile::new("policy/publicity.toml", DEFAULT_PUBLICITY),
            ],
            measures: vec![
                RuleFile::new("policy/measures-2016.toml", include_str!("../../../policy/measures-2016.toml")),
                RuleFile::new("policy/measures.toml", DEFAULT_MEASURES),
            ],
            supervision: vec![RuleFile::new("policy/supervision.toml", DEFAULT_SUPERVISION)],
            grades: vec![
                RuleFile::new("policy/grades-2014.toml", include_str!("../../../policy/grades-2014.toml")),
                RuleFile::new("policy/grades.toml", DEFAULT_GRADES),
            ],
            authorities: RuleFile::new("policy/authorities.toml", DEFAULT_AUTHORITIES),
        }
    }
}

/// One edition of the rules: the version of each document in force from
/// `effective_from` until the next edition.
#[derive(Clone, Debug)]
pub struct Rules {
    /// First day of this edition (`Date::MIN` for the first: the oldest
    /// versions also answer for dates before them).
    pub effective_from: Date,
    pub lists: lists::ListRules,
    pub publicity: publicity::PublicityRules,
    pub catalogue: measures::Catalogue,
    pub supervision: supervision::SupervisionPolicy,
    /// The grading schemes in force on this edition's dates: which schemes
    /// exist and which levels measures and supervision may name.
    pub grades: grades::GradeSchemes,
    /// Every version of the grading schemes, oldest first: a grade is read
    /// with the one in force on its evaluation date (`grades_for`).
    pub grade_editions: Arc<[grades::GradeSchemes]>,
    /// Who each authority is; rules read an authority's kind from it.
    pub directory: Arc<authorities::Directory>,
    /// The earliest date a record may carry (a decision, a listing, a check):
    /// anything before it is a typo that must not enter the permanent ledger.
    pub earliest_date: Date,
}

/// The default of `Rules::earliest_date` (configuration `policy.earliest_date`):
/// 1990-01-01, before the oldest record any credit system migrated holds.
pub const DEFAULT_EARLIEST_DATE: Date = match Date::from_ymd_opt(1990, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

impl Rules {
    /// The rules in force today, built in: the newest edition.
    pub fn defaults() -> Rules {
        RuleBook::defaults().latest().clone()
    }

    /// The grading schemes a grade evaluated on `evaluated_on` is read with:
    /// the version in force on that date, whatever date it is read on (a
    /// grade evaluated in 2024 is explained by the 2014 tax measures even in
    /// 2026).
    pub fn grades_for(&self, evaluated_on: Date) -> &grades::GradeSchemes {
        version_on(&self.grade_editions, evaluated_on)
    }

    /// The kind of the authority with this id, as the directory has it;
    /// `None` for an id it does not list.
    pub fn authority_kind(&self, id: &str) -> Option<authorities::AuthorityKind> {
        self.directory.kind(id)
    }

    /// The versions of this edition, as named in decisions and receipts.
    pub fn versions(&self) -> [&str; 5] {
        [&self.lists.version, &self.publicity.version, &self.catalogue.version, &self.supervision.version, &self.grades.version]
    }
}

/// Every edition of the rules, oldest first: a check evaluated on a date
/// applies the edition in force on that date (NDRC Order 58 before
/// 2026-04-01, Order 36 from then; the CNY 2,000,000 procurement threshold
/// from 2022-02-08).
#[derive(Clone, Debug)]
pub struct RuleBook {
    editions: Vec<Rules>,
}

impl RuleBook {
    /// The built-in rule documents.
    pub fn defaults() -> RuleBook {
        RuleBook::parse(&RuleFiles::built_in(), DEFAULT_EARLIEST_DATE).expect("built-in rules are valid")
    }

    /// Parses every document and lines the versions up by their
    /// `effective_from`. The error names the file, the entry and the problem.
    pub fn parse(files: &RuleFiles, earliest_date: Date) -> Result<RuleBook, String> {
        let lists = versions("list rules", &files.lists, lists::ListRules::parse)?;
        let publicity = versions("publicity rules", &files.publicity, publicity::PublicityRules::parse)?;
        let catalogue = versions("measure catalogue", &files.measures, measures::Catalogue::parse)?;
        let supervision = versions("supervision policy", &files.supervision, supervision::SupervisionPolicy::parse)?;
        let grades = versions("grading schemes", &files.grades, grades::GradeSchemes::parse)?;
        let directory = authorities::Directory::parse(&files.authorities.text)
            .map_err(|e| format!("authority directory {}: {e}", files.authorities.name))?;
        let directory = Arc::new(directory);
        let mut starts: Vec<Date> =
            [starts_of(&lists), starts_of(&publicity), starts_of(&catalogue), starts_of(&supervision), starts_of(&grades)]
                .concat();
        starts.sort_unstable();
        starts.dedup();
        let grade_editions: Arc<[grades::GradeSchemes]> = grades.clone().into();
        let editions: Vec<Rules> = starts
            .iter()
            .enumerate()
            .map(|(i, &on)| Rules {
                effective_from: if i == 0 { Date::MIN } else { on },
                lists: in_force(&lists, on),
                publicity: in_force(&publicity, on),
                catalogue: in_force(&catalogue, on),
                supervision: in_force(&supervision, on),
                grades: in_force(&grades, on),
                grade_editions: grade_editions.clone(),
                directory: directory.clone(),
                earliest_date,
            })
            .collect();
        for edition in &editions {
            check_grade_triggers(edition)?;
        }
        Ok(RuleBook { editions })
    }

    /// The edition in force on `on`.
    pub fn on(&self, on: Date) -> &Rules {
        let i = self.editions.partition_point(|e| e.effective_from <= on);
        &self.editions[i.saturating_sub(1)]
    }

    /// The newest edition.
    pub fn latest(&self) -> &Rules {
        self.editions.last().expect("a rule book has an edition")
    }

    /// Every edition, oldest first.
    pub fn editions(&self) -> &[Rules] {
        &self.editions
    }
}

/// A rule document that applies from a date.
trait Versioned: Clone {
    fn effective_from(&self) -> Date;
}

macro_rules! versioned {
    ($($t:ty),*) => {
        $(impl Versioned for $t {
            fn effective_from(&self) -> Date {
                self.effective_from
            }
        })*
    };
}

versioned!(
    lists::ListRules,
    publicity::PublicityRules,
    measures::Catalogue,
    supervision::SupervisionPolicy,
    grades::GradeSchemes
);

/// Parses every version of one kind of document, oldest first; two versions
/// may not share a date. The error names the file.
fn versions<T: Versioned>(kind: &str, files: &[RuleFile], parse: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    if files.is_empty() {
        return Err(format!("{kind}: no rule file"));
    }
    let mut parsed: Vec<(T, &str)> = Vec::new();
    for f in files {
        let rules = parse(&f.text).map_err(|e| format!("rule file {}: {kind}: {e}", f.name))?;
        if let Some((_, other)) = parsed.iter().find(|(p, _)| p.effective_from() == rules.effective_from()) {
            return Err(format!(
                "rule file {}: {kind}: effective_from {} is also that of {other}; each version needs its own date",
                f.name,
                rules.effective_from()
            ));
        }
        parsed.push((rules, &f.name));
    }
    parsed.sort_by_key(|(p, _)| p.effective_from());
    Ok(parsed.into_iter().map(|(p, _)| p).collect())
}

fn starts_of<T: Versioned>(versions: &[T]) -> Vec<Date> {
    versions.iter().map(Versioned::effective_from).collect()
}

/// The version in force on `on`: the newest from on or before it, else the
/// oldest.
fn version_on<T: Versioned>(versions: &[T], on: Date) -> &T {
    versions.iter().rev().find(|v| v.effective_from() <= on).unwrap_or(&versions[0])
}

fn in_force<T: Versioned>(versions: &[T], on: Date) -> T {
    version_on(versions, on).clone()
}

/// Every grade a catalogue's measures or the supervision policy name must
/// be a level of a scheme of the same edition.
fn check_grade_triggers(edition: &Rules) -> Result<(), String> {
    let sampled =
        edition.supervision.grade_sampling.iter().flat_map(|r| r.levels.iter().map(|l| (r.scheme.as_str(), l.as_str())));
    let scored = edition.supervision.grade_points().into_iter().map(|(scheme, level, _)| (scheme, level));
    for (scheme, level) in scored.chain(sampled) {
        if edition.grades.scheme(scheme).and_then(|s| s.rank(level)).is_none() {
            return Err(format!(
                "supervision policy {}: grade {scheme} level '{level}' is not in grading schemes {}",
                edition.supervision.version, edition.grades.version
            ));
        }
    }
    for m in &edition.catalogue.measures {
        if let measures::Trigger::Grade { scheme, levels } = &m.trigger {
            let at = format!("measure catalogue {}: measure {}", edition.catalogue.version, m.code);
            let known = edition
                .grades
                .scheme(scheme)
                .ok_or_else(|| format!("{at}: grade scheme '{scheme}' is not in grading schemes {}", edition.grades.version))?;
            if let Some(level) = levels.iter().find(|l| known.rank(l).is_none()) {
                return Err(format!("{at}: '{level}' is not a level of grade scheme {scheme}"));
            }
        }
    }
    Ok(())
}

/// Whether an authority of `kind` (as the directory has it; `None` for one
/// it does not list) falls within a rule's authority scope: one of `kinds`,
/// or any authority when there are none.
fn kind_within(kinds: &[authorities::AuthorityKind], kind: Option<authorities::AuthorityKind>) -> bool {
    kinds.is_empty() || kind.is_some_and(|k| kinds.contains(&k))
}

/// Reads a document's `effective_from` (`YYYY-MM-DD`); unset: from the start.
fn effective_from(value: Option<String>) -> Result<Date, String> {
    match value {
        None => Ok(Date::MIN),
        Some(s) => s.parse().map_err(|e| format!("effective_from '{s}': {e} (expected YYYY-MM-DD)")),
    }
}

/// The last day of a period of `months` calendar months that starts on
/// `start`, counted as 民法典 arts. 201-202 count it: the first day is not
/// counted, and the period ends on the day of its last month that
/// corresponds to `start`, or on that month's last day where there is none.
/// A period of 36 months from 2024-02-29 ends on 2027-02-28; one month from
/// 2025-01-31 ends on 2025-02-28. It is also the day the period is complete
/// (满), from which a step that waits for it (applying for repair) may be
/// taken. Every term, lookback and publicity period counts with this one
/// function.
pub fn term_end(start: Date, months: u32) -> Date {
    start.checked_add_months(Months::new(months)).unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, NaiveDate};
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn every_rule_document_needs_a_version() {
        let errors = [
            lists::ListRules::parse(&without_version(DEFAULT_LISTS)).err(),
            publicity::PublicityRules::parse(&without_version(DEFAULT_PUBLICITY)).err(),
            measures::Catalogue::parse(&without_version(DEFAULT_MEASURES)).err(),
            supervision::SupervisionPolicy::parse(&without_version(DEFAULT_SUPERVISION)).err(),
            grades::GradeSchemes::parse(&without_version(DEFAULT_GRADES)).err(),
        ];
        for error in errors {
            assert_eq!(error.as_deref(), Some("version must not be empty"));
        }
    }

    /// The document with its top-level `version` set to blanks.
    fn without_version(text: &str) -> String {
        let line = text.lines().find(|l| l.starts_with("version")).expect("a version line");
        text.replacen(line, "version = \"  \"", 1)
    }

    #[test]
    fn each_date_gets_the_edition_in_force() {
        let book = RuleBook::defaults();
        let on = |s: &str| book.on(s.parse().unwrap());
        assert_eq!(on("2026-03-31").publicity.version, "publicity-2023.1", "NDRC Order 58");
        assert_eq!(on("2026-04-01").publicity.version, "publicity-2026.2", "NDRC Order 36");
        assert_eq!(on("2022-02-07").catalogue.version, "measures-2016.1");
        assert_eq!(on("2022-02-08").catalogue.version, "measures-2026.2", "财库〔2022〕3号");
        assert_eq!(on("2001-01-01").catalogue.version, "measures-2016.1", "the oldest answers for earlier dates");
        assert_eq!(book.latest().publicity.version, "publicity-2026.2");
    }

    #[test]
    fn a_bad_version_is_refused_naming_its_file() {
        let mut files = RuleFiles::built_in();
        files.measures[0].text = files.measures[0].text.replacen("lookback_months = 36", "lookback_months = 0", 1);
        let err = RuleBook::parse(&files, DEFAULT_EARLIEST_DATE).unwrap_err();
        assert!(err.contains("policy/measures-2016.toml") && err.contains("GP-MAJOR-VIOLATION"), "{err}");
        let mut files = RuleFiles::built_in();
        files.publicity[0].text = files.publicity[1].text.clone();
        let err = RuleBook::parse(&files, DEFAULT_EARLIEST_DATE).unwrap_err();
        assert!(err.contains("effective_from 2026-04-01 is also that of policy/publicity-2023.toml"), "{err}");
    }

    fn last_day_of(year: i32, month: u32) -> u32 {
        let next =
            if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
        next.unwrap().pred_opt().unwrap().day()
    }

    /// 民法典 art. 202 on every start day of a four-year cycle (2024-2027,
    /// with its 29 February) and every term up to 10 years.
    #[test]
    fn terms_end_on_the_corresponding_day_or_the_last_day_of_the_month() {
        let mut start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        while start.year() < 2028 {
            for months in 0..=120u32 {
                let end = term_end(start, months);
                let total = start.month0() + months;
                let (year, month) = (start.year() + (total / 12) as i32, total % 12 + 1);
                assert_eq!((end.year(), end.month()), (year, month), "{start} + {months}");
                assert_eq!(end.day(), start.day().min(last_day_of(year, month)), "{start} + {months}");
            }
            start = start.succ_opt().unwrap();
        }
        let leap = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(term_end(leap, 36), NaiveDate::from_ymd_opt(2027, 2, 28).unwrap());
        assert_eq!(term_end(leap, 48), leap.with_year(2028).unwrap());
    }

    proptest! {
        /// Longer terms never end earlier, and a term of N months never
        /// ends before N x 28 days or after N x 31 days.
        #[test]
        fn terms_grow_with_their_length(days in 0i64..40_000, a in 0u32..240, b in 0u32..240) {
            let start = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(days);
            let (short, long) = (a.min(b), a.max(b));
            prop_assert!(term_end(start, short) <= term_end(start, long));
            let span = (term_end(start, long) - start).num_days();
            prop_assert!(span >= i64::from(long) * 28 - 3 && span <= i64::from(long) * 31);
        }
    }
}
