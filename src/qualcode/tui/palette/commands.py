"""The command palette provider: the app's commands and the actions of the screen on top.

Built from the bindings themselves so the palette, the help screen and the keys never
disagree; each hit shows its (possibly remapped) key. Only the active screen's bindings are
offered: "Code…" while the retrieval screen is on top would act on a screen the user cannot
see.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

APP_ACTIONS = [
    ("Retrieve coded fragments", "app.retrieve"),
    ("Edit the codebook", "app.edit_codebook"),
    ("Search the study", "app.search"),
    ("Analyse: code frequencies and crosstabs", "app.analyse"),
    ("Suggested codings", "app.suggestions"),
    ("Memos: every memo in the study, filter, jump", "app.memos"),
    ("Export study as REFI-QDA project (.qdpx)", "app.export_qdpx"),
    ("Export codebook as REFI-QDA (.qdc)", "app.export_qdc"),
    ("Import REFI-QDA codebook (.qdc)", "app.import_qdc"),
    ("Import REFI-QDA project (.qdpx)", "app.import_qdpx"),
    ("Export coded fragments (CSV/XLSX)", "app.export_fragments"),
    ("Write HTML report", "app.write_report"),
    ("Switch coder (who is coding)", "app.switch_coder"),
    ("Switch study (open another study file)", "app.switch_study"),
    ("Import transcripts (files or a folder, with metadata)", "app.import_transcripts"),
    ("Edit the open document's attributes (case, wave, role, …)", "app.edit_document"),
    ("Merge a colleague's study file", "app.merge_study"),
    ("Pseudonymise: review names before sharing", "app.pseudonymise"),
]


class QualcodeCommands(Provider):
    """The app's commands, and the actions of the screen the palette was opened on."""

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        from qualcode.tui.dialogs.prompts import BindingCommands

        screen = self.screen
        seen: set[str] = set()
        bindings = [b for bindings in screen._bindings.key_to_bindings.values() for b in bindings]
        keys = {b.action: self.app.get_key_display(b) for b in bindings if b.action.startswith("app.")}
        for name, action in APP_ACTIONS:
            seen.add(action)
            yield name, action, keys.get(action, "")
        if BindingCommands in getattr(type(screen), "COMMANDS", set()):
            return  # that screen's own provider lists its bindings
        # The screen's own bindings (keymap applied), not the focused widget's cursor keys.
        for binding in bindings:
            if binding.description and binding.action not in seen:
                seen.add(binding.action)
                action = binding.action if binding.action.startswith("app.") else f"screen.{binding.action}"
                yield binding.tooltip or binding.description, action, self.app.get_key_display(binding)

    def _run(self, action: str) -> None:
        screen = self.screen
        if action.startswith("screen."):
            self.app.call_later(self.app.run_action, action.removeprefix("screen."), screen)
        else:
            self.app.call_later(self.app.run_action, action)

    async def discover(self) -> Hits:
        for name, action, key in self._commands():
            yield DiscoveryHit(name, partial(self._run, action), help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, key in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), help=key)
