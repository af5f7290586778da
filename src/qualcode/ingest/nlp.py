"""Sentence segmentation, tokens, lemmas and word counts, offline.

Sentences are drawn by rule (:mod:`qualcode.ingest.sentences`, the boundaries of spaCy's
``sentencizer`` without loading spaCy) inside blocks of a turn: a line break within a turn is
a wrapped line, not a boundary, unless a blank line or a timestamp opens the next line. Lemmas
come from the lookup table of ``spacy-lookups-data`` that spaCy's own lookup lemmatizer uses
(lower-cased word → lemma), searched in the package's data file as it stands (see
:class:`_Lemmas`). spaCy itself (``spacy.blank(lang)``, about 0.8 s to import) is loaded only
for its stop-word lists, inside the functions that need them.

Import speed (issue 17): :func:`analyse` segments, lemmatises and counts the words of a
transcript with a handful of C-level passes over its text and a few Python steps per sentence,
never per word or per line; ``tests/test_import_equivalence.py`` recomputes all of it the
plain way and ``benchmarks/import_bench.py`` measures it against spaCy's sentencizer.
"""

from __future__ import annotations

import gzip
import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from qualcode.ingest.language import CharTable

if TYPE_CHECKING:
    from spacy.language import Language

SUPPORTED_LANGUAGES = ("nl", "en")
# A block ends at a blank line, or where the next line opens with a timestamp ("[00:12:03]").
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*[\[(]?\d{1,2}:\d\d(?::\d\d)?[\])]?\s)")
_WORD = re.compile(r"\w+")
_NONSPACE = re.compile(r"\S")
_LEMMA_WORD = re.compile(r"[^\W_]+")


class Sentence(NamedTuple):
    start: int
    end: int
    turn_seq: int | None
    lemmas: str  # lower-case lemmas of the word tokens, space-separated


@lru_cache(maxsize=4)
def pipeline(language: str = "nl") -> Language:
    """A blank spaCy pipeline with the sentencizer (cached per language)."""
    import spacy  # costs ~0.8 s at first import

    if language not in SUPPORTED_LANGUAGES:
        language = "nl"
    nlp = spacy.blank(language)
    nlp.add_pipe("sentencizer")
    # Transcripts are split into paragraphs before they reach spaCy, but one paragraph can
    # still be long (an unpunctuated monologue); the parser-free pipeline handles it fine.
    nlp.max_length = 50_000_000
    return nlp


def word_count(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


def spoken_word_count(text: str, turns: Sequence[tuple[int, int, int]] = ()) -> int:
    """Words of what was said: turn bodies and text outside any turn, never the speaker
    labels and timestamps that open a turn ("Interviewer:", "[00:01:23]").

    This is a document's ``word_count``, the denominator of every rate per 1,000 words:
    counting the labels would add a word or two per turn, which inflates a group with
    short turns (a chatty interview) against one with long answers. ``turns`` are
    ``(start, body_start, end)`` of each turn in text order.
    """
    return sum(len(_WORD.findall(text, start, end)) for start, end, _ in _regions(text, turns))


def _regions(text: str, turns: Sequence[tuple[int, int, int]]) -> Iterator[tuple[int, int, int | None]]:
    """The parts of ``text`` that hold words, with the turn they belong to: turn bodies, and
    anything outside turns (a title, an unlabelled preamble), never the speaker labels.

    A turn's label runs from its ``start`` to its ``body_start``, which may be on the next
    line ("Interviewer:" on a line of its own), so the label is cut by offsets, not lines.
    """
    cursor = 0
    for seq, (start, body_start, end) in enumerate(turns):
        if start > cursor:
            yield cursor, start, None
        yield body_start, end, seq
        cursor = end
    if cursor < len(text):
        yield cursor, len(text), None


def turn_spans(text: str) -> list[tuple[int, int, int]]:
    """``(start, body_start, end)`` of each speaker turn in ``text``."""
    from qualcode.ingest.turns import parse_turns

    return [(t.start, t.body_start, t.end) for t in parse_turns(text)]


def blocks(text: str, turns: Sequence[tuple[int, int, int]]) -> Iterator[tuple[int, str, int | None]]:
    """Blocks of running text as ``(offset, block, turn)``: each region (a turn's body, text
    outside turns) cut at blank lines and at lines opening with a timestamp, never at a
    wrapped line's break. The sentences of a document are the sentences of its blocks."""
    for start, stop, seq in _block_spans(text, turns):
        yield start, text[start:stop], seq


def _block_spans(text: str, turns: Sequence[tuple[int, int, int]]) -> Iterator[tuple[int, int, int | None]]:
    """:func:`blocks` as ``(start, end, turn)`` offsets, without copying the text."""
    nonspace = _NONSPACE.search
    for start, end, seq in _regions(text, turns):
        cursor = start
        for brk in _BLOCK_BREAK.finditer(text, start, end):
            stop = brk.start()
            if nonspace(text, cursor, stop) is not None:
                yield cursor, stop, seq
            cursor = brk.end()
        if nonspace(text, cursor, end) is not None:
            yield cursor, end, seq


# A sentence as the importer stores it: what :class:`Sentence` holds, as a plain tuple (a
# named tuple costs ten times as much to make, a few hundred times a transcript).
SentenceRow = tuple[int, int, int | None, str]


class Segmented(NamedTuple):
    sentences: list[SentenceRow]  # (start, end, turn_seq, lemmas), as in Sentence
    words: int  # the spoken word count, as spoken_word_count counts it


def segment(text: str, language: str = "nl", turns: Sequence[tuple[int, int, int]] = ()) -> list[Sentence]:
    """Sentences of ``text`` as offsets into it, never crossing a turn, a blank line or a
    timestamp.

    ``turns`` are ``(start, body_start, end)`` triples in text order; speaker labels are
    left out of the sentences, so a sentence unit is what was said.
    """
    return [Sentence(*row) for row in analyse(text, language, turns).sentences]


def analyse(text: str, language: str = "nl", turns: Sequence[tuple[int, int, int]] = ()) -> Segmented:
    """:func:`segment` and :func:`spoken_word_count` in one pass over the text.

    The words of the sentences are the words said: the sentences cover every character of
    the turn bodies and the text outside turns but whitespace, and a word of
    ``spoken_word_count`` (``\\w+``) is a lemma token (``[^\\W_]+``) when the text has
    no underscore. The text is lower-cased once for all its sentences when that keeps every
    offset (it does unless the text holds a character such as "İ" whose lower case is longer,
    or a capital sigma, whose lower case depends on what follows).
    """
    from qualcode.ingest.sentences import split_blocks

    lookup = _lemma_lookup(language).__getitem__
    spans = split_blocks(text, _block_spans(text, turns))
    lowered = text.lower()
    if len(lowered) != len(text) or "Σ" in text:
        # Offsets would shift: lower-case and lemmatise sentence by sentence.
        find = _LEMMA_WORD.findall
        plain = [(seq, begin, end, " ".join(map(lookup, find(text[begin:end].lower())))) for seq, begin, end in spans]
        return Segmented([(b, e, q, lemmas) for q, b, e, lemmas in plain if lemmas], spoken_word_count(text, turns))
    # Every character that is not part of a lemma token ([^\W_], what str.isalnum accepts)
    # made a space, once for the text; the sentences' slices joined with a marker between
    # them, split into tokens, lemmatised and joined in one go, and cut at the markers again.
    letters = lowered.translate(_ALNUM_OR_SPACE)
    tokens = f" {_MARK} ".join([letters[begin:end] for _, begin, end in spans]).split()
    lemmas = " ".join(map(lookup, tokens)).split(_MARK)
    if len(lemmas) > 1:
        # Each mark stands between two spaces (one, if the sentence before it had no token):
        # take off exactly those, not whitespace a lemma holds ("hertogen" → "hertog ").
        lemmas = [lemmas[0][:-1], *[piece[1:-1] for piece in lemmas[1:-1]], lemmas[-1][1:]]
    sentences = [(begin, end, seq, found) for (seq, begin, end), found in zip(spans, lemmas) if found]
    words = len(tokens) - max(len(spans) - 1, 0) if "_" not in text else spoken_word_count(text, turns)
    return Segmented(sentences, words)


# Between two sentences' tokens: not a character any token holds (all are alphanumeric),
# and its own lemma (no table has it).
_MARK = "\x00"
# A lemma token ([^\W_]) is a run of characters that str.isalnum accepts.
_ALNUM_OR_SPACE = CharTable(str.isalnum)


def spacy_sentence_spans(text: str, language: str = "nl") -> list[tuple[int, int]]:
    """spaCy's sentencizer's sentences of one block, for measuring the rule-based splitter
    against it (benchmarks and tests); the importer does not use it."""
    doc = pipeline(language)(text)
    return [(s.start_char, s.end_char) for s in doc.sents if s.text.strip()]


def lemmas(text: str, language: str = "nl") -> list[str]:
    """Lower-case lemmas of the words in ``text`` (the same as stored for sentences)."""
    return _lemmatiser(language)(text)


@lru_cache(maxsize=4)
def _lemmatiser(language: str) -> Callable[[str], list[str]]:
    lookup = _lemma_lookup(language).__getitem__
    find = _LEMMA_WORD.findall

    def lemmatise(text: str) -> list[str]:
        return list(map(lookup, find(text.lower())))

    return lemmatise


class _Lemmas(dict[str, str]):
    """Lower-case word → lemma (the word itself when the table has none), looked up in the
    table's entries on a word's first use and remembered.

    The table has 213,000 Dutch entries; building them all into a dict (``json.loads``)
    costs about 0.3 s, more than the rest of importing one transcript, which uses a thousand
    of them. So the file's entries, one ``"word": "lemma"`` line each, are kept as sorted
    byte lines and a word is found by bisection (about 0.1 s to prepare, a few microseconds a
    word). A file not in that shape is read with ``json.loads`` instead.
    """

    def __init__(self, lines: list[bytes], indent: bytes) -> None:
        super().__init__()
        self._lines = lines
        self._indent = indent

    def __missing__(self, word: str) -> str:
        probe = self._indent + b'"' + word.encode("utf-8", "surrogatepass") + b'": "'
        lines = self._lines
        at = bisect_left(lines, probe)
        lemma = word
        if at < len(lines) and lines[at].startswith(probe):
            lemma = lines[at][len(probe) :].rstrip(b",").removesuffix(b'"').decode("utf-8")
        self[word] = lemma
        return lemma


@lru_cache(maxsize=4)
def _lemma_lookup(language: str) -> dict[str, str]:
    """spacy-lookups-data's ``<lang>_lemma_lookup`` table as a :class:`_Lemmas` (or, for a
    table file in another shape, a dict of every entry with the same missing-word rule)."""
    raw = _lemma_bytes(language if language in SUPPORTED_LANGUAGES else "nl")
    lines = raw.strip().split(b"\n")
    entries = lines[1:-1] if len(lines) > 2 and lines[0] == b"{" and lines[-1] == b"}" else []
    indent = entries[0][: len(entries[0]) - len(entries[0].lstrip(b" "))] if entries else b""
    # One `"word": "lemma"` entry a line (four quotes each) and no escapes, so no string
    # holds a quote: then a line starts with a word's probe exactly when it is that word's
    # entry, whatever the word holds.
    if entries and b"\\" not in raw and raw.count(b'"') == 4 * len(entries):
        entries.sort()
        return _Lemmas(entries, indent)
    return _Fallback(json.loads(raw))


class _Fallback(dict[str, str]):
    def __missing__(self, word: str) -> str:
        return word


def _lemma_bytes(language: str) -> bytes:
    """The table file's JSON. Found without importing ``spacy_lookups_data``, whose
    ``__init__`` builds paths for every table of every language (about 30 ms)."""
    from importlib.util import find_spec
    from pathlib import Path

    name = f"{language}_lemma_lookup.json.gz"
    spec = find_spec("spacy_lookups_data")
    path = Path(spec.origin).parent / "data" / name if spec is not None and spec.origin else None
    if path is not None and path.is_file():
        return gzip.decompress(path.read_bytes())
    from importlib import resources

    return gzip.decompress((resources.files("spacy_lookups_data") / "data" / name).read_bytes())


def _lemma_table(language: str) -> dict[str, str]:
    """spacy-lookups-data's ``<lang>_lemma_lookup`` table, as spaCy's ``load_lookups`` would
    give it, read without importing spaCy (~0.3 s instead of ~1 s)."""
    table: dict[str, str] = json.loads(_lemma_bytes(language))
    return table


@lru_cache(maxsize=8)
def stop_words(language: str = "nl") -> frozenset[str]:
    """spaCy's stop words of the language (Dutch for one it does not support), read from its
    language class: no pipeline is built, and the set is made once (pseudonymisation asks
    for it once a capitalised word)."""
    from spacy.util import get_lang_class

    return frozenset(get_lang_class(language if language in SUPPORTED_LANGUAGES else "nl").Defaults.stop_words)


def is_known_word(word: str, language: str = "nl") -> bool:
    """Whether ``word`` (any case) is a dictionary word of the language: an inflected form or
    a lemma of spaCy's lemma lookup table, or a stop word. Pseudonymisation uses it to tell a
    capitalised name ("Henk") from a capitalised word."""
    table, lemmas = _lexicon(language)
    lower = word.lower()
    return lower in lemmas or lower in table or lower in stop_words(language)


def is_verb_stem(word: str, language: str = "nl") -> bool:
    """Whether ``word`` (any case) is the stem of a Dutch verb of the lemma table, as said in
    the imperative or the first person: "leg" (leggen), "zeg" (zeggen), "geef" (geven), "lees"
    (lezen), "blijf" (blijven). Pseudonymisation uses it to keep "Leg het eens uit" from
    becoming a place."""
    if language != "nl" or len(word) < 2:
        return False
    _, lemmas = _lexicon(language)
    lower = word.lower()
    bases = {lower}
    if len(lower) >= 3 and lower[-3] == lower[-2] and lower[-2] in "aeou":
        bases.add(lower[:-2] + lower[-1])  # a long vowel written single before -en: geef → gev-en
    candidates: set[str] = set()
    for base in bases:
        for stem in {base, base[:-1] + {"f": "v", "s": "z"}.get(base[-1], base[-1])}:
            candidates.update((stem + "en", stem + stem[-1] + "en"))
    return any(c in lemmas for c in candidates)


@lru_cache(maxsize=4)
def _lexicon(language: str) -> tuple[dict[str, str], frozenset[str]]:
    table = _lemma_table(language if language in SUPPORTED_LANGUAGES else "nl")
    return table, frozenset(table.values())
