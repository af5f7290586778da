"""Imports and exports from the command palette: REFI-QDA projects and codebooks, the coded
fragments as CSV/XLSX and the HTML report.

Each asks for a file with the prompt dialog (a name proposed from the study), then runs in a
thread worker behind a progress dialog, so a large study never freezes the screen. The
worker opens its own connection to the study file: the screen keeps reading on the app's
connection while an import writes on the other, and SQLite's WAL keeps each consistent.
Work that reports progress can be cancelled (the protocol of :mod:`qualcode.core.progress`):
it stops at its next report, and the functions leave nothing behind then (an export writes
its file last, an import is one transaction, a new study file is removed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import get_current_worker

from qualcode.core.errors import QualcodeError
from qualcode.core.progress import Cancelled, CancelToken, Progress, cancellable
from qualcode.study.study import STUDY_SUFFIX, Study
from qualcode.tui.messages import StudyChanged

if TYPE_CHECKING:
    from qualcode.tui.dialogs.progress import ProgressScreen


@dataclass
class Job:
    """One piece of long work and what the app does when it is done."""

    title: str
    run: Callable[[Progress], list[str]]
    """Does the work (in the worker thread) and returns the lines of its summary."""
    cancellable: bool = True
    changes_study: bool = False
    opens: Path | None = None


def file_stem(name: str) -> str:
    """A file name made from a study name: letters, digits, ``.``, ``_`` and ``-`` kept."""
    return re.sub(r"[^\w.-]+", "-", name).strip("-.") or "study"


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def resolve(answer: str, suffix: str | None = None) -> Path:
    """The path a user typed (``~`` expanded, relative to the working folder), with
    ``suffix`` appended when it has another one."""
    path = Path(answer.strip()).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    if suffix and path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    return path


def import_lines(report: Any) -> list[str]:
    """An import's summary: what came in, then one line per file refused or skipped."""
    lines = [
        f"Imported {len(report.imported)} document(s): {report.words} words, {report.turns} turns, "
        f"{report.sentences} sentences."
    ]
    if report.cancelled:
        lines.append("Cancelled: the documents counted above are imported whole; the other files were not imported.")
    lines += [f"Refused: {error}" for error in report.errors]
    lines += [f"Already in the study: {shown(Path(path))} (as “{title}”)" for path, title in report.duplicates]
    lines += [f"Note: {note}" for note in report.unmatched_rows]
    return lines


def free_path(path: Path) -> Path:
    """``path``, or ``name-2``, ``name-3``… when it is taken."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


class ExchangeActions:
    """Mixed into :class:`~qualcode.tui.app.QualcodeApp`: the palette's import/export commands."""

    study: Study
    if TYPE_CHECKING:
        push_screen: Any  # App.push_screen, with its overloads

        def notify(self, message: str, **kw: Any) -> None: ...
        def call_from_thread(self, callback: Any, *args: Any) -> Any: ...
        def post_message(self, message: Any) -> bool: ...

        focused: Any

        def open_study(self, path: Path) -> None: ...

        main: Any

    # -- where files go ------------------------------------------------------------------------

    def _folder(self) -> Path:
        return self.study.path.parent if self.study.path is not None else Path.cwd()

    def _default_output(self, tail: str) -> str:
        """In the working folder, as the retrieval screen's CSV export: where the user started
        the app is where they look for its files (a demo study lives in a hidden data folder)."""
        return shown(Path.cwd() / f"{file_stem(self.study.name)}{tail}")

    def _default_input(self, suffix: str) -> str:
        """The newest ``suffix`` file beside the study or in the working folder, if any."""
        found = {p for folder in {self._folder(), Path.cwd()} for p in folder.glob(f"*{suffix}") if p.is_file()}
        newest = max(found, key=lambda p: p.stat().st_mtime, default=None)
        return shown(newest) if newest is not None else ""

    def _ask_output(self, title: str, default: str, suffixes: tuple[str, ...], then: Callable[[Path], None]) -> None:
        """Ask where to write; a missing suffix gets the first of ``suffixes``; an existing
        file is replaced only after a yes."""
        from qualcode.tui.dialogs.confirm import ConfirmScreen
        from qualcode.tui.dialogs.prompts import PromptScreen

        def target(answer: str) -> Path:
            path = Path(answer.strip()).expanduser()
            return resolve(answer, None if path.suffix.lower() in suffixes else suffixes[0])

        def check(answer: str) -> None:
            if not answer.strip():
                raise ValueError("Type a file name.")
            if not target(answer).parent.is_dir():
                raise ValueError(f"No folder {shown(target(answer).parent)}; choose another place.")

        def answered(answer: str | None) -> None:
            if not answer:
                return
            path = target(answer)
            if path.exists():
                self.push_screen(
                    ConfirmScreen(f"{shown(path)} exists. Replace it?"), lambda yes: then(path) if yes else None
                )
            else:
                then(path)

        self.push_screen(PromptScreen(title, default, check=check), answered)

    def _ask_input(self, title: str, suffix: str, then: Callable[[Path], None]) -> None:
        from qualcode.tui.dialogs.prompts import PromptScreen

        def check(answer: str) -> None:
            path = resolve(answer)
            if not path.is_file():
                raise ValueError(f"No file {shown(path)}.")
            if path.suffix.lower() != suffix:
                raise ValueError(f"{path.name} is not a {suffix} file.")

        self.push_screen(
            PromptScreen(title, self._default_input(suffix), placeholder=f"path/to/file{suffix}", check=check),
            lambda answer: then(resolve(answer)) if answer else None,
        )

    # -- the commands ----------------------------------------------------------------------------

    def action_export_qdpx(self) -> None:
        from qualcode.exchange import export_qdpx

        def start(path: Path) -> None:
            def run(progress: Progress) -> list[str]:
                with self.study.own_connection() as study:
                    s = export_qdpx(study, path, progress)
                return [
                    (
                        f"Wrote {shown(path)}: {s.sources} source(s), {s.codes} code(s), {s.codings} coding(s), "
                        f"{s.notes} note(s), {s.variables} variable(s), {s.users} user(s)."
                    )
                ]

            self.run_job(Job(f"Exporting {path.name}", run))

        self._ask_output(
            "Export the study as a REFI-QDA project (.qdpx)", self._default_output(".qdpx"), (".qdpx",), start
        )

    def action_export_qdc(self) -> None:
        from qualcode.exchange import export_qdc

        def start(path: Path) -> None:
            def run(progress: Progress) -> list[str]:
                with self.study.own_connection() as study:
                    s = export_qdc(study, path)
                return [f"Wrote {shown(path)}: {s.codes} code(s) in {max(s.sets, 1)} codebook(s)."]

            self.run_job(Job(f"Exporting {path.name}", run, cancellable=False))

        self._ask_output("Export the codebook as REFI-QDA (.qdc)", self._default_output(".qdc"), (".qdc",), start)

    def action_import_qdc(self) -> None:
        from qualcode.exchange import import_qdc

        def start(path: Path) -> None:
            def run(progress: Progress) -> list[str]:
                with self.study.own_connection() as study:
                    counts = import_qdc(study, path)
                return [
                    (
                        f"Imported codebook {path.name}: {counts['added']} code(s) added, "
                        f"{counts['updated']} updated ({counts['codes']} in the file). u undoes it."
                    )
                ]

            self.run_job(Job(f"Importing {path.name}", run, cancellable=False, changes_study=True))

        self._ask_input("Import a REFI-QDA codebook (.qdc) into this study's codes", ".qdc", start)

    def action_import_qdpx(self) -> None:
        self._ask_input("Import a REFI-QDA project (.qdpx)", ".qdpx", self._import_qdpx)

    def _import_qdpx(self, qdpx: Path) -> None:
        from qualcode.exchange import import_qdpx, import_qdpx_new
        from qualcode.tui.dialogs.prompts import PromptScreen

        if not self.study.document_rows():

            def into_this(progress: Progress) -> list[str]:
                with self.study.own_connection() as study:
                    return import_qdpx(study, qdpx, progress).lines()

            self.run_job(Job(f"Importing {qdpx.name}", into_this, changes_study=True))
            return

        coder = self.study.coder

        def check(answer: str) -> None:
            path = resolve(answer, STUDY_SUFFIX)
            if path.exists():
                raise ValueError(f"{shown(path)} exists; choose a new name.")
            if not path.parent.is_dir():
                raise ValueError(f"No folder {shown(path.parent)}; choose another place.")

        def answered(answer: str | None) -> None:
            if not answer:
                return
            target = resolve(answer, STUDY_SUFFIX)

            def into_new(progress: Progress) -> list[str]:
                return import_qdpx_new(target, qdpx, coder, progress).lines() + [f"Study: {shown(target)}"]

            self.run_job(Job(f"Importing {qdpx.name} into {target.name}", into_new, opens=target))

        default = shown(free_path(self._folder() / f"{qdpx.stem}{STUDY_SUFFIX}"))
        title = "This study has documents; the project becomes a new study, opened when done. Create it at:"
        self.push_screen(PromptScreen(title, default, check=check), answered)

    def action_export_fragments(self) -> None:
        from qualcode.exchange.tables import write_fragments

        def start(path: Path) -> None:
            def run(progress: Progress) -> list[str]:
                with self.study.own_connection() as study:
                    count = write_fragments(study, path)
                return [f"Wrote {count} coded fragment(s) to {shown(path)}."]

            self.run_job(Job(f"Writing {path.name}", run, cancellable=False))

        self._ask_output(
            "Export every coded fragment (.csv, or .xlsx for Excel)",
            self._default_output("-fragmenten.csv"),
            (".csv", ".xlsx"),
            start,
        )

    def action_write_report(self) -> None:
        from qualcode.analysis.report import write_report

        def start(path: Path) -> None:
            def run(progress: Progress) -> list[str]:
                with self.study.own_connection() as study:
                    write_report(study, path)
                return [f"Wrote the report to {shown(path)}; open it in a browser."]

            self.run_job(Job(f"Writing {path.name}", run, cancellable=False))

        self._ask_output(
            "Write an HTML report of the study", self._default_output("-rapport.html"), (".html", ".htm"), start
        )

    # -- transcripts, a document's attributes, a colleague's work --------------------------------

    def action_import_transcripts(self) -> None:
        """Import transcripts (files or a folder) with metadata, in a worker; the summary
        lists what came in and, one line each, what was refused."""
        from qualcode.tui.dialogs.forms import ImportRequest, ImportScreen

        def start(request: ImportRequest | None) -> None:
            if request is None:
                return
            names = request.paths[0].name if len(request.paths) == 1 else f"{len(request.paths)} paths"

            def run(progress: Progress) -> list[str]:
                with self.study.own_connection() as study:
                    report = study.import_files(
                        request.paths,
                        metadata=request.metadata,
                        sidecar=request.sidecar,
                        skip_errors=True,
                        progress=progress,
                    )
                return import_lines(report)

            self.run_job(Job(f"Importing {names}", run, changes_study=True))

        self.push_screen(ImportScreen(), start)

    def action_edit_document(self) -> None:
        """Edit the open document's role, participant, date, case, wave and attributes."""
        from qualcode.tui.dialogs.forms import DocumentEdit, DocumentEditScreen

        main = self.main
        chosen = main.document.id if main.document is not None else None
        tree = main.browser.doc_tree
        if self.focused is tree and tree.cursor_node is not None and tree.cursor_node.data is not None:
            chosen = int(tree.cursor_node.data)  # the document highlighted in the browser
        if chosen is None:
            self.notify("Open a document first (b shows the documents).", severity="warning")
            return
        document = self.study.document(chosen)  # as it is now (the open one may be edited since)
        fields = {
            "role": document.role,
            "participant": document.participant,
            "interview_date": document.interview_date,
            "case": document.case,
            "wave": document.wave,
        }

        def apply(edit: DocumentEdit) -> list[str]:
            return self.study.edit_document(document.id, dict(edit.fields), edit.attributes)

        def done(changed: list[str] | None) -> None:
            if changed is None:
                return
            if not changed:
                self.notify("Nothing changed.", timeout=3)
                return
            self.post_message(StudyChanged("document attributes"))
            self.notify(f"Changed {', '.join(changed)} of “{document.title}”; u undoes it.", timeout=5)

        self.push_screen(DocumentEditScreen(document.title, fields, dict(document.attributes), apply), done)

    def action_merge_study(self) -> None:
        """Merge a colleague's study file (its codings, coders, codes, memos), in a worker."""
        from qualcode.exchange.merge import merge_study
        from qualcode.tui.dialogs.forms import MergeRequest, MergeScreen

        def start(request: MergeRequest | None) -> None:
            if request is None:
                return
            if self.study.path is not None and request.other.resolve() == self.study.path.resolve():
                self.notify("That is this study itself; choose a colleague's file.", severity="error")
                return

            def run(progress: Progress) -> list[str]:
                with self.study.own_connection() as study:
                    report = merge_study(study, request.other, coders=list(request.coders) or None, progress=progress)
                return [*report.lines(), "u undoes the whole merge."] if report.changed else report.lines()

            self.run_job(Job(f"Merging {request.other.name}", run, changes_study=True))

        self.push_screen(MergeScreen(self._default_input(STUDY_SUFFIX)), start)

    # -- running ---------------------------------------------------------------------------------

    def run_job(self, job: Job) -> None:
        """Show the progress dialog and start the job in the worker."""
        from qualcode.tui.dialogs.progress import ProgressScreen

        dialog = ProgressScreen(job.title, cancellable=job.cancellable)
        self.push_screen(dialog)
        dialog.worker = self._work(job, dialog)

    @work(thread=True, exclusive=True, group="exchange")
    def _work(self, job: Job, dialog: ProgressScreen) -> None:
        worker = get_current_worker()
        token = CancelToken(lambda: worker.is_cancelled)

        def show(done: int, total: int, label: str) -> None:
            self.call_from_thread(dialog.advance, done, total, label)

        lines: list[str] | None = None
        error: str | None = None
        try:
            lines = job.run(cancellable(show, token))
        except Cancelled:
            error = f"{job.title}: cancelled; nothing was written."
        except QualcodeError as exc:
            error = str(exc)
        except OSError as exc:
            error = f"{job.title}: {exc.strerror or exc}"
        except Exception as exc:  # a bug must not take the user's session down with it
            error = f"{job.title} failed: {type(exc).__name__}: {exc}"
        self.call_from_thread(self._finished, job, dialog, lines, error)

    def _finished(self, job: Job, dialog: ProgressScreen, lines: list[str] | None, error: str | None) -> None:
        from qualcode.tui.dialogs.progress import SummaryScreen

        while dialog in self.screen_stack:  # type: ignore[attr-defined]  # the palette may be over it
            self.pop_screen()  # type: ignore[attr-defined]
        if error is not None:
            self.notify(error, severity="warning" if "cancelled" in error else "error", timeout=8)
            return
        if job.changes_study:
            self.post_message(StudyChanged(job.title))
        if job.opens is not None:
            self.open_study(job.opens)
        if lines and len(lines) == 1:
            self.notify(lines[0], timeout=6)
        elif lines:
            self.push_screen(
                SummaryScreen(
                    job.title.replace("Importing", "Imported")
                    .replace("Exporting", "Exported")
                    .replace("Merging", "Merged"),
                    lines,
                )
            )
