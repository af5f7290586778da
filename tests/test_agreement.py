"""Intercoder agreement on a small study with known spans: the 2×2 tables by sentence unit,
kappa against scikit-learn, Krippendorff's alpha against a hand computation (with a missing
coder), segment matching at several thresholds, character Jaccard, roll-up, the list of
disagreements, the CLI and the Analyse screen's Agreement tab."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score

from qualcode.analysis import Scope
from qualcode.analysis.agreement import agreement, binary_alpha, cohen_kappa, disagreements, pair_alpha
from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study
from tui_helpers import ScreenApp

NUMBERS = ["een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien"]


def text(topic: str) -> str:
    return " ".join(f"Dit is zin nummer {n} over {topic} en het gezin." for n in NUMBERS)


# Sentence units of document 1 coded with X, per coder (by sentence index).
X_A = {0, 1, 2, 5}
X_B = {1, 2, 3, 5, 8}
X_C = {1, 2, 5}


def vector(chosen: set[int], n: int = 10) -> list[int]:
    return [1 if i in chosen else 0 for i in range(n)]


def build(path: Path) -> Study:
    """Three coders. Document 1 (10 sentences): A, B and C code X on whole sentences; A codes
    Y on exactly half of sentence 7 and B on one character less; on sentence 8 A codes
    Thema/Deel and B codes Thema. Document 2: only A and C code (B is missing there).
    Document 3 holds segments with known overlaps, document 4 overlapping codings by one
    coder (for character merging)."""
    study = Study.create(path, "agreement")
    for name in ("X", "Y", "Z", "Thema"):
        study.add_code(name)
    study.add_code("Deel", "Thema")
    d1 = study.add_document(text("de coach"), title="een", metadata={"organisation": "Leergeld", "role": "ouder"})
    d2 = study.add_document(text("de school"), title="twee", metadata={"organisation": "Coevorden", "role": "ouder"})
    d3 = study.add_document(text("het verhaal"), title="drie")
    d4 = study.add_document(text("de buurt"), title="vier")
    s1 = study.sentences(d1)
    for coder, chosen in (("a", X_A), ("b", X_B), ("c", X_C)):
        for i in sorted(chosen):
            study.add_coding(d1, "X", s1[i].start, s1[i].end, coder=coder)
    half = (s1[7].end - s1[7].start + 1) // 2
    study.add_coding(d1, "Y", s1[7].start, s1[7].start + half, coder="a")
    study.add_coding(d1, "Y", s1[7].start, s1[7].start + half - 1, coder="b")
    study.add_coding(d1, "Thema/Deel", s1[8].start, s1[8].end, coder="a")
    study.add_coding(d1, "Thema", s1[8].start, s1[8].end, coder="b")
    s2 = study.sentences(d2)
    study.add_coding(d2, "X", s2[0].start, s2[0].end, coder="a")
    for i in (0, 1):
        study.add_coding(d2, "X", s2[i].start, s2[i].end, coder="c")
    # Segments: 90% overlap, 30% overlap, and one coding only B made.
    for coder, start, end in (("a", 0, 100), ("b", 10, 100), ("a", 200, 260), ("b", 230, 300), ("b", 400, 450)):
        study.add_coding(d3, "Z", start, end, coder=coder)
    # Characters: A's two codings overlap each other (50–100 twice), B's do not.
    for coder, start, end in (
        ("a", 0, 100),
        ("a", 50, 120),
        ("a", 200, 260),
        ("b", 10, 100),
        ("b", 230, 300),
        ("b", 400, 450),
    ):
        study.add_coding(d4, "Z", start, end, coder=coder)
    return study


@pytest.fixture
def built(tmp_path: Path):
    study = build(tmp_path / "agree.qualcode")
    yield study
    study.close()


def row(result, code: str, a: str = "a", b: str = "b"):
    pair = next(p for p in result.pairs if (p.coder_a, p.coder_b) == (a, b))
    if code == "(all codes)":
        return pair.overall
    return next(r for r in pair.rows if r.code == code)


def test_sentence_units_two_by_two_kappa_against_sklearn(built: Study) -> None:
    result = agreement(built, ["a", "b"], documents=["een"])
    x = row(result, "X")
    assert (x.units, x.both, x.only_a, x.only_b, x.neither) == (10, 3, 1, 2, 4)
    assert x.agreement == pytest.approx(70.0)
    assert x.kappa == pytest.approx(cohen_kappa_score(vector(X_A), vector(X_B)))
    assert x.jaccard == pytest.approx(3 / 6)
    # by default: the documents both coded (not "twee", which b did not code)
    both_coded = agreement(built, ["a", "b"])
    assert sorted(title for _, title in both_coded.pairs[0].documents) == ["drie", "een", "vier"]
    assert row(both_coded, "X").units == 30 and row(both_coded, "X").neither == 24


def test_half_a_sentence_counts_and_less_does_not(built: Study) -> None:
    y = row(agreement(built, ["a", "b"], documents=["een"]), "Y")
    assert (y.both, y.only_a, y.only_b) == (0, 1, 0)
    assert "too few" in y.note


def test_pair_alpha_matches_a_hand_computation(built: Study) -> None:
    x = row(agreement(built, ["a", "b"], documents=["een"]), "X")
    # 2 coders × 10 units: n = 20, n1 = 2·3 + 1 + 2 = 9, n0 = 11, o01 = 3 disagreeing units
    assert x.alpha == pytest.approx(1 - 19 * 3 / (11 * 9))


def test_three_coders_alpha_with_a_missing_coder(built: Study) -> None:
    result = agreement(built, ["a", "b", "c"])
    assert [(p.coder_a, p.coder_b) for p in result.pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    # a × c compare both documents a and c coded: 20 sentences
    assert row(result, "X", "a", "c").units == 20
    x = next(r for r in result.alpha_rows if r.code == "X")
    # Document 1: 10 units × 3 coders; ones per unit k = 1,3,3,1,0,3,0,0,1,0 → n1 = 12,
    #   o01 = Σ k(3−k)/2 = 3 (three units with k = 1).
    # Document 2: b is missing, 10 units × 2 coders; k = 2,1,0,… → n1 = 3, o01 = 1.
    # Documents 3 and 4: c is missing, 2 × 10 units × 2 coders, no X at all.
    n, n1, o01 = 30 + 20 + 40, 12 + 3, 3 + 1
    assert x.alpha == pytest.approx(1 - (n - 1) * o01 / ((n - n1) * n1))


def test_rollup_joins_a_parent_and_its_sub_code(built: Study) -> None:
    rolled = agreement(built, ["a", "b"], documents=["een"])
    thema = row(rolled, "Thema")
    assert (thema.both, thema.only_a, thema.only_b) == (1, 0, 0)
    flat = agreement(built, ["a", "b"], rollup=False, documents=["een"])
    assert (row(flat, "Thema").only_b, row(flat, "Thema/Deel").only_a) == (1, 1)
    # the overall row pools the codes as applied, so the roll-up does not count twice
    for result in (rolled, flat):
        overall = row(result, "(all codes)")
        assert (overall.both, overall.only_a, overall.only_b, overall.units) == (3, 3, 3, 40)
    a = vector(X_A) + vector({7}) + vector({8}) + vector(set())
    b = vector(X_B) + vector(set()) + vector(set()) + vector({8})
    assert row(rolled, "(all codes)").kappa == pytest.approx(cohen_kappa_score(a, b))


@pytest.mark.parametrize(
    ("overlap", "matched", "only_a", "only_b"),
    [(0.5, 2, 1, 2), (0.25, 4, 0, 1), (0.9, 2, 1, 2), (0.95, 0, 2, 3)],
)
def test_segment_matching_by_threshold(built: Study, overlap: float, matched: int, only_a: int, only_b: int) -> None:
    z = row(agreement(built, ["a", "b"], unit="segment", overlap=overlap, documents=["drie"]), "Z")
    assert (z.coded_a, z.coded_b) == (2, 3)
    assert (z.both, z.only_a, z.only_b) == (matched, only_a, only_b)
    assert z.agreement == pytest.approx(100 * matched / 5)


def test_character_jaccard_over_merged_spans(built: Study) -> None:
    z = row(agreement(built, ["a", "b"], unit="character", documents=["vier"]), "Z")
    # a: 0–120 ∪ 200–260 = 180; b: 10–100 ∪ 230–300 ∪ 400–450 = 210; shared 90 + 30 = 120
    assert (z.coded_a, z.coded_b, z.both) == (180, 210, 120)
    assert z.jaccard == pytest.approx(120 / 270)
    assert z.units == len(text("de buurt")) and z.neither == z.units - 270


def test_kappa_undefined_says_why() -> None:
    assert cohen_kappa(0, 0, 0, 10) == (None, "kappa n/a: neither coder coded any unit with it")
    assert cohen_kappa(10, 0, 0, 0)[0] is None
    assert binary_alpha(20, 0, 0.0)[0] is None
    assert pair_alpha(5, 0, 0, 5)[0] == pytest.approx(1.0)


def test_disagreements_list_sentences(built: Study) -> None:
    found = [d for d in disagreements(built, ["a", "b"], documents=["een"]) if d.code == "X"]
    s1 = built.sentences(built.document("een").id)
    assert [(d.start, d.end, d.coded_by, d.not_by) for d in found] == [
        (s1[0].start, s1[0].end, "a", "b"),
        (s1[3].start, s1[3].end, "b", "a"),
        (s1[8].start, s1[8].end, "b", "a"),
    ]
    # what a coded on sentence 8 instead
    assert found[2].other_codes == "Thema/Deel"
    assert found[0].text.startswith("Dit is zin nummer een")


def test_disagreements_segments_and_characters(built: Study) -> None:
    segs = disagreements(built, ["a", "b"], unit="segment", documents=["drie"], code="Z")
    assert sorted((d.start, d.end, d.coded_by) for d in segs) == [(200, 260, "a"), (230, 300, "b"), (400, 450, "b")]
    assert next(d for d in segs if d.start == 200).detail.startswith("best overlap 30%")
    chars = disagreements(built, ["a", "b"], unit="character", documents=["vier"], code="Z")
    assert sorted((d.start, d.end, d.coded_by) for d in chars) == [
        (0, 10, "a"),
        (100, 120, "a"),
        (200, 230, "a"),
        (260, 300, "b"),
        (400, 450, "b"),
    ]


def test_filters_and_errors(built: Study) -> None:
    result = agreement(built, ["a", "c"], scope=Scope(organisation="Coevorden"))
    assert [t for _, t in result.pairs[0].documents] == ["twee"]
    with pytest.raises(QualcodeError, match="no codings by “zed”"):
        agreement(built, ["a", "zed"])
    with pytest.raises(QualcodeError, match="coded no document in common"):
        agreement(built, ["a", "b"], scope=Scope(organisation="Coevorden"))
    with pytest.raises(QualcodeError, match="unit"):
        agreement(built, ["a", "b"], unit="word")


def test_sample_study_two_researchers(sample_study: Study) -> None:
    result = agreement(sample_study)
    assert result.coders == ["onderzoeker-a", "onderzoeker-b"]
    pair = result.pairs[0]
    b_docs = {c["document_id"] for c in sample_study.fragments(coder="onderzoeker-b")}
    assert {d for d, _ in pair.documents} == b_docs
    overall = pair.overall
    assert overall.coded_b > 0 and 0 < overall.kappa < 1


# -- CLI ---------------------------------------------------------------------------------------


def test_cli_json_and_csv(built: Study) -> None:
    path = str(built.path)
    runner = CliRunner()
    res = runner.invoke(main, ["agreement", "--study", path, "--coders", "a", "b", "-d", "een", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    x = next(r for r in rows if r["code"] == "X")
    assert (x["both"], x["only_a"], x["only_b"], x["neither"], x["coder_a"]) == (3, 1, 2, 4, "a")
    res = runner.invoke(
        main, ["agreement", "--study", path, "--coders", "a,b", "--unit", "segment", "-d", "drie", "--csv"]
    )
    assert res.exit_code == 0, res.output
    lines = res.output.removeprefix("\ufeff").splitlines()  # --csv starts with a BOM
    assert lines[0] == "coder_a,coder_b,code,coded_a,coded_b,matched,only_a,only_b,agreement,note"
    assert lines[1].startswith("a,b,Z,2,3,2,1,2,40.0,")


def test_cli_table_disagreements_and_errors(built: Study) -> None:
    path = str(built.path)
    runner = CliRunner()
    res = runner.invoke(main, ["agreement", "a", "b", "--study", path])
    assert res.exit_code == 0
    assert "a (A) × b (B): 3 document(s) both coded, 30 sentences." in res.output
    assert "n/a" not in res.output.split("(all codes)")[1]
    res = runner.invoke(
        main, ["agreement", "--coders", "a", "b", "-d", "een", "--study", path, "--disagreements", "--code", "X"]
    )
    assert res.exit_code == 0 and "3 disagreement(s)." in res.output
    res = runner.invoke(main, ["agreement", "--coders", "a", "--study", path])
    assert res.exit_code == 1 and res.output.startswith("Error: name at least two")
    assert "Example:" in runner.invoke(main, ["agreement", "--help"]).output


# -- TUI ---------------------------------------------------------------------------------------


async def test_agreement_tab_drills_to_disagreements_and_jumps(built: Study) -> None:
    from textual.widgets import DataTable, Select, TabbedContent

    from qualcode.tui.screens.analyse import AnalyseScreen, FragmentsScreen

    app = ScreenApp(lambda: AnalyseScreen(built))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#analyse-tabs", TabbedContent).active = "tab-agreement"
        await pilot.pause()  # the tab is built when first shown
        screen.query_one("#g-coder-a", Select).value = "a"
        screen.query_one("#g-coder-b", Select).value = "b"
        await pilot.pause()
        await pilot.pause()
        table = screen.query_one("#agreement", DataTable)
        codes = [
            str(getattr(table.get_cell_at((r, 0)), "plain", table.get_cell_at((r, 0)))).strip()
            for r in range(table.row_count)
        ]
        x_row = codes.index("X")
        both = [str(c.label) for c in table.columns.values()].index("Both")
        assert str(table.get_cell_at((x_row, both))) == "3"
        table.focus()
        table.move_cursor(row=x_row)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FragmentsScreen)
        assert len(app.screen.fragments) == 3
        first = app.screen.fragments[0]
        await pilot.press("enter")
        await pilot.pause()
        assert app.jumps[0] == (
            first["document_id"],
            first["start"],
            first["end"],
        )
        screen.query_one("#g-unit", Select).value = "segment"
        await pilot.pause()
        assert "Matched" in [str(c.label) for c in table.columns.values()]
