"""A small helper around the generated creditregistry.v1 stubs.

It does three things and nothing more:

* ``connect(target, token)`` opens a channel that sends
  ``authorization: Bearer <token>`` with every call and returns the four
  service stubs;
* ``date(y, m, d)`` and ``today_cst()`` build ``google.type.Date`` values
  (the registry's dates are calendar dates in China Standard Time, UTC+8);
* ``error_details(rpc_error)`` decodes the ``google.rpc`` details the server
  puts in the ``grpc-status-details-bin`` trailer: the ``ErrorInfo`` reason
  and the ``BadRequest`` field violations;
* ``check_tender(client, codes, deadline)`` checks a tender's bidders as of
  its response deadline (截止时点), the date the law judges eligibility on.

The request and response messages are the generated ones, used as they are:
``from creditregistry.v1 import records_pb2, types_pb2``.
"""

from __future__ import annotations

import collections
import datetime
from typing import List, NamedTuple, Optional, Tuple

import grpc
from google.rpc import error_details_pb2, status_pb2
from google.type import date_pb2
from grpc_status import rpc_status

from .v1 import (
    audit_pb2_grpc,
    eligibility_pb2,
    eligibility_pb2_grpc,
    records_pb2_grpc,
    supervision_pb2_grpc,
    types_pb2,
)

__all__ = [
    "CST",
    "Client",
    "ErrorDetails",
    "check_tender",
    "connect",
    "date",
    "error_details",
    "today_cst",
]

#: The registry's legal time zone: China Standard Time, UTC+8, no DST.
CST = datetime.timezone(datetime.timedelta(hours=8), "CST")


# --------------------------------------------------------------------------
# Connecting


class _CallDetails(
    collections.namedtuple(
        "_CallDetails",
        ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression"),
    ),
    grpc.ClientCallDetails,
):
    pass


class _BearerToken(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds ``authorization: Bearer <token>`` to the metadata of every call.

    An interceptor rather than call credentials, because gRPC Python only
    attaches call credentials to TLS (or local) channels and the development
    server speaks plain text.
    """

    def __init__(self, token: str):
        self._header = ("authorization", f"Bearer {token}")

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata = [m for m in (details.metadata or ()) if m[0] != "authorization"]
        metadata.append(self._header)
        return _CallDetails(
            details.method,
            details.timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)


class Client:
    """The channel and the four service stubs. Close it, or use ``with``."""

    def __init__(self, channel: grpc.Channel):
        self.channel = channel
        self.records = records_pb2_grpc.RecordsServiceStub(channel)
        self.eligibility = eligibility_pb2_grpc.EligibilityServiceStub(channel)
        self.supervision = supervision_pb2_grpc.SupervisionServiceStub(channel)
        self.audit = audit_pb2_grpc.AuditServiceStub(channel)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _is_local(target: str) -> bool:
    """True for unix sockets and loopback addresses (``127.0.0.1:50051``,
    ``localhost:50051``, ``[::1]:50051``, with or without ``dns:///``)."""
    if target.startswith(("unix:", "unix-abstract:")):
        return True
    if target.startswith("dns:"):
        target = target[len("dns:"):].lstrip("/")
    if target.startswith("["):
        host = target[1:].split("]", 1)[0]
    else:
        host = target.rsplit(":", 1)[0] if target.count(":") == 1 else target
    return host.lower() in _LOCAL_HOSTS or host.startswith("127.")


def connect(
    target: str,
    token: Optional[str] = None,
    *,
    tls: Optional[bool] = None,
    root_certificates: Optional[bytes] = None,
    options: Optional[List[Tuple[str, object]]] = None,
) -> Client:
    """Connects to the registry at ``target`` (``host:port``).

    Every call carries ``authorization: Bearer <token>``; with no token, no
    header is sent (only ``grpc.health.v1`` answers such calls). The channel
    is plain text for loopback addresses and unix sockets, TLS otherwise;
    ``tls`` forces either (``root_certificates``: PEM, system roots when
    unset). Connecting is lazy: errors show up on the first call.
    """
    if tls is None:
        tls = not _is_local(target)
    if tls:
        channel = grpc.secure_channel(
            target, grpc.ssl_channel_credentials(root_certificates), options=options
        )
    else:
        channel = grpc.insecure_channel(target, options=options)
    if token:
        channel = grpc.intercept_channel(channel, _BearerToken(token.strip()))
    return Client(channel)


# --------------------------------------------------------------------------
# Dates


def date(year: int, month: int, day: int) -> date_pb2.Date:
    """A ``google.type.Date``; checks that the date exists."""
    datetime.date(year, month, day)  # raises ValueError for 2024-02-30 etc.
    return date_pb2.Date(year=year, month=month, day=day)


def today_cst() -> date_pb2.Date:
    """Today's date in China Standard Time (UTC+8), the registry's "today"."""
    today = datetime.datetime.now(CST).date()
    return date_pb2.Date(year=today.year, month=today.month, day=today.day)


# --------------------------------------------------------------------------
# Tenders


def check_tender(
    client: "Client",
    codes: List[str],
    deadline: datetime.date,
    *,
    domain: int = types_pb2.MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT,
    min_sequence: int = 0,
    declared_names: Optional[List[str]] = None,
    timeout: Optional[float] = None,
) -> eligibility_pb2.BatchCheckEligibilityResponse:
    """Checks a tender's bidders as of its response deadline.

    Eligibility is judged as of the response deadline (截止时点) in the
    tender documents, and the 3-year lookback of the procurement bar counts
    back from it, so ``deadline`` (a calendar date in UTC+8) is sent as
    ``evaluated_on``. Up to 1,000 codes; a malformed code fails only its own
    entry. The response carries one signed receipt for the whole check:
    keep its bytes as the tender's evidence.

    ``declared_names``, one per code (``""`` for none), are the names the
    bidders declared: each decision's ``name_match`` says whether the name
    is the one on record (EXACT, FORMER_NAME, MISMATCH, UNKNOWN). A
    mismatch never changes eligibility; it flags a code that may belong to
    another company.
    """
    return client.eligibility.BatchCheckEligibility(
        eligibility_pb2.BatchCheckEligibilityRequest(
            codes=codes,
            domain=domain,
            evaluated_on=date(deadline.year, deadline.month, deadline.day),
            min_sequence=min_sequence,
            declared_names=declared_names or [],
        ),
        timeout=timeout,
    )


# --------------------------------------------------------------------------
# Errors


class ErrorDetails(NamedTuple):
    """What the server said about a failed call, beyond code and message."""

    #: ``ErrorInfo.reason``, e.g. ``TOKEN_MISSING`` or ``INVALID_ARGUMENT``;
    #: None when the error carries no ErrorInfo.
    reason: Optional[str]
    #: ``BadRequest`` field violations as (field, description), in order.
    field_violations: List[Tuple[str, str]]


_DETAILS_TRAILER = "grpc-status-details-bin"


def _status(rpc_error: grpc.RpcError) -> Optional[status_pb2.Status]:
    try:
        return rpc_status.from_call(rpc_error)
    except ValueError:
        # from_call insists that the trailer's code and message equal the
        # call's; read the details anyway if the two disagree.
        for key, value in rpc_error.trailing_metadata() or ():
            if key == _DETAILS_TRAILER:
                return status_pb2.Status.FromString(value)
        return None


def error_details(rpc_error: grpc.RpcError) -> ErrorDetails:
    """Decodes the ``google.rpc.Status`` details of a failed call.

    ``rpc_error`` is the ``grpc.RpcError`` a stub call raised. Returns
    ``ErrorDetails(reason, field_violations)``; unpacks as a pair.
    """
    reason: Optional[str] = None
    violations: List[Tuple[str, str]] = []
    status = _status(rpc_error) if hasattr(rpc_error, "trailing_metadata") else None
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations.extend((v.field, v.description) for v in bad_request.field_violations)
    return ErrorDetails(reason, violations)
