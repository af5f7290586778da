"""Suggested codings for review: keyword hits and model candidates, one sentence each.

Left, the codes with how many candidates each has ("All codes" first); right, the candidates
of the chosen code, best first, with their score and where they come from; below, the
sentence with its neighbours. Nothing is coded until the researcher accepts (a); a rejected
candidate (x) is not shown again and teaches the model. Training runs in a worker thread
with a progress bar, so the screen stays usable; the worker gets a snapshot of the study
and touches no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from qualcode.assist import Suggestion, assistant
from qualcode.assist.assistant import DEFAULT_MIN_SCORE, SOURCES
from qualcode.assist.learn import Settings
from qualcode.assist.units import Corpus
from qualcode.core.errors import QualcodeError
from qualcode.core.progress import Cancelled, CancelToken, cancellable
from qualcode.study.study import Study
from qualcode.tui.messages import JumpTo, StudyChanged

ALL = -1  # the "All codes" row


@dataclass(frozen=True)
class Trained:
    """What one training run found, handed from the worker to the UI thread."""

    statuses: dict[int, str]
    corpus: Corpus
    candidates: list[Suggestion]
    fresh: bool = True  # trained now (to be kept in the study), not loaded from it


class SuggestionTable(DataTable):  # type: ignore[type-arg]
    """The candidates; Enter jumps (shown in the footer, which DataTable's own hides)."""

    BINDINGS = [Binding("enter", "select_cursor", "Jump", id="suggestions.jump_row")]


class SuggestionsScreen(Screen[None]):
    """Review suggested codings: accept, reject, jump, retrain."""

    CSS = """
    SuggestionsScreen #suggestions-title { height: 1; padding: 0 1; background: $panel; width: 1fr; }
    SuggestionsScreen #suggestions-codes { width: 38; height: 1fr; }
    SuggestionsScreen #suggestions-list { width: 1fr; height: 1fr; }
    SuggestionsScreen #suggestions-context { height: 7; border-top: solid $primary; padding: 0 1; }
    SuggestionsScreen #suggestions-progress { height: 1; display: none; }
    SuggestionsScreen #suggestions-progress.busy { display: block; }
    """
    BINDINGS = [
        Binding("a", "accept", "Accept", id="suggestions.accept"),
        Binding("x", "reject", "Reject", id="suggestions.reject"),
        Binding("enter", "jump", "Jump", show=False, id="suggestions.jump"),
        Binding("t", "retrain", "Retrain", id="suggestions.retrain", tooltip="Train the models again from scratch"),
        Binding("s", "cycle_source", "Source", id="suggestions.source"),
        Binding("escape", "close", "Close", id="suggestions.close"),
    ]

    def __init__(self, study: Study, settings: Settings | None = None) -> None:
        super().__init__()
        self.study = study
        self.helper = assistant(study)
        self.settings = settings or Settings()
        self.source = "both"
        self.candidates: list[Suggestion] = []
        self.shown: list[Suggestion] = []
        self.code_filter = ALL
        self.statuses: dict[int, str] = {}
        self._corpus: Corpus | None = None
        self._stamp: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        yield Label("Suggestions", id="suggestions-title")
        yield ProgressBar(id="suggestions-progress", show_eta=False)
        with Horizontal():
            yield DataTable(id="suggestions-codes", cursor_type="row", zebra_stripes=True)
            with Vertical():
                yield SuggestionTable(id="suggestions-list", cursor_type="row", zebra_stripes=True)
                yield Static("", id="suggestions-context")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#suggestions-codes", DataTable).add_columns("Code", "#")
        # The sentence is what the researcher judges: it comes right after the score, so it is
        # on screen at 80 columns too (the document and source follow).
        self.query_one("#suggestions-list", SuggestionTable).add_columns(
            "Score", "Sentence", "Code", "Source", "Document"
        )
        self.action_retrain(force=False)

    # -- training and ranking (in a worker) -----------------------------------------------

    def action_retrain(self, force: bool = True) -> None:
        """Train the models and rank candidates in a thread; the screen stays usable. Models
        kept in the study for its present state are used instead of training (unless
        ``force``: `t` retrains from scratch)."""
        from qualcode.assist import persist

        self._corpus = None
        snapshot = self.helper.snapshot()  # SQL on this thread; the worker gets plain data
        self._stamp = snapshot[0]
        shown = None if force else persist.load_ranked(self.study.store, snapshot[0], self.settings, self.source)
        if isinstance(shown, tuple) and len(shown) == 2:  # what this state of the study ranked last time
            self.statuses, self.candidates, self._corpus = shown[0], list(shown[1]), snapshot[1]
            self._refresh_codes()
            self._refresh_list()
            return
        saved = None if force else self.helper.load_saved(self.settings, snapshot[0])
        bar = self.query_one("#suggestions-progress", ProgressBar)
        bar.add_class("busy")
        bar.update(total=max(1, len(snapshot[1].codes)), progress=0)
        self._set_title("ranking…" if saved is not None else "training…")
        self._train(snapshot, self.source, saved)

    # exit_on_error=False: a failed training is reported on the screen (see _worker_done),
    # it must not take the user's session down with it.
    @work(thread=True, exclusive=True, group="suggestions-train", exit_on_error=False)
    def _train(self, snapshot, source: str, saved=None) -> Trained:  # type: ignore[no-untyped-def]
        """Train and rank off the UI thread. Touches no attribute of the screen: what it
        found goes back as the worker's result and is taken over in ``_worker_done`` on the
        UI thread, so a cancelled run that is still finishing cannot overwrite a newer one's."""
        worker = get_current_worker()
        token = CancelToken(lambda: worker.is_cancelled)

        def show(done: int, total: int, _: str) -> None:
            self.app.call_from_thread(self._progress, done, total)

        if saved is not None:
            models, statuses = saved, list(saved.statuses.values())
        else:
            statuses = self.helper.train(self.settings, progress=cancellable(show, token), snapshot=snapshot)
            models = self.helper.trained
        token.check()  # cancelled after the last code: the result is not wanted
        by_code = {
            s.code_id: ("calibrated" if s.calibrated else "trained") if s.trained else s.reason for s in statuses
        }
        ranked = self.helper.rank(snapshot[1], models, source=source, limit=None, min_score=DEFAULT_MIN_SCORE)
        return Trained(by_code, snapshot[1], ranked, fresh=saved is None)

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#suggestions-progress", ProgressBar).update(total=max(total, 1), progress=done)

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "suggestions-train":
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.query_one("#suggestions-progress", ProgressBar).remove_class("busy")
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, Trained):
            result = event.worker.result
            self.statuses, self._corpus, self.candidates = result.statuses, result.corpus, list(result.candidates)
            try:  # keep them for the next S (on this thread: the worker has no database)
                from qualcode.assist import persist

                persist.save_ranked(
                    self.study.store, self._stamp, self.settings, self.source, (result.statuses, result.candidates)
                )
                if result.fresh:
                    self.helper.save_trained()
            except QualcodeError as exc:  # a read-only study: it still works, only slower next time
                self.notify(f"the models could not be kept in the study: {exc}", severity="warning")
            self._refresh_codes()
            self._refresh_list()
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, Cancelled):
                return
            message = str(error) if isinstance(error, QualcodeError) else f"training failed: {error!r}"
            self.notify(message, severity="error")
            self._set_title("training failed")

    # -- showing --------------------------------------------------------------------------

    def _set_title(self, state: str = "") -> None:
        trained = sum(1 for s in self.statuses.values() if s in ("trained", "calibrated"))
        parts = [
            f"Suggestions ({self.source})",
            f"{len(self.candidates)} candidates",
            f"models for {trained} of {len(self.statuses)} codes" if self.statuses else "",
            state,
        ]
        self.query_one("#suggestions-title", Label).update(" · ".join(p for p in parts if p))

    def _refresh_codes(self) -> None:
        table = self.query_one("#suggestions-codes", DataTable)
        counts: dict[int, int] = {}
        for s in self.candidates:
            counts[s.code_id] = counts.get(s.code_id, 0) + 1
        keep = self.code_filter
        table.clear()
        table.add_row("All codes", str(len(self.candidates)), key=str(ALL))
        for code in self.study.codes():
            label = Text("  " * code.depth + code.name)
            if code.id in self.statuses and self.statuses[code.id] not in ("trained", "calibrated"):
                label.stylize("dim")
            table.add_row(label, str(counts.get(code.id, 0)), key=str(code.id))
        rows = [str(ALL)] + [str(c.id) for c in self.study.codes()]
        if str(keep) in rows:
            table.move_cursor(row=rows.index(str(keep)))
        self._set_title()

    def _refresh_list(self) -> None:
        table = self.query_one("#suggestions-list", SuggestionTable)
        row = table.cursor_row
        table.clear()
        self.shown = [s for s in self.candidates if self.code_filter in (ALL, s.code_id)]
        self.shown.sort(key=lambda s: -(s.score if s.score is not None else -1.0))
        width = max(24, self.size.width - 38 - 6 - 18 - 6 - 22)  # what the other columns leave
        for i, s in enumerate(self.shown):
            score = "" if s.score is None else f"{s.score:.2f}"
            sentence = " ".join(s.text.split())
            if len(sentence) > width:
                sentence = sentence[: width - 1] + "…"  # whole in the context pane below
            table.add_row(score, sentence, s.code.rsplit("/", 1)[-1], s.source, s.document, key=str(i))
        if self.shown:
            table.move_cursor(row=min(max(row, 0), len(self.shown) - 1))
        self._show_context()

    def _show_context(self) -> None:
        context = self.query_one("#suggestions-context", Static)
        current = self.current
        if current is None:
            note = self.statuses.get(self.code_filter, "") if self.code_filter != ALL else ""
            context.update(note if note not in ("trained", "calibrated") else "No candidates.")
            return
        before, sentence, after = (
            self.helper.context(current, corpus=self._corpus) if self._corpus else ("", current.text, "")
        )
        text = Text()
        text.append(f"{current.code} · {current.document} · {current.key}", style="bold")
        if current.keywords:
            text.append(f" · keywords: {', '.join(current.keywords)}", style="italic")
        if current.score is not None:
            text.append(f" · score {current.score:.2f}{'' if current.calibrated else ' (uncalibrated)'}")
        text.append("\n")
        text.append(before + " ", style="dim")
        text.append(sentence, style="bold reverse")
        text.append(" " + after, style="dim")
        context.update(text)

    @property
    def current(self) -> Suggestion | None:
        table = self.query_one("#suggestions-list", SuggestionTable)
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    @on(DataTable.RowHighlighted, "#suggestions-codes")
    def _code_chosen(self, event: DataTable.RowHighlighted) -> None:
        key = int(event.row_key.value) if event.row_key.value is not None else ALL
        if key != self.code_filter:
            self.code_filter = key
            self._refresh_list()

    @on(DataTable.RowHighlighted, "#suggestions-list")
    def _candidate_highlighted(self) -> None:
        self._show_context()

    @on(DataTable.RowSelected, "#suggestions-list")
    def _candidate_selected(self) -> None:
        self.action_jump()

    # -- actions --------------------------------------------------------------------------

    def _decide(self, accept: bool) -> None:
        current = self.current
        if current is None:
            return
        try:
            if accept:
                self.helper.accept(current.key, current.code_id)
            else:
                self.helper.reject(current.key, current.code_id)
        except QualcodeError as exc:
            self.notify(str(exc), severity="error")
            return
        # the same sentence may stand for several codes; only this code's candidate goes
        self.candidates = [s for s in self.candidates if not (s.key == current.key and s.code_id == current.code_id)]
        self._refresh_codes()
        self._refresh_list()
        verb = "Coded" if accept else "Rejected"
        self.notify(
            f"{verb} {current.key} as “{current.code}”" if accept else f"{verb} {current.key} for “{current.code}”"
        )
        self.app.post_message(StudyChanged("suggestion accepted" if accept else "suggestion rejected"))

    def action_accept(self) -> None:
        self._decide(accept=True)

    def action_reject(self) -> None:
        self._decide(accept=False)

    def action_jump(self) -> None:
        current = self.current
        if current is not None:
            self.app.post_message(JumpTo(current.document_id, current.start, current.end))

    def action_cycle_source(self) -> None:
        self.source = SOURCES[(SOURCES.index(self.source) + 1) % len(SOURCES)]
        self.action_retrain(force=False)  # kept models serve every source

    def action_close(self) -> None:
        self.workers.cancel_group(self, "suggestions-train")
        self.app.pop_screen()
