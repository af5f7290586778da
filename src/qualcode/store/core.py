"""The connection to a study file, its transactions, and the undo/redo log.

Every user action runs inside :meth:`Store.action`: one ``BEGIN IMMEDIATE`` transaction that
is committed when the action ends, so a crash loses nothing the user saw saved. Writes made
through :meth:`Store.insert`, :meth:`Store.update` and :meth:`Store.delete` inside an action are
recorded, row by row, in the ``history`` table; undo applies the inverse of the newest
recorded action and redo applies it again. Because the log lives in the study file, undo and
redo survive a restart and work across the TUI and the CLI.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from qualcode.core.errors import QualcodeError
from qualcode.store.schema import MIGRATIONS

SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    """The current time as an ISO 8601 string in UTC, second precision."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class _Action:
    description: str
    coder_id: int | None
    record: bool
    changes: list[list[Any]] = field(default_factory=list)


class Store:
    """One open study file.

    Reads go through :meth:`rows` and :meth:`row`; the feature modules in ``qualcode.store``
    hold the SQL for each area. Nothing outside ``qualcode.store`` writes SQL.
    """

    def __init__(self, path: Path | str, *, create: bool = False) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            if create and self.path.exists():
                raise QualcodeError(f"{self.path}: a file already exists there; choose another path")
            if not create and not self.path.exists():
                raise QualcodeError(f"{self.path}: no such study; create one with `qualcode init {self.path}`")
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            if not create:
                # Check before switching to WAL: setting the journal mode rewrites the header
                # of whatever file this is, and someone else's database must stay untouched.
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if "migrations" not in tables:
                    kind = "an SQLite file of another kind" if tables else "an empty file"
                    raise QualcodeError(f"{path}: not a qualcode study ({kind})")
            if self.path is not None:
                conn.execute("PRAGMA journal_mode = WAL")
                # NORMAL is durable against a crash of the process (WAL), which is what a
                # committed user action needs; FULL would add an fsync to every keystroke.
                conn.execute("PRAGMA synchronous = NORMAL")
        except (sqlite3.DatabaseError, QualcodeError) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, QualcodeError):
                raise
            raise QualcodeError(f"{path}: not a qualcode study ({exc})") from None
        self.conn = conn
        self._action: _Action | None = None
        self._migrate(create)

    # -- schema ---------------------------------------------------------------------------

    def _migrate(self, create: bool) -> None:
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "migrations" not in tables:
            if tables and not create:
                raise QualcodeError(f"{self.path}: not a qualcode study (an SQLite file of another kind)")
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        done = {r[0] for r in self.conn.execute("SELECT id FROM migrations")}
        if max(done, default=0) > SCHEMA_VERSION:
            raise QualcodeError(
                f"{self.path}: made by a newer qualcode (schema {max(done)}); upgrade qualcode to open it"
            )
        for number, (name, sql) in enumerate(MIGRATIONS, start=1):
            if number in done:
                continue
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)", (number, name, now())
                )
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.conn.close()

    # -- reads ----------------------------------------------------------------------------

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        found = self.conn.execute(sql, params).fetchone()
        return None if found is None else found[0]

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def action(self, description: str, *, coder_id: int | None = None, record: bool = True) -> Iterator[None]:
        """Run one user action as one committed transaction.

        Nested calls join the outer action. With ``record=False`` the writes are not undoable
        (imports of whole documents, which would bloat the log and are removed instead).
        """
        if self._action is not None:
            yield
            return
        self._action = _Action(description, coder_id, record)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            action = self._action
            if action.record and action.changes:
                # A new action ends this coder's redo chain (not a colleague's).
                self.conn.execute("DELETE FROM history WHERE undone = 1 AND coder_id IS ?", (action.coder_id,))
                self.conn.execute(
                    "INSERT INTO history (description, changes, coder_id, created_at) VALUES (?, ?, ?, ?)",
                    (action.description, json.dumps(action.changes, ensure_ascii=False), action.coder_id, now()),
                )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        finally:
            self._action = None

    def _require_action(self) -> _Action:
        if self._action is None:
            raise RuntimeError("store writes must run inside Store.action()")
        return self._action

    # -- recorded writes ------------------------------------------------------------------

    def insert(self, table: str, row: dict[str, Any]) -> int:
        action = self._require_action()
        cursor = self._insert(table, row)
        new_id = int(cursor.lastrowid)  # type: ignore[arg-type]
        if action.record:
            action.changes.append(["insert", table, None, {**row, "id": new_id}])
        return new_id

    def insert_many(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert without recording: for data that is imported, not edited."""
        self._require_action()
        if not rows:
            return
        columns = list(rows[0])
        sql = f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows])

    def update(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        action = self._require_action()
        before = self.row(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
        if before is None:
            raise QualcodeError(f"no {table[:-1]} with id {row_id}")
        old = {k: before[k] for k in changes}
        if old == changes:
            return
        self._update(table, row_id, changes)
        if action.record:
            action.changes.append(["update", table, {**old, "id": row_id}, {**changes, "id": row_id}])

    def delete(self, table: str, row_id: int) -> None:
        action = self._require_action()
        before = self.row(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
        if before is None:
            return
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        if action.record:
            action.changes.append(["delete", table, dict(before), None])

    def _insert(self, table: str, row: dict[str, Any]) -> sqlite3.Cursor:
        columns = ", ".join(_q(c) for c in row)
        marks = ", ".join("?" * len(row))
        return self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))

    def _update(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        assignments = ", ".join(f"{_q(c)} = ?" for c in changes)
        self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*changes.values(), row_id))

    # -- undo and redo --------------------------------------------------------------------

    def undo(self, coder_id: int | None = None) -> str | None:
        """Undo the newest action that is not undone (of this coder, when given); return its
        description."""
        return self._step(undo=True, coder_id=coder_id)

    def redo(self, coder_id: int | None = None) -> str | None:
        """Redo the oldest undone action (of this coder, when given)."""
        return self._step(undo=False, coder_id=coder_id)

    def _step(self, *, undo: bool, coder_id: int | None) -> str | None:
        mine = "" if coder_id is None else " AND coder_id = ?"
        params: tuple[Any, ...] = () if coder_id is None else (coder_id,)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            if undo:
                entry = self.row(f"SELECT * FROM history WHERE undone = 0{mine} ORDER BY id DESC LIMIT 1", params)
            else:
                entry = self.row(f"SELECT * FROM history WHERE undone = 1{mine} ORDER BY id LIMIT 1", params)
            if entry is None:
                self.conn.execute("COMMIT")
                return None
            verb = "undo" if undo else "redo"
            changes = json.loads(entry["changes"])
            self._check_later_changes(entry, changes, verb)
            try:
                for op, table, before, after in reversed(changes) if undo else changes:
                    self._apply(op, table, before, after, inverse=undo)
            except sqlite3.IntegrityError as exc:
                raise QualcodeError(f"cannot {verb} “{entry['description']}”: later changes conflict ({exc})") from None
            self.conn.execute("UPDATE history SET undone = ? WHERE id = ?", (1 if undo else 0, entry["id"]))
            self.conn.execute("COMMIT")
            return str(entry["description"])
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def _check_later_changes(self, entry: sqlite3.Row, changes: list[list[Any]], verb: str) -> None:
        """Refuse to undo or redo an action whose rows a colleague's later action changed:
        each coder undoes their own work, and never silently takes someone else's with it."""
        touched = _touched(changes)
        later = self.rows(
            "SELECT h.description, h.changes, c.name AS coder FROM history h "
            "LEFT JOIN coders c ON c.id = h.coder_id "
            "WHERE h.id > ? AND h.undone = 0 AND h.coder_id IS NOT ? ORDER BY h.id",
            (entry["id"], entry["coder_id"]),
        )
        for row in later:
            if touched & _touched(json.loads(row["changes"])):
                raise QualcodeError(
                    f"cannot {verb} “{entry['description']}”: {row['coder'] or 'someone'} changed the same "
                    f"thing later (“{row['description']}”); that has to be undone first"
                )

    def _apply(self, op: str, table: str, before: dict | None, after: dict | None, *, inverse: bool) -> None:
        if op == "update":
            target = before if inverse else after
            assert target is not None
            values = {k: v for k, v in target.items() if k != "id"}
            self._update(table, target["id"], values)
            return
        if (op == "insert") != inverse:  # redo an insert, or undo a delete: put the row back
            row = after if op == "insert" else before
            assert row is not None
            self._insert(table, row)
        else:
            row = after if op == "insert" else before
            assert row is not None
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))

    def history(self, limit: int = 50) -> list[sqlite3.Row]:
        return self.rows(
            "SELECT h.id, h.description, h.created_at, h.undone, c.name AS coder "
            "FROM history h LEFT JOIN coders c ON c.id = h.coder_id ORDER BY h.id DESC LIMIT ?",
            (limit,),
        )


def _touched(changes: list[list[Any]]) -> set[tuple[str, int]]:
    """The (table, row id) pairs an action's changes wrote."""
    return {(table, (after if before is None else before)["id"]) for _, table, before, after in changes}


def _q(column: str) -> str:
    return f'"{column}"'


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.strip().splitlines():
        current.append(line)
        candidate = "\n".join(current).strip()
        if candidate.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            current = []
    if "".join(current).strip():
        statements.append("\n".join(current))
    return statements
