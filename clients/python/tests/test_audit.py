"""Auditing against the real registry (see conftest.py): checkpoints, proofs,
receipts and the check log, each verified offline with creditregistry.audit."""

from __future__ import annotations

import gzip
import subprocess
import time
import sys
from typing import List, NamedTuple

import grpc
import pytest

import creditregistry
from creditregistry import VerificationError
from creditregistry.v1 import audit_pb2, eligibility_pb2, types_pb2
from test_client import CLIENT_DIR, TIMEOUT, call_error, penalty_request

# No other test module writes to or checks this entity, so its history here is
# exactly what this module recorded.
ENTITY = "121200004013590816"
PROCUREMENT = types_pb2.MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT
BUYER_SUBJECT = "pytest-buyer"  # the subject of conftest's procurement token


class Recorded(NamedTuple):
    records: List[types_pb2.Record]
    #: Verified, signed after the records were written.
    checkpoint: types_pb2.Checkpoint


@pytest.fixture(scope="module")
def keys(server, procurement_token):
    """The registry's keys, as any authenticated caller gets them."""
    with creditregistry.connect(server.address, procurement_token) as client:
        response = client.audit.GetRegistryKeys(audit_pb2.GetRegistryKeysRequest(), timeout=TIMEOUT)
    assert response.keys
    assert all(k.algorithm == "Ed25519" for k in response.keys)
    return creditregistry.load_public_keys(response.keys)


@pytest.fixture(scope="module")
def recorded(server, enforcement_token, auditor_token, keys) -> Recorded:
    """Three penalties against ENTITY, then a checkpoint signed over them."""
    with creditregistry.connect(server.address, enforcement_token) as officer, \
            creditregistry.connect(server.address, auditor_token) as auditor:
        records = [
            officer.records.RecordPenalty(penalty_request(ENTITY), timeout=TIMEOUT).record
            for _ in range(3)
        ]
        signed = auditor.audit.CreateCheckpoint(audit_pb2.CreateCheckpointRequest(), timeout=TIMEOUT).checkpoint
    checkpoint = creditregistry.verify_checkpoint(signed, keys)
    assert checkpoint.tree_size >= records[-1].sequence
    return Recorded(records, checkpoint)


def check(buyer, min_sequence: int) -> eligibility_pb2.CheckEligibilityResponse:
    return buyer.eligibility.CheckEligibility(
        eligibility_pb2.CheckEligibilityRequest(uscc=ENTITY, domain=PROCUREMENT, min_sequence=min_sequence),
        timeout=TIMEOUT,
    )


# --------------------------------------------------------------------------
# Checkpoints and proofs


def test_entity_history_is_proved_against_the_latest_checkpoint(auditor, keys, recorded):
    audited = creditregistry.audit_entity(auditor.audit, ENTITY, keys, timeout=TIMEOUT)
    assert audited.after_checkpoint == []
    assert audited.checkpoint.tree_size >= recorded.checkpoint.tree_size
    verified = {e.entry.record.record_id: e.entry.record for e in audited.verified}
    for record in recorded.records:
        assert verified.get(record.record_id) == record


def test_a_later_checkpoint_is_consistent_with_an_earlier_one(officer, auditor, buyer, keys, recorded):
    first = recorded.checkpoint
    officer.records.RecordPenalty(penalty_request(ENTITY), timeout=TIMEOUT)
    signed = auditor.audit.CreateCheckpoint(audit_pb2.CreateCheckpointRequest(), timeout=TIMEOUT).checkpoint
    second = creditregistry.verify_checkpoint(signed, keys)
    assert second.tree_size > first.tree_size

    # Checkpoints and consistency proofs are open to any authenticated caller.
    proof = buyer.audit.GetConsistencyProof(
        audit_pb2.GetConsistencyProofRequest(first_tree_size=first.tree_size, second_tree_size=second.tree_size),
        timeout=TIMEOUT,
    )
    creditregistry.verify_consistency(
        first.tree_size, second.tree_size, first.root_hash, second.root_hash, proof.hashes
    )
    stored = buyer.audit.GetCheckpoint(
        audit_pb2.GetCheckpointRequest(tree_size=first.tree_size), timeout=TIMEOUT
    ).checkpoint
    assert creditregistry.verify_checkpoint(stored, keys).root_hash == first.root_hash


def test_ledger_export_rehashes_to_the_signed_root(auditor, recorded):
    exported = list(
        auditor.audit.ExportLedger(audit_pb2.ExportLedgerRequest(from_sequence=1), timeout=TIMEOUT)
    )
    assert [e.sequence for e in exported] == list(range(1, len(exported) + 1))
    for e in exported:
        assert creditregistry.leaf_hash(e.record) == e.leaf_hash, f"record {e.sequence}"
        assert types_pb2.Record.FromString(e.record).sequence == e.sequence
    size = recorded.checkpoint.tree_size
    assert len(exported) >= size
    assert creditregistry.root_hash(e.leaf_hash for e in exported[:size]) == recorded.checkpoint.root_hash


def test_procurement_cannot_read_entity_history(buyer):
    error = call_error(buyer.audit.GetEntityHistory, audit_pb2.GetEntityHistoryRequest(uscc=ENTITY))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED


# --------------------------------------------------------------------------
# Receipts and the check log


def test_eligibility_receipt_verifies_offline(buyer, keys, recorded, tmp_path):
    response = check(buyer, recorded.records[-1].sequence)
    receipt = response.receipt.SerializeToString()
    # Only the public keys, as a procurement file would keep them.
    registry_keys = buyer.audit.GetRegistryKeys(audit_pb2.GetRegistryKeysRequest(), timeout=TIMEOUT).keys
    pems = [k.public_key_pem for k in registry_keys]
    body = creditregistry.verify_receipt(receipt, creditregistry.load_public_keys(pems))

    assert body.receipt_id
    assert body.kind == types_pb2.CHECK_KIND_SINGLE
    assert body.caller_subject == BUYER_SUBJECT
    assert list(body.requested_codes) == [ENTITY]
    assert body.domain == PROCUREMENT
    assert body.evaluated_on == response.decision.evaluated_on
    assert list(body.decisions) == [response.decision]
    assert body.catalogue_version == response.decision.catalogue_version
    checkpoint = creditregistry.verify_checkpoint(body.checkpoint, keys)
    assert checkpoint.tree_size >= recorded.records[-1].sequence

    tampered = bytearray(receipt)
    tampered[len(tampered) // 2] ^= 0x01
    with pytest.raises(VerificationError):
        creditregistry.verify_receipt(bytes(tampered), keys)

    key_args = []
    for i, pem in enumerate(pems):
        key_file = tmp_path / f"registry-{i}.pub.pem"
        key_file.write_text(pem)
        key_args += ["--public-key", str(key_file)]
    (tmp_path / "receipt.bin").write_bytes(receipt)
    (tmp_path / "tampered.bin").write_bytes(bytes(tampered))

    def cli(name: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(CLIENT_DIR / "verify_receipt.py"), *key_args, str(tmp_path / name)],
            capture_output=True, text=True, encoding="utf-8", timeout=60,
        )

    valid = cli("receipt.bin")
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert body.receipt_id in valid.stdout
    invalid = cli("tampered.bin")
    assert invalid.returncode == 1, invalid.stdout + invalid.stderr
    assert invalid.stdout.startswith("INVALID: ")


def test_batch_and_consortium_receipts_attest_every_answer(buyer, keys, recorded):
    other = "91340600MA2PBM9HXD"
    batch = buyer.eligibility.BatchCheckEligibility(
        eligibility_pb2.BatchCheckEligibilityRequest(
            codes=[ENTITY, "not a code", other], domain=PROCUREMENT, min_sequence=recorded.records[-1].sequence
        ),
        timeout=TIMEOUT,
    )
    body = creditregistry.verify_receipt(batch.receipt.SerializeToString(), keys)
    assert body.kind == types_pb2.CHECK_KIND_BATCH
    assert list(body.requested_codes) == [ENTITY, "not a code", other]
    decided = [r.decision for r in batch.results if r.WhichOneof("outcome") == "decision"]
    assert list(body.decisions) == decided and len(decided) == 2

    consortium = buyer.eligibility.CheckConsortium(
        eligibility_pb2.CheckConsortiumRequest(member_codes=[ENTITY, other], domain=PROCUREMENT),
        timeout=TIMEOUT,
    )
    body = creditregistry.verify_receipt(consortium.receipt.SerializeToString(), keys)
    assert body.kind == types_pb2.CHECK_KIND_CONSORTIUM
    assert body.consortium_eligibility == consortium.eligibility
    assert list(body.decisions) == list(consortium.member_decisions)


def test_every_checkpoint_can_be_listed_and_verified(auditor, keys, recorded):
    sizes, token = [], ""
    while True:
        page = auditor.audit.ListCheckpoints(
            audit_pb2.ListCheckpointsRequest(page_size=2, page_token=token), timeout=TIMEOUT
        )
        sizes += [creditregistry.verify_checkpoint(c, keys).tree_size for c in page.checkpoints]
        token = page.next_page_token
        if not token:
            break
    assert recorded.checkpoint.tree_size in sizes


def test_check_log_names_the_check_and_chains(buyer, auditor, keys, recorded):
    # Two checks back to back, so the log holds at least one consecutive pair.
    responses = [check(buyer, recorded.records[-1].sequence) for _ in range(2)]
    receipts = [creditregistry.verify_receipt(r.receipt.SerializeToString(), keys) for r in responses]
    signed = auditor.audit.CreateCheckpoint(audit_pb2.CreateCheckpointRequest(), timeout=TIMEOUT).checkpoint
    checkpoint = creditregistry.verify_checkpoint(signed, keys)

    checks: List[audit_pb2.CheckLogEntry] = []
    request = audit_pb2.ListChecksRequest(caller_subject=BUYER_SUBJECT)
    while True:
        page = auditor.audit.ListChecks(request, timeout=TIMEOUT)
        checks.extend(page.checks)
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    assert {c.caller_subject for c in checks} == {BUYER_SUBJECT}

    by_receipt = {c.receipt_id: c for c in checks}
    for response, body in zip(responses, receipts):
        entry = by_receipt[body.receipt_id]
        assert entry.kind == types_pb2.CHECK_KIND_SINGLE
        assert list(entry.codes) == [ENTITY]
        assert entry.domain == PROCUREMENT
        assert entry.evaluated_on == response.decision.evaluated_on
        assert list(entry.eligibilities) == [response.decision.eligibility]

    ordered = sorted(checks, key=lambda c: c.sequence)
    if ordered[0].sequence == 1:
        assert ordered[0].chain_hash == creditregistry.chain_hash(bytes(32), ordered[0])
    linked = 0
    for before, after in zip(ordered, ordered[1:]):
        if after.sequence == before.sequence + 1:
            assert after.chain_hash == creditregistry.chain_hash(before.chain_hash, after), f"check {after.sequence}"
            linked += 1
    assert linked >= 1

    # Nothing was checked since the second check: the checkpoint signs its hash.
    assert checkpoint.check_log_size == by_receipt[receipts[-1].receipt_id].sequence
    assert checkpoint.check_log_head == by_receipt[receipts[-1].receipt_id].chain_hash


def test_an_exported_check_log_segment_verifies_alone(server, buyer, keys, recorded, tmp_path):
    check(buyer, recorded.records[-1].sequence)
    # The server seals a segment at each checkpoint, one a second.
    deadline = time.monotonic() + 30
    while True:
        done = subprocess.run(
            [str(server.binary), "export-checks", "--segment", "1", "--dir", str(tmp_path)],
            env=server.env(), capture_output=True, text=True, timeout=60,
        )
        if done.returncode == 0:
            break
        assert time.monotonic() < deadline, done.stderr
        time.sleep(0.5)
    path = tmp_path / "check-segment-000001.gz"
    verified = creditregistry.verify_segment_file(path, keys)
    assert verified.head.number == 1 and verified.head.first_sequence == 1
    assert len(verified.entries) == verified.head.last_sequence
    assert [e.sequence for e in verified.entries] == list(range(1, verified.head.last_sequence + 1))

    # One changed byte in one entry: the chain no longer reaches the head.
    data = bytearray(gzip.decompress(path.read_bytes()))
    at = data.index(BUYER_SUBJECT.encode())
    data[at] ^= 0x01
    forged = tmp_path / "forged.gz"
    forged.write_bytes(gzip.compress(bytes(data)))
    with pytest.raises(creditregistry.VerificationError, match="do not chain"):
        creditregistry.verify_segment_file(forged, keys)

    # Anything after the one gzip member: another member, or padding.
    for tail in (gzip.compress(b"\x05hello"), bytes(10)):
        padded = tmp_path / "padded.gz"
        padded.write_bytes(path.read_bytes() + tail)
        with pytest.raises(creditregistry.VerificationError, match="bytes follow"):
            creditregistry.verify_segment_file(padded, keys)
