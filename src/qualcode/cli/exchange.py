"""The ``export`` group (fragments, tables, REFI-QDA project and codebook) and the REFI-QDA side of
``import``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.common import (
    coder_filter,
    filter_options,
    note_rows,
    open_study,
    progress_bar,
    scope_from,
    study_options,
    warn_label_counts,
)
from qualcode.cli.group import main
from qualcode.cli.pseudonymise import pseudonymised_option
from qualcode.core.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.analysis import Scope
    from qualcode.study.study import Study


@main.group()
def export() -> None:
    """Export coded fragments, tables, reports and REFI-QDA files.

    Example: qualcode export fragments -o fragmenten.csv
    """


@export.command("fragments")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="A .csv or .xlsx file."
)
@click.option("--code", "code_refs", multiple=True, help="Only these codes (repeatable; sub-codes included).")
@coder_filter
@filter_options
@study_options
@pseudonymised_option
def export_fragments(
    study: Study, output: Path, code_refs: tuple[str, ...], by_coder: tuple[str, ...], **filters: Any
) -> None:
    """Export coded fragments, one row per coding, to CSV (UTF-8 with BOM) or Excel.

    Example: qualcode export fragments -o fragmenten.xlsx --code Vertrouwensband
    """
    from qualcode.exchange.tables import write_fragments

    count = write_fragments(study, output, scope_from(filters, by_coder), codes=list(code_refs) or None)
    click.echo(f"Wrote {count} fragments to {output}.")


@export.command("table")
@click.argument("kind", type=click.Choice(["stats", "crosstab", "cooccur", "compare", "words"]))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="A .csv or .xlsx file."
)
@click.option(
    "--by",
    help="crosstab, compare and words: the groups (default organisation); stats: one table per group, stacked.",
)
@click.option(
    "--measure", default="count", show_default=True, help="crosstab: count, docs or rate; cooccur: count or jaccard."
)
@click.option(
    "--unit",
    default=None,
    help="stats, crosstab, compare: document, participant or case; cooccur: overlap, sentence or turn; "
    "words: lemma or word.",
)
@click.option("--stratify", help="compare: two groups within each stratum (Cochran–Mantel–Haenszel).")
@click.option("--across-coders", is_flag=True, help="cooccur: also pair codes of different coders.")
@coder_filter
@filter_options
@study_options
def export_table(
    study: Study,
    kind: str,
    output: Path,
    by: str | None,
    measure: str,
    unit: str | None,
    stratify: str | None,
    across_coders: bool,
    by_coder: tuple[str, ...],
    **filters: Any,
) -> None:
    """Export an analysis table to CSV (UTF-8 with BOM) or Excel, its notes (whose coding
    counts, what was left out, small groups, the family of tests) as rows at the end.

    Example: qualcode export table crosstab --by role --measure docs -o rollen.xlsx
    """
    from qualcode.exchange.tables import write_table

    rows, columns, notes = table_rows(
        study,
        kind,
        scope_from(filters, by_coder),
        by=by,
        measure=measure,
        unit=unit,
        stratify=stratify,
        across_coders=across_coders,
    )
    if kind == "stats" or (kind == "crosstab" and measure == "rate"):
        warn_label_counts(study)
    count = write_table(rows + note_rows(notes, columns), columns, output, sheet=kind)
    click.echo(f"Wrote {count - len(notes)} rows and {len(notes)} notes to {output}.")


ANALYSIS_UNITS = ("document", "participant", "case")


def table_rows(
    study: Study,
    kind: str,
    scope: Scope,
    *,
    by: str | None,
    measure: str,
    unit: str | None,
    stratify: str | None = None,
    across_coders: bool = False,
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """(rows, columns, notes) of one analysis table."""
    if stratify and kind != "compare":
        raise QualcodeError("--stratify applies to export table compare only")
    if kind in ("stats", "crosstab", "compare") and unit not in (None, *ANALYSIS_UNITS):
        raise QualcodeError(f"--unit {unit}: {kind} counts document, participant or case")
    if kind == "stats":
        from qualcode.analysis.frequencies import frequencies_by_group

        return frequencies_by_group(study, scope, by=by, unit=unit)
    if kind == "cooccur" and by is not None:
        raise QualcodeError("--by does not apply to export table cooccur (it pairs codes across the scope)")
    by = by or "organisation"
    if kind == "crosstab":
        from qualcode.analysis.matrices import crosstab as build

        matrix = build(study, by, scope, unit=unit)
        return matrix.rows(measure), matrix.columns(measure), matrix.notes
    if kind == "cooccur":
        from qualcode.analysis.cooccurrence import cooccurrence

        result = cooccurrence(study, scope, unit=unit or "overlap", across_coders=across_coders)
        columns = ["code", *[p for _, p in result.codes]]
        return result.rows(measure if measure in ("count", "jaccard") else "count"), columns, result.notes()
    if kind == "compare":
        from qualcode.analysis.compare import compare_groups

        comparison = compare_groups(study, by, scope, unit=unit, stratify=stratify)
        return comparison.rows(), comparison.columns(), comparison.notes
    from qualcode.analysis.words import word_frequencies

    chosen = unit or "lemma"
    return word_frequencies(study, scope, by=by, unit=chosen), [by, "rank", chosen, "count", "per_1000"], []


@export.command("qdpx")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .qdpx file to write."
)
@study_options
@pseudonymised_option
def export_qdpx_cmd(study: Study, output: Path) -> None:
    """Export the whole study as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA,
    QualCoder and other tools: documents, codebook, codings, coders, memos, attributes.

    Example: qualcode export qdpx --study armoede.qualcode -o armoede.qdpx
    """
    from qualcode.exchange import export_qdpx

    if output.suffix.lower() != ".qdpx":
        output = output.with_name(output.name + ".qdpx")
    with progress_bar("Exporting") as progress:
        summary = export_qdpx(study, output, progress)
    click.echo(
        f"Wrote {output}: {summary.sources} source(s), {summary.codes} code(s), {summary.codings} coding(s), "
        f"{summary.notes} note(s), {summary.variables} variable(s), {summary.users} user(s), {summary.sets} set(s)."
    )


@export.command("qdc")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .qdc file to write."
)
@study_options
def export_qdc_cmd(study: Study, output: Path) -> None:
    """Export the study's codebook as a REFI-QDA codebook (.qdc), with hierarchy, colours
    and descriptions (when to use, when not, example).

    Example: qualcode export qdc --study armoede.qualcode -o codeboek.qdc
    """
    from qualcode.exchange import export_qdc

    if output.suffix.lower() != ".qdc":
        output = output.with_name(output.name + ".qdc")
    summary = export_qdc(study, output)
    click.echo(f"Wrote {output}: {summary.codes} code(s) in {max(summary.sets, 1)} codebook(s).")


def import_exchange_files(study_path: Path | None, coder: str | None, paths: list[Path]) -> None:
    """``qualcode import`` for .qdpx and .qdc files.

    A .qdpx goes into a new study (created at ``--study``, or beside the .qdpx when no
    study is given) or into an existing empty one; a .qdc merges into the study's codebook.
    """
    from qualcode.core import config
    from qualcode.exchange import import_qdc, import_qdpx, import_qdpx_new
    from qualcode.study.study import STUDY_SUFFIX

    projects = [p for p in paths if p.suffix.lower() == ".qdpx"]
    codebooks = [p for p in paths if p.suffix.lower() == ".qdc"]
    if len(projects) > 1:
        raise QualcodeError("import one .qdpx project at a time; each becomes its own study")
    if projects:
        qdpx = projects[0]
        if not qdpx.exists():
            raise QualcodeError(f"{qdpx}: no such file")
        target = study_path if study_path is not None else qdpx.with_suffix(STUDY_SUFFIX)
        if target.exists():
            study = open_study(target, coder)
            try:
                with progress_bar("Importing") as progress:
                    summary = import_qdpx(study, qdpx, progress)
            finally:
                study.close()
        else:
            with progress_bar("Importing") as progress:
                summary = import_qdpx_new(target, qdpx, coder, progress)
            config.remember_study(target)
        for line in summary.lines():
            click.echo(line)
        click.echo(f"Study: {target}")
        paths = codebooks
        if not codebooks:
            return
        study_path = target
    study = open_study(study_path, coder)
    try:
        for qdc in codebooks:
            counts = import_qdc(study, qdc)
            click.echo(
                f"Imported codebook {qdc.name}: {counts['added']} code(s) added, {counts['updated']} updated "
                f"({counts['codes']} in the file)."
            )
    finally:
        study.close()
