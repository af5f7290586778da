"""Snapshots of the dialogs and review screens at 120×40 and 80×24: import, a document's
attributes, merge, the progress and summary dialogs, the code picker and the pseudonymise
review screen.

The dialogs are hosted on their own (:class:`ScreenApp`), so a change to the main screen does
not touch them. Update with ``pytest tests/test_tui_snapshots_dialogs.py --snapshot-update``
and look at every changed SVG.
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
