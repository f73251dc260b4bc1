"""Python client of the creditregistry gRPC API.

The generated messages and stubs live in ``creditregistry.v1``; this package
adds a thin helper (see ``creditregistry.client``).
"""

from .client import CST, Client, ErrorDetails, connect, date, error_details, today_cst

__all__ = [
    "CST",
    "Client",
    "ErrorDetails",
    "connect",
    "date",
    "error_details",
    "today_cst",
]
