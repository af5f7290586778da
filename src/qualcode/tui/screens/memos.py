"""The memo overview: every memo in the study (on codings, documents, codes and the study),
filtered by typing, Enter goes to the place it is about.

Memos are listed by place, as a researcher rereads them: the study's first, then document by
document (the document's memo, then its codings' memos in text order), then the codes'. The
filter matches every word typed against the memo's text, its code, its document, its coder and
its kind; ctrl+t narrows to one kind. The screen dismisses with a :class:`MemoPlace` and the
main screen goes there (opens the document and selects the coded passage, or shows the code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from qualcode.study.study import Study
from qualcode.tui.colours import code_colour

KINDS = ("coding", "document", "code", "study")
KIND_LABELS = {"coding": "on a coding", "document": "on a document", "code": "on a code", "study": "on the study"}


@dataclass(frozen=True)
class MemoPlace:
    """Where a chosen memo points: a passage (document and span), a document, a code."""

    target: str
    document_id: int | None = None
    start: int = 0
    end: int = 0
    code_id: int | None = None


@dataclass
class MemoRow:
    """One memo as the overview lists it."""

    target: str
    target_id: int
    text: str
    coder: str
    document_id: int | None
    title: str
    start: int
    end: int
    code_id: int | None
    code_path: str
    colour: str
    words: str

    @property
    def haystack(self) -> str:
        return " ".join(
            (self.text, self.code_path, self.title, self.coder, self.target, KIND_LABELS[self.target], self.words)
        ).casefold()

    @property
    def place(self) -> MemoPlace:
        return MemoPlace(self.target, self.document_id, self.start, self.end, self.code_id)

    def where(self) -> Text:
        """The memo's place in one line: kind, document and code (as far as it has them)."""
        line = Text()
        line.append(self.target, style="bold")
        if self.title:
            line.append("  ")
            line.append(self.title)
        if self.code_path:
            line.append("  ")
            line.append("▌", style=self.colour)
            line.append(self.code_path)
        line.append(f"  {self.coder}", style="dim")
        return line


def memo_rows(study: Study) -> list[MemoRow]:
    """The study's memos in reading order (see the module's docstring)."""
    codes = {c.id: c for c in study.codes()}
    rows = []
    for found in study.memo_overview():
        target = str(found["target"])
        if target not in KINDS:
            continue
        code = codes.get(found["code_id"]) if found["code_id"] is not None else None
        rows.append(
            MemoRow(
                target=target,
                target_id=int(found["target_id"]),
                text=str(found["text"]),
                coder=str(found["coder"]),
                document_id=found["document_id"],
                title=str(found["title"] or ""),
                start=int(found["start"] or 0),
                end=int(found["end"] or 0),
                code_id=code.id if code else None,
                code_path=code.path if code else "",
                colour=code_colour(code.id, code.color) if code else "",
                words=" ".join(str(found["words"] or "").split()),
            )
        )
    order = {kind: i for i, kind in enumerate(("study", "document", "coding", "code"))}

    def key(row: MemoRow) -> tuple[Any, ...]:
        if row.target == "code":
            return (2, row.code_path.casefold(), row.coder)
        if row.target == "study":
            return (0, "", 0, 0, row.coder)
        return (1, row.title.casefold(), row.document_id or 0, order[row.target], row.start, row.end, row.coder)

    rows.sort(key=key)
    return rows


def matching(rows: Sequence[MemoRow], query: str, kind: str | None) -> list[MemoRow]:
    """The rows of one kind (or all) holding every word of ``query``."""
    words = query.casefold().split()
    return [r for r in rows if (kind is None or r.target == kind) and all(w in r.haystack for w in words)]


def memo_option(row: MemoRow) -> Option:
    label = row.where()
    first = " ".join(row.text.split())
    label.append("\n  ")
    label.append(first[:200] + ("…" if len(first) > 200 else ""))
    return Option(label)


class MemoOverviewScreen(Screen[MemoPlace | None]):
    """Every memo of the study; type to filter, Enter goes to its place, Escape closes."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="memos.close", tooltip="Close the memo overview"),
        Binding(
            "enter", "go", "Go to", id="memos.go", tooltip="Go to the memo's place (its passage, document or code)"
        ),
        Binding("ctrl+t", "next_kind", "Kind", id="memos.kind", tooltip="Show one kind of memo, the next, or all"),
        Binding(
            "f2,e", "edit", "Edit", id="memos.edit", tooltip="Edit the memo (e in the list; yours, or a coding's memo)"
        ),
        Binding("down", "step(1)", "Next memo", show=False, id="memos.next"),
        Binding("up", "step(-1)", "Previous memo", show=False, id="memos.previous"),
        Binding("slash", "focus_filter", "Filter", show=False, id="memos.filter", tooltip="Filter the memos"),
    ]
    DEFAULT_CSS = """
    MemoOverviewScreen {
        & #memos-title { padding: 0 1; text-style: bold; color: $primary; }
        & #memos-filter { border: none; height: 1; padding: 0 1; margin: 0 0 1 0; background: $boost; }
        & #memos-list { height: 2fr; border: none; }
        & #memos-preview-box { height: 1fr; min-height: 4; border-top: solid $panel; padding: 0 1; }
    }
    """

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study
        self.rows: list[MemoRow] = []
        self.shown: list[MemoRow] = []
        self.kind: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="memos-title")
            yield Input(placeholder="filter: words in the memo, its code, document or coder", id="memos-filter")
            yield OptionList(id="memos-list")
            with VerticalScroll(id="memos-preview-box"):
                yield Static("", id="memos-preview")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.rows = memo_rows(self.study)
        self._refilter()
        self.query_one("#memos-filter", Input).focus()

    @property
    def options(self) -> OptionList:
        return self.query_one("#memos-list", OptionList)

    def _refilter(self) -> None:
        query = self.query_one("#memos-filter", Input).value
        self.shown = matching(self.rows, query, self.kind)
        options = self.options
        options.clear_options()
        options.add_options([memo_option(r) for r in self.shown])
        if self.shown:
            options.highlighted = 0
        counts = {k: sum(1 for r in self.rows if r.target == k) for k in KINDS}
        title = Text(f"Memos: {len(self.shown)} of {len(self.rows)}", style="bold")
        title.append(
            "  (" + ", ".join(f"{n} {KIND_LABELS[k]}" for k, n in counts.items() if n) + ")" if self.rows else "",
            style="dim",
        )
        if self.kind is not None:
            title.append(f"  showing memos {KIND_LABELS[self.kind]} (ctrl+t: next kind)")
        self.query_one("#memos-title", Static).update(title)
        self._preview()

    def _preview(self) -> None:
        box = self.query_one("#memos-preview", Static)
        row = self.current
        if row is None:
            if not self.rows:
                box.update(
                    Text(
                        "No memos yet. On the coding screen m writes a memo on the coding under the cursor "
                        "(or on the code highlighted in the codebook), M on the document.",
                        style="dim",
                    )
                )
            else:
                box.update(Text("No memo matches the filter.", style="dim"))
            return
        text = row.where()
        if row.words:
            text.append("\n“" + row.words[:300] + ("…”" if len(row.words) >= 300 else "”"), style="italic")
        text.append("\n\n" + row.text)
        box.update(text)

    @property
    def current(self) -> MemoRow | None:
        index = self.options.highlighted
        return self.shown[index] if index is not None and 0 <= index < len(self.shown) else None

    @on(Input.Changed, "#memos-filter")
    def _filter_changed(self) -> None:
        self._refilter()

    @on(Input.Submitted, "#memos-filter")
    def _submitted(self) -> None:
        self.action_go()

    @on(OptionList.OptionHighlighted, "#memos-list")
    def _highlighted(self) -> None:
        self._preview()

    @on(OptionList.OptionSelected, "#memos-list")
    def _selected(self) -> None:
        self.action_go()

    def action_step(self, delta: int) -> None:
        options = self.options
        if not self.shown:
            return
        index = options.highlighted or 0
        options.highlighted = max(0, min(len(self.shown) - 1, index + delta))

    def action_next_kind(self) -> None:
        cycle: list[str | None] = [None, *KINDS]
        self.kind = cycle[(cycle.index(self.kind) + 1) % len(cycle)]
        self._refilter()

    def action_focus_filter(self) -> None:
        self.query_one("#memos-filter", Input).focus()

    def action_go(self) -> None:
        row = self.current
        if row is None:
            return
        if row.target == "study":
            self.notify("A memo on the study has no place in the text; it is shown below.", timeout=3)
            return
        self.dismiss(row.place)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        """Edit the highlighted memo in place: one's own memo on the study, a document or a
        code, or a coding's memo (which belongs to the coding). An empty memo is deleted."""
        from qualcode.tui.dialogs.memo import MemoScreen

        row = self.current
        if row is None:
            return
        if row.target != "coding" and row.coder != self.study.coder:
            self.notify(f"This memo is {row.coder}'s; yours on the same {row.target} is written there.", timeout=4)
            return
        title = Text.assemble("Memo ", row.where())

        def saved(text: str | None) -> None:
            if text is None or text == row.text:
                return
            self._save(row, text)

        self.app.push_screen(MemoScreen(title.plain, row.text), saved)

    def _save(self, row: MemoRow, text: str) -> None:
        from qualcode.core.errors import QualcodeError
        from qualcode.study import team
        from qualcode.tui.dialogs.memo import save_draft

        try:
            if row.target == "coding":
                self.study.set_coding_memo(row.target_id, text)
            else:
                self.study.set_memo(row.target, row.target_id if row.target != "study" else None, text)
        except Exception as exc:  # gone meanwhile, or the study is busy: nothing typed is lost
            if not isinstance(exc, QualcodeError) and not team.is_busy(exc):
                raise
            path = save_draft(text)
            self.notify(f"{exc}. Your memo is kept as a draft: {path}", severity="warning", timeout=15)
            return
        self.notify("Memo saved." if text.strip() else "Memo removed.", timeout=2)
        keep = (row.target, row.target_id)
        self.rows = memo_rows(self.study)
        self._refilter()
        for index, shown in enumerate(self.shown):
            if (shown.target, shown.target_id) == keep:
                self.options.highlighted = index
                break
