"""The command palette provider: every action of the main screen and the app, by name.

Built from the bindings themselves so the palette, the help screen and the keys never
disagree; each hit shows its (possibly remapped) key.
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
]


class QualcodeCommands(Provider):
    """Actions of the coding workbench."""

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        from qualcode.tui.screens.main import MainScreen

        main = next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)
        seen: set[str] = set()
        for name, action in APP_ACTIONS:
            seen.add(action)
            yield name, action, ""
        if main is None:
            return
        for active in main.active_bindings.values():
            binding = active.binding
            if binding.description and binding.action not in seen:
                seen.add(binding.action)
                action = binding.action if binding.action.startswith("app.") else f"screen.{binding.action}"
                yield binding.description, action, self.app.get_key_display(binding)

    def _run(self, action: str) -> None:
        from qualcode.tui.screens.main import MainScreen

        main = next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)
        if action.startswith("screen.") and main is not None:
            self.app.call_later(self.app.run_action, action.removeprefix("screen."), main)
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
