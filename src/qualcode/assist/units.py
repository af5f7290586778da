"""Sentence units and what the codings so far say about them.

Suggestions, learning, evaluation and topics all work on the same units: the sentences stored
at import (``sentences`` table). This module loads them once with their text and labels
each unit per code.

The labelling rule (used for training, evaluation and for hiding what is already coded):

- A sentence is **positive** for a code when a coding of that code or of one of its sub-codes
  covers at least half of the sentence, or when at least half of the coding lies inside the
  sentence (a short in-vivo phrase marks the sentence it stands in).
- A sentence that a coding of the code merely touches (less than that) is **ambiguous**: it
  is left out of training, and it is never suggested again for that code (it "already has
  that code").
- A sentence is **negative** for a code when its document has been coded (it holds at least
  one coding of any code) and the sentence is neither positive nor ambiguous, or when a
  suggestion of the code for that sentence was rejected. Sentences of documents nobody has
  coded yet are unknown: they are what suggestions are for.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.store import suggest as sql

if TYPE_CHECKING:
    from qualcode.core.models import Code
    from qualcode.study.study import Study


@dataclass(frozen=True)
class Unit:
    """One sentence unit."""

    id: int
    document_id: int
    start: int
    end: int
    lemmas: str
    text: str
    role: str | None = None  # the speaker turn's role ("interviewer", "ouder", ...)

    @property
    def is_interviewer(self) -> bool:
        return self.role == "interviewer"

    @property
    def key(self) -> str:
        """The stable id of the passage, as the CLI shows it: ``document:start:end``."""
        return f"{self.document_id}:{self.start}:{self.end}"


@dataclass(eq=False)  # compared and cached by identity
class Corpus:
    """All sentence units of a study and their labels per code (see the module docstring)."""

    units: list[Unit]
    codes: dict[int, Code]
    titles: dict[int, str]
    positive: dict[int, set[int]] = field(default_factory=dict)  # code id -> unit indices
    touched: dict[int, set[int]] = field(default_factory=dict)  # any overlap (incl. positive)
    rejected: dict[int, set[int]] = field(default_factory=dict)
    accepted: dict[int, set[int]] = field(default_factory=dict)
    coded_documents: set[int] = field(default_factory=set)
    by_key: dict[tuple[int, int, int], int] = field(default_factory=dict)
    by_document: dict[int, list[int]] = field(default_factory=dict)
    _labelled: dict[int, set[int]] = field(default_factory=dict, repr=False)
    _respondent_coded: set[int] | None = field(default=None, repr=False)
    _coded_units: set[int] | None = field(default=None, repr=False)
    _respondents: list[int] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, study: Study) -> Corpus:
        units = [
            Unit(r["id"], r["document_id"], r["start"], r["end"], r["lemmas"], r["text"], r["role"])
            for r in sql.sentence_units(study.store)
        ]
        codes = {c.id: c for c in study.codes()}
        corpus = cls(units=units, codes=codes, titles=sql.document_titles(study.store))
        for i, unit in enumerate(units):
            corpus.by_key[(unit.document_id, unit.start, unit.end)] = i
            corpus.by_document.setdefault(unit.document_id, []).append(i)
        corpus._label(sql.coding_spans(study.store))
        for row in sql.decisions(study.store):
            index = corpus.by_key.get((row["document_id"], row["start"], row["end"]))
            if index is None:
                continue  # a decision on a passage that is not one sentence: nothing to learn
            target = corpus.rejected if row["decision"] == "rejected" else corpus.accepted
            target.setdefault(row["code_id"], set()).add(index)
        return corpus

    def _label(self, codings: list) -> None:
        ancestors = {cid: _ancestors(cid, self.codes) for cid in self.codes}
        starts = {doc: [self.units[i].start for i in idx] for doc, idx in self.by_document.items()}
        positive: dict[int, set[int]] = defaultdict(set)
        touched: dict[int, set[int]] = defaultdict(set)
        for row in codings:
            doc, cstart, cend = row["document_id"], row["start"], row["end"]
            self.coded_documents.add(doc)
            indices = self.by_document.get(doc)
            if not indices:
                continue
            # the first sentence that may overlap: the one starting at or before the coding
            first = max(0, bisect_left(starts[doc], cstart) - 1)
            for i in indices[first:]:
                unit = self.units[i]
                if unit.start >= cend:
                    break
                overlap = min(unit.end, cend) - max(unit.start, cstart)
                if overlap <= 0:
                    continue
                is_positive = 2 * overlap >= (unit.end - unit.start) or 2 * overlap >= (cend - cstart)
                for code_id in ancestors.get(row["code_id"], [row["code_id"]]):
                    touched[code_id].add(i)
                    if is_positive:
                        positive[code_id].add(i)
        self.positive, self.touched = dict(positive), dict(touched)

    # -- views ----------------------------------------------------------------------------

    def positives(self, code_id: int) -> set[int]:
        return self.positive.get(code_id, set())

    def negatives(self, code_id: int) -> set[int]:
        """Units known not to have the code: rejected ones, and the untouched units of coded
        documents."""
        if self._coded_units is None:
            self._coded_units = {i for doc in self.coded_documents for i in self.by_document.get(doc, [])}
        known = self._coded_units - self.touched.get(code_id, set())
        return known | (self.rejected.get(code_id, set()) - self.positives(code_id))

    def labelled(self, code_id: int) -> set[int]:
        """The respondents' units whose label for the code is known: positive, or negative
        (not the ambiguous ones, nor the interviewer's, which are never suggested)."""
        cached = self._labelled.get(code_id)
        if cached is not None:
            return cached
        if self._respondent_coded is None:
            self._respondent_coded = {
                i
                for doc in self.coded_documents
                for i in self.by_document.get(doc, [])
                if not self.units[i].is_interviewer
            }
        touched = self.touched.get(code_id, set())
        positives = self.positives(code_id)
        extra = positives | (self.rejected.get(code_id, set()) - positives)
        found = (self._respondent_coded - touched) | {i for i in extra if not self.units[i].is_interviewer}
        self._labelled[code_id] = found
        return found

    def respondents(self) -> list[int]:
        """The units that are not the interviewer's words, in order."""
        if self._respondents is None:
            self._respondents = [i for i, u in enumerate(self.units) if not u.is_interviewer]
        return self._respondents

    def open_units(self, code_id: int) -> list[int]:
        """Units that may be suggested for a code: not touched by it, never decided on, and
        not the interviewer's words (researchers code what respondents say)."""
        closed = (
            self.touched.get(code_id, set()) | self.rejected.get(code_id, set()) | self.accepted.get(code_id, set())
        )
        return [i for i in self.respondents() if i not in closed]

    def documents_of(self, indices: set[int] | list[int]) -> set[int]:
        return {self.units[i].document_id for i in indices}

    def neighbours(self, index: int, width: int = 1) -> tuple[list[Unit], list[Unit]]:
        """The sentences before and after a unit in its document (for context)."""
        unit = self.units[index]
        order = self.by_document[unit.document_id]
        at = order.index(index)
        before = [self.units[i] for i in order[max(0, at - width) : at]]
        after = [self.units[i] for i in order[at + 1 : at + 1 + width]]
        return before, after


def _ancestors(code_id: int, codes: dict[int, Code]) -> list[int]:
    """The code and the codes above it: a coding of a sub-code also counts for its parents."""
    out: list[int] = []
    current: int | None = code_id
    while current is not None and current not in out:
        out.append(current)
        parent = codes.get(current)
        current = parent.parent_id if parent else None
    return out
