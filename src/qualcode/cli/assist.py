"""Commands for assisted coding: `qualcode suggest …` and `qualcode topics`.

Nothing here codes a passage on its own: `suggest list` shows candidates, `suggest accept`
codes the ones a researcher agrees with and `suggest reject` records the ones that are wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.common import progress_bar, study_options
from qualcode.cli.group import main
from qualcode.cli.output import emit, fit_line, output_options

if TYPE_CHECKING:
    from qualcode.study.study import Study

_CHAR_NGRAMS = click.option(
    "--char-ngrams", is_flag=True, help="Add character 3–5-grams of the lemmas (helps with Dutch compounds; slower)."
)


@main.group()
def suggest() -> None:
    """Suggested passages for codes, from codebook keywords and from your codings so far.

    A suggestion is a sentence; nothing is coded until you accept it. Rejected suggestions
    are not shown again and teach the models what a code is not.

    \b
    Example:
      qualcode suggest list --code Vertrouwen --limit 10
      qualcode suggest accept 7:1906:1942 --code "Gezien en gehoord worden"
      qualcode suggest evaluate
    """


def _settings(char_ngrams: bool) -> Any:
    from qualcode.assist.learn import Settings

    return Settings(char_ngrams=char_ngrams)


@suggest.command("train")
@_CHAR_NGRAMS
@study_options
@output_options
def train_cmd(study: Study, char_ngrams: bool, fmt: str) -> None:
    """Train a model per code and show which codes have enough examples.

    A code needs at least 5 positive sentences in at least 2 documents. `suggest list`
    trains by itself when needed; use this to see where more coding would help. The models
    are kept in the study: the next `suggest list`, or `S` in the workbench, uses them
    without training until the codings change (then only the changed codes are fitted).

    Example: qualcode suggest train
    """
    from qualcode.assist import assistant

    helper = assistant(study)
    with progress_bar("Training") as progress:
        statuses = helper.train(_settings(char_ngrams), progress=progress)
    helper.save_trained()
    rows = [
        {
            "code": s.path,
            "positives": s.positives,
            "documents": s.documents,
            "negatives": s.negatives,
            "model": ("calibrated" if s.calibrated else "trained") if s.trained else "none",
            "note": s.reason,
        }
        for s in statuses
    ]
    emit(rows, fmt)


@suggest.command("list")
@click.option("--code", "-c", help="Only this code (id, path or unique name); default: every code.")
@click.option(
    "--source",
    type=click.Choice(["rules", "model", "both"]),
    default="both",
    show_default=True,
    help="Keyword rules, the learned models, or both.",
)
@click.option(
    "--limit", "-n", type=int, default=20, show_default=True, help="At most this many candidates per code (0: all)."
)
@click.option(
    "--min-score",
    type=float,
    default=None,
    help="Lowest model score listed (default 0.3); keyword hits are listed whatever their score.",
)
@_CHAR_NGRAMS
@study_options
@output_options
def list_cmd(
    study: Study, code: str | None, source: str, limit: int, min_score: float | None, char_ngrams: bool, fmt: str
) -> None:
    """List candidate passages, best first, with the id that accept and reject take.

    The id is DOCUMENT:START:END (the sentence's offsets). Score is the model's probability
    (calibrated where the code has 15 or more examples); keywords are the codebook keywords
    that matched; keyword_precision is how well the best of them did so far: of the coded
    sentences it matches (keyword_basis, e.g. 3/4), the share that have the code.

    Example: qualcode suggest list --code Vertrouwen --source rules --limit 5
    """
    from qualcode.assist import assistant
    from qualcode.assist.assistant import DEFAULT_MIN_SCORE

    found = assistant(study).suggestions(
        code,
        source=source,
        limit=limit or None,
        min_score=DEFAULT_MIN_SCORE if min_score is None else min_score,
        settings=_settings(char_ngrams),
    )
    emit(
        [s.as_row() for s in found],
        fmt,
        ["id", "code", "score", "keyword_precision", "keyword_basis", "source", "keywords", "document", "text"],
        optional=["keyword_basis", "source", "keywords"],
    )


def _decide(study: Study, ids: tuple[str, ...], code: str, accept: bool) -> None:
    from qualcode.assist import assistant

    helper = assistant(study)
    target = study.code(code)
    for key in ids:
        if accept:
            coding = helper.accept(key, target)
            click.echo(
                f"Coded {coding.document_id}:{coding.start}:{coding.end} as “{target.path}” (coding {coding.id})."
            )
        else:
            helper.reject(key, target)
            click.echo(f"Rejected {key} for “{target.path}”.")


@suggest.command("accept")
@click.argument("ids", nargs=-1, required=True)
@click.option("--code", "-c", required=True, help="The suggested code (id, path or unique name).")
@study_options
def accept_cmd(study: Study, ids: tuple[str, ...], code: str) -> None:
    """Code suggested passages (origin "suggested", you as coder). Undo with `qualcode undo`.

    IDS are DOCUMENT:START:END as `suggest list` shows them, or sentence ids.

    Example: qualcode suggest accept 7:1906:1942 12:5727:5918 --code Vertrouwen
    """
    _decide(study, ids, code, accept=True)


@suggest.command("reject")
@click.argument("ids", nargs=-1, required=True)
@click.option("--code", "-c", required=True, help="The suggested code (id, path or unique name).")
@study_options
def reject_cmd(study: Study, ids: tuple[str, ...], code: str) -> None:
    """Mark suggestions as wrong: they are not shown again and count as negative examples.

    Example: qualcode suggest reject 14:7980:8082 --code "Ervaren waarden"
    """
    _decide(study, ids, code, accept=False)


@suggest.command("decisions")
@click.option("--code", "-c", help="Only this code.")
@study_options
@output_options
def decisions_cmd(study: Study, code: str | None, fmt: str) -> None:
    """List accepted and rejected suggestions.

    Example: qualcode suggest decisions --code Vertrouwen --csv
    """
    from qualcode.assist import assistant

    rows = [
        {
            "id": f"{r['document_id']}:{r['start']}:{r['end']}",
            "code": r["code"],
            "decision": r["decision"],
            "coder": r["coder"],
            "decided_at": r["decided_at"],
        }
        for r in assistant(study).decisions(code)
    ]
    emit(rows, fmt)


@suggest.command("evaluate")
@click.option("--code", "-c", "codes", multiple=True, help="Only these codes (repeatable); default: every code.")
@click.option(
    "--folds", type=int, default=5, show_default=True, help="Cross-validation folds (documents are never split)."
)
@click.option(
    "--threshold",
    type=float,
    default=0.3,
    show_default=True,
    help="Model score from which a sentence counts as suggested.",
)
@_CHAR_NGRAMS
@study_options
@output_options
def evaluate_cmd(
    study: Study, codes: tuple[str, ...], folds: int, threshold: float, char_ngrams: bool, fmt: str
) -> None:
    """How well suggestions would have worked, per code, at sentence level.

    Cross-validation grouped by document: the model is tested on transcripts it never saw.
    Beside it two baselines: the codebook's keyword rules, and predicting the most frequent
    code for every sentence. P = precision, R = recall, AP = average precision (ranking).

    Example: qualcode suggest evaluate --folds 5 --csv > evaluatie.csv
    """
    from qualcode.assist import assistant
    from qualcode.assist.evaluate import evaluate

    code_ids = [study.code(c).id for c in codes] if codes else None
    with progress_bar("Evaluating") as progress:
        result = evaluate(
            assistant(study).corpus(),
            code_ids,
            settings=_settings(char_ngrams),
            folds=folds,
            threshold=threshold,
            progress=progress,
        )
    emit([c.as_row() for c in result.codes], fmt)
    if fmt == "table":
        macro = result.macro()
        click.echo(
            f"\n{result.units} sentences in {result.documents} coded documents, {len(result.folds)} folds grouped by {result.grouping}, "
            f"threshold {threshold}. Macro F1: model {macro['model']:.2f}, keyword rules {macro['rules']:.2f}, "
            f"most frequent code ({result.majority_code}) {macro['majority']:.2f}."
        )
        for status in result.skipped:
            click.echo(f"Skipped {status.path}: {status.reason}")


@main.command("topics")
@click.option("--topics", "-n", "n_topics", type=int, default=8, show_default=True, help="How many topics.")
@click.option("--top", type=int, default=10, show_default=True, help="Lemmas shown per topic.")
@click.option("--examples", type=int, default=3, show_default=True, help="Example sentences per topic.")
@click.option("--make-code", "make", type=int, metavar="N", help="Create a code from topic N (as listed).")
@click.option("--name", help="The new code's name (with --make-code).")
@click.option("--parent", help="Put the new code under this code (with --make-code).")
@study_options
@output_options
def topics_cmd(
    study: Study,
    n_topics: int,
    top: int,
    examples: int,
    make: int | None,
    name: str | None,
    parent: str | None,
    fmt: str,
) -> None:
    """Find themes in the sentences nobody has coded yet (NMF topics over lemmas).

    Each topic shows its top lemmas and the sentences that represent it best. A topic that
    names a theme missing from the codebook becomes a code with --make-code: its lemmas
    become the keywords, so `suggest list` then brings up its passages for review.

    \b
    Example:
      qualcode topics -n 8
      qualcode topics -n 8 --make-code 3 --name "Wachtlijsten" --parent Randvoorwaarden
    """
    from qualcode.assist import assistant
    from qualcode.assist.topics import discover_topics, make_code
    from qualcode.core.errors import QualcodeError

    if make is not None and not name:
        raise QualcodeError("--make-code needs --name for the new code")
    found = discover_topics(assistant(study).corpus(), n_topics, top=top, examples=examples)
    if make is not None:
        chosen = next((t for t in found if t.number == make), None)
        if chosen is None:
            raise QualcodeError(f"no topic {make}; there are {len(found)} (run `qualcode topics` to see them)")
        code = make_code(study, chosen, name or "", parent=parent)
        click.echo(f"Created code “{code.path}” with keywords: {', '.join(code.keywords)}.")
        click.echo(f'Next: qualcode suggest list --code "{code.path}" --source rules')
        return
    if fmt == "json":
        emit(
            [{**t.as_row(), "lemmas": list(t.lemmas), "examples": [e.__dict__ for e in t.examples]} for t in found],
            fmt,
            ["topic", "sentences", "lemmas", "examples"],
        )
        return
    if fmt == "csv":
        emit([t.as_row() for t in found], fmt)
        return
    for topic in found:
        click.echo(f"Topic {topic.number} ({topic.size} sentences): {', '.join(topic.lemmas)}")
        for example in topic.examples:
            text = " ".join(example.text.split())
            click.echo(fit_line(f"    {example.key:<16} {example.document}: {text}"))
    click.echo('\nMake a code of a topic: qualcode topics --make-code N --name "…"')
