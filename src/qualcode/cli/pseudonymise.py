"""``qualcode pseudonymise``: preview, write a pseudonymised copy with its key, or reverse one."""

from __future__ import annotations

import json
from pathlib import Path

import click

from qualcode.cli.common import progress_bar
from qualcode.cli.group import main
from qualcode.core.errors import QualcodeError


@main.command("pseudonymise")
@click.argument("document", required=False)
@click.option(
    "--study",
    "study_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The study (default: the one used last).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="The copy (or restored study) to write."
)
@click.option(
    "--key", "key_path", type=click.Path(dir_okay=False, path_type=Path), help="The key file (JSON, written 0600)."
)
@click.option(
    "--names",
    "names_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Gazetteer: NAME<TAB>kind a line, !word for not a name.",
)
@click.option(
    "--include-organisations", is_flag=True, help="Also replace the study's own organisations and municipalities."
)
@click.option("--no-deduce", is_flag=True, help="Use only the patterns and your lists, not the deduce de-identifier.")
@click.option("--preview", is_flag=True, help="List the findings (of DOCUMENT, or all) with context; write nothing.")
@click.option(
    "--reverse",
    "reverse_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A pseudonymised copy to restore with --key.",
)
@click.option("--json", "as_json", is_flag=True, help="With --preview: the findings as JSON.")
def pseudonymise_cmd(
    document: str | None,
    study_path: Path | None,
    output: Path | None,
    key_path: Path | None,
    names_path: Path | None,
    include_organisations: bool,
    no_deduce: bool,
    preview: bool,
    reverse_path: Path | None,
    as_json: bool,
) -> None:
    """Write a pseudonymised copy of a study (names, places, schools, dates, ages, phone
    numbers, e-mail addresses, postcodes, BSNs replaced by [Persoon-1]-style placeholders,
    every coding kept on the same words) and a key to reverse it. The study is only read.

    \b
    Example: qualcode pseudonymise --study armoede.qualcode -o gedeeld.qualcode --key sleutel.json
    More:
      qualcode pseudonymise --study armoede.qualcode --preview leergeld-ouder-01.md --names namen.txt
      qualcode pseudonymise --study armoede.qualcode -o gedeeld.qualcode --key sleutel.json --names namen.txt
      qualcode pseudonymise --reverse gedeeld.qualcode --key sleutel.json -o terug.qualcode
    """
    from qualcode.pseudonymise import copy as pseudo
    from qualcode.pseudonymise.detect import Options
    from qualcode.pseudonymise.gazetteer import Gazetteer

    if reverse_path is not None:
        if key_path is None or output is None:
            raise QualcodeError("--reverse needs --key KEY.json and -o BACK.qualcode")
        with progress_bar("Restoring") as progress:
            n = pseudo.reverse(reverse_path, key_path, output, progress=progress)
        click.echo(f"Wrote {output}: {n} document(s) restored from {reverse_path} with {key_path}.")
        return
    source = study_path or _default_study()
    options = Options(
        gazetteer=Gazetteer.load(names_path),
        use_deduce=not no_deduce and _deduce_available(),
        include_organisations=include_organisations,
    )
    if preview:
        _preview(source, document, options, as_json)
        return
    if output is None or key_path is None:
        raise QualcodeError("give -o COPY.qualcode and --key KEY.json (or --preview to look first)")
    with progress_bar("Pseudonymising") as progress:
        summary = pseudo.pseudonymise(source, output, key_path, options, progress=progress)
    kinds: dict[str, int] = {}
    for kind in summary.placeholders.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    listed = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "nothing"
    click.echo(
        f"Wrote {output}: {summary.documents} document(s), {summary.findings} replacement(s) of "
        f"{len(summary.placeholders)} entit(ies) ({listed}); key in {key_path} (keep it apart from the copy)."
    )
    if not options.use_deduce:
        click.echo("Note: deduce was not used; only patterns and your lists found names.", err=True)


def _default_study() -> Path:
    from qualcode.study.study import default_study_path

    return default_study_path()


def _deduce_available() -> bool:
    from qualcode.pseudonymise.deduce_engine import available

    return available()


def _preview(source: Path, document: str | None, options: object, as_json: bool) -> None:
    from qualcode.pseudonymise import copy as pseudo

    with pseudo.open_readonly(source) as study:
        only = [study.document(document).id] if document else None
        with progress_bar("Detecting") as progress:
            findings = pseudo.find(study, options, only=only, progress=progress)  # type: ignore[arg-type]
        plan = pseudo.make_plan(findings)
        rows = []
        for doc_id in sorted(findings):
            doc = study.document(doc_id)
            for f in findings[doc_id]:
                rows.append(
                    {
                        "document": doc.title,
                        "start": f.start,
                        "end": f.end,
                        "kind": f.kind,
                        "text": f.text,
                        "placeholder": plan.placeholder(doc_id, f.text),
                        "source": f.source,
                        "context": f.context(doc.text),
                    }
                )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        click.echo(
            f"{r['document']}\t{r['start']}\t{r['kind']}\t{r['text']}\t→ {r['placeholder']}\t({r['source']})\t{r['context']}"
        )
    click.echo(f"{len(rows)} finding(s) of {len(plan.kinds)} entit(ies).", err=True)


def pseudonymised_option(func):  # type: ignore[no-untyped-def]
    """``--pseudonymised --key KEY.json [--names FILE]`` for an export: the command gets a
    pseudonymised temporary copy of its study (deleted afterwards) instead of the study, and
    the key is written 0600 beside nothing else. Put it just above the command's function,
    below ``@study_options``."""
    import functools

    @click.option("--pseudonymised", is_flag=True, help="Share without names: export from a pseudonymised copy.")
    @click.option(
        "--key",
        "pseudo_key",
        type=click.Path(dir_okay=False, path_type=Path),
        help="With --pseudonymised: where to write the key.",
    )
    @click.option(
        "--names",
        "pseudo_names",
        type=click.Path(dir_okay=False, path_type=Path),
        help="With --pseudonymised: a names file.",
    )
    @functools.wraps(func)
    def wrapper(*args, study, pseudonymised: bool, pseudo_key: Path | None, pseudo_names: Path | None, **kwargs):  # type: ignore[no-untyped-def]
        if not pseudonymised:
            return func(*args, study=study, **kwargs)
        if pseudo_key is None:
            raise QualcodeError("--pseudonymised needs --key KEY.json (the only way back to the names)")
        import tempfile

        from qualcode.pseudonymise import copy as pseudo
        from qualcode.pseudonymise.detect import Options
        from qualcode.pseudonymise.gazetteer import Gazetteer
        from qualcode.study.study import Study

        options = Options(gazetteer=Gazetteer.load(pseudo_names), use_deduce=_deduce_available())
        with tempfile.TemporaryDirectory(prefix="qualcode-share-") as folder:
            copy_path = Path(folder) / "gedeeld.qualcode"
            with progress_bar("Pseudonymising") as progress:
                pseudo.pseudonymise(study.path, copy_path, pseudo_key, options, progress=progress)
            shared = Study.open(copy_path, study.coder)
            try:
                return func(*args, study=shared, **kwargs)
            finally:
                shared.close()

    return wrapper
