"""Analyse: frequencies (with bars), code × group matrices as a heat map, co-occurrence, the
comparison across groups, intercoder agreement and the panel of cases — filtered, counted by
a chosen unit (documents, participants or cases), and every cell drillable.

The filter row (unit, organisation, project, role, coder) sits at the top; 1–6 (or [ and ])
switch tabs. Only the tab in view is computed; the others are computed when first shown after
a change, and a measure switched on a tab redraws what was computed without asking the study
again. Every table is a :class:`~qualcode.tui.widgets.table.Table`: first column frozen,
columns sized to their content, the full text of a cut cell on the detail line below it.

Enter on a cell lists the fragments behind it (on the Agreement tab: the passages the two
coders coded differently); Enter on a fragment jumps to it in the document (posts
:class:`~qualcode.tui.messages.JumpTo`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Label, Select, Static, TabbedContent, TabPane

from qualcode.analysis import Scope
from qualcode.analysis import formatting as fmt
from qualcode.analysis.agreement import agreement, disagreements
from qualcode.analysis.compare import compare_groups
from qualcode.analysis.cooccurrence import cooccurrence
from qualcode.analysis.formatting import number
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrices import crosstab
from qualcode.analysis.units import BUILTIN_GROUPS, PLURAL, UNITS, default_unit, grouping_names
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study
from qualcode.tui.messages import JumpTo
from qualcode.tui.screens.panel_tab import fill_panel, panel_fragments
from qualcode.tui.widgets.footer import SteadyFooter
from qualcode.tui.widgets.table import LABEL, Bar, Column, Table, flat

TABS = ["tab-frequencies", "tab-matrix", "tab-cooccurrence", "tab-compare", "tab-agreement", "tab-panel"]
TAB_NAMES = ["Frequencies", "Matrix", "Co-occurrence", "Compare", "Agreement", "Panel"]
TAB_GROUP = Binding.Group("Tab")


def group_label(group: str, n: int, width: int = LABEL) -> str:
    """A group's heading with its size, cut in the name so "n=" stays in view."""
    full = f"{group} (n={n})"
    if len(full) <= width:
        return full
    tail = f" n={n}"
    return group[: max(1, width - len(tail) - 1)] + "…" + tail


def short_names(names: list[str]) -> dict[str, str]:
    """Group names without a first word several of them share ("Gemeente Helmond",
    "Gemeente Leeuwarden" → "Helmond", "Leeuwarden"), so narrow headings still tell them
    apart; the full name is on the detail line."""
    words = {n: n.split() for n in names}
    firsts = Counter(w[0] for w in words.values() if len(w) > 1)
    short = {n: " ".join(w[1:]) if len(w) > 1 and firsts[w[0]] > 1 else n for n, w in words.items()}
    return short if len(set(short.values())) == len(short) else {n: n for n in names}


def heat(value: float, top: float, text: str) -> Text:
    """A cell coloured from white (nothing) to deep blue (the table's highest value)."""
    share = 0.0 if top <= 0 else max(0.0, min(1.0, value / top))
    r, g, b = int(255 - 212 * share), int(255 - 147 * share), int(255 - 79 * share)
    colour = "white" if share > 0.6 else "black"
    return Text(text, style=f"{colour} on rgb({r},{g},{b})", justify="right")


class DrillTable(Table):
    """An analysis table whose Enter (its own select, which the screen turns into the
    fragments behind the cell) is shown in the footer: DataTable hides its own Enter, and
    once the table has the focus that hid the screen's "⏎ Fragments" too."""

    BINDINGS = [Binding("enter", "select_cursor", "Fragments", id="analyse.drill_cell")]


class FragmentList(Table):
    """The drill-down's fragments, whose Enter ("Jump") is shown in the footer."""

    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Jump",
            id="analyse.fragments_jump_row",
            tooltip="Jump to the fragment in its document",
        )
    ]


class FragmentsScreen(ModalScreen[None]):
    """The fragments behind a cell, their text in the table and in full below it; Enter
    jumps to one."""

    AUTO_FOCUS = "#fragment-list"

    DEFAULT_CSS = """
    FragmentsScreen { align: center middle; }
    FragmentsScreen > #fragments-box { width: 90%; height: 85%; border: round $accent; background: $surface; }
    FragmentsScreen #fragments-title { height: 1; padding: 0 1; text-style: bold; }
    FragmentsScreen #fragment-detail { height: auto; max-height: 6; padding: 0 1; border-top: solid $primary; }
    """
    BINDINGS = [
        Binding("escape", "dismiss_screen", "Back", id="analyse.fragments_back"),
        Binding("enter", "jump", "Jump", id="analyse.fragments_jump"),
    ]

    def __init__(self, title: str, fragments: list[dict[str, Any]], role_label: str = "Role") -> None:
        super().__init__()
        self.heading = title
        self.fragments = fragments
        self.role_label = role_label

    def compose(self) -> ComposeResult:
        with Vertical(id="fragments-box"):
            count = len(self.fragments)
            yield Label(f"{self.heading} — {count} fragment{'' if count == 1 else 's'}", id="fragments-title")
            yield FragmentList(detail="fragment-detail", id="fragment-list")
            yield Static("", id="fragment-detail")
            yield SteadyFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#fragment-list", Table)
        columns = [
            Column("Document", max_width=24),
            Column("Code", max_width=22),
            Column("Text", "prose"),
            Column(self.role_label, max_width=18),
            Column("Coder", max_width=14),
        ]
        rows = [
            [
                f.get("document"),
                str(f.get("code") or "").rsplit("/", 1)[-1],
                f.get("text"),
                f.get("role"),
                f.get("coder"),
            ]
            for f in self.fragments
        ]
        table.show(columns, rows, details=[self._detail(f) for f in self.fragments])
        table.focus()

    def _detail(self, fragment: dict[str, Any]) -> Text:
        text = Text()
        text.append(f"{fragment.get('document')} · {fragment.get('code')} · {fragment.get('coder')}", style="dim")
        if fragment.get("role"):
            text.append(f" · {fragment.get('role')}", style="dim")
        text.append("\n" + flat(str(fragment.get("text") or "")))
        return text

    @on(DataTable.RowSelected, "#fragment-list")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_jump()

    def action_jump(self) -> None:
        table = self.query_one("#fragment-list", Table)
        if not self.fragments:
            return
        fragment = self.fragments[table.cursor_row]
        self.app.post_message(JumpTo(int(fragment["document_id"]), int(fragment["start"]), int(fragment["end"])))
        self.dismiss(None)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)


class AnalyseScreen(Screen[None]):
    """Frequencies, matrices, co-occurrence, comparison, agreement and the panel."""

    AUTO_FOCUS = "#frequencies"  # straight to the table: each focus change rebuilds the footer

    DEFAULT_CSS = """
    AnalyseScreen .filters { height: 1; }
    AnalyseScreen .filters Select { width: 1fr; margin-right: 1; }
    /* a chosen value that does not fit ends in "…" (Select cut it with no mark: "Organisati") */
    AnalyseScreen SelectCurrent Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    AnalyseScreen SelectCurrent.-textual-compact { padding: 0 1; }
    AnalyseScreen #a-unit { width: 20; }
    AnalyseScreen #analyse-tabs { height: 1fr; }
    AnalyseScreen #analyse-tabs > ContentSwitcher { height: 1fr; }
    AnalyseScreen TabPane { padding: 0 0; height: 1fr; }
    AnalyseScreen .notes { height: auto; max-height: 2; color: $text-muted; }
    AnalyseScreen #compare-notes { color: $warning; }
    AnalyseScreen #frequency-chart { height: 1fr; }
    AnalyseScreen Footer.-compact FooterLabel { margin-right: 1; }
    AnalyseScreen .detail { height: 1; color: $text-muted; background: $boost; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="analyse.close"),
        Binding("enter", "drill", "Fragments", id="analyse.drill", show=True),
        Binding("left_square_bracket", "tab(-1)", "Previous tab", id="analyse.tab_previous", group=TAB_GROUP),
        Binding("right_square_bracket", "tab(1)", "Next tab", id="analyse.tab_next", group=TAB_GROUP),
        *[
            Binding(str(i + 1), f"show_tab('{tab}')", f"{name} tab", id=f"analyse.{tab}", show=False)
            for i, (tab, name) in enumerate(zip(TABS, TAB_NAMES))
        ],
        Binding(
            "g",
            "chart",
            "Chart",
            id="analyse.chart",
            tooltip="Frequencies: a bar chart of the highlighted code and its siblings",
        ),
        Binding("u", "next_unit", "Unit", id="analyse.unit", tooltip="Count documents, participants or cases"),
        Binding("r", "toggle_rollup", "Roll up", id="analyse.rollup"),
        Binding("f5", "refresh", "Refresh", id="analyse.refresh"),
    ]

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study
        self.rollup = True
        self._stale: set[str] = set(TABS)
        self._built: set[str] = set()
        self._seen: dict[str, Any] = {}
        self._freq: Any = None
        self._matrix: Any = None
        self._cooc: Any = None
        self._compare: Any = None
        self._compare_order: list[int] = []
        self._agreement_codes: list[int | None] = []
        self._panel: Any = None
        self._panel_columns: list[Any] = []

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        study = self.study
        roles = sorted({d.role for d in study.documents() if d.role})
        with Horizontal(id="analyse-filters", classes="filters"):
            yield Select(
                [(f"per {u}", u) for u in UNITS],
                value=default_unit(study),
                allow_blank=False,
                compact=True,
                id="a-unit",
                tooltip="What the figures count: documents, participants or cases (families)",
            )
            yield Select(
                [(o["name"], o["name"]) for o in study.organisations()],
                prompt="Organisation",
                compact=True,
                id="a-organisation",
            )
            yield Select(
                [(p["name"], p["name"]) for p in study.projects()], prompt="Project", compact=True, id="a-project"
            )
            yield Select([(r, r) for r in roles], prompt="Role", compact=True, id="a-role")
            yield Select([(c["name"], c["name"]) for c in study.coders()], prompt="Coder", compact=True, id="a-coder")
        with TabbedContent(id="analyse-tabs"):
            for tab, name in zip(TABS, TAB_NAMES):
                with TabPane(f"{TABS.index(tab) + 1} {name}", id=tab):
                    if tab == TABS[0]:
                        yield from self._tab_widgets(tab)
        yield SteadyFooter(compact=True, show_command_palette=False)

    def _groupings(self) -> list[tuple[str, str]]:
        """(label, value) of what Matrix and Compare can group by: the document fields, wave,
        document attributes and case attributes (as ``doc:``/``case:`` where a name is both)."""
        case = set(self.study.case_attribute_names())

        def label(name: str) -> str:
            if name in BUILTIN_GROUPS:
                return name
            kind, _, bare = name.partition(":") if name.startswith(("doc:", "case:")) else ("", "", name)
            if kind == "case" or (not kind and bare in case):
                return f"case: {bare}"
            return f"attribute: {bare}"

        return [(label(n), n) for n in grouping_names(self.study) if n not in ("participant", "document", "case")]

    def _tab_widgets(self, tab: str) -> list[Widget]:
        """A tab's widgets: the first tab's are composed with the screen, the others'
        mounted when the tab is first shown (a first open builds one tab, not six)."""
        study = self.study
        name = tab.removeprefix("tab-")
        short = {"frequencies": "frequency"}.get(name, name)
        cursor = "cell" if name in ("matrix", "cooccurrence", "panel") else "row"
        widgets: list[Widget] = []
        if name == "matrix":
            groupings = self._groupings()
            measures = [
                ("codings", "count"),
                ("passages", "passages"),
                ("% of units", "docs"),
                ("passages per 1,000 words", "rate"),
            ]
            widgets.append(
                Horizontal(
                    Select(groupings, value="organisation", allow_blank=False, compact=True, id="m-by"),
                    Select(measures, value="docs", allow_blank=False, compact=True, id="m-measure"),
                    classes="filters",
                )
            )
        elif name == "cooccurrence":
            units = [
                ("in the same unit", "unit"),  # the unit of analysis chosen in the filter row
                ("overlapping codings", "overlap"),
                ("same sentence", "sentence"),
                ("same turn", "turn"),
            ]
            widgets.append(
                Horizontal(
                    Select(units, value="unit", allow_blank=False, compact=True, id="c-unit"),
                    Select(
                        [("count", "count"), ("Jaccard", "jaccard")],
                        value="count",
                        allow_blank=False,
                        compact=True,
                        id="c-measure",
                    ),
                    classes="filters",
                )
            )
        elif name == "agreement":
            coders = [c["name"] for c in study.coders() if c["codings"]]
            first, second = (coders + [None, None])[:2]
            units = [
                ("sentence units (kappa, alpha)", "sentence"),
                ("segments (matched codings)", "segment"),
                ("characters (Jaccard)", "character"),
            ]
            widgets.append(
                Horizontal(
                    Select(
                        [(c, c) for c in coders],
                        prompt="Coder A",
                        value=first or Select.NULL,
                        compact=True,
                        id="g-coder-a",
                    ),
                    Select(
                        [(c, c) for c in coders],
                        prompt="Coder B",
                        value=second or Select.NULL,
                        compact=True,
                        id="g-coder-b",
                    ),
                    Select(units, value="sentence", allow_blank=False, compact=True, id="g-unit"),
                    classes="filters",
                )
            )
        widgets += [
            Static("", id=f"{short}-notes", classes="notes"),
            DrillTable(
                detail=f"{short}-detail",
                cursor_type=cursor,
                zebra_stripes=name not in ("matrix", "cooccurrence"),
                id=name,
            ),
            Static("", id=f"{short}-detail", classes="detail"),
        ]
        return widgets

    async def on_mount(self) -> None:
        # Selects announce their first value once mounted: remember every select's value, so
        # those announcements do not compute anything (they computed every hidden tab).
        self._seen = {s.id: s.value for s in self.query(Select) if s.id}
        self._built.add(TABS[0])
        await self._fill_active()

    # -- state ----------------------------------------------------------------------------

    def _value(self, select_id: str) -> str | None:
        """A select's choice; None when blank or when its tab was not shown yet (then the
        caller's default is what the select would start with)."""
        try:
            value = self.query_one(select_id, Select).value
        except NoMatches:
            return None
        return None if value == Select.NULL else str(value)

    @property
    def unit(self) -> str:
        return self._value("#a-unit") or "document"

    def scope(self) -> Scope:
        return Scope(
            organisation=self._value("#a-organisation"),
            project=self._value("#a-project"),
            role=self._value("#a-role"),
            coder=self._value("#a-coder"),
        )

    @on(Select.Changed)
    async def _filters_changed(self, event: Select.Changed) -> None:
        select_id = event.select.id or ""
        if self._seen.get(select_id, event.value) == event.value:
            return  # a select announcing the value it was built with
        self._seen[select_id] = event.value
        if select_id == "m-measure":
            self.show_matrix()
            return
        if select_id == "c-measure":
            self.show_cooccurrence()
            return
        if select_id == "m-by":  # the Compare tab groups by this choice too
            self._stale |= {"tab-matrix", "tab-compare"}
        elif select_id == "c-unit":
            self._stale.add("tab-cooccurrence")
        elif select_id.startswith("g-"):
            self._stale.add("tab-agreement")
        else:
            self._stale = set(TABS)
        await self._fill_active()

    async def action_refresh(self) -> None:
        """Refill the tab in view now and the others when they are shown: opening the screen
        or changing a filter should not wait for tables nobody is looking at (the
        comparison's statistics and the agreement figures are the slow ones)."""
        self._stale = set(TABS)
        await self._fill_active()

    _FILLERS = {
        "tab-frequencies": "fill_frequencies",
        "tab-matrix": "fill_matrix",
        "tab-cooccurrence": "fill_cooccurrence",
        "tab-compare": "fill_compare",
        "tab-agreement": "fill_agreement",
        "tab-panel": "fill_panel",
    }

    @property
    def active_tab(self) -> str:
        return self.query_one("#analyse-tabs", TabbedContent).active or TABS[0]

    async def _fill_active(self) -> None:
        active = self.active_tab
        if active not in self._built:
            self._built.add(active)
            widgets = self._tab_widgets(active)
            await self.query_one(f"#{active}", TabPane).mount_all(widgets)
            self._seen.update({s.id: s.value for s in self.query(Select) if s.id and s.id not in self._seen})
        if active not in self._stale:
            return
        self._stale.discard(active)
        try:
            getattr(self, self._FILLERS[active])()
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")

    @on(TabbedContent.TabActivated)
    async def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if self.is_mounted:
            await self._fill_active()
            self._focus_table()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#analyse-tabs", TabbedContent).active = tab

    def action_tab(self, step: int) -> None:
        index = TABS.index(self.active_tab) if self.active_tab in TABS else 0
        self.action_show_tab(TABS[(index + step) % len(TABS)])

    def _focus_table(self) -> None:
        tab = self.active_tab
        pane = self.query_one(f"#{tab}", TabPane)
        tables = list(pane.query(Table))
        if tables:
            tables[0].focus()

    async def action_chart(self) -> None:
        """On Frequencies: swap the table for a chart (textual-plotext) of the share of units
        with the highlighted code and its sibling codes, drawn to the screen's width; again
        brings the table back."""
        if self.active_tab != "tab-frequencies" or self._freq is None:
            self.notify("The chart is on the Frequencies tab (1)", timeout=2)
            return
        table = self.query_one("#frequencies", Table)
        pane = self.query_one("#tab-frequencies", TabPane)
        shown = list(pane.query("#frequency-chart"))
        if shown:
            await shown[0].remove()
            table.display = True
            table.focus()
            return
        from textual_plotext import PlotextPlot  # plotting is imported when first asked for

        chart = PlotextPlot(id="frequency-chart")
        await pane.mount(chart, after=table)
        table.display = False
        self._draw_chart(chart, table.cursor_row)

    def _draw_chart(self, chart: Any, row: int) -> None:
        rows = list(self._freq)
        if not rows:
            return
        current = rows[min(max(row, 0), len(rows) - 1)]
        parent = current.code.rsplit("/", 1)[0] if current.depth else None
        siblings = [
            r for r in rows if r.depth == current.depth and (r.code.rsplit("/", 1)[0] if r.depth else None) == parent
        ]
        total, units = len(self._freq.frame.units()), PLURAL[self._freq.unit]
        names = [_cut(r.code.rsplit("/", 1)[-1], 24) for r in siblings]
        plt = chart.plt
        plt.clear_data()
        plt.bar(names[::-1], [r.units_pct for r in siblings][::-1], orientation="horizontal")  # first on top
        plt.xlim(0, 100)
        plt.title(f"% of {total} {units} with the code: {parent or 'top-level codes'}")
        chart.refresh()

    def action_next_unit(self) -> None:
        select = self.query_one("#a-unit", Select)
        select.value = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self.notify(f"Counting {PLURAL[self.unit]}", timeout=2)

    async def action_toggle_rollup(self) -> None:
        self.rollup = not self.rollup
        self.notify("Sub-codes counted in their parents" if self.rollup else "Each code counts only its own codings")
        await self.action_refresh()

    def action_close(self) -> None:
        self.dismiss(None)

    # -- tables ---------------------------------------------------------------------------

    def fill_frequencies(self) -> None:
        self._freq = code_frequencies(self.study, self.scope(), rollup=self.rollup, unit=self.unit)
        rows = self._freq
        unit, total = rows.unit, len(rows.frame.units())
        units = PLURAL[unit]
        columns = [
            Column("Code", max_width=36),
            Column(units.capitalize(), "number"),
            Column("%", "number"),
            Column(f"{total} {units}", "bar"),
            Column("Passages", "number"),
            Column("Codings", "number"),
            Column("Words", "number"),
            Column("Per 1,000 w", "number"),
            Column("Mean ± sd", "number"),
            *([Column("Documents", "number")] if unit != "document" else []),
        ]
        cells, details = [], []
        for r in rows:
            label = Text("  " * r.depth + r.code.rsplit("/", 1)[-1], style="bold" if r.depth == 0 else "")
            spread = f"{number(r.per_1000_mean)} ± {number(r.per_1000_sd)}" if r.per_1000_mean is not None else ""
            cells.append(
                [
                    label,
                    r.units,
                    number(r.units_pct, 1),
                    Bar(r.units_pct / 100.0),
                    r.passages,
                    r.codings,
                    r.coded_words or 0,
                    number(r.per_1000_words),
                    spread,
                    *([r.documents] if unit != "document" else []),
                ]
            )
            details.append(
                f"{r.code}: present in {r.units} of {total} {units} ({number(r.units_pct, 1)} %); "
                f"{r.passages} passages, {r.codings} codings, {r.coded_words or 0} coded words; "
                f"{number(r.per_1000_words)} passages per 1,000 words said (per {unit}: {spread or 'n/a'})"
            )
        notes = [
            f"Counts {units} ({total}): a code is present in a {unit} when one of its documents has it. "
            f"Words: coded words; per 1,000 w: passages per 1,000 words said; mean ± sd: that rate per {unit}.",
            *rows.notes,
        ]
        self.query_one("#frequency-notes", Static).update("\n".join(notes))
        table = self.query_one("#frequencies", Table)
        table.show(columns, cells, details)
        for chart in self.query("#frequency-chart"):
            self._draw_chart(chart, table.cursor_row)

    @property
    def _freq_codes(self) -> list[int]:
        return [r.code_id for r in self._freq] if self._freq is not None else []

    def fill_matrix(self) -> None:
        by = self._value("#m-by") or "organisation"
        self._matrix = crosstab(self.study, by, self.scope(), rollup=self.rollup, unit=self.unit)
        self.show_matrix()

    def show_matrix(self) -> None:
        """Draw the matrix in the chosen measure (no new query)."""
        if self._matrix is None:
            return
        matrix = self._matrix
        measure = self._value("#m-measure") or "docs"
        rows = matrix.rows(measure)
        groups = [g.name for g in matrix.groups]
        units = PLURAL[matrix.unit]
        top = max((float(r[g]) for r in rows for g in groups), default=0.0)
        short = short_names(groups)
        columns = [
            Column("Code", max_width=32),
            *[Column(group_label(short[g], info.documents), "mark") for g, info in zip(groups, matrix.groups)],
            Column("Total", "number"),
        ]
        cells = [
            [
                "  " * depth + path.rsplit("/", 1)[-1],
                *[heat(float(r[g]), top, _fmt(r[g], measure)) for g in groups],
                _fmt(r["total"], measure),
            ]
            for (_, path, depth), r in zip(matrix.codes, rows)
        ]

        def detail(row: int, column: int) -> str:
            if row >= len(matrix.codes):
                return ""
            code_id, path, _ = matrix.codes[row]
            if not 1 <= column <= len(groups):
                return f"{path}: in {sum(matrix.documents.get((code_id, g), 0) for g in groups)} of {sum(i.documents for i in matrix.groups)} {units}"
            info = matrix.groups[column - 1]
            with_code = matrix.documents.get((code_id, info.name), 0)
            return (
                f"{path} · {matrix.by} {info.name}: present in {with_code} of {info.documents} {units} "
                f"({fmt.percent(with_code, info.documents)}); {matrix.passages.get((code_id, info.name), 0)} passages, "
                f"{matrix.codings.get((code_id, info.name), 0)} codings"
            )

        note = f"Columns: {matrix.by}, n = {units} in the group. " + " ".join(matrix.notes)
        self.query_one("#matrix-notes", Static).update(note)
        self.query_one("#matrix", Table).show(columns, cells, detail)

    def fill_cooccurrence(self) -> None:
        chosen = self._value("#c-unit") or "unit"
        # both codes present in the same document, participant or case (the unit of analysis),
        # or a passage meaning: overlapping codings, the same sentence, the same turn
        unit = self.unit if chosen == "unit" else chosen
        self._cooc = cooccurrence(self.study, self.scope(), unit=unit)
        self.show_cooccurrence()

    def show_cooccurrence(self) -> None:
        if self._cooc is None:
            return
        cooc = self._cooc
        measure = self._value("#c-measure") or "count"
        rows = cooc.rows(measure)
        paths = [p for _, p in cooc.codes]
        off_diagonal = [float(r[p]) for r in rows for p in paths if p != r["code"]]
        top = max(off_diagonal, default=0.0)
        columns = [Column("Code", max_width=28), *[Column(p.rsplit("/", 1)[-1][:12], "mark") for p in paths]]
        cells = [
            [
                r["code"].rsplit("/", 1)[-1],
                *[
                    Text(str(r[p]), style="dim", justify="right")
                    if p == r["code"]
                    else heat(float(r[p]), top, str(r[p]))
                    for p in paths
                ],
            ]
            for r in rows
        ]
        passage = {
            "overlap": "pairs of overlapping codings",
            "sentence": "sentences holding both codes",
            "turn": "turns holding both codes",
        }
        what = passage.get(cooc.unit) or f"{PLURAL[cooc.unit]} where both codes are present"

        def detail(row: int, column: int) -> str:
            if row >= len(rows) or not 1 <= column <= len(paths):
                return ""
            a, b = rows[row]["code"], paths[column - 1]
            if a == b:
                return f"{a}: {rows[row][b]} (its own total)"
            return f"{a} × {b}: {rows[row][b]} ({what if measure == 'count' else 'Jaccard'})"

        notes = cooc.notes()
        if cooc.unit in passage:
            notes = [f"Passages, not {PLURAL[self.unit]}: choose “in the same unit” to count those.", *notes]
        self.query_one("#cooccurrence-notes", Static).update(" ".join(notes))
        self.query_one("#cooccurrence", Table).show(columns, cells, detail)

    def fill_compare(self) -> None:
        by = self._value("#m-by") or "organisation"
        table = self.query_one("#compare", Table)
        notes = self.query_one("#compare-notes", Static)
        try:
            self._compare = compare_groups(self.study, by, self.scope(), rollup=self.rollup, unit=self.unit)
        except QualcodeError as exc:
            self._compare = None
            self._compare_order = []
            notes.update(str(exc))
            table.show([Column("Code")], [])
            return
        comparison = self._compare
        units = PLURAL[comparison.unit]
        notes.update(" ".join([f"By {by}; counts {units}; sorted by q.", *comparison.notes]))
        ordered = sorted(comparison.codes, key=lambda c: (c.q is None, c.q or 1.0, c.code))
        short = short_names([g for g, _ in comparison.groups])
        self._compare_order = [c.code_id for c in ordered]
        columns = [
            Column("Code", max_width=32),
            Column("q", "number"),
            Column("p", "number"),
            *[Column(group_label(short[g], n), "number") for g, n in comparison.groups],
            Column("Difference", "number"),
            Column("Odds ratio", "number"),
            Column("Effect", max_width=18),
            Column("Test", max_width=22),
            Column("Stands out in", max_width=20),
        ]
        cells = []
        for c in ordered:
            shown = c.display_row()
            style = "bold" if c.significant else ""
            present = {g.group: f"{g.with_code}/{g.units} {fmt.percent(g.with_code, g.units)}" for g in c.groups}
            cells.append(
                [
                    Text(c.code.rsplit("/", 1)[-1], style=style),
                    Text(shown["q"] or "", style=style),
                    shown["p"] or "",
                    *[present.get(g, "") for g, _ in comparison.groups],
                    shown["difference"] or "",
                    shown["odds_ratio"] or "",
                    shown["effect"] or "",
                    shown["test"] or "",
                    shown["standout"] or "",
                ]
            )
        table.show(columns, cells, [c.sentence() for c in ordered])

    def fill_panel(self) -> None:
        """Cases by code presence and variables per wave (the coder filter applies)."""
        table = self.query_one("#panel", Table)
        self._panel, self._panel_columns = fill_panel(self.study, table, self.scope().coder, self.rollup)
        waves = ", ".join(self._panel.waves) or "none"
        self.query_one("#panel-notes", Static).update(
            f"One row per case: {len(self._panel.cases)} cases, waves {waves}. "
            "● the code is present in the case at that wave, · absent, — no document at that wave; "
            "counts cases whatever the unit selector says."
        )

    def _coders_and_unit(self) -> tuple[str | None, str | None, str]:
        return self._value("#g-coder-a"), self._value("#g-coder-b"), self._value("#g-unit") or "sentence"

    def fill_agreement(self) -> None:
        """Per-code agreement of two coders over the documents both coded (within the
        filters); the coder filter above does not apply, the two coders are chosen here."""
        a, b, unit = self._coders_and_unit()
        table = self.query_one("#agreement", Table)
        notes = self.query_one("#agreement-notes", Static)
        self._agreement_codes = []
        if not a or not b or a == b:
            notes.update("Choose two different coders to compare.")
            table.show([Column("Code")], [])
            return
        scope = self.scope()
        try:
            result = agreement(
                self.study,
                [a, b],
                unit=unit,
                rollup=self.rollup,
                scope=Scope(scope.organisation, scope.project, scope.role),
            )
        except QualcodeError as exc:
            notes.update(str(exc))
            table.show([Column("Code")], [])
            return
        notes.update(
            " ".join(result.describe()) + " Counts " + {"sentence": "sentences", "segment": "codings"}.get(unit, "characters")
            + "; Enter on a code lists the passages the coders differ on."
        )  # fmt: skip
        pair = result.pairs[0]
        if unit == "segment":
            columns = [
                Column("Code", max_width=32),
                Column("Agree %", "number"),
                Column("Matched", "number"),
                Column(f"{a} (A)", "number"),
                Column(f"{b} (B)", "number"),
                Column("Only A", "number"),
                Column("Only B", "number"),
                Column("Note", "prose"),
            ]
        else:
            columns = [
                Column("Code", max_width=32),
                Column("Kappa", "number"),
                Column("Alpha", "number"),
                Column("Agree %", "number"),
                Column("Jaccard", "number"),
                Column("Units", "number"),
                Column("Both", "number"),
                Column("Only A", "number"),
                Column("Only B", "number"),
                Column("Neither", "number"),
                Column(f"{a} (A)", "number"),
                Column(f"{b} (B)", "number"),
                Column("Note", "prose"),
            ]
        cells = []
        for r in [*pair.rows, pair.overall]:
            label = Text(
                "  " * r.depth + r.code.rsplit("/", 1)[-1], style="bold" if r.code_id is None or r.depth == 0 else ""
            )
            note = Text(r.note, style="dim")
            if unit == "segment":
                cells.append([label, _figure(r.agreement, 1), r.both, r.coded_a, r.coded_b, r.only_a, r.only_b, note])
            else:
                figures = [_figure(r.kappa, 3), _figure(r.alpha, 3), _figure(r.agreement, 1), _figure(r.jaccard, 3)]
                cells.append(
                    [label, *figures, r.units, r.both, r.only_a, r.only_b, r.neither, r.coded_a, r.coded_b, note]
                )
            self._agreement_codes.append(r.code_id)
        table.show(columns, cells)

    def _disagreements(self, row: int) -> tuple[str, list[dict[str, Any]]]:
        """The disagreements behind a row of the agreement table, as fragments."""
        a, b, unit = self._coders_and_unit()
        if row >= len(self._agreement_codes) or not a or not b:
            return "", []
        code_id = self._agreement_codes[row]
        scope = self.scope()
        found = disagreements(
            self.study,
            [a, b],
            unit=unit,
            rollup=self.rollup,
            code=code_id,
            scope=Scope(scope.organisation, scope.project, scope.role),
        )
        fragments = [
            {
                "document_id": d.document_id,
                "document": d.document,
                "start": d.start,
                "end": d.end,
                "role": f"{d.not_by}: " + (d.other_codes or "nothing here"),
                "code": d.code,
                "coder": f"only {d.coded_by}",
                "text": d.text,
            }
            for d in found
        ]
        what = self.study.code(code_id).path if code_id is not None else "all codes"
        return f"Disagreements on {what} — {a} × {b}", fragments

    # -- drill-down -----------------------------------------------------------------------

    @on(DataTable.RowSelected)
    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.RowSelected | DataTable.CellSelected) -> None:
        event.stop()
        self.action_drill()

    def action_drill(self) -> None:
        tab = self.active_tab
        scope = self.scope()
        title, fragments = "", []
        if tab == "tab-frequencies":
            row = self.query_one("#frequencies", Table).cursor_row
            codes = self._freq_codes
            if row >= len(codes):
                return
            code = self.study.code(codes[row])
            title, fragments = code.path, self._fragments(scope, [code.id])
        elif tab == "tab-matrix" and self._matrix is not None:
            coord = self.query_one("#matrix", Table).cursor_coordinate
            if coord.row >= len(self._matrix.codes):
                return
            code_id, path, _ = self._matrix.codes[coord.row]
            groups = self._matrix.groups
            if 1 <= coord.column <= len(groups):
                group = groups[coord.column - 1].name
                scope = _narrow(scope, self._matrix.by, group)
                title = f"{path} — {group}"
            else:
                title = path
            fragments = self._fragments(scope, [code_id])
        elif tab == "tab-cooccurrence" and self._cooc is not None:
            coord = self.query_one("#cooccurrence", Table).cursor_coordinate
            codes = self._cooc.codes
            if coord.row >= len(codes) or not 1 <= coord.column <= len(codes):
                return
            (a, pa), (b, pb) = codes[coord.row], codes[coord.column - 1]
            title = f"{pa} × {pb}"
            fragments = _meeting(
                self._fragments(scope, [a], children=False), self._fragments(scope, [b], children=False)
            )
        elif tab == "tab-compare" and self._compare is not None:
            row = self.query_one("#compare", Table).cursor_row
            if row >= len(self._compare_order):
                return
            code = self.study.code(self._compare_order[row])
            title, fragments = code.path, self._fragments(scope, [code.id])
        elif tab == "tab-panel" and self._panel is not None:
            coord = self.query_one("#panel", Table).cursor_coordinate
            title, fragments = panel_fragments(
                self.study, self._panel, self._panel_columns, coord.row, coord.column, scope.coder, self.rollup
            )
        elif tab == "tab-agreement":
            title, fragments = self._disagreements(self.query_one("#agreement", Table).cursor_row)
        if title:
            role_label = "Other coder" if tab == "tab-agreement" else "Role"
            self.app.push_screen(FragmentsScreen(title, fragments, role_label))

    def _fragments(self, scope: Scope, codes: list[int], children: bool | None = None) -> list[dict[str, Any]]:
        return self.study.fragments(
            codes=codes,
            coder=scope.coder,
            organisation=scope.organisation,
            project=scope.project,
            role=scope.role,
            attributes=scope.attributes or None,
            include_children=self.rollup if children is None else children,
        )


def _narrow(scope: Scope, by: str, group: str) -> Scope:
    """The scope narrowed to one group of the matrix."""
    value = None if group == "(none)" else group
    if by == "organisation":
        return Scope(value, scope.project, scope.role, dict(scope.attributes), scope.coder)
    if by == "project":
        return Scope(scope.organisation, value, scope.role, dict(scope.attributes), scope.coder)
    if by == "role":
        return Scope(scope.organisation, scope.project, value, dict(scope.attributes), scope.coder)
    return Scope(scope.organisation, scope.project, scope.role, {**scope.attributes, by: group}, scope.coder)


def _meeting(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fragments of either list that overlap a fragment of the other, in text order."""

    def overlaps(f: dict[str, Any], others: list[dict[str, Any]]) -> bool:
        return any(
            o["document_id"] == f["document_id"] and o["start"] < f["end"] and f["start"] < o["end"] for o in others
        )

    chosen = [f for f in first if overlaps(f, second)] + [f for f in second if overlaps(f, first)]
    return sorted(chosen, key=lambda f: (str(f["document"]), f["start"]))


def _cut(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _figure(value: float | None, digits: int) -> Text:
    """An agreement figure, or "n/a" (the row's note says why)."""
    return Text(
        "n/a" if value is None else f"{value:.{digits}f}", style="dim" if value is None else "", justify="right"
    )


def _fmt(value: Any, measure: str) -> str:
    if measure in ("count", "passages"):
        return str(int(value))
    if measure == "docs":
        return f"{number(float(value), 0)} %"
    return number(float(value), 1)
