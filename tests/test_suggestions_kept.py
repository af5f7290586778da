"""Suggestion models kept in the study: the second `S` loads them instead of training, a new
coding or decision makes them stale, and a model signed by someone else is never loaded."""

from __future__ import annotations

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
    calls: list[int] = []
    real = Assistant.train

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Assistant, "train", counting)
    reopened = Study.open(tmp_path / "s.qualcode", coder="tester")
    app = ScreenApp(lambda: SuggestionsScreen(reopened))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _ready(app, pilot)
        assert calls == []  # loaded from the study
        assert sorted((s.key, round(s.score or 0, 9)) for s in screen.candidates) == sorted(
            (k, round(v or 0, 9)) for k, v in first
        )
        table = screen.query_one("#suggestions-list")
        assert [c.label.plain for c in table.ordered_columns][:2] == ["Score", "Sentence"]
        await pilot.press("t")  # retrain from scratch on request
        await app.workers.wait_for_complete()
        assert calls == [1]
    study.close()
    reopened.close()
