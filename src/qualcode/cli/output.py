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


def emit(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> None:
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
    cells = [[_cell(r.get(c), wide) for c in columns] for r in rows]
    if not wide:
        cells = fit_width(columns, cells, shutil.get_terminal_size((120, 24)).columns)
    click.echo(tabulate(cells, headers=columns, disable_numparse=True))


def fit_width(columns: Sequence[str], cells: list[list[str]], width: int) -> list[list[str]]:
    """Cut the widest columns (with "…") until the table fits ``width`` characters: tabulate
    puts two spaces between columns. A column never gets narrower than its padded header."""
    widths = [max([len(c) + 2, *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    floors = [len(c) + 2 for c in columns]  # tabulate pads headers by two
    while sum(widths) + 2 * (len(widths) - 1) > width:
        widest = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
        if widths[widest] <= floors[widest]:
            break  # nothing left to cut: let the terminal wrap
        widths[widest] -= 1
    return [[v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(row, widths)] for row in cells]


def on_terminal() -> bool:
    """Whether standard output is a terminal a person reads (not a file or a pipe)."""
    return sys.stdout.isatty()


def _cell(value: Any, wide: bool = False) -> str:
    if value is None:
        return ""
    # A study made before the store cleaned its fields may still hold escapes.
    text = " ".join(clean_field(str(value)).split()) if not wide else clean_field(str(value))
    return text if wide or len(text) <= 70 else text[:69] + "…"
