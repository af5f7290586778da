"""The codebook panel: the code hierarchy with counts, and the highlighted code's definition.

Counts read "this document / whole study" so a coder sees both how a transcript is going and
how a code is used overall. The definition (what it means, when to use it, when not) sits
right below because that is what a coder checks before applying a code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static, Tree

from qualcode.core.models import Code
from qualcode.tui.colours import code_colour
from qualcode.tui.widgets.named_tree import NamedTree, NameLabel


def code_label(code: Code, here: int, total: int, rolled_up: bool = False) -> Text:
    """A code's tree label; a parent's counts include its sub-codes (shown with Σ)."""
    colour = code_colour(code.id, code.color)
    # Shortcut and counts first, always shown; a name too long for the panel ends in "…",
    # and is whole in the definition box below (and the tooltip).
    counts = f"{'Σ' if rolled_up else ''}{here}/{total}"
    before = Text.assemble(
        (code.shortcut or " ", "bold reverse" if code.shortcut else ""),
        ("▌", colour),
        (f"{counts:>6}", "" if here else "dim"),
        " ",
    )
    return NameLabel(before, code.name)


def code_tooltip(code: Code, here: int, total: int) -> Text:
    text = Text(code.path, style="bold")
    if code.shortcut:
        text.append(f"  key {code.shortcut}")
    text.append(f"\n{here} codings in this document, {total} in the study", style="dim")
    return text


def provenance_line(code: Code) -> str:
    """Where a code comes from: the source document (§ section) and its own words, or that
    it is the study team's own (inductive) code; empty when the codebook does not say."""
    if code.source_document:
        where = f"{code.source_document} § {code.source_section}" if code.source_section else code.source_document
        return f"{where}: “{code.source_quote}”" if code.source_quote else where
    return "eigen code van het onderzoeksteam (inductief)" if code.inductive else ""


def definition(code: Code, memo: str = "") -> Text:
    text = Text()
    text.append(code.path, style="bold")
    if code.shortcut:
        text.append(f"  key {code.shortcut}", style="dim")
    for title, body in (
        ("", code.description),
        ("Wanneer wel: ", code.when_to_use),
        ("Wanneer niet: ", code.when_not_to_use),
        ("Voorbeeld: ", f"“{code.example}”" if code.example else ""),
        ("Bron: ", provenance_line(code)),
        ("Memo: ", memo),
    ):
        if body:
            text.append("\n")
            if title:
                text.append(title, style="bold")
            text.append(" ".join(body.split()))
    return text


class CodebookPanel(Vertical):
    """The code tree above the definition of the highlighted code."""

    @dataclass
    class CodeChosen(Message):
        """Enter (or a click) on a code: apply it to the selection."""

        code_id: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.codes: dict[int, Code] = {}
        self.here: dict[int, int] = {}
        self.total: dict[int, int] = {}
        self.memos: dict[int, str] = {}
        self._code_nodes: dict[int | None, Any] = {}
        self._children: dict[int | None, list[int]] = {}

    def compose(self) -> ComposeResult:
        tree: NamedTree[int] = NamedTree("Codes", id="code-tree", describe=self._describe)
        tree.show_root = False
        tree.guide_depth = 2
        tree.auto_expand = False  # Enter applies a code; space folds
        yield tree
        with VerticalScroll(id="code-definition-box"):
            yield Static("", id="code-definition")

    def _describe(self, node: Any) -> str | Text:
        code = self.codes.get(node.data) if node.data is not None else None
        if code is None:
            return node.label
        return code_tooltip(code, self._sum(self.here, code.id), self._sum(self.total, code.id))

    def show_code(self, code_id: int) -> None:
        """Move the tree's cursor to a code (unfolding its parents)."""
        node = self._code_nodes.get(code_id)
        if node is None:
            return
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        tree = self.code_tree
        tree.call_after_refresh(tree.move_cursor, node)
        self._show_definition(code_id)

    @property
    def code_tree(self) -> Tree[int]:
        return self.query_one("#code-tree", Tree)

    def load(self, codes: list[Code], here: dict[int, int], total: dict[int, int], memos: dict[int, str]) -> None:
        """Rebuild the tree, keeping the highlighted code where it was."""
        keep = self.highlighted
        self.codes = {c.id: c for c in codes}
        self.here, self.total, self.memos = dict(here), dict(total), memos
        self._children = {}
        for code in codes:
            self._children.setdefault(code.parent_id, []).append(code.id)
        tree = self.code_tree
        tree.clear()
        self._code_nodes = {}
        for code in codes:
            parent = self._code_nodes.get(code.parent_id, tree.root)
            if code.id in self._children:
                self._code_nodes[code.id] = parent.add("", data=code.id, expand=True)
            else:
                self._code_nodes[code.id] = parent.add_leaf("", data=code.id)
            self.refresh_code(code.id)
        if keep in self._code_nodes:
            node = self._code_nodes[keep]
            # The new lines exist only after the tree's next layout.
            tree.call_after_refresh(tree.move_cursor, node)
        self._show_definition(keep if keep in self.codes else None)

    def set_memo(self, code_id: int, text: str) -> None:
        self.memos[code_id] = text
        if self.highlighted == code_id:
            self._show_definition(code_id)

    def _sum(self, counts: dict[int, int], code_id: int) -> int:
        return counts.get(code_id, 0) + sum(self._sum(counts, c) for c in self._children.get(code_id, []))

    def set_counts(self, here: dict[int, int], total: dict[int, int]) -> None:
        """New counts without rebuilding the tree (another document, undo). Only the
        labels whose counts changed are redrawn (with their parents' sums): opening a
        document touches the codes it uses, not all of them."""
        old_here, old_total = self.here, self.total
        self.here, self.total = dict(here), dict(total)
        changed = {
            code_id
            for code_id in self.codes
            if old_here.get(code_id, 0) != self.here.get(code_id, 0)
            or old_total.get(code_id, 0) != self.total.get(code_id, 0)
        }
        for code_id in list(changed):
            parent = self.codes[code_id].parent_id
            while parent is not None and parent in self.codes and parent not in changed:
                changed.add(parent)
                parent = self.codes[parent].parent_id
        for code_id in self.codes:  # in tree order
            if code_id in changed:
                self.refresh_code(code_id)

    def bump(self, code_id: int, delta: int) -> None:
        """One coding more (or fewer) for a code, in this document and the study."""
        self.here[code_id] = self.here.get(code_id, 0) + delta
        self.total[code_id] = self.total.get(code_id, 0) + delta
        current: int | None = code_id
        while current is not None and current in self.codes:
            self.refresh_code(current)
            current = self.codes[current].parent_id

    def refresh_code(self, code_id: int) -> None:
        node, code = self._code_nodes.get(code_id), self.codes.get(code_id)
        if node is not None and code is not None:
            parent = code_id in self._children
            here, total = (
                (self._sum(self.here, code_id), self._sum(self.total, code_id))
                if parent
                else (
                    self.here.get(code_id, 0),
                    self.total.get(code_id, 0),
                )
            )
            node.set_label(code_label(code, here, total, rolled_up=parent))

    @property
    def highlighted(self) -> int | None:
        if not self.is_mounted:
            return None
        node = self.code_tree.cursor_node
        return node.data if node is not None else None

    def _show_definition(self, code_id: int | None) -> None:
        box = self.query_one("#code-definition", Static)
        if code_id is None or code_id not in self.codes:
            box.update(Text("Highlight a code to read its definition.", style="dim"))
        else:
            box.update(definition(self.codes[code_id], self.memos.get(code_id, "")))

    @on(Tree.NodeHighlighted, "#code-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[int]) -> None:
        self._show_definition(event.node.data)

    @on(Tree.NodeSelected, "#code-tree")
    def _chosen(self, event: Tree.NodeSelected[int]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.CodeChosen(event.node.data))
