"""Words: word and lemma frequencies per group, distinctive words, keyword in context.

Only what respondents said is counted: sentences in interviewer turns are left out, since
the interviewer's questions would otherwise top every list. Lemmas come from the
``sentences.lemmas`` column stored at import (spaCy's lookup lemmatizer); Dutch stop words
are spaCy's list.

Distinctive words use Dunning's log-likelihood (G²) of a word's count in a group against
the rest of the selection, with the log ratio (binary logarithm of the relative
frequencies, +0.5 smoothing) as the effect size. G² ≥ 3.84 is p < 0.05 for *one* word, and
hundreds are tested, so p-values are corrected over every (group, word) tested —
Benjamini–Hochberg by default, Bonferroni on request — and a word must be q < 0.05. Groups
of fewer than :data:`MIN_DOCUMENTS` documents are left out (one interview's first names are
not what distinguishes an organisation), and each word says in how many of the group's
documents it occurs (its dispersion).

Keyword in context never matches speaker labels or timestamps, and leaves interviewer turns
out unless asked.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.analysis.matrices import check_grouping
from qualcode.core.errors import QualcodeError
from qualcode.core.scope import Scope
from qualcode.store import analysis as sql

if TYPE_CHECKING:
    from qualcode.study.study import Study

UNITS = ("lemma", "word")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
G2_THRESHOLD = 3.84
MIN_DOCUMENTS = 3
ALPHA = 0.05
CORRECTIONS = ("bh", "bonferroni")


def group_counts(
    study: Study, scope: Scope | None = None, *, by: str = "organisation", unit: str = "lemma", language: str = "nl"
) -> dict[str, Counter[str]]:
    """Counts of words (or lemmas) per group, stop words and one-letter words out."""
    counts: dict[str, Counter[str]] = {}
    for (group, _doc), counter in document_counts(study, scope, by=by, unit=unit, language=language).items():
        counts.setdefault(group, Counter()).update(counter)
    return counts


def document_counts(
    study: Study, scope: Scope | None = None, *, by: str = "organisation", unit: str = "lemma", language: str = "nl"
) -> dict[tuple[str, int], Counter[str]]:
    """Counts of words (or lemmas) per (group, document), respondents' sentences only."""
    from qualcode.ingest.nlp import stop_words

    if unit not in UNITS:
        raise QualcodeError(f"unknown unit “{unit}”; use lemma or word")
    check_grouping(study, by)
    scope = scope or Scope()
    stops = stop_words(language)
    counts: dict[tuple[str, int], Counter[str]] = {}
    if unit == "lemma":
        for row in sql.sentence_lemmas(study.store, scope, by):
            counts.setdefault((row["grp"], row["document_id"]), Counter()).update(
                w for w in row["lemmas"].split() if len(w) > 1 and w not in stops and not w.isdigit()
            )
    else:
        for row in sql.respondent_texts(study.store, scope, by):
            counts.setdefault((row["grp"], row["document_id"]), Counter()).update(
                w for w in (m.group().lower() for m in _WORD.finditer(row["text"])) if len(w) > 1 and w not in stops
            )
    return counts


def word_frequencies(
    study: Study, scope: Scope | None = None, *, by: str = "organisation", unit: str = "lemma", top: int = 20
) -> list[dict[str, Any]]:
    """The ``top`` most frequent words per group, with their count per 1,000 counted words."""
    out: list[dict[str, Any]] = []
    for group, counter in sorted(group_counts(study, scope, by=by, unit=unit).items()):
        total = sum(counter.values())
        for rank, (word, n) in enumerate(counter.most_common(top), start=1):
            out.append({by: group, "rank": rank, unit: word, "count": n, "per_1000": round(1000 * n / total, 2)})
    return out


def log_likelihood(a: int, b: int, c: int, d: int) -> float:
    """Dunning's G² for a word seen ``a`` times in ``c`` words and ``b`` times in ``d``."""
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    g2 = 0.0
    if a:
        g2 += a * math.log(a / e1)
    if b:
        g2 += b * math.log(b / e2)
    return 2 * g2


class DistinctiveWords(list[dict[str, Any]]):
    """The rows, with notes on what was left out and how p-values were corrected."""

    def __init__(self, rows: list[dict[str, Any]], notes: list[str]) -> None:
        super().__init__(rows)
        self.notes = notes


def distinctive_words(
    study: Study,
    scope: Scope | None = None,
    *,
    by: str = "organisation",
    unit: str = "lemma",
    top: int = 15,
    min_documents: int = MIN_DOCUMENTS,
    correction: str = "bh",
) -> DistinctiveWords:
    """Per group of at least ``min_documents`` documents, the words used more there than in
    the rest of the selection, strongest first, whose corrected p (q) is below 0.05; each
    with the number of the group's documents it occurs in."""
    from qualcode.analysis.statistics import chi2_sf

    if correction not in CORRECTIONS:
        raise QualcodeError(f"unknown correction “{correction}”; use bh or bonferroni")
    per_document = document_counts(study, scope, by=by, unit=unit)
    counts: dict[str, Counter[str]] = {}
    spread: dict[str, Counter[str]] = {}  # group → word → documents it occurs in
    documents: Counter[str] = Counter()
    for (group, _doc), counter in per_document.items():
        counts.setdefault(group, Counter()).update(counter)
        spread.setdefault(group, Counter()).update(counter.keys())
        documents[group] += 1
    if len(counts) < 2:
        raise QualcodeError(
            f"only one {by} in the selection; distinctive words need two or more: widen the filters or group by something else"
        )
    notes: list[str] = []
    small = sorted(g for g in counts if documents[g] < min_documents)
    if small:
        notes.append(
            f"Left out (fewer than {min_documents} documents, so one interview's words would look distinctive): "
            + ", ".join(f"{g} ({documents[g]})" for g in small)
            + "."
        )
    overall: Counter[str] = Counter()
    for counter in counts.values():
        overall.update(counter)
    grand = sum(overall.values())
    tested: list[tuple[str, str, int, int, float, float, float]] = []  # group, word, a, b, g2, ratio, p
    for group, counter in sorted(counts.items()):
        if group in small:
            continue
        size = sum(counter.values())
        rest = grand - size
        for word, a in counter.items():
            b = overall[word] - a
            if rest and a / size <= b / rest:
                continue
            g2 = log_likelihood(a, b, size, rest)
            ratio = math.log2(((a + 0.5) / size) / ((b + 0.5) / rest)) if rest else math.inf
            tested.append((group, word, a, b, g2, ratio, chi2_sf(g2, 1)))
    q = _corrected([t[6] for t in tested], correction)
    name = "Benjamini–Hochberg" if correction == "bh" else "Bonferroni"
    notes.append(
        f"p from G² (1 df), corrected with {name} over the {len(tested):,} (group, {unit}) pairs tested; "
        f"shown when q < {ALPHA}. documents: in how many of the group's documents the {unit} occurs."
    )
    out: list[dict[str, Any]] = []
    for group in sorted(g for g in counts if g not in small):
        chosen = sorted(
            ((t, qv) for t, qv in zip(tested, q) if t[0] == group and qv < ALPHA), key=lambda x: (-x[0][4], x[0][1])
        )
        for (g, word, a, b, g2, ratio, p), qv in chosen[:top]:
            out.append(
                {
                    by: g,
                    unit: word,
                    "count": a,
                    "rest": b,
                    "documents": spread[g][word],
                    "of_documents": documents[g],
                    "g2": g2,
                    "p": p,
                    "q": qv,
                    "log_ratio": ratio,
                }
            )
    return DistinctiveWords(out, notes)


def _corrected(ps: list[float], correction: str) -> list[float]:
    m = len(ps)
    if correction == "bonferroni":
        return [min(1.0, p * m) for p in ps]
    order = sorted(range(m), key=lambda i: ps[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, ps[i] * m / rank)
        q[i] = running
    return q


@dataclass(frozen=True)
class KwicLine:
    document_id: int
    document: str
    organisation: str | None
    role: str | None
    start: int
    end: int
    left: str
    match: str
    right: str

    def as_row(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "organisation": self.organisation,
            "role": self.role,
            "start": self.start,
            "left": self.left,
            "match": self.match,
            "right": self.right,
        }


def kwic(
    study: Study,
    term: str,
    scope: Scope | None = None,
    *,
    unit: str = "word",
    width: int = 40,
    limit: int = 500,
    interviewer: bool = False,
) -> list[KwicLine]:
    """Keyword in context: every occurrence of a word (case-insensitive; ``vertrouw*`` for a
    prefix) or of a lemma (``vertrouwen`` finds vertrouw, vertrouwde, …) in what was said:
    never in a speaker label or timestamp, and in interviewer turns only with
    ``interviewer``."""
    term = term.strip().lower()
    if not term:
        raise QualcodeError("give a word to look for")
    if unit not in UNITS:
        raise QualcodeError(f"unknown unit “{unit}”; use word or lemma")
    scope = scope or Scope()
    docs = {r["id"]: r for r in sql.scope_documents(study.store, scope)}
    lines: list[KwicLine] = []
    texts: dict[int, str] = {}
    # per document: turn starts, and each turn's (body_start, end, is the interviewer)
    turns: dict[int, tuple[list[int], list[tuple[int, int, bool]]]] = {}
    for doc_id, start, body_start, end, role in sql.turns_with_roles(study.store, list(docs)):
        starts, bodies = turns.setdefault(doc_id, ([], []))
        starts.append(start)
        bodies.append((body_start, end, role == "interviewer"))

    def said(doc_id: int, start: int) -> bool:
        """Whether a match at ``start`` is in what was said (and by whom we count)."""
        from bisect import bisect_right

        starts, bodies = turns.get(doc_id, ([], []))
        at = bisect_right(starts, start) - 1
        if at < 0:
            return True  # text before the first turn (or a document without turns)
        body_start, end, asked = bodies[at]
        if start < body_start:
            return False  # the speaker label or timestamp
        return start >= end or interviewer or not asked

    def text_of(doc_id: int) -> str:
        if doc_id not in texts:
            texts[doc_id] = study.document_text(doc_id)
        return texts[doc_id]

    def line(doc_id: int, start: int, end: int) -> KwicLine:
        text = text_of(doc_id)
        doc = docs[doc_id]
        return KwicLine(
            doc_id,
            doc["title"],
            doc["organisation"],
            doc["role"],
            start,
            end,
            _flat(text[max(0, start - width) : start]).rjust(width),
            text[start:end],
            _flat(text[end : end + width]),
        )

    if unit == "word":
        body = re.escape(term.rstrip("*"))
        pattern = re.compile(rf"\b{body}\w*" if term.endswith("*") else rf"\b{body}\b", re.IGNORECASE)
        for doc_id in docs:
            for match in pattern.finditer(text_of(doc_id)):
                if not said(doc_id, match.start()):
                    continue
                lines.append(line(doc_id, match.start(), match.end()))
                if len(lines) >= limit:
                    return lines
        return lines
    from qualcode.ingest.nlp import lemmas

    for row in sql.sentences_with_lemma(study.store, scope, term, limit * 4):
        sentence = text_of(row["document_id"])[row["start"] : row["end"]]
        # the same per-word lookup that filled sentences.lemmas at import
        for match in re.finditer(r"\w+(?:['’-]\w+)*", sentence):
            if term in lemmas(match.group()) and said(row["document_id"], row["start"] + match.start()):
                start = row["start"] + match.start()
                lines.append(line(row["document_id"], start, start + len(match.group())))
                if len(lines) >= limit:
                    return lines
    return lines


def _flat(text: str) -> str:
    return text.replace("\n", " ")
