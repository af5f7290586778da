"""The selection in a transcript and how the keys move it, kept apart from painting.

A selection is an *anchor* (where it started) and a *head* (the end that moves); the passage
is ``[min, max)`` in the document's code-point offsets. Plain moves select one sentence, so
the cursor *is* a selection that can be coded at once; shifted moves keep the anchor. Moves
by sentence or turn snap both ends to unit boundaries, moves by character or word do not.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import NamedTuple

WORD = re.compile(r"\w+(?:[-'’]\w+)*")


class Unit(NamedTuple):
    """A sentence or a turn body: ``[start, end)`` (a tuple: thousands are made per document)."""

    start: int
    end: int


def next_word_end(text: str, position: int) -> int:
    """Where the next word after ``position`` ends (the end of the text if none follows)."""
    match = WORD.search(text, position)
    if match is not None and match.end() == position:
        match = WORD.search(text, position + 1)
    return match.end() if match else len(text)


def prev_word_start(text: str, position: int) -> int:
    """Where the word before ``position`` starts (0 if none precedes)."""
    window = max(0, position - 400)
    last = 0
    for match in WORD.finditer(text, window, position):
        if match.start() < position:
            last = match.start()
    return last


def next_word_start(text: str, position: int) -> int:
    """Where the word after the one at ``position`` starts."""
    here = WORD.search(text, position)
    if here is None:
        return len(text)
    after = WORD.search(text, here.end())
    return after.start() if after else len(text)


def trim_end(text: str, position: int) -> int:
    """``position`` moved left over trailing white space."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position


class Cursor:
    """Selection state over one document's sentences and turns."""

    def __init__(
        self,
        text: str,
        sentences: Sequence[Unit] | Callable[[], Sequence[Unit]],
        turns: Sequence[Unit],
        *,
        selection: tuple[int, int] | None = None,
    ) -> None:
        """``sentences`` may be a function that reads them: then they are read when first
        needed (a move, a click), not to show the selection (``selection``, else the first
        sentence: give it)."""
        self.text = text
        self._read: Callable[[], Sequence[Unit]] | None = None
        if callable(sentences):
            self._read = sentences
        else:
            self._set_sentences(sentences)
        self.turns = list(turns) or [Unit(0, len(text))]
        self._turn_starts = [t.start for t in self.turns]
        if selection is None:
            first = self.sentences[0]
            selection = (first.start, first.end)
        self.anchor, self.head = 0, 0
        self.select(*selection)

    def _set_sentences(self, sentences: Sequence[Unit]) -> None:
        # A text without sentence units (a file of only labels) still needs a unit to stand on.
        self._sentences = list(sentences) or [Unit(0, len(self.text))]
        self._sentence_starts = [s.start for s in self._sentences]

    @property
    def sentences(self) -> list[Unit]:
        if self._read is not None:
            read, self._read = self._read, None
            self._set_sentences(read())
        return self._sentences

    @property
    def has_sentences(self) -> bool:
        """Whether the sentences are read (see ``__init__``)."""
        return self._read is None

    # -- reading --------------------------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int]:
        return (min(self.anchor, self.head), max(self.anchor, self.head))

    @property
    def forward(self) -> bool:
        return self.head >= self.anchor

    def sentence_index(self, offset: int) -> int:
        self.sentences  # noqa: B018  (read them, if not yet)
        return max(0, bisect_right(self._sentence_starts, offset) - 1)

    def turn_index(self, offset: int) -> int:
        return max(0, bisect_right(self._turn_starts, offset) - 1)

    def _ends(self) -> tuple[int, int]:
        """Offsets of the characters at the anchor and head ends (inside the selection)."""
        start, end = self.selection
        last = max(start, end - 1)
        return (start, last) if self.forward else (last, start)

    # -- moving ---------------------------------------------------------------------------

    def select(self, start: int, end: int) -> None:
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        self.anchor, self.head = start, end

    def move_sentence(self, delta: int) -> None:
        start, end = self.selection
        here = self.sentence_index(max(start, end - 1) if delta > 0 else start)
        target = self.sentences[max(0, min(len(self.sentences) - 1, here + delta))]
        self.select(target.start, target.end)

    def move_turn(self, delta: int) -> None:
        """Select the first sentence of the next (or previous) turn."""
        start, _ = self.selection
        index = max(0, min(len(self.turns) - 1, self.turn_index(start) + delta))
        turn = self.turns[index]
        i = self.sentence_index(turn.start)
        if self.sentences[i].end <= turn.start and i + 1 < len(self.sentences):
            i += 1
        self.select(self.sentences[i].start, self.sentences[i].end)

    def select_turn(self) -> None:
        turn = self.turns[self.turn_index(self.selection[0])]
        self.select(turn.start, turn.end)

    def extend_units(self, units: Sequence[Unit], delta: int) -> None:
        """Grow (or shrink) the selection by whole sentences or turns at the head end."""
        starts = [u.start for u in units]

        def index(offset: int) -> int:
            return max(0, bisect_right(starts, offset) - 1)

        anchor_at, head_at = self._ends()
        a, h = index(anchor_at), index(head_at)
        h = max(0, min(len(units) - 1, h + delta))
        if h >= a:
            self.anchor, self.head = units[a].start, units[h].end
        else:
            self.anchor, self.head = units[a].end, units[h].start

    def extend_sentences(self, delta: int) -> None:
        self.extend_units(self.sentences, delta)

    def extend_turns(self, delta: int) -> None:
        self.extend_units(self.turns, delta)

    def extend_chars(self, delta: int) -> None:
        self.head = max(0, min(len(self.text), self.head + delta))

    def extend_words(self, delta: int) -> None:
        if delta > 0:
            self.head = next_word_end(self.text, self.head)
        else:
            self.head = prev_word_start(self.text, self.head)
