//! Entries on the registry's lists (名单) and their removal (移出).

use serde::Deserialize;

use super::{Date, Party, RecordId};

/// The lists (名单) the registry keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListType {
    /// 经营异常名录
    AbnormalOperations,
    /// 严重违法失信名单
    SeriousIllegalDishonest,
    /// 质量失信黑名单
    QualityBlacklist,
    /// 政府采购严重违法失信行为记录名单
    ProcurementDebarment,
    /// 招标投标 disqualification
    BiddingDisqualification,
    /// 红名单
    RedList,
    /// 失信被执行人名单 (法释〔2017〕7号), posted by courts.
    CourtJudgmentDefaulter,
    /// 重大税收违法失信主体 (税务总局令第54号), posted by tax authorities.
    MajorTaxViolator,
}

/// Grounds for the abnormal-operations list (列入经营异常名录事由).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbnormalGround {
    AnnualReportNotFiled,
    InformationNotPublished,
    FalseInformation,
    UnreachableAtAddress,
}

/// An entry on a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub list_type: ListType,
    pub decision_number: String,
    pub grounds: String,
    pub abnormal_ground: Option<AbnormalGround>,
    pub listed_on: Date,
    /// Last day of the planned term, inclusive; `None` while the list has no
    /// fixed term.
    pub planned_end: Option<Date>,
    pub legal_basis: String,
    pub penalty_record_id: Option<RecordId>,
    /// The article decided under, where the list's term depends on it
    /// (招标投标法 arts. 53, 54, 60); empty otherwise.
    pub article: String,
    pub party: Party,
}

/// Why a listing ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// 期满移出
    TermEnded,
    /// 已改正
    Cured,
    /// 信用修复
    CreditRepair,
    /// 撤销列入决定
    Revoked,
}

/// Removal (移出) of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    pub listing_record_id: RecordId,
    pub reason: RemovalReason,
    /// First day off the list.
    pub removed_on: Date,
    pub decision_number: String,
    pub explanation: String,
}
