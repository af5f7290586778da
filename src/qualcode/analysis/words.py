"""Words: word and lemma frequencies per group, distinctive words, keyword in context.

Only what respondents said is counted: sentences in interviewer turns are left out, since
the interviewer's questions would otherwise top every list. Lemmas come from the
``sentences.lemmas`` column stored at import (spaCy's lookup lemmatizer); Dutch stop words
are spaCy's list.

Distinctive words use Dunning's log-likelihood (G²) of a word's count in a group against
the rest of the selection, with the log ratio (binary logarithm of the relative
frequencies, +0.5 smoothing) as the effect size: G² ≥ 3.84 is p < 0.05 for one word.
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


def group_counts(
    study: Study, scope: Scope | None = None, *, by: str = "organisation", unit: str = "lemma", language: str = "nl"
) -> dict[str, Counter[str]]:
    """Counts of words (or lemmas) per group, stop words and one-letter words out."""
    from qualcode.ingest.nlp import stop_words

    if unit not in UNITS:
        raise QualcodeError(f"unknown unit “{unit}”; use lemma or word")
    check_grouping(study, by)
    scope = scope or Scope()
    stops = stop_words(language)
    counts: dict[str, Counter[str]] = {}
    if unit == "lemma":
        for row in sql.sentence_lemmas(study.store, scope, by):
            counts.setdefault(row["grp"], Counter()).update(
                w for w in row["lemmas"].split() if len(w) > 1 and w not in stops and not w.isdigit()
            )
    else:
        for row in sql.respondent_texts(study.store, scope, by):
            counts.setdefault(row["grp"], Counter()).update(
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


def distinctive_words(
    study: Study, scope: Scope | None = None, *, by: str = "organisation", unit: str = "lemma", top: int = 15
) -> list[dict[str, Any]]:
    """Per group, the words used more there than in the rest of the selection, strongest
    first (G² at least 3.84)."""
    counts = group_counts(study, scope, by=by, unit=unit)
    if len(counts) < 2:
        raise QualcodeError(
            f"only one {by} in the selection; distinctive words need two or more: widen the filters or group by something else"
        )
    overall: Counter[str] = Counter()
    for counter in counts.values():
        overall.update(counter)
    grand = sum(overall.values())
    out: list[dict[str, Any]] = []
    for group, counter in sorted(counts.items()):
        size = sum(counter.values())
        rest = grand - size
        scored = []
        for word, a in counter.items():
            b = overall[word] - a
            if rest and a / size <= b / rest:
                continue
            g2 = log_likelihood(a, b, size, rest)
            if g2 < G2_THRESHOLD:
                continue
            ratio = math.log2(((a + 0.5) / size) / ((b + 0.5) / rest)) if rest else math.inf
            scored.append((g2, word, a, b, ratio))
        for g2, word, a, b, ratio in sorted(scored, key=lambda s: (-s[0], s[1]))[:top]:
            out.append({by: group, unit: word, "count": a, "rest": b, "g2": round(g2, 2), "log_ratio": round(ratio, 2)})
    return out


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
) -> list[KwicLine]:
    """Keyword in context: every occurrence of a word (case-insensitive; ``vertrouw*`` for a
    prefix) or of a lemma (``vertrouwen`` finds vertrouw, vertrouwde, …)."""
    term = term.strip().lower()
    if not term:
        raise QualcodeError("give a word to look for")
    if unit not in UNITS:
        raise QualcodeError(f"unknown unit “{unit}”; use word or lemma")
    scope = scope or Scope()
    docs = {r["id"]: r for r in sql.scope_documents(study.store, scope)}
    lines: list[KwicLine] = []
    texts: dict[int, str] = {}

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
                lines.append(line(doc_id, match.start(), match.end()))
                if len(lines) >= limit:
                    return lines
        return lines
    from qualcode.ingest.nlp import lemmas

    for row in sql.sentences_with_lemma(study.store, scope, term, limit):
        sentence = text_of(row["document_id"])[row["start"] : row["end"]]
        # the same per-word lookup that filled sentences.lemmas at import
        for match in re.finditer(r"\w+(?:['’-]\w+)*", sentence):
            if term in lemmas(match.group()):
                start = row["start"] + match.start()
                lines.append(line(row["document_id"], start, start + len(match.group())))
                if len(lines) >= limit:
                    return lines
    return lines


def _flat(text: str) -> str:
    return text.replace("\n", " ")
