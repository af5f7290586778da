"""Passages and coded words kept up to date as codings change.

Merging a million codings into passages takes about a second; a frequency table must take a
fifth of that. So the merge is done per document and stored (``passage_counts``: per
rollup, coder — 0 for every coder merged — code and document: passages and coded words),
and triggers on ``codings`` and on the code tree mark a document dirty when anything that
feeds its passages changes (see the schema). :func:`refresh` recomputes only the dirty
documents, inside one write transaction, before a figure is read: adding a coding costs the
next ``stats`` one document's worth of work.

A study opened read-only (a colleague's file in ``compare A B``) cannot be refreshed; the
callers then compute from the codings directly.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import numpy as np

from qualcode.analysis.spans import Spans, code_document_figures, respondent_words
from qualcode.store import analysis as sql

if TYPE_CHECKING:
    from qualcode.study.study import Study

ALL_CODERS = 0
_BATCH = 200  # documents per recomputation: bounds the memory of a full rebuild


def refresh(study: Study) -> bool:
    """Recompute the passages of the dirty documents; False when the study cannot be
    written (the derived table is then stale and must not be used)."""
    store = study.store
    try:
        if not sql.dirty_documents(store, limit=1):
            return True
        codes = study.codes()
        # a batch of documents per transaction: a colleague's coding waits for one batch
        # (a fraction of a second), not for a whole study's first derivation
        while True:
            with store.action("derive passages", record=False):
                batch = sql.dirty_documents(store, limit=_BATCH)  # read again under the write lock
                if batch:
                    sql.replace_passage_counts(store, batch, _derive(study, batch, codes))
            if len(batch) < _BATCH:
                break
        return True
    except sqlite3.OperationalError:
        return False


def _derive(study: Study, documents: list[int], codes: list) -> list[tuple[int, int, int, int, int, int]]:
    columns = [
        np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
        for text in sql.document_spans(study.store, documents)
    ]
    spans = Spans(*columns)
    if len(spans) == 0:
        return []
    rows: list[tuple[int, int, int, int, int, int]] = []
    coders = int(spans.coder.max()) + 1
    for rollup, source in ((0, spans), (1, spans.rolled_up(codes))):
        every = code_document_figures(study.store, source, words=True)
        rows += _rows(rollup, np.full(len(every.code), ALL_CODERS), every)
        # per coder: (code, coder) as one code number, split again afterwards
        keyed = Spans(source.document, source.code * coders + source.coder, source.start, source.end, source.coder)
        own = code_document_figures(study.store, keyed, words=True)
        code, coder = np.divmod(own.code, coders)
        own.code = code
        rows += _rows(rollup, coder, own)
    return rows


def _rows(rollup: int, coder: np.ndarray, figures) -> list[tuple[int, int, int, int, int, int]]:
    words = figures.words if figures.words is not None else np.zeros(len(figures.code), dtype=np.int64)
    return list(
        zip(
            [rollup] * len(figures.code),
            coder.tolist(),
            figures.code.tolist(),
            figures.document.tolist(),
            figures.passages.tolist(),
            np.asarray(words, dtype=np.int64).tolist(),
        )
    )


def said(study: Study, documents: list[int]) -> dict[int, int]:
    """Respondents' words per document, stored once per document when the study can be
    written (a CLI run starts cold: reading every transcript again costs half a second)."""
    stored = sql.stored_respondent_words(study.store, documents)
    missing = [d for d in documents if d not in stored]
    if missing:
        counted = respondent_words(study.store, missing)
        stored.update(counted)
        try:
            with study.store.action("count respondents' words", record=False):
                sql.store_respondent_words(study.store, counted)
        except sqlite3.OperationalError:
            pass
    return stored


def columns(study: Study, scope: sql.Scope, *, rollup: bool) -> tuple[np.ndarray, ...] | None:
    """(code, document, passages, words) for the scope from the derived table, or None when
    it cannot serve the scope (several but not all coders named, or a read-only study)."""
    names = scope.coder_names()
    if len(names) > 1:
        return None
    coder = ALL_CODERS if not names else sql.coder_ids(study.store, names)[0]
    if not refresh(study):
        return None
    found = sql.passage_columns(study.store, scope, rollup=rollup, coder_id=coder)
    return tuple(
        np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64) for text in found
    )
