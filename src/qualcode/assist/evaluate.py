"""Honest evaluation of the learned suggestions, beside two baselines.

The question a researcher asks is "for which codes does the machine help?". We answer it at
sentence level with cross-validation **grouped by document** (scikit-learn ``GroupKFold``):
the sentences of one transcript are never split between training and test, because
sentences of one interview share a speaker, a topic and turns of phrase, and a model tested
on its own transcript looks far better than it will on the next one.

Only the units of coded documents are evaluated (elsewhere the truth is unknown; see
:mod:`qualcode.assist.units`); a sentence a coding only touches is left out for that code.
Per code we report precision, recall and F1 of

- the **model** (a fresh featurizer and classifier per fold, trained on the other folds'
  documents; a sentence counts as suggested when its score reaches the threshold that
  ``suggest list`` uses), and its average precision (how well it ranks, threshold-free);
- the **keyword rules** (the code's and its sub-codes' keywords; no training needed);
- the **most frequent code** predicted for every sentence (the code with the most positive
  sentences gets recall 1 and precision = its share; every other code gets nothing).

Codes with too few examples are listed as skipped, with their counts.

A study with only one coded transcript (the QualCoder demo project, a pilot's first
interview) cannot be grouped by document. Rather than refuse, it is evaluated with **blocked**
cross-validation: the transcript is cut into as many contiguous blocks of sentences as there
are folds, and a block is never split. Neighbouring sentences, the leakiest ones, stay on one
side; the report says which grouping was used, because figures within one interview are
more optimistic than across interviews.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from qualcode.assist.learn import (
    CodeStatus,
    Featurizer,
    Settings,
    eligibility,
    fit_code,
    positive_probability,
)
from qualcode.assist.rules import rule_hits
from qualcode.assist.units import Corpus
from qualcode.core.errors import QualcodeError
from qualcode.core.progress import Progress, report


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @classmethod
    def of(cls, truth: np.ndarray, predicted: np.ndarray) -> Scores:
        return cls(int((truth & predicted).sum()), int((~truth & predicted).sum()), int((truth & ~predicted).sum()))


@dataclass
class CodeEvaluation:
    code_id: int
    path: str
    positives: int
    documents: int
    units: int
    model: Scores
    rules: Scores
    majority: Scores
    average_precision: float

    def as_row(self) -> dict[str, Any]:
        def r(x: float) -> float:
            return round(x, 2)

        return {
            "code": self.path,
            "positives": self.positives,
            "documents": self.documents,
            "model_p": r(self.model.precision),
            "model_r": r(self.model.recall),
            "model_f1": r(self.model.f1),
            "model_ap": r(self.average_precision),
            "rules_p": r(self.rules.precision),
            "rules_r": r(self.rules.recall),
            "rules_f1": r(self.rules.f1),
            "majority_f1": r(self.majority.f1),
        }


@dataclass
class Fold:
    train_documents: set[int]
    test_documents: set[int]
    train_index: np.ndarray  # indices into the evaluated units
    test_index: np.ndarray


@dataclass
class Evaluation:
    codes: list[CodeEvaluation]
    skipped: list[CodeStatus]
    folds: list[Fold]
    units: int
    documents: int
    majority_code: str
    threshold: float
    settings: Settings = field(default_factory=Settings)
    grouping: str = "document"  # or "contiguous blocks of one document"

    def macro(self) -> dict[str, float]:
        """Macro-averaged F1 of the model and both baselines over the evaluated codes."""
        if not self.codes:
            return {"model": 0.0, "rules": 0.0, "majority": 0.0}
        n = len(self.codes)
        return {
            "model": sum(c.model.f1 for c in self.codes) / n,
            "rules": sum(c.rules.f1 for c in self.codes) / n,
            "majority": sum(c.majority.f1 for c in self.codes) / n,
        }


def grouped_folds(groups: np.ndarray, n_splits: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train and test indices with no group (document) on both sides."""
    from sklearn.model_selection import GroupKFold

    return list(GroupKFold(n_splits=n_splits).split(np.zeros(len(groups)), groups=groups))


def evaluate(
    corpus: Corpus,
    code_ids: Sequence[int] | None = None,
    *,
    settings: Settings | None = None,
    folds: int = 5,
    threshold: float = 0.3,
    language: str = "nl",
    progress: Progress | None = None,
) -> Evaluation:
    """Cross-validate the per-code models by document; see the module docstring."""
    from sklearn.metrics import average_precision_score

    settings = settings or Settings()
    evaluated = [i for doc in sorted(corpus.coded_documents) for i in corpus.by_document.get(doc, [])]
    groups = np.array([corpus.units[i].document_id for i in evaluated], dtype=np.int64)
    n_documents = len(set(groups.tolist()))
    grouping = "document"
    if n_documents == 0:
        raise QualcodeError("evaluation needs coded sentences; this study has no coded document yet")
    if n_documents == 1:
        # Blocked cross-validation within the one transcript (see the module docstring).
        grouping = "contiguous blocks of one document"
        groups = np.minimum(np.arange(len(evaluated)) * folds // max(len(evaluated), 1), folds - 1)
        settings = replace(settings, min_documents=1)
    wanted = list(code_ids) if code_ids is not None else list(corpus.codes)
    statuses = [eligibility(corpus, c, settings) for c in wanted]
    ready = [s for s in statuses if not s.reason]
    skipped = [s for s in statuses if s.reason]
    splits = grouped_folds(groups, min(folds, len(set(groups.tolist()))))
    fold_info = [Fold(set(groups[tr].tolist()), set(groups[te].tolist()), tr, te) for tr, te in splits]
    position = {unit: k for k, unit in enumerate(evaluated)}
    truth = {s.code_id: _mask(corpus.positives(s.code_id), position, len(evaluated)) for s in ready}
    usable = {
        s.code_id: ~_mask(corpus.touched.get(s.code_id, set()) - corpus.positives(s.code_id), position, len(evaluated))
        for s in ready
    }
    scores = {s.code_id: np.zeros(len(evaluated)) for s in ready}
    docs = [corpus.units[i].lemmas for i in evaluated]
    total = len(splits) * max(1, len(ready))
    for f, (train_idx, test_idx) in enumerate(splits):
        featurizer = Featurizer(settings.char_ngrams).fit([docs[i] for i in train_idx])
        x_train = featurizer.transform([docs[i] for i in train_idx])
        x_test = featurizer.transform([docs[i] for i in test_idx])
        for k, status in enumerate(ready):
            report(progress, f * len(ready) + k, total, status.path)
            keep = usable[status.code_id][train_idx]
            y = truth[status.code_id][train_idx][keep].astype(np.int64)
            if y.sum() < 2 or (y == 0).sum() < 1:
                continue  # nothing to learn from in this fold: the model suggests nothing
            model, _ = fit_code(x_train[np.flatnonzero(keep)], y, groups[train_idx][keep], settings)
            scores[status.code_id][test_idx] = positive_probability(model, x_test)
    rules = _rule_masks(corpus, [s.code_id for s in ready], position, len(evaluated), language)
    majority = max(ready, key=lambda s: s.positives).code_id if ready else None
    results: list[CodeEvaluation] = []
    for status in ready:
        keep = usable[status.code_id]
        y = truth[status.code_id][keep]
        predicted = (scores[status.code_id] >= threshold)[keep]
        everything = np.full(len(y), status.code_id == majority)
        results.append(
            CodeEvaluation(
                code_id=status.code_id,
                path=status.path,
                positives=status.positives,
                documents=status.documents,
                units=int(keep.sum()),
                model=Scores.of(y, predicted),
                rules=Scores.of(y, rules[status.code_id][keep]),
                majority=Scores.of(y, everything),
                average_precision=float(average_precision_score(y, scores[status.code_id][keep])) if y.any() else 0.0,
            )
        )
    if progress is not None:
        progress(total, total, "")
    return Evaluation(
        codes=results,
        skipped=skipped,
        folds=fold_info,
        units=len(evaluated),
        documents=n_documents,
        majority_code=corpus.codes[majority].path if majority is not None else "",
        threshold=threshold,
        settings=settings,
        grouping=grouping,
    )


def _mask(indices: set[int], position: dict[int, int], n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for i in indices:
        k = position.get(i)
        if k is not None:
            mask[k] = True
    return mask


def _rule_masks(
    corpus: Corpus, code_ids: list[int], position: dict[int, int], n: int, language: str
) -> dict[int, np.ndarray]:
    masks = {c: np.zeros(n, dtype=bool) for c in code_ids}
    for hit in rule_hits(corpus, code_ids, language=language, include_closed=True, with_descendants=True):
        k = position.get(hit.unit)
        if k is not None:
            masks[hit.code_id][k] = True
    return masks
