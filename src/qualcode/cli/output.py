"""Output options shared by every listing command: a table, ``--csv`` or ``--json``.

CSV goes through the one CSV writer (exchange/csv.py): byte order mark, neutralised
formula cells, quoted line breaks, and ``--excel-nl`` for Dutch Excel. Tables and JSON are
for the terminal, so control characters are made visible there and never reach it raw.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from qualcode.core.clean import clean_field

_EXCEL_NL = "qualcode.excel_nl"


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
    @functools.wraps(func)
    def wrapper(*args: Any, excel_nl: bool, **kwargs: Any) -> Any:
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
    if not rows:
        click.echo("(none)")
        return
    from tabulate import tabulate  # ships with sqlite-utils

    click.echo(tabulate([[_cell(r.get(c)) for c in columns] for r in rows], headers=columns, disable_numparse=True))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    # A study made before the store cleaned its fields may still hold escapes.
    text = clean_field(str(value))
    return text if len(text) <= 70 else text[:69] + "…"
