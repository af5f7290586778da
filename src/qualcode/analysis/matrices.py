"""Code × group matrices: code by organisation, project, role or any document attribute.

Measures, and what they count:

- ``count``: codings, the raw number (every counted coder's, sub-codes' in their parents).
- ``passages``: passages — the code's spans merged across coders and sub-codes.
- ``docs``: the % of the group's units (documents, participants or cases the counted
  coders coded) with the code.
- ``rate``: passages per 1,000 words said by the group's respondents (interviewer turns out),
  pooled; beside it, per group, the mean and standard deviation of the rate per unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.analysis.units import UnitFrame, unit_frame
from qualcode.core.errors import QualcodeError
from qualcode.store import analysis as sql
from qualcode.store.analysis import Scope

if TYPE_CHECKING:
    from qualcode.study.study import Study

MEASURES = {
    "count": "codings (raw)",
    "passages": "passages (coded spans merged across coders and sub-codes)",
    "docs": "% of the group's units with the code",
    "rate": "passages per 1,000 respondents' words (pooled; mean and sd per unit beside it)",
}
BUILTIN_GROUPS = ("organisation", "project", "role", "participant", "document")


@dataclass
class GroupInfo:
    name: str
    documents: int  # units of the group (documents unless the unit says otherwise)
    words: int  # words said by the group's respondents
    participants: int


@dataclass
class Matrix:
    """Codes (rows) by groups (columns), with every measure at hand so that the TUI can
    switch measure without asking the study again."""

    by: str
    codes: list[tuple[int, str, int]]  # (code id, path, depth)
    groups: list[GroupInfo]
    codings: dict[tuple[int, str], int] = field(default_factory=dict)
    documents: dict[tuple[int, str], int] = field(default_factory=dict)  # units with the code
    passages: dict[tuple[int, str], int] = field(default_factory=dict)
    # per (code, group): passages per unit, for the per-unit rates
    unit_passages: dict[tuple[int, str], dict[str, int]] = field(default_factory=dict)
    unit_words: dict[str, dict[str, int]] = field(default_factory=dict)  # group → unit → words said
    unit: str = "document"
    notes: list[str] = field(default_factory=list)

    def value(self, code_id: int, group: str, measure: str) -> float:
        info = next(g for g in self.groups if g.name == group)
        if measure == "count":
            return float(self.codings.get((code_id, group), 0))
        if measure == "passages":
            return float(self.passages.get((code_id, group), 0))
        if measure == "docs":
            n = self.documents.get((code_id, group), 0)
            return 100.0 * n / info.documents if info.documents else 0.0
        if measure == "rate":
            n = self.passages.get((code_id, group), 0)
            return 1000.0 * n / info.words if info.words else 0.0
        raise QualcodeError(f"unknown measure “{measure}”; use one of: {', '.join(MEASURES)}")

    def unit_rates(self, code_id: int, group: str) -> tuple[float | None, float | None]:
        """Mean and sd over the group's units of passages per 1,000 words said."""
        counts = self.unit_passages.get((code_id, group), {})
        rates = [1000.0 * counts.get(u, 0) / w for u, w in self.unit_words.get(group, {}).items() if w]
        if not rates:
            return None, None
        mean = sum(rates) / len(rates)
        sd = math.sqrt(sum((r - mean) ** 2 for r in rates) / (len(rates) - 1)) if len(rates) > 1 else None
        return mean, sd

    def rows(self, measure: str = "count") -> list[dict[str, Any]]:
        """One dict per code: ``code`` then one column per group, and ``total`` (full
        precision; tables round through the formatter)."""
        if measure not in MEASURES:
            raise QualcodeError(f"unknown measure “{measure}”; use one of: {', '.join(MEASURES)}")
        out = []
        total_units = sum(g.documents for g in self.groups)
        total_words = sum(g.words for g in self.groups)
        for code_id, path, _depth in self.codes:
            row: dict[str, Any] = {"code": path}
            for g in self.groups:
                value = self.value(code_id, g.name, measure)
                row[g.name] = int(value) if measure in ("count", "passages") else value
                if measure == "rate":
                    row[f"{g.name} mean"], row[f"{g.name} sd"] = self.unit_rates(code_id, g.name)
            codings = sum(self.codings.get((code_id, g.name), 0) for g in self.groups)
            passages = sum(self.passages.get((code_id, g.name), 0) for g in self.groups)
            units = sum(self.documents.get((code_id, g.name), 0) for g in self.groups)
            if measure == "count":
                row["total"] = codings
            elif measure == "passages":
                row["total"] = passages
            elif measure == "docs":
                row["total"] = 100.0 * units / total_units if total_units else 0.0
            else:
                row["total"] = 1000.0 * passages / total_words if total_words else 0.0
            out.append(row)
        return out

    def columns(self, measure: str = "count") -> list[str]:
        if measure == "rate":
            return ["code", *[c for g in self.groups for c in (g.name, f"{g.name} mean", f"{g.name} sd")], "total"]
        return ["code", *[g.name for g in self.groups], "total"]


def crosstab(
    study: Study,
    by: str = "organisation",
    scope: Scope | None = None,
    *,
    rollup: bool = True,
    include_empty: bool = True,
    unit: str | None = None,
) -> Matrix:
    """Codes by the groups of ``by`` (organisation, project, role, participant, document,
    or a document attribute name)."""
    from qualcode.analysis import derived
    from qualcode.analysis.spans import Spans, code_document_figures

    scope = scope or Scope()
    check_grouping(study, by)
    frame: UnitFrame = unit_frame(study, scope, unit, by)
    said = derived.said(study, frame.documents)
    unit_words: dict[str, dict[str, int]] = {}
    participants: dict[str, set[str]] = {}
    who = frame.participant
    for doc, key in frame.document_unit.items():
        group = frame.document_group[doc]
        words = unit_words.setdefault(group, {})
        words[key] = words.get(key, 0) + said.get(doc, 0)
        participants.setdefault(group, set()).add(who[doc])
    groups = [
        GroupInfo(g, len(unit_words[g]), sum(unit_words[g].values()), len(participants[g])) for g in sorted(unit_words)
    ]
    matrix = Matrix(by=by, codes=[], groups=groups, unit_words=unit_words, unit=frame.unit)
    matrix.notes = [
        *frame.notes(),
        f"docs: % of the group's {frame.unit}s with the code; rate: passages per 1,000 respondents' words.",
    ]
    for r in sql.code_group_totals(study.store, scope, by, rollup=rollup):
        matrix.codings[(r["code_id"], r["grp"])] = r["codings"]
    codes = study.codes()
    found = derived.columns(study, scope, rollup=rollup)
    if found is None:
        spans = Spans.load(study.store, scope)
        live = code_document_figures(study.store, spans.rolled_up(codes) if rollup else spans, words=False)
        found = (live.code, live.document, live.passages)
    seen: dict[tuple[int, str], set[str]] = {}
    for code_id, doc, count in zip(found[0].tolist(), found[1].tolist(), found[2].tolist()):
        if doc not in frame.document_unit:
            continue
        group, key = frame.document_group[doc], frame.document_unit[doc]
        matrix.passages[(code_id, group)] = matrix.passages.get((code_id, group), 0) + count
        per = matrix.unit_passages.setdefault((code_id, group), {})
        per[key] = per.get(key, 0) + count
        seen.setdefault((code_id, group), set()).add(key)
    matrix.documents = {cell: len(units) for cell, units in seen.items()}
    coded = {code_id for code_id, _ in matrix.codings}
    matrix.codes = [(c.id, c.path, c.depth) for c in codes if include_empty or c.id in coded]
    return matrix


def check_grouping(study: Study, by: str) -> None:
    if by in BUILTIN_GROUPS or by in study.attribute_names():
        return
    known = ", ".join([*BUILTIN_GROUPS, *study.attribute_names()])
    raise QualcodeError(f"cannot group by “{by}”: use one of {known}")
