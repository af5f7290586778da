"""What real tools write: odd names, folders, paths, .docx-only text, CRLF counted either
way, other namespaces — and codings that cannot be placed are reported, not dropped."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from qualcode.exchange import import_qdpx_new
from qualcode.study.study import Study

CODE = "11111111-1111-1111-1111-111111111111"
USER = "22222222-2222-2222-2222-222222222222"
SRC = "33333333-3333-3333-3333-333333333333"
TEXT = "Interviewer: Hoe gaat het?\r\nMoeder: Ik voel me gezien.\r\nInterviewer: Mooi.\r\n"


def _project(sources: str, ns: str = "urn:QDA-XML:project:1.0", codes: str | None = None) -> str:
    codes = codes or f'<Code guid="{CODE}" name="gezien" isCodable="true" color="#0a0"/>'
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{ns}" name="Tool project">'
        f'<Users><User guid="{USER}" name="Anna"/></Users>'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{sources}</Sources></Project>"
    )


def _selection(start: int, end: int, name: str | None = None, code: str = CODE) -> str:
    named = f' name="{name}"' if name is not None else ""
    return (
        f'<PlainTextSelection guid="44444444-4444-4444-4444-{start:012d}"{named} startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="55555555-5555-5555-5555-{end:012d}" creatingUser="{USER}"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection>"
    )


def _qdpx(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _fragments(path: Path) -> list[tuple[str, str, str]]:
    with Study.open(path, coder="tester") as study:
        return [(f["code"], f["coder"], f["text"]) for f in study.fragments()]


def test_crlf_counted_as_two_characters(tmp_path: Path) -> None:
    start = TEXT.index("Ik voel")
    end = TEXT.index("gezien.") + len("gezien")
    source = f'<TextSource guid="{SRC}" name="Moeder" plainTextPath="internal://{SRC}.txt">{_selection(start, end)}</TextSource>'
    qdpx = _qdpx(tmp_path / "p.qdpx", {"project.qde": _project(source), f"sources/{SRC}.txt": TEXT.encode()})
    summary = import_qdpx_new(tmp_path / "s.qualcode", qdpx)
    assert summary.not_placed == []
    assert _fragments(tmp_path / "s.qualcode") == [("gezien", "Anna", "Ik voel me gezien")]


def test_crlf_counted_as_one_character_is_detected(tmp_path: Path) -> None:
    one = TEXT.replace("\r\n", "\n")
    start = one.index("Ik voel")
    end = one.index("gezien.") + len("gezien")
    # without the name, word boundaries decide; with CRLF as two the span would be cut mid-word
    source = (
        f'<TextSource guid="{SRC}" name="Moeder" plainTextPath="{SRC}.txt">'
        f"{_selection(start, end)}{_selection(one.index('Mooi'), one.index('Mooi') + 4)}</TextSource>"
    )
    qdpx = _qdpx(tmp_path / "p.qdpx", {"Project.qde": _project(source), f"Sources/{SRC}.txt": TEXT.encode()})
    summary = import_qdpx_new(tmp_path / "s.qualcode", qdpx)
    assert any("CRLF counted as one" in r for r in summary.remarks)
    assert sorted(t for _, _, t in _fragments(tmp_path / "s.qualcode")) == ["Ik voel me gezien", "Mooi"]


def test_selection_name_decides_line_endings(tmp_path: Path) -> None:
    one = TEXT.replace("\r\n", "\n")
    start = one.index("Moeder")
    end = one.index("Interviewer: Mooi")
    passage = one[start:end].strip()
    source = f'<TextSource guid="{SRC}" name="Moeder" plainTextPath="internal://{SRC}.txt">{_selection(start, end, passage)}</TextSource>'
    qdpx = _qdpx(tmp_path / "p.qdpx", {"anders.qde": _project(source), f"sources/{SRC}.txt": TEXT.encode()})
    import_qdpx_new(tmp_path / "s.qualcode", qdpx)
    assert [t.strip() for _, _, t in _fragments(tmp_path / "s.qualcode")] == [passage]


def test_text_only_in_docx(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: Hoe gaat het?")
    document.add_paragraph("Moeder: Ik voel me gezien.")
    buffer = io.BytesIO()
    document.save(buffer)
    text = "Interviewer: Hoe gaat het?\nMoeder: Ik voel me gezien."
    start = text.index("Ik voel")
    source = (
        f'<TextSource guid="{SRC}" name="Moeder" plainTextPath="internal://{SRC}.txt" richTextPath="internal://{SRC}.docx">'
        f"{_selection(start, start + 17)}</TextSource>"
    )
    qdpx = _qdpx(
        tmp_path / "p.qdpx",
        {"project.qde": _project(source), f"sources/{SRC}.txt": b"\n", f"sources/{SRC}.docx": buffer.getvalue()},
    )
    summary = import_qdpx_new(tmp_path / "s.qualcode", qdpx)
    assert summary.sources == 1
    assert _fragments(tmp_path / "s.qualcode") == [("gezien", "Anna", "Ik voel me gezien")]


def test_other_namespace_and_braced_guids(tmp_path: Path) -> None:
    start = TEXT.index("Ik voel")
    codes = f'<Code guid="{{{CODE.upper()}}}" name="gezien" isCodable="true"/>'
    source = f'<TextSource guid="{SRC}" name="Moeder" plainTextPath="internal://{SRC}.txt">{_selection(start, start + 17)}</TextSource>'
    qdpx = _qdpx(
        tmp_path / "p.qdpx",
        {
            "project.qde": _project(source, ns="urn:QDA-XML:project:1.5", codes=codes),
            f"sources/{SRC}.txt": TEXT.encode(),
        },
    )
    summary = import_qdpx_new(tmp_path / "s.qualcode", qdpx)
    assert summary.codings == 1 and summary.not_placed == []


def test_unplaceable_codings_are_reported_with_source_and_code(tmp_path: Path) -> None:
    start = TEXT.index("Ik voel")
    unknown = "99999999-9999-9999-9999-999999999999"
    source = (
        f'<TextSource guid="{SRC}" name="Moeder" plainTextPath="internal://{SRC}.txt">'
        f"{_selection(start, start + 17)}{_selection(5, 100000)}{_selection(start, start + 7, code=unknown)}</TextSource>"
    )
    qdpx = _qdpx(tmp_path / "p.qdpx", {"project.qde": _project(source), f"sources/{SRC}.txt": TEXT.encode()})
    summary = import_qdpx_new(tmp_path / "s.qualcode", qdpx)
    assert summary.codings == 1
    assert len(summary.not_placed) == 2
    out_of_range = next(line for line in summary.not_placed if "outside the text" in line)
    assert out_of_range.startswith("Moeder") and "gezien" in out_of_range
    missing = next(line for line in summary.not_placed if "not in the codebook" in line)
    assert missing.startswith("Moeder") and unknown in missing
    assert any("Not placed: Moeder" in line for line in summary.lines())


def test_variables_on_sources_and_cases_become_metadata(tmp_path: Path) -> None:
    var_org, var_role, var_wave = (f"6666666{i}-6666-6666-6666-666666666666" for i in range(3))
    source = (
        f'<TextSource guid="{SRC}" name="Moeder" plainTextPath="internal://{SRC}.txt">'
        f'<VariableValue><VariableRef targetGUID="{var_wave}"/><IntegerValue>2</IntegerValue></VariableValue></TextSource>'
    )
    xml = _project(source).replace(
        "<Sources>",
        f'<Variables><Variable guid="{var_org}" name="Organisatie" typeOfVariable="Text"/>'
        f'<Variable guid="{var_role}" name="role" typeOfVariable="Text"/>'
        f'<Variable guid="{var_wave}" name="wave" typeOfVariable="Integer"/></Variables>'
        f'<Cases><Case guid="77777777-7777-7777-7777-777777777777" name="Samira">'
        f'<VariableValue><VariableRef targetGUID="{var_org}"/><TextValue>Leergeld</TextValue></VariableValue>'
        f'<VariableValue><VariableRef targetGUID="{var_role}"/><TextValue>ouder</TextValue></VariableValue>'
        f'<SourceRef targetGUID="{SRC}"/></Case></Cases><Sources>',
    )
    qdpx = _qdpx(tmp_path / "p.qdpx", {"project.qde": xml, f"sources/{SRC}.txt": TEXT.encode()})
    summary = import_qdpx_new(tmp_path / "s.qualcode", qdpx)
    assert summary.variables == 3
    with Study.open(tmp_path / "s.qualcode") as study:
        doc = study.document("Moeder")
        assert doc.organisation == "Leergeld" and doc.role == "ouder"
        assert doc.wave == "2" and doc.case == "Samira"
