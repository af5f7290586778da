"""Analyse: frequencies (with a bar chart), code × group matrices as a heat map,
co-occurrence, the comparison across groups and intercoder agreement — filtered, and every
cell drillable.

Enter on a cell lists the fragments behind it (on the Agreement tab: the passages the two
coders coded differently); Enter on a fragment jumps to it in the document (posts
:class:`~qualcode.tui.messages.JumpTo`).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label, Select, Static, TabbedContent, TabPane

from qualcode.analysis import Scope
from qualcode.analysis.agreement import agreement, disagreements
from qualcode.analysis.compare import compare_groups
from qualcode.analysis.cooccurrence import cooccurrence
from qualcode.analysis.formatting import number
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrices import crosstab
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study
from qualcode.tui.messages import JumpTo
from qualcode.tui.screens.panel_tab import fill_panel, panel_fragments

BAR_WIDTH = 24


def heat(value: float, top: float, text: str) -> Text:
    """A cell coloured from white (nothing) to deep blue (the table's highest value)."""
    share = 0.0 if top <= 0 else max(0.0, min(1.0, value / top))
    r, g, b = int(255 - 212 * share), int(255 - 147 * share), int(255 - 79 * share)
    colour = "white" if share > 0.6 else "black"
    return Text(text, style=f"{colour} on rgb({r},{g},{b})", justify="right")


def bar(value: float, top: float) -> Text:
    cells = 0 if top <= 0 else round(BAR_WIDTH * value / top)
    return Text("█" * cells, style="blue")


class FragmentsScreen(ModalScreen[None]):
    """The fragments behind a cell; Enter jumps to one."""

    DEFAULT_CSS = """
    FragmentsScreen { align: center middle; }
    FragmentsScreen > #fragments-box { width: 90%; height: 80%; border: round $accent; background: $surface; }
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
        from textual.containers import Vertical

        with Vertical(id="fragments-box"):
            yield Label(f"{self.heading} — {len(self.fragments)} fragment(s)", id="fragments-title")
            table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True, id="fragment-list")
            table.add_columns("Document", self.role_label, "Code", "Coder", "Text")
            for i, f in enumerate(self.fragments):
                text = str(f.get("text") or "").replace("\n", " ")
                table.add_row(
                    f.get("document"), f.get("role") or "", f.get("code"), f.get("coder"), text[:90], key=str(i)
                )
            yield table
            yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#fragment-list", DataTable).focus()

    @on(DataTable.RowSelected, "#fragment-list")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_jump()

    def action_jump(self) -> None:
        table = self.query_one("#fragment-list", DataTable)
        if not self.fragments:
            return
        fragment = self.fragments[table.cursor_row]
        self.app.post_message(JumpTo(int(fragment["document_id"]), int(fragment["start"]), int(fragment["end"])))
        self.dismiss(None)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)


class AnalyseScreen(Screen[None]):
    """Frequencies, matrices, co-occurrence and comparison of the study's codes."""

    DEFAULT_CSS = """
    AnalyseScreen .filters { height: auto; }
    AnalyseScreen .filters Select { width: 1fr; margin-right: 1; }
    AnalyseScreen DataTable { height: 1fr; }
    AnalyseScreen #compare-notes { height: auto; color: $warning; }
    AnalyseScreen #frequency-notes { height: auto; color: $text-muted; }
    AnalyseScreen #agreement-notes { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="analyse.close"),
        Binding("enter", "drill", "Fragments", id="analyse.drill", show=True),
        Binding("r", "toggle_rollup", "Roll up", id="analyse.rollup"),
        Binding("f5", "refresh", "Refresh", id="analyse.refresh"),
    ]

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study
        self.rollup = True
        self._freq_codes: list[int] = []
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
        groupings = [("organisation", "organisation"), ("project", "project"), ("role", "role")]
        groupings += [(f"attribute: {n}", n) for n in study.attribute_names()]
        yield Label("Analyse", id="analyse-title")
        with Horizontal(classes="filters"):
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
            with TabPane("Frequencies", id="tab-frequencies"):
                yield Static("", id="frequency-notes")
                yield DataTable(cursor_type="row", zebra_stripes=True, id="frequencies")
            with TabPane("Matrix", id="tab-matrix"):
                with Horizontal(classes="filters"):
                    yield Select(groupings, value="organisation", allow_blank=False, compact=True, id="m-by")
                    yield Select(
                        [
                            ("codings", "count"),
                            ("passages", "passages"),
                            ("% of units", "docs"),
                            ("passages per 1,000 words", "rate"),
                        ],
                        value="docs",
                        allow_blank=False,
                        compact=True,
                        id="m-measure",
                    )
                yield DataTable(cursor_type="cell", id="matrix")
            with TabPane("Co-occurrence", id="tab-cooccurrence"):
                with Horizontal(classes="filters"):
                    yield Select(
                        [("overlapping codings", "overlap"), ("same sentence", "sentence"), ("same turn", "turn")],
                        value="overlap",
                        allow_blank=False,
                        compact=True,
                        id="c-unit",
                    )
                    yield Select(
                        [("count", "count"), ("Jaccard", "jaccard")],
                        value="count",
                        allow_blank=False,
                        compact=True,
                        id="c-measure",
                    )
                yield DataTable(cursor_type="cell", id="cooccurrence")
            with TabPane("Compare", id="tab-compare"):
                yield Static("", id="compare-notes")
                yield DataTable(cursor_type="row", zebra_stripes=True, id="compare")
            with TabPane("Agreement", id="tab-agreement"):
                coders = [c["name"] for c in study.coders() if c["codings"]]
                first, second = (coders + [None, None])[:2]
                with Horizontal(classes="filters"):
                    yield Select(
                        [(c, c) for c in coders],
                        prompt="Coder A",
                        value=first or Select.NULL,
                        compact=True,
                        id="g-coder-a",
                    )
                    yield Select(
                        [(c, c) for c in coders],
                        prompt="Coder B",
                        value=second or Select.NULL,
                        compact=True,
                        id="g-coder-b",
                    )
                    yield Select(
                        [
                            ("sentence units (kappa, alpha)", "sentence"),
                            ("segments (matched codings)", "segment"),
                            ("characters (Jaccard)", "character"),
                        ],
                        value="sentence",
                        allow_blank=False,
                        compact=True,
                        id="g-unit",
                    )
                yield Static("", id="agreement-notes")
                yield DataTable(cursor_type="row", zebra_stripes=True, id="agreement")
            with TabPane("Panel", id="tab-panel"):
                yield DataTable(cursor_type="cell", zebra_stripes=True, id="panel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.action_refresh()
        self.query_one("#frequencies", DataTable).focus()

    # -- state ----------------------------------------------------------------------------

    def _value(self, select_id: str) -> str | None:
        value = self.query_one(select_id, Select).value
        return None if value == Select.NULL else str(value)

    def scope(self) -> Scope:
        return Scope(
            organisation=self._value("#a-organisation"),
            project=self._value("#a-project"),
            role=self._value("#a-role"),
            coder=self._value("#a-coder"),
        )

    @on(Select.Changed)
    def _filters_changed(self, event: Select.Changed) -> None:
        if not self.is_mounted:
            return
        select_id = event.select.id or ""
        if select_id.startswith("m-"):
            if select_id == "m-by":  # the Compare tab groups by this choice too
                self._stale.add("tab-compare")
            self.fill_matrix()
        elif select_id.startswith("c-"):
            self.fill_cooccurrence()
        elif select_id.startswith("g-"):
            self.fill_agreement()
        else:
            self.action_refresh()

    def action_refresh(self) -> None:
        """Refill the tab in view now and the others when they are shown: opening the screen
        or changing a filter should not wait for tables nobody is looking at (the
        comparison's statistics and the agreement figures are the slow ones)."""
        self._stale = set(self._FILLERS)
        self._fill_active()

    _FILLERS = {
        "tab-frequencies": "fill_frequencies",
        "tab-matrix": "fill_matrix",
        "tab-cooccurrence": "fill_cooccurrence",
        "tab-compare": "fill_compare",
        "tab-agreement": "fill_agreement",
        "tab-panel": "fill_panel",
    }

    def _fill_active(self) -> None:
        active = self.query_one("#analyse-tabs", TabbedContent).active or "tab-frequencies"
        if active not in self._stale:
            return
        self._stale.discard(active)
        try:
            getattr(self, self._FILLERS[active])()
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if self.is_mounted and hasattr(self, "_stale"):
            self._fill_active()

    def action_toggle_rollup(self) -> None:
        self.rollup = not self.rollup
        self.notify("Sub-codes counted in their parents" if self.rollup else "Each code counts only its own codings")
        self.action_refresh()

    def action_close(self) -> None:
        self.dismiss(None)

    # -- tables ---------------------------------------------------------------------------

    def fill_frequencies(self) -> None:
        rows = code_frequencies(self.study, self.scope(), rollup=self.rollup)
        table = self.query_one("#frequencies", DataTable)
        table.clear(columns=True)
        table.add_columns(
            "Code", "Codings", "Passages", "Documents", f"% {rows.unit}s", "Participants", "Coded words",
            "Per 1,000 words", f"Mean ± sd per {rows.unit}", f"% of {rows.unit}s",
        )  # fmt: skip
        self.query_one("#frequency-notes", Static).update("\n".join(rows.notes))
        self._freq_codes = []
        for r in rows:
            label = Text("  " * r.depth + r.code.rsplit("/", 1)[-1], style="bold" if r.depth == 0 else "")
            spread = f"{number(r.per_1000_mean)} ± {number(r.per_1000_sd)}" if r.per_1000_mean is not None else ""
            table.add_row(
                label,
                r.codings,
                r.passages,
                r.documents,
                number(r.units_pct, 1),
                r.participants,
                r.coded_words or 0,
                number(r.per_1000_words),
                spread,
                bar(r.units_pct, 100.0),
            )
            self._freq_codes.append(r.code_id)

    def fill_matrix(self) -> None:
        by = self._value("#m-by") or "organisation"
        measure = self._value("#m-measure") or "docs"
        self._matrix = crosstab(self.study, by, self.scope(), rollup=self.rollup)
        rows = self._matrix.rows(measure)
        groups = [g.name for g in self._matrix.groups]
        top = max((float(r[g]) for r in rows for g in groups), default=0.0)
        table = self.query_one("#matrix", DataTable)
        table.clear(columns=True)
        table.add_columns(
            "Code", *[f"{g} (n={info.documents})" for g, info in zip(groups, self._matrix.groups)], "Total"
        )
        for (_, path, depth), r in zip(self._matrix.codes, rows):
            cells = [heat(float(r[g]), top, _fmt(r[g], measure)) for g in groups]
            table.add_row("  " * depth + path.rsplit("/", 1)[-1], *cells, _fmt(r["total"], measure))

    def fill_cooccurrence(self) -> None:
        unit = self._value("#c-unit") or "overlap"
        measure = self._value("#c-measure") or "count"
        self._cooc = cooccurrence(self.study, self.scope(), unit=unit)
        rows = self._cooc.rows(measure)
        paths = [p for _, p in self._cooc.codes]
        off_diagonal = [float(r[p]) for r in rows for p in paths if p != r["code"]]
        top = max(off_diagonal, default=0.0)
        table = self.query_one("#cooccurrence", DataTable)
        table.clear(columns=True)
        table.add_columns("Code", *[p.rsplit("/", 1)[-1][:14] for p in paths])
        for r in rows:
            cells = [
                Text(str(r[p]), style="dim", justify="right") if p == r["code"] else heat(float(r[p]), top, str(r[p]))
                for p in paths
            ]
            table.add_row(r["code"].rsplit("/", 1)[-1], *cells)

    def fill_compare(self) -> None:
        by = self._value("#m-by") or "organisation"
        table = self.query_one("#compare", DataTable)
        table.clear(columns=True)
        table.add_columns("Result")
        notes = self.query_one("#compare-notes", Static)
        try:
            self._compare = compare_groups(self.study, by, self.scope(), rollup=self.rollup)
        except QualcodeError as exc:
            self._compare = None
            notes.update(str(exc))
            return
        notes.update("\n".join(self._compare.notes))
        ordered = sorted(self._compare.codes, key=lambda c: (c.q is None, c.q or 1.0, c.code))
        self._compare_order = [c.code_id for c in ordered]
        for c in ordered:
            table.add_row(Text(c.sentence(), style="bold" if c.significant else ""))

    def fill_panel(self) -> None:
        """Cases by code presence and variables per wave (the coder filter applies)."""
        table = self.query_one("#panel", DataTable)
        self._panel, self._panel_columns = fill_panel(self.study, table, self.scope().coder, self.rollup)

    def _coders_and_unit(self) -> tuple[str | None, str | None, str]:
        return self._value("#g-coder-a"), self._value("#g-coder-b"), self._value("#g-unit") or "sentence"

    def fill_agreement(self) -> None:
        """Per-code agreement of two coders over the documents both coded (within the
        filters); the coder filter above does not apply, the two coders are chosen here."""
        a, b, unit = self._coders_and_unit()
        table = self.query_one("#agreement", DataTable)
        notes = self.query_one("#agreement-notes", Static)
        table.clear(columns=True)
        self._agreement_codes = []
        if not a or not b or a == b:
            notes.update("Choose two different coders to compare.")
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
            return
        notes.update("\n".join(result.describe()) + "\nEnter on a code lists the passages the coders differ on.")
        pair = result.pairs[0]
        if unit == "segment":
            table.add_columns("Code", f"{a}", f"{b}", "Matched", "Only A", "Only B", "Agree %", "Note")
        else:
            table.add_columns(
                "Code",
                "Units",
                f"{a}",
                f"{b}",
                "Both",
                "Only A",
                "Only B",
                "Neither",
                "Agree %",
                "Kappa",
                "Alpha",
                "Jaccard",
                "Note",
            )
        for r in [*pair.rows, pair.overall]:
            label = Text(
                "  " * r.depth + r.code.rsplit("/", 1)[-1], style="bold" if r.code_id is None or r.depth == 0 else ""
            )
            figures = [_figure(r.agreement, 1), _figure(r.kappa, 3), _figure(r.alpha, 3), _figure(r.jaccard, 3)]
            note = Text(r.note, style="dim")
            if unit == "segment":
                table.add_row(label, r.coded_a, r.coded_b, r.both, r.only_a, r.only_b, figures[0], note)
            else:
                table.add_row(
                    label, r.units, r.coded_a, r.coded_b, r.both, r.only_a, r.only_b, r.neither, *figures, note
                )
            self._agreement_codes.append(r.code_id)

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
        tab = self.query_one("#analyse-tabs", TabbedContent).active
        scope = self.scope()
        title, fragments = "", []
        if tab == "tab-frequencies":
            row = self.query_one("#frequencies", DataTable).cursor_row
            if row >= len(self._freq_codes):
                return
            code = self.study.code(self._freq_codes[row])
            title, fragments = code.path, self._fragments(scope, [code.id])
        elif tab == "tab-matrix" and self._matrix is not None:
            coord = self.query_one("#matrix", DataTable).cursor_coordinate
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
            coord = self.query_one("#cooccurrence", DataTable).cursor_coordinate
            codes = self._cooc.codes
            if coord.row >= len(codes) or not 1 <= coord.column <= len(codes):
                return
            (a, pa), (b, pb) = codes[coord.row], codes[coord.column - 1]
            title = f"{pa} × {pb}"
            fragments = _meeting(
                self._fragments(scope, [a], children=False), self._fragments(scope, [b], children=False)
            )
        elif tab == "tab-compare" and self._compare is not None:
            row = self.query_one("#compare", DataTable).cursor_row
            if row >= len(self._compare_order):
                return
            code = self.study.code(self._compare_order[row])
            title, fragments = code.path, self._fragments(scope, [code.id])
        elif tab == "tab-panel" and self._panel is not None:
            coord = self.query_one("#panel", DataTable).cursor_coordinate
            title, fragments = panel_fragments(
                self.study, self._panel, self._panel_columns, coord.row, coord.column, scope.coder, self.rollup
            )
        elif tab == "tab-agreement":
            title, fragments = self._disagreements(self.query_one("#agreement", DataTable).cursor_row)
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
