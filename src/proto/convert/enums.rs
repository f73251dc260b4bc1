//! Each domain enum and its wire enum, both ways: `UNSPECIFIED` and values
//! this build does not know read as no value.

use crate::domain::record as d;
use crate::domain::rules::{authorities, measures, supervision};
use crate::domain::state;
use crate::proto::pb;

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

enum_map!(authorities::AuthorityKind, AuthorityKind {
    MarketRegulation <=> MarketRegulation,
    DrugRegulation <=> DrugRegulation,
    Tax <=> Tax,
    Court <=> Court,
    ProcurementSupervision <=> ProcurementSupervision,
    BiddingSupervision <=> BiddingSupervision,
    Ecology <=> Ecology,
    EmergencyManagement <=> EmergencyManagement,
    Other <=> Other,
});

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
