"""The coding verbs of the main screen: apply, in vivo, remove, recode, adjust, memo, undo.

Each verb is one call into :class:`~qualcode.study.study.Study` (one committed transaction); the
screen then patches its in-memory codings and repaints instead of reloading the document,
which keeps applying a code far under a frame (16 ms) even in a large study.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text

from qualcode.core.errors import QualcodeError
from qualcode.core.models import Coding
from qualcode.tui.dialogs.picker import PickerScreen, PickItem
from qualcode.tui.main.coverage import Span
from qualcode.tui.main.cursor import next_word_end, next_word_start, prev_word_start, trim_end

if TYPE_CHECKING:
    from qualcode.core.models import Code, Document
    from qualcode.study.study import Study
    from qualcode.tui.main.browser import DocumentBrowser
    from qualcode.tui.main.codebook import CodebookPanel
    from qualcode.tui.main.transcript import TranscriptView

RECENT = 9
IN_VIVO_WORDS = 6
IN_VIVO_CHARS = 50
_HESITATIONS = "eh ehm euh eeh uh uhm um hm hmm mm".split()
LEADING_FILLERS = frozenset(_HESITATIONS + "nou ja jaa jawel nee oké okee ok okay dus well so yeah like".split())
"""Words a speaker starts with while thinking ("Ja, eh... ik"): an in-vivo name skips them."""
TRAILING_FILLERS = frozenset(_HESITATIONS + "he hè hé hoor enzo toch".split())
"""Tags at the end of a sentence ("..., he"). Fewer than at the start: "Ze zei nee" means it."""
FILLER_PAIRS = frozenset({("zeg", "maar"), ("weet", "je"), ("nou", "ja"), ("you", "know"), ("i", "mean")})
DANGLING = frozenset(
    "de het een in op van en of te met voor aan om uit bij naar dat die als maar want dus er "
    "the a an of to in on and or for with at by that".split()
)
"""Words a cut name should not end on: "Er was een dag in de…" reads as torn off."""
_EDGE_PUNCTUATION = " .,;:!?\"'“”‘’()[]-–—…/"
_CLAUSE_END = ",;:.!?…"


def _bare(word: str) -> str:
    return word.strip(_EDGE_PUNCTUATION).casefold()


def in_vivo_name(passage: str) -> str:
    """A code name proposed from a passage's own words: fillers and punctuation trimmed at both
    ends, cut at a word boundary (a clause end if there is one) to ``IN_VIVO_WORDS`` words or
    ``IN_VIVO_CHARS`` characters (never marked with "…"), first letter capitalised. Otherwise the
    respondent's words stay as they said them."""

    def trim(words: list[str]) -> list[str]:
        while words:
            if len(words) > 1 and (_bare(words[0]), _bare(words[1])) in FILLER_PAIRS:
                words = words[2:]
            elif len(words) > 1 and (_bare(words[-2]), _bare(words[-1])) in FILLER_PAIRS:
                words = words[:-2]
            elif _bare(words[0]) in LEADING_FILLERS or not _bare(words[0]):
                words = words[1:]
            elif _bare(words[-1]) in TRAILING_FILLERS or not _bare(words[-1]):
                words = words[:-1]
            else:
                return words
        return words

    words = passage.replace("/", " ").split()
    kept = trim(words) or [w for w in words if _bare(w)]  # nothing but fillers ("Ja, nee."): keep them
    fits: list[str] = []
    for word in kept:
        if len(fits) == IN_VIVO_WORDS or len(" ".join([*fits, word])) > IN_VIVO_CHARS:
            break
        fits.append(word)
    cut = len(fits) < len(kept)
    if cut:
        clause = max((i for i, w in enumerate(fits) if w[-1] in _CLAUSE_END), default=-1)
        if clause >= 2:  # a whole clause of three words or more reads better than a torn one
            fits = fits[: clause + 1]
        fits = trim(fits) or fits
        while len(fits) > 2 and _bare(fits[-1]) in DANGLING:
            fits = fits[:-1]
    if not fits and kept:  # one word longer than the limit
        fits = [kept[0][: IN_VIVO_CHARS - 1]]
    # No "…" when cut: it would be stored in the code's name; the full words go in the new
    # code's description instead (Study.code_in_vivo).
    name = " ".join(fits).strip(_EDGE_PUNCTUATION)
    return name[:1].upper() + name[1:]


class CodingActions:
    """Mixed into :class:`~qualcode.tui.main.screen.MainScreen`."""

    study: Study
    document: Document | None
    codes: dict[int, Code]
    colours: dict[int, str]
    recent: list[int]
    active_coding: int | None
    app: Any

    if TYPE_CHECKING:  # provided by the screen; stubs here would shadow them at run time

        @property
        def transcript(self) -> TranscriptView: ...
        @property
        def codebook(self) -> CodebookPanel: ...
        @property
        def browser(self) -> DocumentBrowser: ...

        def notify(self, message: str, **kw: Any) -> None: ...
        def write(self, fn: Callable[[], Any], done: Callable[[Any], None], *, what: str = "that") -> None: ...
        def refresh_view(
            self,
            *,
            codebook: bool = False,
            documents: bool = False,
            touched: set[int] | None = None,
            codings: set[int] | None = None,
            check: bool = True,
        ) -> None: ...
        def update_status(self) -> None: ...
        def reload(self) -> None: ...
        def load_codes(self) -> None: ...

    # -- helpers --------------------------------------------------------------------------

    def _selection(self) -> tuple[int, int] | None:
        if self.document is None:
            self.notify("Open a document first (b shows the browser).", severity="warning")
            return None
        start, end = self.transcript.selection
        if start == end:
            self.notify("Select a passage first (down/up, shift+arrows or the mouse).", severity="warning")
            return None
        return start, end

    def _code_items(self) -> list[PickItem]:
        recent = set(self.recent)
        items = []
        for code in self.codes.values():
            label = Text.assemble(("▌ ", self.colours.get(code.id, "")), code.path)
            if code.shortcut:
                label.append(f"  [{code.shortcut}]", style="dim")
            items.append(PickItem(code.id, label, code.path, recent=code.id in recent, detail=code.description))
        items.sort(key=lambda i: self.recent.index(i.value) if i.recent else 0)
        return items

    def _changed(
        self, *, added: Coding | None = None, removed: int | None = None, delta_codes: dict[int, int] | None = None
    ) -> None:
        """Patch the view after one change to this document's codings (no reload)."""
        coder_id = self.study.coder_id
        if added is not None and (self.document is None or added.document_id != self.document.id):
            added = None  # done after a wait for the lock, and the user moved on meanwhile
        if removed is not None:
            old = self.transcript.remove_span(removed)
            coder_id = old.coder_id if old is not None else coder_id
        if added is not None:
            self.transcript.add_span(Span(added.start, added.end, added.id, added.code_id, coder_id))
        for code_id, delta in (delta_codes or {}).items():
            self.codebook.bump(code_id, delta)
        if self.document is not None:
            self.browser.update_count(self.document.id, len(self.transcript.coverage))
        self.update_status()

    def _with_coding(self, verb: str, then: Callable[[Coding], None]) -> None:
        """Run ``then`` on the coding under the selection, asking which if there are several."""
        if self.document is None:
            return
        start, end = self.transcript.selection
        spans = self.transcript.coverage.overlapping(start, max(end, start + 1))
        found = []
        for span in spans:
            try:
                found.append(self.study.coding(span.coding_id))
            except QualcodeError:  # removed by a colleague since the last refresh
                continue
        if len(found) < len(spans):
            self.refresh_view()
            if not found:
                self.notify(f"Cannot {verb}: that coding was removed meanwhile (by someone else).", severity="warning")
                return
        if not found:
            self.notify(f"No coding under the cursor to {verb}.", severity="warning")
            return
        if len(found) == 1:
            then(found[0])
            return
        text = self.transcript.text
        items = []
        for coding in reversed(found):  # innermost first
            code = self.codes.get(coding.code_id)
            excerpt = " ".join(text[coding.start : coding.end].split())
            label = Text.assemble(
                ("▌ ", self.colours.get(coding.code_id, "")),
                (code.path if code else "?", "bold"),
                (f"  {coding.coder}  ", "dim"),
                excerpt[:60] + ("…" if len(excerpt) > 60 else ""),
            )
            items.append(PickItem(coding.id, label, f"{code.path if code else ''} {coding.coder} {excerpt}"))

        def chosen(coding_id: int | None) -> None:
            if coding_id is None:
                return
            try:
                coding = self.study.coding(coding_id)
            except QualcodeError:
                self.notify(f"Cannot {verb}: that coding was removed meanwhile (by someone else).", severity="warning")
                self.refresh_view()
                return
            then(coding)

        self.app.push_screen(PickerScreen(f"Which coding to {verb}?", items), chosen)

    def _remember(self, code_id: int) -> None:
        if code_id in self.recent:
            self.recent.remove(code_id)
        self.recent.insert(0, code_id)
        del self.recent[RECENT:]

    # -- applying codes -------------------------------------------------------------------

    def apply_code(self, code_id: int) -> Coding | None:
        """Code the selection; the selection stays so more codes can follow."""
        span = self._selection()
        if span is None or self.document is None:
            return None
        document_id = self.document.id
        made: list[Coding] = []

        def done(coding: Coding) -> None:
            made.append(coding)
            self.active_coding = coding.id
            self._remember(code_id)
            self._changed(added=coding, delta_codes={code_id: 1})
            self.notify(f"Coded as {self._path(code_id)}", timeout=2)

        self.write(lambda: self.study.add_coding(document_id, code_id, *span), done, what="code that")
        return made[0] if made else None

    def action_code_picker(self) -> None:
        if self._selection() is None:
            return

        def chosen(code_id: int | None) -> None:
            if code_id is not None:
                if code_id not in self.codes:  # made in the picker
                    self.load_codes()
                self.apply_code(code_id)

        create = lambda name: self.study.add_code(name).id  # noqa: E731
        self.app.push_screen(PickerScreen("Code the selection as…", self._code_items(), create=create), chosen)

    def action_recent_picker(self) -> None:
        if not self.recent:
            self.notify("No recent codes yet; c opens the full picker.", severity="information")
            return
        if self._selection() is None:
            return
        items = [i for i in self._code_items() if i.recent]

        def chosen(code_id: int | None) -> None:
            if code_id is not None:
                self.apply_code(code_id)

        self.app.push_screen(PickerScreen("Recent codes", items), chosen)

    def action_shortcut(self, key: str) -> None:
        for code in self.codes.values():
            if code.shortcut == key:
                self.apply_code(code.id)
                return
        self.notify(f"No code has shortcut {key}; set one in the codebook editor (E).", severity="warning")

    def action_in_vivo(self) -> None:
        """Propose a code name from the selected words; Enter accepts, or edit it first."""
        from qualcode.tui.dialogs.prompts import PromptScreen

        span = self._selection()
        if span is None or self.document is None:
            return
        document_id = self.document.id

        def check(name: str) -> None:
            if not name.strip(_EDGE_PUNCTUATION):
                raise ValueError("A code needs a name.")

        def named(name: str | None) -> None:
            if name and self.document is not None and self.document.id == document_id:
                self._code_in_vivo(document_id, span, name)

        proposal = in_vivo_name(self.transcript.text[span[0] : span[1]])
        self.app.push_screen(PromptScreen("In vivo: name the new code (under In vivo/)", proposal, check=check), named)

    def _code_in_vivo(self, document_id: int, span: tuple[int, int], name: str) -> None:
        self.write(
            lambda: self.study.code_in_vivo(document_id, *span, name=name), self._coded_in_vivo, what="code in vivo"
        )

    def _coded_in_vivo(self, coding: Coding) -> None:
        self.load_codes()
        self.active_coding = coding.id
        self._remember(coding.code_id)
        self._changed(added=coding)
        self.notify(f"In vivo: {self.codes[coding.code_id].path}", timeout=2)

    # -- changing codings -----------------------------------------------------------------

    def action_remove_coding(self) -> None:
        def remove(coding: Coding) -> None:
            def done(_: object) -> None:
                self._changed(removed=coding.id, delta_codes={coding.code_id: -1})
                self.notify(f"Removed {self._path(coding.code_id)} (u undoes)", timeout=2)

            self.write(lambda: self.study.remove_coding(coding.id), done, what="remove it")

        self._with_coding("remove", remove)

    def action_recode(self) -> None:
        def recode(coding: Coding) -> None:
            def chosen(code_id: int | None) -> None:
                if code_id is None or code_id == coding.code_id:
                    return

                def done(updated: Coding) -> None:
                    self._remember(code_id)
                    self._changed(removed=coding.id, added=updated, delta_codes={coding.code_id: -1, code_id: 1})
                    self.notify(f"Now coded as {self._path(code_id)}", timeout=2)

                self.write(lambda: self.study.recode(coding.id, code_id), done, what="change its code")

            title = f"Change {self._path(coding.code_id)} to…"
            self.app.push_screen(PickerScreen(title, self._code_items()), chosen)

        self._with_coding("recode", recode)

    def _adjust_to(self, coding: Coding, start: int, end: int) -> None:
        if (start, end) == (coding.start, coding.end):
            return

        def done(updated: Coding) -> None:
            self.active_coding = coding.id
            self._changed(removed=coding.id, added=updated)
            if self.document is not None and updated.document_id == self.document.id:
                self.transcript.select(updated.start, updated.end)

        self.write(lambda: self.study.adjust_coding(coding.id, start, end), done, what="adjust it")

    def _target_coding(self, then: Callable[[Coding], None]) -> None:
        """The coding being adjusted: the last one touched if it is still under the
        selection, else the one under it (asking if several)."""
        start, end = self.transcript.selection
        active = None
        if self.active_coding is not None and any(
            s.coding_id == self.active_coding for s in self.transcript.coverage.overlapping(start, max(end, start + 1))
        ):
            try:
                active = self.study.coding(self.active_coding)
            except QualcodeError:  # removed by a colleague since the last refresh
                self.active_coding = None
                self.refresh_view()
                self.notify("Cannot adjust: that coding was removed meanwhile (by someone else).", severity="warning")
                return
        if active is not None and active.start < max(end, start + 1) and active.end > start:
            then(active)
            return

        def remember(coding: Coding) -> None:
            self.active_coding = coding.id
            then(coding)

        self._with_coding("adjust", remember)

    def action_adjust(self, edge: str, delta: int) -> None:
        """Move a coding's start or end by one word (``delta`` 1 grows, -1 shrinks)."""
        text = self.transcript.text

        def adjust(coding: Coding) -> None:
            start, end = coding.start, coding.end
            if edge == "end":
                end = next_word_end(text, end) if delta > 0 else trim_end(text, prev_word_start(text, end))
            else:
                start = prev_word_start(text, start) if delta > 0 else next_word_start(text, start)
                # Never back over the speaker label ("Moeder (Samira):") into the turn's head.
                turn = self.transcript.cursor.turns[self.transcript.cursor.turn_index(coding.start)]
                if turn.start <= coding.start < turn.end:
                    start = max(start, turn.start)
            if end <= start:
                self.notify("A coding needs at least one word.", severity="warning")
                return
            self._adjust_to(coding, start, end)

        self._target_coding(adjust)

    def action_set_boundaries(self) -> None:
        span = self._selection()
        if span is None:
            return
        self._target_coding(lambda coding: self._adjust_to(coding, *span))

    # -- memos ----------------------------------------------------------------------------

    def action_memo(self) -> None:
        from qualcode.tui.dialogs.memo import MemoScreen

        tree = self.codebook.code_tree
        if tree.has_focus and self.codebook.highlighted is not None:
            self._code_memo(self.codebook.highlighted)
            return

        def memo(coding: Coding) -> None:
            excerpt = " ".join(self.transcript.text[coding.start : coding.end].split())
            if len(excerpt) > 70:  # at a word, marked: the whole passage is on screen behind
                excerpt = excerpt[:70].rsplit(" ", 1)[0] + " …"
            title = f"Memo on {self._path(coding.code_id)}: “{excerpt}”"

            def saved(text: str | None) -> None:
                if text is not None:
                    self._save_memo(
                        lambda: self.study.set_coding_memo(coding.id, text), text, title, coding.document_id
                    )

            self.app.push_screen(MemoScreen(title, coding.memo), saved)

        self._with_coding("write a memo on", memo)

    def _save_memo(self, save: Callable[[], object], text: str, title: str, document_id: int | None) -> None:
        """Save a memo; when what it was on is gone (removed by a colleague while it was
        being typed), offer to keep it as a memo on the document, else as a draft file:
        nothing typed is lost."""

        def attempt() -> bool:
            try:
                save()
            except QualcodeError as exc:
                if str(exc).startswith("no "):  # no coding / code / document with id N
                    return False
                raise
            return True

        def done(ok: bool) -> None:
            if ok:
                self.notify("Memo saved." if text else "Memo removed.", timeout=2)
                if self.document is not None:  # the memo marks in the text
                    self.transcript.set_memos(self.study.memo_coding_ids(self.document.id))
                    self.update_status()
            elif text:
                self._rescue_memo(text, title, document_id)
            else:
                self.refresh_view()

        self.write(attempt, done, what="save the memo")

    def _rescue_memo(self, text: str, title: str, document_id: int | None) -> None:
        from qualcode.tui.dialogs.confirm import ConfirmScreen

        self.refresh_view()
        kept = f"{title} (removed meanwhile):\n{text}"
        if document_id is None or self.document is None or self.document.id != document_id:
            self._memo_draft(kept)
            return
        document_id_ = document_id

        def answer(yes: bool | None) -> None:
            if not yes:
                self._memo_draft(kept)
                return
            current = next(
                (m.text for m in self.study.memos("document", document_id_) if m.coder == self.study.coder), ""
            )
            combined = f"{current}\n\n{kept}" if current else kept
            self._save_memo(lambda: self.study.set_memo("document", document_id_, combined), combined, title, None)

        question = (
            "What this memo was on was removed meanwhile (by someone else). Add your memo to the "
            "document's memo instead? (n keeps it as a draft file)"
        )
        self.app.push_screen(ConfirmScreen(question), answer)

    def _memo_draft(self, text: str) -> None:
        from qualcode.tui.dialogs.memo import save_draft

        path = save_draft(text)
        self.notify(f"Your memo is kept as a draft: {path}", severity="warning", timeout=15)

    def _code_memo(self, code_id: int) -> None:
        from qualcode.tui.dialogs.memo import MemoScreen

        current = next((m.text for m in self.study.memos("code", code_id) if m.coder == self.study.coder), "")
        title = f"Memo on the code {self._path(code_id)}"

        def saved(text: str | None) -> None:
            if text is None:
                return

            def save() -> None:
                self.study.set_memo("code", code_id, text)
                self.codebook.set_memo(code_id, text)

            self._save_memo(save, text, title, None)

        self.app.push_screen(MemoScreen(title, current), saved)

    def action_document_memo(self) -> None:
        from qualcode.tui.dialogs.memo import MemoScreen

        if self.document is None:
            return
        document = self.document
        current = next((m.text for m in self.study.memos("document", document.id) if m.coder == self.study.coder), "")
        title = f"Memo on {document.title}"

        def saved(text: str | None) -> None:
            if text is not None:
                self._save_memo(lambda: self.study.set_memo("document", document.id, text), text, title, None)

        self.app.push_screen(MemoScreen(title, current), saved)

    # -- undo -----------------------------------------------------------------------------

    def action_undo(self) -> None:
        self._step(True, "Undone", "Nothing to undo.")

    def action_redo(self) -> None:
        self._step(False, "Redone", "Nothing to redo.")

    def _step(self, undo: bool, done: str, nothing: str) -> None:
        from qualcode.study import team

        step = self.study.undo if undo else self.study.redo

        def attempt() -> tuple[str | None, team.Incoming]:
            # What the step will touch, read first, so only that is repainted (not the view).
            touched = team.next_step(self.study, undo=undo)
            return step(), touched

        def finished(result: tuple[str | None, team.Incoming]) -> None:
            description, touched = result
            if description is None:
                self.notify(nothing, timeout=2)
                return
            self.refresh_view(
                codebook=touched.codebook_changed,
                documents=touched.documents_changed,
                touched=touched.documents,
                codings=touched.codings,
                check=False,  # the step's own rows say exactly what changed
            )
            self.notify(f"{done}: {description}", timeout=3)

        self.write(attempt, finished, what="undo" if undo else "redo")

    def _path(self, code_id: int) -> str:
        code = self.codes.get(code_id)
        return code.path if code else f"code {code_id}"
