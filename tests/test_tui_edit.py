"""Changing codings from the main screen: remove, recode, adjust boundaries, memos."""

from __future__ import annotations

from qualcode.study.study import Study
from tui_helpers import app_for, open_titled


async def _coded(app, pilot, quote: str, code: str):
    """Open the parent interview, select ``quote`` and code it; return (screen, coding)."""
    main = await open_titled(app, pilot, "Ouder Coevorden")
    start = main.transcript.text.index(quote)
    coding = app.study.add_coding(main.document.id, code, start, start + len(quote))
    main.reload()
    main.transcript.select(start, start + len(quote))
    await pilot.pause()
    return main, coding


async def test_x_removes_the_coding_under_the_cursor(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main, _coding = await _coded(app, pilot, "Ze oordeelde niet.", "Zonder oordeel geholpen")
        await pilot.press("x")
        await pilot.pause()
        assert app.study.document_codings(main.document.id) == []
        assert main.transcript.coverage.spans == []


async def test_x_asks_which_coding_when_several_overlap(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main, first = await _coded(app, pilot, "Ze oordeelde niet.", "Zonder oordeel geholpen")
        second = app.study.add_coding(main.document.id, "Vertrouwen", first.start, first.end)
        main.reload()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"vertrouwen", "enter")
        await pilot.pause()
        left = app.study.document_codings(main.document.id)
        assert [c.id for c in left] == [first.id]
        assert second.id not in {s.coding_id for s in main.transcript.coverage.spans}


async def test_e_recodes_the_coding(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        _main, coding = await _coded(app, pilot, "Ze oordeelde niet.", "Vertrouwen")
        await pilot.press("e", *"zonder oordeel", "enter")
        await pilot.pause()
        after = app.study.coding(coding.id)
        assert app.study.code(after.code_id).name == "Zonder oordeel geholpen"
        assert (after.start, after.end) == (coding.start, coding.end)


async def test_brackets_move_a_codings_boundaries_by_a_word(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main, coding = await _coded(app, pilot, "Ik voelde me gezien", "Gezien en gehoord worden")
        text = main.transcript.text
        await pilot.press("right_square_bracket")  # end grows by "en"
        await pilot.pause()
        grown = app.study.coding(coding.id)
        assert text[grown.start : grown.end] == "Ik voelde me gezien en"
        await pilot.press("left_square_bracket", "left_square_bracket")  # two words off the end
        await pilot.pause()
        shrunk = app.study.coding(coding.id)
        assert text[shrunk.start : shrunk.end] == "Ik voelde me"
        await pilot.press("right_curly_bracket")  # start loses a word
        await pilot.pause()
        assert text[slice(*_span(app, coding.id))] == "voelde me"
        await pilot.press("left_curly_bracket")  # and gets it back
        await pilot.pause()
        assert text[slice(*_span(app, coding.id))] == "Ik voelde me"


def _span(app, coding_id):
    c = app.study.coding(coding_id)
    return c.start, c.end


async def test_equals_sets_boundaries_to_the_selection(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main, coding = await _coded(app, pilot, "Ik voelde me gezien", "Gezien en gehoord worden")
        sentence = main.transcript.cursor.sentences[main.transcript.cursor.sentence_index(coding.start)]
        main.transcript.select(sentence.start, sentence.end)
        await pilot.press("equals_sign")
        await pilot.pause()
        assert _span(app, coding.id) == (sentence.start, sentence.end)


async def test_m_writes_a_memo_on_the_coding_and_M_on_the_document(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main, coding = await _coded(app, pilot, "Ze oordeelde niet.", "Zonder oordeel geholpen")
        await pilot.press("m", *"kern van het interview", "ctrl+s")
        await pilot.pause()
        await pilot.press("M", *"eerste gesprek", "ctrl+s")
        await pilot.pause()
        doc_id = main.document.id
    with Study.open(study_path, coder="tester") as check:
        assert check.coding(coding.id).memo == "kern van het interview"
        (memo,) = check.memos("document", doc_id)
        assert (memo.text, memo.coder) == ("eerste gesprek", "tester")


async def test_m_on_the_code_tree_writes_a_code_memo(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await open_titled(app, pilot, "Ouder Coevorden")
        tree = main.codebook.code_tree
        tree.focus()
        await pilot.press("down", "down")
        code_id = main.codebook.highlighted
        await pilot.press("m", *"let op overlap", "ctrl+s")
        await pilot.pause()
        (memo,) = app.study.memos("code", code_id)
        assert memo.text == "let op overlap"
        assert "let op overlap" in str(main.query_one("#code-definition").render())


async def test_a_long_passage_is_shortened_at_a_word_with_a_mark_in_the_memo_title(study_path):
    from qualcode.tui.dialogs.memo import MemoScreen

    app = app_for(study_path)
    async with app.run_test(size=(80, 24)) as pilot:
        quote = "Ik voelde me gezien en gehoord. Ze oordeelde niet. Ik sta er niet meer alleen voor."
        await _coded(app, pilot, quote, "Gezien en gehoord worden")
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MemoScreen)
        shown = screen.title_text.split("“", 1)[1].removesuffix("”")
        assert shown.endswith(" …")
        assert quote.startswith(shown.removesuffix(" …"))
        assert quote[len(shown) - 2] == " "  # cut between words, not inside one
