"""Learned suggestions: one linear classifier per code over sentence units.

Features are TF-IDF weights of the sentence's lemmas and lemma bigrams (so "niet alleen"
and "eigen regie" count as units), optionally with character 3–5-grams of the lemmas, which
let Dutch compounds share evidence ("schuldhulp", "schuldsanering", "schulden"). The model
is a logistic regression with balanced class weights (positives are rare). Its probabilities
are calibrated with ``CalibratedClassifierCV`` (sigmoid, folds grouped by document) when a
code has enough examples; otherwise the score is the logistic regression's own probability,
which ranks well but is not a calibrated chance, and the model says so.

Which sentences are positive, negative or unknown is :mod:`qualcode.assist.units`' rule.
scikit-learn is imported inside the functions (about 0.5 s).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.assist.settings import MIN_DOCUMENTS, MIN_POSITIVES, Settings
from qualcode.assist.units import Corpus
from qualcode.core.progress import Progress, report

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["MIN_DOCUMENTS", "MIN_POSITIVES", "Settings"]

CALIBRATE_MIN_POSITIVES = 15


class LemmaVectorizer:
    """TF-IDF over lemma unigrams and bigrams of space-separated lemma strings.

    Written out rather than sklearn's ``TfidfVectorizer`` because the lemmas are already
    tokens: splitting on spaces and joining pairs in C is about three times faster, which is
    what lets 100,000 sentences be scored within a second. The weighting is sklearn's:
    sublinear tf, smooth idf, l2-normalised rows.
    """

    def __init__(self, min_df: int = 1) -> None:
        self.min_df = min_df
        self.vocabulary: dict[str, int] = {}
        self.idf = np.zeros(0)

    @staticmethod
    def features(lemmas: str) -> list[str]:
        tokens = lemmas.split()
        return tokens + list(map(" ".join, zip(tokens, tokens[1:])))

    def fit(self, docs: Sequence[str]) -> LemmaVectorizer:
        df: dict[str, int] = {}
        for doc in docs:
            for feature in set(self.features(doc)):
                df[feature] = df.get(feature, 0) + 1
        kept = sorted(f for f, n in df.items() if n >= self.min_df)
        self.vocabulary = {f: i for i, f in enumerate(kept)}
        n = len(docs)
        self.idf = np.array([math.log((1 + n) / (1 + df[f])) + 1 for f in kept])
        return self

    def transform(self, docs: Sequence[str]) -> csr_matrix:
        from scipy.sparse import csr_matrix

        get = self.vocabulary.get
        indices: list[int] = []
        indptr = [0]
        for doc in docs:
            tokens = doc.split()
            found = [get(f) for f in tokens]
            found += [get(f) for f in map(" ".join, zip(tokens, tokens[1:]))]
            indices.extend(i for i in found if i is not None)
            indptr.append(len(indices))
        matrix = csr_matrix(
            (np.ones(len(indices)), np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
            shape=(len(docs), len(self.vocabulary)),
        )
        matrix.sum_duplicates()
        # sublinear tf times idf, then l2-normalise each row, all in place on the CSR arrays
        matrix.data = (np.log(matrix.data) + 1.0) * self.idf[matrix.indices]
        running = np.concatenate(([0.0], np.cumsum(matrix.data**2)))
        squares = running[matrix.indptr[1:]] - running[matrix.indptr[:-1]]
        lengths = np.diff(matrix.indptr)
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, lengths)
        return matrix


class Featurizer:
    """Lemma n-grams, plus character n-grams of the lemmas when asked for."""

    def __init__(self, char_ngrams: bool = False) -> None:
        self.words = LemmaVectorizer()
        self.chars: Any = None
        if char_ngrams:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.chars = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, max_features=60_000
            )

    def fit(self, docs: Sequence[str]) -> Featurizer:
        self.words.fit(docs)
        if self.chars is not None:
            self.chars.fit(docs)
        return self

    def transform(self, docs: Sequence[str]) -> csr_matrix:
        words = self.words.transform(docs)
        if self.chars is None:
            return words
        from scipy.sparse import hstack

        return hstack([words, self.chars.transform(docs)], format="csr")


@dataclass
class CodeStatus:
    """Whether a code has a model, and why not when it has none."""

    code_id: int
    path: str
    positives: int
    documents: int
    negatives: int
    trained: bool
    calibrated: bool = False
    reason: str = ""


@dataclass
class ModelSet:
    """The trained models of a study at one moment (see :func:`train`)."""

    featurizer: Featurizer
    models: dict[int, Any]
    statuses: dict[int, CodeStatus]
    settings: Settings
    matrix: Any = None  # the features of every unit of the corpus, computed once
    fingerprint: tuple[object, ...] = field(default_factory=tuple)
    trained_at: str = ""
    """When these models were fitted (UTC, ISO 8601 with microseconds): their identity, kept
    with them in the study."""

    def scores(self, code_id: int) -> np.ndarray:
        """The model's probability of the code for every unit of the corpus."""
        return positive_probability(self.models[code_id], self.matrix)


def positive_probability(model: Any, matrix: Any) -> np.ndarray:
    return model.predict_proba(matrix)[:, 1]


def eligibility(corpus: Corpus, code_id: int, settings: Settings) -> CodeStatus:
    """Count a code's examples and say whether there are enough to learn from."""
    code = corpus.codes[code_id]
    positives = corpus.positives(code_id)
    documents = len(corpus.documents_of(positives))
    negatives = len(corpus.negatives(code_id))
    status = CodeStatus(code_id, code.path, len(positives), documents, negatives, trained=False)
    if len(positives) < settings.min_positives or documents < settings.min_documents:
        status.reason = (
            f"too few examples: {len(positives)} positive sentence(s) in {documents} document(s); "
            f"needs {settings.min_positives} in {settings.min_documents}"
        )
    elif negatives == 0:
        status.reason = "no negative examples yet: code more of a document, or reject suggestions"
    return status


def fit_code(matrix: Any, y: np.ndarray, groups: np.ndarray, settings: Settings) -> tuple[Any, bool]:
    """Fit one code's classifier; return it and whether its probabilities are calibrated."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    # The dual formulation is the fast one when sentences are short and features many
    # (about 20 times faster than the primal here; the same model).
    base = LogisticRegression(C=settings.c, class_weight="balanced", solver="liblinear", dual=True, max_iter=1000)
    splits = calibration_splits(y, groups) if y.sum() >= CALIBRATE_MIN_POSITIVES else None
    if splits:
        model = CalibratedClassifierCV(base, method="sigmoid", cv=splits)
        model.fit(matrix, y)
        return model, True
    base.fit(matrix, y)
    return base, False


def calibration_splits(y: np.ndarray, groups: np.ndarray, n_splits: int = 3) -> list[tuple[Any, Any]] | None:
    """Folds grouped by document for calibration, or None when some fold would lack
    positives (then the probabilities could not be calibrated honestly)."""
    from sklearn.model_selection import GroupKFold

    if len(set(groups[y == 1])) < n_splits:
        return None
    splits = list(GroupKFold(n_splits=n_splits).split(np.zeros(len(y)), y, groups))
    for train_idx, test_idx in splits:
        if y[train_idx].sum() < 2 or y[test_idx].sum() < 1 or (y[train_idx] == 0).sum() < 1:
            return None
    return splits


def training_set(corpus: Corpus, code_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit indices to train on and their labels."""
    positives = corpus.positives(code_id)
    negatives = corpus.negatives(code_id) - positives
    indices = np.array(sorted(positives | negatives), dtype=np.int64)
    labels = np.array([1 if i in positives else 0 for i in indices], dtype=np.int64)
    return indices, labels


def train(
    corpus: Corpus,
    code_ids: Sequence[int] | None = None,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
) -> ModelSet:
    """Train a classifier for each code with enough examples.

    The features are fitted on every unit of the study (TF-IDF needs no labels, and the
    uncoded sentences are the ones to be scored). ``progress(done, total, code_path)`` is
    called per code and may raise :class:`~qualcode.core.progress.Cancelled` (see
    :mod:`qualcode.core.progress`).
    """
    settings = settings or Settings()
    wanted = list(code_ids) if code_ids is not None else list(corpus.codes)
    docs = [u.lemmas for u in corpus.units]
    featurizer = Featurizer(settings.char_ngrams).fit(docs) if docs else Featurizer(settings.char_ngrams)
    matrix = featurizer.transform(docs) if docs else None
    groups = np.array([u.document_id for u in corpus.units], dtype=np.int64)
    models: dict[int, Any] = {}
    statuses: dict[int, CodeStatus] = {}
    for done, code_id in enumerate(wanted):
        status = eligibility(corpus, code_id, settings)
        report(progress, done, len(wanted), status.path)
        if not status.reason and matrix is not None:
            indices, labels = training_set(corpus, code_id)
            models[code_id], status.calibrated = fit_code(matrix[indices], labels, groups[indices], settings)
            status.trained = True
        statuses[code_id] = status
    report(progress, len(wanted), len(wanted), "")
    from datetime import datetime, timezone

    trained_at = datetime.now(timezone.utc).isoformat()
    return ModelSet(featurizer, models, statuses, settings, matrix, trained_at=trained_at)
