"""One way to run long work: report progress, and stop when asked.

The protocol, for every piece of long work (import, REFI-QDA import and export, merge,
suggestion training and evaluation, pseudonymisation, the sample study):

- The work takes ``progress: Progress | None = None`` and calls
  ``progress(done, total, label)`` at each point where it could stop cleanly (between
  files, documents, codes, stages): ``done`` of ``total`` steps finished, ``label`` the item
  being worked on (a file name, a code path). ``report(progress, ...)`` calls it when given.
- Cancelling is the progress call raising :class:`Cancelled`. The work does not poll a
  flag of its own: it lets ``Cancelled`` pass and leaves nothing behind (an export writes
  its file last, an import into a study is one transaction, a new study file is removed),
  or, when what it finished is worth keeping (documents imported one by one), catches it
  and says so in its report.
- The last report, ``done == total``, never raises: the work is finished by then (an export
  reports it after the file is written), and "cancelled" would be false.

Callers decide how progress is shown and what cancels: the CLI renders it as a click
progress bar (``qualcode.cli.common.progress_bar``; Ctrl+C interrupts), the TUI runs the work
in a thread worker behind ``qualcode.tui.dialogs.progress.ProgressScreen`` and cancels through
a :class:`CancelToken` tied to the worker (``qualcode.tui.palette.exchange``). Both wrap their
display with :func:`cancellable`.

Writing a new long task (pseudonymisation, say)::

    def pseudonymise(study, mapping, progress: Progress | None = None) -> Summary:
        documents = ...
        for done, doc in enumerate(documents):
            report(progress, done, len(documents), doc.title)  # may raise Cancelled
            ...                                                # the work for one document
        report(progress, len(documents), len(documents), "")
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``; may raise :class:`Cancelled` (see the module docstring)."""


class Cancelled(Exception):
    """The user asked long work to stop; raised from a progress report."""


class CancelToken:
    """A thread-safe "please stop" flag, set from the UI thread and checked by the work's
    progress reports (through :func:`cancellable`).

    ``also`` is a second source of the same request, e.g. ``lambda: worker.is_cancelled`` for
    a Textual worker, so whatever cancels the worker cancels the work.
    """

    def __init__(self, also: Callable[[], bool] | None = None) -> None:
        self._event = threading.Event()
        self._also = also

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set() or (self._also is not None and self._also())

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancelling was asked for."""
        if self.cancelled:
            raise Cancelled()


def report(progress: Progress | None, done: int, total: int, label: str = "") -> None:
    """Report to ``progress`` when there is one (the work's side of the protocol)."""
    if progress is not None:
        progress(done, total, label)


def cancellable(show: Progress | None, token: CancelToken) -> Progress:
    """A progress callback that raises :class:`Cancelled` once ``token`` is cancelled (except
    on the last report, when the work is done), and otherwise passes the report to ``show``."""

    def progress(done: int, total: int, label: str) -> None:
        if done < total:
            token.check()
        if show is not None:
            show(done, total, label)

    return progress
