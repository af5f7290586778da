"""Retrieval: every passage coded with one or more codes, filtered by organisation,
project, role, coder and document attributes, with a preview, a jump into the document
and an export to CSV.

"Any" (OR) lists each coding of any chosen code. "All" (AND) lists the passages where
every chosen code applies at once: per document, the union of each code's spans is
intersected across the codes, so two codes that overlap by one sentence give that sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Select, Static
from textual.widgets.select import InvalidSelectValueError

from qualcode.core.errors import QualcodeError
from qualcode.exchange.csv import write_fragments_csv
from qualcode.study.study import Study
from qualcode.tui.dialogs.confirm import ConfirmScreen
from qualcode.tui.dialogs.prompts import BindingCommands, PromptScreen, code_picker
from qualcode.tui.messages import JumpTo
from qualcode.tui.widgets.table import Cell, Column, Table

CONTEXT_CHARS = 14
"""How much text either side of a fragment its one-line context shows: little before, so
the fragment itself is visible in an 80-column terminal."""


class FragmentTable(Table):
    """The fragments: a :class:`Table` (first column frozen, columns sized to their content)
    whose Enter is shown in the footer (DataTable hides its own)."""

    BINDINGS = [
        Binding(
            "enter", "select_cursor", "Jump", id="retrieval.jump_row", tooltip="Jump to the fragment in its document"
        )
    ]


@dataclass(frozen=True)
class Passage:
    """One retrieved passage: a coding (mode "any") or an overlap of codes (mode "all")."""

    document_id: int
    document: str
    organisation: str | None
    project: str | None
    role: str | None
    participant: str | None
    speaker: str | None
    code: str
    coder: str
    start: int
    end: int
    text: str
    memo: str
    coding_id: int | None = None

    def as_row(self) -> dict[str, Any]:
        """The passage as the fragments CSV expects it."""
        return asdict(self)


def passage_from_fragment(fragment: Mapping[str, Any]) -> Passage:
    return Passage(
        document_id=int(fragment["document_id"]),
        document=str(fragment["document"]),
        organisation=fragment.get("organisation"),
        project=fragment.get("project"),
        role=fragment.get("role"),
        participant=fragment.get("participant"),
        speaker=fragment.get("speaker"),
        code=str(fragment["code"]),
        coder=str(fragment["coder"]),
        start=int(fragment["start"]),
        end=int(fragment["end"]),
        text=str(fragment["text"]),
        memo=str(fragment.get("memo") or ""),
        coding_id=int(fragment["id"]),
    )


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of spans as sorted, disjoint spans (touching spans join)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect_spans(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where two sorted, disjoint span lists overlap (a two-pointer sweep)."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def overlapping_passages(
    per_code: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], text_of: Callable[[int], str]
) -> list[Passage]:
    """Passages where every code applies: ``per_code`` pairs a code's label with its
    fragments (from :meth:`Study.fragments`, already filtered)."""
    if not per_code:
        return []
    by_doc: list[dict[int, list[Mapping[str, Any]]]] = []
    for _, fragments in per_code:
        grouped: dict[int, list[Mapping[str, Any]]] = {}
        for f in fragments:
            grouped.setdefault(int(f["document_id"]), []).append(f)
        by_doc.append(grouped)
    shared_docs = set(by_doc[0]).intersection(*by_doc[1:])
    label = " & ".join(name for name, _ in per_code)
    passages: list[Passage] = []
    for doc_id in shared_docs:
        spans = merge_spans([(f["start"], f["end"]) for f in by_doc[0][doc_id]])
        for grouped in by_doc[1:]:
            spans = intersect_spans(spans, merge_spans([(f["start"], f["end"]) for f in grouped[doc_id]]))
        if not spans:
            continue
        everything = [f for grouped in by_doc for f in grouped[doc_id]]
        text = text_of(doc_id)
        first = everything[0]
        for start, end in spans:
            involved = [f for f in everything if f["start"] < end and f["end"] > start]
            speaker_of = min(involved, key=lambda f: abs(int(f["start"]) - start))
            passages.append(
                Passage(
                    document_id=doc_id,
                    document=str(first["document"]),
                    organisation=first.get("organisation"),
                    project=first.get("project"),
                    role=first.get("role"),
                    participant=first.get("participant"),
                    speaker=speaker_of.get("speaker"),
                    code=label,
                    coder=", ".join(sorted({str(f["coder"]) for f in involved})),
                    start=start,
                    end=end,
                    text=text[start:end],
                    memo=" | ".join(dict.fromkeys(str(f["memo"]) for f in involved if f.get("memo"))),
                )
            )
    passages.sort(key=lambda p: (p.organisation or "", p.project or "", p.document, p.start, p.end))
    return passages


def context_line(text: str, start: int, end: int, width: int = CONTEXT_CHARS, body: int = 70) -> Text:
    """The fragment (bold, shortened) with a little text either side, on one line."""

    def flat(s: str) -> str:
        return re.sub(r"\s+", " ", s)

    before = flat(text[max(0, start - width) : start])
    inside = flat(text[start:end])
    after = flat(text[end : end + width])
    if len(inside) > body:
        inside = inside[: body - 1] + "…"
    line = Text()
    line.append(("…" if start > width else "") + before, style="dim")
    line.append(inside, style="bold")
    line.append(after + ("…" if end + width < len(text) else ""), style="dim")
    return line


def _short_middle(value: str, width: int) -> str:
    """Shortened in the middle: coders are often "onderzoeker-a" and "onderzoeker-b"."""
    if len(value) <= width:
        return value
    head = (width - 1) // 2
    return value[:head] + "…" + value[len(value) - (width - 1 - head) :]


def _slug(value: str) -> str:
    return re.sub(r"[^\w]+", "-", value.casefold()).strip("-") or "fragmenten"


@dataclass
class RetrievalState:
    """What a closed retrieval screen was showing, so R after a jump comes back to it."""

    code_ids: list[int]
    mode: str
    filters: dict[str, str | None]
    row: int


FILTER_SELECTS = ("f-organisation", "f-project", "f-role", "f-speaker", "f-coder", "f-attribute", "f-value")
NOT_INTERVIEWER = "!interviewer"
"""The speaker filter's "everyone but the interviewer": a parent's interview without the
interviewer's questions."""


class RetrievalScreen(Screen[None]):
    """Coded fragments across the study, by code and by case variables."""

    CSS = """
    RetrievalScreen #retrieval-title { height: 1; padding: 0 1; background: $panel; width: 1fr; }
    RetrievalScreen .filters { height: 1; }
    RetrievalScreen .filters Select { width: 1fr; margin-right: 1; }
    /* a chosen value that does not fit ends in "…" (Select cut it with no mark: "Organisati") */
    RetrievalScreen SelectCurrent Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    RetrievalScreen SelectCurrent.-textual-compact { padding: 0 1; }
    RetrievalScreen #fragments { height: 1fr; }
    RetrievalScreen #preview { height: 7; border-top: solid $primary; padding: 0 1; }
    """
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("enter", "jump", "Jump", id="retrieval.jump", tooltip="Jump to the fragment in its document"),
        Binding("c", "add_code", "Codes", id="retrieval.add_code", tooltip="Retrieve: add a code"),
        Binding("d", "remove_code", "Remove", id="retrieval.remove_code", tooltip="Retrieve: remove one chosen code"),
        Binding("x", "clear_codes", "Clear", id="retrieval.clear_codes", tooltip="Retrieve: clear the chosen codes"),
        Binding(
            "a",
            "toggle_mode",
            "AND/OR",
            id="retrieval.toggle_mode",
            tooltip="Retrieve: switch any (OR) / all overlapping (AND)",
        ),
        Binding("f", "focus_filters", "Filter", id="retrieval.filters", tooltip="Retrieve: go to the filters"),
        Binding("ctrl+e", "export", "Export", id="retrieval.export", tooltip="Export the fragments to CSV"),
        Binding("escape", "close", "Close", id="retrieval.close", tooltip="Close retrieval"),
    ]

    def __init__(
        self, study: Study, codes: Sequence[int | str] = (), mode: str = "any", state: RetrievalState | None = None
    ) -> None:
        super().__init__()
        self.study = study
        self.code_ids: list[int] = [study.code(ref).id for ref in codes]
        self.mode = mode
        self.passages: list[Passage] = []
        self._texts: dict[int, str] = {}
        self._state = state
        self._shown_filters: dict[str, Any] | None = None
        self._pending_value: str | None = None

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        study = self.study
        roles = sorted({d.role for d in study.documents() if d.role})
        yield Label("", id="retrieval-title")
        with Horizontal(classes="filters"):
            yield Select(
                [(o["name"], o["name"]) for o in study.organisations()],
                prompt="Organisation",
                compact=True,
                id="f-organisation",
            )
            yield Select(
                [(p["name"], p["name"]) for p in study.projects()], prompt="Project", compact=True, id="f-project"
            )
            yield Select([(r, r) for r in roles], prompt="Interviewee role", compact=True, id="f-role")
        with Horizontal(classes="filters"):
            # The role of the turn a coding starts in, not the document's: in a parent's
            # interview the interviewer's questions are not the parent's words.
            speakers = [("not the interviewer", NOT_INTERVIEWER)] + [(r, r) for r in study.turn_roles()]
            yield Select(speakers, prompt="Speaker role", compact=True, id="f-speaker")
            yield Select([(c["name"], c["name"]) for c in study.coders()], prompt="Coder", compact=True, id="f-coder")
            yield Select([(n, n) for n in study.attribute_names()], prompt="Attribute", compact=True, id="f-attribute")
            yield Select([], prompt="Value", compact=True, id="f-value")
        yield FragmentTable(id="fragments")
        with VerticalScroll(id="preview"):
            yield Static("", id="preview-text")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        state, row = self._state, 0
        if state is not None:
            known = {c.id for c in self.study.codes()}
            self.code_ids = [cid for cid in state.code_ids if cid in known]  # some may be gone
            self.mode = state.mode
            self._restore_filters(state.filters)
            row = state.row
        self.reload()
        table = self.query_one("#fragments", FragmentTable)
        if row > 0:
            table.move_to_row(row)
        table.focus()

    def _restore_filters(self, filters: dict[str, str | None]) -> None:
        attribute = filters.get("f-attribute")
        # Setting the attribute posts a Changed that refills the values later; the value
        # restored here must survive that refill (it was lost: 22 fragments became 162).
        self._pending_value = filters.get("f-value") if attribute else None
        if attribute:
            self.query_one("#f-value", Select).set_options([(v, v) for v in self.study.attribute_values(attribute)])
        for select_id in FILTER_SELECTS:
            value = filters.get(select_id)
            select = self.query_one(f"#{select_id}", Select)
            if value is not None:
                try:
                    select.value = value
                except InvalidSelectValueError:  # e.g. a role no document has any more
                    pass

    def state(self) -> RetrievalState:
        table = self.query_one("#fragments", DataTable)
        return RetrievalState(
            list(self.code_ids), self.mode, {i: self._value(f"#{i}") for i in FILTER_SELECTS}, max(0, table.cursor_row)
        )

    def _remember(self) -> None:
        """Leave the state with the app (if it keeps one), for the next R."""
        if hasattr(self.app, "retrieval_state"):
            self.app.retrieval_state = self.state()

    # -- querying -------------------------------------------------------------------------

    def _value(self, select_id: str) -> str | None:
        value = self.query_one(select_id, Select).value
        return None if value == Select.NULL else str(value)

    def filters(self) -> dict[str, Any]:
        """The filter choices as keyword arguments of :meth:`Study.fragments`."""
        attribute, value = self._value("#f-attribute"), self._value("#f-value")
        speaker = self._value("#f-speaker")
        return {
            "speaker_role": speaker if speaker and speaker != NOT_INTERVIEWER else None,
            "not_speaker_role": "interviewer" if speaker == NOT_INTERVIEWER else None,
            "organisation": self._value("#f-organisation"),
            "project": self._value("#f-project"),
            "role": self._value("#f-role"),
            "coder": self._value("#f-coder"),
            "attributes": {attribute: value} if attribute and value else None,
        }

    def _text_of(self, document_id: int) -> str:
        if document_id not in self._texts:
            self._texts[document_id] = self.study.document_text(document_id)
        return self._texts[document_id]

    def retrieve(self) -> list[Passage]:
        filters = self.filters()
        if self.mode == "all" and len(self.code_ids) > 1:
            per_code = [
                (self.study.code(cid).path, self.study.fragments(codes=[cid], **filters)) for cid in self.code_ids
            ]
            return overlapping_passages(per_code, self._text_of)
        passages = [passage_from_fragment(f) for f in self.study.fragments(codes=self.code_ids or None, **filters)]
        passages.sort(key=lambda p: (p.organisation or "", p.project or "", p.document, p.start, p.end, p.coder))
        return passages

    def reload(self) -> None:
        self._shown_filters = self.filters()
        try:
            self.passages = self.retrieve()
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            self.passages = []
        table = self.query_one("#fragments", FragmentTable)
        # Two coders on one passage look like a duplicate row unless the coder is shown.
        by_coder = len({p.coder for p in self.passages}) > 1
        coder_width = 14 if self.app.size.width >= 100 else 10  # cut in the middle: "onde…ker-b"
        columns = [
            Column("Document", max_width=16),
            Column("Speaker", max_width=8),
            Column("Code", max_width=16 if self.mode == "any" else 28),
            *([Column("Coder", "mark")] if by_coder else []),
            Column("Fragment in context", "prose"),
        ]
        rows: list[list[Cell]] = [
            [
                p.document,
                p.speaker or "",
                p.code.rsplit("/", 1)[-1] if self.mode == "any" else p.code,
                *([_short_middle(p.coder, coder_width)] if by_coder else []),
                context_line(self._text_of(p.document_id), p.start, p.end),
            ]
            for p in self.passages
        ]
        table.show(columns, rows)  # the preview below shows the highlighted fragment in full
        self._update_title()
        self._show_preview(0 if self.passages else None)

    def refresh_from_study(self) -> None:
        """Colleagues' commits came in (the main screen's live view calls this): show them,
        keeping the cursor's row."""
        table = self.query_one("#fragments", FragmentTable)
        row = table.cursor_row
        self.reload()
        if self.passages:
            table.move_to_row(min(row, len(self.passages) - 1))

    def _update_title(self) -> None:
        if self.code_ids:
            names = [self.study.code(cid).path for cid in self.code_ids]
            joiner = " AND " if self.mode == "all" else " OR "
            codes = joiner.join(names)
        else:
            codes = "all codes (c adds a code)"
        noun = "passage" if self.mode == "all" and len(self.code_ids) > 1 else "fragment"
        count = len(self.passages)
        self.query_one("#retrieval-title", Label).update(
            f"Retrieval · {count} {noun}{'' if count == 1 else 's'} · {codes}"
        )

    # -- preview --------------------------------------------------------------------------

    def current(self) -> Passage | None:
        table = self.query_one("#fragments", DataTable)
        if not self.passages or table.cursor_row < 0 or table.cursor_row >= len(self.passages):
            return None
        return self.passages[table.cursor_row]

    def _show_preview(self, index: int | None) -> None:
        preview = self.query_one("#preview-text", Static)
        if index is None or index >= len(self.passages):
            preview.update("No fragments match. Add a code with c, or change the filters (f).")
            return
        p = self.passages[index]
        where = " · ".join(x for x in (p.organisation, p.project, p.role, p.participant) if x)
        body = Text()
        body.append(f"{p.document}", style="bold")
        body.append(f"  {where}\n", style="dim")
        body.append(f"{p.speaker or '—'} · {p.code} · {p.coder} · {p.start}–{p.end}\n", style="italic")
        body.append(p.text)
        if p.memo:
            body.append("\nMemo: ", style="bold")
            body.append(p.memo)
        preview.update(body)

    @on(DataTable.RowHighlighted, "#fragments")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_preview(event.cursor_row)

    @on(DataTable.RowSelected, "#fragments")
    def selected(self, event: DataTable.RowSelected) -> None:
        self.action_jump()

    @on(Select.Changed)
    def filter_changed(self, event: Select.Changed) -> None:
        if event.select.id == "f-attribute":
            values = self.query_one("#f-value", Select)
            name = self._value("#f-attribute")
            options = [(v, v) for v in self.study.attribute_values(name)] if name else []
            values.set_options(options)
            pending, self._pending_value = self._pending_value, None
            if pending is not None and any(v == pending for v, _ in options):
                values.value = pending
        if self.filters() != self._shown_filters:  # restoring filters changes each select once
            self.reload()

    # -- actions --------------------------------------------------------------------------

    def action_jump(self) -> None:
        passage = self.current()
        if passage is None:
            return
        self._remember()
        self.dismiss()
        self.app.post_message(JumpTo(passage.document_id, passage.start, passage.end))

    def action_add_code(self) -> None:
        def chosen(code_id: int | None) -> None:
            if code_id is not None and code_id > 0 and code_id not in self.code_ids:
                self.code_ids.append(code_id)
                self.reload()

        self.app.push_screen(
            code_picker("Add a code to retrieve", self.study.codes(), exclude=set(self.code_ids)), chosen
        )

    def set_codes(self, codes: Sequence[int | str], mode: str | None = None) -> None:
        """Choose the codes (and "any"/"all") programmatically, e.g. from the code tree."""
        self.code_ids = [self.study.code(ref).id for ref in codes]
        if mode is not None:
            self.mode = mode
        self.reload()

    def action_remove_code(self) -> None:
        if not self.code_ids:
            self.notify("No codes chosen: c adds one", severity="warning")
            return

        def chosen(code_id: int | None) -> None:
            if code_id in self.code_ids:
                self.code_ids.remove(code_id)
                self.reload()

        if len(self.code_ids) == 1:
            chosen(self.code_ids[0])
            return
        chosen_codes = [self.study.code(cid) for cid in self.code_ids]
        self.app.push_screen(code_picker("Remove a code from the list", chosen_codes), chosen)

    def action_clear_codes(self) -> None:
        self.code_ids = []
        self.reload()

    def action_toggle_mode(self) -> None:
        self.mode = "all" if self.mode == "any" else "any"
        self.notify("All chosen codes must overlap (AND)" if self.mode == "all" else "Any chosen code (OR)", timeout=2)
        self.reload()

    def action_focus_filters(self) -> None:
        self.query_one("#f-organisation", Select).focus()

    def action_close(self) -> None:
        """Escape in a filter goes back to the fragments; Escape on the fragments closes."""
        table = self.query_one("#fragments", DataTable)
        if self.focused is not None and self.focused is not table:
            table.focus()
            return
        self._remember()
        self.dismiss()

    def default_export_name(self) -> str:
        """Named after the codes and the filters, so exports of one code for parents and for
        coaches do not overwrite each other."""
        names = [self.study.code(cid).name for cid in self.code_ids] or ["alle"]
        filters = self.filters()
        attributes = filters.pop("attributes") or {}
        if filters.pop("not_speaker_role"):
            names.append("zonder-interviewer")
        names += [v for v in filters.values() if v] + [f"{k}-{v}" for k, v in attributes.items()]
        return f"fragmenten-{_slug('-'.join(names))}.csv"

    def action_export(self) -> None:
        if not self.passages:
            self.notify("Nothing to export: no fragments match", severity="warning")
            return

        def write(path: Path) -> None:
            try:
                count = write_fragments_csv([p.as_row() for p in self.passages], path, self.study.name)
            except QualcodeError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"Wrote {count} fragments to {path}")

        def named(answer: str | None) -> None:
            if not answer:
                return
            path = Path(answer).expanduser()
            if not path.is_absolute():
                path = Path.cwd() / path
            if path.exists():
                self.app.push_screen(
                    ConfirmScreen(f"{path} exists. Replace it?"),
                    lambda ok: write(path) if ok else None,
                )
            else:
                write(path)

        self.app.push_screen(PromptScreen("Export fragments to CSV", self.default_export_name()), named)
