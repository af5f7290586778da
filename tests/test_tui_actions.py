"""Import, a document's attributes and merge from the TUI (keys and palette), and the help
screen that lists them: each lands in the study as its CLI counterpart does."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from click.testing import CliRunner
from textual.widgets import Input

from qualcode.cli import main as cli
from qualcode.study.study import Study
from qualcode.tui.dialogs.forms import DocumentEditScreen, FormScreen, ImportScreen, MergeScreen
from qualcode.tui.dialogs.progress import ProgressScreen, SummaryScreen
from qualcode.tui.screens.help import screen_keys
from test_tui_exchange import finish, messages, palette
from tui_helpers import app_for, main_screen

TRANSCRIPT = """Interviewer: Hoe gaat het met de schulden?
Ouder: Het gaat beter sinds de coach er is. Ze helpt met de post.
Interviewer: En met de kinderen?
Ouder: De kinderen zitten op voetbal en dat doet ze goed.
"""


def transcripts(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        path = folder / f"ouder-{i + 1}.txt"
        path.write_text(TRANSCRIPT.replace("beter", f"beter ({i + 1})"), encoding="utf-8")
        files.append(path)
    return files


async def fill(pilot, values: dict[str, str], submit: bool = True) -> None:
    """Type into the open form's fields (by name) and submit it."""
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, FormScreen), screen
    for name, value in values.items():
        screen.query_one(f"#form-{name}", Input).value = value
    screen.query_one(f"#form-{next(iter(values))}", Input).focus()
    if submit:
        await pilot.press("enter")
        await pilot.pause()


def empty_study(tmp_path: Path) -> Path:
    path = tmp_path / "leeg.qualcode"
    Study.create(path, "leeg").close()
    return path


async def test_import_from_the_tui_lands_the_documents_with_their_metadata(tmp_path: Path):
    folder = tmp_path / "interviews"
    transcripts(folder, 2)
    (folder / "kapot.docx").write_bytes(b"not a docx at all")
    path = empty_study(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("I")
        assert isinstance(app.screen, ImportScreen)
        await fill(
            pilot,
            {
                "paths": str(folder),
                "role": "ouder",
                "participant": "P-07",
                "case": "G-EM-01",
                "wave": "02",
                "organisation": "Leergeld Emmen",
                "attributes": "gemeente=Emmen; aanpak=Thuis, met coach",
            },
        )
        await finish(pilot)
        summary = app.screen
        assert isinstance(summary, SummaryScreen), messages(app)
        assert summary.lines[0].startswith("Imported 2 document(s)")
        refused = [line for line in summary.lines if line.startswith("Refused:")]
        assert len(refused) == 1 and "kapot.docx" in refused[0]  # one line per refused file
        await pilot.press("escape")
        await pilot.pause()
        assert len(main_screen(app).browser.visible_documents()) == 2  # the browser shows them
    with Study.open(path) as study:
        docs = [study.document(d.id) for d in study.documents()]
        assert sorted(d.source_name for d in docs) == ["ouder-1.txt", "ouder-2.txt"]
        for doc in docs:
            assert (doc.role, doc.participant, doc.case, doc.wave) == ("ouder", "P-07", "G-EM-01", "2")
            assert doc.organisation == "Leergeld Emmen"
            assert doc.attributes == {"gemeente": "Emmen", "aanpak": "Thuis, met coach"}
            assert study.sentences(doc.id) and study.turns(doc.id)


async def test_the_import_form_refuses_a_missing_folder_and_stays_open(tmp_path: Path):
    path = empty_study(tmp_path)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await palette(pilot, "Import transcripts")
        assert isinstance(app.screen, ImportScreen)
        await fill(pilot, {"paths": str(tmp_path / "nergens"), "attributes": "gemeente"})
        assert isinstance(app.screen, ImportScreen)
        assert "no such file or folder" in str(app.screen.query_one("#form-error").render())
    with Study.open(path) as study:
        assert study.documents() == []


async def test_cancelling_an_import_keeps_only_whole_documents(tmp_path: Path, monkeypatch):
    from qualcode.ingest import importer

    folder = tmp_path / "interviews"
    transcripts(folder, 4)
    path = empty_study(tmp_path)
    first_segmented, go_on = threading.Event(), threading.Event()
    real = importer.prepare_text

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        prepared = real(*args, **kwargs)
        first_segmented.set()
        assert go_on.wait(10)
        return prepared

    monkeypatch.setattr(importer, "prepare_text", slow)
    app = app_for(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("I")
        await fill(pilot, {"paths": str(folder), "case": "G-01"})
        assert isinstance(app.screen, ProgressScreen)
        assert first_segmented.wait(10)
        await pilot.press("escape")  # while the first document is being segmented: it is kept, whole
        await pilot.pause()
        go_on.set()
        await finish(pilot)
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert summary.lines[0].startswith("Imported 1 document(s)")
        assert any(line.startswith("Cancelled:") for line in summary.lines)
    with Study.open(path) as study:
        docs = study.documents()
        assert len(docs) == 1  # the one reported, whole: turns, sentences, its case
        assert study.turns(docs[0].id) and study.sentences(docs[0].id)
        assert study.document(docs[0].id).case == "G-01"
        assert study.check() == []


async def test_a_documents_attributes_are_edited_from_the_tui_and_undone_with_u(study_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        main = main_screen(app)
        doc = main.document
        assert doc is not None
        before = app.study.document(doc.id)
        await pilot.press("D")
        form = app.screen
        assert isinstance(form, DocumentEditScreen)
        assert form.query_one("#form-role", Input).value == (before.role or "")
        await fill(pilot, {"case": "G-CO-09", "wave": "3", "role": "kind", "attributes": "gemeente=Emmen"})
        assert app.screen is main, messages(app)
        after = app.study.document(doc.id)
        assert (after.case, after.wave, after.role, after.attributes) == ("G-CO-09", "3", "kind", {"gemeente": "Emmen"})
        await pilot.press("u")
        await pilot.pause()
        undone = app.study.document(doc.id)
        assert (undone.case, undone.wave, undone.role, undone.attributes) == (
            before.case,
            before.wave,
            before.role,
            before.attributes,
        )
        # the palette reaches it too; a field name as an attribute is refused on the dialog
        await palette(pilot, "Edit the open document")
        assert isinstance(app.screen, DocumentEditScreen)
        await fill(pilot, {"attributes": "wave=4"})
        assert isinstance(app.screen, DocumentEditScreen)
        assert "field of the document" in str(app.screen.query_one("#form-error").render())
    with Study.open(study_path) as study:
        assert study.document(doc.id).attributes == before.attributes


async def test_d_in_the_document_browser_edits_the_highlighted_document(study_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # the side panels are mounted just after the first frame
        main = main_screen(app)
        opened = main.document
        assert opened is not None
        tree = main.browser.doc_tree
        tree.focus()
        await pilot.pause()
        other = next(n for n in _nodes(tree.root) if n.data is not None and n.data != opened.id)
        tree.move_cursor(other)
        await pilot.pause()
        await pilot.press("D")
        form = app.screen
        assert isinstance(form, DocumentEditScreen)
        title = app.study.document(other.data).title
        assert title in str(form.query_one(".qc-title").render())
        await fill(pilot, {"participant": "P-nieuw"})
        assert app.study.document(other.data).participant == "P-nieuw"
        assert app.study.document(opened.id).participant != "P-nieuw"


def _nodes(node):  # type: ignore[no-untyped-def]
    yield node
    for child in node.children:
        yield from _nodes(child)


def _colleague(study_path: Path, tmp_path: Path) -> Path:
    """A colleague's copy of the study with codings and a memo by two coders."""
    other = tmp_path / "collega.qualcode"
    shutil.copy(study_path, other)
    for coder in ("collega", "derde"):
        with Study.open(other, coder=coder) as study:
            codes = [c for c in study.codes() if c.parent_id is not None]
            for n, doc in enumerate(study.documents()):
                text = study.document_text(doc.id)
                start = 10 + 7 * n + (3 if coder == "derde" else 0)
                coding = study.add_coding(doc.id, codes[n % len(codes)].id, start, min(len(text), start + 40))
                study.set_memo("coding", coding.id, f"memo van {coder} {n}")
    return other


def _work(path: Path) -> tuple[set[tuple[str, str, str, int, int, str]], int]:
    with Study.open(path) as study:
        paths = {c.id: c.path for c in study.codes()}
        rows = {
            (study.document(d.id).title, paths[c.code_id], c.coder, c.start, c.end, c.memo)
            for d in study.documents()
            for c in study.document_codings(d.id)
        }
        return rows, len(study.codes())


async def test_merge_from_the_tui_equals_the_cli_merge(study_path: Path, tmp_path: Path):
    other = _colleague(study_path, tmp_path)
    by_cli, by_tui = tmp_path / "cli.qualcode", tmp_path / "tui.qualcode"
    shutil.copy(study_path, by_cli)
    shutil.copy(study_path, by_tui)
    done = CliRunner().invoke(
        cli, ["merge", str(other), "--from-coder", "collega", "--study", str(by_cli), "--coder", "tester"]
    )
    assert done.exit_code == 0, done.output
    app = app_for(by_tui)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("G")
        assert isinstance(app.screen, MergeScreen)
        await fill(pilot, {"other": str(other), "coders": "collega"})
        await finish(pilot)
        summary = app.screen
        assert isinstance(summary, SummaryScreen), messages(app)
        assert summary.lines[:-1] == [line for line in done.output.splitlines() if line.strip()]
        await pilot.press("escape")
        await pilot.pause()
    merged, codes = _work(by_tui)
    assert (merged, codes) == _work(by_cli)
    assert {row[2] for row in merged} >= {"collega"} and "derde" not in {row[2] for row in merged}
    assert merged != _work(study_path)[0]


async def test_every_new_action_has_a_key_and_the_help_lists_it_and_the_palette_only_ones(study_path: Path):
    app = app_for(study_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        entries = dict((description, keys) for keys, description in screen_keys(main_screen(app)))
        assert entries["Import transcripts (files or a folder, with metadata)"] == "I"
        assert entries["Edit the document's attributes (case, wave, role, …)"] == "D"
        assert entries["Merge a colleague's study file"] == "G"
        assert entries["Switch coder (who is coding)"] == "C"
        assert entries["Open another study"] == "^o"
        # what has no key is named under "ctrl+p, then"
        assert "Export study as REFI-QDA project (.qdpx)" in entries
        await pilot.press("C")
        await pilot.pause()
        from qualcode.tui.dialogs.coder import CoderScreen

        assert isinstance(app.screen, CoderScreen)
        app.screen.query_one("#coder-name", Input).value = "onderzoeker-b"
        await pilot.press("enter")
        await pilot.pause()
        assert app.study.coder == "onderzoeker-b"
        await pilot.press("ctrl+o")  # open another study: a prompt with this one's path
        await pilot.pause()
        from qualcode.tui.dialogs.prompts import PromptScreen

        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == str(study_path)
        await pilot.press("escape")
        await pilot.pause()
        main_screen(app)
