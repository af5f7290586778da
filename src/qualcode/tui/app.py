"""The qualcode terminal app: a coding workbench over one study file.

``make_app`` is the one factory used by the CLI (``run_app``) and by the tests. Start-up
imports nothing heavy (no spaCy, no scikit-learn): the study's sentences and turns were
segmented at import, so the first paint only reads SQLite.
"""

from __future__ import annotations

import gc
import importlib
from pathlib import Path

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from qualcode.core import config
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study
from qualcode.tui.palette.exchange import ExchangeActions
from qualcode.tui.messages import JumpTo, StudyChanged
from qualcode.tui.main.screen import MainScreen
from qualcode.tui.palette.commands import QualcodeCommands

# (action, module, class, needs the current document) for the screens other parts provide.
EXTRA_SCREENS = {
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

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study
        self.sub_title = study.name
        self.retrieval_state: object | None = None
        """What the retrieval screen showed when it closed; R reopens it so (after a jump)."""

    def get_default_screen(self) -> Screen:
        return MainScreen(self.study)

    def on_mount(self) -> None:
        keymap = config.load().get("keymap")
        if isinstance(keymap, dict):
            self.set_keymap({str(k): str(v) for k, v in keymap.items()})
        self.call_after_refresh(self._settle)

    def _settle(self) -> None:
        """Move the objects of start-up (Textual's DOM, styles, imports) out of the garbage
        collector's way: without this, full collections walk them while a long transcript
        is loaded, which made opening one a third slower."""
        gc.collect()
        gc.freeze()

    def on_unmount(self) -> None:
        self.study.close()

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0] if self.screen_stack else None
        for candidate in self.screen_stack:
            if isinstance(candidate, MainScreen):
                return candidate
        raise RuntimeError(f"no main screen ({screen})")

    # -- other screens --------------------------------------------------------------------

    def _open(self, action: str) -> None:
        module_name, class_name, with_document = EXTRA_SCREENS[action]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            self.notify(f"{class_name.removesuffix('Screen')}: not available yet", severity="warning")
            return
        screen_class = getattr(module, class_name)
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

    def action_help(self) -> None:
        """The keys of the screen on top, read from its live bindings."""
        from qualcode.tui.screens.help import HelpScreen, screen_keys

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(screen_keys(self.screen)))

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


def make_app(path: Path | str, coder: str | None = None) -> QualcodeApp:
    """The app over the study at ``path`` (opened here, closed when the app exits)."""
    return QualcodeApp(Study.open(path, coder=coder))


def run_app(path: Path) -> None:
    try:
        app = make_app(path)
    except QualcodeError as exc:
        raise SystemExit(f"Error: {exc}") from None
    app.run()
