"""Python client of the creditregistry gRPC API.

The generated messages and stubs live in ``creditregistry.v1``; this package
adds a thin helper (see ``creditregistry.client``) and the offline
verification of proofs, checkpoints and receipts (``creditregistry.audit``).
"""

from .audit import (
    EntityAudit,
    VerificationError,
    audit_entity,
    chain_hash,
    key_id,
    leaf_hash,
    load_public_keys,
    node_hash,
    root_hash,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
    verify_receipt,
    verify_segment_file,
)
from .client import CST, Client, ErrorDetails, check_tender, connect, date, error_details, today_cst

__all__ = [
    "CST",
    "Client",
    "EntityAudit",
    "ErrorDetails",
    "VerificationError",
    "audit_entity",
    "chain_hash",
    "check_tender",
    "connect",
    "date",
    "error_details",
    "key_id",
    "leaf_hash",
    "load_public_keys",
    "node_hash",
    "root_hash",
    "today_cst",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_receipt",
    "verify_segment_file",
]
