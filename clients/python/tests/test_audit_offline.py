"""creditregistry.audit without a server: proofs against a naive RFC 9162
tree written here from the RFC's definitions, signatures with a key made here,
and audit_entity against a stand-in for the AuditService."""

from __future__ import annotations

import functools
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from google.protobuf import timestamp_pb2

import creditregistry
from creditregistry import VerificationError
from creditregistry.v1 import audit_pb2, types_pb2

MAX_SIZE = 33


# --------------------------------------------------------------------------
# RFC 9162 section 2.1, as written there (recursive, over data D[0:n])


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


ENTITY, OTHER = "91310115MA1K3BTP2B", "91110000600037341L"
# The ledger: canonical Record bytes, sequence i + 1 at leaf i; odd sequences
# are about ENTITY.
LEAVES = [
    types_pb2.Record(record_id=f"r-{i + 1}", sequence=i + 1, uscc=OTHER if i % 2 else ENTITY).SerializeToString()
    for i in range(MAX_SIZE)
]


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@functools.lru_cache(maxsize=None)
def mth(start: int, end: int) -> bytes:
    """MTH(D[start:end])."""
    n = end - start
    if n == 0:
        return sha256(b"")
    if n == 1:
        return sha256(b"\x00" + LEAVES[start])
    k = largest_power_of_two_below(n)
    return sha256(b"\x01" + mth(start, start + k) + mth(start + k, end))


def path(m: int, start: int, end: int) -> list[bytes]:
    """PATH(m, D[start:end])."""
    n = end - start
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return path(m, start, start + k) + [mth(start + k, end)]
    return path(m - k, start + k, end) + [mth(start, start + k)]


def subproof(m: int, start: int, end: int, b: bool) -> list[bytes]:
    """SUBPROOF(m, D[start:end], b)."""
    n = end - start
    if m == n:
        return [] if b else [mth(start, end)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return subproof(m, start, start + k, b) + [mth(start + k, end)]
    return subproof(m - k, start + k, end, False) + [mth(start, start + k)]


def proof(m: int, n: int) -> list[bytes]:
    """PROOF(m, D[n])."""
    return subproof(m, 0, n, True)


def leaf(i: int) -> bytes:
    return mth(i, i + 1)


def flipped(digest: bytes) -> bytes:
    return bytes([digest[0] ^ 0x01]) + digest[1:]


SIZES = range(1, MAX_SIZE + 1)
INCLUSIONS = [(i, n) for n in SIZES for i in range(n)]
CONSISTENCIES = [(m, n) for n in SIZES for m in range(1, n + 1)]


# --------------------------------------------------------------------------
# Tree hashes


def test_leaf_and_node_hashes_follow_rfc_9162():
    assert creditregistry.leaf_hash(b"abc") == sha256(b"\x00abc")
    assert creditregistry.node_hash(b"L" * 32, b"R" * 32) == sha256(b"\x01" + b"L" * 32 + b"R" * 32)


@pytest.mark.parametrize("n", range(0, MAX_SIZE + 1))
def test_root_hash_is_mth(n):
    assert creditregistry.root_hash(iter([leaf(i) for i in range(n)])) == mth(0, n)


# --------------------------------------------------------------------------
# Inclusion


@pytest.mark.parametrize("i, n", INCLUSIONS)
def test_every_inclusion_proof_verifies(i, n):
    creditregistry.verify_inclusion(leaf(i), i, n, path(i, 0, n), mth(0, n))


@pytest.mark.parametrize("i, n", INCLUSIONS)
def test_altered_inclusion_proofs_are_rejected(i, n):
    audit_path, root = path(i, 0, n), mth(0, n)

    def rejects(leaf_hash, index, size, hashes, root_hash):
        with pytest.raises(VerificationError):
            creditregistry.verify_inclusion(leaf_hash, index, size, hashes, root_hash)

    rejects(flipped(leaf(i)), i, n, audit_path, root)
    rejects(leaf(i), i, n, audit_path, flipped(root))
    for k in range(len(audit_path)):
        rejects(leaf(i), i, n, audit_path[:k] + [flipped(audit_path[k])] + audit_path[k + 1 :], root)
    rejects(leaf(i), i, n, audit_path + [root], root)
    if audit_path:
        rejects(leaf(i), i, n, audit_path[:-1], root)
    for j in (-1, *range(n + 1)):
        if j != i:
            rejects(leaf(i), j, n, audit_path, root)
    # The same path against another tree, with that tree's true root.
    for other in (0, *SIZES):
        if other != n:
            rejects(leaf(i), i, other, audit_path, mth(0, other))


def test_inclusion_refuses_hashes_of_the_wrong_length():
    with pytest.raises(VerificationError, match="inclusion proof hash 0 is 31 bytes"):
        creditregistry.verify_inclusion(leaf(0), 0, 2, [leaf(1)[:31]], mth(0, 2))


# --------------------------------------------------------------------------
# Consistency


@pytest.mark.parametrize("m, n", CONSISTENCIES)
def test_every_consistency_proof_verifies(m, n):
    creditregistry.verify_consistency(m, n, mth(0, m), mth(0, n), proof(m, n))


@pytest.mark.parametrize("m, n", CONSISTENCIES)
def test_altered_consistency_proofs_are_rejected(m, n):
    hashes, first, second = proof(m, n), mth(0, m), mth(0, n)

    def rejects(first_size, second_size, first_root, second_root, consistency):
        with pytest.raises(VerificationError):
            creditregistry.verify_consistency(first_size, second_size, first_root, second_root, consistency)

    rejects(m, n, flipped(first), second, hashes)
    rejects(m, n, first, flipped(second), hashes)
    for k in range(len(hashes)):
        rejects(m, n, first, second, hashes[:k] + [flipped(hashes[k])] + hashes[k + 1 :])
    rejects(m, n, first, second, hashes + [second])
    if hashes:
        rejects(m, n, first, second, hashes[:-1])
    # The same proof between other sizes, with those trees' true roots.
    for m2, n2 in ((m - 1, n), (m + 1, n), (m, n - 1), (m, n + 1), (n, m)):
        if (m2, n2) != (m, n) and 0 <= m2 <= MAX_SIZE and 0 <= n2 <= MAX_SIZE:
            rejects(m2, n2, mth(0, m2), mth(0, n2), hashes)


def test_consistency_from_an_empty_tree_is_refused():
    with pytest.raises(VerificationError, match="no consistency proof exists from tree size 0"):
        creditregistry.verify_consistency(0, 1, mth(0, 0), mth(0, 1), [])


# --------------------------------------------------------------------------
# Keys, checkpoints and receipts


def sign_checkpoint(private_key: Ed25519PrivateKey, kid: str, tree_size: int) -> types_pb2.SignedCheckpoint:
    checkpoint = types_pb2.Checkpoint(
        origin="creditregistry-test",
        tree_size=tree_size,
        root_hash=mth(0, tree_size),
        created_at=timestamp_pb2.Timestamp(seconds=1_780_000_000, nanos=123_000),
        check_log_head=sha256(b"head"),
        check_log_size=7,
    ).SerializeToString()
    return types_pb2.SignedCheckpoint(
        checkpoint=checkpoint,
        key_id=kid,
        signature=private_key.sign(b"creditregistry.v1.Checkpoint\x00" + checkpoint),
    )


def receipt_body(signed: types_pb2.SignedCheckpoint) -> types_pb2.ReceiptBody:
    decision = types_pb2.Decision(
        uscc="91310115MA1K3BTP2B",
        domain=types_pb2.MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT,
        evaluated_on=creditregistry.date(2026, 3, 2),
        eligibility=types_pb2.ELIGIBILITY_INELIGIBLE,
        measures=[types_pb2.MeasureInForce(measure_code="GP-MAJOR-VIOLATION", trigger_record_ids=["r-1"])],
        catalogue_version="measures-2026.1",
    )
    return types_pb2.ReceiptBody(
        receipt_id="0192f6b0-0000-7000-8000-000000000001",
        issued_at=timestamp_pb2.Timestamp(seconds=1_780_000_100),
        caller_subject="buyer",
        caller_organisation="ccgp",
        requested_codes=["91310115MA1K3BTP2B", "91310115MA1K3BTP2C"],
        domain=types_pb2.MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT,
        evaluated_on=creditregistry.date(2026, 3, 2),
        decisions=[decision],
        catalogue_version="measures-2026.1",
        checkpoint=signed,
        kind=types_pb2.CHECK_KIND_BATCH,
    )


def sign_receipt(private_key: Ed25519PrivateKey, kid: str, body: types_pb2.ReceiptBody) -> bytes:
    body_bytes = body.SerializeToString()
    return types_pb2.Receipt(
        body=body_bytes,
        key_id=kid,
        signature=private_key.sign(b"creditregistry.v1.ReceiptBody\x00" + body_bytes),
    ).SerializeToString()


@pytest.fixture(scope="module")
def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def pem(private_key) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def kid(private_key) -> str:
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "registry-" + hashlib.sha256(raw).hexdigest()[:16]


@pytest.fixture(scope="module")
def keys(pem):
    return creditregistry.load_public_keys(pem)


@pytest.fixture(scope="module")
def receipt(private_key, kid) -> bytes:
    return sign_receipt(private_key, kid, receipt_body(sign_checkpoint(private_key, kid, 21)))


def test_keys_load_by_key_id(private_key, pem, kid):
    assert creditregistry.key_id(private_key.public_key()) == kid
    registry_key = audit_pb2.RegistryKey(key_id=kid, algorithm="Ed25519", public_key_pem=pem)
    assert list(creditregistry.load_public_keys([registry_key])) == [kid]
    assert list(creditregistry.load_public_keys([pem.encode()])) == [kid]


def test_mislabelled_or_foreign_keys_are_refused(pem):
    mislabelled = audit_pb2.RegistryKey(key_id="registry-0000000000000000", algorithm="Ed25519", public_key_pem=pem)
    with pytest.raises(VerificationError, match="holds the public key"):
        creditregistry.load_public_keys([mislabelled])
    with pytest.raises(VerificationError, match="not a PEM public key"):
        creditregistry.load_public_keys("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_checkpoint_round_trips(private_key, kid, keys):
    checkpoint = creditregistry.verify_checkpoint(sign_checkpoint(private_key, kid, 5), keys)
    assert checkpoint.tree_size == 5
    assert checkpoint.root_hash == mth(0, 5)
    assert checkpoint.check_log_size == 7


def test_checkpoint_signature_is_domain_separated(private_key, kid, keys):
    signed = sign_checkpoint(private_key, kid, 5)
    signed.signature = private_key.sign(b"creditregistry.v1.ReceiptBody\x00" + signed.checkpoint)
    with pytest.raises(VerificationError, match="checkpoint signature does not verify"):
        creditregistry.verify_checkpoint(signed, keys)


def test_receipt_round_trips(private_key, kid, keys, receipt):
    body = creditregistry.verify_receipt(receipt, keys)
    assert body == receipt_body(sign_checkpoint(private_key, kid, 21))
    assert body.decisions[0].eligibility == types_pb2.ELIGIBILITY_INELIGIBLE


def test_every_single_byte_change_of_a_receipt_is_detected(keys, receipt):
    for i in range(len(receipt)):
        tampered = receipt[:i] + bytes([receipt[i] ^ 0x01]) + receipt[i + 1 :]
        with pytest.raises(VerificationError):
            creditregistry.verify_receipt(tampered, keys)


def test_receipt_with_an_appended_field_is_refused(keys, receipt):
    # A valid signature over the body, plus a field protobuf would ignore.
    with pytest.raises(VerificationError, match="not the plain encoding"):
        creditregistry.verify_receipt(receipt + b"\x7a\x01x", keys)


def batch_receipts(private_key: Ed25519PrivateKey, kid: str, bodies: list[bytes]) -> list[bytes]:
    """Receipts signed together as the server signs them: one signature over
    the batch head, each with its RFC 9162 path."""
    leaves = [sha256(b"\x00" + b) for b in bodies]

    def root(lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return leaves[lo]
        k = largest_power_of_two_below(hi - lo)
        return sha256(b"\x01" + root(lo, lo + k) + root(lo + k, hi))

    def audit_path(m: int, lo: int, hi: int) -> list[bytes]:
        if hi - lo == 1:
            return []
        k = largest_power_of_two_below(hi - lo)
        if m < k:
            return audit_path(m, lo, lo + k) + [root(lo + k, hi)]
        return audit_path(m - k, lo + k, hi) + [root(lo, lo + k)]

    head = types_pb2.ReceiptBatchHead(size=len(bodies), root_hash=root(0, len(bodies))).SerializeToString()
    signature = private_key.sign(b"creditregistry.v1.ReceiptBatchHead\x00" + head)
    return [
        types_pb2.Receipt(
            body=body,
            key_id=kid,
            signature=signature,
            batch_head=head,
            leaf_index=i,
            inclusion_path=audit_path(i, 0, len(bodies)),
        ).SerializeToString()
        for i, body in enumerate(bodies)
    ]


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_receipts_signed_in_a_batch_each_verify_alone(private_key, kid, keys, size):
    body = receipt_body(sign_checkpoint(private_key, kid, 21))
    for position in range(size):
        bodies = [b"another receipt %d" % i for i in range(size)]
        bodies[position] = body.SerializeToString()
        receipt = batch_receipts(private_key, kid, bodies)[position]
        assert creditregistry.verify_receipt(receipt, keys) == body
        for i in range(len(receipt)):
            tampered = receipt[:i] + bytes([receipt[i] ^ 0x01]) + receipt[i + 1 :]
            with pytest.raises(VerificationError):
                creditregistry.verify_receipt(tampered, keys)


def test_a_batched_receipt_with_another_leafs_place_is_refused(private_key, kid, keys):
    body = receipt_body(sign_checkpoint(private_key, kid, 21)).SerializeToString()
    receipts = batch_receipts(private_key, kid, [body, b"x", b"y"])
    moved = types_pb2.Receipt.FromString(receipts[0])
    moved.leaf_index = 1
    with pytest.raises(VerificationError, match="inclusion proof"):
        creditregistry.verify_receipt(moved.SerializeToString(), keys)
    # A signature over the head made as a single receipt's is not a batch's.
    single = types_pb2.Receipt.FromString(receipts[0])
    single.signature = private_key.sign(b"creditregistry.v1.ReceiptBody\x00" + single.batch_head)
    with pytest.raises(VerificationError, match="receipt batch signature does not verify"):
        creditregistry.verify_receipt(single.SerializeToString(), keys)


def test_receipt_from_an_unknown_key_is_refused(receipt):
    other = creditregistry.load_public_keys(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(VerificationError, match="signed by unknown key"):
        creditregistry.verify_receipt(receipt, other)


def test_receipt_with_a_forged_checkpoint_is_refused(private_key, kid, keys):
    signed = sign_checkpoint(private_key, kid, 21)
    signed.checkpoint = types_pb2.Checkpoint(tree_size=21, root_hash=mth(0, 20)).SerializeToString()
    with pytest.raises(VerificationError, match="checkpoint signature does not verify"):
        creditregistry.verify_receipt(sign_receipt(private_key, kid, receipt_body(signed)), keys)


def test_empty_receipt_is_refused(keys):
    with pytest.raises(VerificationError, match="the receipt is empty"):
        creditregistry.verify_receipt(b"", keys)


# --------------------------------------------------------------------------
# Check log chain


def test_chain_hash_covers_the_entry_without_its_own_hash():
    entry = audit_pb2.CheckLogEntry(
        sequence=1,
        caller_subject="buyer",
        codes=["91310115MA1K3BTP2B"],
        domain=types_pb2.MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT,
        eligibilities=[types_pb2.ELIGIBILITY_ELIGIBLE],
        receipt_id="r-1",
        kind=types_pb2.CHECK_KIND_SINGLE,
        tree_size=3,
    )
    expected = sha256(bytes(32) + entry.SerializeToString())
    entry.chain_hash = b"\xff" * 32
    assert creditregistry.chain_hash(bytes(32), entry) == expected
    assert entry.chain_hash == b"\xff" * 32  # the entry itself is left alone


# --------------------------------------------------------------------------
# audit_entity, against a stand-in for the AuditService


class FakeAudit:
    """Serves the first `size` LEAVES, two history entries a page, with a
    checkpoint signed at `signed_size`; `tamper` may alter each history entry."""

    def __init__(self, private_key, kid, size, signed_size, tamper=lambda entry: None):
        self.signed = sign_checkpoint(private_key, kid, signed_size)
        self.size = size
        self.tamper = tamper

    def GetCheckpoint(self, request, timeout=None):
        assert request.tree_size == 0
        return audit_pb2.GetCheckpointResponse(checkpoint=self.signed)

    def GetEntityHistory(self, request, timeout=None):
        entries = []
        for i, data in enumerate(LEAVES[: self.size]):
            record = types_pb2.Record.FromString(data)
            if record.uscc == request.uscc:
                entry = audit_pb2.HistoryEntry(
                    entry=types_pb2.RecordEntry(record=record), canonical_record=data, leaf_hash=leaf(i)
                )
                self.tamper(entry)
                entries.append(entry)
        start = int(request.page_token or 0)
        more = start + 2 < len(entries)
        return audit_pb2.GetEntityHistoryResponse(
            entries=entries[start : start + 2], next_page_token=str(start + 2) if more else "", tree_size=self.size
        )

    def GetInclusionProof(self, request, timeout=None):
        return audit_pb2.GetInclusionProofResponse(hashes=path(request.sequence - 1, 0, request.tree_size))


def test_audit_entity_proves_every_record_up_to_the_checkpoint(private_key, kid, keys):
    audited = creditregistry.audit_entity(FakeAudit(private_key, kid, size=20, signed_size=17), ENTITY, keys)
    assert audited.checkpoint.tree_size == 17
    assert [e.entry.record.sequence for e in audited.verified] == [1, 3, 5, 7, 9, 11, 13, 15, 17]
    assert [e.entry.record.sequence for e in audited.after_checkpoint] == [19]


def wrong_hash(entry):
    entry.leaf_hash = bytes(32)


def another_records_bytes(entry):
    entry.canonical_record, entry.leaf_hash = LEAVES[6], leaf(6)


def other_actor_shown(entry):
    entry.entry.record.actor = "someone else"


@pytest.mark.parametrize(
    "change, message",
    [
        (wrong_hash, "record 5 .*canonical bytes hash to"),
        (another_records_bytes, "record 5 .*canonical bytes are record 7"),
        (other_actor_shown, "record 5 .*differs from its canonical bytes"),
    ],
)
def test_audit_entity_rejects_a_tampered_history(private_key, kid, keys, change, message):
    def tamper(entry):
        if entry.entry.record.sequence == 5:
            change(entry)

    with pytest.raises(VerificationError, match=message):
        creditregistry.audit_entity(FakeAudit(private_key, kid, 20, 17, tamper), ENTITY, keys)


def test_audit_entity_rejects_a_wrong_inclusion_proof(private_key, kid, keys):
    audit = FakeAudit(private_key, kid, 20, 17)
    audit.GetInclusionProof = lambda request, timeout=None: audit_pb2.GetInclusionProofResponse(
        hashes=path(request.sequence - 1, 0, request.tree_size - 1)
    )
    with pytest.raises(VerificationError, match="record 1 .*inclusion proof"):
        creditregistry.audit_entity(audit, ENTITY, keys)
