"""Coded spans as numpy arrays: loading, rolling up, merging overlaps, counting words.

A million codings do not fit a Python loop in a 100 ms budget, so the span work (coded
words, co-occurrence) is vectorised: codings come out of SQLite once as four integer
columns and everything after that is sorting, cumulative maxima and ``searchsorted``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qualcode.core.models import Code
from qualcode.store import analysis as sql
from qualcode.store.core import Store

# Offsets are shifted into one int64 key per (group, position): documents are far shorter
# than 2**32 code points, so ``group << 32 | position`` never collides.
SHIFT = np.int64(1) << np.int64(32)


@dataclass
class Spans:
    """Codings of a scope as parallel arrays (in no particular order)."""

    document: np.ndarray
    code: np.ndarray
    start: np.ndarray
    end: np.ndarray
    coder: np.ndarray
    # from the packed arrays (sorted by document, coder and start): per coding, how many of
    # the same coder's codings after it start before it ends (see analysis.derived)
    run: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.document)

    @classmethod
    def load(cls, store: Store, scope: sql.Scope) -> Spans:
        columns = [
            np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
            for text in sql.coding_spans(store, scope)
        ]
        return cls(*columns)

    def rolled_up(self, codes: list[Code]) -> Spans:
        """Each coding repeated once for its code and once for every ancestor, so that a
        parent's spans are the union of its own and its sub-codes'."""
        parents = {c.id: c.parent_id for c in codes}
        chains: dict[int, list[int]] = {}
        for code in codes:
            chain: list[int] = []
            current: int | None = code.id
            while current is not None:
                chain.append(current)
                current = parents.get(current)
            chains[code.id] = chain
        ids = np.array(sorted(chains), dtype=np.int64)
        if len(ids) == 0 or len(self) == 0:
            return self
        counts = np.array([len(chains[i]) for i in ids], dtype=np.int64)
        flat = np.array([a for i in ids for a in chains[i]], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        index = np.searchsorted(ids, self.code)
        index = np.clip(index, 0, len(ids) - 1)
        known = ids[index] == self.code
        per_row = np.where(known, counts[index], 1)
        row = np.repeat(np.arange(len(self)), per_row)
        within = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        ancestor = np.where(known[row], flat[np.minimum(offsets[index[row]] + within, len(flat) - 1)], self.code[row])
        return Spans(self.document[row], ancestor, self.start[row], self.end[row], self.coder[row])


def merge(group: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of intervals per group: (group, start, end) of disjoint merged intervals.

    Overlapping or touching intervals of one group become one, so words are never
    counted twice and a passage coded twice (by two coders, or with a code and its
    sub-code when rolled up) is one passage.
    """
    if len(group) == 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty
    if int(group.max()) < 2**31 and int(start.max()) < 2**32:
        # one int64 key sorts several times faster than lexsort on two columns; ties
        # (same group and start) may come in any order, the union is the same
        order = np.argsort(group * SHIFT + start)
    else:
        order = np.lexsort((start, group))
    g, s, e = group[order], start[order], end[order]
    # Running maximum of the end within each group: lift each group above the previous
    # one so that one global cumulative maximum never leaks across groups.
    rank = np.concatenate([[0], np.cumsum(g[1:] != g[:-1])])
    lifted = rank * SHIFT + e
    reach = np.maximum.accumulate(lifted) - rank * SHIFT
    new = np.ones(len(g), dtype=bool)
    new[1:] = (g[1:] != g[:-1]) | (s[1:] > reach[:-1])
    firsts = np.flatnonzero(new)
    lasts = np.concatenate([firsts[1:] - 1, [len(g) - 1]])
    return g[firsts], s[firsts], reach[lasts]


@lru_cache(maxsize=1)
def _word_table() -> np.ndarray:
    """For each code point of the Basic Multilingual Plane: does regex ``\\w`` match it?"""
    return np.array([chr(i).isalnum() or i == 0x5F for i in range(0x10000)], dtype=bool)


_BOUNDS: dict[str, tuple[np.ndarray, np.ndarray]] = {}
_BOUNDS_LIMIT = 5000


def word_bounds(text: str, labels: Sequence[tuple[int, int]] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the words (regex ``\\w+``) of a text, vectorised, leaving
    out the words of the turn labels ``(start, body_start)`` — the same words that
    :func:`qualcode.ingest.nlp.spoken_word_count` counts for the document's ``word_count``."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    wordy = _word_table()[np.minimum(points, 0xFFFF)] | (points > 0xFFFF)
    edges = np.diff(np.concatenate([[False], wordy, [False]]).astype(np.int8))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if len(labels):
        spans = np.array(labels, dtype=np.int64).reshape(-1, 2)
        at = np.searchsorted(spans[:, 0], starts, side="right") - 1
        in_label = (at >= 0) & (starts < spans[np.maximum(at, 0), 1])
        starts, ends = starts[~in_label], ends[~in_label]
    return starts, ends


def _load_bounds(store: Store, ids: list[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Word bounds of some documents, from the cache where their text was seen before."""
    hashes = {r["id"]: r["sha256"] for r in sql.document_hashes(store, ids)}
    missing = [i for i in ids if hashes.get(i) not in _BOUNDS]
    if len(_BOUNDS) + len(missing) > _BOUNDS_LIMIT:
        _BOUNDS.clear()
    labels: dict[int, list[tuple[int, int]]] = {}
    for doc_id, start, body_start in sql.turn_labels(store, missing):
        labels.setdefault(doc_id, []).append((start, body_start))
    for row in sql.document_texts(store, missing):
        _BOUNDS[row["sha256"]] = word_bounds(row["text"], labels.get(row["id"], ()))
    return {i: _BOUNDS[hashes[i]] for i in ids}


_RESPONDENT: dict[tuple[int, str], int] = {}


def respondent_words(store: Store, document_ids: Sequence[int]) -> dict[int, int]:
    """Words said by respondents per document: the spoken words (labels and timestamps out)
    less those in interviewer turns, whose words are the questions. Texts and turns never
    change after import, so the count is cached by the text's hash."""
    ids = sorted({int(d) for d in document_ids})
    hashes = {r["id"]: r["sha256"] for r in sql.document_hashes(store, ids)}
    missing = [i for i in ids if (i, hashes[i]) not in _RESPONDENT]
    if missing:
        bounds = _load_bounds(store, missing)
        asked: dict[int, list[tuple[int, int]]] = {}
        for doc_id, start, end in sql.interviewer_turns(store, missing):
            asked.setdefault(doc_id, []).append((start, end))
        for doc_id in missing:
            starts, _ = bounds[doc_id]
            turns = np.array(asked.get(doc_id, []), dtype=np.int64).reshape(-1, 2)
            questions = int(
                (np.searchsorted(starts, turns[:, 1], side="left") - np.searchsorted(starts, turns[:, 0])).sum()
            )
            _RESPONDENT[(doc_id, hashes[doc_id])] = len(starts) - questions
    return {i: _RESPONDENT[(i, hashes[i])] for i in ids}


class WordIndex:
    """Word boundaries of many documents in two sorted int64 arrays keyed by document.

    Only spoken words count (speaker labels and timestamps are left out), so coded words
    and a document's ``word_count`` measure the same thing. Boundaries are cached in
    memory by the text's hash: texts (and the turns found in them) never change after
    import, so a session pays for a document's words once — about 0.1 s per 1,000
    transcripts of 2,000 words, against the 50 MB that per-character prefix sums, or a
    table of per-sentence counts, would cost to answer the same question.
    """

    def __init__(self, store: Store, document_ids: np.ndarray) -> None:
        ids = sorted(int(d) for d in np.unique(document_ids))
        bounds = _load_bounds(store, ids)
        starts: list[np.ndarray] = []
        ends: list[np.ndarray] = []
        for doc_id in ids:
            s, e = bounds[doc_id]
            starts.append(doc_id * SHIFT + s)
            ends.append(doc_id * SHIFT + e)
        self.starts = np.concatenate(starts) if starts else np.array([], dtype=np.int64)
        self.ends = np.concatenate(ends) if ends else np.array([], dtype=np.int64)

    def count(self, document: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Words touching each interval ``[start, end)`` (a word cut by the boundary counts)."""
        first = document * SHIFT + start
        # Looked up in text order, each search starts where the last one ended: three
        # times faster than a million lookups in code order.
        order = np.argsort(first)
        counts = np.empty(len(first), dtype=np.int64)
        before_end = np.searchsorted(self.starts, (document * SHIFT + end)[order], side="left")
        ended_before = np.searchsorted(self.ends, first[order], side="right")
        counts[order] = before_end - ended_before
        return counts


@dataclass
class CodeDocumentFigures:
    """Per (code, document) that has the code: its passages and, when counted, the words
    inside them. Passages are the code's spans merged where they overlap or touch, over
    whichever codings went in (every counted coder's; rolled up, the sub-codes' too)."""

    code: np.ndarray
    document: np.ndarray
    passages: np.ndarray
    words: np.ndarray | None
    codings: np.ndarray | None = None  # the codings that went in, when counted

    def per_code(self) -> dict[int, tuple[int, int | None]]:
        """code → (passages, words) summed over documents."""
        if len(self.code) == 0:
            return {}
        ids, inverse = np.unique(self.code, return_inverse=True)
        passages = np.bincount(inverse, weights=self.passages)
        words = np.bincount(inverse, weights=self.words) if self.words is not None else None
        return {
            int(i): (int(passages[n]), None if words is None else int(words[n])) for n, i in enumerate(ids.tolist())
        }


def code_document_figures(
    store: Store, spans: Spans, *, words: bool = True, codings: bool = False
) -> CodeDocumentFigures:
    """Merge each code's spans per document once; count the passages and, with ``words``,
    the words inside them; with ``codings``, the spans that went in."""
    empty = np.zeros(0, dtype=np.int64)
    if len(spans) == 0:
        return CodeDocumentFigures(empty, empty, empty, empty if words else None, empty if codings else None)
    # (code, document) as one small group number, so that merge() sorts a single key
    documents = int(spans.document.max()) + 1
    group = spans.code * documents + spans.document
    merged_group, merged_start, merged_end = merge(group, spans.start, spans.end)
    groups, first, passages = np.unique(merged_group, return_index=True, return_counts=True)
    code, document = np.divmod(groups, documents)
    counted = None
    if words:
        m_document = merged_group % documents
        per_passage = WordIndex(store, m_document).count(m_document, merged_start, merged_end)
        counted = np.add.reduceat(per_passage, first) if len(first) else empty
    spans_in = None
    if codings:
        # every group with a span has a passage: the same groups, in the same (sorted) order
        spans_in = np.unique(group, return_counts=True)[1]
    return CodeDocumentFigures(code, document, passages, counted, spans_in)


def coded_words(store: Store, spans: Spans) -> dict[int, int]:
    """Per code: words inside the union of its spans, document by document."""
    if len(spans) == 0:
        return {}
    # (code, document) as one small group number, so that merge() sorts a single key
    documents = int(spans.document.max()) + 1
    group = spans.code * documents + spans.document
    merged_group, merged_start, merged_end = merge(group, spans.start, spans.end)
    code, document = np.divmod(merged_group, documents)
    words = WordIndex(store, document).count(document, merged_start, merged_end)
    ids, inverse = np.unique(code, return_inverse=True)
    totals = np.bincount(inverse, weights=words)
    return {int(i): int(t) for i, t in zip(ids, totals)}
