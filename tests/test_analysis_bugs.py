"""The bugs listed in the "honest figures" issue, one test each (each failed before its fix)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.analysis.agreement import agreement
from qualcode.analysis.compare import CodeComparison, GroupPresence, run_presence_test
from qualcode.cli import main
from qualcode.study.study import Study

TEXT = "Een twee drie vier vijf zes zeven acht. Negen tien elf twaalf dertien veertien.\n"


@pytest.fixture
def coded(tmp_path: Path) -> Study:
    study = Study.create(tmp_path / "a.qualcode", "a", coder="a")
    study.add_code("X")
    study.add_code("Y")
    doc = study.add_document(TEXT, title="d1")
    first = TEXT.index(".") + 1
    for coder in ("a", "b", "c"):
        study.add_coding(doc, "X", 0, first, coder=coder)
    # b's only coding of Y covers "Een" — far less than half of the first sentence
    study.add_coding(doc, "Y", 0, 3, coder="b")
    yield study
    study.close()


def test_sentence_agreement_keeps_a_code_coded_under_half_a_sentence(coded: Study) -> None:
    result = agreement(coded, ["a", "b"])
    pair = result.pairs[0]
    rows = {r.code: r for r in pair.rows}
    assert set(rows) == {"X", "Y"}
    assert "less than half" in rows["Y"].note
    assert (rows["Y"].both, rows["Y"].only_a, rows["Y"].only_b, rows["Y"].neither) == (0, 0, 0, 2)
    assert pair.overall.units == 2 * 2  # two sentences × two codes


def test_three_coder_alpha_rows_count_sentences_and_leave_pair_cells_empty(coded: Study) -> None:
    result = agreement(coded, ["a", "b", "c"])
    x = next(r for r in result.alpha_rows if r.code == "X")
    assert x.units == 2  # sentences, not the 6 coder × sentence values
    assert (x.coded_a, x.coded_b, x.both, x.only_a, x.only_b) == (None, None, None, None, None)
    assert result.alpha_overall is not None and result.alpha_overall.units == 2 * 2


def test_p_below_a_thousandth_reads_p_less_than() -> None:
    c = CodeComparison(1, "code", [GroupPresence("A", 40, 50), GroupPresence("B", 5, 50)])
    run_presence_test(c)
    c.q = c.p
    assert c.p is not None and c.p < 0.001
    assert "p < 0.001" in c.sentence() and "= <" not in c.sentence()


def test_tiny_p_keeps_full_precision_in_rows() -> None:
    c = CodeComparison(1, "code", [GroupPresence("A", 30, 50), GroupPresence("B", 10, 50)])
    run_presence_test(c)
    c.p = c.q = 1.5e-05
    row = c.as_row()
    assert row["p"] == 1.5e-05 and row["q"] == 1.5e-05


def test_percentages_round_half_up() -> None:
    c = CodeComparison(1, "code", [GroupPresence("A", 3, 24), GroupPresence("B", 9, 24)])
    run_presence_test(c)
    text = c.sentence()
    assert "3 of 24 in A (13 %" in text and "9 of 24 in B (38 %" in text


@pytest.fixture
def two_files(tmp_path: Path) -> list[str]:
    from test_analysis_figures import build_fixed

    paths = []
    for name in ("een", "twee"):
        build_fixed(tmp_path / f"{name}.qualcode").close()
        paths.append(str(tmp_path / f"{name}.qualcode"))
    return paths


@pytest.mark.parametrize(
    "option", [["--by", "role"], ["--sentences"], ["--significant"], ["--stratify", "role"], ["--study", "x.qualcode"]]
)
def test_compare_across_files_refuses_options_it_cannot_honour(two_files: list[str], option: list[str]) -> None:
    result = CliRunner().invoke(main, ["compare", *two_files, *option])
    assert result.exit_code == 1
    assert option[0] in result.output and "not across study files" in result.output


def test_compare_across_files_honours_no_rollup(two_files: list[str]) -> None:
    runner = CliRunner()
    rolled = {r["code"]: r for r in json.loads(runner.invoke(main, ["compare", *two_files, "--json"]).stdout)}
    own = {
        r["code"]: r for r in json.loads(runner.invoke(main, ["compare", *two_files, "--no-rollup", "--json"]).stdout)
    }
    assert rolled["Relatie"]["all: codings"] == 12 and own["Relatie"]["all: codings"] == 0


def test_export_table_compare_keeps_the_notes(two_files: list[str], tmp_path: Path) -> None:
    target = tmp_path / "compare.csv"
    result = CliRunner().invoke(main, ["export", "table", "compare", "-o", str(target), "--study", two_files[0]])
    assert result.exit_code == 0, result.output
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    notes = [r[1] for r in rows if r[0] == "note"]
    assert any("fewer than 5" in n for n in notes)
    assert any("Benjamini–Hochberg over" in n for n in notes)
    assert any("not coded by anyone" in n for n in notes)


def test_compare_json_and_csv_carry_the_notes_on_stdout(two_files: list[str]) -> None:
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["compare", "--study", two_files[0], "--json"]).stdout)
    assert data["unit"] == "document" and any("fewer than 5" in n for n in data["notes"])
    assert data["rows"] and "family" in data
    out = runner.invoke(main, ["compare", "--study", two_files[0], "--csv"]).stdout
    notes = [r[1] for r in csv.reader(out.splitlines()) if r[0] == "note"]
    assert any(n.startswith("A has 3 documents") for n in notes)


def test_export_table_compare_xlsx_keeps_the_notes(two_files: list[str], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "compare.xlsx"
    result = CliRunner().invoke(main, ["export", "table", "compare", "-o", str(target), "--study", two_files[0]])
    assert result.exit_code == 0, result.output
    values = list(load_workbook(target, read_only=True).active.iter_rows(values_only=True))
    notes = [v[1] for v in values if v[0] == "note"]
    assert any("fewer than 5" in n for n in notes) and any("Benjamini–Hochberg" in n for n in notes)
    p = [v[values[0].index("p")] for v in values[1:] if v[0] != "note" and v[values[0].index("p")] not in (None, "")]
    assert all(isinstance(x, float) for x in p)  # full precision, not text
