//! Commendations (守信激励).

use serde::Deserialize;

use super::{Date, Party};

/// Kind of commendation (守信激励).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommendationKind {
    /// 政府质量奖
    GovernmentQualityAward,
    /// 名牌产品
    FamousBrand,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commendation {
    pub decision_number: String,
    pub kind: CommendationKind,
    pub title: String,
    pub awarded_on: Date,
    pub valid_until: Option<Date>,
    pub party: Party,
}
