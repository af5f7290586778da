"""The document browser: organisation → project → document, filtered by typing.

Each document shows its role, participant, length and how much of it is coded, so a
researcher sees at a glance which interviews still need work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static, Tree

from qualcode.tui.widgets.named_tree import NamedTree, NameLabel

NO_ORGANISATION = "(geen organisatie)"
NO_PROJECT = "(geen project)"


def document_label(row: dict[str, Any]) -> Text:
    """The title, then role, participant, length and codings (dropped first when the panel
    is narrow; a title too long is shortened in the middle, keeping its number)."""
    details = [str(v) for v in (row.get("role"), row.get("participant")) if v]
    details.append(f"{row.get('word_count', 0):,} w".replace(",", "."))
    codings = int(row.get("codings") or 0)
    after = Text.assemble(("  " + " · ".join(details), "dim"), (f"  {codings} cod.", "bold" if codings else "dim"))
    return NameLabel("", str(row["title"]), after, cut="middle")


def document_details(row: dict[str, Any]) -> Text:
    """Everything the browser knows of a document, for the detail box and the tooltip (the
    tree's line gives way in a narrow panel)."""
    text = Text(str(row["title"]), style="bold")
    where = " / ".join(str(row[k]) for k in ("organisation", "project") if row.get(k))
    details = [str(v) for v in (row.get("role"), row.get("participant")) if v]
    details.append(f"{row.get('word_count', 0):,} words".replace(",", "."))
    codings = int(row.get("codings") or 0)
    details.append(f"{codings} {'coding' if codings == 1 else 'codings'}")
    text.append("\n" + " · ".join(details), style="dim")
    if where:
        text.append("\n" + where, style="dim")
    return text


def matches(row: dict[str, Any], query: str) -> bool:
    """Every word of the query occurs in the document's title, role, participant,
    organisation, project or file name."""
    haystack = " ".join(
        str(row.get(k) or "") for k in ("title", "role", "participant", "organisation", "project", "source_name")
    ).casefold()
    return all(word in haystack for word in query.casefold().split())


class DocumentBrowser(Vertical):
    """A filter box above a tree of the study's documents."""

    @dataclass
    class Opened(Message):
        """The user chose a document to open."""

        document_id: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[dict[str, Any]] = []
        self.current: int | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter documents…", id="doc-filter")
        tree: NamedTree[int] = NamedTree("Study", id="doc-tree", describe=self._describe)
        tree.show_root = False
        tree.guide_depth = 2
        yield tree
        yield Static("", id="doc-detail")

    def _row(self, document_id: int | None) -> dict[str, Any] | None:
        return next((r for r in self.rows if r["id"] == document_id), None) if document_id is not None else None

    def _describe(self, node: Any) -> str | Text:
        row = self._row(node.data)
        return document_details(row) if row is not None else node.label

    @on(Tree.NodeHighlighted, "#doc-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[int]) -> None:
        if event.node.data is None:  # an organisation, a project or a hint: the whole line
            shown = event.node.label if event.node.parent is not None else ""  # not the hidden root
            self.query_one("#doc-detail", Static).update(shown)
            return
        self._show_detail(event.node.data)

    def _show_detail(self, document_id: int | None) -> None:
        row = self._row(document_id)
        self.query_one("#doc-detail", Static).update(document_details(row) if row is not None else "")

    @property
    def doc_tree(self) -> Tree[int]:
        return self.query_one("#doc-tree", Tree)

    def load(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self._rebuild(self.query_one("#doc-filter", Input).value)

    def _rebuild(self, query: str) -> None:
        tree = self.doc_tree
        tree.clear()
        shown = [r for r in self.rows if matches(r, query)] if query.strip() else self.rows
        groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for row in shown:
            org = row.get("organisation") or NO_ORGANISATION
            groups.setdefault(org, {}).setdefault(row.get("project") or NO_PROJECT, []).append(row)
        for org, projects in groups.items():
            count = sum(len(v) for v in projects.values())
            org_node = tree.root.add(NameLabel("", org, Text(f"  {count}", "dim"), name_style="bold"), expand=True)
            for project, docs in projects.items():
                project_node = org_node.add(NameLabel("", project, Text(f"  {len(docs)}", "dim")), expand=True)
                for row in docs:
                    node = project_node.add_leaf(document_label(row), data=int(row["id"]))
                    if row["id"] == self.current:
                        tree.call_after_refresh(tree.move_cursor, node)
        if not self.rows:
            tree.root.add_leaf(Text("no documents yet: see how to import them on the right", style="dim italic"))
        elif not shown:
            tree.root.add_leaf(Text("no document matches", style="dim italic"))

    @on(Input.Changed, "#doc-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._rebuild(event.value)

    @on(Input.Submitted, "#doc-filter")
    def _open_first(self) -> None:
        """Enter in the filter opens the first document left, as in a quick-open box."""
        shown = self.visible_documents()
        if shown:
            self.post_message(self.Opened(shown[0]))

    @on(Tree.NodeSelected, "#doc-tree")
    def _selected(self, event: Tree.NodeSelected[int]) -> None:
        if event.node.data is not None:
            event.stop()
            self.post_message(self.Opened(event.node.data))

    def set_current(self, document_id: int) -> None:
        """Put the tree's cursor on the open document (its full title shows below)."""
        self.current = document_id

        def find(node: Any) -> Any:
            if node.data == document_id:
                return node
            for child in node.children:
                found = find(child)
                if found is not None:
                    return found
            return None

        node = find(self.doc_tree.root)
        if node is not None:
            tree = self.doc_tree
            tree.call_after_refresh(tree.move_cursor, node)
        self._show_detail(document_id)

    def visible_documents(self) -> list[int]:
        """Ids of the documents the filter leaves in the tree, in tree order."""
        found: list[int] = []

        def walk(node: Any) -> None:
            if node.data is not None:
                found.append(node.data)
            for child in node.children:
                walk(child)

        walk(self.doc_tree.root)
        return found

    def update_count(self, document_id: int, codings: int) -> None:
        """Show a document's new coding count without rebuilding the tree."""
        for row in self.rows:
            if row["id"] == document_id:
                if row.get("codings") == codings:
                    return
                row["codings"] = codings
                label = document_label(row)
                break
        else:
            return
        node = self.doc_tree.cursor_node
        if node is not None and node.data == document_id:
            self._show_detail(document_id)

        def walk(node: Any) -> bool:
            if node.data == document_id:
                node.set_label(label)
                return True
            return any(walk(child) for child in node.children)

        walk(self.doc_tree.root)
