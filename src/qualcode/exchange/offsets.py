"""Positions in another tool's raw text mapped onto qualcode's normalised text.

A REFI-QDA selection counts code points in the source text as the other tool stored it;
qualcode stores :func:`qualcode.ingest.normalise_text` of that text (``\\r\\n`` → ``\\n``,
controls dropped, NFC, trailing whitespace cut). Every raw position is mapped to a
normalised one. A position that falls *inside* something normalisation merged (between
``\\r`` and ``\\n``, between ``e`` and its combining accent) rounds outward: a start to
the beginning of the merged piece, an end to its end, so a selection never loses the
characters it began or ended in.
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher

from qualcode.ingest import normalise_text
from qualcode.ingest.encoding import _TRANSLATE  # the same table normalise_text applies


class OffsetMap:
    """Maps positions ``0..len(raw)`` of a raw text to positions in its normalised text."""

    def __init__(self, raw: str) -> None:
        self.raw_length = len(raw)
        self.normalised = normalise_text(raw)
        self._floor: list[int] | None = None
        self._ceil: list[int] | None = None
        if raw[: len(self.normalised)] == self.normalised:
            return  # identical up to trailing whitespace: positions are the same
        built = _build(raw)
        if built is None:
            built = _align(raw, self.normalised)
        self._floor, self._ceil = built

    def start(self, position: int) -> int:
        """Where a selection starting at raw ``position`` starts in the normalised text."""
        self._check(position)
        found = position if self._floor is None else self._floor[position]
        return min(found, len(self.normalised))

    def end(self, position: int) -> int:
        """Where a selection ending at raw ``position`` ends in the normalised text."""
        self._check(position)
        found = position if self._ceil is None else self._ceil[position]
        return min(found, len(self.normalised))

    def _check(self, position: int) -> None:
        if not 0 <= position <= self.raw_length:
            raise IndexError(position)


def _build(raw: str) -> tuple[list[int], list[int]] | None:
    """Floor and ceiling maps built step by step as normalise_text works; None when the
    result does not equal normalise_text (its rules changed), so the caller aligns instead."""
    stage, floor1, ceil1 = _line_ends_and_controls(raw)
    floor2, ceil2 = _nfc(stage)
    if floor2 is None:
        composed = stage
        floor, ceil = floor1, ceil1
    else:
        assert ceil2 is not None
        composed = unicodedata.normalize("NFC", stage)
        floor = [floor2[p] for p in floor1]
        ceil = [ceil2[p] for p in ceil1]
    if composed.rstrip() != normalise_text(raw):
        return None
    return floor, ceil


def _line_ends_and_controls(raw: str) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    floor = [0] * (len(raw) + 1)
    ceil = [0] * (len(raw) + 1)
    i, j, n = 0, 0, len(raw)
    while i < n:
        floor[i] = ceil[i] = j
        if raw[i] == "\r" and i + 1 < n and raw[i + 1] == "\n":
            floor[i + 1], ceil[i + 1] = j, j + 1
            out.append("\n")
            j += 1
            i += 2
            continue
        mapped = _TRANSLATE.get(ord(raw[i]), raw[i])
        if mapped is not None:
            out.append(mapped)
            j += 1
        i += 1
    floor[n] = ceil[n] = j
    return "".join(out), floor, ceil


def _nfc(text: str) -> tuple[list[int] | None, list[int] | None]:
    """Maps over NFC composition, clustering each base character with the marks after it."""
    if unicodedata.is_normalized("NFC", text):
        return None, None
    floor = [0] * (len(text) + 1)
    ceil = [0] * (len(text) + 1)
    i, j, n = 0, 0, len(text)
    while i < n:
        k = i + 1
        while k < n and unicodedata.combining(text[k]):
            k += 1
        cluster = text[i:k]
        composed = unicodedata.normalize("NFC", cluster)
        if composed == cluster:
            for step in range(len(cluster)):
                floor[i + step] = ceil[i + step] = j + step
            j += len(cluster)
        else:
            floor[i] = ceil[i] = j
            for inside in range(i + 1, k):
                floor[inside], ceil[inside] = j, j + len(composed)
            j += len(composed)
        i = k
    floor[n] = ceil[n] = j
    return floor, ceil


def _align(raw: str, normalised: str) -> tuple[list[int], list[int]]:
    """A general fallback: align the two texts and map through the matching blocks."""
    floor = [0] * (len(raw) + 1)
    ceil = [0] * (len(raw) + 1)
    matcher = SequenceMatcher(None, raw, normalised, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        for p in range(a0, a1):
            if tag == "equal":
                floor[p] = ceil[p] = b0 + (p - a0)
            else:
                floor[p], ceil[p] = b0, b1 if p > a0 else b0
    floor[len(raw)] = ceil[len(raw)] = len(normalised)
    return floor, ceil
