#!/usr/bin/env python3
"""Verifies an eligibility receipt offline, with the registry's public key.

    python3 clients/python/verify_receipt.py --public-key registry.pub.pem receipt.bin

receipt.bin is the encoded `Receipt` as the registry returned it (in Python,
`response.receipt.SerializeToString()`); the key is a PEM public key as
`GetRegistryKeys` gives it (repeat --public-key for several). Prints what the
receipt attests and exits 0, or prints "INVALID: <reason>" and exits 1.
Exits 2 when a file cannot be read or a key cannot be loaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from google.type import date_pb2  # noqa: E402

from creditregistry import VerificationError, load_public_keys, verify_receipt  # noqa: E402
from creditregistry.v1 import types_pb2  # noqa: E402


def enum_name(enum, value: int, prefix: str) -> str:
    """MEASURE_DOMAIN_GOVERNMENT_PROCUREMENT -> GOVERNMENT_PROCUREMENT."""
    try:
        name = enum.Name(value)
    except ValueError:
        return str(value)
    return name.removeprefix(prefix)


def iso(d: date_pb2.Date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def show(receipt: bytes, body: types_pb2.ReceiptBody) -> None:
    # Both decodes only re-read what verify_receipt has already checked.
    key_id = types_pb2.Receipt.FromString(receipt).key_id
    checkpoint = types_pb2.Checkpoint.FromString(body.checkpoint.checkpoint)
    caller = body.caller_subject + (f" ({body.caller_organisation})" if body.caller_organisation else "")
    print(f"VALID receipt, signed by {key_id}")
    print(f"   receipt id       {body.receipt_id}")
    print(f"   issued at        {body.issued_at.ToJsonString()}")
    print(f"   caller           {caller}")
    print(f"   kind             {enum_name(types_pb2.CheckKind, body.kind, 'CHECK_KIND_')}")
    print(f"   domain           {enum_name(types_pb2.MeasureDomain, body.domain, 'MEASURE_DOMAIN_')}")
    print(f"   evaluated on     {iso(body.evaluated_on)}")
    if body.HasField("known_at"):
        print(f"   as known at      {body.known_at.ToJsonString()}")
    print(f"   codes requested  {len(body.requested_codes)}")
    for d in body.decisions:
        measures = ", ".join(m.measure_code for m in d.measures) or "no measure in force"
        print(f"   - {d.uscc}  {enum_name(types_pb2.Eligibility, d.eligibility, 'ELIGIBILITY_'):<10} {measures}")
    if body.kind == types_pb2.CHECK_KIND_CONSORTIUM:
        print(f"   consortium       {enum_name(types_pb2.Eligibility, body.consortium_eligibility, 'ELIGIBILITY_')}")
    print(f"   catalogue        {body.catalogue_version}")
    print(f"   checkpoint       tree size {checkpoint.tree_size}, root {checkpoint.root_hash.hex()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--public-key", action="append", required=True, type=Path,
                        help="PEM file of a registry public key (repeatable)")
    parser.add_argument("receipt", type=Path, help="the encoded Receipt")
    args = parser.parse_args(argv)
    # Caller organisations and subjects may be Chinese; never die printing them.
    sys.stdout.reconfigure(errors="backslashreplace")

    keys = {}
    try:
        for path in args.public_key:
            try:
                keys.update(load_public_keys(path.read_bytes()))
            except VerificationError as e:
                raise VerificationError(f"{path}: {e}") from None
        receipt = args.receipt.read_bytes()
    except (OSError, VerificationError) as e:
        print(f"verify_receipt: {e}", file=sys.stderr)
        return 2
    try:
        body = verify_receipt(receipt, keys)
    except VerificationError as e:
        print(f"INVALID: {e}")
        return 1
    show(receipt, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
