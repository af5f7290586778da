"""The assisted-coding service the CLI and the TUI use: candidates, accept, reject.

A suggestion is never applied without review: :meth:`Assistant.suggestions` only lists
candidates; :meth:`Assistant.accept` codes one (origin ``suggested``, the current coder) and
:meth:`Assistant.reject` records that it is wrong, which makes it a negative example the
next time the models are trained. Both are one undoable action.

Trained models are cached in memory per :class:`~qualcode.study.study.Study` and retrained when
the codings, decisions, sentences or codes change (a cheap fingerprint of the study tells).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.assist.rules import KeywordIndex, KeywordScore, best_keyword, keyword_scores, rule_hits
from qualcode.assist.settings import Settings
from qualcode.assist.units import Corpus
from qualcode.core.errors import QualcodeError
from qualcode.core.progress import Progress
from qualcode.store import suggest as sql

if TYPE_CHECKING:
    from qualcode.assist.learn import CodeStatus, ModelSet
    from qualcode.assist.persist import Ranked
    from qualcode.core.models import Code, Coding
    from qualcode.study.study import Study

SOURCES = ("rules", "model", "both")
DEFAULT_MIN_SCORE = 0.3
_KEY = re.compile(r"^\s*(\d+):(\d+):(\d+)\s*$")


@dataclass(frozen=True)
class Suggestion:
    """A candidate passage (one sentence unit) for a code, waiting for review."""

    code_id: int
    code: str  # the code's path
    document_id: int
    document: str  # its title
    sentence_id: int
    start: int
    end: int
    text: str
    score: float | None  # the model's probability; None for a keyword hit the model did not score
    source: str  # "rules", "model" or "both"
    keywords: tuple[str, ...] = ()
    calibrated: bool = False
    keyword_score: KeywordScore | None = None
    """For a keyword hit: its best keyword's precision on the coded sentences so far."""

    @property
    def keyword_precision(self) -> float | None:
        return self.keyword_score.precision if self.keyword_score is not None else None

    @property
    def keyword_basis(self) -> str:
        """``positives/matched`` of the best keyword ("" for no keyword hit): what its
        precision is computed on."""
        ks = self.keyword_score
        return f"{ks.positives}/{ks.matched}" if ks is not None else ""

    @property
    def key(self) -> str:
        """The id the CLI takes for accept and reject: ``document:start:end``."""
        return f"{self.document_id}:{self.start}:{self.end}"

    def as_row(self) -> dict[str, object]:
        return {
            "id": self.key,
            "code": self.code,
            "score": None if self.score is None else round(self.score, 3),
            "source": self.source,
            "keywords": ", ".join(self.keywords),
            "keyword_precision": None if self.keyword_precision is None else round(self.keyword_precision, 3),
            "keyword_basis": self.keyword_basis,
            "document": self.document,
            "text": self.text,
        }


_ASSISTANTS: weakref.WeakKeyDictionary[Study, Assistant] = weakref.WeakKeyDictionary()


def assistant(study: Study) -> Assistant:
    """The study's assistant, created once per open study so its models stay cached."""
    found = _ASSISTANTS.get(study)
    if found is None:
        found = _ASSISTANTS[study] = Assistant(study)
    return found


class Assistant:
    def __init__(self, study: Study) -> None:
        self.study = study
        self._corpus: tuple[tuple[object, ...], Corpus] | None = None
        self._models: ModelSet | None = None
        self._indexes: weakref.WeakKeyDictionary[Corpus, KeywordIndex] = weakref.WeakKeyDictionary()

    # -- state ----------------------------------------------------------------------------

    def corpus(self) -> Corpus:
        """The sentence units and their labels as the study is now (cached until it changes)."""
        return self.snapshot()[1]

    def snapshot(self) -> tuple[tuple[object, ...], Corpus]:
        """The study's fingerprint and corpus. The TUI takes this on its own thread and hands
        it to a worker, which then needs no database access at all."""
        stamp = sql.fingerprint(self.study.store)
        if self._corpus is None or self._corpus[0] != stamp:
            self._corpus = (stamp, Corpus.load(self.study))
        return self._corpus

    def keyword_index(self, corpus: Corpus) -> KeywordIndex:
        found = self._indexes.get(corpus)
        if found is None:
            found = self._indexes[corpus] = KeywordIndex(corpus.units)
        return found

    def models_stale(self, settings: Settings | None = None) -> bool:
        settings = settings or Settings()
        return (
            self._models is None
            or self._models.fingerprint != sql.fingerprint(self.study.store)
            or self._models.settings != settings
        )

    def train(
        self,
        settings: Settings | None = None,
        *,
        progress: Progress | None = None,
        snapshot: tuple[tuple[object, ...], Corpus] | None = None,
        reuse: bool = True,
    ) -> list[CodeStatus]:
        """Bring a model per code up to date; return each code's status (trained, or why not).

        With ``reuse`` a code whose examples are unchanged keeps its model (from this session,
        or kept in the study): the same model a new fit would give, as fitting is
        deterministic (see :func:`qualcode.assist.learn.train`). Without, every code is fitted.
        With a ``snapshot`` (see :meth:`snapshot`) the study is read only for the kept models,
        so this can run in a worker thread on a connection of its own.
        """
        from qualcode.assist.learn import train

        settings = settings or Settings()
        stamp, corpus = snapshot or self.snapshot()
        previous = None
        if reuse:
            previous = self._models if self._models is not None and self._models.settings == settings else None
            previous = previous or self.kept(settings)
        models = train(corpus, settings=settings, progress=progress, previous=previous)
        models.fingerprint = stamp
        self._models = models
        return list(models.statuses.values())

    @property
    def trained(self) -> ModelSet | None:
        """The models trained last (possibly stale), without training."""
        return self._models

    def kept(self, settings: Settings | None = None) -> ModelSet | None:
        """The newest models kept in the study for these settings, whatever state of the
        study they were trained for (None when there are none, or not this user's)."""
        from qualcode.assist import persist

        return persist.latest(self.study.store, settings or Settings())

    def load_saved(self, settings: Settings | None = None, stamp: tuple[object, ...] | None = None) -> ModelSet | None:
        """The models kept in the study for its present state (see assist/persist.py), made
        the current ones; None when there are none that fit."""
        from qualcode.assist import persist

        settings = settings or Settings()
        found = persist.load(self.study.store, stamp or self.snapshot()[0], settings)
        if found is not None:
            self._models = found
        return found

    def save_trained(self) -> None:
        """Keep the current models in the study, for the next `S` or `suggest`."""
        from qualcode.assist import persist

        if self._models is not None:
            persist.save(self.study.store, self._models, self._models.settings)

    def models(self, settings: Settings | None = None) -> ModelSet:
        if self.models_stale(settings) and self.load_saved(settings) is None:
            self.train(settings)
            self.save_trained()
        assert self._models is not None
        return self._models

    def update_ranking(
        self,
        settings: Settings | None = None,
        *,
        progress: Progress | None = None,
        check: Callable[[], None] | None = None,
    ) -> tuple[Ranked, int | None]:
        """What the suggestions screen shows, for the study as it is now: the models kept for
        this state, or brought up to date from the newest kept ones (see :meth:`train`),
        and the candidates of both sources ranked by them. Returns the ranking and how many
        codes were fitted (None: the kept models fitted as they were). Keeps nothing: the
        caller keeps the ranking (:func:`qualcode.assist.persist.save_ranked`) and, when
        codes were fitted, the models (:meth:`save_trained`). ``check`` is called where the
        work may stop (it raises to cancel)."""
        from qualcode.assist import persist

        settings = settings or Settings()
        stamp, corpus = self.snapshot()
        if check is not None:
            check()
        fitted: int | None = None
        if self.load_saved(settings, stamp) is None:
            self.train(settings, progress=progress, snapshot=(stamp, corpus))
            assert self._models is not None
            fitted = len(self._models.fitted)
        models = self._models
        assert models is not None
        if check is not None:
            check()  # cancelled after the last code: the result is not wanted
        by_code = {
            s.code_id: ("calibrated" if s.calibrated else "trained") if s.trained else s.reason
            for s in models.statuses.values()
        }
        candidates = self.rank(corpus, models, source="both", limit=None, min_score=DEFAULT_MIN_SCORE)
        return persist.Ranked(stamp, settings, by_code, candidates, models.trained_at), fitted

    def statuses(self) -> list[CodeStatus]:
        return list(self.models().statuses.values())

    # -- candidates -----------------------------------------------------------------------

    def suggestions(
        self,
        code: str | int | None = None,
        *,
        source: str = "both",
        limit: int | None = 50,
        min_score: float = DEFAULT_MIN_SCORE,
        settings: Settings | None = None,
    ) -> list[Suggestion]:
        """Candidates for one code (or every code), best first.

        ``source`` picks keyword rules, the learned models, or both; in ``both`` a keyword hit
        is listed even when the model scores it low (with that score), and the model's
        candidates above ``min_score``. ``limit`` applies per code.
        """
        if source not in SOURCES:
            raise QualcodeError(f"--source is one of {', '.join(SOURCES)}, not “{source}”")
        corpus = self.corpus()
        code_ids = [self.study.code(code).id] if code is not None else None
        models = self.models(settings) if source in ("model", "both") else None
        return self.rank(corpus, models, code_ids, source=source, limit=limit, min_score=min_score)

    def rank(
        self,
        corpus: Corpus,
        models: ModelSet | None,
        code_ids: Sequence[int] | None = None,
        *,
        source: str = "both",
        limit: int | None = 50,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> list[Suggestion]:
        """Rank candidates from a corpus and trained models (no database access)."""
        import numpy as np  # here: a kept ranking's Suggestions are read without numpy

        code_ids = list(code_ids) if code_ids is not None else list(corpus.codes)
        found: list[Suggestion] = []
        hits: dict[int, dict[int, tuple[str, ...]]] = {}  # code -> unit -> keywords
        if source in ("rules", "both"):
            for hit in rule_hits(corpus, code_ids, index=self.keyword_index(corpus)):
                hits.setdefault(hit.code_id, {})[hit.unit] = hit.keywords
        if source == "rules":
            models = None
        for code_id in code_ids:
            scores = None
            calibrated = False
            candidates: dict[int, Suggestion] = {}
            if models is not None and code_id in models.models:
                scores = models.scores(code_id)
                calibrated = models.statuses[code_id].calibrated
                open_units = np.array(corpus.open_units(code_id), dtype=np.int64)
                for i in open_units[scores[open_units] >= min_score].tolist():
                    candidates[i] = self._make(corpus, code_id, i, float(scores[i]), "model", (), calibrated)
            code_hits = hits.get(code_id, {})
            precision = (
                keyword_scores(
                    corpus,
                    code_id,
                    [k for keywords in code_hits.values() for k in keywords],
                    index=self.keyword_index(corpus),
                )
                if code_hits
                else {}
            )
            for i, keywords in code_hits.items():
                both = i in candidates
                candidates[i] = self._make(
                    corpus,
                    code_id,
                    i,
                    float(scores[i]) if scores is not None else None,
                    "both" if both else "rules",
                    keywords,
                    calibrated,
                    best_keyword([precision[k] for k in keywords]),
                )
            ranked = sorted(candidates.values(), key=_rank_key)
            found.extend(ranked[:limit] if limit else ranked)
        return found

    def _make(
        self,
        corpus: Corpus,
        code_id: int,
        i: int,
        score: float | None,
        source: str,
        keywords: tuple[str, ...],
        calibrated: bool,
        keyword_score: KeywordScore | None = None,
    ) -> Suggestion:
        unit = corpus.units[i]
        return Suggestion(
            code_id=code_id,
            code=corpus.codes[code_id].path,
            document_id=unit.document_id,
            document=corpus.titles.get(unit.document_id, ""),
            sentence_id=unit.id,
            start=unit.start,
            end=unit.end,
            text=unit.text,
            score=score,
            source=source,
            keywords=keywords,
            calibrated=calibrated,
            keyword_score=keyword_score,
        )

    def context(self, suggestion: Suggestion, width: int = 1, corpus: Corpus | None = None) -> tuple[str, str, str]:
        """The sentence with its neighbours in the document: (before, sentence, after).

        Without a ``corpus`` the neighbours are read from the study (one small query), so
        showing a candidate never waits for the whole corpus to load."""
        if corpus is None:
            before_texts, after_texts = sql.neighbour_sentences(
                self.study.store, suggestion.document_id, suggestion.start, suggestion.end, width
            )
            return " ".join(before_texts), suggestion.text, " ".join(after_texts)
        index = corpus.by_key.get((suggestion.document_id, suggestion.start, suggestion.end))
        if index is None:
            return "", suggestion.text, ""
        before, after = corpus.neighbours(index, width)
        return " ".join(u.text for u in before), suggestion.text, " ".join(u.text for u in after)

    def stamp(self) -> tuple[object, ...]:
        """The study's fingerprint (cheap): what kept models and rankings are keyed by."""
        return sql.fingerprint(self.study.store)

    # -- decisions ------------------------------------------------------------------------

    def resolve(self, key: str | int) -> tuple[int, int, int]:
        """``document:start:end`` of a sentence unit, or a sentence id, as (document, start,
        end). Only sentence units are candidates: a decision on any other span could not
        teach the models anything."""
        text = str(key)
        match = _KEY.match(text)
        if match:
            span = (int(match[1]), int(match[2]), int(match[3]))
            if not sql.sentence_exists(self.study.store, *span):
                raise QualcodeError(
                    f"{text.strip()} is not a sentence of document {span[0]}; use an id that `qualcode suggest list` shows"
                )
            return span
        if text.strip().isdigit():
            row = sql.sentence_by_id(self.study.store, int(text))
            if row is None:
                raise QualcodeError(f"no sentence with id {text}; `qualcode suggest list` shows candidate ids")
            return row["document_id"], row["start"], row["end"]
        raise QualcodeError(
            f"“{text}” is not a candidate id; use DOCUMENT:START:END as `qualcode suggest list` shows, or a sentence id"
        )

    def accept(self, key: str | int, code: str | int | Code) -> Coding:
        """Code the candidate passage (origin ``suggested``, the current coder) and record
        the decision, as one undoable action."""
        target = code if not isinstance(code, (str, int)) else self.study.code(code)
        document_id, start, end = self.resolve(key)
        with self.study.store.action(f"accept suggestion “{target.path}” {start}–{end}", coder_id=self.study.coder_id):
            coding = self.study.add_coding(document_id, target, start, end, origin="suggested")
            sql.insert_decision(
                self.study.store,
                document_id=document_id,
                code_id=target.id,
                start=start,
                end=end,
                decision="accepted",
                coder_id=self.study.coder_id,
            )
        return coding

    def reject(self, key: str | int, code: str | int | Code) -> None:
        """Record that the passage does not have the code: it is not suggested again and
        counts as a negative example (undoable)."""
        target = code if not isinstance(code, (str, int)) else self.study.code(code)
        document_id, start, end = self.resolve(key)
        previous = sql.find_decision(self.study.store, document_id, target.id, start, end)
        if previous is not None and previous["decision"] == "rejected":
            raise QualcodeError(f"{document_id}:{start}:{end} was already rejected for “{target.path}”")
        with self.study.store.action(f"reject suggestion “{target.path}” {start}–{end}", coder_id=self.study.coder_id):
            sql.insert_decision(
                self.study.store,
                document_id=document_id,
                code_id=target.id,
                start=start,
                end=end,
                decision="rejected",
                coder_id=self.study.coder_id,
            )

    def decisions(self, code: str | int | None = None) -> list[dict[str, object]]:
        code_id = self.study.code(code).id if code is not None else None
        paths = {c.id: c.path for c in self.study.codes()}
        return [{**dict(r), "code": paths.get(r["code_id"], "")} for r in sql.decisions(self.study.store, code_id)]


def _rank_key(s: Suggestion) -> tuple[float, float, int, int, int]:
    """Best first: the model's score, then the keyword's precision, then more keywords."""
    return (
        -(s.score if s.score is not None else -1.0),
        -(s.keyword_precision if s.keyword_precision is not None else -1.0),
        -len(s.keywords),
        s.document_id,
        s.start,
    )


def counts(suggestions: Sequence[Suggestion]) -> dict[str, int]:
    """Candidates per code path (for the TUI's code list)."""
    out: dict[str, int] = {}
    for s in suggestions:
        out[s.code] = out.get(s.code, 0) + 1
    return out
