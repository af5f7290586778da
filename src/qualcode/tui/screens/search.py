"""Search in one document or across the study, review the hits, and code them all at once.

Auto-coding by search is how researchers seed a codebook ("every passage with
*schaam*"), and how they lose trust in a tool when it codes too much. So every hit is
listed with its context and can be unticked first; "code all" codes exactly the ticked hits
(widened to their sentence only after `s`, shown in the title), the codes go in as one action
that a single undo removes, and hits that already have the code are left alone. What a hit is
(terms in one sentence, OR, prefix*, "phrases") is defined in study/search.py.
"""

from __future__ import annotations

import bisect
import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from qualcode.core.errors import QualcodeError
from qualcode.core.models import Code
from qualcode.study.study import SearchHit, Study
from qualcode.tui.dialogs.prompts import BindingCommands, code_picker
from qualcode.tui.messages import JumpTo, StudyChanged

TICKED, UNTICKED = Text("[x]"), Text("[ ]", style="dim")
STEP = Binding.Group("Step", compact=True)


class HitTable(DataTable):  # type: ignore[type-arg]
    """The hit list; its keys are shown while it has focus."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Jump", id="search.jump", tooltip="Jump to the hit"),
        Binding("n", "step(1)", "Next", group=STEP, id="search.next", tooltip="Next hit"),
        Binding("N", "step(-1)", "Previous", group=STEP, id="search.previous", tooltip="Previous hit"),
        Binding(
            "space", "screen.toggle_hit", "Tick", key_display="␣", id="search.tick", tooltip="Tick or untick the hit"
        ),
        Binding("a", "screen.toggle_all", "All", id="search.tick_all", tooltip="Tick all hits / none"),
        Binding("s", "screen.toggle_unit", "Unit", id="search.unit", tooltip="Code whole sentences / exact hits"),
        Binding("c", "screen.code_all", "Code", id="search.code_all", tooltip="Code all ticked hits"),
        Binding("u", "screen.undo", "Undo", id="search.undo", tooltip="Undo the last change"),
    ]

    def action_step(self, step: int) -> None:
        if self.row_count:
            self.move_cursor(row=(self.cursor_row + step) % self.row_count)


def hit_span(hit: SearchHit, sentences: list[tuple[int, int]], bodies: list[tuple[int, int]]) -> tuple[int, int]:
    """The hit widened to whole sentences (from the one holding its start to the one holding
    its end), but never back over the speaker label that opens a turn.

    ``sentences`` and ``bodies`` (turn body_start, end) are sorted by start.
    """
    starts = [s for s, _ in sentences]
    first = bisect.bisect_right(starts, hit.start) - 1
    last = bisect.bisect_right(starts, hit.end - 1) - 1
    if first < 0 or last < 0:
        return hit.start, hit.end
    start, end = min(sentences[first][0], hit.start), max(sentences[last][1], hit.end)
    turn_starts = [b for b, _ in bodies]
    turn = bisect.bisect_right(turn_starts, hit.start) - 1
    if turn >= 0 and bodies[turn][0] <= hit.start < bodies[turn][1]:
        start = max(start, bodies[turn][0])
    return start, end


class SearchScreen(Screen[None]):
    """Find words in one sentence, prefixes (``schaam*``), "phrases" and ``a OR b``; jump to a
    hit or code exactly the ticked hits."""

    CSS = """
    SearchScreen #search-title { height: 1; padding: 0 1; background: $panel; width: 1fr; }
    SearchScreen #search-query { margin: 0 1; }
    SearchScreen #hits { height: 1fr; }
    SearchScreen #search-preview { height: 4; border-top: solid $primary; padding: 0 1; }
    """
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("slash", "focus_query", "Find", key_display="/", id="search.query", tooltip="Search: edit the query"),
        Binding("ctrl+t", "toggle_scope", "Scope", id="search.scope", tooltip="Search: this document / whole study"),
        Binding("escape", "close", "Close", id="search.close", tooltip="Close search"),
        Binding("enter", "jump", "Jump", show=False, id="search.jump_screen", tooltip="Jump to the hit"),
        Binding("space", "toggle_hit", "Tick", show=False, id="search.tick_screen", tooltip="Tick or untick the hit"),
        Binding("c", "code_all", "Code all", show=False, id="search.code_all_screen", tooltip="Code all ticked hits"),
        Binding("u", "undo", "Undo", show=False, id="search.undo_screen", tooltip="Undo the last change"),
    ]

    def __init__(self, study: Study, document_id: int | None = None, query: str = "") -> None:
        super().__init__()
        self.study = study
        self.document_id = document_id
        self.scope = "document" if document_id is not None else "study"
        self.unit = "exact"  # code exactly what was found; `s` widens to the sentence
        self.initial_query = query
        self.hits: list[SearchHit] = []
        self.ticked: set[int] = set()
        self._texts: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Label("", id="search-title")
        yield Input(
            self.initial_query,
            placeholder='words in one sentence, prefix*, "a phrase", a OR b — Enter searches',
            id="search-query",
            compact=True,
        )
        table = HitTable(cursor_type="row", zebra_stripes=True, id="hits")
        table.add_columns(" ", "Document", "Hit in context")
        yield table
        yield Static("", id="search-preview")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._update_title()
        if self.initial_query:
            self.run_search(self.initial_query)
        else:
            self.query_one("#search-query", Input).focus()

    # -- searching ------------------------------------------------------------------------

    def _text_of(self, document_id: int) -> str:
        if document_id not in self._texts:
            self._texts[document_id] = self.study.document_text(document_id)
        return self._texts[document_id]

    @on(Input.Submitted, "#search-query")
    def submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        """Search, list the hits all ticked, and hand the keyboard to the list."""
        scope = self.document_id if self.scope == "document" else None
        try:
            self.hits = self.study.search(query, scope)
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        self.ticked = set(range(len(self.hits)))
        self._fill()
        if self.hits:
            self.query_one("#hits", HitTable).focus()
        else:
            self.notify(f"No hits for {query.strip()}", severity="warning")

    def _fill(self) -> None:
        table = self.query_one("#hits", HitTable)
        table.clear()
        for index, hit in enumerate(self.hits):
            table.add_row(
                TICKED if index in self.ticked else UNTICKED,
                hit.title if len(hit.title) <= 20 else hit.title[:19] + "…",
                _kwic(self._text_of(hit.document_id), hit.start, hit.end, self._context_width()),
                key=str(index),
            )
        self._update_title()
        self._preview(0 if self.hits else None)

    def _context_width(self) -> int:
        """Cells for the hit in context: the screen less the tick and document columns (each
        padded by one cell a side) and the scrollbar, so a line ends in "…", not at the edge."""
        return max(20, self.app.size.width - (3 + 2) - (20 + 2) - 2 - 4)

    def on_resize(self) -> None:
        if self.hits:
            cursor = self.query_one("#hits", HitTable).cursor_row
            self._fill()
            self.query_one("#hits", HitTable).move_cursor(row=cursor)

    def _update_title(self) -> None:
        where = "this document" if self.scope == "document" else "whole study"
        docs = len({h.document_id for h in self.hits})
        unit = "sentence" if self.unit == "sentence" else "exact hit"
        self.query_one("#search-title", Label).update(
            f"Search · {len(self.hits)} hits in {docs} docs · {where} · {len(self.ticked)} ticked · codes: {unit}"
        )

    def _preview(self, index: int | None) -> None:
        preview = self.query_one("#search-preview", Static)
        if index is None or index >= len(self.hits):
            preview.update(
                'Type a query and press Enter. All words must be in one sentence; "a phrase", prefix*, '
                "a OR b (capitals). ctrl+t switches scope; s codes whole sentences instead of exact hits."
            )
            return
        hit = self.hits[index]
        body = Text(f"{hit.title} · {hit.start}–{hit.end}\n", style="dim")
        body.append_text(_context(self._text_of(hit.document_id), hit.start, hit.end, 110))
        preview.update(body)

    @on(DataTable.RowHighlighted, "#hits")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._preview(event.cursor_row)

    @on(DataTable.RowSelected, "#hits")
    def selected(self, event: DataTable.RowSelected) -> None:
        self.action_jump()

    # -- actions --------------------------------------------------------------------------

    def current_index(self) -> int | None:
        table = self.query_one("#hits", HitTable)
        if not self.hits or not 0 <= table.cursor_row < len(self.hits):
            return None
        return table.cursor_row

    def action_jump(self) -> None:
        index = self.current_index()
        if index is None:
            return
        hit = self.hits[index]
        self.dismiss()
        self.app.post_message(JumpTo(hit.document_id, hit.start, hit.end))

    def action_toggle_hit(self) -> None:
        index = self.current_index()
        if index is None:
            return
        self.ticked ^= {index}
        table = self.query_one("#hits", HitTable)
        table.update_cell_at(Coordinate(index, 0), TICKED if index in self.ticked else UNTICKED)
        if index + 1 < len(self.hits):
            table.move_cursor(row=index + 1)
        self._update_title()

    def action_toggle_all(self) -> None:
        self.ticked = set() if len(self.ticked) == len(self.hits) else set(range(len(self.hits)))
        table = self.query_one("#hits", HitTable)
        for index in range(len(self.hits)):
            table.update_cell_at(Coordinate(index, 0), TICKED if index in self.ticked else UNTICKED)
        self._update_title()

    def action_toggle_unit(self) -> None:
        self.unit = "exact" if self.unit == "sentence" else "sentence"
        self.notify(
            "Code the whole sentence of each hit" if self.unit == "sentence" else "Code exactly the hit", timeout=2
        )
        self._update_title()

    def action_toggle_scope(self) -> None:
        if self.document_id is None:
            self.notify("No document is open, so the search covers the whole study", severity="warning")
            return
        self.scope = "study" if self.scope == "document" else "document"
        query = self.query_one("#search-query", Input).value
        if query.strip():
            self.run_search(query)
        else:
            self._update_title()

    def action_focus_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_close(self) -> None:
        self.dismiss()

    def action_undo(self) -> None:
        undone = self.study.undo()
        if undone is None:
            self.notify("Nothing to undo", severity="warning")
            return
        self.app.post_message(StudyChanged())
        self.notify(f"Undone: {undone}", timeout=3)

    def action_code_all(self) -> None:
        if not self.ticked:
            self.notify("No hits are ticked: search first, or tick hits with space", severity="warning")
            return

        def chosen(code_id: int | None) -> None:
            if code_id is not None and code_id > 0:
                self.code_ticked(self.study.code(code_id))

        self.app.push_screen(
            code_picker(f"Code {len(self.ticked)} ticked hits ({self.unit}) as…", self.study.codes()), chosen
        )

    def planned_spans(self, code: Code) -> tuple[list[tuple[int, int, int]], int]:
        """The passages coding the ticked hits would add, and how many hits already have
        the code (a coding of it by this coder covers the hit) and are skipped."""
        items: list[tuple[int, int, int]] = []
        skipped = 0
        units: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]] = {}
        for index in sorted(self.ticked):
            hit = self.hits[index]
            if hit.document_id not in units:
                sentences = [(s.start, s.end) for s in self.study.sentences(hit.document_id)]
                bodies = sorted((t.body_start, t.end) for t in self.study.turns(hit.document_id))
                mine = [
                    (c.start, c.end)
                    for c in self.study.document_codings(hit.document_id)
                    if c.code_id == code.id and c.coder == self.study.coder
                ]
                units[hit.document_id] = (sentences, bodies, mine)
            sentences, bodies, mine = units[hit.document_id]
            if any(s <= hit.start and hit.end <= e for s, e in mine):
                skipped += 1
                continue
            start, end = hit_span(hit, sentences, bodies) if self.unit == "sentence" else (hit.start, hit.end)
            items.append((hit.document_id, start, end))
        return list(dict.fromkeys(items)), skipped

    def code_ticked(self, code: Code) -> None:
        items, skipped = self.planned_spans(code)
        try:
            made = self.study.add_codings(items, code) if items else []
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        skipped_text = f"; {skipped} hits already had it" if skipped else ""
        if made:
            self.app.post_message(StudyChanged())
            self.notify(f"Coded {len(made)} passages as “{code.path}”{skipped_text}. u undoes them all", timeout=6)
        else:
            self.notify(f"Nothing to code: every ticked hit already has “{code.path}”", severity="warning")


def _kwic(text: str, start: int, end: int, width: int) -> Text:
    """The hit with as much context either side as fits ``width`` cells (a short side gives
    its room to the other), "…" where the text goes on."""

    def flat(s: str) -> str:
        return re.sub(r"\s+", " ", s)

    hit = flat(text[start:end])
    if len(hit) >= width:
        return Text(hit[: width - 1] + "…", style="bold reverse")
    room = width - len(hit)
    before = flat(text[max(0, start - 2 * room) : start])
    after = flat(text[end : end + 2 * room])
    more_before = start - 2 * room > 0
    more_after = end + 2 * room < len(text)
    left = min(len(before), room // 2)
    right = min(len(after), room - left)
    left = min(len(before), room - right)  # what the right side leaves over
    shown_before = before[len(before) - left :] if left else ""
    if shown_before and (left < len(before) or more_before):
        shown_before = "…" + shown_before[1:]
    shown_after = after[:right]
    if shown_after and (right < len(after) or more_after):
        shown_after = shown_after[:-1] + "…"
    line = Text()
    line.append(shown_before, style="dim")
    line.append(hit, style="bold reverse")
    line.append(shown_after, style="dim")
    return line


def _context(text: str, start: int, end: int, width: int) -> Text:
    def flat(s: str) -> str:
        return re.sub(r"\s+", " ", s)

    line = Text()
    line.append(("…" if start > width else "") + flat(text[max(0, start - width) : start]), style="dim")
    line.append(flat(text[start:end]), style="bold reverse")
    line.append(flat(text[end : end + width]) + ("…" if end + width < len(text) else ""), style="dim")
    return line
