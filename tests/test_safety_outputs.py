"""Outputs that are safe (issue 13): one CSV writer for files and listings, no terminal
escapes from any entry point, numbers too large for SQLite refused in one line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.study.study import Study

HOSTILE = '=HYPERLINK("x.invalid";"klik")'


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def _hostile_study(path: Path) -> Path:
    with Study.create(path, "vijandig") as study:
        study.add_code(HOSTILE)
        study.add_code("Titel\x1b]0;gekaapt\x07\x1b[31mRood\x1b[0m")
        doc = study.add_document(
            "Interviewer: Hoe gaat het?\nR: Goed, dank u. Het gaat echt beter nu.",
            title="Gesprek\x1b[2J",
            source_name="g.txt",
            metadata={"organisation": "Org\x1b]0;x\x07", "wijk": "\x9b31mNoord"},
        )
        coding = study.add_coding(doc, HOSTILE, 0, 20, memo="\rregel een\r\nregel\x1b[1m twee\tmet tab")
        study.set_memo("code", study.code(HOSTILE).id, "-1+1")
        assert coding.id
    return path


@pytest.mark.parametrize(
    "command", [["codes"], ["codings"], ["documents"], ["memo", "list"], ["stats"], ["turns", "1"], ["history"]]
)
@pytest.mark.parametrize("fmt", ["--csv", "--excel-nl"])
def test_every_listing_csv_has_bom_neutral_cells_and_one_row_per_record(tmp_path: Path, command, fmt) -> None:
    path = str(_hostile_study(tmp_path / "s.qualcode"))
    result = CliRunner().invoke(main, [*command, fmt, "--study", path])
    assert result.exit_code == 0, result.output
    data = result.stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";" if "nl" in fmt else ","))
    as_json = json.loads(CliRunner().invoke(main, [*command, "--json", "--study", path]).stdout)
    assert len(rows) == len(as_json) + 1  # a memo starting with a carriage return splits no row
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\r", "\t")), cell
            assert "\x1b" not in cell and "\x9b" not in cell


def test_excel_nl_writes_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    path = str(_hostile_study(tmp_path / "s.qualcode"))
    out = run("stats", "--excel-nl", "--study", path).stdout.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out), delimiter=";"))
    assert rows and all("." not in r["coverage"] for r in rows if "coverage" in r)
    assert any("," in value for r in rows for value in r.values() if value[:1].isdigit())


def test_excel_nl_from_the_config(tmp_path: Path) -> None:
    from qualcode.core import config

    path = str(_hostile_study(tmp_path / "s.qualcode"))
    config.save(csv_excel_nl=True)
    assert run("codes", "--csv", "--study", path).stdout.removeprefix("\ufeff").startswith("id;path;")


def test_file_exports_share_the_writer(tmp_path: Path) -> None:
    path = str(_hostile_study(tmp_path / "s.qualcode"))
    target = tmp_path / "fragmenten.csv"
    assert run("export", "fragments", "-o", str(target), "--study", path).exit_code == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\x1b" not in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 2 and rows[1][rows[0].index("memo")] == "\nregel een\nregel twee\tmet tab"


@pytest.mark.parametrize("fmt", [[], ["--csv"], ["--json"]])
@pytest.mark.parametrize("command", [["codes"], ["documents"], ["codings"], ["memo", "list"], ["history"], ["info"]])
def test_listings_never_emit_an_escape(tmp_path: Path, command, fmt) -> None:
    path = str(_hostile_study(tmp_path / "s.qualcode"))
    result = CliRunner().invoke(main, [*command, *fmt, "--study", path])
    assert result.exit_code == 0, result.output
    assert b"\x1b" not in result.stdout_bytes and "\x9b" not in result.stdout_bytes.decode("utf-8")


def test_escapes_are_stripped_where_they_come_in(tmp_path: Path) -> None:
    """Front matter (YAML turns \\e into ESC), code names, coder names, memos (which keep
    their line breaks and tabs)."""
    transcript = tmp_path / "front.md"
    transcript.write_text(
        '---\ntitle: "Titel\\e]0;pwned\\a"\nparticipant: "P\\e[31m1"\n---\nInterviewer: Hallo.\nR: Dag.\n',
        encoding="utf-8",
    )
    with Study.create(tmp_path / "s.qualcode", coder="coder\x1b[5m") as study:
        study.import_files([transcript])
        doc = study.documents()[0]
        assert (doc.title, doc.participant) == ("Titel", "P1")
        code = study.add_code("Naam\x1b[8mverborgen")
        assert code.name == "Naamverborgen"
        study.rename_code(code.id, "Nieuw\x07")
        assert study.code(code.id).name == "Nieuw"
        memo = study.set_memo("study", None, "regel\x1b[1m een\n\tregel twee")
        assert memo is not None and memo.text == "regel een\n\tregel twee"
        assert study.coder == "coder"


@pytest.mark.parametrize(
    "args",
    [
        ["uncode", "10000000000000000000000"],
        ["adjust", "1", "0", "10000000000000000000000"],
        ["recode", "99999999999999999999999", "X"],
        ["code", "1", "X", "--sentence", "10000000000000000000000"],
        ["code", "1", "X", "--sentence", "1e22"],
        ["code", "1", "X", "--turn", "10000000000000000000000"],
    ],
)
def test_huge_numbers_are_one_line(tmp_path: Path, args: list[str]) -> None:
    path = str(_hostile_study(tmp_path / "s.qualcode"))
    result = CliRunner().invoke(main, [*args, "--study", path])
    assert (result.exit_code != 0 and result.exception is None) or isinstance(result.exception, SystemExit)
    assert "OverflowError" not in result.output and "Traceback" not in result.output
    assert [line for line in result.output.splitlines() if line.startswith("Error:")]


def test_huge_numbers_through_the_service(tmp_path: Path) -> None:
    from qualcode.core.errors import QualcodeError

    with Study.open(_hostile_study(tmp_path / "s.qualcode")) as study:
        for call in (lambda: study.remove_coding(10**22), lambda: study.coding(-(10**22))):
            with pytest.raises(QualcodeError, match="too large"):
                call()
