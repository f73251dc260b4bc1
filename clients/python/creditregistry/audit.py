"""Checks what the registry proves and signs, with nothing but its public keys.

Every record is a leaf of an RFC 9162 Merkle tree; the registry signs
checkpoints of that tree and eligibility receipts with Ed25519. The functions
here verify proofs, checkpoints and receipts offline, so neither an auditor
nor whoever holds a receipt has to trust the server that handed them over.

Every ``verify_*`` function returns the decoded message (or None when there is
nothing to decode) and raises ``VerificationError`` naming the first failure;
none of them returns False. ``audit_entity`` is the one helper that calls the
server: it fetches an entity's history and proves it against a checkpoint.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Iterator, Mapping, Optional, Sequence, Type, TypeVar, Union

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from google.protobuf.message import DecodeError, Message

from .v1 import audit_pb2, audit_pb2_grpc, types_pb2

__all__ = [
    "EntityAudit",
    "VerificationError",
    "audit_entity",
    "chain_hash",
    "key_id",
    "leaf_hash",
    "load_public_keys",
    "node_hash",
    "root_hash",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_receipt",
    "VerifiedSegment",
    "verify_segment_file",
]

HASH_SIZE = 32

# Domain separation: a signature over one kind of message never verifies as
# another, even where the bytes would decode as both.
_CHECKPOINT_CONTEXT = b"creditregistry.v1.Checkpoint\x00"
_RECEIPT_CONTEXT = b"creditregistry.v1.ReceiptBody\x00"
_RECEIPT_BATCH_CONTEXT = b"creditregistry.v1.ReceiptBatchHead\x00"
_SEGMENT_CONTEXT = b"creditregistry.v1.CheckSegmentHead\x00"

_M = TypeVar("_M", bound=Message)


class VerificationError(Exception):
    """A proof, signature, key or receipt did not verify; the message says why."""


# --------------------------------------------------------------------------
# Merkle tree (RFC 9162, section 2.1)


def _sha256(*parts: bytes) -> bytes:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.digest()


def leaf_hash(record: bytes) -> bytes:
    """The leaf hash of canonical record bytes: SHA-256(0x00 || record)."""
    return _sha256(b"\x00", record)


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node: SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01", left, right)


def root_hash(leaf_hashes: Iterable[bytes]) -> bytes:
    """The root (RFC 9162 MTH) over leaf hashes in ledger order.

    Consumes an iterable in one pass, keeping one hash per level, so a whole
    ``ExportLedger`` stream can be folded without holding it in memory.
    """
    # (size, hash) of complete subtrees, sizes strictly decreasing.
    subtrees: list[tuple[int, bytes]] = []
    for digest in leaf_hashes:
        size = 1
        while subtrees and subtrees[-1][0] == size:
            digest = node_hash(subtrees.pop()[1], digest)
            size *= 2
        subtrees.append((size, digest))
    if not subtrees:
        return _sha256()
    root = subtrees.pop()[1]
    while subtrees:
        root = node_hash(subtrees.pop()[1], root)
    return root


def _check_hash(what: str, digest: bytes) -> None:
    if len(digest) != HASH_SIZE:
        raise VerificationError(f"{what} is {len(digest)} bytes, not {HASH_SIZE}")


def verify_inclusion(
    leaf_hash: bytes, leaf_index: int, tree_size: int, path: Sequence[bytes], root: bytes
) -> None:
    """Checks an audit path (RFC 9162 2.1.3.2): leaf ``leaf_index`` (sequence - 1)
    of the tree of ``tree_size`` leaves whose root is ``root``."""
    if not 0 <= leaf_index < tree_size:
        raise VerificationError(f"leaf index {leaf_index} is outside a tree of size {tree_size}")
    _check_hash("leaf hash", leaf_hash)
    _check_hash("root", root)
    for i, p in enumerate(path):
        _check_hash(f"inclusion proof hash {i}", p)
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in path:
        if sn == 0:
            raise VerificationError(
                f"inclusion proof of leaf {leaf_index} in a tree of size {tree_size} "
                f"has {len(path)} hashes, too many"
            )
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(
            f"inclusion proof of leaf {leaf_index} in a tree of size {tree_size} "
            f"has {len(path)} hashes, too few"
        )
    if r != root:
        raise VerificationError(
            f"inclusion proof of leaf {leaf_index} in a tree of size {tree_size} "
            f"leads to root {r.hex()}, not {root.hex()}"
        )


def verify_consistency(
    first_size: int, second_size: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Checks that the tree of ``first_size`` leaves is a prefix of the tree of
    ``second_size`` leaves (RFC 9162 2.1.4.2)."""
    if not 0 < first_size <= second_size:
        raise VerificationError(f"no consistency proof exists from tree size {first_size} to {second_size}")
    _check_hash("first root", first_root)
    _check_hash("second root", second_root)
    for i, c in enumerate(proof):
        _check_hash(f"consistency proof hash {i}", c)
    if first_size == second_size:
        if proof:
            raise VerificationError(
                f"consistency proof between equal tree sizes must be empty, it has {len(proof)} hashes"
            )
        if first_root != second_root:
            raise VerificationError(
                f"two trees of size {first_size} have different roots: "
                f"{first_root.hex()} and {second_root.hex()}"
            )
        return
    if not proof:
        raise VerificationError(f"consistency proof from {first_size} to {second_size} is empty")
    path = list(proof)
    if first_size & (first_size - 1) == 0:
        path.insert(0, first_root)  # the first tree is a complete subtree
    fn, sn = first_size - 1, second_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError(
                f"consistency proof from {first_size} to {second_size} has {len(proof)} hashes, too many"
            )
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(
            f"consistency proof from {first_size} to {second_size} has {len(proof)} hashes, too few"
        )
    if fr != first_root:
        raise VerificationError(
            f"consistency proof leads to a root {fr.hex()} of size {first_size}, not {first_root.hex()}"
        )
    if sr != second_root:
        raise VerificationError(
            f"consistency proof leads to a root {sr.hex()} of size {second_size}, not {second_root.hex()}"
        )


# --------------------------------------------------------------------------
# Keys and signatures


def key_id(public_key: Ed25519PublicKey) -> str:
    """The registry's name for a key: "registry-" + 16 hex digits of
    SHA-256 over the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "registry-" + hashlib.sha256(raw).hexdigest()[:16]


def _load_pem(pem: Union[str, bytes]) -> Ed25519PublicKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        public_key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as e:
        raise VerificationError(f"not a PEM public key: {e}") from None
    if not isinstance(public_key, Ed25519PublicKey):
        raise VerificationError(f"not an Ed25519 key: {type(public_key).__name__}")
    return public_key


def load_public_keys(
    keys: Union[str, bytes, Iterable[Union[audit_pb2.RegistryKey, str, bytes]]],
) -> dict[str, Ed25519PublicKey]:
    """The keys to verify with, by key id.

    ``keys``: ``GetRegistryKeysResponse.keys``, or PEM public keys (one, or
    several). A ``RegistryKey`` whose key id is not that of its own public key
    is refused, so a mislabelled key cannot stand in for another.
    """
    if isinstance(keys, (str, bytes)):
        keys = [keys]
    loaded: dict[str, Ed25519PublicKey] = {}
    for key in keys:
        if isinstance(key, audit_pb2.RegistryKey):
            if key.algorithm != "Ed25519":
                raise VerificationError(f"registry key {key.key_id!r} is {key.algorithm!r}, not Ed25519")
            public_key = _load_pem(key.public_key_pem)
            if key_id(public_key) != key.key_id:
                raise VerificationError(
                    f"registry key {key.key_id!r} holds the public key {key_id(public_key)}"
                )
        else:
            public_key = _load_pem(key)
        loaded[key_id(public_key)] = public_key
    return loaded


def _verify_signature(
    keys: Mapping[str, Ed25519PublicKey], kid: str, signature: bytes, message: bytes, what: str
) -> None:
    public_key = keys.get(kid)
    if public_key is None:
        known = ", ".join(sorted(keys)) or "none"
        raise VerificationError(f"{what} is signed by unknown key {kid!r} (known: {known})")
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        raise VerificationError(f"{what} signature does not verify with key {kid}") from None


def _decode(message_type: Type[_M], data: bytes, what: str) -> _M:
    try:
        return message_type.FromString(data)
    except DecodeError as e:
        raise VerificationError(f"{what} does not decode: {e}") from None


def verify_checkpoint(
    signed: types_pb2.SignedCheckpoint, keys: Mapping[str, Ed25519PublicKey]
) -> types_pb2.Checkpoint:
    """Checks the signature over the checkpoint bytes as received, then decodes them."""
    _verify_signature(
        keys, signed.key_id, signed.signature, _CHECKPOINT_CONTEXT + signed.checkpoint, "checkpoint"
    )
    checkpoint = _decode(types_pb2.Checkpoint, signed.checkpoint, "checkpoint")
    _check_hash("checkpoint root hash", checkpoint.root_hash)
    return checkpoint


def verify_receipt(receipt: bytes, keys: Mapping[str, Ed25519PublicKey]) -> types_pb2.ReceiptBody:
    """Checks a stored receipt (the encoded ``Receipt``) and its checkpoint.

    A receipt signed in a batch: the signature over its ``batch_head``, then
    the inclusion path of SHA-256(0x00 || body) at ``leaf_index`` under the
    head's root (RFC 9162). One issued before batches: the signature over
    the body itself. The bytes must be exactly the encoding of their own
    fields: protobuf would otherwise ignore an appended or repeated field,
    and a receipt that can change unnoticed is no evidence.
    """
    if not receipt:
        raise VerificationError("the receipt is empty")
    parsed = _decode(types_pb2.Receipt, receipt, "receipt")
    canonical = types_pb2.Receipt(
        body=parsed.body,
        key_id=parsed.key_id,
        signature=parsed.signature,
        batch_head=parsed.batch_head,
        leaf_index=parsed.leaf_index,
        inclusion_path=parsed.inclusion_path,
    ).SerializeToString()
    if canonical != receipt:
        raise VerificationError(
            "receipt bytes are not the plain encoding of a Receipt (extra, repeated or reordered fields)"
        )
    if not parsed.batch_head:
        _verify_signature(keys, parsed.key_id, parsed.signature, _RECEIPT_CONTEXT + parsed.body, "receipt")
    else:
        _verify_signature(
            keys, parsed.key_id, parsed.signature, _RECEIPT_BATCH_CONTEXT + parsed.batch_head, "receipt batch"
        )
        head = _decode(types_pb2.ReceiptBatchHead, parsed.batch_head, "receipt batch head")
        _check_hash("receipt batch root hash", head.root_hash)
        if not 0 <= parsed.leaf_index < head.size:
            raise VerificationError(
                f"receipt leaf {parsed.leaf_index} is outside its batch of {head.size}"
            )
        verify_inclusion(
            leaf_hash(parsed.body), parsed.leaf_index, head.size, list(parsed.inclusion_path), head.root_hash
        )
    body = _decode(types_pb2.ReceiptBody, parsed.body, "receipt body")
    if not body.HasField("checkpoint"):
        raise VerificationError("receipt body has no checkpoint")
    try:
        verify_checkpoint(body.checkpoint, keys)
    except VerificationError as e:
        raise VerificationError(f"receipt {body.receipt_id}: {e}") from None
    return body


# --------------------------------------------------------------------------
# Check log


def chain_hash(previous: bytes, entry: audit_pb2.CheckLogEntry) -> bytes:
    """SHA-256(previous || entry encoded with chain_hash cleared); ``previous``
    is the preceding entry's chain_hash, 32 zero bytes before the first.

    Best effort: the server encodes with prost, and this matches it only
    while this client knows every field of the entry (both then write fields
    in number order); an entry from a newer schema may hash differently here
    although it is intact.
    """
    unchained = audit_pb2.CheckLogEntry()
    unchained.CopyFrom(entry)
    unchained.ClearField("chain_hash")
    return _sha256(previous, unchained.SerializeToString(deterministic=True))


@dataclass(frozen=True)
class VerifiedSegment:
    """What ``verify_segment_file`` proved."""

    #: The signed head, verified.
    head: types_pb2.CheckSegmentHead
    #: The entries, in sequence order, each decoded.
    entries: list[audit_pb2.CheckLogEntry]


def _varint(data: bytes, at: int, what: str) -> tuple[int, int]:
    """A LEB128 varint at ``at``: its value and where it ends."""
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise VerificationError(f"{what} has no length")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def _micros(t) -> int:
    return t.seconds * 1_000_000 + t.nanos // 1000


def verify_segment_file(
    file: Union[str, os.PathLike, BinaryIO], keys: Mapping[str, Ed25519PublicKey]
) -> VerifiedSegment:
    """Verifies an exported check-log segment file alone, with the registry's keys.

    The file (``creditregistry export-checks``) is one gzip member, nothing
    after it, holding the length-delimited
    ``SignedCheckSegmentHead``, then each entry preceded by its length as a
    varint, exactly as chained. Checks the head's signature, then every entry:
    its sequence, its time within the head's range, and the chain
    SHA-256(previous || entry bytes) from ``chain_before`` to ``chain_hash``.
    The chain runs over the bytes as stored, so it does not depend on how this
    client would encode an entry.
    """
    if hasattr(file, "read"):
        packed = file.read()
    else:
        with open(file, "rb") as f:
            packed = f.read()
    # Exactly one gzip member and nothing after it, as the registry's own
    # verifier requires: a reader that went on into a second member would
    # see entries this check never saw.
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(packed)
    except zlib.error as e:
        raise VerificationError(f"not a gzip file: {e}") from None
    if not inflater.eof:
        raise VerificationError("not a gzip file: the gzip stream is cut short")
    if inflater.unused_data:
        raise VerificationError("bytes follow the segment's gzip stream")
    length, at = _varint(data, 0, "the segment head")
    signed = _decode(types_pb2.SignedCheckSegmentHead, data[at : at + length], "segment head")
    at += length
    _verify_signature(keys, signed.key_id, signed.signature, _SEGMENT_CONTEXT + signed.head, "segment head")
    head = _decode(types_pb2.CheckSegmentHead, signed.head, "segment head")
    _check_hash("segment chain_before", head.chain_before)
    _check_hash("segment chain_hash", head.chain_hash)
    earliest, latest = _micros(head.first_checked_at), _micros(head.last_checked_at)
    chain, n, entries = head.chain_before, head.first_sequence, []
    while at < len(data):
        length, at = _varint(data, at, f"entry {n}")
        raw = data[at : at + length]
        if len(raw) != length or n > head.last_sequence:
            raise VerificationError(f"entry {n} is cut short or lies beyond the head's last entry {head.last_sequence}")
        at += length
        entry = _decode(audit_pb2.CheckLogEntry, raw, f"entry {n}")
        if entry.sequence != n:
            raise VerificationError(f"entry {n} says it is entry {entry.sequence}")
        if not earliest <= _micros(entry.checked_at) <= latest:
            raise VerificationError(f"entry {n} was checked outside the head's time range")
        chain = _sha256(chain, raw)
        entries.append(entry)
        n += 1
    if n != head.last_sequence + 1:
        raise VerificationError(f"the file ends after entry {n - 1}, before the head's last entry {head.last_sequence}")
    if chain != head.chain_hash:
        raise VerificationError("its entries do not chain to the signed head: an entry was changed, added or removed")
    return VerifiedSegment(head, entries)


# --------------------------------------------------------------------------
# Online: an entity's history against a signed checkpoint


@dataclass(frozen=True)
class EntityAudit:
    """What ``audit_entity`` proved."""

    #: The verified checkpoint everything was proved against.
    checkpoint: types_pb2.Checkpoint
    #: Entries whose bytes, leaf hash and inclusion in ``checkpoint`` verified,
    #: in ledger order.
    verified: list[audit_pb2.HistoryEntry]
    #: Entries committed after the checkpoint: bytes and leaf hash checked, but
    #: no inclusion proof until a newer checkpoint is signed.
    after_checkpoint: list[audit_pb2.HistoryEntry]


def _history(
    audit: audit_pb2_grpc.AuditServiceStub, uscc: str, timeout: Optional[float]
) -> Iterator[audit_pb2.HistoryEntry]:
    request = audit_pb2.GetEntityHistoryRequest(uscc=uscc)
    while True:
        page = audit.GetEntityHistory(request, timeout=timeout)
        yield from page.entries
        if not page.next_page_token:
            return
        request.page_token = page.next_page_token


def audit_entity(
    audit: audit_pb2_grpc.AuditServiceStub,
    uscc: str,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    timeout: Optional[float] = 30.0,
) -> EntityAudit:
    """Proves an entity's whole history against the latest signed checkpoint.

    Needs an auditor's stub (``client.audit``). For every history entry: its
    canonical bytes must hash to its leaf hash and decode to exactly the
    record shown, entries must come in ledger order, and each record up to the
    checkpoint's tree size must have a verifying inclusion proof. Raises
    ``VerificationError`` on the first failure, ``grpc.RpcError`` if a call fails.
    """
    signed = audit.GetCheckpoint(audit_pb2.GetCheckpointRequest(tree_size=0), timeout=timeout).checkpoint
    checkpoint = verify_checkpoint(signed, keys)
    verified: list[audit_pb2.HistoryEntry] = []
    after_checkpoint: list[audit_pb2.HistoryEntry] = []
    previous = 0
    for item in _history(audit, uscc, timeout):
        shown = item.entry.record
        what = f"record {shown.sequence} ({shown.record_id})"
        digest = leaf_hash(item.canonical_record)
        if digest != item.leaf_hash:
            raise VerificationError(
                f"{what}: canonical bytes hash to {digest.hex()}, the server says {item.leaf_hash.hex()}"
            )
        committed = _decode(types_pb2.Record, item.canonical_record, what)
        if committed.sequence != shown.sequence:
            raise VerificationError(f"{what}: canonical bytes are record {committed.sequence}")
        if committed != shown:
            raise VerificationError(f"{what}: the record shown differs from its canonical bytes")
        if committed.sequence <= previous:
            raise VerificationError(f"{what}: history is not in ledger order (after record {previous})")
        previous = committed.sequence
        if committed.sequence > checkpoint.tree_size:
            after_checkpoint.append(item)
            continue
        proof = audit.GetInclusionProof(
            audit_pb2.GetInclusionProofRequest(sequence=committed.sequence, tree_size=checkpoint.tree_size),
            timeout=timeout,
        )
        try:
            verify_inclusion(
                digest, committed.sequence - 1, checkpoint.tree_size, proof.hashes, checkpoint.root_hash
            )
        except VerificationError as e:
            raise VerificationError(f"{what}: {e}") from None
        verified.append(item)
    return EntityAudit(checkpoint, verified, after_checkpoint)
