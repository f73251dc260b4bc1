//! Why an entity matched a query: the same tests the index's clauses make,
//! applied to each of the entity's names, so a hit names the name that
//! matched as it is written.

use std::collections::HashSet;

use super::key::{bigrams, core, search_key, within_one_edit};
use super::{IndexedNames, MIN_FUZZY_CHARS};
use crate::domain::uscc::Uscc;

/// How a name matched, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Why {
    /// The query is the entity's code.
    Code,
    /// The query is its current name.
    FullName,
    /// The query is one of its former names.
    FormerName,
    /// The query is a name without its region or organisational form
    /// (`华腾科技` for `上海华腾科技有限公司`).
    ShortName,
    /// The query is a name, or a short name, with one character replaced,
    /// added, dropped, or two swapped (at least three characters).
    OneCharacterOff,
    /// A name's core holds every character pair of the query's core.
    Partial,
}

/// One way a hit matched: why, and which of its names (as written; none
/// for the code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matched {
    pub why: Why,
    pub name: Option<String>,
}

/// A query in the forms it is matched by.
pub(super) struct Query {
    pub(super) code: Option<Uscc>,
    pub(super) key: String,
    pub(super) core: String,
    /// The core's distinct bigrams.
    pub(super) grams: Vec<String>,
}

impl Query {
    pub(super) fn new(text: &str) -> Query {
        let core = core(text);
        let mut grams = bigrams(&core);
        grams.sort();
        grams.dedup();
        Query { code: Uscc::parse(text).ok(), key: search_key(text), core, grams }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.code.is_none() && self.key.is_empty()
    }

    /// Each way the entity `code` with `names` matches, best first: at most
    /// one per name, plus the code.
    pub(super) fn classify(&self, code: Uscc, names: &IndexedNames) -> Vec<Matched> {
        let mut matched: Vec<Matched> = Vec::new();
        if self.code == Some(code) {
            matched.push(Matched { why: Why::Code, name: None });
        }
        let current = names.current.iter().map(|name| (name, true));
        for (name, is_current) in current.chain(names.former.iter().map(|name| (name, false))) {
            if let Some(why) = self.name_matches(name, is_current) {
                matched.push(Matched { why, name: Some(name.clone()) });
            }
        }
        matched.sort_by_key(|m| m.why);
        matched
    }

    fn name_matches(&self, name: &str, is_current: bool) -> Option<Why> {
        if self.key.is_empty() {
            return None;
        }
        let key = search_key(name);
        if key == self.key {
            return Some(if is_current { Why::FullName } else { Why::FormerName });
        }
        let core = core(name);
        if core == self.core {
            return Some(Why::ShortName);
        }
        let fuzzy = |ours: &str, theirs: &str| ours.chars().count() >= MIN_FUZZY_CHARS && within_one_edit(ours, theirs);
        if fuzzy(&self.core, &core) || fuzzy(&self.key, &key) {
            return Some(Why::OneCharacterOff);
        }
        let held: HashSet<String> = bigrams(&core).into_iter().collect();
        (!self.grams.is_empty() && self.grams.iter().all(|gram| held.contains(gram))).then_some(Why::Partial)
    }
}
