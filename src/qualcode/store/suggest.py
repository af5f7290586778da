"""SQL for assisted coding: sentence units with their text, codings and suggestion decisions."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from qualcode.store.core import Store, now


def sentence_units(store: Store, document_ids: Sequence[int] | None = None) -> list[sqlite3.Row]:
    """Every sentence unit with its text, in document and text order.

    The text is cut out of the document in SQL (``substr`` counts code points, as our offsets
    do), so a study's texts are not all held in Python at once.
    """
    where = ""
    params: tuple[int, ...] = ()
    if document_ids is not None:
        where = f"WHERE s.document_id IN ({','.join('?' * len(document_ids))})"
        params = tuple(document_ids)
    return store.rows(
        'SELECT s.id, s.document_id, s.seq, s.start, s."end", s.lemmas, t.role, '
        'substr(d.text, s.start + 1, s."end" - s.start) AS text '
        "FROM sentences s JOIN documents d ON d.id = s.document_id LEFT JOIN turns t ON t.id = s.turn_id "
        f"{where} "
        "ORDER BY s.document_id, s.start",
        params,
    )


def document_titles(store: Store) -> dict[int, str]:
    return {r[0]: r[1] for r in store.rows("SELECT id, title FROM documents")}


def coding_spans(store: Store) -> list[sqlite3.Row]:
    """Every coding's document, code and span (all coders: the team's work teaches)."""
    return store.rows('SELECT document_id, code_id, start, "end" FROM codings ORDER BY document_id, start')


def decisions(store: Store, code_id: int | None = None) -> list[sqlite3.Row]:
    where, params = ("WHERE s.code_id = ?", (code_id,)) if code_id is not None else ("", ())
    return store.rows(
        'SELECT s.id, s.document_id, s.code_id, s.start, s."end", s.decision, s.decided_at, k.name AS coder '
        f"FROM suggestion_decisions s JOIN coders k ON k.id = s.coder_id {where} ORDER BY s.id",
        params,
    )


def find_decision(store: Store, document_id: int, code_id: int, start: int, end: int) -> sqlite3.Row | None:
    return store.row(
        'SELECT id, decision FROM suggestion_decisions WHERE document_id = ? AND code_id = ? AND start = ? AND "end" = ? '
        "ORDER BY id DESC LIMIT 1",
        (document_id, code_id, start, end),
    )


def insert_decision(
    store: Store, *, document_id: int, code_id: int, start: int, end: int, decision: str, coder_id: int
) -> int:
    """Record an accept or reject (a recorded write: undoing the action takes it back)."""
    return store.insert(
        "suggestion_decisions",
        {
            "document_id": document_id,
            "code_id": code_id,
            "start": start,
            "end": end,
            "decision": decision,
            "coder_id": coder_id,
            "decided_at": now(),
        },
    )


def sentence_by_id(store: Store, sentence_id: int) -> sqlite3.Row | None:
    return store.row('SELECT id, document_id, start, "end" FROM sentences WHERE id = ?', (sentence_id,))


def fingerprint(store: Store) -> tuple[object, ...]:
    """A cheap summary that changes whenever codings, decisions or documents change, so a
    cached model knows it is stale (an adjusted or recoded coding changes the sums too)."""
    codings = store.row('SELECT count(*), total(id), total(code_id * 7 + start * 3 + "end") FROM codings')
    decided = store.row("SELECT count(*), total(id) FROM suggestion_decisions")
    sentences = store.row("SELECT count(*), total(id) FROM sentences")
    codes = store.row("SELECT count(*), total(id + ifnull(parent_id, 0) * 31), total(length(keywords)) FROM codes")
    return tuple(v for row in (codings, decided, sentences, codes) for v in tuple(row or ()))


def saved_model(store: Store, key: str) -> sqlite3.Row | None:
    """The kept suggestion models for ``key`` (model bytes and their signature), if any."""
    return store.row("SELECT model, signature FROM suggestion_models WHERE key = ? ORDER BY id DESC LIMIT 1", (key,))


def save_model(store: Store, key: str, model: bytes, signature: str) -> None:
    """Keep one row per kind (the part of ``key`` before ":"; the newest replaces older
    ones of its kind); not an undoable action."""
    kind = key.split(":", 1)[0] + ":"
    with store.action("keep the trained suggestion models", record=False):
        store.conn.execute("DELETE FROM suggestion_models WHERE substr(key, 1, ?) = ?", (len(kind), kind))
        store.conn.execute(
            "INSERT INTO suggestion_models (key, model, signature, created_at) VALUES (?, ?, ?, ?)",
            (key, model, signature, now()),
        )


def forget_models(store: Store, kind: str) -> None:
    """Drop the kept rows of a kind (a format no longer read); not an undoable action."""
    prefix = kind + ":"
    where = "FROM suggestion_models WHERE substr(key, 1, ?) = ?"
    if store.scalar(f"SELECT 1 {where} LIMIT 1", (len(prefix), prefix)) is None:
        return
    with store.action("drop suggestion models of an old format", record=False):
        store.conn.execute(f"DELETE {where}", (len(prefix), prefix))


def latest_model(store: Store, kind: str) -> sqlite3.Row | None:
    """The newest kept row of a kind (the part of the key before ":"), whatever its key."""
    prefix = kind + ":"
    return store.row(
        "SELECT key, model, signature, created_at FROM suggestion_models WHERE substr(key, 1, ?) = ? "
        "ORDER BY id DESC LIMIT 1",
        (len(prefix), prefix),
    )


def sentence_exists(store: Store, document_id: int, start: int, end: int) -> bool:
    """Whether a sentence unit has exactly this span (the only passages a decision is about)."""
    return (
        store.scalar(
            'SELECT 1 FROM sentences WHERE document_id = ? AND start = ? AND "end" = ? LIMIT 1',
            (document_id, start, end),
        )
        is not None
    )


def neighbour_sentences(
    store: Store, document_id: int, start: int, end: int, width: int = 1
) -> tuple[list[str], list[str]]:
    """The texts of up to ``width`` sentences before and after a span in its document."""
    text = 'substr(d.text, s.start + 1, s."end" - s.start)'
    before = store.rows(
        f"SELECT {text} FROM sentences s JOIN documents d ON d.id = s.document_id "
        'WHERE s.document_id = ? AND s."end" <= ? ORDER BY s.start DESC LIMIT ?',
        (document_id, start, width),
    )
    after = store.rows(
        f"SELECT {text} FROM sentences s JOIN documents d ON d.id = s.document_id "
        "WHERE s.document_id = ? AND s.start >= ? ORDER BY s.start LIMIT ?",
        (document_id, end, width),
    )
    return [r[0] for r in reversed(before)], [r[0] for r in after]
