"""REFI-QDA commands: ``export qdpx``, ``export qdc``, and the exchange side of ``import``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.cli.pseudonymise import pseudonymised_option
from qualcode.cli.common import open_study, progress_bar, study_options
from qualcode.cli.core import export
from qualcode.core.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.study.study import Study


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
