"""Cases (families), waves and outcome variables: set at import and afterwards, listed,
undoable, migrated from the old wave attribute, and scores files validated row by row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CHILD_TEXT, COACH_TEXT, PARENT_TEXT
from qualcode.analysis import Scope
from qualcode.analysis.matrices import crosstab
from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.store.core import Store
from qualcode.study.study import Study


def run(*args: object, ok: bool = True) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture
def family_folder(tmp_path: Path) -> Path:
    """A parent and a coach of family G-1 at wave 1 (front matter in Dutch and English), a
    child whose case and wave come from a sidecar sheet."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ouder.md").write_text(f"---\ngezin: G-1\ngolf: 1\nrol: ouder\n---\n{PARENT_TEXT}", encoding="utf-8")
    (folder / "coach.md").write_text(f"---\ncase: G-1\nwave: 01\nrole: coach\n---\n{COACH_TEXT}", encoding="utf-8")
    (folder / "kind.txt").write_text(CHILD_TEXT, encoding="utf-8")
    (folder / "attributes.csv").write_text("bestand;gezin;golf;rol\nkind.txt;G-2;2;kind\n", encoding="utf-8")
    return folder


def test_import_reads_case_and_wave_from_front_matter_and_sidecar(tmp_path: Path, family_folder: Path) -> None:
    with Study.create(tmp_path / "s.qualcode") as study:
        study.import_files([family_folder])
        docs = {d.title: d for d in study.documents()}
        assert {t: (d.case, d.wave, d.role) for t, d in docs.items()} == {
            "ouder": ("G-1", "1", "ouder"),
            "coach": ("G-1", "1", "coach"),
            "kind": ("G-2", "2", "kind"),
        }
        # Not free attributes any more.
        assert all("wave" not in study.document(d.id).attributes for d in docs.values())
        listed = {c["case"]: c for c in study.cases()}
        assert listed["G-1"]["roles"] == ["coach", "ouder"] and listed["G-1"]["waves"] == ["1"]
        assert [d["title"] for d in listed["G-1"]["documents"]] == ["coach", "ouder"]
        assert listed["G-2"]["waves"] == ["2"]


def test_import_options_win_over_front_matter(tmp_path: Path, family_folder: Path) -> None:
    path = tmp_path / "s.qualcode"
    run("init", path)
    run("import", family_folder / "ouder.md", "--case", "G-9", "--wave", "3", "--study", path)
    with Study.open(path) as study:
        (doc,) = study.documents()
        assert (doc.case, doc.wave) == ("G-9", "3")


def test_assign_unassign_and_undo(tmp_path: Path, family_folder: Path) -> None:
    with Study.create(tmp_path / "s.qualcode") as study:
        study.import_files([family_folder])
        assert study.assign_case("kind", "G-1", wave="1") is False
        assert (study.document("kind").case, study.document("kind").wave) == ("G-1", "1")
        assert study.undo() == "assign “kind” to case “G-1”"
        assert (study.document("kind").case, study.document("kind").wave) == ("G-2", "2")
        assert study.redo()
        assert study.unassign_case("kind") == "G-1"
        assert study.document("kind").case is None
        study.undo()
        assert study.document("kind").case == "G-1"


def test_case_add_rename_remove_and_attributes(tmp_path: Path, family_folder: Path) -> None:
    with Study.create(tmp_path / "s.qualcode") as study:
        study.import_files([family_folder])
        study.add_case("G-3", "Gezin drie")
        with pytest.raises(QualcodeError, match="already exists"):
            study.add_case("G-3")
        with pytest.raises(QualcodeError, match="still has 2 document"):
            study.remove_case("G-1")
        study.set_case_attribute("G-3", "gemeente", "Coevorden")
        study.rename_case("G-3", "G-03")
        assert {c["case"]: c["attributes"] for c in study.cases()}["G-03"] == {"gemeente": "Coevorden"}
        study.set_variable("G-03", "1", "score", "6,5")
        with pytest.raises(QualcodeError, match="--with-variables"):
            study.remove_case("G-03")
        study.remove_case("G-03", with_variables=True)
        assert "G-03" not in {c["case"] for c in study.cases()}
        # Undo brings the case back with its attribute and its variable.
        study.undo()
        assert {c["case"]: c["attributes"] for c in study.cases()}["G-03"] == {"gemeente": "Coevorden"}
        assert study.variables(case="G-03") == [
            {"case": "G-03", "wave": "1", "name": "score", "value": 6.5, "numeric": True}
        ]


def test_wave_and_case_filter_and_group_as_fields(tmp_path: Path, family_folder: Path) -> None:
    with Study.create(tmp_path / "s.qualcode") as study:
        study.import_files([family_folder])
        code = study.add_code("Vertrouwen")
        for doc in study.documents():
            study.add_coding(doc.id, code.id, 0, 10)
        assert {d.title for d in study.documents(attributes={"wave": "1"})} == {"ouder", "coach"}
        assert {d.title for d in study.documents(attributes={"case": "G-2"})} == {"kind"}
        matrix = crosstab(study, "wave", unit="document")
        assert [g.name for g in matrix.groups] == ["1", "2"]
        assert (matrix.documents[(code.id, "1")], matrix.documents[(code.id, "2")]) == (2, 1)
        assert crosstab(study, "case", unit="document").documents[(code.id, "G-1")] == 2
        assert "wave" in study.attribute_names() and study.attribute_values("wave") == ["1", "2"]
        units = {u["document_id"]: (u["case_name"], u["wave"]) for u in study.document_units(Scope(role="kind"))}
        assert units == {study.document("kind").id: ("G-2", "2")}


def test_old_wave_attributes_migrate_to_the_field(tmp_path: Path) -> None:
    """A study made before waves were fields: its wave attributes move into documents.wave."""
    path = tmp_path / "old.qualcode"
    with Study.create(path) as study:
        doc = study.add_document(PARENT_TEXT, title="a", metadata={"gemeente": "Emmen"})
    conn = sqlite3.connect(path)
    number = conn.execute("SELECT id FROM migrations WHERE name LIKE 'case attributes, outcome variables%'").fetchone()[
        0
    ]
    conn.executescript(
        f"DELETE FROM migrations WHERE id = {number}; DROP TABLE case_variables; DROP TABLE case_attributes;"
        f"UPDATE documents SET wave = NULL; INSERT INTO document_attributes (document_id, name, value) VALUES ({doc}, 'wave', '2');"
    )
    conn.close()
    with Study.open(path) as study:
        found = study.document(doc)
        assert found.wave == "2" and found.attributes == {"gemeente": "Emmen"}
        assert study.variables() == []


# -- variables ----------------------------------------------------------------------------


@pytest.fixture
def panel_study(tmp_path: Path) -> Path:
    path = tmp_path / "p.qualcode"
    with Study.create(path) as study:
        for i, (case, wave) in enumerate([("G-1", "1"), ("G-1", "2"), ("G-2", "1"), ("G-2", "2")]):
            study.add_document(
                f"Interviewer: vraag {i}?\nOuder: antwoord {i}.", title=f"d{i}", metadata={"case": case, "wave": wave}
            )
    return path


def test_variables_import_infers_kinds_and_reads_decimal_commas(tmp_path: Path, panel_study: Path) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_text(
        "case;wave;zelfredzaamheid;niveau\nG-1;1;5,8;laag\nG-1;2;7,80;hoog\nG-2;1;6;NA\nG-2;2;;midden\n",
        encoding="cp1252",
    )
    result = run("variables", "import", scores, "--study", panel_study)
    assert result.stdout == ("Imported 6 value(s) for 2 case(s) (numeric: zelfredzaamheid; categorical: niveau).\n")
    with Study.open(panel_study) as study:
        rows = {(v["case"], v["wave"], v["name"]): v["value"] for v in study.variables()}
        assert rows == {
            ("G-1", "1", "zelfredzaamheid"): 5.8,
            ("G-1", "2", "zelfredzaamheid"): 7.8,
            ("G-2", "1", "zelfredzaamheid"): 6.0,
            ("G-1", "1", "niveau"): "laag",
            ("G-1", "2", "niveau"): "hoog",
            ("G-2", "2", "niveau"): "midden",
            # "NA" and an empty cell are not measured: no row.
        }
        assert study.variable_names() == [("niveau", False), ("zelfredzaamheid", True)]
        # The whole file is one action.
        assert study.undo() == "import variables from scores.csv"
        assert study.variables() == []


def test_variables_import_comma_separated_with_quoted_decimal_comma(tmp_path: Path, panel_study: Path) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_text('case,wave,score\nG-1,1,"5,5"\nG-1,2,6.25\n', encoding="utf-8")
    run("variables", "import", scores, "--study", panel_study)
    with Study.open(panel_study) as study:
        assert [v["value"] for v in study.variables(name="score")] == [5.5, 6.25]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("case;wave;score\nG-1;1;5\nG-9;2;6\n", "line 3: the study has no case “G-9”"),
        ("case;wave;score\nG-1;3;5\n", "line 2 (case G-1): wave “3” is not a wave of the study (1, 2)"),
        ("case;wave;score\nG-1;1;5\nG-2;1;6\nG-1;1;7\n", "line 4: case G-1 at wave 1 is listed twice (also on line 2)"),
        (
            "case;wave;score\nG-1;1;5\nG-1;2;zes\nG-2;1;7\n",
            "line 3 (case G-1): score is numeric, but “zes” is not a number",
        ),
        ("naam;wave;score\nG-1;1;5\n", "line 1: the columns must be case, wave"),
        ("case;wave;score;score\nG-1;1;5;6\n", "line 1: column 'score' appears twice"),
        ("case;wave;score\nG-1;;5\n", "line 2 (case G-1): the wave column is empty"),
    ],
)
def test_bad_scores_files_change_nothing(tmp_path: Path, panel_study: Path, content: str, message: str) -> None:
    with Study.open(panel_study) as study:
        study.set_variable("G-2", "2", "score", "4")
    scores = tmp_path / "bad.csv"
    scores.write_text(content, encoding="utf-8")
    before = panel_study.read_bytes()
    result = run("variables", "import", scores, "--study", panel_study, ok=False)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {scores}: {message}" + result.stderr.split(message, 1)[1]
    assert len(result.stderr.strip().splitlines()) == 1
    assert panel_study.read_bytes() == before


def test_create_cases_adds_missing_cases(tmp_path: Path, panel_study: Path) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_text("case;wave;score\nG-7;1;5\n", encoding="utf-8")
    result = run("variables", "import", scores, "--create-cases", "--study", panel_study)
    assert "Added 1 case(s): G-7." in result.stdout
    with Study.open(panel_study) as study:
        assert study.variables(case="G-7")[0]["value"] == 5.0
        study.undo()
        assert "G-7" not in {c["case"] for c in study.cases()}


def test_variables_set_list_remove_cli(panel_study: Path) -> None:
    run("variables", "set", "G-1", "1", "score=5,5", "niveau=laag", "--study", panel_study)
    listed = json.loads(run("variables", "list", "--json", "--study", panel_study).stdout)
    assert listed == [
        {"case": "G-1", "wave": "1", "name": "niveau", "value": "laag", "numeric": False},
        {"case": "G-1", "wave": "1", "name": "score", "value": 5.5, "numeric": True},
    ]
    bad = run("variables", "set", "G-1", "2", "score=hoog", "--study", panel_study, ok=False)
    assert bad.stderr == "Error: score is a numeric variable; “hoog” is not a number\n"
    assert run("variables", "remove", "score", "--study", panel_study).stdout == "Removed 1 value(s) of score.\n"
    run("undo", "--study", panel_study)
    assert len(json.loads(run("variables", "list", "--json", "--study", panel_study).stdout)) == 2


def test_cases_listing_cli(panel_study: Path) -> None:
    run("case", "set", "G-1", "gemeente=Emmen", "--study", panel_study)
    out = run("cases", "--csv", "--study", panel_study).stdout.removeprefix("\ufeff").splitlines()
    assert out == [
        "case,label,documents,roles,waves,variables,attributes,titles",
        'G-1,,2,ouder,"1, 2",0,gemeente=Emmen,"d0 (ouder, wave 1); d1 (ouder, wave 2)"',
        'G-2,,2,ouder,"1, 2",0,,"d2 (ouder, wave 1); d3 (ouder, wave 2)"',
    ]
    run("case", "unassign", "d0", "--study", panel_study)
    run("case", "assign", "d0", "G-5", "--study", panel_study)
    cases = json.loads(run("cases", "--json", "--study", panel_study).stdout)
    assert [(c["case"], [d["title"] for d in c["documents"]]) for c in cases] == [
        ("G-1", ["d1"]),
        ("G-2", ["d2", "d3"]),
        ("G-5", ["d0"]),
    ]


def test_store_keeps_sql_for_document_units(panel_study: Path) -> None:
    """The store function the unit-of-analysis work builds on: each document's case and wave."""
    from qualcode.store.cases import document_units

    store = Store(panel_study)
    try:
        rows = [(r["case_name"], r["wave"]) for r in document_units(store)]
    finally:
        store.close()
    assert rows == [("G-1", "1"), ("G-1", "2"), ("G-2", "1"), ("G-2", "2")]


def test_demo_build_imports_scores_after_the_transcripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample study reads sample_transcripts/scores.csv when there is one (a small
    stand-in sample here, not the real one)."""
    from qualcode.study import sample

    root = tmp_path / "root"
    (root / "codebooks").mkdir(parents=True)
    (root / "codebooks" / "mini.yaml").write_text("codebook: mini\ncodes:\n  - name: Vertrouwen\n", encoding="utf-8")
    folder = root / "sample_transcripts"
    (folder / "demo_codings").mkdir(parents=True)
    for wave in ("1", "2"):
        (folder / f"ouder-{wave}.md").write_text(
            f"---\ncase: G-CO-01\nwave: {wave}\nrole: ouder\n---\nInterviewer: Hoe gaat het?\nOuder: Golf {wave}.\n",
            encoding="utf-8",
        )
    (folder / "scores.csv").write_text("case;wave;zelfredzaamheid\nG-CO-01;1;5,8\nG-CO-01;2;7,8\n", encoding="utf-8")
    monkeypatch.setattr(sample, "sample_root", lambda: root)
    sample.build_demo(tmp_path / "demo.qualcode")
    with Study.open(tmp_path / "demo.qualcode") as study:
        assert [(v["wave"], v["value"]) for v in study.variables()] == [("1", 5.8), ("2", 7.8)]
        assert [c["case"] for c in study.cases()] == ["G-CO-01"]
    (folder / "scores.csv").unlink()
    sample.build_demo(tmp_path / "demo.qualcode")
    with Study.open(tmp_path / "demo.qualcode") as study:
        assert study.variables() == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scores=st.dictionaries(
        st.tuples(st.sampled_from(["G-1", "G-2"]), st.sampled_from(["1", "2"])),
        st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False, allow_infinity=False),
        min_size=1,
    ),
    delimiter=st.sampled_from([";", ","]),
    comma=st.booleans(),
)
def test_scores_round_trip_through_any_dialect(panel_study: Path, scores: dict, delimiter: str, comma: bool) -> None:
    """Whatever the separator and decimal mark, the imported values are the numbers written."""
    lines = [delimiter.join(["case", "wave", "score"])]
    for (case, wave), value in scores.items():
        text = str(value).replace(".", ",") if comma else str(value)
        lines.append(delimiter.join([case, wave, f'"{text}"' if delimiter in text else text]))
    path = panel_study.parent / "scores.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Study.open(panel_study) as study:
        study.import_variables(path)
        got = {(v["case"], v["wave"]): v["value"] for v in study.variables(name="score")}
        assert got == {key: float(value) for key, value in scores.items()}
        study.undo()
        assert study.variables() == []
