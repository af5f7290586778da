"""Exports: coded fragments to CSV or Excel, and any table to CSV or Excel.

CSV goes through the shared writer in :mod:`qualcode.exchange.csv` (UTF-8 with BOM, formula
cells neutralised); the .xlsx has the same columns with raw values (its text cells are inline
strings, never formulas), streamed row by row by :mod:`qualcode.exchange.xlsx` (50,000 rows
in well under a second). Both are written whole or not at all (:mod:`qualcode.core.files`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import QualcodeError
from qualcode.core.files import atomic_path, check_output_path
from qualcode.core.scope import Scope
from qualcode.exchange.csv import FRAGMENT_COLUMNS, fragment_values, write_csv, write_fragments_csv

if TYPE_CHECKING:
    from qualcode.study.study import Study

TABLE_SUFFIXES = (".csv", ".xlsx")


def write_fragments(
    study: Study,
    path: Path | str,
    scope: Scope | None = None,
    *,
    codes: Sequence[str | int] | None = None,
    limit: int | None = None,
) -> int:
    """Write the scope's coded fragments (one row per coding) to ``path`` (.csv or .xlsx);
    return the number of rows."""
    scope = scope or Scope()
    target = _check_target(path)
    rows = study.fragments(scope=scope, codes=codes, limit=limit)
    if target.suffix.lower() == ".xlsx":
        return _write_xlsx(target, "fragments", list(FRAGMENT_COLUMNS), (fragment_values(r, study.name) for r in rows))
    return write_fragments_csv(rows, target, study.name)


def write_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], path: Path | str, sheet: str = "table"
) -> int:
    """Write a table (frequencies, a matrix, pairs, …) to .csv (UTF-8 with BOM) or .xlsx."""
    target = _check_target(path)
    cells = (["" if r.get(c) is None else r.get(c) for c in columns] for r in rows)
    if target.suffix.lower() == ".xlsx":
        return _write_xlsx(target, sheet, list(columns), cells)
    return write_csv(target, columns, cells)


def _write_xlsx(target: Path, sheet: str, columns: list[str], cells: Iterable[list[Any]]) -> int:
    """An .xlsx takes raw values: its text cells are inline strings, never formulas, so they
    need no apostrophe (which Excel would show)."""
    from qualcode.exchange.xlsx import write_sheet

    with atomic_path(target) as tmp:
        return write_sheet(tmp, sheet, columns, cells)


def _check_target(path: Path | str) -> Path:
    target = Path(path)
    if target.suffix.lower() not in TABLE_SUFFIXES:
        raise QualcodeError(f"{target}: write a .csv or an .xlsx file")
    return check_output_path(target)
