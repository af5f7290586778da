"""Backups and checks of a study file: SQLite's online backup, and every consistency check
that can be stated in SQL (integrity, foreign keys, the derived count tables, the full-text
index, the undo log against the rows it describes)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from qualcode.store.core import Store


def backup(store: Store, target: Path, pages_per_step: int = 1024) -> int:
    """Copy the study to ``target`` with SQLite's online backup API: a consistent snapshot
    even while other processes write (the copy restarts from their commits, in steps, so it
    never holds the write lock for long). Returns the number of pages copied."""
    dest = sqlite3.connect(str(target))
    try:
        store.conn.backup(dest, pages=pages_per_step)
        pages = int(dest.execute("PRAGMA page_count").fetchone()[0])
        # A backup is one file to carry: no WAL beside it.
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    return pages


def check(store: Store) -> list[str]:
    """Every problem found, one line each (empty when the study is sound)."""
    problems: list[str] = []
    conn = store.conn
    for (result,) in conn.execute("PRAGMA integrity_check"):
        if result != "ok":
            problems.append(f"integrity: {result}")
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        problems.append(f"foreign key: {table} row {rowid} points at a missing {parent} row")
    problems.extend(_count_problems(conn))
    try:
        conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as exc:
        problems.append(
            f"full-text index: {exc}; rebuild it: sqlite3 STUDY \"INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')\""
        )
    problems.extend(_undo_log_problems(conn))
    return problems


def _count_problems(conn: sqlite3.Connection) -> list[str]:
    """The coding_counts tally (kept by triggers) against a fresh count of the codings."""
    actual = {
        (r[0], r[1], r[2]): r[3]
        for r in conn.execute(
            "SELECT code_id, document_id, coder_id, count(*) FROM codings GROUP BY code_id, document_id, coder_id"
        )
    }
    kept = {
        (r[0], r[1], r[2]): r[3] for r in conn.execute("SELECT code_id, document_id, coder_id, n FROM coding_counts")
    }
    problems = []
    for key in sorted(set(actual) | set(kept)):
        if actual.get(key, 0) != kept.get(key, 0):
            code, doc, coder = key
            problems.append(
                f"coding counts: code {code} in document {doc} by coder {coder}: "
                f"{kept.get(key, 0)} kept, {actual.get(key, 0)} codings"
            )
    return problems


def _undo_log_problems(conn: sqlite3.Connection) -> list[str]:
    """Replay what the log says about each row it touched (newest word wins) and compare
    with the tables: a row the log says was deleted must not be there, and a row it says
    exists must be there unless its document was removed (removing a document is not
    logged, and takes the document's codings and memos with it; a memo's document is not in
    its row, so missing memos are not reported). Undone actions say nothing about the present."""
    state: dict[tuple[str, int], tuple[bool, int | None]] = {}
    problems = []
    for entry_id, changes, undone in conn.execute("SELECT id, changes, undone FROM history ORDER BY id"):
        try:
            ops = json.loads(changes)
        except ValueError:
            problems.append(f"undo log: entry {entry_id} is not readable JSON")
            continue
        if undone:
            continue
        for op, table, before, after, *_ in ops:
            row = after if after is not None else before
            state[(table, int(row["id"]))] = (op != "delete", _document_of(table, row))
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    documents = {r[0] for r in conn.execute("SELECT id FROM documents")}
    for (table, row_id), (exists, document) in sorted(state.items()):
        if table not in tables:
            problems.append(f"undo log: names a table {table!r} the study does not have")
            continue
        found = conn.execute(f'SELECT 1 FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
        if found is not None and not exists:
            problems.append(f"undo log: {table} row {row_id} was deleted by a logged action but is there")
        elif found is None and exists and table != "memos" and (document is None or document in documents):
            problems.append(f"undo log: {table} row {row_id} was written by a logged action but is missing")
    return problems


def _document_of(table: str, row: dict[str, object]) -> int | None:
    if table == "codings":
        return int(row["document_id"])  # type: ignore[call-overload]
    return None
