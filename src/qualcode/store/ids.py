"""Rebuilding tables so that their ids are never handed out twice (``AUTOINCREMENT``).

With a plain ``INTEGER PRIMARY KEY`` SQLite gives a new row the largest id plus one, so the
id of the newest document, coding or code comes back after that row is removed. The undo log
names rows by id: an undo of an old coding then landed on another family's interview. A
table declared ``AUTOINCREMENT`` never reuses an id (``sqlite_sequence`` remembers the
highest ever given).

SQLite cannot add ``AUTOINCREMENT`` to an existing table, so each table is rebuilt the way
SQLite's documentation describes (ALTER TABLE, "making other kinds of table schema
changes"): a copy with the new declaration, the rows copied with their ids, the old table
dropped, the copy renamed, and its indexes and triggers made again. The caller runs this
with foreign keys off (dropping ``documents`` with them on would cascade to every coding)
and checks them before committing. Columns added by later migrations come along because the
copy is made from the table's own current declaration.
"""

from __future__ import annotations

import re
import sqlite3

# Every table whose rows the undo log or another table names by id. Turns and sentences
# are left as they are: they are written only by imports, never by an undoable action.
AUTOINCREMENT_TABLES = (
    "organisations",
    "projects",
    "documents",
    "codes",
    "coders",
    "codings",
    "memos",
    "suggestion_decisions",
    "history",
)

_PRIMARY_KEY = re.compile(r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b(?!\s+AUTOINCREMENT)", re.IGNORECASE)


def add_autoincrement(conn: sqlite3.Connection) -> None:
    """Rebuild each table of :data:`AUTOINCREMENT_TABLES` that lacks ``AUTOINCREMENT``
    (idempotent: a table already declared so is left alone)."""
    for table in AUTOINCREMENT_TABLES:
        found = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        if found is None or not _PRIMARY_KEY.search(found[0]):
            continue
        _rebuild(conn, table, found[0])


def _rebuild(conn: sqlite3.Connection, table: str, sql: str) -> None:
    extras = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL "
            "ORDER BY type, name",
            (table,),
        )
    ]
    temporary = f"{table}__autoincrement"
    declaration = _PRIMARY_KEY.sub("id INTEGER PRIMARY KEY AUTOINCREMENT", sql, count=1)
    declaration = re.sub(
        rf'^\s*CREATE\s+TABLE\s+"?{table}"?', f'CREATE TABLE "{temporary}"', declaration, count=1, flags=re.IGNORECASE
    )
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute(f'PRAGMA table_info("{table}")'))
    conn.execute(declaration)
    conn.execute(f'INSERT INTO "{temporary}" ({columns}) SELECT {columns} FROM "{table}"')
    conn.execute(f'DROP TABLE "{table}"')
    conn.execute(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for statement in extras:
        conn.execute(statement)
