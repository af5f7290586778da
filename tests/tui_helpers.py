"""Helpers shared by the TUI tests: start the app on a study and reach its main screen, or host
one screen on its own (:class:`ScreenApp`, the one host app); answer prompts and pickers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import Input

from qualcode.study.study import Study
from qualcode.tui.app import QualcodeApp, make_app
from qualcode.tui.dialogs.prompts import PromptScreen
from qualcode.tui.main.screen import MainScreen
from qualcode.tui.messages import JumpTo, StudyChanged


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


class ScreenApp(App[None]):
    """The one host app for testing a screen on its own: pushes the screen ``make`` builds and
    records what the screen tells the app (jumps as (document, start, end), study changes)."""

    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make = make
        self.jumps: list[tuple[int, int, int]] = []
        self.changes: list[StudyChanged] = []

    def on_mount(self) -> None:
        self.push_screen(self.make())

    def on_jump_to(self, message: JumpTo) -> None:
        self.jumps.append((message.document_id, message.start, message.end))

    def on_study_changed(self, message: StudyChanged) -> None:
        self.changes.append(message)


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
    return {int(f["id"]) for f in study.fragments(codes=[code_id], include_children=False)}
