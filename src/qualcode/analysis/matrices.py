"""Code × group matrices: code by organisation, project, role or any document attribute."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import QualcodeError
from qualcode.core.scope import Scope
from qualcode.store import analysis as sql

if TYPE_CHECKING:
    from qualcode.study.study import Study

MEASURES = {
    "count": "codings",
    "docs": "% of the group's documents with the code",
    "rate": "codings per 1,000 words of the group",
}
BUILTIN_GROUPS = ("organisation", "project", "role", "participant", "document", "case", "wave")


@dataclass
class GroupInfo:
    name: str
    documents: int
    words: int
    participants: int


@dataclass
class Matrix:
    """Codes (rows) by groups (columns), with every measure at hand so that the TUI can
    switch measure without asking the study again."""

    by: str
    codes: list[tuple[int, str, int]]  # (code id, path, depth)
    groups: list[GroupInfo]
    codings: dict[tuple[int, str], int] = field(default_factory=dict)
    documents: dict[tuple[int, str], int] = field(default_factory=dict)

    def value(self, code_id: int, group: str, measure: str) -> float:
        info = next(g for g in self.groups if g.name == group)
        if measure == "count":
            return float(self.codings.get((code_id, group), 0))
        if measure == "docs":
            n = self.documents.get((code_id, group), 0)
            return round(100.0 * n / info.documents, 1) if info.documents else 0.0
        if measure == "rate":
            n = self.codings.get((code_id, group), 0)
            return round(1000.0 * n / info.words, 2) if info.words else 0.0
        raise QualcodeError(f"unknown measure “{measure}”; use one of: {', '.join(MEASURES)}")

    def rows(self, measure: str = "count") -> list[dict[str, Any]]:
        """One dict per code: ``code`` then one column per group, and ``total``."""
        if measure not in MEASURES:
            raise QualcodeError(f"unknown measure “{measure}”; use one of: {', '.join(MEASURES)}")
        out = []
        total_docs = sum(g.documents for g in self.groups)
        total_words = sum(g.words for g in self.groups)
        for code_id, path, _depth in self.codes:
            row: dict[str, Any] = {"code": path}
            for g in self.groups:
                value = self.value(code_id, g.name, measure)
                row[g.name] = int(value) if measure == "count" else value
            codings = sum(self.codings.get((code_id, g.name), 0) for g in self.groups)
            docs = sum(self.documents.get((code_id, g.name), 0) for g in self.groups)
            if measure == "count":
                row["total"] = codings
            elif measure == "docs":
                row["total"] = round(100.0 * docs / total_docs, 1) if total_docs else 0.0
            else:
                row["total"] = round(1000.0 * codings / total_words, 2) if total_words else 0.0
            out.append(row)
        return out

    def columns(self) -> list[str]:
        return ["code", *[g.name for g in self.groups], "total"]


def crosstab(
    study: Study,
    by: str = "organisation",
    scope: Scope | None = None,
    *,
    rollup: bool = True,
    include_empty: bool = True,
) -> Matrix:
    """Codes by the groups of ``by`` (organisation, project, role, participant, document,
    or a document attribute name)."""
    scope = scope or Scope()
    check_grouping(study, by)
    groups = [
        GroupInfo(r["grp"], r["documents"], r["words"] or 0, r["participants"])
        for r in sql.group_sizes(study.store, scope, by)
    ]
    cells = sql.code_group_totals(study.store, scope, by, rollup=rollup)
    matrix = Matrix(by=by, codes=[], groups=groups)
    for r in cells:
        matrix.codings[(r["code_id"], r["grp"])] = r["codings"]
        matrix.documents[(r["code_id"], r["grp"])] = r["documents"]
    coded = {r["code_id"] for r in cells}
    matrix.codes = [(c.id, c.path, c.depth) for c in study.codes() if include_empty or c.id in coded]
    return matrix


def check_grouping(study: Study, by: str) -> None:
    if by in BUILTIN_GROUPS or by in study.attribute_names():
        return
    known = ", ".join(dict.fromkeys([*BUILTIN_GROUPS, *study.attribute_names()]))
    raise QualcodeError(f"cannot group by “{by}”: use one of {known}")
