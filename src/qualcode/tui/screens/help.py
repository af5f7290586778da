"""The help screen: every key of the screen below it, read from its live bindings.

Reading the bindings (not a hand-written list) keeps the help right when a user remaps keys
in their config.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def key_table(entries: Iterable[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for keys, description in entries:
        table.add_row(keys, description)
    return table


def screen_keys(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for every described binding active on ``screen`` (the focused
    widget's and the screen's, keymap applied), one line per action, and the palette."""
    seen: dict[str, tuple[str, str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        display = screen.app.get_key_display(binding)
        if binding.action in seen:
            keys, description = seen[binding.action]
            if display not in keys.split(", "):
                seen[binding.action] = (f"{keys}, {display}", description)
        else:
            seen[binding.action] = (display, binding.tooltip or binding.description)
    seen.setdefault("command_palette", ("ctrl+p", "Command palette: every action by name"))
    entries = list(seen.values())
    # What has no key here is still one palette search away: say so, so it can be found.
    from qualcode.tui.palette.commands import APP_ACTIONS

    bound = {a.removeprefix("app.") for a in seen} | set(seen)
    more = [name for name, action in APP_ACTIONS if action not in bound and action.removeprefix("app.") not in bound]
    if more:
        entries.append(("", ""))
        entries.append(("ctrl+p, then", "(type a few letters of any of these)"))
        entries += [("", name) for name in more]
    return entries


class HelpScreen(ModalScreen[None]):
    """Keys and what they do; Escape, q or ? closes."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close help", id="help.close")]

    def __init__(self, entries: list[tuple[str, str]], intro: str = "") -> None:
        super().__init__()
        self.entries = entries
        self.intro = intro

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            if self.intro:
                yield Static(self.intro, id="help-intro")
            with VerticalScroll(id="help-scroll"):
                yield Static(key_table(self.entries), id="help-keys")
            yield Static('Esc closes · keys can be remapped in config.json ("keymap": {id: key})', id="help-foot")

    def action_close(self) -> None:
        self.dismiss(None)
