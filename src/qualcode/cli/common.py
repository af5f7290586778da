"""Options and helpers shared by the CLI's command modules."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.core.progress import Progress

if TYPE_CHECKING:
    from qualcode.analysis import Scope
    from qualcode.study.study import Study


# Ids and offsets: SQLite integers are 64-bit, so a larger number ("1e22" typed as digits)
# is refused by click in one line instead of an OverflowError deep in the store.
ID = click.IntRange(min=0, max=2**63 - 1)


def study_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--study PATH`` (default: the study used last) and ``--coder NAME``; the command gets
    an open ``study`` argument instead."""

    @click.option(
        "--study",
        "study_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The study file (default: the study used last).",
    )
    @click.option(
        "--coder", help="Who is coding (default: QUALCODE_CODER, then `qualcode coder`; never the login name)."
    )
    @functools.wraps(func)
    def wrapper(*args: Any, study_path: Path | None, coder: str | None, **kwargs: Any) -> Any:
        study = open_study(study_path, coder)
        try:
            return func(*args, study=study, **kwargs)
        finally:
            study.close()

    return wrapper


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def open_study(path: Path | None, coder: str | None = None) -> Study:
    from qualcode.cli.output import STUDY_READ
    from qualcode.core import config
    from qualcode.study.study import Study, default_study_path

    resolved = path if path is not None else default_study_path()
    study = Study.open(resolved, coder)
    last = config.last_study()
    if path is not None and (last is None or last.resolve() != Path(path).resolve()) and _stderr_is_terminal():
        # --study X makes X the default for the next commands: say so, never silently (to a
        # person at a terminal; a script reading the output gets only the output).
        click.echo(f"using {resolved} (now the default)", err=True)
    config.remember_study(resolved)
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[STUDY_READ] = f"{study.name} ({resolved})"
    return study


def parse_pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    from qualcode.core.errors import QualcodeError

    out: dict[str, str] = {}
    for value in values:
        name, sep, val = value.partition("=")
        if not sep or not name.strip():
            raise QualcodeError(f"{option} takes NAME=VALUE, not “{value}”")
        out[name.strip()] = val.strip()
    return out


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Document filters shared by listing and analysis commands."""

    @click.option("--organisation", "-O", help="Only documents of this organisation.")
    @click.option("--project", "-P", help="Only documents of this project.")
    @click.option("--role", "-r", help="Only documents of respondents with this role (ouder, gezinscoach, …).")
    @click.option(
        "--where",
        "-w",
        "where",
        multiple=True,
        metavar="NAME=VALUE",
        help="Only documents with this attribute value (repeatable).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, where: tuple[str, ...], **kwargs: Any) -> Any:
        return func(*args, attributes=parse_pairs(where, "--where"), **kwargs)

    return wrapper


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    """A progress bar on stderr for long work, as a :data:`~qualcode.core.progress.Progress`
    callback (Ctrl+C, not the callback, stops the work on the command line).

    Hidden when stderr is not a terminal: a script, a log or a test gets its one line of
    result or error, and stdout stays clean for ``--csv`` and ``--json``.
    """
    with click.progressbar(length=1, label=label, file=sys.stderr, hidden=not sys.stderr.isatty()) as bar:
        state = {"done": 0}

        def progress(done: int, total: int, name: str) -> None:
            bar.length = max(total, 1)
            bar.update(done - state["done"], name)  # type: ignore[arg-type]  # click types the item by `length`
            state["done"] = done

        yield progress


def scope_from(filters: dict[str, Any], coders: tuple[str, ...] | str | None) -> Scope:
    from qualcode.core.scope import Scope

    if isinstance(coders, str):
        coders = (coders,)
    return Scope(
        organisation=filters.get("organisation"),
        project=filters.get("project"),
        role=filters.get("role"),
        attributes=filters.get("attributes") or {},
        coders=tuple(coders or ()),
    )


def coder_filter(func: Any) -> Any:
    """``--coders NAME`` (repeatable; ``--by-coder`` is the same option): whose codings
    count. Not ``--coder``, which everywhere else says who *you* are."""
    return click.option(
        "--coders",
        "--by-coder",
        "by_coder",
        multiple=True,
        metavar="NAME",
        help="Count only this coder's codings (repeatable: several coders, a passage they both coded counts once).",
    )(func)


def warn_label_counts(study: Study) -> None:
    """Say on stderr when word counts still include speaker labels (figures per word are off)."""
    if study.word_counts_include_labels():
        click.echo(
            "note: this study's word counts include speaker labels and timestamps; run `qualcode recount` once",
            err=True,
        )


def note_rows(notes: list[str], columns: list[str]) -> list[dict[str, Any]]:
    """Notes as rows under a table (CSV, XLSX): "note" in the first column, the text in the
    second, so the caveats travel with the figures."""
    return [{columns[0]: "note", columns[1]: note} for note in notes]
