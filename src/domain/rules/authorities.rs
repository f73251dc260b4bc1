//! The authority directory (执法机关名录): who each authority that writes to
//! the registry is, as a versioned rule document (`policy/authorities.toml`).
//! Rules read an authority's kind from here (who may post the court
//! defaulter list, who issues tax grades, whose penalties Order 45's repair
//! bars cover), never from the shape of its id.
//!
//! Each entry is dated: authorities are established, merged and renamed (the
//! 2018 institutional reform folded 工商 and 质监 into 市场监管), so an entry
//! says from when and until when it wrote, and which authority took its work
//! on. Its records keep the kind it had. A renamed authority keeps its id:
//! its earlier names are listed with the day each gave way, and a record is
//! shown with the name the authority had on the record's date.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::divisions::{Divisions, Region};
use crate::domain::record::Date;

/// What an authority is, as the rules read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityKind {
    /// 市场监督管理 (and its predecessors 工商行政管理, 质量技术监督).
    MarketRegulation,
    /// 药品监督管理.
    DrugRegulation,
    /// 税务.
    Tax,
    /// 人民法院.
    Court,
    /// 政府采购监督管理 (财政部门).
    ProcurementSupervision,
    /// 招标投标行政监督 (发展改革、住房城乡建设、交通运输、水利等部门).
    BiddingSupervision,
    /// 生态环境.
    Ecology,
    /// 应急管理.
    EmergencyManagement,
    Other,
}

impl AuthorityKind {
    /// Every kind, in the order the directory documents them.
    pub const ALL: [AuthorityKind; 9] = [
        AuthorityKind::MarketRegulation,
        AuthorityKind::DrugRegulation,
        AuthorityKind::Tax,
        AuthorityKind::Court,
        AuthorityKind::ProcurementSupervision,
        AuthorityKind::BiddingSupervision,
        AuthorityKind::Ecology,
        AuthorityKind::EmergencyManagement,
        AuthorityKind::Other,
    ];

    /// The kind's name in rule files (`market_regulation`, …).
    pub fn file_name(self) -> &'static str {
        match self {
            AuthorityKind::MarketRegulation => "market_regulation",
            AuthorityKind::DrugRegulation => "drug_regulation",
            AuthorityKind::Tax => "tax",
            AuthorityKind::Court => "court",
            AuthorityKind::ProcurementSupervision => "procurement_supervision",
            AuthorityKind::BiddingSupervision => "bidding_supervision",
            AuthorityKind::Ecology => "ecology",
            AuthorityKind::EmergencyManagement => "emergency_management",
            AuthorityKind::Other => "other",
        }
    }
}

/// An authority's names over a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorityName {
    /// In Chinese, as it signed its decisions.
    pub name: String,
    pub name_en: String,
}

/// A name an authority no longer has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormerName {
    pub names: AuthorityName,
    /// The first day it no longer had it: the day the next name took over
    /// (UTC+8).
    pub until: Date,
}

/// One authority as the directory lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    /// Its own unified social credit code where it has one
    /// (11310000…), or another id its tokens carry.
    pub id: String,
    /// Its name in Chinese, as it signs its decisions today.
    pub name: String,
    pub name_en: String,
    /// The names it had before, oldest first, each with the day it gave way.
    pub former_names: Vec<FormerName>,
    pub kind: AuthorityKind,
    /// Its administrative division: a GB/T 2260 code in use while it existed
    /// (`policy/divisions.tsv`), or `100000` for a national body, as in the
    /// codes of central organs.
    pub region: String,
    /// The authority it answers to, by id.
    pub parent: Option<String>,
    /// The first day it wrote (UTC+8).
    pub established: Date,
    /// The day after its last (merged or dissolved); `None` while it exists.
    pub dissolved: Option<Date>,
    /// The authority that took its work on, by id.
    pub succeeded_by: Option<String>,
}

impl Authority {
    /// Whether it exists on `on` and so may write a record that day.
    pub fn exists_on(&self, on: Date) -> bool {
        self.established <= on && self.dissolved.is_none_or(|end| on < end)
    }

    /// The name in force on `on`: the first former name that had not yet
    /// given way, else the current one. A day before it was established
    /// reads its first name; a day after it was dissolved, its last.
    pub fn name_on(&self, on: Date) -> AuthorityName {
        match self.former_names.iter().find(|f| on < f.until) {
            Some(former) => former.names.clone(),
            None => AuthorityName { name: self.name.clone(), name_en: self.name_en.clone() },
        }
    }
}

/// The directory: every authority by id.
#[derive(Clone, Debug)]
pub struct Directory {
    pub version: String,
    /// The first day this edition of the directory is in force
    /// (`Date::MIN` when the document gives none).
    pub effective_from: Date,
    authorities: BTreeMap<String, Authority>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    version: String,
    effective_from: Option<String>,
    #[serde(default)]
    authority: Vec<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorityEntry {
    id: String,
    name: String,
    name_en: String,
    kind: String,
    region: String,
    parent: Option<String>,
    established: String,
    dissolved: Option<String>,
    succeeded_by: Option<String>,
    #[serde(default)]
    former_name: Vec<FormerNameEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormerNameEntry {
    name: String,
    name_en: String,
    until: String,
}

impl Directory {
    /// Parses and validates a directory; the error names the entry (by
    /// position and id) and what is wrong with it: an unknown kind or
    /// region, a missing name, a repeated id, a parent or successor not in
    /// the directory, dates out of order (former names' `until` too: in
    /// order, after `established`, before `dissolved`).
    pub fn parse(text: &str) -> Result<Directory, String> {
        let file: DirectoryFile = super::read_versioned(text)?;
        let mut authorities = BTreeMap::new();
        for (i, table) in file.authority.into_iter().enumerate() {
            let named = table.get("id").and_then(|v| v.as_str()).map(|id| format!(" ({id})")).unwrap_or_default();
            let at = format!("authority[{i}]{named}");
            let entry: AuthorityEntry = table.try_into().map_err(|e| format!("{at}: {e}"))?;
            let authority = entry.read().map_err(|e| format!("{at}: {e}"))?;
            if let Some(first) = authorities.insert(authority.id.clone(), authority) {
                return Err(format!("{at}: id {} is listed twice", first.id));
            }
        }
        for (id, a) in &authorities {
            for (field, other) in [("parent", &a.parent), ("succeeded_by", &a.succeeded_by)] {
                if let Some(other) = other
                    && !authorities.contains_key(other)
                {
                    return Err(format!("authority {id}: {field} {other} is not in the directory"));
                }
            }
        }
        Ok(Directory { version: file.version, effective_from: super::effective_from(file.effective_from)?, authorities })
    }

    /// The authority with this id, if the directory lists it.
    pub fn get(&self, id: &str) -> Option<&Authority> {
        self.authorities.get(id)
    }

    /// An authority's kind; `None` for an id the directory does not list.
    pub fn kind(&self, id: &str) -> Option<AuthorityKind> {
        self.get(id).map(|a| a.kind)
    }

    /// Every authority, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Authority> {
        self.authorities.values()
    }
}

impl AuthorityEntry {
    fn read(self) -> Result<Authority, String> {
        let id = self.id.trim().to_string();
        if id.is_empty() || id.len() > 64 {
            return Err(format!("id must have 1 to 64 characters, has {}", id.chars().count()));
        }
        let names = |field: &str, name: &str, name_en: &str| {
            if name.trim().is_empty() || name_en.trim().is_empty() {
                return Err(format!("{field}name and {field}name_en must not be empty"));
            }
            Ok(AuthorityName { name: name.trim().to_string(), name_en: name_en.trim().to_string() })
        };
        let AuthorityName { name, name_en } = names("", &self.name, &self.name_en)?;
        let kind = AuthorityKind::ALL.into_iter().find(|k| k.file_name() == self.kind).ok_or_else(|| {
            let known: Vec<&str> = AuthorityKind::ALL.iter().map(|k| k.file_name()).collect();
            format!("kind '{}' is not one of {}", self.kind, known.join(", "))
        })?;
        let date = |field: &str, value: &str| -> Result<Date, String> {
            value.parse().map_err(|e| format!("{field} '{value}': {e} (expected YYYY-MM-DD)"))
        };
        let established = date("established", &self.established)?;
        let dissolved = self.dissolved.as_deref().map(|d| date("dissolved", d)).transpose()?;
        if let Some(end) = dissolved
            && end <= established
        {
            return Err(format!("dissolved {end} is not after established {established}"));
        }
        match Divisions::built_in().region(&self.region, established, dissolved) {
            Region::InUse => {}
            Region::Unknown => {
                return Err(format!(
                    "region '{}' is not a GB/T 2260 division code (policy/divisions.tsv lists every code in use since \
                     1981; 100000 for a national body)",
                    self.region
                ));
            }
            Region::NotThen(periods) => {
                let periods: Vec<String> = periods
                    .iter()
                    .map(|p| format!("{} {}-{}", p.name, p.from, p.until.map(|u| u.to_string()).unwrap_or_default()))
                    .collect();
                return Err(format!(
                    "region '{}' was not in use while the authority existed (GB/T 2260, policy/divisions.tsv: {})",
                    self.region,
                    periods.join(", ")
                ));
            }
        }
        if self.succeeded_by.is_some() && dissolved.is_none() {
            return Err("succeeded_by names a successor, but the authority is not dissolved".into());
        }
        if self.parent.as_deref() == Some(id.as_str()) || self.succeeded_by.as_deref() == Some(id.as_str()) {
            return Err("an authority is neither its own parent nor its own successor".into());
        }
        let mut former_names: Vec<FormerName> = Vec::with_capacity(self.former_name.len());
        for (i, f) in self.former_name.iter().enumerate() {
            let field = format!("former_name[{i}].");
            let names = names(&field, &f.name, &f.name_en)?;
            let until = date(&format!("{field}until"), &f.until)?;
            let after = former_names.last().map_or(established, |p| p.until);
            if until <= after {
                return Err(format!(
                    "{field}until {until} is not after {after} (established, or the earlier name's until: oldest first)"
                ));
            }
            if let Some(end) = dissolved
                && until >= end
            {
                return Err(format!("{field}until {until} is not before dissolved {end}"));
            }
            former_names.push(FormerName { names, until });
        }
        Ok(Authority {
            id,
            name,
            name_en,
            former_names,
            kind,
            region: self.region,
            parent: self.parent,
            established,
            dissolved,
            succeeded_by: self.succeeded_by,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SMALL: &str = r#"
        version = "authorities-test.1"

        [[authority]]
        id = "11100000MB0143028R"
        name = "国家市场监督管理总局"
        name_en = "State Administration for Market Regulation"
        kind = "market_regulation"
        region = "100000"
        established = "2018-04-10"

        [[authority]]
        id = "SH-AIC"
        name = "上海市工商行政管理局"
        name_en = "Shanghai Administration for Industry and Commerce"
        kind = "market_regulation"
        region = "310000"
        established = "1990-01-01"
        dissolved = "2018-11-01"
        succeeded_by = "SH-AMR"

        [[authority]]
        id = "SH-AMR"
        name = "上海市市场监督管理局"
        name_en = "Shanghai Administration for Market Regulation"
        kind = "market_regulation"
        region = "310000"
        parent = "11100000MB0143028R"
        established = "2018-11-01"
    "#;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn an_authority_is_found_by_id_with_its_kind_and_dates() {
        let directory = Directory::parse(SMALL).unwrap();
        assert_eq!(directory.version, "authorities-test.1");
        assert_eq!(directory.kind("SH-AMR"), Some(AuthorityKind::MarketRegulation));
        assert_eq!(directory.kind("SAMR-310000"), None, "an id is looked up, never read for its shape");
        let old = directory.get("SH-AIC").unwrap();
        assert!(old.exists_on(day("2018-10-31")) && !old.exists_on(day("2018-11-01")), "the day dissolved is its first day gone");
        assert_eq!(old.succeeded_by.as_deref(), Some("SH-AMR"));
        assert!(!directory.get("SH-AMR").unwrap().exists_on(day("2018-10-31")));
        assert_eq!(directory.iter().count(), 3);
    }

    #[test]
    fn a_bad_entry_is_named_with_what_is_wrong() {
        let cases = [
            (
                SMALL.replacen("kind = \"market_regulation\"", "kind = \"police\"", 1),
                "authority[0] (11100000MB0143028R): kind 'police'",
            ),
            (SMALL.replacen("region = \"310000\"", "region = \"990000\"", 1), "authority[1] (SH-AIC): region '990000'"),
            (SMALL.replacen("region = \"100000\"", "region = \"31\"", 1), "authority[0] (11100000MB0143028R): region '31'"),
            (SMALL.replacen("region = \"310000\"", "region = \"310199\"", 1), "region '310199' is not a GB/T 2260 division code"),
            (
                SMALL.replace("region = \"310000\"\n        parent", "region = \"310108\"\n        parent"),
                "authority[2] (SH-AMR): region '310108' was not in use while the authority existed (GB/T 2260, policy/divisions.tsv: 闸北区 1981-2015)",
            ),
            (SMALL.replace("id = \"SH-AMR\"", "id = \"SH-AIC\""), "authority[2] (SH-AIC): id SH-AIC is listed twice"),
            (
                SMALL.replacen("parent = \"11100000MB0143028R\"", "parent = \"NOWHERE\"", 1),
                "parent NOWHERE is not in the directory",
            ),
            (SMALL.replacen("dissolved = \"2018-11-01\"", "dissolved = \"1989-01-01\"", 1), "is not after established"),
            (SMALL.replacen("established = \"2018-04-10\"", "established = \"2018-13-01\"", 1), "established '2018-13-01'"),
            (SMALL.replacen("name = \"上海市市场监督管理局\"", "name = \" \"", 1), "name and name_en must not be empty"),
            (SMALL.replacen("kind = \"market_regulation\"", "kind = \"tax\"\nstaff = 3", 1), "unknown field `staff`"),
            (SMALL.replacen("dissolved = \"2018-11-01\"\n", "", 1), "succeeded_by names a successor"),
            (SMALL.replacen("version = \"authorities-test.1\"", "version = \" \"", 1), "version must not be empty"),
        ];
        for (text, expected) in cases {
            let err = Directory::parse(&text).expect_err(expected);
            assert!(err.contains(expected), "{err}\n  should say: {expected}");
        }
    }

    #[test]
    fn the_example_directory_reads_with_a_body_of_every_kind_and_its_mergers() {
        let directory = Directory::parse(crate::domain::rules::DEFAULT_AUTHORITIES).unwrap();
        for kind in AuthorityKind::ALL.into_iter().filter(|k| *k != AuthorityKind::Other) {
            assert!(directory.iter().any(|a| a.kind == kind), "no {kind:?} authority");
        }
        let old = directory.get("example:sh-aic").unwrap();
        assert_eq!(old.succeeded_by.as_deref(), Some("example:sh-amr"));
        let new = directory.get(old.succeeded_by.as_deref().unwrap()).unwrap();
        assert_eq!(Some(new.established), old.dissolved, "the successor takes over the day its predecessor ends");
        assert_eq!(directory.kind("11100000MB0143028R"), Some(AuthorityKind::MarketRegulation));
        let ndrc = directory.get("example:ndrc").unwrap();
        assert_eq!(ndrc.name_on(day("2000-01-01")).name, "国家发展计划委员会", "renamed, same id");
        assert_eq!(directory.effective_from, day("2026-01-01"));
    }

    /// Two earlier names of SH-AIC, oldest first (the test's own).
    const RENAMED: &str = r#"
        [[authority.former_name]]
        name = "上海市标准计量管理局"
        name_en = "Shanghai Bureau of Standards and Metrology"
        until = "1995-03-01"

        [[authority.former_name]]
        name = "上海市技术监督局"
        name_en = "Shanghai Technical Supervision Bureau"
        until = "1999-06-01"
    "#;

    /// `SMALL` with `former` names for SH-AIC.
    fn renamed(former: &str) -> String {
        SMALL.replacen("succeeded_by = \"SH-AMR\"\n", &format!("succeeded_by = \"SH-AMR\"\n{former}\n"), 1)
    }

    #[test]
    fn a_renamed_authority_keeps_its_id_and_has_the_name_in_force_on_each_day() {
        let directory = Directory::parse(&renamed(RENAMED)).unwrap();
        let a = directory.get("SH-AIC").unwrap();
        let name_on = |d: &str| a.name_on(day(d)).name;
        assert_eq!(name_on("1980-01-01"), "上海市标准计量管理局", "before it was established: its first name");
        assert_eq!(name_on("1995-02-28"), "上海市标准计量管理局");
        assert_eq!(name_on("1995-03-01"), "上海市技术监督局", "until is the first day of the next name");
        assert_eq!(a.name_on(day("1999-05-31")).name_en, "Shanghai Technical Supervision Bureau");
        assert_eq!(name_on("1999-06-01"), "上海市工商行政管理局");
        assert_eq!(name_on("2030-01-01"), "上海市工商行政管理局", "after it was dissolved: its last name");
        assert_eq!(a.former_names.len(), 2);
        let plain = directory.get("SH-AMR").unwrap();
        assert_eq!(plain.name_on(day("2019-01-01")).name, plain.name);
    }

    proptest! {
        /// On any day, the name in force is the one after every `until`
        /// on or before that day: as many renames have happened as
        /// `until`s have passed.
        #[test]
        fn the_name_in_force_is_the_one_after_every_rename_passed(
            gaps in proptest::collection::vec(1u64..4_000, 0..5),
            offset in -2_000i64..30_000,
        ) {
            let established = day("1990-01-01");
            let mut until = established;
            let former_names: Vec<FormerName> = gaps
                .iter()
                .enumerate()
                .map(|(i, gap)| {
                    until = until + chrono::Days::new(*gap);
                    FormerName { names: AuthorityName { name: format!("name {i}"), name_en: format!("{i}") }, until }
                })
                .collect();
            let a = Authority {
                id: "a".into(),
                name: format!("name {}", gaps.len()),
                name_en: gaps.len().to_string(),
                former_names,
                kind: AuthorityKind::Other,
                region: "310000".into(),
                parent: None,
                established,
                dissolved: None,
                succeeded_by: None,
            };
            let on = established + chrono::Duration::days(offset);
            let passed = a.former_names.iter().filter(|f| f.until <= on).count();
            prop_assert_eq!(a.name_on(on).name, format!("name {passed}"));
        }
    }

    #[test]
    fn former_names_are_dated_in_order_within_the_authority_s_life() {
        let cases = [
            (RENAMED.replacen("1995-03-01", "1999-06-01", 1), "former_name[1].until 1999-06-01 is not after 1999-06-01"),
            (RENAMED.replacen("1995-03-01", "1990-01-01", 1), "former_name[0].until 1990-01-01 is not after 1990-01-01"),
            (
                RENAMED.replacen("1999-06-01", "2018-12-01", 1),
                "former_name[1].until 2018-12-01 is not before dissolved 2018-11-01",
            ),
            (RENAMED.replacen("1999-06-01", "1999-06-31", 1), "authority[1] (SH-AIC): former_name[1].until '1999-06-31'"),
            (RENAMED.replacen("name = \"上海市技术监督局\"", "name = \"\"", 1), "former_name[1].name and former_name[1].name_en"),
            (RENAMED.replacen("until = \"1995-03-01\"", "", 1), "missing field `until`"),
        ];
        for (former, expected) in cases {
            let err = Directory::parse(&renamed(&former)).expect_err(expected);
            assert!(err.contains(expected), "{err}\n  should say: {expected}");
        }
    }

    #[test]
    fn the_directory_is_dated_like_every_rule_document() {
        assert_eq!(Directory::parse(SMALL).unwrap().effective_from, Date::MIN, "undated: from the start");
        let dated = SMALL.replacen("version", "effective_from = \"2026-01-01\"\nversion", 1);
        assert_eq!(Directory::parse(&dated).unwrap().effective_from, day("2026-01-01"));
        let err = Directory::parse(&SMALL.replacen("version", "effective_from = \"2026-02-30\"\nversion", 1)).unwrap_err();
        assert!(err.contains("effective_from '2026-02-30'"), "{err}");
    }

    #[test]
    fn every_kind_reads_back_by_its_file_name() {
        for kind in AuthorityKind::ALL {
            let text = SMALL.replacen("kind = \"market_regulation\"", &format!("kind = \"{}\"", kind.file_name()), 1);
            assert_eq!(Directory::parse(&text).unwrap().kind("11100000MB0143028R"), Some(kind));
        }
    }
}
