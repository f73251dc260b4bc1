//! How a record's values are named where people write them: on the wire
//! and in rule files.

use super::{ListType, RemovalReason, Sanction, SeverityTier};

/// A value as a client writes it: the name of its protobuf enum value
/// (`REMOVAL_REASON_TERM_ENDED`), so that messages quote what a caller
/// sends, never a Rust name. Each domain variant has the name of its wire
/// value (`proto::convert` checks that they agree).
pub trait WireName: std::fmt::Debug {
    /// The wire enum's value prefix, e.g. `REMOVAL_REASON`.
    const PREFIX: &'static str;

    fn wire_name(&self) -> String {
        let mut name = String::from(Self::PREFIX);
        for c in format!("{self:?}").chars() {
            if c.is_ascii_uppercase() {
                name.push('_');
            }
            name.push(c.to_ascii_uppercase());
        }
        name
    }
}

/// A value as a rule file (`policy/*.toml`) writes it: its variant in
/// snake case (`red_list`), so that a rule file's errors quote the file.
pub fn rule_file_name(value: &impl std::fmt::Debug) -> String {
    let mut name = String::new();
    for c in format!("{value:?}").chars() {
        if c.is_ascii_uppercase() && !name.is_empty() {
            name.push('_');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

/// Values as a client writes them, separated by commas.
pub fn wire_names<'a, T: WireName + 'a>(values: impl IntoIterator<Item = &'a T>) -> String {
    values.into_iter().map(WireName::wire_name).collect::<Vec<_>>().join(", ")
}

impl WireName for SeverityTier {
    const PREFIX: &'static str = "SEVERITY_TIER";
}
impl WireName for Sanction {
    const PREFIX: &'static str = "SANCTION";
}
impl WireName for ListType {
    const PREFIX: &'static str = "LIST_TYPE";
}
impl WireName for RemovalReason {
    const PREFIX: &'static str = "REMOVAL_REASON";
}
