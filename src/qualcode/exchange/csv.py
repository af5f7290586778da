"""The coded-fragments CSV: one row per coding, for reports and for R, SPSS or Excel.

The file is UTF-8 with a byte order mark, because Excel on Windows otherwise reads Dutch
characters (é, ë, ĳ) as mojibake. Cells that begin with ``=``, ``+``, ``-`` or ``@`` are
prefixed with an apostrophe: a spreadsheet would run them as formulas, and a transcript is
text typed by someone else (CSV injection, OWASP).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

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
    character gets a leading apostrophe. Numbers pass unchanged so offsets stay numbers."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def fragment_values(fragment: Mapping[str, Any], study_name: str) -> list[Any]:
    """One row's values, in :data:`FRAGMENT_COLUMNS` order, from a fragment as
    :meth:`Study.fragments` returns it (raw: for .xlsx, whose text cells are never formulas)."""
    values = {**fragment, "study": study_name}
    return ["" if values.get(col) is None else values.get(col) for col in FRAGMENT_COLUMNS]


def fragment_row(fragment: Mapping[str, Any], study_name: str) -> list[Any]:
    """One CSV row (neutralised) from a fragment."""
    return [neutralise(v) for v in fragment_values(fragment, study_name)]


def write_csv(path: Path | str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a table as CSV that opens right in Excel: UTF-8 with BOM (Dutch characters),
    every cell neutralised; return the number of rows. Written whole or not at all."""
    target = check_output_path(Path(path), "a file name such as tabel.csv")
    count = 0
    with atomic_output(target, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(c) for c in columns])
        for row in rows:
            writer.writerow([neutralise(c) for c in row])
            count += 1
    return count


def write_csv_stream(handle: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a table as CSV to an open text stream (stdout for ``--csv``), every cell
    neutralised as in files; no byte order mark, since a pipe is read by programs."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([neutralise(c) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([neutralise("" if c is None else c) for c in row])
        count += 1
    return count


def write_fragments_csv(rows: Iterable[Mapping[str, Any]], path: Path | str, study_name: str) -> int:
    """Write fragments to ``path`` (one row per coding) and return how many rows were written."""
    return write_csv(path, FRAGMENT_COLUMNS, (fragment_values(r, study_name) for r in rows))
