"""The command palette and the pickers: every binding has an id and a palette entry, the
palette serves the screen on top, and the code picker ranks exact names first."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding

from qualcode.study.study import Study
from qualcode.tui.dialogs.picker import PickerScreen, fuzzy_score
from qualcode.tui.dialogs.prompts import BindingCommands
from qualcode.tui.palette.commands import QualcodeCommands
from qualcode.tui.screens.codebook_editor import CodebookEditorScreen
from qualcode.tui.screens.retrieval import RetrievalScreen
from qualcode.tui.screens.search import SearchScreen
from tui_helpers import ScreenApp, app_for, main_screen

SIZE = (100, 32)


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


@pytest.mark.parametrize("screen_class", [RetrievalScreen, CodebookEditorScreen, SearchScreen])
async def test_every_binding_has_an_id_and_is_in_the_palette(study: Study, screen_class: type) -> None:
    app = ScreenApp(lambda: screen_class(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        names = {name for name, _, _ in BindingCommands(screen)._commands()}
        for binding in screen_class.BINDINGS:
            assert isinstance(binding, Binding) and binding.id
            assert (binding.tooltip or binding.description) in names
