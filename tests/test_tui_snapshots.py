"""Snapshots of the main screen, the code picker and the help screen on the sample study.

Nothing on these screens depends on the clock; the input cursor's blink is switched off so
the SVGs are stable. Update with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from textual.widgets import Input

from tui_helpers import app_for


def _steady(app) -> None:
    for box in app.screen.query(Input):
        box.cursor_blink = False


def test_main_screen(snap_compare, sample_study_path):
    async def before(pilot):
        await pilot.press("j", "j", "shift+down")
        await pilot.pause()
        _steady(pilot.app)

    assert snap_compare(app_for(sample_study_path), terminal_size=(140, 40), run_before=before)


def test_main_screen_at_80_by_24(snap_compare, sample_study_path):
    async def before(pilot):
        await pilot.pause()
        _steady(pilot.app)

    assert snap_compare(app_for(sample_study_path), terminal_size=(80, 24), run_before=before)


def test_code_picker(snap_compare, sample_study_path):
    async def before(pilot):
        main = pilot.app.screen
        main.recent = [main.study.code("Vertrouwensband").id]  # shown first, marked ↺
        await pilot.press("c", *"vtr")
        await pilot.pause()
        _steady(pilot.app)

    assert snap_compare(app_for(sample_study_path), terminal_size=(120, 40), run_before=before)


def test_help_screen(snap_compare, sample_study_path):
    async def before(pilot):
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=(120, 40), run_before=before)
