"""Presence and change notices for a study shared by several sessions.

Heartbeats go to the ``presence`` table outside the undo log, each in its own one-statement
transaction with no busy wait: when another session holds the write lock the beat is skipped,
so presence never delays anyone's coding. Change detection reads ``PRAGMA data_version``
(changes when another connection commits; one pragma, no table read).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qualcode.store.core import Store

EXPIRES = 30.0
"""Seconds after its last beat that a session no longer counts as present."""


def data_version(store: Store) -> int:
    return int(store.conn.execute("PRAGMA data_version").fetchone()[0])


def _quick(store: Store, sql: str, params: tuple[Any, ...]) -> bool:
    """Run one write with no busy wait; False when the study is busy (or mid-action)."""
    if store._action is not None or store.conn.in_transaction:
        return False
    conn = store.conn
    old = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute(sql, params)
        return True
    except sqlite3.OperationalError:  # locked or busy: skip this beat
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {old}")


def beat(store: Store, session: str, coder: str, document_id: int | None, activity: str | None = None) -> bool:
    return _quick(
        store,
        "INSERT INTO presence (session, coder, document_id, activity, seen_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(session) DO UPDATE SET coder = excluded.coder, document_id = excluded.document_id, "
        "activity = excluded.activity, seen_at = excluded.seen_at",
        (session, coder, document_id, activity, time.time()),
    )


def leave(store: Store, session: str) -> bool:
    return _quick(store, "DELETE FROM presence WHERE session = ?", (session,))


def present(store: Store, now: float | None = None) -> list[sqlite3.Row]:
    """Live sessions, newest beat first, with the title of the document each has open."""
    cutoff = (time.time() if now is None else now) - EXPIRES
    return store.rows(
        "SELECT p.session, p.coder, p.document_id, d.title, p.activity, p.seen_at FROM presence p "
        "LEFT JOIN documents d ON d.id = p.document_id WHERE p.seen_at >= ? ORDER BY p.seen_at DESC",
        (cutoff,),
    )


def last_history_id(store: Store) -> int:
    return int(store.scalar("SELECT coalesce(max(id), 0) FROM history"))


def history_since(store: Store, after: int, limit: int = 500) -> list[dict[str, Any]]:
    """History rows newer than ``after``: id, coder, description and the (table, row) pairs
    with the documents and codes they touched."""
    rows = store.rows(
        "SELECT h.id, h.description, h.changes, c.name AS coder FROM history h "
        "LEFT JOIN coders c ON c.id = h.coder_id WHERE h.id > ? ORDER BY h.id LIMIT ?",
        (after, limit),
    )
    out = []
    for row in rows:
        try:
            changes = json.loads(row["changes"])
        except ValueError:
            changes = []
        touched = []
        for change in changes:
            op, table, before, after_row = change[:4]  # then guards the undo checks (not needed here)
            values = {**(before or {}), **(after_row or {})}
            touched.append((op, table, values.get("id"), values.get("document_id"), values.get("code_id")))
        out.append(
            {
                "id": int(row["id"]),
                "coder": row["coder"] or "someone",
                "description": row["description"],
                "touched": touched,
            }
        )
    return out


def newest_writer(store: Store) -> str | None:
    return store.scalar("SELECT c.name FROM history h JOIN coders c ON c.id = h.coder_id ORDER BY h.id DESC LIMIT 1")


def next_step(store: Store, *, undo: bool, coder_id: int) -> list[tuple[str, str, Any, Any, Any]]:
    """What this coder's next undo (or redo) would touch, as :func:`history_since` lists it
    (the same choice of entry as :meth:`Store._step`); empty when there is none."""
    if undo:
        sql = "SELECT changes FROM history WHERE undone = 0 AND coder_id = ? ORDER BY id DESC LIMIT 1"
    else:
        sql = "SELECT changes FROM history WHERE undone = 1 AND coder_id = ? ORDER BY id LIMIT 1"
    found = store.scalar(sql, (coder_id,))
    if found is None:
        return []
    touched = []
    for change in json.loads(found):
        op, table, before, after = change[:4]
        values = {**(before or {}), **(after or {})}
        touched.append((op, table, values.get("id"), values.get("document_id"), values.get("code_id")))
    return touched


def change_marker(store: Store) -> tuple[int, int]:
    """Moves when anyone, this connection included, commits a change."""
    return data_version(store), store.conn.total_changes


def coding_spans_by_id(store: Store, ids: list[int]) -> list[tuple[int, int, int, int, int, int]]:
    """``(id, code_id, coder_id, start, end, document_id)`` of those codings that still exist."""
    out: list[tuple[int, int, int, int, int, int]] = []
    cursor = store.conn.cursor()
    cursor.row_factory = None
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" * len(chunk))
        out += cursor.execute(
            f'SELECT id, code_id, coder_id, start, "end", document_id FROM codings WHERE id IN ({marks})', chunk
        ).fetchall()
    return out


def document_fingerprint(store: Store, document_id: int) -> tuple[int, int]:
    """A cheap summary of a document's codings (one aggregate over its index range), to tell
    whether a view that was patched from the history still matches the study."""
    row = store.conn.execute(
        'SELECT count(*), coalesce(sum(id * 7 + code_id * 13 + coder_id * 17 + start * 3 + "end" * 5), 0) '
        "FROM codings WHERE document_id = ?",
        (document_id,),
    ).fetchone()
    return int(row[0]), int(row[1])


def coding_count(store: Store, document_id: int) -> int:
    return int(store.scalar("SELECT count(*) FROM codings WHERE document_id = ?", (document_id,)))


@contextmanager
def busy_timeout(store: Store, milliseconds: int) -> Iterator[None]:
    """A different busy timeout for the writes inside (the previous one restored after)."""
    old = int(store.conn.execute("PRAGMA busy_timeout").fetchone()[0])
    store.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        store.conn.execute(f"PRAGMA busy_timeout = {old}")
