"""Bad input refused in one line, in bounded time and memory (issue 13): damaged UTF-8,
text bombs in .docx/.odt/.qdpx, overlong lines, YAML bombs."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from qualcode.core.errors import QualcodeError
from qualcode.exchange import import_qdpx_new
from qualcode.ingest import encoding
from qualcode.ingest.readers import read_source
from qualcode.study.codebook import load_codebook
from qualcode.study.study import Study

DUTCH = "Interviewer: Hoe ging het met één van de kinderen?\nMoeder: Het café en de reünie, ĳs en weeë.\n"


def _one_line(exc: pytest.ExceptionInfo[BaseException], path: Path) -> str:
    message = str(exc.value)
    assert "\n" not in message and str(path) in message, message
    return message


# -- 2. damaged UTF-8 is not cp1252 ----------------------------------------------------------


def test_utf8_with_a_stray_byte_is_refused_with_its_offset(tmp_path: Path) -> None:
    data = (DUTCH * 20).encode("utf-8")
    damaged = data[:300] + b"\x92" + data[300:]
    path = tmp_path / "beschadigd.txt"
    path.write_bytes(damaged)
    with pytest.raises(QualcodeError) as exc:
        read_source(path)
    message = _one_line(exc, path)
    assert "UTF-8" in message and "at byte 300" in message and "1 damaged byte" in message


def test_a_study_is_unchanged_by_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "beschadigd.txt"
    path.write_bytes(DUTCH.encode("utf-8") + b"\xff\xfe\xff" + DUTCH.encode("utf-8"))
    study_path = tmp_path / "s.qualcode"
    Study.create(study_path).close()
    before = study_path.read_bytes()
    with Study.open(study_path) as study, pytest.raises(QualcodeError, match="damaged byte"):
        study.import_files([path])
    assert study_path.read_bytes() == before


def test_real_cp1252_is_still_read_as_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes((DUTCH.replace("ĳ", "ij") + "Het is ‘prima’ – echt.\n").encode("cp1252"))
    doc = read_source(path)
    assert doc.encoding == "cp1252" and "één" in doc.text and "‘prima’ – echt" in doc.text


def test_ascii_with_one_windows_apostrophe_is_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "apostrof.txt"
    path.write_bytes(b"Interviewer: Hoe gaat het?\nR: Het gaat goed, it\x92s fine.\n")
    assert "it’s fine" in read_source(path).text


# -- 5. text bombs ---------------------------------------------------------------------------


def _docx(path: Path, document_xml: bytes) -> Path:
    ct = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", ct)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document_xml)
    return path


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'


def test_a_small_docx_unpacking_to_a_huge_text_part_is_refused_unparsed(tmp_path: Path) -> None:
    """Like the 0.8 MB .docx that became 160 million characters: refused by the part's size."""
    body = _W + b"<w:p><w:r><w:t>" + b"a" * (90 * 2**20) + b"</w:t></w:r></w:p></w:body></w:document>"
    path = _docx(tmp_path / "bom.docx", body)
    assert path.stat().st_size < 1_000_000
    started = time.perf_counter()
    with pytest.raises(QualcodeError) as exc:
        read_source(path)
    assert time.perf_counter() - started < 5
    assert "over the" in _one_line(exc, path)


def test_docx_text_is_limited_while_it_is_extracted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paragraphs = b"".join(b"<w:p><w:r><w:t>Dit is een regel tekst.</w:t></w:r></w:p>" for _ in range(400))
    path = _docx(tmp_path / "lang.docx", _W + paragraphs + b"</w:body></w:document>")
    assert "regel tekst" in read_source(path).text
    monkeypatch.setattr(encoding, "MAX_TEXT_CHARS", 5000)
    with pytest.raises(QualcodeError) as exc:
        read_source(path)
    assert "million characters" in _one_line(exc, path)


def test_docx_and_odt_are_read_as_a_stream_that_stops_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The XML after the point where the text passes its limit is never parsed: here it is
    not even well-formed, and the refusal is still the limit's, not a parse error."""
    paragraphs = b"".join(b"<w:p><w:r><w:t>Dit is een regel tekst.</w:t></w:r></w:p>" for _ in range(400))
    docx = _docx(tmp_path / "lang.docx", _W + paragraphs + b"<w:p><w:r><w:t>kapot</w:p></w:body>")
    text_ns = b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    office_ns = b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    odt = tmp_path / "lang.odt"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        lines = b"".join(b"<text:p>Dit is een regel tekst.</text:p>" for _ in range(400))
        archive.writestr(
            "content.xml",
            b"<office:document-content "
            + office_ns
            + b" "
            + text_ns
            + b"><office:body><office:text>"
            + lines
            + b"<text:p>kapot</office:text>",
        )
    monkeypatch.setattr(encoding, "MAX_TEXT_CHARS", 5000)
    for path in (docx, odt):
        with pytest.raises(QualcodeError) as exc:
            read_source(path)
        assert "million characters" in _one_line(exc, path)


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_entities_in_office_xml_are_neither_expanded_nor_fetched(tmp_path: Path, suffix: str) -> None:
    """A "billion laughs" part is refused in one line at once; an external entity (a file
    on this machine) is never read into the transcript."""
    laughs = '<!ENTITY a "lollollollollollol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9)
    )
    secret = tmp_path / "geheim.txt"
    secret.write_text("BSN 123456782", encoding="utf-8")
    for name, doctype, reference in (
        ("lach", laughs, "&j;"),
        ("extern", f'<!ENTITY x SYSTEM "{secret.as_uri()}">', "&x;"),
    ):
        path = tmp_path / f"{name}{suffix}"
        if suffix == ".docx":
            root = "w:document"
            body = f'<w:document xmlns:w="{_W_NS}"><w:body><w:p><w:r><w:t>hallo {reference}</w:t></w:r></w:p></w:body></w:document>'
            part = "word/document.xml"
        else:
            root = "office:document-content"
            body = (
                f'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                f'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
                f"<text:p>hallo {reference}</text:p></office:text></office:body></office:document-content>"
            )
            part = "content.xml"
        with zipfile.ZipFile(path, "w") as archive:
            if suffix == ".odt":
                archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr(part, f"<!DOCTYPE {root} [{doctype}]>{body}")
        started = time.perf_counter()
        try:
            text = read_source(path).text
        except QualcodeError as exc:
            message = str(exc)
            assert "could not be read" in message and "\n" not in message and str(path) in message
        else:
            assert "lol" not in text and "123456782" not in text and text.startswith("hallo")
        assert time.perf_counter() - started < 5


def test_a_transcript_with_one_enormous_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "een-regel.txt"
    path.write_text("Interviewer: " + "bla " * 300_000 + "\nR: ja\n", encoding="utf-8")
    with pytest.raises(QualcodeError) as exc:
        read_source(path)
    assert "line 1 is over 1,000,000 characters" in _one_line(exc, path)


_PROJECT = (
    '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>'
    '<Code guid="11111111-1111-1111-1111-111111111111" name="c" isCodable="true"/></Codes></CodeBook>'
    '<Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="s" plainTextPath="internal://s.txt"/>'
    "</Sources></Project>"
)


def _qdpx(path: Path, source: bytes) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", _PROJECT)
        archive.writestr("sources/s.txt", source)
    return path


@pytest.mark.parametrize(
    ("source", "reason"),
    [(b"x" * (90 * 2**20), "limit for one source"), (b"woord " * 200_000, "over 1,000,000 characters")],
    ids=["huge source", "one long line"],
)
def test_qdpx_sources_are_limited_before_segmenting(tmp_path: Path, source: bytes, reason: str) -> None:
    qdpx = _qdpx(tmp_path / "bom.qdpx", source)
    target = tmp_path / "new.qualcode"
    started = time.perf_counter()
    with pytest.raises(QualcodeError) as exc:
        import_qdpx_new(target, qdpx)
    assert time.perf_counter() - started < 10
    assert reason in _one_line(exc, qdpx)
    assert not target.exists()


# -- 6. YAML bombs ---------------------------------------------------------------------------

LAUGHS = (
    "codebook: x\nlol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
    + "codes: *a9\n"
)
BOMBS = {
    "deep": "codebook: x\ncodes: " + "[" * 3000 + "]" * 3000 + "\n",
    "deep mapping": "codebook: x\ncodes:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(1, 3000)),
    "recursive alias": "codebook: x\ncodes: &a [name: x, children: *a]\n",
    "billion laughs": LAUGHS,
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_yaml_bombs_in_a_codebook_are_one_line_and_fast(tmp_path: Path, name: str) -> None:
    path = tmp_path / "boek.yaml"
    path.write_text(BOMBS[name], encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(QualcodeError) as exc:
        load_codebook(path)
    assert time.perf_counter() - started < 5
    assert "refused" in _one_line(exc, path)


@pytest.mark.parametrize("name", list(BOMBS))
def test_yaml_bombs_in_front_matter_are_one_line_and_fast(tmp_path: Path, name: str) -> None:
    front = BOMBS[name].replace("codebook: x\ncodes:", "titel: x\nwijk:", 1)
    path = tmp_path / "bom.md"
    path.write_text(f"---\n{front}---\nInterviewer: Hallo.\nR: Dag.\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(QualcodeError) as exc:
        read_source(path)
    assert time.perf_counter() - started < 5
    assert "refused" in _one_line(exc, path)


def test_ordinary_aliases_still_work(tmp_path: Path) -> None:
    path = tmp_path / "boek.yaml"
    path.write_text(
        "codebook: x\ncodes:\n- name: A\n  keywords: &k [schaamte, schuld]\n- name: B\n  keywords: *k\n",
        encoding="utf-8",
    )
    assert [c.keywords for c in load_codebook(path).codes] == [["schaamte", "schuld"]] * 2
