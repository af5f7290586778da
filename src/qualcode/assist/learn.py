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

A fit is deterministic (liblinear's example order is seeded), so a code's model is a function
of its ``basis`` (the units and their lemmas, the settings, its training examples and their
labels). :func:`train` therefore keeps a previous model whose basis is unchanged instead of
fitting it again: after one new coding only that code and the codes above it are fitted, and
the result is what training everything from scratch would give, number for number (a test
holds it to that). What a model is kept as is its score for every unit (float32): all the
ranking needs (see :mod:`qualcode.assist.persist`).
"""

from __future__ import annotations

import hashlib
import math
import threading
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
class CodeModel:
    """One code's model as the suggestions use it: its score for every unit of the corpus.

    ``basis`` names exactly what it was fitted on (the units and their lemmas, the settings,
    the training sentences and their labels; see :func:`basis`). Fitting is deterministic, so
    a model whose basis is unchanged is the model a new training would fit, and is reused.
    """

    basis: str
    scores: np.ndarray  # float32, one per unit in corpus order
    calibrated: bool
    estimator: Any = None
    """The fitted classifier, in the process that fitted it (not kept in the study: the
    scores are all the ranking needs)."""


@dataclass
class ModelSet:
    """The trained models of a study at one moment (see :func:`train`)."""

    features: str
    """What the scores are over: a hash of the units (ids, lemmas, order) and the features."""
    models: dict[int, CodeModel]
    statuses: dict[int, CodeStatus]
    settings: Settings
    featurizer: Featurizer | None = None  # fitted only when some code had to be fitted
    matrix: Any = None  # the features of every unit, likewise
    fingerprint: tuple[object, ...] = field(default_factory=tuple)
    trained_at: str = ""
    """When these models were last brought up to date (UTC, ISO 8601 with microseconds):
    their identity, kept with them in the study."""
    fitted: list[int] = field(default_factory=list)
    """The codes fitted by the run that made this set (the others' models were reused)."""

    def scores(self, code_id: int) -> np.ndarray:
        """The model's probability of the code for every unit of the corpus."""
        return self.models[code_id].scores


def positive_probability(model: Any, matrix: Any) -> np.ndarray:
    """The classifier's probability of the code per row, as the suggestions keep and rank it:
    float32 (a relative error of 6e-8, far below the solver's tolerance of 1e-4), so a score
    read back from the study is the very number a new training gives."""
    return np.asarray(model.predict_proba(matrix)[:, 1], dtype=np.float32)


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
    # random_state: liblinear visits the examples in a random order; a fixed seed makes a fit
    # a function of its examples, which is what lets an unchanged code's model be reused.
    base = LogisticRegression(
        C=settings.c, class_weight="balanced", solver="liblinear", dual=True, max_iter=1000, random_state=0
    )
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
    indices = np.fromiter([*positives, *negatives], dtype=np.int64, count=len(positives) + len(negatives))
    labels = np.zeros(len(indices), dtype=np.int64)
    labels[: len(positives)] = 1
    order = np.argsort(indices, kind="stable")
    return indices[order], labels[order]


def features_key(corpus: Corpus, settings: Settings) -> str:
    """A hash of everything the features of the units depend on: the units (ids and order),
    their lemmas and the kind of features. Scores are comparable only under the same key."""
    digest = hashlib.sha256(f"features1 {settings.char_ngrams}\n".encode())
    digest.update("\x00".join(f"{u.id}\x01{u.lemmas}" for u in corpus.units).encode("utf-8"))
    return digest.hexdigest()


def basis(features: str, settings: Settings, indices: np.ndarray, labels: np.ndarray) -> str:
    """A hash of everything one code's fit depends on (see :class:`CodeModel`): the features,
    the learning settings, and the training units with their labels (the units' documents,
    which group the calibration folds, are fixed by the features' key)."""
    digest = hashlib.sha256(f"{features} {settings.c}\n".encode())
    digest.update(np.ascontiguousarray(indices, dtype="<i8").tobytes())
    digest.update(np.ascontiguousarray(labels, dtype="<i1").tobytes())
    return digest.hexdigest()


_LAST_FEATURES: tuple[str, Featurizer, Any] | None = None
"""The features computed last (key, featurizer, matrix): the next update in this process, on
the same units, needs them again. One entry; the matrix of 14,000 sentences is about 2 MB."""
_FEATURES_LOCK = threading.Lock()


def _features(corpus: Corpus, settings: Settings, key: str) -> tuple[Featurizer, Any]:
    """The fitted featurizer and the features of every unit (the same for the same key)."""
    global _LAST_FEATURES
    with _FEATURES_LOCK:
        last = _LAST_FEATURES
    if last is not None and last[0] == key:
        return last[1], last[2]
    docs = [u.lemmas for u in corpus.units]
    featurizer = Featurizer(settings.char_ngrams).fit(docs)
    matrix = featurizer.transform(docs)
    with _FEATURES_LOCK:
        _LAST_FEATURES = (key, featurizer, matrix)
    return featurizer, matrix


def train(
    corpus: Corpus,
    code_ids: Sequence[int] | None = None,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    previous: ModelSet | None = None,
) -> ModelSet:
    """Train a classifier for each code with enough examples.

    The features are fitted on every unit of the study (TF-IDF needs no labels, and the
    uncoded sentences are the ones to be scored). With ``previous`` models (kept in the
    study, or trained before in this session), a code whose examples are unchanged keeps its
    model (see :class:`CodeModel`): after a new coding only that code and the codes above
    it are fitted again. ``progress(done, total, code_path)`` is called per code and may raise
    :class:`~qualcode.core.progress.Cancelled` (see :mod:`qualcode.core.progress`).
    """
    settings = settings or Settings()
    wanted = list(code_ids) if code_ids is not None else list(corpus.codes)
    features = features_key(corpus, settings)
    if previous is not None and previous.features != features:
        previous = None  # other units or lemmas: no score of it applies
    featurizer: Featurizer | None = None
    matrix: Any = None
    groups = np.array([u.document_id for u in corpus.units], dtype=np.int64)
    models: dict[int, CodeModel] = {}
    statuses: dict[int, CodeStatus] = {}
    fitted: list[int] = []
    for done, code_id in enumerate(wanted):
        status = eligibility(corpus, code_id, settings)
        report(progress, done, len(wanted), status.path)
        if not status.reason and corpus.units:
            indices, labels = training_set(corpus, code_id)
            key = basis(features, settings, indices, labels)
            kept = previous.models.get(code_id) if previous is not None else None
            if kept is None or kept.basis != key:
                if matrix is None:
                    featurizer, matrix = _features(corpus, settings, features)
                estimator, calibrated = fit_code(matrix[indices], labels, groups[indices], settings)
                kept = CodeModel(key, positive_probability(estimator, matrix), calibrated, estimator)
                fitted.append(code_id)
            models[code_id] = kept
            status.trained, status.calibrated = True, kept.calibrated
        statuses[code_id] = status
    report(progress, len(wanted), len(wanted), "")
    from datetime import datetime, timezone

    trained_at = datetime.now(timezone.utc).isoformat()
    if previous is not None and not fitted and set(models) == set(previous.models):
        trained_at = previous.trained_at  # nothing new: the same models
    return ModelSet(features, models, statuses, settings, featurizer, matrix, trained_at=trained_at, fitted=fitted)
