//! The `[policy]` section: the rule files and the earliest date a record
//! may carry, read into the rule book.

use std::path::PathBuf;

use serde::Deserialize;

use super::Config;
use crate::domain::rules::{DEFAULT_EARLIEST_DATE, RuleBook, RuleFile, RuleFiles};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    // Each kind takes one or more files, one per version (each with its own
    // `effective_from`); set, they replace the built-in versions of that
    // kind. Environment variables take comma-separated paths.
    /// List rules; the built-in `policy/lists.toml` when empty.
    /// `CREDITREGISTRY_LIST_RULES`.
    pub list_rules: Vec<PathBuf>,
    /// Publicity periods; the built-in `policy/publicity*.toml` when empty.
    /// `CREDITREGISTRY_PUBLICITY_RULES`.
    pub publicity_rules: Vec<PathBuf>,
    /// Measure catalogue; the built-in `policy/measures*.toml` when empty.
    /// `CREDITREGISTRY_MEASURE_CATALOGUE`.
    pub measure_catalogue: Vec<PathBuf>,
    /// Risk scoring and supervision; the built-in `policy/supervision.toml`
    /// when empty. `CREDITREGISTRY_SUPERVISION_POLICY`.
    pub supervision_policy: Vec<PathBuf>,
    /// Credit grading schemes; the built-in `policy/grades*.toml` when empty.
    /// `CREDITREGISTRY_GRADING_SCHEMES`.
    pub grading_schemes: Vec<PathBuf>,
    /// The authority directory; the built-in example
    /// `policy/authorities.toml` when unset.
    /// `CREDITREGISTRY_AUTHORITY_DIRECTORY`.
    pub authority_directory: Option<PathBuf>,
    /// Earliest date a record may carry, `YYYY-MM-DD`; 1990-01-01 when
    /// unset. `CREDITREGISTRY_EARLIEST_DATE`.
    pub earliest_date: Option<String>,
}

impl Config {
    /// Loads and validates the rule data: configured files, else the built-in
    /// defaults. The error names the rule set and the problem.
    pub fn rules(&self) -> Result<RuleBook, String> {
        let read = |paths: &[PathBuf], built_in: Vec<RuleFile>| -> Result<Vec<RuleFile>, String> {
            if paths.is_empty() {
                return Ok(built_in);
            }
            paths
                .iter()
                .map(|path| {
                    std::fs::read_to_string(path)
                        .map(|text| RuleFile::new(path.display().to_string(), text))
                        .map_err(|e| format!("rule file {}: {e}", path.display()))
                })
                .collect()
        };
        let p = &self.policy;
        let built_in = RuleFiles::built_in();
        let files = RuleFiles {
            lists: read(&p.list_rules, built_in.lists)?,
            publicity: read(&p.publicity_rules, built_in.publicity)?,
            measures: read(&p.measure_catalogue, built_in.measures)?,
            supervision: read(&p.supervision_policy, built_in.supervision)?,
            grades: read(&p.grading_schemes, built_in.grades)?,
            authorities: match &p.authority_directory {
                None => built_in.authorities,
                Some(path) => read(std::slice::from_ref(path), Vec::new())?.remove(0),
            },
        };
        let earliest = match &p.earliest_date {
            Some(date) => date.parse().map_err(|e| format!("policy.earliest_date '{date}': {e} (expected YYYY-MM-DD)"))?,
            None => DEFAULT_EARLIEST_DATE,
        };
        RuleBook::parse(&files, earliest)
    }
}
