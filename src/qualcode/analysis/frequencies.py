"""Code frequencies: codings, documents, participants and coded words per code."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from qualcode.analysis.spans import Spans, coded_words
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
    documents_pct: float  # of the documents in scope
    participants: int
    coded_words: int | None  # None when not computed
    # coded words as % of the words said in the scope's documents (their word_count)
    coded_words_pct: float | None = None

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


FREQUENCY_COLUMNS = ["code", "codings", "documents", "documents_pct", "participants", "coded_words", "coded_words_pct"]


def code_frequencies(
    study: Study,
    scope: Scope | None = None,
    *,
    rollup: bool = True,
    words: bool = True,
    include_empty: bool = True,
) -> list[CodeFrequency]:
    """The frequency table, in codebook order.

    With ``rollup`` a parent counts its own codings and its sub-codes' (documents and
    participants counted once, coded words over the union of the spans); without it each
    code counts only what was coded with it. ``words`` can be switched off when only the
    counts are needed, since coded words need every span of the scope.
    """
    scope = scope or Scope()
    codes = study.codes()
    totals = {r["code_id"]: r for r in sql.code_totals(study.store, scope, rollup=rollup)}
    documents_in_scope = sql.scope_documents(study.store, scope)
    in_scope = len(documents_in_scope)
    # Both sides count the words said (speaker labels and timestamps left out), so the
    # share is a true share; see qualcode.ingest.nlp.spoken_word_count.
    scope_words = sum(d["word_count"] for d in documents_in_scope)
    word_totals: dict[int, int] = {}
    if words:
        spans = Spans.load(study.store, scope)
        word_totals = coded_words(study.store, spans.rolled_up(codes) if rollup else spans)
    out: list[CodeFrequency] = []
    for code in codes:
        row = totals.get(code.id)
        if row is None and not include_empty:
            continue
        documents = row["documents"] if row else 0
        out.append(
            CodeFrequency(
                code_id=code.id,
                code=code.path,
                depth=code.depth,
                codings=row["codings"] if row else 0,
                documents=documents,
                documents_pct=round(100.0 * documents / in_scope, 1) if in_scope else 0.0,
                participants=row["participants"] if row else 0,
                coded_words=word_totals.get(code.id, 0) if words else None,
                coded_words_pct=_share(word_totals.get(code.id, 0), scope_words) if words else None,
            )
        )
    return out


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0
