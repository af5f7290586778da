"""Suggestion models kept in the study: the second `S` loads them instead of training, a new
coding or decision makes them stale, and a model signed by someone else is never loaded."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from assist_helpers import DEBT, OTHER, build
from qualcode.assist import assistant, learn, persist
from qualcode.assist.assistant import Assistant
from qualcode.assist.learn import Settings
from qualcode.assist.units import Corpus
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
    for code_id in trained.models:  # the very numbers (float32, kept as they are)
        np.testing.assert_array_equal(loaded.scores(code_id), trained.scores(code_id))
        assert loaded.models[code_id].basis == trained.models[code_id].basis
    assert loaded.statuses == trained.statuses and loaded.trained_at == trained.trained_at
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
        await pilot.press("t")  # nothing changed: nothing to train
        await pilot.pause()
        assert calls == [] and not app.workers
        assert "Up to date" in list(app._notifications)[-1].message
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
        title = str(screen.query_one("#suggestions-title").render())
        assert "ranked before 1 new coding · updating…" in title
        go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.stale and screen.ranked is not None
        assert screen.ranked.stamp != before.stamp and screen.ranked.trained_at > before.trained_at
        assert "ranked before" not in str(screen.query_one("#suggestions-title").render())
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


async def test_after_a_decision_the_list_says_so_and_the_next_s_updates_it(tmp_path: Path, monkeypatch) -> None:
    """A decision takes its candidate off the list at once, but the scores are the models'
    of before it: the title says so, `t` updates, and the next S shows the list without the
    candidate, marked, while it brings it up to date."""
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
        assert screen.stale
        assert "ranked before 1 new decision · t updates" in str(screen.query_one("#suggestions-title").render())
    go = threading.Event()
    real = Assistant.snapshot

    def held(self):  # type: ignore[no-untyped-def]
        assert go.wait(30)
        return real(self)

    monkeypatch.setattr(Assistant, "snapshot", held)
    reopened = Study.open(tmp_path / "s.qualcode", coder="tester")
    app = ScreenApp(lambda: SuggestionsScreen(reopened))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SuggestionsScreen)
        assert screen.stale and sorted((s.key, s.code_id) for s in screen.candidates) == left
        assert "ranked before 1 new decision · updating…" in str(screen.query_one("#suggestions-title").render())
        go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.stale
        assert (decided.key, decided.code_id) not in {(s.key, s.code_id) for s in screen.candidates}
    study.close()
    reopened.close()


def test_an_update_fits_only_the_codes_whose_examples_changed_and_equals_training_from_scratch(
    tmp_path: Path,
) -> None:
    study, ids = _study(tmp_path)
    helper = assistant(study)
    first = helper.models()
    assert sorted(first.fitted) == sorted(first.models)  # the first training fits every model
    # a debt sentence of a coded document coded once more (by a sub-code's coding for the
    # parent, Thema, too): debt and its parent change, sport does not
    doc = ids["documents"][0]
    other = next(s for s in study.sentences(doc) if study.document_text(doc)[s.start : s.end] in DEBT[1:])
    study.add_coding(doc, ids["debt"], other.start, other.end, coder="onderzoeker-c")
    corpus = Corpus.load(study)
    # nothing about the labels changed (the sentence was a positive already): nothing fitted
    updated = learn.train(corpus, previous=first)
    assert updated.fitted == []
    # a new positive: an OTHER sentence of a coded document coded as debt
    doc = ids["documents"][1]
    sentence = next(s for s in study.sentences(doc) if study.document_text(doc)[s.start : s.end] in OTHER)
    study.add_coding(doc, ids["debt"], sentence.start, sentence.end)
    corpus = Corpus.load(study)
    updated = learn.train(corpus, previous=first)
    assert sorted(updated.fitted) == sorted([ids["debt"].id, ids["parent"].id])
    assert updated.models[ids["sport"].id] is first.models[ids["sport"].id]
    scratch = learn.train(corpus)
    assert set(scratch.models) == set(updated.models)
    for code_id in scratch.models:  # deterministic fits: the same numbers
        np.testing.assert_array_equal(updated.scores(code_id), scratch.scores(code_id))
    ranked = Assistant(study).rank(corpus, updated, limit=None)
    assert ranked == Assistant(study).rank(corpus, scratch, limit=None)
    study.close()


def test_rankings_from_kept_models_equal_those_of_the_models_just_trained(tmp_path: Path) -> None:
    study, _ids = _study(tmp_path)
    helper = assistant(study)
    trained = helper.models()
    _stamp, corpus = helper.snapshot()
    kept = persist.unpack(persist.pack(trained))
    assert kept is not None
    assert helper.rank(corpus, kept, limit=None) == helper.rank(corpus, trained, limit=None)
    assert persist.unpack(b"not models") is None
    study.close()


def test_the_old_pickled_models_are_dropped_when_new_ones_are_kept(tmp_path: Path) -> None:
    study, _ids = _study(tmp_path)
    from qualcode.store import suggest as sql

    sql.save_model(study.store, "models:old", b"x" * 1000, "unsigned")
    assistant(study).models()
    assert sql.latest_model(study.store, "models") is None
    assert sql.latest_model(study.store, persist.MODELS) is not None
    study.close()


def test_what_changed_since_a_ranking_is_said_plainly() -> None:
    before = (16, 136.0, 15061.0, 0, 0.0, 40, 820.0, 4, 72.0, 111.0)
    assert persist.describe_changes(before, (17, 150.0, 15161.0, *before[3:])) == "1 new coding"
    assert persist.describe_changes(before, (14, 1.0, 2.0, 2, 9.0, *before[5:])) == "2 codings removed, 2 new decisions"
    assert persist.describe_changes(before, (16, 137.0, 15061.0, *before[3:])) == "changed codings"
    assert persist.describe_changes(before, (*before[:5], 41, 900.0, *before[7:])) == "new or changed documents"
    assert persist.describe_changes(before, (*before[:7], 5, 80.0, 111.0)) == "codebook changes"
    assert persist.describe_changes(before, before[:3]) == "changes to the study"


def test_on_the_sample_the_kept_models_are_small_and_rank_as_the_models_just_trained(
    sample_trained_built, sample_trained_path: Path
) -> None:
    """The sample study's models, trained once per session: what is kept of them ranks
    exactly as they did when just trained, in a fraction of the pickle's 69 MB."""
    from qualcode.store import suggest as sql

    with Study.open(sample_trained_path, coder="tester") as study:
        row = sql.latest_model(study.store, persist.MODELS)
        assert row is not None and len(bytes(row["model"])) < 6_000_000
        helper = Assistant(study)
        stamp, corpus = helper.snapshot()
        kept = helper.load_saved(Settings(), stamp)
        assert kept is not None and kept.featurizer is None  # read from the study, not trained
        assert kept.trained_at == sample_trained_built.ranked.trained_at
        ranked = helper.rank(corpus, kept, limit=None)
        assert ranked == sample_trained_built.ranked.candidates
    assert sample_trained_path.stat().st_size < 12_000_000


def test_on_the_sample_a_new_coding_fits_only_its_code_and_the_codes_above(sample_trained_path: Path) -> None:
    with Study.open(sample_trained_path, coder="tester") as study:
        helper = Assistant(study)
        corpus = helper.corpus()
        code = next(c for c in study.codes() if c.parent_id is not None and c.id in corpus.positive)
        above = {code.id}
        parent = code.parent_id
        while parent is not None:
            above.add(parent)
            parent = study.code(parent).parent_id
        # a respondent's sentence of a coded document that neither the code nor a code above
        # it touches: it becomes their positive example
        unit = next(
            u
            for i, u in enumerate(corpus.units)
            if u.document_id in corpus.coded_documents
            and not u.is_interviewer
            and all(i not in corpus.touched.get(c, set()) for c in above)
        )
        study.add_coding(unit.document_id, code.id, unit.start, unit.end)
        kept = helper.kept()
        assert kept is not None
        helper.train()  # from the kept models
        models = helper.trained
        assert models is not None
        assert set(models.fitted) == above & set(models.models)
        assert set(models.fitted) and set(models.models) - set(models.fitted)
        for other in set(models.models) - above:
            np.testing.assert_array_equal(models.scores(other), kept.scores(other))
