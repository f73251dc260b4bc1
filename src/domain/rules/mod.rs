//! Rule data and the pure functions that apply it. Each rule set is a
//! versioned TOML document, validated when parsed; the defaults are the files
//! under `policy/`, built into the binary.

pub mod lists;
pub mod measures;
pub mod publicity;
pub mod supervision;

use chrono::{Days, Months};

use super::record::Date;

pub const DEFAULT_LISTS: &str = include_str!("../../../policy/lists.toml");
pub const DEFAULT_PUBLICITY: &str = include_str!("../../../policy/publicity.toml");
pub const DEFAULT_MEASURES: &str = include_str!("../../../policy/measures.toml");
pub const DEFAULT_SUPERVISION: &str = include_str!("../../../policy/supervision.toml");

/// Every rule set the registry applies.
#[derive(Clone, Debug)]
pub struct Rules {
    pub lists: lists::ListRules,
    pub publicity: publicity::PublicityRules,
    pub catalogue: measures::Catalogue,
    pub supervision: supervision::SupervisionPolicy,
}

impl Rules {
    /// The built-in defaults.
    pub fn defaults() -> Rules {
        Rules::parse([DEFAULT_LISTS, DEFAULT_PUBLICITY, DEFAULT_MEASURES, DEFAULT_SUPERVISION])
            .expect("built-in rules are valid")
    }

    /// Parses the four documents: lists, publicity, measures, supervision.
    /// The error names the document and the problem.
    pub fn parse([lists, publicity, measures, supervision]: [&str; 4]) -> Result<Rules, String> {
        Ok(Rules {
            lists: lists::ListRules::parse(lists).map_err(|e| format!("list rules: {e}"))?,
            publicity: publicity::PublicityRules::parse(publicity)
                .map_err(|e| format!("publicity rules: {e}"))?,
            catalogue: measures::Catalogue::parse(measures)
                .map_err(|e| format!("measure catalogue: {e}"))?,
            supervision: supervision::SupervisionPolicy::parse(supervision)
                .map_err(|e| format!("supervision policy: {e}"))?,
        })
    }
}

/// The day `months` calendar months after `start`.
pub fn add_months(start: Date, months: u32) -> Date {
    start.checked_add_months(Months::new(months)).unwrap_or(Date::MAX)
}

/// Last day of a term of `months` starting on `start`: the day before
/// `add_months(start, months)`.
pub fn term_end(start: Date, months: u32) -> Date {
    add_months(start, months).checked_sub_days(Days::new(1)).unwrap_or(Date::MAX)
}
