"""The app around the main screen: document browser, keymap, help, palette, other screens."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qualcode.tui import app as app_module
from qualcode.tui.main.screen import MainScreen
from qualcode.tui.messages import JumpTo
from qualcode.tui.palette.commands import QualcodeCommands
from qualcode.tui.screens.help import HelpScreen
from tui_helpers import app_for, main_screen


async def test_first_document_opens_and_status_shows_study_and_coder(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        main = main_screen(app)
        first = app.study.document_rows()[0]
        assert main.document.id == first["id"]
        sentence = app.study.sentences(first["id"])[0]
        assert main.transcript.selection == (sentence.start, sentence.end)
        status = str(main.query_one("#status").render())
        assert "klein" in status and "tester" in status and first["title"] in status


async def test_filter_narrows_the_document_browser_and_enter_opens(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = main_screen(app)
        await pilot.press("f", *"coach c1")  # every word must match: role and participant
        await pilot.pause()
        coach = app.study.document("Coach Coevorden").id
        assert main.browser.visible_documents() == [coach]
        await pilot.press("enter")  # opens the first document left
        await pilot.pause()
        assert main.document.id == coach
        assert main.transcript.has_focus
        await pilot.press("f", *"leergeld")  # f selects the old filter, typing replaces it
        await pilot.pause()
        assert main.browser.visible_documents() == [app.study.document("Kind Leergeld").id]


async def test_coding_updates_the_browser_count(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = main_screen(app)
        await pilot.press("1")
        await pilot.pause()
        row = next(r for r in main.browser.rows if r["id"] == main.document.id)
        assert row["codings"] == 1


async def test_keymap_from_the_user_config_remaps_a_key(study_path):
    config_file = Path(os.environ["QUALCODE_CONFIG_DIR"]) / "config.json"
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(json.dumps({"keymap": {"qualcode.next-sentence": "ctrl+n"}}))
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = main_screen(app)
        sentences = main.transcript.cursor.sentences
        await pilot.press("ctrl+n")
        assert main.transcript.selection == (sentences[1].start, sentences[1].end)
        await pilot.press("j")  # the old key no longer moves
        assert main.transcript.selection == (sentences[1].start, sentences[1].end)


async def test_help_lists_the_live_bindings(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = dict((d, k) for k, d in app.screen.entries)
        assert "c" in described["Code…"]
        assert "u" in described["Undo"]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_offers_main_screen_and_other_screens_actions(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        provider = QualcodeCommands(app.screen)
        names = {name: action for name, action, _ in provider._commands()}
        assert names["Retrieve coded fragments"] == "app.retrieve"
        assert names["In vivo"] == "screen.in_vivo"
        assert names["Undo"] == "screen.undo"


async def test_missing_screen_says_not_available_yet(study_path, monkeypatch):
    monkeypatch.setitem(
        app_module.EXTRA_SCREENS, "analyse", ("qualcode.tui.screens.no_such_screen", "AnalyseScreen", False)
    )
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("A")
        await pilot.pause()
        assert any("not available yet" in n.message for n in app._notifications)
        main_screen(app)


async def test_jump_to_opens_the_document_and_selects_the_passage(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        coach = app.study.document("Coach Coevorden")
        start = coach.text.index("Dat is behapbaar")
        app.post_message(JumpTo(coach.id, start, start + 16))
        await pilot.pause()
        main = main_screen(app)
        assert main.document.id == coach.id
        assert main.transcript.selection == (start, start + 16)


async def test_narrow_terminal_hides_side_panels_and_keys_bring_them_back(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        main = main_screen(app)
        assert not main.browser.display or main.has_class("-hide-browser")
        assert main.has_class("-hide-codebook")
        await pilot.press("o")
        await pilot.pause()
        assert not main.has_class("-hide-codebook")
        await pilot.press("b")
        await pilot.pause()
        assert not main.has_class("-hide-browser") and main.has_class("-hide-codebook")
        assert main.transcript.size.width >= 30


async def settle(pilot, ready, timeout: float = 10.0) -> None:
    """Pause until ``ready()`` holds: a pushed screen mounts in its own time, and a loaded
    machine (CI) takes more than one pause for it."""
    for _ in range(int(timeout / 0.05)):
        if ready():
            return
        await pilot.pause(0.05)
    assert ready()


@pytest.mark.parametrize(
    ("key", "expected"), [("R", "Export the fragments to CSV"), ("A", "Roll up"), ("E", "Merge the code into another")]
)
async def test_help_on_other_screens_lists_their_keys(study_path, key, expected):
    """F1/? on a pushed screen shows that screen's keys (the main screen's bindings do not
    reach it); the key typed into a text box stays a character."""
    app = app_for(study_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.document is not None)
        await pilot.press(key)
        await settle(pilot, lambda: not isinstance(app.screen, (HelpScreen, MainScreen)))
        under = app.screen
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert expected in {description for _, description in app.screen.entries}
        assert "Code…" not in {description for _, description in app.screen.entries}
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is under)


async def test_question_mark_in_the_search_box_is_typed(study_path):
    app = app_for(study_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("w", "a", "t", "question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.screen.query_one("#search-query").value == "wat?"
