//! The party a decision names (当事人): its name as written, the key names
//! are compared by, and an entity's names over time, derived from its
//! records (a company renames; its code stays).

use unicode_normalization::UnicodeNormalization;

use super::record::{Date, Record};

/// Most characters a party name may have (the longest registered names run
/// to a few dozen; 200 leaves room for a branch's full designation).
pub const MAX_NAME_CHARS: usize = 200;

/// What is wrong with a name as given (a party's, a legal
/// representative's, a declared one), if anything: longer than
/// `MAX_NAME_CHARS`, a control character, or only white space. An empty
/// name is no name, which only the caller can say is wrong.
pub fn name_problem(name: &str) -> Option<String> {
    if name.chars().count() > MAX_NAME_CHARS {
        Some(format!("is longer than {MAX_NAME_CHARS} characters"))
    } else if name.chars().any(char::is_control) {
        Some("must not contain control characters".into())
    } else if !name.is_empty() && name.trim().is_empty() {
        Some("must not be only white space".into())
    } else {
        None
    }
}

/// The key two names are compared by: NFKC (full-width brackets, letters and
/// digits become their half-width forms, `（北京）` reads as `(北京)`), with
/// whitespace removed and Latin letters lower-cased. Names are kept as
/// written; only comparisons use the key.
pub fn match_key(name: &str) -> String {
    let folded: String = name.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect();
    folded.nfkc().collect()
}

/// A name an entity was known by: as written on the newest record giving
/// it, and the decision dates (UTC+8) of the first and last records that do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownName {
    pub name: String,
    pub first_seen: Date,
    pub last_seen: Date,
}

/// A name the entity no longer goes by, and the decision date of the first
/// record after its last use that names the entity otherwise (the date the
/// registry learnt of the change, not the registration authority's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormerName {
    pub known: KnownName,
    pub changed_on: Date,
}

/// An entity's names over time, derived from the records that name it: the
/// name on the record decided last is current; each other name is former.
/// Empty when no record names the entity (records written before names
/// were kept name none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    pub current: Option<KnownName>,
    /// Newest first (by the last decision naming it).
    pub former: Vec<FormerName>,
}

/// How a declared name compares with the names on record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameMatch {
    /// The current name.
    Exact,
    /// A former name, changed on `changed_on`.
    FormerName { changed_on: Date },
    /// None of the names on record.
    Mismatch,
    /// No record names the entity.
    Unknown,
}

/// The names `records` give their entity, in any order; records of other
/// kinds and records with an empty party name are skipped. Names equal
/// under `match_key` are one name.
pub fn names<'r>(records: impl IntoIterator<Item = &'r Record>) -> Names {
    // (decision date, ledger sequence, key, name as written), oldest first.
    let mut named: Vec<(Date, u64, String, &str)> = records
        .into_iter()
        .filter_map(|r| {
            let party = r.body.party()?;
            (!party.name.is_empty()).then(|| (r.body.decision_date(), r.sequence, match_key(&party.name), party.name.as_str()))
        })
        .collect();
    named.sort_unstable_by_key(|n| (n.0, n.1));
    let Some(newest) = named.last() else { return Names::default() };
    let current_key = newest.2.clone();
    let mut keys: Vec<&str> = Vec::new();
    for (_, _, key, _) in named.iter().rev() {
        if !keys.contains(&key.as_str()) {
            keys.push(key);
        }
    }
    let known = |key: &str| {
        let uses: Vec<_> = named.iter().filter(|n| n.2 == key).collect();
        let (first, last) = (uses[0], uses[uses.len() - 1]);
        (KnownName { name: last.3.to_owned(), first_seen: first.0, last_seen: last.0 }, (last.0, last.1))
    };
    let former = keys[1..]
        .iter()
        .map(|key| {
            let (known, last_use) = known(key);
            let changed_on = named
                .iter()
                .find(|n| (n.0, n.1) > last_use && n.2 != *key)
                .map(|n| n.0)
                .expect("the current name is used after every former one");
            FormerName { known, changed_on }
        })
        .collect();
    Names { current: Some(known(&current_key).0), former }
}

impl Names {
    /// Compares a declared name with these names under `match_key`.
    pub fn classify(&self, declared: &str) -> NameMatch {
        let Some(current) = &self.current else { return NameMatch::Unknown };
        let key = match_key(declared);
        if match_key(&current.name) == key {
            return NameMatch::Exact;
        }
        match self.former.iter().find(|f| match_key(&f.known.name) == key) {
            Some(f) => NameMatch::FormerName { changed_on: f.changed_on },
            None => NameMatch::Mismatch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Party, RecordBody, SpotCheck, SpotCheckOutcome};
    use crate::domain::uscc::Uscc;

    fn named(sequence: u64, on: &str, name: &str) -> Record {
        Record {
            id: format!("r{sequence}"),
            sequence,
            recorded_at: chrono::DateTime::UNIX_EPOCH,
            uscc: Uscc::parse("91310115MA1K3BTP2B").unwrap(),
            authority: "SAMR-310115".into(),
            actor: String::new(),
            request_id: String::new(),
            body: RecordBody::SpotCheck(SpotCheck {
                report_number: format!("R{sequence}"),
                category: crate::domain::record::Category::ProductQuality,
                product: "电线".into(),
                product_class: String::new(),
                batch: String::new(),
                outcome: SpotCheckOutcome::Pass,
                checked_on: on.parse().unwrap(),
                failed_items: Vec::new(),
                party: Party { name: name.into(), legal_representative: String::new() },
            }),
        }
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_name_decided_last_is_current_and_a_rename_keeps_the_old_one_with_its_date() {
        // Posted out of order: the ledger's order is not the decisions'.
        let records = [
            named(1, "2024-05-01", "上海甲乙电线有限公司"),
            named(2, "2022-03-01", "上海甲乙电缆厂"),
            named(3, "2023-01-10", "上海甲乙电缆厂"),
            named(4, "2025-02-01", "上海甲乙电线有限公司"),
            named(5, "2025-03-01", ""),
        ];
        let names = names(&records);
        let current = names.current.clone().unwrap();
        assert_eq!(current.name, "上海甲乙电线有限公司");
        assert_eq!((current.first_seen, current.last_seen), (date("2024-05-01"), date("2025-02-01")));
        assert_eq!(names.former.len(), 1);
        assert_eq!(names.former[0].known.name, "上海甲乙电缆厂");
        assert_eq!(names.former[0].changed_on, date("2024-05-01"));
        assert_eq!(names.classify("上海甲乙电线有限公司"), NameMatch::Exact);
        assert_eq!(names.classify("上海甲乙电缆厂"), NameMatch::FormerName { changed_on: date("2024-05-01") });
        assert_eq!(names.classify("上海丙丁电线有限公司"), NameMatch::Mismatch);
    }

    #[test]
    fn names_that_differ_only_in_width_and_spaces_are_one_name() {
        let records = [named(1, "2024-01-01", "甲乙（上海）有限公司"), named(2, "2024-02-01", "甲乙(上海) 有限公司")];
        let names = names(&records);
        assert!(names.former.is_empty());
        assert_eq!(names.current.unwrap().name, "甲乙(上海) 有限公司");
    }

    #[test]
    fn an_entity_no_record_names_has_no_name() {
        let names = names(&[named(1, "2024-01-01", "")]);
        assert_eq!(names, Names::default());
        assert_eq!(names.classify("任何名称"), NameMatch::Unknown);
    }
    use proptest::prelude::*;

    #[test]
    fn full_and_half_width_brackets_and_spaces_read_alike() {
        assert_eq!(match_key("华为技术（北京）有限公司"), match_key("华为技术(北京)有限公司"));
        assert_eq!(match_key("ＡＢＣ 科技 有限公司"), match_key("abc科技有限公司"));
        assert_eq!(match_key("上海\u{3000}某某公司"), match_key("上海某某公司"));
        assert_ne!(match_key("上海甲公司"), match_key("上海乙公司"));
    }

    proptest! {
        /// The names are the decisions', not the ledger's order: any order
        /// of the same records gives the same names.
        #[test]
        fn names_do_not_depend_on_the_order_records_arrive_in(
            uses in proptest::collection::vec((0u64..5, 0u32..400), 1..12),
            seed in any::<u64>(),
        ) {
            let pool = ["甲公司", "乙公司", "（丙）公司", "(丙)公司", ""];
            let base = date("2024-01-01");
            let records: Vec<Record> = uses
                .iter()
                .enumerate()
                .map(|(i, (n, day))| named(i as u64 + 1, &(base + chrono::Days::new(u64::from(*day))).to_string(), pool[*n as usize]))
                .collect();
            let mut shuffled = records.clone();
            let len = shuffled.len();
            for i in 0..len {
                shuffled.swap(i, (seed.wrapping_mul(i as u64 + 7) % len as u64) as usize);
            }
            prop_assert_eq!(names(&records), names(&shuffled));
        }

        #[test]
        fn the_key_is_idempotent(name in "\\PC{0,40}") {
            let key = match_key(&name);
            prop_assert_eq!(match_key(&key), key);
        }
    }
}
