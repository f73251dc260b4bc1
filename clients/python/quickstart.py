#!/usr/bin/env python3
"""First steps with the creditregistry API from Python.

Start a development server in the repository root first:

    cargo run -- serve --dev

then, from anywhere:

    python clients/python/quickstart.py

It records a penalty as an enforcement bureau (example:sh-pudong-amr), reads the
entity's credit file back as a procurement platform, shows what the registry
answers to a malformed credit code, checks a tender's bidders in one batch
and verifies that check's signed receipt offline.

Tokens come from --enforcement-token / --reader-token, else from the
environment (CREDITREGISTRY_ENFORCEMENT_TOKEN / CREDITREGISTRY_TOKEN), else
from the `token` command of the registry itself, run in the repository root
(target/debug/creditregistry when built, `cargo run -q --` otherwise) with
this process's CREDITREGISTRY_DATA_DIR, so it signs with the same
development key as a server started there.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import grpc  # noqa: E402

import creditregistry  # noqa: E402
from creditregistry.v1 import audit_pb2, eligibility_pb2, records_pb2, types_pb2  # noqa: E402

AUTHORITY = "example:sh-pudong-amr"
ENTITY = "91310115MA1K3BTP2B"
ENTITY_NAME = "上海示例质量科技有限公司"
# The same code with a wrong check character (the 18th).
BAD_CODE = "91310115MA1K3BTP2C"
# Every call gets this long before it fails with DEADLINE_EXCEEDED.
TIMEOUT = 10.0


class QuickstartError(Exception):
    """An expected way to fail, with a message for the reader."""


def token_command() -> list[str]:
    binary = REPO_ROOT / "target" / "debug" / "creditregistry"
    if binary.is_file() and os.access(binary, os.X_OK):
        return [str(binary)]
    return ["cargo", "run", "-q", "--"]


def issue_token(*args: str) -> str:
    """Runs `creditregistry token ARGS` in the repository root."""
    command = token_command() + ["token", *args]
    try:
        done = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise QuickstartError(f"cannot run {' '.join(command)}: {e}") from e
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        raise QuickstartError(
            f"`{' '.join(command)}` failed (exit {done.returncode}):\n{done.stderr.strip()}"
        )
    return token


def tokens(args: argparse.Namespace) -> tuple[str, str]:
    enforcement = args.enforcement_token or os.environ.get("CREDITREGISTRY_ENFORCEMENT_TOKEN")
    reader = args.reader_token or os.environ.get("CREDITREGISTRY_TOKEN")
    if not enforcement:
        enforcement = issue_token(
            "--role", "enforcement", "--authority", AUTHORITY, "--subject", "quickstart-officer"
        )
    if not reader:
        reader = issue_token("--role", "procurement", "--subject", "quickstart-buyer")
    return enforcement, reader


def enum_name(enum, value: int, prefix: str) -> str:
    """RECORD_STATUS_IN_EFFECT -> IN_EFFECT."""
    try:
        name = enum.Name(value)
    except ValueError:
        return str(value)
    return name[len(prefix):] if name.startswith(prefix) else name


def decision_number_of(record: types_pb2.Record) -> str:
    kind = record.WhichOneof("body")
    body = getattr(record, kind) if kind else None
    if kind == "spot_check":
        return body.report_number
    return getattr(body, "decision_number", "") or "-"


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def record_penalty(client: creditregistry.Client) -> types_pb2.Record:
    now = datetime.datetime.now(creditregistry.CST)
    # Unique per run: (authority, decision number) identifies a penalty.
    decision_number = f"沪市监处〔{now.year}〕{now:%m%d%H%M%S}{now.microsecond // 1000:03d}号"
    request = records_pb2.RecordPenaltyRequest(
        # The idempotency key: resending this request cannot record twice.
        request_id=str(uuid.uuid4()),
        uscc=ENTITY,
        penalty=types_pb2.Penalty(
            decision_number=decision_number,
            category=types_pb2.CATEGORY_PRODUCT_QUALITY,
            severity=types_pb2.SEVERITY_TIER_GENERAL,
            legal_basis="《产品质量法》第四十九条",
            fine_fen=5_000_000,  # fen: ¥50,000.00
            decided_on=creditregistry.today_cst(),
            violation="生产不符合保障人体健康和人身、财产安全的国家标准的产品",
            # As the decision names the party (当事人名称); required.
            party_name=ENTITY_NAME,
            legal_representative="王某",
        ),
    )
    response = client.records.RecordPenalty(request, timeout=TIMEOUT)
    record = response.record
    print(f"1. Recorded a penalty against {ENTITY} as {AUTHORITY}")
    print(f"   decision number  {record.penalty.decision_number}")
    print(f"   fine             {yuan(record.penalty.fine_fen)}")
    print(f"   record id        {record.record_id}")
    print(f"   ledger sequence  {record.sequence}")
    return record


def show_profile(client: creditregistry.Client, written: types_pb2.Record) -> None:
    # min_sequence: answer only once the penalty just written is visible.
    profile = client.records.GetProfile(
        records_pb2.GetProfileRequest(uscc=ENTITY, min_sequence=written.sequence),
        timeout=TIMEOUT,
    )
    print()
    print(f"2. Credit file of {profile.uscc}, read back with the reader (procurement) token")
    print(f"   status           {enum_name(records_pb2.ProfileStatus, profile.status, 'PROFILE_STATUS_')}")
    print(f"   total records    {profile.total_records}")
    print(f"   lists in force   {len(profile.current_listings)}")
    shown = profile.records[:5]
    for entry in shown:
        record = entry.record
        marker = "  <- just recorded" if record.record_id == written.record_id else ""
        kind = record.WhichOneof("body") or "?"
        status = enum_name(types_pb2.RecordStatus, entry.status, "RECORD_STATUS_")
        print(f"   - {kind:<12} {status:<10} {decision_number_of(record)}{marker}")
    if profile.total_records > len(shown):
        print(f"   ... and {profile.total_records - len(shown)} older (ListRecords pages through all)")
    if not any(e.record.record_id == written.record_id for e in profile.records):
        raise QuickstartError(f"the profile does not show record {written.record_id}")


def show_bad_code(client: creditregistry.Client) -> None:
    print()
    print(f"3. Asking for a malformed code, {BAD_CODE}")
    try:
        client.records.GetProfile(records_pb2.GetProfileRequest(uscc=BAD_CODE), timeout=TIMEOUT)
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        reason, violations = creditregistry.error_details(e)
        print(f"   {e.code().name}: {e.details()}")
        print(f"   ErrorInfo reason {reason}")
        for field, description in violations:
            print(f"   BadRequest       field '{field}': {description}")
        return
    raise QuickstartError(f"the registry accepted the malformed code {BAD_CODE}")


def check_tender(
    client: creditregistry.Client, written: types_pb2.Record
) -> eligibility_pb2.BatchCheckEligibilityResponse:
    bidders = [ENTITY, "91110000600037341L", BAD_CODE]
    # The names the bidders declared: the first is the name on record; the
    # second declares a code the registry has no name for.
    declared = [ENTITY_NAME, "北京示例投标有限公司", "上海错码示例有限公司"]
    # Eligibility is judged as of the tender's response deadline (截止时点),
    # here two weeks from today: that is the date the check is for.
    deadline = datetime.datetime.now(creditregistry.CST).date() + datetime.timedelta(days=14)
    response = creditregistry.check_tender(
        client, bidders, deadline, min_sequence=written.sequence, declared_names=declared, timeout=TIMEOUT
    )
    print()
    print(f"4. A tender's bidders checked for government procurement, as of its response deadline {deadline}")
    for result in response.results:
        if result.WhichOneof("outcome") == "decision":
            d = result.decision
            answer = enum_name(types_pb2.Eligibility, d.eligibility, "ELIGIBILITY_")
            why = "no records" if d.no_records else ", ".join(m.measure_code for m in d.measures) or "no measure in force"
            name = enum_name(types_pb2.NameMatchResult, d.name_match.result, "NAME_MATCH_RESULT_")
            print(f"   {result.requested_code}  {answer:<10} {why}  ({d.catalogue_version})  declared name: {name}")
        else:
            print(f"   {result.requested_code}  refused    {result.error.message}")
    return response


RECEIPT_FILE = Path("tender-receipt.bin")


def verify_tender_receipt(
    client: creditregistry.Client, response: eligibility_pb2.BatchCheckEligibilityResponse
) -> None:
    # The keys could as well come from a file: verifying needs no server.
    registry_keys = client.audit.GetRegistryKeys(audit_pb2.GetRegistryKeysRequest(), timeout=TIMEOUT).keys
    try:
        keys = creditregistry.load_public_keys(registry_keys)
        body = creditregistry.verify_receipt(response.receipt.SerializeToString(), keys)
    except creditregistry.VerificationError as e:
        raise QuickstartError(f"the receipt of step 4 does not verify: {e}") from e
    decisions = [r.decision for r in response.results if r.WhichOneof("outcome") == "decision"]
    if list(body.decisions) != decisions:
        raise QuickstartError("the receipt of step 4 attests other decisions than the answer")
    # Verified with the receipt; decoded only to show it.
    checkpoint = types_pb2.Checkpoint.FromString(body.checkpoint.checkpoint)
    print()
    print("5. The receipt, verified offline with the registry's public key")
    print(f"   receipt id       {body.receipt_id}")
    print(f"   signed by        {response.receipt.key_id}")
    print(f"   attests          the {len(decisions)} decisions above, for {body.caller_subject}")
    print(f"   checkpoint       tree size {checkpoint.tree_size}, root {checkpoint.root_hash.hex()[:16]}...")
    # Kept as a procurement file would keep it: the encoded Receipt, as is.
    RECEIPT_FILE.write_bytes(response.receipt.SerializeToString())
    print(f"   saved as         {RECEIPT_FILE}  (check it: cargo run -q -- verify-receipt {RECEIPT_FILE})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="127.0.0.1:50051", help="host:port of the registry (default: %(default)s)")
    parser.add_argument("--enforcement-token", help="JWT of an enforcement caller for authority " + AUTHORITY)
    parser.add_argument("--reader-token", help="JWT of a reading caller, e.g. procurement")
    args = parser.parse_args(argv)
    # Decision numbers and legal bases are Chinese; never die printing them.
    sys.stdout.reconfigure(errors="backslashreplace")

    try:
        enforcement_token, reader_token = tokens(args)
        with creditregistry.connect(args.target, enforcement_token) as officer, \
                creditregistry.connect(args.target, reader_token) as buyer:
            written = record_penalty(officer)
            show_profile(buyer, written)
            show_bad_code(buyer)
            tender = check_tender(buyer, written)
            verify_tender_receipt(buyer, tender)
    except QuickstartError as e:
        print(f"quickstart: {e}", file=sys.stderr)
        return 1
    except grpc.RpcError as e:
        reason, violations = creditregistry.error_details(e)
        print(f"quickstart: {e.code().name}: {e.details()}", file=sys.stderr)
        if reason:
            print(f"  reason: {reason}", file=sys.stderr)
        for field, description in violations:
            print(f"  {field}: {description}", file=sys.stderr)
        if e.code() == grpc.StatusCode.UNAVAILABLE:
            print(
                f"  Is the registry running at {args.target}? Start it in the repository root with\n"
                "    cargo run -- serve --dev",
                file=sys.stderr,
            )
        elif e.code() == grpc.StatusCode.UNAUTHENTICATED:
            print(
                "  Tokens must be signed by the key the server trusts: run the token command\n"
                "  with the same CREDITREGISTRY_DATA_DIR as `serve --dev`.",
                file=sys.stderr,
            )
        return 1
    print()
    print("Done. Next: clients/python/README.md, proto/creditregistry/v1/*.proto")
    return 0


if __name__ == "__main__":
    sys.exit(main())
