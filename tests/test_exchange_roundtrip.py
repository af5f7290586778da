"""Study → .qdpx → study keeps everything; exports validate against the official schemas."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import requires_shared
from qualcode.exchange import export_qdc, export_qdpx, import_qdc, import_qdpx, import_qdpx_new
from qualcode.exchange.xml import parse_xml, validate
from qualcode.study.study import Study


def _schema(name: str) -> Path:
    return requires_shared("refi-qda", name)


def _project_xml(path: Path):
    with zipfile.ZipFile(path) as archive:
        return parse_xml(archive.read("project.qde"), str(path))


def _snapshot(study: Study) -> dict[str, object]:
    """Everything an exchange must keep, keyed by content rather than row ids."""
    docs = {}
    for info in study.documents():
        doc = study.document(info.id)
        docs[doc.title] = {
            "text": doc.text,
            "organisation": doc.organisation,
            "project": doc.project,
            "role": doc.role,
            "participant": doc.participant,
            "interview_date": doc.interview_date,
            "language": doc.language,
            "attributes": doc.attributes,
        }
    titles = {d.id: d.title for d in study.documents()}
    paths = {c.id: c.path for c in study.codes()}
    codings = sorted(
        (titles[c["document_id"]], paths[c["code_id"]], c["coder"], c["start"], c["end"], c["text"], c["memo"])
        for c in study.fragments()
    )
    codes = sorted(
        (
            c.path,
            c.description,
            c.when_to_use,
            c.when_not_to_use,
            c.example,
            c.color,
            c.keywords,
            c.shortcut,
            c.codebook,
        )
        for c in study.codes()
    )
    memos = sorted(
        (
            m.target,
            titles.get(m.target_id)
            if m.target == "document"
            else paths.get(m.target_id)
            if m.target == "code"
            else m.target_id,
            m.coder,
            m.text,
        )
        for m in study.memos()
        if m.target != "coding"
    )
    coders = sorted(c["name"] for c in study.coders() if c["codings"])
    return {"documents": docs, "codings": codings, "codes": codes, "memos": memos, "coders": coders}


@pytest.fixture
def coded(study: Study) -> Study:
    """The small study with codings by two coders, memos everywhere, and a date."""
    parent = study.document("Ouder Coevorden")
    coach = study.document("Coach Coevorden")
    gezien = parent.text.index("gezien en gehoord")
    study.add_coding(
        parent.id, "gezien en gehoord worden", gezien, gezien + len("gezien en gehoord"), memo="kern van het interview"
    )
    alleen = parent.text.index("Ik sta er niet meer alleen voor.")
    study.add_coding(parent.id, "er niet alleen voor staan", alleen, alleen + 32, coder="onderzoeker-b")
    twaalf = coach.text.index("Ik heb er nu twaalf")
    study.add_coding(coach.id, "behapbare caseload", twaalf, coach.text.index("intensief werken.") + 17)
    study.set_memo("study", None, "Eerste ronde, voorjaar.")
    study.set_memo("document", parent.id, "Moeder was open & eerlijk <over> schaamte.")
    study.set_memo("code", "vertrouwensband", "Let op: alleen relatie met de coach.")
    study.update_code("vertrouwensband", when_to_use="als de ouder de coach vertrouwt", example="Ze kent ons echt.")
    return study


def test_round_trip_keeps_documents_codes_codings_coders_memos_attributes(coded: Study, tmp_path: Path) -> None:
    target = tmp_path / "export.qdpx"
    summary = export_qdpx(coded, target)
    assert summary.codings == 3 and summary.sources == 3
    before = _snapshot(coded)
    imported = import_qdpx_new(tmp_path / "back.qualcode", target, coder="tester")
    assert imported.not_placed == []
    with Study.open(tmp_path / "back.qualcode", coder="tester") as back:
        after = _snapshot(back)
        assert back.name == coded.name
    for key in before:
        assert after[key] == before[key], key


def test_export_validates_against_project_schema(coded: Study, tmp_path: Path) -> None:
    target = tmp_path / "export.qdpx"
    export_qdpx(coded, target)
    root = _project_xml(target)
    assert validate(root, _schema("Project.xsd")) == []
    with zipfile.ZipFile(target) as archive:
        for source in root.iter("{urn:QDA-XML:project:1.0}TextSource"):
            member = "sources/" + source.get("plainTextPath").removeprefix("internal://")
            text = archive.read(member).decode("utf-8")
            for selection in source.iter("{urn:QDA-XML:project:1.0}PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                assert text[start:end] == selection.get("name")


def test_codebook_export_validates_and_merges_back(coded: Study, tmp_path: Path) -> None:
    target = tmp_path / "codebook.qdc"
    summary = export_qdc(coded, target)
    assert summary.codes == len(coded.codes())
    root = parse_xml(target.read_bytes(), str(target))
    assert validate(root, _schema("Codebook.xsd")) == []
    with Study.create(tmp_path / "fresh.qualcode", "fresh") as fresh:
        counts = import_qdc(fresh, target)
        assert counts["added"] == len(coded.codes())
        assert _snapshot(fresh)["codes"] == _snapshot(coded)["codes"]
        code = fresh.code("vertrouwensband")
        assert code.when_to_use == "als de ouder de coach vertrouwt"
        assert code.example == "Ze kent ons echt."
        # importing the same codebook again changes nothing and adds nothing
        assert import_qdc(fresh, target)["added"] == 0
        # one undoable action
        assert fresh.undo() is not None


def test_guids_are_stable_across_exports(coded: Study, tmp_path: Path) -> None:
    export_qdpx(coded, tmp_path / "a.qdpx")
    export_qdpx(coded, tmp_path / "b.qdpx")
    with zipfile.ZipFile(tmp_path / "a.qdpx") as a, zipfile.ZipFile(tmp_path / "b.qdpx") as b:
        assert a.read("project.qde") == b.read("project.qde")
        assert sorted(a.namelist()) == sorted(b.namelist())


def test_import_refuses_a_study_with_documents(coded: Study, tmp_path: Path) -> None:
    target = tmp_path / "export.qdpx"
    export_qdpx(coded, target)
    before = _snapshot(coded)
    with pytest.raises(Exception, match="new or empty study"):
        import_qdpx(coded, target)
    assert _snapshot(coded) == before


def test_organisations_and_projects_become_sets(coded: Study, tmp_path: Path) -> None:
    target = tmp_path / "export.qdpx"
    export_qdpx(coded, target)
    root = _project_xml(target)
    names = {s.get("name"): len(s) for s in root.iter("{urn:QDA-XML:project:1.0}Set")}
    assert names["organisation: Maatschappelijk Welzijn Coevorden"] == 2
    assert names["organisation: Leergeld"] == 1
    assert any(n.startswith("codebook: ") for n in names)


# -- property: generated small studies survive the round trip ----------------------------------

_words = st.sampled_from(
    ["vertrouwen", "coach", "één", "café", "gezin", "hulp", "Ik", "voel", "me", "gezien", "ß", "naïef"]
)
_lines = st.lists(st.lists(_words, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=5).map("\n".join)


@st.composite
def _studies(draw):  # type: ignore[no-untyped-def]
    texts = draw(st.lists(_lines, min_size=1, max_size=3, unique=True))
    docs = []
    for i, text in enumerate(texts):
        docs.append(
            {
                "text": text,
                "title": f"doc {i}",
                "meta": {
                    "role": draw(st.sampled_from(["ouder", "gezinscoach"])),
                    "participant": f"P{i}",
                    "wave": str(draw(st.integers(1, 3))),
                },
                "spans": draw(
                    st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))), max_size=4)
                ),
            }
        )
    coders = draw(st.lists(st.sampled_from(["anna", "bram", "chris"]), min_size=1, max_size=3, unique=True))
    memo = draw(st.sampled_from(["", "kort memo", "memo met <tekens> & meer"]))
    return docs, coders, memo


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(_studies())
def test_generated_studies_round_trip(tmp_path_factory: pytest.TempPathFactory, spec) -> None:  # type: ignore[no-untyped-def]
    docs, coders, memo = spec
    folder = tmp_path_factory.mktemp("prop")
    with Study.create(folder / "s.qualcode", "gegenereerd", coder=coders[0]) as study:
        top = study.add_code("thema", color="#aa0033", description="Een thema")
        study.add_code("sub", parent=top.id)
        for doc in docs:
            doc_id = study.add_document(doc["text"], title=doc["title"], metadata=doc["meta"])
            stored = study.document(doc_id).text
            for n, (a, b) in enumerate(doc["spans"]):
                start, end = min(a, b), max(a, b)
                end = min(end, len(stored))
                if start < end:
                    try:
                        study.add_coding(
                            doc_id,
                            "thema/sub" if n % 2 else "thema",
                            start,
                            end,
                            coder=coders[n % len(coders)],
                            memo=memo,
                        )
                    except Exception:  # the same coding twice is refused by design
                        pass
            if memo:
                study.set_memo("document", doc_id, memo)
        if memo:
            study.set_memo("study", None, memo)
        before = _snapshot(study)
        export_qdpx(study, folder / "s.qdpx")
    summary = import_qdpx_new(folder / "back.qualcode", folder / "s.qdpx", coder=coders[0])
    assert summary.not_placed == []
    with Study.open(folder / "back.qualcode", coder=coders[0]) as back:
        assert _snapshot(back) == before


def test_fast_guids_are_uuid5() -> None:
    import uuid

    from qualcode.exchange.xml import Guids

    namespace = uuid.uuid4()
    guids = Guids(namespace)
    for kind, key in [("code", 1), ("selection", 123456), ("variable", "gemeente é")]:
        assert guids(kind, key) == str(uuid.uuid5(namespace, f"{kind}:{key}"))
