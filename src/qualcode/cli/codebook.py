"""Commands for the study's codebook: import, export, add, rename, move, merge, delete,
edit, and the listing of codes with their counts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli import main
from qualcode.cli.common import study_options
from qualcode.cli.output import emit, output_options
from qualcode.core.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.study.study import Study


@main.group()
def codebook() -> None:
    """Import, export and edit the study's codebook.

    Example: qualcode codebook import codebooks/ervaren-waarden.yaml
    """


@codebook.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@study_options
def codebook_import(study: Study, files: tuple[Path, ...]) -> None:
    """Merge codebook YAML files into the study by code path (no duplicates).

    Example: qualcode codebook import codebooks/*.yaml
    """
    from qualcode.study.codebook import load_codebooks

    books = [(f, book) for f in files for book in load_codebooks(f)]  # validate all before writing any
    several = len(books) > len(files)
    for (path, book), result in zip(books, study.merge_codebooks(books)):
        label = f"{path} (“{book.name}”)" if several else str(path)
        click.echo(
            f"{label}: {result['added']} code(s) added, {result['updated']} updated ({result['codes']} in the file)"
        )


@codebook.command("export")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The YAML file to write."
)
@click.option("--name", "book", help="Only this codebook (default: every codebook).")
@study_options
def codebook_export(study: Study, output: Path, book: str | None) -> None:
    """Write the study's codebooks as YAML: each codebook keeps its name, description and
    source, and each code its provenance. Several codebooks go into one file as YAML
    documents separated by `---`; `qualcode codebook import` reads them back apart.

    Example: qualcode codebook export -o mijn-codeboek.yaml
    """
    count = study.export_codebook(output, book)
    books = 1 if book else len(study.codebooks())
    click.echo(f"Wrote {count} codes in {books} codebook(s) to {output}")


@codebook.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--sources",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of source documents (.txt, .md) the quotes must occur in.",
)
@click.option(
    "--study",
    "study_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Check this study's codebooks when no FILES are given (default: the study used last).",
)
@click.pass_context
def codebook_check(ctx: click.Context, files: tuple[Path, ...], sources: Path | None, study_path: Path | None) -> None:
    """Check the provenance of every code: a `source:` with a `source_quote:` that occurs in
    the source documents (with --sources), or `inductive: true`. Prints one line per
    problem and exits 1 if there is any. Whitespace, line breaks and typographic quote
    marks do not count; everything else must match (docs/codebook-format.md).

    Example: qualcode codebook check codebooks/*.yaml --sources ../shared/seeds
    """
    from qualcode.study.codebook import load_codebooks
    from qualcode.study.provenance import check_provenance, load_sources

    documents = load_sources(sources) if sources is not None else None
    if files:
        books = [(str(f), book) for f in files for book in load_codebooks(f)]
    else:
        from qualcode.cli.common import open_study

        study = open_study(study_path)
        try:
            label = study.path.name if study.path else "study"
            books = [(f"{label} (“{book.name}”)", book) for book in study.codebooks()]
        finally:
            study.close()
    problems = [line for origin, book in books for line in check_provenance(book, origin, documents)]
    for line in problems:
        click.echo(line)
    codes = sum(len(book.walk()) for _, book in books)
    if problems:
        click.echo(f"Error: {len(problems)} problem(s) in {codes} code(s)", err=True)
        ctx.exit(1)
    credited = sum(1 for _, book in books for _, spec in book.walk() if spec.source is not None)
    checked = f"; {credited} quote(s) found in {len(documents)} source document(s)" if documents else ""
    click.echo(f"{codes} code(s) in {len(books)} codebook(s): every code has provenance{checked}")


@codebook.command("add")
@click.argument("name")
@click.option("--parent", help="Path of the parent code.")
@click.option("--description", default="", help="The definition.")
@click.option("--color", help="#rrggbb")
@click.option("--shortcut", help="One key.")
@study_options
def codebook_add(
    study: Study, name: str, parent: str | None, description: str, color: str | None, shortcut: str | None
) -> None:
    """Add a code.

    Example: qualcode codebook add "Schuldhulp" --parent "Aanpak" --description "…"
    """
    code = study.add_code(name, parent, description=description, color=color, shortcut=shortcut)
    click.echo(f"Added “{code.path}” (id {code.id})")


@codebook.command("rename")
@click.argument("code")
@click.argument("new_name")
@study_options
def codebook_rename(study: Study, code: str, new_name: str) -> None:
    """Rename a code (its codings stay).

    Example: qualcode codebook rename "Aanpak/Schuldhulp" "Schuldhulpverlening"
    """
    click.echo(f"Renamed to “{study.rename_code(code, new_name).path}”")


@codebook.command("move")
@click.argument("code")
@click.option("--to", "parent", help="The new parent's path (omit for the top level).")
@study_options
def codebook_move(study: Study, code: str, parent: str | None) -> None:
    """Move a code under another parent.

    Example: qualcode codebook move "Huisbezoek" --to "Aanpak"
    """
    click.echo(f"Moved to “{study.move_code(code, parent).path}”")


@codebook.command("merge")
@click.argument("source")
@click.argument("target")
@study_options
def codebook_merge(study: Study, source: str, target: str) -> None:
    """Merge SOURCE into TARGET: its codings and sub-codes move, SOURCE goes.

    Example: qualcode codebook merge "Persoonlijke aandacht" "Vertrouwensband"
    """
    click.echo(f"Merged into “{study.merge_codes(source, target).path}”")


@codebook.command("delete")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@study_options
def codebook_delete(study: Study, code: str, yes: bool) -> None:
    """Delete a code with its sub-codes and codings (undo brings them back).

    Example: qualcode codebook delete "Aanpak/Schuldhulp" --yes
    """
    target = study.code(code)
    if not yes:
        click.confirm(f"Delete “{target.path}”, its sub-codes and their codings?", abort=True)
    removed = study.delete_code(target.id)
    click.echo(f"Deleted “{target.path}” and {removed} coding(s); `qualcode undo` brings them back.")


@codebook.command("edit")
@click.argument("code")
@click.option("--description")
@click.option("--when-to-use")
@click.option("--when-not-to-use")
@click.option("--example")
@click.option("--color")
@click.option("--shortcut")
@click.option("--keywords", help="Comma-separated.")
@study_options
def codebook_edit(study: Study, code: str, keywords: str | None, **fields: str | None) -> None:
    """Change a code's definition, colour, shortcut or keywords.

    Example: qualcode codebook edit Huisbezoek --color "#e67e22" --shortcut h
    """
    changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    if keywords is not None:
        changes["keywords"] = [k.strip() for k in keywords.split(",") if k.strip()]
    if not changes:
        raise QualcodeError("say what to change, e.g. --description or --color")
    click.echo(f"Updated “{study.update_code(code, **changes).path}”")


@main.command()
@click.option("--document", help="Counts in this document beside the study's.")
@click.option(
    "--provenance", is_flag=True, help="Add each code's codebook, source, source quote and whether it is inductive."
)
@study_options
@output_options
def codes(study: Study, document: str | None, provenance: bool, fmt: str) -> None:
    """List the codebook with counts of codings.

    Example: qualcode codes --provenance --csv > codes.csv
    """
    counts = study.code_counts()
    doc_counts = study.code_counts(study.document(document).id) if document else None
    book_of: dict[int, str] = {}
    for c in study.codes():  # parents come first; a sub-code is in its top-level code's codebook
        book_of[c.id] = (c.codebook or "") if c.parent_id is None else book_of[c.parent_id]
    rows = []
    for c in study.codes():
        row = {
            "id": c.id,
            "path": c.path,
            "shortcut": c.shortcut or "",
            "codings": counts.get(c.id, 0),
            "description": c.description,
        }
        if doc_counts is not None:
            row["in_document"] = doc_counts.get(c.id, 0)
        if provenance:
            row.update(_provenance_columns(c, book_of))
        rows.append(row)
    columns = (
        ["id", "path", "shortcut", "codings"] + (["in_document"] if doc_counts is not None else []) + ["description"]
    )
    if provenance:
        columns += list(PROVENANCE_COLUMNS)
    emit(rows, fmt, columns)


PROVENANCE_COLUMNS = ("codebook", "source", "source_quote", "inductive")


def _provenance_columns(code: Any, book_of: dict[int, str]) -> dict[str, Any]:
    source = f"{code.source_document} § {code.source_section}" if code.source_section else code.source_document
    return {
        "codebook": book_of.get(code.id, ""),
        "source": source,
        "source_quote": code.source_quote,
        "inductive": "ja" if code.inductive else "",
    }
