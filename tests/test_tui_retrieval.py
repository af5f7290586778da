"""The retrieval screen: fragments of one or more codes (any/all), filters, order, the coder
column, jumping to a fragment and back, and the CSV export of what is shown."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable, Input, Label, Select

from qualcode.exchange.csv import FRAGMENT_COLUMNS
from qualcode.study.study import Study
from qualcode.tui.screens.retrieval import RetrievalScreen, intersect_spans, merge_spans
from tui_helpers import ScreenApp, answer, app_for, main_screen, pick

SIZE = (100, 32)


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


async def test_escape_in_a_filter_returns_to_the_fragments_and_escape_there_closes(study_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await pilot.pause()
        screen = app.screen
        await pilot.press("f")
        assert isinstance(app.focused, Select)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert app.focused is screen.query_one("#fragments", DataTable)
        await pilot.press("escape")
        await pilot.pause()
        main_screen(app)


def _headers(screen: RetrievalScreen) -> list[str]:
    return [str(c.label) for c in screen.query_one("#fragments", DataTable).columns.values()]


async def test_coder_column_only_when_fragments_come_from_several_coders(sample_study: Study):
    app = ScreenApp(lambda: RetrievalScreen(sample_study, codes=["Vertrouwensband"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert len({p.coder for p in screen.passages}) > 1
        assert "Coder" in _headers(screen)
        row = screen.query_one("#fragments", DataTable).get_row_at(0)
        assert screen.passages[0].coder in [str(cell) for cell in row]
        screen.query_one("#f-coder", Select).value = "onderzoeker-a"
        await pilot.pause()
        assert {p.coder for p in screen.passages} == {"onderzoeker-a"}
        assert "Coder" not in _headers(screen)


async def test_fragments_are_ordered_by_organisation_project_document_position(sample_study: Study):
    app = ScreenApp(lambda: RetrievalScreen(sample_study))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        passages = app.screen.passages
        keys = [(p.organisation or "", p.project or "", p.document, p.start) for p in passages]
        assert len(passages) == len(sample_study.fragments()) > 100
        assert keys == sorted(keys)


async def test_r_after_a_jump_comes_back_to_the_same_retrieval(sample_study_path: Path):
    app = app_for(sample_study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R", "c", *"vertrouwensband")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RetrievalScreen)
        screen.query_one("#f-role", Select).value = "ouder"
        await pilot.pause()
        shown = [p.coding_id for p in screen.passages]
        await pilot.press("down", "down")
        target = screen.passages[2]
        await pilot.press("enter")  # jump into the document
        await pilot.pause()
        main = main_screen(app)
        assert (main.document.id, main.transcript.selection) == (target.document_id, (target.start, target.end))
        await pilot.press("R")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, RetrievalScreen) and again is not screen
        assert [p.coding_id for p in again.passages] == shown
        assert again.filters()["role"] == "ouder"
        assert again.current() == target  # the cursor where it was


async def test_export_name_carries_the_filters(sample_study: Study):
    app = ScreenApp(lambda: RetrievalScreen(sample_study, codes=["Vertrouwensband"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.default_export_name() == "fragmenten-vertrouwensband.csv"
        screen.query_one("#f-role", Select).value = "ouder"
        await pilot.pause()
        assert screen.default_export_name() == "fragmenten-vertrouwensband-ouder.csv"
