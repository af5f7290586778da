"""Importing transcripts: folders, sidecar attributes and their precedence, turns and
sentences, duplicates, every supported format, and bad input that leaves the study as it
was (byte for byte)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.ingest import MAX_FILE_BYTES
from qualcode.study.study import Study

INTERVIEW = """---
organisation: Leergeld
project: Huisbezoek
role: ouder
participant: P-07
wave: "1"
gemeente: Assen
---
Interviewer: Hoe was het eerste bezoek?
Moeder: Spannend. Ik had de kamer opgeruimd! Maar ze keek niet rond, ze keek naar mij.
Interviewer: En daarna?
Moeder: Daarna ging het vanzelf. Ze kwam terug, elke week.
"""

COACH = """I: Wat doe je anders dan vroeger?
R: Ik heb tijd. Drie gezinnen in plaats van zestig.
I: Merken de ouders dat?
R: Ja. Ze bellen mij nu zelf.
"""

CHILD = """[Interviewer] Wat doe je na school?
[Kind] Voetbal. Dat kon eerst niet, nu wel.
"""


def make_folder(root: Path) -> Path:
    folder = root / "interviews"
    (folder / "coevorden").mkdir(parents=True)
    (folder / "leergeld-ouder.md").write_text(INTERVIEW, encoding="utf-8")
    (folder / "coevorden" / "coach.txt").write_text(COACH, encoding="utf-8")
    (folder / "coevorden" / "kind.txt").write_text(CHILD, encoding="utf-8")
    (folder / ".verborgen.txt").write_text("niet importeren", encoding="utf-8")
    return folder


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    path = tmp_path / "leeg.qualcode"
    Study.create(path, "leeg").close()
    return path


def meta(study: Study, title: str) -> dict[str, object]:
    doc = study.document(title)
    return {
        "organisation": doc.organisation,
        "project": doc.project,
        "role": doc.role,
        "participant": doc.participant,
        # wave is a field of a document now, not a free attribute; it reads as before here.
        **({"wave": doc.wave} if doc.wave else {}),
        **doc.attributes,
    }


# -- folders and metadata ------------------------------------------------------------------


def test_import_folder_recursively_with_sidecar_in_the_folder(empty: Path, tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    (folder / "attributes.csv").write_text(
        "file,organisation,project,role,wave\n"
        "coach.txt,Maatschappelijk Welzijn Coevorden,Pilot Gezinscoaches,gezinscoach,2\n"
        "kind.txt,Maatschappelijk Welzijn Coevorden,Pilot Gezinscoaches,kind,2\n"
        "leergeld-ouder.md,,Huisbezoek door intermediairs,,3\n",
        encoding="utf-8",
    )
    with Study.open(empty) as study:
        report = study.import_files([folder])
        assert sorted(Path(p).name for p, _ in report.imported) == ["coach.txt", "kind.txt", "leergeld-ouder.md"]
        assert report.errors == [] and report.duplicates == []
        assert meta(study, "coach") == {
            "organisation": "Maatschappelijk Welzijn Coevorden",
            "project": "Pilot Gezinscoaches",
            "role": "gezinscoach",
            "participant": None,
            "wave": "2",
        }
        # front matter fills what the sheet leaves empty; the sheet wins where it has a value
        assert meta(study, "leergeld-ouder") == {
            "organisation": "Leergeld",
            "project": "Huisbezoek door intermediairs",
            "role": "ouder",
            "participant": "P-07",
            "wave": "3",
            "gemeente": "Assen",
        }
        assert report.turns == sum(len(study.turns(d.id)) for d in study.documents()) == 10


def test_precedence_front_matter_then_sidecar_then_command_line(empty: Path, tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    sheet = tmp_path / "kenmerken.csv"
    # Dutch Excel: semicolons, Dutch column names, a path in the file column
    sheet.write_text(
        "bestand;rol;project;wave;gemeente\n"
        "leergeld-ouder.md;kind;Sidecar-project;2;\n"
        "coevorden/coach.txt;gezinscoach;;2;Coevorden\n",
        encoding="cp1252",
    )
    result = CliRunner().invoke(
        main,
        [
            "import",
            str(folder),
            "--attributes",
            str(sheet),
            "--role",
            "intermediair",
            "--attr",
            "wave=9",
            "--study",
            str(empty),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("Imported 3 document(s): ")
    with Study.open(empty) as study:
        assert meta(study, "leergeld-ouder") == {
            "organisation": "Leergeld",  # front matter only
            "project": "Sidecar-project",  # sidecar beats front matter
            "role": "intermediair",  # the command line beats both
            "participant": "P-07",
            "wave": "9",
            "gemeente": "Assen",  # an empty sidecar cell does not erase front matter
        }
        assert meta(study, "coach")["gemeente"] == "Coevorden"
        assert meta(study, "kind")["wave"] == "9"


def test_turns_and_sentences(empty: Path, tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    with Study.open(empty) as study:
        study.import_files([folder])
        doc = study.document("leergeld-ouder")
        assert not doc.text.startswith("---") and doc.text.startswith("Interviewer: Hoe")
        turns = study.turns(doc.id)
        assert [(t.speaker, doc.text[t.body_start : t.end]) for t in turns] == [
            ("Interviewer", "Hoe was het eerste bezoek?"),
            ("Moeder", "Spannend. Ik had de kamer opgeruimd! Maar ze keek niet rond, ze keek naar mij."),
            ("Interviewer", "En daarna?"),
            ("Moeder", "Daarna ging het vanzelf. Ze kwam terug, elke week."),
        ]
        assert doc.role == "ouder"
        for info in study.documents():
            text = study.document_text(info.id)
            by_id = {t.id: t for t in study.turns(info.id)}
            sentences = study.sentences(info.id)
            assert sentences and by_id
            for s in sentences:
                assert s.turn_id in by_id, f"sentence outside any turn: {text[s.start : s.end]!r}"
                turn = by_id[s.turn_id]
                assert turn.body_start <= s.start < s.end <= turn.end
                assert text[s.start : s.end] == text[s.start : s.end].strip()
                assert ":" not in text[s.start : s.start + 14] or turn.speaker not in text[s.start : s.end]
        kind = study.document("kind")
        sentences = [kind.text[s.start : s.end] for s in study.sentences(kind.id)]
        assert sentences == ["Wat doe je na school?", "Voetbal.", "Dat kon eerst niet, nu wel."]


def test_duplicates_with_bom_and_crlf_are_reported_and_skipped(empty: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dubbel"
    folder.mkdir()
    (folder / "a.txt").write_text(COACH, encoding="utf-8")
    (folder / "b.txt").write_bytes(codecs.BOM_UTF8 + COACH.replace("\n", "\r\n").encode("utf-8"))
    with Study.open(empty) as study:
        report = study.import_files([folder])
        assert [Path(p).name for p, _ in report.imported] == ["a.txt"]
        assert [(Path(p).name, title) for p, title in report.duplicates] == [("b.txt", "a")]
        again = study.import_files([folder / "b.txt"])
        assert again.imported == []
        assert [(Path(p).name, title) for p, title in again.duplicates] == [("b.txt", "a")]
        assert len(study.documents()) == 1
    result = CliRunner().invoke(main, ["import", str(folder / "a.txt"), "--study", str(empty)])
    assert result.exit_code == 0
    assert f"Already in the study: {folder / 'a.txt'} (as “a”)" in result.stderr.splitlines()
    assert result.stdout.splitlines()[-1] == "Imported 0 document(s): 0 words, 0 turns, 0 sentences."


# -- bad input -----------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4


def _bad_file(tmp_path: Path, case: str) -> tuple[Path, str]:
    if case == "binary":
        path = tmp_path / "foto.txt"
        path.write_bytes(PNG)
        return path, "looks like a binary file"
    if case == "undecodable":
        path = tmp_path / "kapot.txt"
        path.write_bytes(b"Interviewer: hallo\nR: \x81\x8d\x90 ja\n")
        return path, "is neither UTF-8 nor Windows-1252 text"
    if case == "empty":
        path = tmp_path / "leeg.txt"
        path.write_bytes(b"  \n\n")
        return path, "the file is empty"
    if case == "front-matter-only":
        path = tmp_path / "alleen-kop.md"
        path.write_text("---\nrole: ouder\n---\n", encoding="utf-8")
        return path, "the file is empty"
    if case == "unsupported":
        path = tmp_path / "verslag.pdf"
        path.write_bytes(b"%PDF-1.4\n")
        return path, "qualcode reads .txt"
    if case == "missing":
        return tmp_path / "bestaat-niet.txt", "no such file or folder"
    if case == "too-large":
        path = tmp_path / "enorm.txt"
        line = b"Interviewer: Dit is een heel lang interview dat maar doorgaat.\n"
        with path.open("wb") as f:
            f.write(line * (50 * 1024 * 1024 // len(line) + 1))
        return path, f"over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit"
    raise AssertionError(case)


BAD_CASES = ["binary", "undecodable", "empty", "front-matter-only", "unsupported", "missing", "too-large"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_file_is_one_line_error_naming_it_and_study_unchanged(study_path: Path, tmp_path: Path, case: str) -> None:
    bad, reason = _bad_file(tmp_path, case)
    before = study_path.read_bytes()
    with Study.open(study_path, coder="iemand-nieuws") as study:
        with pytest.raises(QualcodeError) as exc:
            study.import_files([bad])
    message = str(exc.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}: ")
    assert reason in message
    assert study_path.read_bytes() == before


def test_too_large_file_is_refused_without_reading_it(empty: Path, tmp_path: Path) -> None:
    path = tmp_path / "groot.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: reading it would take time and memory
    with Study.open(empty) as study:
        with pytest.raises(QualcodeError, match=r"50\.0 MB is over the 20 MB limit"):
            study.import_files([path])


def test_batch_with_a_bad_file_imports_nothing_unless_skipping(empty: Path, tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    (folder / "coevorden" / "kapot.txt").write_bytes(PNG)
    before = empty.read_bytes()
    with Study.open(empty) as study:
        with pytest.raises(QualcodeError) as exc:
            study.import_files([folder])
    message = str(exc.value)
    assert message.startswith(f"{folder / 'coevorden' / 'kapot.txt'}: looks like a binary file")
    assert message.endswith("nothing was imported — fix the file or pass --skip-errors")
    assert empty.read_bytes() == before

    result = CliRunner().invoke(main, ["import", str(folder), "--skip-errors", "--study", str(empty)])
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("Skipped: ")]
    assert len(skipped) == 1 and str(folder / "coevorden" / "kapot.txt") in skipped[0]
    assert result.stdout.splitlines()[-1].startswith("Imported 3 document(s): ")
    with Study.open(empty) as study:
        assert sorted(d.title for d in study.documents()) == ["coach", "kind", "leergeld-ouder"]


def test_cli_bad_import_prints_one_error_line(empty: Path, tmp_path: Path) -> None:
    bad, _ = _bad_file(tmp_path, "binary")
    result = CliRunner().invoke(main, ["import", str(bad), "--study", str(empty)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(f"Error: {bad}: looks like a binary file")
    assert "Traceback" not in result.output


# -- every supported format ----------------------------------------------------------------

TURNS = [
    ("Interviewer", "Hoe kwam u bij de coach terecht?"),
    ("Vader", "Via school. Ik schaamde me eerst."),
    ("Interviewer", "En nu?"),
    ("Vader", "Nu sta ik er niet meer alleen voor."),
]


def _write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    for speaker, said in TURNS:
        document.add_paragraph(f"{speaker}: {said}")
    document.save(str(path))


def _write_odt(path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    for speaker, said in TURNS:
        document.text.addElement(P(text=f"{speaker}: {said}"))
    document.save(str(path))


def _write(path: Path) -> None:
    suffix = path.suffix
    if suffix == ".docx":
        _write_docx(path)
    elif suffix == ".odt":
        _write_odt(path)
    elif suffix == ".vtt":
        cues = [
            f"{i + 1}\n00:00:{i * 5:02d}.000 --> 00:00:{i * 5 + 4:02d}.000\n<v {speaker}>{said}\n"
            for i, (speaker, said) in enumerate(TURNS)
        ]
        path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
    elif suffix == ".srt":
        cues = [
            f"{i + 1}\n00:00:{i * 5:02d},000 --> 00:00:{i * 5 + 4:02d},000\n{speaker}: {said}\n"
            for i, (speaker, said) in enumerate(TURNS)
        ]
        path.write_text("\n".join(cues), encoding="utf-8")
    elif suffix == ".md":
        path.write_text("---\nrole: ouder\n---\n" + "\n\n".join(f"{s}: {t}" for s, t in TURNS) + "\n", encoding="utf-8")
    else:
        path.write_text("\r\n".join(f"{s}: {t}" for s, t in TURNS), encoding="cp1252")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".docx", ".odt", ".vtt", ".srt"])
def test_each_format_end_to_end(empty: Path, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"vader{suffix}"
    _write(path)
    with Study.open(empty) as study:
        report = study.import_files([path], metadata={"organisation": "Leergeld"})
        [(_, doc_id)] = report.imported
        doc = study.document(doc_id)
        assert (doc.title, doc.source_name, doc.organisation) == ("vader", path.name, "Leergeld")
        turns = study.turns(doc_id)
        assert [(t.speaker, doc.text[t.body_start : t.end]) for t in turns] == TURNS
        if suffix in (".vtt", ".srt"):
            assert [t.timestamp for t in turns] == ["00:00:00", "00:00:05", "00:00:10", "00:00:15"]
        sentences = [doc.text[s.start : s.end] for s in study.sentences(doc_id)]
        assert "Ik schaamde me eerst." in sentences and "Via school." in sentences
        assert not any("Vader" in s or "Interviewer" in s for s in sentences)
        assert study.search("schaamde")[0].document_id == doc_id
        assert doc.word_count >= 20


def test_sidecar_rows_for_same_named_files_in_different_folders(empty: Path, tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    for org, text in (("coevorden", COACH), ("tilburg", CHILD)):
        (folder / org).mkdir(parents=True)
        (folder / org / "interview-01.txt").write_text(text, encoding="utf-8")
    (folder / "attributes.csv").write_text(
        "file;organisation;wave\ncoevorden/interview-01.txt;Coevorden;1\ntilburg/interview-01.txt;Tilburg;2\n",
        encoding="utf-8",
    )
    with Study.open(empty) as study:
        study.import_files([folder])
        found = {
            (study.document_text(d.id).split("\n")[0], d.organisation, study.document(d.id).wave)
            for d in study.documents()
        }
    assert found == {
        (COACH.split("\n")[0], "Coevorden", "1"),
        (CHILD.split("\n")[0], "Tilburg", "2"),
    }


def test_a_sidecar_row_that_matches_no_file_is_reported(empty: Path, tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "coach.txt").write_text(COACH, encoding="utf-8")
    (folder / "attributes.csv").write_text(
        "file,organisation\ncoach.txt,Coevorden\ncaoch-02.txt,Coevorden\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["import", str(folder), "--study", str(empty)])
    assert result.exit_code == 0, result.output
    assert f"Note: {folder / 'attributes.csv'}: no imported file matches the row for “caoch-02.txt”" in result.stderr
    with Study.open(empty) as study:
        assert [d.organisation for d in study.documents()] == ["Coevorden"]
