"""Imports and exports from the command palette: REFI-QDA .qdpx/.qdc both ways, the
fragments CSV/XLSX and the HTML report, run in a worker behind a progress dialog."""

from __future__ import annotations

import csv
import threading
import zipfile
from pathlib import Path

import pytest
from textual.widgets import Input

from conftest import requires_shared
from qualcode.core.progress import Cancelled
from qualcode.exchange import export_qdc, export_qdpx
from qualcode.exchange.xml import parse_xml, validate
from qualcode.study.study import Study
from qualcode.tui.dialogs.progress import ProgressScreen, SummaryScreen
from qualcode.tui.dialogs.prompts import PromptScreen
from qualcode.tui.palette.exchange import Job
from tui_helpers import app_for, main_screen


async def palette(pilot, command: str) -> None:
    """Run a command by typing its name into the command palette."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*command)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


async def answer(pilot, text: str | None = None) -> str:
    """Submit the open prompt (replacing its proposal with ``text``); return the proposal."""
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PromptScreen), screen
    box = screen.query_one(Input)
    proposed = box.value
    if text is not None:
        box.value = text
    await pilot.press("enter")
    await pilot.pause()
    return proposed


async def finish(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


def counts(path: Path) -> tuple[int, int, int]:
    with Study.open(path, coder="check") as study:
        codings = sum(len(study.document_codings(d.id)) for d in study.documents())
        return len(study.documents()), len(study.codes()), codings


async def test_palette_exports_a_qdpx_that_validates_and_imports_back(sample_study_path: Path, tmp_path: Path):
    target = tmp_path / "uit.qdpx"
    app = app_for(sample_study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await palette(pilot, "Export study as REFI")
        proposed = await answer(pilot, str(target))
        assert proposed.endswith("Voorbeeldstudie-armoede-en-gezinnen.qdpx")  # named after the study
        await finish(pilot)
        sources = counts(sample_study_path)[0]
        assert any(m.startswith("Wrote") and f"{sources} source(s)" in m for m in messages(app))
        main_screen(app)
    assert target.exists()
    with zipfile.ZipFile(target) as archive:
        root = parse_xml(archive.read("project.qde"), str(target))
    assert validate(root, requires_shared("refi-qda", "Project.xsd")) == []
    from qualcode.exchange import import_qdpx_new

    import_qdpx_new(tmp_path / "back.qualcode", target, "check")
    assert counts(tmp_path / "back.qualcode") == counts(sample_study_path)


async def test_qdc_import_adds_the_codes_and_u_undoes_it(study_path: Path, tmp_path: Path):
    book = tmp_path / "codeboek.qdc"
    with Study.open(study_path, coder="tester") as source:
        export_qdc(source, book)
        expected = {c.path for c in source.codes()}
    empty = tmp_path / "leeg.qualcode"
    Study.create(empty, "leeg").close()
    app = app_for(empty)
    async with app.run_test(size=(120, 40)) as pilot:
        main = main_screen(app)
        assert main.codes == {}
        await palette(pilot, "Import REFI-QDA codebook")
        await answer(pilot, str(book))
        await finish(pilot)
        assert {c.path for c in main.codes.values()} == expected  # reloaded without a restart
        await pilot.press("u")
        await pilot.pause()
        assert main.codes == {}


async def test_qdc_import_proposes_the_newest_codebook_beside_the_study(study_path: Path, tmp_path: Path):
    book = tmp_path / "codeboek.qdc"
    with Study.open(study_path, coder="tester") as source:
        export_qdc(source, book)
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_import_qdc()
        await pilot.pause()
        assert Path(app.screen.query_one(Input).value).resolve() == book.resolve()


async def test_qdpx_into_a_study_with_documents_makes_a_new_study_and_opens_it(
    study_path: Path, sample_study_path: Path, tmp_path: Path
):
    project = tmp_path / "uitwisseling.qdpx"
    with Study.open(sample_study_path, coder="tester") as sample:
        export_qdpx(sample, project)
    before = counts(study_path)
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await palette(pilot, "Import REFI-QDA project")
        await answer(pilot, str(project))
        proposed = await answer(pilot)  # the offer of a new study beside this one; Enter accepts
        assert proposed.endswith("uitwisseling.qualcode")
        await finish(pilot)
        new = tmp_path / "uitwisseling.qualcode"
        assert app.study.path == new
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        main = main_screen(app)
        assert main.study is app.study
        assert len(main.browser.rows) == counts(sample_study_path)[0] and main.document is not None
    assert counts(study_path) == before  # nothing merged into the study that was open
    assert counts(new) == counts(sample_study_path)


async def test_qdpx_into_an_empty_study_fills_it(sample_study_path: Path, tmp_path: Path):
    project = tmp_path / "p.qdpx"
    with Study.open(sample_study_path, coder="tester") as sample:
        export_qdpx(sample, project)
    empty = tmp_path / "leeg.qualcode"
    Study.create(empty, "leeg").close()
    app = app_for(empty)
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_import_qdpx()
        await answer(pilot, str(project))
        await finish(pilot)
        # One line of summary (everything placed) is a notification, not a dialog.
        sources = counts(sample_study_path)[0]
        assert any(m.startswith(f"Imported p.qdpx: {sources} source(s)") for m in messages(app))
        main = main_screen(app)
        assert main.document is not None and len(main.browser.rows) == sources
    assert counts(empty) == counts(sample_study_path)


async def test_a_bad_qdpx_is_one_error_line_and_changes_nothing(study_path: Path, tmp_path: Path):
    bad = tmp_path / "kapot.qdpx"
    bad.write_bytes(b"not a zip at all")
    empty = tmp_path / "leeg.qualcode"
    Study.create(empty, "leeg").close()
    app = app_for(empty)
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_import_qdpx()
        await answer(pilot, str(bad))
        await finish(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "kapot.qdpx" in errors[0].message and "\n" not in errors[0].message
        main_screen(app)
    assert counts(empty) == (0, 0, 0)


async def test_prompt_refuses_a_missing_file_and_stays_open(study_path: Path, tmp_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_import_qdc()
        await answer(pilot, str(tmp_path / "nergens.qdc"))
        assert isinstance(app.screen, PromptScreen)
        assert "No file" in str(app.screen.query_one("#prompt-error").render())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_fragments_export_writes_every_coding(sample_study_path: Path, tmp_path: Path, suffix: str):
    target = tmp_path / f"fragmenten{suffix}"
    app = app_for(sample_study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await palette(pilot, "Export coded fragments")
        await answer(pilot, str(target))
        await finish(pilot)
    total = counts(sample_study_path)[2]
    if suffix == ".csv":
        with target.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    else:
        from openpyxl import load_workbook

        rows = list(load_workbook(target, read_only=True).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == total > 0


async def test_report_is_written_and_an_existing_file_is_replaced_only_after_yes(
    sample_study_path: Path, tmp_path: Path
):
    target = tmp_path / "rapport.html"
    target.write_text("oud")
    app = app_for(sample_study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await palette(pilot, "Write HTML report")
        await answer(pilot, str(target))
        await pilot.press("n")  # do not replace
        await finish(pilot)
        assert target.read_text() == "oud"
        app.action_write_report()
        await answer(pilot, str(target))
        await pilot.press("y")
        await finish(pilot)
    assert "Voorbeeldstudie armoede en gezinnen" in target.read_text(encoding="utf-8")


async def test_escape_cancels_work_that_reports_progress(study_path: Path):
    started, stopped = threading.Event(), threading.Event()

    def run(progress) -> list[str]:
        started.set()
        try:
            for i in range(10_000):
                progress(i, 10_000, f"item {i}")
                threading.Event().wait(0.005)
        except Cancelled:
            stopped.set()
            raise
        return ["done"]

    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.run_job(Job("Slow work", run))
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)
        started.wait(5)
        await pilot.press("escape")
        await finish(pilot)
        assert stopped.is_set()
        assert any("cancelled" in m for m in messages(app))
        main_screen(app)
