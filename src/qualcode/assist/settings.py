"""The settings of the learned suggestions, apart from the learning itself (which loads
numpy and scikit-learn): a kept ranking names its settings and is read without them."""

from __future__ import annotations

from dataclasses import dataclass

MIN_POSITIVES = 5
MIN_DOCUMENTS = 2


@dataclass(frozen=True)
class Settings:
    char_ngrams: bool = False
    min_positives: int = MIN_POSITIVES
    min_documents: int = MIN_DOCUMENTS
    c: float = 1.0  # the logistic regression's inverse regularisation strength
