"""The coded-fragments CSV: one row per coding, for reports and for R, SPSS or Excel.

The file is UTF-8 with a byte order mark, because Excel on Windows otherwise reads Dutch
characters (é, ë, ĳ) as mojibake. Cells that begin with ``=``, ``+``, ``-`` or ``@`` are
prefixed with an apostrophe: a spreadsheet would run them as formulas, and a transcript is
text typed by someone else (CSV injection, OWASP).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from qualcode.errors import QualcodeError

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
    character gets a leading apostrophe. Numbers pass unchanged so offsets stay numbers."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def fragment_row(fragment: Mapping[str, Any], study_name: str) -> list[Any]:
    """One CSV row from a fragment as :meth:`Study.fragments` returns it."""
    values = {**fragment, "study": study_name}
    return [neutralise("" if values.get(col) is None else values.get(col)) for col in FRAGMENT_COLUMNS]


def write_fragments_csv(rows: Iterable[Mapping[str, Any]], path: Path | str, study_name: str) -> int:
    """Write fragments to ``path`` and return how many rows were written.

    The file is written beside the target and moved into place, so a failure never leaves
    half a file where a report expects a whole one.
    """
    target = Path(path)
    if not target.parent.exists():
        raise QualcodeError(f"{target}: the folder {target.parent} does not exist; choose another place")
    if target.is_dir():
        raise QualcodeError(f"{target} is a folder; give a file name such as fragmenten.csv")
    count = 0
    try:
        fd, tmp = tempfile.mkstemp(prefix=".fragments-", suffix=".csv", dir=target.parent)
    except OSError as exc:
        raise QualcodeError(f"{target}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(FRAGMENT_COLUMNS)
            for fragment in rows:
                writer.writerow(fragment_row(fragment, study_name))
                count += 1
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise QualcodeError(f"{target}: cannot write the CSV ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
