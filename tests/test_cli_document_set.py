"""`qualcode document set`: a document's fields and free attributes from the command line,
as one undoable action, with bad input refused and the study unchanged."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from qualcode.cli import main
from qualcode.study.study import Study


def run(study: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--study", str(study)])


def test_fields_and_attributes_change_and_undo_takes_them_back(sample_study_path: Path) -> None:
    with Study.open(sample_study_path, coder="tester") as study:
        before = study.document("leeuwarden-ouder-01")
    result = run(
        sample_study_path, "document", "set", "leeuwarden-ouder-01", "golf=2", "gezin=G-LW-77", "Opleiding=mbo"
    )
    assert result.exit_code == 0, result.output
    assert "wave" in result.output and "case" in result.output and "Opleiding" in result.output
    with Study.open(sample_study_path, coder="tester") as study:
        doc = study.document("leeuwarden-ouder-01")
        assert (doc.wave, doc.case, doc.attributes.get("Opleiding")) == ("2", "G-LW-77", "mbo")
        assert "G-LW-77" in [c["case"] for c in study.cases()]  # a new case is added
        # the other attributes stay
        assert {k: v for k, v in doc.attributes.items() if k != "Opleiding"} == before.attributes
    # an attribute that exists is matched whatever its capitals; an empty value removes it
    assert run(sample_study_path, "document", "set", "leeuwarden-ouder-01", "opleiding=").exit_code == 0
    with Study.open(sample_study_path, coder="tester") as study:
        assert "Opleiding" not in study.document("leeuwarden-ouder-01").attributes
    for _ in range(2):
        assert run(sample_study_path, "undo").exit_code == 0
    with Study.open(sample_study_path, coder="tester") as study:
        doc = study.document("leeuwarden-ouder-01")
        assert (doc.wave, doc.case, doc.attributes) == (before.wave, before.case, before.attributes)


def test_setting_what_is_there_changes_nothing(sample_study_path: Path) -> None:
    with Study.open(sample_study_path, coder="tester") as study:
        wave = study.document("leeuwarden-ouder-01").wave
        actions = len(study.history())
    result = run(sample_study_path, "document", "set", "leeuwarden-ouder-01", f"wave={wave}")
    assert result.exit_code == 0 and "nothing changed" in result.output
    with Study.open(sample_study_path, coder="tester") as study:
        assert len(study.history()) == actions


def test_bad_input_is_one_line_and_the_study_is_unchanged(sample_study_path: Path) -> None:
    original = sample_study_path.read_bytes()
    for args, reason in (
        (("leeuwarden-ouder-01", "organisatie=Elders"), "set when it is imported"),
        (("leeuwarden-ouder-01", "wave"), "NAME=VALUE"),
        (("geen-document", "wave=2"), "geen-document"),
    ):
        result = run(sample_study_path, "document", "set", *args)
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and reason in lines[0], result.output
    assert sample_study_path.read_bytes() == original


def test_listings_refuse_a_filter_name_that_is_both_a_document_and_a_case_attribute(sample_study_path: Path) -> None:
    """As the analysis commands do: `-w gemeente=…` would mean a different set of documents
    depending on which attribute is read."""
    assert run(sample_study_path, "document", "set", "leeuwarden-ouder-01", "gemeente=Leeuwarden").exit_code == 0
    with Study.open(sample_study_path, coder="tester") as study:
        case = next(c["case"] for c in study.cases())
    assert run(sample_study_path, "case", "set", case, "gemeente=Leeuwarden").exit_code == 0
    for command in (["documents"], ["codings"], ["stats"]):
        result = run(sample_study_path, *command, "-w", "gemeente=Leeuwarden")
        assert result.exit_code == 1 and "say which: -w doc:gemeente" in result.output, (command, result.output)
    documents = run(sample_study_path, "documents", "-w", "doc:gemeente=Leeuwarden", "--json")
    assert documents.exit_code == 0 and "leeuwarden-ouder-01" in documents.output
