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

_CANDIDATE = re.compile(r"\S*[.!?…]\S*")
_NONSPACE = re.compile(r"\S")
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


def split(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in ``text``; whitespace between sentences belongs to
    none, and line breaks inside ``text`` are ordinary spaces.

    Only chunks with a full stop, ``!``, ``?`` or ``…`` in them are looked at (one in about
    fifteen), so the work per word is a regular expression's, not Python's.
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for candidate in _CANDIDATE.finditer(text):
        if _ends_sentence(candidate.group()):
            first = _NONSPACE.search(text, cursor)
            assert first is not None  # the candidate itself is not space
            spans.append((first.start(), candidate.end()))
            cursor = candidate.end()
    rest = text[cursor:]
    if rest.strip():
        spans.append((cursor + len(rest) - len(rest.lstrip()), cursor + len(rest.rstrip())))
    return spans


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
