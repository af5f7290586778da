"""Writing a memo (on a coding, a document or a code) in a text area over the screen.

Nothing typed is thrown away without asking: Escape and ctrl+q on a changed memo ask first,
and text that cannot be saved where it was meant to go is kept as a draft file
(:func:`save_draft`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from qualcode.core import config
from qualcode.core.files import atomic_output


def save_draft(text: str) -> Path:
    """Keep a memo that could not be saved in the study as a text file; returns its path."""
    folder = config.data_dir() / "memo-drafts"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"memo-{stamp}.txt"
    with atomic_output(path) as handle:
        handle.write(text)
    return path


class MemoScreen(ModalScreen[str | None]):
    """Edit a memo; ctrl+s saves (dismisses with the text, empty deletes), Escape cancels
    (asking first when the text was changed)."""

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

    @property
    def text(self) -> str:
        return self.query_one("#memo-text", TextArea).text

    @property
    def changed(self) -> bool:
        return self.text.strip() != self.initial.strip()

    def action_save(self) -> None:
        self.dismiss(self.text.strip())

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return
        from qualcode.tui.dialogs.confirm import ConfirmScreen

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard your changes to this memo? (n goes back to it)"), answer)

    def action_quit_app(self) -> None:
        """ctrl+q while writing (the app routes its quit here when the memo changed)."""
        if not self.changed:
            self.app.exit()
            return
        from qualcode.tui.dialogs.confirm import ConfirmScreen

        def answer(save: bool | None) -> None:
            if save:  # quit anyway, keeping the text: the study's save path is the caller's
                path = save_draft(f"{self.title_text}\n{self.text}")
                self.app.exit(message=f"Your unsaved memo is kept as a draft: {path}")
            # n: back to the memo

        self.app.push_screen(
            ConfirmScreen("The memo is not saved. Quit and keep it as a draft file? (n goes back to it)"), answer
        )
