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
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
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
    values = {**fragment, "study": study_name}
    return ["" if values.get(col) is None else values.get(col) for col in FRAGMENT_COLUMNS]


def fragment_row(fragment: Mapping[str, Any], study_name: str) -> list[Any]:
    """One CSV row (neutralised) from a fragment."""
    return [neutralise(v) for v in fragment_values(fragment, study_name)]


def excel_nl_default() -> bool:
    """The config's choice (``"csv_excel_nl": true``) for CSV without ``--excel-nl``."""
    from qualcode.core import config

    return config.load().get("csv_excel_nl") is True


def _nl_cell(value: Any) -> Any:
    # Decimal commas for Dutch Excel; bools are ints in Python and stay as they are.
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return value


def write_rows(handle: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, excel_nl: bool) -> int:
    """Write the header and rows to an open text handle (opened with ``newline=""``)."""
    writer = csv.writer(handle, delimiter=";" if excel_nl else ",", lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    count = 0
    for row in rows:
        cells = ["" if c is None else neutralise(c) for c in row]
        writer.writerow([_nl_cell(c) for c in cells] if excel_nl else cells)
        count += 1
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
    return write_csv(path, FRAGMENT_COLUMNS, (fragment_values(r, study_name) for r in rows))
