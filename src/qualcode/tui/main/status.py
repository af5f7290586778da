"""The status bar: the codes on the selection (named, at every terminal size), then where you
are: study, document, coder, the selection and who else is here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Static

MEMO_MARK = "✎"
"""Marks coded text with a memo (in the transcript's gutter and here)."""


@dataclass
class HereCode:
    """A code on the selection, as the status bar names it."""

    path: str
    name: str
    colour: str
    shortcut: str | None = None
    coders: list[str] = field(default_factory=list)
    """Coders of these codings other than the one coding now."""
    memo: bool = False


def here_line(codes: Sequence[HereCode], width: int) -> Text:
    """The codes on the selection in ``width`` cells: full paths if they fit, else the codes'
    own names, else as many names as fit and how many more."""
    if not codes:
        return Text("No code here. c codes the selection, ? lists the keys.", style="dim")

    def item(code: HereCode, name: str, coders: bool = True) -> Text:
        text = Text()
        text.append("▌", style=code.colour)
        if code.shortcut:
            text.append(code.shortcut, style="bold reverse")
            text.append(" ")
        text.append(name, style="bold")
        if code.memo:
            text.append(f" {MEMO_MARK}")
        if code.coders:
            text.append(f" ({', '.join(code.coders)})" if coders else "*", style="dim")
        return text

    head = Text("Here ", style="bold")
    for names, coders in (([c.path for c in codes], True), ([c.name for c in codes], True)):
        line = Text("  ").join(item(c, n, coders) for c, n in zip(codes, names))
        if cell_len(head.plain) + line.cell_len <= width:
            return head + line
    # Colleagues' names make way for the codes' (a * says a colleague's coding is there).
    line = Text("  ").join(item(c, c.name, False) for c in codes)
    note = "  (* also by others)" if any(c.coders for c in codes) else ""
    if cell_len(head.plain) + line.cell_len + len(note) <= width:
        return head + line + Text(note, style="dim")
    line = head.copy()
    for index, code in enumerate(codes):
        piece = item(code, code.name, False)
        rest = len(codes) - index - 1
        more = f"  +{rest} more" if rest else ""
        if line.cell_len + 2 + piece.cell_len + len(more) > width and index:
            line.append(f"  +{len(codes) - index} more", style="bold")
            return line
        if index:
            line.append("  ")
        line.append_text(piece)
    return line


class StatusBar(Static):
    """Two lines: the codes on the selection; where you are and what is selected."""

    DEFAULT_CSS = """
    StatusBar { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._here: list[HereCode] = []
        self._where = Text()

    def show(
        self,
        *,
        study: str,
        document: str,
        coder: str,
        selection: tuple[int, int] | None,
        words: int,
        here: Sequence[HereCode],
        others: Sequence[tuple[str, str | None]] = (),
        focus: bool = False,
    ) -> None:
        where = Text(no_wrap=True, overflow="ellipsis")
        where.append(document or "no document", style="bold")
        if selection is not None:
            start, end = selection
            where.append("  │  ")
            where.append(f"{start}–{end}")
            where.append(f" ({words} {'word' if words == 1 else 'words'})")
        where.append("  │  coder ")
        where.append(coder, style="bold")
        if others:
            where.append("  │  also here: ")
            for i, (who, doc) in enumerate(others):
                if i:
                    where.append(", ")
                where.append(who, style="bold")
                if doc:
                    where.append(f" in {doc}", style="dim")
        if focus:
            where.append("  │  focus: z for the panels", style="dim")
        where.append("  │  ")
        where.append(study, style="dim")
        self._here = list(here)
        self._where = where
        self._paint()

    def _paint(self) -> None:
        width = max(20, self.content_region.width or self.app.size.width - 2)
        here = here_line(self._here, width)
        here.no_wrap, here.overflow = True, "ellipsis"
        self.update(Text("\n", no_wrap=True, overflow="ellipsis").join([here, self._where]))

    def on_resize(self, event: events.Resize) -> None:
        self._paint()

    @property
    def text(self) -> str:
        """What the bar shows, as plain text (for tests and screen readers)."""
        return f"{here_line(self._here, 10_000).plain}\n{self._where.plain}"
