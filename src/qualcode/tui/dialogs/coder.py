"""Who is coding: pick one of the study's coders or type a new name.

Shown when a study opens without a chosen coder (see :mod:`qualcode.core.config`), always
with ``qualcode open --ask-coder`` (each browser tab of ``qualcode serve`` is its own person),
and from the palette ("Switch coder").
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qualcode.tui.dialogs.prompts import DIALOG_CSS


class CoderScreen(ModalScreen[str | None]):
    """Dismisses with the coder's name; None only when ``can_cancel`` (a coder is already set)."""

    DEFAULT_CSS = (
        "CoderScreen { align: center middle; } CoderScreen OptionList { height: auto; max-height: 12; }" + DIALOG_CSS
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="coder.cancel"),
        Binding("down", "to_list", "Existing coders", show=False, id="coder.to-list"),
    ]

    def __init__(self, coders: Sequence[str], *, current: str | None = None, can_cancel: bool = False) -> None:
        super().__init__()
        self.coders = sorted(set(coders), key=str.casefold)
        self.current = current
        self.can_cancel = can_cancel

    def compose(self) -> ComposeResult:
        with Vertical(classes="qc-dialog"):
            now = f" Now: {self.current}." if self.current else ""
            yield Label(f"Who is coding?{now} Pick a name below or type a new one (Enter).", classes="qc-title")
            yield Input(placeholder="your name as a coder, e.g. onderzoeker-b", id="coder-name")
            yield Label("", classes="qc-error", id="coder-error")
            options = [Option(name, id=f"c{i}") for i, name in enumerate(self.coders)]
            yield OptionList(*options, id="coder-list")

    def on_mount(self) -> None:
        self.query_one("#coder-list").display = bool(self.coders)
        self.query_one("#coder-name", Input).focus()

    @on(Input.Changed, "#coder-name")
    def _filter(self, event: Input.Changed) -> None:
        typed = event.value.strip().casefold()
        shown = [c for c in self.coders if typed in c.casefold()]
        options = self.query_one("#coder-list", OptionList)
        options.clear_options()
        options.add_options([Option(name) for name in shown])
        options.display = bool(shown)

    @on(Input.Submitted, "#coder-name")
    def _typed(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            options = self.query_one("#coder-list", OptionList)
            if options.option_count == 1:  # the filter left one: Enter takes it
                self.dismiss(str(options.get_option_at_index(0).prompt))
                return
            self.query_one("#coder-error", Label).update("A coder needs a name.")
            return
        # A name typed in another case is the same person: keep the study's spelling.
        existing = next((c for c in self.coders if c.casefold() == name.casefold()), name)
        self.dismiss(existing)

    @on(OptionList.OptionSelected, "#coder-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.prompt))

    def action_to_list(self) -> None:
        options = self.query_one("#coder-list", OptionList)
        if options.display and options.option_count:
            options.focus()
            if options.highlighted is None:
                options.highlighted = 0

    def action_cancel(self) -> None:
        if self.can_cancel:
            self.dismiss(None)
        else:
            self.query_one("#coder-error", Label).update("Choose who is coding first (ctrl+q quits).")
