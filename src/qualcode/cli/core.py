"""Commands for studies, documents, codebooks, coding, memos and undo."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.common import ID, filter_options, open_study, parse_pairs, progress_bar, study_options
from qualcode.cli.group import launch_tui, main
from qualcode.cli.output import emit, output_options
from qualcode.core.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.study.study import Study


# -- studies -------------------------------------------------------------------------------


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="A name for the study (default: the file name).")
def init(path: Path, name: str | None) -> None:
    """Create an empty study file.

    Example: qualcode init armoede.qualcode --name "Armoede en gezinnen"
    """
    from qualcode.core import config
    from qualcode.study.study import STUDY_SUFFIX, Study

    if path.suffix != STUDY_SUFFIX:
        path = path.with_name(path.name + STUDY_SUFFIX)
    Study.create(path, name).close()
    config.remember_study(path)
    click.echo(f"Created {path}. Next: qualcode codebook import codebooks/*.yaml --study {path}")


@main.command()
@study_options
@output_options
def info(study: Study, fmt: str) -> None:
    """Show what a study holds.

    Example: qualcode info --study armoede.qualcode
    """
    data = study.info()
    data["coder"] = study.coder or "(not chosen)"
    if fmt == "table":
        for key, value in data.items():
            click.echo(f"{key:>14}: {value}")
    else:
        emit([data], fmt)


@main.command("coder")
@click.argument("name", required=False)
def coder_cmd(name: str | None) -> None:
    """Show or set who you are when coding (stored in your user settings).

    Example: qualcode coder "Anna de Vries"
    """
    from qualcode.core import config

    if name:
        if not name.strip():
            raise click.ClickException("a coder needs a name")
        config.save(coder=name.strip())
    chosen = config.chosen_coder()
    click.echo(chosen if chosen else "No coder chosen yet: qualcode coder NAME (the TUI asks when it opens).")
    # The README promises this shows where settings live (coder, keymap, last study).
    click.echo(f"settings: {config.config_dir() / 'config.json'}", err=True)
    if os.environ.get("QUALCODE_CODER"):
        click.echo("(QUALCODE_CODER is set and wins over the settings file)", err=True)


# -- import --------------------------------------------------------------------------------


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--organisation", "-O", help="Organisation of these documents.")
@click.option("--project", "-P", help="Project or pilot of these documents.")
@click.option("--role", "-r", help="Respondent role: ouder, kind, gezinscoach, …")
@click.option("--participant", help="Participant (a pseudonym).")
@click.option("--date", "interview_date", help="Interview date (YYYY-MM-DD).")
@click.option("--language", type=click.Choice(["nl", "en"]), help="Language (default: detected).")
@click.option("--case", "case", metavar="ID", help="The case (family, household) of these documents, e.g. G-CO-03.")
@click.option("--wave", metavar="N", help="The wave (moment of measurement) of these documents, e.g. 1.")
@click.option(
    "--attr",
    "attrs",
    multiple=True,
    metavar="NAME=VALUE",
    help="A free document attribute (repeatable), e.g. gemeente=Coevorden.",
)
@click.option(
    "--attributes",
    "sidecar",
    type=click.Path(path_type=Path),
    help="A CSV of attributes per file (column `file`); a folder's attributes.csv is used by default.",
)
@click.option("--skip-errors", is_flag=True, help="Import the good files of a batch and report the bad ones.")
@click.option(
    "--study",
    "study_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The study file (default: the study used last).",
)
@click.option("--coder", help="Who is coding (default: your configured coder).")
def import_cmd(
    paths: tuple[Path, ...],
    organisation: str | None,
    project: str | None,
    role: str | None,
    participant: str | None,
    interview_date: str | None,
    language: str | None,
    case: str | None,
    wave: str | None,
    attrs: tuple[str, ...],
    sidecar: Path | None,
    skip_errors: bool,
    study_path: Path | None,
    coder: str | None,
) -> None:
    """Import transcripts (.txt .md .docx .odt .vtt .srt) or folders of them; or a REFI-QDA
    project (.qdpx, into a new or empty study) or codebook (.qdc).

    Metadata comes from a YAML front-matter block in each file, a sidecar CSV, and these
    options, the options winning. A file already in the study is reported and skipped.

    Example: qualcode import interviews/ --organisation Leergeld --wave 1
    """
    exchange = [p for p in paths if p.suffix.lower() in (".qdpx", ".qdc")]
    if exchange:
        if len(exchange) != len(paths):
            raise QualcodeError("import REFI-QDA files (.qdpx, .qdc) on their own, not with transcripts")
        from qualcode.cli.exchange import import_exchange_files

        import_exchange_files(study_path, coder, list(paths))
        return
    metadata = {
        "organisation": organisation,
        "project": project,
        "role": role,
        "participant": participant,
        "interview_date": interview_date,
        "language": language,
        "case": case,
        "wave": wave,
    }
    given: dict[str, str] = {k: v for k, v in metadata.items() if v}
    given.update(parse_pairs(attrs, "--attr"))
    study = open_study(study_path, coder)
    try:
        with progress_bar("Importing") as progress:
            report = study.import_files(
                paths, metadata=given, sidecar=sidecar, skip_errors=skip_errors, progress=progress
            )
    finally:
        study.close()
    for error in report.errors:
        click.echo(f"Skipped: {error}", err=True)
    for path, title in report.duplicates:
        click.echo(f"Already in the study: {path} (as “{title}”)", err=True)
    for note in report.unmatched_rows:
        click.echo(f"Note: {note}", err=True)
    click.echo(
        f"Imported {len(report.imported)} document(s): {report.words} words, {report.turns} turns, "
        f"{report.sentences} sentences."
    )


# -- documents -----------------------------------------------------------------------------


@main.command()
@filter_options
@study_options
@output_options
def documents(study: Study, fmt: str, **filters: Any) -> None:
    """List the documents with their metadata and how much is coded.

    Example: qualcode documents --organisation Leergeld --role ouder
    """
    rows = [{**r, "case": r["case_name"]} for r in study.document_rows(**filters)]
    emit(
        rows,
        fmt,
        [
            "id",
            "organisation",
            "project",
            "title",
            "role",
            "participant",
            "interview_date",
            "case",
            "wave",
            "word_count",
            "turns",
            "sentences",
            "codings",
        ],
        optional=["interview_date", "sentences", "turns", "project", "participant", "organisation"],
    )


@main.command()
@click.argument("document")
@study_options
@output_options
def turns(study: Study, document: str, fmt: str) -> None:
    """List a document's speaker turns, numbered from 1 within the document (the number
    `qualcode code DOC CODE --turn N` takes).

    Example: qualcode turns leergeld-ouder-01.md
    """
    doc = study.document(document)
    rows = [{"number": t.seq + 1, **t.__dict__, "text": doc.text[t.body_start : t.end]} for t in study.turns(doc.id)]
    emit(rows, fmt, ["number", "speaker", "role", "timestamp", "start", "end", "text"])


@main.command()
@click.argument("document")
@study_options
@output_options
def sentences(study: Study, document: str, fmt: str) -> None:
    """List a document's sentence units (what coding by sentence selects), numbered from 1
    within the document (the number `qualcode code DOC CODE --sentence N` takes), with the
    number of the turn each is in.

    Example: qualcode sentences 3 --csv > zinnen.csv
    """
    doc = study.document(document)
    turn_number = {t.id: t.seq + 1 for t in study.turns(doc.id)}
    rows = [
        {
            "number": s.seq + 1,
            "turn": None if s.turn_id is None else turn_number.get(s.turn_id),
            **s.__dict__,
            "text": doc.text[s.start : s.end],
        }
        for s in study.sentences(doc.id)
    ]
    emit(rows, fmt, ["number", "turn", "start", "end", "text"])


@main.command()
@click.argument("document")
@study_options
def show(study: Study, document: str) -> None:
    """Print a document's text with its metadata and codings.

    Example: qualcode show leergeld-ouder-01.md | less
    """
    doc = study.document(document)
    click.echo(f"# {doc.title}  (id {doc.id})")
    for key in ("organisation", "project", "role", "participant", "interview_date", "case", "wave"):
        value = getattr(doc, key)
        click.echo(f"{key}: {'—' if value in (None, '') else value}")
    for key in ("language", "word_count"):
        click.echo(f"{key}: {getattr(doc, key)}")
    for key, value in doc.attributes.items():
        click.echo(f"{key}: {value}")
    click.echo("")
    click.echo(doc.text)
    codes = {c.id: c.path for c in study.codes()}
    codings = study.document_codings(doc.id)
    if codings:
        click.echo("\n# codings")
        for c in codings:
            snippet = doc.text[c.start : c.end].replace("\n", " ")
            click.echo(f"[{c.id}] {c.start}–{c.end} {codes.get(c.code_id)} ({c.coder}): {snippet[:80]}")


@main.command("remove-document")
@click.argument("document")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@study_options
def remove_document(study: Study, document: str, yes: bool) -> None:
    """Remove a document and its codings from the study.

    Example: qualcode remove-document 12 --yes
    """
    doc = study.document(document)
    count = len(study.document_codings(doc.id))
    if not yes:
        click.confirm(f"Remove “{doc.title}” and its {count} coding(s)?", abort=True)
    study.remove_document(doc.id)
    click.echo(f"Removed “{doc.title}”.")


# -- coding --------------------------------------------------------------------------------


@main.command()
@click.argument("document")
@click.argument("code")
@click.option("--span", help="START:END code-point offsets, end exclusive.")
@click.option(
    "--sentence",
    "sentence_ids",
    multiple=True,
    type=ID,
    help="A sentence's number in the document (from 1), as `qualcode sentences` lists it; repeatable: "
    "codes from the first to the last.",
)
@click.option(
    "--turn",
    "turn_id",
    type=ID,
    help="A turn's number in the document (from 1), as `qualcode turns` lists it: codes what the speaker said.",
)
@click.option("--memo", default="", help="A memo on the new coding.")
@study_options
def code(
    study: Study,
    document: str,
    code: str,
    span: str | None,
    sentence_ids: tuple[int, ...],
    turn_id: int | None,
    memo: str,
) -> None:
    """Code a passage of a document: by offsets, by sentences or by a turn. Sentences and turns
    are numbered from 1 within the document (the `number` column of `qualcode sentences` and
    `turns`: `--sentence 14` is the document's 14th sentence).

    Example: qualcode code leergeld-ouder-01.md Vertrouwensband --sentence 14 --sentence 15
    """
    doc = study.document(document)
    chosen = sum(x is not None and x != () for x in (span, sentence_ids or None, turn_id))
    if chosen != 1:
        raise QualcodeError("give exactly one of --span START:END, --sentence N or --turn N")
    if span:
        try:
            start, end = (int(x) for x in span.split(":"))
        except ValueError:
            raise QualcodeError(f"--span takes START:END, e.g. 120:245, not “{span}”") from None
        coding = study.add_coding(doc.id, code, start, end, memo=memo)
    elif sentence_ids:
        by_number = {s.seq + 1: s.id for s in study.sentences(doc.id)}
        missing = sorted({n for n in sentence_ids if n not in by_number})
        if missing:
            raise QualcodeError(
                f"“{doc.title}” has no sentence {', '.join(map(str, missing))} (it has 1–{len(by_number)}); "
                f"`qualcode sentences {doc.id}` lists them"
            )
        coding = study.add_coding_sentences(doc.id, code, [by_number[n] for n in sentence_ids], memo=memo)
    else:
        turn = next((t for t in study.turns(doc.id) if t.seq + 1 == turn_id), None)
        if turn is None:
            raise QualcodeError(f"turn {turn_id} is not in “{doc.title}”; `qualcode turns {doc.id}` lists them")
        coding = study.add_coding_turn(turn.id, code, memo=memo)
    text = doc.text[coding.start : coding.end].replace("\n", " ")
    click.echo(f"Coding {coding.id}: “{study.code(coding.code_id).path}” on {coding.start}–{coding.end}: {text[:90]}")


@main.command()
@click.argument("coding_id", type=ID)
@study_options
def uncode(study: Study, coding_id: int) -> None:
    """Remove a coding (undo brings it back).

    Example: qualcode uncode 42
    """
    removed = study.remove_coding(coding_id)
    click.echo(f"Removed coding {removed.id} ({study.code(removed.code_id).path}).")


@main.command()
@click.argument("coding_id", type=ID)
@click.argument("start", type=ID)
@click.argument("end", type=ID)
@study_options
def adjust(study: Study, coding_id: int, start: int, end: int) -> None:
    """Move a coding's boundaries.

    Example: qualcode adjust 42 1200 1388
    """
    coding = study.adjust_coding(coding_id, start, end)
    click.echo(f"Coding {coding.id} now covers {coding.start}–{coding.end}.")


@main.command()
@click.argument("coding_id", type=ID)
@click.argument("code")
@study_options
def recode(study: Study, coding_id: int, code: str) -> None:
    """Give a coding another code.

    Example: qualcode recode 42 "Relatie/Huisbezoek"
    """
    coding = study.recode(coding_id, code)
    click.echo(f"Coding {coding.id} is now “{study.code(coding.code_id).path}”.")


@main.command()
@click.option("--code", "code_refs", multiple=True, help="Only these codes (repeatable; sub-codes included).")
@click.option("--by", "by_coder", help="Only this coder's codings.")
@click.option("--document", help="Only this document.")
@filter_options
@study_options
@output_options
def codings(
    study: Study, code_refs: tuple[str, ...], by_coder: str | None, document: str | None, fmt: str, **filters: Any
) -> None:
    """List codings with their text, filtered.

    Example: qualcode codings --code Vertrouwensband --role ouder --csv
    """
    rows = study.fragments(
        codes=list(code_refs) or None,
        coder=by_coder,
        document=document,
        **filters,
    )
    emit(
        rows,
        fmt,
        ["id", "organisation", "project", "document", "role", "code", "coder", "start", "end", "text", "memo"],
        # on a narrow terminal these go first, so the passage itself stays readable
        optional=["project", "organisation", "start", "end", "role"],
    )


# -- memos ---------------------------------------------------------------------------------


@main.group(invoke_without_command=True)
@click.pass_context
def memo(ctx: click.Context) -> None:
    """Write and read memos on the study, a document, a code or a coding.

    Example: qualcode memo set document 3 "Moeder noemt de juf steeds."
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(memo_list)


@memo.command("set")
@click.argument("target", type=click.Choice(["study", "document", "code", "coding"]))
@click.argument("args", nargs=-1, required=True)
@study_options
def memo_set(study: Study, target: str, args: tuple[str, ...]) -> None:
    """Write your memo (an empty text deletes it).

    Example: qualcode memo set code Vertrouwensband "Ouders noemen dit vaak bij het tweede bezoek."
    """
    if target == "study":
        target_id, text = None, " ".join(args)
    else:
        if len(args) < 2:
            raise QualcodeError(f"give the {target} and the text: qualcode memo set {target} ID TEXT")
        ref, text = args[0], " ".join(args[1:])
        target_id = study.document(ref).id if target == "document" else ref
    study.set_memo(target, target_id, text)
    click.echo(f"Memo saved on {target}{'' if target_id is None else ' ' + str(target_id)}.")


@memo.command("list")
@click.option("--target", type=click.Choice(["study", "document", "code", "coding"]))
@study_options
@output_options
def memo_list(study: Study, target: str | None, fmt: str) -> None:
    """List memos.

    Example: qualcode memo list --target code
    """
    emit([m.__dict__ for m in study.memos(target)], fmt, ["target", "target_id", "coder", "updated_at", "text"])


# -- search, undo --------------------------------------------------------------------------


@main.command()
@click.argument("query")
@click.option("--document", help="Only this document.")
@click.option("--limit", default=200, show_default=True, help="At most this many hits.")
@study_options
@output_options
def search(study: Study, query: str, document: str | None, limit: int, fmt: str) -> None:
    """Search the transcripts: all words in one sentence, prefixes (vertrouw*), "quoted
    phrases", and OR (in capitals) between alternatives. Case and accents are ignored.

    Example: qualcode search 'huisbezoek "eigen regie" OR schaam*'
    """
    doc_id = study.document(document).id if document else None
    texts: dict[int, str] = {}
    rows = []
    for hit in study.search(query, doc_id, limit=limit):
        text = texts.setdefault(hit.document_id, study.document_text(hit.document_id))
        rows.append(
            {
                "document_id": hit.document_id,
                "document": hit.title,
                "start": hit.start,
                "end": hit.end,
                "context": hit.context(text),
            }
        )
    emit(rows, fmt, ["document_id", "document", "start", "end", "context"])


@main.command()
@study_options
def undo(study: Study) -> None:
    """Undo the last action (coding, memo, codebook change); survives restarts.

    Example: qualcode undo
    """
    done = study.undo()
    click.echo(f"Undone: {done}" if done else "Nothing to undo.")


@main.command()
@study_options
def redo(study: Study) -> None:
    """Redo the last undone action.

    Example: qualcode redo
    """
    done = study.redo()
    click.echo(f"Redone: {done}" if done else "Nothing to redo.")


@main.command()
@click.option("--limit", default=20, show_default=True)
@study_options
@output_options
def history(study: Study, limit: int, fmt: str) -> None:
    """List recent actions, newest first (undone ones marked).

    Example: qualcode history --limit 5
    """
    emit(study.history(limit), fmt, ["id", "created_at", "coder", "description", "undone"])


# -- demo and opening ----------------------------------------------------------------------


@main.command()
@click.option(
    "--path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to build the sample study (default: your user data folder).",
)
@click.option("--no-open", is_flag=True, help="Build the study and print how to explore it, without opening it.")
@click.option("--fresh", is_flag=True, help="Rebuild the sample study even if it exists (your changes to it go).")
@click.option(
    "--no-cache", is_flag=True, help="Build from the transcripts, not from the copy kept after the last build."
)
def demo(path: Path | None, no_open: bool, fresh: bool, no_cache: bool) -> None:
    """Build the sample study (fictional interviews, two codebooks, example codings) and open it.

    Example: qualcode demo --path /tmp/sample.qualcode --no-open
    """
    from qualcode.core import config
    from qualcode.study.sample import build_demo, default_demo_path

    target = path or default_demo_path()
    if fresh or not target.exists():
        from qualcode.analysis.prepared import prepare  # numpy: only when building

        with progress_bar("Building the sample study") as progress:
            summary = build_demo(target, progress=progress, cache=not no_cache, prepare=prepare)
        click.echo(
            f"Built {target}: {summary['documents']} documents, {summary['codes']} codes, {summary['codings']} codings."
        )
    config.remember_study(target)
    if no_open:
        click.echo(
            f"Explore it: qualcode documents --study {target}; qualcode codes; qualcode codings --code Vertrouwensband"
        )
        return
    launch_tui(target)


@main.command("open")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coder", help="Who is coding (else QUALCODE_CODER or `qualcode coder`; else the TUI asks).")
@click.option("--ask-coder", is_flag=True, help="Always ask who is coding first (what `qualcode serve` uses).")
def open_cmd(path: Path, coder: str | None, ask_coder: bool) -> None:
    """Open a study in the terminal UI.

    Example: qualcode open armoede.qualcode --coder onderzoeker-b
    """
    open_study(path).close()  # checks it is a study before the screen takes over
    launch_tui(path, coder=coder, ask_coder=ask_coder)
