"""The one table of Analyse, the drill-down and Retrieval (``tui/widgets/table.py``): column
widths that fit the screen and survive a refill, bars that scale, the tab keys, the unit of
analysis, and the drill-down's fragment text. At 120×40 and 80×24 where the size matters."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Select, Static, TabbedContent

from qualcode.analysis import Scope
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrices import crosstab
from qualcode.study.study import Study
from qualcode.tui.screens.analyse import AnalyseScreen, FragmentsScreen
from qualcode.tui.screens.help import screen_keys
from qualcode.tui.widgets.table import GAP, MIN_FIRST, Column, Table, bar_text, fit_widths
from tui_helpers import ScreenApp

SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
KINDS = ["text", "prose", "number", "bar", "mark"]


@pytest.fixture
def sample(sample_study_path: Path):
    study = Study.open(sample_study_path, coder="tester")
    yield study
    study.close()


def labels(table: Table) -> list[str]:
    return [str(c.label) for c in table.columns.values()]


def plain(table: Table, row: int, column: int) -> str:
    value = table.get_cell_at((row, column))
    return getattr(value, "plain", str(value))


# -- the layout, without a screen ---------------------------------------------------------------


def test_bars_tell_71_from_100_percent_even_at_8_cells():
    assert bar_text(0.71, 8).plain != bar_text(1.0, 8).plain
    assert bar_text(1.0, 8).plain == "█" * 8 and bar_text(0.0, 8).plain == ""
    # to an eighth of a cell: 0.5 of 8 cells is four full blocks
    assert bar_text(0.5, 8).plain == "████"


@given(
    st.lists(st.tuples(st.sampled_from(KINDS), st.integers(1, 60)), min_size=1, max_size=12),
    st.integers(20, 200),
)
def test_widths_fit_when_they_can_and_numbers_are_never_cut(spec, available):
    columns = [Column("c", kind) for kind, _ in spec]
    natural = [n for _, n in spec]
    widths = fit_widths(columns, natural, available)
    for col, n, w in zip(columns, natural, widths):
        if col.kind in ("number", "mark"):
            assert w == n  # never cut, never padded
        if col.kind in ("text", "prose"):
            assert w <= n
    floors = sum(
        n
        if c.kind in ("number", "mark")
        else min(n, MIN_FIRST if i == 0 and c.kind == "text" else 24 if c.kind == "prose" else 8)
        if c.kind != "bar"
        else 12
        for i, (c, n) in enumerate(zip(columns, natural))
    )
    if floors + GAP * len(columns) <= available:  # when the floors fit, the row fits
        assert sum(widths) + GAP * len(widths) <= available


# -- Analyse ------------------------------------------------------------------------------------


@SIZES
async def test_code_column_keeps_its_width_after_a_filter_change(sample: Study, size):
    app = ScreenApp(lambda: AnalyseScreen(sample))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#frequencies", Table)
        before = table.ordered_columns[0].width
        assert before >= MIN_FIRST
        coder = next(c["name"] for c in sample.coders() if c["codings"])
        screen.query_one("#a-coder", Select).value = coder
        await pilot.pause()
        await pilot.pause()
        assert table.ordered_columns[0].width >= MIN_FIRST
        names = [plain(table, r, 0).strip() for r in range(table.row_count)]
        widest = max(len(n) for n in names)
        assert table.ordered_columns[0].width >= min(widest + 2, MIN_FIRST)  # not 4 characters
        # the statistics columns are on screen: everything up to the bar fits the width
        upto_bar = sum(c.width + GAP for c in table.ordered_columns[:4])
        assert upto_bar <= table.size.width


async def test_tabs_switch_by_key_and_the_keys_are_listed(sample: Study):
    app = ScreenApp(lambda: AnalyseScreen(sample))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        tabs = screen.query_one("#analyse-tabs", TabbedContent)
        await pilot.press("4")
        await pilot.pause()
        assert tabs.active == "tab-compare"
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert tabs.active == "tab-agreement"
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert tabs.active == "tab-cooccurrence"
        await pilot.press("6")
        await pilot.pause()
        await pilot.pause()
        assert tabs.active == "tab-panel" and screen.query_one("#panel", Table).row_count > 0
        await pilot.press("1")
        await pilot.pause()
        assert tabs.active == "tab-frequencies"
        keys = dict(screen_keys(screen))
        assert keys["4"] == "Compare tab" and keys["]"] == "Next tab" and keys["["] == "Previous tab"
        assert keys["u"].startswith("Count documents")


async def test_unit_selector_changes_what_the_figures_count(sample: Study):
    app = ScreenApp(lambda: AnalyseScreen(sample))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#frequencies", Table)
        assert screen.unit == "case"  # the sample study has cases
        for unit in ("case", "document", "participant"):
            screen.query_one("#a-unit", Select).value = unit
            await pilot.pause()
            await pilot.pause()
            expected = code_frequencies(sample, Scope(), unit=unit)
            heading = labels(table)[1]
            assert heading == {"case": "Cases", "document": "Documents", "participant": "Participants"}[unit]
            assert [int(plain(table, r, 1)) for r in range(table.row_count)] == [r.units for r in expected]
            notes = str(screen.query_one("#frequency-notes", Static).render())
            total = len(expected.frame.units())
            assert f"Counts {unit}s ({total})" in notes
            table.move_cursor(row=0)
            await pilot.pause()
            first = expected[0]
            assert f"present in {first.units} of {total} {unit}s" in str(
                screen.query_one("#frequency-detail", Static).render()
            )
        # the matrix counts the same unit: "n=" in its headings is the group's participants
        await pilot.press("2")
        await pilot.pause()
        await pilot.pause()
        matrix = crosstab(sample, "organisation", Scope(), unit="participant")
        headings = labels(screen.query_one("#matrix", Table))[1:-1]
        assert [h.rsplit("n=", 1)[1].rstrip(")") for h in headings] == [str(g.documents) for g in matrix.groups]


@SIZES
async def test_drill_down_shows_the_fragment_text(sample: Study, size):
    app = ScreenApp(lambda: AnalyseScreen(sample))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#frequencies", Table)
        row = next(r for r in range(table.row_count) if plain(table, r, 0).strip() == "Vertrouwen")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        drill = app.screen
        assert isinstance(drill, FragmentsScreen)
        fragments = drill.fragments
        listing = drill.query_one("#fragment-list", Table)
        text_column = labels(listing).index("Text")
        assert text_column == 2  # before role and coder, so it is on screen at 80 columns
        shown = plain(listing, 0, text_column).rstrip("…")
        assert len(shown) >= 20 and " ".join(str(fragments[0]["text"]).split()).startswith(shown)
        assert sum(c.width + GAP for c in listing.ordered_columns[: text_column + 1]) <= listing.size.width
        listing.move_cursor(row=1)
        await pilot.pause()
        detail = str(drill.query_one("#fragment-detail", Static).render())
        assert " ".join(str(fragments[1]["text"]).split())[:60] in " ".join(detail.split())


async def test_compare_and_agreement_put_statistics_first_at_80_columns(sample: Study):
    app = ScreenApp(lambda: AnalyseScreen(sample))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("4")
        await pilot.pause()
        await pilot.pause()  # a table is filled once laid out
        compare = screen.query_one("#compare", Table)
        assert labels(compare)[:3] == ["Code", "q", "p"]
        assert sum(c.width + GAP for c in compare.ordered_columns[:3]) <= compare.size.width
        await pilot.press("5")
        await pilot.pause()
        await pilot.pause()
        agreement = screen.query_one("#agreement", Table)
        assert labels(agreement)[:3] == ["Code", "Kappa", "Alpha"]
        assert sum(c.width + GAP for c in agreement.ordered_columns[:3]) <= agreement.size.width


async def test_g_draws_the_highlighted_code_and_its_siblings_as_a_chart(sample: Study):
    app = ScreenApp(lambda: AnalyseScreen(sample))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        table = screen.query_one("#frequencies", Table)
        for _ in range(50):  # a Table is filled once laid out
            if table.row_count:
                break
            await pilot.pause()
        table.move_cursor(row=2)  # a sub-code of the first top-level code
        await pilot.press("g")
        await pilot.pause()
        await pilot.pause()
        assert not table.display and screen.query("#frequency-chart")
        frequencies = code_frequencies(sample, Scope(), unit="case")
        current = frequencies[2]
        parent = current.code.rsplit("/", 1)[0]
        siblings = [
            r.code.rsplit("/", 1)[-1]
            for r in frequencies
            if r.code.rsplit("/", 1)[0] == parent and r.depth == current.depth
        ]
        strips = app.screen._compositor.render_update(full=True).strips
        shown = "\n".join("".join(segment.text for segment in strip) for strip in strips)
        assert f"% of {len(frequencies.frame.units())} cases with the code: {parent}" in shown
        assert all(name[:23] in shown for name in siblings)
        await pilot.press("g")
        await pilot.pause()
        assert table.display and not screen.query("#frequency-chart")


async def test_cooccurrence_counts_the_unit_of_analysis_or_the_chosen_passages(sample: Study):
    """By default the Co-occurrence tab counts the unit chosen in the filter row (both codes
    present in the same case, document or participant); a passage meaning can be chosen."""
    from qualcode.analysis.cooccurrence import cooccurrence

    app = ScreenApp(lambda: AnalyseScreen(sample))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("3")
        await pilot.pause()
        await pilot.pause()
        for unit, choice in (("case", "unit"), ("document", "unit"), ("document", "sentence"), ("case", "overlap")):
            screen.query_one("#a-unit", Select).value = unit
            await pilot.pause()
            screen.query_one("#c-unit", Select).value = choice
            await pilot.pause()
            await pilot.pause()
            expected = cooccurrence(sample, Scope(), unit=unit if choice == "unit" else choice)
            rows = expected.rows("count")
            paths = [p for _, p in expected.codes]
            table = screen.query_one("#cooccurrence", Table)
            assert table.row_count == len(rows)
            for r in range(min(3, len(rows))):
                assert [plain(table, r, c + 1).strip() for c in range(len(paths))] == [str(rows[r][p]) for p in paths]
            notes = str(screen.query_one("#cooccurrence-notes", Static).render())
            assert expected.notes()[0] in notes
            assert ("Passages, not" in notes) == (choice != "unit")


async def test_matrix_groups_by_wave_and_case_attributes(sample: Study):
    """Case attributes and the wave are groupings like any other (issue 11, item 4)."""
    cases = [c["case"] for c in sample.cases()]
    for i, case in enumerate(cases):  # the families' approach: a case attribute
        sample.set_case_attribute(case, "aanpak", "intensief" if i % 3 else "kort")
    case_names = sample.case_attribute_names()
    assert case_names == ["aanpak"]
    app = ScreenApp(lambda: AnalyseScreen(sample))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("2")
        await pilot.pause()
        await pilot.pause()
        by = screen.query_one("#m-by", Select)
        offered = {value: label for label, value in by._options if value is not None}
        assert "wave" in offered
        assert all(offered.get(n, offered.get(f"case:{n}", "")).startswith("case: ") for n in case_names)
        name = case_names[0] if case_names[0] in offered else f"case:{case_names[0]}"
        by.value = name
        await pilot.pause()
        await pilot.pause()
        matrix = crosstab(sample, name, Scope(), unit=screen.unit)
        headings = labels(screen.query_one("#matrix", Table))[1:-1]
        assert [h.rsplit("n=", 1)[1].rstrip(")") for h in headings] == [str(g.documents) for g in matrix.groups]
