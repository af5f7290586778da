"""The coding screen's layout as a researcher lives in it: room for the transcript, panels that
collapse and stay collapsed, focus mode, the codes on the selection named at every size, memo
marks and the memo overview, an empty study that says how to start, and reopening where the
coder left off. Pilot tests, then snapshots at 120×40 and 80×24."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.core import config
from qualcode.study.study import Study
from qualcode.tui.app import make_app
from qualcode.tui.dialogs.memo import MemoScreen
from qualcode.tui.main.screen import MainScreen
from qualcode.tui.main.status import MEMO_MARK, StatusBar
from qualcode.tui.main.transcript import GUTTER, MARKS
from qualcode.tui.screens.memos import MemoOverviewScreen
from tui_helpers import app_for, main_screen

BIG, SMALL = (120, 40), (80, 24)
SIZES = pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x40", "80x24"])


def status(main: MainScreen) -> list[str]:
    """The status bar's lines as painted (cut to the screen, as the user sees them)."""
    bar = main.query_one(StatusBar)
    return [line.text.strip() for line in bar.render_lines(bar.region.reset_offset)]


def gutter(main: MainScreen, offset: int) -> str:
    """The gutter cells of the line that shows ``offset``."""
    view = main.transcript
    line = view.wrapped.line_of(offset)
    return view._paint(line).text[:GUTTER]


def give_shortcut(study: Study, code_id: int, key: str) -> None:
    """Give a code a shortcut, taking it from the code that has it (the codebooks use 1–0)."""
    for code in study.codes():
        if code.shortcut == key and code.id != code_id:
            study.update_code(code.id, shortcut=None)
    study.update_code(code_id, shortcut=key)


async def settle(pilot, ready, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if ready():
            return
        await pilot.pause(0.05)
    assert ready()


# -- room for the transcript ------------------------------------------------------------------


async def test_the_transcript_gets_most_of_the_width_at_120_columns(study_path: Path) -> None:
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        main = main_screen(app)
        assert main.browser.display and main.codebook.display
        assert main.transcript.size.width > BIG[0] // 2  # was 47 of 120
        await pilot.press("z")
        await pilot.pause()
        assert not main.browser.display and not main.codebook.display
        assert main.transcript.size.width >= 90
        await pilot.press("z")
        await pilot.pause()
        assert main.browser.display and main.codebook.display


async def test_collapsed_panels_and_focus_are_remembered_across_restarts(study_path: Path) -> None:
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await pilot.press("b")  # the document browser goes
        await pilot.pause()
        main = main_screen(app)
        assert not main.browser.display and main.codebook.display
    assert config.ui_state("main")["wide"] == {"browser": False, "codebook": True}

    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        main = main_screen(app)
        assert not main.browser.display and main.codebook.display
        await pilot.press("z")
        await pilot.pause()

    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        main = main_screen(app)
        assert main.has_class("-focus") and not main.codebook.display
        await pilot.press("b")  # a panel key leaves focus mode and shows that panel
        await pilot.pause()
        assert not main.has_class("-focus") and main.browser.display
        assert main.browser.doc_tree.has_focus


async def test_small_terminal_remembers_its_own_panels(study_path: Path) -> None:
    """80×24 and 120×40 keep a choice each: showing the codes on a laptop over SSH does not
    shrink the transcript on the wide screen."""
    app = app_for(study_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        main = main_screen(app)
        assert not main.browser.display and not main.codebook.display
        await pilot.press("o")
        await pilot.pause()
        assert main.codebook.display
    app = app_for(study_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert main_screen(app).codebook.display
    assert config.ui_state("main")["narrow"] == {"browser": False, "codebook": True}
    assert "wide" not in config.ui_state("main")


async def test_cut_names_show_whole_in_the_detail_box_and_tooltip(study_path: Path) -> None:
    with Study.open(study_path, coder="tester") as study:
        code = study.add_code("Een heel lange codenaam die nooit in het smalle paneel past")
        give_shortcut(study, code.id, "7")
        document = study.add_document(
            "I: Hoe gaat het?\nR: Goed, dank je.\n",
            title="Coach Coevorden, tweede gesprek over de regels en de ruimte",
            metadata={"organisation": "Maatschappelijk Welzijn Coevorden", "project": "Pilot Gezinscoaches"},
        )
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        main = main_screen(app)
        main.open_document(document)
        await pilot.pause()
        detail = str(main.query_one("#doc-detail").render())
        assert "Coach Coevorden, tweede gesprek over de regels en de ruimte" in detail
        tree = main.codebook.code_tree
        node = main.codebook._code_nodes[code.id]
        assert str(node.label).startswith("7")  # the shortcut digit comes first, never cut
        assert "Een heel lange codenaam die nooit in het smalle paneel past" in str(main.codebook._describe(node))
        tree.hover_line = node.line
        assert "Een heel lange codenaam die nooit in het smalle paneel past" in str(tree.tooltip)


# -- the codes on the selection ---------------------------------------------------------------


@SIZES
async def test_overlapping_codes_are_named_on_the_status_line_at_both_sizes(study_path: Path, size) -> None:
    with Study.open(study_path, coder="tester") as study:
        doc = study.document("Ouder Coevorden")
        start = doc.text.index("Ik schaamde")
        a, b = study.code("Vertrouwen"), study.code("Vangnet en veiligheid")
        study.add_coding(doc.id, a, start, start + 30)
        study.add_coding(doc.id, b, start + 5, start + 25)
        with Study.open(study_path, coder="anna") as colleague:
            colleague.add_coding(doc.id, b, start, start + 30)
    app = app_for(study_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        main = main_screen(app)
        main.open_document(doc.id, select=(start, start + 30))
        await pilot.pause()
        lines = status(main)
        assert main.query_one(StatusBar).region.bottom <= size[1]
        assert lines[0].startswith("Here")
        assert "Vertrouwen" in lines[0] and "Vangnet en veiligheid" in lines[0]
        assert "(anna)" in lines[0]  # a colleague's coding says whose it is; mine do not
        assert "Ouder Coevorden" in lines[1]


async def test_many_codes_fall_back_to_names_then_say_how_many_more(study_path: Path) -> None:
    with Study.open(study_path, coder="tester") as study:
        doc = study.document("Ouder Coevorden")
        codes = [c for c in study.codes() if c.parent_id is not None][:8]
        for code in codes:
            study.add_coding(doc.id, code.id, 0, 40)
    app = app_for(study_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        main = main_screen(app)
        main.open_document(doc.id, select=(0, 40))
        await pilot.pause()
        first = status(main)[0]
        assert "/" not in first  # paths did not fit: the codes' own names
        assert "more" in first
        shown = sum(1 for c in codes if c.name in first)
        assert f"+{len(codes) - shown} more" in first


async def test_gutter_marks_carry_the_shortcut_digit(study_path: Path) -> None:
    with Study.open(study_path, coder="tester") as study:
        doc = study.document("Ouder Coevorden")
        code = study.code("Vertrouwen")
        give_shortcut(study, code.id, "3")
        start = doc.text.index("Ik schaamde")
        study.add_coding(doc.id, code, start, start + 20)
        other = next(c for c in study.codes() if c.parent_id is not None and not c.shortcut)
        study.add_coding(doc.id, other.id, start, start + 20)
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        main = main_screen(app)
        main.open_document(doc.id)
        await pilot.pause()
        marks = gutter(main, start)[:MARKS]
        assert "3" in marks and "▌" in marks


# -- memos ------------------------------------------------------------------------------------


async def test_a_coding_with_a_memo_is_marked_in_the_text(study_path: Path) -> None:
    with Study.open(study_path, coder="tester") as study:
        doc = study.document("Ouder Coevorden")
        start = doc.text.index("Ik voelde me gezien")
        with_memo = study.add_coding(doc.id, study.code("Gezien en gehoord worden"), start, start + 30)
        study.set_coding_memo(with_memo.id, "Kern van het interview.")
        plain_start = doc.text.index("Via de school")
        study.add_coding(doc.id, study.code("Vertrouwen"), plain_start, plain_start + 13)
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        main = main_screen(app)
        main.open_document(doc.id, select=(start, start + 30))
        await pilot.pause()
        assert gutter(main, start)[MARKS] == MEMO_MARK
        assert gutter(main, plain_start)[MARKS] == " "
        assert MEMO_MARK in status(main)[0]
        # Writing a memo with m marks that coding at once.
        main.transcript.select(plain_start, plain_start + 13)
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, MemoScreen))
        await pilot.press(*"waarom hier", "ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.pause()
        assert gutter(main, plain_start)[MARKS] == MEMO_MARK
        # And removing it (an empty memo) takes the mark away.
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, MemoScreen))
        app.screen.query_one("#memo-text").clear()
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.pause()
        assert gutter(main, plain_start)[MARKS] == " "


def _memos_everywhere(path: Path) -> dict[str, int]:
    with Study.open(path, coder="tester") as study:
        parent = study.document("Ouder Coevorden")
        coach = study.document("Coach Coevorden")
        start = coach.text.index("Soms wijken we af")
        coding = study.add_coding(coach.id, study.code("Vertrouwen"), start, start + 30)
        study.set_coding_memo(coding.id, "Ruimte van de gemeente: regelvrijheid.")
        study.set_memo("document", parent.id, "Moeder was zenuwachtig aan het begin.")
        code = study.code("Vangnet en veiligheid")
        study.set_memo("code", code.id, "Overlapt met vertrouwen; let op bij regelvrijheid.")
        study.set_memo("study", None, "Golf 2 in het voorjaar.")
        return {"coach": coach.id, "parent": parent.id, "start": start, "end": start + 30, "code": code.id}


async def test_memo_overview_filters_and_jumps_to_the_passage(study_path: Path) -> None:
    places = _memos_everywhere(study_path)
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await pilot.press("N")
        await settle(pilot, lambda: isinstance(app.screen, MemoOverviewScreen))
        overview = app.screen
        assert len(overview.shown) == 4
        await pilot.press(*"regelvrijheid")  # in a coding memo and a code memo
        await pilot.pause()
        assert {r.target for r in overview.shown} == {"coding", "code"}
        await pilot.press(*" coach")  # every word: the coach interview's memo only
        await pilot.pause()
        assert [r.target for r in overview.shown] == ["coding"]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen))
        main = main_screen(app)
        assert main.document.id == places["coach"]
        assert main.transcript.selection == (places["start"], places["end"])
        assert main.transcript.has_focus


async def test_memo_overview_kinds_and_jumps_to_a_document_and_a_code(study_path: Path) -> None:
    places = _memos_everywhere(study_path)
    app = app_for(study_path)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("N")
        await settle(pilot, lambda: isinstance(app.screen, MemoOverviewScreen))
        overview = app.screen
        kinds = []
        for _ in range(5):
            await pilot.press("ctrl+t")
            kinds.append(overview.kind)
        assert kinds == ["coding", "document", "code", "study", None]
        await pilot.press("ctrl+t", "ctrl+t")  # documents
        await pilot.pause()
        assert [r.target for r in overview.shown] == ["document"]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen))
        main = main_screen(app)
        assert main.document.id == places["parent"]

        await pilot.press("N")
        await settle(pilot, lambda: isinstance(app.screen, MemoOverviewScreen))
        await pilot.press(*"overlapt")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.pause()
        assert main.codebook.display  # shown even on 80×24, where it starts hidden
        await settle(pilot, lambda: main.codebook.highlighted == places["code"])
        assert main.codebook.code_tree.has_focus


async def test_memo_overview_is_in_the_palette(study_path: Path) -> None:
    from qualcode.tui.palette.commands import QualcodeCommands

    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        names = {name: action for name, action, _ in QualcodeCommands(app.screen)._commands()}
        action = next(a for n, a in names.items() if n.startswith("Memos"))
        await app.run_action(action)
        await settle(pilot, lambda: isinstance(app.screen, MemoOverviewScreen) and app.screen.is_mounted)
        await pilot.pause()
        assert app.screen.query_one("#memos-filter").has_focus


# -- an empty study, and reopening ------------------------------------------------------------


@SIZES
async def test_an_empty_study_says_how_to_import(tmp_path: Path, size) -> None:
    path = tmp_path / "leeg.qualcode"
    Study.create(path, "leeg").close()
    app = make_app(path, coder="tester")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        main = main_screen(app)
        hint = "\n".join(line.plain for line in main.transcript.empty_hint)
        assert "no documents yet" in hint
        assert f"qualcode import interviews/ --study {path}" in hint
        painted = "\n".join(main.transcript.render_line(y).text for y in range(len(main.transcript.empty_hint)))
        assert "qualcode import" in painted
        tree = "\n".join(str(n.label) for n in main.browser.doc_tree.root.children)
        assert "no documents yet" in tree and "no document matches" not in tree


@SIZES
async def test_reopens_the_document_and_passage_where_the_coder_left_off(study_path: Path, size) -> None:
    app = app_for(study_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        main = main_screen(app)
        first = main.document.id
        coach = app.study.document("Coach Coevorden")
        start = coach.text.index("Dat is behapbaar")
        main.open_document(coach.id, select=(start, start + 16))
        await pilot.pause()
        await pilot.press("j")  # the next sentence
        await pilot.pause()
        where = main.transcript.selection
    assert coach.id != first

    app = app_for(study_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        main = main_screen(app)
        assert main.document.id == coach.id
        assert main.transcript.selection == where

    # Another coder in the same study starts where they were (nowhere yet: the first document).
    app = make_app(study_path, coder="anna")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert main_screen(app).document.id == first


async def test_a_removed_document_reopens_the_first_one(study_path: Path) -> None:
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        main = main_screen(app)
        coach = app.study.document("Coach Coevorden").id
        assert main.document.id != coach
        main.open_document(coach)
        await pilot.pause()
    with Study.open(study_path, coder="tester") as study:
        study.remove_document(coach)
        first = study.document_rows()[0]["id"]
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        assert main_screen(app).document.id == first


# -- snapshots ------------------------------------------------------------------------------------


@SIZES
def test_snapshot_main_screen_panels_collapsed(snap_compare, sample_study_path, size):
    async def before(pilot):
        await pilot.pause()
        main = pilot.app.screen
        if size == BIG:
            await pilot.press("b")  # the documents go; the codes stay
        else:
            await pilot.press("o", "o")  # shown, then collapsed again
        await pilot.press("j", "j")
        await pilot.pause()
        assert isinstance(main, MainScreen)

    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=before)


@SIZES
def test_snapshot_main_screen_focus_mode(snap_compare, sample_study_path, size):
    async def before(pilot):
        await pilot.pause()
        await pilot.press("z", "j", "j", "shift+down")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=before)


@SIZES
def test_snapshot_main_screen_on_overlapping_codes(snap_compare, sample_study_path, size):
    """The status line names the codes where several overlap (the sample study's first
    document has overlapping codings by two coders)."""

    async def before(pilot):
        await pilot.pause()
        main = pilot.app.screen
        study = main.study
        spans = study.coding_spans(main.document.id)
        best = max(spans, key=lambda s: (len({o[1] for o in spans if o[3] < s[4] and o[4] > s[3]}), -s[3]))
        main.transcript.select(best[3], best[4])
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=before)


@SIZES
def test_snapshot_memo_overview(snap_compare, sample_study_path, size):
    with Study.open(sample_study_path, coder="tester") as study:
        first = study.document_rows()[0]
        study.set_memo("document", first["id"], "Eerste gesprek; de respondent was moe.")
        study.set_memo("code", study.codes()[1].id, "Grens met Vertrouwd worden: wie vertrouwt wie?")
        study.set_memo("study", None, "Golf 2 in het voorjaar.")

    async def before(pilot):
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=before)


@SIZES
def test_snapshot_empty_study(snap_compare, tmp_path, size, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "leeg.qualcode"
    Study.create(path, "leeg").close()

    async def before(pilot):
        await pilot.pause()

    assert snap_compare(make_app(path, coder="tester"), terminal_size=size, run_before=before)


async def test_the_position_is_saved_while_working_not_only_on_quit(study_path: Path, monkeypatch) -> None:
    """A dropped SSH connection does not lose it: the position is written shortly after the
    last move."""
    from qualcode.tui.main import screen as screen_module

    monkeypatch.setattr(screen_module, "SAVE_POSITION_AFTER", 0.05)
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        main = main_screen(app)
        await pilot.press("j", "j")
        where = (main.document.id, *main.transcript.selection)
        await settle(pilot, lambda: config.last_position(study_path, "tester") is not None)
        saved = config.last_position(study_path, "tester")
        assert saved is not None and (saved["document"], saved["start"], saved["end"]) == where


async def test_switching_study_keeps_each_studys_position(study_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "ander.qualcode"
    with Study.create(other, "ander") as study:
        study.add_document("I: Hallo?\nR: Ja. Dag. Tot ziens.\n", title="Ander gesprek")
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        main = main_screen(app)
        coach = app.study.document("Coach Coevorden").id
        main.open_document(coach)
        await pilot.press("j")
        where = main.transcript.selection
        app.open_study(other)
        await pilot.pause()
        assert main.document.title == "Ander gesprek"
        await pilot.press("j")
        there = main.transcript.selection
        app.open_study(study_path)
        await pilot.pause()
        assert (main.document.id, main.transcript.selection) == (coach, where)
        app.open_study(other)
        await pilot.pause()
        assert main.transcript.selection == there


def test_remembered_state_survives_a_hand_edited_config_and_stays_small(tmp_path: Path) -> None:
    folder = Path(config.config_dir())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text('{"ui": ["not", "a", "dict"], "positions": {"x": 3}, "coder": "tester"}')
    assert config.ui_state("main") == {}
    assert config.last_position(tmp_path / "x.qualcode", "tester") is None
    config.save_ui_state("main", {"focus": True})
    assert config.ui_state("main") == {"focus": True}
    for n in range(config.POSITIONS_KEPT + 5):
        config.remember_position(tmp_path / f"s{n}.qualcode", "tester", n, 0, 1)
    kept = config.load()["positions"]
    assert len(kept) == config.POSITIONS_KEPT
    assert config.last_position(tmp_path / "s0.qualcode", "tester") is None  # the oldest went first
    assert config.last_position(tmp_path / f"s{config.POSITIONS_KEPT + 4}.qualcode", "tester") == {
        "document": config.POSITIONS_KEPT + 4,
        "start": 0,
        "end": 1,
    }
    assert config.load()["coder"] == "tester"  # other settings untouched


async def test_memo_overview_edits_a_memo_in_place(study_path: Path) -> None:
    places = _memos_everywhere(study_path)
    app = app_for(study_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await pilot.press("N")
        await settle(pilot, lambda: isinstance(app.screen, MemoOverviewScreen))
        overview = app.screen
        await pilot.press(*"zenuwachtig")
        await pilot.pause()
        assert [r.target for r in overview.shown] == ["document"]
        await pilot.press("f2")
        await settle(pilot, lambda: isinstance(app.screen, MemoScreen))
        await pilot.press("end", *" Later rustiger.", "ctrl+s")
        await settle(pilot, lambda: app.screen is overview)
        await pilot.pause()
        memo = app.study.memos("document", places["parent"])[0].text
        assert memo.endswith("Later rustiger.")
        assert overview.current is not None and overview.current.text == memo
        # Emptied, it is removed (the overview and the study agree).
        await pilot.press("f2")
        await settle(pilot, lambda: isinstance(app.screen, MemoScreen))
        app.screen.query_one("#memo-text").clear()
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is overview)
        await pilot.pause()
        assert app.study.memos("document", places["parent"]) == []
        assert overview.shown == []


def test_an_unchanged_position_does_not_rewrite_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbench saves the position a moment after each move; saving the same place
    again writes nothing, and a change (or another study in between) still does."""
    writes: list[dict] = []
    save = config.save

    def counted(**changes: object) -> None:
        writes.append(changes)
        save(**changes)

    monkeypatch.setattr(config, "save", counted)
    here, there = tmp_path / "a.qualcode", tmp_path / "b.qualcode"
    config.remember_position(here, "tester", 3, 10, 20)
    config.remember_position(here, "tester", 3, 10, 20)
    assert len(writes) == 1
    config.remember_position(here, "tester", 3, 10, 21)
    config.remember_position(here, "other", 3, 10, 21)  # another coder's place in it
    assert len(writes) == 3
    config.remember_position(there, "tester", 1, 0, 5)
    config.remember_position(here, "tester", 3, 10, 21)  # same place, but made the most recent again
    assert len(writes) == 5
    assert list(config.load()["positions"])[-1] == str(here.resolve())
    assert config.last_position(here, "tester") == {"document": 3, "start": 10, "end": 21}
