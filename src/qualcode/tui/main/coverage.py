"""Which codings cover which characters of a document, for painting highlights fast.

The transcript view asks, for every visible line, which codings cover each piece of it, and
coding must stay under a frame even with 20,000 codings in one transcript. So the codings are
kept sorted by start, and a query for ``[start, end)`` looks only at codings that start
within ``max_length`` before it (one binary search); the few very long codings (a whole turn
or more) sit in a short separate list that is scanned. Adding or removing a coding is an
insertion into a sorted list, not a rebuild.

A long transcript opens with only the codings around the passage it shows (a *window*: one
indexed read of a few hundred rows) and reads the rest after the first frame; until then any
question the window cannot answer reads the rest first, so the answers are always complete.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import chain, compress
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


SpanRow = tuple[int, int, int, int, int]
"""A coding as read from the study, Span's fields in order: ``(start, end, coding_id,
code_id, coder_id)``. Coverage keeps these plain tuples and makes a :class:`Span` only of
what it hands out: opening a transcript with 20,000 codings then makes none but the few
on screen (a Span each was a fifth of the opening)."""

_START, _END = itemgetter(0), itemgetter(1)
_as_span: Callable[[SpanRow], Span] = partial(tuple.__new__, Span)  # type: ignore[assignment]


def _outer_first(span: SpanRow) -> tuple[int, int, int]:
    return (span[0], -span[1], span[2])


class Coverage:
    """A document's codings, indexed for "which codings touch this range"."""

    def __init__(
        self,
        spans: Sequence[SpanRow] = (),
        *,
        window: tuple[int, int] | None = None,
        rest: Callable[[], Sequence[SpanRow]] | None = None,
    ) -> None:
        """``spans`` are every coding of the document, or, with ``window`` and ``rest``, only
        those that touch ``window`` (``[lo, hi)``): enough to paint the lines in it and to
        answer queries inside it. Anything else (a query outside it, counting, iterating,
        adding, removing) first reads every coding with ``rest`` (see :meth:`complete`)."""
        self._build(spans)
        self._window = window if rest is not None else None
        self._rest = rest

    def _build(self, spans: Sequence[SpanRow]) -> None:
        # Built on every opening of a document (20,000 codings in a long transcript), so in
        # C-level passes (sort, map) rather than one Python step per coding and field.
        ordered = sorted(spans)
        lengths = list(map(sub, map(_END, ordered), map(_START, ordered)))
        if max(lengths, default=0) <= LONG:  # the usual case: no coding of a whole turn
            self._short: list[SpanRow] = ordered
            self._long: list[SpanRow] = []
        else:
            self._short = list(compress(ordered, (n <= LONG for n in lengths)))
            self._long = list(compress(ordered, (n > LONG for n in lengths)))
        self._starts = list(map(_START, self._short))
        self._reach = max((n for n in lengths if n <= LONG), default=0)

    @property
    def is_complete(self) -> bool:
        """Whether every coding of the document is here (not only a window's)."""
        return self._rest is None

    def complete(self) -> None:
        """Read every coding, when only a window's are here (a transcript opened with the
        codings on its first screen, the rest read after the first frame)."""
        rest, self._rest, self._window = self._rest, None, None
        if rest is not None:
            self._build(rest())

    @property
    def spans(self) -> list[Span]:
        self.complete()
        return list(map(_as_span, sorted(self._short + self._long)))

    def __len__(self) -> int:
        self.complete()
        return len(self._short) + len(self._long)

    def __iter__(self) -> Iterator[Span]:
        """The spans in no particular order (cheaper than :attr:`spans`)."""
        self.complete()
        yield from map(_as_span, self._short)
        yield from map(_as_span, self._long)

    def with_ids(self, coding_ids: set[int] | frozenset[int]) -> list[Span]:
        """The spans of these codings (a scan of the plain rows: cheaper than iterating)."""
        self.complete()
        return [_as_span(s) for s in chain(self._short, self._long) if s[2] in coding_ids]

    def has(self, coding_id: int) -> bool:
        self.complete()
        return any(s[2] == coding_id for s in chain(self._short, self._long))

    def add(self, span: Span) -> None:
        if self._rest is not None:  # the study already has it: reading the rest brings it
            self.complete()
            if self.has(span.coding_id):
                return
        if span.end - span.start > LONG:
            self._long.append(span)
            return
        index = bisect_left(self._short, span)
        self._short.insert(index, span)
        self._starts.insert(index, span.start)
        self._reach = max(self._reach, span.end - span.start)

    def remove(self, coding_id: int) -> Span | None:
        if self._rest is not None:  # the study may have removed it already: then the rest lacks it
            shown = next((s for s in chain(self._short, self._long) if s[2] == coding_id), None)
            self.complete()
            if shown is not None and not self.has(coding_id):
                return _as_span(shown)
        for spans in (self._short, self._long):
            for index, span in enumerate(spans):
                if span[2] == coding_id:
                    del spans[index]
                    if spans is self._short:
                        del self._starts[index]
                    return _as_span(span)
        return None

    def overlapping(self, start: int, end: int) -> list[Span]:
        """Codings that touch ``[start, end)``, outermost first."""
        window = self._window
        if window is not None and not (window[0] <= start and end <= window[1]):
            self.complete()
        lo = bisect_left(self._starts, start - self._reach)
        hi = bisect_left(self._starts, end)
        found = [s for s in self._short[lo:hi] if s[1] > start]
        found.extend(s for s in self._long if s[0] < end and s[1] > start)
        found.sort(key=_outer_first)
        return list(map(_as_span, found))

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
