"""Evaluation: folds grouped by document, per-code figures and baselines."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.assist import assistant
from qualcode.assist.evaluate import evaluate, grouped_folds
from qualcode.core.errors import QualcodeError
from test_assist_support import make_study


def test_no_document_is_on_both_sides_of_a_fold() -> None:
    study, _ = make_study(coded=4, total=5)
    result = evaluate(assistant(study).corpus(), folds=4)
    corpus = assistant(study).corpus()
    evaluated = [i for d in sorted(corpus.coded_documents) for i in corpus.by_document[d]]
    groups = np.array([corpus.units[i].document_id for i in evaluated])
    assert len(result.folds) == 4
    tested: set[int] = set()
    for fold in result.folds:
        train_docs = set(groups[fold.train_index].tolist())
        test_docs = set(groups[fold.test_index].tolist())
        assert train_docs.isdisjoint(test_docs)
        assert (train_docs, test_docs) == (fold.train_documents, fold.test_documents)
        assert len(fold.train_index) + len(fold.test_index) == len(evaluated)
        tested |= test_docs
    assert tested == corpus.coded_documents  # every coded document is tested once
    # the uncoded fifth document is never evaluated (its truth is unknown)
    assert result.units == len(evaluated) and result.documents == 4


def test_grouped_folds_on_many_small_groups() -> None:
    groups = np.repeat(np.arange(12), np.arange(1, 13))
    for train_idx, test_idx in grouped_folds(groups, 5):
        assert set(groups[train_idx]).isdisjoint(groups[test_idx])


def test_figures_per_code_beside_both_baselines() -> None:
    study, ids = make_study(coded=4, total=5)
    result = evaluate(assistant(study).corpus(), folds=4)
    by_code = {c.code_id: c for c in result.codes}
    debt = by_code[ids["debt"].id]
    assert debt.positives == 8 and debt.documents == 4
    # clearly separable sentences: the model ranks them first in transcripts it never saw
    # (with 24 training sentences per fold its scores are too flat for a sharp threshold)
    assert debt.average_precision >= 0.95 and debt.model.recall == 1.0
    # the keywords match every debt sentence and nothing else
    assert (debt.rules.precision, debt.rules.recall) == (1.0, 1.0)
    # the parent has the most positives: predicting it everywhere has recall 1 and
    # precision equal to its share; every other code gets nothing from that baseline
    parent = by_code[ids["parent"].id]
    assert result.majority_code == "Thema"
    assert parent.majority.recall == 1.0 and parent.majority.precision == pytest.approx(16 / parent.units)
    assert debt.majority.tp == 0 and debt.majority.f1 == 0.0
    assert [s.code_id for s in result.skipped] == [ids["trust"].id]
    assert set(result.macro()) == {"model", "rules", "majority"}


def test_one_coded_document_is_evaluated_in_contiguous_blocks() -> None:
    study, _ = make_study(coded=1, total=3)
    result = evaluate(assistant(study).corpus(), folds=3)
    assert result.grouping == "contiguous blocks of one document"
    assert len(result.folds) == 3
    tested = np.sort(np.concatenate([fold.test_index for fold in result.folds]))
    assert tested.tolist() == list(range(result.units))  # every sentence tested exactly once
    for fold in result.folds:
        # a block is one unbroken run of neighbouring sentences, never split across sides
        assert np.all(np.diff(np.sort(fold.test_index)) == 1)
        assert not set(fold.test_index.tolist()) & set(fold.train_index.tolist())


def test_evaluation_needs_a_coded_document() -> None:
    study, _ = make_study(coded=0, total=2)
    with pytest.raises(QualcodeError, match="no coded document"):
        evaluate(assistant(study).corpus())
