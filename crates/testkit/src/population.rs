//! The codes of a population of any size: valid codes spread over real
//! county-level division prefixes.

use creditregistry::domain::uscc::Uscc;

/// County-level divisions (GB/T 2260) the codes are spread over.
const DIVISIONS: &[&str] = &[
    "110101", "110105", "110108", "120101", "130102", "140105", "210102", "220102", "230102", "310101", "310104", "310115",
    "320102", "320506", "330106", "330212", "340104", "350203", "360102", "370102", "370202", "410105", "420106", "430104",
    "440106", "440305", "450103", "500103", "510107", "530102", "610113", "620102",
];

/// The code of entity `i`: distinct for every `i`.
pub fn code(i: usize) -> Uscc {
    Uscc::complete(&format!("91{}{:08}", DIVISIONS[i % DIVISIONS.len()], i / DIVISIONS.len())).expect("a valid code")
}
