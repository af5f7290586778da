"""Documents with an organisation but no project, and studies made before word counts left
out speaker labels: what listings, matrices and exports show, the migration, `recount`."""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.analysis import Scope
from qualcode.analysis.matrices import crosstab
from qualcode.cli import main
from qualcode.exchange.tables import write_fragments
from qualcode.study.study import Study

TEXT = "Interviewer: Hoe gaat het?\nMoeder: Goed, de coach komt elke week.\n"  # 9 words said, 11 with the labels


def build(path: Path) -> tuple[Study, int, int]:
    study = Study.create(path, "p", coder="tester")
    study.add_code("Huisbezoek")
    loose = study.add_document(TEXT, title="zonder project", metadata={"organisation": "Leergeld"})
    placed = study.add_document(
        TEXT + "Nog iets.\n", title="met project", metadata={"organisation": "Leergeld", "project": "Pilot"}
    )
    study.add_coding(loose, "Huisbezoek", 35, 65)
    study.add_coding(placed, "Huisbezoek", 35, 65)
    return study, loose, placed


def test_an_organisation_without_project_shows_no_project(tmp_path: Path) -> None:
    study, _, _ = build(tmp_path / "p.qualcode")
    docs = {d.title: d for d in study.documents()}
    assert (docs["zonder project"].organisation, docs["zonder project"].project) == ("Leergeld", None)
    assert docs["met project"].project == "Pilot"
    assert [p["name"] for p in study.projects()] == ["Pilot"]
    assert study.info()["projects"] == 1
    matrix = crosstab(study, "project")
    assert [g.name for g in matrix.groups] == ["(none)", "Pilot"]
    assert {r["code"]: (r["(none)"], r["Pilot"]) for r in matrix.rows("count")}["Huisbezoek"] == (1, 1)
    by_org = crosstab(study, "organisation")
    assert [(g.name, g.documents) for g in by_org.groups] == [("Leergeld", 2)]
    out = tmp_path / "fragmenten.csv"
    write_fragments(study, out, Scope())
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = {r["document"]: r for r in csv.DictReader(handle)}
    assert (rows["zonder project"]["organisation"], rows["zonder project"]["project"]) == ("Leergeld", "")
    assert rows["met project"]["project"] == "Pilot"
    study.close()


def age(path: Path) -> None:
    """Make a study look as if made before the two migrations: the old placeholder
    project, word counts with the labels, and the migrations not yet applied."""
    conn = sqlite3.connect(path)
    conn.execute("UPDATE projects SET name = '(geen project)' WHERE name = ''")
    for doc_id, text in conn.execute("SELECT id, text FROM documents").fetchall():
        conn.execute("UPDATE documents SET word_count = ? WHERE id = ?", (len(re.findall(r"\w+", text)), doc_id))
    conn.execute(
        "DELETE FROM migrations WHERE name IN (?, ?)",
        (
            "an organisation's documents without a project hang under an unnamed project",
            "mark word counts that include speaker labels",
        ),
    )
    conn.commit()
    conn.close()


def test_old_study_is_migrated_and_recounted(tmp_path: Path) -> None:
    path = tmp_path / "oud.qualcode"
    study, loose, _ = build(path)
    study.close()
    age(path)
    runner = CliRunner()
    old = Study.open(path, coder="tester")
    assert old.document(loose).project is None  # the placeholder became the unnamed row
    assert old.document(loose).word_count == 11  # still the naive count, labels included
    old.close()
    warned = runner.invoke(main, ["crosstab", "--measure", "rate", "--study", str(path), "--csv"])
    assert warned.exit_code == 0 and "qualcode recount" in warned.stderr
    # 11 + 13 naive words before, 9 + 11 words said after
    recount = runner.invoke(main, ["recount", "--study", str(path)])
    assert recount.exit_code == 0
    assert recount.stdout.strip() == "Recounted the words of 2 document(s): 24 → 20 words in the study."
    fixed = runner.invoke(main, ["crosstab", "--measure", "rate", "--study", str(path), "--csv"])
    assert "recount" not in fixed.stderr
    # 2 passages per 14 words said by the respondent (6 + 8; the interviewer's 3 + 3 left out)
    row = next(r for r in csv.DictReader(fixed.stdout.removeprefix("\ufeff").splitlines()) if r["code"] == "Huisbezoek")
    assert float(row["Leergeld"]) == pytest.approx(2000 / 14)
    assert float(row["Leergeld mean"]) == pytest.approx((1000 / 6 + 1000 / 8) / 2)
    again = runner.invoke(main, ["recount", "--study", str(path)])
    assert again.stdout.strip() == "Recounted the words of 0 document(s): 20 → 20 words in the study."


def test_a_new_study_is_not_marked(tmp_path: Path) -> None:
    study, _, _ = build(tmp_path / "nieuw.qualcode")
    path = study.path
    study.close()
    result = CliRunner().invoke(main, ["crosstab", "--measure", "rate", "--study", str(path), "--csv"])
    assert result.exit_code == 0 and "recount" not in result.stderr
