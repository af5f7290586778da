"""The footer shows the keys of what has the focus, and is built once per change of keys,
not once per announcement (a screen announces its keys several times while it opens)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from qualcode.tui.widgets.footer import SteadyFooter
from tui_helpers import ScreenApp


class First(Static, can_focus=True):
    BINDINGS = [Binding("f", "noop", "First key")]

    def action_noop(self) -> None:
        pass


class Second(Static, can_focus=True):
    BINDINGS = [Binding("s", "noop", "Second key")]

    def action_noop(self) -> None:
        pass


class KeysScreen(Screen[None]):
    BINDINGS = [Binding("x", "extra", "Extra")]
    AUTO_FOCUS = "#first"

    def __init__(self) -> None:
        super().__init__()
        self.allowed = True

    def compose(self) -> ComposeResult:
        yield First("first", id="first")
        yield Second("second", id="second")
        yield SteadyFooter(compact=True, show_command_palette=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "extra" and not self.allowed else True

    def action_extra(self) -> None:
        pass


def shown(screen: Screen[Any]) -> dict[str, bool]:
    """Description → enabled, of the keys in the footer."""
    return {k.description: not k.has_class("-disabled") for k in screen.query(FooterKey)}


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The descriptions of the footer keys built, in order."""
    made: list[str] = []
    real = FooterKey.__init__

    def counting(self: FooterKey, key: str, key_display: str, description: str, *args: Any, **kwargs: Any) -> None:
        made.append(description)
        real(self, key, key_display, description, *args, **kwargs)

    monkeypatch.setattr(FooterKey, "__init__", counting)
    return made


async def test_the_footer_follows_the_focus_and_is_built_once_per_change(built: list[str]) -> None:
    app = ScreenApp(KeysScreen)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert shown(screen) == {"First key": True, "Extra": True}
        assert sorted(built) == ["Extra", "First key"]  # opening announced the keys three times
        built.clear()

        screen.query_one("#second").focus()
        await pilot.pause()
        await pilot.pause()
        assert shown(screen) == {"Second key": True, "Extra": True}
        assert sorted(built) == ["Extra", "Second key"]
        built.clear()

        screen.allowed = False  # same keys, one disabled: still a change
        screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert shown(screen) == {"Second key": True, "Extra": False}
        built.clear()

        screen.refresh_bindings()  # nothing changed: nothing rebuilt
        await pilot.pause()
        await pilot.pause()
        assert built == [] and shown(screen) == {"Second key": True, "Extra": False}
