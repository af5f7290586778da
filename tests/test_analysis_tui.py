"""The AnalyseScreen in a small test app: tables filled from the study, filters, measures,
drill-down to fragments and the jump back to the document."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Select, TabbedContent

from qualcode.study.study import Study
from qualcode.tui.screens.analyse import AnalyseScreen, FragmentsScreen
from test_analysis_figures import build_fixed
from tui_helpers import ScreenApp


@pytest.fixture
def fixed(tmp_path: Path):
    study = build_fixed(tmp_path / "vast.qualcode")
    yield study
    study.close()


def cell(table: DataTable, row: int, column: int) -> str:
    value = table.get_cell_at((row, column))
    return getattr(value, "plain", str(value))


def column(table: DataTable, label: str) -> int:
    """The index of the column whose label starts with ``label``."""
    labels = [str(c.label) for c in table.columns.values()]
    return next(i for i, shown in enumerate(labels) if shown.startswith(label))


async def test_frequencies_tab_and_drill_down_jump(fixed: Study) -> None:
    app = ScreenApp(lambda: AnalyseScreen(fixed))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnalyseScreen)
        table = screen.query_one("#frequencies", DataTable)
        paths = [c.path for c in fixed.codes()]
        vb_row = paths.index("Relatie/Vertrouwensband")
        # codings, passages (d2's two overlapping codings are one), documents, coded words
        figures = [column(table, label) for label in ("Codings", "Passages", "Documents", "Words")]
        assert [cell(table, vb_row, i) for i in figures] == ["4", "3", "3", "6"]
        table.move_cursor(row=vb_row)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FragmentsScreen)
        assert len(app.screen.fragments) == 4
        first = app.screen.fragments[0]
        await pilot.press("enter")
        await pilot.pause()
        assert app.jumps and app.jumps[0] == (
            first["document_id"],
            first["start"],
            first["end"],
        )
        assert isinstance(app.screen, AnalyseScreen)


async def test_filters_and_matrix_measure(fixed: Study) -> None:
    app = ScreenApp(lambda: AnalyseScreen(fixed))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#a-coder", Select).value = "b"
        await pilot.pause()
        table = screen.query_one("#frequencies", DataTable)
        vb_row = [c.path for c in fixed.codes()].index("Relatie/Vertrouwensband")
        assert cell(table, vb_row, column(table, "Codings")) == "1"
        screen.query_one("#a-coder", Select).clear()
        screen.query_one("#analyse-tabs", TabbedContent).active = "tab-matrix"
        await pilot.pause()  # the tab is built when first shown
        await pilot.pause()
        screen.query_one("#m-measure", Select).value = "count"
        await pilot.pause()
        matrix = screen.query_one("#matrix", DataTable)
        assert cell(matrix, vb_row, 1) == "3" and cell(matrix, vb_row, 2) == "1"  # A, B
        matrix.focus()
        matrix.move_cursor(row=vb_row, column=2)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FragmentsScreen)
        assert [f["document"] for f in app.screen.fragments] == ["d4"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AnalyseScreen)


async def test_cooccurrence_and_compare_tabs(fixed: Study) -> None:
    app = ScreenApp(lambda: AnalyseScreen(fixed))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#analyse-tabs", TabbedContent).active = "tab-cooccurrence"
        await pilot.pause()
        await pilot.pause()
        table = screen.query_one("#cooccurrence", DataTable)
        codes = [p for _, p in screen._cooc.codes]
        a, b = codes.index("Relatie/Vertrouwensband"), codes.index("Relatie/Huisbezoek")
        assert cell(table, a, b + 1) == "1"
        table.focus()
        table.move_cursor(row=a, column=b + 1)
        await pilot.press("enter")
        await pilot.pause()
        assert {(f["document"], f["start"], f["end"]) for f in app.screen.fragments} == {("d1", 0, 8), ("d1", 4, 13)}
        await pilot.press("escape")
        screen.query_one("#analyse-tabs", TabbedContent).active = "tab-compare"
        await pilot.pause()
        await pilot.pause()  # a table is filled once laid out
        compare = screen.query_one("#compare", DataTable)
        details = []
        for row in range(compare.row_count):  # the sentence is the highlighted row's detail line
            compare.move_cursor(row=row)
            details.append(str(compare.detail_text()))
        assert any(t.startswith("Relatie/Vertrouwensband: in 2 of 3 in A") for t in details)


async def test_tabs_are_filled_when_shown_and_refilled_after_a_filter_change(fixed: Study) -> None:
    app = ScreenApp(lambda: AnalyseScreen(fixed))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not screen.query("#compare")  # neither built nor computed while nobody looks at it
        assert screen._compare is None
        screen.query_one("#analyse-tabs", TabbedContent).active = "tab-compare"
        await pilot.pause()
        await pilot.pause()  # a table is filled once laid out
        compare = screen.query_one("#compare", DataTable)
        assert compare.row_count > 0
        screen.query_one("#analyse-tabs", TabbedContent).active = "tab-frequencies"
        await pilot.pause()
        screen.query_one("#a-organisation", Select).value = "A"
        await pilot.pause()
        assert compare.row_count > 0 and "tab-compare" in screen._stale  # refilled when shown again


async def test_compare_follows_the_grouping_chosen_on_the_matrix_tab(fixed: Study) -> None:
    """The Compare tab groups by the Matrix tab's "by": changing it must refill the
    comparison, not leave the one by the old grouping on screen."""
    app = ScreenApp(lambda: AnalyseScreen(fixed))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        tabs = screen.query_one("#analyse-tabs", TabbedContent)
        tabs.active = "tab-compare"
        await pilot.pause()
        await pilot.pause()
        assert screen._compare.by == "organisation"
        tabs.active = "tab-matrix"
        await pilot.pause()
        await pilot.pause()  # the tab is built when first shown
        screen.query_one("#m-by", Select).value = "role"
        await pilot.pause()
        tabs.active = "tab-compare"
        await pilot.pause()
        await pilot.pause()
        assert screen._compare.by == "role"
