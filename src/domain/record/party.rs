//! The party a decision is addressed to (当事人).

/// The party as the decision names it: its name (当事人名称) and, where the
/// decision gives one, its legal representative (法定代表人), both kept as
/// written. Empty in records written before names were kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub legal_representative: String,
}
