"""Coding from the keyboard in the main screen: picker, shortcut, in vivo, turn, undo/redo."""

from __future__ import annotations

from textual.widgets import Input

from qualcode.study.study import Study
from tui_helpers import app_for, open_titled


async def test_picker_codes_the_selected_sentence(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        doc = main.document
        await pilot.press("j", "j")  # third sentence of the document
        sentences = app.study.sentences(doc.id)
        assert main.transcript.selection == (sentences[2].start, sentences[2].end)
        await pilot.press("c", *"gezien gehoord", "enter")
        await pilot.pause()
    with Study.open(study_path) as check:
        (coding,) = check.document_codings(doc.id)
        assert (coding.start, coding.end) == (sentences[2].start, sentences[2].end)
        assert coding.coder == "tester"
        assert check.code(coding.code_id).name == "Gezien en gehoord worden"


async def test_shortcut_key_codes_and_selection_stays_for_more_codes(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        doc = main.document
        await pilot.press("j")
        selection = main.transcript.selection
        await pilot.press("1", "8")  # two codes in a row on the same passage
        await pilot.pause()
        assert main.transcript.selection == selection
        shortcuts = {c.shortcut: c.id for c in app.study.codes() if c.shortcut}
        coded = {(c.code_id, c.start, c.end) for c in app.study.document_codings(doc.id)}
        assert coded == {(shortcuts["1"], *selection), (shortcuts["8"], *selection)}
        # the codebook tree counts the new codings for this document
        assert main.codebook.here[shortcuts["1"]] == 1


async def test_in_vivo_code_is_named_after_the_selected_words(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        doc = main.document
        text = main.transcript.text
        start = text.index("Ik schaamde")
        main.transcript.select(start, start + len("Ik schaamde me"))
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "Ik schaamde me"  # the proposal, editable
        await pilot.press("enter")
        await pilot.pause()
    with Study.open(study_path) as check:
        (coding,) = check.document_codings(doc.id)
        code = check.code(coding.code_id)
        assert code.path == "In vivo/Ik schaamde me"
        assert coding.origin == "in-vivo"
        assert (coding.start, coding.end) == (start, start + len("Ik schaamde me"))


async def test_undo_removes_and_redo_restores_a_coding(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        doc = main.document
        await pilot.press("1")
        await pilot.pause()
        (made,) = app.study.document_codings(doc.id)
        await pilot.press("u")
        await pilot.pause()
        assert app.study.document_codings(doc.id) == []
        assert main.transcript.coverage.spans == []
        await pilot.press("U")
        await pilot.pause()
        (back,) = app.study.document_codings(doc.id)
        assert (back.id, back.start, back.end, back.code_id) == (made.id, made.start, made.end, made.code_id)
        assert [s.coding_id for s in main.transcript.coverage.spans] == [made.id]


async def test_t_selects_and_codes_exactly_the_turn_body(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        doc = main.document
        await pilot.press("J", "j", "t")  # second turn, its second sentence, then the whole turn
        turn = app.study.turns(doc.id)[1]
        assert main.transcript.selection == (turn.body_start, turn.end)
        assert main.transcript.text[turn.body_start : turn.end].startswith("Via de school.")
        await pilot.press("1")
        await pilot.pause()
        (coding,) = app.study.document_codings(doc.id)
        assert (coding.start, coding.end) == (turn.body_start, turn.end)


async def test_shift_down_extends_over_sentences(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        sentences = app.study.sentences(main.document.id)
        await pilot.press("j", "shift+down", "shift+down")
        assert main.transcript.selection == (sentences[1].start, sentences[3].end)
        await pilot.press("shift+up")
        assert main.transcript.selection == (sentences[1].start, sentences[2].end)
        await pilot.press("ctrl+shift+right")  # then one word further by hand
        start, end = main.transcript.selection
        assert start == sentences[1].start
        assert main.transcript.text[sentences[2].end : end].split() == ["Maar"]
