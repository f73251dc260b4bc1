//! The record (event) types of the credit file (信用档案).
//!
//! A record is immutable once committed. A correction, removal or repair is a
//! new record that refers to the one it changes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::uscc::Uscc;

/// A calendar date in the registry's legal time zone (UTC+8).
pub type Date = NaiveDate;

/// Server-assigned identifier of a record.
pub type RecordId = String;

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
}

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
}

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
    pub legal_representative: String,
    /// The article decided under, where the list's term depends on it
    /// (招标投标法 arts. 53, 54, 60); empty otherwise.
    pub article: String,
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

/// A credit grade (信用等级) issued to an entity under a grading scheme
/// (`policy/grades.toml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grade {
    /// The scheme's code, e.g. `tax_credit`.
    pub scheme: String,
    /// One of the scheme's levels; empty when `not_rated`.
    pub level: String,
    /// The authority records that the entity is not rated (无记载不评价), a
    /// state of its own in the schemes that have one, never a level.
    pub not_rated: bool,
    /// The rating year (评价年度) the grade belongs to; `None` in records
    /// written before it was kept, and where the scheme does not ask for it.
    pub rating_year: Option<i32>,
    /// 评价决定文号, unique per authority.
    pub decision_number: String,
    /// The date the grade was evaluated on; it applies from then.
    pub evaluated_on: Date,
    /// Last day it is valid, inclusive; at most the scheme's validity.
    pub valid_until: Date,
    pub grounds: String,
    pub legal_basis: String,
}

/// How a grade was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GradeChangeKind {
    /// 降级: a worse level, from the change's own date.
    Downgrade { level: String },
    /// 更正: the level as it should have been, from the grade's evaluation date.
    Correction { level: String },
    /// 撤销: void from the start.
    Revocation,
    /// 信用修复: the level in force from the change's own date, lifting a
    /// cap that outlasted its listing (policy/grades.toml `outlasts_listing`).
    Repair { level: String },
}

/// A downgrade, correction, repair or revocation of an earlier grade of the same
/// authority (谁认定、谁修复).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeChange {
    pub grade_record_id: RecordId,
    pub change: GradeChangeKind,
    pub decided_on: Date,
    pub decision_number: String,
    pub reason: String,
}

/// What a record says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordBody {
    Penalty(Penalty),
    PenaltyCorrection(PenaltyCorrection),
    SpotCheck(SpotCheck),
    Commendation(Commendation),
    Listing(Listing),
    Removal(Removal),
    RepairApplication(RepairApplication),
    RepairDecision(RepairDecision),
    Grade(Grade),
    GradeChange(GradeChange),
}

impl RecordBody {
    /// Stable name of the record kind, as stored beside the ledger entry.
    pub fn kind(&self) -> &'static str {
        match self {
            RecordBody::Penalty(_) => "penalty",
            RecordBody::PenaltyCorrection(_) => "penalty_correction",
            RecordBody::SpotCheck(_) => "spot_check",
            RecordBody::Commendation(_) => "commendation",
            RecordBody::Listing(_) => "listing",
            RecordBody::Removal(_) => "removal",
            RecordBody::RepairApplication(_) => "repair_application",
            RecordBody::RepairDecision(_) => "repair_decision",
            RecordBody::Grade(_) => "grade",
            RecordBody::GradeChange(_) => "grade_change",
        }
    }

    /// The decision number that must be unique per authority, for the kinds
    /// where it identifies the decision (penalties and listings).
    pub fn unique_decision_number(&self) -> Option<&str> {
        match self {
            RecordBody::Penalty(p) => Some(&p.decision_number),
            RecordBody::Listing(l) => Some(&l.decision_number),
            RecordBody::Grade(g) => Some(&g.decision_number),
            _ => None,
        }
    }

    /// The earlier record this one changes, if any.
    pub fn target(&self) -> Option<&RecordId> {
        match self {
            RecordBody::PenaltyCorrection(c) => Some(&c.penalty_record_id),
            RecordBody::Removal(r) => Some(&r.listing_record_id),
            RecordBody::RepairApplication(a) => Some(&a.target_record_id),
            RecordBody::RepairDecision(d) => Some(&d.application_record_id),
            RecordBody::GradeChange(c) => Some(&c.grade_record_id),
            _ => None,
        }
    }
}

/// One committed entry of the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: RecordId,
    /// Ledger position, from 1.
    pub sequence: u64,
    /// Transaction time: when the registry committed it.
    pub recorded_at: DateTime<Utc>,
    pub uscc: Uscc,
    /// The deciding authority (the writer's `authority` claim).
    pub authority: String,
    /// Subject of the token that wrote it.
    pub actor: String,
    /// The writer's idempotency key; empty when none was sent.
    pub request_id: String,
    pub body: RecordBody,
}

impl Record {
    /// The record as decisions read it (裁决所需事实): every field that a
    /// rule, a measure, a risk class or a statistic reads — ids, dates,
    /// amounts in fen, severity, sanctions, list terms, decision and report
    /// numbers, grade levels — with the free texts left empty: legal basis,
    /// violation, grounds, reasons, statements, explanations, product and
    /// batch names, failed items, the legal representative, and the
    /// writer's actor and request id. The in-memory index holds records in
    /// this form; profiles and histories read them whole from the store.
    pub fn facts(&self) -> Record {
        let penalty = |p: &Penalty| Penalty { legal_basis: String::new(), violation: String::new(), ..p.clone() };
        let body = match &self.body {
            RecordBody::Penalty(p) => RecordBody::Penalty(penalty(p)),
            RecordBody::PenaltyCorrection(c) => RecordBody::PenaltyCorrection(PenaltyCorrection {
                change: match &c.change {
                    CorrectionChange::Revocation => CorrectionChange::Revocation,
                    CorrectionChange::Amendment(p) => CorrectionChange::Amendment(penalty(p)),
                },
                reason: String::new(),
                ..c.clone()
            }),
            RecordBody::SpotCheck(s) => RecordBody::SpotCheck(SpotCheck {
                product: String::new(),
                batch: String::new(),
                failed_items: Vec::new(),
                ..s.clone()
            }),
            RecordBody::Commendation(c) => RecordBody::Commendation(c.clone()),
            RecordBody::Listing(l) => RecordBody::Listing(Listing {
                grounds: String::new(),
                legal_basis: String::new(),
                legal_representative: String::new(),
                ..l.clone()
            }),
            RecordBody::Removal(r) => RecordBody::Removal(Removal { explanation: String::new(), ..r.clone() }),
            RecordBody::RepairApplication(a) => {
                RecordBody::RepairApplication(RepairApplication { statement: String::new(), ..a.clone() })
            }
            RecordBody::RepairDecision(d) => RecordBody::RepairDecision(RepairDecision { reason: String::new(), ..d.clone() }),
            RecordBody::Grade(g) => RecordBody::Grade(Grade { grounds: String::new(), legal_basis: String::new(), ..g.clone() }),
            RecordBody::GradeChange(c) => RecordBody::GradeChange(GradeChange { reason: String::new(), ..c.clone() }),
        };
        Record { actor: String::new(), request_id: String::new(), body, ..self.clone() }
    }
}
