"""Sentence boundaries by rule, in the way spaCy's sentencizer draws them, without spaCy.

spaCy's ``sentencizer`` ends a sentence after a token that is sentence-final punctuation
(``.``, ``!``, ``?`` and their counterparts in other scripts) and starts the next one at the
next token that is not punctuation; its Dutch tokenizer keeps abbreviations such as ``bijv.``
or ``o.a.`` and initials such as ``J.`` whole, so they end nothing. This module does the same
on whitespace-separated chunks, with the Dutch abbreviations a transcript uses. It is what
the importer segments with: importing spaCy costs ~0.8 s and its pipeline ~0.3 s more, which
made importing a single transcript take over a second, and feeding spaCy one line at a time
cost more than the rest of the import together.

Two deliberate differences from spaCy, both for transcripts: a bracketed or quoted aside
after a full stop (``[lacht]``, ``"Echt?"``) opens the next sentence instead of trailing
the previous one by its first character, and an ellipsis (``...``, ``…``) ends nothing, as
it marks a speaker trailing off. ``benchmarks/import_bench.py --compare-spacy`` measures the
agreement with spaCy's boundaries on a corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TypeVar

# From the first full stop, "!", "?" or "…" of a chunk of non-space characters to the
# chunk's end; and (matched in the reversed text) the rest of the chunk before that mark.
_MARK_TO_CHUNK_END = re.compile(r"[.!?…]\S*+")
_CHUNK_HEAD = re.compile(r"[^\s.!?…]*+")
_NONSPACE = re.compile(r"\S")
_T = TypeVar("_T")
# Punctuation that may follow the word a sentence ends on: `zei."`, `(ja!)`, `echt?”`.
_TRAILING = ".!?…\"'”’»)]}:;,*"
_FINAL = frozenset(".!?")
# Abbreviations of spoken and written Dutch that end in a full stop but end no sentence
# (lower case, with their internal dots). Initials (one letter and a dot) are handled apart.
ABBREVIATIONS = frozenset(
    [
        "a.u.b",
        "aug",
        "bijv",
        "blz",
        "bv",
        "bvb",
        "ca",
        "d.d",
        "d.i",
        "d.m.v",
        "d.w.z",
        "dec",
        "dhr",
        "dir",
        "dr",
        "drs",
        "e.a",
        "e.d",
        "e.e.a",
        "e.v",
        "enz",
        "etc",
        "evt",
        "feb",
        "i.c",
        "i.e",
        "i.h.a",
        "i.o",
        "i.p.v",
        "i.s.m",
        "i.v.m",
        "incl",
        "ing",
        "ir",
        "jhr",
        "jl",
        "jr",
        "kand",
        "m.a.w",
        "m.b.t",
        "m.b.v",
        "m.i",
        "m.i.v",
        "m.n",
        "mevr",
        "mej",
        "mr",
        "mrt",
        "mw",
        "n.a.v",
        "n.b",
        "nl",
        "nov",
        "nr",
        "o.a",
        "o.b.v",
        "o.i.d",
        "o.l.v",
        "o.m",
        "okt",
        "p.p",
        "prof",
        "resp",
        "sept",
        "st",
        "t.a.v",
        "t.b.v",
        "t.o.v",
        "t/m",
        "tel",
        "v.a",
        "v.d",
        "vgl",
        "vnl",
        "vs",
        "w.o",
        "z.g",
        "z.s.m",
        "zgn",
    ]
)


def split(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in ``text[start:end]``, as offsets into ``text``;
    whitespace between sentences belongs to none, and line breaks are ordinary spaces."""
    piece = text[start:end]
    return [(start + begin, start + finish) for _, begin, finish in split_blocks(piece, [(0, len(piece), None)])]


def split_blocks(text: str, blocks: Iterable[tuple[int, int, _T]]) -> list[tuple[_T, int, int]]:
    """``(tag, start, end)`` of each sentence of each block ``(start, end, tag)`` of ``text``.

    A sentence may end only at a chunk of non-space characters holding a full stop, ``!``,
    ``?`` or ``…`` (one in about fifteen words): the scan jumps from one such mark to the
    next in C, reads the chunk around it (its start found by matching backwards in the
    reversed text), and the verdict on each distinct chunk is remembered, so the work per
    word is a regular expression's, not Python's.
    """
    rev = text[::-1]
    size = len(text)
    marks = _MARK_TO_CHUNK_END.finditer
    head = _CHUNK_HEAD.match
    nonspace = _NONSPACE.search
    ends = _ends_sentence
    out: list[tuple[_T, int, int]] = []
    add = out.append
    for start, end, tag in blocks:
        cursor = start
        for mark in marks(text, start, end):
            at, stop = mark.span()
            if ends(text[size - head(rev, size - at, size - start).end() : stop]):  # type: ignore[union-attr]
                add((tag, nonspace(text, cursor, end).start(), stop))  # type: ignore[union-attr]  # the chunk is not space
                cursor = stop
        first = nonspace(text, cursor, end)
        if first is not None:
            add((tag, first.start(), cursor + len(text[cursor:end].rstrip())))
    return out


@lru_cache(maxsize=1 << 16)
def _ends_sentence(word: str) -> bool:
    core = word.rstrip(_TRAILING)
    tail = word[len(core) :]
    if not any(c in _FINAL for c in tail):
        return False
    if "!" in tail or "?" in tail:
        return True
    # Only full stops: an ellipsis, an abbreviation or an initial ends nothing.
    dots = tail.count(".") + tail.count("…")
    if dots > 1 or "…" in tail:
        return False
    if not core:
        return True  # a stand-alone "." (spoken transcripts put them after a pause)
    bare = core.lstrip("\"'“‘«([{*").lower()
    if bare in ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()):
        return False
    # Initials and short abbreviations spelled with dots ("a.s.", "J.P.") end nothing either.
    return not ("." in bare and all(len(part) <= 2 and part.isalpha() for part in bare.split(".")))
