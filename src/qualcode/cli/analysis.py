"""Commands for analysis: stats, crosstab, cooccur, compare, words, kwic, report, and the
``export fragments`` / ``export table`` subcommands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli import main
from qualcode.cli.pseudonymise import pseudonymised_option
from qualcode.cli.common import filter_options, open_study, study_options
from qualcode.cli.core import export
from qualcode.cli.output import emit, output_options
from qualcode.core.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.analysis import Scope
    from qualcode.study.study import Study


def _scope(filters: dict[str, Any], coder: str | None) -> Scope:
    from qualcode.analysis import Scope

    return Scope(
        organisation=filters.get("organisation"),
        project=filters.get("project"),
        role=filters.get("role"),
        attributes=filters.get("attributes") or {},
        coder=coder,
    )


def coder_filter(func: Any) -> Any:
    """``--by-coder NAME``: only one coder's codings (``--coder`` says who *you* are)."""
    return click.option("--by-coder", "by_coder", help="Only this coder's codings.")(func)


def rollup_option(func: Any) -> Any:
    return click.option(
        "--rollup/--no-rollup", default=True, show_default=True, help="Count sub-codes' codings in their parents."
    )(func)


@main.command()
@rollup_option
@click.option("--no-words", is_flag=True, help="Skip coded words (faster on huge studies).")
@click.option("--all", "include_empty", is_flag=True, help="Also list codes that were never coded.")
@coder_filter
@filter_options
@study_options
@output_options
def stats(
    study: Study, fmt: str, rollup: bool, no_words: bool, include_empty: bool, by_coder: str | None, **filters: Any
) -> None:
    """Code frequencies: codings, documents (and %), participants and coded words per code
    (and their % of the words said in the selection; speaker labels are not words said).

    Example: qualcode stats --organisation Leergeld --role ouder --csv
    """
    from qualcode.analysis.frequencies import FREQUENCY_COLUMNS, code_frequencies

    rows = code_frequencies(
        study, _scope(filters, by_coder), rollup=rollup, words=not no_words, include_empty=include_empty
    )
    if not no_words:
        warn_label_counts(study)
    columns = [c for c in FREQUENCY_COLUMNS if not (no_words and c.startswith("coded_words"))]
    emit([r.as_row() for r in rows], fmt, columns)


@main.command()
@click.option(
    "--by",
    default="organisation",
    show_default=True,
    help="organisation, project, role, participant, document or an attribute name.",
)
@click.option(
    "--measure",
    type=click.Choice(["count", "docs", "rate"]),
    default="count",
    show_default=True,
    help="count: codings; docs: % of the group's documents; rate: codings per 1,000 words.",
)
@rollup_option
@click.option("--all", "include_empty", is_flag=True, help="Also list codes that were never coded.")
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
    by_coder: str | None,
    **filters: Any,
) -> None:
    """A code × group matrix (by organisation, project, role or a document attribute).

    Example: qualcode crosstab --by organisation --measure docs
    """
    from qualcode.analysis.matrices import crosstab as build

    matrix = build(study, by, _scope(filters, by_coder), rollup=rollup, include_empty=include_empty)
    if measure == "rate":
        warn_label_counts(study)
    emit(matrix.rows(measure), fmt, matrix.columns())


@main.command()
@click.option(
    "--unit",
    type=click.Choice(["overlap", "sentence", "turn"]),
    default="overlap",
    show_default=True,
    help="Codes co-occur when codings overlap, or share a sentence or a turn.",
)
@click.option("--matrix", "as_matrix", is_flag=True, help="Show the code × code matrix instead of the list of pairs.")
@click.option(
    "--measure",
    type=click.Choice(["count", "jaccard"]),
    default="count",
    show_default=True,
    help="For --matrix: counts or the Jaccard index.",
)
@coder_filter
@filter_options
@study_options
@output_options
def cooccur(
    study: Study, fmt: str, unit: str, as_matrix: bool, measure: str, by_coder: str | None, **filters: Any
) -> None:
    """Which codes occur together, with counts and the Jaccard index.

    Example: qualcode cooccur --unit sentence --role ouder
    """
    from qualcode.analysis.cooccurrence import cooccurrence

    result = cooccurrence(study, _scope(filters, by_coder), unit=unit)
    if as_matrix:
        emit(result.rows(measure), fmt, ["code", *[p for _, p in result.codes]])
    else:
        emit(result.pairs(), fmt, ["code_a", "code_b", "count", "jaccard", "a_total", "b_total"])


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
def compare(
    studies: tuple[Path, ...],
    by: str,
    as_sentences: bool,
    significant: bool,
    rollup: bool,
    by_coder: str | None,
    study_path: Path | None,
    fmt: str,
    **filters: Any,
) -> None:
    """Compare themes across organisations (or projects, roles) in one study, with tests;
    or code frequencies across several study files, matching codes by path.

    Example: qualcode compare --by organisation --sentences
    Example: qualcode compare leergeld.qualcode coevorden.qualcode
    """
    scope = _scope(filters, by_coder)
    if len(studies) >= 2:
        from qualcode.analysis.compare import compare_studies

        result = compare_studies(list(studies), scope)
        emit(result.rows, fmt, result.columns())
        if fmt == "table":
            for line in result.differences:
                click.echo(line)
        return
    if len(studies) == 1:
        raise QualcodeError("give two or more study files to compare, or none to compare groups within --study")
    from qualcode.analysis.compare import compare_groups

    study = open_study(study_path)
    try:
        result = compare_groups(study, by, scope, rollup=rollup)
    finally:
        study.close()
    if as_sentences:
        for line in result.sentences(only_significant=significant):
            click.echo(line)
    else:
        rows = [c.as_row() for c in result.codes if c.significant or not significant]
        emit(rows, fmt, result.columns())
    for warning in result.warnings:
        click.echo(f"Note: {warning}", err=True)


@main.command()
@click.option(
    "--by", default="organisation", show_default=True, help="organisation, project, role or an attribute name."
)
@click.option("--unit", type=click.Choice(["lemma", "word"]), default="lemma", show_default=True)
@click.option("--distinctive", is_flag=True, help="Words used more in a group than in the rest (log-likelihood).")
@click.option("--top", default=20, show_default=True, help="Words per group.")
@filter_options
@study_options
@output_options
def words(study: Study, fmt: str, by: str, unit: str, distinctive: bool, top: int, **filters: Any) -> None:
    """Word or lemma frequencies per group (stop words out), or distinctive words.

    Example: qualcode words --by role --distinctive
    """
    from qualcode.analysis.words import distinctive_words, word_frequencies

    scope = _scope(filters, None)
    if distinctive:
        emit(
            distinctive_words(study, scope, by=by, unit=unit, top=top),
            fmt,
            [by, unit, "count", "rest", "g2", "log_ratio"],
        )
    else:
        emit(word_frequencies(study, scope, by=by, unit=unit, top=top), fmt, [by, "rank", unit, "count", "per_1000"])


@main.command()
@click.argument("term")
@click.option("--lemma", is_flag=True, help="Match the lemma (vertrouwen finds vertrouwde, vertrouwt).")
@click.option("--width", default=40, show_default=True, help="Characters of context on each side.")
@click.option("--limit", default=500, show_default=True)
@filter_options
@study_options
@output_options
def kwic(study: Study, fmt: str, term: str, lemma: bool, width: int, limit: int, **filters: Any) -> None:
    """Keyword in context: every occurrence of a word (vertrouw* for a prefix) or lemma.

    Example: qualcode kwic vertrouwen --lemma --organisation Leergeld
    """
    from qualcode.analysis.words import kwic as find

    lines = find(study, term, _scope(filters, None), unit="lemma" if lemma else "word", width=width, limit=limit)
    emit(
        [line.as_row() for line in lines], fmt, ["document", "organisation", "role", "start", "left", "match", "right"]
    )


@main.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .html file to write."
)
@click.option("--by", default="organisation", show_default=True, help="Groups to compare in the report.")
@click.option("--quotes", default=3, show_default=True, help="Quotes per code.")
@click.option("--title", help="The report's title (default: the study's name).")
@coder_filter
@filter_options
@study_options
@pseudonymised_option
def report(
    study: Study, output: Path, by: str, quotes: int, title: str | None, by_coder: str | None, **filters: Any
) -> None:
    """Write a self-contained HTML report (codebook, frequencies, matrices, charts,
    comparison, quotes) to send to a partner organisation.

    Example: qualcode report -o rapport.html --by organisation
    """
    from qualcode.analysis.report import write_report

    warn_label_counts(study)
    write_report(study, output, _scope(filters, by_coder), by=by, quotes=quotes, title=title)
    click.echo(f"Wrote {output}.")


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
    study: Study, output: Path, code_refs: tuple[str, ...], by_coder: str | None, **filters: Any
) -> None:
    """Export coded fragments, one row per coding, to CSV (UTF-8 with BOM) or Excel.

    Example: qualcode export fragments -o fragmenten.xlsx --code Vertrouwensband
    """
    from qualcode.exchange.tables import write_fragments

    count = write_fragments(study, output, _scope(filters, by_coder), codes=list(code_refs) or None)
    click.echo(f"Wrote {count} fragments to {output}.")


@export.command("table")
@click.argument("kind", type=click.Choice(["stats", "crosstab", "cooccur", "compare", "words"]))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="A .csv or .xlsx file."
)
@click.option("--by", default="organisation", show_default=True, help="For crosstab, compare and words.")
@click.option(
    "--measure", default="count", show_default=True, help="crosstab: count, docs or rate; cooccur: count or jaccard."
)
@click.option("--unit", default=None, help="cooccur: overlap, sentence or turn; words: lemma or word.")
@coder_filter
@filter_options
@study_options
def export_table(
    study: Study, kind: str, output: Path, by: str, measure: str, unit: str | None, by_coder: str | None, **filters: Any
) -> None:
    """Export an analysis table to CSV (UTF-8 with BOM) or Excel.

    Example: qualcode export table crosstab --by role --measure docs -o rollen.xlsx
    """
    from qualcode.exchange.tables import write_table

    rows, columns = table_rows(study, kind, _scope(filters, by_coder), by=by, measure=measure, unit=unit)
    if kind == "stats" or (kind == "crosstab" and measure == "rate"):
        warn_label_counts(study)
    count = write_table(rows, columns, output, sheet=kind)
    click.echo(f"Wrote {count} rows to {output}.")


def table_rows(
    study: Study, kind: str, scope: Scope, *, by: str, measure: str, unit: str | None
) -> tuple[list[dict[str, Any]], list[str]]:
    if kind == "stats":
        from qualcode.analysis.frequencies import FREQUENCY_COLUMNS, code_frequencies

        return [r.as_row() for r in code_frequencies(study, scope)], FREQUENCY_COLUMNS
    if kind == "crosstab":
        from qualcode.analysis.matrices import crosstab as build

        matrix = build(study, by, scope)
        return matrix.rows(measure), matrix.columns()
    if kind == "cooccur":
        from qualcode.analysis.cooccurrence import cooccurrence

        result = cooccurrence(study, scope, unit=unit or "overlap")
        return result.rows(measure if measure in ("count", "jaccard") else "count"), [
            "code",
            *[p for _, p in result.codes],
        ]
    if kind == "compare":
        from qualcode.analysis.compare import compare_groups

        comparison = compare_groups(study, by, scope)
        return comparison.rows(), comparison.columns()
    from qualcode.analysis.words import word_frequencies

    chosen = unit or "lemma"
    return word_frequencies(study, scope, by=by, unit=chosen), [by, "rank", chosen, "count", "per_1000"]


@main.command()
@study_options
def recount(study: Study) -> None:
    """Recount the words of every document: the words said, without speaker labels and
    timestamps ("Interviewer:", "[00:01:23]"). Studies imported before qualcode counted
    that way need it once for right rates per 1,000 words; running it again changes nothing.

    Example: qualcode recount --study armoede.qualcode
    """
    from qualcode.ingest.importer import recount_words

    result = recount_words(study)
    click.echo(
        f"Recounted the words of {result.documents} document(s): {result.before:,} → {result.after:,} words in the study."
    )


def warn_label_counts(study: Study) -> None:
    """Say on stderr when word counts still include speaker labels (figures per word are off)."""
    from qualcode.store.analysis import word_counts_include_labels

    if word_counts_include_labels(study.store):
        click.echo(
            "note: this study's word counts include speaker labels and timestamps; run `qualcode recount` once",
            err=True,
        )
