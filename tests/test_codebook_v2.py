"""Codebook format v2: provenance per code (source + verbatim quote, or inductive), the
`codebook check` command, and codebooks that keep their identity through YAML and REFI-QDA
export → import."""

from __future__ import annotations

import json
import sqlite3
import string
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CODEBOOKS, requires_shared
from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.exchange.codes import parse_description
from qualcode.exchange.refi_export import export_qdc, export_qdpx
from qualcode.exchange.refi_import import import_qdc, import_qdpx
from qualcode.store.schema import MIGRATIONS
from qualcode.study.codebook import Codebook, CodeSpec, SourceRef, dump_codebooks, load_codebook, load_codebooks
from qualcode.study.provenance import check_provenance, load_sources, normalise
from qualcode.study.study import Study

BOOKS = sorted(CODEBOOKS.glob("*.yaml"))

SEED = """Rapport ‘Samen sterk’

Inleiding

Gezinnen voelen zich   vaak
alleen.  De coach is de “verbindende schakel” tussen school en gezin.

Resultaten

• Minder stress in het gezin
• Betere samenwerking tussen school en wijkteam
"""

FIXTURE_BOOK = """version: 2
codebook: Proef
description: Een klein codeboek.
source: Rapport 'Samen sterk'
codes:
  - name: Schakel
    description: De coach verbindt school en gezin.
    source: {document: "Rapport 'Samen sterk'", section: Inleiding}
    source_quote: 'De coach is de "verbindende schakel" tussen school en gezin.'
    children:
      - name: Minder stress
        description: Er is minder stress.
        source: {document: "Rapport ‘Samen sterk’", section: Resultaten}
        source_quote: Minder stress in het gezin
      - name: Schaamte
        description: Eigen code.
        inductive: true
"""


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "001.txt").write_text(SEED, encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF not a source")  # ignored: not .txt/.md
    return folder


def _book(tmp_path: Path, text: str, name: str = "book.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- parsing ---------------------------------------------------------------------------------


def test_v2_fields_are_parsed(tmp_path: Path) -> None:
    book = load_codebook(_book(tmp_path, FIXTURE_BOOK))
    schakel, stress, schaamte = (spec for _, spec in book.walk())
    assert schakel.source == SourceRef("Rapport 'Samen sterk'", "Inleiding")
    assert schakel.source_quote == 'De coach is de "verbindende schakel" tussen school en gezin.'
    assert not schakel.inductive
    assert stress.source == SourceRef("Rapport ‘Samen sterk’", "Resultaten")
    assert schaamte.inductive and schaamte.source is None and schaamte.source_quote == ""


def test_a_plain_string_source_is_the_document_title(tmp_path: Path) -> None:
    text = "codebook: X\ncodes:\n  - name: A\n    source: Rapport\n    source_quote: woorden\n"
    spec = load_codebook(_book(tmp_path, text)).codes[0]
    assert spec.source == SourceRef("Rapport") and spec.source.label() == "Rapport"


def test_v2_round_trips_through_yaml(tmp_path: Path) -> None:
    books = load_codebooks(_book(tmp_path, FIXTURE_BOOK))
    again = load_codebooks(_book(tmp_path, dump_codebooks(books), "again.yaml"))
    assert again == books


CODE = "codebook: X\ncodes:\n  - name: Relatie\n    children:\n      - name: Huisbezoek\n"
BAD_PROVENANCE = {
    "source-without-quote": (
        CODE + "        source: {document: Rapport}\n",
        "code “Relatie/Huisbezoek”: `source:` needs a `source_quote:`",
    ),
    "quote-without-source": (
        CODE + "        source_quote: iets\n",
        "code “Relatie/Huisbezoek”: `source_quote:` needs a `source:`",
    ),
    "both-inductive-and-source": (
        CODE + "        source: Rapport\n        source_quote: iets\n        inductive: true\n",
        "code “Relatie/Huisbezoek”: a code is either `inductive: true` or credited to a `source:`, not both",
    ),
    "inductive-not-boolean": (
        CODE + "        inductive: misschien\n",
        "code “Relatie/Huisbezoek”: `inductive:` must be true or false, not 'misschien'",
    ),
    "source-without-document": (
        CODE + "        source: {section: Inleiding}\n        source_quote: iets\n",
        "code “Relatie/Huisbezoek”: `source:` needs `document:`",
    ),
    "unknown-source-field": (
        CODE + "        source: {document: R, pagina: 3}\n        source_quote: iets\n",
        "code “Relatie/Huisbezoek”: unknown field(s) in `source:`: pagina",
    ),
    "source-a-list": (
        CODE + "        source: [R]\n        source_quote: iets\n",
        "code “Relatie/Huisbezoek”: `source:` must be a document title or a mapping",
    ),
    "future-version": ("version: 3\n" + CODE, "codebook format version 3 is not one this qualcode reads"),
    "two-books-same-name": (CODE + "---\n" + CODE, "codebook “X” appears twice"),
}


@pytest.mark.parametrize("case", sorted(BAD_PROVENANCE))
def test_bad_provenance_is_one_line_naming_file_and_code_and_study_unchanged(
    case: str, study_path: Path, tmp_path: Path
) -> None:
    content, reason = BAD_PROVENANCE[case]
    bad = _book(tmp_path, content, f"{case}.yaml")
    before = study_path.read_bytes()
    with Study.open(study_path) as study:
        with pytest.raises(QualcodeError) as exc:
            study.import_codebook(bad)
    message = str(exc.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}: ")
    assert reason in message
    assert study_path.read_bytes() == before


# -- the check ---------------------------------------------------------------------------------


def test_normalise_folds_only_whitespace_quotes_and_composition() -> None:
    assert normalise("  ‘a’\u00a0“b”\n\n\tc\u202fd  ") == "'a' \"b\" c d"
    assert normalise("e\u0301") == "é"
    assert normalise("A – b") != normalise("a - b")  # case and dashes must match


def test_fixture_codebook_passes_the_check(tmp_path: Path, seeds: Path) -> None:
    book = load_codebook(_book(tmp_path, FIXTURE_BOOK))
    sources = load_sources(seeds)
    assert [s.path.name for s in sources] == ["001.txt"]
    assert check_provenance(book, "book.yaml", sources) == []


def _check(spec: CodeSpec, seeds: Path) -> list[str]:
    return check_provenance(Codebook("X", [spec]), "x.yaml", load_sources(seeds))


@pytest.mark.parametrize(
    ("source", "quote", "problem"),
    [
        (SourceRef("Rapport ‘Anders’"), "Minder stress", "source document “Rapport ‘Anders’” is not among the 1"),
        (SourceRef("Rapport ‘Samen sterk’", "Conclusie"), "Minder stress", "section “Conclusie” not found"),
        (
            SourceRef("Rapport ‘Samen sterk’"),
            "minder stress in het gezin",
            "quote not found in “Rapport ‘Samen sterk’”",
        ),
        (SourceRef("Rapport ‘Samen sterk’"), "Minder stress - in het gezin", "quote not found"),
        (
            SourceRef("Rapport ‘Samen sterk’", "Resultaten"),
            "voelen zich vaak alleen",
            "quote stands in “Rapport ‘Samen sterk’” but not under section “Resultaten”",
        ),
    ],
)
def test_check_reports_what_cannot_be_traced(source: SourceRef, quote: str, problem: str, seeds: Path) -> None:
    [line] = _check(CodeSpec("A", source=source, source_quote=quote), seeds)
    assert line.startswith("x.yaml: code “A”: ")
    assert problem in line


def test_check_ignores_line_breaks_and_typographic_quotes(seeds: Path) -> None:
    spec = CodeSpec(
        "A",
        source=SourceRef("Rapport 'Samen sterk'", "Inleiding"),
        source_quote='voelen zich vaak alleen. De coach is de "verbindende schakel"',
    )
    assert _check(spec, seeds) == []


def test_check_lists_codes_without_provenance_even_without_sources() -> None:
    book = Codebook("X", [CodeSpec("A", children=[CodeSpec("B"), CodeSpec("C", inductive=True)])])
    assert check_provenance(book, "x.yaml", None) == [
        "x.yaml: code “A”: no provenance; give `source:` and `source_quote:`, or `inductive: true`",
        "x.yaml: code “A/B”: no provenance; give `source:` and `source_quote:`, or `inductive: true`",
    ]


def test_sources_folder_must_hold_documents(tmp_path: Path) -> None:
    with pytest.raises(QualcodeError, match="holds no source documents"):
        load_sources(tmp_path)
    with pytest.raises(QualcodeError, match="no such folder"):
        load_sources(tmp_path / "nergens")


def test_check_command_passes_and_fails_with_one_line_per_problem(tmp_path: Path, seeds: Path) -> None:
    runner = CliRunner()
    good = _book(tmp_path, FIXTURE_BOOK, "good.yaml")
    result = runner.invoke(main, ["codebook", "check", str(good), "--sources", str(seeds)])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == "3 code(s) in 1 codebook(s): every code has provenance; 2 quote(s) found in 1 source document(s)\n"
    )
    bad = _book(
        tmp_path,
        FIXTURE_BOOK.replace("Minder stress in het gezin", "Geen stress").replace(
            "inductive: true", "color: '#aabbcc'"
        ),
        "bad.yaml",
    )
    result = runner.invoke(main, ["codebook", "check", str(good), str(bad), "--sources", str(seeds)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad}: code “Schakel/Minder stress”: quote not found in “Rapport ‘Samen sterk’” (001.txt): “Geen stress”",
        f"{bad}: code “Schakel/Schaamte”: no provenance; give `source:` and `source_quote:`, or `inductive: true`",
    ]
    assert result.stderr == "Error: 2 problem(s) in 6 code(s)\n"


def test_check_command_reads_a_studys_codebooks(study_path: Path) -> None:
    result = CliRunner().invoke(main, ["codebook", "check", "--study", str(study_path)])
    assert result.exit_code == 0, result.output
    total = sum(len(load_codebook(p).walk()) for p in BOOKS)
    assert result.stdout == f"{total} code(s) in {len(BOOKS)} codebook(s): every code has provenance\n"


def test_shipped_codebooks_trace_to_the_seeds() -> None:
    seeds = requires_shared("seeds")
    result = CliRunner().invoke(main, ["codebook", "check", *map(str, BOOKS), "--sources", str(seeds)])
    assert result.exit_code == 0, result.output
    credited = sum(1 for p in BOOKS for _, s in load_codebook(p).walk() if s.source is not None)
    assert f"{credited} quote(s) found in" in result.stdout


def test_shipped_codebooks_have_provenance_and_the_two_senses_of_trust() -> None:
    """Every shipped code has provenance (checked without the seeds), and the two kinds
    of trust are separate codes whose definitions each name the other."""
    books = [load_codebook(p) for p in BOOKS]
    assert [line for b, p in zip(books, BOOKS) for line in check_provenance(b, p.name, None)] == []
    specs = {"/".join(parts): spec for book in books for parts, spec in book.walk()}
    trusted, trusting = specs["Ervaren waarden/Vertrouwd worden"], specs["Ervaren waarden/Vertrouwen"]
    assert trusted.source_quote == "te vertrouwen zijn"
    assert "'Vertrouwen'" in trusted.description and "'Vertrouwd worden'" in trusting.description
    for parts, spec in ((p, s) for b in books for p, s in b.walk()):
        assert spec.when_not_to_use and spec.example, "/".join(parts)


# -- the study keeps codebooks and provenance ----------------------------------------------------


def test_codes_listing_shows_provenance(study_path: Path) -> None:
    result = CliRunner().invoke(main, ["codes", "--provenance", "--json", "--study", str(study_path)])
    assert result.exit_code == 0, result.output
    rows = {r["path"]: r for r in json.loads(result.stdout)}
    row = rows["Ervaren waarden/Vertrouwd worden"]
    assert row["codebook"] == "Ervaren waarden"
    assert row["source"] == "Publicatie ‘Leergeld doet ertoe’ § Ervaren waarden door ouders"
    assert row["source_quote"] == "te vertrouwen zijn" and row["inductive"] == ""
    assert rows["Ervaringen met instanties/Schaamte en drempels"]["inductive"] == "ja"
    assert rows["Uitkomsten/Afschalen van zorg"]["codebook"] == "Startsituatie en uitkomsten"


def test_export_import_keeps_codebooks_apart(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "alle.yaml"
    study.export_codebook(out)
    with Study.create(tmp_path / "nieuw.qualcode") as fresh:
        fresh.import_codebook(out)
        assert fresh.codebooks() == study.codebooks() == [load_codebook(p) for p in BOOKS]
        assert fresh.undo() is not None and fresh.codes() == []  # one action


def test_reimport_updates_provenance_and_keeps_it_when_the_file_is_silent(study: Study, tmp_path: Path) -> None:
    path = _book(
        tmp_path,
        "codebook: Ervaren waarden\ncodes:\n  - name: Ervaren waarden\n    children:\n"
        "      - name: Vertrouwen\n        inductive: true\n      - name: Vertrouwd worden\n",
    )
    result = study.import_codebook(path)
    assert result["updated"] == 1
    assert study.code("Ervaren waarden/Vertrouwen").inductive
    assert study.code("Ervaren waarden/Vertrouwen").source_document == ""
    assert study.code("Vertrouwd worden").source_quote == "te vertrouwen zijn"
    # the codebook's description stays: the file gave none
    assert study.codebook("Ervaren waarden").description == load_codebook(BOOKS[0]).description


_NAME = st.text(string.ascii_letters + "éëï ", min_size=1, max_size=8).map(lambda s: " ".join(s.split())).filter(bool)
_TEXT = st.text(string.ascii_letters + "é ‘’“”'\"", max_size=20).map(lambda s: " ".join(s.split()))


@st.composite
def _specs(draw: st.DrawFn, depth: int = 0) -> CodeSpec:
    kind = draw(st.sampled_from(["source", "section", "inductive", "none"]))
    source = None
    if kind in ("source", "section"):
        section = draw(_NAME) if kind == "section" else ""
        source = SourceRef(draw(_NAME), section)
    names = draw(st.lists(_NAME, max_size=2 if depth < 2 else 0, unique_by=str.casefold))
    return CodeSpec(
        name=draw(_NAME),
        description=draw(_TEXT),
        source=source,
        source_quote=draw(_NAME) if source else "",
        inductive=kind == "inductive",
        children=[_with_name(draw(_specs(depth + 1)), n) for n in names],
    )


def _with_name(spec: CodeSpec, name: str) -> CodeSpec:
    spec.name = name
    return spec


@st.composite
def _books(draw: st.DrawFn) -> list[Codebook]:
    names = draw(st.lists(_NAME, min_size=1, max_size=3, unique_by=str.casefold))
    tops = draw(st.lists(_NAME, min_size=len(names), max_size=len(names) * 2, unique_by=str.casefold))
    books = []
    for i, name in enumerate(names):
        mine = tops[i :: len(names)]
        books.append(
            Codebook(
                name=name,
                description=draw(_TEXT),
                source=draw(_TEXT),
                codes=[_with_name(draw(_specs()), top) for top in mine],
            )
        )
    return books


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(books=_books())
def test_round_trip_yaml_qdc_qdpx_keeps_codebooks_and_provenance(books: list[Codebook], tmp_path: Path) -> None:
    """Codebooks with provenance survive study → YAML → study, study → .qdc → study and
    study → .qdpx → study apart and unchanged."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # hypothesis runs this body many times in one tmp_path
    source_yaml = folder / "in.yaml"
    source_yaml.write_text(dump_codebooks(books), encoding="utf-8")
    with Study.create(folder / "a.qualcode") as study:
        study.import_codebook(source_yaml)
        assert study.codebooks() == books
        study.export_codebook(folder / "out.yaml")
        export_qdc(study, folder / "out.qdc")
        export_qdpx(study, folder / "out.qdpx")
    with Study.create(folder / "yaml.qualcode") as again:
        again.import_codebook(folder / "out.yaml")
        assert again.codebooks() == books
    with Study.create(folder / "qdc.qualcode") as again:
        import_qdc(again, folder / "out.qdc")
        assert again.codebooks() == books
    with Study.create(folder / "qdpx.qualcode") as again:
        import_qdpx(again, folder / "out.qdpx")
        assert again.codebooks() == books


def test_refi_description_keeps_labels_apart() -> None:
    text = (
        "Definitie.\n\nExample: “zo”\n\nSource: Rapport ‘X’ § Inleiding\n\n"
        "Source quote: de eigen woorden\n\nKeywords: a, b"
    )
    fields = parse_description(text)
    assert fields["description"] == "Definitie."
    assert fields["source"] == SourceRef("Rapport ‘X’", "Inleiding")
    assert fields["source_quote"] == "de eigen woorden"
    assert fields["keywords"] == ["a", "b"] and not fields["inductive"]
    # a source without its quote is not provenance (a codebook file would refuse it)
    assert parse_description("D\n\nSource: Rapport")["source"] is None
    assert parse_description("D\n\nInductive: yes")["inductive"]


def test_migration_fills_codebooks_from_an_older_study(tmp_path: Path) -> None:
    """A study made before the codebooks table gets one row per codebook its codes name."""
    path = tmp_path / "oud.qualcode"
    with Study.create(path) as study:
        for book in BOOKS:
            study.import_codebook(book)
    number = next(i for i, (name, _) in enumerate(MIGRATIONS, start=1) if name.startswith("code provenance"))
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE codebooks;"
        + "".join(
            f"ALTER TABLE codes DROP COLUMN {c};"
            for c in ("source_document", "source_section", "source_quote", "inductive")
        )
        + f"DELETE FROM migrations WHERE id = {number};"
    )
    conn.close()
    with Study.open(path) as study:
        assert [b.name for b in study.codebooks()] == [load_codebook(p).name for p in BOOKS]
        assert all(not c.source_document and not c.inductive for c in study.codes())
