//! Party names on the wire: an entity's names over time and a declared
//! name's match against them.

use crate::domain::party::{KnownName, NameMatch, Names};
use crate::proto::pb;

use super::date_to_wire;

/// How `declared` compares with `names` (`Names::classify`), with the
/// current name for a former name or a mismatch.
pub fn name_match_to_wire(declared: &str, names: &Names) -> pb::NameMatch {
    let matched = names.classify(declared);
    let (result, changed_on) = match matched {
        NameMatch::Exact => (pb::NameMatchResult::Exact, None),
        NameMatch::FormerName { changed_on } => (pb::NameMatchResult::FormerName, Some(date_to_wire(changed_on))),
        NameMatch::Mismatch => (pb::NameMatchResult::Mismatch, None),
        NameMatch::Unknown => (pb::NameMatchResult::Unknown, None),
    };
    let name_on_record = match matched {
        NameMatch::FormerName { .. } | NameMatch::Mismatch => names.current.as_ref().map(|c| c.name.clone()),
        NameMatch::Exact | NameMatch::Unknown => None,
    };
    pb::NameMatch {
        declared_name: declared.to_owned(),
        result: result as i32,
        name_on_record: name_on_record.unwrap_or_default(),
        changed_on,
    }
}

/// An entity's names: the current one and the former ones, newest first.
pub fn names_to_wire(names: &Names) -> pb::EntityNames {
    pb::EntityNames {
        current: names.current.as_ref().map(|n| known_name_to_wire(n, None)),
        former: names.former.iter().map(|f| known_name_to_wire(&f.known, Some(f.changed_on))).collect(),
    }
}

fn known_name_to_wire(n: &KnownName, changed_on: Option<crate::domain::record::Date>) -> pb::KnownName {
    pb::KnownName {
        name: n.name.clone(),
        first_seen: Some(date_to_wire(n.first_seen)),
        last_seen: Some(date_to_wire(n.last_seen)),
        changed_on: changed_on.map(date_to_wire),
    }
}
