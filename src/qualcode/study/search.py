"""Search with semantics a researcher can predict (README, "Search").

A query is one or more *alternatives* separated by ``OR`` (in capitals). Each alternative
is a list of terms: ``word``, ``prefix*`` or ``"a phrase"``. All terms of an alternative
must occur in the same sentence — not merely somewhere in the document, which is what made
"huisbezoek vertrouwen" a list of unrelated words. A hit is exact: for a one-term
alternative every occurrence is a hit; for several terms the hit runs from the first to the
last of their occurrences in that sentence, so "code all" codes exactly that stretch (the
search screen widens to the sentence only when asked).

Case and accents are ignored ("een" finds "één"), as the full-text index does; the text is
folded character by character so offsets in the folded text are offsets in the original.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.core.errors import QualcodeError


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded, lower case
    prefix: bool

    def fts(self) -> str:
        return '"' + " ".join(self.words).replace('"', '""') + '"' + ("*" if self.prefix else "")

    def regex(self) -> str:
        body = r"\W+".join(re.escape(w) for w in self.words)
        return rf"(?<!\w){body}\w*" if self.prefix else rf"(?<!\w){body}(?!\w)"


class _Fold(dict[int, str]):
    """str.translate table mapping each character to one lower-case character without its
    accent; filled on first sight of a character, so folding keeps every offset."""

    def __missing__(self, key: int) -> str:
        char = chr(key)
        base = unicodedata.normalize("NFD", char)[0].lower()
        folded = base if len(base) == 1 else char
        self[key] = folded
        return folded


_FOLD = _Fold()


def fold(text: str) -> str:
    return text.translate(_FOLD)


def parse(query: str) -> list[list[Term]]:
    """The alternatives of a query; an error for a query without a word in it."""
    alternatives: list[list[Term]] = [[]]
    for phrase, word in re.findall(r'"([^"]*)"?|(\S+)', query):
        if not phrase and word == "OR":
            alternatives.append([])
            continue
        raw = phrase if phrase else word
        prefix = raw.strip().endswith("*")
        words = tuple(w for w in re.split(r"\W+", fold(raw)) if w)
        if words:
            alternatives[-1].append(Term(words, prefix))
    alternatives = [a for a in alternatives if a]
    if not alternatives:
        raise QualcodeError("search for at least one word")
    return alternatives


def fts_query(alternatives: list[list[Term]]) -> str:
    """The full-text query that finds every document that can hold a hit (a superset: the
    index knows documents, not sentences)."""
    return " OR ".join("(" + " AND ".join(t.fts() for t in alt) + ")" for alt in alternatives)


def find_spans(
    text: str, sentences: Sequence[tuple[int, int]], alternatives: list[list[Term]]
) -> list[tuple[int, int]]:
    """The hits in one text, in text order, as (start, end); ``sentences`` sorted by start.
    A text without sentence units counts as one sentence."""
    folded = fold(text)
    units = list(sentences) or [(0, len(text))]
    starts = [s for s, _ in units]

    def unit_of(start: int, end: int) -> int | None:
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and end <= units[i][1]:
            return i
        return None

    spans: set[tuple[int, int]] = set()
    for alt in alternatives:
        per_term: list[dict[int, list[tuple[int, int]]]] = []
        for term in alt:
            found: dict[int, list[tuple[int, int]]] = {}
            for m in re.finditer(term.regex(), folded):
                unit = unit_of(m.start(), m.end())
                if unit is not None:
                    found.setdefault(unit, []).append((m.start(), m.end()))
            per_term.append(found)
        if len(alt) == 1:
            spans.update(s for occ in per_term[0].values() for s in occ)
            continue
        for unit in set.intersection(*(set(f) for f in per_term)):
            occ = [s for f in per_term for s in f[unit]]
            spans.add((min(s for s, _ in occ), max(e for _, e in occ)))
    return _merge(sorted(spans))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping hits (one alternative's inside another's) become one, so nothing is
    listed or coded twice."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
