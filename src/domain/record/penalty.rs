//! Administrative penalties (行政处罚) and their corrections (撤销/变更).

use serde::Deserialize;

use super::{Date, Party, RecordId};

/// The field of quality a penalty or spot check concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 产品质量
    ProductQuality,
    /// 食品安全
    FoodSafety,
    /// 工程质量
    EngineeringQuality,
    /// 服务质量
    ServiceQuality,
    /// 环境质量
    Environment,
    /// 特种设备
    SpecialEquipment,
    /// 认证认可
    Certification,
    /// 计量
    Metrology,
    /// 标准化
    Standards,
    /// 假冒伪劣、商标侵权
    CounterfeitTrademark,
    /// 其他
    Other,
    /// 药品、医疗器械
    Drugs,
    /// 安全生产
    WorkSafety,
    /// 消防
    FireSafety,
}

/// Severity tier of an administrative penalty, in increasing order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeverityTier {
    /// 轻微
    Minor,
    /// 一般
    General,
    /// 较重
    Heavier,
    /// 严重
    Serious,
}

/// Sanctions other than a fine (行政处罚法 art. 9), and a criminal penalty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sanction {
    /// 警告
    Warning,
    /// 通报批评
    PublicCriticism,
    /// 没收违法所得、没收非法财物
    Confiscation,
    /// 暂扣许可证件
    LicenceSuspension,
    /// 降低资质等级
    QualificationDowngrade,
    /// 吊销许可证件
    LicenceRevocation,
    /// 限制开展生产经营活动
    BusinessRestriction,
    /// 责令停产停业
    OrderedSuspension,
    /// 责令关闭
    OrderedClosure,
    /// 限制从业
    PracticeBan,
    /// 刑事处罚
    CriminalPenalty,
}

/// An administrative penalty (行政处罚).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Penalty {
    /// 处罚决定书文号, unique per authority.
    pub decision_number: String,
    pub category: Category,
    pub severity: SeverityTier,
    pub legal_basis: String,
    /// Fine in fen; integer money, never floating point.
    pub fine_fen: i64,
    pub sanctions: Vec<Sanction>,
    pub decided_on: Date,
    pub violation: String,
    /// Empty in an amendment's penalty: the party is the original's.
    pub party: Party,
}

/// How a penalty was changed (撤销/变更).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorrectionChange {
    /// 撤销: void from the start.
    Revocation,
    /// 变更: the penalty as it now stands.
    Amendment(Penalty),
}

/// Why a penalty was changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorrectionGround {
    /// 行政复议
    Reconsideration,
    /// 行政诉讼判决
    CourtRuling,
    /// 自行纠正
    SelfCorrection,
}

/// A correction or revocation of an earlier penalty of the same authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PenaltyCorrection {
    pub penalty_record_id: RecordId,
    pub change: CorrectionChange,
    pub ground: CorrectionGround,
    pub decision_number: String,
    pub decided_on: Date,
    pub reason: String,
}
