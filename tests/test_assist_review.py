"""Accepting and rejecting suggestions: codings, decisions, negatives, undo."""

from __future__ import annotations

import pytest

from qualcode.assist import assistant
from qualcode.assist.learn import training_set
from qualcode.core.errors import QualcodeError
from test_assist_support import DEBT, make_study


def _debt_candidate(study, ids):
    last = ids["documents"][-1]
    found = assistant(study).suggestions(ids["debt"].id, source="both")
    return next(s for s in found if s.document_id == last and s.text in DEBT)


def test_accept_creates_a_suggested_coding_by_the_current_coder() -> None:
    study, ids = make_study(coded=4, total=5)
    candidate = _debt_candidate(study, ids)
    coding = assistant(study).accept(candidate.key, ids["debt"])
    stored = study.coding(coding.id)
    assert (stored.document_id, stored.start, stored.end) == (candidate.document_id, candidate.start, candidate.end)
    assert stored.origin == "suggested" and stored.coder == "tester" and stored.code_id == ids["debt"].id
    assert study.document_text(stored.document_id)[stored.start : stored.end] == candidate.text
    decisions = assistant(study).decisions(ids["debt"].id)
    assert [(d["decision"], d["coder"], d["start"]) for d in decisions] == [("accepted", "tester", candidate.start)]
    again = assistant(study).suggestions(ids["debt"].id, source="both", min_score=0.0, limit=None)
    assert candidate.key not in {s.key for s in again}
    # one action: undo takes back the coding and the decision
    assert study.undo().startswith("accept suggestion")
    assert all(c.id != coding.id for c in study.document_codings(candidate.document_id))
    assert assistant(study).decisions() == []


def test_reject_records_the_decision_hides_the_candidate_and_teaches_a_negative() -> None:
    study, ids = make_study(coded=4, total=5)
    candidate = _debt_candidate(study, ids)
    assistant(study).reject(candidate.key, ids["debt"])
    decisions = assistant(study).decisions()
    assert [(d["decision"], d["code"], d["document_id"]) for d in decisions] == [
        ("rejected", "Thema/Schulden", candidate.document_id)
    ]
    again = assistant(study).suggestions(ids["debt"].id, source="both", min_score=0.0, limit=None)
    assert candidate.key not in {s.key for s in again}
    corpus = assistant(study).corpus()
    index = corpus.by_key[(candidate.document_id, candidate.start, candidate.end)]
    # the fifth document is uncoded, so only the rejection makes this sentence a negative
    assert index in corpus.negatives(ids["debt"].id)
    indices, labels = training_set(corpus, ids["debt"].id)
    assert labels[list(indices).index(index)] == 0
    with pytest.raises(QualcodeError, match="already rejected"):
        assistant(study).reject(candidate.key, ids["debt"])
    # nothing was coded
    assert study.document_codings(candidate.document_id) == []


def test_sentence_ids_work_as_candidate_ids() -> None:
    study, ids = make_study(coded=4, total=5)
    candidate = _debt_candidate(study, ids)
    coding = assistant(study).accept(str(candidate.sentence_id), ids["debt"].path)
    assert (coding.start, coding.end) == (candidate.start, candidate.end)


@pytest.mark.parametrize("bad", ["nonsense", "5:1:2", "99999"])
def test_bad_candidate_ids_are_refused_and_change_nothing(bad: str) -> None:
    study, ids = make_study(coded=4, total=5)
    before = len(study.fragments())
    with pytest.raises(QualcodeError):
        assistant(study).accept(bad, ids["debt"])
    with pytest.raises(QualcodeError):
        assistant(study).reject(bad, ids["debt"])
    assert len(study.fragments()) == before and assistant(study).decisions() == []
