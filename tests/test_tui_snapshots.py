"""Snapshots of every screen on the sample study: the main screen, the code picker, help,
retrieval, the codebook editor, search, suggestions, each tab of Analyse (Panel included) and
Analyse's drill-down, at 120×40 and at 80×24.

Nothing on these screens depends on the clock, and conftest.py stops text cursors blinking,
so the SVGs are stable. Update with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at every changed SVG before committing it (the sample corpus is in them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import TabbedContent

from qualcode.study.study import Study
from tui_helpers import ScreenApp, app_for

BIG, SMALL = (120, 40), (80, 24)
SIZES = pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x40", "80x24"])


@pytest.fixture
def sample(sample_study_path: Path) -> Iterator[Study]:
    study = Study.open(sample_study_path, coder="tester")
    yield study
    study.close()


def _screen_app(make: Callable[[], Any]) -> ScreenApp:
    return ScreenApp(make)


# -- the app's own screens ---------------------------------------------------------------------


def test_main_screen(snap_compare, sample_study_path):
    async def before(pilot):
        await pilot.press("j", "j", "shift+down")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=(140, 40), run_before=before)


@pytest.mark.parametrize("size", [BIG], ids=["120x40"])
def test_main_screen_opened(snap_compare, sample_study_path, size):
    assert snap_compare(app_for(sample_study_path), terminal_size=size)


def test_main_screen_at_80_by_24(snap_compare, sample_study_path):
    async def before(pilot):
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=SMALL, run_before=before)


def test_code_picker(snap_compare, sample_study_path):
    async def before(pilot):
        main = pilot.app.screen
        main.recent = [main.study.code("Vertrouwensband").id]  # shown first, marked ↺
        await pilot.press("c", *"vtr")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=(120, 40), run_before=before)


async def _help(pilot) -> None:
    await pilot.press("question_mark")
    await pilot.pause()


def test_help_screen(snap_compare, sample_study_path):
    assert snap_compare(app_for(sample_study_path), terminal_size=BIG, run_before=_help)


def test_help_screen_at_80_by_24(snap_compare, sample_study_path):
    assert snap_compare(app_for(sample_study_path), terminal_size=SMALL, run_before=_help)


# -- the screens on their own ------------------------------------------------------------------


@SIZES
def test_retrieval(snap_compare, sample, size):
    from qualcode.tui.screens.retrieval import RetrievalScreen

    app = _screen_app(lambda: RetrievalScreen(sample, codes=["Vertrouwensband"]))
    assert snap_compare(app, terminal_size=size)


@SIZES
def test_codebook_editor(snap_compare, sample, size):
    from qualcode.tui.screens.codebook_editor import CodebookEditorScreen

    assert snap_compare(_screen_app(lambda: CodebookEditorScreen(sample)), terminal_size=size)


@SIZES
def test_search(snap_compare, sample, size):
    from qualcode.tui.screens.search import SearchScreen

    app = _screen_app(lambda: SearchScreen(sample, None, query="thuis"))

    async def before(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)


@SIZES
def test_suggestions(snap_compare, sample_trained_path, size):
    """The suggestions of the models trained once per session (conftest's
    ``sample_trained_built``): the screen shows their kept ranking at once."""
    from qualcode.tui.screens.suggestions import SuggestionsScreen

    study = Study.open(sample_trained_path, coder="tester")

    async def before(pilot):
        await pilot.pause()  # the screen paints, then shows the kept ranking
        screen = pilot.app.screen
        assert isinstance(screen, SuggestionsScreen) and screen.candidates
        assert not screen.stale and not pilot.app.workers  # nothing to train: it fits the study
        await pilot.pause()

    try:
        assert snap_compare(_screen_app(lambda: SuggestionsScreen(study)), terminal_size=size, run_before=before)
    finally:
        study.close()


async def filled(pilot, selector: str) -> Any:
    """The table, once its rows are in (a Table is filled once laid out)."""
    table = pilot.app.screen.query_one(selector)
    for _ in range(50):
        if table.row_count:
            break
        await pilot.pause()
    return table


ANALYSE_TABS = ["tab-frequencies", "tab-matrix", "tab-cooccurrence", "tab-compare", "tab-agreement", "tab-panel"]


@pytest.mark.parametrize(
    ("tab", "size"),
    [(tab, size) for tab in ANALYSE_TABS for size in (BIG, SMALL)],
    ids=[f"{t.removeprefix('tab-')}-{w}x{h}" for t in ANALYSE_TABS for w, h in (BIG, SMALL)],
)
def test_analyse(snap_compare, sample, tab, size):
    from qualcode.tui.screens.analyse import AnalyseScreen

    async def before(pilot):
        await pilot.pause()  # the tabs are mounted (mounting activates the first tab)
        pilot.app.screen.query_one("#analyse-tabs", TabbedContent).active = tab
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()  # a table is filled once laid out

    assert snap_compare(_screen_app(lambda: AnalyseScreen(sample)), terminal_size=size, run_before=before)


@SIZES
def test_analyse_drill_down(snap_compare, sample, size):
    """The fragments behind a frequency, their text on screen and in full below."""
    from qualcode.tui.screens.analyse import AnalyseScreen

    async def before(pilot):
        (await filled(pilot, "#frequencies")).move_to_row(1)
        await pilot.press("enter")
        await pilot.pause()
        (await filled(pilot, "#fragment-list")).move_to_row(2)
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(_screen_app(lambda: AnalyseScreen(sample)), terminal_size=size, run_before=before)


@SIZES
def test_analyse_frequency_chart(snap_compare, sample, size):
    """g on Frequencies: the highlighted code and its siblings as bars (textual-plotext)."""
    from qualcode.tui.screens.analyse import AnalyseScreen

    async def before(pilot):
        (await filled(pilot, "#frequencies")).move_to_row(2)
        await pilot.press("g")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(_screen_app(lambda: AnalyseScreen(sample)), terminal_size=size, run_before=before)
