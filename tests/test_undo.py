"""Undo and redo: every editing action comes back exactly, across restarts and between the
library and the CLI; a new action clears the redo stack."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CODEBOOKS
from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.study.codebook import load_codebook
from qualcode.study.study import Study


def content(study: Study) -> dict[str, list[tuple]]:
    """The study's contents, without the undo log itself (and who has ever coded), nor the
    highest id ever given (an undone insert keeps its id used: ids are never reused), nor the
    analysis's derived caches (passages are recomputed for documents marked dirty)."""
    skip = {
        "history",
        "migrations",
        "coders",
        "sqlite_sequence",
        "passage_counts",
        "passage_arrays",
        "passage_dirty",
        "respondent_words",
    }
    tables = [
        r[0]
        for r in study.store.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if r[0] not in skip and not r[0].startswith("documents_fts")
    ]
    return {t: sorted(tuple(r) for r in study.store.rows(f'SELECT * FROM "{t}"')) for t in tables}


@pytest.fixture
def coded(study: Study) -> Study:
    d = study.document("Ouder Coevorden").id
    k = study.document("Kind Leergeld").id
    study.add_coding(d, "Ervaren waarden/Vertrouwen", 0, 30, memo="eerste")
    study.add_coding(d, "Relatie/Vertrouwensband", 20, 60)
    study.add_coding(k, "Relatie/Huisbezoek", 0, 20)
    study.add_coding(k, "Ervaren waarden", 5, 25)
    study.set_memo("code", "Vertrouwen", "memo op code")
    return study


def _first(study: Study) -> int:
    return min(c.id for c in study.document_codings(study.document("Ouder Coevorden").id))


ACTIONS: dict[str, Callable[[Study], object]] = {
    "add coding": lambda s: s.add_coding(s.document("Coach Coevorden").id, "Behapbare caseload", 3, 40),
    "add codings": lambda s: s.add_codings(
        [(s.document("Coach Coevorden").id, 0, 10), (s.document("Kind Leergeld").id, 0, 10)], "Vangnet en veiligheid"
    ),
    "remove coding": lambda s: s.remove_coding(_first(s)),
    "adjust coding": lambda s: s.adjust_coding(_first(s), 2, 44),
    "recode": lambda s: s.recode(_first(s), "Randvoorwaarden/Behapbare caseload"),
    "memo new": lambda s: s.set_memo("document", s.document("Kind Leergeld").id, "nieuw memo"),
    "memo replace": lambda s: s.set_memo("code", "Vertrouwen", "vervangen"),
    "memo delete": lambda s: s.set_memo("code", "Vertrouwen", ""),
    "coding memo": lambda s: s.set_memo("coding", _first(s), "ander memo"),
    "add code": lambda s: s.add_code("Schuldhulp", "Aanpak", shortcut="s"),
    "edit code": lambda s: s.update_code("Vangnet en veiligheid", color="#123456", keywords=["vangnet"]),
    "rename code": lambda s: s.rename_code("Vertrouwen", "Vertrouwen in de organisatie"),
    "move code": lambda s: s.move_code("Relatie/Huisbezoek", "Aanpak"),
    "merge codes": lambda s: s.merge_codes("Ervaren waarden", "Relatie"),
    "delete code": lambda s: s.delete_code("Ervaren waarden"),
    "import codebook": lambda s: s.import_codebook(_extra_codebook(s)),
}


def _extra_codebook(study: Study) -> Path:
    assert study.path is not None
    path = study.path.with_name("extra.yaml")
    path.write_text(
        "codebook: Extra\ncodes:\n  - name: Relatie\n    description: bijgewerkt\n    children:\n"
        "      - name: Digitaal contact\n        description: nieuw\n  - name: Wachtlijsten\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_undo_and_redo_restore_exactly(coded: Study, name: str) -> None:
    before = content(coded)
    ACTIONS[name](coded)
    after = content(coded)
    assert after != before, f"{name} changed nothing"
    assert coded.undo() is not None
    assert content(coded) == before
    assert coded.redo() is not None
    assert content(coded) == after
    assert coded.undo() is not None
    assert content(coded) == before


def test_delete_code_undo_brings_back_its_codings(coded: Study) -> None:
    codings_before = coded.fragments(codes=["Ervaren waarden"])
    assert len(codings_before) == 2
    removed = coded.delete_code("Ervaren waarden")
    assert removed == 2
    with pytest.raises(QualcodeError):
        coded.code("Ervaren waarden/Vertrouwen")
    assert coded.undo() == "delete code “Ervaren waarden”"
    assert coded.fragments(codes=["Ervaren waarden"]) == codings_before
    assert [m.text for m in coded.memos("code")] == ["memo op code"]


def test_undo_survives_reopening(study_path: Path) -> None:
    with Study.open(study_path) as s:
        before = content(s)
        s.add_coding(s.document("Kind Leergeld").id, "Vertrouwen", 0, 12)
        after = content(s)
    with Study.open(study_path) as s:
        assert s.undo() == "code 0–12 as “Ervaren waarden/Vertrouwen”"
        assert content(s) == before
    with Study.open(study_path) as s:
        assert s.redo() == "code 0–12 as “Ervaren waarden/Vertrouwen”"
        assert content(s) == after


def test_cli_undoes_what_the_library_did(study_path: Path) -> None:
    with Study.open(study_path) as s:
        before = content(s)
        s.add_coding(s.document("Kind Leergeld").id, "Vertrouwen", 0, 12)
        after = content(s)
    runner = CliRunner()
    result = runner.invoke(main, ["undo", "--study", str(study_path)])
    assert (result.exit_code, result.output) == (0, "Undone: code 0–12 as “Ervaren waarden/Vertrouwen”\n")
    with Study.open(study_path) as s:
        assert content(s) == before
    result = runner.invoke(main, ["redo", "--study", str(study_path)])
    assert (result.exit_code, result.output) == (0, "Redone: code 0–12 as “Ervaren waarden/Vertrouwen”\n")
    with Study.open(study_path) as s:
        assert content(s) == after


def test_new_action_after_undo_clears_redo(coded: Study) -> None:
    d = coded.document("Coach Coevorden").id
    coded.add_coding(d, "Vangnet en veiligheid", 0, 10)
    assert coded.undo() is not None
    coded.add_coding(d, "Behapbare caseload", 0, 10)
    assert coded.redo() is None
    assert [coded.code(c.code_id).name for c in coded.document_codings(d)] == ["Behapbare caseload"]
    assert [h["undone"] for h in coded.history()].count(1) == 0


def test_undo_and_redo_with_nothing_to_do(tmp_path: Path) -> None:
    with Study.create(tmp_path / "leeg.qualcode") as s:
        assert s.undo() is None
        assert s.redo() is None
        s.add_code("Vangnet")
        assert s.redo() is None
        assert s.undo() == "add code “Vangnet”"
        assert s.undo() is None
        assert s.codes() == []
    runner = CliRunner()
    result = runner.invoke(main, ["undo", "--study", str(tmp_path / "leeg.qualcode")])
    assert (result.exit_code, result.output) == (0, "Nothing to undo.\n")


def test_undo_steps_back_through_several_actions(coded: Study) -> None:
    states = [content(coded)]
    d = coded.document("Coach Coevorden").id
    coded.add_coding(d, "Vangnet en veiligheid", 0, 10)
    states.append(content(coded))
    coded.rename_code("Vangnet en veiligheid", "Vangnet")
    states.append(content(coded))
    coded.delete_code("Vangnet")
    states.append(content(coded))
    for expected in reversed(states[:-1]):
        coded.undo()
        assert content(coded) == expected
    for expected in states[1:]:
        coded.redo()
        assert content(coded) == expected


def test_codebook_import_into_empty_study_undoes_whole(tmp_path: Path) -> None:
    with Study.create(tmp_path / "s.qualcode") as s:
        s.import_codebook(CODEBOOKS / "werkzame-elementen.yaml")
        imported = len(s.codes())
        assert imported == len(load_codebook(CODEBOOKS / "werkzame-elementen.yaml").walk())
        assert s.undo() == "import codebook “Werkzame elementen”"
        assert s.codes() == []
        s.redo()
        assert len(s.codes()) == imported


def test_redo_that_conflicts_with_a_later_change_is_refused(study: Study) -> None:
    d = study.document("Kind Leergeld").id
    study.add_coding(d, "Vertrouwen", 0, 10)
    study.undo()
    study.remove_document(d)  # not an undoable action, so the redo stack remains
    before = content(study)
    with pytest.raises(QualcodeError, match="cannot redo"):
        study.redo()
    assert content(study) == before


def test_each_coder_undoes_their_own_work(study_path: Path) -> None:
    """Two coders in one study: undo takes back the undoer's newest action, not a colleague's."""
    with Study.open(study_path, coder="anna") as anna, Study.open(study_path, coder="bram") as bram:
        doc = anna.document("Ouder Coevorden").id
        mine = anna.add_coding(doc, "Vertrouwensband", 0, 20)
        theirs = bram.add_coding(doc, "Huisbezoek", 30, 60)
        assert anna.undo() == "code 0–20 as “Relatie/Vertrouwensband”"
        assert [c.id for c in anna.document_codings(doc)] == [theirs.id]
        assert anna.undo() is None  # bram's coding is not anna's to undo
        assert anna.redo() is not None
        assert {c.id for c in bram.document_codings(doc)} == {mine.id, theirs.id}
        bram.add_coding(doc, "Vertrouwen", 70, 90)  # bram's new action keeps anna's redo chain
        anna.undo()
        assert anna.redo() is not None


def test_undo_refuses_when_a_colleague_changed_the_same_thing_later(study_path: Path) -> None:
    with Study.open(study_path, coder="anna") as anna, Study.open(study_path, coder="bram") as bram:
        doc = anna.document("Ouder Coevorden").id
        coding = anna.add_coding(doc, "Vertrouwensband", 0, 20)
        bram.adjust_coding(coding.id, 0, 25)  # bram widened anna's coding
        before = content(anna)
        with pytest.raises(QualcodeError, match="bram changed the same thing later"):
            anna.undo()
        assert content(anna) == before
        assert bram.undo() is not None  # once bram takes his change back, anna can undo hers
        assert anna.undo() is not None
        assert coding.id not in {c.id for c in anna.document_codings(doc)}


def test_undo_delete_code_brings_back_its_suggestion_decisions(coded: Study) -> None:
    """Deleting a code used to let the foreign-key cascade remove its accept/reject
    decisions unrecorded, so undo brought the code back but the decisions stayed lost."""
    from qualcode.assist.assistant import Assistant

    d = coded.document("Ouder Coevorden").id
    Assistant(coded).reject(str(coded.sentences(d)[-1].id), "Ervaren waarden/Vertrouwen")
    before = content(coded)
    assert before["suggestion_decisions"]
    coded.delete_code("Ervaren waarden/Vertrouwen")
    assert coded.undo() is not None
    assert content(coded) == before


def test_merge_codes_keeps_the_source_codes_suggestion_decisions(coded: Study) -> None:
    """A rejection of the merged-away code is the merged code's rejection now (it was
    cascaded away with the source code), and undo restores it as it was."""
    from qualcode.assist.assistant import Assistant

    d = coded.document("Ouder Coevorden").id
    Assistant(coded).reject(str(coded.sentences(d)[-1].id), "Relatie/Huisbezoek")
    before = content(coded)
    target = coded.code("Relatie/Vertrouwensband").id
    coded.merge_codes("Relatie/Huisbezoek", "Relatie/Vertrouwensband")
    rows = coded.store.rows("SELECT code_id, decision FROM suggestion_decisions")
    assert [(r["code_id"], r["decision"]) for r in rows] == [(target, "rejected")]
    assert coded.undo() is not None
    assert content(coded) == before


def test_deleting_a_code_or_document_takes_memos_on_its_codings_along(coded: Study) -> None:
    """A memo on a coding in the memos table (as a merge brings them) stayed behind when
    its coding went with a deleted code or document; coding ids are reused, so it then
    hung on an unrelated new coding."""
    d = coded.document("Ouder Coevorden").id
    coding = next(c for c in coded.document_codings(d) if c.code_id == coded.code("Relatie/Vertrouwensband").id)
    with coded.store.action("memo", coder_id=coded.coder_id):
        coded.store.insert(
            "memos",
            {"target": "coding", "target_id": coding.id, "coder_id": coded.coder_id, "text": "x", "updated_at": "t"},
        )
    before = content(coded)
    coded.delete_code("Relatie/Vertrouwensband")
    assert not coded.store.rows("SELECT * FROM memos WHERE target = 'coding'")
    coded.undo()
    assert content(coded) == before
    coded.remove_document(d)
    assert not coded.store.rows("SELECT * FROM memos WHERE target = 'coding'")
