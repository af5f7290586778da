"""Suggested codings for review: keyword hits and model candidates, one sentence each.

Left, the codes with how many candidates each has ("All codes" first); right, the candidates
of the chosen code, best first: the model's score, the keyword's precision, the sentence, the
code and the document; below, the sentence with its neighbours. Nothing is coded until the
researcher accepts (a); a rejected candidate (x) is not shown again and teaches the model.

Opening is quick: the screen paints at once and shows the ranking kept in the study
(:mod:`qualcode.assist.persist`) when it fits the study's present state, a page of rows at a
time (more load as the cursor nears the end). Otherwise (new codings or decisions since) it
shows the last kept ranking, its title saying what it was ranked before ("ranked before 1 new
coding · updating…"), while a thread worker brings the models up to date — fitting again only
the codes whose examples changed (the others keep their models: see
:func:`qualcode.assist.learn.train`), with a progress bar — ranks and keeps the result. The
worker reads and writes the study on a connection of its own. A decision made here (accept,
reject) removes its candidate at once; the scores wait for `t` or the next `S`, and the title
says they were ranked before it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from qualcode.core.errors import QualcodeError
from qualcode.core.progress import Cancelled, CancelToken, cancellable
from qualcode.study.study import Study
from qualcode.tui.messages import JumpTo, StudyChanged

if TYPE_CHECKING:
    from qualcode.assist.assistant import Suggestion
    from qualcode.assist.persist import Ranked
    from qualcode.assist.settings import Settings

ALL = -1  # the "All codes" row
PAGE = 100  # rows added to the table at a time: measuring thousands of rows took seconds
SOURCES = ("both", "model", "rules")
MIN_SCORE = 0.3  # assist.assistant.DEFAULT_MIN_SCORE (not imported: it pulls in numpy)


@dataclass(frozen=True)
class Trained:
    """What one worker run found, handed from the worker to the UI thread."""

    ranked: Ranked
    fresh: bool  # trained now, not loaded from the study
    fitted: int  # codes whose models were fitted in this run (the others' were kept)
    kept: bool  # already kept in the study (by the worker, on its own connection)
    warning: str = ""  # why the result could not be kept in the study


def by_source(candidates: list[Suggestion], source: str) -> list[Suggestion]:
    """The candidates of one source, from the ranking of both: model candidates are those
    the model scores at least 0.3, keyword candidates those a keyword matched."""
    if source == "model":
        return [
            replace(s, source="model", keywords=(), keyword_score=None)
            for s in candidates
            if s.score is not None and s.score >= MIN_SCORE
        ]
    if source == "rules":
        found = [replace(s, source="rules") for s in candidates if s.keywords]
        return sorted(found, key=lambda s: -(s.keyword_precision if s.keyword_precision is not None else -1.0))
    return list(candidates)


class SuggestionTable(DataTable):  # type: ignore[type-arg]
    """The candidates; Enter jumps (shown in the footer, which DataTable's own hides)."""

    BINDINGS = [Binding("enter", "select_cursor", "Jump", id="suggestions.jump_row")]


class SuggestionsScreen(Screen[None]):
    """Review suggested codings: accept, reject, jump, retrain."""

    CSS = """
    SuggestionsScreen #suggestions-title { height: 1; padding: 0 1; background: $panel; width: 1fr; }
    SuggestionsScreen #suggestions-codes { width: 38; height: 1fr; }
    SuggestionsScreen.-narrow #suggestions-codes { width: 24; }
    SuggestionsScreen #suggestions-list { width: 1fr; height: 1fr; }
    SuggestionsScreen #suggestions-context { height: 7; border-top: solid $primary; padding: 0 1; }
    SuggestionsScreen.-narrow #suggestions-context { height: 6; }
    SuggestionsScreen #suggestions-progress { height: 1; display: none; }
    SuggestionsScreen #suggestions-progress.busy { display: block; }
    """
    BINDINGS = [
        Binding("a", "accept", "Accept", id="suggestions.accept"),
        Binding("x", "reject", "Reject", id="suggestions.reject"),
        Binding("enter", "jump", "Jump", show=False, id="suggestions.jump"),
        Binding(
            "t",
            "retrain",
            "Update",
            id="suggestions.retrain",
            tooltip="Bring the models up to date with the codings and decisions (only the codes they changed)",
        ),
        Binding(
            "s", "cycle_source", "Source", id="suggestions.source", tooltip="Show both, model or keyword candidates"
        ),
        Binding("escape", "close", "Close", id="suggestions.close"),
    ]

    def __init__(self, study: Study, settings: Settings | None = None) -> None:
        super().__init__()
        self.study = study
        self._settings = settings
        self.source = "both"
        self.ranked: Ranked | None = None
        self.stale = False
        """What is shown was ranked for an earlier state of the study (the title says so)."""
        self.updating = False
        """A worker is bringing the models and the ranking up to date."""
        self.candidates: list[Suggestion] = []
        """The ranking of both sources (what ``ranked`` holds, minus the decided ones)."""
        self.shown: list[Suggestion] = []
        self.loaded = 0
        self.code_filter = ALL
        self.statuses: dict[int, str] = {}
        self._columns: tuple[int, ...] = ()
        self._decided: set[tuple[str, int]] = set()
        """(key, code) of the candidates decided on since ``ranked`` was made."""

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from qualcode.assist.settings import Settings

            self._settings = Settings()
        return self._settings

    @property
    def helper(self):  # type: ignore[no-untyped-def]
        from qualcode.assist import assistant

        return assistant(self.study)

    def compose(self) -> ComposeResult:
        yield Label("Suggestions · loading…", id="suggestions-title")
        yield ProgressBar(id="suggestions-progress", show_eta=False)
        with Horizontal():
            yield DataTable(id="suggestions-codes", cursor_type="row", zebra_stripes=True)
            with Vertical():
                yield SuggestionTable(id="suggestions-list", cursor_type="row", zebra_stripes=True)
                yield Static("", id="suggestions-context")
        yield Footer()

    def on_mount(self) -> None:
        self._layout()
        self.call_after_refresh(self._open)  # paint first, then load

    def on_resize(self) -> None:
        if self.is_mounted and self._layout():
            self._refresh_codes()
            self._refresh_list()

    def _layout(self) -> bool:
        """Size the candidate columns to the screen, the sentence taking what is left (so it
        is readable at 80 columns too); return whether they changed."""
        width = self.size.width or 120
        narrow = width < 100
        self.set_class(narrow, "-narrow")
        codes = 24 if narrow else 38
        # the code list: names cut to what is left beside the count (the whole path is in the
        # context pane), so that the count is never pushed off the panel
        code_list = self.query_one("#suggestions-codes", DataTable)
        name_width = codes - 4 - 2 * 2 - 2  # the count, cell padding, the scroll bar
        if not code_list.columns or code_list.ordered_columns[0].width != name_width:
            code_list.clear(columns=True)
            code_list.add_column("Code", width=name_width, key="code")
            code_list.add_column("#", width=4, key="count")
        code, document = (12, 0) if narrow else (16, 16)
        fixed = [5, 4, code] + ([document] if document else [])
        padding = 2 * (len(fixed) + 1) + 2  # cell padding, and the scroll bar
        sentence = max(20, width - codes - sum(fixed) - padding)
        columns = (fixed[0], fixed[1], sentence, *fixed[2:])
        if columns == self._columns:
            return False
        self._columns = columns
        table = self.query_one("#suggestions-list", SuggestionTable)
        table.clear(columns=True)
        names = ["Model", "Kw", "Sentence", "Code", "Document"][: len(columns)]
        for name, size in zip(names, columns, strict=True):
            table.add_column(name, width=size, key=name)
        self.loaded = 0
        return True

    # -- ranking (kept in the study, or in a worker) --------------------------------------

    def _open(self) -> None:
        """Show the newest kept ranking; when it was ranked before the study's present state
        (or there is none), bring it up to date in a worker once it has been painted."""
        from qualcode.assist import persist

        kept = persist.latest_ranked(self.study.store, self.settings)
        if kept is not None:
            self._take(kept, stale=kept.stamp != self.helper.stamp())
            if not self.stale:
                return
        self._start("updating…" if kept is not None else "training the models (the first time only)…")

    def action_retrain(self) -> None:
        """`t`: bring the models up to date with the codings and decisions since they were
        trained (a fit is deterministic, so the codes whose examples did not change keep
        their models: the result is what training from scratch would give)."""
        if self.updating:
            return
        if self.ranked is not None and not self.stale and self.ranked.stamp == self.helper.stamp():
            self.notify("Up to date: no coding or decision since this ranking.")
            return
        self._start("updating…")

    def _start(self, state: str) -> None:
        bar = self.query_one("#suggestions-progress", ProgressBar)
        bar.add_class("busy")
        bar.update(total=None)
        self.updating = True
        self._set_title(state)
        # The worker waits for the kept list to be painted before it takes its share of the
        # interpreter (at most a second): the list shows, and answers keys, first.
        painted = threading.Event()
        self.call_after_refresh(painted.set)
        self._rank(painted)

    # exit_on_error=False: a failed training is reported on the screen (see _worker_done),
    # it must not take the user's session down with it.
    @work(thread=True, exclusive=True, group="suggestions-train", exit_on_error=False)
    def _rank(self, painted: threading.Event | None = None) -> Trained:
        """Load, train and rank off the UI thread; keep the result in the study. Touches no
        attribute of the screen: the result is taken over in ``_worker_done``, so a cancelled
        run that is still finishing cannot overwrite a newer one's."""
        from qualcode.assist.assistant import Assistant, assistant

        worker = get_current_worker()
        token = CancelToken(lambda: worker.is_cancelled)
        if painted is not None:
            painted.wait(1.0)

        def show(done: int, total: int, _: str) -> None:
            self.app.call_from_thread(self._progress, done, total)

        with self.study.own_connection() as study:
            own = study is not self.study
            helper = Assistant(study) if own else assistant(study)
            ranked, fitted = helper.update_ranking(self.settings, progress=cancellable(show, token), check=token.check)
            # An in-memory study's one connection is the UI thread's: it is kept there.
            warning = _keep(study, ranked, helper if fitted is not None else None) if own else ""
        return Trained(ranked, fresh=fitted is not None, fitted=fitted or 0, kept=own, warning=warning)

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#suggestions-progress", ProgressBar).update(total=max(total, 1), progress=done)

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "suggestions-train":
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.query_one("#suggestions-progress", ProgressBar).remove_class("busy")
            self.updating = False
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, Trained):
            result = event.worker.result
            warning = result.warning
            if not result.kept:  # ranked on the app's own (in-memory) study: kept here
                warning = _keep(self.study, result.ranked, self.helper if result.fresh else None)
            if warning:  # a read-only study: it still works, only slower next time
                self.notify(f"the models could not be kept in the study: {warning}", severity="warning")
            decided = self._decided
            # decisions made while the worker ran: their candidates stay away, and the list
            # says it was ranked before them
            self._take(result.ranked, stale=result.ranked.stamp != self.helper.stamp(), decided=decided)
            if decided:
                self._keep_decided()
            trained = sum(1 for s in self.statuses.values() if s in ("trained", "calibrated"))
            if result.fresh and result.fitted < trained:  # an update (not the first training)
                self.notify(
                    f"Models updated: {result.fitted} of {trained} fitted again, the others' examples unchanged."
                )
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, Cancelled):
                self._set_title()
                return
            message = str(error) if isinstance(error, QualcodeError) else f"training failed: {error!r}"
            self.notify(message, severity="error")
            self._set_title("training failed")
        elif event.state == WorkerState.CANCELLED:
            self._set_title()

    def _take(self, ranked: Ranked, *, stale: bool, decided: set[tuple[str, int]] | None = None) -> None:
        current = self.current
        self.ranked, self.stale = ranked, stale
        self.statuses = dict(ranked.statuses)
        self.candidates = [s for s in ranked.candidates if (s.key, s.code_id) not in (decided or set())]
        self._decided = set(decided or set())
        self._refresh_codes()
        self._refresh_list(keep=(current.key, current.code_id) if current is not None else None)

    # -- showing --------------------------------------------------------------------------

    def _set_title(self, state: str = "") -> None:
        trained = sum(1 for s in self.statuses.values() if s in ("trained", "calibrated"))
        total = len(self.shown)
        since = ""
        if self.stale and self.ranked is not None:
            from qualcode.assist.persist import describe_changes

            since = f"ranked before {describe_changes(self.ranked.stamp, self.helper.stamp())}"
            if not self.updating and not state:
                state = "t updates"
        parts = [
            f"Suggestions ({self.source})",
            f"{len(by_source(self.candidates, self.source))} candidates",
            f"showing {self.loaded} of {total}, more as you scroll" if self.loaded < total else "",
            f"models for {trained} of {len(self.statuses)} codes" if self.statuses else "",
            since,
            state,
        ]
        self.query_one("#suggestions-title", Label).update(" · ".join(p for p in parts if p))

    def _refresh_codes(self) -> None:
        table = self.query_one("#suggestions-codes", DataTable)
        candidates = by_source(self.candidates, self.source)
        counts: dict[int, int] = {}
        for s in candidates:
            counts[s.code_id] = counts.get(s.code_id, 0) + 1
        keep = self.code_filter
        table.clear()
        table.add_row("All codes", Text(str(len(candidates)), justify="right"), key=str(ALL))
        codes = self.study.codes()
        width = table.ordered_columns[0].width
        for code in codes:
            label = Text(_cut("  " * code.depth + code.name, width))
            if code.id in self.statuses and self.statuses[code.id] not in ("trained", "calibrated"):
                label.stylize("dim")
            table.add_row(label, Text(str(counts.get(code.id, 0)), justify="right"), key=str(code.id))
        rows = [str(ALL)] + [str(c.id) for c in codes]
        if str(keep) in rows:
            table.move_cursor(row=rows.index(str(keep)))
        self._set_title()

    def _refresh_list(self, keep: tuple[str, int] | None = None) -> None:
        """Fill the list again; the cursor stays on the candidate ``keep`` (key, code) when it
        is still listed, else on the same row."""
        table = self.query_one("#suggestions-list", SuggestionTable)
        row = table.cursor_row
        table.clear()
        self.loaded = 0
        self.shown = [s for s in by_source(self.candidates, self.source) if self.code_filter in (ALL, s.code_id)]
        if keep is not None:
            row = next((k for k, s in enumerate(self.shown) if (s.key, s.code_id) == keep), row)
        self._load_more(max(PAGE, row + 1))
        if self.shown:
            table.move_cursor(row=min(max(row, 0), len(self.shown) - 1))
        self._show_context()
        self._set_title()

    def _load_more(self, count: int = PAGE) -> None:
        table = self.query_one("#suggestions-list", SuggestionTable)
        width = self._columns[2] if self._columns else 40
        with_document = len(self._columns) > 4
        for i in range(self.loaded, min(len(self.shown), self.loaded + count)):
            s = self.shown[i]
            sentence = " ".join(s.text.split())
            if len(sentence) > width:
                sentence = sentence[: width - 1] + "…"  # whole in the context pane below
            cells: list[object] = [
                "" if s.score is None else f"{s.score:.2f}",  # two digits: the third is noise
                "" if s.keyword_precision is None else f"{s.keyword_precision:.2f}",
                sentence,
                _cut(s.code.rsplit("/", 1)[-1], self._columns[3] if self._columns else 16),
            ]
            if with_document:
                cells.append(_cut(s.document, self._columns[4]))
            table.add_row(*cells, key=str(i))
        self.loaded = min(len(self.shown), self.loaded + count)

    def _show_context(self) -> None:
        context = self.query_one("#suggestions-context", Static)
        current = self.current
        if current is None:
            note = self.statuses.get(self.code_filter, "") if self.code_filter != ALL else ""
            context.update(note if note not in ("trained", "calibrated") else "No candidates.")
            return
        before, sentence, after = self.helper.context(current)
        text = Text()
        text.append(f"{current.code} · {current.document} · {current.key}", style="bold")
        if current.score is not None:
            text.append(f" · model score {current.score:.2f}{'' if current.calibrated else ' (uncalibrated)'}")
        if current.keyword_score is not None:
            text.append(f" · keyword {current.keyword_score.describe()}", style="italic")
        text.append("\n")
        text.append(before + " ", style="dim")
        text.append(sentence, style="bold reverse")
        text.append(" " + after, style="dim")
        context.update(text)

    @property
    def current(self) -> Suggestion | None:
        table = self.query_one("#suggestions-list", SuggestionTable)
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= min(self.loaded, len(self.shown)):
            return None
        return self.shown[table.cursor_row]

    @on(DataTable.RowHighlighted, "#suggestions-codes")
    def _code_chosen(self, event: DataTable.RowHighlighted) -> None:
        key = int(event.row_key.value) if event.row_key.value is not None else ALL
        if key != self.code_filter:
            self.code_filter = key
            self.query_one("#suggestions-list", SuggestionTable).move_cursor(row=0)
            self._refresh_list()

    @on(DataTable.RowHighlighted, "#suggestions-list")
    def _candidate_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.loaded - 5 and self.loaded < len(self.shown):
            self._load_more()
            self._set_title()
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
        self._decided.add((current.key, current.code_id))
        self.stale = True  # the models have not learnt from this decision yet
        self._keep_decided()
        self._refresh_codes()
        self._refresh_list()
        verb = "Coded" if accept else "Rejected"
        self.notify(
            f"{verb} {current.key} as “{current.code}”" if accept else f"{verb} {current.key} for “{current.code}”"
        )
        self.app.post_message(StudyChanged("suggestion accepted" if accept else "suggestion rejected"))

    def _keep_decided(self) -> None:
        """Keep the list without the decided candidates, so the next S shows them gone at
        once; it keeps the state of the study it was ranked for, so that S also says it was
        ranked before the decisions and brings it up to date."""
        if self.ranked is None:
            return
        decided = self._decided
        kept = [s for s in self.ranked.candidates if (s.key, s.code_id) not in decided]
        _keep(self.study, replace(self.ranked, candidates=kept), None)

    def action_accept(self) -> None:
        self._decide(accept=True)

    def action_reject(self) -> None:
        self._decide(accept=False)

    def action_jump(self) -> None:
        current = self.current
        if current is not None:
            self.app.post_message(JumpTo(current.document_id, current.start, current.end))

    def action_cycle_source(self) -> None:
        """Both → model → keywords: a view of the one ranking, nothing is ranked again."""
        self.source = SOURCES[(SOURCES.index(self.source) + 1) % len(SOURCES)]
        self._refresh_codes()
        self._refresh_list()

    def action_close(self) -> None:
        self.workers.cancel_group(self, "suggestions-train")
        self.app.pop_screen()


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _keep(study: Study, ranked: Ranked, helper) -> str:  # type: ignore[no-untyped-def]
    """Keep the ranking (and the models just trained, with ``helper``) in the study; return
    why not ("" when kept)."""
    from qualcode.assist import persist

    try:
        persist.save_ranked(study.store, ranked)
        if helper is not None:
            helper.save_trained()
    except QualcodeError as exc:
        return str(exc)
    return ""
