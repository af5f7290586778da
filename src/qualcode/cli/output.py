"""Output options shared by every listing command: a table, ``--csv`` or ``--json``."""

from __future__ import annotations

import csv
import functools
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--csv`` and ``--json`` (the default is a table), as sqlite-utils does."""

    @click.option("--csv", "fmt", flag_value="csv", help="Output CSV (UTF-8) instead of a table.")
    @click.option("--json", "fmt", flag_value="json", help="Output a JSON list of objects.")
    @click.option("--table", "fmt", flag_value="table", default=True, help="Output a table (the default).")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def emit(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> None:
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        click.echo(json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
        return
    if not rows:
        click.echo("(none)")
        return
    from tabulate import tabulate

    click.echo(tabulate([[_cell(r.get(c)) for c in columns] for r in rows], headers=columns, disable_numparse=True))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\n", " ")
    return text if len(text) <= 70 else text[:69] + "…"
