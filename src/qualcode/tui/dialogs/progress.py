"""Dialogs for long work in a worker: a progress bar that can cancel it, and the summary after.

The work itself runs in a thread (see :mod:`qualcode.tui.palette.exchange`); this screen only shows
what the thread reports through ``call_from_thread`` and asks the worker to stop.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, Static
from textual.worker import Worker

from qualcode.tui.dialogs.prompts import DIALOG_CSS


class ProgressScreen(ModalScreen[None]):
    """A title, a progress bar and the item being worked on; Escape cancels when the work
    can stop half-way (it then leaves nothing behind)."""

    DEFAULT_CSS = "ProgressScreen { align: center middle; }" + DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="progress.cancel")]

    def __init__(self, title: str, *, cancellable: bool) -> None:
        super().__init__()
        self.title_text = title
        self.cancellable = cancellable
        self.worker: Worker[object] | None = None
        self.cancelled = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="qc-dialog"):
            yield Label(self.title_text, classes="qc-title")
            yield ProgressBar(total=None, show_eta=False, id="progress-bar")
            yield Label("", id="progress-label")
            with Horizontal(classes="qc-buttons"):
                if self.cancellable:
                    yield Button("Cancel", id="progress-cancel")
                else:
                    yield Label("This cannot be stopped half-way; it is usually quick.", classes="qc-error")

    def advance(self, done: int, total: int, label: str) -> None:
        """Called (from the worker, via ``call_from_thread``) as the work goes on."""
        if not self.is_mounted:
            return
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        self.query_one("#progress-label", Label).update(label)

    @on(Button.Pressed, "#progress-cancel")
    def action_cancel(self) -> None:
        if not self.cancellable or self.cancelled:
            return
        self.cancelled = True
        self.query_one("#progress-label", Label).update("Cancelling…")
        if self.worker is not None:
            self.worker.cancel()


class SummaryScreen(ModalScreen[None]):
    """What an import or export did, line by line (the not-placed codings included)."""

    DEFAULT_CSS = (
        "SummaryScreen { align: center middle; } SummaryScreen #summary-lines { height: auto; max-height: 20; }"
        + DIALOG_CSS
    )
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="summary.close")]

    def __init__(self, title: str, lines: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        with Vertical(classes="qc-dialog"):
            yield Label(self.title_text, classes="qc-title")
            with VerticalScroll(id="summary-lines"):
                yield Static("\n".join(self.lines), markup=False)
            with Horizontal(classes="qc-buttons"):
                yield Button("OK", variant="primary", id="summary-ok")

    def on_mount(self) -> None:
        self.query_one("#summary-ok", Button).focus()

    @on(Button.Pressed, "#summary-ok")
    def action_close(self) -> None:
        self.dismiss(None)
