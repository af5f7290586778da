"""Issue 16's trial, where the feature tests left a size out: on the sample study at 120×40 and
80×24, Analyse's filter row is on screen (not above the fold) and the first column of its
tables and of Retrieval's stays in view when the table scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from qualcode.study.study import Study
from qualcode.tui.screens.analyse import AnalyseScreen
from qualcode.tui.screens.retrieval import RetrievalScreen
from qualcode.tui.widgets.table import Table
from tui_helpers import ScreenApp

SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])


@pytest.fixture
def sample(sample_study_path: Path) -> Iterator[Study]:
    study = Study.open(sample_study_path, coder="tester")
    yield study
    study.close()


async def _filled(pilot, table: Table) -> None:
    for _ in range(50):
        if table.row_count:
            return
        await pilot.pause()


async def _first_column_stays(pilot, table: Table) -> None:
    """Scrolled as far right as it goes, each row still begins with its first cell."""
    await _filled(pilot, table)
    assert table.row_count and table.fixed_columns == 1
    first = [str(table.get_row_at(r)[0]).strip() for r in range(min(3, table.row_count))]
    table.scroll_to(x=table.max_scroll_x, animate=False)
    await pilot.pause()
    for r, name in enumerate(first):
        painted = table.render_line(r + 1).text  # line 0 is the header
        assert painted.lstrip().startswith(name[:8]), (painted, name)


@SIZES
async def test_analyse_keeps_its_filter_row_in_view_and_its_first_column_frozen(sample: Study, size) -> None:
    app = ScreenApp(lambda: AnalyseScreen(sample))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        row = screen.query_one("#analyse-filters")
        assert row.region.height >= 1 and 0 <= row.region.y < size[1] // 2  # at the top, not above the fold
        assert screen.query_one("#a-coder").region.right <= size[0]
        for tab, table_id in (("tab-frequencies", "#frequencies"), ("tab-compare", "#compare")):
            screen.query_one("#analyse-tabs", TabbedContent).active = tab
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await _first_column_stays(pilot, screen.query_one(table_id, Table))


@SIZES
async def test_retrieval_keeps_its_first_column_frozen(sample: Study, size) -> None:
    app = ScreenApp(lambda: RetrievalScreen(sample, codes=["Vertrouwensband"]))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await _first_column_stays(pilot, app.screen.query_one("#fragments", Table))
