"""Replacing spans of a text and carrying offsets from the old text to the new one.

A pseudonymised copy is only worth sharing if every coding still covers the same words. The
text changes length wherever a name becomes a placeholder, so each offset stored against a
document (codings, turns, sentences, anything with ``start``/``end``) is moved by the
replacements before it. A boundary that falls *inside* a replaced entity cannot be kept (the
entity is gone); it snaps outward to the placeholder's edge, so a coding that began at "yce"
of "Joyce" begins at "[Persoon-1]" and never loses the words around it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Replacement:
    """``text[start:end]`` becomes ``new``."""

    start: int
    end: int
    new: str


class OffsetMap:
    """Maps offsets of the old text to the new text built by :func:`apply`."""

    def __init__(self, replacements: Sequence[Replacement]) -> None:
        self._old_starts: list[int] = []
        self._old_ends: list[int] = []
        self._new_starts: list[int] = []
        self._new_ends: list[int] = []
        shift = 0
        for r in replacements:
            self._old_starts.append(r.start)
            self._old_ends.append(r.end)
            self._new_starts.append(r.start + shift)
            shift += len(r.new) - (r.end - r.start)
            self._new_ends.append(r.end + shift)

    def _locate(self, pos: int) -> int:
        return bisect_right(self._old_starts, pos) - 1

    def start(self, pos: int) -> int:
        """``pos`` as the start of a span: inside an entity it snaps to the placeholder's start."""
        k = self._locate(pos)
        if k < 0:
            return pos
        if pos < self._old_ends[k]:
            return self._new_starts[k]
        return pos - self._old_ends[k] + self._new_ends[k]

    def end(self, pos: int) -> int:
        """``pos`` as the end of a span: inside an entity it snaps to the placeholder's end."""
        k = self._locate(pos)
        if k < 0:
            return pos
        if pos == self._old_starts[k]:
            return self._new_starts[k]
        if pos < self._old_ends[k]:
            return self._new_ends[k]
        return pos - self._old_ends[k] + self._new_ends[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), self.end(end)

    def is_snapped(self, start: int, end: int) -> bool:
        """Whether a span had a boundary strictly inside a replaced entity (it grows)."""
        for pos in (start, end):
            k = self._locate(pos)
            if k >= 0 and self._old_starts[k] < pos < self._old_ends[k]:
                return True
        return False


def apply(text: str, replacements: Sequence[Replacement]) -> tuple[str, OffsetMap]:
    """The text with the (sorted, non-overlapping) replacements made, and its offset map."""
    ordered = sorted(replacements, key=lambda r: r.start)
    parts: list[str] = []
    cursor = 0
    for r in ordered:
        if r.start < cursor or r.end <= r.start:
            raise ValueError(f"replacements overlap or are empty at {r.start}")
        parts.append(text[cursor : r.start])
        parts.append(r.new)
        cursor = r.end
    parts.append(text[cursor:])
    return "".join(parts), OffsetMap(ordered)
