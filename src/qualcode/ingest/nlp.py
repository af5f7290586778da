"""Sentence segmentation, tokens and lemmas, offline.

Sentences are drawn by rule (:mod:`qualcode.ingest.sentences`, the boundaries of spaCy's
``sentencizer`` without loading spaCy) inside blocks of a turn: a line break within a turn is
a wrapped line, not a boundary, unless a blank line or a timestamp opens the next line. Lemmas
come from the lookup table of ``spacy-lookups-data`` that spaCy's own lookup lemmatizer uses
(lower-cased word → lemma), read straight from the package's data file. spaCy itself (``spacy.blank(lang)``, about 0.8 s to import) is loaded only for
its stop-word lists, inside the functions that need them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

SUPPORTED_LANGUAGES = ("nl", "en")
# A block ends at a blank line, or where the next line opens with a timestamp ("[00:12:03]").
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*[\[(]?\d{1,2}:\d\d(?::\d\d)?[\])]?\s)")
_WORD = re.compile(r"\w+")
_LEMMA_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Sentence:
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


def _chunks(text: str, turns: Sequence[tuple[int, int, int]]) -> Iterator[tuple[int, str, int | None]]:
    """Blocks of running text: each region (a turn's body, text outside turns) cut at blank
    lines and at lines opening with a timestamp, never at a wrapped line's break."""
    for start, end, seq in _regions(text, turns):
        cursor = start
        for brk in [*_BLOCK_BREAK.finditer(text, start, end), None]:
            stop = end if brk is None else brk.start()
            block = text[cursor:stop]
            if block.strip():
                yield cursor, block, seq
            if brk is not None:
                cursor = brk.end()


def segment(text: str, language: str = "nl", turns: Sequence[tuple[int, int, int]] = ()) -> list[Sentence]:
    """Sentences of ``text`` as offsets into it, never crossing a turn, a blank line or a
    timestamp.

    ``turns`` are ``(start, body_start, end)`` triples in text order; speaker labels are
    left out of the sentences, so a sentence unit is what was said.
    """
    from qualcode.ingest.sentences import split

    lemmatise = _lemmatiser(language)
    sentences: list[Sentence] = []
    for offset, block, seq in _chunks(text, turns):
        for start, end in split(block):
            lemmas = " ".join(lemmatise(block[start:end]))
            if lemmas:
                sentences.append(Sentence(offset + start, offset + end, seq, lemmas))
    return sentences


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
    table = _lemma_table(language if language in SUPPORTED_LANGUAGES else "nl")
    get = table.get

    def lemmatise(text: str) -> list[str]:
        return [get(word, word) for word in _LEMMA_WORD.findall(text.lower())]

    return lemmatise


def _lemma_table(language: str) -> dict[str, str]:
    """spacy-lookups-data's ``<lang>_lemma_lookup`` table, as spaCy's ``load_lookups`` would
    give it, read without importing spaCy (~0.2 s instead of ~1 s)."""
    import gzip
    import json
    from importlib import resources

    data = resources.files("spacy_lookups_data") / "data" / f"{language}_lemma_lookup.json.gz"
    table: dict[str, str] = json.loads(gzip.decompress(data.read_bytes()))
    return table


def stop_words(language: str = "nl") -> frozenset[str]:
    return frozenset(pipeline(language).Defaults.stop_words)


def is_known_word(word: str, language: str = "nl") -> bool:
    """Whether ``word`` (any case) is a dictionary word of the language: an inflected form or
    a lemma of spaCy's lemma lookup table, or a stop word. Pseudonymisation uses it to tell a
    capitalised name ("Henk") from a capitalised word."""
    table, lemmas = _lexicon(language)
    lower = word.lower()
    return lower in lemmas or lower in table or lower in stop_words(language)


@lru_cache(maxsize=4)
def _lexicon(language: str) -> tuple[dict[str, str], frozenset[str]]:
    table = _lemma_table(language if language in SUPPORTED_LANGUAGES else "nl")
    return table, frozenset(table.values())
