"""SQL for making and reversing a pseudonymised copy of a study.

The copy is rewritten in place (it is a fresh snapshot, never the original): document texts,
every offset column, every free-text field, then the undo log is emptied, the search index
rebuilt and the file vacuumed so no page of the original text survives in it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from qualcode.core.errors import QualcodeError
from qualcode.store.core import Store

# Columns that are not prose: stamps, hashes, colours, enumerations. Everything else of type
# TEXT may hold a name a researcher typed (titles, attributes, memos, code descriptions, …).
_NOT_PROSE = frozenset(
    {
        "created_at",
        "updated_at",
        "imported_at",
        "decided_at",
        "applied_at",
        "saved_at",
        "sha256",
        "color",
        "shortcut",
        "encoding",
        "language",
        "origin",
        "target",
        "decision",
        "interview_date",
        "timestamp",
    }
)
# Tables handled on their own (texts, the log) or derived (the search index, tallies).
_SKIP_TABLES = frozenset({"history", "migrations", "documents_fts", "coding_counts", "sqlite_sequence"})
OFFSET_COLUMNS = ("start", "body_start", "end")


def snapshot(source: Path, target: Path) -> None:
    """Copy a study into ``target`` through a read-only connection (the original is never
    opened for writing: no migration, no journal-mode change touches it)."""
    sidecars = [Path(f"{source}-wal"), Path(f"{source}-shm")]
    existed = [p.exists() for p in sidecars]
    try:
        _copy_readonly(source, target)
    finally:
        # A read-only connection to a WAL study leaves an empty -wal and an -shm behind that it
        # may not delete; remove those it made (never ones another program is using).
        wal, shm = sidecars
        if not existed[0] and wal.exists() and wal.stat().st_size == 0:
            wal.unlink(missing_ok=True)
            if not existed[1]:
                shm.unlink(missing_ok=True)


def _copy_readonly(source: Path, target: Path) -> None:
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise QualcodeError(f"{source}: cannot open it read-only ({exc})") from None
    try:
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "migrations" not in tables:
            raise QualcodeError(f"{source}: not a qualcode study")
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        raise QualcodeError(f"{source}: not a qualcode study ({exc})") from None
    finally:
        src.close()


def _tables(store: Store) -> list[str]:
    return [
        r[0]
        for r in store.rows("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        if r[0] not in _SKIP_TABLES and not r[0].startswith("documents_fts") and not r[0].startswith("sqlite_")
    ]


def _columns(store: Store, table: str) -> list[sqlite3.Row]:
    return store.rows(f'PRAGMA table_info("{table}")')


def _has_rowid(store: Store, table: str) -> bool:
    try:
        store.row(f'SELECT rowid FROM "{table}" LIMIT 1')
        return True
    except sqlite3.OperationalError:
        return False


def prose_fields(store: Store) -> Iterator[tuple[str, int, str, str]]:
    """``(table, rowid, column, value)`` of every free-text value outside document texts."""
    for table in _tables(store):
        if not _has_rowid(store, table):
            continue
        names = [
            c["name"]
            for c in _columns(store, table)
            if c["name"] not in _NOT_PROSE and "TEXT" in (c["type"] or "").upper()
        ]
        if table == "documents":
            names = [n for n in names if n != "text"]
        for name in names:
            for row in store.rows(f'SELECT rowid, "{name}" FROM "{table}" WHERE typeof("{name}") = \'text\''):
                yield table, int(row[0]), name, row[1]


def set_field(store: Store, table: str, rowid: int, column: str, value: Any) -> None:
    store.conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (value, rowid))


def offset_tables(store: Store) -> list[tuple[str, list[str]]]:
    """Tables whose rows hold offsets into a document's text: ``document_id`` with ``start``
    and ``end`` (codings, turns, sentences, suggestion decisions, and any table added later)."""
    found = []
    for table in _tables(store):
        names = {c["name"] for c in _columns(store, table)}
        if {"document_id", "start", "end"} <= names and _has_rowid(store, table):
            found.append((table, [c for c in OFFSET_COLUMNS if c in names]))
    return found


def offset_rows(store: Store, table: str, columns: Sequence[str], document_id: int) -> list[sqlite3.Row]:
    cols = ", ".join(f'"{c}"' for c in columns)
    return store.rows(f'SELECT rowid AS rid, {cols} FROM "{table}" WHERE document_id = ?', (document_id,))


def set_offsets(store: Store, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """``rows`` are ``(*values, rowid)`` in the order of ``columns``."""
    assignments = ", ".join(f'"{c}" = ?' for c in columns)
    store.conn.executemany(f'UPDATE "{table}" SET {assignments} WHERE rowid = ?', rows)


def document_texts(store: Store) -> list[sqlite3.Row]:
    return store.rows("SELECT id, title, text, participant, language FROM documents ORDER BY id")


def speakers(store: Store, document_id: int) -> list[str]:
    return [
        r[0]
        for r in store.rows(
            "SELECT DISTINCT speaker FROM turns WHERE document_id = ? AND speaker IS NOT NULL AND speaker != ''",
            (document_id,),
        )
    ]


def turn_spans(store: Store, document_id: int) -> list[tuple[int, int, int]]:
    return [
        (r[0], r[1], r[2])
        for r in store.rows(
            'SELECT start, body_start, "end" FROM turns WHERE document_id = ? ORDER BY seq', (document_id,)
        )
    ]


def sentence_spans(store: Store, document_id: int) -> list[tuple[int, int, int]]:
    return [
        (r[0], r[1], r[2])
        for r in store.rows('SELECT id, start, "end" FROM sentences WHERE document_id = ?', (document_id,))
    ]


def set_sentence_lemmas(store: Store, rows: Sequence[tuple[str, int]]) -> None:
    store.conn.executemany("UPDATE sentences SET lemmas = ? WHERE id = ?", rows)


def set_document_text(store: Store, document_id: int, text: str, sha256: str, word_count: int) -> None:
    store.conn.execute(
        "UPDATE documents SET text = ?, sha256 = ?, char_count = ?, word_count = ? WHERE id = ?",
        (text, sha256, len(text), word_count, document_id),
    )


def organisation_names(store: Store) -> set[str]:
    """Names the study itself gives its organisations, projects and municipalities."""
    names = {r[0] for r in store.rows("SELECT name FROM organisations")}
    names |= {r[0] for r in store.rows("SELECT name FROM projects WHERE name != ''")}
    names |= {
        r[0]
        for r in store.rows("SELECT DISTINCT value FROM document_attributes WHERE name IN ('gemeente', 'municipality')")
    }
    return {n for n in names if n and n.strip()}


def document_attributes(store: Store, document_id: int) -> dict[str, str]:
    return {
        r[0]: r[1]
        for r in store.rows("SELECT name, value FROM document_attributes WHERE document_id = ?", (document_id,))
    }


def get_meta(store: Store, key: str) -> str | None:
    return store.scalar("SELECT value FROM meta WHERE key = ?", (key,))


def set_meta(store: Store, key: str, value: str | None) -> None:
    if value is None:
        store.conn.execute("DELETE FROM meta WHERE key = ?", (key,))
    else:
        store.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def finish_copy(store: Store) -> None:
    """Empty the undo log, rebuild the search index from the new texts and vacuum, so the
    file holds no page, log entry or index term of the original text."""
    store.conn.execute("DELETE FROM history")
    store.conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("PRAGMA journal_mode = DELETE")
    store.conn.execute("VACUUM")
