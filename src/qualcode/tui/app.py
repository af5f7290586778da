"""The qualcode terminal app: a coding workbench over one study file.

``make_app`` is the one factory used by the CLI (``run_app``) and by the tests. Start-up
imports nothing heavy (no spaCy, no scikit-learn): the study's sentences and turns were
segmented at import, so the first paint only reads SQLite.
"""

from __future__ import annotations

import gc
import importlib
from pathlib import Path

from textual import events, on
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from qualcode.core import config
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study
from qualcode.tui.main.screen import MainScreen
from qualcode.tui.messages import JumpTo, StudyChanged
from qualcode.tui.palette.commands import QualcodeCommands
from qualcode.tui.palette.exchange import ExchangeActions

# (action, module, class, needs the current document). Each screen is imported when first
# opened, so the main screen paints without loading them (Analyse pulls in plotting).
SCREENS = {
    "retrieve": ("qualcode.tui.screens.retrieval", "RetrievalScreen", False),
    "edit_codebook": ("qualcode.tui.screens.codebook_editor", "CodebookEditorScreen", False),
    "search": ("qualcode.tui.screens.search", "SearchScreen", True),
    "analyse": ("qualcode.tui.screens.analyse", "AnalyseScreen", False),
    "suggestions": ("qualcode.tui.screens.suggestions", "SuggestionsScreen", False),
    "pseudonymise": ("qualcode.tui.screens.pseudonymise", "PseudonymiseScreen", False),
}


class QualcodeApp(ExchangeActions, App[None]):
    """Browse, code and retrieve interview transcripts."""

    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {QualcodeCommands}
    TITLE = "qualcode"
    # The main screen has its own (with an introduction); this one gives every other screen
    # (retrieval, analyse, suggestions, codebook editor, search, dialogs) the same key.
    BINDINGS = [Binding("f1,question_mark", "help", "Keys", show=False, id="qualcode.help-any")]

    def __init__(self, study: Study, *, ask_coder: bool = False) -> None:
        super().__init__()
        self.study = study
        self.ask_coder = ask_coder or study.coder is None
        """Ask who is coding before anything else (no coder chosen, or ``--ask-coder``)."""
        self.sub_title = study.name
        self.retrieval_state: object | None = None
        """What the retrieval screen showed when it closed; R reopens it so (after a jump)."""
        self._held_keys: list[events.Key] | None = None

    async def on_event(self, event: events.Event) -> None:
        if self._held_keys is not None and isinstance(event, events.Key) and not event.is_forwarded:
            self._held_keys.append(events.Key(event.key, event.character))
            return
        await super().on_event(event)

    def hold_keys(self, at_most: float = 1.0) -> None:
        """Keep the keys typed from now until :meth:`release_keys` (the main screen's side
        panels are mounted just after the first frame: a key typed ahead of them must find
        them), for ``at_most`` seconds."""
        if self._held_keys is None:
            self._held_keys = []
            self.set_timer(at_most, self.release_keys)

    def release_keys(self) -> None:
        """Handle the keys held back, in the order they were typed."""
        held, self._held_keys = self._held_keys, None
        for key in held or []:
            self.post_message(key)

    def get_default_screen(self) -> Screen:
        return MainScreen(self.study)

    def on_mount(self) -> None:
        keymap = config.load().get("keymap")
        if isinstance(keymap, dict):
            self.set_keymap({str(k): str(v) for k, v in keymap.items()})
        self.call_after_refresh(self._settle)
        if self.ask_coder:
            self.action_switch_coder(first=True)

    def _settle(self) -> None:
        """Start-up is over (the first frame is drawn): move its objects (Textual's DOM,
        styles, imports) out of the garbage collector's way and turn the collector back on.
        Without the freeze, full collections walk them while a long transcript is loaded,
        which made opening one a third slower. The few MB of start-up garbage frozen with
        them (no collection first: that took 40-80 ms before the first frame settled) go
        back to the collector when the app ends."""
        gc.freeze()
        gc.enable()

    async def action_quit(self) -> None:
        """Quit, unless a memo being written would be lost: then its dialog asks first."""
        from qualcode.tui.dialogs.memo import MemoScreen

        screen = self.screen
        if isinstance(screen, MemoScreen) and screen.changed:
            screen.action_quit_app()
            return
        await super().action_quit()

    def on_unmount(self) -> None:
        self.study.close()
        gc.unfreeze()  # many apps run in one process (tests): let the collector see them again
        gc.enable()

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0] if self.screen_stack else None
        for candidate in self.screen_stack:
            if isinstance(candidate, MainScreen):
                return candidate
        raise RuntimeError(f"no main screen ({screen})")

    # -- other screens --------------------------------------------------------------------

    def _open(self, action: str) -> None:
        module_name, class_name, with_document = SCREENS[action]
        screen_class = getattr(importlib.import_module(module_name), class_name)
        if with_document:
            document = self.main.document
            screen = screen_class(self.study, document.id if document else None)
        elif action == "retrieve":
            screen = screen_class(self.study, state=self.retrieval_state)
        else:
            screen = screen_class(self.study)
        self.push_screen(screen)

    def action_retrieve(self) -> None:
        self._open("retrieve")

    def action_edit_codebook(self) -> None:
        self._open("edit_codebook")

    def action_search(self) -> None:
        self._open("search")

    def action_analyse(self) -> None:
        self._open("analyse")

    def action_suggestions(self) -> None:
        self._open("suggestions")

    def action_pseudonymise(self) -> None:
        self._open("pseudonymise")

    def action_memos(self) -> None:
        self.main.open_memos()

    def action_help(self) -> None:
        """The keys of the screen on top, read from its live bindings."""
        from qualcode.tui.screens.help import HelpScreen, screen_keys

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(screen_keys(self.screen)))

    # -- who is coding, which study ------------------------------------------------------

    def action_switch_coder(self, first: bool = False) -> None:
        """Ask who is coding: one of the study's coders or a new name."""
        from qualcode.tui.dialogs.coder import CoderScreen

        names = [str(c["name"]) for c in self.study.coders()]
        can_cancel = self.study.coder is not None and not first

        def chosen(name: str | None) -> None:
            if not name:
                return
            self.study.set_coder(name)
            main = self.main
            main.load_codes()  # the code memos shown are this coder's
            main.update_status()
            main.heartbeat(force=True)
            if not first:
                self.notify(f"Now coding as {name}", timeout=3)

        self.push_screen(CoderScreen(names, current=self.study.coder, can_cancel=can_cancel), chosen)

    def action_switch_study(self) -> None:
        """Open another study file (a path, relative to where qualcode was started)."""
        from qualcode.tui.dialogs.prompts import PromptScreen

        def check(value: str) -> None:
            path = Path(value).expanduser()
            if not value:
                raise ValueError("Type the path of a study file.")
            if not path.is_file():
                raise ValueError(f"{path}: no such file")

        def chosen(value: str | None) -> None:
            if value:
                self.open_study(Path(value).expanduser())

        here = str(self.study.path) if self.study.path else ""
        self.push_screen(PromptScreen("Open another study (path of a .qualcode file)", here, check=check), chosen)

    def open_study(self, path: Path) -> None:
        """Switch to another study file (e.g. one just made from a .qdpx), closing this one."""
        try:
            study = Study.open(path, coder=self.study.coder)
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        main = self.main
        while self.screen is not main and len(self.screen_stack) > 1:
            self.pop_screen()
        main.stop_live()  # this session leaves the old study's presence list
        old, self.study = self.study, study
        old.close()
        self.retrieval_state = None
        self.sub_title = study.name
        config.remember_study(Path(path))
        main.switch_study(study)
        self.notify(f"Now working in {path}", timeout=6)  # two studies can share a name

    # -- messages from other screens ------------------------------------------------------

    @on(JumpTo)
    def _jump(self, message: JumpTo) -> None:
        main = self.main
        while self.screen is not main and len(self.screen_stack) > 1:
            self.pop_screen()
        main.open_document(message.document_id, select=(message.start, message.end))
        main.transcript.focus()

    @on(StudyChanged)
    def _study_changed(self) -> None:
        self.main.reload()


def make_app(path: Path | str, coder: str | None = None, *, ask_coder: bool = False) -> QualcodeApp:
    """The app over the study at ``path`` (opened here, closed when the app exits). It asks
    who is coding first when no coder is chosen (see :mod:`qualcode.core.config`) or when
    ``ask_coder``.

    The garbage collector is off from here until the first frame (``_settle``): start-up
    makes some 100,000 objects that live as long as the app, and collecting while they are
    made took a seventh of the time to the first paint."""
    gc.disable()
    try:
        return QualcodeApp(Study.open(path, coder=coder), ask_coder=ask_coder)
    except BaseException:
        gc.enable()
        raise


def run_app(path: Path, *, coder: str | None = None, ask_coder: bool = False) -> None:
    try:
        app = make_app(path, coder, ask_coder=ask_coder)
    except QualcodeError as exc:
        raise SystemExit(f"Error: {exc}") from None
    app.run()
