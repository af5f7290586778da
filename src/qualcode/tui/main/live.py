"""The main screen in a shared study: colleagues' commits appear, presence, busy writes.

Once a second a timer reads SQLite's ``PRAGMA data_version`` (one pragma; it changes only
when *another* connection commits). When it moved, the view is brought up to date by
:meth:`LiveView.refresh_view`, the one path that also serves undo and redo: it diffs the open
document's spans (a lean read) and patches only what differs, refreshes the counts, and
reloads the codebook or the document list only when the history says those changed.

Writes go through :meth:`LiveView.write`: a write that finds the study locked waits a short
moment (``BUSY_TIMEOUT_MS``, these writes only), then is retried from a timer so the screen stays
alive and says who it is waiting for; after ``BUSY_LIMIT`` seconds it stops, says so in one
line and keeps the action for ctrl+r. A coding that a colleague removed meanwhile gives one
line, never a crash.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from qualcode.core.errors import QualcodeError
from qualcode.study import team
from qualcode.tui.main.coverage import Span

if TYPE_CHECKING:
    from textual.timer import Timer

    from qualcode.core.models import Document
    from qualcode.study.study import Study
    from qualcode.tui.main.browser import DocumentBrowser
    from qualcode.tui.main.codebook import CodebookPanel
    from qualcode.tui.main.transcript import TranscriptView

T = TypeVar("T")

POLL = 1.0
"""Seconds between looks at ``PRAGMA data_version``."""
BEAT = 10.0
"""Seconds between presence heartbeats (rows expire after 30 s)."""
BUSY_TIMEOUT_MS = 100
"""How long one write attempt blocks the screen waiting for the lock."""
BUSY_RETRY = 0.4
BUSY_LIMIT = 30.0
"""Seconds of retrying before the screen gives up and offers ctrl+r."""
_PATCH_LIMIT = 200
"""Above this many changed spans, repaint the document's spans wholesale."""


def coding_gone(exc: BaseException) -> bool:
    return isinstance(exc, QualcodeError) and str(exc).startswith("no coding with id")


class LiveView:
    """Mixed into :class:`~qualcode.tui.main.screen.MainScreen`."""

    study: Study
    document: Document | None
    active_coding: int | None
    app: Any

    if TYPE_CHECKING:

        @property
        def transcript(self) -> TranscriptView: ...
        @property
        def codebook(self) -> CodebookPanel: ...
        @property
        def browser(self) -> DocumentBrowser: ...

        def notify(self, message: str, **kw: Any) -> None: ...
        def update_status(self) -> None: ...
        def load_codes(self) -> None: ...
        def load_spans(self, document_id: int) -> list[Span]: ...
        def set_interval(self, interval: float, callback: Any = None, **kw: Any) -> Timer: ...
        def set_timer(self, delay: float, callback: Any = None, **kw: Any) -> Timer: ...
        def call_after_refresh(self, callback: Any, *args: Any, **kw: Any) -> bool: ...

    session: str = ""
    colleagues: list[team.Colleague]
    _version: int = 0
    _seen_history: int = 0
    _last_beat: float = 0.0
    _pending: Callable[[], None] | None = None
    _busy_since: float | None = None
    _busy_told: float = 0.0
    _synced: tuple[int, int] | None = None
    poll_timer: Timer | None = None

    def start_live(self) -> None:
        self.session = team.new_session_id()
        self.colleagues = []
        self._version = team.data_version(self.study)
        self._seen_history = team.last_history_id(self.study)
        # The first beat is a write (with its sync to disk): after the first frame, not before.
        self.call_after_refresh(self._first_beat)
        self.poll_timer = self.set_interval(POLL, self.poll)

    def _first_beat(self) -> None:
        """This session's first heartbeat: its own commit, not a change to reload for."""
        before = team.change_marker(self.study)
        self.heartbeat(force=True)
        if self._synced == before:
            self._synced = team.change_marker(self.study)

    def switch_live(self) -> None:
        """After switching study: forget the old one's positions."""
        self._version = team.data_version(self.study)
        self._seen_history = team.last_history_id(self.study)
        self.heartbeat(force=True)

    def stop_live(self) -> None:
        try:
            team.leave(self.study, self.session)
        except Exception:  # the study may be closed already; an old row expires anyway
            pass

    # -- presence -------------------------------------------------------------------------

    def heartbeat(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_beat < BEAT:
            return
        if team.beat(self.study, self.session, self.document.id if self.document else None):
            self._last_beat = now
        self.colleagues = team.colleagues(self.study, self.session)

    # -- other sessions' commits ----------------------------------------------------------

    def poll(self) -> None:
        """Once a second: did another connection commit? (and the heartbeat, now and then)."""
        try:
            self.heartbeat()
            version = team.data_version(self.study)
        except Exception:  # the study closed under us (switching): next tick sees the new one
            return
        if version == self._version:
            return
        self._version = version
        self.colleagues = team.colleagues(self.study, self.session)  # a beat also moves the version
        found, self._seen_history = team.incoming(self.study, self._seen_history, mine=self.study.coder)
        self.refresh_view(
            codebook=found.codebook_changed,
            documents=found.documents_changed,
            touched=found.documents,
            codings=found.codings,
        )
        if found.codings or found.codebook_changed or found.documents_changed:
            self._refresh_top_screen()
        if found.summary:
            self.notify("; ".join(found.summary), title="Came in", timeout=4)

    def refresh_view(
        self,
        *,
        codebook: bool = False,
        documents: bool = False,
        touched: set[int] | None = None,
        codings: set[int] | None = None,
        check: bool = True,
    ) -> None:
        """Bring the view up to date with the study, touching only what changed.

        ``codings``: the ids of the codings that changed (from the history); they are read
        back one by one and patched in, and with ``check`` a one-query fingerprint of the
        open document confirms the result (a colleague's undo leaves no new history row: then
        the document's spans are diffed). ``touched``: the documents whose counts changed
        (None: unknown, all are re-counted). ``codebook``/``documents``: reload those."""
        if codebook:
            self.load_codes()
        if documents or touched is None:
            self._refresh_documents(reload=documents)
        if self.document is None:
            self.update_status()
            return
        document_id = self.document.id
        exact = codings is not None and not codebook and self._patch_codings(codings)
        if exact and check:
            in_view = ((s.coding_id, s.code_id, s.coder_id, s.start, s.end) for s in self.transcript.coverage)
            exact = team.span_fingerprint(in_view) == team.document_fingerprint(self.study, document_id)
        if not exact:
            spans = self.load_spans(document_id)
            if codebook:  # colours may have changed with the codes
                self.transcript.set_spans(spans, self.colours)  # type: ignore[attr-defined]
            else:
                self._patch_spans(spans)
                self.codebook.set_counts(self.study.code_counts(document_id), self.study.code_counts())
        for other in touched or ():
            if other != document_id:
                self.browser.update_count(other, team.coding_count(self.study, other))
        self.browser.update_count(document_id, len(self.transcript.coverage))
        self.transcript.set_memos(self.study.memo_coding_ids(document_id))  # a memo changed, or its coding
        if self.active_coding is not None and not self.transcript.coverage.has(self.active_coding):
            self.active_coding = None
        self.update_status()
        self._synced = team.change_marker(self.study)

    def _patch_codings(self, ids: set[int]) -> bool:
        """Patch these codings into the view from their rows; False when that cannot be
        exact (the counts of the study as a whole then need a re-read)."""
        if not ids:
            return True
        assert self.document is not None
        document_id = self.document.id
        rows = {row[0]: row for row in team.coding_spans(self.study, ids)}
        view, book = self.transcript, self.codebook
        elsewhere = False
        for coding_id in ids:
            old = view.remove_span(coding_id)
            if old is not None:
                book.bump(old.code_id, -1)
            row = rows.get(coding_id)
            if row is None:
                elsewhere = elsewhere or old is None  # gone from another document
                continue
            _, code_id, coder_id, start, end, in_document = row
            if in_document == document_id:
                view.add_span(Span(start, end, coding_id, code_id, coder_id))
                book.bump(code_id, 1)
            else:
                elsewhere = True
        if elsewhere:  # codings in other documents: only the study-wide counts move
            self.codebook.set_counts(self.codebook.here, self.study.code_counts())
        return True

    def _refresh_documents(self, reload: bool) -> None:
        rows = self.study.document_rows()
        if reload:
            self.browser.load(rows)
            ids = {int(r["id"]) for r in rows}
            if self.document is not None and self.document.id not in ids:  # removed elsewhere
                title = self.document.title
                self.document = None
                self.transcript.show_document(0, "", [], [], [], {})
                self.notify(f"“{title}” was removed from the study by someone else.", severity="warning")
            return
        for row in rows:
            self.browser.update_count(int(row["id"]), int(row.get("codings") or 0))

    def _patch_spans(self, spans: list[Span]) -> None:
        view = self.transcript
        old = {s.coding_id: s for s in view.coverage}
        new = {s.coding_id: s for s in spans}
        gone = [i for i in old if i not in new]
        changed = [s for i, s in new.items() if old.get(i) != s]
        if not gone and not changed:
            return
        if len(gone) + len(changed) > _PATCH_LIMIT:
            view.set_spans(spans)
            return
        for coding_id in gone:
            view.remove_span(coding_id)
        for span in changed:
            if span.coding_id in old:
                view.remove_span(span.coding_id)
            view.add_span(span)

    def _refresh_top_screen(self) -> None:
        """A screen on top that shows study data (an open retrieval list) refreshes itself if
        it knows how (``refresh_from_study``)."""
        screen = self.app.screen
        if screen is not self:
            refresh = getattr(screen, "refresh_from_study", None)
            if callable(refresh):
                refresh()

    # -- writing --------------------------------------------------------------------------

    def write(self, fn: Callable[[], T], done: Callable[[T], None], *, what: str = "that") -> None:
        """Run one write; on success ``done(result)``. Busy: retry from a timer, saying who
        holds the study. A coding removed meanwhile: one line and a refresh. Any other
        QualcodeError: one line."""
        try:
            with team.short_wait(self.study, BUSY_TIMEOUT_MS):
                result = fn()
        except Exception as exc:
            if team.is_busy(exc):
                self._wait(lambda: self.write(fn, done, what=what))
                return
            self._busy_since = None
            if coding_gone(exc):
                self.notify(f"Cannot {what}: that coding was removed meanwhile (by someone else).", severity="warning")
                self.refresh_view()
                return
            if isinstance(exc, QualcodeError):
                self.notify(str(exc), severity="warning")
                return
            raise
        if self._busy_since is not None:
            self.notify("Done: the study is free again.", timeout=2)
        self._busy_since = None
        self._pending = None
        done(result)
        self._synced = team.change_marker(self.study)

    def _wait(self, retry: Callable[[], None]) -> None:
        now = time.monotonic()
        if self._busy_since is None:
            self._busy_since = now
            self._busy_told = 0.0
        holder = team.who_is_writing(self.study, self.session)
        if now - self._busy_since > BUSY_LIMIT:
            self._busy_since = None
            self._pending = retry
            self.notify(
                f"The study is still busy ({holder}); your action is kept: ctrl+r tries it again.",
                severity="warning",
                timeout=10,
            )
            return
        if now - self._busy_told >= 5.0:
            self._busy_told = now
            self.notify(f"Waiting for {holder}…", timeout=5)
        self.set_timer(BUSY_RETRY, retry)

    def action_retry_write(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            self.notify("Nothing waiting to be retried.", timeout=2)
            return
        pending()
