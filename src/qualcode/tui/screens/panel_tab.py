"""The Analyse screen's Panel tab: one table, a row per case (family), columns for each code's
presence per wave and each variable per wave; Enter lists the case's fragments at that wave.

Kept apart from analyse.py so that screen stays one screen's wiring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text

from qualcode.analysis.panel import Panel, panel
from qualcode.study.study import Study
from qualcode.tui.widgets.table import LABEL, Column, Table

PRESENT = Text("●", style="bold green", justify="center")
ABSENT = Text("·", style="dim", justify="center")
NOT_MEASURED = Text("—", style="dim", justify="center")


@dataclass(frozen=True)
class PanelColumn:
    """What a column of the panel table shows: a code or a variable at a wave."""

    wave: str
    code_id: int | None = None
    variable: str | None = None


def fill_panel(study: Study, table: Table, coder: str | None, rollup: bool) -> tuple[Panel, list[PanelColumn]]:
    """Fill ``table`` with the study's panel (codings of ``coder``, or of all coders)."""
    result = panel(study, coders=[coder] if coder else None, rollup=rollup)
    columns: list[PanelColumn] = []
    shown = [Column("Case", max_width=20)]
    for code_id, path in result.codes:
        for w in result.waves:
            columns.append(PanelColumn(w, code_id=code_id))
            shown.append(Column(_label(path.rsplit("/", 1)[-1], w), "mark"))
    for name, _ in result.variables:
        for w in result.waves:
            columns.append(PanelColumn(w, variable=name))
            shown.append(Column(_label(name, w), "number"))
    rows: list[list[Any]] = []
    for row in result.cases:
        cells: list[Any] = [row.case]
        for col in columns:
            if col.code_id is not None:
                present = row.present(col.code_id, col.wave)
                cells.append(NOT_MEASURED if present is None else PRESENT if present else ABSENT)
            else:
                value = row.values.get(col.variable or "", {}).get(col.wave)
                text = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
                cells.append(Text(text, justify="right"))
        rows.append(cells)
    paths = dict(result.codes)

    def detail(r: int, c: int) -> str:
        if r >= len(result.cases):
            return ""
        case = result.cases[r].case
        if not 1 <= c <= len(columns):
            return f"Case {case}"
        col = columns[c - 1]
        if col.code_id is not None:
            present = result.cases[r].present(col.code_id, col.wave)
            state = "no document at this wave" if present is None else "present" if present else "absent"
            counted = result.code_cases.get(col.code_id, {}).get(col.wave, 0)
            measured = result.measured_cases.get(col.wave, 0)
            return (
                f"Case {case}, wave {col.wave}: {paths[col.code_id]} {state} "
                f"(present in {counted} of {measured} cases at this wave)"
            )
        value = result.cases[r].values.get(col.variable or "", {}).get(col.wave)
        return f"Case {case}, wave {col.wave}: {col.variable} = {'not measured' if value is None else value}"

    table.show(shown, rows, detail)
    return result, columns


def _label(name: str, wave: str, width: int = LABEL) -> str:
    """A column heading, "name @wave", cut in the name so the wave stays in view."""
    tail = f" @{wave}"
    return name + tail if len(name) + len(tail) <= width else name[: max(1, width - len(tail) - 1)] + "…" + tail


def panel_fragments(
    study: Study, result: Panel, columns: list[PanelColumn], row: int, column: int, coder: str | None, rollup: bool
) -> tuple[str, list[dict[str, Any]]]:
    """The fragments behind a cell: on a code column, that code's fragments in the case's
    documents at the wave; on a variable column, every fragment of the case at the wave; on the
    case column, every fragment of the case."""
    if row >= len(result.cases):
        return "", []
    case = result.cases[row].case
    where = {"case": case}
    title = f"Case {case}"
    codes: list[int] | None = None
    if 1 <= column <= len(columns):
        col = columns[column - 1]
        where["wave"] = col.wave
        title += f", wave {col.wave}"
        if col.code_id is not None:
            codes = [col.code_id]
            title = f"{dict(result.codes)[col.code_id]} — {title}"
    fragments = study.fragments(codes=codes, coder=coder, attributes=where, include_children=rollup)
    return title, fragments
