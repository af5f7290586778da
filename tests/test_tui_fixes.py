"""What a user found trying the app: picker ranking, the palette on other screens, in-vivo
names, and the retrieval screen's Escape, coder column and order."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select

from qualcode.study.study import Study
from qualcode.tui.dialogs.picker import PickerScreen, fuzzy_score
from qualcode.tui.dialogs.prompts import BindingCommands, PromptScreen
from qualcode.tui.main.coding_actions import IN_VIVO_CHARS, IN_VIVO_WORDS, in_vivo_name
from qualcode.tui.palette.commands import QualcodeCommands
from qualcode.tui.screens.retrieval import RetrievalScreen
from tui_helpers import app_for, main_screen, open_titled

# -- the picker ------------------------------------------------------------------------------


def _ranked(query: str, paths: list[str]) -> list[str]:
    scored = [(fuzzy_score(query, p), i, p) for i, p in enumerate(paths)]
    return [p for s, _, p in sorted((x for x in scored if x[0] is not None), key=lambda x: (-x[0], x[1]))]


def test_exact_name_first_then_prefixes_of_the_own_name_then_the_rest(study: Study):
    paths = [c.path for c in study.codes()]
    ranked = _ranked("Relatie", paths)
    assert ranked[0] == "Relatie"
    assert ranked.index("Relatie") < ranked.index("Relatie/Vertrouwensband")
    assert _ranked("relatie/vertrouwensband", paths)[0] == "Relatie/Vertrouwensband"  # a whole path
    assert _ranked("vertrouwen", paths)[0] == "Ervaren waarden/Vertrouwen"  # exact own name
    # a prefix of a code's own name beats a code whose path merely contains the letters
    prefixed = [p for p in paths if p.rsplit("/", 1)[-1].casefold().startswith("vertrouwen")]
    assert set(_ranked("vertrouwen", paths)[: len(prefixed)]) == set(prefixed)


async def test_typing_a_whole_name_in_the_picker_codes_with_that_code(study_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = main_screen(app)
        await pilot.press("c", *"Relatie")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")
        await pilot.pause()
        doc = main.document.id
    with Study.open(study_path) as check:
        assert [check.code(c.code_id).path for c in check.document_codings(doc)] == ["Relatie"]


# -- the palette -----------------------------------------------------------------------------


async def test_palette_lists_the_retrieval_screens_actions_not_the_main_screens(study_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RetrievalScreen)
        ours = {name for name, _, _ in QualcodeCommands(screen)._commands()}
        theirs = {name for name, _, _ in BindingCommands(screen)._commands()}
        assert "In vivo" not in ours and "Code…" not in ours and "Undo" not in ours
        assert "Export the fragments to CSV" in theirs
        assert "Export study as REFI-QDA project (.qdpx)" in ours  # app-wide commands stay


async def test_palette_runs_the_top_screens_action_on_that_screen(study_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("A")  # the analyse screen has no provider of its own
        await pilot.pause()
        screen = app.screen
        bindings = [b for b in type(screen).BINDINGS if getattr(b, "description", "")]
        if not bindings:
            pytest.skip("the analyse screen has no described bindings")
        names = {name: action for name, action, _ in QualcodeCommands(screen)._commands()}
        first = bindings[0]
        assert names[first.tooltip or first.description] == f"screen.{first.action}"
        assert "In vivo" not in names


# -- in vivo ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passage", "name"),
    [
        ("Ja, eh... ik ben Samira, nou ja, zo heet ik dan straks in he", "Ik ben Samira"),
        ("Ik schaamde me", "Ik schaamde me"),
        ("eh, weet je, ze was er gewoon voor ons, zeg maar.", "Ze was er gewoon voor ons"),
        ("Ze zei nee.", "Ze zei nee"),  # a meant "nee" at the end stays
        ("Het was niet zo", "Het was niet zo"),
        ("Nou, dat vond ik echt heel fijn dat ze gewoon bij ons thuis kwam", "Dat vond ik echt heel fijn"),
        ("Ja, nee.", "Ja, nee"),
        (
            "Er was een dag in de winter, dat ik gewoon niet",
            "Er was een dag",
        ),  # no torn "in de…"  # nothing but fillers: keep them rather than nothing
    ],
)
def test_in_vivo_name_proposal(passage: str, name: str):
    assert in_vivo_name(passage) == name


def test_in_vivo_name_stays_within_the_limits():
    text = "Onvoorstelbaar langdradige woordverbindingen zonder ophouden blijven maar doorgaan eindeloos"
    name = in_vivo_name(text)
    assert len(name) <= IN_VIVO_CHARS and len(name.split()) <= IN_VIVO_WORDS and "…" not in name
    assert (text + " ").casefold().startswith(name.casefold() + " ")  # cut at a word boundary


async def test_in_vivo_asks_for_the_name_and_uses_the_edited_one(study_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        doc = main.document.id
        start, end = main.transcript.selection
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == in_vivo_name(main.transcript.text[start:end])
        await pilot.press("escape")  # cancelled: nothing made
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        app.screen.query_one(Input).value = "Eigen woorden"
        await pilot.press("enter")
        await pilot.pause()
        assert "In vivo/Eigen woorden" in {c.path for c in main.codes.values()}
    with Study.open(study_path) as check:
        (coding,) = check.document_codings(doc)
        assert check.code(coding.code_id).path == "In vivo/Eigen woorden"
        assert (coding.start, coding.end) == (start, end)


# -- retrieval -------------------------------------------------------------------------------


async def test_escape_in_a_filter_returns_to_the_fragments_and_escape_there_closes(study_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await pilot.pause()
        screen = app.screen
        await pilot.press("f")
        assert isinstance(app.focused, Select)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert app.focused is screen.query_one("#fragments", DataTable)
        await pilot.press("escape")
        await pilot.pause()
        main_screen(app)


def _headers(screen: RetrievalScreen) -> list[str]:
    return [str(c.label) for c in screen.query_one("#fragments", DataTable).columns.values()]


async def test_coder_column_only_when_fragments_come_from_several_coders(sample_study: Study):
    from test_tui_screens_b import ScreenApp

    app = ScreenApp(lambda: RetrievalScreen(sample_study, codes=["Vertrouwensband"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert len({p.coder for p in screen.passages}) > 1
        assert "Coder" in _headers(screen)
        row = screen.query_one("#fragments", DataTable).get_row_at(0)
        assert screen.passages[0].coder in [str(cell) for cell in row]
        screen.query_one("#f-coder", Select).value = "onderzoeker-a"
        await pilot.pause()
        assert {p.coder for p in screen.passages} == {"onderzoeker-a"}
        assert "Coder" not in _headers(screen)


async def test_fragments_are_ordered_by_organisation_project_document_position(sample_study: Study):
    from test_tui_screens_b import ScreenApp

    app = ScreenApp(lambda: RetrievalScreen(sample_study))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        passages = app.screen.passages
        keys = [(p.organisation or "", p.project or "", p.document, p.start) for p in passages]
        assert len(passages) == len(sample_study.fragments()) > 100
        assert keys == sorted(keys)


async def test_r_after_a_jump_comes_back_to_the_same_retrieval(sample_study_path: Path):
    app = app_for(sample_study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R", "c", *"vertrouwensband")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RetrievalScreen)
        screen.query_one("#f-role", Select).value = "ouder"
        await pilot.pause()
        shown = [p.coding_id for p in screen.passages]
        await pilot.press("down", "down")
        target = screen.passages[2]
        await pilot.press("enter")  # jump into the document
        await pilot.pause()
        main = main_screen(app)
        assert (main.document.id, main.transcript.selection) == (target.document_id, (target.start, target.end))
        await pilot.press("R")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, RetrievalScreen) and again is not screen
        assert [p.coding_id for p in again.passages] == shown
        assert again.filters()["role"] == "ouder"
        assert again.current() == target  # the cursor where it was


async def test_export_name_carries_the_filters(sample_study: Study):
    from test_tui_screens_b import ScreenApp

    app = ScreenApp(lambda: RetrievalScreen(sample_study, codes=["Vertrouwensband"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.default_export_name() == "fragmenten-vertrouwensband.csv"
        screen.query_one("#f-role", Select).value = "ouder"
        await pilot.pause()
        assert screen.default_export_name() == "fragmenten-vertrouwensband-ouder.csv"
