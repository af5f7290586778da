"""Passages and coded words kept up to date as codings change.

Merging a million codings into passages takes about a second; a frequency table must take a
fifth of that. So the merge is done per document and stored (``passage_arrays``: per
rollup, coder — 0 for every coder merged — and document, packed int32 columns of code,
passages, coded words and codings), and triggers on ``codings`` and on the code tree mark a
document dirty when anything that feeds its passages changes (see the schema).
:func:`refresh` recomputes only the dirty documents, inside one write transaction, before a
figure is read: adding a coding costs the next ``stats`` one document's worth of work (a
few milliseconds: the document's codings read again, its 6 packed rows rewritten).

The same refresh packs each dirty document's codings into int32 arrays (``coding_arrays``,
with each coding's run of overlapping codings for co-occurrence): :func:`spans` reads a
million codings from them in tens of milliseconds, where converting them out of the
``codings`` table costs half a second (co-occurrence's budget is 500 ms).

A study opened read-only (a colleague's file in ``compare A B``) cannot be refreshed; the
callers then compute from the codings directly.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import numpy as np

from qualcode.analysis import pairs
from qualcode.analysis.spans import CodeDocumentFigures, Spans, code_document_figures, respondent_words
from qualcode.core.errors import CannotWrite
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
        if not sql.dirty_documents(store, limit=1) and sql.coding_arrays_complete(store):
            return True
        codes = study.codes()
        # a batch of documents per transaction: a colleague's coding waits for one batch
        # (a fraction of a second), not for a whole study's first derivation
        while True:
            with store.action("derive passages", record=False):
                batch = sql.dirty_documents(store, limit=_BATCH)  # read again under the write lock
                if batch:
                    spans = _document_spans(study, batch)
                    sql.replace_passage_arrays(store, batch, _derive(study, spans, codes))
                    sql.replace_coding_arrays(store, batch, _packed(spans))
            if len(batch) < _BATCH:
                break
        if not sql.coding_arrays_complete(store):
            _pack_every_document(study)
        return True
    except (sqlite3.OperationalError, CannotWrite):  # busy past the timeout, read-only, disk full
        return False


def _pack_every_document(study: Study) -> None:
    """The packed codings of every coded document without them, once for a study from
    before them (or after a migration that changed them): a batch of documents per
    transaction, so that a colleague's coding meanwhile waits for one batch, not for the
    whole study, and an interrupted packing goes on where it stopped."""
    store = study.store
    while True:
        with store.action("pack codings", record=False):
            batch = sql.unpacked_document_ids(store, limit=_BATCH)  # under the write lock
            if batch:
                sql.replace_coding_arrays(store, batch, _packed(_document_spans(study, batch)))
            else:
                sql.replace_coding_arrays(store, [], [], complete=True)
        if not batch:
            return


def _document_spans(study: Study, documents: list[int]) -> Spans:
    columns = [
        np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
        for text in sql.document_spans(study.store, documents)
    ]
    return Spans(*columns)


CODING_COLUMNS = 5  # code, coder, start, end, run
PAIR_COLUMNS = 6  # coder, code a, code b (a < b), pairs, codings of a meeting b, of b meeting a
PAIR_TYPES = ("<u2", "<i4")  # a document's pair columns: uint16 when every number fits, else int32
NARROW_BELOW = 1 << 16


def _narrowest(table: np.ndarray) -> bytes:
    """A document's pair columns, uint16 when every number fits (half the bytes to read
    back), else int32; the reader tells them apart by their length."""
    fits = table.size == 0 or int(table.max()) < NARROW_BELOW
    return np.ascontiguousarray(table.astype(PAIR_TYPES[0] if fits else PAIR_TYPES[1])).tobytes()


def _packed(spans: Spans) -> list[tuple[int, int, bytes, int, bytes]]:
    """(document_id, n, int32 code, coder, start, end and run columns, pairs_n, pair columns
    (uint16 or int32: :func:`_narrowest`)) per document. The codings are sorted by coder and start (the order
    co-occurrence sweeps them in); a coding's run is the number of the same coder's codings
    after it that start before it ends: the codings it overlaps to the right. The pair
    columns are the document's overlapping codings counted per coder and pair of codes
    (:func:`qualcode.analysis.pairs.group_pairs`): the overlap co-occurrence of any scope
    is their sum, where sweeping a million codings again would take most of its budget."""
    if len(spans) == 0:
        return []
    order = np.lexsort((spans.start, spans.coder, spans.document))
    document, coder, start = spans.document[order], spans.coder[order], spans.start[order]
    # (document, coder) as a rank, so that one sorted int64 key orders every coding
    new = np.ones(len(order), dtype=bool)
    new[1:] = (document[1:] != document[:-1]) | (coder[1:] != coder[:-1])
    group = np.cumsum(new) - 1
    run = pairs.runs(group, start, spans.end[order])
    code = spans.code[order]
    table = np.stack([code, coder, start, spans.end[order], run]).astype("<i4")
    ids, index = np.unique(code, return_inverse=True)
    found = pairs.group_pairs(group, index, run, len(ids))
    heads = np.flatnonzero(new)  # each group's first coding
    pair_table = np.stack(
        [coder[heads][found.group], ids[found.a], ids[found.b], found.pairs, found.meets_ab, found.meets_ba]
    )
    pair_document = document[heads][found.group]
    cuts = np.concatenate([[0], np.flatnonzero(document[1:] != document[:-1]) + 1, [len(document)]]).tolist()
    rows = []
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        doc = int(document[lo])
        p0, p1 = np.searchsorted(pair_document, [doc, doc + 1]).tolist()
        rows.append(
            (
                doc,
                hi - lo,
                np.ascontiguousarray(table[:, lo:hi]).tobytes(),
                p1 - p0,
                _narrowest(pair_table[:, p0:p1]),
            )
        )
    return rows


def spans(study: Study, scope: sql.Scope) -> Spans:
    """The scope's codings (of the counted coders) as :class:`Spans`, from the packed
    arrays kept up to date as codings change (tens of milliseconds for a million codings),
    or straight from the codings when the study cannot be written."""
    if not refresh(study):
        return Spans.load(study.store, scope)
    rows = sql.coding_array_rows(study.store, scope)
    empty = np.zeros(0, dtype=np.int64)
    if not rows:
        return Spans(empty, empty, empty, empty, empty, empty)
    counts = np.array([n for _, n, _ in rows], dtype=np.int64)
    packed = np.concatenate(
        [np.frombuffer(data, dtype="<i4").reshape(CODING_COLUMNS, n) for _, n, data in rows], axis=1
    )
    document = np.repeat(np.array([d for d, _, _ in rows], dtype=np.int64), counts)
    # int32 as stored: offsets, codes and coders fit, and every key built from them is
    # int64 (the document column is); a conversion of each column would cost 10 ms
    code, coder, start, end, run = packed
    names = scope.coder_names()
    if names:
        # whole coders go: the runs (within one coder's codings) stay right
        keep = np.isin(coder, np.array(sql.coder_ids(study.store, names), dtype=np.int64))
        return Spans(document[keep], code[keep], start[keep], end[keep], coder[keep], run[keep])
    return Spans(document, code, start, end, coder, run)


def overlap_sums(study: Study, scope: sql.Scope, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Overlapping codings in the scope, each coder's apart, summed from the per-document
    pair columns: (pairs, meetings), k × k over ``ids`` (the sorted ids of the codes coded
    in the scope): pairs[a, b] for a < b the pairs of overlapping codings of a and b;
    meetings[a, b] the codings of a that overlap some coding of b. None when the study
    cannot be refreshed (the caller sweeps the codings instead)."""
    if not refresh(study):
        return None
    k = len(ids)
    if k == 0:
        return np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0), dtype=np.int64)
    # counted by the codes' own ids when their square is small (no lookup per row), else
    # by their rank among the scope's codes
    width = limit = int(ids.max()) + 1  # a row's codes are below limit
    dense = None
    if width * width > _DIRECT_IDS:
        dense = np.full(width, -1, dtype=np.int64)
        dense[ids] = np.arange(k)
        width = k
    cells = width * width
    pair_sums = np.zeros(cells, dtype=np.float64)  # bincount's weights: exact below 2**53
    meet_sums = np.zeros(cells, dtype=np.float64)
    names = scope.coder_names()
    counted = np.array(sql.coder_ids(study.store, names), dtype=np.int64) if names else None
    # a batch of documents at a time: the arrays stay in cache and memory stays bounded
    for batch in sql.overlap_pair_batches(study.store, scope):
        for kind in PAIR_TYPES:
            size = np.dtype(kind).itemsize * PAIR_COLUMNS
            pieces = [
                np.frombuffer(data, dtype=kind).reshape(PAIR_COLUMNS, n)
                for n, data in batch
                if n and len(data) == n * size
            ]
            if not pieces:
                continue
            coder, a, b, found, ab, ba = np.concatenate(pieces, axis=1)
            a, b = a.astype(np.intp), b.astype(np.intp)
            # the counted coders' rows, of codes among ``ids`` (a coding of a new code may
            # have been added since the caller read them: its pairs are left out)
            keep = None if max(int(a.max()), int(b.max())) < limit else (a < limit) & (b < limit)
            if counted is not None:
                chosen = np.isin(coder, counted)
                keep = chosen if keep is None else keep & chosen
            if dense is not None:
                a, b = (dense[x] if keep is None else dense[np.where(keep, x, 0)] for x in (a, b))
                known = (a >= 0) & (b >= 0)
                keep = known if keep is None else keep & known
            if keep is not None and not keep.all():
                a, b, found, ab, ba = a[keep], b[keep], found[keep], ab[keep], ba[keep]
            forward = a * width
            forward += b
            backward = b * width
            backward += a
            pair_sums += np.bincount(forward, weights=found, minlength=cells)
            meet_sums += np.bincount(forward, weights=ab, minlength=cells)
            meet_sums += np.bincount(backward, weights=ba, minlength=cells)
    if dense is None:  # the scope's codes out of every id up to the largest
        pair_sums = pair_sums.reshape(width, width)[np.ix_(ids, ids)]
        meet_sums = meet_sums.reshape(width, width)[np.ix_(ids, ids)]
    return pair_sums.astype(np.int64).reshape(k, k), meet_sums.astype(np.int64).reshape(k, k)


_DIRECT_IDS = 1 << 22  # code ids up to about 2,000: counted by id


def _derive(study: Study, spans: Spans, codes: list) -> list[tuple[int, int, int, int, bytes]]:
    """The packed (rollup, coder, document, n, data) passage rows of the spans' documents:
    per (code, document) its passages, coded words and codings, for every coder merged
    (coder 0) and for each coder, as coded and rolled up."""
    if len(spans) == 0:
        return []
    rows: list[tuple[int, int, int, int, bytes]] = []
    coders = int(spans.coder.max()) + 1
    for rollup, source in ((0, spans), (1, spans.rolled_up(codes))):
        every = code_document_figures(study.store, source, words=True, codings=True)
        rows += _packed_passages(rollup, np.full(len(every.code), ALL_CODERS), every)
        # per coder: (code, coder) as one code number, split again afterwards
        keyed = Spans(source.document, source.code * coders + source.coder, source.start, source.end, source.coder)
        own = code_document_figures(study.store, keyed, words=True, codings=True)
        code, coder = np.divmod(own.code, coders)
        own.code = code
        rows += _packed_passages(rollup, coder, own)
    return rows


def _packed_passages(
    rollup: int, coder: np.ndarray, figures: CodeDocumentFigures
) -> list[tuple[int, int, int, int, bytes]]:
    """One (rollup, coder, document, n, data) row per coder and document: int32 columns
    code, passages, words, codings."""
    if len(figures.code) == 0:
        return []
    zeros = np.zeros(len(figures.code), dtype=np.int64)
    words = figures.words if figures.words is not None else zeros
    codings = figures.codings if figures.codings is not None else zeros
    order = np.lexsort((figures.code, figures.document, coder))
    who, document = coder[order], figures.document[order]
    table = np.stack([figures.code[order], figures.passages[order], words[order], codings[order]]).astype("<i4")
    cut = np.flatnonzero((who[1:] != who[:-1]) | (document[1:] != document[:-1])) + 1
    cuts = np.concatenate([[0], cut, [len(order)]]).tolist()
    return [
        (rollup, int(who[lo]), int(document[lo]), hi - lo, np.ascontiguousarray(table[:, lo:hi]).tobytes())
        for lo, hi in zip(cuts[:-1], cuts[1:])
    ]


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
        except (sqlite3.OperationalError, CannotWrite):  # counted again next time
            pass
    return stored


def columns(study: Study, scope: sql.Scope, *, rollup: bool) -> tuple[np.ndarray, ...] | None:
    """(code, document, passages, words, codings) per (code, document) for the scope from
    the derived table, or None when it cannot serve the scope (several but not all coders
    named, or a read-only study). ``codings`` counts as :func:`qualcode.analysis.frequencies.
    rolled_codings` does: rolled up, a sub-code's coding counts in each ancestor."""
    names = scope.coder_names()
    if len(names) > 1:
        return None
    coder = ALL_CODERS if not names else sql.coder_ids(study.store, names)[0]
    if not refresh(study):
        return None
    rows = sql.passage_array_rows(study.store, scope, rollup=rollup, coder_id=coder)
    if not rows:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(5))
    counts = np.array([n for _, n, _ in rows], dtype=np.int64)
    packed = np.concatenate([np.frombuffer(data, dtype="<i4").reshape(4, n) for _, n, data in rows], axis=1)
    document = np.repeat(np.array([d for d, _, _ in rows], dtype=np.int64), counts)
    code, passages, words, codings = (column.astype(np.int64) for column in packed)
    return code, document, passages, words, codings
