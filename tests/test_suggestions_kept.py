"""Suggestion models kept in the study: the second `S` loads them instead of training, a new
coding or decision makes them stale, and a model signed by someone else is never loaded."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from assist_helpers import DEBT, build
from qualcode.assist import assistant, persist
from qualcode.assist.assistant import Assistant
from qualcode.assist.learn import Settings
from qualcode.study.study import Study
from qualcode.tui.screens.suggestions import SuggestionsScreen
from test_assist_tui import _ready
from tui_helpers import ScreenApp


def _study(tmp_path: Path) -> tuple[Study, dict]:
    study = Study.create(tmp_path / "s.qualcode", "s")
    study.close()
    study = Study.open(tmp_path / "s.qualcode", coder="tester")
    return study, build(study, 4, 5)


def test_kept_models_load_and_score_alike_until_the_codings_change(tmp_path: Path, monkeypatch) -> None:
    study, ids = _study(tmp_path)
    helper = assistant(study)
    trained = helper.models()  # trains, and keeps them in the study
    fresh = Assistant(study)  # a new session: nothing in memory
    stamp = fresh.snapshot()[0]
    loaded = fresh.load_saved(Settings(), stamp)
    assert loaded is not None and set(loaded.models) == set(trained.models)
    for code_id in trained.models:
        np.testing.assert_allclose(loaded.scores(code_id), trained.scores(code_id))
    # a new coding changes the fingerprint: the kept models are stale
    doc = ids["documents"][-1]
    text = study.document_text(doc)
    at = next(text.find(s) for s in DEBT if text.find(s) >= 0)
    study.add_coding(doc, ids["debt"], at, at + 10)
    assert Assistant(study).load_saved(Settings()) is None
    # another user's key: the signature does not verify, nothing is unpickled
    helper.models()
    assert Assistant(study).load_saved(Settings()) is not None
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(tmp_path / "someone-else"))
    monkeypatch.setattr(persist.pickle, "loads", lambda _: (_ for _ in ()).throw(AssertionError("unpickled")))
    assert Assistant(study).load_saved(Settings()) is None
    study.close()


async def test_second_open_loads_instead_of_training(tmp_path: Path, monkeypatch) -> None:
    study, _ids = _study(tmp_path)
    app = ScreenApp(lambda: SuggestionsScreen(study))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _ready(app, pilot)
        first = [(s.key, s.score) for s in screen.candidates]
        assert first
        assert screen.ranked is not None
        trained_at = screen.ranked.trained_at
        assert trained_at  # the models' identity, kept with their ranking
    calls: list[int] = []
    real = Assistant.train

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Assistant, "train", counting)
    # Neither trained nor even unpickled: the kept ranking is shown as it is.
    monkeypatch.setattr(Assistant, "load_saved", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded models")))
    reopened = Study.open(tmp_path / "s.qualcode", coder="tester")
    app = ScreenApp(lambda: SuggestionsScreen(reopened))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _ready(app, pilot)
        assert calls == []  # loaded from the study
        assert screen.ranked is not None and screen.ranked.trained_at == trained_at  # the same models' ranking
        assert not screen.stale
        assert sorted((s.key, round(s.score or 0, 9)) for s in screen.candidates) == sorted(
            (k, round(v or 0, 9)) for k, v in first
        )
        await pilot.press("t")  # retrain from scratch on request
        await app.workers.wait_for_complete()
        assert calls == [1]
        assert screen.ranked is not None and screen.ranked.trained_at > trained_at  # new models
    study.close()
    reopened.close()


async def test_a_new_coding_shows_the_stale_ranking_at_once_and_ranks_again(tmp_path: Path, monkeypatch) -> None:
    study, ids = _study(tmp_path)
    app = ScreenApp(lambda: SuggestionsScreen(study))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _ready(app, pilot)
        before = screen.ranked
        assert before is not None
    doc = ids["documents"][-1]
    text = study.document_text(doc)
    at = next(text.find(s) for s in DEBT if text.find(s) >= 0)
    study.add_coding(doc, ids["debt"], at, at + 10)
    go = threading.Event()
    real = Assistant.snapshot

    def held(self):  # type: ignore[no-untyped-def]
        assert go.wait(30)  # the worker waits until the screen has been looked at
        return real(self)

    monkeypatch.setattr(Assistant, "snapshot", held)
    app = ScreenApp(lambda: SuggestionsScreen(study))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SuggestionsScreen)
        assert screen.candidates and screen.stale  # shown before the worker is done
        assert "ranked before your latest codings" in str(screen.query_one("#suggestions-title").render())
        go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.stale and screen.ranked is not None
        assert screen.ranked.stamp != before.stamp and screen.ranked.trained_at > before.trained_at
    study.close()


async def test_the_sentence_is_on_screen_at_both_sizes(tmp_path: Path) -> None:
    study, _ids = _study(tmp_path)
    for width, height in ((120, 40), (80, 24)):
        app = ScreenApp(lambda: SuggestionsScreen(study))
        async with app.run_test(size=(width, height)) as pilot:
            screen = await _ready(app, pilot)
            table = screen.query_one("#suggestions-list")
            names = [c.label.plain for c in table.ordered_columns]
            sentence = names.index("Sentence")
            left = table.region.x + sum(c.get_render_width(table) for c in table.ordered_columns[:sentence])
            shown = table.ordered_columns[sentence].get_render_width(table)
            assert left + shown <= width, (width, left, shown)  # the whole column is on screen
            assert shown >= 22
            first = screen.shown[0]
            cell = str(table.get_cell_at((0, sentence)))
            assert cell.rstrip("…") and " ".join(first.text.split()).startswith(cell.rstrip("…"))
    study.close()


async def test_after_a_decision_the_next_s_opens_at_once_without_the_decided_candidate(tmp_path: Path) -> None:
    study, _ids = _study(tmp_path)
    app = ScreenApp(lambda: SuggestionsScreen(study))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _ready(app, pilot)
        screen.query_one("#suggestions-list").focus()
        await pilot.pause()
        decided = screen.current
        assert decided is not None
        await pilot.press("x")  # reject: a decision changes the study's fingerprint
        await pilot.pause()
        left = sorted((s.key, s.code_id) for s in screen.candidates)
        assert (decided.key, decided.code_id) not in left
    reopened = Study.open(tmp_path / "s.qualcode", coder="tester")
    app = ScreenApp(lambda: SuggestionsScreen(reopened))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SuggestionsScreen)
        assert not screen.stale and not app.workers  # the kept list fits: no worker at all
        assert sorted((s.key, s.code_id) for s in screen.candidates) == left
    study.close()
    reopened.close()
