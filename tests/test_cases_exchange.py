"""Cases, waves and variables across exchange: a .qdpx round trip (one <Case> per family),
the fragments CSV's case and wave columns, and merge carrying case assignments."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from conftest import SHARED
from qualcode.exchange import export_qdpx, import_qdpx_new
from qualcode.exchange.merge import merge_study
from qualcode.exchange.tables import write_fragments
from qualcode.exchange.xml import parse_xml, validate
from qualcode.study.study import Study

NS = "{urn:QDA-XML:project:1.0}"
TEXTS = {
    ("G-1", "1", "ouder"): "Interviewer: Hoe ging het?\nMoeder: Ik schaamde me eerst.",
    ("G-1", "1", "coach"): "I: Hoe gaat het gezin?\nR: Ze vertrouwt me nu.",
    ("G-1", "2", "ouder"): "Interviewer: En nu?\nMoeder: Ik sta er niet meer alleen voor.",
    ("G-2", "1", "kind"): "Interviewer: Wat vind je?\nKind: Leuk, voetbal.",
}


def build(path: Path) -> Study:
    study = Study.create(path, "gezinnen")
    code = study.add_code("Vertrouwen")
    for (case, wave, role), text in TEXTS.items():
        doc = study.add_document(
            text,
            title=f"{case}-{wave}-{role}",
            metadata={"case": case, "wave": wave, "role": role, "participant": f"{case}-{role}", "gemeente": "Emmen"},
        )
        study.add_coding(doc, code.id, 0, 5)
    study.rename_case("G-1", "G-1", label="Gezin een")
    study.set_case_attribute("G-1", "aanpak", "intensief")
    study.set_variable("G-1", "1", "zelfredzaamheid", "5,8")
    study.set_variable("G-1", "2", "zelfredzaamheid", "7")
    study.set_variable("G-2", "1", "niveau", "laag")
    return study


def snapshot(study: Study) -> dict[str, object]:
    return {
        "cases": [{k: v for k, v in c.items() if k != "documents"} for c in study.cases()],
        "members": {
            c["case"]: sorted((d["title"], d["role"], d["wave"]) for d in c["documents"]) for c in study.cases()
        },
        "variables": study.variables(),
        "attributes": {d.title: study.document(d.id).attributes for d in study.documents()},
        "participants": sorted(d.participant for d in study.documents()),
    }


def test_qdpx_round_trip_keeps_cases_waves_and_variables(tmp_path: Path) -> None:
    study = build(tmp_path / "a.qualcode")
    target = tmp_path / "a.qdpx"
    export_qdpx(study, target)
    with zipfile.ZipFile(target) as archive:
        root = parse_xml(archive.read("project.qde"), "project.qde")
    cases = root.findall(f"{NS}Cases/{NS}Case")
    # One Case per family (not per participant), each with its sources.
    assert [c.get("name") for c in cases] == ["G-1", "G-2"]
    assert len(cases[0].findall(f"{NS}SourceRef")) == 3 and cases[0].find(f"{NS}Description").text == "Gezin een"
    kinds = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{NS}Variable")}
    assert kinds["zelfredzaamheid@1"] == "Float" and kinds["zelfredzaamheid@2"] == "Integer"
    assert kinds["participant"] == "Text" and kinds["wave"] == "Integer"
    before = snapshot(study)
    study.close()
    import_qdpx_new(tmp_path / "b.qualcode", target)
    with Study.open(tmp_path / "b.qualcode") as back:
        assert snapshot(back) == before


def test_qdpx_of_a_study_without_cases_makes_no_cases(tmp_path: Path) -> None:
    with Study.create(tmp_path / "a.qualcode") as study:
        study.add_document(TEXTS[("G-2", "1", "kind")], title="k", metadata={"participant": "K1", "role": "kind"})
        export_qdpx(study, tmp_path / "a.qdpx")
    with zipfile.ZipFile(tmp_path / "a.qdpx") as archive:
        root = parse_xml(archive.read("project.qde"), "project.qde")
    assert [c.get("name") for c in root.iter(f"{NS}Case")] == ["K1"]  # the participant, as before
    import_qdpx_new(tmp_path / "b.qualcode", tmp_path / "a.qdpx")
    with Study.open(tmp_path / "b.qualcode") as back:
        assert back.cases() == [] and back.document("k").participant == "K1"


def test_export_with_cases_validates_against_project_schema(tmp_path: Path) -> None:
    schema = SHARED / "refi-qda" / "Project.xsd"
    if not schema.exists():
        schema = Path("/work/shared/refi-qda/Project.xsd")
    if not schema.exists():
        pytest.skip("Project.xsd is not available")
    study = build(tmp_path / "a.qualcode")
    export_qdpx(study, tmp_path / "a.qdpx")
    study.close()
    with zipfile.ZipFile(tmp_path / "a.qdpx") as archive:
        root = parse_xml(archive.read("project.qde"), "project.qde")
    assert validate(root, schema) == []


def test_fragments_csv_has_case_and_wave(tmp_path: Path) -> None:
    study = build(tmp_path / "a.qualcode")
    write_fragments(study, tmp_path / "f.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "f.csv").read_text(encoding="utf-8-sig"))))
    assert {(r["document"], r["case"], r["wave"]) for r in rows} == {(f"{c}-{w}-{r}", c, w) for c, w, r in TEXTS}
    assert list(rows[0])[-2:] == ["case", "wave"]
    study.close()


def test_merge_carries_cases_waves_and_variables(tmp_path: Path) -> None:
    theirs = build(tmp_path / "theirs.qualcode")
    theirs.set_variable("G-1", "2", "zelfredzaamheid", "8")
    theirs.close()
    with Study.create(tmp_path / "mine.qualcode") as mine:
        for (case, wave, role), text in TEXTS.items():
            mine.add_document(text, title=f"{case}-{wave}-{role}")
        mine.assign_case("G-2-1-kind", "G-9")  # a case of my own for this one
        mine.add_case("G-1")
        report = merge_study(mine, tmp_path / "theirs.qualcode")
        assert (report.cases_assigned, report.waves_set) == (3, 4)
        assert report.case_conflicts == ["G-2-1-kind is in case G-9 here, G-2 there"]
        docs = {d.title: (d.case, d.wave) for d in mine.documents()}
        assert docs == {
            "G-1-1-ouder": ("G-1", "1"),
            "G-1-1-coach": ("G-1", "1"),
            "G-1-2-ouder": ("G-1", "2"),
            "G-2-1-kind": ("G-9", "1"),
        }
        # G-2's variables stay behind: none of its documents is in G-2 here.
        assert [(v["case"], v["wave"], v["value"]) for v in mine.variables()] == [("G-1", "1", 5.8), ("G-1", "2", 8.0)]
        assert {c["case"]: c["attributes"] for c in mine.cases()}["G-1"] == {"aanpak": "intensief"}
        assert (
            "Cases: 3 document(s) put in a case, 4 wave(s) set, 3 case variable(s) or attribute(s) added."
            in report.lines()
        )
        # One undo takes it all back.
        mine.undo()
        assert {d.title: (d.case, d.wave) for d in mine.documents()}["G-1-1-ouder"] == (None, None)
        assert mine.variables() == []
