"""The panel: presence of codes per case and wave, gained and lost, variables and their
changes, recomputed by hand on a small study; the paired test checked against scipy."""

from __future__ import annotations

import csv
import io
import json
import statistics
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from scipy import stats

from qualcode.analysis.panel import TOO_FEW, paired_test, panel
from qualcode.cli import main
from qualcode.study.study import Study

# Six families, each with a parent interview at wave 1 and 2; family G-6 has no wave 2.
CASES = ["G-1", "G-2", "G-3", "G-4", "G-5", "G-6"]
# Who coded what: (case, wave, coder, code path).
CODINGS = [
    ("G-1", "1", "anna", "Thema/Schaamte"),
    ("G-1", "2", "anna", "Thema/Vertrouwen"),
    ("G-2", "1", "anna", "Thema/Vertrouwen"),
    ("G-2", "2", "anna", "Thema/Vertrouwen"),
    ("G-3", "1", "bram", "Thema/Schaamte"),
    ("G-3", "2", "anna", "Thema/Schaamte"),
    ("G-4", "2", "bram", "Thema/Vertrouwen"),
    ("G-6", "1", "anna", "Thema/Vertrouwen"),
]
SCORES = {  # case: (wave 1, wave 2); None: not measured
    "G-1": (5.0, 6.0),
    "G-2": (6.0, 8.0),
    "G-3": (7.0, 6.5),
    "G-4": (4.0, 7.0),
    "G-5": (5.5, 9.5),
    "G-6": (6.0, None),
}


def run(*args: object, ok: bool = True) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture
def panel_path(tmp_path: Path) -> Path:
    path = tmp_path / "panel.qualcode"
    with Study.create(path) as study:
        docs = {}
        for case in CASES:
            for wave in ("1", "2"):
                if case == "G-6" and wave == "2":
                    continue
                docs[(case, wave)] = study.add_document(
                    f"Interviewer: hoe gaat het met {case} in golf {wave}?\nOuder: het gaat {case} {wave}.",
                    title=f"{case}-{wave}",
                    metadata={"case": case, "wave": wave, "role": "ouder"},
                )
        parent = study.add_code("Thema")
        codes = {f"Thema/{n}": study.add_code(n, parent.id) for n in ("Schaamte", "Vertrouwen")}
        for case, wave, coder, code_path in CODINGS:
            study.set_coder(coder)
            study.add_coding(docs[(case, wave)], codes[code_path].id, 0, 11)
        lines = ["case;wave;score;niveau"]
        for case, (a, b) in SCORES.items():
            lines.append(f"{case};1;{str(a).replace('.', ',')};laag")
            if b is not None:
                lines.append(f"{case};2;{str(b).replace('.', ',')};hoog")
        scores = path.parent / "scores.csv"
        scores.write_text("\n".join(lines) + "\n", encoding="utf-8")
        study.import_variables(scores)
    return path


def test_presence_gained_and_lost_by_hand(panel_path: Path) -> None:
    with Study.open(panel_path) as study:
        result = panel(study)
        ids = {p: c for c, p in result.codes}
        rows = {r.case: r for r in result.cases}
        assert result.waves == ["1", "2"] and (result.first, result.last) == ("1", "2")
        # Only codes present somewhere, parents rolled up.
        assert sorted(ids) == ["Thema", "Thema/Schaamte", "Thema/Vertrouwen"]
        s, v, t = ids["Thema/Schaamte"], ids["Thema/Vertrouwen"], ids["Thema"]
        expected = {
            "G-1": ({s, t}, {v, t}),
            "G-2": ({v, t}, {v, t}),
            "G-3": ({s, t}, {s, t}),
            "G-4": (set(), {v, t}),
            "G-5": (set(), set()),
        }
        for case, (one, two) in expected.items():
            assert (rows[case].codes["1"], rows[case].codes["2"]) == (one, two), case
            assert rows[case].gained == two - one and rows[case].lost == one - two
        # G-6 was not interviewed at wave 2: not measured, and nothing gained or lost.
        assert rows["G-6"].codes == {"1": {v, t}} and rows["G-6"].gained is None
        assert rows["G-6"].present(v, "2") is None and rows["G-6"].present(v, "1") is True
        assert result.measured_cases == {"1": 6, "2": 5}
        assert result.code_cases[v] == {"1": 2, "2": 3}
        assert result.code_cases[s] == {"1": 2, "2": 1}
        assert result.code_cases[t] == {"1": 4, "2": 4}


def test_counted_coders(panel_path: Path) -> None:
    with Study.open(panel_path) as study:
        result = panel(study, coders=["anna"], codes=["Thema/Schaamte"])
        rows = {r.case: r for r in result.cases}
        (s,) = [c for c, _ in result.codes]
        # bram's coding of Schaamte in G-3 wave 1 is not counted: G-3 gained it at wave 2.
        assert rows["G-3"].codes == {"1": set(), "2": {s}} and rows["G-3"].gained == {s}
        assert result.coders == ["anna"]
        no_rollup = panel(study, rollup=False, codes=["Thema"])
        assert all(not any(r.codes.values()) for r in no_rollup.cases)


def test_variable_figures_and_paired_test_against_scipy(panel_path: Path) -> None:
    with Study.open(panel_path) as study:
        result = panel(study)
        (score,) = [s for s in result.summaries if s.name == "score"]
        first = [a for a, _ in SCORES.values()]
        second = [b for _, b in SCORES.values() if b is not None]
        assert score.waves["1"].n == 6 and score.waves["1"].mean == pytest.approx(statistics.fmean(first))
        assert score.waves["1"].median == pytest.approx(statistics.median(first))
        assert score.waves["2"].n == 5 and score.waves["2"].median == pytest.approx(statistics.median(second))
        before = [a for a, b in SCORES.values() if b is not None]
        after = [b for _, b in SCORES.values() if b is not None]
        diffs = [b - a for a, b in zip(before, after)]  # 1, 2, -0.5, 3, 4
        assert score.pairs == 5 and score.mean_change == pytest.approx(statistics.fmean(diffs))
        reference = stats.wilcoxon(after, before)
        assert score.statistic == pytest.approx(reference.statistic) and score.p == pytest.approx(reference.pvalue)
        assert score.method == "exact" and score.p == pytest.approx(4 / 32)  # W ≤ 1 in 2 of 32 sign patterns, two-sided
        # Ranks of |d|: 0.5→1, 1→2, 2→3, 3→4, 4→5; R− = 1, R+ = 14.
        assert score.effect == pytest.approx((14 - 1) / 15)
        low, high = score.ci
        half = stats.t.ppf(0.975, 4) * statistics.stdev(diffs) / 5**0.5
        assert (low, high) == pytest.approx((statistics.fmean(diffs) - half, statistics.fmean(diffs) + half))
        (niveau,) = [s for s in result.summaries if s.name == "niveau"]
        assert not niveau.numeric and niveau.waves["2"].n == 5 and niveau.p is None


def test_too_few_pairs_still_gives_descriptives(panel_path: Path) -> None:
    with Study.open(panel_path) as study:
        study.remove_variable("score", case="G-5", wave="2")
        (score,) = panel(study, variables=["score"]).summaries
        assert score.pairs == 4 and score.note == TOO_FEW and score.p is None
        assert score.mean_change == pytest.approx(statistics.fmean([1, 2, -0.5, 3]))
        assert score.waves["2"].n == 4


def test_paired_test_with_ties_and_zeros_matches_scipy() -> None:
    changes = [1.0, 1.0, 2.0, -1.0, 0.0, 3.0, 2.0]
    test = paired_test(changes)
    reference = stats.wilcoxon(changes)  # scipy drops the zero too
    assert test["p"] == pytest.approx(reference.pvalue) and test["statistic"] == pytest.approx(reference.statistic)
    assert test["method"] == "exact (permutations, ties)"
    ranks = stats.rankdata([1, 1, 2, 1, 3, 2])
    plus = ranks[[0, 1, 2, 4, 5]].sum()
    assert test["effect"] == pytest.approx((plus - ranks[3]) / ranks.sum())


def test_json_contract(panel_path: Path) -> None:
    scores = json.loads(run("panel", "--variable", "score", "--json", "--study", panel_path).stdout)
    assert scores[0] == {"case": "G-1", "waves": {"1": 5.0, "2": 6.0}, "change": 1.0}
    assert scores[5] == {"case": "G-6", "waves": {"1": 6.0, "2": None}, "change": None}
    codes = json.loads(run("panel", "--code", "Thema/Schaamte", "--json", "--study", panel_path).stdout)
    assert [c["case"] for c in codes] == CASES
    assert codes[0] == {"case": "G-1", "waves": {"1": True, "2": False}}
    assert codes[5] == {"case": "G-6", "waves": {"1": False, "2": None}}
    bad = run("panel", "--variable", "gewicht", "--study", panel_path, ok=False)
    assert bad.stderr == "Error: no variable “gewicht” (variables: niveau, score)\n"


def test_joint_display_csv_and_xlsx(panel_path: Path, tmp_path: Path) -> None:
    out = run("panel", "--code", "Thema/Vertrouwen", "--variable", "score", "--csv", "--study", panel_path).stdout
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert list(rows[0]) == [
        "case",
        "Thema/Vertrouwen @ 1",
        "Thema/Vertrouwen @ 2",
        "score @ 1",
        "score @ 2",
        "score change",
        "gained",
        "lost",
    ]
    assert rows[0] == {
        "case": "G-1",
        "Thema/Vertrouwen @ 1": "0",
        "Thema/Vertrouwen @ 2": "1",
        "score @ 1": "5.0",
        "score @ 2": "6.0",
        "score change": "1.0",
        "gained": "Thema/Vertrouwen",
        "lost": "",
    }
    assert rows[5]["Thema/Vertrouwen @ 2"] == "" and rows[5]["gained"] == ""
    target = tmp_path / "panel.xlsx"
    assert run("panel", "-o", target, "--study", panel_path).stdout == f"Wrote the panel of 6 case(s) to {target}.\n"
    with zipfile.ZipFile(target) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "Thema/Schaamte @ 1" in sheet and "G-6" in sheet


def test_table_output_names_what_is_counted(panel_path: Path) -> None:
    out = run("panel", "--coder", "bram", "--study", panel_path).stdout
    assert out.splitlines()[0] == "Panel of 6 case(s), waves 1, 2; changes wave 1 → 2; codings by bram."
    assert "too few" not in out and "exact" in out


def test_per_case_answers_do_not_load_scipy(panel_path: Path) -> None:
    """The per-case answers never show the tests, so they do not pay scipy's import."""
    import subprocess
    import sys

    script = (
        "import sys; from qualcode.cli import main\n"
        "try:\n"
        f"    main(['panel', '--variable', 'score', '--json', '--study', {str(panel_path)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('scipy' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)[0]["case"] == "G-1"
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_a_chosen_code_reads_only_its_subtree_and_agrees_with_the_whole_panel(panel_path: Path) -> None:
    """--code reads the tally of the code and its sub-codes only; presence must not change."""
    with Study.open(panel_path) as study:
        whole = panel(study)
        for path in ("Thema", "Thema/Schaamte", "Thema/Vertrouwen"):
            for rollup in (True, False):
                full = panel(study, rollup=rollup)
                one = panel(study, codes=[path], rollup=rollup)
                (code_id,) = [c for c, _ in one.codes]
                assert one.code_json(code_id) == full.code_json(code_id), (path, rollup)
        assert whole.code_cases == panel(study).code_cases


def test_one_variable_json_skips_the_codes_and_keeps_the_answer(panel_path: Path) -> None:
    with Study.open(panel_path) as study:
        expected = panel(study).variable_json("score")
        lean = panel(study, variables=["score"], presence=False)
        assert lean.codes == [] and all(r.gained is None for r in lean.cases)
        assert lean.variable_json("score") == expected
    out = run("panel", "--variable", "score", "--json", "--study", panel_path)
    assert json.loads(out.stdout) == expected
