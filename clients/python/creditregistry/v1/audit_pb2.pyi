import datetime

from creditregistry.v1 import types_pb2 as _types_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetCheckpointRequest(_message.Message):
    __slots__ = ("tree_size",)
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    tree_size: int
    def __init__(self, tree_size: _Optional[int] = ...) -> None: ...

class GetCheckpointResponse(_message.Message):
    __slots__ = ("checkpoint",)
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    checkpoint: _types_pb2.SignedCheckpoint
    def __init__(self, checkpoint: _Optional[_Union[_types_pb2.SignedCheckpoint, _Mapping]] = ...) -> None: ...

class ListCheckpointsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCheckpointsResponse(_message.Message):
    __slots__ = ("checkpoints", "next_page_token")
    CHECKPOINTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    checkpoints: _containers.RepeatedCompositeFieldContainer[_types_pb2.SignedCheckpoint]
    next_page_token: str
    def __init__(self, checkpoints: _Optional[_Iterable[_Union[_types_pb2.SignedCheckpoint, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateCheckpointRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateCheckpointResponse(_message.Message):
    __slots__ = ("checkpoint",)
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    checkpoint: _types_pb2.SignedCheckpoint
    def __init__(self, checkpoint: _Optional[_Union[_types_pb2.SignedCheckpoint, _Mapping]] = ...) -> None: ...

class GetInclusionProofRequest(_message.Message):
    __slots__ = ("record_id", "sequence", "tree_size")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    sequence: int
    tree_size: int
    def __init__(self, record_id: _Optional[str] = ..., sequence: _Optional[int] = ..., tree_size: _Optional[int] = ...) -> None: ...

class GetInclusionProofResponse(_message.Message):
    __slots__ = ("sequence", "leaf_index", "tree_size", "leaf_hash", "hashes", "checkpoint")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    LEAF_HASH_FIELD_NUMBER: _ClassVar[int]
    HASHES_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    hashes: _containers.RepeatedScalarFieldContainer[bytes]
    checkpoint: _types_pb2.SignedCheckpoint
    def __init__(self, sequence: _Optional[int] = ..., leaf_index: _Optional[int] = ..., tree_size: _Optional[int] = ..., leaf_hash: _Optional[bytes] = ..., hashes: _Optional[_Iterable[bytes]] = ..., checkpoint: _Optional[_Union[_types_pb2.SignedCheckpoint, _Mapping]] = ...) -> None: ...

class GetConsistencyProofRequest(_message.Message):
    __slots__ = ("first_tree_size", "second_tree_size")
    FIRST_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SECOND_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    first_tree_size: int
    second_tree_size: int
    def __init__(self, first_tree_size: _Optional[int] = ..., second_tree_size: _Optional[int] = ...) -> None: ...

class GetConsistencyProofResponse(_message.Message):
    __slots__ = ("first_tree_size", "second_tree_size", "hashes")
    FIRST_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SECOND_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    HASHES_FIELD_NUMBER: _ClassVar[int]
    first_tree_size: int
    second_tree_size: int
    hashes: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, first_tree_size: _Optional[int] = ..., second_tree_size: _Optional[int] = ..., hashes: _Optional[_Iterable[bytes]] = ...) -> None: ...

class GetEntityHistoryRequest(_message.Message):
    __slots__ = ("uscc", "known_at", "evaluated_on", "page_size", "page_token")
    USCC_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    known_at: _timestamp_pb2.Timestamp
    evaluated_on: _date_pb2.Date
    page_size: int
    page_token: str
    def __init__(self, uscc: _Optional[str] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class HistoryEntry(_message.Message):
    __slots__ = ("entry", "canonical_record", "leaf_hash")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    CANONICAL_RECORD_FIELD_NUMBER: _ClassVar[int]
    LEAF_HASH_FIELD_NUMBER: _ClassVar[int]
    entry: _types_pb2.RecordEntry
    canonical_record: bytes
    leaf_hash: bytes
    def __init__(self, entry: _Optional[_Union[_types_pb2.RecordEntry, _Mapping]] = ..., canonical_record: _Optional[bytes] = ..., leaf_hash: _Optional[bytes] = ...) -> None: ...

class GetEntityHistoryResponse(_message.Message):
    __slots__ = ("entries", "current_listings", "next_page_token", "tree_size", "current_listing_authority_names")
    class CurrentListingAuthorityNamesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    CURRENT_LISTINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_LISTING_AUTHORITY_NAMES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[HistoryEntry]
    current_listings: _containers.RepeatedCompositeFieldContainer[_types_pb2.Record]
    next_page_token: str
    tree_size: int
    current_listing_authority_names: _containers.ScalarMap[str, str]
    def __init__(self, entries: _Optional[_Iterable[_Union[HistoryEntry, _Mapping]]] = ..., current_listings: _Optional[_Iterable[_Union[_types_pb2.Record, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., tree_size: _Optional[int] = ..., current_listing_authority_names: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ExportLedgerRequest(_message.Message):
    __slots__ = ("from_sequence", "to_sequence")
    FROM_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TO_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    from_sequence: int
    to_sequence: int
    def __init__(self, from_sequence: _Optional[int] = ..., to_sequence: _Optional[int] = ...) -> None: ...

class ExportLedgerResponse(_message.Message):
    __slots__ = ("sequence", "recorded_at", "record", "leaf_hash")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    LEAF_HASH_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    recorded_at: _timestamp_pb2.Timestamp
    record: bytes
    leaf_hash: bytes
    def __init__(self, sequence: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., record: _Optional[bytes] = ..., leaf_hash: _Optional[bytes] = ...) -> None: ...

class CheckLogEntry(_message.Message):
    __slots__ = ("sequence", "checked_at", "caller_subject", "caller_organisation", "codes", "domain", "evaluated_on", "eligibilities", "receipt_id", "chain_hash", "kind", "known_at", "tree_size", "declared_names", "name_matches")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CHECKED_AT_FIELD_NUMBER: _ClassVar[int]
    CALLER_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CALLER_ORGANISATION_FIELD_NUMBER: _ClassVar[int]
    CODES_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    ELIGIBILITIES_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_ID_FIELD_NUMBER: _ClassVar[int]
    CHAIN_HASH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    KNOWN_AT_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    DECLARED_NAMES_FIELD_NUMBER: _ClassVar[int]
    NAME_MATCHES_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    checked_at: _timestamp_pb2.Timestamp
    caller_subject: str
    caller_organisation: str
    codes: _containers.RepeatedScalarFieldContainer[str]
    domain: _types_pb2.MeasureDomain
    evaluated_on: _date_pb2.Date
    eligibilities: _containers.RepeatedScalarFieldContainer[_types_pb2.Eligibility]
    receipt_id: str
    chain_hash: bytes
    kind: _types_pb2.CheckKind
    known_at: _timestamp_pb2.Timestamp
    tree_size: int
    declared_names: _containers.RepeatedScalarFieldContainer[str]
    name_matches: _containers.RepeatedScalarFieldContainer[_types_pb2.NameMatchResult]
    def __init__(self, sequence: _Optional[int] = ..., checked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., caller_subject: _Optional[str] = ..., caller_organisation: _Optional[str] = ..., codes: _Optional[_Iterable[str]] = ..., domain: _Optional[_Union[_types_pb2.MeasureDomain, str]] = ..., evaluated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., eligibilities: _Optional[_Iterable[_Union[_types_pb2.Eligibility, str]]] = ..., receipt_id: _Optional[str] = ..., chain_hash: _Optional[bytes] = ..., kind: _Optional[_Union[_types_pb2.CheckKind, str]] = ..., known_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tree_size: _Optional[int] = ..., declared_names: _Optional[_Iterable[str]] = ..., name_matches: _Optional[_Iterable[_Union[_types_pb2.NameMatchResult, str]]] = ...) -> None: ...

class ListChecksRequest(_message.Message):
    __slots__ = ("caller_subject", "uscc", "checked_from", "checked_until", "page_size", "page_token", "caller_organisation")
    CALLER_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    CHECKED_FROM_FIELD_NUMBER: _ClassVar[int]
    CHECKED_UNTIL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CALLER_ORGANISATION_FIELD_NUMBER: _ClassVar[int]
    caller_subject: str
    uscc: str
    checked_from: _timestamp_pb2.Timestamp
    checked_until: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    caller_organisation: str
    def __init__(self, caller_subject: _Optional[str] = ..., uscc: _Optional[str] = ..., checked_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., checked_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., caller_organisation: _Optional[str] = ...) -> None: ...

class ListChecksResponse(_message.Message):
    __slots__ = ("checks", "next_page_token", "removed_segments")
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REMOVED_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    checks: _containers.RepeatedCompositeFieldContainer[CheckLogEntry]
    next_page_token: str
    removed_segments: _containers.RepeatedCompositeFieldContainer[_types_pb2.SignedCheckSegmentHead]
    def __init__(self, checks: _Optional[_Iterable[_Union[CheckLogEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., removed_segments: _Optional[_Iterable[_Union[_types_pb2.SignedCheckSegmentHead, _Mapping]]] = ...) -> None: ...

class VerifyLedgerRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VerifyLedgerResponse(_message.Message):
    __slots__ = ("ok", "records_checked", "checkpoints_checked", "divergent_sequence", "divergence", "check_log_entries_checked")
    OK_FIELD_NUMBER: _ClassVar[int]
    RECORDS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINTS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    DIVERGENT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    DIVERGENCE_FIELD_NUMBER: _ClassVar[int]
    CHECK_LOG_ENTRIES_CHECKED_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    records_checked: int
    checkpoints_checked: int
    divergent_sequence: int
    divergence: str
    check_log_entries_checked: int
    def __init__(self, ok: _Optional[bool] = ..., records_checked: _Optional[int] = ..., checkpoints_checked: _Optional[int] = ..., divergent_sequence: _Optional[int] = ..., divergence: _Optional[str] = ..., check_log_entries_checked: _Optional[int] = ...) -> None: ...

class GetRegistryKeysRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RegistryKey(_message.Message):
    __slots__ = ("key_id", "algorithm", "public_key_pem", "retired")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_PEM_FIELD_NUMBER: _ClassVar[int]
    RETIRED_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    algorithm: str
    public_key_pem: str
    retired: bool
    def __init__(self, key_id: _Optional[str] = ..., algorithm: _Optional[str] = ..., public_key_pem: _Optional[str] = ..., retired: _Optional[bool] = ...) -> None: ...

class GetRegistryKeysResponse(_message.Message):
    __slots__ = ("keys",)
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[RegistryKey]
    def __init__(self, keys: _Optional[_Iterable[_Union[RegistryKey, _Mapping]]] = ...) -> None: ...
