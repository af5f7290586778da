"""Interval arithmetic behind intercoder agreement, vectorised with numpy.

Agreement compares two (or more) coders' codings of the same documents three ways: by
sentence unit, by segment and by character. All three come down to questions about
intervals — which sentences does a coding cover half of, which codings of the other coder
overlap this one, how many characters do two sets of spans share — and all three are
answered here with sorting, ``searchsorted`` and ``repeat`` instead of loops over codings
or characters, so agreement over a large study costs what a frequency table does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qualcode.analysis.spans import SHIFT, merge
from qualcode.store import agreement as sql
from qualcode.store.core import Store

# (document, code) in one int64: both ids are far below 2**31.
PAIR_SHIFT = np.int64(1) << np.int64(31)
EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class Codings:
    """Codings as parallel int64 arrays. After :meth:`rolled_up`, ``code`` is the code a
    row counts for and ``own`` the code it was made with."""

    id: np.ndarray
    document: np.ndarray
    code: np.ndarray
    own: np.ndarray
    coder: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __len__(self) -> int:
        return len(self.id)

    @classmethod
    def load(cls, store: Store, coder_ids: list[int], document_ids: list[int]) -> Codings:
        rows = sql.codings(store, coder_ids, document_ids)
        table = np.array(rows, dtype=np.int64).reshape(-1, 6)
        cols = [table[:, i].copy() for i in range(6)]
        return cls(cols[0], cols[1], cols[2], cols[2].copy(), cols[3], cols[4], cols[5])

    def take(self, index: np.ndarray) -> Codings:
        return Codings(*(getattr(self, f)[index] for f in ("id", "document", "code", "own", "coder", "start", "end")))

    def where(self, mask: np.ndarray) -> Codings:
        return self.take(np.flatnonzero(mask))

    def rolled_up(self, parents: dict[int, int | None]) -> Codings:
        """Each coding once for its own code and once for every ancestor: a parent's
        codings are its own and its sub-codes'."""
        if len(self) == 0:
            return self
        ids = np.unique(self.code)
        chains = []
        for code_id in ids.tolist():
            chain, current, seen = [], code_id, set()
            while current is not None and current not in seen:
                seen.add(current)
                chain.append(current)
                current = parents.get(current)
            chains.append(chain)
        counts = np.array([len(c) for c in chains], dtype=np.int64)
        flat = np.array([a for c in chains for a in c], dtype=np.int64)
        firsts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slot = np.searchsorted(ids, self.code)
        per_row = counts[slot]
        row = np.repeat(np.arange(len(self)), per_row)
        within = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        out = self.take(row)
        out.code = flat[firsts[slot[row]] + within]
        return out

    def key(self) -> np.ndarray:
        """(document, code) as one sortable int64."""
        return self.document * PAIR_SHIFT + self.code


def pairs_by_key(key_a: np.ndarray, key_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with ``key_a[i] == key_b[j]``: a join of two arrays, by sorting."""
    if len(key_a) == 0 or len(key_b) == 0:
        return EMPTY, EMPTY
    order = np.argsort(key_b, kind="stable")
    sorted_b = key_b[order]
    lo = np.searchsorted(sorted_b, key_a, side="left")
    counts = np.searchsorted(sorted_b, key_a, side="right") - lo
    ia = np.repeat(np.arange(len(key_a)), counts)
    within = np.arange(len(ia)) - np.repeat(np.cumsum(counts) - counts, counts)
    return ia, order[np.repeat(lo, counts) + within]


# -- sentence units --------------------------------------------------------------------------


@dataclass
class Units:
    """The sentence units of some documents, in (document, start) order; a unit is named by
    its position in these arrays."""

    document: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def load(cls, store: Store, document_ids: list[int]) -> Units:
        table = np.array(sql.sentence_spans(store, document_ids), dtype=np.int64).reshape(-1, 3)
        return cls(table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy())

    def __len__(self) -> int:
        return len(self.document)

    def in_documents(self, document_ids: np.ndarray) -> np.ndarray:
        """Positions of the units that belong to the given documents."""
        return np.flatnonzero(np.isin(self.document, document_ids))

    def hits(self, codings: Codings) -> np.ndarray:
        """``code << 32 | unit`` for every (code, unit) where one of the codings covers at
        least half of the unit (each pair once)."""
        if len(codings) == 0 or len(self) == 0:
            return EMPTY
        unit_starts = self.document * SHIFT + self.start
        unit_ends = self.document * SHIFT + self.end
        # Sentences of a document are disjoint and in order, so their ends rise too: the
        # units a coding touches are one contiguous run of positions.
        lo = np.searchsorted(unit_ends, codings.document * SHIFT + codings.start, side="right")
        hi = np.searchsorted(unit_starts, codings.document * SHIFT + codings.end, side="left")
        counts = np.maximum(hi - lo, 0)
        row = np.repeat(np.arange(len(codings)), counts)
        unit = np.repeat(lo, counts) + (np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts))
        covered = np.minimum(codings.end[row], self.end[unit]) - np.maximum(codings.start[row], self.start[unit])
        half = 2 * covered >= self.end[unit] - self.start[unit]
        return np.unique((codings.code[row[half]] << np.int64(32)) | unit[half])


def count_by_code(keys: np.ndarray) -> dict[int, int]:
    """How many ``code << 32 | unit`` keys each code has."""
    codes, counts = np.unique(keys >> np.int64(32), return_counts=True)
    return dict(zip(codes.tolist(), counts.tolist()))


def runs(keys: np.ndarray, units: Units) -> list[tuple[int, int, int, int]]:
    """Sorted ``code << 32 | unit`` keys as (code, document, start, end) passages: adjacent
    units of one document and code joined, so a disagreement reads as one passage."""
    if len(keys) == 0:
        return []
    keys = np.sort(keys)
    code = keys >> np.int64(32)
    unit = keys & np.int64(0xFFFFFFFF)
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (
        (code[1:] != code[:-1]) | (unit[1:] != unit[:-1] + 1) | (units.document[unit[1:]] != units.document[unit[:-1]])
    )
    firsts = np.flatnonzero(new)
    lasts = np.concatenate([firsts[1:] - 1, [len(keys) - 1]])
    return list(
        zip(
            code[firsts].tolist(),
            units.document[unit[firsts]].tolist(),
            units.start[unit[firsts]].tolist(),
            units.end[unit[lasts]].tolist(),
        )
    )


# -- segments --------------------------------------------------------------------------------


def segment_matches(a: Codings, b: Codings, overlap: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which codings of A and of B have a match in the other coder's codings of the same
    code: an overlap of at least ``overlap`` of the two spans' union. Also returns, per
    coding of A then of B, the best such share found (0 where nothing overlaps)."""
    matched_a = np.zeros(len(a), dtype=bool)
    matched_b = np.zeros(len(b), dtype=bool)
    best = np.zeros(len(a) + len(b), dtype=float)
    ia, ib = pairs_by_key(a.key(), b.key())
    if len(ia):
        shared = np.minimum(a.end[ia], b.end[ib]) - np.maximum(a.start[ia], b.start[ib])
        union = np.maximum(a.end[ia], b.end[ib]) - np.minimum(a.start[ia], b.start[ib])
        share = np.where(shared > 0, shared / union, 0.0)
        hit = (shared > 0) & (share >= overlap - 1e-12)
        matched_a[ia[hit]] = True
        matched_b[ib[hit]] = True
        np.maximum.at(best, ia, share)
        np.maximum.at(best, len(a) + ib, share)
    return matched_a, matched_b, best


# -- characters ------------------------------------------------------------------------------


@dataclass
class Coverage:
    """One coder's coded characters per (document, code): disjoint merged intervals."""

    key: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, codings: Codings) -> Coverage:
        key, start, end = merge(codings.key(), codings.start, codings.end)
        return cls(key, start, end)

    def per_code(self) -> dict[int, int]:
        return _sum_by_code(self.key, self.end - self.start)


def _sum_by_code(key: np.ndarray, values: np.ndarray) -> dict[int, int]:
    if len(key) == 0:
        return {}
    codes, inverse = np.unique(key % PAIR_SHIFT, return_inverse=True)
    totals = np.bincount(inverse, weights=values)
    return {int(c): int(t) for c, t in zip(codes, totals)}


def shared_characters(a: Coverage, b: Coverage) -> dict[int, int]:
    """Per code, the characters both coders coded. Each coder's intervals are disjoint, so
    every shared character lies in exactly one (A interval, B interval) pair."""
    ia, ib = pairs_by_key(a.key, b.key)
    if len(ia) == 0:
        return {}
    shared = np.maximum(np.minimum(a.end[ia], b.end[ib]) - np.maximum(a.start[ia], b.start[ib]), 0)
    return _sum_by_code(a.key[ia], shared)


def only_in_first(a: Coverage, b: Coverage) -> list[tuple[int, int, int, int]]:
    """(code, document, start, end) of the stretches A coded and B did not, per code."""
    if len(a.key) == 0:
        return []
    groups, inverse = np.unique(np.concatenate([a.key, b.key]), return_inverse=True)
    rank_a, rank_b = inverse[: len(a.key)], inverse[len(a.key) :]
    a_starts, a_ends = rank_a * SHIFT + a.start, rank_a * SHIFT + a.end
    b_starts, b_ends = rank_b * SHIFT + b.start, rank_b * SHIFT + b.end
    order_b = np.argsort(b_starts)
    b_starts, b_ends = b_starts[order_b], b_ends[order_b]
    order_a = np.argsort(a_starts)
    a_starts, a_ends = a_starts[order_a], a_ends[order_a]
    # Cut the line at every boundary of either coder; each piece is wholly in or out of
    # each coder's coverage, judged at its first character.
    cuts = np.unique(np.concatenate([a_starts, a_ends, b_starts, b_ends]))
    piece_start, piece_end = cuts[:-1], cuts[1:]
    in_a = _covers(a_starts, a_ends, piece_start)
    in_b = _covers(b_starts, b_ends, piece_start)
    keep = in_a & ~in_b
    if not keep.any():
        return []
    rank = piece_start[keep] // SHIFT
    g, s, e = merge(rank, piece_start[keep] % SHIFT, piece_end[keep] - rank * SHIFT)
    key = groups[g]
    return list(zip((key % PAIR_SHIFT).tolist(), (key // PAIR_SHIFT).tolist(), s.tolist(), e.tolist()))


def _covers(starts: np.ndarray, ends: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Whether each point lies inside one of the sorted disjoint intervals."""
    if len(starts) == 0:
        return np.zeros(len(points), dtype=bool)
    index = np.searchsorted(starts, points, side="right") - 1
    safe = np.maximum(index, 0)
    return (index >= 0) & (ends[safe] > points)
