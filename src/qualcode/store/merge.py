"""SQL for merging another study file into this one: reading the other file (read-only, so
a colleague's file is never changed, not even migrated) and the writes of the merge."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qualcode.core.errors import QualcodeError
from qualcode.store.codes import next_position
from qualcode.store.core import SCHEMA_VERSION, Store

NEEDED_TABLES = {"migrations", "documents", "codes", "coders", "codings", "memos"}


def open_other(path: Path) -> sqlite3.Connection:
    """The other study, opened read-only, after checking that it is a study we can read."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise QualcodeError(f"{path}: not a qualcode study ({exc})") from None
    if not tables >= NEEDED_TABLES:
        conn.close()
        raise QualcodeError(
            f"{path}: not a qualcode study (tables missing: {', '.join(sorted(NEEDED_TABLES - tables))})"
        )
    version = conn.execute("SELECT max(id) FROM migrations").fetchone()[0] or 0
    if version > SCHEMA_VERSION:
        conn.close()
        raise QualcodeError(f"{path}: made by a newer qualcode (schema {version}); upgrade qualcode to merge it")
    return conn


def other_documents(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, sha256, title FROM documents ORDER BY title, id").fetchall()


def other_codes(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, parent_id, name, description, when_to_use, when_not_to_use, example, color, shortcut, "
        "keywords, codebook, position, created_at FROM codes ORDER BY position, id"
    ).fetchall()


def other_coders(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM coders ORDER BY name")]


def other_codings(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        'SELECT c.id, c.document_id, c.code_id, k.name AS coder, c.start, c."end", c.memo, c.origin, c.created_at '
        "FROM codings c JOIN coders k ON k.id = c.coder_id ORDER BY c.document_id, c.start, c.id"
    ).fetchall()


def other_memos(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT m.target, m.target_id, k.name AS coder, m.text, m.updated_at "
        "FROM memos m JOIN coders k ON k.id = m.coder_id ORDER BY m.id"
    ).fetchall()


# -- this study ------------------------------------------------------------------------------


def documents_by_sha(store: Store) -> dict[str, int]:
    return {r[0]: r[1] for r in store.conn.execute("SELECT sha256, id FROM documents")}


def coders_by_name(store: Store) -> dict[str, int]:
    return {r[0]: r[1] for r in store.conn.execute("SELECT name, id FROM coders")}


def codings_in(store: Store, document_ids: Sequence[int]) -> dict[tuple[int, int, int, int, int], tuple[int, str]]:
    """(document, code, coder, start, end) → (id, memo) of the codings in some documents."""
    if not document_ids:
        return {}
    marks = ",".join("?" * len(document_ids))
    rows = store.conn.execute(
        f'SELECT document_id, code_id, coder_id, start, "end", id, memo FROM codings WHERE document_id IN ({marks})',
        list(document_ids),
    )
    return {(r[0], r[1], r[2], r[3], r[4]): (r[5], r[6]) for r in rows}


def memos_here(store: Store) -> dict[tuple[str, int, int], tuple[int, str]]:
    """(target, target_id, coder_id) → (id, text) of every memo in the memos table."""
    rows = store.conn.execute("SELECT target, target_id, coder_id, id, text FROM memos")
    return {(r[0], r[1], r[2]): (r[3], r[4]) for r in rows}


def shortcuts_here(store: Store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT shortcut FROM codes WHERE shortcut IS NOT NULL")}


# -- recorded writes (inside the merge's one action) ----------------------------------------


def insert_code(store: Store, fields: dict[str, Any]) -> int:
    return store.insert("codes", {**fields, "position": next_position(store, fields.get("parent_id"))})


def insert_coding(store: Store, row: dict[str, Any]) -> int:
    return store.insert("codings", row)


def set_coding_memo(store: Store, coding_id: int, memo: str) -> None:
    store.update("codings", coding_id, {"memo": memo})


def insert_memo(store: Store, row: dict[str, Any]) -> int:
    return store.insert("memos", row)


def set_memo_text(store: Store, memo_id: int, text: str, updated_at: str) -> None:
    store.update("memos", memo_id, {"text": text, "updated_at": updated_at})
