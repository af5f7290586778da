"""Coding in the workbench: digit-only shortcuts in the editor, a picker that shows the
definition and can make a code, in-vivo names without "…", and `{` stopping at the label."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Label, Static, TextArea

from qualcode.study.study import Study
from qualcode.tui.dialogs.confirm import ConfirmScreen
from qualcode.tui.dialogs.picker import PickerScreen
from qualcode.tui.screens.codebook_editor import CodebookEditorScreen
from tui_helpers import ScreenApp, app_for, open_titled

SIZE = (100, 32)
TRIAL_SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
"""The sizes of the issue-16 trial: the behaviours hold at both."""


@TRIAL_SIZES
async def test_editor_refuses_a_letter_shortcut(study: Study, size) -> None:
    code = study.code("Vertrouwensband")
    app = ScreenApp(lambda: CodebookEditorScreen(study))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.screen.select_code(code.id)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.query_one("#form-shortcut", Input).value = "c"
        form.query_one("#form-description", TextArea).text = "nieuw"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(form.query_one("#form-error", Label).render())
        assert "only the digits 1–9 and 0" in error and "\n" not in error
        assert app.screen is form  # stays open to be corrected
    assert study.code(code.id).shortcut == code.shortcut
    assert study.code(code.id).description == code.description


@TRIAL_SIZES
async def test_picker_shows_the_definition_and_creates_a_code(study_path: Path, size) -> None:
    app = app_for(study_path)
    async with app.run_test(size=size) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        doc = main.document.id
        span = main.transcript.selection
        band = main.study.code("Vertrouwensband")
        assert band.description
        await pilot.press("c", *"vertrouwensband")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert str(picker.query_one("#picker-detail", Static).render()) == band.description
        picker.query_one("#picker-input", Input).value = "Schuldenlast"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert "Schuldenlast" in {c.path for c in main.codes.values()}
    with Study.open(study_path) as check:
        (coding,) = check.document_codings(doc)
        assert check.code(coding.code_id).path == "Schuldenlast"
        assert (coding.start, coding.end) == span


def test_in_vivo_name_never_stores_an_ellipsis(study: Study) -> None:
    doc = next(d.id for d in study.documents() if d.role == "ouder")
    text = study.document_text(doc)
    long = text.index("Ik voelde me")
    end = text.index("alleen voor.") + len("alleen voor.")
    coding = study.code_in_vivo(doc, long, end)
    code = study.code(coding.code_id)
    words = " ".join(text[long:end].split()).rstrip(".")
    assert "…" not in code.name and len(code.name) <= 60
    assert words.startswith(code.name + " ")  # cut at a word boundary
    assert words in code.description  # the full words are kept
    typed = study.code_in_vivo(doc, long, long + 10, name="Gezien worden…")
    assert study.code(typed.code_id).name == "Gezien worden"


@TRIAL_SIZES
async def test_grow_start_stops_at_the_speaker_label(study_path: Path, size) -> None:
    app = app_for(study_path)
    async with app.run_test(size=size) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        text = main.transcript.text
        start = text.index("Via de school")
        main.transcript.select(start, start + len("Via de school."))
        coding = main.apply_code(main.study.code("Vertrouwen").id)
        await pilot.press("left_curly_bracket")
        await pilot.pause()
        assert main.study.coding(coding.id).start == start  # "Moeder (Samira):" stays out
        later = text.index("Maar de coach")
        main.transcript.select(later, later + 10)
        second = main.apply_code(main.study.code("Vertrouwen").id)
        await pilot.press("left_curly_bracket")
        await pilot.pause()
        assert main.study.coding(second.id).start < later  # inside a turn it still grows


def test_code_picker_with_definition_at_80x24(snap_compare, sample_study_path: Path) -> None:
    async def before(pilot) -> None:
        await pilot.press("c", *"vtr")
        await pilot.pause()
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False

    assert snap_compare(app_for(sample_study_path), terminal_size=(80, 24), run_before=before)
