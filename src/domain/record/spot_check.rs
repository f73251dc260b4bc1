//! Supervisory spot checks (监督抽查).

use super::{Category, Date, Party};

/// 监督抽查 outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpotCheckOutcome {
    Pass,
    Fail,
}

/// A supervisory spot check (监督抽查) of one product batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotCheck {
    pub report_number: String,
    pub category: Category,
    pub product: String,
    pub product_class: String,
    pub batch: String,
    pub outcome: SpotCheckOutcome,
    pub checked_on: Date,
    pub failed_items: Vec<String>,
    pub party: Party,
}
