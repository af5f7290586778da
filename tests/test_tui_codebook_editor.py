"""The codebook editor screen: rename, move, add, merge, delete (with undo), colours,
shortcut conflicts and importing a codebook, asserting the study afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Label, TextArea

from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study
from qualcode.tui.dialogs.confirm import ConfirmScreen
from qualcode.tui.screens.codebook_editor import CodebookEditorScreen, CodeFormScreen
from tui_helpers import ScreenApp, answer, codings_of, pick

SIZE = (100, 32)


async def test_codebook_rename_move_and_add(study: Study) -> None:
    code = study.code("Vangnet en veiligheid")
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.select_code(code.id)
        await pilot.press("r")
        await answer(pilot, "Vangnet")
        assert study.code(code.id).name == "Vangnet"
        await pilot.press("m")
        await pick(pilot, "schaamte")
        assert study.code(code.id).path == "Ervaringen met instanties/Schaamte en drempels/Vangnet"
        assert screen.current().id == code.id
        await pilot.press("m")
        await pick(pilot, "")  # the first choice is the top level
        assert study.code(code.id).parent_id is None
        await pilot.press("a")
        await answer(pilot, "Achtervang")
        assert study.code("Achtervang").parent_id == code.id
        await pilot.press("A")
        await answer(pilot, "Nieuw thema")
        assert study.code("Nieuw thema").parent_id is None
        assert len(app.changes) == 5
        await pilot.press("r")
        await answer(pilot, "relatie")  # a top-level sibling has that name: refused
        assert study.code(study.code("Nieuw thema").id).name == "Nieuw thema"


async def test_codebook_merge_moves_codings(study: Study, overlapping: dict) -> None:
    source, target = overlapping["a"], overlapping["b"]
    moving, staying = codings_of(study, source.id), codings_of(study, target.id)
    assert moving and staying
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.select_code(source.id)
        await pilot.press("M")
        await pick(pilot, "vangnet")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert codings_of(study, target.id) == moving | staying
    with pytest.raises(QualcodeError):
        study.code(source.id)


async def test_codebook_delete_confirms_and_undo_restores(study: Study, overlapping: dict) -> None:
    code = overlapping["a"]
    before = codings_of(study, code.id)
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.select_code(code.id)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "Undo (u)" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert codings_of(study, code.id) == before
        await pilot.press("d", "y")
        await pilot.pause()
        with pytest.raises(QualcodeError):
            study.code(code.id)
        assert study.fragments(codes=None, document=overlapping["doc"]) == study.fragments(codes=[overlapping["b"].id])
        await pilot.press("u")
        await pilot.pause()
        assert study.code(code.id).path == code.path
        assert codings_of(study, code.id) == before


async def test_codebook_colour_is_validated(study: Study) -> None:
    code = study.code("Vertrouwensband")
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.select_code(code.id)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CodeFormScreen)
        form.query_one("#form-color", Input).value = "#12zz45"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "#rrggbb" in str(form.query_one("#form-error", Label).render())
        assert study.code(code.id).color == code.color
        form.query_one("#form-color", Input).value = "#1A2B3C"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, CodeFormScreen)
    changed = study.code(code.id)
    assert changed.color == "#1a2b3c"
    assert changed.description == code.description
    study.undo()
    assert study.code(code.id).color == code.color


async def test_codebook_shortcut_conflict_is_refused(study: Study) -> None:
    taken = next(c for c in study.codes() if c.shortcut)
    code = study.code("Vertrouwensband")
    assert code.shortcut != taken.shortcut
    with pytest.raises(QualcodeError) as refused:
        study.update_code(code.id, shortcut=taken.shortcut)
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.select_code(code.id)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.query_one("#form-shortcut", Input).value = taken.shortcut
        form.query_one("#form-description", TextArea).text = "nieuw"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(form.query_one("#form-error", Label).render()) == str(refused.value)
    assert study.code(code.id).shortcut == code.shortcut
    assert study.code(code.id).description == code.description


async def test_codebook_import(study: Study, tmp_path: Path) -> None:
    bad = tmp_path / "kapot.yaml"
    bad.write_text("codebook: x\ncodes:\n  - name: A\n    color: rood\n", encoding="utf-8")
    good = tmp_path / "extra.yaml"
    good.write_text("codebook: extra\ncodes:\n  - name: Nieuwe code\n    description: iets\n", encoding="utf-8")
    before = [c.path for c in study.codes()]
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await answer(pilot, str(bad))
        assert [c.path for c in study.codes()] == before
        assert any("kapot.yaml" in str(n.message) and n.severity == "error" for n in app._notifications)
        await pilot.press("i")
        await answer(pilot, str(good))
    assert study.code("Nieuwe code").description == "iets"
