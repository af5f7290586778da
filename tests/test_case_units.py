"""Grouping by case attributes and waves, the report's unit, and `compare A B` carrying cases,
recomputed independently with pandas over the fragments export (and scipy for the tests)."""

from __future__ import annotations

import json
import random
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.analysis.compare import compare_groups, compare_studies
from qualcode.analysis.matrices import crosstab
from qualcode.analysis.report import build_report
from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.core.scope import Scope
from qualcode.exchange.tables import write_fragments
from qualcode.study.study import Study

CODES = ["Thema", "Thema/Schaamte", "Thema/Vertrouwen", "Anders"]
# case: (gemeente, [(role, wave, school)]) — G-04's two documents differ in their school
FAMILIES = {
    "G-01": ("Emmen", [("ouder", "1", "De Es"), ("kind", "1", "De Es"), ("ouder", "2", "De Es")]),
    "G-02": ("Emmen", [("ouder", "1", "De Es"), ("ouder", "2", "De Es")]),
    "G-03": ("Emmen", [("ouder", "1", "Het Anker"), ("coach", "1", "Het Anker")]),
    "G-04": ("Assen", [("ouder", "1", "De Es"), ("kind", "2", "Het Anker")]),
    "G-05": ("Assen", [("ouder", "1", "Het Anker"), ("ouder", "2", "Het Anker")]),
    "G-06": ("Assen", [("ouder", "1", "Het Anker")]),
    "G-07": ("Assen", [("coach", "1", "De Es"), ("ouder", "2", "De Es")]),
    "G-08": ("Meppel", [("ouder", "1", "De Es")]),
}
SENTENCES = [f"Ouder: Dit is zin {i} over het gezin en de hulp.\n" for i in range(6)]


def build(path: Path, seed: int = 7, *, name: str = "gezinnen", scores: bool = True) -> Path:
    rng = random.Random(seed)
    study = Study.create(path, name, coder="anna")
    for code in CODES:
        parent, _, leaf = code.rpartition("/")
        study.add_code(leaf, parent=parent or None)
    n = 0
    for case, (gemeente, docs) in FAMILIES.items():
        for role, wave, school in docs:
            n += 1
            doc = study.add_document(
                "".join(SENTENCES) + f"Ouder: Dit is {case} {role} {wave}.\n",
                title=f"{case}-{role}-{wave}",
                metadata={"organisation": "Welzijn", "role": role, "participant": f"P{n}", "school": school},
            )
            study.assign_case(doc, case, wave=wave)
            added = 0
            for coder in ("anna", "bram"):
                study.set_coder(coder)
                for code in ("Thema/Schaamte", "Thema/Vertrouwen", "Anders"):
                    if rng.random() < 0.45 or (coder == "bram" and code == "Anders" and not added):
                        start = rng.randrange(0, len(SENTENCES) - 1) * len(SENTENCES[0])
                        study.add_coding(doc, code, start + 7, start + 20)
                        added += 1
            study.set_coder("anna")
        study.set_case_attribute(case, "gemeente", gemeente)
        if scores:
            for wave in ("1", "2"):
                study.set_variable(case, wave, "zelfredzaamheid", str(round(rng.uniform(3, 9), 1)))
    # a coded document in no case, and one nobody coded
    loose = study.add_document(
        "".join(SENTENCES) + "Los.\n", title="los", metadata={"organisation": "Welzijn", "role": "ouder"}
    )
    study.add_coding(loose, "Anders", 7, 20)
    study.add_document(
        "".join(SENTENCES) + "Leeg.\n", title="leeg", metadata={"organisation": "Welzijn", "role": "ouder"}
    )
    study.close()
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("families") / "gezinnen.qualcode")


@pytest.fixture
def study_path(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "gezinnen.qualcode"
    target.write_bytes(built.read_bytes())
    return target


@pytest.fixture
def fragments(built: Path, tmp_path: Path) -> pd.DataFrame:
    """The fragments export (one row per coding), read back with pandas, with each case's
    gemeente and each document's school joined from the study: the independent side."""
    with Study.open(built) as study:
        write_fragments(study, tmp_path / "f.csv")
        gemeente = {c["case"]: c["attributes"].get("gemeente") for c in study.cases()}
    school = {f"{case}-{role}-{wave}": s for case, (_, docs) in FAMILIES.items() for role, wave, s in docs}
    frame = pd.read_csv(tmp_path / "f.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame["gemeente"] = frame["case"].map(gemeente).fillna("")
    frame["school"] = frame["document"].map(school)
    # rolled up: a sub-code's coding counts for its parent too
    parents = frame[frame["code"].str.contains("/")].copy()
    parents["code"] = parents["code"].str.split("/").str[0]
    return pd.concat([frame, parents], ignore_index=True)


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def present(fragments: pd.DataFrame, unit: str, by: str) -> dict[tuple[str, str], int]:
    """(code, group) -> units with the code, from the export alone."""
    column = {"case": "case", "document": "document", "participant": "participant"}[unit]
    rows = fragments[fragments["case"] != ""] if unit == "case" else fragments
    return {k: int(v) for k, v in rows.groupby(["code", by])[column].nunique().items()}


def units_per_group(fragments: pd.DataFrame, unit: str, by: str) -> dict[str, int]:
    column = {"case": "case", "document": "document", "participant": "participant"}[unit]
    rows = fragments[fragments["case"] != ""] if unit == "case" else fragments
    return {k: int(v) for k, v in rows.groupby(by)[column].nunique().items()}


# -- grouping by a case attribute and by wave ----------------------------------------------


@pytest.mark.parametrize("unit", ["case", "document"])
def test_crosstab_by_a_case_attribute_counts_as_pandas_does(built: Path, fragments: pd.DataFrame, unit: str) -> None:
    with Study.open(built) as study:
        matrix = crosstab(study, "gemeente", unit=unit)
    expected = present(fragments, unit, "gemeente")
    sizes = units_per_group(fragments, unit, "gemeente")
    if unit == "document":  # the coded document in no case has no gemeente
        sizes["(none)"] = sizes.pop("", 0)
        expected = {(c, "(none)" if g == "" else g): n for (c, g), n in expected.items()}
    assert {g.name: g.documents for g in matrix.groups} == sizes
    got = {(path, g): n for (code_id, g), n in matrix.documents.items() for c, path, _ in matrix.codes if c == code_id}
    assert got == expected
    assert matrix.unit == unit


def test_crosstab_by_wave_at_case_unit_counts_a_family_at_each_wave(built: Path, fragments: pd.DataFrame) -> None:
    with Study.open(built) as study:
        matrix = crosstab(study, "wave", unit="case")
    assert {g.name: g.documents for g in matrix.groups} == units_per_group(fragments, "case", "wave")
    got = {(path, g): n for (code_id, g), n in matrix.documents.items() for c, path, _ in matrix.codes if c == code_id}
    assert got == present(fragments, "case", "wave")
    split = next(n for n in matrix.notes if "more than one wave" in n)
    twice = sorted(fragments[fragments["case"] != ""].groupby("case")["wave"].nunique().loc[lambda s: s > 1].index)
    assert split.startswith(f"{len(twice)} cases fall in more than one wave and count in each")


def test_compare_by_case_attribute_against_scipy(built: Path, fragments: pd.DataFrame) -> None:
    from scipy.stats import chi2_contingency, fisher_exact

    with Study.open(built) as study:
        result = compare_groups(study, "gemeente", unit="case")
    sizes = units_per_group(fragments, "case", "gemeente")
    assert result.groups == sorted(sizes.items())
    expected = present(fragments, "case", "gemeente")
    for code in result.codes:
        assert [(g.group, g.with_code) for g in code.groups] == [
            (g, expected.get((code.code, g), 0)) for g, _ in result.groups
        ]
    # Meppel has 1 case: too few, so Emmen (3) and Assen (4) are too few as well: nothing tested
    assert all(c.p is None for c in result.codes)
    # groups of 5 or more get tested: at document level (unit document) chi-square/Fisher
    with Study.open(built) as study:
        docs = compare_groups(study, "school", unit="document")
    tested = [c for c in docs.codes if c.p is not None]
    assert tested
    for code in tested:
        groups = [g for g in code.groups if g.group in code.tested]  # "(none)": the loose document, too few
        table = [[g.with_code for g in groups], [g.units - g.with_code for g in groups]]
        if code.test == "chi-square":
            statistic, p, _, _ = chi2_contingency(table, correction=True)
            assert (code.statistic, code.p) == pytest.approx((statistic, p))
        else:
            assert code.test == "Fisher's exact test"
            assert code.p == pytest.approx(fisher_exact(table).pvalue)


def test_a_document_attribute_that_differs_within_a_case_counts_the_case_in_each(
    built: Path, fragments: pd.DataFrame
) -> None:
    """Decided: at unit=case a case whose documents differ in a document attribute counts in
    each of its groups, named in the notes, and compare says its test is approximate."""
    with Study.open(built) as study:
        matrix = crosstab(study, "school", unit="case")
        result = compare_groups(study, "school", unit="case")
    sizes = units_per_group(fragments, "case", "school")
    assert {g.name: g.documents for g in matrix.groups} == sizes
    assert sum(sizes.values()) == fragments[fragments["case"] != ""]["case"].nunique() + 1  # G-04 twice
    assert any("1 case fall in more than one school and count in each (G-04)" in n for n in matrix.notes)
    assert any(
        "The tests treat the groups as independent, but 1 case is in more than one school" in n for n in result.notes
    )


def test_by_wave_compare_points_to_the_paired_panel(built: Path) -> None:
    with Study.open(built) as study:
        result = compare_groups(study, "wave", unit="case")
    assert any("`qualcode panel` compares the same families across waves, paired" in n for n in result.notes)


def test_case_attribute_filter(built: Path, fragments: pd.DataFrame) -> None:
    with Study.open(built) as study:
        matrix = crosstab(study, "role", Scope(attributes={"gemeente": "Assen"}), unit="case")
        same = crosstab(study, "role", Scope(attributes={"case:gemeente": "Assen"}), unit="case")
    assen = fragments[fragments["gemeente"] == "Assen"]
    assert {g.name: g.documents for g in matrix.groups} == units_per_group(assen, "case", "role")
    assert matrix.documents == same.documents


def test_ambiguous_names_are_one_line_errors_and_prefixes_choose(study_path: Path) -> None:
    before = study_path.read_bytes()
    with Study.open(study_path) as study:
        study.set_case_attribute("G-01", "school", "De Es")  # now school is a case attribute too
    changed = study_path.read_bytes()
    assert changed != before
    for args in (
        ["crosstab", "--by", "school"],
        ["compare", "--by", "school"],
        ["stats", "-w", "school=De Es"],
        ["report", "-o", study_path.parent / "r.html", "--by", "school"],
    ):
        result = run(*args, "--study", study_path)
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "both a document attribute and a case attribute" in lines[0]
        assert "doc:school" in lines[0] and "case:school" in lines[0]
        assert study_path.read_bytes() == changed
    assert not (study_path.parent / "r.html").exists()
    by_doc = run("crosstab", "--by", "doc:school", "--unit", "document", "--json", "--study", study_path)
    by_case = run("crosstab", "--by", "case:school", "--unit", "document", "--json", "--study", study_path)
    assert by_doc.exit_code == by_case.exit_code == 0
    assert set(json.loads(by_doc.stdout)[0]) >= {"De Es", "Het Anker"}
    assert set(json.loads(by_case.stdout)[0]) == {"code", "De Es", "(none)", "total"}


def test_unknown_grouping_lists_the_case_attributes(built: Path) -> None:
    with Study.open(built) as study, pytest.raises(QualcodeError, match="gemeente") as err:
        crosstab(study, "gemeent")
    assert "\n" not in str(err.value)


def test_stats_and_report_group_by_case_attribute_from_the_cli(study_path: Path) -> None:
    result = run("crosstab", "--by", "gemeente", "--measure", "docs", "--csv", "--study", study_path)
    assert result.exit_code == 0 and "Assen" in result.stdout.splitlines()[0]
    target = study_path.parent / "r.html"
    assert run("report", "-o", target, "--by", "gemeente", "--study", study_path).exit_code == 0
    assert "Codes by gemeente" in target.read_text(encoding="utf-8")


# -- the report counts its unit -------------------------------------------------------------


def _text(page: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("unit", ["case", "document", "participant"])
def test_report_figures_say_what_they_count(built: Path, fragments: pd.DataFrame, unit: str) -> None:
    with Study.open(built) as study:
        page = build_report(study, by="gemeente", unit=unit, quotes=1)
    plural = {"case": "cases", "document": "documents", "participant": "participants"}[unit]
    kept = fragments[fragments["case"] != ""] if unit == "case" else fragments
    column = {"case": "case", "document": "document", "participant": "participant"}[unit]
    total = kept[column].nunique()
    table = page[page.index('id="frequencies"') : page.index('id="matrix"')]
    for code, n in kept.groupby("code")[column].nunique().items():
        row = re.search(rf"<td class=\"code[^\"]*\">{re.escape(code)}</td>(.*?)</tr>", table)
        assert row, code
        assert f"<td>{n} of {total} {plural}</td>" in row.group(1)
    text = _text(page)
    assert f"counts {plural}: {total} {plural}" in text
    # the matrix: "k of n" per gemeente, n the group's units
    matrix = page[page.index('id="matrix"') : page.index('id="comparison"')]
    expected = present(fragments, unit, "gemeente")
    sizes = units_per_group(fragments, unit, "gemeente")
    for (code, group), k in expected.items():
        if group:
            assert f'title="{k} of {sizes[group]} {plural}"' in matrix, (code, group)
    section = page[page.index('id="cooccurrence"') : page.index('id="quotes"')]
    from qualcode.analysis import cooccurrence

    if unit not in getattr(cooccurrence, "PRESENCE_UNITS", ()):  # passages, said so
        assert f"not {plural}" in _text(section)
        return
    # both codes in a unit, applied by one coder (sub-codes not rolled up here)
    own = kept[kept["code"] != "Thema"]
    both: dict[tuple[str, str], set[str]] = {}
    for (key, _coder), codes in own.groupby([column, "coder"])["code"]:
        found = sorted(set(codes))
        for i, a in enumerate(found):
            for b in found[i + 1 :]:
                both.setdefault((a, b), set()).add(key)
    shown = {
        frozenset((a, b)): (int(k), int(n))
        for a, b, k, n in re.findall(
            rf'<td class="code">([^<]+)</td><td class="code">([^<]+)</td><td>(\d+) of (\d+) {plural}</td>', section
        )
    }
    assert shown == {frozenset(pair): (len(keys), total) for pair, keys in both.items()}


def test_report_defaults_to_cases_and_refuses_a_bad_unit_in_one_line(study_path: Path) -> None:
    with Study.open(study_path) as study:
        assert "Unit of analysis: a case" in _text(build_report(study))
    before = study_path.read_bytes()
    target = study_path.parent / "r.html"
    result = run("report", "-o", target, "--unit", "family", "--study", study_path)
    assert result.exit_code == 2 and "family" in result.output
    result = run("report", "-o", target, "--by", "nergens", "--study", study_path)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert not target.exists() and study_path.read_bytes() == before
    result = run("report", "-o", target, "--unit", "participant", "--study", study_path)
    assert result.exit_code == 0 and "Unit of analysis: a participant" in _text(target.read_text(encoding="utf-8"))


# -- compare A B carries cases --------------------------------------------------------------


@pytest.fixture
def two(tmp_path: Path) -> list[Path]:
    return [build(tmp_path / "a.qualcode", seed=1, name="A"), build(tmp_path / "b.qualcode", seed=2, name="B")]


def test_compare_files_counts_cases_with_roles_and_waves(two: list[Path], tmp_path: Path) -> None:
    result = compare_studies(two)
    assert result.unit == "case"
    for path, name in zip(two, ("A", "B")):
        with Study.open(path) as study:
            write_fragments(study, tmp_path / f"{name}.csv")
        frame = pd.read_csv(tmp_path / f"{name}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        parents = frame[frame["code"].str.contains("/")].copy()
        parents["code"] = parents["code"].str.split("/").str[0]
        frame = pd.concat([frame, parents])
        cased = frame[frame["case"] != ""]
        expected = cased.groupby("code")["case"].nunique()
        rows = {r["code"]: r for r in result.rows}
        for code, n in expected.items():
            assert rows[code][f"{name}: cases"] == n
            assert rows[code][f"{name}: %"] == pytest.approx(100 * n / cased["case"].nunique())
        docs = cased.drop_duplicates("document")
        roles = docs["role"].value_counts()
        design = next(d for d in result.designs if d.startswith(f"{name}: "))
        assert design.startswith(f"{name}: {cased['case'].nunique()} cases ({len(docs)} coded documents: ")
        for role, n in roles.items():
            assert f"{role} {n}" in design
        for wave, n in cased.groupby("wave")["case"].nunique().items():
            assert f"wave {wave}: {n} cases" in design
    assert rows["Thema"]["all: cases"] == rows["Thema"]["A: cases"] + rows["Thema"]["B: cases"]


def test_compare_files_carries_the_variables(two: list[Path]) -> None:
    result = compare_studies(two, unit="case")
    for path, name in zip(two, ("A", "B")):
        with Study.open(path) as study:
            values = pd.DataFrame(study.variables())
        for wave, group in values.groupby("wave"):
            row = next(r for r in result.variable_rows if r["variable"] == "zelfredzaamheid" and r["wave"] == wave)
            assert row[f"{name}: n"] == len(group)
            assert row[f"{name}: mean"] == pytest.approx(group["value"].mean())
            assert row[f"{name}: median"] == pytest.approx(group["value"].median())


def test_compare_files_cli(two: list[Path], tmp_path: Path) -> None:
    result = run("compare", *two, "--unit", "case", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert "A: cases" in rows[0] and "Note: A: 8 cases" in result.stderr
    documents = json.loads(run("compare", *two, "--unit", "document", "--json").stdout)
    assert "A: documents" in documents[0]
    scores = run("compare", *two, "--variables", "--csv")
    assert scores.exit_code == 0 and "zelfredzaamheid" in scores.stdout
    # a file without cases cannot be counted in cases: one line, nothing changed
    plain = tmp_path / "plain.qualcode"
    with Study.create(plain, "plain", coder="anna") as study:
        study.add_code("Thema")
        doc = study.add_document("".join(SENTENCES), title="x", metadata={"organisation": "O"})
        study.add_coding(doc, "Thema", 7, 20)
    before = [p.read_bytes() for p in (*two, plain)]
    refused = run("compare", two[0], plain, "--unit", "case")
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1
    assert "plain.qualcode has no cases" in refused.output
    assert [p.read_bytes() for p in (*two, plain)] == before
    # without --unit, a file without cases makes the unit the document
    mixed = run("compare", two[0], plain, "--json")
    assert mixed.exit_code == 0 and "plain: documents" in json.loads(mixed.stdout)[0]
    assert run("compare", "--variables", "--study", two[0]).exit_code == 1


@pytest.mark.parametrize("by", ["wave", "gemeente", "role"])
def test_stats_by_group_counts_each_group_s_units(built: Path, fragments: pd.DataFrame, by: str) -> None:
    result = run("stats", "--by", by, "--unit", "case", "--no-words", "--json", "--study", built)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    got = {(r["code"], r[by]): (r["cases"], r["cases_pct"]) for r in rows}
    sizes = units_per_group(fragments, "case", by)
    for (code, group), n in present(fragments, "case", by).items():
        if group:
            assert got[(code, group)] == (n, pytest.approx(100 * n / sizes[group]))
    assert "Counts the codings of every coder (anna, bram)" in result.stderr
    if by == "role":  # G-01 (ouder, kind), G-03 (ouder, coach), G-04 (ouder, kind), G-07 (coach, ouder)
        assert "4 cases fall in more than one role and count in each (G-01, G-03, G-04, G-07)" in result.stderr
        # what only one group leaves out is named with its group
        assert "role ouder: 1 document not coded by anyone: left out (leeg)." in result.stderr
        assert "role ouder: 1 coded document in no case: left out (los)." in result.stderr
    if by == "gemeente":  # the two loose documents have no case, so no gemeente
        assert "2 documents with no gemeente: in no group (los, leeg)" in result.stderr


@pytest.mark.parametrize("by", ["participant", "document", "case"])
def test_stats_by_refuses_units_as_groups_in_one_line(built: Path, by: str) -> None:
    result = run("stats", "--by", by, "--study", built)
    assert result.exit_code == 1 and f"use crosstab --by {by}" in result.output
    assert len(result.output.strip().splitlines()) == 1


# -- any design: a property test ------------------------------------------------------------

designs = st.lists(
    st.tuples(
        st.sampled_from(["Emmen", "Assen", None]),  # the case's gemeente (None: not set)
        st.lists(  # its documents: (role, wave, codes coded)
            st.tuples(
                st.sampled_from(["ouder", "kind"]),
                st.sampled_from(["1", "2"]),
                st.sets(st.sampled_from(["A", "B"])),
            ),
            min_size=1,
            max_size=3,
        ),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(design=designs)
def test_any_design_groups_by_case_attribute_and_wave_as_planned(tmp_path: Path, design: list) -> None:
    path = tmp_path / f"p{abs(hash(repr(design)))}.qualcode"
    study = Study.create(path, "p", coder="anna")
    for code in ("A", "B"):
        study.add_code(code)
    n = 0
    for c, (gemeente, docs) in enumerate(design):
        case = f"G-{c}"
        for role, wave, codes in docs:
            n += 1
            doc = study.add_document(f"Ouder: zin {n} over het gezin.\n", title=f"d{n}", metadata={"role": role})
            study.assign_case(doc, case, wave=wave)
            for code in sorted(codes):
                study.add_coding(doc, code, 7, 10)
        if gemeente:
            study.set_case_attribute(case, "gemeente", gemeente)
    try:
        # the plan, counted by hand: a case is in a group when one of its coded documents is
        coded = [
            (f"G-{c}", gemeente or "(none)", wave, codes)
            for c, (gemeente, docs) in enumerate(design)
            for _, wave, codes in docs
            if codes
        ]
        for by, group_of in (("gemeente", lambda r: r[1]), ("wave", lambda r: r[2])):
            if by == "gemeente" and not study.case_attribute_names():
                with pytest.raises(QualcodeError, match="cannot group by"):
                    crosstab(study, by, unit="case")
                continue
            matrix = crosstab(study, by, unit="case")
            sizes: dict[str, set[str]] = {}
            having: dict[tuple[str, str], set[str]] = {}
            for r in coded:
                sizes.setdefault(group_of(r), set()).add(r[0])
                for code in r[3]:
                    having.setdefault((code, group_of(r)), set()).add(r[0])
            assert {g.name: g.documents for g in matrix.groups} == {g: len(s) for g, s in sizes.items()}
            ids = {path: code_id for code_id, path, _ in matrix.codes}
            assert {(p, g): n for (c, g), n in matrix.documents.items() for p in ids if ids[p] == c} == {
                k: len(v) for k, v in having.items()
            }
    finally:
        study.close()
