"""Commands for cases (families), waves and outcome variables: ``case``, ``cases``,
``variables`` and ``panel``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.common import parse_pairs, study_options
from qualcode.cli.group import main
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


@main.group("document")
def document_group() -> None:
    """Edit a document's metadata: role, participant, interview date, case, wave and free
    attributes (opleiding, woonsituatie, …).

    Example: qualcode document set ouder-03.txt wave=2 opleiding=mbo
    """


@document_group.command("set")
@click.argument("document")
@click.argument("pairs", nargs=-1, required=True, metavar="NAME=VALUE...")
@study_options
def document_set(study: Study, document: str, pairs: tuple[str, ...]) -> None:
    """Set a document's role, participant, date, case, wave or free attributes; an empty
    value clears one. One action: `qualcode undo` takes it back.

    DOCUMENT is its number or title. Names as in import sidecars (rol, deelnemer, datum,
    gezin, golf work too); a case the study lacks is added.

    Example: qualcode document set ouder-03.txt wave=2 opleiding=mbo woonsituatie=
    """
    changed = study.set_document_values(document, parse_pairs(pairs, "document set"))
    title = study.document(document).title
    if changed:
        click.echo(f"Changed {', '.join(changed)} of {title}.")
    else:
        click.echo(f"{title} already had these values; nothing changed.")


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


@main.command("panel")
@click.option("--code", "code_refs", multiple=True, metavar="PATH", help="Only this code (repeatable).")
@click.option("--variable", "names", multiple=True, metavar="NAME", help="Only this variable (repeatable).")
@click.option(
    "--coder",
    "coders",
    multiple=True,
    metavar="NAME",
    help="Count only this coder's codings (repeatable; default: all).",
)
@click.option("--from", "first", metavar="WAVE", help="The wave changes start from (default: the first).")
@click.option("--to", "last", metavar="WAVE", help="The wave changes end at (default: the last).")
@click.option(
    "--rollup/--no-rollup", default=True, show_default=True, help="A sub-code's coding makes its parent present."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the joint display to a .csv or .xlsx.",
)
@click.option(
    "--study",
    "study_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The study file (default: the study used last).",
)
@output_options
def panel_cmd(
    fmt: str,
    code_refs: tuple[str, ...],
    names: tuple[str, ...],
    coders: tuple[str, ...],
    first: str | None,
    last: str | None,
    rollup: bool,
    output: Path | None,
    study_path: Path | None,
) -> None:
    """Per case (family): which codes are present at each wave, which were gained and lost,
    each variable per wave and its change; then a summary per code and per variable (n, mean,
    median, mean change with a paired Wilcoxon test and its rank-biserial effect size).

    `--variable NAME --json` gives {"case", "waves", "change"} per case; `--code PATH --json`
    gives {"case", "waves": {wave: present}} per case; `--csv` or `-o panel.xlsx` the joint
    display (codes and scores side by side per case).

    Example: qualcode panel --variable zelfredzaamheid
    """
    from qualcode.analysis.panel import panel
    from qualcode.cli.common import open_study

    study = open_study(study_path)
    try:
        result = panel(
            study,
            codes=code_refs or None,
            variables=names or None,
            coders=coders or None,
            first=first,
            last=last,
            rollup=rollup,
            # one variable as JSON prints no codes: none are read
            presence=not (fmt == "json" and output is None and len(names) == 1 and not code_refs),
        )
    finally:
        study.close()
    if output is not None:
        from qualcode.exchange.tables import write_table

        written = write_table(result.joint_rows(), result.joint_columns(), output, sheet="panel")
        click.echo(f"Wrote the panel of {written} case(s) to {output}.")
        return
    if fmt == "json":
        _panel_json(result, code_refs, names)
    elif fmt == "csv":
        emit(result.joint_rows(), "csv", result.joint_columns())
    else:
        _panel_tables(result, bool(code_refs))


def _panel_json(result: Any, code_refs: tuple[str, ...], names: tuple[str, ...]) -> None:
    import json

    if len(names) == 1 and not code_refs:
        data: Any = result.variable_json(names[0])
    elif len(code_refs) == 1 and not names:
        data = result.code_json(result.codes[0][0])
    else:
        paths = dict(result.codes)
        data = [
            {
                "case": row.case,
                "measured": row.measured,
                "codes": {w: sorted(paths[c] for c in row.codes[w] if c in paths) for w in row.measured},
                "gained": None if row.gained is None else sorted(paths[c] for c in row.gained),
                "lost": None if row.lost is None else sorted(paths[c] for c in row.lost),
                "variables": {
                    name: {
                        "waves": {w: row.values.get(name, {}).get(w) for w in result.waves},
                        "change": result.change(row, name),
                    }
                    for name, _ in result.variables
                },
            }
            for row in result.cases
        ]
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _panel_tables(result: Any, by_code: bool) -> None:
    """Three tables: the cases, the codes, the variables."""
    waves = result.waves
    if not result.cases:
        click.echo("(no cases; `qualcode case assign` or front matter `case:` puts documents in one)")
        return
    span = f"wave {result.first} → {result.last}" if result.first != result.last else f"wave {result.first}"
    who = ", ".join(result.coders) if result.coders else "all coders"
    click.echo(f"Panel of {len(result.cases)} case(s), waves {', '.join(waves)}; changes {span}; codings by {who}.")
    click.echo("")
    paths = dict(result.codes)
    rows = []
    for row in result.cases:
        record: dict[str, Any] = {"case": row.case, "measured": ", ".join(row.measured)}
        if by_code:
            for code_id, path in result.codes:
                for w in waves:
                    present = row.present(code_id, w)
                    record[f"{path} @ {w}"] = "—" if present is None else ("yes" if present else "no")
        else:
            for w in waves:
                record[f"codes @ {w}"] = "—" if w not in row.codes else len(row.codes[w] & paths.keys())
        record["gained"] = "—" if row.gained is None else "; ".join(sorted(paths[c] for c in row.gained)) or ""
        record["lost"] = "—" if row.lost is None else "; ".join(sorted(paths[c] for c in row.lost)) or ""
        for name, numeric in result.variables:
            for w in waves:
                record[f"{name} @ {w}"] = _num(row.values.get(name, {}).get(w))
            if numeric:
                record[f"{name} change"] = _num(result.change(row, name))
        rows.append(record)
    emit(rows, "table")
    click.echo("")
    measured = result.measured_cases
    code_rows = [
        {"code": path, **{f"cases @ {w} (of {measured[w]})": result.code_cases[c][w] for w in waves}}
        for c, path in result.codes
        if any(result.code_cases[c].values())
    ]
    if code_rows:
        emit(code_rows, "table")
        click.echo("")
    var_rows = []
    for s in result.summaries:
        record = {"variable": s.name}
        for w in waves:
            f = s.waves[w]
            record[f"n @ {w}"] = f.n
            record[f"mean @ {w}"] = _num(f.mean)
            record[f"median @ {w}"] = _num(f.median)
        ci = f" [{_num(s.ci[0])}, {_num(s.ci[1])}]" if s.ci else ""
        record["pairs"] = s.pairs if s.numeric else ""
        record["mean change"] = _num(s.mean_change) + ci
        record["W"] = _num(s.statistic)
        record["p"] = "" if s.p is None else f"{s.p:.3f}"
        record["rank-biserial"] = _num(s.effect)
        record["test"] = s.note or s.method if s.numeric else "categorical: not tested"
        var_rows.append(record)
    if var_rows:
        emit(var_rows, "table", _columns(var_rows))


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    """Every key of the rows, in first-seen order (rows of categorical variables have fewer)."""
    return list(dict.fromkeys(k for r in rows for k in r))
