"""Code frequencies: codings, passages, documents, participants, coded words and rates per
code.

What each figure counts (the README's Analysis section says the same):

- ``codings``: the raw number of codings (every coder's, every sub-code's when rolled up).
- ``passages``: the code's spans merged where they overlap or touch, per document — across
  the counted coders and, rolled up, across its sub-codes; a passage two coders both coded,
  or coded with a parent and its child, is one passage.
- ``documents``, ``participants`` (and ``cases``): how many have the code, among the
  documents the counted coders coded; ``*_pct`` is the share of those units. Documents the
  counted coders did not code are left out and named in the notes.
- ``coded_words``: words inside the passages; ``coded_words_pct`` their share of the words
  said in the kept documents (speaker labels and timestamps are no words said).
- ``per_1000_words``: passages per 1,000 words said by respondents (interviewer turns out),
  pooled over the kept documents; ``per_1000_mean`` and ``per_1000_sd`` the mean and the
  standard deviation of the same rate computed per unit, so one long interview does not
  weigh for many.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from qualcode.analysis.spans import Spans, code_document_figures
from qualcode.analysis.units import PLURAL, UnitFrame, unit_frame
from qualcode.core.scope import Scope
from qualcode.store import analysis as sql

if TYPE_CHECKING:
    from qualcode.study.study import Study


@dataclass(frozen=True)
class CodeFrequency:
    """One row of the frequency table."""

    code_id: int
    code: str  # the path, Parent/Child
    depth: int
    codings: int
    documents: int
    documents_pct: float  # of the documents the counted coders coded
    participants: int
    coded_words: int | None  # None when not computed
    coded_words_pct: float | None = None
    passages: int = 0
    cases: int = 0
    unit: str = "document"
    units: int = 0  # documents, participants or cases with the code
    units_pct: float = 0.0
    per_1000_words: float | None = None
    per_1000_mean: float | None = None
    per_1000_sd: float | None = None

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row[f"{PLURAL[self.unit]}_pct"] = self.units_pct
        return row


FREQUENCY_COLUMNS = [
    "code",
    "codings",
    "passages",
    "documents",
    "documents_pct",
    "participants",
    "coded_words",
    "coded_words_pct",
    "per_1000_words",
    "per_1000_mean",
    "per_1000_sd",
]


def frequency_columns(unit: str = "document", words: bool = True) -> list[str]:
    cols = list(FREQUENCY_COLUMNS)
    if unit == "participant":
        cols.insert(cols.index("participants") + 1, "participants_pct")
    elif unit == "case":
        cols[cols.index("participants") + 1 : cols.index("participants") + 1] = ["cases", "cases_pct"]
    if not words:
        cols = [c for c in cols if not c.startswith("coded_words")]
    return cols


class Frequencies(list[CodeFrequency]):
    """The rows, and what they count: the unit, the coders, what was left out."""

    def __init__(self, rows: list[CodeFrequency], frame: UnitFrame, rollup: bool) -> None:
        super().__init__(rows)
        self.frame = frame
        self.unit = frame.unit
        self.notes = [
            *frame.notes(),
            f"Rates: passages per 1,000 words said by respondents (interviewer turns left out), pooled; "
            f"mean and sd of the rate per {frame.unit} beside it.",
        ]
        if rollup:
            self.notes.append("Sub-codes count in their parents: a passage coded with both counts once.")

    def columns(self, words: bool = True) -> list[str]:
        return frequency_columns(self.unit, words)


def code_frequencies(
    study: Study,
    scope: Scope | None = None,
    *,
    rollup: bool = True,
    words: bool = True,
    include_empty: bool = True,
    unit: str | None = None,
) -> Frequencies:
    """The frequency table, in codebook order (see the module docstring for what each
    column counts). Passages and coded words come from the derived table kept up to date
    as codings change (:mod:`qualcode.analysis.derived`), or are computed from the codings
    when it cannot serve the scope; ``words=False`` skips coded words in the latter case."""
    import numpy as np

    from qualcode.analysis import derived

    scope = scope or Scope()
    codes = study.codes()
    frame = unit_frame(study, scope, unit)
    found = derived.columns(study, scope, rollup=rollup)
    if found is None:
        codings = rolled_codings(codes, sql.own_codings(study.store, scope), rollup)
        spans = Spans.load(study.store, scope)
        live = code_document_figures(study.store, spans.rolled_up(codes) if rollup else spans, words=words)
        zeros = np.zeros(len(live.code), dtype=np.int64)
        code, document, passages = live.code, live.document, live.passages
        coded = live.words if live.words is not None else zeros
    else:
        # the derived rows carry the codings per (code, document), rolled up as rolled_codings does
        code, document, passages, coded, counts = found
        coded_ids, which = np.unique(code, return_inverse=True)
        summed = np.bincount(which, weights=counts, minlength=len(coded_ids)) if len(code) else np.zeros(0)
        codings = {int(c): int(n) for c, n in zip(coded_ids.tolist(), summed.tolist()) if n}
    kept = frame.document_unit
    said = derived.said(study, list(kept))

    ids = np.array([c.id for c in codes], dtype=np.int64)
    order = np.argsort(ids)
    k = len(ids)
    index = order[np.clip(np.searchsorted(ids[order], code), 0, max(k - 1, 0))] if k else code
    units = frame.units()
    unit_of = {u: i for i, u in enumerate(units)}
    top = max(max(kept, default=0), int(document.max()) if len(document) else 0) + 1
    doc_unit = np.full(top, -1, dtype=np.int64)
    doc_person = np.full(top, -1, dtype=np.int64)
    doc_case = np.full(top, -1, dtype=np.int64)
    people = {p: i for i, p in enumerate(sorted(set(frame.participant.values())))}
    for doc, key in kept.items():
        doc_unit[doc] = unit_of[key]
        doc_person[doc] = people[frame.participant[doc]]
        case = frame.case.get(doc)
        if case is not None:
            doc_case[doc] = case
    in_kept = doc_unit[document] >= 0 if len(document) else np.zeros(0, dtype=bool)
    ki, kd, kp = index[in_kept], document[in_kept], passages[in_kept]

    def per_code(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(values, weights=weights, minlength=k)[:k] if k else np.zeros(0)

    passages_of = per_code(index, passages)
    words_of = per_code(index, coded)
    documents_of = per_code(ki)
    # rows are one per (code, document): where a unit is one document, no de-duplication
    one_each = len(set(frame.participant[d] for d in kept)) == len(kept)
    people_of = documents_of if one_each else per_code(np.unique(ki * len(people) + doc_person[kd]) // len(people))
    with_case = doc_case[kd] >= 0
    cases_of = np.zeros(k)
    if with_case.any():
        case_keys = np.unique(ki[with_case] * (int(doc_case.max()) + 1) + doc_case[kd][with_case])
        cases_of = per_code(case_keys // (int(doc_case.max()) + 1))
    n_units = len(units)
    cell = ki * n_units + doc_unit[kd]
    units_of = documents_of if n_units == len(kept) else per_code(np.unique(cell) // max(n_units, 1))
    per_unit = np.bincount(cell, weights=kp, minlength=k * n_units).reshape(k, n_units) if n_units else None
    unit_words = np.zeros(n_units)
    for doc, key in kept.items():
        unit_words[unit_of[key]] += said.get(doc, 0)
    total_said = float(unit_words.sum())
    spoken = sum(frame.spoken.get(d, 0) for d in kept)
    mean = sd = None
    if per_unit is not None and (unit_words > 0).any():
        rates = 1000.0 * per_unit[:, unit_words > 0] / unit_words[unit_words > 0]
        mean = rates.mean(axis=1)
        sd = rates.std(axis=1, ddof=1) if rates.shape[1] > 1 else None
    kept_passages = per_code(ki, kp)

    out: list[CodeFrequency] = []
    for i, c in enumerate(codes):
        if c.id not in codings and not include_empty:
            continue
        docs = int(documents_of[i])
        out.append(
            CodeFrequency(
                code_id=c.id,
                code=c.path,
                depth=c.depth,
                codings=int(codings.get(c.id, 0)),
                documents=docs,
                documents_pct=_pct(docs, len(kept)),
                participants=int(people_of[i]),
                coded_words=int(words_of[i]) if words else None,
                coded_words_pct=_pct(int(words_of[i]), spoken) if words else None,
                passages=int(passages_of[i]),
                cases=int(cases_of[i]),
                unit=frame.unit,
                units=int(units_of[i]),
                units_pct=_pct(int(units_of[i]), n_units),
                per_1000_words=1000.0 * float(kept_passages[i]) / total_said if total_said else None,
                per_1000_mean=float(mean[i]) if mean is not None else None,
                per_1000_sd=float(sd[i]) if sd is not None else None,
            )
        )
    return Frequencies(out, frame, rollup)


def frequencies_by_group(
    study: Study,
    scope: Scope,
    *,
    by: str | None,
    unit: str | None,
    rollup: bool = True,
    words: bool = True,
    include_empty: bool = False,
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """(rows, columns, notes) of the code frequencies, one table per group of ``by`` stacked
    with the group as first column (``qualcode stats --by`` and ``export table stats --by``);
    the whole scope's table when ``by`` is None.

    Every group counts the same unit; a note every group has is said once, the others name
    their group."""
    from qualcode.analysis.units import default_unit, group_scopes

    groups: list[tuple[str | None, Any]] = [(None, scope)]
    notes: list[str] = []
    if by:
        unit = unit or default_unit(study, scope)
        split, notes = group_scopes(study, scope, by, unit)
        groups = list(split)
    data: list[dict[str, Any]] = []
    columns: list[str] = []
    per_group: list[tuple[str | None, list[str]]] = []
    for group, group_scope in groups:
        rows = code_frequencies(study, group_scope, rollup=rollup, words=words, include_empty=include_empty, unit=unit)
        columns = rows.columns(words=words)
        data += [({by: group} if by else {}) | r.as_row() for r in rows]
        per_group.append((group, rows.notes))
    for group, group_notes in per_group:
        for note in group_notes:
            shared = group is None or all(note in other for _, other in per_group)
            line = note if shared else f"{by} {group}: {note}"
            if line not in notes:
                notes.append(line)
    return data, ([by, *columns] if by else columns), notes


def _pct(part: int, whole: int) -> float:
    """Full precision: JSON and CSV carry it; tables round through the formatter."""
    return 100.0 * part / whole if whole else 0.0


def rolled_codings(codes: list, own: dict[int, int], rollup: bool) -> dict[int, int]:
    """Per code: its codings, plus (rolled up) every descendant's; only codes with any."""
    if not rollup:
        return dict(own)
    parents = {c.id: c.parent_id for c in codes}
    out: dict[int, int] = {}
    for code_id, n in own.items():
        current: int | None = code_id
        while current is not None:
            out[current] = out.get(current, 0) + n
            current = parents.get(current)
    return out
