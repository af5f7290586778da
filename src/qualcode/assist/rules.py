"""Keyword rules from the codebook: candidate sentences for review.

A code's ``keywords`` (docs/codebook-format.md) are words, phrases and prefixes with ``*``.
Each keyword is matched two ways, and a sentence matches when either way does:

- on **lemmas**: the keyword is lemmatised with the same spaCy lookup lemmatizer as the
  sentences, so "vertrouwde" in the codebook finds "vertrouwen", "vertrouwt", ...;
- on the **surface words** of the sentence (lower-case), for the forms the lookup table does
  not know.

A phrase matches consecutive lemmas (or consecutive words); ``vertrouw*`` matches every
lemma or word that starts with "vertrouw", in any position of a phrase. Matching is done
through an inverted index, so a study of 100,000 sentences is scanned in well under a second.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from qualcode.assist.units import Corpus, Unit

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Keyword:
    """One compiled keyword: per position the forms that match, or a prefix."""

    source: str
    lemma_steps: tuple[tuple[frozenset[str], str | None], ...]  # (exact forms, prefix)
    word_steps: tuple[tuple[frozenset[str], str | None], ...]


@lru_cache(maxsize=4096)
def compile_keyword(keyword: str, language: str = "nl") -> Keyword | None:
    """Compile a codebook keyword; None when it holds no word at all."""
    from qualcode.ingest.nlp import lemmas

    words = [w for w in keyword.casefold().split() if w.strip("*")]
    if not words:
        return None
    lemma_steps: list[tuple[frozenset[str], str | None]] = []
    word_steps: list[tuple[frozenset[str], str | None]] = []
    for word in words:
        if word.endswith("*"):
            prefix = "".join(_WORD.findall(word.rstrip("*")))
            step: tuple[frozenset[str], str | None] = (frozenset(), prefix)
            lemma_steps.append(step)
            word_steps.append(step)
            continue
        plain = "".join(_WORD.findall(word))
        lemmatised = lemmas(plain, language) if plain else []
        forms = {plain, *lemmatised} if len(lemmatised) <= 1 else {plain}
        lemma_steps.append((frozenset(f for f in forms if f), None))
        word_steps.append((frozenset({plain}), None))
    return Keyword(keyword, tuple(lemma_steps), tuple(word_steps))


class KeywordIndex:
    """Where each lemma and each surface word occurs among a list of units."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self.lemma_tokens = [u.lemmas.split() for u in units]
        self.word_tokens = [_WORD.findall(u.text.casefold()) for u in units]
        self.lemma_index = _Inverted(self.lemma_tokens)
        self.word_index = _Inverted(self.word_tokens)
        self._matched: dict[Keyword, frozenset[int]] = {}

    def match(self, keyword: Keyword) -> frozenset[int]:
        """Indices of the units in which the keyword occurs (remembered: ranking asks for
        each keyword's units twice, for its hits and for its precision)."""
        found = self._matched.get(keyword)
        if found is None:
            found = frozenset(
                _match(keyword.lemma_steps, self.lemma_index, self.lemma_tokens)
                | _match(keyword.word_steps, self.word_index, self.word_tokens)
            )
            self._matched[keyword] = found
        return found


class _Inverted:
    """The units of each token, and the tokens in order (so a prefix is a range of them)."""

    def __init__(self, tokens: list[list[str]]) -> None:
        index: dict[str, set[int]] = defaultdict(set)
        for i, sentence in enumerate(tokens):
            for token in sentence:
                index[token].add(i)
        self.units = dict(index)
        self.sorted = sorted(self.units)

    def get(self, token: str) -> set[int]:
        return self.units.get(token, set())

    def with_prefix(self, prefix: str) -> list[str]:
        at = bisect_left(self.sorted, prefix)
        end = at
        while end < len(self.sorted) and self.sorted[end].startswith(prefix):
            end += 1
        return self.sorted[at:end]


def _step_matches(step: tuple[frozenset[str], str | None], token: str) -> bool:
    forms, prefix = step
    return token.startswith(prefix) if prefix is not None else token in forms


def _step_units(step: tuple[frozenset[str], str | None], index: _Inverted) -> set[int]:
    forms, prefix = step
    out: set[int] = set()
    for token in index.with_prefix(prefix) if prefix is not None else forms:
        out |= index.get(token)
    return out


def _match(
    steps: Sequence[tuple[frozenset[str], str | None]],
    index: _Inverted,
    tokens: list[list[str]],
) -> set[int]:
    candidates = _step_units(steps[0], index)
    for step in steps[1:]:
        if not candidates:
            return candidates
        candidates &= _step_units(step, index)
    if len(steps) == 1:
        return candidates
    return {i for i in candidates if _has_run(steps, tokens[i])}


def _has_run(steps: Sequence[tuple[frozenset[str], str | None]], sentence: list[str]) -> bool:
    """Whether the steps match consecutive tokens somewhere in the sentence."""
    n = len(steps)
    return any(all(_step_matches(steps[k], sentence[at + k]) for k in range(n)) for at in range(len(sentence) - n + 1))


@dataclass(frozen=True)
class RuleHit:
    code_id: int
    unit: int  # index into the corpus
    keywords: tuple[str, ...]


def rule_hits(
    corpus: Corpus,
    code_ids: Iterable[int] | None = None,
    *,
    language: str = "nl",
    include_closed: bool = False,
    with_descendants: bool = False,
    index: KeywordIndex | None = None,
) -> list[RuleHit]:
    """Sentence units that a code's keywords match.

    By default the units that already have the code (any overlap), that were accepted or
    rejected before, or that the interviewer said are left out: they are not candidates. ``include_closed`` keeps them (for
    evaluation). ``with_descendants`` adds the sub-codes' keywords to a code's own, matching
    the labelling rule in which a sub-code's coding counts for its parent.
    """
    index = index or KeywordIndex(corpus.units)
    wanted = list(code_ids) if code_ids is not None else list(corpus.codes)
    children: dict[int | None, list[int]] = defaultdict(list)
    for code in corpus.codes.values():
        children[code.parent_id].append(code.id)
    hits: list[RuleHit] = []
    for code_id in wanted:
        keywords = list(corpus.codes[code_id].keywords)
        if with_descendants:
            stack = list(children.get(code_id, []))
            while stack:
                sub = stack.pop()
                keywords.extend(corpus.codes[sub].keywords)
                stack.extend(children.get(sub, []))
        matched: dict[int, list[str]] = defaultdict(list)
        for text in dict.fromkeys(keywords):
            compiled = compile_keyword(text, language)
            if compiled is None:
                continue
            for i in index.match(compiled):
                matched[i].append(text)
        if not include_closed:
            closed = (
                corpus.touched.get(code_id, set())
                | corpus.rejected.get(code_id, set())
                | corpus.accepted.get(code_id, set())
            )
            matched = defaultdict(
                list, {i: k for i, k in matched.items() if i not in closed and not corpus.units[i].is_interviewer}
            )
        hits.extend(RuleHit(code_id, i, tuple(k)) for i, k in sorted(matched.items()))
    return hits


@dataclass(frozen=True)
class KeywordScore:
    """How well one keyword has picked out a code so far: among the respondents' sentences
    whose label is known (sentences of coded documents, and rejected suggestions) that the
    keyword matches, how many have the code. Its precision on the coded sentences."""

    keyword: str
    positives: int  # matched sentences that have the code
    matched: int  # matched sentences whose label is known

    @property
    def precision(self) -> float | None:
        """``positives / matched``; None when no sentence with a known label matches yet."""
        return self.positives / self.matched if self.matched else None

    def describe(self) -> str:
        if not self.matched:
            return f"“{self.keyword}” matches no coded sentence yet"
        return (
            f"“{self.keyword}”: {self.positives} of the {self.matched} coded sentence(s) it matches "
            f"have this code (precision {self.positives / self.matched:.2f})"
        )


def keyword_scores(
    corpus: Corpus, code_id: int, keywords: Iterable[str], *, index: KeywordIndex | None = None, language: str = "nl"
) -> dict[str, KeywordScore]:
    """Each keyword's :class:`KeywordScore` for a code, on the sentences whose label is
    known (the labelling rule of :mod:`qualcode.assist.units`; the interviewer's sentences
    left out, as they are never suggested)."""
    index = index or KeywordIndex(corpus.units)
    positives = corpus.positives(code_id)
    labelled = corpus.labelled(code_id)
    out: dict[str, KeywordScore] = {}
    for text in dict.fromkeys(keywords):
        compiled = compile_keyword(text, language)
        matched = index.match(compiled) & labelled if compiled is not None else set()
        out[text] = KeywordScore(text, len(matched & positives), len(matched))
    return out


def best_keyword(scores: Sequence[KeywordScore]) -> KeywordScore | None:
    """The keyword with the highest precision (more evidence first on a tie); a keyword
    without evidence only when none has any."""
    known = [s for s in scores if s.matched]
    if known:
        return max(known, key=lambda s: (s.positives / s.matched, s.matched))
    return scores[0] if scores else None
