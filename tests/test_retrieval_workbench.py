"""Retrieval keeps its attribute filter through a jump and R, drops one code, and filters
by the speaker's role (the turn's), not only the interview's."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Select

from qualcode.study.study import Study
from qualcode.tui.screens.retrieval import NOT_INTERVIEWER, RetrievalScreen
from tui_helpers import ScreenApp, app_for, main_screen, pick

SIZE = (100, 32)
TRIAL_SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
"""The sizes of the issue-16 trial: the behaviours hold at both."""


@TRIAL_SIZES
async def test_attribute_filter_survives_a_jump_and_r(sample_study_path: Path, size) -> None:
    app = app_for(sample_study_path)
    async with app.run_test(size=size) as pilot:
        await pilot.press("R")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RetrievalScreen)
        everything = len(screen.passages)
        screen.query_one("#f-attribute", Select).value = "gemeente"
        await pilot.pause()
        screen.query_one("#f-value", Select).value = "Coevorden"
        await pilot.pause()
        shown = [p.coding_id for p in screen.passages]
        assert 0 < len(shown) < everything
        screen.query_one("#fragments").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert main_screen(app).document.id == screen.passages[0].document_id
        await pilot.press("R")
        await pilot.pause()
        await pilot.pause()
        again = app.screen
        assert isinstance(again, RetrievalScreen) and again is not screen
        assert again.filters()["attributes"] == {"gemeente": "Coevorden"}
        assert [p.coding_id for p in again.passages] == shown


@TRIAL_SIZES
async def test_one_code_can_be_removed(study: Study, size) -> None:
    app = ScreenApp(lambda: RetrievalScreen(study, codes=["Vertrouwen", "Vangnet en veiligheid", "Vertrouwensband"]))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("d")
        await pick(pilot, "vangnet")
        assert screen.code_ids == [study.code("Vertrouwen").id, study.code("Vertrouwensband").id]
        assert "Vangnet" not in str(screen.query_one("#retrieval-title").render())
        await pilot.press("d")
        await pick(pilot, "Vertrouwensband")
        await pilot.press("d")  # one code left: removed without asking
        await pilot.pause()
        assert screen.code_ids == []


@TRIAL_SIZES
async def test_speaker_role_leaves_out_the_interviewer(study: Study, size) -> None:
    doc = next(d for d in study.documents() if d.role == "ouder")
    text = study.document_text(doc.id)
    code = study.code("Vertrouwen")
    question = study.add_coding(doc.id, code, text.index("Hoe kwam"), text.index("terecht?") + 8)
    answer = study.add_coding(doc.id, code, text.index("Ik schaamde"), text.index("heel erg.") + 9)
    roles = {t.role for t in study.turns(doc.id)}
    assert "interviewer" in roles
    app = ScreenApp(lambda: RetrievalScreen(study, codes=["Vertrouwen"]))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#f-role", Select).value = "ouder"
        await pilot.pause()
        assert sorted(p.coding_id for p in screen.passages) == sorted([question.id, answer.id])
        screen.query_one("#f-speaker", Select).value = NOT_INTERVIEWER
        await pilot.pause()
        assert [p.coding_id for p in screen.passages] == [answer.id]
        screen.query_one("#f-speaker", Select).value = "interviewer"
        await pilot.pause()
        assert [p.coding_id for p in screen.passages] == [question.id]
    assert [f["id"] for f in study.fragments(codes=["Vertrouwen"], not_speaker_role="interviewer")] == [answer.id]


def test_retrieval_snapshot_120x40(snap_compare, sample_study_path: Path) -> None:
    study = Study.open(sample_study_path, coder="tester")
    app = ScreenApp(lambda: RetrievalScreen(study, codes=["Vertrouwensband"]))
    assert snap_compare(app, terminal_size=(120, 40))
