"""Textual's footer, rebuilt only when the keys it shows change.

A screen announces its bindings several times while it opens — when it is resumed, when a
widget takes the focus and again after that focus's first refresh — and Textual's footer
rebuilds every key on each announcement (a new widget per key, each styled anew): on
Analyse's first open three rebuilds of the same keys, where one is needed, took about a sixth
of the time. This footer remembers what it showed (each shown binding's key, how it is
displayed, description, action, group, whether it is enabled and its tooltip; the command
palette's key) and skips a rebuild that would show the same.
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
        bindings = self.screen.active_bindings
        palette = bindings.get(app.COMMAND_PALETTE_BINDING) if self.show_command_palette else None
        return (
            self.compact,
            self.combine_groups,
            tuple(
                (
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    binding.group,
                    enabled,
                    tooltip,
                )
                for _, binding, enabled, tooltip in bindings.values()
                if binding.show
            ),
            None if palette is None else (palette[1], app.get_key_display(palette[1]), palette[2], palette[3]),
        )
