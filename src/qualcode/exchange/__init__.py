"""REFI-QDA exchange: .qdc codebooks and .qdpx projects, in and out.

The functions here are what the CLI and the TUI's command palette call. Long ones take a
``progress(done, total, label)`` callback.
"""

from __future__ import annotations

from qualcode.exchange.refi_export import ExportSummary, export_qdc, export_qdpx
from qualcode.exchange.refi_import import ImportSummary, import_qdc, import_qdpx, import_qdpx_new

__all__ = [
    "ExportSummary",
    "ImportSummary",
    "export_qdc",
    "export_qdpx",
    "import_qdc",
    "import_qdpx",
    "import_qdpx_new",
]
