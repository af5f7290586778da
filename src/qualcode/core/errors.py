"""The one exception type users see.

Every error caused by the user's input (a file, a code name, an offset) is raised as a
:class:`QualcodeError` whose message is one line: what went wrong, where, and what to do.
The CLI prints that line and exits 1; the TUI shows it as a notification.
"""

from __future__ import annotations


class QualcodeError(Exception):
    """A user-facing error with a one-line message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class CannotWrite(QualcodeError):
    """The study could not be written (a read-only file or folder, a full disk): nothing of
    the action was saved. Work that only keeps derived data (the analysis tables) catches it
    and computes from the study as it is instead."""


def file_error(path: object, reason: str) -> QualcodeError:
    """An error about a file, naming the file first: ``path: reason``."""
    return QualcodeError(f"{path}: {reason}")
