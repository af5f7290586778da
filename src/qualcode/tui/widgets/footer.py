"""Textual's footer, recomposed only when the keys it shows change.

Textual's Footer rebuilds all its key widgets whenever the screen's bindings are refreshed
(every focus change, mount and resume): six times before the main screen's first paint,
55 widgets mounted and styled for the same nine keys, a fifth of the start-up's work; on
Analyse's first open three rebuilds of the same keys, about a sixth of the time. This one
compares what it would show with what it shows and keeps its widgets when they match. The
main screen, Analyse and its drill-down use it.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class SteadyFooter(Footer):
    """A Footer that skips a recompose which would show the same keys."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[object, ...] | None = None

    def _signature(self) -> tuple[object, ...]:
        """What compose reads: the shown bindings (with their group, enabled state, tooltip
        and key display), the command palette's binding, the footer's own settings."""
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING
        return (
            self.compact,
            self.show_command_palette,
            app.ENABLE_COMMAND_PALETTE,
            tuple(
                (key, binding, enabled, tooltip, app.get_key_display(binding))
                for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == palette
            ),
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        signature = self._signature() if self._bindings_ready else None
        if signature is not None and signature == self._shown:
            return
        self._shown = signature
        await super().recompose()
