"""Reading transcript files of every supported kind, and refusing bad ones clearly."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from qualcode.core.errors import QualcodeError
from qualcode.ingest import (
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    find_sources,
    parse_turns,
    read_sidecar,
    read_source,
    split_front_matter,
)

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "refi-qda" / "samples"


MESSAGES: list[str] = []


def refused(path: Path, reading=read_source) -> str:
    """The one-line message a bad file gets; it must name the file first."""
    with pytest.raises(QualcodeError) as caught:
        reading(path)
    message = str(caught.value)
    MESSAGES.append(message)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message[len(f"{path}: ") :]


def write_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
        document.add_paragraph("Na de tabel.")
    document.save(str(path))
    return path


def write_odt(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    from odf.office import Annotation
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Interview Samira"))
    for text in paragraphs:
        document.text.addElement(P(text=text))
    comment = P(text="Zichtbaar")
    note = Annotation()
    note.addElement(P(text="commentaar van de coder"))
    comment.addElement(note)
    document.text.addElement(comment)
    if table:
        grid = Table(name="T")
        grid.addElement(TableColumn(numbercolumnsrepeated=len(table[0])))
        for row in table:
            tr = TableRow()
            for value in row:
                cell = TableCell()
                cell.addElement(P(text=value))
                tr.addElement(cell)
            grid.addElement(tr)
        document.text.addElement(grid)
    document.save(str(path))
    return path


# --- plain text and markdown ------------------------------------------------------------


def test_txt_crlf_and_offsets(tmp_path: Path) -> None:
    path = tmp_path / "samira.txt"
    path.write_bytes("Interviewer: Hoe gaat het?\r\nSamira: Goed, één keer per week.\r\n".encode())
    doc = read_source(path)
    assert doc.text == "Interviewer: Hoe gaat het?\nSamira: Goed, één keer per week."
    assert (doc.title, doc.source_name, doc.metadata, doc.encoding) == ("samira", "samira.txt", {}, "utf-8")
    second = parse_turns(doc.text)[1]
    assert doc.text[second.body_start : second.end] == "Goed, één keer per week."


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_txt_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "moeder.txt"
    path.write_bytes("Moeder: We voelden ons gezien – zonder oordeel.\n".encode(encoding))
    doc = read_source(path)
    assert doc.text == "Moeder: We voelden ons gezien – zonder oordeel."
    assert doc.encoding == encoding


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "int-04.md"
    path.write_text(
        "---\n"
        "title: Gesprek met Samira\n"
        "organisatie: Leergeld Coevorden\n"
        "project: Pilot Gezinscoaches\n"
        "role: ouder\n"
        "participant: 007\n"
        "interview_date: 2024-03-12\n"
        "wave: 2\n"
        "Gemeente: Coevorden\n"
        "consent: yes\n"
        "themes: [vertrouwen, vangnet]\n"
        "leeg:\n"
        "---\n"
        "\n\n"
        "**Interviewer:** Welkom.\n",
        encoding="utf-8",
    )
    doc = read_source(path)
    assert doc.title == "Gesprek met Samira"
    assert doc.metadata == {
        "organisation": "Leergeld Coevorden",
        "project": "Pilot Gezinscoaches",
        "role": "ouder",
        "participant": "007",
        "interview_date": "2024-03-12",
        "wave": "2",
        "gemeente": "Coevorden",
        "consent": "yes",
        "themes": "vertrouwen, vangnet",
    }
    assert doc.text == "**Interviewer:** Welkom."
    [turn] = parse_turns(doc.text)
    assert doc.text[turn.body_start : turn.end] == "Welkom."


def test_no_front_matter_keeps_text_and_drops_leading_blank_lines(tmp_path: Path) -> None:
    assert split_front_matter("\n\n  \nR: ja\n---\nx: y", tmp_path) == ({}, "R: ja\n---\nx: y")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("---\ntitle: a\nrole: [ouder\n---\nR: ja", "line 4: malformed front matter"),
        ("---\ntitle: a\n  bad: indent\n---\nR: ja", "line 3: malformed front matter"),
        ("---\n- een\n- twee\n---\nR: ja", "line 2: front matter must be 'key: value' lines"),
        ("---\ntitle: a\nR: ja\n", "line 1: front matter opens with --- but never closes"),
        ("---\nadres:\n  straat: x\n---\nR: ja", "front matter key 'adres' has a nested value"),
        ("---\ntitle: Alleen kop\n---\n\n", "the file is empty (only front matter"),
    ],
)
def test_bad_front_matter(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "fm.md"
    path.write_text(content, encoding="utf-8")
    assert refused(path).startswith(reason)


# --- Word and OpenDocument ---------------------------------------------------------------


def test_docx_paragraphs_and_table(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "coach.docx",
        ["Interview gezinscoach", "Interviewer: Wat doe je?", "Coach: Ik kom thuis.\tAltijd."],
        table=[["Coach", "Eén vast contactpersoon"], ["Ouder", "Vertrouwen"]],
    )
    doc = read_source(path)
    assert doc.encoding == "docx"
    assert doc.title == "coach"
    assert doc.text == (
        "Interview gezinscoach\nInterviewer: Wat doe je?\nCoach: Ik kom thuis.\tAltijd.\n"
        "Coach\tEén vast contactpersoon\nOuder\tVertrouwen\nNa de tabel."
    )
    assert [t.speaker for t in parse_turns(doc.text)] == ["Interviewer", "Coach"]


def test_docx_keeps_tracked_insertions_and_drops_deletions(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    paragraph = document.add_paragraph("Moeder: Het was ")
    paragraph._p.append(parse_xml(f'<w:ins {w} w:id="1" w:author="a"><w:r><w:t>echt </w:t></w:r></w:ins>'))
    paragraph._p.append(parse_xml(f'<w:del {w} w:id="2" w:author="a"><w:r><w:delText>niet </w:delText></w:r></w:del>'))
    paragraph.add_run("fijn.")
    path = tmp_path / "tracked.docx"
    document.save(str(path))
    assert read_source(path).text == "Moeder: Het was echt fijn."


def test_odt_paragraphs_table_and_no_comments(tmp_path: Path) -> None:
    path = write_odt(
        tmp_path / "ouder.odt",
        ["Interviewer: Hoe was het?", "Moeder: Fijn, écht."],
        table=[["Coach", "Huisbezoek"]],
    )
    doc = read_source(path)
    assert doc.encoding == "odt"
    assert doc.text == (
        "Interview Samira\nInterviewer: Hoe was het?\nMoeder: Fijn, écht.\nZichtbaar\nCoach\tHuisbezoek"
    )
    assert [t.role for t in parse_turns(doc.text)] == ["interviewer", "ouder"]


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("a.docx", lambda p: p.write_bytes(b"dit is geen zip"), "is not a valid .docx file (not a ZIP archive)"),
        (
            "b.docx",
            lambda p: _zip(p, {"[Content_Types].xml": b"<x/>"}),
            "is not a valid .docx file (word/document.xml is missing)",
        ),
        (
            "c.docx",
            lambda p: _zip(p, {"[Content_Types].xml": b"<x", "word/document.xml": b"<<<"}),
            "could not be read as .docx (",
        ),
        (
            "d.docx",
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
            "is an old-format or password-protected file",
        ),
        ("e.odt", lambda p: p.write_bytes(b"PK\x03\x04 kapot"), "is not a valid .odt file (not a ZIP archive)"),
        (
            "f.odt",
            lambda p: _zip(p, {"mimetype": b"application/vnd.oasis.opendocument.text"}),
            "is not a valid .odt file (content.xml is missing)",
        ),
        (
            "g.odt",
            lambda p: _zip(p, {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<kapot"}),
            "could not be read as .odt (",
        ),
        (
            "h.odt",
            lambda p: _zip(p, {"content.xml": b"<x/>", "META-INF/manifest.xml": b"<manifest:encryption-data/>"}),
            "is password-protected",
        ),
    ],
)
def test_corrupt_office_files(tmp_path: Path, name: str, make, reason: str) -> None:
    path = tmp_path / name
    make(path)
    assert refused(path).startswith(reason)


def test_odt_spreadsheet_is_refused(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet

    path = tmp_path / "sheet.odt"
    OpenDocumentSpreadsheet().save(str(path))
    assert refused(path).startswith("is not a text document")


def test_empty_documents(tmp_path: Path) -> None:
    assert refused(write_docx(tmp_path / "leeg.docx", ["", "  "])).startswith("the file is empty")
    from odf.opendocument import OpenDocumentText

    OpenDocumentText().save(str(tmp_path / "leeg.odt"))
    assert refused(tmp_path / "leeg.odt") == "the file is empty (the document has no text)"


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualcode.ingest import office

    monkeypatch.setattr(office, "_MAX_UNPACKED_BYTES", 10_000)
    path = write_docx(tmp_path / "bom.docx", ["x" * 20_000])
    assert "limit; the file is damaged" in refused(path)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/refi-qda/samples is absent")
def test_real_exports_from_other_tools(tmp_path: Path) -> None:
    with zipfile.ZipFile(SAMPLES / "nvivo-mac-15.qdpx") as archive:
        archive.extractall(tmp_path / "nvivo")
    with zipfile.ZipFile(SAMPLES / "qc-1.3.2-demo.qdpx") as archive:
        archive.extractall(tmp_path / "qc")
    nvivo_sources = find_sources(tmp_path / "nvivo")
    assert len(nvivo_sources) == 4  # two .txt and two .docx
    for empty in nvivo_sources:
        assert refused(empty).startswith("the file is empty")  # NVivo's sources are empty
    doc = read_source(tmp_path / "qc" / "sources" / "admin-1.txt")
    speakers = {t.speaker for t in parse_turns(doc.text)}
    assert speakers == {"Automation", "Max Bigman", "admin-1"}


# --- subtitles ---------------------------------------------------------------------------

VTT = """WEBVTT - Teams transcript
Kind: captions

NOTE dit is commentaar
over twee regels

STYLE
::cue { color: red }

a1b2/12-0
00:00:01.000 --> 00:00:04.000 align:start
<v Anja de Vries>Welkom bij dit gesprek,
<i>fijn</i> dat je er bent.</v>

00:00:05.500 --> 00:00:07.000
<v.loud Samira>Dank je &amp; graag.</v>

01:02:03.000 --> 01:02:04.000
<c.yellow>Zonder spreker</c>

00:00:08.000 --> 00:00:09.000
<v Anja de Vries>Ja.</v> <v Samira>Nee.</v>
"""


def test_vtt(tmp_path: Path) -> None:
    path = tmp_path / "teams.vtt"
    path.write_text(VTT, encoding="utf-8")
    doc = read_source(path)
    assert doc.text == (
        "[00:00:01] Anja de Vries: Welkom bij dit gesprek, fijn dat je er bent.\n"
        "[00:00:05] Samira: Dank je & graag.\n"
        "[01:02:03] Zonder spreker\n"
        "[00:00:08] Anja de Vries: Ja.\n"
        "[00:00:08] Samira: Nee."
    )
    turns = parse_turns(doc.text)
    assert [(t.speaker, t.timestamp) for t in turns] == [
        ("Anja de Vries", "00:00:01"),
        ("Samira", "00:00:05"),
        ("Samira", "01:02:03"),
        ("Anja de Vries", "00:00:08"),
        ("Samira", "00:00:08"),
    ]
    assert doc.text[turns[1].body_start : turns[1].end] == "Dank je & graag."


SRT = """1
00:00:01,000 --> 00:00:04,000
Interviewer: Hoe gaat het
met de <i>kinderen</i>?

2
00:00:05,000 --> 00:00:06,500
{\\an8}Moeder: Goed.
3
00:00:07,000 --> 00:00:08,000
Echt goed.
"""


def test_srt(tmp_path: Path) -> None:
    path = tmp_path / "zoom.srt"
    path.write_bytes(SRT.replace("\n", "\r\n").encode("cp1252"))
    doc = read_source(path)
    assert doc.text == (
        "[00:00:01] Interviewer: Hoe gaat het met de kinderen?\n[00:00:05] Moeder: Goed.\n[00:00:07] Echt goed."
    )
    assert [(t.speaker, t.role) for t in parse_turns(doc.text)] == [
        ("Interviewer", "interviewer"),
        ("Moeder", "ouder"),
        ("Moeder", "ouder"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.vtt", "Geen header\n\n00:00:01.000 --> 00:00:02.000\nx", "line 1: not a WebVTT file"),
        (
            "b.vtt",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n\n00:00:03 --> 00:00:04.000\ny",
            "line 6: expected a cue timing",
        ),
        ("c.vtt", "WEBVTT\n\nid-1\ntekst zonder tijd\n", "line 4: expected a cue timing"),
        (
            "d.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nx\n\n2\n00:00:03.000 -> 00:00:04,000\ny",
            "line 6: expected a cue timing",
        ),
        ("e.srt", "1\nhallo\n", "line 2: expected a cue timing"),
        ("f.srt", "1\n", "line 2: expected a cue timing"),
        ("g.vtt", "WEBVTT\n\nNOTE alleen commentaar\n", "the file is empty (no subtitle cues)"),
    ],
)
def test_bad_subtitles(tmp_path: Path, name: str, content: str, reason: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert refused(path).startswith(reason)


# --- files that are not transcripts ------------------------------------------------------


def test_unsupported_missing_folder_large_empty_binary(tmp_path: Path) -> None:
    assert refused(tmp_path / "scan.pdf").startswith(".pdf files are not supported; use .txt")
    assert refused(tmp_path / "README").startswith("files without an extension are not supported")
    assert refused(tmp_path / "weg.txt") == "no such file"
    (tmp_path / "map.txt").mkdir()
    assert refused(tmp_path / "map.txt") == "is a folder, not a transcript file"

    big = tmp_path / "groot.txt"
    with big.open("wb") as fh:  # sparse: costs no disk and is never read
        fh.truncate(int(52.4 * 1024 * 1024))
    assert refused(big) == "52.4 MB is over the 20 MB limit for one transcript; split it"
    assert MAX_FILE_BYTES == 20 * 1024 * 1024
    big_docx = tmp_path / "groot.docx"
    with big_docx.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    assert refused(big_docx).startswith("20.0 MB is over the 20 MB limit")

    empty = tmp_path / "leeg.txt"
    empty.write_bytes(b"\xef\xbb\xbf \r\n")
    assert refused(empty) == "the file is empty"
    photo = tmp_path / "foto.txt"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert refused(photo).startswith("looks like a binary file, not a transcript (")
    renamed = write_docx(tmp_path / "x.docx", ["Interviewer: hoi"]).rename(tmp_path / "x.md")
    assert "ZIP archive" in refused(renamed)


# --- sidecar CSV --------------------------------------------------------------------------


def test_sidecar_dutch_excel(tmp_path: Path) -> None:
    path = tmp_path / "kenmerken.csv"
    path.write_bytes(
        "Bestand;Wave;Gemeente;Rol;\r\nint-01.docx;1;Coevorden;ouder;\r\nint-02.txt;2;;coach;\r\n;;;;\r\n".encode(
            "cp1252"
        )
    )
    assert read_sidecar(path) == {
        "int-01.docx": {"wave": "1", "gemeente": "Coevorden", "role": "ouder"},
        "int-02.txt": {"wave": "2", "role": "coach"},
    }


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        ("\ufefffile,gemeente\nsamira.md,Leeuwarden – Noord\n".encode(), ","),
        ("filename\tgemeente\r\nsamira.md\tLeeuwarden – Noord\r\n".encode("utf-16"), "\t"),
        ('file;gemeente\n"samira.md";"Leeuwarden – Noord"\n'.encode("cp1252"), ";"),
    ],
)
def test_sidecar_encodings_and_delimiters(tmp_path: Path, data: bytes, delimiter: str) -> None:
    path = tmp_path / "meta.csv"
    path.write_bytes(data)
    assert read_sidecar(path) == {"samira.md": {"gemeente": "Leeuwarden – Noord"}}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("naam;wave\nx.txt;1\n", "line 1: no 'file' column"),
        ("file;wave;wave\nx.txt;1;2\n", "line 1: column 'wave' appears twice"),
        ("file;wave\nx.txt;1\nx.txt;2\n", "line 3: 'x.txt' is listed twice"),
        ("file;wave\nx.txt;1;extra\n", "line 2: a value stands in a column without a name"),
        ("file;wave\n;1\n", "line 2: the file column is empty"),
        ("", "the file is empty"),
    ],
)
def test_bad_sidecar(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "meta.csv"
    path.write_text(content, encoding="utf-8")
    assert refused(path, read_sidecar).startswith(reason)


# --- folders ------------------------------------------------------------------------------


def test_find_sources(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.MD",
        "ouders/int-02.docx",
        "ouders/int-01.odt",
        "coaches/x.vtt",
        "coaches/y.srt",
        "~$int-02.docx",
        "ouders/~$lock.docx",
        ".verborgen.txt",
        ".git/HEAD.txt",
        "__MACOSX/._a.md",
        "kenmerken.csv",
        "scan.pdf",
        "notities.txt~",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in find_sources(tmp_path)]
    assert found == ["a.MD", "b.txt", "coaches/x.vtt", "coaches/y.srt", "ouders/int-01.odt", "ouders/int-02.docx"]
    assert refused(tmp_path / "nergens", find_sources) == "no such folder"
    assert refused(tmp_path / "b.txt", find_sources) == "is not a folder"
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".md", ".docx", ".odt", ".vtt", ".srt"}


def test_ingest_imports_no_ui_and_no_heavy_libraries() -> None:
    code = (
        "import sys, qualcode.ingest; "
        "print(sorted(m for m in ('textual', 'docx', 'odf', 'yaml', 'lxml') if m in sys.modules))"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(src)},
    )
    assert result.stdout.strip() == "[]"
