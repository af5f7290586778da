"""Small dialogs the retrieval, codebook and search screens share: ask for a line of text,
pick a code (the app's fuzzy picker over code paths); and a command-palette provider that offers every
binding of the current screen, so each key is also reachable by name (ctrl+p).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from qualcode.core.models import Code
from qualcode.tui.dialogs.picker import PickerScreen, PickItem

DIALOG_CSS = """
.qc-dialog {
    width: 70;
    max-width: 100%;
    height: auto;
    max-height: 90%;
    padding: 0 1;
    border: thick $primary;
    background: $surface;
}
.qc-dialog .qc-title { text-style: bold; width: 1fr; padding-bottom: 1; }
.qc-dialog .qc-error { color: $error; height: auto; }
.qc-dialog .qc-buttons { height: auto; align-horizontal: right; padding-top: 1; }
.qc-dialog .qc-buttons Button { margin-left: 1; min-width: 10; }
"""


class BindingCommands(Provider):
    """Every binding of the screen the palette was opened on (and of the widget that had
    focus), named by its tooltip, or its footer description when it has none."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        found: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        names: set[str] = set()
        owners = [w for w in (self.screen, self.focused) if w is not None]
        for owner in owners:
            # Only the class's own bindings: inherited widget bindings (cursor keys) are noise.
            for binding in type(owner).__dict__.get("BINDINGS", []):
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                action = binding.action.removeprefix("screen.")
                name = binding.tooltip or binding.description
                if action in seen or name in names:
                    continue
                seen.add(action)
                names.add(name)
                keys = self.app.get_key_display(binding)
                found.append((name, keys, partial(owner.run_action, binding.action)))
        return found

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text (a file name, a code name). Returns None when cancelled.

    ``check`` may raise ValueError (or QualcodeError) with a message; the dialog then shows
    the message and stays open, so a typo costs one keystroke, not the whole dialog.
    """

    DEFAULT_CSS = "PromptScreen { align: center middle; }" + DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        value: str = "",
        *,
        placeholder: str = "",
        check: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="qc-dialog"):
            yield Label(self.title_text, classes="qc-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label("", classes="qc-error", id="prompt-error")
            with Horizontal(classes="qc-buttons"):
                yield Button("OK", variant="primary", id="prompt-ok")
                yield Button("Cancel", id="prompt-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#prompt-ok")
    def submit(self) -> None:
        value = self.query_one("#prompt-input", Input).value.strip()
        if self.check is not None:
            try:
                self.check(value)
            except Exception as exc:  # the checker's message is for the user
                self.query_one("#prompt-error", Label).update(str(exc))
                return
        self.dismiss(value)

    @on(Button.Pressed, "#prompt-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


TOP_LEVEL = -1
"""What :func:`code_picker` returns for the "(top level)" choice."""


def code_picker(
    title: str, codes: Sequence[Code], *, offer_top_level: bool = False, exclude: set[int] | None = None
) -> PickerScreen:
    """The app's fuzzy picker over code paths; it dismisses with a code id, :data:`TOP_LEVEL`
    (when offered) or None."""
    items = [PickItem(TOP_LEVEL, Text("(top level)", style="italic"), "(top level)")] if offer_top_level else []
    items += [
        PickItem(
            c.id,
            Text.assemble(("  " * c.depth), c.name, (f"  {c.path}" if c.depth else "", "dim")),
            c.path,
            detail=c.description,
        )
        for c in codes
        if c.id not in (exclude or set())
    ]
    return PickerScreen(title, items, placeholder="type a few letters of the code")
