"""Soft-wrapping a document's text to the view width, as a list of line extents.

The view paints line *y* from ``text[starts[y]:ends[y]]``; offsets are the study's code-point
offsets, so a line's start is also where a click or a selection maps to. Wrapping finds each
break with ``str.rfind`` (one Python step per screen line, not per word) so a 100,000-word
transcript wraps in a few milliseconds. One code point is taken as one cell: Dutch
transcripts have no wide characters; control characters are painted as one cell too.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass
class Layout:
    """Line extents of a text wrapped to ``width`` cells."""

    width: int
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The line that shows the character at ``offset`` (an offset at a line's end counts
        for that line)."""
        line = bisect_right(self.starts, offset) - 1
        return max(0, min(line, len(self.starts) - 1))


def wrap(text: str, width: int) -> Layout:
    """Wrap ``text`` at spaces to lines of at most ``width`` cells (a word longer than the
    line is cut); newlines always break."""
    width = max(8, width)
    layout = Layout(width)
    starts, ends = layout.starts, layout.ends
    length = len(text)
    position = 0
    while position <= length:
        newline = text.find("\n", position)
        stop = length if newline == -1 else newline
        while stop - position > width:
            cut = text.rfind(" ", position, position + width + 1)
            if cut <= position:
                cut = position + width
                starts.append(position)
                ends.append(cut)
                position = cut
            else:
                starts.append(position)
                ends.append(cut)
                position = cut + 1  # the space that broke the line is not painted
        starts.append(position)
        ends.append(stop)
        if newline == -1:
            break
        position = newline + 1
    return layout
