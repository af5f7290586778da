"""The Analyse screen's Panel tab: rows are cases, columns code presence and variables per
wave, and Enter on a cell lists that case's fragments at that wave."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, TabbedContent

from qualcode.study.study import Study
from qualcode.tui.screens.analyse import AnalyseScreen, FragmentsScreen
from test_analysis_tui import cell
from test_panel import CASES, panel_path  # noqa: F401  (the fixture)
from tui_helpers import ScreenApp


async def test_panel_tab_and_drill_down(panel_path: Path) -> None:  # noqa: F811
    with Study.open(panel_path, coder="tester") as study:
        app = ScreenApp(lambda: AnalyseScreen(study))
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AnalyseScreen)
            screen.query_one("#analyse-tabs", TabbedContent).active = "tab-panel"
            await pilot.pause()
            await pilot.pause()  # a table is filled once laid out
            table = screen.query_one("#panel", DataTable)
            labels = [str(c.label) for c in table.columns.values()]
            assert labels == [
                "Case",
                "Thema @1",
                "Thema @2",
                "Schaamte @1",
                "Schaamte @2",
                "Vertrouwen @1",
                "Vertrouwen @2",
                "niveau @1",
                "niveau @2",
                "score @1",
                "score @2",
            ]
            assert [cell(table, r, 0) for r in range(table.row_count)] == CASES
            # G-1: Schaamte at wave 1 only, Vertrouwen at wave 2 only; G-6 not interviewed at 2.
            assert [cell(table, 0, c) for c in (3, 4, 5, 6, 9, 10)] == ["●", "·", "·", "●", "5", "6"]
            assert cell(table, 5, 6) == "—" and cell(table, 5, 10) == ""
            # Enter on G-3's Schaamte at wave 1: bram's coding in G-3's wave-1 interview.
            table.move_cursor(row=2, column=3)
            table.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, FragmentsScreen)
            assert app.screen.heading == "Thema/Schaamte — Case G-3, wave 1"
            assert [(f["document"], f["coder"]) for f in app.screen.fragments] == [("G-3-1", "bram")]
            await pilot.press("escape")
            await pilot.pause()
            # On a variable column: every fragment of the case at that wave.
            table.move_cursor(row=0, column=10)
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen.heading == "Case G-1, wave 2"
            assert [f["code"] for f in app.screen.fragments] == ["Thema/Vertrouwen"]
