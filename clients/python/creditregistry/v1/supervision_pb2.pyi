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

class RiskClass(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RISK_CLASS_UNSPECIFIED: _ClassVar[RiskClass]
    RISK_CLASS_A: _ClassVar[RiskClass]
    RISK_CLASS_B: _ClassVar[RiskClass]
    RISK_CLASS_C: _ClassVar[RiskClass]
    RISK_CLASS_D: _ClassVar[RiskClass]
RISK_CLASS_UNSPECIFIED: RiskClass
RISK_CLASS_A: RiskClass
RISK_CLASS_B: RiskClass
RISK_CLASS_C: RiskClass
RISK_CLASS_D: RiskClass

class RiskContribution(_message.Message):
    __slots__ = ("record_id", "points", "reason")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    points: int
    reason: str
    def __init__(self, record_id: _Optional[str] = ..., points: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class RiskAssessment(_message.Message):
    __slots__ = ("uscc", "risk_class", "score", "contributions", "evaluated_on", "policy_version")
    USCC_FIELD_NUMBER: _ClassVar[int]
    RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    risk_class: RiskClass
    score: int
    contributions: _containers.RepeatedCompositeFieldContainer[RiskContribution]
    evaluated_on: _date_pb2.Date
    policy_version: str
    def __init__(self, uscc: _Optional[str] = ..., risk_class: _Optional[_Union[RiskClass, str]] = ..., score: _Optional[int] = ..., contributions: _Optional[_Iterable[_Union[RiskContribution, _Mapping]]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., policy_version: _Optional[str] = ...) -> None: ...

class GetRiskAssessmentRequest(_message.Message):
    __slots__ = ("uscc", "evaluated_on", "known_at")
    USCC_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    evaluated_on: _date_pb2.Date
    known_at: _timestamp_pb2.Timestamp
    def __init__(self, uscc: _Optional[str] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetRiskAssessmentResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: RiskAssessment
    def __init__(self, assessment: _Optional[_Union[RiskAssessment, _Mapping]] = ...) -> None: ...

class ListEntitiesByRiskClassRequest(_message.Message):
    __slots__ = ("risk_class", "region_prefix", "page_size", "page_token", "evaluated_on")
    RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    REGION_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    risk_class: RiskClass
    region_prefix: str
    page_size: int
    page_token: str
    evaluated_on: _date_pb2.Date
    def __init__(self, risk_class: _Optional[_Union[RiskClass, str]] = ..., region_prefix: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class ListEntitiesByRiskClassResponse(_message.Message):
    __slots__ = ("assessments", "next_page_token")
    ASSESSMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    assessments: _containers.RepeatedCompositeFieldContainer[RiskAssessment]
    next_page_token: str
    def __init__(self, assessments: _Optional[_Iterable[_Union[RiskAssessment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSupervisionPolicyRequest(_message.Message):
    __slots__ = ("evaluated_on",)
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    evaluated_on: _date_pb2.Date
    def __init__(self, evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class SupervisionTier(_message.Message):
    __slots__ = ("risk_class", "sampling_ratio_bp", "inspections_per_year_centi", "min_score", "max_score")
    RISK_CLASS_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_RATIO_BP_FIELD_NUMBER: _ClassVar[int]
    INSPECTIONS_PER_YEAR_CENTI_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_FIELD_NUMBER: _ClassVar[int]
    MAX_SCORE_FIELD_NUMBER: _ClassVar[int]
    risk_class: RiskClass
    sampling_ratio_bp: int
    inspections_per_year_centi: int
    min_score: int
    max_score: int
    def __init__(self, risk_class: _Optional[_Union[RiskClass, str]] = ..., sampling_ratio_bp: _Optional[int] = ..., inspections_per_year_centi: _Optional[int] = ..., min_score: _Optional[int] = ..., max_score: _Optional[int] = ...) -> None: ...

class GetSupervisionPolicyResponse(_message.Message):
    __slots__ = ("version", "tiers", "grade_points", "grade_sampling")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    GRADE_POINTS_FIELD_NUMBER: _ClassVar[int]
    GRADE_SAMPLING_FIELD_NUMBER: _ClassVar[int]
    version: str
    tiers: _containers.RepeatedCompositeFieldContainer[SupervisionTier]
    grade_points: _containers.RepeatedCompositeFieldContainer[GradePoints]
    grade_sampling: _containers.RepeatedCompositeFieldContainer[GradeSampling]
    def __init__(self, version: _Optional[str] = ..., tiers: _Optional[_Iterable[_Union[SupervisionTier, _Mapping]]] = ..., grade_points: _Optional[_Iterable[_Union[GradePoints, _Mapping]]] = ..., grade_sampling: _Optional[_Iterable[_Union[GradeSampling, _Mapping]]] = ...) -> None: ...

class GradePoints(_message.Message):
    __slots__ = ("scheme", "level", "points")
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    scheme: str
    level: str
    points: int
    def __init__(self, scheme: _Optional[str] = ..., level: _Optional[str] = ..., points: _Optional[int] = ...) -> None: ...

class GradeSampling(_message.Message):
    __slots__ = ("scheme", "levels", "ratio_percent", "legal_basis")
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    RATIO_PERCENT_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    scheme: str
    levels: _containers.RepeatedScalarFieldContainer[str]
    ratio_percent: int
    legal_basis: str
    def __init__(self, scheme: _Optional[str] = ..., levels: _Optional[_Iterable[str]] = ..., ratio_percent: _Optional[int] = ..., legal_basis: _Optional[str] = ...) -> None: ...

class DrawInspectionSampleRequest(_message.Message):
    __slots__ = ("region_prefix", "seed", "evaluated_on", "request_id", "tree_size")
    REGION_PREFIX_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    region_prefix: str
    seed: bytes
    evaluated_on: _date_pb2.Date
    request_id: str
    tree_size: int
    def __init__(self, region_prefix: _Optional[str] = ..., seed: _Optional[bytes] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., request_id: _Optional[str] = ..., tree_size: _Optional[int] = ...) -> None: ...

class InspectionSample(_message.Message):
    __slots__ = ("draw_id", "region_prefix", "seed", "evaluated_on", "policy_version", "drawn_at", "drawn_by", "tree_size", "sampled_codes")
    DRAW_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_PREFIX_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    DRAWN_AT_FIELD_NUMBER: _ClassVar[int]
    DRAWN_BY_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SAMPLED_CODES_FIELD_NUMBER: _ClassVar[int]
    draw_id: str
    region_prefix: str
    seed: bytes
    evaluated_on: _date_pb2.Date
    policy_version: str
    drawn_at: _timestamp_pb2.Timestamp
    drawn_by: str
    tree_size: int
    sampled_codes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, draw_id: _Optional[str] = ..., region_prefix: _Optional[str] = ..., seed: _Optional[bytes] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., policy_version: _Optional[str] = ..., drawn_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., drawn_by: _Optional[str] = ..., tree_size: _Optional[int] = ..., sampled_codes: _Optional[_Iterable[str]] = ...) -> None: ...

class DrawInspectionSampleResponse(_message.Message):
    __slots__ = ("sample",)
    SAMPLE_FIELD_NUMBER: _ClassVar[int]
    sample: InspectionSample
    def __init__(self, sample: _Optional[_Union[InspectionSample, _Mapping]] = ...) -> None: ...

class GetInspectionSampleRequest(_message.Message):
    __slots__ = ("draw_id",)
    DRAW_ID_FIELD_NUMBER: _ClassVar[int]
    draw_id: str
    def __init__(self, draw_id: _Optional[str] = ...) -> None: ...

class GetInspectionSampleResponse(_message.Message):
    __slots__ = ("sample",)
    SAMPLE_FIELD_NUMBER: _ClassVar[int]
    sample: InspectionSample
    def __init__(self, sample: _Optional[_Union[InspectionSample, _Mapping]] = ...) -> None: ...

class GetSpotCheckStatisticsRequest(_message.Message):
    __slots__ = ("region_prefix", "until")
    REGION_PREFIX_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    region_prefix: str
    until: _date_pb2.Date
    def __init__(self, region_prefix: _Optional[str] = ..., until: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., **kwargs) -> None: ...

class SpotCheckStatistic(_message.Message):
    __slots__ = ("category", "product_class", "checked", "passed", "pass_rate_bp")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CLASS_FIELD_NUMBER: _ClassVar[int]
    CHECKED_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    PASS_RATE_BP_FIELD_NUMBER: _ClassVar[int]
    category: str
    product_class: str
    checked: int
    passed: int
    pass_rate_bp: int
    def __init__(self, category: _Optional[str] = ..., product_class: _Optional[str] = ..., checked: _Optional[int] = ..., passed: _Optional[int] = ..., pass_rate_bp: _Optional[int] = ...) -> None: ...

class GetSpotCheckStatisticsResponse(_message.Message):
    __slots__ = ("rows", "total")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[SpotCheckStatistic]
    total: SpotCheckStatistic
    def __init__(self, rows: _Optional[_Iterable[_Union[SpotCheckStatistic, _Mapping]]] = ..., total: _Optional[_Union[SpotCheckStatistic, _Mapping]] = ...) -> None: ...

class GetPenaltyStatisticsRequest(_message.Message):
    __slots__ = ("region_prefix", "until")
    REGION_PREFIX_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    region_prefix: str
    until: _date_pb2.Date
    def __init__(self, region_prefix: _Optional[str] = ..., until: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., **kwargs) -> None: ...

class PenaltyStatistic(_message.Message):
    __slots__ = ("category", "penalties", "fines_fen", "revoked")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PENALTIES_FIELD_NUMBER: _ClassVar[int]
    FINES_FEN_FIELD_NUMBER: _ClassVar[int]
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    category: str
    penalties: int
    fines_fen: int
    revoked: int
    def __init__(self, category: _Optional[str] = ..., penalties: _Optional[int] = ..., fines_fen: _Optional[int] = ..., revoked: _Optional[int] = ...) -> None: ...

class GetPenaltyStatisticsResponse(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[PenaltyStatistic]
    def __init__(self, rows: _Optional[_Iterable[_Union[PenaltyStatistic, _Mapping]]] = ...) -> None: ...

class GetGradeStatisticsRequest(_message.Message):
    __slots__ = ("region_prefix", "scheme", "evaluated_on")
    REGION_PREFIX_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    region_prefix: str
    scheme: str
    evaluated_on: _date_pb2.Date
    def __init__(self, region_prefix: _Optional[str] = ..., scheme: _Optional[str] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class GradeStatistic(_message.Message):
    __slots__ = ("level", "meaning_zh", "entities")
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    MEANING_ZH_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    level: str
    meaning_zh: str
    entities: int
    def __init__(self, level: _Optional[str] = ..., meaning_zh: _Optional[str] = ..., entities: _Optional[int] = ...) -> None: ...

class GetGradeStatisticsResponse(_message.Message):
    __slots__ = ("rows", "evaluated_on", "schemes_version", "not_rated")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    SCHEMES_VERSION_FIELD_NUMBER: _ClassVar[int]
    NOT_RATED_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[GradeStatistic]
    evaluated_on: _date_pb2.Date
    schemes_version: str
    not_rated: int
    def __init__(self, rows: _Optional[_Iterable[_Union[GradeStatistic, _Mapping]]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., schemes_version: _Optional[str] = ..., not_rated: _Optional[int] = ...) -> None: ...
