"""Commands for analysis: stats, crosstab, cooccur, compare, words, kwic, report, recount."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.common import (
    coder_filter,
    filter_options,
    note_rows,
    open_study,
    scope_from,
    study_options,
    warn_label_counts,
)
from qualcode.cli.group import main
from qualcode.cli.output import emit, output_options
from qualcode.cli.pseudonymise import pseudonymised_option
from qualcode.core.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.study.study import Study


def unit_option(func: Any) -> Any:
    return click.option(
        "--unit",
        "unit",
        type=click.Choice(["document", "participant", "case"]),
        default=None,
        help="What a count counts (default: case when the study has cases, else document).",
    )(func)


def emit_notes(notes: list[str], fmt: str) -> None:
    """Notes say what was counted and what left out: under the table, or on stderr when
    stdout is data."""
    for note in notes:
        click.echo(f"Note: {note}", err=fmt != "table")


def rollup_option(func: Any) -> Any:
    return click.option(
        "--rollup/--no-rollup", default=True, show_default=True, help="Count sub-codes' codings in their parents."
    )(func)


@main.command()
@rollup_option
@click.option("--no-words", is_flag=True, help="Skip coded words (faster on huge studies).")
@click.option("--all", "include_empty", is_flag=True, help="Also list codes that were never coded.")
@click.option(
    "--by",
    help="One table per group, stacked (first column the group): organisation, project, role, wave, "
    "a document attribute or a case attribute (doc:NAME / case:NAME when both have NAME).",
)
@unit_option
@coder_filter
@filter_options
@study_options
@output_options
def stats(
    study: Study,
    fmt: str,
    rollup: bool,
    no_words: bool,
    include_empty: bool,
    by: str | None,
    unit: str | None,
    by_coder: tuple[str, ...],
    **filters: Any,
) -> None:
    """Code frequencies: codings (raw), passages (coded spans merged across coders and
    sub-codes), documents and participants with the code (% of those the counted coders
    coded), coded words, and passages per 1,000 respondents' words (pooled, and mean and sd
    per unit). Notes say whose coding counts and which documents were left out. With --by,
    the table per group: "in 3 of 4 cases" counts the group's units.

    \b
    Example: qualcode stats --organisation Leergeld --role ouder --coders onderzoeker-a --csv
    Example: qualcode stats --by wave --unit case
    """
    from qualcode.analysis.formatting import number
    from qualcode.analysis.frequencies import frequencies_by_group

    data, columns, notes = frequencies_by_group(
        study,
        scope_from(filters, by_coder),
        by=by,
        unit=unit,
        rollup=rollup,
        words=not no_words,
        include_empty=include_empty,
    )
    if not no_words:
        warn_label_counts(study)
    if fmt == "table":
        data = [{k: number(v, 1) if isinstance(v, float) else v for k, v in r.items()} for r in data]
    emit(data, fmt, columns)
    emit_notes(notes, fmt)


@main.command()
@click.option(
    "--by",
    default="organisation",
    show_default=True,
    help="organisation, project, role, participant, document or an attribute name.",
)
@click.option(
    "--measure",
    type=click.Choice(["count", "passages", "docs", "rate"]),
    default="count",
    show_default=True,
    help="count: codings (raw); passages: merged coded spans; docs: % of the group's units with the code; rate: passages per 1,000 respondents' words.",
)
@rollup_option
@click.option("--all", "include_empty", is_flag=True, help="Also list codes that were never coded.")
@unit_option
@coder_filter
@filter_options
@study_options
@output_options
def crosstab(
    study: Study,
    fmt: str,
    by: str,
    measure: str,
    rollup: bool,
    include_empty: bool,
    unit: str | None,
    by_coder: tuple[str, ...],
    **filters: Any,
) -> None:
    """A code × group matrix (by organisation, project, role or a document attribute).

    Example: qualcode crosstab --by organisation --measure docs --unit case
    """
    from qualcode.analysis.formatting import number
    from qualcode.analysis.matrices import crosstab as build

    matrix = build(study, by, scope_from(filters, by_coder), rollup=rollup, include_empty=include_empty, unit=unit)
    if measure == "rate":
        warn_label_counts(study)
    rows = matrix.rows(measure)
    if fmt == "table":
        rows = [{k: number(v, 1) if isinstance(v, float) else v for k, v in r.items()} for r in rows]
    emit(rows, fmt, matrix.columns(measure))
    emit_notes(matrix.notes, fmt)


@main.command()
@click.option(
    "--unit",
    type=click.Choice(["document", "participant", "case", "overlap", "sentence", "turn"]),
    default=None,
    help="Codes co-occur when both are present in a document, participant or case (default: case when "
    "the study has cases, else document), or in one passage: codings that overlap, or share a sentence "
    "or a turn.",
)
@click.option("--matrix", "as_matrix", is_flag=True, help="Show the code × code matrix instead of the list of pairs.")
@click.option(
    "--measure",
    type=click.Choice(["count", "jaccard"]),
    default="count",
    show_default=True,
    help="For --matrix: counts or the Jaccard index.",
)
@click.option(
    "--across-coders",
    is_flag=True,
    help="Also pair a code of one coder with another coder's code (by default only the same coder's codes pair).",
)
@coder_filter
@filter_options
@study_options
@output_options
def cooccur(
    study: Study,
    fmt: str,
    unit: str | None,
    as_matrix: bool,
    measure: str,
    across_coders: bool,
    by_coder: tuple[str, ...],
    **filters: Any,
) -> None:
    """Which codes occur together, with counts and the Jaccard index. Two codes pair only
    where the same coder applied both: another coder's different code on the same passage
    is a disagreement (see `qualcode agreement`), unless --across-coders.

    Example: qualcode cooccur --unit sentence --role ouder
    """
    from qualcode.analysis.cooccurrence import cooccurrence
    from qualcode.analysis.units import default_unit

    scope = scope_from(filters, by_coder)
    result = cooccurrence(study, scope, unit=unit or default_unit(study, scope), across_coders=across_coders)
    if as_matrix:
        emit(result.rows(measure), fmt, ["code", *[p for _, p in result.codes]])
    else:
        emit(result.pairs(), fmt, ["code_a", "code_b", "count", "jaccard", "a_total", "b_total"])
    emit_notes(result.notes(), fmt)


@main.command()
@click.argument("studies", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--by",
    default="organisation",
    show_default=True,
    help="Within one study: compare organisation, project, role or an attribute.",
)
@click.option("--sentences", "as_sentences", is_flag=True, help="Write the result as sentences instead of a table.")
@click.option("--significant", is_flag=True, help="Only codes that differ (q < 0.05).")
@click.option(
    "--variables",
    is_flag=True,
    help="Across study files: the outcome variables per wave (n, mean, median of the counted cases) instead of the codes.",
)
@click.option(
    "--stratify", help="Compare two groups within each stratum (e.g. role): Cochran–Mantel–Haenszel, Breslow–Day."
)
@unit_option
@rollup_option
@coder_filter
@filter_options
@click.option(
    "--study",
    "study_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The study file (default: the study used last).",
)
@output_options
@click.pass_context
def compare(
    ctx: click.Context,
    studies: tuple[Path, ...],
    by: str,
    as_sentences: bool,
    significant: bool,
    variables: bool,
    stratify: str | None,
    unit: str | None,
    rollup: bool,
    by_coder: tuple[str, ...],
    study_path: Path | None,
    fmt: str,
    **filters: Any,
) -> None:
    """Compare themes across organisations (or projects, roles, waves, attributes) in one
    study: per code, the share of units (documents, participants or cases) with it per group,
    with 95 % Wilson intervals, a test, Benjamini–Hochberg q, the difference and odds ratio
    with intervals (two groups) or bias-corrected Cramér's V; groups under 5 units are not
    tested. Or code frequencies across several study files, matching codes by path, counting
    the --unit (cases when every file has them), each file's cases with their roles and
    waves in the notes; --variables compares their outcome variables per wave.

    Example: qualcode compare --by organisation --unit document --sentences
    Example: qualcode compare --by organisation --stratify role --coders onderzoeker-a
    Example: qualcode compare leergeld.qualcode coevorden.qualcode --no-rollup
    Example: qualcode compare leergeld.qualcode coevorden.qualcode --unit case --variables
    """
    scope = scope_from(filters, by_coder)
    if len(studies) >= 2:
        from click.core import ParameterSource

        from qualcode.analysis.compare import compare_studies

        given = [
            f"--{name.replace('_', '-')}" if name != "as_sentences" else "--sentences"
            for name in ("by", "as_sentences", "significant", "stratify", "study_path")
            if ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)
        ]
        if given:
            raise QualcodeError(
                f"{', '.join(g.replace('--study-path', '--study') for g in given)} "
                f"{'applies' if len(given) == 1 else 'apply'} to a comparison within one study, not across "
                "study files; leave it out (across files: filters, --coders, --unit, --variables, --no-rollup "
                "and the output options)"
            )
        result = compare_studies(list(studies), scope, rollup=rollup, unit=unit)
        from qualcode.analysis.formatting import number

        rows, columns = (
            (result.variable_rows, result.variable_columns()) if variables else (result.rows, result.columns())
        )
        if fmt == "table":
            rows = [{k: number(v, 1) if isinstance(v, float) else v for k, v in r.items()} for r in rows]
        emit(rows, fmt, columns)
        emit_notes(result.designs if variables else result.notes, fmt)
        return
    if variables:
        raise QualcodeError(
            "--variables compares outcome variables across study files; within one study, `qualcode panel` shows them"
        )
    if len(studies) == 1:
        raise QualcodeError("give two or more study files to compare, or none to compare groups within --study")
    from qualcode.analysis.compare import compare_groups

    study = open_study(study_path)
    try:
        groups = compare_groups(study, by, scope, rollup=rollup, unit=unit, stratify=stratify)
    finally:
        study.close()
    if as_sentences:
        for line in groups.sentences(only_significant=significant):
            click.echo(line)
        emit_notes(groups.notes, "table")
    elif fmt == "json":
        import json

        click.echo(json.dumps(groups.as_json(significant), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        emit(groups.rows(significant) + note_rows(groups.notes, groups.columns()), fmt, groups.columns())
    else:
        emit(groups.display_rows(significant), fmt, groups.display_columns())
        emit_notes(groups.notes, fmt)


@main.command()
@click.option(
    "--by", default="organisation", show_default=True, help="organisation, project, role or an attribute name."
)
@click.option("--unit", type=click.Choice(["lemma", "word"]), default="lemma", show_default=True)
@click.option(
    "--distinctive",
    is_flag=True,
    help="Words used more in a group than in the rest (log-likelihood, corrected for testing many words).",
)
@click.option("--top", default=20, show_default=True, help="Words per group.")
@click.option(
    "--min-documents",
    default=3,
    show_default=True,
    help="--distinctive: leave out groups with fewer documents (one interview's names are not distinctive).",
)
@click.option(
    "--correction",
    type=click.Choice(["bh", "bonferroni"]),
    default="bh",
    show_default=True,
    help="--distinctive: Benjamini–Hochberg (false discovery rate) or Bonferroni over every word tested.",
)
@filter_options
@study_options
@output_options
def words(
    study: Study,
    fmt: str,
    by: str,
    unit: str,
    distinctive: bool,
    top: int,
    min_documents: int,
    correction: str,
    **filters: Any,
) -> None:
    """Word or lemma frequencies per group (stop words out), or distinctive words: G² with
    p corrected over every word tested (q < 0.05), in how many of the group's documents the
    word occurs, groups of fewer than --min-documents left out. Respondents' words only.

    Example: qualcode words --by role --distinctive --correction bonferroni
    """
    from qualcode.analysis.formatting import number, p_value
    from qualcode.analysis.words import distinctive_words, word_frequencies

    scope = scope_from(filters, None)
    if distinctive:
        rows = distinctive_words(
            study, scope, by=by, unit=unit, top=top, min_documents=min_documents, correction=correction
        )
        data = list(rows)
        if fmt == "table":
            data = [
                {
                    **r,
                    "g2": number(r["g2"]),
                    "p": p_value(r["p"]),
                    "q": p_value(r["q"]),
                    "log_ratio": number(r["log_ratio"]),
                }
                for r in data
            ]
        emit(data, fmt, [by, unit, "count", "rest", "documents", "of_documents", "g2", "p", "q", "log_ratio"])
        emit_notes(rows.notes, fmt)
    else:
        emit(word_frequencies(study, scope, by=by, unit=unit, top=top), fmt, [by, "rank", unit, "count", "per_1000"])


@main.command()
@click.argument("term")
@click.option("--lemma", is_flag=True, help="Match the lemma (vertrouwen finds vertrouwde, vertrouwt).")
@click.option("--width", default=40, show_default=True, help="Characters of context on each side.")
@click.option("--limit", default=500, show_default=True)
@click.option("--interviewer", is_flag=True, help="Also look in the interviewer's turns.")
@filter_options
@study_options
@output_options
def kwic(
    study: Study, fmt: str, term: str, lemma: bool, width: int, limit: int, interviewer: bool, **filters: Any
) -> None:
    """Keyword in context: every occurrence of a word (vertrouw* for a prefix) or lemma in
    what respondents said — never in a speaker label or timestamp; the interviewer's turns
    only with --interviewer.

    Example: qualcode kwic vertrouwen --lemma --organisation Leergeld
    """
    from qualcode.analysis.words import kwic as find

    lines = find(
        study,
        term,
        scope_from(filters, None),
        unit="lemma" if lemma else "word",
        width=width,
        limit=limit,
        interviewer=interviewer,
    )
    emit(
        [line.as_row() for line in lines], fmt, ["document", "organisation", "role", "start", "left", "match", "right"]
    )


@main.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .html file to write."
)
@click.option(
    "--by",
    default="organisation",
    show_default=True,
    help="Groups to compare in the report: organisation, project, role, wave, case, a document or a case attribute.",
)
@click.option("--quotes", default=3, show_default=True, help="Quotes per code.")
@click.option("--title", help="The report's title (default: the study's name).")
@unit_option
@coder_filter
@filter_options
@study_options
@pseudonymised_option
def report(
    study: Study,
    output: Path,
    by: str,
    quotes: int,
    title: str | None,
    unit: str | None,
    by_coder: tuple[str, ...],
    **filters: Any,
) -> None:
    """Write a self-contained HTML report (codebook, frequencies, matrices, charts,
    comparison, quotes) to send to a partner organisation. Every "in 7 of 9" counts the
    --unit: cases (families) when the study has them, else documents.

    Example: qualcode report -o rapport.html --by organisation --unit case
    """
    from qualcode.analysis.report import write_report

    warn_label_counts(study)
    write_report(study, output, scope_from(filters, by_coder), by=by, quotes=quotes, title=title, unit=unit)
    click.echo(f"Wrote {output}.")


@main.command()
@study_options
def recount(study: Study) -> None:
    """Recount the words of every document: the words said, without speaker labels and
    timestamps ("Interviewer:", "[00:01:23]"). Studies imported before qualcode counted
    that way need it once for right rates per 1,000 words; running it again changes nothing.

    Example: qualcode recount --study armoede.qualcode
    """
    result = study.recount_words()
    click.echo(
        f"Recounted the words of {result.documents} document(s): {result.before:,} → {result.after:,} words in the study."
    )
