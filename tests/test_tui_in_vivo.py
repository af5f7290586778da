"""In-vivo coding: the proposed name from the respondent's own words, its limits, and the
prompt that lets the user edit it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from qualcode.study.study import Study
from qualcode.tui.dialogs.prompts import PromptScreen
from qualcode.tui.main.coding_actions import IN_VIVO_CHARS, IN_VIVO_WORDS, in_vivo_name
from tui_helpers import app_for, open_titled


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
