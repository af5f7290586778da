"""Snapshots of the dialogs and review screens at 120×40 and 80×24: import, a document's
attributes, merge, the progress and summary dialogs, the code picker, the pseudonymise
review screen, the memo editor, the yes/no question, the one-line prompt, the code form and
the command palette.

Dialogs with CSS of their own are hosted on their own (:class:`ScreenApp`), so a change to
the main screen does not touch them. The memo editor and the yes/no question are styled by
the app's stylesheet (app.tcss), so they are opened the way a researcher opens them, in the
app on the sample study. Update with
``pytest tests/test_tui_snapshots_dialogs.py --snapshot-update`` and look at every changed SVG.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.study.study import Study
from tui_helpers import ScreenApp, app_for

BIG, SMALL = (120, 40), (80, 24)
SIZES = pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x40", "80x24"])


@pytest.fixture
def sample(sample_study_path: Path) -> Iterator[Study]:
    study = Study.open(sample_study_path, coder="tester")
    yield study
    study.close()


@SIZES
def test_import_dialog(snap_compare, size):
    from qualcode.tui.dialogs.forms import ImportScreen

    async def before(pilot):
        screen = pilot.app.screen
        for name, value in {"paths": "interviews/emmen", "case": "G-EM-01", "wave": "1", "role": "ouder"}.items():
            screen.query_one(f"#form-{name}").value = value
        await pilot.pause()

    assert snap_compare(ScreenApp(ImportScreen), terminal_size=size, run_before=before)


@SIZES
def test_document_attributes_dialog(snap_compare, sample, size):
    from qualcode.tui.dialogs.forms import DocumentEditScreen

    doc = sample.document(sample.documents()[0].id)
    fields = {"role": doc.role, "participant": doc.participant, "interview_date": doc.interview_date}
    fields |= {"case": doc.case, "wave": doc.wave}

    def make() -> DocumentEditScreen:
        return DocumentEditScreen(doc.title, fields, {**doc.attributes, "gemeente": "Emmen"}, lambda edit: [])

    assert snap_compare(ScreenApp(make), terminal_size=size)


@SIZES
def test_merge_dialog(snap_compare, size):
    from qualcode.tui.dialogs.forms import MergeScreen

    assert snap_compare(ScreenApp(lambda: MergeScreen("collega.qualcode")), terminal_size=size)


@SIZES
def test_progress_dialog(snap_compare, size):
    from qualcode.tui.dialogs.progress import ProgressScreen

    async def before(pilot):
        pilot.app.screen.advance(3, 10, "ouder-03.docx")
        await pilot.pause()

    app = ScreenApp(lambda: ProgressScreen("Importing interviews", cancellable=True))
    assert snap_compare(app, terminal_size=size, run_before=before)


@SIZES
def test_import_summary(snap_compare, size):
    from qualcode.ingest.importer import ImportReport
    from qualcode.tui.dialogs.progress import SummaryScreen
    from qualcode.tui.palette.exchange import import_lines

    report = ImportReport(
        imported=[("interviews/ouder-01.txt", 1), ("interviews/kind-01.txt", 2)],
        duplicates=[("interviews/ouder-01-kopie.txt", "ouder-01")],
        errors=["interviews/kapot.docx: not a .docx file (the archive cannot be opened)"],
        turns=48,
        sentences=301,
        words=5210,
    )
    app = ScreenApp(lambda: SummaryScreen("Imported interviews", import_lines(report)))
    assert snap_compare(app, terminal_size=size)


def test_code_picker_at_80_by_24(snap_compare, sample_study_path):
    async def before(pilot):
        await pilot.press("c", *"vtr")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=SMALL, run_before=before)


@SIZES
def test_pseudonymise_review(snap_compare, sample, size, tmp_path):
    from qualcode.tui.screens.pseudonymise import PseudonymiseScreen

    async def before(pilot):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the scan, in a thread
        await pilot.pause()

    def make() -> PseudonymiseScreen:
        return PseudonymiseScreen(sample, tmp_path / "namen.txt", use_deduce=False)

    assert snap_compare(ScreenApp(make), terminal_size=size, run_before=before)


@SIZES
def test_coder_dialog(snap_compare, size):
    from qualcode.tui.dialogs.coder import CoderScreen

    def make() -> CoderScreen:
        return CoderScreen(["onderzoeker-a", "onderzoeker-b", "tester"], current="tester", can_cancel=True)

    assert snap_compare(ScreenApp(make), terminal_size=size)


# -- dialogs opened in the app, the way a researcher opens them --------------------------------


async def _memo_on_a_coding(pilot) -> None:
    """m on the first coding of the document the app opens, with a memo begun."""
    await pilot.pause()
    main = pilot.app.screen
    for _ in range(50):  # the document is opened after the first paint
        if main.document is not None:
            break
        await pilot.pause()
    coding = next(  # one coding alone under the selection: m opens its memo without asking which
        c
        for c in main.study.document_codings(main.document.id)
        if len(main.transcript.coverage.overlapping(c.start, c.end)) == 1
    )
    main.transcript.select(coding.start, coding.end)
    await pilot.pause()
    await pilot.press("m", *"Kern: het vertrouwen komt pas na het eerste huisbezoek.")
    await pilot.pause()


@SIZES
def test_memo_editor(snap_compare, sample_study_path, size):
    """The memo editor on a coding: its title names the code and the passage."""
    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=_memo_on_a_coding)


@SIZES
def test_memo_discard_question(snap_compare, sample_study_path, size):
    """Escape on a changed memo asks before throwing the text away (a yes/no question)."""

    async def before(pilot):
        await _memo_on_a_coding(pilot)
        await pilot.press("escape")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=before)


@SIZES
def test_confirm_delete_code(snap_compare, sample_study_path, size):
    """d in the codebook editor: the question says what goes with the code."""

    async def before(pilot):
        await pilot.press("E")
        await pilot.pause()
        await pilot.press("down", "d")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=before)


@SIZES
def test_prompt_rename_code(snap_compare, sample_study_path, size):
    """r in the codebook editor: the one-line prompt, with the name to change."""

    async def before(pilot):
        await pilot.press("E")
        await pilot.pause()
        await pilot.press("down", "r")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=before)


@SIZES
def test_code_form(snap_compare, sample_study_path, size):
    """e in the codebook editor: a code's definition, colour and shortcut in one form."""

    async def before(pilot):
        await pilot.press("E")
        await pilot.pause()
        await pilot.press("down", "e")
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=before)


@SIZES
def test_command_palette(snap_compare, sample_study_path, size):
    """ctrl+p on the main screen, filtered to the export and import actions."""

    async def before(pilot):
        from textual.command import CommandList

        for _ in range(50):  # the side panels are mounted just after the first frame
            if pilot.app.main.panels_ready:
                break
            await pilot.pause(0.05)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"export")
        # The palette searches its providers in the background and adds hits as they come:
        # wait until the list has stopped growing (and the "searching" state is over).
        seen, steady = -1, 0
        for _ in range(100):
            await pilot.pause(0.05)
            await pilot.app.workers.wait_for_complete()
            count = pilot.app.screen.query_one(CommandList).option_count
            steady = steady + 1 if count == seen and count > 0 else 0
            seen = count
            if steady >= 4:
                break
        await pilot.pause()

    assert snap_compare(app_for(sample_study_path), terminal_size=size, run_before=before)
