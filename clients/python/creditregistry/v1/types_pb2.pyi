import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Category(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CATEGORY_UNSPECIFIED: _ClassVar[Category]
    CATEGORY_PRODUCT_QUALITY: _ClassVar[Category]
    CATEGORY_FOOD_SAFETY: _ClassVar[Category]
    CATEGORY_ENGINEERING_QUALITY: _ClassVar[Category]
    CATEGORY_SERVICE_QUALITY: _ClassVar[Category]
    CATEGORY_ENVIRONMENT: _ClassVar[Category]
    CATEGORY_SPECIAL_EQUIPMENT: _ClassVar[Category]
    CATEGORY_CERTIFICATION: _ClassVar[Category]
    CATEGORY_METROLOGY: _ClassVar[Category]
    CATEGORY_STANDARDS: _ClassVar[Category]
    CATEGORY_COUNTERFEIT_TRADEMARK: _ClassVar[Category]
    CATEGORY_OTHER: _ClassVar[Category]
    CATEGORY_DRUGS: _ClassVar[Category]
    CATEGORY_WORK_SAFETY: _ClassVar[Category]
    CATEGORY_FIRE_SAFETY: _ClassVar[Category]

class SeverityTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_TIER_UNSPECIFIED: _ClassVar[SeverityTier]
    SEVERITY_TIER_MINOR: _ClassVar[SeverityTier]
    SEVERITY_TIER_GENERAL: _ClassVar[SeverityTier]
    SEVERITY_TIER_HEAVIER: _ClassVar[SeverityTier]
    SEVERITY_TIER_SERIOUS: _ClassVar[SeverityTier]

class Sanction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SANCTION_UNSPECIFIED: _ClassVar[Sanction]
    SANCTION_WARNING: _ClassVar[Sanction]
    SANCTION_PUBLIC_CRITICISM: _ClassVar[Sanction]
    SANCTION_CONFISCATION: _ClassVar[Sanction]
    SANCTION_LICENCE_SUSPENSION: _ClassVar[Sanction]
    SANCTION_QUALIFICATION_DOWNGRADE: _ClassVar[Sanction]
    SANCTION_LICENCE_REVOCATION: _ClassVar[Sanction]
    SANCTION_BUSINESS_RESTRICTION: _ClassVar[Sanction]
    SANCTION_ORDERED_SUSPENSION: _ClassVar[Sanction]
    SANCTION_ORDERED_CLOSURE: _ClassVar[Sanction]
    SANCTION_PRACTICE_BAN: _ClassVar[Sanction]
    SANCTION_CRIMINAL_PENALTY: _ClassVar[Sanction]

class CorrectionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CORRECTION_TYPE_UNSPECIFIED: _ClassVar[CorrectionType]
    CORRECTION_TYPE_REVOCATION: _ClassVar[CorrectionType]
    CORRECTION_TYPE_AMENDMENT: _ClassVar[CorrectionType]

class CorrectionGround(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CORRECTION_GROUND_UNSPECIFIED: _ClassVar[CorrectionGround]
    CORRECTION_GROUND_RECONSIDERATION: _ClassVar[CorrectionGround]
    CORRECTION_GROUND_COURT_RULING: _ClassVar[CorrectionGround]
    CORRECTION_GROUND_SELF_CORRECTION: _ClassVar[CorrectionGround]

class GradeChangeType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GRADE_CHANGE_TYPE_UNSPECIFIED: _ClassVar[GradeChangeType]
    GRADE_CHANGE_TYPE_DOWNGRADE: _ClassVar[GradeChangeType]
    GRADE_CHANGE_TYPE_CORRECTION: _ClassVar[GradeChangeType]
    GRADE_CHANGE_TYPE_REVOCATION: _ClassVar[GradeChangeType]
    GRADE_CHANGE_TYPE_REPAIR: _ClassVar[GradeChangeType]

class SpotCheckOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPOT_CHECK_OUTCOME_UNSPECIFIED: _ClassVar[SpotCheckOutcome]
    SPOT_CHECK_OUTCOME_PASS: _ClassVar[SpotCheckOutcome]
    SPOT_CHECK_OUTCOME_FAIL: _ClassVar[SpotCheckOutcome]

class CommendationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMENDATION_KIND_UNSPECIFIED: _ClassVar[CommendationKind]
    COMMENDATION_KIND_GOVERNMENT_QUALITY_AWARD: _ClassVar[CommendationKind]
    COMMENDATION_KIND_FAMOUS_BRAND: _ClassVar[CommendationKind]
    COMMENDATION_KIND_OTHER: _ClassVar[CommendationKind]

class ListType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LIST_TYPE_UNSPECIFIED: _ClassVar[ListType]
    LIST_TYPE_ABNORMAL_OPERATIONS: _ClassVar[ListType]
    LIST_TYPE_SERIOUS_ILLEGAL_DISHONEST: _ClassVar[ListType]
    LIST_TYPE_QUALITY_BLACKLIST: _ClassVar[ListType]
    LIST_TYPE_PROCUREMENT_DEBARMENT: _ClassVar[ListType]
    LIST_TYPE_BIDDING_DISQUALIFICATION: _ClassVar[ListType]
    LIST_TYPE_RED_LIST: _ClassVar[ListType]
    LIST_TYPE_COURT_JUDGMENT_DEFAULTER: _ClassVar[ListType]
    LIST_TYPE_MAJOR_TAX_VIOLATOR: _ClassVar[ListType]

class AbnormalGround(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ABNORMAL_GROUND_UNSPECIFIED: _ClassVar[AbnormalGround]
    ABNORMAL_GROUND_ANNUAL_REPORT_NOT_FILED: _ClassVar[AbnormalGround]
    ABNORMAL_GROUND_INFORMATION_NOT_PUBLISHED: _ClassVar[AbnormalGround]
    ABNORMAL_GROUND_FALSE_INFORMATION: _ClassVar[AbnormalGround]
    ABNORMAL_GROUND_UNREACHABLE_AT_ADDRESS: _ClassVar[AbnormalGround]

class RemovalReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REMOVAL_REASON_UNSPECIFIED: _ClassVar[RemovalReason]
    REMOVAL_REASON_TERM_ENDED: _ClassVar[RemovalReason]
    REMOVAL_REASON_CURED: _ClassVar[RemovalReason]
    REMOVAL_REASON_CREDIT_REPAIR: _ClassVar[RemovalReason]
    REMOVAL_REASON_REVOKED: _ClassVar[RemovalReason]

class RepairOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPAIR_OUTCOME_UNSPECIFIED: _ClassVar[RepairOutcome]
    REPAIR_OUTCOME_GRANTED: _ClassVar[RepairOutcome]
    REPAIR_OUTCOME_REFUSED: _ClassVar[RepairOutcome]

class RecordStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECORD_STATUS_UNSPECIFIED: _ClassVar[RecordStatus]
    RECORD_STATUS_IN_EFFECT: _ClassVar[RecordStatus]
    RECORD_STATUS_AMENDED: _ClassVar[RecordStatus]
    RECORD_STATUS_REVOKED: _ClassVar[RecordStatus]
    RECORD_STATUS_ENDED: _ClassVar[RecordStatus]
    RECORD_STATUS_REPAIRED: _ClassVar[RecordStatus]
    RECORD_STATUS_PUBLICITY_ENDED: _ClassVar[RecordStatus]
    RECORD_STATUS_NOT_YET_EFFECTIVE: _ClassVar[RecordStatus]

class MeasureDomain(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MEASURE_DOMAIN_UNSPECIFIED: _ClassVar[MeasureDomain]
    MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT: _ClassVar[MeasureDomain]
    MEASURE_DOMAIN_BIDDING_AND_TENDERING: _ClassVar[MeasureDomain]
    MEASURE_DOMAIN_FISCAL_SUBSIDIES: _ClassVar[MeasureDomain]
    MEASURE_DOMAIN_HONOURS: _ClassVar[MeasureDomain]
    MEASURE_DOMAIN_MARKET_ACCESS: _ClassVar[MeasureDomain]
    MEASURE_DOMAIN_FINANCING: _ClassVar[MeasureDomain]
    MEASURE_DOMAIN_STATE_LAND: _ClassVar[MeasureDomain]
    MEASURE_DOMAIN_SUPERVISION: _ClassVar[MeasureDomain]

class Eligibility(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ELIGIBILITY_UNSPECIFIED: _ClassVar[Eligibility]
    ELIGIBILITY_ELIGIBLE: _ClassVar[Eligibility]
    ELIGIBILITY_RESTRICTED: _ClassVar[Eligibility]
    ELIGIBILITY_INELIGIBLE: _ClassVar[Eligibility]

class NameMatchResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NAME_MATCH_RESULT_UNSPECIFIED: _ClassVar[NameMatchResult]
    NAME_MATCH_RESULT_EXACT: _ClassVar[NameMatchResult]
    NAME_MATCH_RESULT_FORMER_NAME: _ClassVar[NameMatchResult]
    NAME_MATCH_RESULT_MISMATCH: _ClassVar[NameMatchResult]
    NAME_MATCH_RESULT_UNKNOWN: _ClassVar[NameMatchResult]

class CheckKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHECK_KIND_UNSPECIFIED: _ClassVar[CheckKind]
    CHECK_KIND_SINGLE: _ClassVar[CheckKind]
    CHECK_KIND_BATCH: _ClassVar[CheckKind]
    CHECK_KIND_CONSORTIUM: _ClassVar[CheckKind]
CATEGORY_UNSPECIFIED: Category
CATEGORY_PRODUCT_QUALITY: Category
CATEGORY_FOOD_SAFETY: Category
CATEGORY_ENGINEERING_QUALITY: Category
CATEGORY_SERVICE_QUALITY: Category
CATEGORY_ENVIRONMENT: Category
CATEGORY_SPECIAL_EQUIPMENT: Category
CATEGORY_CERTIFICATION: Category
CATEGORY_METROLOGY: Category
CATEGORY_STANDARDS: Category
CATEGORY_COUNTERFEIT_TRADEMARK: Category
CATEGORY_OTHER: Category
CATEGORY_DRUGS: Category
CATEGORY_WORK_SAFETY: Category
CATEGORY_FIRE_SAFETY: Category
SEVERITY_TIER_UNSPECIFIED: SeverityTier
SEVERITY_TIER_MINOR: SeverityTier
SEVERITY_TIER_GENERAL: SeverityTier
SEVERITY_TIER_HEAVIER: SeverityTier
SEVERITY_TIER_SERIOUS: SeverityTier
SANCTION_UNSPECIFIED: Sanction
SANCTION_WARNING: Sanction
SANCTION_PUBLIC_CRITICISM: Sanction
SANCTION_CONFISCATION: Sanction
SANCTION_LICENCE_SUSPENSION: Sanction
SANCTION_QUALIFICATION_DOWNGRADE: Sanction
SANCTION_LICENCE_REVOCATION: Sanction
SANCTION_BUSINESS_RESTRICTION: Sanction
SANCTION_ORDERED_SUSPENSION: Sanction
SANCTION_ORDERED_CLOSURE: Sanction
SANCTION_PRACTICE_BAN: Sanction
SANCTION_CRIMINAL_PENALTY: Sanction
CORRECTION_TYPE_UNSPECIFIED: CorrectionType
CORRECTION_TYPE_REVOCATION: CorrectionType
CORRECTION_TYPE_AMENDMENT: CorrectionType
CORRECTION_GROUND_UNSPECIFIED: CorrectionGround
CORRECTION_GROUND_RECONSIDERATION: CorrectionGround
CORRECTION_GROUND_COURT_RULING: CorrectionGround
CORRECTION_GROUND_SELF_CORRECTION: CorrectionGround
GRADE_CHANGE_TYPE_UNSPECIFIED: GradeChangeType
GRADE_CHANGE_TYPE_DOWNGRADE: GradeChangeType
GRADE_CHANGE_TYPE_CORRECTION: GradeChangeType
GRADE_CHANGE_TYPE_REVOCATION: GradeChangeType
GRADE_CHANGE_TYPE_REPAIR: GradeChangeType
SPOT_CHECK_OUTCOME_UNSPECIFIED: SpotCheckOutcome
SPOT_CHECK_OUTCOME_PASS: SpotCheckOutcome
SPOT_CHECK_OUTCOME_FAIL: SpotCheckOutcome
COMMENDATION_KIND_UNSPECIFIED: CommendationKind
COMMENDATION_KIND_GOVERNMENT_QUALITY_AWARD: CommendationKind
COMMENDATION_KIND_FAMOUS_BRAND: CommendationKind
COMMENDATION_KIND_OTHER: CommendationKind
LIST_TYPE_UNSPECIFIED: ListType
LIST_TYPE_ABNORMAL_OPERATIONS: ListType
LIST_TYPE_SERIOUS_ILLEGAL_DISHONEST: ListType
LIST_TYPE_QUALITY_BLACKLIST: ListType
LIST_TYPE_PROCUREMENT_DEBARMENT: ListType
LIST_TYPE_BIDDING_DISQUALIFICATION: ListType
LIST_TYPE_RED_LIST: ListType
LIST_TYPE_COURT_JUDGMENT_DEFAULTER: ListType
LIST_TYPE_MAJOR_TAX_VIOLATOR: ListType
ABNORMAL_GROUND_UNSPECIFIED: AbnormalGround
ABNORMAL_GROUND_ANNUAL_REPORT_NOT_FILED: AbnormalGround
ABNORMAL_GROUND_INFORMATION_NOT_PUBLISHED: AbnormalGround
ABNORMAL_GROUND_FALSE_INFORMATION: AbnormalGround
ABNORMAL_GROUND_UNREACHABLE_AT_ADDRESS: AbnormalGround
REMOVAL_REASON_UNSPECIFIED: RemovalReason
REMOVAL_REASON_TERM_ENDED: RemovalReason
REMOVAL_REASON_CURED: RemovalReason
REMOVAL_REASON_CREDIT_REPAIR: RemovalReason
REMOVAL_REASON_REVOKED: RemovalReason
REPAIR_OUTCOME_UNSPECIFIED: RepairOutcome
REPAIR_OUTCOME_GRANTED: RepairOutcome
REPAIR_OUTCOME_REFUSED: RepairOutcome
RECORD_STATUS_UNSPECIFIED: RecordStatus
RECORD_STATUS_IN_EFFECT: RecordStatus
RECORD_STATUS_AMENDED: RecordStatus
RECORD_STATUS_REVOKED: RecordStatus
RECORD_STATUS_ENDED: RecordStatus
RECORD_STATUS_REPAIRED: RecordStatus
RECORD_STATUS_PUBLICITY_ENDED: RecordStatus
RECORD_STATUS_NOT_YET_EFFECTIVE: RecordStatus
MEASURE_DOMAIN_UNSPECIFIED: MeasureDomain
MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT: MeasureDomain
MEASURE_DOMAIN_BIDDING_AND_TENDERING: MeasureDomain
MEASURE_DOMAIN_FISCAL_SUBSIDIES: MeasureDomain
MEASURE_DOMAIN_HONOURS: MeasureDomain
MEASURE_DOMAIN_MARKET_ACCESS: MeasureDomain
MEASURE_DOMAIN_FINANCING: MeasureDomain
MEASURE_DOMAIN_STATE_LAND: MeasureDomain
MEASURE_DOMAIN_SUPERVISION: MeasureDomain
ELIGIBILITY_UNSPECIFIED: Eligibility
ELIGIBILITY_ELIGIBLE: Eligibility
ELIGIBILITY_RESTRICTED: Eligibility
ELIGIBILITY_INELIGIBLE: Eligibility
NAME_MATCH_RESULT_UNSPECIFIED: NameMatchResult
NAME_MATCH_RESULT_EXACT: NameMatchResult
NAME_MATCH_RESULT_FORMER_NAME: NameMatchResult
NAME_MATCH_RESULT_MISMATCH: NameMatchResult
NAME_MATCH_RESULT_UNKNOWN: NameMatchResult
CHECK_KIND_UNSPECIFIED: CheckKind
CHECK_KIND_SINGLE: CheckKind
CHECK_KIND_BATCH: CheckKind
CHECK_KIND_CONSORTIUM: CheckKind

class Penalty(_message.Message):
    __slots__ = ("decision_number", "category", "severity", "legal_basis", "fine_fen", "sanctions", "decided_on", "violation", "party_name", "legal_representative")
    DECISION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    FINE_FEN_FIELD_NUMBER: _ClassVar[int]
    SANCTIONS_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    VIOLATION_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REPRESENTATIVE_FIELD_NUMBER: _ClassVar[int]
    decision_number: str
    category: Category
    severity: SeverityTier
    legal_basis: str
    fine_fen: int
    sanctions: _containers.RepeatedScalarFieldContainer[Sanction]
    decided_on: _date_pb2.Date
    violation: str
    party_name: str
    legal_representative: str
    def __init__(self, decision_number: _Optional[str] = ..., category: _Optional[_Union[Category, str]] = ..., severity: _Optional[_Union[SeverityTier, str]] = ..., legal_basis: _Optional[str] = ..., fine_fen: _Optional[int] = ..., sanctions: _Optional[_Iterable[_Union[Sanction, str]]] = ..., decided_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., violation: _Optional[str] = ..., party_name: _Optional[str] = ..., legal_representative: _Optional[str] = ...) -> None: ...

class PenaltyCorrection(_message.Message):
    __slots__ = ("penalty_record_id", "type", "ground", "decision_number", "decided_on", "amended_penalty", "reason")
    PENALTY_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    GROUND_FIELD_NUMBER: _ClassVar[int]
    DECISION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    AMENDED_PENALTY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    penalty_record_id: str
    type: CorrectionType
    ground: CorrectionGround
    decision_number: str
    decided_on: _date_pb2.Date
    amended_penalty: Penalty
    reason: str
    def __init__(self, penalty_record_id: _Optional[str] = ..., type: _Optional[_Union[CorrectionType, str]] = ..., ground: _Optional[_Union[CorrectionGround, str]] = ..., decision_number: _Optional[str] = ..., decided_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., amended_penalty: _Optional[_Union[Penalty, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class Grade(_message.Message):
    __slots__ = ("scheme", "level", "decision_number", "evaluated_on", "valid_until", "grounds", "legal_basis", "rating_year", "not_rated", "party_name", "legal_representative")
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    DECISION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    GROUNDS_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    RATING_YEAR_FIELD_NUMBER: _ClassVar[int]
    NOT_RATED_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REPRESENTATIVE_FIELD_NUMBER: _ClassVar[int]
    scheme: str
    level: str
    decision_number: str
    evaluated_on: _date_pb2.Date
    valid_until: _date_pb2.Date
    grounds: str
    legal_basis: str
    rating_year: int
    not_rated: bool
    party_name: str
    legal_representative: str
    def __init__(self, scheme: _Optional[str] = ..., level: _Optional[str] = ..., decision_number: _Optional[str] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., valid_until: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., grounds: _Optional[str] = ..., legal_basis: _Optional[str] = ..., rating_year: _Optional[int] = ..., not_rated: _Optional[bool] = ..., party_name: _Optional[str] = ..., legal_representative: _Optional[str] = ...) -> None: ...

class GradeChange(_message.Message):
    __slots__ = ("grade_record_id", "type", "level", "decided_on", "decision_number", "reason")
    GRADE_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    DECISION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    grade_record_id: str
    type: GradeChangeType
    level: str
    decided_on: _date_pb2.Date
    decision_number: str
    reason: str
    def __init__(self, grade_record_id: _Optional[str] = ..., type: _Optional[_Union[GradeChangeType, str]] = ..., level: _Optional[str] = ..., decided_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., decision_number: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class GradeInForce(_message.Message):
    __slots__ = ("scheme", "scheme_name_zh", "scheme_name_en", "level", "meaning_zh", "meaning_en", "grade_record_id", "evaluated_on", "valid_until", "capped_by_record_id", "schemes_version", "rating_year", "not_rated", "legal_basis")
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    SCHEME_NAME_ZH_FIELD_NUMBER: _ClassVar[int]
    SCHEME_NAME_EN_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    MEANING_ZH_FIELD_NUMBER: _ClassVar[int]
    MEANING_EN_FIELD_NUMBER: _ClassVar[int]
    GRADE_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    CAPPED_BY_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMES_VERSION_FIELD_NUMBER: _ClassVar[int]
    RATING_YEAR_FIELD_NUMBER: _ClassVar[int]
    NOT_RATED_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    scheme: str
    scheme_name_zh: str
    scheme_name_en: str
    level: str
    meaning_zh: str
    meaning_en: str
    grade_record_id: str
    evaluated_on: _date_pb2.Date
    valid_until: _date_pb2.Date
    capped_by_record_id: str
    schemes_version: str
    rating_year: int
    not_rated: bool
    legal_basis: str
    def __init__(self, scheme: _Optional[str] = ..., scheme_name_zh: _Optional[str] = ..., scheme_name_en: _Optional[str] = ..., level: _Optional[str] = ..., meaning_zh: _Optional[str] = ..., meaning_en: _Optional[str] = ..., grade_record_id: _Optional[str] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., valid_until: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., capped_by_record_id: _Optional[str] = ..., schemes_version: _Optional[str] = ..., rating_year: _Optional[int] = ..., not_rated: _Optional[bool] = ..., legal_basis: _Optional[str] = ...) -> None: ...

class SpotCheck(_message.Message):
    __slots__ = ("report_number", "category", "product", "product_class", "batch", "outcome", "checked_on", "failed_items", "party_name", "legal_representative")
    REPORT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CLASS_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CHECKED_ON_FIELD_NUMBER: _ClassVar[int]
    FAILED_ITEMS_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REPRESENTATIVE_FIELD_NUMBER: _ClassVar[int]
    report_number: str
    category: Category
    product: str
    product_class: str
    batch: str
    outcome: SpotCheckOutcome
    checked_on: _date_pb2.Date
    failed_items: _containers.RepeatedScalarFieldContainer[str]
    party_name: str
    legal_representative: str
    def __init__(self, report_number: _Optional[str] = ..., category: _Optional[_Union[Category, str]] = ..., product: _Optional[str] = ..., product_class: _Optional[str] = ..., batch: _Optional[str] = ..., outcome: _Optional[_Union[SpotCheckOutcome, str]] = ..., checked_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., failed_items: _Optional[_Iterable[str]] = ..., party_name: _Optional[str] = ..., legal_representative: _Optional[str] = ...) -> None: ...

class Commendation(_message.Message):
    __slots__ = ("decision_number", "kind", "title", "awarded_on", "valid_until", "party_name", "legal_representative")
    DECISION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    AWARDED_ON_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REPRESENTATIVE_FIELD_NUMBER: _ClassVar[int]
    decision_number: str
    kind: CommendationKind
    title: str
    awarded_on: _date_pb2.Date
    valid_until: _date_pb2.Date
    party_name: str
    legal_representative: str
    def __init__(self, decision_number: _Optional[str] = ..., kind: _Optional[_Union[CommendationKind, str]] = ..., title: _Optional[str] = ..., awarded_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., valid_until: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., party_name: _Optional[str] = ..., legal_representative: _Optional[str] = ...) -> None: ...

class Listing(_message.Message):
    __slots__ = ("list_type", "decision_number", "grounds", "abnormal_ground", "listed_on", "planned_end", "legal_basis", "penalty_record_id", "legal_representative", "article", "party_name")
    LIST_TYPE_FIELD_NUMBER: _ClassVar[int]
    DECISION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    GROUNDS_FIELD_NUMBER: _ClassVar[int]
    ABNORMAL_GROUND_FIELD_NUMBER: _ClassVar[int]
    LISTED_ON_FIELD_NUMBER: _ClassVar[int]
    PLANNED_END_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    PENALTY_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REPRESENTATIVE_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_FIELD_NUMBER: _ClassVar[int]
    list_type: ListType
    decision_number: str
    grounds: str
    abnormal_ground: AbnormalGround
    listed_on: _date_pb2.Date
    planned_end: _date_pb2.Date
    legal_basis: str
    penalty_record_id: str
    legal_representative: str
    article: str
    party_name: str
    def __init__(self, list_type: _Optional[_Union[ListType, str]] = ..., decision_number: _Optional[str] = ..., grounds: _Optional[str] = ..., abnormal_ground: _Optional[_Union[AbnormalGround, str]] = ..., listed_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., planned_end: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., legal_basis: _Optional[str] = ..., penalty_record_id: _Optional[str] = ..., legal_representative: _Optional[str] = ..., article: _Optional[str] = ..., party_name: _Optional[str] = ...) -> None: ...

class Removal(_message.Message):
    __slots__ = ("listing_record_id", "reason", "removed_on", "decision_number", "explanation")
    LISTING_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REMOVED_ON_FIELD_NUMBER: _ClassVar[int]
    DECISION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    listing_record_id: str
    reason: RemovalReason
    removed_on: _date_pb2.Date
    decision_number: str
    explanation: str
    def __init__(self, listing_record_id: _Optional[str] = ..., reason: _Optional[_Union[RemovalReason, str]] = ..., removed_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., decision_number: _Optional[str] = ..., explanation: _Optional[str] = ...) -> None: ...

class RepairApplication(_message.Message):
    __slots__ = ("target_record_id", "applied_on", "statement")
    TARGET_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    APPLIED_ON_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    target_record_id: str
    applied_on: _date_pb2.Date
    statement: str
    def __init__(self, target_record_id: _Optional[str] = ..., applied_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., statement: _Optional[str] = ...) -> None: ...

class RepairDecision(_message.Message):
    __slots__ = ("application_record_id", "outcome", "decided_on", "decision_number", "reason")
    APPLICATION_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    DECISION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    application_record_id: str
    outcome: RepairOutcome
    decided_on: _date_pb2.Date
    decision_number: str
    reason: str
    def __init__(self, application_record_id: _Optional[str] = ..., outcome: _Optional[_Union[RepairOutcome, str]] = ..., decided_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., decision_number: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Record(_message.Message):
    __slots__ = ("record_id", "sequence", "recorded_at", "uscc", "authority", "actor", "request_id", "penalty", "penalty_correction", "spot_check", "commendation", "listing", "removal", "repair_application", "repair_decision", "grade", "grade_change")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PENALTY_FIELD_NUMBER: _ClassVar[int]
    PENALTY_CORRECTION_FIELD_NUMBER: _ClassVar[int]
    SPOT_CHECK_FIELD_NUMBER: _ClassVar[int]
    COMMENDATION_FIELD_NUMBER: _ClassVar[int]
    LISTING_FIELD_NUMBER: _ClassVar[int]
    REMOVAL_FIELD_NUMBER: _ClassVar[int]
    REPAIR_APPLICATION_FIELD_NUMBER: _ClassVar[int]
    REPAIR_DECISION_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    GRADE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    sequence: int
    recorded_at: _timestamp_pb2.Timestamp
    uscc: str
    authority: str
    actor: str
    request_id: str
    penalty: Penalty
    penalty_correction: PenaltyCorrection
    spot_check: SpotCheck
    commendation: Commendation
    listing: Listing
    removal: Removal
    repair_application: RepairApplication
    repair_decision: RepairDecision
    grade: Grade
    grade_change: GradeChange
    def __init__(self, record_id: _Optional[str] = ..., sequence: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., uscc: _Optional[str] = ..., authority: _Optional[str] = ..., actor: _Optional[str] = ..., request_id: _Optional[str] = ..., penalty: _Optional[_Union[Penalty, _Mapping]] = ..., penalty_correction: _Optional[_Union[PenaltyCorrection, _Mapping]] = ..., spot_check: _Optional[_Union[SpotCheck, _Mapping]] = ..., commendation: _Optional[_Union[Commendation, _Mapping]] = ..., listing: _Optional[_Union[Listing, _Mapping]] = ..., removal: _Optional[_Union[Removal, _Mapping]] = ..., repair_application: _Optional[_Union[RepairApplication, _Mapping]] = ..., repair_decision: _Optional[_Union[RepairDecision, _Mapping]] = ..., grade: _Optional[_Union[Grade, _Mapping]] = ..., grade_change: _Optional[_Union[GradeChange, _Mapping]] = ...) -> None: ...

class RecordEntry(_message.Message):
    __slots__ = ("record", "status", "changed_by_record_ids", "public", "escalation_due_on", "authority_name")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_DUE_ON_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_NAME_FIELD_NUMBER: _ClassVar[int]
    record: Record
    status: RecordStatus
    changed_by_record_ids: _containers.RepeatedScalarFieldContainer[str]
    public: bool
    escalation_due_on: _date_pb2.Date
    authority_name: str
    def __init__(self, record: _Optional[_Union[Record, _Mapping]] = ..., status: _Optional[_Union[RecordStatus, str]] = ..., changed_by_record_ids: _Optional[_Iterable[str]] = ..., public: _Optional[bool] = ..., escalation_due_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., authority_name: _Optional[str] = ...) -> None: ...

class MeasureInForce(_message.Message):
    __slots__ = ("measure_code", "domain", "effect", "description_zh", "description_en", "legal_basis", "trigger_record_ids", "until", "incentive", "trigger_count")
    MEASURE_CODE_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_ZH_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_EN_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    INCENTIVE_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_COUNT_FIELD_NUMBER: _ClassVar[int]
    measure_code: str
    domain: MeasureDomain
    effect: Eligibility
    description_zh: str
    description_en: str
    legal_basis: str
    trigger_record_ids: _containers.RepeatedScalarFieldContainer[str]
    until: _date_pb2.Date
    incentive: str
    trigger_count: int
    def __init__(self, measure_code: _Optional[str] = ..., domain: _Optional[_Union[MeasureDomain, str]] = ..., effect: _Optional[_Union[Eligibility, str]] = ..., description_zh: _Optional[str] = ..., description_en: _Optional[str] = ..., legal_basis: _Optional[str] = ..., trigger_record_ids: _Optional[_Iterable[str]] = ..., until: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., incentive: _Optional[str] = ..., trigger_count: _Optional[int] = ..., **kwargs) -> None: ...

class Decision(_message.Message):
    __slots__ = ("uscc", "domain", "evaluated_on", "eligibility", "no_records", "measures", "catalogue_version", "publicity_version", "incentives", "name_match")
    USCC_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    ELIGIBILITY_FIELD_NUMBER: _ClassVar[int]
    NO_RECORDS_FIELD_NUMBER: _ClassVar[int]
    MEASURES_FIELD_NUMBER: _ClassVar[int]
    CATALOGUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PUBLICITY_VERSION_FIELD_NUMBER: _ClassVar[int]
    INCENTIVES_FIELD_NUMBER: _ClassVar[int]
    NAME_MATCH_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    domain: MeasureDomain
    evaluated_on: _date_pb2.Date
    eligibility: Eligibility
    no_records: bool
    measures: _containers.RepeatedCompositeFieldContainer[MeasureInForce]
    catalogue_version: str
    publicity_version: str
    incentives: _containers.RepeatedCompositeFieldContainer[MeasureInForce]
    name_match: NameMatch
    def __init__(self, uscc: _Optional[str] = ..., domain: _Optional[_Union[MeasureDomain, str]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., eligibility: _Optional[_Union[Eligibility, str]] = ..., no_records: _Optional[bool] = ..., measures: _Optional[_Iterable[_Union[MeasureInForce, _Mapping]]] = ..., catalogue_version: _Optional[str] = ..., publicity_version: _Optional[str] = ..., incentives: _Optional[_Iterable[_Union[MeasureInForce, _Mapping]]] = ..., name_match: _Optional[_Union[NameMatch, _Mapping]] = ...) -> None: ...

class NameMatch(_message.Message):
    __slots__ = ("declared_name", "result", "name_on_record", "changed_on")
    DECLARED_NAME_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    NAME_ON_RECORD_FIELD_NUMBER: _ClassVar[int]
    CHANGED_ON_FIELD_NUMBER: _ClassVar[int]
    declared_name: str
    result: NameMatchResult
    name_on_record: str
    changed_on: _date_pb2.Date
    def __init__(self, declared_name: _Optional[str] = ..., result: _Optional[_Union[NameMatchResult, str]] = ..., name_on_record: _Optional[str] = ..., changed_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class KnownName(_message.Message):
    __slots__ = ("name", "first_seen", "last_seen", "changed_on")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_FIELD_NUMBER: _ClassVar[int]
    CHANGED_ON_FIELD_NUMBER: _ClassVar[int]
    name: str
    first_seen: _date_pb2.Date
    last_seen: _date_pb2.Date
    changed_on: _date_pb2.Date
    def __init__(self, name: _Optional[str] = ..., first_seen: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., last_seen: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., changed_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class EntityNames(_message.Message):
    __slots__ = ("current", "former")
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    FORMER_FIELD_NUMBER: _ClassVar[int]
    current: KnownName
    former: _containers.RepeatedCompositeFieldContainer[KnownName]
    def __init__(self, current: _Optional[_Union[KnownName, _Mapping]] = ..., former: _Optional[_Iterable[_Union[KnownName, _Mapping]]] = ...) -> None: ...

class Checkpoint(_message.Message):
    __slots__ = ("origin", "tree_size", "root_hash", "created_at", "check_log_head", "check_log_size", "sealed_segments", "segment_head_hash")
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CHECK_LOG_HEAD_FIELD_NUMBER: _ClassVar[int]
    CHECK_LOG_SIZE_FIELD_NUMBER: _ClassVar[int]
    SEALED_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    origin: str
    tree_size: int
    root_hash: bytes
    created_at: _timestamp_pb2.Timestamp
    check_log_head: bytes
    check_log_size: int
    sealed_segments: int
    segment_head_hash: bytes
    def __init__(self, origin: _Optional[str] = ..., tree_size: _Optional[int] = ..., root_hash: _Optional[bytes] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., check_log_head: _Optional[bytes] = ..., check_log_size: _Optional[int] = ..., sealed_segments: _Optional[int] = ..., segment_head_hash: _Optional[bytes] = ...) -> None: ...

class CheckSegmentHead(_message.Message):
    __slots__ = ("origin", "number", "first_sequence", "last_sequence", "chain_before", "chain_hash", "first_checked_at", "last_checked_at", "sealed_at", "previous_head_hash")
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CHAIN_BEFORE_FIELD_NUMBER: _ClassVar[int]
    CHAIN_HASH_FIELD_NUMBER: _ClassVar[int]
    FIRST_CHECKED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_CHECKED_AT_FIELD_NUMBER: _ClassVar[int]
    SEALED_AT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    origin: str
    number: int
    first_sequence: int
    last_sequence: int
    chain_before: bytes
    chain_hash: bytes
    first_checked_at: _timestamp_pb2.Timestamp
    last_checked_at: _timestamp_pb2.Timestamp
    sealed_at: _timestamp_pb2.Timestamp
    previous_head_hash: bytes
    def __init__(self, origin: _Optional[str] = ..., number: _Optional[int] = ..., first_sequence: _Optional[int] = ..., last_sequence: _Optional[int] = ..., chain_before: _Optional[bytes] = ..., chain_hash: _Optional[bytes] = ..., first_checked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_checked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sealed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., previous_head_hash: _Optional[bytes] = ...) -> None: ...

class SignedCheckSegmentHead(_message.Message):
    __slots__ = ("head", "key_id", "signature")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    head: bytes
    key_id: str
    signature: bytes
    def __init__(self, head: _Optional[bytes] = ..., key_id: _Optional[str] = ..., signature: _Optional[bytes] = ...) -> None: ...

class SignedCheckpoint(_message.Message):
    __slots__ = ("checkpoint", "key_id", "signature")
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    checkpoint: bytes
    key_id: str
    signature: bytes
    def __init__(self, checkpoint: _Optional[bytes] = ..., key_id: _Optional[str] = ..., signature: _Optional[bytes] = ...) -> None: ...

class ReceiptBody(_message.Message):
    __slots__ = ("receipt_id", "issued_at", "caller_subject", "caller_organisation", "requested_codes", "domain", "evaluated_on", "decisions", "consortium_eligibility", "catalogue_version", "checkpoint", "known_at", "kind", "refused_codes", "declared_names")
    RECEIPT_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    CALLER_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CALLER_ORGANISATION_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_CODES_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    CONSORTIUM_ELIGIBILITY_FIELD_NUMBER: _ClassVar[int]
    CATALOGUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REFUSED_CODES_FIELD_NUMBER: _ClassVar[int]
    DECLARED_NAMES_FIELD_NUMBER: _ClassVar[int]
    receipt_id: str
    issued_at: _timestamp_pb2.Timestamp
    caller_subject: str
    caller_organisation: str
    requested_codes: _containers.RepeatedScalarFieldContainer[str]
    domain: MeasureDomain
    evaluated_on: _date_pb2.Date
    decisions: _containers.RepeatedCompositeFieldContainer[Decision]
    consortium_eligibility: Eligibility
    catalogue_version: str
    checkpoint: SignedCheckpoint
    known_at: _timestamp_pb2.Timestamp
    kind: CheckKind
    refused_codes: _containers.RepeatedCompositeFieldContainer[CodeRefusal]
    declared_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, receipt_id: _Optional[str] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., caller_subject: _Optional[str] = ..., caller_organisation: _Optional[str] = ..., requested_codes: _Optional[_Iterable[str]] = ..., domain: _Optional[_Union[MeasureDomain, str]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., decisions: _Optional[_Iterable[_Union[Decision, _Mapping]]] = ..., consortium_eligibility: _Optional[_Union[Eligibility, str]] = ..., catalogue_version: _Optional[str] = ..., checkpoint: _Optional[_Union[SignedCheckpoint, _Mapping]] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[CheckKind, str]] = ..., refused_codes: _Optional[_Iterable[_Union[CodeRefusal, _Mapping]]] = ..., declared_names: _Optional[_Iterable[str]] = ...) -> None: ...

class CodeRefusal(_message.Message):
    __slots__ = ("index", "reason")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    index: int
    reason: str
    def __init__(self, index: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class Receipt(_message.Message):
    __slots__ = ("body", "key_id", "signature", "batch_head", "leaf_index", "inclusion_path")
    BODY_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    BATCH_HEAD_FIELD_NUMBER: _ClassVar[int]
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    INCLUSION_PATH_FIELD_NUMBER: _ClassVar[int]
    body: bytes
    key_id: str
    signature: bytes
    batch_head: bytes
    leaf_index: int
    inclusion_path: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, body: _Optional[bytes] = ..., key_id: _Optional[str] = ..., signature: _Optional[bytes] = ..., batch_head: _Optional[bytes] = ..., leaf_index: _Optional[int] = ..., inclusion_path: _Optional[_Iterable[bytes]] = ...) -> None: ...

class ReceiptBatchHead(_message.Message):
    __slots__ = ("size", "root_hash", "signed_at")
    SIZE_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    SIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    size: int
    root_hash: bytes
    signed_at: _timestamp_pb2.Timestamp
    def __init__(self, size: _Optional[int] = ..., root_hash: _Optional[bytes] = ..., signed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
