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
from qualcode.exchange.csv import FRAGMENT_COLUMNS, fragment_values, write_csv, write_fragments_csv
from qualcode.store.analysis import Scope

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
    rows = fragments(study, scope, codes=codes, limit=limit)
    if target.suffix.lower() == ".xlsx":
        return _write_xlsx(target, "fragments", list(FRAGMENT_COLUMNS), (fragment_values(r, study.name) for r in rows))
    return write_fragments_csv(rows, target, study.name)


def fragments(
    study: Study, scope: Scope | None = None, *, codes: Sequence[str | int] | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Coded fragments (as :meth:`Study.fragments` gives them, sub-codes included) built for
    speed: codings in one query, document context and texts once per document, speakers
    by bisecting each document's turns."""
    from bisect import bisect_right

    from qualcode.store import analysis as sql

    scope = scope or Scope()
    code_ids: list[int] | None = None
    if codes:
        code_ids = sorted({i for ref in codes for i in study.code_descendants(study.code(ref).id)})
    docs = {r["id"]: r for r in sql.scope_documents(study.store, scope)}
    paths = {c.id: c.path for c in study.codes()}
    codings = [r for r in sql.fragment_codings(study.store, scope, code_ids) if r["document_id"] in docs]

    def order(r: Any) -> tuple[Any, ...]:
        d = docs[r["document_id"]]
        return (d["organisation"] or "", d["project"] or "", d["title"], r["start"], r["end"], r["id"])

    codings.sort(key=order)
    if limit is not None:
        codings = codings[:limit]
    used = sorted({r["document_id"] for r in codings})
    texts = {r["id"]: r["text"] for r in sql.document_texts(study.store, used)}
    turns: dict[int, tuple[list[int], list[str | None]]] = {}
    for t in sql.turn_starts(study.store, used):
        starts, speakers = turns.setdefault(t["document_id"], ([], []))
        starts.append(t["start"])
        speakers.append(t["speaker"])
    out = []
    for r in codings:
        d = docs[r["document_id"]]
        starts, speakers = turns.get(r["document_id"], ([], []))
        at = bisect_right(starts, r["start"]) - 1
        out.append(
            {
                "id": r["id"],
                "document_id": r["document_id"],
                "code_id": r["code_id"],
                "code": paths.get(r["code_id"], ""),
                "organisation": d["organisation"],
                "project": d["project"],
                "document": d["title"],
                "role": d["role"],
                "participant": d["participant"],
                "speaker": speakers[at] if at >= 0 else None,
                "coder": r["coder"],
                "start": r["start"],
                "end": r["end"],
                "text": texts[r["document_id"]][r["start"] : r["end"]],
                "memo": r["memo"],
            }
        )
    return out


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
