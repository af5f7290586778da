"""The retrieval, codebook editor and search screens, driven with the pilot, asserting the
study's contents afterwards; plus the fragments CSV writer and Study.add_codings."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Label, Select, TextArea

from qualcode.core.errors import QualcodeError
from qualcode.exchange.csv import FRAGMENT_COLUMNS, neutralise, write_fragments_csv
from qualcode.study.study import SearchHit, Study
from qualcode.tui.dialogs.confirm import ConfirmScreen
from qualcode.tui.dialogs.prompts import BindingCommands, PromptScreen
from qualcode.tui.messages import JumpTo, StudyChanged
from qualcode.tui.screens.codebook_editor import CodebookEditorScreen, CodeFormScreen
from qualcode.tui.screens.retrieval import RetrievalScreen, intersect_spans, merge_spans
from qualcode.tui.screens.search import SearchScreen, hit_span

SIZE = (100, 32)


class ScreenApp(App[None]):
    """Pushes one screen and records what it tells the app."""

    def __init__(self, make: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self.make = make
        self.jumps: list[tuple[int, int, int]] = []
        self.changes = 0

    def on_mount(self) -> None:
        self.push_screen(self.make())

    def on_jump_to(self, message: JumpTo) -> None:
        self.jumps.append((message.document_id, message.start, message.end))

    def on_study_changed(self, message: StudyChanged) -> None:
        self.changes += 1


async def answer(pilot, text: str) -> None:
    """Type ``text`` into the open prompt, replacing its default, and submit."""
    await pilot.pause()
    assert isinstance(pilot.app.screen, PromptScreen)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def pick(pilot, text: str) -> None:
    """Filter the open code picker and take the best match."""
    await pilot.pause()
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


def codings_of(study: Study, code_id: int) -> set[int]:
    return {int(f["id"]) for f in study.fragments(codes=[code_id], include_children=False)}  # type: ignore[arg-type]


# -- retrieval -------------------------------------------------------------------------------


async def test_retrieval_one_code_filtered_by_role(sample_study: Study) -> None:
    code = sample_study.code("Vertrouwensband")
    app = ScreenApp(lambda: RetrievalScreen(sample_study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pick(pilot, "vertrouwensband")
        screen = app.screen
        assert isinstance(screen, RetrievalScreen)
        everything = [p.coding_id for p in screen.passages]
        screen.query_one("#f-role", Select).value = "ouder"
        await pilot.pause()
        expected = [f["id"] for f in sample_study.fragments(codes=[code.id], role="ouder")]
        assert expected and len(expected) < len(everything)
        assert sorted(p.coding_id for p in screen.passages) == sorted(expected)
        assert {p.role for p in screen.passages} == {"ouder"}
        assert screen.query_one("#fragments").row_count == len(expected)
        assert str(len(expected)) in str(screen.query_one("#retrieval-title", Label).render())


@pytest.fixture
def overlapping(study: Study) -> dict[str, object]:
    """Two codes that overlap once in the parent interview, and once more only apart."""
    doc = next(d for d in study.documents() if d.role == "ouder")
    text = study.document_text(doc.id)
    a, b = study.code("Vertrouwen"), study.code("Vangnet en veiligheid")
    s1 = text.index("Ik schaamde")
    s2 = text.index("Maar de coach")
    study.add_coding(doc.id, a, s1, s2 + 10)
    study.add_coding(doc.id, b, s2, s2 + 30)
    far = text.index("Ze oordeelde")
    study.add_coding(doc.id, a, far, far + 12)
    return {"doc": doc.id, "a": a, "b": b, "overlap": (s2, s2 + 10)}


async def test_retrieval_any_versus_all(study: Study, overlapping: dict) -> None:
    app = ScreenApp(lambda: RetrievalScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pick(pilot, "Ervaren waarden/Vertrouwen")
        await pilot.press("c")
        await pick(pilot, "vangnet")
        screen = app.screen
        assert screen.code_ids == [overlapping["a"].id, overlapping["b"].id]
        assert sorted(p.coding_id for p in screen.passages) == sorted(
            f["id"] for f in study.fragments(codes=[overlapping["a"].id, overlapping["b"].id])
        )
        assert len(screen.passages) == 3
        await pilot.press("a")
        await pilot.pause()
        assert [(p.document_id, p.start, p.end) for p in screen.passages] == [
            (overlapping["doc"], *overlapping["overlap"])
        ]
        passage = screen.passages[0]
        assert passage.text == study.document_text(overlapping["doc"])[slice(*overlapping["overlap"])]
        assert passage.code == f"{overlapping['a'].path} & {overlapping['b'].path}"
        # a filter that excludes the document leaves nothing to overlap
        screen.query_one("#f-role", Select).value = "kind"
        await pilot.pause()
        assert screen.passages == []


async def test_retrieval_enter_jumps_to_the_fragment(sample_study: Study) -> None:
    app = ScreenApp(lambda: RetrievalScreen(sample_study, codes=["Vertrouwensband"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        second = screen.passages[1]
        await pilot.press("down", "enter")
        await pilot.pause()
        coding = sample_study.coding(second.coding_id)
        assert app.jumps == [(coding.document_id, coding.start, coding.end)]
        assert not isinstance(app.screen, RetrievalScreen)


async def test_retrieval_exports_csv(study: Study, tmp_path: Path) -> None:
    doc_id = study.add_document(
        '=HYPERLINK("http://x") zei ze. Daarna niets meer.\n', title="@lijst", metadata={"role": "ouder"}
    )
    code = study.code("Vertrouwen")
    formula = study.add_coding(doc_id, code, 0, study.document_text(doc_id).index("."))
    study.set_coding_memo(formula.id, "-1 punt")
    other = next(d for d in study.documents() if d.role == "gezinscoach")
    study.add_coding(other.id, code, 5, 40, memo="+ rustig")
    target = tmp_path / "uit.csv"
    app = ScreenApp(lambda: RetrievalScreen(study, codes=["Vertrouwen"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "fragmenten-vertrouwen.csv"
        await answer(pilot, str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == FRAGMENT_COLUMNS
    assert len(rows) - 1 == len(study.fragments(codes=["Vertrouwen"])) == 2
    by_doc = {r[3]: dict(zip(FRAGMENT_COLUMNS, r)) for r in rows[1:]}
    hostile = by_doc["'@lijst"]
    assert hostile["text"] == '\'=HYPERLINK("http://x") zei ze'
    assert hostile["memo"] == "'-1 punt"
    assert hostile["study"] == "klein" and (hostile["start"], hostile["end"]) == ("0", "29")
    assert by_doc["Coach Coevorden"]["memo"] == "'+ rustig"


def test_neutralise_and_csv_errors(tmp_path: Path) -> None:
    assert [neutralise(v) for v in ("=1+1", "+31", "-", "@a", "\tx", "ok", 5, None)] == [
        "'=1+1",
        "'+31",
        "'-",
        "'@a",
        "'\tx",
        "ok",
        5,
        None,
    ]
    with pytest.raises(QualcodeError, match="does not exist"):
        write_fragments_csv([], tmp_path / "nope" / "x.csv", "s")
    assert write_fragments_csv([], tmp_path / "leeg.csv", "s") == 0
    assert (tmp_path / "leeg.csv").read_text(encoding="utf-8-sig").splitlines() == [",".join(FRAGMENT_COLUMNS)]


@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=8),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=8),
)
def test_span_intersection_matches_point_sets(a: list, b: list) -> None:
    spans_a = merge_spans([(s, s + n) for s, n in a])
    spans_b = merge_spans([(s, s + n) for s, n in b])
    points = lambda spans: {i for s, e in spans for i in range(s, e)}  # noqa: E731
    found = intersect_spans(spans_a, spans_b)
    assert points(found) == points(spans_a) & points(spans_b)
    assert all(s < e for s, e in found) and found == sorted(found)


# -- codebook editor -------------------------------------------------------------------------


async def test_codebook_rename_move_and_add(study: Study) -> None:
    code = study.code("Vangnet en veiligheid")
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.select_code(code.id)
        await pilot.press("r")
        await answer(pilot, "Vangnet")
        assert study.code(code.id).name == "Vangnet"
        await pilot.press("m")
        await pick(pilot, "schaamte")
        assert study.code(code.id).path == "Ervaringen met instanties/Schaamte en drempels/Vangnet"
        assert screen.current().id == code.id
        await pilot.press("m")
        await pick(pilot, "")  # the first choice is the top level
        assert study.code(code.id).parent_id is None
        await pilot.press("a")
        await answer(pilot, "Achtervang")
        assert study.code("Achtervang").parent_id == code.id
        await pilot.press("A")
        await answer(pilot, "Nieuw thema")
        assert study.code("Nieuw thema").parent_id is None
        assert app.changes == 5
        await pilot.press("r")
        await answer(pilot, "relatie")  # a top-level sibling has that name: refused
        assert study.code(study.code("Nieuw thema").id).name == "Nieuw thema"


async def test_codebook_merge_moves_codings(study: Study, overlapping: dict) -> None:
    source, target = overlapping["a"], overlapping["b"]
    moving, staying = codings_of(study, source.id), codings_of(study, target.id)
    assert moving and staying
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.select_code(source.id)
        await pilot.press("M")
        await pick(pilot, "vangnet")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert codings_of(study, target.id) == moving | staying
    with pytest.raises(QualcodeError):
        study.code(source.id)


async def test_codebook_delete_confirms_and_undo_restores(study: Study, overlapping: dict) -> None:
    code = overlapping["a"]
    before = codings_of(study, code.id)
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.select_code(code.id)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "Undo (u)" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert codings_of(study, code.id) == before
        await pilot.press("d", "y")
        await pilot.pause()
        with pytest.raises(QualcodeError):
            study.code(code.id)
        assert study.fragments(codes=None, document=overlapping["doc"]) == study.fragments(codes=[overlapping["b"].id])
        await pilot.press("u")
        await pilot.pause()
        assert study.code(code.id).path == code.path
        assert codings_of(study, code.id) == before


async def test_codebook_colour_is_validated(study: Study) -> None:
    code = study.code("Vertrouwensband")
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.select_code(code.id)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CodeFormScreen)
        form.query_one("#form-color", Input).value = "#12zz45"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "#rrggbb" in str(form.query_one("#form-error", Label).render())
        assert study.code(code.id).color == code.color
        form.query_one("#form-color", Input).value = "#1A2B3C"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, CodeFormScreen)
    changed = study.code(code.id)
    assert changed.color == "#1a2b3c"
    assert changed.description == code.description
    study.undo()
    assert study.code(code.id).color == code.color


async def test_codebook_shortcut_conflict_is_refused(study: Study) -> None:
    taken = next(c for c in study.codes() if c.shortcut)
    code = study.code("Vertrouwensband")
    assert code.shortcut != taken.shortcut
    with pytest.raises(QualcodeError) as refused:
        study.update_code(code.id, shortcut=taken.shortcut)
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.select_code(code.id)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.query_one("#form-shortcut", Input).value = taken.shortcut
        form.query_one("#form-description", TextArea).text = "nieuw"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(form.query_one("#form-error", Label).render()) == str(refused.value)
    assert study.code(code.id).shortcut == code.shortcut
    assert study.code(code.id).description == code.description


async def test_codebook_import(study: Study, tmp_path: Path) -> None:
    bad = tmp_path / "kapot.yaml"
    bad.write_text("codebook: x\ncodes:\n  - name: A\n    color: rood\n", encoding="utf-8")
    good = tmp_path / "extra.yaml"
    good.write_text("codebook: extra\ncodes:\n  - name: Nieuwe code\n    description: iets\n", encoding="utf-8")
    before = [c.path for c in study.codes()]
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await answer(pilot, str(bad))
        assert [c.path for c in study.codes()] == before
        assert any("kapot.yaml" in str(n.message) and n.severity == "error" for n in app._notifications)
        await pilot.press("i")
        await answer(pilot, str(good))
    assert study.code("Nieuwe code").description == "iets"


# -- search ----------------------------------------------------------------------------------


async def test_search_code_all_ticked_hits_in_one_undo(study: Study) -> None:
    before = {c.id for d in study.documents() for c in study.document_codings(d.id)}
    app = ScreenApp(lambda: SearchScreen(study, None))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"ik", "enter")
        await pilot.pause()
        screen = app.screen
        hits = list(screen.hits)
        assert hits == study.search("ik")
        assert len({h.document_id for h in hits}) == 3
        await pilot.press("down", "space")  # untick the second hit
        await pilot.press("s", "c")  # widen each hit to its sentence
        await pick(pilot, "Ervaren waarden/Vertrouwen")
    code = study.code("Ervaren waarden/Vertrouwen")
    new = [c for d in study.documents() for c in study.document_codings(d.id) if c.id not in before]
    unticked, ticked = hits[1], [h for i, h in enumerate(hits) if i != 1]
    assert new and all(c.code_id == code.id and c.coder == "tester" for c in new)
    for hit in ticked:
        assert any(c.document_id == hit.document_id and c.start <= hit.start and hit.end <= c.end for c in new)
    assert not any(c.document_id == unticked.document_id and c.start <= unticked.start < c.end for c in new)
    for c in new:  # each coding is a sentence (its speaker label left out)
        sentences = study.sentences(c.document_id)
        assert any(s.end == c.end and s.start <= c.start for s in sentences)
        assert not study.document_text(c.document_id)[c.start : c.end].startswith(("Moeder", "R:", "[Kind]"))
    study.undo()
    assert {c.id for d in study.documents() for c in study.document_codings(d.id)} == before


async def test_search_exact_hits_skip_already_coded(study: Study) -> None:
    code = study.code("Vertrouwen")
    hits = study.search("regels")
    assert len(hits) == 2
    study.add_coding(hits[0].document_id, code, hits[0].start, hits[0].end)
    doc = hits[0].document_id
    app = ScreenApp(lambda: SearchScreen(study, doc, query="regels"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.hits == hits
        await pilot.press("c")  # exact hits are the default
        await pick(pilot, "Ervaren waarden/Vertrouwen")
    spans = sorted((c.start, c.end) for c in study.document_codings(doc) if c.code_id == code.id)
    assert spans == [(h.start, h.end) for h in hits]


def test_hit_span_extends_to_sentence_but_not_label() -> None:
    sentences = [(0, 30), (31, 50), (51, 70)]
    bodies = [(10, 50), (55, 70)]
    assert hit_span(SearchHit(1, "t", 12, 15), sentences, bodies) == (10, 30)
    assert hit_span(SearchHit(1, "t", 33, 53), sentences, bodies) == (31, 70)
    assert hit_span(SearchHit(1, "t", 60, 62), sentences, bodies) == (55, 70)


def test_add_codings_checks_every_span_before_writing(study: Study) -> None:
    doc = study.documents()[0]
    with pytest.raises(QualcodeError, match="runs past the end"):
        study.add_codings([(doc.id, 0, 5), (doc.id, 0, doc.char_count + 1)], "Vertrouwen")
    assert study.document_codings(doc.id) == []
    made = study.add_codings([(doc.id, 0, 5), (doc.id, 0, 5), (doc.id, 6, 9)], "Vertrouwen")
    assert [(c.start, c.end) for c in made] == [(0, 5), (6, 9)]
    assert study.add_codings([(doc.id, 0, 5)], "Vertrouwen") == []
    study.undo()
    assert study.document_codings(doc.id) == []


# -- bindings and snapshots ------------------------------------------------------------------


@pytest.mark.parametrize("screen_class", [RetrievalScreen, CodebookEditorScreen, SearchScreen])
async def test_every_binding_has_an_id_and_is_in_the_palette(study: Study, screen_class: type) -> None:
    app = ScreenApp(lambda: screen_class(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        names = {name for name, _, _ in BindingCommands(screen)._commands()}
        for binding in screen_class.BINDINGS:
            assert isinstance(binding, Binding) and binding.id
            assert (binding.tooltip or binding.description) in names


def test_retrieval_snapshot(snap_compare, sample_study_path: Path) -> None:
    study = Study.open(sample_study_path, coder="tester")
    app = ScreenApp(lambda: RetrievalScreen(study, codes=["Vertrouwensband"]))
    assert snap_compare(app, terminal_size=(80, 24))


def test_codebook_editor_snapshot(snap_compare, sample_study_path: Path) -> None:
    study = Study.open(sample_study_path, coder="tester")
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    assert snap_compare(app, terminal_size=(80, 24))
