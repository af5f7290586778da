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

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from qualcode.analysis.spans import Spans, code_document_figures, respondent_words
from qualcode.analysis.units import PLURAL, UnitFrame, unit_frame
from qualcode.store import analysis as sql
from qualcode.store.analysis import Scope

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
    column counts). ``words`` can be switched off when only the counts are needed, since
    coded words need every word boundary of the coded documents."""
    scope = scope or Scope()
    codes = study.codes()
    frame = unit_frame(study, scope, unit)
    kept = frame.document_unit
    totals = {r["code_id"]: r for r in sql.code_totals(study.store, scope, rollup=rollup)}
    spans = Spans.load(study.store, scope)
    figures = code_document_figures(study.store, spans.rolled_up(codes) if rollup else spans, words=words)
    said = respondent_words(study.store, list(kept))
    spoken = {r["id"]: r["word_count"] or 0 for r in sql.document_frame(study.store, scope)}
    scope_words = sum(spoken.get(d, 0) for d in kept)
    participants_of = {r["id"]: r["participant"] for r in sql.document_frame(study.store, scope)}
    cases = sql.case_names(study.store)
    case_of = {r["id"]: r["case_id"] for r in sql.document_frame(study.store, scope)}
    units = frame.units()
    unit_words: dict[str, int] = {}
    for doc, key in kept.items():
        unit_words[key] = unit_words.get(key, 0) + said.get(doc, 0)
    total_said = sum(unit_words.values())
    coded_documents = len(kept)

    # per code: passages per unit, and the sets of documents/participants/cases
    per_unit: dict[int, dict[str, int]] = {}
    docs_of: dict[int, set[int]] = {}
    passages_of: dict[int, int] = {}
    words_of: dict[int, int] = {}
    word_column = figures.words.tolist() if figures.words is not None else None
    for n, (code_id, doc, count) in enumerate(
        zip(figures.code.tolist(), figures.document.tolist(), figures.passages.tolist())
    ):
        passages_of[code_id] = passages_of.get(code_id, 0) + count
        if word_column is not None:
            words_of[code_id] = words_of.get(code_id, 0) + word_column[n]
        if doc not in kept:
            continue
        docs_of.setdefault(code_id, set()).add(doc)
        cell = per_unit.setdefault(code_id, {})
        cell[kept[doc]] = cell.get(kept[doc], 0) + count

    out: list[CodeFrequency] = []
    for code in codes:
        row = totals.get(code.id)
        if row is None and not include_empty:
            continue
        docs = docs_of.get(code.id, set())
        counts = per_unit.get(code.id, {})
        rates = [1000.0 * counts.get(u, 0) / unit_words[u] for u in units if unit_words.get(u)]
        mean = sum(rates) / len(rates) if rates else None
        sd = math.sqrt(sum((r - mean) ** 2 for r in rates) / (len(rates) - 1)) if mean is not None and len(rates) > 1 else None
        passages_kept = sum(counts.values())
        n_units = len(counts)
        out.append(
            CodeFrequency(
                code_id=code.id,
                code=code.path,
                depth=code.depth,
                codings=row["codings"] if row else 0,
                documents=len(docs),
                documents_pct=_pct(len(docs), coded_documents),
                participants=len({participants_of[d] for d in docs}),
                coded_words=words_of.get(code.id, 0) if words else None,
                coded_words_pct=_pct(words_of.get(code.id, 0), scope_words) if words else None,
                passages=passages_of.get(code.id, 0),
                cases=len({case_of[d] for d in docs if case_of.get(d) is not None and case_of[d] in cases}),
                unit=frame.unit,
                units=n_units,
                units_pct=_pct(n_units, len(units)),
                per_1000_words=1000.0 * passages_kept / total_said if total_said else None,
                per_1000_mean=mean,
                per_1000_sd=sd,
            )
        )
    return Frequencies(out, frame, rollup)


def _pct(part: int, whole: int) -> float:
    """Full precision: JSON and CSV carry it; tables round through the formatter."""
    return 100.0 * part / whole if whole else 0.0
