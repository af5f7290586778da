"""Code × code co-occurrence: codings that overlap, or fall in the same sentence or turn.

Units and what the figures mean:

- ``overlap``: *count* is the number of pairs of codings (one of each code) whose passages
  overlap; *Jaccard* is the share of the two codes' codings that overlap a coding of the
  other code — 1.0 when every coding of either code meets the other code, 0 when none does.
- ``sentence`` / ``turn``: *count* is the number of sentences (turns) that hold both codes
  (a coding holds every unit it touches); *Jaccard* is units with both / units with either,
  the ATLAS.ti c-coefficient.

- ``document`` / ``participant`` / ``case``: *count* is the number of documents
  (participants, cases) in which both codes are present, wherever in them; *Jaccard* is
  units with both / units with either. A participant or case holds every code coded in any
  of its documents (a parent's and her child's interview of one family are one case).

Codes co-occur only where the *same coder* applied both: coder A's *Huisbezoek* on a passage
coder B coded *Vertrouwensband* is a disagreement between coders (agreement's business), not
co-occurrence. ``across_coders=True`` pairs codes whoever applied them.

Everything is vectorised with numpy (sorting, ``searchsorted``, ``repeat``, ``bincount``, one
matrix product): a million codings take about half a second, most of it reading them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.analysis.spans import SHIFT, Spans
from qualcode.core.errors import QualcodeError
from qualcode.core.scope import Scope
from qualcode.store import analysis as sql

if TYPE_CHECKING:
    from qualcode.study.study import Study

PASSAGE_UNITS = ("overlap", "sentence", "turn")
PRESENCE_UNITS = ("document", "participant", "case")
UNITS = (*PASSAGE_UNITS, *PRESENCE_UNITS)
COUNTED = {
    "overlap": "pairs of overlapping codings (one of each code); diagonal: the code's codings",
    "sentence": "sentences holding both codes; diagonal: sentences with the code",
    "turn": "speaker turns holding both codes; diagonal: turns with the code",
    "document": "documents in which both codes are present; diagonal: documents with the code",
    "participant": "participants in whose documents both codes are present; diagonal: participants with the code",
    "case": "cases (families) in whose documents both codes are present; diagonal: cases with the code",
}
_PAIR_CHUNK = 4_000_000  # pairs materialised at a time (int32 arrays, about 100 MB)
_FLAG_CHUNK = 64_000_000  # coding × code flags at a time (bytes)
_UNIT_BLOCK = 1 << 20  # units per matrix product: float32 counts stay exact below 2**24


@dataclass
class Cooccurrence:
    unit: str
    codes: list[tuple[int, str]]  # (id, path) of the codes that were coded, codebook order
    totals: dict[int, int] = field(default_factory=dict)  # codings (overlap) or units per code
    counts: dict[tuple[int, int], int] = field(default_factory=dict)  # (a, b) with a < b
    meeting: dict[tuple[int, int], int] = field(default_factory=dict)  # overlap: codings of a meeting b
    across_coders: bool = False
    coders: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # presence units: documents not counted, and why

    def notes(self) -> list[str]:
        who = ", ".join(self.coders) or "nobody"
        counted = f"Counts {COUNTED[self.unit]}."
        if self.across_coders:
            pairing = f"Codes paired whoever applied them (coders: {who}): a pair may be two coders disagreeing."
        else:
            pairing = f"Codes paired only where the same coder applied both (coders: {who})."
        return [counted, pairing, *self.left_out]

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


def cooccurrence(
    study: Study, scope: Scope | None = None, *, unit: str = "overlap", across_coders: bool = False
) -> Cooccurrence:
    """Co-occurrence of the codes as coded (sub-codes are not rolled up: a parent would
    trivially co-occur with its own children), within each coder's coding unless
    ``across_coders``. ``unit`` is one of :data:`UNITS`: passages (``overlap``, ``sentence``,
    ``turn``) or presence in a whole ``document``, ``participant`` or ``case``."""
    if unit not in UNITS:
        raise QualcodeError(f"unknown unit “{unit}”; use one of: {', '.join(UNITS)}")
    scope = scope or Scope()
    if unit in PRESENCE_UNITS:
        return _presence(study, scope, unit, across_coders)
    spans = Spans.load(study.store, scope)
    present = set(np.unique(spans.code).tolist())
    result = Cooccurrence(unit, [(c.id, c.path) for c in study.codes() if c.id in present])
    result.across_coders = across_coders
    result.coders = sql.coders_with_codings(study.store, scope)
    if len(spans) == 0:
        return result
    ids = np.array(sorted(present), dtype=np.int64)
    index = np.searchsorted(ids, spans.code)
    coder_ids, coder_rank = np.unique(spans.coder, return_inverse=True)
    one_coder = across_coders or len(coder_ids) == 1
    if unit == "overlap":
        if not one_coder:
            # each coder's codings of a document form a document of their own: no pair
            # crosses coders, and totals still count every coding once
            spans = Spans(spans.document * len(coder_ids) + coder_rank, spans.code, spans.start, spans.end, spans.coder)
        _overlaps(result, spans, ids, index)
    else:
        _units(result, study, spans, ids, index, unit, None if one_coder else (coder_rank, len(coder_ids)))
    return result


def _overlaps(result: Cooccurrence, spans: Spans, ids: np.ndarray, index: np.ndarray) -> None:
    """Pairs of overlapping codings, counted per pair of codes.

    A sweep over the codings sorted by (document, start): the codings that start at or
    after coding *i* and before its end are exactly those it overlaps to the right, a
    contiguous run, so every overlapping pair is seen once, as (i, j) with i before j. The
    pairs are materialised a chunk of whole documents at a time (no pair crosses a
    document), as int32 arrays, and counted with ``bincount``.
    """
    k = len(ids)
    key = spans.document * SHIFT + spans.start
    # Ties need no stable sort: two codings starting at the same place overlap each
    # other, and whichever comes first counts the pair once.
    order = np.argsort(key)
    key = key[order]
    end_key = spans.document[order] * SHIFT + spans.end[order]
    code = index[order].astype(np.int32)
    n = len(key)
    following = np.searchsorted(key, end_key, side="left") - np.arange(1, n + 1)
    pair_counts = np.zeros(k * k, dtype=np.int64)
    by_code = np.zeros((k, k), dtype=np.int64)  # codings of code a that meet code b
    for lo, hi in _document_chunks(spans.document[order], following, k):
        _overlap_chunk(code[lo:hi], following[lo:hi], k, pair_counts, by_code)
    square = pair_counts.reshape(k, k)
    square = square + square.T
    totals = np.bincount(code, minlength=k)
    result.totals = {int(ids[i]): int(totals[i]) for i in range(k)}
    for a in range(k):
        for b in range(k):
            if a < b and square[a, b]:
                result.counts[(int(ids[a]), int(ids[b]))] = int(square[a, b])
            if a != b and by_code[a, b]:
                result.meeting[(int(ids[a]), int(ids[b]))] = int(by_code[a, b])


def _document_chunks(document: np.ndarray, following: np.ndarray, k: int) -> list[tuple[int, int]]:
    """Row ranges of whole documents (of the sorted codings) holding about
    ``_PAIR_CHUNK`` pairs and ``_FLAG_CHUNK`` coding × code flags each, at least one
    document per chunk: memory stays bounded however large the study."""
    n = len(document)
    bounds = np.concatenate([[0], np.flatnonzero(document[1:] != document[:-1]) + 1, [n]])
    pairs_before = np.concatenate([[0], np.cumsum(following)])[bounds]
    chunks = []
    at = 0  # index into bounds
    while bounds[at] < n:
        by_pairs = int(np.searchsorted(pairs_before, pairs_before[at] + _PAIR_CHUNK, side="right")) - 1
        by_rows = int(np.searchsorted(bounds, bounds[at] + max(_FLAG_CHUNK // k, 1), side="right")) - 1
        nxt = max(min(by_pairs, by_rows), at + 1)
        chunks.append((int(bounds[at]), int(bounds[nxt])))
        at = nxt
    return chunks


def _overlap_chunk(
    code: np.ndarray, following: np.ndarray, k: int, pair_counts: np.ndarray, by_code: np.ndarray
) -> None:
    """Count the pairs of one chunk of whole documents into ``pair_counts`` (a * k + b,
    a the code of the earlier coding) and the codings meeting each code into ``by_code``."""
    rows = len(code)
    pairs = int(following.sum())
    if pairs == 0:
        return
    runs = following.astype(np.int32)
    first_code = np.repeat(code, runs)
    # the partner of each pair: i + 1 + its place in i's run
    base = (np.arange(1, rows + 1) - (np.cumsum(following) - following)).astype(np.int32)
    second = np.repeat(base, runs)
    second += np.arange(pairs, dtype=np.int32)
    second_code = code[second]
    pair_counts += np.bincount(first_code * k + second_code, minlength=k * k)
    # meets[i, b]: coding i overlaps some coding of code b. Rows are laid out by code
    # (``slot``) so that each code's rows are one contiguous block to sum.
    by_slot = np.argsort(code, kind="stable")
    slot = np.empty(rows, dtype=np.int32)
    slot[by_slot] = np.arange(rows, dtype=np.int32)
    meets = np.zeros(rows * k, dtype=np.uint8)
    flat = np.repeat(slot * k, runs)
    flat += second_code
    meets[flat] = 1
    flat = slot[second] * k
    flat += first_code
    meets[flat] = 1
    edges = np.concatenate([[0], np.cumsum(np.bincount(code, minlength=k))])
    grid = meets.reshape(rows, k)
    for a in np.flatnonzero(edges[1:] > edges[:-1]):
        by_code[a] += grid[edges[a] : edges[a + 1]].sum(axis=0, dtype=np.int64)


def _units(
    result: Cooccurrence,
    study: Study,
    spans: Spans,
    ids: np.ndarray,
    index: np.ndarray,
    unit: str,
    by_coder: tuple[np.ndarray, int] | None = None,
) -> None:
    """Units (sentences or turns) × codes as a dense 0/1 table; the code × code counts
    are its product with itself (a BLAS matrix product of a few million cells). Kept
    apart by coder, the pairs are listed per (unit, coder) instead and counted once per
    unit (:func:`_unit_pairs_by_coder`)."""
    k = len(ids)
    documents = np.unique(spans.document)
    unit_document, unit_start, unit_end = sql.unit_spans(study.store, unit, documents.tolist())
    if len(unit_document) == 0:
        return
    unit_first = unit_document * SHIFT + unit_start
    unit_last = unit_document * SHIFT + unit_end
    # Units of one document are disjoint and sorted, so both arrays are sorted; sorting
    # the codings too makes the lookups walk the unit arrays in order (cache-friendly).
    order = np.argsort(spans.document * SHIFT + spans.start)
    document, start, end, code = spans.document[order], spans.start[order], spans.end[order], index[order]
    rank = by_coder[0][order] if by_coder is not None else None
    first = np.searchsorted(unit_last, document * SHIFT + start, side="right")
    last = np.searchsorted(unit_first, document * SHIFT + end, side="left") - 1
    touched = np.maximum(last - first + 1, 0)
    # unit of each (coding, touched unit): the coding's first unit + its place in the run
    run_base = first - (np.cumsum(touched) - touched)
    unit_index = np.repeat(run_base, touched) + np.arange(int(touched.sum()))
    if by_coder is not None and rank is not None:
        _unit_pairs_by_coder(result, ids, unit_index, np.repeat(code, touched), np.repeat(rank, touched), by_coder[1])
        return
    # a unit holds a code or not, however many codings put it there
    holds = np.zeros((len(unit_document), k), dtype=np.uint8)
    holds.reshape(-1)[unit_index * k + np.repeat(code, touched)] = 1
    square = np.zeros((k, k), dtype=np.int64)
    # float32 products are exact while a block's sums stay under 2**24 units
    for lo in range(0, len(holds), _UNIT_BLOCK):
        block = holds[lo : lo + _UNIT_BLOCK].astype(np.float32)
        square += np.rint(block.T @ block).astype(np.int64)
    result.totals = {int(ids[i]): int(square[i, i]) for i in range(k)}
    for a in range(k):
        for b in range(a + 1, k):
            if square[a, b]:
                result.counts[(int(ids[a]), int(ids[b]))] = int(square[a, b])


def _unit_pairs_by_coder(
    result: Cooccurrence, ids: np.ndarray, unit: np.ndarray, code: np.ndarray, coder: np.ndarray, coders: int
) -> None:
    """Units holding both codes by one coder: the (unit, coder, code) entries made unique,
    every pair of codes within one (unit, coder) listed (a sweep like the overlaps'), and
    the pairs made unique per unit so that two coders agreeing on a pair count it once."""
    k = len(ids)
    entries = np.unique((unit * coders + coder) * k + code)
    row, code_of = np.divmod(entries, k)
    # totals: units holding the code, by any coder
    unit_code = np.unique((row // coders) * k + code_of)
    totals = np.bincount(unit_code % k, minlength=k)
    result.totals = {int(ids[i]): int(totals[i]) for i in range(k) if totals[i]}
    # entries are sorted by row: the partners of entry i are the rest of its row
    row_end = np.searchsorted(row, row, side="right")
    following = row_end - np.arange(1, len(row) + 1)
    pairs = int(following.sum())
    if pairs == 0:
        return
    first = np.repeat(np.arange(len(row)), following)
    second = first + 1 + (np.arange(pairs) - np.repeat(np.cumsum(following) - following, following))
    keyed = np.unique((row[first] // coders) * (k * k) + code_of[first] * k + code_of[second])
    counts = np.bincount(keyed % (k * k), minlength=k * k).reshape(k, k)
    for a, b in zip(*np.nonzero(counts)):
        result.counts[(int(ids[a]), int(ids[b]))] = int(counts[a, b])


def _presence(study: Study, scope: Scope, unit: str, across_coders: bool) -> Cooccurrence:
    """Codes present together in documents, participants or cases, from the coding tally
    (codes × documents × coders rows, whatever the number of codings).

    Presence is a 0/1 table of (unit, coder) rows × codes. With one coder (or pairing across
    coders) the counts are its product with itself. Kept apart by coder, a unit holds a
    pair when *some* coder has both codes there: for each code *a*, the rows holding *a*
    are OR-ed per unit (``maximum.reduceat`` over rows sorted by unit) and summed.
    """
    from qualcode.analysis.units import unit_frame

    frame = unit_frame(study, scope, unit)
    columns = [
        np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
        for text in sql.code_document_coder_columns(study.store, scope)
    ]
    code, document, coder = columns
    keys = frame.units()
    key_index = {key: i for i, key in enumerate(keys)}
    top = max(max(frame.document_unit, default=0), int(document.max()) if len(document) else 0) + 1
    unit_of = np.full(top, -1, dtype=np.int64)
    for doc, key in frame.document_unit.items():
        unit_of[doc] = key_index[key]
    kept = unit_of[document] >= 0 if len(document) else np.zeros(0, dtype=bool)
    code, units, coder = code[kept], unit_of[document[kept]], coder[kept]
    ids = np.unique(code)
    known = {c.id: c.path for c in study.codes()}
    present = set(ids.tolist())
    result = Cooccurrence(unit, [(i, p) for i, p in known.items() if i in present])
    result.across_coders = across_coders
    result.coders = frame.coders
    result.left_out = list(frame.left_out)
    if len(code) == 0:
        return result
    k = len(ids)
    index = np.searchsorted(ids, code)
    coder_ids, coder_rank = np.unique(coder, return_inverse=True)
    c = 1 if across_coders else len(coder_ids)
    row = units * c + (0 if c == 1 else coder_rank)
    holds = np.zeros((len(keys) * c, k), dtype=np.uint8)
    holds[row, index] = 1
    square = np.zeros((k, k), dtype=np.int64)
    if c == 1:
        for lo in range(0, len(holds), _UNIT_BLOCK):
            block = holds[lo : lo + _UNIT_BLOCK].astype(np.float32)
            square += np.rint(block.T @ block).astype(np.int64)
    else:
        for a in range(k):
            rows = np.flatnonzero(holds[:, a])
            if len(rows) == 0:
                continue
            owner = rows // c
            starts = np.concatenate([[0], np.flatnonzero(owner[1:] != owner[:-1]) + 1])
            square[a] = np.maximum.reduceat(holds[rows], starts, axis=0).sum(axis=0, dtype=np.int64)
    result.totals = {int(ids[i]): int(square[i, i]) for i in range(k)}
    for a in range(k):
        for b in range(a + 1, k):
            if square[a, b]:
                result.counts[(int(ids[a]), int(ids[b]))] = int(square[a, b])
    return result
