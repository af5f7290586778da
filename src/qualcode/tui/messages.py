"""Messages shared between the app and its screens.

Screens post these to the app (``self.app.post_message``) rather than reaching into the
app's widgets, so a screen can be tested with any app that listens for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class JumpTo(Message):
    """Show this passage of this document in the coding view (offsets as everywhere:
    code points into the normalised text, end-exclusive)."""

    document_id: int
    start: int
    end: int


class StudyChanged(Message):
    """The study was changed from a screen: views that show codes, codings or counts
    should reload."""
