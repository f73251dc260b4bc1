//! GB/T 2260 administrative division codes (行政区划代码) as data
//! (`policy/divisions.tsv`): every province-, prefecture- and county-level
//! code in use since 1981, with the years it was in use. The authority
//! directory's regions must be codes that existed while the authority did.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::Datelike;

use crate::domain::record::Date;

pub const DEFAULT_DIVISIONS: &str = include_str!("../../../policy/divisions.tsv");

/// The code national bodies carry (as in the codes of central organs); no
/// division of GB/T 2260.
pub const NATIONAL: &str = "100000";

/// The first list the table holds: a code first listed then may be older.
const FIRST_LIST: i32 = 1981;

/// One period a code was in use under one name, by the years of the lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InUse {
    pub name: String,
    /// The first list that has it (`FIRST_LIST`: by then).
    pub from: i32,
    /// The year it went out of use; `None` while in use.
    pub until: Option<i32>,
}

impl InUse {
    /// Whether it was in use in some year of `first..=last`: from its first
    /// list's year (any year, for the first list) through the year it went
    /// out of use.
    fn overlaps(&self, first: i32, last: i32) -> bool {
        (self.from == FIRST_LIST || self.from <= last) && self.until.is_none_or(|until| first <= until)
    }
}

/// The division table: each code's periods in use, oldest first.
#[derive(Clone, Debug)]
pub struct Divisions {
    codes: BTreeMap<String, Vec<InUse>>,
}

/// Whether a region was in use while an authority existed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Region<'a> {
    /// `100000`, or a code in use at some time of the period.
    InUse,
    /// No such code in the table.
    Unknown,
    /// A code in use only at other times: its periods.
    NotThen(&'a [InUse]),
}

impl Divisions {
    /// The table under `policy/`, built into the binary.
    pub fn built_in() -> &'static Divisions {
        static TABLE: LazyLock<Divisions> =
            LazyLock::new(|| Divisions::parse(DEFAULT_DIVISIONS).expect("the built-in division table is valid"));
        &TABLE
    }

    /// Reads the table's rows (`code`, `name`, first year, last year or
    /// empty; `#` starts a comment line). The error names the line.
    pub fn parse(text: &str) -> Result<Divisions, String> {
        let mut codes: BTreeMap<String, Vec<InUse>> = BTreeMap::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()) {
            let row = |what: String| format!("division table line {}: {what}", i + 1);
            let [code, name, from, until] = line.split('\t').collect::<Vec<_>>()[..] else {
                return Err(row("expected four tab-separated columns: code, name, from, until".into()));
            };
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) || code == NATIONAL {
                return Err(row(format!("code '{code}' is not a six-digit division code")));
            }
            let year = |y: &str| y.parse::<i32>().map_err(|_| row(format!("year '{y}' is not a year")));
            let from = year(from)?;
            let until = (!until.is_empty()).then(|| year(until)).transpose()?;
            if until.is_some_and(|u| u < from) {
                return Err(row(format!("code {code} goes out of use before it is first listed")));
            }
            codes.entry(code.to_string()).or_default().push(InUse { name: name.to_string(), from, until });
        }
        Ok(Divisions { codes })
    }

    /// Whether `code` was in use at some time from `established` until
    /// `dissolved` (the day after the last; `None`: to this day).
    pub fn region(&self, code: &str, established: Date, dissolved: Option<Date>) -> Region<'_> {
        if code == NATIONAL {
            return Region::InUse;
        }
        let Some(periods) = self.codes.get(code) else {
            return Region::Unknown;
        };
        let last = dissolved.and_then(|d| d.pred_opt()).map_or(i32::MAX, |d| d.year());
        if periods.iter().any(|p| p.overlaps(established.year(), last)) { Region::InUse } else { Region::NotThen(periods) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_table_has_every_province_and_prefecture_and_the_counties_in_use() {
        let table = Divisions::built_in();
        let in_use = |code: &str| table.region(code, day("2025-06-01"), None) == Region::InUse;
        for code in ["110000", "310000", "440000", "650000", "710000", "810000", "820000"] {
            assert!(in_use(code), "province {code}");
        }
        for code in ["340600", "440800", "130100", "659012", "310101", "310115", "310118", "310151"] {
            assert!(in_use(code), "{code}");
        }
        let current = table.codes.values().filter(|p| p.last().is_some_and(|p| p.until.is_none())).count();
        assert_eq!(current, 3213, "the 2024 list has 3,213 codes");
        assert!(in_use(NATIONAL), "national bodies");
        for code in ["990000", "310199", "440899", "31011", "3101150", "abcdef"] {
            assert_eq!(table.region(code, day("2025-06-01"), None), Region::Unknown, "{code}");
        }
    }

    #[test]
    fn a_retired_code_is_a_region_only_for_an_authority_that_existed_while_it_was_in_use() {
        let table = Divisions::built_in();
        // 闸北区 merged into 静安区 in 2015; 崇明县 became 崇明区 (310151) in 2016.
        assert_eq!(table.region("310108", day("2001-01-01"), Some(day("2015-11-04"))), Region::InUse);
        assert_eq!(table.region("310108", day("2001-01-01"), None), Region::InUse, "existed in its time");
        let Region::NotThen(periods) = table.region("310108", day("2016-01-01"), None) else { panic!("retired") };
        assert_eq!(periods, [InUse { name: "闸北区".into(), from: 1981, until: Some(2015) }]);
        assert!(matches!(table.region("310151", day("2010-01-01"), Some(day("2016-01-01"))), Region::NotThen(_)));
        assert_eq!(table.region("310151", day("2010-01-01"), Some(day("2016-01-02"))), Region::InUse);
        assert_eq!(table.region("440800", day("1950-01-01"), None), Region::InUse, "older than the lists");
    }

    #[test]
    fn a_bad_row_is_named_by_its_line() {
        for (text, says) in [
            ("# c\n310000\t上海市\t1981\n", "line 2: expected four"),
            ("310000\t上海市\t19x1\t\n", "line 1: year '19x1'"),
            ("31000\t上海市\t1981\t\n", "code '31000'"),
            ("100000\t全国\t1981\t\n", "code '100000'"),
            ("310108\t闸北区\t2015\t1981\n", "goes out of use before"),
        ] {
            let err = Divisions::parse(text).expect_err(says);
            assert!(err.contains(says), "{err}\n  should say: {says}");
        }
    }
}
