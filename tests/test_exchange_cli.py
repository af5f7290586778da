"""`qualcode export qdpx|qdc` and `qualcode import FILE.qdpx|FILE.qdc`."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from qualcode.cli import main
from qualcode.study.study import Study


def test_export_and_import_qdpx_through_the_cli(study_path: Path, tmp_path: Path) -> None:
    with Study.open(study_path, coder="tester") as study:
        doc = study.document("Kind Leergeld")
        at = doc.text.index("huiswerk")
        study.add_coding(doc.id, "vertrouwensband", at, at + 8)
    runner = CliRunner()
    out = tmp_path / "export.qdpx"
    result = runner.invoke(main, ["export", "qdpx", "--study", str(study_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 source(s)" in result.output and "1 coding(s)" in result.output
    assert zipfile.is_zipfile(out)

    new = tmp_path / "nieuw.qualcode"
    result = runner.invoke(main, ["import", "--study", str(new), str(out)])
    assert result.exit_code == 0, result.output
    assert "Imported export.qdpx: 3 source(s)" in result.output and "1 coding(s)" in result.output
    with Study.open(new, coder="tester") as back:
        (fragment,) = back.fragments()
        assert fragment["text"] == "huiswerk" and fragment["code"].casefold().endswith("vertrouwensband")

    # a study with documents refuses a project, with one line and exit code 1
    result = runner.invoke(main, ["import", "--study", str(new), str(out)])
    assert result.exit_code == 1
    assert result.output.count("Error:") == 1 and "new or empty study" in result.output


def test_export_and_import_qdc_through_the_cli(study_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "codeboek.qdc"
    result = runner.invoke(main, ["export", "qdc", "--study", str(study_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with Study.open(study_path) as study:
        count = len(study.codes())
    assert f"Wrote {out}: {count} code(s)" in result.output

    empty = tmp_path / "leeg.qualcode"
    Study.create(empty, "leeg").close()
    result = runner.invoke(main, ["import", "--study", str(empty), str(out)])
    assert result.exit_code == 0, result.output
    assert f"{count} code(s) added" in result.output
    with Study.open(empty) as study:
        assert len(study.codes()) == count


def test_hostile_qdpx_gives_one_line_and_no_study(tmp_path: Path) -> None:
    bad = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../evil.qde", "<Project/>")
    target = tmp_path / "nieuw.qualcode"
    result = CliRunner().invoke(main, ["import", "--study", str(target), str(bad)])
    assert result.exit_code == 1
    assert "points outside" in result.output and "Traceback" not in result.output
    assert not target.exists()


def test_exchange_commands_have_help_with_an_example() -> None:
    for command in (["export", "qdpx"], ["export", "qdc"]):
        result = CliRunner().invoke(main, [*command, "--help"])
        assert result.exit_code == 0 and "Example: qualcode export" in result.output
