"""Undo and redo after a transcript was removed (which is not undoable and takes its codings
along): a step that would change a coding that went with it is refused, whole, instead of
reporting a change that did not happen. Found by the property test in test_safety_property."""

from __future__ import annotations

import pytest

from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study


def codings(study: Study) -> list[tuple[int, int, int, int, int, str]]:
    return [
        (r["id"], r["document_id"], r["code_id"], r["start"], r["end"], r["memo"])
        for r in study.store.rows('SELECT id, document_id, code_id, start, "end", memo FROM codings ORDER BY id')
    ]


@pytest.fixture
def study() -> Study:
    study = Study.memory("tester")
    first = study.add_document("I: Hoe gaat het?\nR: Goed. Ik voel me gezien.", title="a", source_name="a.txt")
    second = study.add_document("I: En de coach?\nR: Ze kwam gewoon thuis.", title="b", source_name="b.txt")
    study.add_code("Vertrouwen")
    study.add_code("Regels")
    study.add_coding(first, "Vertrouwen", 3, 16)
    study.add_coding(second, "Vertrouwen", 17, 30)
    return study


@pytest.mark.parametrize("step", ["merge", "recode", "memo"])
def test_redo_of_a_change_to_a_coding_that_went_with_its_transcript_is_refused(study: Study, step: str) -> None:
    first_coding = codings(study)[0][0]
    if step == "merge":
        study.merge_codes("Vertrouwen", "Regels")
    elif step == "recode":
        study.recode(first_coding, "Regels")
    else:
        study.set_coding_memo(first_coding, "een memo")
    assert study.undo() is not None
    study.remove_document("a")
    before = codings(study)
    codes_before = [(c.id, c.name) for c in study.codes()]
    with pytest.raises(QualcodeError, match="has been removed"):
        study.redo()
    assert codings(study) == before  # nothing of the step was done, not even on the other transcript
    assert [(c.id, c.name) for c in study.codes()] == codes_before


def test_undo_of_a_change_to_a_coding_that_went_with_its_transcript_is_refused(study: Study) -> None:
    first_coding = codings(study)[0][0]
    study.set_coding_memo(first_coding, "een memo")
    study.remove_document("a")
    before = codings(study)
    with pytest.raises(QualcodeError, match="has been removed"):
        study.undo()
    assert codings(study) == before


def test_a_change_on_the_other_transcript_still_undoes(study: Study) -> None:
    second_coding = codings(study)[1][0]
    study.set_coding_memo(second_coding, "een memo")
    study.remove_document("a")
    assert study.undo() is not None
    assert codings(study)[0][5] == ""
