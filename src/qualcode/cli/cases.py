"""Commands for cases (families), waves and outcome variables: ``case``, ``cases``,
``variables`` and ``panel``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.cli import main
from qualcode.cli.common import parse_pairs, study_options
from qualcode.cli.output import emit, output_options

if TYPE_CHECKING:
    from qualcode.study.study import Study


@main.group()
def case() -> None:
    """Add, rename and remove cases (families, households) and put documents in them.

    Example: qualcode case assign ouder-03.txt G-CO-03
    """


@case.command("add")
@click.argument("name")
@click.option("--label", help="A readable name for the case (optional).")
@study_options
def case_add(study: Study, name: str, label: str | None) -> None:
    """Add a case.

    Example: qualcode case add G-CO-03 --label "Gezin Coevorden 3"
    """
    study.add_case(name, label)
    click.echo(f"Added case {name.strip()}.")


@case.command("rename")
@click.argument("name")
@click.argument("new_name")
@click.option("--label", help="Also set the case's readable name.")
@study_options
def case_rename(study: Study, name: str, new_name: str, label: str | None) -> None:
    """Rename a case (its documents and variables stay with it).

    Example: qualcode case rename G-CO-3 G-CO-03
    """
    study.rename_case(name, new_name, label)
    click.echo(f"Renamed case {name} to {new_name.strip()}.")


@case.command("remove")
@click.argument("name")
@click.option("--with-variables", is_flag=True, help="Also remove the case's variable values.")
@study_options
def case_remove(study: Study, name: str, with_variables: bool) -> None:
    """Remove a case without documents (undo brings it back).

    Example: qualcode case remove G-CO-09 --with-variables
    """
    study.remove_case(name, with_variables=with_variables)
    click.echo(f"Removed case {name}.")


@case.command("assign")
@click.argument("document")
@click.argument("name")
@click.option("--wave", help="Also set the document's wave.")
@study_options
def case_assign(study: Study, document: str, name: str, wave: str | None) -> None:
    """Put a document in a case (a case the study lacks is added).

    Example: qualcode case assign ouder-03.txt G-CO-03 --wave 1
    """
    created = study.assign_case(document, name, wave=wave)
    note = " (a new case)" if created else ""
    click.echo(f"Document {document} is now in case {name.strip()}{note}.")


@case.command("unassign")
@click.argument("document")
@study_options
def case_unassign(study: Study, document: str) -> None:
    """Take a document out of its case.

    Example: qualcode case unassign ouder-03.txt
    """
    was = study.unassign_case(document)
    click.echo(f"Document {document} is no longer in case {was}." if was else f"Document {document} had no case.")


@case.command("set")
@click.argument("name")
@click.argument("pairs", nargs=-1, required=True, metavar="NAME=VALUE...")
@study_options
def case_set(study: Study, name: str, pairs: tuple[str, ...]) -> None:
    """Set attributes of a case (an empty value removes one).

    Example: qualcode case set G-CO-03 gemeente=Coevorden aanpak=intensief
    """
    for key, value in parse_pairs(pairs, "case set").items():
        study.set_case_attribute(name, key, value)
    click.echo(f"Set {len(pairs)} attribute(s) of case {name}.")


@main.command("cases")
@study_options
@output_options
def cases_cmd(study: Study, fmt: str) -> None:
    """List the cases with their documents, roles and waves.

    Example: qualcode cases --json
    """
    rows = study.cases()
    if fmt == "json":
        emit(rows, fmt)
        return
    flat = [
        {
            "case": r["case"],
            "label": r["label"],
            "documents": len(r["documents"]),
            "roles": ", ".join(r["roles"]),
            "waves": ", ".join(r["waves"]),
            "titles": "; ".join(
                f"{d['title']} ({', '.join(x for x in (d['role'], d['wave'] and 'wave ' + d['wave']) if x)})"
                for d in r["documents"]
            ),
            "attributes": "; ".join(f"{k}={v}" for k, v in r["attributes"].items()),
            "variables": r["variables"],
        }
        for r in rows
    ]
    emit(flat, fmt, ["case", "label", "documents", "roles", "waves", "variables", "attributes", "titles"])


@main.group()
def variables() -> None:
    """Outcome variables per case and wave (scores, categories).

    Example: qualcode variables import scores.csv
    """


@variables.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--create-cases", is_flag=True, help="Add cases the study lacks instead of refusing the file.")
@study_options
def variables_import(study: Study, path: Path, create_cases: bool) -> None:
    """Import a CSV of variables: columns case, wave, then one per variable (`,` or `;`,
    decimal comma understood). One undoable action; a bad row changes nothing.

    Example: qualcode variables import scores.csv
    """
    report = study.import_variables(path, create_cases=create_cases)
    kinds = []
    if report.numeric:
        kinds.append(f"numeric: {', '.join(report.numeric)}")
    if report.categorical:
        kinds.append(f"categorical: {', '.join(report.categorical)}")
    click.echo(
        f"Imported {report.values} value(s) for {len(report.cases)} case(s) ({'; '.join(kinds) or 'no variables'})."
    )
    if report.created_cases:
        click.echo(f"Added {len(report.created_cases)} case(s): {', '.join(report.created_cases)}.")


@variables.command("list")
@click.option("--case", "case_name", help="Only this case.")
@click.option("--name", help="Only this variable.")
@click.option("--wave", help="Only this wave.")
@study_options
@output_options
def variables_list(study: Study, fmt: str, case_name: str | None, name: str | None, wave: str | None) -> None:
    """List variable values per case and wave.

    Example: qualcode variables list --name zelfredzaamheid --csv
    """
    emit(study.variables(case=case_name, name=name, wave=wave), fmt, ["case", "wave", "name", "value", "numeric"])


@variables.command("set")
@click.argument("case_name", metavar="CASE")
@click.argument("wave")
@click.argument("pairs", nargs=-1, required=True, metavar="NAME=VALUE...")
@study_options
def variables_set(study: Study, case_name: str, wave: str, pairs: tuple[str, ...]) -> None:
    """Set variables of a case at a wave.

    Example: qualcode variables set G-CO-03 2 zelfredzaamheid=7,5
    """
    for key, value in parse_pairs(pairs, "variables set").items():
        study.set_variable(case_name, wave, key, value)
    click.echo(f"Set {len(pairs)} value(s) of case {case_name} at wave {wave}.")


@variables.command("remove")
@click.argument("name")
@click.option("--case", "case_name", help="Only this case's values.")
@click.option("--wave", help="Only this wave's values.")
@study_options
def variables_remove(study: Study, name: str, case_name: str | None, wave: str | None) -> None:
    """Remove a variable's values (all, or of one case or wave).

    Example: qualcode variables remove zelfredzaamheid --case G-CO-03 --wave 2
    """
    removed = study.remove_variable(name, case=case_name, wave=wave)
    click.echo(f"Removed {removed} value(s) of {name}.")
