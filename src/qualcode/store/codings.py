"""SQL for codings, coders and memos."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from qualcode.store.core import Store, now

CODING_COLUMNS = (
    'c.id, c.document_id, c.code_id, c.coder_id, c.start, c."end", c.memo, c.origin, c.created_at, k.name AS coder'
)


def coder_id(store: Store, name: str) -> int:
    """The id of a coder, adding the coder on first use (not an undoable action)."""
    found = store.scalar("SELECT id FROM coders WHERE name = ?", (name,))
    if found is not None:
        return int(found)
    cursor = store.conn.execute("INSERT OR IGNORE INTO coders (name) VALUES (?)", (name,))
    if cursor.lastrowid and cursor.rowcount:
        return int(cursor.lastrowid)
    return int(store.scalar("SELECT id FROM coders WHERE name = ?", (name,)))


def coders(store: Store) -> list[sqlite3.Row]:
    return store.rows(
        "SELECT k.id, k.name, (SELECT count(*) FROM codings c WHERE c.coder_id = k.id) AS codings "
        "FROM coders k ORDER BY k.name"
    )


def insert_coding(
    store: Store,
    *,
    document_id: int,
    code_id: int,
    coder_id: int,
    start: int,
    end: int,
    memo: str = "",
    origin: str = "manual",
) -> int:
    return store.insert(
        "codings",
        {
            "document_id": document_id,
            "code_id": code_id,
            "coder_id": coder_id,
            "start": start,
            "end": end,
            "memo": memo,
            "origin": origin,
            "created_at": now(),
        },
    )


def find_coding(store: Store, document_id: int, code_id: int, coder_id: int, start: int, end: int) -> int | None:
    return store.scalar(
        'SELECT id FROM codings WHERE document_id = ? AND code_id = ? AND coder_id = ? AND start = ? AND "end" = ?',
        (document_id, code_id, coder_id, start, end),
    )


def get_coding(store: Store, coding_id: int) -> sqlite3.Row | None:
    return store.row(
        f"SELECT {CODING_COLUMNS} FROM codings c JOIN coders k ON k.id = c.coder_id WHERE c.id = ?",
        (coding_id,),
    )


def document_codings(store: Store, document_id: int) -> list[sqlite3.Row]:
    return store.rows(
        f"SELECT {CODING_COLUMNS} FROM codings c JOIN coders k ON k.id = c.coder_id "
        'WHERE c.document_id = ? ORDER BY c.start, c."end", c.id',
        (document_id,),
    )


def codings_at(store: Store, document_id: int, offset: int) -> list[sqlite3.Row]:
    return store.rows(
        f"SELECT {CODING_COLUMNS} FROM codings c JOIN coders k ON k.id = c.coder_id "
        'WHERE c.document_id = ? AND c.start <= ? AND c."end" > ? ORDER BY c.start, c.id',
        (document_id, offset, offset),
    )


def update_coding(store: Store, coding_id: int, fields: dict[str, Any]) -> None:
    store.update("codings", coding_id, fields)


def delete_coding(store: Store, coding_id: int) -> None:
    store.delete("codings", coding_id)


def coding_memo_ids(store: Store, coding_id: int) -> list[int]:
    return [r[0] for r in store.rows("SELECT id FROM memos WHERE target = 'coding' AND target_id = ?", (coding_id,))]


# -- memos ---------------------------------------------------------------------------------


def get_memo(store: Store, target: str, target_id: int, coder_id: int) -> sqlite3.Row | None:
    return store.row(
        "SELECT * FROM memos WHERE target = ? AND target_id = ? AND coder_id = ?", (target, target_id, coder_id)
    )


def set_memo(store: Store, target: str, target_id: int, coder_id: int, text: str) -> int | None:
    existing = get_memo(store, target, target_id, coder_id)
    if existing is None:
        if not text:
            return None
        return store.insert(
            "memos",
            {"target": target, "target_id": target_id, "coder_id": coder_id, "text": text, "updated_at": now()},
        )
    if not text:
        store.delete("memos", existing["id"])
        return None
    store.update("memos", existing["id"], {"text": text, "updated_at": now()})
    return int(existing["id"])


def memos(store: Store, target: str | None = None, target_id: int | None = None) -> list[sqlite3.Row]:
    clauses: list[str] = []
    params: list[object] = []
    if target:
        clauses.append("m.target = ?")
        params.append(target)
    if target_id is not None:
        clauses.append("m.target_id = ?")
        params.append(target_id)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return store.rows(
        f"SELECT m.id, m.target, m.target_id, m.text, m.updated_at, k.name AS coder "
        f"FROM memos m JOIN coders k ON k.id = m.coder_id {where} ORDER BY m.target, m.target_id, m.id",
        params,
    )


def delete_memo(store: Store, memo_id: int) -> None:
    store.delete("memos", memo_id)


def search_documents(store: Store, fts_query: str, document_ids: Sequence[int] | None = None) -> list[sqlite3.Row]:
    where = ""
    params: list[Any] = [fts_query]
    if document_ids is not None:
        where = f" AND d.id IN ({','.join('?' * len(document_ids))})"
        params.extend(document_ids)
    return store.rows(
        "SELECT d.id, d.title, d.text FROM documents_fts f JOIN documents d ON d.id = f.rowid "
        f"WHERE documents_fts MATCH ?{where} ORDER BY f.rank",
        params,
    )


def coding_memos(store: Store, coding_id: int | None = None) -> list[sqlite3.Row]:
    where = "AND c.id = ?" if coding_id is not None else ""
    params = (coding_id,) if coding_id is not None else ()
    return store.rows(
        f"SELECT c.id, c.memo, c.created_at, k.name AS coder FROM codings c JOIN coders k ON k.id = c.coder_id "
        f"WHERE c.memo != '' {where} ORDER BY c.id",
        params,
    )


def memo_coding_ids(store: Store, document_id: int) -> list[int]:
    """Ids of a document's codings that carry a memo (their own, or one in ``memos``)."""
    return [
        int(r[0])
        for r in store.rows(
            "SELECT id FROM codings WHERE document_id = ? AND memo != '' "
            "UNION SELECT m.target_id FROM memos m JOIN codings c ON c.id = m.target_id "
            "WHERE m.target = 'coding' AND c.document_id = ? AND m.text != ''",
            (document_id, document_id),
        )
    ]


def memo_overview(store: Store) -> list[sqlite3.Row]:
    """Every memo with where it is: target, target_id, text, updated_at, coder, and for a
    memo on a coding or a document the document (id, title), for a coding its span, code and
    coded words (at most 300 characters), for a code its id. In no particular order (a
    coding's memo has no date of its own: ``updated_at`` is then the coding's)."""
    return store.rows(
        "SELECT 'coding' AS target, c.id AS target_id, c.memo AS text, c.created_at AS updated_at, "
        'k.name AS coder, c.document_id, d.title, c.start, c."end", c.code_id, '
        'substr(d.text, c.start + 1, min(c."end" - c.start, 300)) AS words '
        "FROM codings c JOIN coders k ON k.id = c.coder_id JOIN documents d ON d.id = c.document_id "
        "WHERE c.memo != '' "
        "UNION ALL "
        'SELECT m.target, m.target_id, m.text, m.updated_at, k.name, d.id, d.title, c.start, c."end", '
        "CASE m.target WHEN 'code' THEN m.target_id ELSE c.code_id END, "
        'substr(d.text, c.start + 1, min(c."end" - c.start, 300)) '
        "FROM memos m JOIN coders k ON k.id = m.coder_id "
        "LEFT JOIN codings c ON m.target = 'coding' AND c.id = m.target_id "
        "LEFT JOIN documents d ON d.id = CASE m.target WHEN 'document' THEN m.target_id "
        "WHEN 'coding' THEN c.document_id END "
        "WHERE m.text != ''",
    )
