//! Domain <-> wire conversion.
//!
//! Reading from the wire is parsing: every missing field, unknown enum value
//! or impossible date becomes a `Violation` naming the field, so a caller
//! learns everything wrong with a request at once.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::google::r#type::Date as WireDate;
use super::pb;
use crate::domain::Violation;
use crate::domain::record as d;
use crate::domain::rules::{grades, measures, supervision};
use crate::domain::state;
use crate::domain::uscc::Uscc;

/// Maps a domain enum to its wire enum and back; `UNSPECIFIED` and unknown
/// wire values have no domain value.
macro_rules! enum_map {
    ($m:ident :: $dom:ident, $wire:ident { $($d:ident <=> $w:ident),* $(,)? }) => {
        impl From<$m::$dom> for pb::$wire {
            fn from(value: $m::$dom) -> Self {
                match value { $($m::$dom::$d => pb::$wire::$w),* }
            }
        }
        impl FromWireEnum for $m::$dom {
            fn from_wire(value: i32) -> Option<Self> {
                match pb::$wire::try_from(value).ok()? {
                    $(pb::$wire::$w => Some($m::$dom::$d),)*
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
        }
    };
}

/// A domain enum that can be read from a wire enum value.
pub trait FromWireEnum: Sized {
    fn from_wire(value: i32) -> Option<Self>;
}

enum_map!(d::Category, Category {
    ProductQuality <=> ProductQuality,
    FoodSafety <=> FoodSafety,
    EngineeringQuality <=> EngineeringQuality,
    ServiceQuality <=> ServiceQuality,
    Environment <=> Environment,
    SpecialEquipment <=> SpecialEquipment,
    Certification <=> Certification,
    Metrology <=> Metrology,
    Standards <=> Standards,
    CounterfeitTrademark <=> CounterfeitTrademark,
    Other <=> Other,
    Drugs <=> Drugs,
    WorkSafety <=> WorkSafety,
    FireSafety <=> FireSafety,
});
enum_map!(d::SeverityTier, SeverityTier {
    Minor <=> Minor,
    General <=> General,
    Heavier <=> Heavier,
    Serious <=> Serious,
});
enum_map!(d::Sanction, Sanction {
    Warning <=> Warning,
    PublicCriticism <=> PublicCriticism,
    Confiscation <=> Confiscation,
    LicenceSuspension <=> LicenceSuspension,
    QualificationDowngrade <=> QualificationDowngrade,
    LicenceRevocation <=> LicenceRevocation,
    BusinessRestriction <=> BusinessRestriction,
    OrderedSuspension <=> OrderedSuspension,
    OrderedClosure <=> OrderedClosure,
    PracticeBan <=> PracticeBan,
    CriminalPenalty <=> CriminalPenalty,
});
enum_map!(d::CorrectionGround, CorrectionGround {
    Reconsideration <=> Reconsideration,
    CourtRuling <=> CourtRuling,
    SelfCorrection <=> SelfCorrection,
});
enum_map!(d::SpotCheckOutcome, SpotCheckOutcome { Pass <=> Pass, Fail <=> Fail });
enum_map!(d::CommendationKind, CommendationKind {
    GovernmentQualityAward <=> GovernmentQualityAward,
    FamousBrand <=> FamousBrand,
    Other <=> Other,
});
enum_map!(d::ListType, ListType {
    AbnormalOperations <=> AbnormalOperations,
    SeriousIllegalDishonest <=> SeriousIllegalDishonest,
    QualityBlacklist <=> QualityBlacklist,
    ProcurementDebarment <=> ProcurementDebarment,
    BiddingDisqualification <=> BiddingDisqualification,
    RedList <=> RedList,
    CourtJudgmentDefaulter <=> CourtJudgmentDefaulter,
    MajorTaxViolator <=> MajorTaxViolator,
});
enum_map!(d::AbnormalGround, AbnormalGround {
    AnnualReportNotFiled <=> AnnualReportNotFiled,
    InformationNotPublished <=> InformationNotPublished,
    FalseInformation <=> FalseInformation,
    UnreachableAtAddress <=> UnreachableAtAddress,
});
enum_map!(d::RemovalReason, RemovalReason {
    TermEnded <=> TermEnded,
    Cured <=> Cured,
    CreditRepair <=> CreditRepair,
    Revoked <=> Revoked,
});
enum_map!(d::RepairOutcome, RepairOutcome { Granted <=> Granted, Refused <=> Refused });

enum_map!(state::RecordStatus, RecordStatus {
    InEffect <=> InEffect,
    Amended <=> Amended,
    Revoked <=> Revoked,
    Ended <=> Ended,
    Repaired <=> Repaired,
    PublicityEnded <=> PublicityEnded,
    NotYetEffective <=> NotYetEffective,
});
enum_map!(measures::MeasureDomain, MeasureDomain {
    GovernmentProcurement <=> GovernmentProcurement,
    BiddingAndTendering <=> BiddingAndTendering,
    FiscalSubsidies <=> FiscalSubsidies,
    Honours <=> Honours,
    MarketAccess <=> MarketAccess,
    Financing <=> Financing,
    StateLand <=> StateLand,
    Supervision <=> Supervision,
});
enum_map!(measures::Eligibility, Eligibility {
    Eligible <=> Eligible,
    Restricted <=> Restricted,
    Ineligible <=> Ineligible,
});
enum_map!(supervision::RiskClass, RiskClass { A <=> A, B <=> B, C <=> C, D <=> D });

pub fn date_to_wire(date: NaiveDate) -> WireDate {
    WireDate { year: date.year(), month: date.month() as i32, day: date.day() as i32 }
}

pub fn timestamp_to_wire(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: t.timestamp(), nanos: t.timestamp_subsec_nanos() as i32 }
}

/// A wire instant in protobuf's own range (google/protobuf/timestamp.proto):
/// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, nanos in
/// 0..=999_999_999 (chrono alone would take years 0 and 10000 and a leap
/// second's nanos, which protobuf's JSON mapping cannot render).
pub fn timestamp_from_wire(w: &prost_types::Timestamp) -> Option<DateTime<Utc>> {
    const MIN_SECONDS: i64 = -62_135_596_800;
    const MAX_SECONDS: i64 = 253_402_300_799;
    let nanos = u32::try_from(w.nanos).ok().filter(|n| *n <= 999_999_999)?;
    (MIN_SECONDS..=MAX_SECONDS).contains(&w.seconds).then(|| DateTime::from_timestamp(w.seconds, nanos)).flatten()
}

/// Reads wire values, collecting a violation for each field that is wrong.
#[derive(Default)]
pub struct WireReader {
    pub violations: Vec<Violation>,
}

impl WireReader {
    fn fail(&mut self, field: String, description: impl Into<String>) {
        self.violations.push(Violation::new(field, description));
    }

    /// A required enum: unset and unknown values are violations.
    pub fn enumeration<T: FromWireEnum>(&mut self, field: &str, value: i32) -> Option<T> {
        let parsed = T::from_wire(value);
        if parsed.is_none() {
            let description = if value == 0 { "is required".to_string() } else { format!("{value} is not a known value") };
            self.fail(field.into(), description);
        }
        parsed
    }

    /// An optional enum: unset is `None`, unknown values are violations.
    pub fn optional_enumeration<T: FromWireEnum>(&mut self, field: &str, value: i32) -> Option<T> {
        if value == 0 { None } else { self.enumeration(field, value) }
    }

    pub fn date(&mut self, field: &str, value: Option<&WireDate>) -> Option<NaiveDate> {
        match value {
            None => {
                self.fail(field.into(), "is required");
                None
            }
            Some(w) => self.date_value(field, w),
        }
    }

    pub fn optional_date(&mut self, field: &str, value: Option<&WireDate>) -> Option<NaiveDate> {
        value.and_then(|w| self.date_value(field, w))
    }

    fn date_value(&mut self, field: &str, w: &WireDate) -> Option<NaiveDate> {
        let parsed = u32::try_from(w.month)
            .ok()
            .zip(u32::try_from(w.day).ok())
            .and_then(|(m, d)| NaiveDate::from_ymd_opt(w.year, m, d))
            .filter(|_| (1..=9999).contains(&w.year));
        if parsed.is_none() {
            self.fail(field.into(), format!("{:04}-{:02}-{:02} is not a valid calendar date", w.year, w.month, w.day));
        }
        parsed
    }

    /// An optional instant: unset is `None`, one outside protobuf's range a
    /// violation. Every `Timestamp` of every request is read here.
    pub fn optional_timestamp(&mut self, field: &str, value: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
        let w = value?;
        let parsed = timestamp_from_wire(w);
        if parsed.is_none() {
            self.fail(
                field.into(),
                format!(
                    "{} s {} ns is not a valid timestamp: it must lie in 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z with nanos in 0..=999999999",
                    w.seconds, w.nanos
                ),
            );
        }
        parsed
    }

    /// `known_at`: an optional instant that must be before `now`, since
    /// what the registry knows at a later instant is not yet fixed.
    pub fn known_at(&mut self, value: Option<&prost_types::Timestamp>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let instant = self.optional_timestamp("known_at", value)?;
        if instant >= now {
            self.fail(
                "known_at".into(),
                format!(
                    "{} is not in the past (the registry's time is {}): what the registry knows at a future instant is not yet fixed",
                    instant.to_rfc3339(),
                    now.to_rfc3339()
                ),
            );
        }
        Some(instant)
    }

    /// A caller's idempotency key: empty, or up to 128 printable ASCII
    /// characters without spaces.
    pub fn request_id(&mut self, field: &str, value: &str) {
        const MAX_LEN: usize = 128;
        if value.len() > MAX_LEN || !value.chars().all(|c| c.is_ascii_graphic()) {
            self.fail(field.into(), format!("must be at most {MAX_LEN} printable ASCII characters without spaces"));
        }
    }

    /// A required message.
    pub fn message<'m, T>(&mut self, field: &str, value: Option<&'m T>) -> Option<&'m T> {
        if value.is_none() {
            self.fail(field.into(), "is required");
        }
        value
    }

    pub fn uscc(&mut self, field: &str, value: &str) -> Option<Uscc> {
        match Uscc::parse(value) {
            Ok(u) => Some(u),
            Err(e) => {
                self.fail(field.into(), e.to_string());
                None
            }
        }
    }

    /// Finishes reading: the value, or every violation found.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<Violation>> {
        match value {
            Some(v) if self.violations.is_empty() => Ok(v),
            _ => Err(self.violations),
        }
    }
}

fn opt_id(id: &str) -> Option<String> {
    (!id.is_empty()).then(|| id.to_string())
}

/// Stands in for a value that could not be read, so that the rest of a body
/// can still be checked: the reader already holds a violation for that
/// field, so the body is never written, and the domain's checks drop what
/// they judged with it (`admission::check_readable`).
const UNREADABLE_DATE: NaiveDate = NaiveDate::MIN;

pub fn penalty_from_wire(r: &mut WireReader, prefix: &str, p: &pb::Penalty) -> Option<d::Penalty> {
    let f = |name: &str| format!("{prefix}{name}");
    let category = r.enumeration(&f("category"), p.category);
    let severity = r.enumeration(&f("severity"), p.severity);
    let sanctions =
        p.sanctions.iter().enumerate().filter_map(|(i, s)| r.enumeration(&f(&format!("sanctions[{i}]")), *s)).collect();
    let decided_on = r.date(&f("decided_on"), p.decided_on.as_ref());
    Some(d::Penalty {
        decision_number: p.decision_number.clone(),
        category: category.unwrap_or(d::Category::Other),
        severity: severity.unwrap_or(d::SeverityTier::Serious),
        legal_basis: p.legal_basis.clone(),
        fine_fen: p.fine_fen,
        sanctions,
        decided_on: decided_on.unwrap_or(UNREADABLE_DATE),
        violation: p.violation.clone(),
    })
}

pub fn correction_from_wire(r: &mut WireReader, prefix: &str, c: &pb::PenaltyCorrection) -> Option<d::PenaltyCorrection> {
    let f = |name: &str| format!("{prefix}{name}");
    let ground = r.enumeration(&f("ground"), c.ground);
    let decided_on = r.date(&f("decided_on"), c.decided_on.as_ref());
    let change = match (pb::CorrectionType::try_from(c.r#type), &c.amended_penalty) {
        (Ok(pb::CorrectionType::Revocation), None) => Some(d::CorrectionChange::Revocation),
        (Ok(pb::CorrectionType::Revocation), Some(_)) => {
            r.fail(f("amended_penalty"), "must be unset for a revocation");
            None
        }
        (Ok(pb::CorrectionType::Amendment), Some(p)) => {
            penalty_from_wire(r, &f("amended_penalty."), p).map(d::CorrectionChange::Amendment)
        }
        (Ok(pb::CorrectionType::Amendment), None) => {
            r.fail(f("amended_penalty"), "is required for an amendment");
            None
        }
        (Ok(pb::CorrectionType::Unspecified), _) => {
            r.fail(f("type"), "is required");
            None
        }
        (Err(_), _) => {
            r.fail(f("type"), format!("{} is not a known value", c.r#type));
            None
        }
    };
    Some(d::PenaltyCorrection {
        penalty_record_id: c.penalty_record_id.clone(),
        change: change.unwrap_or(d::CorrectionChange::Revocation),
        ground: ground.unwrap_or(d::CorrectionGround::Reconsideration),
        decision_number: c.decision_number.clone(),
        decided_on: decided_on.unwrap_or(UNREADABLE_DATE),
        reason: c.reason.clone(),
    })
}

pub fn spot_check_from_wire(r: &mut WireReader, prefix: &str, s: &pb::SpotCheck) -> Option<d::SpotCheck> {
    let f = |name: &str| format!("{prefix}{name}");
    let category = r.enumeration(&f("category"), s.category);
    let outcome = r.enumeration(&f("outcome"), s.outcome);
    let checked_on = r.date(&f("checked_on"), s.checked_on.as_ref());
    Some(d::SpotCheck {
        report_number: s.report_number.clone(),
        category: category.unwrap_or(d::Category::Other),
        product: s.product.clone(),
        product_class: s.product_class.clone(),
        batch: s.batch.clone(),
        outcome: outcome.unwrap_or(d::SpotCheckOutcome::Pass),
        checked_on: checked_on.unwrap_or(UNREADABLE_DATE),
        failed_items: s.failed_items.clone(),
    })
}

pub fn commendation_from_wire(r: &mut WireReader, prefix: &str, c: &pb::Commendation) -> Option<d::Commendation> {
    let f = |name: &str| format!("{prefix}{name}");
    let kind = r.enumeration(&f("kind"), c.kind);
    let awarded_on = r.date(&f("awarded_on"), c.awarded_on.as_ref());
    let valid_until = r.optional_date(&f("valid_until"), c.valid_until.as_ref());
    Some(d::Commendation {
        decision_number: c.decision_number.clone(),
        kind: kind.unwrap_or(d::CommendationKind::Other),
        title: c.title.clone(),
        awarded_on: awarded_on.unwrap_or(UNREADABLE_DATE),
        valid_until,
    })
}

pub fn listing_from_wire(r: &mut WireReader, prefix: &str, l: &pb::Listing) -> Option<d::Listing> {
    let f = |name: &str| format!("{prefix}{name}");
    let list_type = r.enumeration(&f("list_type"), l.list_type);
    let abnormal_ground = r.optional_enumeration(&f("abnormal_ground"), l.abnormal_ground);
    let listed_on = r.date(&f("listed_on"), l.listed_on.as_ref());
    let planned_end = r.optional_date(&f("planned_end"), l.planned_end.as_ref());
    Some(d::Listing {
        list_type: list_type.unwrap_or(d::ListType::RedList),
        decision_number: l.decision_number.clone(),
        grounds: l.grounds.clone(),
        abnormal_ground,
        listed_on: listed_on.unwrap_or(UNREADABLE_DATE),
        planned_end,
        legal_basis: l.legal_basis.clone(),
        penalty_record_id: opt_id(&l.penalty_record_id),
        legal_representative: l.legal_representative.clone(),
        article: l.article.clone(),
    })
}

pub fn removal_from_wire(r: &mut WireReader, prefix: &str, m: &pb::Removal) -> Option<d::Removal> {
    let f = |name: &str| format!("{prefix}{name}");
    let reason = r.enumeration(&f("reason"), m.reason);
    let removed_on = r.date(&f("removed_on"), m.removed_on.as_ref());
    Some(d::Removal {
        listing_record_id: m.listing_record_id.clone(),
        reason: reason.unwrap_or(d::RemovalReason::Revoked),
        removed_on: removed_on.unwrap_or(UNREADABLE_DATE),
        decision_number: m.decision_number.clone(),
        explanation: m.explanation.clone(),
    })
}

pub fn repair_application_from_wire(r: &mut WireReader, prefix: &str, a: &pb::RepairApplication) -> Option<d::RepairApplication> {
    let applied_on = r.date(&format!("{prefix}applied_on"), a.applied_on.as_ref());
    Some(d::RepairApplication {
        target_record_id: a.target_record_id.clone(),
        applied_on: applied_on.unwrap_or(UNREADABLE_DATE),
        statement: a.statement.clone(),
    })
}

pub fn repair_decision_from_wire(r: &mut WireReader, prefix: &str, x: &pb::RepairDecision) -> Option<d::RepairDecision> {
    let outcome = r.enumeration(&format!("{prefix}outcome"), x.outcome);
    let decided_on = r.date(&format!("{prefix}decided_on"), x.decided_on.as_ref());
    Some(d::RepairDecision {
        application_record_id: x.application_record_id.clone(),
        outcome: outcome.unwrap_or(d::RepairOutcome::Refused),
        decided_on: decided_on.unwrap_or(UNREADABLE_DATE),
        decision_number: x.decision_number.clone(),
        reason: x.reason.clone(),
    })
}

pub fn grade_from_wire(r: &mut WireReader, prefix: &str, g: &pb::Grade) -> Option<d::Grade> {
    let f = |name: &str| format!("{prefix}{name}");
    let evaluated_on = r.date(&f("evaluated_on"), g.evaluated_on.as_ref());
    let valid_until = r.date(&f("valid_until"), g.valid_until.as_ref());
    Some(d::Grade {
        scheme: g.scheme.clone(),
        level: g.level.clone(),
        not_rated: g.not_rated,
        rating_year: (g.rating_year != 0).then_some(g.rating_year),
        decision_number: g.decision_number.clone(),
        evaluated_on: evaluated_on.unwrap_or(UNREADABLE_DATE),
        valid_until: valid_until.unwrap_or(UNREADABLE_DATE),
        grounds: g.grounds.clone(),
        legal_basis: g.legal_basis.clone(),
    })
}

pub fn grade_change_from_wire(r: &mut WireReader, prefix: &str, c: &pb::GradeChange) -> Option<d::GradeChange> {
    let f = |name: &str| format!("{prefix}{name}");
    let decided_on = r.date(&f("decided_on"), c.decided_on.as_ref());
    let change = match pb::GradeChangeType::try_from(c.r#type) {
        Ok(pb::GradeChangeType::Downgrade) => Some(d::GradeChangeKind::Downgrade { level: c.level.clone() }),
        Ok(pb::GradeChangeType::Correction) => Some(d::GradeChangeKind::Correction { level: c.level.clone() }),
        Ok(pb::GradeChangeType::Repair) => Some(d::GradeChangeKind::Repair { level: c.level.clone() }),
        Ok(pb::GradeChangeType::Revocation) if c.level.is_empty() => Some(d::GradeChangeKind::Revocation),
        Ok(pb::GradeChangeType::Revocation) => {
            r.fail(f("level"), "must be empty for a revocation");
            None
        }
        Ok(pb::GradeChangeType::Unspecified) => {
            r.fail(f("type"), "is required");
            None
        }
        Err(_) => {
            r.fail(f("type"), format!("{} is not a known value", c.r#type));
            None
        }
    };
    Some(d::GradeChange {
        grade_record_id: c.grade_record_id.clone(),
        change: change.unwrap_or(d::GradeChangeKind::Revocation),
        decided_on: decided_on.unwrap_or(UNREADABLE_DATE),
        decision_number: c.decision_number.clone(),
        reason: c.reason.clone(),
    })
}

/// The grade in force in one scheme, as a profile shows it.
pub fn grade_in_force_to_wire(
    record: &d::Record,
    standing: &state::GradeStanding<'_>,
    scheme: &grades::Scheme,
    schemes_version: &str,
) -> pb::GradeInForce {
    let not_rated = standing.level.is_empty();
    let (meaning_zh, meaning_en) = match (scheme.level(&standing.level), &scheme.not_rated) {
        (Some(l), _) => (l.meaning_zh.clone(), l.meaning_en.clone()),
        (None, Some(n)) if not_rated => (n.meaning_zh.clone(), n.meaning_en.clone()),
        _ => Default::default(),
    };
    pb::GradeInForce {
        scheme: scheme.code.clone(),
        scheme_name_zh: scheme.name_zh.clone(),
        scheme_name_en: scheme.name_en.clone(),
        level: standing.level.clone(),
        meaning_zh,
        meaning_en,
        grade_record_id: record.id.clone(),
        evaluated_on: Some(date_to_wire(standing.grade.evaluated_on)),
        valid_until: Some(date_to_wire(standing.grade.valid_until)),
        capped_by_record_id: standing.capped_by.map(|r| r.id.clone()).unwrap_or_default(),
        schemes_version: schemes_version.to_string(),
        rating_year: standing.grade.rating_year.unwrap_or_default(),
        not_rated,
        legal_basis: scheme.legal_basis.clone(),
    }
}

pub fn penalty_to_wire(p: &d::Penalty) -> pb::Penalty {
    pb::Penalty {
        decision_number: p.decision_number.clone(),
        category: pb::Category::from(p.category) as i32,
        severity: pb::SeverityTier::from(p.severity) as i32,
        legal_basis: p.legal_basis.clone(),
        fine_fen: p.fine_fen,
        sanctions: p.sanctions.iter().map(|s| pb::Sanction::from(*s) as i32).collect(),
        decided_on: Some(date_to_wire(p.decided_on)),
        violation: p.violation.clone(),
    }
}

pub fn body_to_wire(body: &d::RecordBody) -> pb::record::Body {
    use pb::record::Body;
    match body {
        d::RecordBody::Penalty(p) => Body::Penalty(penalty_to_wire(p)),
        d::RecordBody::PenaltyCorrection(c) => {
            let (kind, amended) = match &c.change {
                d::CorrectionChange::Revocation => (pb::CorrectionType::Revocation, None),
                d::CorrectionChange::Amendment(p) => (pb::CorrectionType::Amendment, Some(penalty_to_wire(p))),
            };
            Body::PenaltyCorrection(pb::PenaltyCorrection {
                penalty_record_id: c.penalty_record_id.clone(),
                r#type: kind as i32,
                ground: pb::CorrectionGround::from(c.ground) as i32,
                decision_number: c.decision_number.clone(),
                decided_on: Some(date_to_wire(c.decided_on)),
                amended_penalty: amended,
                reason: c.reason.clone(),
            })
        }
        d::RecordBody::SpotCheck(s) => Body::SpotCheck(pb::SpotCheck {
            report_number: s.report_number.clone(),
            category: pb::Category::from(s.category) as i32,
            product: s.product.clone(),
            product_class: s.product_class.clone(),
            batch: s.batch.clone(),
            outcome: pb::SpotCheckOutcome::from(s.outcome) as i32,
            checked_on: Some(date_to_wire(s.checked_on)),
            failed_items: s.failed_items.clone(),
        }),
        d::RecordBody::Commendation(c) => Body::Commendation(pb::Commendation {
            decision_number: c.decision_number.clone(),
            kind: pb::CommendationKind::from(c.kind) as i32,
            title: c.title.clone(),
            awarded_on: Some(date_to_wire(c.awarded_on)),
            valid_until: c.valid_until.map(date_to_wire),
        }),
        d::RecordBody::Listing(l) => Body::Listing(pb::Listing {
            list_type: pb::ListType::from(l.list_type) as i32,
            decision_number: l.decision_number.clone(),
            grounds: l.grounds.clone(),
            abnormal_ground: l.abnormal_ground.map_or(0, |g| pb::AbnormalGround::from(g) as i32),
            listed_on: Some(date_to_wire(l.listed_on)),
            planned_end: l.planned_end.map(date_to_wire),
            legal_basis: l.legal_basis.clone(),
            penalty_record_id: l.penalty_record_id.clone().unwrap_or_default(),
            legal_representative: l.legal_representative.clone(),
            article: l.article.clone(),
        }),
        d::RecordBody::Removal(r) => Body::Removal(pb::Removal {
            listing_record_id: r.listing_record_id.clone(),
            reason: pb::RemovalReason::from(r.reason) as i32,
            removed_on: Some(date_to_wire(r.removed_on)),
            decision_number: r.decision_number.clone(),
            explanation: r.explanation.clone(),
        }),
        d::RecordBody::RepairApplication(a) => Body::RepairApplication(pb::RepairApplication {
            target_record_id: a.target_record_id.clone(),
            applied_on: Some(date_to_wire(a.applied_on)),
            statement: a.statement.clone(),
        }),
        d::RecordBody::RepairDecision(x) => Body::RepairDecision(pb::RepairDecision {
            application_record_id: x.application_record_id.clone(),
            outcome: pb::RepairOutcome::from(x.outcome) as i32,
            decided_on: Some(date_to_wire(x.decided_on)),
            decision_number: x.decision_number.clone(),
            reason: x.reason.clone(),
        }),
        d::RecordBody::Grade(g) => Body::Grade(pb::Grade {
            scheme: g.scheme.clone(),
            level: g.level.clone(),
            rating_year: g.rating_year.unwrap_or_default(),
            not_rated: g.not_rated,
            decision_number: g.decision_number.clone(),
            evaluated_on: Some(date_to_wire(g.evaluated_on)),
            valid_until: Some(date_to_wire(g.valid_until)),
            grounds: g.grounds.clone(),
            legal_basis: g.legal_basis.clone(),
        }),
        d::RecordBody::GradeChange(c) => {
            let (kind, level) = match &c.change {
                d::GradeChangeKind::Downgrade { level } => (pb::GradeChangeType::Downgrade, level.clone()),
                d::GradeChangeKind::Correction { level } => (pb::GradeChangeType::Correction, level.clone()),
                d::GradeChangeKind::Repair { level } => (pb::GradeChangeType::Repair, level.clone()),
                d::GradeChangeKind::Revocation => (pb::GradeChangeType::Revocation, String::new()),
            };
            Body::GradeChange(pb::GradeChange {
                grade_record_id: c.grade_record_id.clone(),
                r#type: kind as i32,
                level,
                decided_on: Some(date_to_wire(c.decided_on)),
                decision_number: c.decision_number.clone(),
                reason: c.reason.clone(),
            })
        }
    }
}

pub fn body_from_wire(r: &mut WireReader, body: &pb::record::Body) -> Option<d::RecordBody> {
    use pb::record::Body;
    Some(match body {
        Body::Penalty(p) => d::RecordBody::Penalty(penalty_from_wire(r, "penalty.", p)?),
        Body::PenaltyCorrection(c) => d::RecordBody::PenaltyCorrection(correction_from_wire(r, "penalty_correction.", c)?),
        Body::SpotCheck(s) => d::RecordBody::SpotCheck(spot_check_from_wire(r, "spot_check.", s)?),
        Body::Commendation(c) => d::RecordBody::Commendation(commendation_from_wire(r, "commendation.", c)?),
        Body::Listing(l) => d::RecordBody::Listing(listing_from_wire(r, "listing.", l)?),
        Body::Removal(m) => d::RecordBody::Removal(removal_from_wire(r, "removal.", m)?),
        Body::RepairApplication(a) => {
            d::RecordBody::RepairApplication(repair_application_from_wire(r, "repair_application.", a)?)
        }
        Body::RepairDecision(x) => d::RecordBody::RepairDecision(repair_decision_from_wire(r, "repair_decision.", x)?),
        Body::Grade(g) => d::RecordBody::Grade(grade_from_wire(r, "grade.", g)?),
        Body::GradeChange(c) => d::RecordBody::GradeChange(grade_change_from_wire(r, "grade_change.", c)?),
    })
}

pub fn record_to_wire(record: &d::Record) -> pb::Record {
    pb::Record {
        record_id: record.id.clone(),
        sequence: record.sequence as i64,
        recorded_at: Some(timestamp_to_wire(record.recorded_at)),
        uscc: record.uscc.to_string(),
        authority: record.authority.clone(),
        actor: record.actor.clone(),
        request_id: record.request_id.clone(),
        body: Some(body_to_wire(&record.body)),
    }
}

/// Reads a stored record back. Any violation means the stored bytes are not
/// a record this registry wrote.
pub fn record_from_wire(w: &pb::Record) -> Result<d::Record, Vec<Violation>> {
    let mut r = WireReader::default();
    let uscc = r.uscc("uscc", &w.uscc);
    let recorded_at = r.message("recorded_at", w.recorded_at.as_ref()).and_then(timestamp_from_wire);
    let body = r.message("body", w.body.as_ref()).and_then(|b| body_from_wire(&mut r, b));
    let sequence = u64::try_from(w.sequence).ok().filter(|s| *s > 0);
    if sequence.is_none() {
        r.fail("sequence".into(), format!("{} is not a ledger position", w.sequence));
    }
    let record = (|| {
        Some(d::Record {
            id: w.record_id.clone(),
            sequence: sequence?,
            recorded_at: recorded_at?,
            uscc: uscc?,
            authority: w.authority.clone(),
            actor: w.actor.clone(),
            request_id: w.request_id.clone(),
            body: body?,
        })
    })();
    r.finish(record)
}

/// A decision for one entity, with the version of the publicity rules its
/// records were read with. `no_records`: the caller sees nothing of it.
pub fn decision_to_wire(uscc: &Uscc, d: &measures::Decision<'_>, publicity_version: &str, no_records: bool) -> pb::Decision {
    pb::Decision {
        uscc: uscc.to_string(),
        domain: pb::MeasureDomain::from(d.domain) as i32,
        evaluated_on: Some(date_to_wire(d.evaluated_on)),
        eligibility: pb::Eligibility::from(d.eligibility) as i32,
        no_records,
        measures: d.measures.iter().map(measure_in_force_to_wire).collect(),
        incentives: d.incentives.iter().map(measure_in_force_to_wire).collect(),
        catalogue_version: d.catalogue_version.to_string(),
        publicity_version: publicity_version.to_string(),
    }
}

fn measure_in_force_to_wire(m: &measures::MeasureInForce<'_>) -> pb::MeasureInForce {
    pb::MeasureInForce {
        measure_code: m.measure.code.clone(),
        domain: pb::MeasureDomain::from(m.measure.domain) as i32,
        effect: pb::Eligibility::from(m.measure.effect) as i32,
        description_zh: m.measure.description_zh.clone(),
        description_en: m.measure.description_en.clone(),
        legal_basis: m.measure.legal_basis.clone(),
        trigger_record_ids: m.triggers.clone(),
        from: Some(date_to_wire(m.from)),
        until: m.until.map(date_to_wire),
        incentive: m.measure.incentive.clone().unwrap_or_default(),
        trigger_count: m.triggers.len() as i32,
    }
}

/// Triggers a batch answer lists per measure.
const BATCH_TRIGGERS: usize = 3;

/// A decision as a batch answer carries it: each measure's code, effect,
/// dates and first triggers with their count, without the texts a client
/// reads once from the catalogue. This bounds the answer by design.
pub fn compact_decision(mut d: pb::Decision) -> pb::Decision {
    for m in d.measures.iter_mut().chain(d.incentives.iter_mut()) {
        m.description_zh.clear();
        m.description_en.clear();
        m.legal_basis.clear();
        m.trigger_record_ids.truncate(BATCH_TRIGGERS);
    }
    d
}

pub fn measure_to_wire(m: &measures::Measure) -> pb::Measure {
    let trigger = match &m.trigger {
        measures::Trigger::Grade { scheme, levels } => {
            pb::MeasureTrigger { grade_scheme: scheme.clone(), grade_levels: levels.clone(), ..Default::default() }
        }
        measures::Trigger::Commendation { kinds } => pb::MeasureTrigger {
            commendation_kinds: kinds.iter().map(|k| pb::CommendationKind::from(*k) as i32).collect(),
            ..Default::default()
        },
        measures::Trigger::Listing { list_types } => pb::MeasureTrigger {
            list_types: list_types.iter().map(|t| pb::ListType::from(*t) as i32).collect(),
            ..Default::default()
        },
        measures::Trigger::Penalty { sanctions, min_severity, min_fine_fen, sector_fine, lookback_months } => {
            pb::MeasureTrigger {
                sanctions: sanctions.iter().map(|s| pb::Sanction::from(*s) as i32).collect(),
                min_severity: min_severity.map_or(0, |s| pb::SeverityTier::from(s) as i32),
                min_fine_fen: min_fine_fen.unwrap_or(0),
                lookback_months: *lookback_months as i32,
                sector_fines: sector_fine
                    .iter()
                    .map(|s| pb::SectorFine {
                        categories: s.categories.iter().map(|c| pb::Category::from(*c) as i32).collect(),
                        min_fine_fen: s.min_fine_fen,
                        legal_basis: s.legal_basis.clone(),
                    })
                    .collect(),
                ..Default::default()
            }
        }
    };
    pb::Measure {
        code: m.code.clone(),
        domain: pb::MeasureDomain::from(m.domain) as i32,
        effect: pb::Eligibility::from(m.effect) as i32,
        trigger: Some(trigger),
        duration: m.duration.clone(),
        legal_basis: m.legal_basis.clone(),
        description_zh: m.description_zh.clone(),
        description_en: m.description_en.clone(),
        lifted_by_repair: m.lifted_by_repair,
        incentive: m.incentive.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::WireName;

    /// Every value a message may quote is named as the wire enum names it.
    #[test]
    fn wire_names_are_the_protobuf_names() {
        macro_rules! agree {
            ($($dom:ty => $wire:ident),* $(,)?) => {$(
                let mut seen = 0;
                for value in 1..64 {
                    if let Some(d) = <$dom>::from_wire(value) {
                        assert_eq!(d.wire_name(), pb::$wire::try_from(value).unwrap().as_str_name());
                        seen += 1;
                    }
                }
                assert!(seen > 1, stringify!($dom));
            )*};
        }
        agree!(
            d::SeverityTier => SeverityTier,
            d::Sanction => Sanction,
            d::ListType => ListType,
            d::RemovalReason => RemovalReason,
            state::RecordStatus => RecordStatus,
        );
    }
}
