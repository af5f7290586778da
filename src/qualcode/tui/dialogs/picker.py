"""A fuzzy picker: type a few letters, Enter. Used to choose a code, a coding, a document.

Matching is by subsequence over the item's search text (a code's full path), with bonuses for
letters at word starts and in runs, as in editors' "go to file" pickers, so ``vtb`` finds
"Relatie/Vertrouwensband" and ``ger`` "Gezien en gehoord worden".

Typing a whole name must find that code first, whatever its letters score: an exact name or
path match outranks every other, a prefix of the code's own name comes next, then the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

_SEPARATORS = " /-_().,"
EXACT = 10_000.0
"""Added for an exact name or path match: above any subsequence score."""
PREFIX = 5_000.0
"""Added when the query starts the item's own name (the last path segment)."""


def _tier(query: str, text: str) -> float:
    """The rank bonus of ``text`` for ``query``: exact match, prefix of the own name, or none."""
    wanted = " ".join(query.casefold().split())
    folded = " ".join(text.casefold().split())
    name = folded.rsplit("/", 1)[-1].strip()
    if wanted in (folded, name):
        return EXACT
    if name.startswith(wanted):
        return PREFIX
    return 0.0


def fuzzy_score(query: str, text: str) -> float | None:
    """How well ``query`` matches ``text`` (higher is better), or None when its letters are not
    a subsequence of ``text``."""
    tier = _tier(query, text) if query.strip() else 0.0
    query = "".join(query.casefold().split())
    if not query:
        return 0.0
    folded = text.casefold()
    score = 0.0
    position = 0
    previous = -2
    for char in query:
        found = folded.find(char, position)
        if found == -1:
            return None
        if found == previous + 1:
            score += 3  # runs of letters
        if found == 0 or folded[found - 1] in _SEPARATORS:
            score += 5  # word starts
        score -= 0.1 * (found - position)  # letters skipped
        previous = found
        position = found + 1
    # Matching near the end of a path means the code's own name, not its parent.
    last = folded.rfind("/")
    if last != -1 and folded.find(query[0], last) != -1:
        score += 2
    return tier + score - 0.01 * len(text)


@dataclass(frozen=True)
class PickItem:
    """One choice: what is returned, what is shown, what is matched."""

    value: Any
    label: Text | str
    search: str
    recent: bool = False
    detail: str = ""
    """Shown under the list while the item is highlighted (a code's definition)."""


_CREATE = object()
"""The value of the "new code" row the picker adds when it may create one."""


class PickerScreen(ModalScreen[Any]):
    """Choose one item by fuzzy search; dismisses with its value, or None on Escape."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "cursor(1)", "Next", show=False, id="picker.down"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="picker.up"),
    ]

    def __init__(
        self,
        title: str,
        items: Sequence[PickItem],
        *,
        placeholder: str = "type to filter",
        create: Callable[[str], Any] | None = None,
    ) -> None:
        """``create`` (a name → the new item's value, raising QualcodeError to refuse) lets
        the researcher make a code that is not there yet: type its name, Enter, confirm."""
        super().__init__()
        self.title_text = title
        self.items = list(items)
        self.placeholder = placeholder
        self.create = create
        self.shown: list[PickItem] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(self.title_text, id="picker-title")
            yield Input(placeholder=self.placeholder, id="picker-input")
            yield OptionList(id="picker-options")
            yield Static("", id="picker-detail")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-input", Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        if query.strip():
            scored = [(fuzzy_score(query, item.search), i, item) for i, item in enumerate(self.items)]
            ranked = sorted((s for s in scored if s[0] is not None), key=lambda s: (-s[0], s[1]))  # type: ignore[operator]
            self.shown = [item for _, _, item in ranked]
        else:
            recent = [item for item in self.items if item.recent]
            self.shown = recent + [item for item in self.items if not item.recent]
        name = " ".join(query.split())
        if self.create is not None and name and not any(_tier(name, item.search) == EXACT for item in self.items):
            new = Text.assemble(("+ ", "bold green"), ("new code ", "italic"), (f"“{name}”", "bold"))
            self.shown.append(PickItem(_CREATE, new, name, detail="Enter, then y: create this code at the top level"))
        prompts: list[Option | None] = []
        for i, item in enumerate(self.shown):
            label = Text.assemble(("↺ ", "bold") if item.recent and not query.strip() else "  ", item.label)
            label.no_wrap, label.overflow = True, "ellipsis"  # one line per choice keeps the list scannable
            prompts.append(Option(label, id=str(i)))
        options.add_options(prompts)
        if self.shown:
            options.highlighted = 0
        self._detail(0 if self.shown else None)

    def _detail(self, index: int | None) -> None:
        detail = self.query_one("#picker-detail", Static)
        item = self.shown[index] if index is not None and 0 <= index < len(self.shown) else None
        detail.update(Text(item.detail if item and item.detail else "", style="italic"))
        detail.display = bool(item and item.detail)

    @on(OptionList.OptionHighlighted, "#picker-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._detail(event.option_index)

    def _choose(self, item: PickItem) -> None:
        if item.value is not _CREATE:
            self.dismiss(item.value)
            return
        from qualcode.core.errors import QualcodeError
        from qualcode.tui.dialogs.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if not yes or self.create is None:
                return
            try:
                value = self.create(item.search)
            except QualcodeError as exc:
                self.notify(str(exc), severity="error")
                return
            self.dismiss(value)

        self.app.push_screen(ConfirmScreen(f"Create the code “{item.search}” at the top level?"), confirmed)

    @on(Input.Changed, "#picker-input")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is not None and self.shown:
            self._choose(self.shown[options.highlighted])
        else:
            self.app.bell()

    @on(OptionList.OptionSelected, "#picker-options")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self._choose(self.shown[event.option_index])

    def action_cursor(self, delta: int) -> None:
        options = self.query_one("#picker-options", OptionList)
        if not self.shown:
            return
        current = options.highlighted if options.highlighted is not None else -delta
        options.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    def action_cancel(self) -> None:
        self.dismiss(None)
