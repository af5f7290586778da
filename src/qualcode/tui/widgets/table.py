"""The one table of the analysis screens (Analyse's tabs, the drill-down, Retrieval).

A :class:`Table` is a ``DataTable`` that lays its columns out itself, each time it is
filled and each time its width changes:

- the first column (what the row is: a code, a case, a document) is frozen, so it stays in
  view when the table scrolls sideways;
- every column is as wide as its content, within the table's width: names ("text") and
  sentences ("prose") are cut with an ellipsis when the row does not fit, numbers never are
  and are right-aligned; a "bar" column draws a share (0–1) to whatever width is left, with
  eighth-cell precision, so 71 % and 100 % look different at 80 columns too;
- the full text of what was cut stays reachable: the detail line (a ``Static`` the screen
  names) shows it for the highlighted row or cell, or a text of the screen's choosing.

Filling goes through :meth:`Table.show` only: rebuilding the columns through ``DataTable``
directly measures them by their labels, which is how a code column shrank to 4 characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.css.query import NoMatches
from textual.widgets import DataTable, Static

KINDS = ("text", "prose", "number", "bar", "mark")
PARTIAL = " ▏▎▍▌▋▊▉"
GAP = 2  # a DataTable column's padding, one cell either side
SCROLLBAR = 2
MIN_TEXT = 8
MIN_FIRST = 20  # the frozen first column says what a row is: it keeps this much
MIN_PROSE = 24
MIN_BAR = 8
MAX_BAR = 48
LABEL = 14
WIDE = 100  # from this many cells on, bars start 4 cells longer


@dataclass(frozen=True)
class Column:
    """One column: its label and what it holds.

    ``kind``: ``text`` (a name: cut when the row is short of room), ``prose`` (a sentence:
    cut first and given what is left), ``number`` (right-aligned, never cut), ``bar`` (a
    share from 0 to 1, drawn to the column's width) or ``mark`` (a short symbol or a
    coloured cell, never cut). ``max_width`` caps a text column even when there is room.
    """

    label: str
    kind: str = "text"
    max_width: int | None = None


@dataclass(frozen=True)
class Bar:
    """A bar cell: ``share`` of the column's width (0–1), in ``style``."""

    share: float
    style: str = "blue"


Cell = str | int | float | Text | Bar | None


def flat(value: str) -> str:
    """One line: line breaks and tabs (with the white space around them) become one space;
    leading spaces stay (they indent sub-codes)."""
    return re.sub(r"\s*[\r\n\t]\s*", " ", value).rstrip()


def bar_text(share: float, width: int, style: str = "blue") -> Text:
    """A horizontal bar of ``share`` × ``width`` cells, to an eighth of a cell."""
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, rest = divmod(eighths, 8)
    return Text("█" * full + (PARTIAL[rest] if rest else ""), style=style)


def fit_widths(columns: Sequence[Column], natural: Sequence[int], available: int) -> list[int]:
    """Column widths (content only) that fit ``available`` cells, padding included.

    Bars take the room the others leave; when the row is too wide, names give up room first
    (the widest first, down to ``MIN_TEXT``), then prose (down to ``MIN_PROSE``), then the
    first column (down to ``MIN_FIRST``); numbers, marks and bars never shrink (a table wider
    than the screen then scrolls sideways, its first column frozen)."""
    widths = list(natural)
    for i, col in enumerate(columns):
        if col.kind == "text" and col.max_width:
            widths[i] = min(widths[i], col.max_width)
        if col.kind == "bar":
            widths[i] = MIN_BAR if available < WIDE else MIN_BAR + 4
    room = available - sum(widths) - GAP * len(widths)

    def shrink(indices: list[int], floor: int) -> None:
        nonlocal room
        while room < 0:  # the widest first, one cell at a time
            wide = [i for i in indices if widths[i] > floor]
            if not wide:
                return
            widest = max(wide, key=lambda i: widths[i])
            widths[widest] -= 1
            room += 1

    names = [i for i, c in enumerate(columns) if c.kind == "text"]
    shrink([i for i in names if i > 0], MIN_TEXT)
    shrink([i for i, c in enumerate(columns) if c.kind == "prose"], MIN_PROSE)
    shrink([i for i in names if i == 0], MIN_FIRST)
    prose = [i for i, c in enumerate(columns) if c.kind == "prose"]
    if room < 0 and prose:
        # The row cannot fit: rather than a sliver of prose with columns off-screen anyway,
        # the (first) prose column fills what is left of the screen, the columns after it
        # are reached by scrolling sideways (and are on the detail line).
        p = prose[0]
        left = available - sum(widths[:p]) - GAP * (p + 1)
        widths[p] = max(widths[p], min(natural[p], left))
        room = 0
    flexible = [i for i, c in enumerate(columns) if c.kind == "bar"]
    if room > 0 and flexible:
        share = room // len(flexible)
        for i in flexible:
            grow = min(share, MAX_BAR - widths[i])
            widths[i] += grow
            room -= grow
    return [max(1, w) for w in widths]


class Table(DataTable[Any]):
    """A DataTable that sizes its columns to their content within its width (see the module)."""

    DEFAULT_CSS = """
    Table { height: 1fr; }
    """

    def __init__(
        self,
        *,
        detail: str | None = None,
        cursor_type: str = "row",
        zebra_stripes: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            cursor_type=cursor_type,  # type: ignore[arg-type]
            zebra_stripes=zebra_stripes,
            fixed_columns=1,
            id=id,
            classes=classes,
        )
        self.detail_id = detail
        self._columns: list[Column] = []
        self._rows: list[list[Cell]] = []
        self._details: Sequence[str | Text] | Callable[[int, int], str | Text] | None = None
        self._cut: dict[tuple[int, int], str] = {}
        self._fitted = -1
        self._pending_row: int | None = None

    # -- filling ----------------------------------------------------------------------------

    def show(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Cell]],
        details: Sequence[str | Text] | Callable[[int, int], str | Text] | None = None,
    ) -> None:
        """Fill the table: one list of cells per row, one cell per column. ``details``: the
        detail line's text per row (or a function of row and column); by default the full
        text of the row's cut cells."""
        self._columns = list(columns)
        self._rows = [list(r) for r in rows]
        self._details = details
        if not self.size.width:
            # Not laid out yet: the first Resize fills it. Filling now would render every
            # visible cell twice (DataTable renders its cells anew after each resize).
            self._fitted = -1
            return
        self._render_rows(keep_cursor=False)

    def move_to_row(self, row: int) -> None:
        """Put the cursor on ``row`` now, or once the rows are in (before the first layout
        they wait for it)."""
        if self._fitted < 0 and self._columns:
            self._pending_row = row
        elif 0 <= row < self.row_count:
            self.move_cursor(row=row, animate=False)

    @property
    def columns_shown(self) -> list[Column]:
        return list(self._columns)

    def full_text(self, row: int, column: int) -> str:
        """The cell's whole text, as it was before any cut."""
        return self._plain(self._rows[row][column])

    def available_width(self) -> int:
        """The cells the columns may take: the table's own width once laid out, else the
        screen's (the first fill comes before layout; a resize then fits again)."""
        if self.size.width:
            # the vertical scrollbar is reserved: it appears once the rows are in
            return max(20, self.size.width - self.styles.gutter.width - SCROLLBAR)
        width = self.screen.size.width if self.is_attached else self.app.size.width
        return max(20, width - 2 - SCROLLBAR)

    def _plain(self, cell: Cell) -> str:
        if cell is None:
            return ""
        if isinstance(cell, Text):
            return flat(cell.plain)
        if isinstance(cell, Bar):
            return f"{100 * cell.share:.0f} %"
        if isinstance(cell, float):
            return f"{cell:g}"
        return flat(str(cell))

    def _natural(self, index: int, column: Column) -> int:
        """The widest cell; a figure's label counts up to ``LABEL`` cells (a long group name
        is cut in the heading, not in every figure below it)."""
        width = cell_len(column.label)
        if column.kind == "bar":
            return width
        if column.kind in ("number", "mark"):
            width = min(width, LABEL)
        for row in self._rows:
            cell = row[index] if index < len(row) else None
            width = max(
                width, cell_len(self._plain(cell)) if not isinstance(cell, Text) else cell_len(flat(cell.plain))
            )
        return width

    def _render_rows(self, keep_cursor: bool = True) -> None:
        available = self.available_width()
        self._fitted = available
        natural = [self._natural(i, c) for i, c in enumerate(self._columns)]
        widths = fit_widths(self._columns, natural, available)
        cursor = self.cursor_coordinate if keep_cursor else None
        self._cut = {}
        self.clear(columns=True)
        for column, width in zip(self._columns, widths):
            label = Text(column.label, justify="right" if column.kind == "number" else "left")
            if cell_len(column.label) > width:
                label.truncate(width, overflow="ellipsis")
            self.add_column(label, width=width)
        self.add_rows(
            [
                [
                    self._cell(r, i, row[i] if i < len(row) else None, c, w)
                    for i, (c, w) in enumerate(zip(self._columns, widths))
                ]
                for r, row in enumerate(self._rows)
            ]
        )
        if cursor is not None and self.row_count:
            self.move_cursor(row=min(cursor.row, self.row_count - 1), column=cursor.column, animate=False)
        if self._pending_row is not None:
            row, self._pending_row = self._pending_row, None
            if 0 <= row < self.row_count:
                self.move_cursor(row=row, animate=False)
        self._update_detail()

    def _cell(self, row: int, index: int, cell: Cell, column: Column, width: int) -> Text:
        if isinstance(cell, Bar):
            return bar_text(cell.share, width, cell.style)
        if isinstance(cell, Text):
            text = cell.copy()
            if "\n" in text.plain:
                text = Text(flat(text.plain), style=text.style, justify=text.justify)
        else:
            plain = self._plain(cell)
            text = Text(plain, justify="right" if column.kind == "number" or isinstance(cell, (int, float)) else None)
        if column.kind == "number" and text.justify is None:
            text.justify = "right"
        if text.cell_len > width:
            self._cut[(row, index)] = self._plain(cell)
            text.truncate(width, overflow="ellipsis")
        return text

    # -- size changes and the detail line ---------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        if self._columns and self.available_width() != self._fitted:
            self._render_rows(keep_cursor=self._fitted >= 0)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._update_detail()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._update_detail()

    def detail_text(self) -> str | Text:
        """What the detail line shows for the cursor's row (or cell)."""
        row, column = self.cursor_coordinate
        if not self._rows or not 0 <= row < len(self._rows):
            return ""
        if callable(self._details):
            return self._details(row, column)
        if self._details is not None:
            return self._details[row] if row < len(self._details) else ""
        if self.cursor_type == "cell" and 0 < column < len(self._columns):
            head = self._plain(self._rows[row][0])
            return f"{head} · {self._columns[column].label}: {self.full_text(row, column)}"
        cut = [(i, text) for (r, i), text in sorted(self._cut.items()) if r == row]
        return " · ".join(f"{self._columns[i].label}: {text}" for i, text in cut)

    def _update_detail(self) -> None:
        if not self.detail_id or not self.is_attached:
            return
        try:
            target = self.screen.query_one(f"#{self.detail_id}", Static)
        except NoMatches:  # the screen is composing or closing
            return
        target.update(self.detail_text())
