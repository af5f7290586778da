"""The codebook editor: the code tree with counts, and every edit a codebook needs while
coding goes on (add, rename, move, merge, delete, definition, colour, shortcut, import).

Each edit is one Study call, so one undo (u) takes it back, here or in the CLI.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, Static, TextArea, Tree
from textual.widgets.tree import TreeNode

from qualcode.core.errors import QualcodeError
from qualcode.core.models import Code
from qualcode.study.study import Study
from qualcode.tui.dialogs.confirm import ConfirmScreen
from qualcode.tui.dialogs.prompts import (
    DIALOG_CSS,
    TOP_LEVEL,
    BindingCommands,
    PromptScreen,
    code_picker,
)
from qualcode.tui.main.codebook import provenance_line
from qualcode.tui.messages import StudyChanged
from qualcode.tui.widgets.named_tree import NamedTree, NameLabel

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def check_colour(value: str) -> str | None:
    """A colour as stored (lower-case ``#rrggbb``), None for none; ValueError otherwise."""
    value = value.strip()
    if not value:
        return None
    if not COLOUR.match(value):
        raise ValueError(f"colour “{value}” is not of the form #rrggbb (e.g. #1f77b4)")
    return value.lower()


def swatch(colour: str | None) -> Text:
    return Text("■■", style=colour) if colour else Text("□□", style="dim")


SHORTCUT_KEYS = frozenset("1234567890")
"""The keys that apply a code while coding (the main screen binds the digits)."""


class CodeFormScreen(ModalScreen[bool]):
    """A code's definition, colour and shortcut in one form, saved as one undoable edit.

    Errors (a bad colour, a shortcut another code has) keep the form open with the
    message, and nothing is written.
    """

    DEFAULT_CSS = (
        """
    CodeFormScreen { align: center middle; }
    CodeFormScreen .qc-dialog { width: 78; }
    CodeFormScreen #form-body { height: auto; max-height: 14; }
    CodeFormScreen .form-row { height: auto; }
    CodeFormScreen .form-label { width: 13; }
    CodeFormScreen TextArea { height: 2; }
    CodeFormScreen #form-description, CodeFormScreen #form-example { height: 3; }
    CodeFormScreen .form-row Input { padding: 0 1; }  /* text in line with the text areas' */
    CodeFormScreen #form-color { width: 12; }
    CodeFormScreen #form-swatch { width: 1fr; padding-left: 1; }
    CodeFormScreen #form-shortcut { width: 5; }
    """
        + DIALOG_CSS
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="codeform.save"),
        Binding("escape", "cancel", "Cancel", id="codeform.cancel"),
    ]

    def __init__(self, study: Study, code: Code) -> None:
        super().__init__()
        self.study = study
        self.code = code

    def compose(self) -> ComposeResult:
        c = self.code
        with Vertical(classes="qc-dialog"):
            yield Label(f"Edit “{c.path}”  (ctrl+s saves, esc cancels)", classes="qc-title")
            with VerticalScroll(id="form-body"):
                for name, title, value in (
                    ("description", "Description", c.description),
                    ("when_to_use", "When to use", c.when_to_use),
                    ("when_not_to_use", "When not", c.when_not_to_use),
                    ("example", "Example", c.example),
                ):
                    with Horizontal(classes="form-row"):
                        yield Label(title, classes="form-label")
                        yield TextArea(value, id=f"form-{name}", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("Keywords", classes="form-label")
                    yield Input(", ".join(c.keywords), placeholder="comma-separated", id="form-keywords", compact=True)
                with Horizontal(classes="form-row"):
                    yield Label("Colour", classes="form-label")
                    yield Input(c.color or "", placeholder="#rrggbb", id="form-color", compact=True, max_length=7)
                    yield Static(swatch(c.color), id="form-swatch")
                with Horizontal(classes="form-row"):
                    yield Label("Shortcut", classes="form-label")
                    yield Input(c.shortcut or "", id="form-shortcut", compact=True, max_length=1)
                    yield Label("  a digit 1–9 or 0 that applies this code while coding")
            yield Label("", classes="qc-error", id="form-error")
            with Horizontal(classes="qc-buttons"):
                yield Button("Save", variant="primary", id="form-save")
                yield Button("Cancel", id="form-cancel")

    def on_mount(self) -> None:
        self.query_one("#form-description", TextArea).focus()

    @on(Input.Changed, "#form-color")
    def preview_colour(self, event: Input.Changed) -> None:
        shown = self.query_one("#form-swatch", Static)
        try:
            colour = check_colour(event.value)
        except ValueError:
            shown.update(Text("not #rrggbb yet", style="italic dim"))
            return
        shown.update(swatch(colour) + Text(f" {colour or 'no colour'}", style="dim"))

    def changes(self) -> dict[str, Any]:
        """The fields that differ from the code; ValueError for a bad colour."""
        c = self.code
        text = {
            name: self.query_one(f"#form-{name}", TextArea).text.strip()
            for name in ("description", "when_to_use", "when_not_to_use", "example")
        }
        keywords = [k.strip() for k in self.query_one("#form-keywords", Input).value.split(",") if k.strip()]
        colour = check_colour(self.query_one("#form-color", Input).value)
        shortcut = self.query_one("#form-shortcut", Input).value.strip() or None
        if shortcut is not None and shortcut not in SHORTCUT_KEYS and shortcut != c.shortcut:
            # Only the digits are bound while coding; a letter would show as [c] and never work.
            raise ValueError(f"shortcut “{shortcut}” cannot be used: only the digits 1–9 and 0 code a passage")
        wanted: dict[str, Any] = {**text, "keywords": keywords, "color": colour, "shortcut": shortcut}
        current: dict[str, Any] = {
            "description": c.description,
            "when_to_use": c.when_to_use,
            "when_not_to_use": c.when_not_to_use,
            "example": c.example,
            "keywords": list(c.keywords),
            "color": c.color,
            "shortcut": c.shortcut,
        }
        return {k: v for k, v in wanted.items() if v != current[k]}

    @on(Button.Pressed, "#form-save")
    def action_save(self) -> None:
        error = self.query_one("#form-error", Label)
        try:
            changes = self.changes()
            if changes:
                self.study.update_code(self.code.id, **changes)
        except (ValueError, QualcodeError) as exc:
            error.update(str(exc))
            return
        self.dismiss(bool(changes))

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class CodebookEditorScreen(Screen[None]):
    """Edit the study's code tree."""

    CSS = """
    CodebookEditorScreen #codebook-title { height: 1; padding: 0 1; background: $panel; width: 1fr; }
    CodebookEditorScreen #code-tree { width: 3fr; min-width: 30; }
    CodebookEditorScreen #code-detail { width: 2fr; border-left: solid $primary; padding: 0 1; }
    """
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("a", "add_code", "Add", id="codebook.add", tooltip="Add a code under the highlighted code"),
        Binding("A", "add_top_code", "Top", id="codebook.add_top", tooltip="Add a code at the top level"),
        Binding("r,f2", "rename", "Rename", id="codebook.rename", tooltip="Rename the code"),
        Binding("m", "move", "Move", id="codebook.move", tooltip="Move the code under another parent"),
        Binding("M", "merge", "Merge", id="codebook.merge", tooltip="Merge the code into another"),
        Binding("d,delete", "delete", "Delete", id="codebook.delete", tooltip="Delete the code (undo brings it back)"),
        Binding("e", "edit", "Edit", id="codebook.edit", tooltip="Edit definition, colour and shortcut"),
        Binding("i", "import_codebook", "Import", id="codebook.import", tooltip="Import a codebook (YAML)"),
        Binding("u", "undo", "Undo", id="codebook.undo", tooltip="Undo the last change"),
        Binding("escape", "close", "Close", id="codebook.close", tooltip="Close the codebook editor"),
    ]

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study
        self.counts: dict[int, int] = {}
        self.codes: dict[int, Code] = {}

    def compose(self) -> ComposeResult:
        yield Label("", id="codebook-title")
        with Horizontal():
            tree: NamedTree[int] = NamedTree("Codes", id="code-tree")
            tree.show_root = False
            tree.guide_depth = 2
            yield tree
            with VerticalScroll(id="code-detail"):
                yield Static("", id="code-detail-text")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#code-tree", Tree).focus()

    # -- the tree -------------------------------------------------------------------------

    def reload(self, keep: int | None = None) -> None:
        """Rebuild the tree from the study, keeping the cursor on ``keep`` (or where it was)."""
        tree: Tree[int] = self.query_one("#code-tree", Tree)
        if keep is None and self.current() is not None:
            keep = self.current().id  # type: ignore[union-attr]
        codes = self.study.codes()
        self.codes = {c.id: c for c in codes}
        self.counts = self.study.code_counts()
        totals = {c.id: sum(self.counts.get(i, 0) for i in self._descendants(c.id)) for c in codes}
        tree.clear()
        nodes: dict[int, TreeNode[int]] = {}
        for c in codes:
            parent = nodes[c.parent_id] if c.parent_id in nodes else tree.root  # noqa: SIM401  (parent_id may be None)
            own, total = self.counts.get(c.id, 0), totals[c.id]
            after = Text(f"  {own}" if own == total else f"  {own}/{total}", style="dim")
            if c.shortcut:
                after.append(f" [{c.shortcut}]", style="bold")
            # A name too long for the tree ends in "…" (whole in the detail pane and the tooltip).
            label = NameLabel(swatch(c.color) + Text(" "), c.name, after)
            nodes[c.id] = parent.add(label, data=c.id, expand=True, allow_expand=True)
        for node in nodes.values():
            node.allow_expand = bool(node.children)
        total_codings = sum(self.counts.values())
        self.query_one("#codebook-title", Label).update(
            f"Codebook · {len(codes)} codes · {total_codings} codings · u undoes the last change"
        )
        if keep not in nodes:
            keep = codes[0].id if codes else None
        if keep is not None:
            self.call_after_refresh(self._move_to, nodes[keep])
        self._show_detail(self.codes.get(keep) if keep is not None else None)

    def _descendants(self, code_id: int) -> list[int]:
        out, stack = [], [code_id]
        children: dict[int | None, list[int]] = {}
        for c in self.codes.values():
            children.setdefault(c.parent_id, []).append(c.id)
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(children.get(current, []))
        return out

    def _move_to(self, node: TreeNode[int]) -> None:
        tree: Tree[int] = self.query_one("#code-tree", Tree)
        tree.move_cursor(node)

    def select_code(self, ref: int | str) -> None:
        """Put the cursor on a code (by id or path)."""
        code = self.study.code(ref)
        tree: Tree[int] = self.query_one("#code-tree", Tree)
        for node in _walk(tree.root):
            if node.data == code.id:
                tree.move_cursor(node)
                self._show_detail(code)
                return

    def current(self) -> Code | None:
        tree: Tree[int] = self.query_one("#code-tree", Tree)
        node = tree.cursor_node
        if node is None or node.data is None:
            return None
        return self.codes.get(node.data)

    @on(Tree.NodeHighlighted, "#code-tree")
    def highlighted(self, event: Tree.NodeHighlighted[int]) -> None:
        if event.node.data is not None:
            self._show_detail(self.codes.get(event.node.data))

    def _show_detail(self, code: Code | None) -> None:
        detail = self.query_one("#code-detail-text", Static)
        if code is None:
            detail.update("No codes yet: a adds one, i imports a codebook.")
            return
        own = self.counts.get(code.id, 0)
        total = sum(self.counts.get(i, 0) for i in self._descendants(code.id))
        body = Text()
        body.append(code.path, style="bold")
        body.append("\n")
        body.append_text(swatch(code.color))
        body.append(f" {code.color or 'no colour'} · shortcut {code.shortcut or '—'} · ", style="dim")
        body.append(f"{own} codings" + (f", {total} with sub-codes" if total != own else ""), style="dim")
        for title, value in (
            ("Description", code.description),
            ("When to use", code.when_to_use),
            ("When not to use", code.when_not_to_use),
            ("Example", code.example),
            ("Source", provenance_line(code)),
            ("Keywords", ", ".join(code.keywords)),
        ):
            if value:
                body.append(f"\n\n{title}\n", style="bold")
                body.append(value)
        if code.codebook:
            body.append(f"\n\nCodebook: {code.codebook}", style="dim")
        detail.update(body)

    # -- edits ----------------------------------------------------------------------------

    def _apply(self, change: Any, done: str, keep: int | None = None) -> bool:
        """Run one study edit; show its error or its result; reload. True when it worked."""
        try:
            result = change()
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return False
        if keep is None and isinstance(result, Code):
            keep = result.id
        self.app.post_message(StudyChanged())
        self.reload(keep)
        self.notify(done, timeout=3)
        return True

    def _need_code(self) -> Code | None:
        code = self.current()
        if code is None:
            self.notify("Choose a code in the tree first", severity="warning")
        return code

    def action_add_code(self, top: bool = False) -> None:
        parent = None if top else self.current()
        where = f"under “{parent.path}”" if parent else "at the top level"

        def named(name: str | None) -> None:
            if name:
                self._apply(
                    lambda: self.study.add_code(name, parent.id if parent else None),
                    f"Added “{name}” {where}",
                )

        self.app.push_screen(PromptScreen(f"New code {where}", placeholder="name"), named)

    def action_add_top_code(self) -> None:
        self.action_add_code(top=True)

    def action_rename(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def named(name: str | None) -> None:
            if name and name != code.name:
                self._apply(lambda: self.study.rename_code(code.id, name), f"Renamed to “{name}”")

        self.app.push_screen(PromptScreen(f"Rename “{code.path}”", code.name), named)

    def action_move(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def chosen(parent_id: int | None) -> None:
            if parent_id is None:
                return
            parent = None if parent_id == TOP_LEVEL else parent_id
            where = f"under “{self.codes[parent_id].path}”" if parent is not None else "to the top level"
            self._apply(lambda: self.study.move_code(code.id, parent), f"Moved “{code.name}” {where}")

        self.app.push_screen(
            code_picker(
                f"Move “{code.path}” under…",
                list(self.codes.values()),
                offer_top_level=code.parent_id is not None,
                exclude={*self._descendants(code.id), *([code.parent_id] if code.parent_id else [])},
            ),
            chosen,
        )

    def action_merge(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def chosen(target_id: int | None) -> None:
            if target_id is None or target_id == TOP_LEVEL:
                return
            target = self.codes[target_id]
            moving = self.counts.get(code.id, 0)

            def confirmed(ok: bool | None) -> None:
                if ok:
                    self._apply(
                        lambda: self.study.merge_codes(code.id, target.id),
                        f"Merged “{code.name}” into “{target.path}” ({moving} codings moved); u undoes",
                        keep=target.id,
                    )

            self.app.push_screen(
                ConfirmScreen(
                    f"Merge “{code.path}” into “{target.path}”?\n\nIts {moving} codings and its sub-codes "
                    f"move to “{target.name}”, and “{code.name}” is deleted. Undo (u) reverses it."
                ),
                confirmed,
            )

        self.app.push_screen(
            code_picker(
                f"Merge “{code.path}” into…", list(self.codes.values()), exclude=set(self._descendants(code.id))
            ),
            chosen,
        )

    def action_delete(self) -> None:
        code = self._need_code()
        if code is None:
            return
        ids = self._descendants(code.id)
        codings = sum(self.counts.get(i, 0) for i in ids)
        subs = len(ids) - 1
        detail = (
            f"{codings} codings"
            + (f" and {subs} sub-codes" if subs else "")
            + " go with it. Undo (u) brings them back."
        )

        def confirmed(ok: bool | None) -> None:
            if ok:
                keep = code.parent_id
                self._apply(
                    lambda: self.study.delete_code(code.id),
                    f"Deleted “{code.path}” and {codings} codings; u undoes",
                    keep=keep,
                )

        self.app.push_screen(ConfirmScreen(f"Delete “{code.path}”?\n\n{detail}"), confirmed)

    def action_edit(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def saved(changed: bool | None) -> None:
            if changed:
                self.app.post_message(StudyChanged())
                self.reload(code.id)
                self.notify(f"Saved “{code.path}”", timeout=3)

        self.app.push_screen(CodeFormScreen(self.study, code), saved)

    def action_import_codebook(self) -> None:
        def chosen(answer: str | None) -> None:
            if not answer:
                return
            path = Path(answer).expanduser()
            try:
                counts = self.study.import_codebook(path)
            except QualcodeError as exc:
                self.notify(str(exc), severity="error", timeout=8)
                return
            except OSError as exc:
                self.notify(f"{path}: {exc.strerror or exc}", severity="error", timeout=8)
                return
            self.app.post_message(StudyChanged())
            self.reload()
            self.notify(f"Imported {path.name}: {counts['added']} codes added, {counts['updated']} updated")

        self.app.push_screen(PromptScreen("Import a codebook (YAML)", placeholder="path/to/codebook.yaml"), chosen)

    def action_undo(self) -> None:
        try:
            undone = self.study.undo()
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        if undone is None:
            self.notify("Nothing to undo", severity="warning")
            return
        self.app.post_message(StudyChanged())
        self.reload()
        self.notify(f"Undone: {undone}", timeout=3)

    def action_close(self) -> None:
        self.dismiss()


def _walk(node: TreeNode[int]) -> list[TreeNode[int]]:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(_walk(child))
    return out
