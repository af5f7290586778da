"""Messages shared between the main screen and the screens pushed over it.

Screens written by other parts of the UI (retrieval, search, codebook editor, analysis,
suggestions) only need these two messages to talk back to the workbench.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class JumpTo(Message):
    """Open a document and select a passage in it (e.g. a retrieved fragment or a search hit).

    The app closes the screens above the main screen, opens the document and selects
    ``[start, end)``.
    """

    document_id: int
    start: int
    end: int


@dataclass
class StudyChanged(Message):
    """The study was changed outside the main screen; counts and highlights must be reloaded."""

    reason: str = ""
