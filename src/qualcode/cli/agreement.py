"""Commands for teams of coders: ``agreement`` (intercoder agreement and the disagreements
to reconcile) and ``merge`` (bring another coder's study file into this one)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.common import filter_options, open_study, progress_bar, study_options
from qualcode.cli.group import main
from qualcode.cli.output import emit, output_options

if TYPE_CHECKING:
    from qualcode.study.study import Study

UNIT_CHOICES = ["sentence", "segment", "character"]


def _coder_list(positional: tuple[str, ...], options: tuple[str, ...]) -> list[str]:
    """Coders from ``--coders A,B``, ``--coders A --coders B`` and bare names, so that the
    natural ``--coders A B`` works too (B arrives as a bare name)."""
    names = [n.strip() for value in options for n in value.split(",")]
    return [n for n in [*names, *positional] if n]


def _readable(rows: list[dict[str, Any]], fmt: str) -> list[dict[str, Any]]:
    """Undefined figures as "n/a" in tables and CSV (the note says why); JSON keeps null."""
    if fmt == "json":
        return rows
    return [
        {k: ("n/a" if v is None and k in ("agreement", "kappa", "alpha", "jaccard") else v) for k, v in r.items()}
        for r in rows
    ]


@main.command("agreement")
@click.argument("coder_names", nargs=-1, metavar="[CODER]...")
@click.option(
    "--coders",
    "coder_options",
    multiple=True,
    metavar="A B",
    help="The coders to compare (default: every coder with codings, two to five); also A,B.",
)
@click.option(
    "--unit",
    type=click.Choice(UNIT_CHOICES),
    default="sentence",
    show_default=True,
    help="sentence: 2×2 tables over sentences with kappa and alpha; segment: matched codings (MAXQDA); character: coded characters with Jaccard.",
)
@click.option(
    "--overlap",
    type=float,
    default=0.5,
    show_default=True,
    help="For --unit segment: the share of the two spans' union a match must overlap (0.9 is strict).",
)
@click.option(
    "--rollup/--no-rollup", default=True, show_default=True, help="Count sub-codes' codings in their parents."
)
@click.option(
    "--document",
    "-d",
    "documents",
    multiple=True,
    metavar="DOC",
    help="Compare on this document (id or title; repeatable) instead of every document both coded.",
)
@click.option("--code", help="Only this code (by path or unique name).")
@click.option(
    "--disagreements",
    "show_disagreements",
    is_flag=True,
    help="List the passages where the coders differ, for a reconciliation meeting.",
)
@filter_options
@study_options
@output_options
def agreement_cmd(
    study: Study,
    fmt: str,
    coder_names: tuple[str, ...],
    coder_options: tuple[str, ...],
    unit: str,
    overlap: float,
    rollup: bool,
    documents: tuple[str, ...],
    code: str | None,
    show_disagreements: bool,
    **filters: Any,
) -> None:
    """Intercoder agreement per code and overall: sentence units (percentage agreement,
    Cohen's kappa, Krippendorff's alpha), segments as in MAXQDA, or characters (Jaccard).
    Compares the documents both coders coded; "n/a" comes with the reason in the note.

    Example: qualcode agreement --coders onderzoeker-a onderzoeker-b --unit sentence

    Example: qualcode agreement --unit segment --overlap 0.9 --disagreements --csv > verschillen.csv
    """
    from qualcode.analysis import Scope
    from qualcode.analysis.agreement import DISAGREEMENT_COLUMNS, agreement, disagreements

    coders = _coder_list(coder_names, coder_options) or None
    scope = Scope(
        organisation=filters.get("organisation"),
        project=filters.get("project"),
        role=filters.get("role"),
        attributes=filters.get("attributes") or {},
    )
    options: dict[str, Any] = {
        "unit": unit,
        "overlap": overlap,
        "rollup": rollup,
        "scope": scope,
        "documents": list(documents) or None,
    }
    if show_disagreements:
        found = disagreements(study, coders, code=code, **options)
        pairs = {(d.coder_a, d.coder_b) for d in found}
        columns = (["coder_a", "coder_b"] if len(pairs) > 1 or fmt != "table" else []) + DISAGREEMENT_COLUMNS
        emit([d.as_row() for d in found], fmt, columns)
        if fmt == "table":
            click.echo(f"{len(found)} disagreement(s).")
        return
    result = agreement(study, coders, **options)
    rows = result.rows()
    if code is not None:
        wanted = study.code(code).id
        rows = [r for r in rows if r["code_id"] == wanted]
    if fmt == "table":
        for line in result.describe():
            click.echo(line)
        click.echo()
    emit(_readable(rows, fmt), fmt, result.columns(with_pair=fmt != "table" or len(result.pairs) > 1))


@main.command("merge")
@click.argument("other", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--from-coder",
    "coders",
    multiple=True,
    metavar="NAME",
    help="Bring only this coder's work (repeatable; default: everyone's).",
)
@click.option(
    "--study",
    "study_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The study to merge into (default: the study used last).",
)
@click.option("--coder", help="Who you are (as everywhere; the merge is your action to undo).")
@output_options
def merge_cmd(other: Path, coders: tuple[str, ...], study_path: Path | None, coder: str | None, fmt: str) -> None:
    """Bring codings, coders, missing codes and memos from another study file into this one.

    Documents are matched by their text (the same transcript imported in both), codes by
    path; passages already coded the same way are skipped, and work on documents this
    study lacks is reported, not placed. One action: `qualcode undo` takes it all back.

    Example: qualcode merge collega.qualcode --from-coder onderzoeker-b
    """
    from qualcode.exchange.merge import merge_study

    study = open_study(study_path, coder)
    try:
        with progress_bar("Merging") as progress:
            report = merge_study(study, other, coders=list(coders) or None, progress=progress)
    finally:
        study.close()
    if fmt != "table":
        emit(report.rows(), fmt, ["what", "count", "detail"])
        return
    for line in report.lines():
        click.echo(line)
