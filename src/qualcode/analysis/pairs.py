"""Overlapping codings counted per pair of codes, group by group (a document, or one
coder's codings of a document).

The codings come sorted by (group, start), each with its *run*: how many codings after it in
its group start before it ends, which are exactly the codings it overlaps to the right. So
every overlapping pair is seen once, as (i, j) with i before j, and the pairs of a chunk of
whole groups are materialised with ``repeat`` and counted with ``bincount``: per group and
pair of codes a < b, the pairs of overlapping codings (one of each code) and the codings of
each code that overlap some coding of the other. Two codings of the same code are no pair.

Both the co-occurrence of the codings in a scope (:mod:`qualcode.analysis.cooccurrence`)
and the per-document counts kept up to date as codings change (:mod:`qualcode.analysis.
derived`) are sums of these rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qualcode.analysis.spans import SHIFT

PAIR_CHUNK = 1 << 20  # pairs materialised at a time (8 MB int64 arrays)
FLAG_CHUNK = 1 << 20  # coding × code flags at a time (bytes)
BIN_CHUNK = 1 << 21  # group × code × code counters at a time (int64: 16 MB)


@dataclass
class GroupPairs:
    """Per (group, a, b), a < b dense code numbers, with at least one overlapping pair."""

    group: np.ndarray
    a: np.ndarray
    b: np.ndarray
    pairs: np.ndarray  # pairs of overlapping codings, one of a and one of b
    meets_ab: np.ndarray  # codings of a that overlap some coding of b
    meets_ba: np.ndarray  # codings of b that overlap some coding of a

    def __len__(self) -> int:
        return len(self.group)


def runs(group: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Each coding's run (codings sorted by group and start; ``group`` a non-negative
    rank): how many codings after it in its group start before it ends."""
    key = group.astype(np.int64) * SHIFT + start
    return np.searchsorted(key, group.astype(np.int64) * SHIFT + end, side="left") - np.arange(1, len(key) + 1)


def group_pairs(group: np.ndarray, code: np.ndarray, run: np.ndarray, k: int, *, merged: bool = False) -> GroupPairs:
    """The overlapping pairs of codings sorted by (group, start): ``group`` a non-decreasing
    rank from 0, ``code`` dense numbers below ``k``, ``run`` as :func:`runs` gives it.
    ``merged``: every group's counts summed into group 0 (the groups still bound the runs
    and the chunks), which is all a scope's co-occurrence needs."""
    group, code, run = (np.asarray(x, dtype=np.int64) for x in (group, code, run))
    parts: list[GroupPairs] = []
    for lo, hi in _chunks(group, run, k, merged):
        local = np.zeros(hi - lo, dtype=np.int64) if merged else group[lo:hi] - group[lo]
        part = _chunk(local, code[lo:hi], run[lo:hi], k)
        if not merged:
            part.group += group[lo]
        parts.append(part)
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return GroupPairs(empty, empty, empty, empty, empty, empty)
    return GroupPairs(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))


_FIELDS = ("group", "a", "b", "pairs", "meets_ab", "meets_ba")


def _chunks(group: np.ndarray, run: np.ndarray, k: int, merged: bool) -> list[tuple[int, int]]:
    """Row ranges of whole groups holding about ``PAIR_CHUNK`` pairs, ``FLAG_CHUNK`` coding ×
    code flags and ``BIN_CHUNK`` counters each (``merged``: one k × k for all), at least one
    group per chunk: memory stays bounded however large the study."""
    n = len(group)
    if n == 0:
        return []
    bounds = np.concatenate([[0], np.flatnonzero(group[1:] != group[:-1]) + 1, [n]])
    pairs_before = np.concatenate([[0], np.cumsum(run)])[bounds]
    most_groups = n if merged else max(BIN_CHUNK // (k * k), 1)  # merged: k × k counters in all
    chunks = []
    at = 0  # index into bounds
    while bounds[at] < n:
        by_pairs = int(np.searchsorted(pairs_before, pairs_before[at] + PAIR_CHUNK, side="right")) - 1
        by_rows = int(np.searchsorted(bounds, bounds[at] + max(FLAG_CHUNK // k, 1), side="right")) - 1
        nxt = max(min(by_pairs, by_rows, at + most_groups), at + 1)
        chunks.append((int(bounds[at]), int(bounds[nxt])))
        at = nxt
    return chunks


def _chunk(group: np.ndarray, code: np.ndarray, run: np.ndarray, k: int) -> GroupPairs:
    rows = len(code)
    total = int(run.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return GroupPairs(empty, empty, empty, empty, empty, empty)
    first = np.repeat(np.arange(rows, dtype=np.int64), run)
    # the partner of each pair: i + 1 + its place in i's run
    second = np.repeat(np.arange(1, rows + 1) - (np.cumsum(run) - run), run)
    second += np.arange(total, dtype=np.int64)
    groups = int(group[-1]) + 1
    square = k * k
    if groups * square > BIN_CHUNK:  # a codebook of thousands of codes in one group
        return _sparse(group, code, first, second, k)
    first_code, second_code = code[first], code[second]
    # pairs per (group, code of the earlier coding, code of the later one), then folded:
    # (a, b) and (b, a) are the same pair of codes
    key = first_code * k if groups == 1 else (group * square + code * k)[first]
    key += second_code
    ordered = np.bincount(key, minlength=groups * square).reshape(groups, k, k)
    del key
    both = ordered + ordered.transpose(0, 2, 1)
    # meets[i, b]: coding i overlaps some coding of code b (one flag however many pairs).
    # The flags of one run land close together (rows stay in text order); the rows are then
    # gathered by (group, code) and each block summed: codings of code a meeting code b.
    flags = np.zeros(rows * k, dtype=np.uint8)
    first *= k
    first += second_code
    flags[first] = 1
    second *= k
    second += first_code
    flags[second] = 1
    block = group * k + code
    # a stable sort of 16-bit keys is a radix sort: several times faster than of int64
    order = np.argsort(block.astype(np.int16) if groups * k < 1 << 15 else block, kind="stable")
    block = block[order]
    starts = np.concatenate([[0], np.flatnonzero(block[1:] != block[:-1]) + 1])
    narrow = np.uint16 if rows < 1 << 16 else np.int64  # a block's sums fit
    grid = np.take(flags.reshape(rows, k), order, axis=0)
    summed = np.add.reduceat(grid, starts, axis=0, dtype=narrow)
    meets = np.zeros((groups * k, k), dtype=np.int64)
    meets[block[starts]] = summed
    found = np.flatnonzero(np.triu(both, 1))  # a < b: each pair of codes once
    g, rest = np.divmod(found, square)
    a, b = np.divmod(rest, k)
    flat = meets.reshape(-1)
    return GroupPairs(g, a, b, both.reshape(-1)[found], flat[found], flat[g * square + b * k + a])


def _sparse(group: np.ndarray, code: np.ndarray, first: np.ndarray, second: np.ndarray, k: int) -> GroupPairs:
    """The same counts by sorting the pairs' keys, when a counter per (group, code, code)
    would not fit in memory."""
    empty = np.zeros(0, dtype=np.int64)
    first_code, second_code = code[first], code[second]
    differ = first_code != second_code
    first, second, first_code, second_code = first[differ], second[differ], first_code[differ], second_code[differ]
    if len(first) == 0:
        return GroupPairs(empty, empty, empty, empty, empty, empty)
    square = k * k
    pair_keys, pair_counts = np.unique(
        group[first] * square + np.minimum(first_code, second_code) * k + np.maximum(first_code, second_code),
        return_counts=True,
    )
    # the codes each coding meets: one (coding, code) however many pairs
    met = np.unique(np.concatenate([first * k + second_code, second * k + first_code]))
    coding, other = np.divmod(met, k)
    meet_keys, meet_counts = np.unique(group[coding] * square + code[coding] * k + other, return_counts=True)
    g, rest = np.divmod(pair_keys, square)
    a, b = np.divmod(rest, k)
    # every pair's two (code, other code) keys are among the meetings: looked up by position
    ab = meet_counts[np.searchsorted(meet_keys, pair_keys)]
    ba = meet_counts[np.searchsorted(meet_keys, g * square + b * k + a)]
    return GroupPairs(g, a, b, pair_counts.astype(np.int64), ab.astype(np.int64), ba.astype(np.int64))
