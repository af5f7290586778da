"""The transcript view: a document's text, its speaker turns, codings and the selection.

Built on Textual's Line API (``ScrollView`` + ``render_line``) as Toolong does for huge logs:
the text is wrapped once per width into line extents (:mod:`.layout`), codings are swept once
into segments (:mod:`.coverage`), and only the lines on screen are painted, so opening or
coding a 100,000-word transcript does not depend on its length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.tui.colours import highlight_style, mark_style
from qualcode.tui.main.coverage import Coverage, Span, SpanRow
from qualcode.tui.main.cursor import Cursor, Unit
from qualcode.tui.main.layout import Layout, wrap
from qualcode.tui.main.status import MEMO_MARK

MARKS = 4  # code marks in the gutter (the fourth is "+" when more codes cover the line)
GUTTER = MARKS + 2  # the marks, a memo mark and a space
SCROLL_CONTEXT = 3  # lines kept visible above and below the selection
INTERVIEWER_ROLES = {"interviewer"}
TIMESTAMP = re.compile(r"\[?\(?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\)?\]?")
_CONTROL = str.maketrans(dict.fromkeys([*range(0x0A), *range(0x0B, 0x20), 0x7F], " "))  # all but the newline
TurnRow = tuple[int, int, int, str | None, str | None]
"""A turn as the view needs it: ``(start, body_start, end, speaker, role)``."""
_unit: Callable[[tuple[int, int]], Unit] = partial(tuple.__new__, Unit)  # type: ignore[assignment]  # Unit(*row), cheaper


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """One document, wrapped to the view, with highlights and a gutter of code marks."""

    ALLOW_SELECT = False  # the mouse makes coding selections here, not clipboard selections
    COMPONENT_CLASSES = {
        "transcript--interviewer",
        "transcript--speaker-1",
        "transcript--speaker-2",
        "transcript--speaker-3",
        "transcript--timestamp",
        "transcript--selection",
        "transcript--gutter",
        "transcript--empty",
        "transcript--memo",
    }
    DEFAULT_CSS = """
    TranscriptView {
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        & > .transcript--interviewer { color: $text-muted; text-style: bold; }
        & > .transcript--speaker-1 { color: $primary; text-style: bold; }
        & > .transcript--speaker-2 { color: $success; text-style: bold; }
        & > .transcript--speaker-3 { color: $warning; text-style: bold; }
        & > .transcript--timestamp { color: $text-muted; text-style: dim; }
        & > .transcript--selection { text-style: reverse; }
        & > .transcript--gutter { color: $text-muted; }
        & > .transcript--empty { color: $text-muted; text-style: italic; }
        & > .transcript--memo { color: $warning; text-style: bold; }
    }
    """

    @dataclass
    class SelectionChanged(Message):
        """The selection moved (by key or mouse); the screen updates the status bar."""

        view: TranscriptView
        start: int
        end: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = ""
        self.document_id: int | None = None
        self.turns: list[TurnRow] = []
        self.cursor = Cursor("", [], [])
        self.coverage = Coverage([])
        self.colours: dict[int, str] = {}
        self.shortcuts: dict[int, str] = {}
        """Codes' shortcut keys: a gutter mark shows its code's digit (the screen sets it)."""
        self.memo_codings: set[int] = set()
        """Codings with a memo: the gutter marks the line where each starts."""
        self.wrapped = Layout(0)
        self._labels: list[tuple[int, int, int]] = []  # start, body, style
        self._label_starts: list[int] = []
        self._stamps: dict[int, tuple[int, int] | None] = {}  # label start: its timestamp
        self._cache: LRUCache[int, Strip] = LRUCache(512)
        self._styles: dict[str, Style] = {}
        self._base_style: Style | None = None
        self._dragging = False
        self.empty_hint: list[Text] = [Text(" Choose a document (b shows the browser)")]
        """What the view says when it shows no document (lines; the screen sets it)."""

    # -- content --------------------------------------------------------------------------

    def show_document(
        self,
        document_id: int,
        text: str,
        turns: Sequence[TurnRow],
        sentences: Sequence[tuple[int, int]] | Callable[[], Sequence[tuple[int, int]]],
        spans: Sequence[SpanRow] | Coverage,
        colours: dict[int, str],
        *,
        memos: set[int] | None = None,
        select: tuple[int, int] | None = None,
    ) -> None:
        """Show a document; the selection starts on ``select`` (else its first sentence).
        ``spans`` may be a :class:`Coverage` of only the codings around that passage (see
        :meth:`window_around`), and ``sentences`` a function that reads them when the
        cursor first needs them; ``memos`` are the codings with a memo."""
        self.document_id = document_id
        self.text = text.translate(_CONTROL)  # one cell per code point keeps offsets = columns (5× a regex)
        self.turns = list(turns)
        self.cursor = Cursor(
            text,
            (lambda: list(map(_unit, sentences()))) if callable(sentences) else list(map(_unit, sentences)),
            [Unit(body, end) for _, body, end, _, _ in turns if end > body],
            selection=select,
        )
        # Each speaker's label style, in order of first appearance (the interviewer's apart);
        # the timestamps in the labels are found when a line with one is painted.
        styles: dict[str, int] = {}
        self._labels = [
            (
                start,
                body,
                0
                if role in INTERVIEWER_ROLES
                else styles.setdefault((speaker or role or "").casefold(), 1 + len(styles) % 3),
            )
            for start, body, _, speaker, role in turns
            if body > start
        ]
        self._label_starts = [label[0] for label in self._labels]
        self._stamps = {}
        self.colours = colours
        self.coverage = spans if isinstance(spans, Coverage) else Coverage(spans)
        if memos is not None:
            self.memo_codings = set(memos)
        self._relayout(force=True)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._selection_moved()

    def window_around(self, start: int, end: int) -> tuple[int, int]:
        """Text offsets that hold every line the view can show while ``[start, end)`` is
        selected, with two screens to spare either side: a screen of the terminal's height
        holds at most that many lines of its width (and their line breaks) around the
        selection. The codings to read before the first frame."""
        width, height = self.app.size
        reach = 2 * (max(width, 80) + 1) * max(height, 24)
        return max(0, start - reach), end + reach

    def _stamp(self, start: int, body: int) -> tuple[int, int] | None:
        """Where the timestamp in the label ``[start, body)`` is, if it has one (found once)."""
        try:
            return self._stamps[start]
        except KeyError:
            match = TIMESTAMP.search(self.text, start, body)
            stamp = self._stamps[start] = None if match is None else (match.start(), match.end())
            return stamp

    def set_spans(self, spans: Sequence[SpanRow], colours: dict[int, str] | None = None) -> None:
        """Replace the codings shown (after coding, undo, or a change elsewhere)."""
        if colours is not None:
            self.colours = colours
        self.coverage = Coverage(spans)
        self._cache.clear()
        self.refresh()

    def set_memos(self, coding_ids: set[int]) -> None:
        """Which codings have a memo (their first lines get a memo mark)."""
        changed = coding_ids ^ self.memo_codings
        self.memo_codings = set(coding_ids)
        spans = self.coverage.with_ids(changed)
        if len(spans) > 50:
            self._cache.clear()
            self.refresh()
            return
        for span in spans:
            self._repaint_range(span.start, span.start + 1)

    def add_span(self, span: Span) -> None:
        self.coverage.add(span)
        self._repaint_range(span.start, span.end)

    def remove_span(self, coding_id: int) -> Span | None:
        span = self.coverage.remove(coding_id)
        if span is not None:
            self._repaint_range(span.start, span.end)
        return span

    def _repaint_range(self, start: int, end: int) -> None:
        """Forget the painted lines of a passage (cheaper than all, for 16 ms coding)."""
        if not len(self.wrapped):
            return
        first, last = self.wrapped.line_of(start), self.wrapped.line_of(max(start, end - 1))
        for line in range(first, last + 1):
            self._cache.discard(line)
        self.refresh()

    # -- layout ---------------------------------------------------------------------------

    @property
    def text_width(self) -> int:
        region = self.scrollable_content_region
        width = region.width
        if not self.show_vertical_scrollbar and len(self.text) > width * max(1, region.height):
            # More lines than fit: the scrollbar is coming; wrap for the width it leaves
            # now rather than wrap twice.
            width -= self.styles.scrollbar_size_vertical
        return max(8, width - GUTTER)

    def _relayout(self, force: bool = False) -> None:
        if self.scrollable_content_region.width <= 0:
            # Not laid out yet (a document opened while the screen mounts): wrapping now
            # would wrap at the 8-column minimum (a 100,000-word transcript in 100,000
            # lines, 60 ms) only to wrap again at the first resize, which does it.
            self.wrapped = Layout(0)
            self._cache.clear()
            return
        width = self.text_width
        if not force and width == self.wrapped.width:
            return
        self.wrapped = wrap(self.text, width)
        self._cache.clear()
        self.virtual_size = Size(width + GUTTER, len(self.wrapped))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        keep = self.cursor.selection[0]
        self._relayout()
        self.call_after_refresh(self.scroll_to_offset, keep)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The vertical scrollbar comes and goes without a Resize: a document first wrapped
        # while it had none (its lines not yet known) is wrapped again for the narrower text.
        if self.text and self.scrollable_content_region.width > 0 and self.text_width != self.wrapped.width:
            keep = self.cursor.selection
            self._relayout()
            self.call_after_refresh(self.scroll_to_offset, *keep)
        return super().render_lines(crop)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def _restyle(self) -> None:
        """Forget the painted lines and the styles they were painted with."""
        self._cache.clear()
        self._styles.clear()
        self._base_style = None

    @property
    def _base(self) -> Style:
        """The view's own style (Textual works it out from every ancestor on each call:
        a tenth of a line's painting), kept until the styles change."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def _component(self, name: str) -> Style:
        """A component class's style (partial), kept until the styles change."""
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name, partial=True)
        return style

    # -- painting -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        _scroll_x, scroll_y = self.scroll_offset
        line = scroll_y + y
        width = self.scrollable_content_region.width
        if not self.text:
            hint = self._hint_lines(width)
            if line >= len(hint):
                return Strip.blank(width, self._base)
            style = self.get_component_rich_style("transcript--empty")
            segments = hint[line].render(self.app.console)
            return Strip(Segment.apply_style(segments, style)).crop_extend(0, width, self._base)
        if line >= len(self.wrapped):
            return Strip.blank(width, self._base)
        strip = self._cache.get(line)
        if strip is None:
            strip = self._paint(line)
            self._cache[line] = strip
        return strip.crop_extend(0, width, self._base)

    def _paint(self, line: int) -> Strip:
        start, end = self.wrapped.starts[line], self.wrapped.ends[line]
        base = self._base
        sel_start, sel_end = self.cursor.selection
        selected = self._component("transcript--selection")
        breaks = {start, end}
        for point in (sel_start, sel_end):
            if start < point < end:
                breaks.add(point)
        labels = self._label_spans(start, end)
        for a, b, _ in labels:
            breaks.update((a, b))
        pieces = sorted(breaks)
        segments: list[Segment] = self._gutter(line, start, end, base)
        for a, b in zip(pieces, pieces[1:]):
            label_style = Style()
            for la, lb, style in labels:
                if la <= a < lb:
                    label_style += style
            for c, d, active in self.coverage.segments(a, b):
                style = base + label_style
                if active:
                    inner = active[-1]
                    style += highlight_style(self.colours.get(inner.code_id, "#888888"), len(active) > 1)
                if sel_start <= c < sel_end:
                    style += selected
                segments.append(Segment(self.text[c:d], style))
        if sel_start == sel_end and start <= sel_start <= end:
            segments.append(Segment(" ", base + selected))
        return Strip(segments)

    def _hint_lines(self, width: int) -> list[Text]:
        """The empty view's hint wrapped to the width, each line's indent kept on its
        continuation lines."""
        lines: list[Text] = []
        for text in self.empty_hint:
            indent = len(text.plain) - len(text.plain.lstrip(" "))
            wrapped = text.wrap(self.app.console, max(20, width - 1 - indent) if indent else max(20, width - 1))
            for i, piece in enumerate(wrapped):
                lines.append(Text(" " * indent) + piece if i and indent else piece)
        return lines

    def _label_spans(self, start: int, end: int) -> list[tuple[int, int, Style]]:
        """Speaker labels and timestamps on this line, clipped to it; timestamps last so
        their dim style wins."""
        index = bisect_right(self._label_starts, end) - 1
        found: list[tuple[int, int, Style]] = []
        stamps: list[tuple[int, int, Style]] = []
        while index >= 0 and self._labels[index][1] > start:
            label_start, body, which = self._labels[index]
            stamp = self._stamp(label_start, body)
            name = "transcript--interviewer" if which == 0 else f"transcript--speaker-{which}"
            found.append((label_start, body, self._component(name)))
            if stamp is not None:
                stamps.append((*stamp, self._component("transcript--timestamp")))
            index -= 1
        return [(max(a, start), min(b, end), st) for a, b, st in found + stamps if max(a, start) < min(b, end)]

    def _gutter(self, line: int, start: int, end: int, base: Style) -> list[Segment]:
        """One mark per code that covers part of the line (its shortcut digit on its colour,
        else a bar in its colour), so overlapping codes stay distinguishable even where the
        text shows only the innermost colour; then a memo mark where a coding with a memo
        starts."""
        codes: list[int] = []
        memo = False
        for span in self.coverage.overlapping(start, max(end, start + 1)):
            if span.code_id not in codes:
                codes.append(span.code_id)
            if span.coding_id in self.memo_codings and not memo:
                memo = self.wrapped.line_of(span.start) == line
        if not codes:
            return [Segment(" " * GUTTER, base)]
        marks = []
        for code_id in codes[:MARKS]:
            colour = self.colours.get(code_id, "#888888")
            digit = self.shortcuts.get(code_id)
            if digit:
                marks.append(Segment(digit[:1], base + highlight_style(colour)))
            else:
                marks.append(Segment("▌", base + mark_style(colour)))
        if len(codes) > MARKS:
            marks[-1] = Segment("+", base + self._component("transcript--gutter"))
        tail = Segment(" " * (MARKS - len(marks)), base)
        note = Segment(MEMO_MARK if memo else " ", base + self._component("transcript--memo"))
        return [*marks, tail, note, Segment(" ", base)]

    # -- selection ------------------------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int]:
        return self.cursor.selection

    def select(self, start: int, end: int) -> None:
        self.cursor.select(start, end)
        self._selection_moved()

    def _selection_moved(self) -> None:
        self._cache.clear()
        self.refresh()
        start, end = self.cursor.selection
        self.scroll_to_offset(start, end)
        self.post_message(self.SelectionChanged(self, start, end))

    def scroll_to_offset(self, start: int, end: int | None = None) -> None:
        """Scroll so that the passage (or at least its moving end) is on screen."""
        if not len(self.wrapped):
            return
        top = self.wrapped.line_of(start)
        bottom = self.wrapped.line_of(max(start, (end if end is not None else start) - 1))
        if not self.cursor.forward:
            bottom = top
        height = max(1, self.scrollable_content_region.height)
        if bottom - top >= height:
            top = bottom - height + 1 if self.cursor.forward else top
        region = Region(0, top, 1, max(1, min(bottom - top + 1, height)))
        # A few lines of context either side, as editors keep (vim's scrolloff): a selection
        # on the last visible line hides how the respondent's sentence goes on.
        context = max(0, min(SCROLL_CONTEXT, (height - region.height) // 2))
        self.scroll_to_region(
            region, animate=False, immediate=True, force=True, spacing=Spacing(context, 0, context, 0)
        )

    def on_focus(self) -> None:
        self._restyle()
        self.refresh()

    def on_blur(self) -> None:
        self._restyle()
        self.refresh()

    # The moves the screen's key bindings call.

    def move(self, name: str, delta: int) -> None:
        getattr(self.cursor, name)(delta)
        self._selection_moved()

    def select_turn(self) -> None:
        self.cursor.select_turn()
        self._selection_moved()

    # -- mouse ----------------------------------------------------------------------------

    def offset_at(self, x: int, y: int) -> int:
        """The text offset under a point of the widget."""
        if not len(self.wrapped):
            return 0
        line = max(0, min(len(self.wrapped) - 1, self.scroll_offset.y + y))
        start, end = self.wrapped.starts[line], self.wrapped.ends[line]
        return max(start, min(end, start + x - GUTTER))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if not self.text:
            return
        self.focus()
        offset = self.offset_at(event.x, event.y)
        self.cursor.select(offset, offset)
        self._dragging = True
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging:
            self.cursor.head = self.offset_at(event.x, event.y)
            self._cache.clear()
            self.refresh()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if not self._dragging:
            return
        self._dragging = False
        self.release_mouse()
        start, end = self.cursor.selection
        if start == end:  # a click selects the sentence under it
            sentence = self.cursor.sentences[self.cursor.sentence_index(start)]
            self.cursor.select(sentence.start, sentence.end)
        self._selection_moved()
