"""Sentence segmentation, tokens and lemmas with spaCy, offline.

No model is downloaded: the pipeline is ``spacy.blank(lang)`` with the rule-based
``sentencizer``; lemmas come from the lookup table in ``spacy-lookups-data`` that spaCy's own
lookup lemmatizer uses (lower-cased word → lemma). That gives Dutch (and English)
tokenisation, sentence boundaries, lemmas and stop words. The table is applied here, per word
with a cache, rather than as a pipeline component: spaCy's component builds a Token object per
word and tripled the import time for the same lemmas. spaCy is imported inside the functions
(about 0.8 s) so that the CLI's help and the TUI's first paint do not pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

SUPPORTED_LANGUAGES = ("nl", "en")
_PARAGRAPH = re.compile(r"[^\n]+")
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
    for start, end, seq in _regions(text, turns):
        for paragraph in _PARAGRAPH.finditer(text, start, end):
            if paragraph.group().strip():
                yield paragraph.start(), paragraph.group(), seq


def segment(text: str, language: str = "nl", turns: Sequence[tuple[int, int, int]] = ()) -> list[Sentence]:
    """Sentences of ``text`` as offsets into it, never crossing a line break or a turn.

    ``turns`` are ``(start, body_start, end)`` triples in text order; speaker labels are
    left out of the sentences, so a sentence unit is what was said.
    """
    return list(segment_many([(text, language, turns)]))[0]


def segment_many(
    items: Iterable[tuple[str, str, Sequence[tuple[int, int, int]]]], batch_size: int = 512
) -> Iterator[list[Sentence]]:
    """Segment several documents, batching their paragraphs through spaCy."""
    for text, language, turns in items:
        nlp = pipeline(language)
        chunks = list(_chunks(text, turns))
        sentences: list[Sentence] = []
        docs = nlp.pipe((c[1] for c in chunks), batch_size=batch_size)
        lemmatise = _lemmatiser(language)
        for (offset, paragraph, seq), doc in zip(chunks, docs):
            for start, end in _sentence_spans(doc):
                lemmas = " ".join(lemmatise(paragraph[start:end]))
                if lemmas:
                    sentences.append(Sentence(offset + start, offset + end, seq, lemmas))
        yield sentences


def _sentence_spans(doc: Any) -> list[tuple[int, int]]:
    """Character spans of a Doc's sentences, read from its token arrays: iterating
    ``doc.sents`` builds a Python object per token and took half of the import's time."""
    from spacy.attrs import IDX, LENGTH, SENT_START

    if not len(doc):
        return []
    idx, length, sent_start = doc.to_array([IDX, LENGTH, SENT_START]).astype("int64").T.tolist()
    firsts = [i for i, flag in enumerate(sent_start) if flag == 1 or i == 0]
    spans = []
    for k, first in enumerate(firsts):
        last = (firsts[k + 1] if k + 1 < len(firsts) else len(idx)) - 1
        spans.append((idx[first], idx[last] + length[last]))
    return spans


def lemmas(text: str, language: str = "nl") -> list[str]:
    """Lower-case lemmas of the words in ``text`` (the same as stored for sentences)."""
    return _lemmatiser(language)(text)


@lru_cache(maxsize=4)
def _lemmatiser(language: str) -> Callable[[str], list[str]]:
    from spacy.lookups import load_lookups

    if language not in SUPPORTED_LANGUAGES:
        language = "nl"
    table = load_lookups(lang=language, tables=["lemma_lookup"]).get_table("lemma_lookup")
    cache: dict[str, str] = {}

    def lemmatise(text: str) -> list[str]:
        out = []
        for word in _LEMMA_WORD.findall(text.lower()):
            lemma = cache.get(word)
            if lemma is None:
                lemma = cache[word] = table.get(word, word)
            out.append(lemma)
        return out

    return lemmatise


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
def _lexicon(language: str) -> tuple[Any, frozenset[str]]:
    from spacy.lookups import load_lookups

    if language not in SUPPORTED_LANGUAGES:
        language = "nl"
    table = load_lookups(lang=language, tables=["lemma_lookup"]).get_table("lemma_lookup")
    return table, frozenset(str(v) for v in table.values())
