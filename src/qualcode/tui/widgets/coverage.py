"""Which codings cover which characters of a document, for painting highlights fast.

The transcript view asks, for every visible line, which codings cover each piece of it.
Scanning all codings per line would make painting cost grow with the number of codings, so
the codings are swept once into *segments*: maximal runs of text covered by the same set of
codings. A line then costs one binary search plus the segments inside it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A coding as the view needs it: which code, where."""

    coding_id: int
    code_id: int
    start: int
    end: int


class Coverage:
    """Codings of one document swept into segments of constant coverage."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = list(spans)
        events: list[tuple[int, int, int]] = []  # (offset, 0=end/1=start, index)
        for index, span in enumerate(self.spans):
            events.append((span.start, 1, index))
            events.append((span.end, 0, index))
        events.sort()
        self.bounds: list[int] = []
        self.active: list[tuple[Span, ...]] = []
        current: dict[int, Span] = {}
        i = 0
        while i < len(events):
            offset = events[i][0]
            while i < len(events) and events[i][0] == offset:
                _, kind, index = events[i]
                if kind:
                    current[index] = self.spans[index]
                else:
                    current.pop(index, None)
                i += 1
            # Outer (earlier, longer) codings first, so the innermost one is last.
            ordered = tuple(sorted(current.values(), key=lambda s: (s.start, -s.end, s.coding_id)))
            self.bounds.append(offset)
            self.active.append(ordered)

    def at(self, offset: int) -> tuple[Span, ...]:
        """The codings covering the character at ``offset``."""
        index = bisect_right(self.bounds, offset) - 1
        return self.active[index] if index >= 0 else ()

    def segments(self, start: int, end: int) -> Iterator[tuple[int, int, tuple[Span, ...]]]:
        """``(from, to, codings)`` pieces of ``[start, end)``, each with constant coverage."""
        if start >= end:
            return
        index = bisect_right(self.bounds, start) - 1
        position = start
        while position < end:
            active = self.active[index] if index >= 0 else ()
            next_bound = self.bounds[index + 1] if index + 1 < len(self.bounds) else end
            stop = min(end, next_bound)
            if stop > position:
                yield position, stop, active
            position = max(position, stop)
            index += 1
            if index >= len(self.bounds) and position < end:
                yield position, end, ()
                return

    def overlapping(self, start: int, end: int) -> list[Span]:
        """Codings that touch ``[start, end)``, outermost first, each once."""
        seen: dict[int, Span] = {}
        for _, _, active in self.segments(start, end):
            for span in active:
                seen.setdefault(span.coding_id, span)
        return list(seen.values())
