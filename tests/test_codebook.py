"""Codebook files: the shipped codebooks, importing into a study (merge by path), exporting
back, the YAML round trip, and bad files that must leave the study untouched."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CODEBOOKS
from qualcode.core.errors import QualcodeError
from qualcode.study.codebook import Codebook, CodeSpec, dump_codebook, load_codebook, load_codebooks, parse_codebook
from qualcode.study.study import Study

BOOKS = sorted(CODEBOOKS.glob("*.yaml"))


def _tree(book: Codebook) -> list[tuple[str, str, str | None, str | None, tuple[str, ...]]]:
    return [
        ("/".join(parts), spec.description, spec.color, spec.shortcut, tuple(spec.keywords))
        for parts, spec in book.walk()
    ]


# -- the shipped codebooks -----------------------------------------------------------------


def test_the_shipped_codebooks_load() -> None:
    assert [p.name for p in BOOKS] == ["ervaren-waarden.yaml", "uitkomsten.yaml", "werkzame-elementen.yaml"]
    names = {load_codebook(p).name for p in BOOKS}
    assert names == {"Ervaren waarden", "Startsituatie en uitkomsten", "Werkzame elementen"}


@pytest.mark.parametrize("path", BOOKS, ids=lambda p: p.stem)
def test_shipped_codebook_is_complete_and_unique(path: Path) -> None:
    book = load_codebook(path)
    walked = book.walk()
    assert len(walked) >= 10
    paths = ["/".join(parts).casefold() for parts, _ in walked]
    assert len(paths) == len(set(paths))
    for parts, spec in walked:
        assert len(spec.description) >= 40, f"{'/'.join(parts)} has no real description"
    shortcuts = [spec.shortcut for _, spec in walked if spec.shortcut]
    assert len(shortcuts) == len(set(shortcuts))


def test_shortcuts_are_unique_across_the_codebooks() -> None:
    shortcuts = [s.shortcut for p in BOOKS for _, s in load_codebook(p).walk() if s.shortcut]
    assert shortcuts and len(shortcuts) == len(set(shortcuts))


# -- import and export ---------------------------------------------------------------------


def test_import_merges_by_path_and_twice_adds_nothing(tmp_path: Path) -> None:
    with Study.create(tmp_path / "s.qualcode") as study:
        expected = sum(len(load_codebook(p).walk()) for p in BOOKS)
        added = [study.import_codebook(p)["added"] for p in BOOKS]
        assert sum(added) == expected == len(study.codes())
        again = [study.import_codebook(p) for p in BOOKS]
        assert [r["added"] for r in again] == [0] * len(BOOKS)
        assert [r["updated"] for r in again] == [0] * len(BOOKS)
        assert len(study.codes()) == expected
        assert set(study.codebook_names()) == {"Ervaren waarden", "Startsituatie en uitkomsten", "Werkzame elementen"}


def test_import_updates_changed_definition_without_duplicating(tmp_path: Path) -> None:
    book = tmp_path / "b.yaml"
    book.write_text(
        "codebook: B\ncodes:\n  - name: Relatie\n    description: oud\n    children:\n"
        "      - name: Huisbezoek\n        description: oud\n",
        encoding="utf-8",
    )
    with Study.create(tmp_path / "s.qualcode") as study:
        study.import_codebook(book)
        book.write_text(book.read_text(encoding="utf-8").replace("oud", "nieuw"), encoding="utf-8")
        result = study.import_codebook(book)
        assert (result["added"], result["updated"]) == (0, 2)
        assert [(c.path, c.description) for c in study.codes()] == [
            ("Relatie", "nieuw"),
            ("Relatie/Huisbezoek", "nieuw"),
        ]


def test_export_loads_back_to_the_same_tree(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "export.yaml"
    count = study.export_codebook(out)
    assert count == len(study.codes())
    exported = load_codebooks(out)
    originals = [load_codebook(p) for p in BOOKS]
    # one codebook per shipped file, each with its own name, description and source, and
    # every field of every code (when_to_use, provenance, …) as the file had it
    assert exported == originals


def test_export_of_one_codebook(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "ew.yaml"
    study.export_codebook(out, "Ervaren waarden")
    assert _tree(load_codebook(out)) == _tree(load_codebook(CODEBOOKS / "ervaren-waarden.yaml"))
    with pytest.raises(QualcodeError, match="no codebook “Bestaat niet”"):
        study.export_codebook(tmp_path / "x.yaml", "Bestaat niet")


def test_exported_codebook_imports_into_a_fresh_study(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "export.yaml"
    study.export_codebook(out)
    with Study.create(tmp_path / "fresh.qualcode") as fresh:
        fresh.import_codebook(out)
        assert [(c.path, c.description, c.color, c.shortcut, c.keywords) for c in fresh.codes()] == [
            (c.path, c.description, c.color, c.shortcut, c.keywords) for c in study.codes()
        ]


# -- the YAML round trip, for any tree -----------------------------------------------------

_text_chars = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff")
_name = st.text(_text_chars, min_size=1, max_size=20).map(str.strip).filter(lambda s: s and "/" not in s)
_text = st.text(st.one_of(_text_chars, st.just("\n")), max_size=60).map(str.strip)
_color = st.none() | st.text("0123456789abcdef", min_size=6, max_size=6).map(lambda h: "#" + h)
_keywords = st.lists(_name, max_size=4)


@st.composite
def _codes(draw: st.DrawFn, depth: int = 0) -> list[CodeSpec]:
    names = draw(st.lists(_name, min_size=1 if depth == 0 else 0, max_size=4, unique_by=str.casefold))
    return [
        CodeSpec(
            name=name,
            description=draw(_text),
            when_to_use=draw(_text),
            when_not_to_use=draw(_text),
            example=draw(_text),
            color=draw(_color),
            keywords=draw(_keywords),
            children=draw(_codes(depth + 1)) if depth < 2 else [],
        )
        for name in names
    ]


@st.composite
def _codebooks(draw: st.DrawFn) -> Codebook:
    book = Codebook(name=draw(_name), codes=draw(_codes()), description=draw(_text))
    specs = [spec for _, spec in book.walk()]
    keys = draw(st.lists(st.sampled_from(string.ascii_letters + string.digits), unique=True, max_size=len(specs)))
    for spec, key in zip(specs, keys):
        spec.shortcut = key
    return book


@settings(max_examples=150, deadline=None)
@given(_codebooks())
def test_dump_and_parse_round_trip(book: Codebook) -> None:
    again = parse_codebook(yaml.safe_load(dump_codebook(book)), "prop.yaml")
    assert again == book


# -- bad files leave the study unchanged ---------------------------------------------------

GOOD_CODE = "  - name: Vangnet\n    description: Iets om op terug te vallen.\n"
BAD_BOOKS = {
    "broken-yaml": ("codebook: X\ncodes:\n  - name: [Vangnet\n", "not valid YAML"),
    "code-twice": (
        "codebook: X\ncodes:\n" + GOOD_CODE + "  - name: vangnet\n    description: nogmaals\n",
        "“vangnet” appears twice",
    ),
    "slash-in-name": ("codebook: X\ncodes:\n  - name: Hulp/steun\n    description: d\n", "cannot contain “/”"),
    "bad-colour": (
        "codebook: X\ncodes:\n" + GOOD_CODE + "    color: rood\n",
        "color 'rood' is not of the form #rrggbb",
    ),
    "duplicate-shortcut": (
        "codebook: X\ncodes:\n  - name: A\n    shortcut: a\n  - name: B\n    shortcut: a\n",
        "shortcut “a” is given to both “A” and “B”",
    ),
    "clashes-with-study": (
        "codebook: X\ncodes:\n  - name: Nieuw\n    description: d\n    shortcut: '1'\n",
        "shortcut “1” of “Nieuw” already belongs to “Ervaren waarden/Vertrouwen” in the study",
    ),
    "not-a-mapping": ("- gewoon\n- een lijst\n", "a codebook is a mapping"),
    "no-codes": ("codebook: X\ncodes: []\n", "non-empty list"),
    "unknown-field": ("codebook: X\ncodes:\n  - name: A\n    kleur: '#ffffff'\n", "unknown field(s) kleur"),
    "not-utf8": (None, "not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD_BOOKS))
def test_bad_codebook_is_one_line_error_and_study_unchanged(case: str, study_path: Path, tmp_path: Path) -> None:
    content, reason = BAD_BOOKS[case]
    bad = tmp_path / f"{case}.yaml"
    if content is None:
        bad.write_bytes("codebook: Één\ncodes:\n  - name: Ärger\n".encode("cp1252"))
    else:
        bad.write_text(content, encoding="utf-8")
    before = study_path.read_bytes()
    with Study.open(study_path, coder="nieuwe-coder") as study:
        with pytest.raises(QualcodeError) as exc:
            study.import_codebook(bad)
    message = str(exc.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}: ")
    assert reason in message
    assert study_path.read_bytes() == before


def test_missing_codebook_file(study: Study, tmp_path: Path) -> None:
    with pytest.raises(QualcodeError, match="no such file"):
        study.import_codebook(tmp_path / "weg.yaml")


def test_import_merges_paths_that_differ_only_in_case(study: Study, tmp_path: Path) -> None:
    before = [c.path for c in study.codes()]
    book = tmp_path / "klein.yaml"
    book.write_text(
        "codebook: Y\ncodes:\n  - name: ervaren waarden\n    children:\n"
        "      - name: VERTROUWEN\n        description: andere definitie\n",
        encoding="utf-8",
    )
    result = study.import_codebook(book)
    assert (result["added"], result["updated"]) == (0, 1)
    assert [c.path for c in study.codes()] == before
    assert study.code("Ervaren waarden/Vertrouwen").description == "andere definitie"
    with pytest.raises(QualcodeError, match="already exists"):
        study.add_code("vertrouwen", "Ervaren waarden")


def test_several_files_clashing_with_each_other_import_nothing(study_path: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from qualcode.cli import main

    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("codebook: A\ncodes:\n  - name: Een\n    shortcut: z\n", encoding="utf-8")
    second.write_text("codebook: B\ncodes:\n  - name: Twee\n    shortcut: z\n", encoding="utf-8")
    before = study_path.read_bytes()
    result = CliRunner().invoke(main, ["codebook", "import", str(first), str(second), "--study", str(study_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {second}: shortcut “z” of “Twee” already belongs to “Een” in the study\n"
    assert study_path.read_bytes() == before


def test_several_files_import_as_one_undoable_action(tmp_path: Path) -> None:
    with Study.create(tmp_path / "s.qualcode") as study:
        results = study.merge_codebooks([(p, load_codebook(p)) for p in BOOKS])
        assert [r["added"] for r in results] == [len(load_codebook(p).walk()) for p in BOOKS]
        assert study.undo() == (
            "import codebooks “Ervaren waarden”, “Startsituatie en uitkomsten”, “Werkzame elementen”"
        )
        assert study.codes() == []


# -- merging codes -------------------------------------------------------------------------


def test_merge_does_not_duplicate_codings_and_keeps_memos(study: Study) -> None:
    d = study.document("Ouder Coevorden").id
    study.add_coding(d, "Persoonlijke aandacht", 0, 20, memo="uit bron")
    study.add_coding(d, "Vertrouwensband", 0, 20, memo="al op doel")
    study.add_coding(d, "Persoonlijke aandacht", 30, 50)
    study.add_coding(d, "Persoonlijke aandacht", 0, 20, coder="anna")
    study.set_memo("code", "Persoonlijke aandacht", "memo bron")
    study.set_memo("code", "Vertrouwensband", "memo doel")
    with Study.open(study.path, coder="anna") as anna:
        anna.set_memo("code", "Persoonlijke aandacht", "memo van anna")
    merged = study.merge_codes("Persoonlijke aandacht", "Vertrouwensband")
    assert merged.path == "Relatie/Vertrouwensband"
    codings = sorted((c.start, c.end, c.coder, c.memo) for c in study.document_codings(d))
    assert codings == [
        (0, 20, "anna", ""),
        (0, 20, "tester", "al op doel\n\nuit bron"),
        (30, 50, "tester", ""),
    ]
    assert all(c.code_id == merged.id for c in study.document_codings(d))
    assert sorted((m.coder, m.text) for m in study.memos("code", merged.id)) == [
        ("anna", "memo van anna"),
        ("tester", "memo doel\n\nmemo bron"),
    ]
    study.undo()
    assert len(study.fragments(codes=["Persoonlijke aandacht"])) == 3
    assert [m.text for m in study.memos("code", study.code("Vertrouwensband").id)] == ["memo doel"]


def test_merge_with_clashing_sub_codes_changes_nothing(study_path: Path) -> None:
    with Study.open(study_path) as study:
        study.add_code("Thuis", "Relatie/Huisbezoek")
        study.add_code("Thuis", "Relatie/Persoonlijke aandacht")
    before = study_path.read_bytes()
    with Study.open(study_path, coder="nog-niet-bekend") as study:
        with pytest.raises(QualcodeError, match="both codes have a sub-code “Thuis”; merge those first"):
            study.merge_codes("Persoonlijke aandacht", "Huisbezoek")
    assert study_path.read_bytes() == before
