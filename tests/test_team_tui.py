"""The workbench in a shared study: who is coding, colleagues' commits appearing, presence,
codings removed elsewhere, memos that survive, and a study busy with someone else's write."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main as cli_main
from qualcode.core import config
from qualcode.study import team
from qualcode.study.study import Study
from qualcode.tui import app as app_module
from qualcode.tui.dialogs.coder import CoderScreen
from qualcode.tui.dialogs.memo import MemoScreen
from qualcode.tui.main import live
from qualcode.tui.main.screen import MainScreen
from qualcode.tui.main.status import StatusBar

SIZE = (120, 40)


def status_text(main: MainScreen) -> str:
    return str(main.query_one(StatusBar).render())


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def first_code(study: Study) -> int:
    return study.codes()[0].id


# -- who is coding ---------------------------------------------------------------------------


def test_no_coder_is_chosen_without_env_or_settings(monkeypatch: pytest.MonkeyPatch, study_path: Path) -> None:
    monkeypatch.delenv("QUALCODE_CODER")
    assert config.chosen_coder() is None
    with Study.open(study_path) as study:
        assert study.coder is None
        assert study.document_rows()  # reading works
        code = study.codes()[0].path
    before = study_path.read_bytes()
    result = CliRunner().invoke(cli_main, ["code", "--study", str(study_path), "1", code, "--span", "0:5"])
    assert result.exit_code != 0
    assert "who is coding?" in result.output
    assert result.output.count("\n") == 1
    assert study_path.read_bytes() == before
    config.save(coder="onderzoeker-c")
    assert config.chosen_coder() == "onderzoeker-c"


async def test_tui_asks_who_is_coding_when_none_chosen(monkeypatch: pytest.MonkeyPatch, study_path: Path) -> None:
    monkeypatch.delenv("QUALCODE_CODER")
    with Study.open(study_path, coder="onderzoeker-a") as other:
        other.add_coding(other.document_rows()[0]["id"], first_code(other), 0, 5)
    app = app_module.make_app(study_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        await pilot.press("escape")  # cannot be skipped: nobody is coding yet
        assert isinstance(app.screen, CoderScreen)
        await pilot.press(*"ONDERZOEKER-A", "enter")  # the study's spelling wins
        await pilot.pause()
        main = app.screen
        assert isinstance(main, MainScreen)
        assert app.study.coder == "onderzoeker-a"
        assert "coder onderzoeker-a" in status_text(main)


async def test_ask_coder_always_asks_and_palette_switches(study_path: Path) -> None:
    app = app_module.make_app(study_path, coder="tester", ask_coder=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        await pilot.press(*"onderzoeker-b", "enter")
        await pilot.pause()
        assert "coder onderzoeker-b" in status_text(app.main)
        app.action_switch_coder()
        await pilot.pause()
        await pilot.press("escape")  # a coder is set: switching can be cancelled
        await pilot.pause()
        assert app.study.coder == "onderzoeker-b"
        app.action_switch_coder()
        await pilot.pause()
        await pilot.press(*"anna", "enter")
        await pilot.pause()
        assert "coder anna" in status_text(app.main)


def test_serve_command_line_asks_for_the_coder(study_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every browser tab is its own person: the command each tab runs asks who is coding."""
    import shlex

    import textual_serve.server

    from qualcode.tui.serve import serve

    seen: dict[str, str] = {}

    class Recorder:
        def __init__(self, command: str, **_: object) -> None:
            seen["command"] = command

        def serve(self) -> None:
            seen["served"] = "yes"

    monkeypatch.setattr(textual_serve.server, "Server", Recorder)
    serve(study_path, "127.0.0.1", 8000)
    words = shlex.split(seen["command"])
    assert seen["served"] == "yes"
    assert words[-3:] == ["open", "--ask-coder", str(study_path.resolve())]


# -- live changes ----------------------------------------------------------------------------


async def test_colleagues_coding_appears_and_is_announced(study_path: Path) -> None:
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = app.main
        document_id = main.document.id
        before = len(main.transcript.coverage)
        with Study.open(study_path, coder="onderzoeker-b") as other:
            code = first_code(other)
            made = [other.add_coding(document_id, code, 0, 5 + i) for i in range(3)]
        await pilot.pause(live.POLL + 0.3)
        ids = {s.coding_id for s in main.transcript.coverage.spans}
        assert {c.id for c in made} <= ids
        assert len(main.transcript.coverage) == before + 3
        assert any("onderzoeker-b: 3 codings" in n for n in notices(app))
        # Removed elsewhere: gone from the view at the next look.
        with Study.open(study_path, coder="onderzoeker-b") as other:
            other.remove_coding(made[0].id)
        await pilot.pause(live.POLL + 0.3)
        assert made[0].id not in {s.coding_id for s in main.transcript.coverage.spans}


async def test_colleagues_new_code_and_undo_show_up(study_path: Path) -> None:
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = app.main
        document_id = main.document.id
        with Study.open(study_path, coder="onderzoeker-b") as other:
            code = other.add_code("Nieuw van collega")
            coding = other.add_coding(document_id, code.id, 3, 30)
        await pilot.pause(live.POLL + 0.3)
        assert code.id in main.codes
        assert main.transcript.coverage.has(coding.id)
        assert main.codebook.here.get(code.id) == 1
        with Study.open(study_path, coder="onderzoeker-b") as other:
            other.undo()  # no new history row: the fingerprint notices
        await pilot.pause(live.POLL + 0.3)
        assert not main.transcript.coverage.has(coding.id)


@pytest.mark.parametrize("key", ["x", "e", "m", "right_square_bracket", "equals_sign"])
async def test_action_on_a_coding_removed_elsewhere_says_so(study_path: Path, key: str) -> None:
    with Study.open(study_path, coder="tester") as study:
        document_id = study.document_rows()[0]["id"]
        coding = study.add_coding(document_id, first_code(study), 0, 20)
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = app.main
        main.transcript.select(0, 20)
        main.active_coding = coding.id
        await pilot.pause()
        assert main.poll_timer is not None
        main.poll_timer.pause()  # keep the poll from refreshing first: the race under test
        with Study.open(study_path, coder="onderzoeker-b") as other:
            other.remove_coding(coding.id)
        await pilot.press(key)
        await pilot.pause()
        assert app.is_running
        assert any("removed meanwhile" in n for n in notices(app)), notices(app)
        assert coding.id not in {s.coding_id for s in main.transcript.coverage.spans}


async def test_memo_on_a_coding_removed_while_typing_is_kept(study_path: Path) -> None:
    with Study.open(study_path, coder="tester") as study:
        document_id = study.document_rows()[0]["id"]
        coding = study.add_coding(document_id, first_code(study), 0, 20)
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.main.transcript.select(0, 20)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MemoScreen)
        await pilot.press(*"vertrouwen groeit")
        with Study.open(study_path, coder="onderzoeker-b") as other:
            other.remove_coding(coding.id)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")  # keep it as the document's memo
        await pilot.pause()
        assert app.is_running
    with Study.open(study_path, coder="tester") as study:
        memos = study.memos("document", document_id)
        assert any("vertrouwen groeit" in m.text for m in memos)


async def test_memo_escape_asks_before_discarding(study_path: Path) -> None:
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        await pilot.press(*"half a thought")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("n")  # back to the memo, text intact
        await pilot.pause()
        assert isinstance(app.screen, MemoScreen)
        assert app.screen.text == "half a thought"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running  # asked first
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, MemoScreen)


# -- presence --------------------------------------------------------------------------------


async def test_presence_shows_the_other_coder_and_their_document(study_path: Path) -> None:
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = app.main
        with Study.open(study_path, coder="onderzoeker-b") as other:
            row = other.document_rows()[-1]
            assert team.beat(other, "other-session", int(row["id"]))
        await pilot.pause(live.POLL + 0.3)
        text = status_text(main)
        assert "also here: onderzoeker-b" in text
        assert str(row["title"]) in text
        # Own session is not listed as a colleague.
        assert "also here: tester" not in text


def test_presence_rows_expire(study_path: Path) -> None:
    with Study.open(study_path, coder="a") as study:
        team.beat(study, "s1", None)
        assert [c.coder for c in team.colleagues(study, "s2")] == ["a"]
        from qualcode.store import presence

        assert presence.present(study.store, now=time.time() + presence.EXPIRES + 1) == []


# -- busy study ------------------------------------------------------------------------------

HOLD = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("ROLLBACK")
    """
)


def hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


async def test_busy_study_waits_with_a_notice_then_codes(study_path: Path) -> None:
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = app.main
        main.transcript.select(0, 20)
        before = len(main.transcript.coverage)
        proc = hold_lock(study_path, 1.5)
        try:
            main.apply_code(first_code(app.study))
            await pilot.pause()
            assert any(n.startswith("Waiting for") for n in notices(app)), notices(app)
            assert len(main.transcript.coverage) == before
            await pilot.pause(2.5)
        finally:
            proc.wait(10)
        assert len(main.transcript.coverage) == before + 1
        assert app.is_running


async def test_busy_too_long_keeps_the_action_for_retry(study_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "BUSY_LIMIT", 0.3)
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = app.main
        main.transcript.select(0, 20)
        before = len(main.transcript.coverage)
        proc = hold_lock(study_path, 1.2)
        try:
            main.apply_code(first_code(app.study))
            await pilot.pause(0.9)
            assert any("ctrl+r tries it again" in n for n in notices(app)), notices(app)
        finally:
            proc.wait(10)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert len(main.transcript.coverage) == before + 1


async def test_start_up_loads_the_study_once(study_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbench used to read the codebook, document list and codings again on the
    first screen resume (issue 17: first paint); closing a dialog that changed nothing
    reads nothing either."""
    calls: list[str] = []
    original_rows, original_codes = Study.document_rows, Study.codes

    def rows(self: Study, **kw: object) -> list[dict[str, object]]:
        calls.append("document_rows")
        return original_rows(self, **kw)

    def codes(self: Study, *a: object, **kw: object) -> list:
        calls.append("codes")
        return original_codes(self, *a, **kw)

    monkeypatch.setattr(Study, "document_rows", rows)
    monkeypatch.setattr(Study, "codes", codes)
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert calls.count("document_rows") == 1
        assert calls.count("codes") == 1
        app.main.transcript.select(0, 20)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert calls.count("document_rows") == 1


async def test_an_open_retrieval_list_shows_a_colleagues_coding(study_path: Path) -> None:
    app = app_module.make_app(study_path, coder="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        document_id = app.main.document.id
        app.action_retrieve()
        await pilot.pause()
        screen = app.screen
        before = len(screen.passages)
        with Study.open(study_path, coder="onderzoeker-b") as other:
            other.add_coding(document_id, first_code(other), 0, 25)
        await pilot.pause(live.POLL + 0.3)
        assert len(screen.passages) == before + 1
