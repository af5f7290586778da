"""A long transcript opens with the codings around the passage it shows and reads the rest
after the first frame: what it paints and says must be the same as with every coding read."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from qualcode.study.study import Study
from qualcode.tui.main.coverage import Coverage, Span
from qualcode.tui.main.screen import MainScreen
from qualcode.tui.main.status import MEMO_MARK, StatusBar
from qualcode.tui.main.transcript import GUTTER, MARKS
from tui_helpers import app_for, main_screen

SIZE = (100, 30)
CODEBOOKS = Path(__file__).resolve().parent.parent / "codebooks"


# -- the window alone -------------------------------------------------------------------------

spans_strategy = st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 2600), st.integers(0, 3)), max_size=25)


@given(spans_strategy, st.integers(0, 3000), st.integers(1, 1500), st.integers(0, 5000), st.integers(1, 600))
def test_a_window_answers_as_every_coding_would(raw, lo, width, offset, length):
    spans = [Span(s, s + n, coding_id=i, code_id=c, coder_id=1) for i, (s, n, c) in enumerate(raw)]
    hi = lo + width
    reads: list[str] = []

    def rest() -> list[tuple[int, int, int, int, int]]:
        reads.append("rest")
        return [tuple(s) for s in spans]

    inside = [tuple(s) for s in spans if s.start < hi and s.end > lo]
    lazy = Coverage(inside, window=(lo, hi), rest=rest)
    full = Coverage(spans)
    # Inside the window: answered from it, without reading the rest.
    a = min(max(lo, offset), hi - 1)
    b = min(hi, a + length)
    assert lazy.overlapping(a, b) == full.overlapping(a, b)
    assert list(lazy.segments(a, b)) == list(full.segments(a, b))
    assert reads == [] and not lazy.is_complete
    # Outside it (or the whole set): the rest is read once, and the answers are complete.
    assert lazy.overlapping(offset, offset + length) == full.overlapping(offset, offset + length)
    assert len(lazy) == len(spans) and sorted(lazy) == full.spans
    assert lazy.is_complete and len(reads) <= 1


def test_a_window_reads_the_rest_before_an_edit():
    spans = [Span(0, 10, 1, 1), Span(5000, 5010, 2, 1)]
    lazy = Coverage([tuple(spans[0])], window=(0, 100), rest=lambda: [tuple(s) for s in spans])
    lazy.add(Span(20, 30, 3, 2))
    assert lazy.is_complete and sorted(s.coding_id for s in lazy) == [1, 2, 3]
    lazy = Coverage([tuple(spans[0])], window=(0, 100), rest=lambda: [tuple(s) for s in spans])
    assert lazy.remove(2) == spans[1] and [s.coding_id for s in lazy] == [1]
    # The view is told after the study: the rest read then has the new coding, not the removed one.
    stored = [*spans, Span(20, 30, 3, 2)]
    lazy = Coverage([tuple(spans[0])], window=(0, 100), rest=lambda: [tuple(s) for s in stored])
    lazy.add(stored[-1])
    assert sorted(lazy) == sorted(stored)
    lazy = Coverage([tuple(spans[0])], window=(0, 100), rest=lambda: [tuple(spans[1])])
    assert lazy.remove(1) == spans[0] and list(lazy) == [spans[1]]


# -- in the app -------------------------------------------------------------------------------


def _long_study(tmp_path: Path) -> tuple[Path, int, dict[int, int]]:
    """A study with one transcript of some 8,000 words (many screens at 100×30) coded
    throughout, with a coding longer than a turn and a memo near the end. Returns the path,
    the document id and {coding id: code id}."""
    rng = random.Random(5)
    words = "ik wij thuis school geld hulp coach kinderen werk moeilijk goed samen huis week".split()
    turns = []
    for n in range(240):
        speaker = "I" if n % 2 == 0 else "R"
        sentences = [
            " ".join(rng.choice(words) for _ in range(rng.randint(4, 14))).capitalize() + "." for _ in range(3)
        ]
        turns.append(f"[00:{n // 60:02d}:{n % 60:02d}] {speaker}: {' '.join(sentences)}")
    text = "\n".join(turns) + "\n"
    path = tmp_path / "long.qualcode"
    codings: dict[int, int] = {}
    with Study.create(path, "lang") as study:
        study.set_coder("tester")
        for book in sorted(CODEBOOKS.glob("*.yaml")):
            study.import_codebook(book)
        document = study.add_document(text, title="Lang gesprek", source_name="lang.txt", metadata={"role": "ouder"})
        leaves = [c.id for c in study.codes() if c.parent_id is not None]
        bounds = study.sentence_bounds(document)
        for index, (start, end) in enumerate(bounds):
            if index % 2 == 0:
                code = leaves[index % len(leaves)]
                codings[study.add_coding(document, code, start, end).id] = code
        whole = study.add_coding(document, leaves[0], bounds[10][0], bounds[200][1])  # longer than the window
        codings[whole.id] = leaves[0]
        last = study.add_coding(document, leaves[1], bounds[-1][0], bounds[-1][1])
        codings[last.id] = leaves[1]
        study.set_coding_memo(last.id, "Het einde.")
    return path, document, codings


def _lines(view) -> list[tuple[str, list]]:
    """The view's lines on screen: text and styles of every segment."""
    height = view.scrollable_content_region.height
    out = []
    for y in range(height):
        strip = view.render_line(y)
        out.append((strip.text, [segment.style for segment in strip]))
    return out


def _status(main) -> str:
    bar = main.query_one(StatusBar)
    return "\n".join(line.text for line in bar.render_lines(bar.region.reset_offset))


async def test_a_long_transcript_paints_the_same_before_and_after_the_rest_is_read(tmp_path: Path) -> None:
    path, document_id, codings = _long_study(tmp_path)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = main_screen(app)
        view = main.transcript
        assert view.coverage.is_complete  # read after the first frame
        assert len(view.coverage) == len(codings)
        assert {s.coding_id: s.code_id for s in view.coverage} == codings

        # Far into the text (as search's and the memo overview's jumps do): the window is there.
        far = app.study.sentence_bounds(document_id)[-40]
        main.open_document(document_id, select=far)
        assert not view.coverage.is_complete
        view._cache.clear()
        windowed = _lines(view)
        said = _status(main)
        view.coverage.complete()
        view._cache.clear()
        assert _lines(view) == windowed
        main.update_status()
        assert _status(main) == said
        await pilot.pause()

        # The first sentence, reopened; then the end of the document (End), with the memo.
        main.open_document(document_id)
        bounds = app.study.sentence_bounds(document_id)
        assert not view.coverage.is_complete and not view.cursor.has_sentences
        assert view.selection == bounds[0]
        first = _lines(view)
        await pilot.pause()
        assert view.coverage.is_complete and view.cursor.has_sentences
        assert view.cursor.sentences == bounds
        view._cache.clear()
        assert _lines(view) == first
        assert any(text[:MARKS].strip() for text, _ in first)  # the gutter shows the codes
        await pilot.press("end")
        await pilot.pause()
        start, end = view.selection
        assert end == app.study.sentence_bounds(document_id)[-1][1]
        here = {s.coding_id for s in view.coverage.at(start)}
        assert here == {c.id for c in app.study.codings_at(document_id, start)}
        line = view.wrapped.line_of(start)
        assert view._paint(line).text[MARKS] == MEMO_MARK
        painted = "\n".join(text for text, _ in _lines(view))
        assert view.text[start:end][: SIZE[0] - GUTTER - 4].split()[0] in painted
        names = {app.study.code(codings[c]).name for c in here}
        assert all(name[:8] in _status(main) for name in names)


async def test_coding_before_the_rest_is_read_keeps_every_coding(tmp_path: Path) -> None:
    path, document_id, codings = _long_study(tmp_path)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = main_screen(app)
        view = main.transcript
        main.open_document(document_id)
        assert not view.coverage.is_complete
        main.action_move("move_sentence", 1)  # a move before the sentences are read reads them
        assert view.selection == app.study.sentence_bounds(document_id)[1]
        code = next(c for c in main.codes.values() if c.parent_id is not None and c.id not in codings.values())
        made = main.apply_code(code.id)  # before the first frame of the reopened document
        assert made is not None
        assert view.coverage.is_complete
        assert len(view.coverage) == len(codings) + 1
        await pilot.pause()
        assert {s.coding_id for s in view.coverage} == {*codings, made.id}


# -- the first frame --------------------------------------------------------------------------


async def test_the_side_panels_come_right_after_the_first_frame_in_the_places_it_kept(
    study_path: Path, monkeypatch
) -> None:
    """The first frame has the panels' places (so the transcript is wrapped once, to the
    width it keeps); the panels are mounted in them right after, with every document and
    code, in the same order as before."""
    seen: dict[str, object] = {}
    counted: list[str] = []  # reads that count every coding: none before the first frame
    original = MainScreen._fill_panels
    rows, coders = Study.document_rows, Study.coders

    async def fill(self: MainScreen, codes) -> None:
        seen.update(
            ready=self.panels_ready,
            width=self.transcript.wrapped.width,
            slots=len(self.query(".panel-slot")),
            counted=list(counted),
        )
        await original(self, codes)

    monkeypatch.setattr(MainScreen, "_fill_panels", fill)
    monkeypatch.setattr(Study, "document_rows", lambda self, **kw: counted.append("rows") or rows(self, **kw))
    monkeypatch.setattr(Study, "coders", lambda self: counted.append("coders") or coders(self))
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        main = main_screen(app)
        assert seen == {"ready": False, "width": main.transcript.wrapped.width, "slots": 2, "counted": []}
        assert counted == ["rows"]
        assert main.panels_ready and not main.query(".panel-slot")
        assert [w.id for w in main.query_one("#panes").children] == ["browser", "transcript", "codebook"]
        assert sorted(main.browser.visible_documents()) == sorted(r["id"] for r in app.study.document_rows())
        assert set(main.codebook._code_nodes) == {c.id for c in app.study.codes()}
        assert main.browser.current == main.document.id
        await pilot.press("b")  # the panels' keys work on the mounted panels
        await pilot.pause()
        assert main.has_class("-hide-browser")


async def test_keys_typed_before_the_side_panels_are_there_wait_for_them(study_path: Path) -> None:
    """A key typed ahead (before the panels are mounted) is handled once they are, in order:
    here "b" hides the browser and "1" codes the selection (the browser counts it)."""
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = main_screen(app)
        typed_early = not main.panels_ready
        await pilot.press("b", "1")
        await pilot.pause()
        assert main.panels_ready
        assert main.has_class("-hide-browser")
        coded = len(main.transcript.coverage)
        assert coded == 1 and app.study.info()["codings"] == 1
        row = next(r for r in main.browser.rows if r["id"] == main.document.id)
        assert int(row["codings"]) == 1
    assert typed_early  # the keys were typed before the panels were there
