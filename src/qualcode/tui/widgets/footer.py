"""Textual's footer, rebuilt only when the keys it shows change.

A screen announces its bindings several times while it opens — when it is resumed, when a
widget takes the focus and again after that focus's first refresh — and Textual's footer
rebuilds every key on each announcement (a new widget per key, each styled anew): on
Analyse's first open three rebuilds of the same keys took a sixth of the time. This footer
remembers what it showed (each binding's key, action, description, group, whether it is
shown and enabled, its tooltip and how its key is displayed) and skips a rebuild that would
show the same.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _shown: tuple[Any, ...] | None = None

    async def recompose(self) -> None:
        shown = self._keys_shown()
        if shown is not None and shown == self._shown:
            return
        self._shown = shown
        await super().recompose()

    def _keys_shown(self) -> tuple[Any, ...] | None:
        if not self.is_attached:
            return None
        app = self.app
        return (
            self.compact,
            self.show_command_palette,
            self.combine_groups,
            tuple(
                (
                    binding.key,
                    binding.action,
                    binding.description,
                    binding.show,
                    binding.group,
                    enabled,
                    tooltip,
                    app.get_key_display(binding),
                )
                for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            ),
        )
