"""Comparison statistics against scipy, exports read back, the HTML report parsed, words,
KWIC, and the CLI commands."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from qualcode.analysis import Scope
from qualcode.analysis.compare import (
    CodeComparison,
    GroupPresence,
    apply_bh,
    compare_groups,
    compare_studies,
    run_presence_test,
)
from qualcode.analysis.report import SECTIONS, build_report
from qualcode.analysis.words import distinctive_words, kwic, log_likelihood, word_frequencies
from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.exchange.csv import FRAGMENT_COLUMNS
from qualcode.exchange.tables import write_fragments, write_table
from qualcode.study.study import Study
from test_analysis_figures import build_fixed


@pytest.fixture
def fixed(tmp_path: Path):
    study = build_fixed(tmp_path / "vast.qualcode")
    yield study
    study.close()


def comparison(*groups: tuple[str, int, int]) -> CodeComparison:
    c = CodeComparison(1, "code", [GroupPresence(g, k, n) for g, k, n in groups])
    run_presence_test(c)
    return c


# -- statistics ----------------------------------------------------------------------------


def test_small_two_by_two_uses_fisher(fixed: Study) -> None:
    result = compare_groups(fixed, "organisation")
    vb = next(c for c in result.codes if c.code == "Relatie/Vertrouwensband")
    assert [(g.group, g.with_code, g.documents) for g in vb.groups] == [("A", 2, 3), ("B", 1, 2)]
    assert vb.test == "Fisher's exact test"
    assert vb.p == pytest.approx(stats.fisher_exact([[2, 1], [1, 1]]).pvalue)
    assert vb.odds_ratio == pytest.approx(2.0)
    assert any("fewer than 5" in w for w in result.warnings)
    assert "2 of 3 in A (67%), 1 of 2 in B (50%)" in vb.sentence()


def test_large_two_by_two_uses_chi_square() -> None:
    c = comparison(("Coevorden", 30, 50), ("Rotterdam", 10, 50))
    table = np.array([[30, 10], [20, 40]])
    expected = stats.chi2_contingency(table, correction=True)
    assert c.test == "chi-square"
    assert c.statistic == pytest.approx(expected.statistic)
    assert c.p == pytest.approx(expected.pvalue)
    assert c.phi == pytest.approx(np.sqrt(stats.chi2_contingency(table, correction=False).statistic / 100))
    assert c.odds_ratio == pytest.approx(30 * 40 / (10 * 20))
    assert c.standout == "Coevorden"


def test_many_groups_cramers_v_and_permutation() -> None:
    big = comparison(("A", 40, 60), ("B", 20, 60), ("C", 10, 60))
    table = np.array([[40, 20, 10], [20, 40, 50]])
    expected = stats.chi2_contingency(table)
    assert big.test == "chi-square" and big.p == pytest.approx(expected.pvalue)
    assert big.cramers_v == pytest.approx(np.sqrt(expected.statistic / table.sum()))
    assert big.standout == "A"
    small = comparison(("A", 4, 4), ("B", 0, 3), ("C", 1, 3))
    assert small.test == "chi-square, permutation p"
    assert 0 < small.p < 0.2
    assert small.statistic == pytest.approx(
        stats.chi2_contingency(np.array([[4, 0, 1], [0, 3, 2]]), correction=False).statistic
    )


@pytest.mark.parametrize(
    "present, totals", [((4, 0, 1), (4, 3, 3)), ((2, 0, 1, 3), (3, 2, 4, 5)), ((1, 2, 0), (2, 3, 3))]
)
def test_permutation_p_is_exact_for_small_tables(present: tuple[int, ...], totals: tuple[int, ...]) -> None:
    """Brute force: every way to give the code to that many of the documents, equally likely."""
    from itertools import combinations

    from qualcode.analysis.compare import permutation_p

    labels = [g for g, size in enumerate(totals) for _ in range(size)]

    def chi2(counts: list[int]) -> float:
        table = np.array([counts, [t - c for t, c in zip(totals, counts)]])
        return float(stats.chi2_contingency(table, correction=False).statistic)

    observed = chi2(list(present))
    extreme = total = 0
    for chosen in combinations(range(len(labels)), sum(present)):
        counts = [0] * len(totals)
        for i in chosen:
            counts[labels[i]] += 1
        total += 1
        extreme += chi2(counts) >= observed - 1e-9
    assert permutation_p(np.array(present), np.array(totals)) == pytest.approx(extreme / total)


def test_permutation_p_for_large_tables_is_monte_carlo_and_repeatable() -> None:
    from qualcode.analysis.compare import permutation_p

    present, totals = np.array([3, 50, 2, 40, 10]), np.array([200, 300, 100, 250, 150])
    p = permutation_p(present, totals)
    assert p == permutation_p(present, totals)  # fixed seed
    assert p == pytest.approx(1 / 10_000)  # no drawn table is as extreme as this one


def test_benjamini_hochberg_matches_scipy() -> None:
    ps = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    codes = [CodeComparison(i, f"c{i}", [], p=p) for i, p in enumerate(ps)]
    apply_bh(codes)
    assert [c.q for c in codes] == pytest.approx(list(stats.false_discovery_control(ps)))


def test_untestable_code_reads_plainly() -> None:
    c = comparison(("A", 3, 3), ("B", 2, 2))
    assert c.p is None and "not tested" in c.sentence()


def test_compare_studies(tmp_path: Path) -> None:
    one = build_fixed(tmp_path / "een.qualcode")
    one.add_code("Alleen hier")
    one.close()
    two = build_fixed(tmp_path / "twee.qualcode")
    d = two.documents()[0]
    two.add_coding(d.id, "Schaamte", 0, 3)
    two.close()
    result = compare_studies([tmp_path / "een.qualcode", tmp_path / "twee.qualcode"])
    rows = {r["code"]: r for r in result.rows}
    names = result.studies
    assert names[0] != names[1]
    assert rows["Schaamte"][f"{names[0]}: codings"] == 2 and rows["Schaamte"][f"{names[1]}: codings"] == 3
    assert rows["Schaamte"]["all: codings"] == 5
    assert rows["Alleen hier"][f"{names[1]}: documents"] is None
    assert any("Alleen hier" in line and "not in the codebook" in line for line in result.differences)


# -- exports -------------------------------------------------------------------------------


def test_fragments_csv_read_back_with_csv_and_pandas(fixed: Study, tmp_path: Path) -> None:
    import pandas as pd

    target = tmp_path / "fragmenten.csv"
    assert write_fragments(fixed, target) == 8
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(FRAGMENT_COLUMNS)
    frame = pd.read_csv(target, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == rows[0]
    for i, row in enumerate(rows[1:]):
        assert list(frame.iloc[i]) == row
    expected = fixed.fragments()
    by_offsets = {(r[3], int(r[9]), int(r[10]), r[7]): r for r in rows[1:]}
    for frag in expected:
        row = by_offsets[(frag["document"], frag["start"], frag["end"], frag["code"])]
        assert row[11] == frag["text"] and row[0] == "vast" and row[8] == frag["coder"]
    memo = next(r for r in rows[1:] if r[7] == "Schaamte" and r[3] == "d1")
    assert memo[12] == "'=SUM(A1)"


def test_fragments_xlsx_and_filters(fixed: Study, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "fragmenten.xlsx"
    assert write_fragments(fixed, target, Scope(organisation="A"), codes=["Relatie"]) == 5  # d1: 2, d2: 2, d3: 1
    sheet = load_workbook(target, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(FRAGMENT_COLUMNS)
    assert {v[7] for v in values[1:]} == {"Relatie/Vertrouwensband", "Relatie/Huisbezoek"}
    assert {v[1] for v in values[1:]} == {"A"}
    assert all(v[11] == "een twee drie vier vijf. Zes zeven acht negen tien."[v[9] : v[10]] for v in values[1:])


def test_xlsx_keeps_formula_like_text_as_text(fixed: Study, tmp_path: Path) -> None:
    """In .xlsx a memo like "=SUM(A1)" is an inline string, never a formula, so it needs no
    apostrophe (which Excel would show as part of the memo, unlike in a CSV)."""
    from openpyxl import load_workbook

    target = tmp_path / "fragmenten.xlsx"
    write_fragments(fixed, target)
    cells = [row for row in load_workbook(target).active.iter_rows(min_row=2) if row[12].value == "=SUM(A1)"]
    assert cells and cells[0][12].data_type == "s"


def test_table_export_csv(tmp_path: Path) -> None:
    target = tmp_path / "tabel.csv"
    write_table([{"code": "-min", "n": 3}], ["code", "n"], target)
    with open(target, encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [["code", "n"], ["'-min", "3"]]
    with pytest.raises(QualcodeError, match=r"write a \.csv or an \.xlsx file"):
        write_table([], ["code"], tmp_path / "tabel.txt")


# -- report --------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id":
                self.ids.add(value)
            assert not (name in ("src", "href") and value and value.startswith(("http:", "https:", "//")))

    def handle_data(self, data):
        self.text.append(data)


def test_report_sections_escaping_and_no_network(fixed: Study) -> None:
    fixed.add_code("<script>alert(1)")
    fixed.update_code("Schaamte", description="Schaamte & <drempels></dl>")
    page = build_report(fixed, quotes=2)
    parser = _Collector()
    parser.feed(page)
    assert set(SECTIONS) <= parser.ids
    assert "script" not in parser.tags and "svg" in parser.tags and "blockquote" in parser.tags
    text = "".join(parser.text)
    assert "<script>alert(1)" in text  # shown as text, not run
    assert "Schaamte & <drempels></dl>" in text
    assert "Vertrouwensband: in 2 of 3 in A" in text
    assert "een twee" in text  # a quote


def test_report_on_sample(sample_study: Study, tmp_path: Path) -> None:
    from lxml import html as lhtml

    from qualcode.analysis.report import write_report

    target = write_report(sample_study, tmp_path / "rapport.html", by="role")
    tree = lhtml.parse(str(target))
    assert tree.xpath("//h2[@id='comparison']")
    assert len(tree.xpath("//blockquote")) >= 10
    assert not tree.xpath("//link | //script | //img")


# -- words ---------------------------------------------------------------------------------


def test_word_frequencies_and_kwic(sample_study: Study) -> None:
    rows = word_frequencies(sample_study, by="organisation", unit="word", top=5)
    from qualcode.ingest.nlp import stop_words

    assert rows and all(r["word"] not in stop_words("nl") for r in rows)
    lines = kwic(sample_study, "vertrouwen", unit="lemma")
    assert lines
    for line in lines:
        text = sample_study.document_text(line.document_id)
        assert text[line.start : line.end] == line.match
        assert line.match.lower().startswith("vertrouw")
    words = kwic(sample_study, "vertrouw*")
    assert len(words) >= len([x for x in lines if x.match.lower().startswith("vertrouw")])


def test_distinctive_words_log_likelihood(sample_study: Study) -> None:
    from qualcode.analysis.words import group_counts

    rows = distinctive_words(sample_study, by="role", unit="lemma", top=3)
    assert rows and all(r["g2"] >= 3.84 for r in rows)
    counts = group_counts(sample_study, by="role", unit="lemma")
    grand = sum(sum(c.values()) for c in counts.values())
    for r in rows[:5]:
        size = sum(counts[r["role"]].values())
        assert r["count"] == counts[r["role"]][r["lemma"]]
        assert r["g2"] == pytest.approx(log_likelihood(r["count"], r["rest"], size, grand - size), abs=0.01)
    # the definition: G² = 2 Σ O ln(O / E)
    assert log_likelihood(10, 0, 100, 100) == pytest.approx(2 * 10 * np.log(10 / 5))


# -- CLI -----------------------------------------------------------------------------------


def test_cli_commands(fixed: Study) -> None:
    path = str(fixed.path)
    fixed.close()
    runner = CliRunner()
    result = runner.invoke(main, ["stats", "--study", path, "--json"])
    assert result.exit_code == 0, result.output
    data = {r["code"]: r for r in json.loads(result.output)}
    assert data["Relatie"]["codings"] == 6 and data["Relatie"]["coded_words"] == 9
    result = runner.invoke(main, ["crosstab", "--study", path, "--by", "role", "--measure", "docs", "--csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(result.output.removeprefix("\ufeff").splitlines()))  # --csv: BOM first
    assert next(r for r in rows if r["code"] == "Schaamte")["ouder"] == "66.7"
    result = runner.invoke(main, ["stats", "--study", path, "--by-coder", "b", "--organisation", "A", "--csv"])
    assert "Relatie/Vertrouwensband,1,1,33.3,1,2" in result.output
    result = runner.invoke(main, ["cooccur", "--study", path, "--unit", "sentence", "--json"])
    assert result.exit_code == 0 and len(json.loads(result.output)) == 2
    result = runner.invoke(main, ["compare", "--study", path, "--sentences"])
    assert result.exit_code == 0 and "Relatie/Vertrouwensband: in 2 of 3 in A" in result.output
    result = runner.invoke(main, ["crosstab", "--study", path, "--by", "gemeente"])
    assert result.exit_code == 1 and "cannot group by" in result.output


def test_cli_exports_and_report(fixed: Study, tmp_path: Path) -> None:
    path = str(fixed.path)
    fixed.close()
    runner = CliRunner()
    out = tmp_path / "f.xlsx"
    result = runner.invoke(main, ["export", "fragments", "-o", str(out), "--study", path, "--role", "coach"])
    assert result.exit_code == 0 and "Wrote 1 fragments" in result.output
    table = tmp_path / "x.csv"
    result = runner.invoke(main, ["export", "table", "crosstab", "-o", str(table), "--study", path])
    assert result.exit_code == 0 and table.read_text(encoding="utf-8-sig").startswith("code,A,B,total")
    report = tmp_path / "r.html"
    result = runner.invoke(main, ["report", "-o", str(report), "--study", path])
    assert result.exit_code == 0 and '<h2 id="quotes">' in report.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["stats", "crosstab", "cooccur", "compare", "words", "kwic", "report"])
def test_help_has_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


@pytest.mark.parametrize("command", ["fragments", "table"])
def test_export_help_has_example(command: str) -> None:
    result = CliRunner().invoke(main, ["export", command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_comparing_a_single_group_says_what_to_do(study) -> None:
    """One organisation left after filtering: the message says how to get a comparison."""
    from qualcode.analysis import Scope
    from qualcode.analysis.compare import compare_groups
    from qualcode.core.errors import QualcodeError

    organisation = study.organisations()[0]["name"]
    with pytest.raises(QualcodeError) as raised:
        compare_groups(study, "organisation", Scope(organisation=organisation))
    message = str(raised.value)
    assert "\n" not in message and "widen the filters or group by" in message
