"""The scope of an analysis: which documents (by their filter) and, optionally, whose codings.

A plain value the CLI and the TUI build from their filters and every analysis function takes;
:mod:`qualcode.store.analysis` turns it into SQL (``scope_documents_sql``, ``scope_codings_where``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Scope:
    """Documents (by their filter) and, optionally, one coder's codings."""

    organisation: str | None = None
    project: str | None = None
    role: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    coder: str | None = None

    @property
    def filters_documents(self) -> bool:
        """Whether the scope narrows the documents (not only the coder)."""
        return bool(self.organisation or self.project or self.role or self.attributes)
