"""Output options shared by every listing command: a table, ``--csv`` or ``--json``.

CSV goes through the one CSV writer (exchange/csv.py): byte order mark, neutralised
formula cells, quoted line breaks, and ``--excel-nl`` for Dutch Excel. Tables and JSON are
for the terminal, so control characters are made visible there and never reach it raw.
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from qualcode.core.clean import clean_field

_EXCEL_NL = "qualcode.excel_nl"
_WIDE = "qualcode.wide"
STUDY_READ = "qualcode.study_read"
"""Where :func:`open_study` leaves the study it opened, so an empty listing can name it."""


def _excel_nl_asked() -> bool:
    context = click.get_current_context(silent=True)
    return bool(context is not None and context.meta.get(_EXCEL_NL))


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--csv`` and ``--json`` (the default is a table), as sqlite-utils does."""

    @click.option(
        "--csv",
        "fmt",
        flag_value="csv",
        help="Output CSV (UTF-8 with a byte order mark, for Excel) instead of a table.",
    )
    @click.option(
        "--excel-nl",
        "excel_nl",
        is_flag=True,
        help="Output CSV for Dutch Excel: ';' between cells, decimal commas (config: csv_excel_nl).",
    )
    @click.option("--json", "fmt", flag_value="json", help="Output a JSON list of objects.")
    @click.option("--table", "fmt", flag_value="table", default=True, help="Output a table (the default).")
    @click.option("--wide", is_flag=True, help="Show whole cells; the table is cut to the terminal width otherwise.")
    @functools.wraps(func)
    def wrapper(*args: Any, excel_nl: bool, wide: bool, **kwargs: Any) -> Any:
        if wide:
            click.get_current_context().meta[_WIDE] = True
        if excel_nl:
            # Commands only know table, csv or json; the dialect is the writer's business.
            click.get_current_context().meta[_EXCEL_NL] = True
            if kwargs.get("fmt") in (None, "table"):
                kwargs["fmt"] = "csv"
        return func(*args, **kwargs)

    return wrapper


def emit(
    rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None, optional: Sequence[str] = ()
) -> None:
    """Rows as a table, CSV or JSON. On a terminal (without --wide) the table fits its width:
    the ``optional`` columns are left out, in that order, while the table is too wide (a note
    on stderr names them), then the widest cells are cut with "…"."""
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        click.echo(json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        from qualcode.exchange.csv import write_csv_stream

        sys.stdout.flush()  # the BOM and rows go to the bytes beneath, after any text before them
        write_csv_stream(
            sys.stdout.buffer,
            columns,
            ([r.get(c) for c in columns] for r in rows),
            excel_nl=True if _excel_nl_asked() else None,
        )
        return
    context = click.get_current_context(silent=True)
    if not rows:
        read = context.meta.get(STUDY_READ) if context is not None else None
        click.echo(f"(none) in study {read}" if read else "(none)")
        return
    from tabulate import tabulate

    # Cut to the terminal's width only on a terminal: a table piped to a file, grep or less
    # keeps every character (--wide also keeps long cells whole).
    wide = bool(context is not None and context.meta.get(_WIDE)) or not on_terminal()
    if not wide:  # a column empty in every row only takes room on a terminal
        columns = [c for c in columns if any(r.get(c) not in (None, "") for r in rows)]
    cells = [[_cell(r.get(c), wide) for c in columns] for r in rows]
    if not wide:
        width, left_out = terminal_width(), []
        for name in optional:
            if _table_width(columns, cells) <= width:
                break
            if name in columns:
                index = columns.index(name)
                columns.pop(index)
                cells = [row[:index] + row[index + 1 :] for row in cells]
                left_out.append(name)
        if left_out:
            click.echo(f"(left out to fit the terminal: {', '.join(left_out)}; --wide shows them)", err=True)
    headers = list(columns)
    if not wide:
        headers, cells = fit_width(columns, cells, terminal_width())
    click.echo(tabulate(cells, headers=headers, disable_numparse=True))


READABLE = 20
"""A cell cut to this many characters still reads; optional columns make room for that."""


def _table_width(columns: Sequence[str], cells: list[list[str]]) -> int:
    """The table's width with its cells cut to :data:`READABLE` (never below the headers)."""
    widths = [max([len(c) + 2, *(min(len(row[i]), READABLE) for row in cells)]) for i, c in enumerate(columns)]
    return sum(widths) + 2 * (len(widths) - 1)


def _is_id(column: str) -> bool:
    return column == "id" or column.endswith("_id")


def terminal_width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


def fit_line(line: str) -> str:
    """A line of prose cut to the terminal's width with "…" (whole with --wide, or when the
    output goes to a file or a pipe)."""
    context = click.get_current_context(silent=True)
    if (context is not None and context.meta.get(_WIDE)) or not on_terminal():
        return line
    width = terminal_width()
    return line if len(line) <= width else line[: width - 1] + "…"


MIN_COLUMN = 5
"""No column is cut narrower than this (four characters and "…")."""


PROSE_COLUMNS = ("text", "sentence", "context")
"""Columns of running text, which keep a third of a narrow terminal's width."""


def fit_width(columns: Sequence[str], cells: list[list[str]], width: int) -> tuple[list[str], list[list[str]]]:
    """Cut the widest columns (with "…") until the table fits ``width`` characters: tabulate
    puts two spaces between columns. Cells are cut down to their padded header first; when
    the headers alone are too wide, the widest columns and their headers are cut further
    (to :data:`MIN_COLUMN`). Returns the headers and the cells."""
    widths = [max([len(c) + 2, *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    whole = [_is_id(c) for c in columns]  # an id is typed back into the next command: never cut

    def cut_to(floors: list[int]) -> None:
        floors = [w if keep else f for w, f, keep in zip(widths, floors, whole)]
        while sum(widths) + 2 * (len(widths) - 1) > width:
            widest = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
            if widths[widest] <= floors[widest]:
                return  # nothing left to cut
            widths[widest] -= 1

    # The passage is what a listing of fragments is read for: it keeps a third of the width
    # while other columns can give room.
    prose = [min(w, max(width // 3, len(c) + 2)) if c in PROSE_COLUMNS else 0 for c, w in zip(columns, widths)]
    cut_to([max(len(c) + 2, p) for c, p in zip(columns, prose)])  # tabulate pads headers by two
    cut_to([max(min(len(c) + 2, MIN_COLUMN), p) for c, p in zip(columns, prose)])  # then the headers too
    cut_to([min(len(c) + 2, MIN_COLUMN) for c in columns])  # then the passage too (else let it wrap)

    def cut(value: str, room: int) -> str:
        return value if len(value) <= room else value[: room - 1] + "…"

    headers = [cut(c, w - 2) if len(c) + 2 > w else c for c, w in zip(columns, widths)]
    return headers, [[cut(v, w) for v, w in zip(row, widths)] for row in cells]


def on_terminal() -> bool:
    """Whether standard output is a terminal a person reads (not a file or a pipe)."""
    return sys.stdout.isatty()


def _cell(value: Any, wide: bool = False) -> str:
    if value is None:
        return ""
    # A study made before the store cleaned its fields may still hold escapes.
    text = " ".join(clean_field(str(value)).split()) if not wide else clean_field(str(value))
    return text if wide or len(text) <= 70 else text[:69] + "…"
