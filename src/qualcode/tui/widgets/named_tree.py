"""A tree for narrow side panels whose labels give way instead of being cut at the edge.

The side panels are narrow so the transcript gets the width. A label that does not fit its
line is shortened where it is drawn, never cut without a mark: a :class:`NameLabel` drops its
trailing details first, then shortens the name with an ellipsis (at the end for a phrase such
as a code name, in the middle for a file-like title such as ``leeuwarden-ouder-01``, whose
distinguishing number is at the end); any other label that does not fit ends in "…". The
node keeps its whole label: hovering a line shows it as a tooltip, and the panels' detail
boxes (the keyboard's way) show the highlighted name in full.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from rich.style import Style, StyleType
from rich.text import Text, TextType
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

T = TypeVar("T")

ELLIPSIS = "…"
TOGGLE_STYLE = Style.from_meta({"toggle": True})
"""What makes a click on the fold mark fold (as Textual's own Tree marks it)."""
Cut = Literal["end", "middle"]


def shorten(name: Text, width: int, cut: Cut = "end") -> Text:
    """``name`` in at most ``width`` cells, an ellipsis where it was shortened (styles kept)."""
    if name.cell_len <= width:
        return name.copy()
    if width <= 1:
        return Text(ELLIPSIS[:width])
    keep = width - 1
    if cut == "middle" and keep >= 4:
        tail = keep // 2
        # The tail from a separator when that keeps more of it, four characters of the head
        # left: "helm…consulent-01" rather than "helmond-…ulent-01".
        plain = name.plain
        for index in range(len(plain) - (keep - 4), len(plain) - tail):
            if index > 0 and plain[index - 1] in "-_ ./":
                tail = len(plain) - index
                break
        head = keep - tail
        return Text.assemble(name[:head], ELLIPSIS, name[len(name) - tail :])
    kept = name[:keep]
    kept.rstrip()  # in place: no space before the ellipsis
    return Text.assemble(kept, ELLIPSIS)


class NameLabel(Text):
    """A label made of fixed marks ``before`` (a shortcut, counts), the ``name`` and
    details ``after`` it. Its text is the whole label (what the tooltip shows);
    :meth:`fitted` gives the label for a narrower line."""

    def __init__(
        self, before: TextType, name: str, after: TextType = "", *, name_style: StyleType = "", cut: Cut = "end"
    ) -> None:
        self.before = Text(before) if isinstance(before, str) else before
        self.name = Text(name, style=name_style)
        self.after = Text(after) if isinstance(after, str) else after
        self.cut: Cut = cut
        whole = Text.assemble(self.before, self.name, self.after)
        super().__init__(whole.plain, spans=whole.spans)

    def fitted(self, width: int) -> Text:
        """The label in ``width`` cells: whole if it fits; else the whole name and as much of
        the details as fits (with "…" where they stop); else the name shortened with "…"."""
        if self.cell_len <= width:
            return Text.assemble(self.before, self.name, self.after)
        head = Text.assemble(self.before, self.name)
        room = width - head.cell_len
        if room >= 0:
            after = self.after
            shown = len(after.plain) - len(after.plain.lstrip())  # the spaces before the details
            if room >= shown + 3:  # at least two characters of the details and the ellipsis
                return Text.assemble(head, shorten(after, room))
            return head
        room = width - self.before.cell_len
        if room < 2:  # not even a letter of the name: the whole label, cut with a mark
            return shorten(Text.assemble(self.before, self.name), width)
        return Text.assemble(self.before, shorten(self.name, room, self.cut))


class NamedTree(Tree[T]):
    """A :class:`~textual.widgets.Tree` whose labels fit the line (see the module's note)
    and whose hovered line shows its full text as a tooltip."""

    def __init__(
        self, label: str, *, id: str | None = None, describe: Callable[[Any], str | Text] | None = None
    ) -> None:
        super().__init__(label, id=id)
        self.describe = describe
        """The tooltip for a node (default: its whole label)."""

    _room = -1

    def render_lines(self, crop: Region) -> list[Strip]:
        # Tree caches its lines by the widget's width, which includes the vertical scrollbar:
        # when the scrollbar comes or goes the labels' room changes but the width does not.
        room = self.scrollable_content_region.width
        if room != self._room:
            self._room = room
            self._clear_line_cache()  # and the line widths (the horizontal extent)
        return super().render_lines(crop)

    def process_label(self, label: TextType) -> Text:
        if isinstance(label, NameLabel):
            return label  # one line already; keeps what fitted() needs
        return super().process_label(label)

    def label_room(self, node: TreeNode[T]) -> int | None:
        """Cells the node's label may take on its line (after the guides and the fold
        mark), or None before the tree has a width."""
        # The width left of the scrollbar. The region can be empty for a moment while the
        # screen is covered by a dialog: then the size less the scrollbar's width.
        width = self.scrollable_content_region.width
        if width <= 0:
            width = self.size.width - (self.scrollbar_size_vertical if self.show_vertical_scrollbar else 0)
        if width <= 0:
            return None
        depth = 0
        parent = node.parent
        while parent is not None:
            depth += 1
            parent = parent.parent
        levels = depth if self.show_root else depth - 1
        guides = max(0, levels) * self.guide_depth
        toggle = Text(self.ICON_NODE).cell_len if node.allow_expand else 0
        return width - guides - toggle

    def render_label(self, node: TreeNode[T], base_style: Style, style: Style) -> Text:
        label = node._label
        room = self.label_room(node)
        if room is not None and label.cell_len > room:
            label = label.fitted(room) if isinstance(label, NameLabel) else shorten(label, room)
        else:
            label = label.copy()
        label.stylize(style)
        if node.allow_expand:
            prefix = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE, base_style + TOGGLE_STYLE)
        else:
            prefix = ("", base_style)
        return Text.assemble(prefix, label)

    def watch_hover_line(self, previous_hover_line: int, hover_line: int) -> None:
        super().watch_hover_line(previous_hover_line, hover_line)
        node = self._get_node(hover_line)
        if node is None:
            self.tooltip = None
            return
        self.tooltip = self.describe(node) if self.describe is not None else node.label
