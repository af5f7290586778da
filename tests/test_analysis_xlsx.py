"""The .xlsx writer: what goes in comes back out of openpyxl, whatever the text holds."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from qualcode.exchange.xlsx import EXCEL_CELL_LIMIT, column_letters, sheet_name, write_sheet


def read(path: Path) -> tuple[str, list[tuple]]:
    book = load_workbook(path, read_only=True)
    sheet = book.active
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    # read-only openpyxl ends a row at its last cell with a value: pad to the header
    width = len(rows[0]) if rows else 0
    return sheet.title, [r + (None,) * (width - len(r)) for r in rows]


def test_values_come_back_with_their_types(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows = [
        ["Ik & jij <samen>", 3, 2.5, None, True],
        ["regel\r\nnieuw \"quote\" 'x'", -7, 0.1, "", False],
        ["bel\x07 en \x0b weg", 10**12, 1e-7, "Één 👍", None],
    ]
    assert write_sheet(path, "Fragmenten: [alle]", ["tekst", "n", "x", "leeg", "ja"], rows) == 3
    title, values = read(path)
    assert title == "Fragmenten_ _alle_"
    assert values[0] == ("tekst", "n", "x", "leeg", "ja")
    assert values[1] == ("Ik & jij <samen>", 3, 2.5, None, True)
    assert values[2] == ("regel\r\nnieuw \"quote\" 'x'", -7, 0.1, "", False)
    assert values[3] == ("bel en  weg", 10**12, 1e-7, "Één 👍", None)


def test_text_longer_than_a_cell_is_cut_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "lang.xlsx"
    long = "woord " * 10_000  # 60,000 characters
    write_sheet(path, "s", ["tekst"], [[long], ["kort"]])
    _, values = read(path)
    assert len(values[1][0]) == EXCEL_CELL_LIMIT and values[1][0].endswith("…")
    assert long.startswith(values[1][0][:-1])
    assert values[2] == ("kort",)


def test_the_package_has_the_parts_excel_needs(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    write_sheet(path, "s", ["a"], [])
    names = set(zipfile.ZipFile(path).namelist())
    assert {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    } == names
    assert read(path)[1] == [("a",)]


def test_column_letters_and_sheet_names() -> None:
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
    assert sheet_name("x" * 40) == "x" * 31
    assert sheet_name("") == "Sheet1"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30), min_size=2, max_size=2),
        max_size=5,
    )
)
def test_any_text_round_trips_without_the_characters_xml_forbids(tmp_path_factory, rows: list[list[str]]) -> None:
    path = tmp_path_factory.mktemp("h") / "h.xlsx"
    write_sheet(path, "s", ["a", "b"], rows)
    _, values = read(path)
    forbidden = {chr(c) for c in [*range(9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF]}

    def clean(text: str) -> str:
        return "".join(ch for ch in text if ch not in forbidden)

    assert [tuple(v if v is not None else "" for v in row) for row in values[1:]] == [
        tuple(clean(t) for t in row) for row in rows
    ]
