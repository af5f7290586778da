"""Hostile or broken REFI-QDA files are refused with one line, and nothing is written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qualcode.core.errors import QualcodeError
from qualcode.exchange import import_qdc, import_qdpx, import_qdpx_new
from qualcode.exchange.csv import FRAGMENT_COLUMNS, neutralise, write_fragments_csv
from qualcode.exchange.safezip import SafeZip
from qualcode.study.study import Study

GOOD = (
    '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>'
    '<Code guid="11111111-1111-1111-1111-111111111111" name="c" isCodable="true"/></Codes></CodeBook>'
    '<Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="s" plainTextPath="internal://s.txt"/>'
    "</Sources></Project>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>'
)
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']><Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>'
)


def _qdpx(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _refused(tmp_path: Path, qdpx: Path, match: str) -> str:
    target = tmp_path / "new.qualcode"
    with pytest.raises(QualcodeError, match=match) as info:
        import_qdpx_new(target, qdpx)
    message = str(info.value)
    assert "\n" not in message and str(qdpx) in message
    assert not target.exists() and not Path(f"{target}-wal").exists()
    return message


def test_external_entities_are_refused(tmp_path: Path) -> None:
    _refused(tmp_path, _qdpx(tmp_path / "x.qdpx", {"project.qde": XXE}), "DTD or entities")


def test_entity_expansion_bomb_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, _qdpx(tmp_path / "b.qdpx", {"project.qde": BOMB}), "DTD or entities")


def test_entities_refused_in_a_qdc_too(tmp_path: Path, study: Study) -> None:
    path = tmp_path / "x.qdc"
    path.write_text(XXE.replace("Project", "CodeBook"))
    codes = len(study.codes())
    with pytest.raises(QualcodeError, match="DTD"):
        import_qdc(study, path)
    assert len(study.codes()) == codes


def test_zip_bomb_by_size_in_headers(tmp_path: Path) -> None:
    qdpx = _qdpx(tmp_path / "z.qdpx", {"project.qde": GOOD, "sources/s.txt": b"0" * (2 * 1024 * 1024)})
    with pytest.raises(QualcodeError, match="unpacks to"):
        SafeZip(qdpx, max_member_bytes=1024 * 1024)
    with pytest.raises(QualcodeError, match="unpacks to"):
        SafeZip(qdpx, max_total_bytes=1024 * 1024)


def test_zip_bomb_whose_headers_lie(tmp_path: Path) -> None:
    """The central directory says 10 bytes; inflating gives megabytes."""
    qdpx = _qdpx(tmp_path / "lie.qdpx", {"project.qde": GOOD, "sources/s.txt": b"a" * (3 * 1024 * 1024)})
    data = bytearray(qdpx.read_bytes())
    with zipfile.ZipFile(qdpx) as archive:
        info = archive.getinfo("sources/s.txt")
    real = info.file_size.to_bytes(4, "little")
    fake = (10).to_bytes(4, "little")
    # patch the uncompressed size in both the local header and the central directory
    assert data.count(real) >= 2
    data = bytearray(bytes(data).replace(real, fake))
    qdpx.write_bytes(bytes(data))
    _refused(tmp_path, qdpx, "zip bomb|damaged")


def test_too_many_members(tmp_path: Path) -> None:
    qdpx = _qdpx(tmp_path / "many.qdpx", {"project.qde": GOOD, **{f"sources/{i}.txt": b"x" for i in range(30)}})
    with pytest.raises(QualcodeError, match="holds 31 files"):
        SafeZip(qdpx, max_members=20)


@pytest.mark.parametrize(
    "name", ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt", "C:/evil.txt", "..\\evil.txt"]
)
def test_paths_climbing_out_are_refused(tmp_path: Path, name: str) -> None:
    qdpx = _qdpx(tmp_path / "climb.qdpx", {"project.qde": GOOD, name: b"x"})
    _refused(tmp_path, qdpx, "points outside")


def test_missing_project_file(tmp_path: Path) -> None:
    _refused(tmp_path, _qdpx(tmp_path / "none.qdpx", {"sources/s.txt": b"tekst"}), "no project file")


def test_two_project_files(tmp_path: Path) -> None:
    _refused(tmp_path, _qdpx(tmp_path / "two.qdpx", {"a.qde": GOOD, "b.qde": GOOD}), "several project files")


def test_malformed_project_file(tmp_path: Path) -> None:
    _refused(tmp_path, _qdpx(tmp_path / "bad.qdpx", {"project.qde": GOOD[:-20]}), "not well-formed")


def test_not_a_project(tmp_path: Path) -> None:
    _refused(tmp_path, _qdpx(tmp_path / "cb.qdpx", {"project.qde": "<CodeBook/>"}), "not a REFI-QDA project")


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "plain.qdpx"
    path.write_text("geen zip")
    _refused(tmp_path, path, "not a ZIP")


def test_bad_position_refused_before_anything_is_written(tmp_path: Path) -> None:
    xml = GOOD.replace(
        'plainTextPath="internal://s.txt"/>',
        'plainTextPath="internal://s.txt"><PlainTextSelection guid="44444444-4444-4444-4444-444444444444" '
        'startPosition="twee" endPosition="5"/></TextSource>',
    )
    _refused(
        tmp_path,
        _qdpx(tmp_path / "pos.qdpx", {"project.qde": xml, "sources/s.txt": b"tekst hier"}),
        "not a whole number",
    )


def test_existing_empty_study_unchanged_after_refusal(tmp_path: Path) -> None:
    path = tmp_path / "leeg.qualcode"
    with Study.create(path, "leeg") as study:
        study.add_code("bestaand")
        before = (study.info(), [c.path for c in study.codes()])
        with pytest.raises(QualcodeError):
            import_qdpx(study, _qdpx(tmp_path / "x.qdpx", {"project.qde": XXE}))
        assert (study.info(), [c.path for c in study.codes()]) == before


def test_failure_while_writing_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure half-way through writing (here: in the codings) leaves the study empty."""
    from qualcode.store import exchange as sql

    text = "Moeder: Ik voel me gezien."
    xml = GOOD.replace(
        'plainTextPath="internal://s.txt"/>',
        'plainTextPath="internal://s.txt"><PlainTextSelection guid="44444444-4444-4444-4444-444444444444" '
        'startPosition="8" endPosition="25"><Coding guid="55555555-5555-5555-5555-555555555555">'
        '<CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding></PlainTextSelection></TextSource>',
    )
    qdpx = _qdpx(tmp_path / "ok.qdpx", {"project.qde": xml, "sources/s.txt": text.encode()})

    def broken(*args: object, **kwargs: object) -> None:
        raise QualcodeError("disk full")

    monkeypatch.setattr(sql, "insert_codings", broken)
    path = tmp_path / "leeg.qualcode"
    with Study.create(path, "leeg") as study:
        with pytest.raises(QualcodeError, match="disk full"):
            import_qdpx(study, qdpx)
        assert study.info()["documents"] == 0 and study.codes() == []


def test_neutralise_and_csv_errors(tmp_path: Path) -> None:
    assert [neutralise(v) for v in ("=1+1", "+31", "-", "@a", "\tx", "ok", 5, None)] == [
        "'=1+1",
        "'+31",
        "'-",
        "'@a",
        "'\tx",
        "ok",
        5,
        None,
    ]
    with pytest.raises(QualcodeError, match="does not exist"):
        write_fragments_csv([], tmp_path / "nope" / "x.csv", "s")
    assert write_fragments_csv([], tmp_path / "leeg.csv", "s") == 0
    assert (tmp_path / "leeg.csv").read_text(encoding="utf-8-sig").splitlines() == [",".join(FRAGMENT_COLUMNS)]
