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

import numpy as np

from qualcode.analysis import units
from qualcode.analysis.units import UnitFrame, unit_frame
from qualcode.core.errors import QualcodeError
from qualcode.core.scope import Scope
from qualcode.store import analysis as sql

if TYPE_CHECKING:
    from qualcode.study.study import Study

MEASURES = {
    "count": "codings (raw)",
    "passages": "passages (coded spans merged across coders and sub-codes)",
    "docs": "% of the group's units with the code",
    "rate": "passages per 1,000 respondents' words (pooled; mean and sd per unit beside it)",
}


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
    unit_words: dict[str, dict[str, int]] = field(default_factory=dict)  # group → unit → words said
    # passages per (code, observation), an observation being a (group, unit) pair: the
    # per-unit rates are read from it when asked for (filling dicts cost 0.15 s)
    per_observation: Any = None
    observations: list[tuple[str, str]] = field(default_factory=list)
    code_rows: dict[int, int] = field(default_factory=dict)
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
        row = self.code_rows.get(code_id)
        counts = {}
        if row is not None:
            counts = {u: self.per_observation[row, j] for j, (g, u) in enumerate(self.observations) if g == group}
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
    codes = study.codes()
    group_names = [g.name for g in groups]
    # the groups' units as observations: (group, unit) pairs, numbered
    observations = sorted({(frame.document_group[d], key) for d, key in frame.document_unit.items()})
    obs_index = {o: i for i, o in enumerate(observations)}
    top = (
        max(max(frame.document_group, default=0), max(frame.spoken, default=0), max(frame.document_unit, default=0)) + 1
    )
    doc_group = np.full(top, -1, dtype=np.int64)  # every scope document, coded or not
    doc_obs = np.full(top, -1, dtype=np.int64)  # kept documents only
    for doc, group in frame.document_group.items():
        doc_group[doc] = group_names.index(group) if group in group_names else -1
    for doc, key in frame.document_unit.items():
        doc_obs[doc] = obs_index[(frame.document_group[doc], key)]
    n_groups = len(group_names)

    found = derived.columns(study, scope, rollup=rollup)
    if found is None:
        # codings (raw): the tally per (code, document), rolled up over the code tree
        raw = [np.fromstring(t, dtype=np.int64, sep=",") if t else np.zeros(0, dtype=np.int64)
               for t in sql.own_coding_columns(study.store, scope)]  # fmt: skip
        code, document, n = raw
        if rollup and len(code):
            zeros = np.zeros(len(code), dtype=np.int64)
            rolled = Spans(document, code, n, zeros, zeros).rolled_up(codes)
            code, document, n = rolled.code, rolled.document, rolled.start
        _add_cells(matrix.codings, code, document, n, doc_group, group_names, top)
        spans = Spans.load(study.store, scope)
        live = code_document_figures(study.store, spans.rolled_up(codes) if rollup else spans, words=False)
        code, document, passages = live.code, live.document, live.passages
    else:
        # the derived rows carry the codings per (code, document), rolled up like the tally above
        code, document, passages = found[0], found[1], found[2]
        _add_cells(matrix.codings, code, document, found[4], doc_group, group_names, top)
    inside = document < top
    code, document, passages = code[inside], document[inside], passages[inside]
    obs = doc_obs[document]
    code, obs, passages = code[obs >= 0], obs[obs >= 0], passages[obs >= 0]
    obs_group = np.array([group_names.index(g) for g, _ in observations], dtype=np.int64)
    ids, code_index = np.unique(code, return_inverse=True)
    per_obs = np.bincount(
        code_index * len(observations) + obs, weights=passages, minlength=len(ids) * len(observations)
    )
    per_obs = per_obs.reshape(len(ids), len(observations))
    matrix.per_observation, matrix.observations = per_obs, observations
    matrix.code_rows = {code_id: i for i, code_id in enumerate(ids.tolist())}
    for i, code_id in enumerate(ids.tolist()):
        row = per_obs[i]
        by_group = np.bincount(obs_group, weights=row, minlength=n_groups)
        present = np.bincount(obs_group, weights=row > 0, minlength=n_groups)
        for g, name in enumerate(group_names):
            if by_group[g]:
                matrix.passages[(code_id, name)] = int(by_group[g])
                matrix.documents[(code_id, name)] = int(present[g])
    coded = {code_id for code_id, _ in matrix.codings}
    matrix.codes = [(c.id, c.path, c.depth) for c in codes if include_empty or c.id in coded]
    return matrix


def _add_cells(
    cells: dict[tuple[int, str], int],
    code: np.ndarray,
    document: np.ndarray,
    weights: np.ndarray,
    doc_group: np.ndarray,
    group_names: list[str],
    top: int,
) -> None:
    """Sum ``weights`` per (code, group of the document) into ``cells``."""
    inside = document < top
    group = doc_group[document[inside]]
    code, weights = code[inside][group >= 0], weights[inside][group >= 0]
    group = group[group >= 0]
    if not len(code):
        return
    ids, index = np.unique(code, return_inverse=True)
    sums = np.bincount(index * len(group_names) + group, weights=weights, minlength=len(ids) * len(group_names))
    for flat in np.flatnonzero(sums):
        i, g = divmod(int(flat), len(group_names))
        cells[(int(ids[i]), group_names[g])] = int(sums[flat])


def check_grouping(study: Study, by: str) -> None:
    """See :func:`qualcode.analysis.units.check_grouping`."""
    units.check_grouping(study, by)
