"""The one CSV writer: every CSV qualcode writes, files and ``--csv`` listings alike.

UTF-8 with a byte order mark, always (also on standard output: the README's own example
redirects ``--csv > codings.csv`` for Excel, which without the mark reads Dutch characters
— é, ë, ĳ — as mojibake; R, pandas and Python's ``utf-8-sig`` skip it). Cells that begin with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading apostrophe: a spreadsheet
would run them as formulas, and a transcript is text typed by someone else (CSV injection,
OWASP). Rows end in CRLF (RFC 4180), so a cell holding a line break or a lone carriage
return is quoted and stays one cell. ``excel_nl`` (``--excel-nl``, or ``"csv_excel_nl": true``
in the config) writes what Dutch Excel opens by double-click: ``;`` between cells and
decimal commas.

Rows are joined here rather than by the csv module, cell by cell, with the csv module's own
rules (quoted when holding the delimiter, a quote or a line break; quotes doubled; a row of
one empty cell written ``""``): a cell met before is one dictionary lookup, so the 50,000
rows of a fragments export take a fraction of what the csv module took over neutralised
cells. ``tests/test_fragments_export.py`` holds the writer to the csv module's output, byte
for byte, and the fragments export to an independent recomputation.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from qualcode.core.clean import clean_field
from qualcode.core.files import atomic_output, check_output_path

FRAGMENT_COLUMNS = (
    "study",
    "organisation",
    "project",
    "document",
    "role",
    "participant",
    "speaker",
    "code",
    "coder",
    "start",
    "end",
    "text",
    "memo",
    # Added last, so that scripts reading the columns by position keep working.
    "case",
    "wave",
)

# Tab and carriage return also start formulas in some spreadsheets (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: Any) -> Any:
    """The cell as a spreadsheet will show it, never run it: text starting with a formula
    character gets a leading apostrophe; escape sequences go (a CSV is also read with
    ``cat``). Numbers pass unchanged so offsets stay numbers."""
    if isinstance(cell, str):
        if cell.startswith(_FORMULA_STARTS):
            cell = "'" + cell
        return clean_field(cell, multiline=True)
    return cell


def fragment_values(fragment: Mapping[str, Any], study_name: str) -> list[Any]:
    """One row's values, in :data:`FRAGMENT_COLUMNS` order, from a fragment as
    :meth:`Study.fragments` returns it (raw: for .xlsx, whose text cells are never formulas)."""
    return ["" if v is None else v for v in _fragment_cells(fragment, study_name)]


def _fragment_cells(fragment: Mapping[str, Any], study_name: str) -> tuple[Any, ...]:
    # the study's name first, then the fragment's own fields (None where it has none)
    return (study_name, *map(fragment.get, _FRAGMENT_FIELDS))


_FRAGMENT_FIELDS = FRAGMENT_COLUMNS[1:]  # after "study"


def fragment_row(fragment: Mapping[str, Any], study_name: str) -> list[Any]:
    """One CSV row (neutralised) from a fragment."""
    return [neutralise(v) for v in fragment_values(fragment, study_name)]


def excel_nl_default() -> bool:
    """The config's choice (``"csv_excel_nl": true``) for CSV without ``--excel-nl``."""
    from qualcode.core import config

    return config.load().get("csv_excel_nl") is True


class _CsvCells(dict[Any, str]):
    """Each cell as it stands in the file: neutralised (:func:`neutralise`), ``None`` empty,
    a float with a decimal comma under ``excel_nl``, any other value as ``str`` gives it, and
    quoted (RFC 4180, quotes doubled) when it holds the delimiter, a quote or a line break.

    Remembered by value, so that a cell met before — the study's name, a document's title,
    a code, a coder: most of a fragments row — costs one dictionary lookup in C, and a row
    is one ``join``. Only text is remembered (1, 1.0 and True are one key, yet "1", "1.0"
    and "True" in the file) and only short text: a unique long passage would fill the memory
    for nothing. ``tests/test_fragments_export.py`` checks this against the csv module.
    """

    def __init__(self, delimiter: str, excel_nl: bool) -> None:
        super().__init__({None: ""})
        self.delimiter = delimiter
        self.excel_nl = excel_nl

    def text(self, cell: Any) -> str:
        if isinstance(cell, str):
            text: str = neutralise(cell)
        elif cell is None:
            return ""
        elif self.excel_nl and isinstance(cell, float):
            # Decimal commas for Dutch Excel (float's own repr: numpy's says "np.float64(…)");
            # bools are ints in Python and stay as they are.
            text = float.__repr__(cell).replace(".", ",")
        else:
            text = str(cell)
        if self.delimiter in text or '"' in text or "\n" in text or "\r" in text:
            return '"' + text.replace('"', '""') + '"'
        return text

    def __missing__(self, cell: Any) -> str:
        text = self.text(cell)
        if isinstance(cell, str) and len(cell) <= _REMEMBERED:
            self[cell] = text
        return text


_REMEMBERED = 200  # characters: names, titles, short memos
_CHUNK = 1000  # rows written to the handle at a time (its encoder is a Python call per write)


def write_rows(handle: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, excel_nl: bool) -> int:
    """Write the header and rows to an open text handle (opened with ``newline=""``): UTF-8
    as the handle encodes it, cells as :class:`_CsvCells` writes them, rows ending in CRLF."""
    delimiter = ";" if excel_nl else ","
    cells = _CsvCells(delimiter, excel_nl)
    cell, join = cells.__getitem__, delimiter.join
    lines = [join(map(cells.text, columns))]
    count = 0
    for row in rows:
        try:
            line = join(map(cell, row))
        except TypeError:  # an unhashable cell (a list, say): the long way
            line = join(map(cells.text, row))
        if not line and len(row) == 1:
            line = '""'  # one empty cell, quoted so that the row is not read as no cell at all
        lines.append(line)
        count += 1
        if len(lines) >= _CHUNK:
            handle.write("\r\n".join(lines) + "\r\n")
            lines.clear()
    if lines:
        handle.write("\r\n".join(lines) + "\r\n")
    return count


def write_csv(
    path: Path | str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, excel_nl: bool | None = None
) -> int:
    """Write a table as CSV that opens right in Excel; return the number of rows. Written
    whole or not at all, through the one atomic writer."""
    target = check_output_path(Path(path), "a file name such as tabel.csv")
    nl = excel_nl_default() if excel_nl is None else excel_nl
    with atomic_output(target, "w", encoding="utf-8-sig", newline="") as handle:
        return write_rows(handle, columns, rows, excel_nl=nl)


def write_csv_stream(
    stream: IO[bytes], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, excel_nl: bool | None = None
) -> int:
    """The same CSV to a binary stream (standard output), byte order mark included."""
    nl = excel_nl_default() if excel_nl is None else excel_nl
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    try:
        return write_rows(text, columns, rows, excel_nl=nl)
    finally:
        text.flush()
        text.detach()  # the stream is the caller's: leave it open


def write_fragments_csv(rows: Iterable[Mapping[str, Any]], path: Path | str, study_name: str) -> int:
    """Write fragments to ``path`` (one row per coding) and return how many rows were written."""
    return write_csv(path, FRAGMENT_COLUMNS, _fragment_rows(rows, study_name))


def _fragment_rows(rows: Iterable[Mapping[str, Any]], study_name: str) -> Iterator[tuple[Any, ...]]:
    picked = itemgetter(*_FRAGMENT_FIELDS)  # in C, for fragments with every field (Study.fragments)
    for fragment in rows:
        try:
            yield (study_name, *picked(fragment))
        except KeyError:
            yield _fragment_cells(fragment, study_name)
