"""Small dialogs the retrieval, codebook and search screens share: ask for a line of text,
confirm, pick a code with a fuzzy list; and a command-palette provider that offers every
binding of the current screen, so each key is also reachable by name (ctrl+p).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from qualcode.models import Code

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
.qc-dialog OptionList { height: auto; max-height: 14; }
"""


class BindingCommands(Provider):
    """Every binding of the screen the palette was opened on, by its description."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        found: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        owners = [w for w in (self.focused, self.screen) if w is not None]
        for owner in owners:
            # Only the class's own bindings: inherited widget bindings (cursor keys) are noise.
            for binding in type(owner).__dict__.get("BINDINGS", []):
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                action = binding.action.removeprefix("screen.")
                if action in seen:
                    continue
                seen.add(action)
                keys = binding.key_display or binding.key.split(",")[0]
                found.append((binding.description, f"{keys} — {type(self.screen).__name__}", partial(owner.run_action, binding.action)))
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


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no; y/enter confirm, n/escape cancel."""

    DEFAULT_CSS = "ConfirmScreen { align: center middle; }" + DIALOG_CSS
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="qc-dialog"):
            yield Label(self.question, classes="qc-title")
            if self.detail:
                yield Label(self.detail)
            with Horizontal(classes="qc-buttons"):
                yield Button(self.yes, variant="error", id="confirm-yes")
                yield Button("Cancel", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


TOP_LEVEL = -1
"""What :class:`CodePickerScreen` returns for the "(top level)" choice."""


class CodePickerScreen(ModalScreen[int | None]):
    """Pick a code by typing part of its path (fuzzy, like the command palette).

    Returns the code id, :data:`TOP_LEVEL` for the top-level entry when offered, or None.
    """

    DEFAULT_CSS = "CodePickerScreen { align: center middle; }" + DIALOG_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
    ]

    def __init__(
        self,
        title: str,
        codes: Sequence[Code],
        *,
        offer_top_level: bool = False,
        exclude: set[int] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.codes = [c for c in codes if c.id not in (exclude or set())]
        self.offer_top_level = offer_top_level

    def compose(self) -> ComposeResult:
        with Vertical(classes="qc-dialog"):
            yield Label(self.title_text, classes="qc-title")
            yield Input(placeholder="type to filter codes", id="picker-input")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, query: str) -> None:
        options: list[Option] = []
        if self.offer_top_level and not query:
            options.append(Option("(top level)", id=str(TOP_LEVEL)))
        if query:
            matcher = Matcher(query)
            scored = [(matcher.match(c.path), c) for c in self.codes]
            ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: -s[0])
            options += [Option(matcher.highlight(c.path), id=str(c.id)) for _, c in ranked]
        else:
            options += [Option("  " * c.depth + c.name, id=str(c.id)) for c in self.codes]
        listing = self.query_one("#picker-list", OptionList)
        listing.clear_options()
        listing.add_options(options)
        if options:
            listing.highlighted = 0

    @on(Input.Changed, "#picker-input")
    def filter_codes(self, event: Input.Changed) -> None:
        self._fill(event.value.strip())

    def action_move(self, step: int) -> None:
        listing = self.query_one("#picker-list", OptionList)
        if listing.option_count:
            current = listing.highlighted if listing.highlighted is not None else -step
            listing.highlighted = max(0, min(listing.option_count - 1, current + step))

    @on(Input.Submitted, "#picker-input")
    def choose_highlighted(self) -> None:
        listing = self.query_one("#picker-list", OptionList)
        if listing.highlighted is not None:
            option = listing.get_option_at_index(listing.highlighted)
            self.dismiss(int(option.id or 0))

    @on(OptionList.OptionSelected, "#picker-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
