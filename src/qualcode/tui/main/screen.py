"""The main screen: document browser, transcript, codebook and status bar.

This module holds the layout, opening documents and keeping counts and highlights in step
with the study; the coding verbs are in :mod:`.coding_actions`. Key bindings live on this
screen (not on the app) so that screens pushed on top do not inherit them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input

from qualcode.core import config
from qualcode.core.errors import QualcodeError
from qualcode.core.models import Code, Document
from qualcode.study.study import Study
from qualcode.tui.colours import code_colour
from qualcode.tui.main.browser import DocumentBrowser
from qualcode.tui.main.codebook import CodebookPanel
from qualcode.tui.main.coding_actions import CodingActions
from qualcode.tui.main.coverage import Coverage, Span
from qualcode.tui.main.live import LiveView
from qualcode.tui.main.status import HereCode, StatusBar
from qualcode.tui.main.transcript import TranscriptView
from qualcode.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from textual.timer import Timer

    from qualcode.tui.screens.memos import MemoPlace

NARROW = 110  # below this many columns the side panels start hidden, and show one at a time
PANELS = ("browser", "codebook")
DEFAULT_PANELS = {"wide": {"browser": True, "codebook": True}, "narrow": {"browser": False, "codebook": False}}
"""Which side panels show before the user has chosen (then config.json's ``ui.main``)."""
SAVE_POSITION_AFTER = 2.0
"""Seconds after the last move before the position is written to the user config."""


def _b(key: str, action: str, description: str, id: str, show: bool = False, tooltip: str = "") -> Binding:
    return Binding(key, action, description, show=show, id=f"qualcode.{id}", tooltip=tooltip)


MOVE_BINDINGS = [
    _b("down,j", "move('move_sentence', 1)", "Next sentence", "next-sentence"),
    _b("up,k", "move('move_sentence', -1)", "Previous sentence", "previous-sentence"),
    _b("J,ctrl+down", "move('move_turn', 1)", "Next turn", "next-turn"),
    _b("K,ctrl+up", "move('move_turn', -1)", "Previous turn", "previous-turn"),
    _b("shift+down", "move('extend_sentences', 1)", "Extend selection by a sentence", "extend-sentence-down"),
    _b(
        "shift+up",
        "move('extend_sentences', -1)",
        "Shrink/extend selection by a sentence upwards",
        "extend-sentence-up",
    ),
    _b(
        "ctrl+shift+down,greater_than_sign", "move('extend_turns', 1)", "Extend selection by a turn", "extend-turn-down"
    ),
    _b(
        "ctrl+shift+up,less_than_sign",
        "move('extend_turns', -1)",
        "Extend selection by a turn upwards",
        "extend-turn-up",
    ),
    _b("shift+right", "move('extend_chars', 1)", "Extend selection by a character", "extend-char-right"),
    _b("shift+left", "move('extend_chars', -1)", "Shrink selection by a character", "extend-char-left"),
    _b("ctrl+shift+right", "move('extend_words', 1)", "Extend selection by a word", "extend-word-right"),
    _b("ctrl+shift+left", "move('extend_words', -1)", "Shrink selection by a word", "extend-word-left"),
    _b("t", "select_turn", "Turn", "select-turn", tooltip="Select the turn"),
    _b("pagedown", "page(1)", "Page down", "page-down"),
    _b("pageup", "page(-1)", "Page up", "page-up"),
    _b("home", "ends(0)", "Start of the document", "document-start"),
    _b("end", "ends(1)", "End of the document", "document-end"),
]

CODING_BINDINGS = [
    _b("c", "code_picker", "Code…", "code", show=True),
    _b("r", "recent_picker", "Code with a recently used code", "recent"),
    _b("v", "in_vivo", "In vivo", "in-vivo", show=True),
    _b("x", "remove_coding", "Remove", "remove", show=True, tooltip="Remove coding"),
    _b("e", "recode", "Change the code of a coding", "recode"),
    _b("right_square_bracket", "adjust('end', 1)", "Coding end: one word more", "grow-end"),
    _b("left_square_bracket", "adjust('end', -1)", "Coding end: one word less", "shrink-end"),
    _b("left_curly_bracket", "adjust('start', 1)", "Coding start: one word more", "grow-start"),
    _b("right_curly_bracket", "adjust('start', -1)", "Coding start: one word less", "shrink-start"),
    _b("equals_sign", "set_boundaries", "Set a coding's boundaries to the selection", "set-boundaries"),
    _b("m", "memo", "Memo on the coding (or on the highlighted code)", "memo"),
    _b("M", "document_memo", "Memo on the document", "document-memo"),
    _b("u,ctrl+z", "undo", "Undo", "undo", show=True),
    _b("U,ctrl+y", "redo", "Redo", "redo"),
    _b("ctrl+r", "retry_write", "Retry the action that waited for a busy study", "retry"),
] + [
    _b(key, f"shortcut('{key}')", f"Code with the code whose shortcut is {key}", f"shortcut-{key}")
    for key in "1234567890"
]

PANEL_BINDINGS = [
    _b(
        "b", "toggle_panel('browser')", "Docs", "toggle-browser", show=True, tooltip="Documents: show or hide the panel"
    ),
    _b("o", "toggle_panel('codebook')", "Codes", "toggle-codebook", show=True, tooltip="Codes: show or hide the panel"),
    _b(
        "z",
        "focus_mode",
        "Focus",
        "focus-mode",
        show=True,
        tooltip="Focus: only the transcript and the status lines (z again brings the panels back)",
    ),
    _b("N", "app.memos", "Memos: every memo in the study, filter, jump", "memos"),
    _b("f", "focus_filter", "Filter documents", "filter"),
    _b("escape", "focus_transcript", "Back to the transcript", "focus-transcript"),
    _b("n", "next_document(1)", "Next document", "next-document"),
    _b("p", "next_document(-1)", "Previous document", "previous-document"),
    _b("slash", "app.search", "Search", "search", show=True),
    _b("R", "app.retrieve", "Retrieve coded fragments", "retrieve"),
    _b("E", "app.edit_codebook", "Edit the codebook", "edit-codebook"),
    _b("A", "app.analyse", "Analyse: frequencies and crosstabs", "analyse"),
    _b("S", "app.suggestions", "Suggested codings", "suggestions"),
    _b("I", "app.import_transcripts", "Import transcripts (files or a folder, with metadata)", "import"),
    _b("D", "app.edit_document", "Edit the document's attributes (case, wave, role, …)", "edit-document"),
    _b("G", "app.merge_study", "Merge a colleague's study file", "merge"),
    _b("C", "app.switch_coder", "Switch coder (who is coding)", "switch-coder"),
    _b("ctrl+o", "app.switch_study", "Open another study", "switch-study"),
    _b("question_mark,f1", "help", "Keys", "help", show=True),
    _b("q", "app.quit", "Quit", "quit", show=True),
]


def _help_first(bindings: list[Binding]) -> list[Binding]:
    return sorted(bindings, key=lambda binding: binding.action != "help")


def _import_command(screen: Screen[Any]) -> tuple[str, str] | None:
    """The TUI's way to import transcripts, if it has one: (palette name, key or "")."""
    from qualcode.tui.palette.commands import APP_ACTIONS

    for name, action in APP_ACTIONS:
        lowered = name.casefold()
        if "import" in lowered and ("transcript" in lowered or "document" in lowered):
            keys = [
                screen.app.get_key_display(binding)
                for bindings in (screen._bindings, screen.app._bindings)
                for found in bindings.key_to_bindings.values()
                for binding in found
                if binding.action in {action, action.removeprefix("app.")}
            ]
            return name, keys[0] if keys else ""
    return None


def _shown_path(path: object) -> str:
    """A study's path as a shell line names it: relative to here when it is below here."""
    import os
    import shlex

    try:
        relative = os.path.relpath(str(path))
    except ValueError:  # another drive (Windows)
        relative = str(path)
    return shlex.quote(str(path) if relative.startswith("..") else relative)


def empty_study_hint(screen: Screen[Any], path: object) -> list[Text]:
    """How to start in an empty study: the TUI's import (key, palette) and the CLI line."""
    lines = [
        Text(" This study has no documents yet.", style="bold"),
        Text(""),
        Text(" Import interview transcripts (.txt .md .docx .odt .vtt .srt, or a folder of them):"),
    ]
    command = _import_command(screen)
    if command is not None:
        name, key = command
        way = Text("   • ")
        if key:
            way.append(key, style="bold")
            way.append(", or ")
        way.append("ctrl+p", style="bold")
        way.append(f" and “{name}”")
        lines.append(way)
    study = f" --study {_shown_path(path)}" if path else ""
    lines += [
        Text("   • in a shell:" if command is not None else "   in a shell:"),
        Text(f"       qualcode import interviews/{study}", style="bold"),
        Text(
            "     imports every transcript in the folder; --organisation, --project, --role, --wave and "
            "--attr NAME=VALUE set their metadata (qualcode import --help)."
        ),
        Text(""),
        Text(" A codebook comes with E (the codebook editor, i imports a YAML codebook)."),
        Text(" ? lists every key; ctrl+p finds any action by name."),
    ]
    return lines


class MainScreen(LiveView, CodingActions, Screen[None]):
    """Code transcripts: browse, select, code, adjust, memo."""

    # Help first: the footer shows keys in this order and cuts the last ones on 80 columns.
    BINDINGS: ClassVar[list[BindingType]] = [*_help_first([*MOVE_BINDINGS, *CODING_BINDINGS, *PANEL_BINDINGS])]

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study
        self.document: Document | None = None
        self.coder_names: dict[int, str] = {}
        self.codes: dict[int, Code] = {}
        self.colours: dict[int, str] = {}
        self.recent: list[int] = []
        self.active_coding: int | None = None
        self._narrow: bool | None = None
        self._panels = config.ui_state("main")
        """Panels shown per layout (``wide``/``narrow``) and ``focus``, as remembered."""
        self._position_timer: Timer | None = None
        self._where: tuple[int, int, int] | None = None
        """The open document and the selection, as the next start should find them."""
        self._synced: tuple[int, int] | None = None
        """The study's change marker when the view was last brought up to date."""
        self._panels_ready = False
        self._codes_for_panels: list[Code] | None = None

    def compose(self) -> ComposeResult:
        # The side panels' places (their ids: their widths, frames and hiding) on the first
        # frame; the panels themselves are mounted in them right after it (their trees,
        # filter box and detail boxes, with their styles, were a third of the work before
        # the first frame). Their widths are there from the start, so the transcript is
        # wrapped once.
        with Horizontal(id="panes"):
            yield Vertical(id="browser", classes="panel-slot")
            yield TranscriptView(id="transcript")
            yield Vertical(id="codebook", classes="panel-slot")
        yield StatusBar(id="status")
        yield SteadyFooter(compact=True)

    @property
    def transcript(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def browser(self) -> DocumentBrowser:
        return self.query_one(DocumentBrowser)

    @property
    def codebook(self) -> CodebookPanel:
        return self.query_one(CodebookPanel)

    def on_mount(self) -> None:
        # The first frame shows the transcript; the document tree and the code tree fill in
        # right after it (building and drawing them was a third of the work before it).
        hold = getattr(self.app, "hold_keys", None)
        if hold is not None:  # keys typed before the side panels are there wait for them
            hold()
        codes = self._read_codes()
        order = self.study.document_order()  # the listing's counts are read after the frame
        self.transcript.focus()
        if order:
            self.reopen(order)
        else:
            self.show_empty_study()
        self.call_after_refresh(self._fill_panels, codes)
        self.start_live()
        self._synced = self._marker()

    @property
    def panels_ready(self) -> bool:
        """Whether the side panels are mounted (they are, from just after the first frame)."""
        return self._panels_ready

    async def _fill_panels(self, codes: list[Code]) -> None:
        """The side panels in their places, then the code tree from what the mount read and
        the document browser (the study is read once at start-up); the counts are read
        now, so a coding made before this frame is counted."""
        codes = self._codes_for_panels or codes  # read again by a reload before this frame
        panes = self.query_one("#panes", Horizontal)
        await self.query(".panel-slot").remove()
        await panes.mount(DocumentBrowser(id="browser"), before=self.transcript)
        await panes.mount(CodebookPanel(id="codebook"), after=self.transcript)
        self._panels_ready = True
        try:
            self._load_code_tree(codes)
            rows = self.study.document_rows()
            self.browser.load(rows)
            if self.document is not None:
                self.browser.set_current(self.document.id)
                listed = next((r.get("codings") for r in rows if r["id"] == self.document.id), None)
                if listed is not None and int(listed) != len(self.transcript.coverage):
                    self.browser.update_count(self.document.id, len(self.transcript.coverage))
        finally:
            release = getattr(self.app, "release_keys", None)
            if release is not None:
                release()

    def on_unmount(self) -> None:
        self.save_position()
        self.stop_live()

    def _marker(self) -> tuple[int, int]:
        from qualcode.study import team

        return team.change_marker(self.study)

    # -- loading --------------------------------------------------------------------------

    def load_codes(self) -> None:
        self._load_code_tree(self._read_codes())

    def _read_codes(self) -> list[Code]:
        """The codes, their colours and the coders' names (what the transcript paints with)."""
        codes = self.study.codes()
        self.codes = {c.id: c for c in codes}
        self.coder_names = self.study.coder_names()
        self.colours = {c.id: code_colour(c.id, c.color) for c in codes}
        self.transcript.shortcuts = {c.id: c.shortcut for c in codes if c.shortcut}
        return codes

    def _load_code_tree(self, codes: list[Code]) -> None:
        here = self.study.code_counts(self.document.id) if self.document else {}
        memos = {m.target_id: m.text for m in self.study.memos("code") if m.coder == self.study.coder}
        self.codebook.load(codes, here, self.study.code_counts(), memos)

    def show_empty_study(self) -> None:
        """A study without documents says how to start, in the transcript's place."""
        self.transcript.empty_hint = empty_study_hint(self, self.study.path)
        self.transcript.refresh()
        self.update_status()

    def reopen(self, order: list[int]) -> None:
        """Open the document this coder had open in this study, at the passage selected then;
        the first document (of ``order``, the documents' ids as listed) when there is none
        (or it is gone)."""
        where = config.last_position(self.study.path, self.study.coder or "") if self.study.path else None
        if where is not None and where["document"] in set(order):
            self.open_document(where["document"], select=(where["start"], where["end"]))
        else:
            self.open_document(order[0])

    def save_position(self) -> None:
        """Remember where this coder is in this study (for the next start)."""
        if self._position_timer is not None:
            self._position_timer.stop()
            self._position_timer = None
        where = self._where
        if where is None or self.study.path is None or not self.study.coder:
            return
        try:
            config.remember_position(self.study.path, self.study.coder, *where)
        except OSError:  # an unwritable config folder costs the position, not the session
            pass

    def _position_moved(self) -> None:
        if self.document is None:
            return
        self._where = (self.document.id, *self.transcript.selection)
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(SAVE_POSITION_AFTER, self.save_position)

    def open_document(self, document_id: int, select: tuple[int, int] | None = None) -> None:
        """Show a document (its text, turns, sentences and codings); select a passage in it.

        A long transcript paints before all its codings are read: the view gets those
        around the passage it shows (one indexed read) and reads the rest right after the
        first frame (or sooner, if anything asks about a passage outside them)."""
        try:
            document = self.study.document(document_id)
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        self.document = document
        self.active_coding = None
        view = self.transcript
        first = self.study.sentence_bounds(document_id, first=True)
        where = select or (first[0] if first else (0, 0))
        lo, hi = view.window_around(*where)
        spans: list[tuple[int, int, int, int, int]] | Coverage
        sentences: list[tuple[int, int]] | Callable[[], list[tuple[int, int]]]
        if first and (lo > 0 or hi < len(document.text)):
            # A long transcript: what the first frame shows now, the rest right after it.
            spans = Coverage(
                self.study.coding_spans(document_id, within=(lo, hi)),
                window=(lo, hi),
                rest=partial(self.study.coding_spans, document_id),
            )
            sentences = partial(self.study.sentence_bounds, document_id)
            select = where
            self.call_after_refresh(self._read_the_rest, view, spans)
        else:
            spans = self.study.coding_spans(document_id)  # plain rows, in Span's order
            sentences = self.study.sentence_bounds(document_id)
        view.show_document(
            document_id,
            document.text,
            self.study.turn_bounds(document_id),
            sentences,
            spans,
            self.colours,
            memos=self.study.memo_coding_ids(document_id),
            select=select,
        )
        if self._panels_ready:  # else they are filled when they are mounted
            self.browser.set_current(document_id)
            self.codebook.set_counts(self.study.code_counts(document_id), self.codebook.total)
        self.update_status()
        if self.session:
            self.heartbeat(force=True)  # colleagues see where this coder is now

    @staticmethod
    def _read_the_rest(view: TranscriptView, coverage: Coverage) -> None:
        """After the first frame of a long transcript: the codings outside its window and
        the sentences."""
        if view.coverage is coverage:
            coverage.complete()
            view.cursor.sentences  # noqa: B018  (reads them)

    def load_spans(self, document_id: int) -> list[Span]:
        """The document's codings as the view paints them (a lean read: 20,000 codings in
        a few milliseconds)."""
        return list(map(Span._make, self.study.coding_spans(document_id)))  # rows in Span's order

    def reload(self) -> None:
        """Re-read everything that another screen, undo or the CLI may have changed."""
        if self._panels_ready:
            self.load_codes()
            rows = self.study.document_rows()
            self.browser.load(rows)
            order = [int(r["id"]) for r in rows]
        else:  # a change before the first frame: the panels, mounted after it, read it then
            self._codes_for_panels = self._read_codes()
            order = self.study.document_order()
        if self.document is None:
            if order:  # the study was empty and got documents (an import)
                self.reopen(order)
            else:
                self.show_empty_study()
            return
        try:
            self.study.document(self.document.id)
        except QualcodeError:  # removed elsewhere
            self.document = None
            self.transcript.show_document(0, "", [], [], [], {})
            return
        self.transcript.set_spans(self.load_spans(self.document.id), self.colours)
        self.transcript.set_memos(self.study.memo_coding_ids(self.document.id))
        self.update_status()
        self._synced = self._marker()

    def switch_study(self, study: Study) -> None:
        """Show another study (the app has opened it and closed this one)."""
        self.save_position()  # where this coder was in the old one
        self.study = study
        self.document = None
        self.active_coding = None
        self.recent = []
        self.transcript.show_document(0, "", [], [], [], {})
        self.reload()
        if self.document is None:
            self.update_status()
        self.switch_live()
        self.transcript.focus()

    def on_screen_resume(self) -> None:
        # Back from another screen or a dialog: reload only if the study changed meanwhile
        # (the first resume, right after mount, and closing a picker change nothing).
        if self.is_mounted and self._synced is not None and self._marker() != self._synced:
            self.reload()

    # -- status ---------------------------------------------------------------------------

    def update_status(self) -> None:
        start, end = self.transcript.selection
        here: dict[int, HereCode] = {}
        if self.document is not None:
            memos = self.transcript.memo_codings
            for span in self.transcript.coverage.overlapping(start, max(end, start + 1)):
                code = self.codes.get(span.code_id)
                if code is None:
                    continue
                item = here.setdefault(
                    code.id, HereCode(code.path, code.name, self.colours.get(code.id, ""), code.shortcut)
                )
                who = self.coder_names.get(span.coder_id, "?")
                if who != self.study.coder and who not in item.coders:
                    item.coders.append(who)
                item.memo = item.memo or span.coding_id in memos
        text = self.transcript.text
        self.query_one(StatusBar).show(
            study=self.study.name,
            document=self.document.title if self.document else "",
            coder=self.study.coder or "not chosen",
            others=[(c.coder, c.title) for c in self.colleagues] if self.session else [],
            selection=(start, end) if self.document else None,
            words=len(text[start:end].split()) if end - start < 200_000 else -1,
            here=list(reversed(here.values())),  # innermost first: what the text's colour shows
            focus=self.has_class("-focus"),
        )

    @on(TranscriptView.SelectionChanged)
    def _selection_changed(self) -> None:
        self.update_status()
        self._position_moved()

    @on(DocumentBrowser.Opened)
    def _document_chosen(self, event: DocumentBrowser.Opened) -> None:
        self.open_document(event.document_id)
        self.transcript.focus()

    @on(CodebookPanel.CodeChosen)
    def _code_chosen(self, event: CodebookPanel.CodeChosen) -> None:
        self.apply_code(event.code_id)

    # -- moving ---------------------------------------------------------------------------

    def action_move(self, name: str, delta: int) -> None:
        if self.document is not None:
            self.transcript.move(name, delta)

    def action_select_turn(self) -> None:
        if self.document is not None:
            self.transcript.select_turn()

    def action_page(self, delta: int) -> None:
        view = self.transcript
        if self.document is None:
            return
        line = view.wrapped.line_of(view.selection[0]) + delta * max(1, view.scrollable_content_region.height - 2)
        line = max(0, min(len(view.wrapped) - 1, line))
        index = view.cursor.sentence_index(view.wrapped.starts[line])
        sentence = view.cursor.sentences[index]
        view.select(sentence.start, sentence.end)

    def action_ends(self, last: int) -> None:
        if self.document is None:
            return
        sentences = self.transcript.cursor.sentences
        target = sentences[-1] if last else sentences[0]
        self.transcript.select(target.start, target.end)

    def action_next_document(self, delta: int) -> None:
        order = self.browser.visible_documents()
        if not order:
            return
        current = order.index(self.document.id) if self.document and self.document.id in order else -delta
        self.open_document(order[(current + delta) % len(order)])

    # -- panels ---------------------------------------------------------------------------

    @property
    def _mode(self) -> str:
        return "narrow" if self._narrow else "wide"

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            shown = {**DEFAULT_PANELS[self._mode], **self._panels.get(self._mode, {})}
            for panel in PANELS:
                self.set_class(not shown.get(panel), f"-hide-{panel}")
            if narrow and shown.get("browser") and shown.get("codebook"):
                self.add_class("-hide-codebook")  # one side panel at a time on a small terminal
            self.set_class(bool(self._panels.get("focus")), "-focus")

    def _remember_panels(self) -> None:
        """Save which panels show (for this layout) and focus mode, for the next start."""
        state = dict(self._panels)
        state[self._mode] = {panel: not self.has_class(f"-hide-{panel}") for panel in PANELS}
        state["focus"] = self.has_class("-focus")
        self._panels = state
        try:
            config.save_ui_state("main", state)
        except OSError:  # an unwritable config folder: the panels still toggle
            pass

    def _show_panel(self, panel: str) -> None:
        self.remove_class("-focus")
        self.remove_class(f"-hide-{panel}")
        if self._narrow:  # one side panel at a time on a small terminal
            self.add_class(f"-hide-{'codebook' if panel == 'browser' else 'browser'}")

    def action_toggle_panel(self, panel: str) -> None:
        if self.has_class("-focus") or self.has_class(f"-hide-{panel}"):
            self._show_panel(panel)
            target = self.browser.doc_tree if panel == "browser" else self.codebook.code_tree
            target.focus()
        else:
            self.add_class(f"-hide-{panel}")
            if self.focused is not None and panel in {a.id for a in self.focused.ancestors_with_self}:
                self.transcript.focus()
        self._remember_panels()

    def action_focus_mode(self) -> None:
        """Only the transcript and the status lines (the codes here, where you are)."""
        self.toggle_class("-focus")
        if self.has_class("-focus"):  # the status line says how to come back
            self.transcript.focus()
        self._remember_panels()
        self.update_status()

    def action_focus_filter(self) -> None:
        self._show_panel("browser")
        self._remember_panels()
        box = self.query_one("#doc-filter", Input)
        box.focus()
        box.select_all()  # typing replaces the last filter

    def action_focus_transcript(self) -> None:
        self.transcript.focus()

    def open_memos(self) -> None:
        """The memo overview (over whatever screen is on top); Enter there comes back here."""
        from qualcode.tui.screens.memos import MemoOverviewScreen

        self.app.push_screen(MemoOverviewScreen(self.study), self._go_to_memo)

    def _go_to_memo(self, place: MemoPlace | None) -> None:
        if place is None:
            return
        while self.app.screen is not self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        if place.target == "code" and place.code_id is not None:
            self._show_panel("codebook")
            self.codebook.show_code(place.code_id)
            self.codebook.code_tree.focus()
            return
        if place.document_id is None:
            return
        if place.target == "document":
            if self.document is None or self.document.id != place.document_id:
                self.open_document(place.document_id)
        else:
            self.open_document(place.document_id, select=(place.start, place.end))
        self.transcript.focus()

    def action_help(self) -> None:
        from qualcode.tui.screens.help import HelpScreen, screen_keys

        intro = Text.assemble(
            "Down/up select the next sentence; shift extends the selection. ",
            "A selection stays after coding, so several codes can go on it in a row. ",
            "b and o show or hide the side panels, z shows only the transcript (remembered).",
        )
        self.app.push_screen(HelpScreen(screen_keys(self), intro=str(intro)))
