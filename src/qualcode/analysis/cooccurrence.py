"""Code × code co-occurrence: codings that overlap, or fall in the same sentence or turn.

Units and what the figures mean:

- ``overlap``: *count* is the number of pairs of codings (one of each code) whose passages
  overlap; *Jaccard* is the share of the two codes' codings that overlap a coding of the
  other code — 1.0 when every coding of either code meets the other code, 0 when none does.
- ``sentence`` / ``turn``: *count* is the number of sentences (turns) that hold both codes
  (a coding holds every unit it touches); *Jaccard* is units with both / units with either,
  the ATLAS.ti c-coefficient.

Everything is vectorised (numpy, scipy.sparse): a million codings take well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.analysis.spans import SHIFT, Spans
from qualcode.errors import QualcodeError
from qualcode.store import analysis as sql
from qualcode.store.analysis import Scope

if TYPE_CHECKING:
    from qualcode.study import Study

UNITS = ("overlap", "sentence", "turn")
_PAIR_CHUNK = 4_000_000  # pairs materialised at a time, to bound memory (~100 MB)


@dataclass
class Cooccurrence:
    unit: str
    codes: list[tuple[int, str]]  # (id, path) of the codes that were coded, codebook order
    totals: dict[int, int] = field(default_factory=dict)  # codings (overlap) or units per code
    counts: dict[tuple[int, int], int] = field(default_factory=dict)  # (a, b) with a < b
    meeting: dict[tuple[int, int], int] = field(default_factory=dict)  # overlap: codings of a meeting b

    def count(self, a: int, b: int) -> int:
        if a == b:
            return self.totals.get(a, 0)
        return self.counts.get((min(a, b), max(a, b)), 0)

    def jaccard(self, a: int, b: int) -> float:
        if a == b:
            return 1.0 if self.totals.get(a) else 0.0
        n1, n2 = self.totals.get(a, 0), self.totals.get(b, 0)
        if self.unit == "overlap":
            both = self.meeting.get((a, b), 0) + self.meeting.get((b, a), 0)
            return round(both / (n1 + n2), 3) if n1 + n2 else 0.0
        n12 = self.count(a, b)
        union = n1 + n2 - n12
        return round(n12 / union, 3) if union else 0.0

    def rows(self, measure: str = "count") -> list[dict[str, Any]]:
        """The square matrix, one dict per code (the diagonal holds the code's own total)."""
        if measure not in ("count", "jaccard"):
            raise QualcodeError(f"unknown measure “{measure}”; use count or jaccard")
        out = []
        for a, path in self.codes:
            row: dict[str, Any] = {"code": path}
            for b, other in self.codes:
                row[other] = self.count(a, b) if measure == "count" else self.jaccard(a, b)
            out.append(row)
        return out

    def pairs(self, minimum: int = 1) -> list[dict[str, Any]]:
        """Pairs of codes that co-occur, most frequent first."""
        paths = dict(self.codes)
        out = [
            {
                "code_a": paths[a],
                "code_b": paths[b],
                "count": n,
                "jaccard": self.jaccard(a, b),
                "a_total": self.totals.get(a, 0),
                "b_total": self.totals.get(b, 0),
            }
            for (a, b), n in self.counts.items()
            if n >= minimum and a in paths and b in paths
        ]
        return sorted(out, key=lambda r: (-r["count"], r["code_a"], r["code_b"]))


def cooccurrence(study: Study, scope: Scope | None = None, *, unit: str = "overlap") -> Cooccurrence:
    """Co-occurrence of the codes as coded (sub-codes are not rolled up: a parent would
    trivially co-occur with its own children)."""
    if unit not in UNITS:
        raise QualcodeError(f"unknown unit “{unit}”; use one of: {', '.join(UNITS)}")
    scope = scope or Scope()
    spans = Spans.load(study.store, scope)
    present = set(np.unique(spans.code).tolist())
    result = Cooccurrence(unit, [(c.id, c.path) for c in study.codes() if c.id in present])
    if len(spans) == 0:
        return result
    ids = np.array(sorted(present), dtype=np.int64)
    index = np.searchsorted(ids, spans.code)
    if unit == "overlap":
        _overlaps(result, spans, ids, index)
    else:
        _units(result, study, spans, ids, index, unit)
    return result


def _overlaps(result: Cooccurrence, spans: Spans, ids: np.ndarray, index: np.ndarray) -> None:
    k = len(ids)
    key = spans.document * SHIFT + spans.start
    order = np.argsort(key, kind="stable")
    key, end_key, code = key[order], (spans.document * SHIFT + spans.end)[order], index[order]
    n = len(key)
    # For coding i (sorted by start), the codings that start at or after it and before its
    # end are exactly those it overlaps to the right; every overlapping pair is seen once.
    reach = np.searchsorted(key, end_key, side="left")
    following = reach - np.arange(1, n + 1)
    pair_counts = np.zeros(k * k, dtype=np.int64)
    meets = np.zeros(n * k, dtype=bool)  # coding i meets code b
    starts = np.arange(n)
    bounds = np.cumsum(following)
    lo = 0
    while lo < n:
        # take codings lo..hi whose pairs fit in one chunk
        base = bounds[lo - 1] if lo else 0
        hi = int(np.searchsorted(bounds, base + _PAIR_CHUNK, side="right"))
        hi = max(hi, lo + 1)
        counts = following[lo:hi]
        first = np.repeat(starts[lo:hi], counts)
        offset = np.arange(len(first)) - np.repeat(np.cumsum(counts) - counts, counts)
        second = first + 1 + offset
        a, b = code[first], code[second]
        pair_counts += np.bincount(a * k + b, minlength=k * k)
        meets[first * k + b] = True
        meets[second * k + a] = True
        lo = hi
    square = pair_counts.reshape(k, k)
    square = square + square.T
    totals = np.bincount(code, minlength=k)
    # codings of code a that meet code b: sum the flags of a's codings (every code in
    # ``ids`` has at least one coding, so the group boundaries are all distinct)
    by_code_order = np.argsort(code, kind="stable")
    boundaries = np.concatenate([[0], np.cumsum(totals)[:-1]])
    by_code = np.add.reduceat(meets.reshape(n, k)[by_code_order], boundaries, axis=0, dtype=np.int64)
    result.totals = {int(ids[i]): int(totals[i]) for i in range(k)}
    for a in range(k):
        for b in range(k):
            if a < b and square[a, b]:
                result.counts[(int(ids[a]), int(ids[b]))] = int(square[a, b])
            if a != b and by_code[a, b]:
                result.meeting[(int(ids[a]), int(ids[b]))] = int(by_code[a, b])


def _units(result: Cooccurrence, study: Study, spans: Spans, ids: np.ndarray, index: np.ndarray, unit: str) -> None:
    from scipy import sparse  # ~0.1 s to import; only co-occurrence by unit needs it

    k = len(ids)
    documents = np.unique(spans.document)
    rows = sql.unit_spans(study.store, unit, documents.tolist())
    if not rows:
        return
    table = np.array(rows, dtype=np.int64)
    unit_start = table[:, 0] * SHIFT + table[:, 1]
    unit_end = table[:, 0] * SHIFT + table[:, 2]
    # units of one document are disjoint and sorted, so both arrays are sorted
    first = np.searchsorted(unit_end, spans.document * SHIFT + spans.start, side="right")
    last = np.searchsorted(unit_start, spans.document * SHIFT + spans.end, side="left") - 1
    touched = np.maximum(last - first + 1, 0)
    coding = np.repeat(np.arange(len(spans)), touched)
    offset = np.arange(len(coding)) - np.repeat(np.cumsum(touched) - touched, touched)
    unit_index = first[coding] + offset
    incidence = sparse.coo_matrix(
        (np.ones(len(coding), dtype=np.int64), (unit_index, index[coding])), shape=(len(table), k)
    ).tocsr()
    incidence.sum_duplicates()
    incidence.data[:] = 1  # a unit holds a code or not, however many codings put it there
    square = (incidence.T @ incidence).toarray()
    result.totals = {int(ids[i]): int(square[i, i]) for i in range(k)}
    for a in range(k):
        for b in range(a + 1, k):
            if square[a, b]:
                result.counts[(int(ids[a]), int(ids[b]))] = int(square[a, b])
