//! The authority directory (执法机关名录): who each authority that writes to
//! the registry is, as a versioned rule document (`policy/authorities.toml`).
//! Rules read an authority's kind from here (who may post the court
//! defaulter list, who issues tax grades, whose penalties Order 45's repair
//! bars cover), never from the shape of its id.
//!
//! Each entry is dated: authorities are established, merged and renamed (the
//! 2018 institutional reform folded 工商 and 质监 into 市场监管), so an entry
//! says from when and until when it wrote, and which authority took its work
//! on. Its records keep the kind it had.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::record::Date;
use crate::domain::uscc::is_division_code;

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

/// One authority as the directory lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    /// Its own unified social credit code where it has one
    /// (11310000…), or another id its tokens carry.
    pub id: String,
    /// Its name in Chinese, as it signs its decisions.
    pub name: String,
    pub name_en: String,
    pub kind: AuthorityKind,
    /// Its administrative division (GB/T 2260, six digits; `100000` for a
    /// national body, as in the codes of central organs).
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
}

/// The directory: every authority by id.
#[derive(Clone, Debug)]
pub struct Directory {
    pub version: String,
    authorities: BTreeMap<String, Authority>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    version: String,
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
}

impl Directory {
    /// Parses and validates a directory; the error names the entry (by
    /// position and id) and what is wrong with it: an unknown kind or
    /// region, a missing name, a repeated id, a parent or successor not in
    /// the directory, dates out of order.
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
        Ok(Directory { version: file.version, authorities })
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
        if self.name.trim().is_empty() || self.name_en.trim().is_empty() {
            return Err("name and name_en must not be empty".into());
        }
        let kind = AuthorityKind::ALL.into_iter().find(|k| k.file_name() == self.kind).ok_or_else(|| {
            let known: Vec<&str> = AuthorityKind::ALL.iter().map(|k| k.file_name()).collect();
            format!("kind '{}' is not one of {}", self.kind, known.join(", "))
        })?;
        if !is_division_code(&self.region) {
            return Err(format!(
                "region '{}' is not a GB/T 2260 division code (six digits of a province-level division, or 100000 for a national body)",
                self.region
            ));
        }
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
        if self.succeeded_by.is_some() && dissolved.is_none() {
            return Err("succeeded_by names a successor, but the authority is not dissolved".into());
        }
        if self.parent.as_deref() == Some(id.as_str()) || self.succeeded_by.as_deref() == Some(id.as_str()) {
            return Err("an authority is neither its own parent nor its own successor".into());
        }
        Ok(Authority {
            id,
            name: self.name.trim().to_string(),
            name_en: self.name_en.trim().to_string(),
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
    }

    #[test]
    fn every_kind_reads_back_by_its_file_name() {
        for kind in AuthorityKind::ALL {
            let text = SMALL.replacen("kind = \"market_regulation\"", &format!("kind = \"{}\"", kind.file_name()), 1);
            assert_eq!(Directory::parse(&text).unwrap().kind("11100000MB0143028R"), Some(kind));
        }
    }
}
