//! Rule data and the pure functions that apply it. Each rule set is a
//! versioned TOML document, validated when parsed; the defaults are the files
//! under `policy/`, built into the binary.

pub mod lists;
pub mod measures;
pub mod publicity;
pub mod supervision;

use chrono::Months;

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
            earliest_date: DEFAULT_EARLIEST_DATE,
        })
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

    fn last_day_of(year: i32, month: u32) -> u32 {
        let next = if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
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
