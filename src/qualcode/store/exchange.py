"""SQL for REFI-QDA exchange: whole-study reads for export, bulk writes for import.

Export reads each table once (not per document or per code), which is what keeps a
.qdpx of 1,000 documents and 50,000 codings under the 3 s budget. Import writes codings
and memos in bulk with :meth:`Store.insert_many` inside the import's one action: an
imported project is removed as a whole, like imported documents, not undone row by row.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from qualcode.store.core import Store, now
from qualcode.store.documents import get_meta

STUDY_UUID_KEY = "exchange_uuid"


_STUDY_NAMESPACE = uuid.UUID("5b7f3c1e-0d2a-4c7e-9a51-7a1c0e6f2b90")


def study_uuid(store: Store) -> uuid.UUID:
    """The study's own UUID: kept in ``meta`` (studies that had one), else derived.

    Exported GUIDs are derived from it and row ids, so two exports of the same study give
    the same GUIDs (and diff cleanly) while two studies never share GUIDs.
    """
    found = get_meta(store, STUDY_UUID_KEY)
    if found:
        try:
            return uuid.UUID(found)
        except ValueError:
            pass
    # Derived, never written: an export must not change the study (nor fail on a read-only
    # one). The first migration's time is when the study was made, so the id is stable for
    # this study and its copies, and differs between studies made apart.
    created = store.scalar("SELECT applied_at FROM migrations ORDER BY id LIMIT 1") or ""
    return uuid.uuid5(_STUDY_NAMESPACE, f"{created}|{get_meta(store, 'name') or ''}")


def coders(store: Store) -> list[sqlite3.Row]:
    return store.rows("SELECT id, name FROM coders ORDER BY id")


def documents(store: Store) -> list[sqlite3.Row]:
    """Every document's metadata (without text), with organisation and project."""
    return store.rows(
        "SELECT d.id, d.title, d.language, d.role, d.participant, d.interview_date, d.source_name, "
        "d.imported_at, p.id AS project_id, p.name AS project, o.id AS organisation_id, "
        "o.name AS organisation FROM documents d LEFT JOIN projects p ON p.id = d.project_id "
        "LEFT JOIN organisations o ON o.id = p.organisation_id ORDER BY d.id"
    )


def document_texts(store: Store) -> Iterator[tuple[int, str]]:
    """(id, text) of every document, streamed so a large study is not held twice."""
    yield from store.conn.execute("SELECT id, text FROM documents ORDER BY id")


def attributes(store: Store) -> list[sqlite3.Row]:
    return store.rows("SELECT document_id, name, value FROM document_attributes ORDER BY document_id, name")


def codings(store: Store) -> list[sqlite3.Row]:
    return store.rows(
        'SELECT id, document_id, code_id, coder_id, start, "end", memo, origin, created_at FROM codings '
        'ORDER BY document_id, start, "end", id'
    )


def memos(store: Store) -> list[sqlite3.Row]:
    return store.rows("SELECT id, target, target_id, coder_id, text, updated_at FROM memos ORDER BY id")


def document_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM documents"))


def insert_codings(store: Store, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of codings: dicts with document_id, code_id, coder_id, start, end, memo,
    origin and created_at (filled with now when empty)."""
    stamp = now()
    store.insert_many(
        "codings",
        [
            {
                "document_id": r["document_id"],
                "code_id": r["code_id"],
                "coder_id": r["coder_id"],
                "start": r["start"],
                "end": r["end"],
                "memo": r.get("memo", ""),
                "origin": r.get("origin", "import"),
                "created_at": r.get("created_at") or stamp,
            }
            for r in rows
        ],
    )


def insert_memos(store: Store, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of memos: dicts with target, target_id, coder_id, text, updated_at."""
    stamp = now()
    store.insert_many(
        "memos",
        [
            {
                "target": r["target"],
                "target_id": r["target_id"],
                "coder_id": r["coder_id"],
                "text": r["text"],
                "updated_at": r.get("updated_at") or stamp,
            }
            for r in rows
        ],
    )


def set_imported_at(store: Store, document_id: int, stamp: str) -> None:
    """Keep a document's date from the file it came from (a REFI creationDateTime)."""
    store.conn.execute("UPDATE documents SET imported_at = ? WHERE id = ?", (stamp, document_id))


def existing_memo(store: Store, target: str, target_id: int, coder_id: int) -> sqlite3.Row | None:
    return store.row(
        "SELECT id, text FROM memos WHERE target = ? AND target_id = ? AND coder_id = ?",
        (target, target_id, coder_id),
    )


def append_memo(store: Store, memo_id: int, text: str) -> None:
    store.conn.execute("UPDATE memos SET text = text || ?, updated_at = ? WHERE id = ?", (text, now(), memo_id))


def set_document_attribute(store: Store, document_id: int, name: str, value: str) -> None:
    store.conn.execute(
        "INSERT INTO document_attributes (document_id, name, value) VALUES (?, ?, ?) "
        "ON CONFLICT (document_id, name) DO UPDATE SET value = excluded.value",
        (document_id, name, value),
    )


def clear_empty_codebook_names(store: Store) -> None:
    """Codes merged from a nameless codebook belong to no codebook (NULL, not '')."""
    store.conn.execute("UPDATE codes SET codebook = NULL WHERE codebook = ''")
