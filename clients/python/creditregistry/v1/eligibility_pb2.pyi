import datetime

from creditregistry.v1 import types_pb2 as _types_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CheckEligibilityRequest(_message.Message):
    __slots__ = ("uscc", "domain", "evaluated_on", "min_sequence", "known_at", "declared_name")
    USCC_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    MIN_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    DECLARED_NAME_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    domain: _types_pb2.MeasureDomain
    evaluated_on: _date_pb2.Date
    min_sequence: int
    known_at: _timestamp_pb2.Timestamp
    declared_name: str
    def __init__(self, uscc: _Optional[str] = ..., domain: _Optional[_Union[_types_pb2.MeasureDomain, str]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., min_sequence: _Optional[int] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., declared_name: _Optional[str] = ...) -> None: ...

class CheckEligibilityResponse(_message.Message):
    __slots__ = ("decision", "receipt")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    decision: _types_pb2.Decision
    receipt: _types_pb2.Receipt
    def __init__(self, decision: _Optional[_Union[_types_pb2.Decision, _Mapping]] = ..., receipt: _Optional[_Union[_types_pb2.Receipt, _Mapping]] = ...) -> None: ...

class BatchCheckEligibilityRequest(_message.Message):
    __slots__ = ("codes", "domain", "evaluated_on", "min_sequence", "known_at", "declared_names")
    CODES_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    MIN_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    DECLARED_NAMES_FIELD_NUMBER: _ClassVar[int]
    codes: _containers.RepeatedScalarFieldContainer[str]
    domain: _types_pb2.MeasureDomain
    evaluated_on: _date_pb2.Date
    min_sequence: int
    known_at: _timestamp_pb2.Timestamp
    declared_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, codes: _Optional[_Iterable[str]] = ..., domain: _Optional[_Union[_types_pb2.MeasureDomain, str]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., min_sequence: _Optional[int] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., declared_names: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchCheckEligibilityResult(_message.Message):
    __slots__ = ("requested_code", "decision", "error", "repeats_index")
    REQUESTED_CODE_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REPEATS_INDEX_FIELD_NUMBER: _ClassVar[int]
    requested_code: str
    decision: _types_pb2.Decision
    error: _status_pb2.Status
    repeats_index: int
    def __init__(self, requested_code: _Optional[str] = ..., decision: _Optional[_Union[_types_pb2.Decision, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., repeats_index: _Optional[int] = ...) -> None: ...

class BatchCheckEligibilityResponse(_message.Message):
    __slots__ = ("results", "receipt")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BatchCheckEligibilityResult]
    receipt: _types_pb2.Receipt
    def __init__(self, results: _Optional[_Iterable[_Union[BatchCheckEligibilityResult, _Mapping]]] = ..., receipt: _Optional[_Union[_types_pb2.Receipt, _Mapping]] = ...) -> None: ...

class CheckConsortiumRequest(_message.Message):
    __slots__ = ("member_codes", "domain", "evaluated_on", "min_sequence", "known_at", "member_declared_names")
    MEMBER_CODES_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    MIN_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    MEMBER_DECLARED_NAMES_FIELD_NUMBER: _ClassVar[int]
    member_codes: _containers.RepeatedScalarFieldContainer[str]
    domain: _types_pb2.MeasureDomain
    evaluated_on: _date_pb2.Date
    min_sequence: int
    known_at: _timestamp_pb2.Timestamp
    member_declared_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, member_codes: _Optional[_Iterable[str]] = ..., domain: _Optional[_Union[_types_pb2.MeasureDomain, str]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., min_sequence: _Optional[int] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., member_declared_names: _Optional[_Iterable[str]] = ...) -> None: ...

class CheckConsortiumResponse(_message.Message):
    __slots__ = ("eligibility", "member_decisions", "barred_members", "receipt")
    ELIGIBILITY_FIELD_NUMBER: _ClassVar[int]
    MEMBER_DECISIONS_FIELD_NUMBER: _ClassVar[int]
    BARRED_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    eligibility: _types_pb2.Eligibility
    member_decisions: _containers.RepeatedCompositeFieldContainer[_types_pb2.Decision]
    barred_members: _containers.RepeatedScalarFieldContainer[str]
    receipt: _types_pb2.Receipt
    def __init__(self, eligibility: _Optional[_Union[_types_pb2.Eligibility, str]] = ..., member_decisions: _Optional[_Iterable[_Union[_types_pb2.Decision, _Mapping]]] = ..., barred_members: _Optional[_Iterable[str]] = ..., receipt: _Optional[_Union[_types_pb2.Receipt, _Mapping]] = ...) -> None: ...

class GetMeasureCatalogueRequest(_message.Message):
    __slots__ = ("evaluated_on",)
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    evaluated_on: _date_pb2.Date
    def __init__(self, evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class MeasureTrigger(_message.Message):
    __slots__ = ("list_types", "sanctions", "min_severity", "min_fine_fen", "lookback_months", "sector_fines", "grade_scheme", "grade_levels", "commendation_kinds")
    LIST_TYPES_FIELD_NUMBER: _ClassVar[int]
    SANCTIONS_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MIN_FINE_FEN_FIELD_NUMBER: _ClassVar[int]
    LOOKBACK_MONTHS_FIELD_NUMBER: _ClassVar[int]
    SECTOR_FINES_FIELD_NUMBER: _ClassVar[int]
    GRADE_SCHEME_FIELD_NUMBER: _ClassVar[int]
    GRADE_LEVELS_FIELD_NUMBER: _ClassVar[int]
    COMMENDATION_KINDS_FIELD_NUMBER: _ClassVar[int]
    list_types: _containers.RepeatedScalarFieldContainer[_types_pb2.ListType]
    sanctions: _containers.RepeatedScalarFieldContainer[_types_pb2.Sanction]
    min_severity: _types_pb2.SeverityTier
    min_fine_fen: int
    lookback_months: int
    sector_fines: _containers.RepeatedCompositeFieldContainer[SectorFine]
    grade_scheme: str
    grade_levels: _containers.RepeatedScalarFieldContainer[str]
    commendation_kinds: _containers.RepeatedScalarFieldContainer[_types_pb2.CommendationKind]
    def __init__(self, list_types: _Optional[_Iterable[_Union[_types_pb2.ListType, str]]] = ..., sanctions: _Optional[_Iterable[_Union[_types_pb2.Sanction, str]]] = ..., min_severity: _Optional[_Union[_types_pb2.SeverityTier, str]] = ..., min_fine_fen: _Optional[int] = ..., lookback_months: _Optional[int] = ..., sector_fines: _Optional[_Iterable[_Union[SectorFine, _Mapping]]] = ..., grade_scheme: _Optional[str] = ..., grade_levels: _Optional[_Iterable[str]] = ..., commendation_kinds: _Optional[_Iterable[_Union[_types_pb2.CommendationKind, str]]] = ...) -> None: ...

class SectorFine(_message.Message):
    __slots__ = ("categories", "min_fine_fen", "legal_basis")
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    MIN_FINE_FEN_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedScalarFieldContainer[_types_pb2.Category]
    min_fine_fen: int
    legal_basis: str
    def __init__(self, categories: _Optional[_Iterable[_Union[_types_pb2.Category, str]]] = ..., min_fine_fen: _Optional[int] = ..., legal_basis: _Optional[str] = ...) -> None: ...

class Measure(_message.Message):
    __slots__ = ("code", "domain", "effect", "trigger", "duration", "legal_basis", "description_zh", "description_en", "incentive", "lifted_by_repair")
    CODE_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_ZH_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_EN_FIELD_NUMBER: _ClassVar[int]
    INCENTIVE_FIELD_NUMBER: _ClassVar[int]
    LIFTED_BY_REPAIR_FIELD_NUMBER: _ClassVar[int]
    code: str
    domain: _types_pb2.MeasureDomain
    effect: _types_pb2.Eligibility
    trigger: MeasureTrigger
    duration: str
    legal_basis: str
    description_zh: str
    description_en: str
    incentive: str
    lifted_by_repair: bool
    def __init__(self, code: _Optional[str] = ..., domain: _Optional[_Union[_types_pb2.MeasureDomain, str]] = ..., effect: _Optional[_Union[_types_pb2.Eligibility, str]] = ..., trigger: _Optional[_Union[MeasureTrigger, _Mapping]] = ..., duration: _Optional[str] = ..., legal_basis: _Optional[str] = ..., description_zh: _Optional[str] = ..., description_en: _Optional[str] = ..., incentive: _Optional[str] = ..., lifted_by_repair: _Optional[bool] = ...) -> None: ...

class GetMeasureCatalogueResponse(_message.Message):
    __slots__ = ("version", "measures")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    MEASURES_FIELD_NUMBER: _ClassVar[int]
    version: str
    measures: _containers.RepeatedCompositeFieldContainer[Measure]
    def __init__(self, version: _Optional[str] = ..., measures: _Optional[_Iterable[_Union[Measure, _Mapping]]] = ...) -> None: ...
