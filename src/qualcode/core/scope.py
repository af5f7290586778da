"""The scope of an analysis: which documents (by their filter) and, optionally, whose codings.

A plain value the CLI and the TUI build from their filters and every analysis function takes;
:mod:`qualcode.store.analysis` turns it into SQL (``scope_documents_sql``, ``scope_codings_where``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Scope:
    """Documents (by their filter) and, optionally, the coders whose codings count (``coder``
    for one, ``coders`` for several; both together mean all of them)."""

    organisation: str | None = None
    project: str | None = None
    role: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    coder: str | None = None
    coders: tuple[str, ...] = ()

    def coder_names(self) -> list[str]:
        """The coders named (empty: every coder counts)."""
        names = [*([self.coder] if self.coder else []), *self.coders]
        return list(dict.fromkeys(names))

    @property
    def filters_documents(self) -> bool:
        """Whether the scope narrows the documents (not only the coder)."""
        return bool(self.organisation or self.project or self.role or self.attributes)
