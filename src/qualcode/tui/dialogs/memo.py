"""Writing a memo (on a coding, a document or a code) in a text area over the screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


class MemoScreen(ModalScreen[str | None]):
    """Edit a memo; ctrl+s saves (dismisses with the text, empty deletes), Escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save memo", id="memo.save"),
        Binding("escape", "cancel", "Cancel", id="memo.cancel"),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial = text

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-box"):
            yield Static(self.title_text, id="memo-title")
            yield TextArea(self.initial, id="memo-text", soft_wrap=True)
            yield Static("ctrl+s save · esc cancel · an empty memo is deleted", id="memo-help")

    def on_mount(self) -> None:
        area = self.query_one("#memo-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#memo-text", TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
