"""Helpers shared by the TUI tests: start the app on a study and reach its main screen."""

from __future__ import annotations

from pathlib import Path

from qualcode.tui.app import QualcodeApp, make_app
from qualcode.tui.main.screen import MainScreen


def app_for(path: Path) -> QualcodeApp:
    return make_app(path, coder="tester")


def main_screen(app: QualcodeApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


async def open_titled(app: QualcodeApp, pilot, title: str) -> MainScreen:
    """Open the document with this title in the main screen and wait for the repaint."""
    main = main_screen(app)
    main.open_document(app.study.document(title).id)
    await pilot.pause()
    return main
