"""The pseudonymise review screen: opened from the command palette, decisions by keyboard,
written to the study's names file so that the copy made afterwards follows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from qualcode.pseudonymise import copy as pseudo
from qualcode.pseudonymise.detect import Options
from qualcode.pseudonymise.gazetteer import Gazetteer
from qualcode.study.study import Study
from qualcode.tui.dialogs.prompts import PromptScreen
from qualcode.tui.screens.pseudonymise import PseudonymiseScreen
from tui_helpers import app_for

FIXTURE = Path(__file__).parent / "pseudonymise_fixture"


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "studie.qualcode"
    study = Study.create(path, coder="tester")
    study.import_files([FIXTURE / "fixture-ouder-01.md"])
    study.close()
    return path


async def _wait_for_rows(pilot, screen: PseudonymiseScreen) -> DataTable:
    for _ in range(100):
        await pilot.pause(0.05)
        if screen.rows:
            break
    return screen.query_one(DataTable)


def _row_of(screen: PseudonymiseScreen, text: str) -> int:
    return next(i for i, e in enumerate(screen.rows) if e.text == text)


async def test_review_accept_reject_add_writes_the_names_file(
    study_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # deduce's own detector takes ~10 s to load; its name lists (used by the capitalised-name
    # detector) are read as usual.
    monkeypatch.setattr("qualcode.pseudonymise.deduce_engine.annotate", lambda text: [])
    names = study_path.with_name("studie.namen.txt")
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Pseudonymise")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PseudonymiseScreen)
        table = await _wait_for_rows(pilot, screen)
        assert {"Henk Brouwer", "Daan", "h.brouwer@example.nl"} <= {e.text for e in screen.rows}
        # Reject "Daan" (say the researcher decides it is fine to keep), accept "Henk Brouwer".
        table.move_cursor(row=_row_of(screen, "Daan"))
        await pilot.press("x")
        table.move_cursor(row=_row_of(screen, "Henk Brouwer"))
        await pilot.press("a")
        # Add a missed name with its kind.
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = "Wegwijzer | school"
        await pilot.press("enter")
        await pilot.pause()
        for _ in range(100):
            await pilot.pause(0.05)
            if "Wegwijzer" in {e.text for e in screen.rows}:
                break
        assert [e.status for e in screen.rows if e.text == "Wegwijzer"] == ["geaccepteerd"]
        assert [e.status for e in screen.rows if e.text == "Daan"] == ["afgewezen"]
        await pilot.press("escape")
        await pilot.pause()
    saved = Gazetteer.load(names)
    assert saved.names["Henk Brouwer"] == "persoon"
    assert saved.names["Wegwijzer"] == "school"
    assert "Daan" in saved.not_names
    # The copy made with this names file follows the decisions.
    out, key = study_path.with_name("copy.qualcode"), study_path.with_name("key.json")
    pseudo.pseudonymise(study_path, out, key, Options(gazetteer=saved, use_deduce=False))
    raw = out.read_bytes()
    assert b"Daan" in raw and b"Henk Brouwer" not in raw and b"Wegwijzer" not in raw
