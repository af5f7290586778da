"""The status bar: study, document, coder, the selection, who else is here, and the codes
under it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusBar(Static):
    """Two lines: where you are and what is selected; which codes cover the cursor."""

    def show(
        self,
        *,
        study: str,
        document: str,
        coder: str,
        selection: tuple[int, int] | None,
        words: int,
        here: list[tuple[str, str, str]],
        others: list[tuple[str, str | None]] = (),  # type: ignore[assignment]
    ) -> None:
        """``here`` lists ``(code path, colour, coder)`` of the codings under the cursor."""
        top = Text(no_wrap=True, overflow="ellipsis")
        top.append(study, style="bold")
        top.append("  │  ")
        top.append(document or "no document")
        top.append("  │  coder ")
        top.append(coder, style="bold")
        if selection is not None:
            start, end = selection
            top.append("  │  ")
            top.append(f"{start}–{end}", style="bold")
            top.append(f" ({words} {'word' if words == 1 else 'words'})")
        if others:
            top.append("  │  also here: ")
            for i, (who, where) in enumerate(others):
                if i:
                    top.append(", ")
                top.append(who, style="bold")
                if where:
                    top.append(f" in {where}", style="dim")
        bottom = Text(no_wrap=True, overflow="ellipsis")
        if here:
            bottom.append("Here: ", style="bold")
            for i, (path, colour, who) in enumerate(here):
                if i:
                    bottom.append("  ")
                bottom.append("▌", style=colour)
                bottom.append(path)
                bottom.append(f" ({who})", style="dim")
        else:
            bottom.append("No code here. c codes the selection, ? lists the keys.", style="dim")
        self.update(Text("\n").join([top, bottom]))
