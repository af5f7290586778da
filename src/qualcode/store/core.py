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
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from qualcode.core.clean import clean_field
from qualcode.core.errors import CannotWrite, QualcodeError
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
        global LAST_OPENED
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            if create and self.path.exists():
                raise QualcodeError(f"{self.path}: a file already exists there; choose another path")
            if not create and not self.path.exists():
                raise QualcodeError(f"{self.path}: no such study; create one with `qualcode init {self.path}`")
            if create:
                _create_private(self.path)
            LAST_OPENED = self.path
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
                # NORMAL in WAL mode: a committed action survives a crash of the process (or of
                # qualcode, or a kill -9), not a power cut or an OS crash in the second after
                # it, which may lose the last actions but never corrupts the file. FULL would
                # add an fsync to every keystroke's commit. The README says so.
                conn.execute("PRAGMA synchronous = NORMAL")
        except (sqlite3.DatabaseError, QualcodeError) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, QualcodeError):
                raise
            known = study_error(exc, self.path)
            if known is not None:
                raise known from None
            raise QualcodeError(f"{path}: not a qualcode study ({exc})") from None
        self.conn = conn
        self._action: _Action | None = None
        try:
            self._migrate(create)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise study_error(exc, self.path) or exc from None

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
        pending = [(n, m) for n, m in enumerate(MIGRATIONS, start=1) if n not in done]
        if not pending:
            return
        # Foreign keys off while the schema changes (a table rebuild drops and remakes tables
        # that others refer to; with them on, dropping documents would delete every coding).
        # The pragma is a no-op inside a transaction, so it is set around them. The rebuild
        # copies rows unchanged, so it cannot break a reference that was sound.
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            for number, (name, step) in pending:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    # Another process opening the same old study may have applied it while
                    # this one waited for the write lock: the list read above is stale.
                    if self.conn.execute("SELECT 1 FROM migrations WHERE id = ?", (number,)).fetchone():
                        self.conn.execute("COMMIT")
                        continue
                    if callable(step):
                        step(self.conn)
                    else:
                        for statement in _split_sql(step):
                            self.conn.execute(statement)
                    self.conn.execute(
                        "INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)", (number, name, now())
                    )
                    self.conn.execute("COMMIT")
                except BaseException:
                    self._rollback()
                    raise
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.conn.close()

    def memory_copy(self) -> Store:
        """An in-memory copy of this study, made with SQLite's backup API (no migrations to
        run): for experiments, and for property tests that need thousands of fresh studies."""
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self.conn.backup(conn)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        clone = object.__new__(Store)
        clone.path, clone.conn, clone._action = None, conn, None
        return clone

    # -- reads ----------------------------------------------------------------------------

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._explained():
            return self.conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        with self._explained():
            return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        with self._explained():
            found = self.conn.execute(sql, params).fetchone()
        return None if found is None else found[0]

    @contextmanager
    def _explained(self) -> Iterator[None]:
        """Turn a damaged page, a full disk or a read-only file into one line naming the
        study and what to do; other database errors (constraints) pass unchanged."""
        try:
            yield
        except OverflowError:
            # A number past SQLite's 64-bit integers (an id typed as 1e22 digits): no row has it.
            raise QualcodeError(f"a number is too large (at most {2**63 - 1})") from None
        except sqlite3.DatabaseError as exc:
            known = study_error(exc, self.path)
            if known is None:
                raise
            raise known from None

    def _rollback(self) -> None:
        # SQLite rolls back by itself on a full disk or an I/O error; a second ROLLBACK
        # would then replace the true error with "cannot rollback - no transaction is active".
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

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
        try:
            with self._explained():
                self.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._action = None
            raise
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
        except sqlite3.DatabaseError as exc:
            self._rollback()
            known = study_error(exc, self.path)
            if known is None:
                raise
            raise known from None
        except BaseException:
            self._rollback()
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
        row = _cleaned(table, row)
        cursor = self._insert(table, row)
        new_id = int(cursor.lastrowid)  # type: ignore[arg-type]
        if action.record:
            action.changes.append(["insert", table, None, {**row, "id": new_id}, *self._guard(table, row)])
        return new_id

    def insert_many(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert without recording: for data that is imported, not edited."""
        self._require_action()
        if not rows:
            return
        if table in _TEXT_FIELDS:
            rows = [_cleaned(table, r) for r in rows]
        columns = list(rows[0])
        sql = f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows])

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """:meth:`insert_many` for rows given as tuples in ``columns`` order: the bulk path of
        an import (turns, sentences), for tables without text fields to clean."""
        self._require_action()
        assert table not in _TEXT_FIELDS, f"{table} has text fields: use insert_many"
        sql = f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.conn.executemany(sql, rows)

    def update(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        action = self._require_action()
        changes = _cleaned(table, changes)
        before = self.row(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
        if before is None:
            raise QualcodeError(f"no {table[:-1]} with id {row_id}")
        old = {k: before[k] for k in changes}
        if old == changes:
            return
        self._update(table, row_id, changes)
        if action.record:
            action.changes.append(
                ["update", table, {**old, "id": row_id}, {**changes, "id": row_id}, *self._guard(table, before)]
            )

    def delete(self, table: str, row_id: int) -> None:
        action = self._require_action()
        before = self.row(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
        if before is None:
            return
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        if action.record:
            action.changes.append(["delete", table, dict(before), None, *self._guard(table, before)])

    def _guard(self, table: str, row: Any) -> list[dict[str, Any]]:
        """What an undo or redo of a write to ``codings`` checks before it puts a span back:
        the document it belonged to, by the hash of its text (a fifth item in the change)."""
        if table != "codings":
            return []
        sha = self.scalar("SELECT sha256 FROM documents WHERE id = ?", (row["document_id"],))
        return [{"document_id": row["document_id"], "sha256": sha}]

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
            for change in changes:
                self._check_still_belongs(entry, change, verb, undo=undo)
            try:
                for op, table, before, after, *_ in reversed(changes) if undo else changes:
                    self._apply(op, table, before, after, inverse=undo)
            except sqlite3.IntegrityError as exc:
                raise QualcodeError(f"cannot {verb} “{entry['description']}”: later changes conflict ({exc})") from None
            self.conn.execute("UPDATE history SET undone = ? WHERE id = ?", (1 if undo else 0, entry["id"]))
            self.conn.execute("COMMIT")
            return str(entry["description"])
        except sqlite3.DatabaseError as exc:
            self._rollback()
            known = study_error(exc, self.path)
            if known is None:
                raise
            raise known from None
        except BaseException:
            self._rollback()
            raise

    def _check_still_belongs(self, entry: sqlite3.Row, change: list[Any], verb: str, *, undo: bool) -> None:
        """Refuse to put a coding back where its transcript is gone or is another one.

        The rows an undo or redo writes are the ones the log recorded: a coding's span only
        means something in the text it was made on. Before ids were never reused (and for
        entries logged before this check) a removed document's id could belong to a new
        transcript; the hash of the text tells them apart, and the span must fit the text.
        """
        op, table, before, after, *guard = change
        if table != "codings":
            return
        if op == "update":
            row = before if undo else after
        elif (op == "insert") != undo:
            row = after if op == "insert" else before
        else:
            return  # removing a coding needs no check
        assert row is not None
        current = self.row('SELECT document_id, start, "end" FROM codings WHERE id = ?', (row["id"],))
        what = f"cannot {verb} “{entry['description']}”"
        if "document_id" not in row and "start" not in row and "end" not in row:
            if current is not None:
                return  # a memo or code change on a coding that is there
            # The coding went with its transcript (removing one is not undoable): changing its
            # memo or code would change nothing, and saying it was done would be false.
            raise QualcodeError(f"{what}: the transcript it was made on has been removed from the study")
        merged = {**(dict(current) if current is not None else {}), **row}
        document_id = merged.get("document_id")
        document = self.row("SELECT sha256, char_count, title FROM documents WHERE id = ?", (document_id,))
        if document is None:
            raise QualcodeError(f"{what}: the transcript it was made on has been removed from the study")
        expected = guard[0].get("sha256") if guard else None
        if expected is not None and expected != document["sha256"]:
            raise QualcodeError(
                f"{what}: document {document_id} is now another transcript (“{document['title']}”); "
                "the original was removed"
            )
        start, end = merged.get("start"), merged.get("end")
        if start is None or end is None or not (0 <= start < end <= document["char_count"]):
            raise QualcodeError(
                f"{what}: its span {start}–{end} does not fit “{document['title']}” "
                f"({document['char_count']} characters)"
            )

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


def set_named_value(store: Store, table: str, owner: str, owner_id: int, name: str, value: str | None) -> None:
    """Set (or, with ``None``, remove) the ``name`` row of ``owner_id`` in a name/value table
    (a document's or a case's attributes), recorded in the undo log. ``table`` and ``owner``
    are the store's own names, never user input."""
    found = store.row(f"SELECT id, value FROM {table} WHERE {owner} = ? AND name = ?", (owner_id, name))
    if value is None:
        if found is not None:
            store.delete(table, found["id"])
    elif found is None:
        store.insert(table, {owner: owner_id, "name": name, "value": value})
    else:
        store.update(table, found["id"], {"value": value})


def _touched(changes: list[list[Any]]) -> set[tuple[str, int]]:
    """The (table, row id) pairs an action's changes wrote."""
    return {(table, (after if before is None else before)["id"]) for _, table, before, after, *_ in changes}


# Text fields a terminal will show, by table: False for one-line fields (names, titles,
# attributes), True for multi-line ones that keep tabs and line breaks (memos, descriptions).
# Every write through insert, insert_many and update passes them through clean_field, so no
# door — front matter, sidecar, codebook, .qdpx, merge, a typed name — lets an escape in.
_TEXT_FIELDS: dict[str, dict[str, bool]] = {
    "codes": {
        "name": False,
        "color": False,
        "shortcut": False,
        "codebook": False,
        "description": True,
        "when_to_use": True,
        "when_not_to_use": True,
        "example": True,
    },
    "codings": {"memo": True},
    "memos": {"text": True},
    "documents": {
        "title": False,
        "role": False,
        "participant": False,
        "interview_date": False,
        "source_name": False,
        "language": False,
        "wave": False,
    },
    "document_attributes": {"name": False, "value": False},
    "organisations": {"name": False},
    "projects": {"name": False, "description": True},
    "coders": {"name": False},
    "cases": {"name": False, "label": False},
}


def _cleaned(table: str, row: dict[str, Any]) -> dict[str, Any]:
    fields = _TEXT_FIELDS.get(table)
    if not fields:
        return row
    return {k: clean_field(v, multiline=fields[k]) if k in fields and isinstance(v, str) else v for k, v in row.items()}


LAST_OPENED: Path | None = None
"""The study file this process opened last: the CLI names it in errors raised outside a
:class:`Store` (one study per command)."""


def _create_private(path: Path) -> None:
    """Create the empty study file readable by its owner only (0600, less a stricter umask):
    interviews are personal data, and on a shared research server 0644 would let every user
    read them. SQLite gives the -wal and -shm files the same permissions."""
    from qualcode.core.files import PRIVATE_MODE, private_mode

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        raise QualcodeError(f"{path}: a file already exists there; choose another path") from None
    except OSError as exc:
        raise QualcodeError(f"{path}: cannot create the study there ({exc.strerror}); check the folder") from None
    os.close(fd)
    os.chmod(path, private_mode())


def study_error(exc: sqlite3.DatabaseError, path: Path | None) -> QualcodeError | None:
    """One true line for the database errors a user can act on, or None for the others.

    A damaged page, a full disk, a read-only file or folder and a disk error each say what
    happened to which file and what to do; SQLite's own words stay in brackets.
    """
    message = str(exc)
    lowered = message.lower()
    name = str(path) if path is not None else "the study"
    if "malformed" in lowered or "corrupt" in lowered:
        return QualcodeError(
            f"{name}: the study file is damaged ({message}); recover what is left with "
            f'`sqlite3 {name} ".recover" | sqlite3 recovered.qualcode`, or use a backup'
        )
    if "full" in lowered and ("disk" in lowered or "database" in lowered):
        return CannotWrite(
            f"{name}: the disk is full ({message}); nothing of this action was saved; free some space and try again"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return CannotWrite(
            f"{name}: the study cannot be written ({message}); check that you may write the file and its "
            "folder (ls -l), or work on a copy"
        )
    if "unable to open" in lowered:
        folder = path.parent if path is not None else "its folder"
        return QualcodeError(
            f"{name}: cannot open the study ({message}); SQLite needs to write the -wal and -shm files beside it, "
            f"so check that you may write the folder {folder}, or copy the study to a folder you own"
        )
    if "disk i/o" in lowered:
        return QualcodeError(f"{name}: a disk error while using the study ({message}); check the disk and try again")
    return None


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
