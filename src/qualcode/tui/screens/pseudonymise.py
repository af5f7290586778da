"""Review what pseudonymisation would replace, before a copy is shared.

One row per name found (kind, how often, where it came from, what was decided); below, where
the highlighted name occurs. ``a`` accepts, ``x`` rejects (a Dutch word such as "hoop", not a
name), ``k`` changes the kind, ``n`` adds a name that was missed, ``r`` scans again. Every
decision is written at once to the study's names file (``<study>.namen.txt``, 0600), which
``qualcode pseudonymise --names`` reads, so the copy written later finds exactly this.
Scanning runs in a thread on a read-only snapshot of the study (deduce takes seconds).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import Worker, WorkerState, get_current_worker

from qualcode.core.errors import QualcodeError
from qualcode.core.progress import CancelToken, cancellable
from qualcode.pseudonymise import review
from qualcode.pseudonymise.gazetteer import Gazetteer
from qualcode.study.study import Study

_MARK = {review.PROPOSED: "·", review.ACCEPTED: "✓", review.REJECTED: "✗"}


class PseudonymiseScreen(Screen[None]):
    """Accept, reject, re-kind and add the names a pseudonymised copy will replace."""

    CSS = """
    PseudonymiseScreen #pseudo-title { height: 1; padding: 0 1; background: $panel; width: 1fr; }
    PseudonymiseScreen #pseudo-table { height: 1fr; }
    PseudonymiseScreen #pseudo-context { height: 7; border-top: solid $primary; padding: 0 1; }
    """
    BINDINGS = [
        Binding("a", "accept", "Accept", id="pseudonymise.accept"),
        Binding("x", "reject", "Reject (not a name)", id="pseudonymise.reject"),
        Binding("k", "kind", "Kind", id="pseudonymise.kind"),
        Binding("n", "add", "Add a name", id="pseudonymise.add"),
        Binding("r", "rescan", "Scan again", id="pseudonymise.rescan"),
        Binding("escape", "close", "Close", id="pseudonymise.close"),
    ]

    def __init__(self, study: Study, names_path: Path | None = None, *, use_deduce: bool | None = None) -> None:
        super().__init__()
        self.study = study
        self.names_path = names_path or review.default_names_path(study.path)
        self.use_deduce = use_deduce
        self.rows: list[review.Entity] = []
        try:
            self.gazetteer = (
                Gazetteer.load(self.names_path) if self.names_path.exists() else Gazetteer(path=self.names_path)
            )
        except QualcodeError as exc:
            self.gazetteer = Gazetteer(path=self.names_path)
            self.load_error: str | None = str(exc)
        else:
            self.load_error = None

    def compose(self) -> ComposeResult:
        # The file's name (it sits beside the study): a long path would push the rest away.
        yield Label(f"Pseudonymise · names file {self.names_path.name}", id="pseudo-title")
        table: DataTable[str] = DataTable(id="pseudo-table", cursor_type="row")
        yield table
        yield Static("Scanning the study…", id="pseudo-context")
        yield Footer()

    def on_mount(self) -> None:
        self._columns()
        if self.load_error:
            self.notify(self.load_error, severity="error")
        self.query_one(DataTable).focus()
        self.scan()

    # -- scanning -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="pseudonymise", exit_on_error=False)
    def scan(self) -> list[review.Entity]:
        from qualcode.pseudonymise import copy as pseudo
        from qualcode.pseudonymise.deduce_engine import available
        from qualcode.pseudonymise.detect import Options

        use_deduce = available() if self.use_deduce is None else self.use_deduce
        options = Options(gazetteer=self.gazetteer, use_deduce=use_deduce)
        if self.study.path is None:
            raise QualcodeError("save the study to a file first")
        worker = get_current_worker()
        with pseudo.open_readonly(self.study.path) as snapshot:
            token = CancelToken(lambda: worker.is_cancelled)
            findings = pseudo.find(snapshot, options, progress=cancellable(None, token))
            texts = {d: snapshot.document_text(d) for d in findings}
        return review.entities(findings, texts.__getitem__, self.gazetteer)

    @on(Worker.StateChanged)
    def _scanned(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "pseudonymise":
            return
        if event.state == WorkerState.SUCCESS:
            self.rows = event.worker.result or []
            self._fill()
        elif event.state == WorkerState.ERROR:
            self.query_one("#pseudo-context", Static).update(f"Scan failed: {event.worker.error}")

    def _name_width(self) -> int:
        """The name column: what the others leave, at most 40 (found by gets the rest)."""
        return max(16, min(40, (self.size.width or 120) - 2 - 12 - 7 - 30))

    def _columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # Short columns first, the name cut to fit (whole in the pane below), so the count
        # and where it was found stay on screen at 80 columns.
        table.add_column("", width=1)
        table.add_column("kind", width=10)
        table.add_column("times", width=5)
        table.add_column("name", width=self._name_width())
        table.add_column("found by")

    def on_resize(self) -> None:
        if self.is_mounted and self.rows:
            self._columns()
            self._fill(keep=self.query_one(DataTable).cursor_row)

    def _fill(self, keep: int = 0) -> None:
        table = self.query_one(DataTable)
        table.clear()
        width = self._name_width()
        for entity in self.rows:
            name = entity.text if len(entity.text) <= width else entity.text[: width - 1] + "…"
            table.add_row(_MARK[entity.status], entity.kind, str(entity.count), name, ", ".join(sorted(entity.sources)))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        self._show_context()

    @property
    def current(self) -> review.Entity | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _show_context(self) -> None:
        entity = self.current
        if entity is None:
            self.query_one("#pseudo-context", Static).update("Nothing found.")
            return
        head = Text(f"{entity.text} ({entity.kind}), {entity.count}×", style="bold")
        contexts = "\n".join(entity.contexts) or "(a word marked as not a name)"
        self.query_one("#pseudo-context", Static).update(Text.assemble(head, "\n", contexts))

    # -- decisions ------------------------------------------------------------------------

    def _decide(self, status: str) -> None:
        entity = self.current
        if entity is None:
            return
        try:
            review.decide(self.gazetteer, entity, status)
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        self._fill(keep=self.query_one(DataTable).cursor_row + 1)

    def action_accept(self) -> None:
        self._decide(review.ACCEPTED)

    def action_reject(self) -> None:
        self._decide(review.REJECTED)

    def action_kind(self) -> None:
        entity = self.current
        if entity is None:
            return
        entity.kind = review.next_kind(entity.kind)
        if entity.status == review.ACCEPTED:
            review.decide(self.gazetteer, entity, review.ACCEPTED)
        self._fill(keep=self.query_one(DataTable).cursor_row)

    def action_add(self) -> None:
        from qualcode.tui.dialogs.prompts import PromptScreen

        def check(value: str) -> None:
            if not value.strip():
                raise ValueError("type the name as it is written in the transcripts")

        def added(value: str | None) -> None:
            if not value:
                return
            name, _, kind = value.partition("|")
            from qualcode.pseudonymise.gazetteer import kind_of

            entity = review.Entity(name.strip(), kind_of(kind) or "persoon", 0, {"gazetteer"})
            review.decide(self.gazetteer, entity, review.ACCEPTED)
            self.notify(f"Added “{entity.text}” ({entity.kind}) to {self.names_path.name}; scanning again")
            self.scan()

        self.app.push_screen(
            PromptScreen("A name that was missed (optionally | kind, e.g. De Regenboog | school)", check=check), added
        )

    def action_rescan(self) -> None:
        self.query_one("#pseudo-context", Static).update("Scanning the study…")
        self.scan()

    def action_close(self) -> None:
        self.app.pop_screen()
