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
matrix product), over the codings packed per document (:mod:`qualcode.analysis.derived`). The
overlap counts are kept per document and coder as codings change and summed per reading; pairs
across coders, and a study that cannot be written, sweep the codings (:mod:`qualcode.analysis.
pairs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.analysis import derived, pairs
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
    spans = derived.spans(study, scope)
    ids, index = _dense(spans.code)
    present = set(ids.tolist())
    result = Cooccurrence(unit, [(c.id, c.path) for c in study.codes() if c.id in present])
    result.across_coders = across_coders
    result.coders = sql.coders_with_codings(study.store, scope)
    if len(spans) == 0:
        return result
    coder_ids, coder_rank = _dense(spans.coder)
    one_coder = across_coders or len(coder_ids) == 1
    if unit == "overlap":
        # across coders, a pair may join two coders' codings: not among the kept counts
        across = one_coder and len(coder_ids) > 1
        sums = None if across else derived.overlap_sums(study, scope, ids)
        if sums is None:
            group = spans.document if one_coder else spans.document * len(coder_ids) + coder_rank
            sums = _sweep(group, spans.start, spans.end, index, len(ids))
        _fill_overlaps(result, ids, np.bincount(index, minlength=len(ids)), *sums)
    else:
        _units(result, study, spans, ids, index, unit, None if one_coder else (coder_rank, len(coder_ids)))
    return result


def _dense(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for small non-negative ids (codes,
    coders), by a lookup table instead of a sort."""
    if len(values) == 0 or int(values.min()) < 0 or int(values.max()) >= 1 << 24:
        return np.unique(values, return_inverse=True)
    seen = np.zeros(int(values.max()) + 1, dtype=bool)
    seen[values] = True
    rank = np.cumsum(seen) - 1
    return np.flatnonzero(seen), rank[values]


def _sweep(
    group: np.ndarray, start: np.ndarray, end: np.ndarray, index: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """(pairs, meetings) as :func:`qualcode.analysis.derived.overlap_sums` gives them, from
    the codings themselves: each group's codings (a document, or a coder's codings of a
    document: non-negative numbers) sorted by start and swept (:mod:`qualcode.analysis.pairs`)."""
    key = group * SHIFT + start
    code = index
    if len(key) > 1 and not bool((key[1:] >= key[:-1]).all()):
        order = np.argsort(key, kind="stable")
        group, start, end, code = group[order], start[order], end[order], code[order]
    rank = np.zeros(len(group), dtype=np.int64)
    if len(group) > 1:
        rank[1:] = np.cumsum(group[1:] != group[:-1])
    found = pairs.group_pairs(rank, code, pairs.runs(rank, start, end), k, merged=True)
    forward = found.a * k + found.b
    pair_sums = np.bincount(forward, weights=found.pairs, minlength=k * k)
    meet_sums = np.bincount(forward, weights=found.meets_ab, minlength=k * k)
    meet_sums += np.bincount(found.b * k + found.a, weights=found.meets_ba, minlength=k * k)
    return pair_sums.astype(np.int64).reshape(k, k), meet_sums.astype(np.int64).reshape(k, k)


def _fill_overlaps(
    result: Cooccurrence, ids: np.ndarray, totals: np.ndarray, pair_sums: np.ndarray, meet_sums: np.ndarray
) -> None:
    result.totals = {int(ids[i]): int(totals[i]) for i in range(len(ids))}
    for a, b in zip(*np.nonzero(pair_sums), strict=True):
        result.counts[(int(ids[a]), int(ids[b]))] = int(pair_sums[a, b])
    for a, b in zip(*np.nonzero(meet_sums), strict=True):
        result.meeting[(int(ids[a]), int(ids[b]))] = int(meet_sums[a, b])


def _units(
    result: Cooccurrence,
    study: Study,
    spans: Spans,
    ids: np.ndarray,
    index: np.ndarray,
    unit: str,
    by_coder: tuple[np.ndarray, int] | None = None,
) -> None:
    """The (sentence or turn, coder, code) holdings of the codings — a coding holds every
    unit it touches — counted by :func:`_held`."""
    k = len(ids)
    documents = _dense(spans.document)[0]
    unit_document, unit_start, unit_end = sql.unit_spans(study.store, unit, documents.tolist())
    if len(unit_document) == 0:
        return
    unit_first = unit_document * SHIFT + unit_start
    unit_last = unit_document * SHIFT + unit_end
    # Units of one document are disjoint and sorted, so both arrays are sorted (and small
    # enough to stay in cache: the codings need no sorting for the lookups).
    document, start, end, code = spans.document, spans.start, spans.end, index
    rank = by_coder[0] if by_coder is not None else None
    first = np.searchsorted(unit_last, document * SHIFT + start, side="right")
    last = np.searchsorted(unit_first, document * SHIFT + end, side="left") - 1
    touched = np.maximum(last - first + 1, 0)
    # unit of each (coding, touched unit): the coding's first unit + its place in the run
    run_base = first - (np.cumsum(touched) - touched)
    unit_index = np.repeat(run_base, touched) + np.arange(int(touched.sum()))
    entries_code = np.repeat(code, touched)
    entries_coder = np.repeat(rank, touched) if by_coder is not None and rank is not None else None
    square = _held(unit_index, entries_coder, entries_code, len(unit_document), by_coder[1] if by_coder else 1, k)
    _fill(result, ids, square)


def _fill(result: Cooccurrence, ids: np.ndarray, square: np.ndarray) -> None:
    k = len(ids)
    result.totals = {int(ids[i]): int(square[i, i]) for i in range(k) if square[i, i]}
    upper = np.triu(square, 1)
    for a, b in zip(*np.nonzero(upper)):
        result.counts[(int(ids[a]), int(ids[b]))] = int(upper[a, b])


_HELD_BLOCK = 1 << 25  # unit × coder × code cells of the 0/1 table at a time (bytes)
_MOST_CODERS_IN_A_UNIT = 8  # beyond this, pairs are OR-ed code by code (2**8 subsets at most)


def _held(unit: np.ndarray, coder: np.ndarray | None, code: np.ndarray, units: int, coders: int, k: int) -> np.ndarray:
    """``square[a, b]``: units in which one coder holds both *a* and *b* (any coder when
    ``coder`` is None); the diagonal: units holding *a*, by anyone.

    ``unit``, ``coder`` and ``code`` list the (unit, coder, code) holdings, repeats allowed.
    They become a 0/1 table H (unit × coder × code), a block of units at a time. With one
    coder the counts are HᵀH (one BLAS product). With several, a unit holds a pair when *some*
    coder has both — an OR over coders, which inclusion–exclusion turns into products:
    Σ over non-empty sets S of coders of (−1)^(|S|+1) · A_Sᵀ A_S, A_S the AND of the coders
    in S (only the sets of coders found together in some unit, and only their units).
    """
    square = np.zeros((k, k), dtype=np.int64)
    if len(unit) == 0:
        return square
    if coder is None:
        coder, coders = np.zeros(len(unit), dtype=np.int64), 1
    per_block = max(_HELD_BLOCK // max(coders * k, 1), 1)
    if units > per_block:
        order = np.argsort(unit, kind="stable")
        unit, coder, code = unit[order], coder[order], code[order]
        cuts = np.searchsorted(unit, np.arange(0, units + per_block, per_block))
    else:
        cuts = np.array([0, len(unit)])
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        if hi <= lo:
            continue
        # sorted by unit when in blocks; one block spans every unit
        first, span = (int(unit[lo]), int(unit[hi - 1]) - int(unit[lo]) + 1) if len(cuts) > 2 else (0, units)
        table = np.zeros((span, coders, k), dtype=np.uint8)
        table[unit[lo:hi] - first, coder[lo:hi], code[lo:hi]] = 1
        square += _held_block(table)
    return square


def _product(rows: np.ndarray) -> np.ndarray:
    """rowsᵀ rows for a 0/1 uint8 table, exact (float32 sums of fewer than 2**24 ones)."""
    out = np.zeros((rows.shape[1], rows.shape[1]), dtype=np.int64)
    for lo in range(0, len(rows), _UNIT_BLOCK):
        block = rows[lo : lo + _UNIT_BLOCK].astype(np.float32)
        out += np.rint(block.T @ block).astype(np.int64)
    return out


def _held_block(table: np.ndarray) -> np.ndarray:
    coders = table.shape[1]
    if coders == 1:
        return _product(table[:, 0, :])
    present = np.asarray(table.any(axis=2))  # unit × coder: the coder holds something there
    # every (unit, coder) row once: the sets of one coder
    square = _product(table[present])
    several = present.sum(axis=1) > 1
    if not several.any():
        return square
    masks = (present[several].astype(np.int64) << np.arange(coders, dtype=np.int64)).sum(axis=1)
    unique_masks = np.unique(masks)
    widest = max(bin(int(m)).count("1") for m in unique_masks)
    together = table[several]
    if widest > _MOST_CODERS_IN_A_UNIT:
        return _or_code_by_code(table)
    subsets: set[int] = set()
    for m in unique_masks.tolist():
        sub = m
        while sub:
            if sub & (sub - 1):  # two coders or more
                subsets.add(sub)
            sub = (sub - 1) & m
    for subset in sorted(subsets):
        members = [c for c in range(coders) if subset >> c & 1]
        rows = (masks & subset) == subset
        both = together[rows][:, members[0], :].copy()
        for c in members[1:]:
            both &= together[rows][:, c, :]
        sign = -1 if len(members) % 2 == 0 else 1
        square += sign * _product(both)
    return square


def _or_code_by_code(table: np.ndarray) -> np.ndarray:
    """The same counts for units with very many coders: for each code *a*, the coders
    holding it in a unit OR-ed together, summed over units."""
    k = table.shape[2]
    square = np.zeros((k, k), dtype=np.int64)
    for a in range(k):
        has = table[:, :, a].astype(bool)
        hit = has.any(axis=1)
        if hit.any():
            square[a] = (table[hit] * has[hit][:, :, None]).max(axis=1).sum(axis=0, dtype=np.int64)
    return square


def _presence(study: Study, scope: Scope, unit: str, across_coders: bool) -> Cooccurrence:
    """Codes present together in documents, participants or cases, from the coding tally
    (codes × documents × coders rows, whatever the number of codings), counted by
    :func:`_held`; the documents the unit frame leaves out (uncoded, in no case) are named
    in the notes."""
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
    index = np.searchsorted(ids, code)
    coder_ids, coder_rank = np.unique(coder, return_inverse=True)
    several = not across_coders and len(coder_ids) > 1
    square = _held(units, coder_rank if several else None, index, len(keys), len(coder_ids) if several else 1, len(ids))
    _fill(result, ids, square)
    return result
