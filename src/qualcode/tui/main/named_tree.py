"""A tree whose labels may be cut by a narrow panel: the mouse shows the whole of one.

The side panels are narrow so the transcript gets the width; a document title or code name
that does not fit is cut at the panel's edge. Hovering a line shows its full text as a
tooltip (the keyboard's way is the detail box under each tree, which wraps).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rich.text import Text
from textual.widgets import Tree

T = TypeVar("T")


class NamedTree(Tree[T]):
    """A :class:`~textual.widgets.Tree` with a tooltip of the hovered line's full text."""

    def __init__(
        self, label: str, *, id: str | None = None, describe: Callable[[Any], str | Text] | None = None
    ) -> None:
        super().__init__(label, id=id)
        self.describe = describe
        """The tooltip for a node (default: its label)."""

    def watch_hover_line(self, previous_hover_line: int, hover_line: int) -> None:
        super().watch_hover_line(previous_hover_line, hover_line)
        node = self._get_node(hover_line)
        if node is None:
            self.tooltip = None
            return
        self.tooltip = self.describe(node) if self.describe is not None else node.label
