"""Working on one study together: who is here, what came in, whether the study is busy.

The TUI's view of other sessions, through the service layer (the TUI holds no SQL). See
:mod:`qualcode.store.presence` for how heartbeats stay out of everyone's way.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from qualcode.core.errors import QualcodeError
from qualcode.store import presence as sql
from qualcode.study.study import Study


@dataclass(frozen=True)
class Colleague:
    coder: str
    document_id: int | None
    title: str | None
    activity: str | None


@dataclass
class Incoming:
    """What other sessions committed since the last look."""

    documents: set[int] = field(default_factory=set)
    codes: set[int] = field(default_factory=set)
    codings: set[int] = field(default_factory=set)
    codebook_changed: bool = False
    documents_changed: bool = False
    summary: list[str] = field(default_factory=list)


def new_session_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def data_version(study: Study) -> int:
    return sql.data_version(study.store)


def change_marker(study: Study) -> tuple[int, int]:
    """Changes when anyone, this session included, commits (see ``on_screen_resume``)."""
    return sql.change_marker(study.store)


def last_history_id(study: Study) -> int:
    return sql.last_history_id(study.store)


def beat(study: Study, session: str, document_id: int | None, activity: str | None = None) -> bool:
    """One heartbeat (skipped, returning False, when the study is busy or no coder is set)."""
    if study.coder is None:
        return False
    return sql.beat(study.store, session, study.coder, document_id, activity)


def leave(study: Study, session: str) -> None:
    sql.leave(study.store, session)


def colleagues(study: Study, session: str) -> list[Colleague]:
    """The other live sessions (a coder with two tabs open counts once per document)."""
    seen: dict[tuple[str, int | None], Colleague] = {}
    for row in sql.present(study.store):
        if row["session"] == session:
            continue
        key = (row["coder"], row["document_id"])
        seen.setdefault(key, Colleague(row["coder"], row["document_id"], row["title"], row["activity"]))
    return list(seen.values())


def incoming(study: Study, after: int, *, mine: str | None = None) -> tuple[Incoming, int]:
    """What history rows newer than ``after`` touched (all coders but ``mine``, whose own
    actions the view already shows), and the newest id seen."""
    found = Incoming()
    newest = after
    counts: dict[str, Counter[str]] = {}
    for row in sql.history_since(study.store, after):
        newest = max(newest, row["id"])
        # The same coder in another tab: patch the view, but announce only colleagues.
        per = Counter() if mine is not None and row["coder"] == mine else counts.setdefault(row["coder"], Counter())
        for _op, table, row_id, document_id, code_id in row["touched"]:
            if table == "codings":
                found.codings.add(row_id)
                if document_id is not None:
                    found.documents.add(document_id)
                if code_id is not None:
                    found.codes.add(code_id)
                per["coding"] += 1
            elif table in ("codes", "code_groups"):
                found.codebook_changed = True
                per["code"] += 1
            elif table == "documents":
                found.documents_changed = True
                per["document"] += 1
            elif table == "memos":
                per["memo"] += 1
    for coder, per in counts.items():
        parts = [f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in per.most_common()]
        if parts:
            found.summary.append(f"{coder}: {', '.join(parts)}")
    return found, newest


def next_step(study: Study, *, undo: bool) -> Incoming:
    """What the coder's next undo (redo) will change, for patching the view after it."""
    found = Incoming()
    for _op, table, row_id, document_id, _code_id in sql.next_step(study.store, undo=undo, coder_id=study.coder_id):
        if table == "codings":
            found.codings.add(row_id)
            if document_id is not None:
                found.documents.add(document_id)
        elif table in ("codes", "code_groups"):
            found.codebook_changed = True
        elif table == "documents":
            found.documents_changed = True
    return found


def coding_spans(study: Study, ids: set[int]) -> list[tuple[int, int, int, int, int, int]]:
    """``(id, code_id, coder_id, start, end, document_id)`` of those codings still there."""
    return sql.coding_spans_by_id(study.store, sorted(ids))


def document_fingerprint(study: Study, document_id: int) -> tuple[int, int]:
    return sql.document_fingerprint(study.store, document_id)


def span_fingerprint(spans: Iterable[tuple[int, int, int, int, int]]) -> tuple[int, int]:
    """:func:`document_fingerprint` computed over ``(id, code_id, coder_id, start, end)``."""
    n = total = 0
    for coding_id, code_id, coder_id, start, end in spans:
        n += 1
        total += coding_id * 7 + code_id * 13 + coder_id * 17 + start * 3 + end * 5
    return n, total


def coding_count(study: Study, document_id: int) -> int:
    return sql.coding_count(study.store, document_id)


def is_busy(exc: BaseException) -> bool:
    """True for "another session holds the write lock" (retry later), whatever layer said it."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "locked" in text or "busy" in text
    if isinstance(exc, QualcodeError):
        text = str(exc).lower()
        return "busy" in text or "locked" in text
    return False


def who_is_writing(study: Study, session: str) -> str:
    """A best guess at who holds the lock: a colleague doing something named (an import), else
    the only other session, else the newest writer in the log."""
    others = colleagues(study, session)
    for other in others:
        if other.activity:
            return f"{other.coder}'s {other.activity}"
    names = {o.coder for o in others}
    if len(names) == 1:
        return next(iter(names))
    try:
        newest = sql.newest_writer(study.store)
    except sqlite3.OperationalError:
        newest = None
    return newest or "another session"


def short_wait(study: Study, milliseconds: int) -> AbstractContextManager[None]:
    """Writes inside wait at most this long for the lock before they hear it is busy (the
    caller retries from a timer, so its screen stays alive); other writes keep the study's
    long busy timeout."""
    return sql.busy_timeout(study.store, milliseconds)
