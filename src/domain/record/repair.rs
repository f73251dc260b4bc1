//! Credit repair (信用修复): the application and the decision on it.

use super::{Date, RecordId};

/// 信用修复申请.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepairApplication {
    pub target_record_id: RecordId,
    pub applied_on: Date,
    pub statement: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepairOutcome {
    Granted,
    Refused,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepairDecision {
    pub application_record_id: RecordId,
    pub outcome: RepairOutcome,
    pub decided_on: Date,
    pub decision_number: String,
    pub reason: String,
}
