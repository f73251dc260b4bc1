"""The Python client against the real registry (see conftest.py)."""

from __future__ import annotations

import datetime
import itertools
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import creditregistry
from creditregistry.v1 import audit_pb2, eligibility_pb2, records_pb2, types_pb2

CLIENT_DIR = Path(__file__).resolve().parent.parent  # clients/python
AUTHORITY = "example:sh-pudong-amr"  # the authority of the `officer` fixture
TIMEOUT = 10

_serial = itertools.count(1)


def unique_decision_number() -> str:
    return f"PYTEST-{time.time_ns()}-{next(_serial)}"


def penalty_request(uscc: str, **penalty) -> records_pb2.RecordPenaltyRequest:
    fields = dict(
        decision_number=unique_decision_number(),
        category=types_pb2.CATEGORY_PRODUCT_QUALITY,
        severity=types_pb2.SEVERITY_TIER_GENERAL,
        legal_basis="《产品质量法》第四十九条",
        fine_fen=5_000_000,
        decided_on=creditregistry.today_cst(),
        violation="不合格产品",
        party_name="上海示例质量科技有限公司",
    )
    fields.update(penalty)
    return records_pb2.RecordPenaltyRequest(
        request_id=str(uuid.uuid4()), uscc=uscc, penalty=types_pb2.Penalty(**fields)
    )


def call_error(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call(request, timeout=TIMEOUT)
    return raised.value


# --------------------------------------------------------------------------
# quickstart.py, as a newcomer runs it


@pytest.mark.parametrize("tokens_from", ["token command", "environment"])
def test_quickstart_runs_end_to_end(server, buyer, enforcement_token, procurement_token, tokens_from, tmp_path):
    env = server.env()
    for name in ("CREDITREGISTRY_ENFORCEMENT_TOKEN", "CREDITREGISTRY_TOKEN"):
        env.pop(name, None)
    if tokens_from == "environment":
        env["CREDITREGISTRY_ENFORCEMENT_TOKEN"] = enforcement_token
        env["CREDITREGISTRY_TOKEN"] = procurement_token
    done = subprocess.run(
        [sys.executable, str(CLIENT_DIR / "quickstart.py"), "--target", server.address],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"

    match = re.search(r"record id\s+(\S+)", done.stdout)
    assert match, done.stdout
    record_id = match.group(1)
    # The id it printed is a real record, shown in the profile it printed.
    entry = buyer.records.GetRecord(records_pb2.GetRecordRequest(record_id=record_id), timeout=TIMEOUT).entry
    assert entry.record.uscc == "91310115MA1K3BTP2B"
    assert entry.record.authority == AUTHORITY
    assert "<- just recorded" in done.stdout
    assert "INVALID_ARGUMENT" in done.stdout
    assert "field 'uscc': check character 18 is 'C', expected 'B'" in done.stdout
    # The receipt it saved verifies with the command it names.
    checked = subprocess.run(
        [str(server.binary), "verify-receipt", str(tmp_path / "tender-receipt.bin")],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert "VALID receipt" in checked.stdout


# --------------------------------------------------------------------------
# RecordsService


def test_penalty_round_trips_through_get_profile(officer, buyer):
    uscc = "91340600MA2PBM9HXD"
    decided_on = creditregistry.date(2024, 3, 15)
    request = penalty_request(
        uscc,
        decided_on=decided_on,
        fine_fen=1_234_567,
        severity=types_pb2.SEVERITY_TIER_HEAVIER,
        sanctions=[types_pb2.SANCTION_WARNING, types_pb2.SANCTION_CONFISCATION],
    )
    written = officer.records.RecordPenalty(request, timeout=TIMEOUT)
    assert not written.idempotent_replay
    record = written.record
    assert record.record_id
    assert record.sequence >= 1
    assert record.uscc == uscc
    assert record.authority == AUTHORITY
    assert record.actor == "pytest-officer"
    assert record.request_id == request.request_id
    assert record.penalty == request.penalty

    profile = buyer.records.GetProfile(
        records_pb2.GetProfileRequest(uscc=uscc, min_sequence=record.sequence), timeout=TIMEOUT
    )
    assert profile.uscc == uscc
    assert profile.status == records_pb2.PROFILE_STATUS_HAS_RECORDS
    assert profile.evaluated_on == creditregistry.today_cst()
    assert profile.latest_sequence >= record.sequence
    assert profile.total_records == len(profile.records)
    entries = [e for e in profile.records if e.record.record_id == record.record_id]
    assert len(entries) == 1
    assert entries[0].status == types_pb2.RECORD_STATUS_IN_EFFECT
    assert entries[0].record == record


def test_profile_of_an_unknown_entity_says_no_records(buyer):
    profile = buyer.records.GetProfile(
        records_pb2.GetProfileRequest(uscc="91230100128025258G"), timeout=TIMEOUT
    )
    assert profile.status == records_pb2.PROFILE_STATUS_NO_RECORDS
    assert profile.total_records == 0
    assert list(profile.records) == []


def test_repeated_request_id_replays_the_same_record(officer):
    request = penalty_request("92340602MA2PBMEM24")
    first = officer.records.RecordPenalty(request, timeout=TIMEOUT)
    again = officer.records.RecordPenalty(request, timeout=TIMEOUT)
    assert first.idempotent_replay is False
    assert again.idempotent_replay is True
    assert again.record.record_id == first.record.record_id
    assert again.record.sequence == first.record.sequence
    assert again.record == first.record


# --------------------------------------------------------------------------
# Errors and their google.rpc details

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _uscc_check_character(first17: str) -> str:
    """GB 32100-2015: weights 3^i mod 31, check = 31 - (sum mod 31)."""
    total = sum(_USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def test_invalid_code_is_invalid_argument_naming_the_field(buyer):
    bad = "91310115MA1K3BTP2C"
    expected = _uscc_check_character(bad[:17])
    assert expected == "B"  # 91310115MA1K3BTP2B is the valid code

    error = call_error(buyer.records.GetProfile, records_pb2.GetProfileRequest(uscc=bad))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    reason, violations = creditregistry.error_details(error)
    assert reason == "INVALID_ARGUMENT"
    assert violations == [("uscc", f"check character 18 is 'C', expected '{expected}'")]
    assert "check character 18 is 'C', expected 'B'" in error.details()


def test_field_violations_name_nested_fields(officer):
    request = penalty_request("91110000600037341L", legal_basis="", fine_fen=-1)
    error = call_error(officer.records.RecordPenalty, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = creditregistry.error_details(error)
    fields = [f for f, _ in details.field_violations]
    assert "penalty.legal_basis" in fields
    assert "penalty.fine_fen" in fields


def test_call_without_token_is_unauthenticated(anonymous):
    error = call_error(
        anonymous.records.GetProfile, records_pb2.GetProfileRequest(uscc="91310115MA1K3BTP2B")
    )
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert creditregistry.error_details(error).reason == "TOKEN_MISSING"


def test_procurement_token_cannot_record_a_penalty(buyer):
    error = call_error(buyer.records.RecordPenalty, penalty_request("91310115MA1K3BTP2B"))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert creditregistry.error_details(error).reason


def test_health_needs_no_token(server):
    with grpc.insecure_channel(server.address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "creditregistry.v1.RecordsService"):
            answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING, service


def test_check_eligibility_of_an_unknown_entity_is_eligible_with_no_records(buyer):
    decision = buyer.eligibility.CheckEligibility(
        eligibility_pb2.CheckEligibilityRequest(
            uscc="91230100128025258G", domain=types_pb2.MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT
        ),
        timeout=TIMEOUT,
    ).decision
    assert decision.eligibility == types_pb2.ELIGIBILITY_ELIGIBLE
    assert decision.no_records
    assert decision.catalogue_version


def test_check_tender_judges_bidders_as_of_the_response_deadline(officer, buyer):
    # A CNY 3,000,000 fine bars procurement for 3 years from its decision
    # (政府采购法 art. 22(5), 财库〔2022〕3号); the 3 years count back from the
    # tender's response deadline, not from the day the platform asks.
    bidder = "91440800314159268R"
    today = datetime.datetime.now(creditregistry.CST).date()
    decided = today.replace(year=today.year - 3) + datetime.timedelta(days=10)
    officer.records.RecordPenalty(
        penalty_request(
            bidder,
            severity=types_pb2.SEVERITY_TIER_SERIOUS,
            fine_fen=300_000_000,
            decided_on=creditregistry.date(decided.year, decided.month, decided.day),
        ),
        timeout=TIMEOUT,
    )
    soon = creditregistry.check_tender(buyer, [bidder], today + datetime.timedelta(days=5), timeout=TIMEOUT)
    later = creditregistry.check_tender(buyer, [bidder], today + datetime.timedelta(days=20), timeout=TIMEOUT)
    assert soon.results[0].decision.eligibility == types_pb2.ELIGIBILITY_INELIGIBLE
    assert later.results[0].decision.eligibility == types_pb2.ELIGIBILITY_ELIGIBLE
    deadline = later.results[0].decision.evaluated_on
    assert (deadline.year, deadline.month, deadline.day) == (
        (today + datetime.timedelta(days=20)).year,
        (today + datetime.timedelta(days=20)).month,
        (today + datetime.timedelta(days=20)).day,
    )
    assert later.receipt.signature


def test_token_is_sent_on_streaming_calls(server, enforcement_token):
    # ExportLedger (server streaming) is for auditors: with an enforcement
    # token it gets past authentication to PERMISSION_DENIED. (test_audit.py
    # streams it with an auditor token.)
    with creditregistry.connect(server.address, enforcement_token) as client:
        with pytest.raises(grpc.RpcError) as raised:
            list(client.audit.ExportLedger(audit_pb2.ExportLedgerRequest(), timeout=TIMEOUT))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


# --------------------------------------------------------------------------
# Helpers without a server


def test_date_helpers():
    assert creditregistry.date(2024, 2, 29) == creditregistry.date(2024, 2, 29)
    with pytest.raises(ValueError):
        creditregistry.date(2023, 2, 29)
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    got = creditregistry.today_cst()
    assert datetime.date(got.year, got.month, got.day) in (today, today + datetime.timedelta(days=1))


def test_generated_stubs_are_up_to_date():
    done = subprocess.run(
        ["bash", str(CLIENT_DIR / "generate.sh"), "--check"],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_thirty_bad_consortium_members_come_back_as_invalid_argument(buyer):
    # A default grpcio client caps received metadata at 16 KiB: every problem
    # must still arrive, as INVALID_ARGUMENT with its BadRequest details.
    codes = ["97" + code[2:] for code in ["91310115MA1K3BTP2B", "91340600MA2PBM9HXD", "91230100128025258G"] * 10]
    codes = [c[:-1] + str(i % 10) for i, c in enumerate(codes)]
    error = call_error(
        buyer.eligibility.CheckConsortium,
        eligibility_pb2.CheckConsortiumRequest(
            member_codes=codes, domain=types_pb2.MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT
        ),
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    reason, violations = creditregistry.error_details(error)
    assert reason == "INVALID_ARGUMENT"
    assert len(violations) >= 30
    assert "more" in error.details()


def test_an_oversized_request_is_resource_exhausted(officer):
    error = call_error(
        officer.records.RecordPenalty,
        penalty_request("91310115MA1K3BTP2B", violation="x" * (10 * 1024 * 1024)),
    )
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
    reason, _ = creditregistry.error_details(error)
    assert reason == "REQUEST_TOO_LARGE"


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_FULL = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _valid_code(prefix8: str, org8: str) -> str:
    """A code passing both GB 32100 check characters."""
    total = sum(_FULL.index(c) * w for c, w in zip(org8, [3, 7, 9, 10, 5, 8, 4, 2]))
    c17 = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    first17 = prefix8 + org8 + c17
    total = sum(_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + _ALPHABET[(31 - total % 31) % 31]


def _years_later(day: datetime.date, years: int) -> datetime.date:
    """The corresponding day `years` later, 28 February for 29 February (民法典 art. 202)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def test_a_batch_of_a_thousand_heavily_listed_suppliers_reaches_a_default_client(officer, buyer):
    # Each supplier: three CNY 3M penalties and four listings. A default
    # grpcio client accepts answers up to 4 MiB: the whole batch must arrive.
    codes = [_valid_code("91441000", f"{n:08d}") for n in range(1000)]
    today = datetime.datetime.now(creditregistry.CST).date()
    listed = today - datetime.timedelta(days=30)
    as_date = lambda d: creditregistry.date(d.year, d.month, d.day)  # noqa: E731
    calls = []
    for n, code in enumerate(codes):
        for k in range(3):
            calls.append(
                officer.records.RecordPenalty.future(
                    penalty_request(code, severity=types_pb2.SEVERITY_TIER_SERIOUS, fine_fen=300_000_000),
                    timeout=60,
                )
            )
        for k, (list_type, end) in enumerate(
            [
                (types_pb2.LIST_TYPE_PROCUREMENT_DEBARMENT, listed + datetime.timedelta(days=400)),
                (types_pb2.LIST_TYPE_SERIOUS_ILLEGAL_DISHONEST, _years_later(listed, 3)),
                (types_pb2.LIST_TYPE_QUALITY_BLACKLIST, listed + datetime.timedelta(days=400)),
                (types_pb2.LIST_TYPE_ABNORMAL_OPERATIONS, None),
            ]
        ):
            listing = types_pb2.Listing(
                list_type=list_type,
                decision_number=f"PY-BATCH-{n}-{k}",
                grounds="grounds",
                listed_on=as_date(listed),
                legal_basis="basis",
                party_name="上海示例质量科技有限公司",
            )
            if end is not None:
                listing.planned_end.CopyFrom(as_date(end))
            if list_type == types_pb2.LIST_TYPE_ABNORMAL_OPERATIONS:
                listing.abnormal_ground = types_pb2.ABNORMAL_GROUND_ANNUAL_REPORT_NOT_FILED
            calls.append(
                officer.records.RecordListing.future(
                    records_pb2.RecordListingRequest(request_id=str(uuid.uuid4()), uscc=code, listing=listing),
                    timeout=60,
                )
            )
    for call in calls:
        call.result()
    answer = creditregistry.check_tender(buyer, codes, today, timeout=60)
    assert len(answer.results) == 1000
    first = answer.results[0].decision
    assert first.eligibility == types_pb2.ELIGIBILITY_INELIGIBLE
    assert answer.ByteSize() < 4 * 1024 * 1024
