"""Real exports of other tools import with what their XML holds, and nothing is misplaced.

The expected numbers are counted from each file's XML here, never hard-coded.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import requires_shared
from qualcode.exchange import import_qdpx_new
from qualcode.exchange.offsets import OffsetMap
from qualcode.study.study import Study

NS = "{urn:QDA-XML:project:1.0}"
SAMPLES = ("nvivo-mac-15.qdpx", "qc-1.3.2-demo.qdpx")


def _xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".qde"))
        return etree.fromstring(archive.read(name))


def _source_texts(path: Path, root: etree._Element) -> dict[str, str]:
    """guid → raw text of each source whose .txt is not empty (counted independently of the
    importer: straight from the archive)."""
    out = {}
    with zipfile.ZipFile(path) as archive:
        members = {n.lower(): n for n in archive.namelist()}
        for source in root.iter(NS + "TextSource"):
            ref = source.get("plainTextPath", "").removeprefix("internal://")
            name = members.get(f"sources/{ref}".lower()) or members.get(ref.lower())
            text = archive.read(name).decode("utf-8") if name else ""
            if text.strip():
                out[source.get("guid")] = text
    return out


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_imports_with_the_numbers_its_xml_holds(sample: str, tmp_path: Path) -> None:
    path = requires_shared("refi-qda", "samples", sample)
    root = _xml(path)
    codes_in_xml = len(list(root.iter(NS + "Code")))
    sources_in_xml = len(list(root.iter(NS + "TextSource")))
    texts = _source_texts(path, root)
    codings_in_xml = sum(
        len(sel.findall(NS + "Coding"))
        for source in root.iter(NS + "TextSource")
        if source.get("guid") in texts
        for sel in source.iter(NS + "PlainTextSelection")
    )
    users_in_xml = len(list(root.iter(NS + "User")))

    summary = import_qdpx_new(tmp_path / "s.qualcode", path, coder="tester")

    assert summary.codes == codes_in_xml
    assert summary.users == users_in_xml
    assert summary.sources == len(texts)
    # every source is either imported or listed as not imported, with the reason
    assert summary.sources + len(summary.skipped_sources) == sources_in_xml
    assert all("no text" in line for line in summary.skipped_sources)
    assert summary.codings + len(summary.not_placed) == codings_in_xml
    with Study.open(tmp_path / "s.qualcode", coder="tester") as study:
        assert len(study.codes()) == codes_in_xml
        assert len(study.documents()) == len(texts)
        assert len(study.fragments()) == summary.codings == codings_in_xml
        coders = {c["name"] for c in study.coders()}
        assert {u.get("name") for u in root.iter(NS + "User")} <= coders


def test_qc_sample_codings_have_the_text_the_xml_describes(tmp_path: Path) -> None:
    path = requires_shared("refi-qda", "samples", "qc-1.3.2-demo.qdpx")
    root = _xml(path)
    texts = _source_texts(path, root)
    names = {s.get("guid"): s.get("name") or Path(s.get("plainTextPath")).stem for s in root.iter(NS + "TextSource")}
    code_path = {}

    def walk(element: etree._Element, prefix: str) -> None:
        for code in element.findall(NS + "Code"):
            full = f"{prefix}/{code.get('name')}" if prefix else code.get("name")
            code_path[code.get("guid")] = full
            walk(code, full)

    walk(root.find(f"{NS}CodeBook/{NS}Codes"), "")
    expected = []
    for source in root.iter(NS + "TextSource"):
        guid = source.get("guid")
        if guid not in texts:
            continue
        offsets = OffsetMap(texts[guid])
        for sel in source.iter(NS + "PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            passage = offsets.normalised[offsets.start(start) : offsets.end(end)]
            # the mapped passage is the raw passage, normalised
            assert " ".join(passage.split()) == " ".join(texts[guid][start:end].split())
            for coding in sel.findall(NS + "Coding"):
                expected.append((names[guid], code_path[coding.find(NS + "CodeRef").get("targetGUID")], passage))
    import_qdpx_new(tmp_path / "s.qualcode", path, coder="tester")
    with Study.open(tmp_path / "s.qualcode", coder="tester") as study:
        got = [(f["document"], f["code"], f["text"]) for f in study.fragments()]
        docs = {d.id: d.title for d in study.documents()}
        for f in study.fragments():
            text = study.document_text(f["document_id"])
            assert text[f["start"] : f["end"]] == f["text"]
        assert sorted(got) == sorted(expected)
        assert set(docs.values()) == set(names.values())
        # the coder of every coding is the project's user
        assert {f["coder"] for f in study.fragments()} == {u.get("name") for u in root.iter(NS + "User")}


def test_nvivo_sample_reports_its_empty_sources_and_keeps_the_tree(tmp_path: Path) -> None:
    path = requires_shared("refi-qda", "samples", "nvivo-mac-15.qdpx")
    root = _xml(path)
    summary = import_qdpx_new(tmp_path / "s.qualcode", path, coder="tester")
    assert len(summary.skipped_sources) == len(list(root.iter(NS + "TextSource")))
    assert any(".docx" in line for line in summary.skipped_sources)
    with Study.open(tmp_path / "s.qualcode", coder="tester") as study:
        depth = max(c.depth for c in study.codes())
        xml_depth = max(len(list(c.iterancestors(NS + "Code"))) for c in root.iter(NS + "Code"))
        assert depth == xml_depth
        tops = [c.get("name") for c in root.find(f"{NS}CodeBook/{NS}Codes").findall(NS + "Code")]
        assert [c.name for c in study.codes() if c.parent_id is None] == tops
