"""Which codings cover which characters of a document, for painting highlights fast.

The transcript view asks, for every visible line, which codings cover each piece of it, and
coding must stay under a frame even with 20,000 codings in one transcript. So the codings are
kept sorted by start, and a query for ``[start, end)`` looks only at codings that start
within ``max_length`` before it (one binary search); the few very long codings (a whole turn
or more) sit in a short separate list that is scanned. Adding or removing a coding is an
insertion into a sorted list, not a rebuild.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import compress
from operator import itemgetter, sub
from typing import NamedTuple

LONG = 2_000  # codings longer than this many characters go in the scanned list


class Span(NamedTuple):
    """A coding as the view needs it: where, which code, which coder. A tuple, because a
    transcript may hold 20,000 of them and tuples are quick to make and to sort."""

    start: int
    end: int
    coding_id: int
    code_id: int
    coder_id: int = 0


_START, _END = itemgetter(0), itemgetter(1)


def _outer_first(span: Span) -> tuple[int, int, int]:
    return (span.start, -span.end, span.coding_id)


class Coverage:
    """A document's codings, indexed for "which codings touch this range"."""

    def __init__(self, spans: Sequence[Span] = ()) -> None:
        # Built on every opening of a document (20,000 codings in a long transcript), so in
        # C-level passes (sort, map) rather than one Python step per coding and field.
        ordered = sorted(spans)
        lengths = list(map(sub, map(_END, ordered), map(_START, ordered)))
        if max(lengths, default=0) <= LONG:  # the usual case: no coding of a whole turn
            self._short: list[Span] = ordered
            self._long: list[Span] = []
        else:
            self._short = list(compress(ordered, (n <= LONG for n in lengths)))
            self._long = list(compress(ordered, (n > LONG for n in lengths)))
        self._starts = list(map(_START, self._short))
        self._reach = max((n for n in lengths if n <= LONG), default=0)

    @property
    def spans(self) -> list[Span]:
        return sorted(self._short + self._long)

    def __len__(self) -> int:
        return len(self._short) + len(self._long)

    def __iter__(self) -> Iterator[Span]:
        """The spans in no particular order (cheaper than :attr:`spans`)."""
        yield from self._short
        yield from self._long

    def has(self, coding_id: int) -> bool:
        return any(s.coding_id == coding_id for s in self)

    def add(self, span: Span) -> None:
        if span.end - span.start > LONG:
            self._long.append(span)
            return
        index = bisect_left(self._short, span)
        self._short.insert(index, span)
        self._starts.insert(index, span.start)
        self._reach = max(self._reach, span.end - span.start)

    def remove(self, coding_id: int) -> Span | None:
        for spans in (self._short, self._long):
            for index, span in enumerate(spans):
                if span.coding_id == coding_id:
                    del spans[index]
                    if spans is self._short:
                        del self._starts[index]
                    return span
        return None

    def overlapping(self, start: int, end: int) -> list[Span]:
        """Codings that touch ``[start, end)``, outermost first."""
        lo = bisect_left(self._starts, start - self._reach)
        hi = bisect_left(self._starts, end)
        found = [s for s in self._short[lo:hi] if s.end > start]
        found.extend(s for s in self._long if s.start < end and s.end > start)
        found.sort(key=_outer_first)
        return found

    def at(self, offset: int) -> list[Span]:
        """The codings covering the character at ``offset``."""
        return self.overlapping(offset, offset + 1)

    def segments(self, start: int, end: int) -> Iterator[tuple[int, int, tuple[Span, ...]]]:
        """``(from, to, codings)`` pieces of ``[start, end)``, each with constant coverage,
        the innermost coding last."""
        if start >= end:
            return
        touching = self.overlapping(start, end)
        if not touching:
            yield start, end, ()
            return
        points = {start, end}
        for span in touching:
            if start < span.start < end:
                points.add(span.start)
            if start < span.end < end:
                points.add(span.end)
        ordered = sorted(points)
        for a, b in zip(ordered, ordered[1:]):
            yield a, b, tuple(s for s in touching if s.start <= a and s.end > a)
