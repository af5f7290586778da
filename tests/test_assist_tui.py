"""The suggestions screen, in a small app of its own: list, accept, reject, jump, retrain."""

from __future__ import annotations

from textual.widgets import DataTable

from assist_helpers import DEBT, make_study
from qualcode.tui.screens.suggestions import SuggestionsScreen
from tui_helpers import ScreenApp


async def _ready(app: ScreenApp, pilot) -> SuggestionsScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, SuggestionsScreen)
    await pilot.pause()  # the screen paints, then loads (a worker when nothing fits)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def _choose_code(pilot, screen: SuggestionsScreen, code_id: int) -> None:  # type: ignore[no-untyped-def]
    codes = screen.query_one("#suggestions-codes", DataTable)
    codes.move_cursor(row=codes.get_row_index(str(code_id)))
    await pilot.pause()
    screen.query_one("#suggestions-list").focus()
    await pilot.pause()


async def test_accept_codes_the_highlighted_candidate_and_counts_update() -> None:
    study, ids = make_study(coded=4, total=5)
    app = ScreenApp(lambda: SuggestionsScreen(study))
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _ready(app, pilot)
        assert screen.candidates, "the worker ranked candidates"
        await _choose_code(pilot, screen, ids["debt"].id)
        assert {s.code_id for s in screen.shown} == {ids["debt"].id}
        top = screen.current
        assert top is not None and top.text in DEBT  # the best-ranked debt candidate is a debt sentence
        codes = screen.query_one("#suggestions-codes", DataTable)
        before = int(str(codes.get_cell(str(ids["debt"].id), codes.ordered_columns[1].key)))
        await pilot.press("a")
        await pilot.pause()
        coded = [c for c in study.document_codings(top.document_id) if c.origin == "suggested"]
        assert [(c.start, c.end, c.coder, c.code_id) for c in coded] == [(top.start, top.end, "tester", ids["debt"].id)]
        after = int(str(codes.get_cell(str(ids["debt"].id), codes.ordered_columns[1].key)))
        assert after == before - 1
        assert top.key not in {s.key for s in screen.shown}
        assert app.changes


async def test_reject_records_and_enter_jumps() -> None:
    study, ids = make_study(coded=4, total=5)
    app = ScreenApp(lambda: SuggestionsScreen(study))
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _ready(app, pilot)
        await _choose_code(pilot, screen, ids["sport"].id)
        first = screen.current
        assert first is not None
        await pilot.press("x")
        await pilot.pause()
        decisions = [
            (d["document_id"], d["start"], d["decision"])
            for d in study.store.rows("SELECT document_id, start, decision FROM suggestion_decisions")
        ]
        assert decisions == [(first.document_id, first.start, "rejected")]
        assert study.document_codings(ids["documents"][-1]) == []
        following = screen.current
        assert following is not None and following.key != first.key
        await pilot.press("enter")
        await pilot.pause()
        assert app.jumps == [(following.document_id, following.start, following.end)]


async def test_retrain_runs_in_a_worker_and_picks_up_new_codings() -> None:
    study, ids = make_study(coded=1, total=5)
    app = ScreenApp(lambda: SuggestionsScreen(study))
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _ready(app, pilot)
        assert "too few" in screen.statuses[ids["debt"].id]
        assert {s.source for s in screen.candidates if s.code_id == ids["debt"].id} == {"rules"}
        # code the debt sentences of a second and third document, then retrain with t
        for doc in ids["documents"][1:3]:
            text = study.document_text(doc)
            for sentence in DEBT:
                at = text.find(sentence)
                if at >= 0:
                    study.add_coding(doc, ids["debt"], at, at + len(sentence))
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.statuses[ids["debt"].id] in ("trained", "calibrated")
        assert any(s.source in ("model", "both") for s in screen.candidates if s.code_id == ids["debt"].id)


async def test_a_failed_training_is_reported_and_the_session_goes_on() -> None:
    """A worker that raises must not end the app (Textual's default for workers): the
    screen says training failed and accepting keyword candidates still works."""
    from qualcode.core.errors import QualcodeError

    study, ids = make_study(coded=4, total=5)
    app = ScreenApp(lambda: SuggestionsScreen(study))
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _ready(app, pilot)
        before = list(screen.candidates)

        def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise QualcodeError("training: the model could not be fitted; add codings and press t")

        screen.helper.train = broken  # type: ignore[method-assign]
        doc = ids["documents"][-1]  # a new coding, so that there is something to train
        at = study.document_text(doc).find(DEBT[0])
        study.add_coding(doc, ids["debt"], at, at + len(DEBT[0]))
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert "training failed" in str(screen.query_one("#suggestions-title").render())
        assert [n.message for n in app._notifications] == [
            "training: the model could not be fitted; add codings and press t"
        ]
        assert screen.candidates == before  # the last good ranking stays on screen
