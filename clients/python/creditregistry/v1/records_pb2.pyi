import datetime

from creditregistry.v1 import types_pb2 as _types_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProfileStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROFILE_STATUS_UNSPECIFIED: _ClassVar[ProfileStatus]
    PROFILE_STATUS_NO_RECORDS: _ClassVar[ProfileStatus]
    PROFILE_STATUS_HAS_RECORDS: _ClassVar[ProfileStatus]

class AuthorityKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUTHORITY_KIND_UNSPECIFIED: _ClassVar[AuthorityKind]
    AUTHORITY_KIND_MARKET_REGULATION: _ClassVar[AuthorityKind]
    AUTHORITY_KIND_DRUG_REGULATION: _ClassVar[AuthorityKind]
    AUTHORITY_KIND_TAX: _ClassVar[AuthorityKind]
    AUTHORITY_KIND_COURT: _ClassVar[AuthorityKind]
    AUTHORITY_KIND_PROCUREMENT_SUPERVISION: _ClassVar[AuthorityKind]
    AUTHORITY_KIND_BIDDING_SUPERVISION: _ClassVar[AuthorityKind]
    AUTHORITY_KIND_ECOLOGY: _ClassVar[AuthorityKind]
    AUTHORITY_KIND_EMERGENCY_MANAGEMENT: _ClassVar[AuthorityKind]
    AUTHORITY_KIND_OTHER: _ClassVar[AuthorityKind]

class SearchMatch(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEARCH_MATCH_UNSPECIFIED: _ClassVar[SearchMatch]
    SEARCH_MATCH_CODE: _ClassVar[SearchMatch]
    SEARCH_MATCH_FULL_NAME: _ClassVar[SearchMatch]
    SEARCH_MATCH_FORMER_NAME: _ClassVar[SearchMatch]
    SEARCH_MATCH_SHORT_NAME: _ClassVar[SearchMatch]
    SEARCH_MATCH_ONE_CHARACTER_OFF: _ClassVar[SearchMatch]
    SEARCH_MATCH_PARTIAL: _ClassVar[SearchMatch]
PROFILE_STATUS_UNSPECIFIED: ProfileStatus
PROFILE_STATUS_NO_RECORDS: ProfileStatus
PROFILE_STATUS_HAS_RECORDS: ProfileStatus
AUTHORITY_KIND_UNSPECIFIED: AuthorityKind
AUTHORITY_KIND_MARKET_REGULATION: AuthorityKind
AUTHORITY_KIND_DRUG_REGULATION: AuthorityKind
AUTHORITY_KIND_TAX: AuthorityKind
AUTHORITY_KIND_COURT: AuthorityKind
AUTHORITY_KIND_PROCUREMENT_SUPERVISION: AuthorityKind
AUTHORITY_KIND_BIDDING_SUPERVISION: AuthorityKind
AUTHORITY_KIND_ECOLOGY: AuthorityKind
AUTHORITY_KIND_EMERGENCY_MANAGEMENT: AuthorityKind
AUTHORITY_KIND_OTHER: AuthorityKind
SEARCH_MATCH_UNSPECIFIED: SearchMatch
SEARCH_MATCH_CODE: SearchMatch
SEARCH_MATCH_FULL_NAME: SearchMatch
SEARCH_MATCH_FORMER_NAME: SearchMatch
SEARCH_MATCH_SHORT_NAME: SearchMatch
SEARCH_MATCH_ONE_CHARACTER_OFF: SearchMatch
SEARCH_MATCH_PARTIAL: SearchMatch

class RecordPenaltyRequest(_message.Message):
    __slots__ = ("request_id", "uscc", "penalty")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PENALTY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    uscc: str
    penalty: _types_pb2.Penalty
    def __init__(self, request_id: _Optional[str] = ..., uscc: _Optional[str] = ..., penalty: _Optional[_Union[_types_pb2.Penalty, _Mapping]] = ...) -> None: ...

class RecordPenaltyResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay", "party_name_match")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_MATCH_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    party_name_match: _types_pb2.NameMatch
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ..., party_name_match: _Optional[_Union[_types_pb2.NameMatch, _Mapping]] = ...) -> None: ...

class CorrectPenaltyRequest(_message.Message):
    __slots__ = ("request_id", "correction")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    correction: _types_pb2.PenaltyCorrection
    def __init__(self, request_id: _Optional[str] = ..., correction: _Optional[_Union[_types_pb2.PenaltyCorrection, _Mapping]] = ...) -> None: ...

class CorrectPenaltyResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ...) -> None: ...

class RecordSpotCheckRequest(_message.Message):
    __slots__ = ("request_id", "uscc", "spot_check")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    SPOT_CHECK_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    uscc: str
    spot_check: _types_pb2.SpotCheck
    def __init__(self, request_id: _Optional[str] = ..., uscc: _Optional[str] = ..., spot_check: _Optional[_Union[_types_pb2.SpotCheck, _Mapping]] = ...) -> None: ...

class RecordSpotCheckResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay", "party_name_match")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_MATCH_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    party_name_match: _types_pb2.NameMatch
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ..., party_name_match: _Optional[_Union[_types_pb2.NameMatch, _Mapping]] = ...) -> None: ...

class RecordCommendationRequest(_message.Message):
    __slots__ = ("request_id", "uscc", "commendation")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    COMMENDATION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    uscc: str
    commendation: _types_pb2.Commendation
    def __init__(self, request_id: _Optional[str] = ..., uscc: _Optional[str] = ..., commendation: _Optional[_Union[_types_pb2.Commendation, _Mapping]] = ...) -> None: ...

class RecordCommendationResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay", "party_name_match")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_MATCH_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    party_name_match: _types_pb2.NameMatch
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ..., party_name_match: _Optional[_Union[_types_pb2.NameMatch, _Mapping]] = ...) -> None: ...

class RecordListingRequest(_message.Message):
    __slots__ = ("request_id", "uscc", "listing")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    LISTING_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    uscc: str
    listing: _types_pb2.Listing
    def __init__(self, request_id: _Optional[str] = ..., uscc: _Optional[str] = ..., listing: _Optional[_Union[_types_pb2.Listing, _Mapping]] = ...) -> None: ...

class RecordListingResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay", "party_name_match")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_MATCH_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    party_name_match: _types_pb2.NameMatch
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ..., party_name_match: _Optional[_Union[_types_pb2.NameMatch, _Mapping]] = ...) -> None: ...

class RecordGradeRequest(_message.Message):
    __slots__ = ("request_id", "uscc", "grade")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    uscc: str
    grade: _types_pb2.Grade
    def __init__(self, request_id: _Optional[str] = ..., uscc: _Optional[str] = ..., grade: _Optional[_Union[_types_pb2.Grade, _Mapping]] = ...) -> None: ...

class RecordGradeResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay", "party_name_match")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    PARTY_NAME_MATCH_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    party_name_match: _types_pb2.NameMatch
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ..., party_name_match: _Optional[_Union[_types_pb2.NameMatch, _Mapping]] = ...) -> None: ...

class ChangeGradeRequest(_message.Message):
    __slots__ = ("request_id", "change")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    change: _types_pb2.GradeChange
    def __init__(self, request_id: _Optional[str] = ..., change: _Optional[_Union[_types_pb2.GradeChange, _Mapping]] = ...) -> None: ...

class ChangeGradeResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ...) -> None: ...

class RemoveListingRequest(_message.Message):
    __slots__ = ("request_id", "removal")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REMOVAL_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    removal: _types_pb2.Removal
    def __init__(self, request_id: _Optional[str] = ..., removal: _Optional[_Union[_types_pb2.Removal, _Mapping]] = ...) -> None: ...

class RemoveListingResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ...) -> None: ...

class RequestRepairRequest(_message.Message):
    __slots__ = ("request_id", "application")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application: _types_pb2.RepairApplication
    def __init__(self, request_id: _Optional[str] = ..., application: _Optional[_Union[_types_pb2.RepairApplication, _Mapping]] = ...) -> None: ...

class RequestRepairResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ...) -> None: ...

class DecideRepairRequest(_message.Message):
    __slots__ = ("request_id", "decision")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    decision: _types_pb2.RepairDecision
    def __init__(self, request_id: _Optional[str] = ..., decision: _Optional[_Union[_types_pb2.RepairDecision, _Mapping]] = ...) -> None: ...

class DecideRepairResponse(_message.Message):
    __slots__ = ("record", "idempotent_replay")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    record: _types_pb2.Record
    idempotent_replay: bool
    def __init__(self, record: _Optional[_Union[_types_pb2.Record, _Mapping]] = ..., idempotent_replay: _Optional[bool] = ...) -> None: ...

class GetProfileRequest(_message.Message):
    __slots__ = ("uscc", "evaluated_on", "min_sequence", "known_at")
    USCC_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    MIN_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    evaluated_on: _date_pb2.Date
    min_sequence: int
    known_at: _timestamp_pb2.Timestamp
    def __init__(self, uscc: _Optional[str] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., min_sequence: _Optional[int] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetProfileResponse(_message.Message):
    __slots__ = ("uscc", "status", "evaluated_on", "current_listings", "records", "total_records", "latest_sequence", "grades_in_force", "names", "current_listing_authority_names")
    class CurrentListingAuthorityNamesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    USCC_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    CURRENT_LISTINGS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_RECORDS_FIELD_NUMBER: _ClassVar[int]
    LATEST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    GRADES_IN_FORCE_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    CURRENT_LISTING_AUTHORITY_NAMES_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    status: ProfileStatus
    evaluated_on: _date_pb2.Date
    current_listings: _containers.RepeatedCompositeFieldContainer[_types_pb2.Record]
    records: _containers.RepeatedCompositeFieldContainer[_types_pb2.RecordEntry]
    total_records: int
    latest_sequence: int
    grades_in_force: _containers.RepeatedCompositeFieldContainer[_types_pb2.GradeInForce]
    names: _types_pb2.EntityNames
    current_listing_authority_names: _containers.ScalarMap[str, str]
    def __init__(self, uscc: _Optional[str] = ..., status: _Optional[_Union[ProfileStatus, str]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., current_listings: _Optional[_Iterable[_Union[_types_pb2.Record, _Mapping]]] = ..., records: _Optional[_Iterable[_Union[_types_pb2.RecordEntry, _Mapping]]] = ..., total_records: _Optional[int] = ..., latest_sequence: _Optional[int] = ..., grades_in_force: _Optional[_Iterable[_Union[_types_pb2.GradeInForce, _Mapping]]] = ..., names: _Optional[_Union[_types_pb2.EntityNames, _Mapping]] = ..., current_listing_authority_names: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListRecordsRequest(_message.Message):
    __slots__ = ("uscc", "page_size", "page_token", "evaluated_on", "min_sequence", "known_at")
    USCC_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    MIN_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    page_size: int
    page_token: str
    evaluated_on: _date_pb2.Date
    min_sequence: int
    known_at: _timestamp_pb2.Timestamp
    def __init__(self, uscc: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., min_sequence: _Optional[int] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListRecordsResponse(_message.Message):
    __slots__ = ("records", "next_page_token", "total_size")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[_types_pb2.RecordEntry]
    next_page_token: str
    total_size: int
    def __init__(self, records: _Optional[_Iterable[_Union[_types_pb2.RecordEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetRecordRequest(_message.Message):
    __slots__ = ("record_id", "evaluated_on", "known_at")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    evaluated_on: _date_pb2.Date
    known_at: _timestamp_pb2.Timestamp
    def __init__(self, record_id: _Optional[str] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetRecordResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: _types_pb2.RecordEntry
    def __init__(self, entry: _Optional[_Union[_types_pb2.RecordEntry, _Mapping]] = ...) -> None: ...

class Authority(_message.Message):
    __slots__ = ("id", "name", "name_en", "kind", "region", "parent_id", "established", "dissolved", "succeeded_by", "former_names")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_EN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    ESTABLISHED_FIELD_NUMBER: _ClassVar[int]
    DISSOLVED_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_BY_FIELD_NUMBER: _ClassVar[int]
    FORMER_NAMES_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    name_en: str
    kind: AuthorityKind
    region: str
    parent_id: str
    established: _date_pb2.Date
    dissolved: _date_pb2.Date
    succeeded_by: str
    former_names: _containers.RepeatedCompositeFieldContainer[AuthorityFormerName]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., name_en: _Optional[str] = ..., kind: _Optional[_Union[AuthorityKind, str]] = ..., region: _Optional[str] = ..., parent_id: _Optional[str] = ..., established: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., dissolved: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., succeeded_by: _Optional[str] = ..., former_names: _Optional[_Iterable[_Union[AuthorityFormerName, _Mapping]]] = ...) -> None: ...

class AuthorityFormerName(_message.Message):
    __slots__ = ("name", "name_en", "until")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_EN_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    name_en: str
    until: _date_pb2.Date
    def __init__(self, name: _Optional[str] = ..., name_en: _Optional[str] = ..., until: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class ListAuthoritiesRequest(_message.Message):
    __slots__ = ("kind", "region_prefix")
    KIND_FIELD_NUMBER: _ClassVar[int]
    REGION_PREFIX_FIELD_NUMBER: _ClassVar[int]
    kind: AuthorityKind
    region_prefix: str
    def __init__(self, kind: _Optional[_Union[AuthorityKind, str]] = ..., region_prefix: _Optional[str] = ...) -> None: ...

class ListAuthoritiesResponse(_message.Message):
    __slots__ = ("authorities", "directory_version", "directory_effective_from")
    AUTHORITIES_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_VERSION_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    authorities: _containers.RepeatedCompositeFieldContainer[Authority]
    directory_version: str
    directory_effective_from: _date_pb2.Date
    def __init__(self, authorities: _Optional[_Iterable[_Union[Authority, _Mapping]]] = ..., directory_version: _Optional[str] = ..., directory_effective_from: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class GetAuthorityRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetAuthorityResponse(_message.Message):
    __slots__ = ("authority", "directory_version", "directory_effective_from")
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_VERSION_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    authority: Authority
    directory_version: str
    directory_effective_from: _date_pb2.Date
    def __init__(self, authority: _Optional[_Union[Authority, _Mapping]] = ..., directory_version: _Optional[str] = ..., directory_effective_from: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class SearchEntitiesRequest(_message.Message):
    __slots__ = ("query", "limit")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    query: str
    limit: int
    def __init__(self, query: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class SearchHit(_message.Message):
    __slots__ = ("uscc", "current_name", "matched_name", "match")
    USCC_FIELD_NUMBER: _ClassVar[int]
    CURRENT_NAME_FIELD_NUMBER: _ClassVar[int]
    MATCHED_NAME_FIELD_NUMBER: _ClassVar[int]
    MATCH_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    current_name: str
    matched_name: str
    match: SearchMatch
    def __init__(self, uscc: _Optional[str] = ..., current_name: _Optional[str] = ..., matched_name: _Optional[str] = ..., match: _Optional[_Union[SearchMatch, str]] = ...) -> None: ...

class SearchEntitiesResponse(_message.Message):
    __slots__ = ("hits", "tree_size")
    HITS_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[SearchHit]
    tree_size: int
    def __init__(self, hits: _Optional[_Iterable[_Union[SearchHit, _Mapping]]] = ..., tree_size: _Optional[int] = ...) -> None: ...
