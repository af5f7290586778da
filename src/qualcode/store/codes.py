"""SQL for the codebook: hierarchical codes."""

from __future__ import annotations

import sqlite3
from typing import Any

from qualcode.store.core import Store, now

CODE_COLUMNS = (
    "id, parent_id, name, description, when_to_use, when_not_to_use, example, color, shortcut, "
    "keywords, codebook, position, created_at, source_document, source_section, source_quote, inductive"
)
CODEBOOK_COLUMNS = "id, name, description, source, position"


def all_codes(store: Store) -> list[sqlite3.Row]:
    return store.rows(f"SELECT {CODE_COLUMNS} FROM codes ORDER BY position, id")


def get_code(store: Store, code_id: int) -> sqlite3.Row | None:
    return store.row(f"SELECT {CODE_COLUMNS} FROM codes WHERE id = ?", (code_id,))


def child_by_name(store: Store, parent_id: int | None, name: str) -> sqlite3.Row | None:
    """The sibling with this name, ignoring case: code references and codebook files
    match names case-insensitively, so "vertrouwen" beside "Vertrouwen" would be a
    duplicate that no path can tell apart. Folded in Python because SQLite's NOCASE
    folds ASCII only (and codes are Dutch: "Één vast contactpersoon")."""
    folded = name.casefold()
    return next((r for r in children(store, parent_id) if r["name"].casefold() == folded), None)


def children(store: Store, parent_id: int | None) -> list[sqlite3.Row]:
    return store.rows(f"SELECT {CODE_COLUMNS} FROM codes WHERE parent_id IS ? ORDER BY position, id", (parent_id,))


def next_position(store: Store, parent_id: int | None) -> int:
    return int(store.scalar("SELECT ifnull(max(position), -1) + 1 FROM codes WHERE parent_id IS ?", (parent_id,)))


def insert_code(store: Store, fields: dict[str, Any]) -> int:
    row = {"created_at": now(), **fields}
    if "position" not in row:
        row["position"] = next_position(store, row.get("parent_id"))
    return store.insert("codes", row)


def update_code(store: Store, code_id: int, fields: dict[str, Any]) -> None:
    store.update("codes", code_id, fields)


def delete_code(store: Store, code_id: int) -> None:
    store.delete("codes", code_id)


def shortcut_owner(store: Store, shortcut: str) -> sqlite3.Row | None:
    return store.row(f"SELECT {CODE_COLUMNS} FROM codes WHERE shortcut = ?", (shortcut,))


def coding_counts(store: Store, document_id: int | None = None) -> dict[int, int]:
    """Codings per code id (not rolled up), over one document or the whole study."""
    if document_id is None:
        rows = store.rows("SELECT code_id, count(*) FROM codings GROUP BY code_id")
    else:
        rows = store.rows(
            "SELECT code_id, count(*) FROM codings WHERE document_id = ? GROUP BY code_id", (document_id,)
        )
    return {r[0]: r[1] for r in rows}


def coding_ids_for_code(store: Store, code_id: int) -> list[int]:
    return [r[0] for r in store.rows("SELECT id FROM codings WHERE code_id = ?", (code_id,))]


def memo_ids_for_code(store: Store, code_id: int) -> list[int]:
    return [r[0] for r in store.rows("SELECT id FROM memos WHERE target = 'code' AND target_id = ?", (code_id,))]


def decision_ids_for_code(store: Store, code_id: int) -> list[int]:
    """The code's accept/reject decisions: the schema cascades them away with the code,
    unrecorded, so a delete or merge must write them itself for undo to bring them back."""
    return [r[0] for r in store.rows("SELECT id FROM suggestion_decisions WHERE code_id = ?", (code_id,))]


def codings_for_code(store: Store, code_id: int) -> list[sqlite3.Row]:
    return store.rows(
        'SELECT id, document_id, coder_id, start, "end", memo FROM codings WHERE code_id = ? ORDER BY id', (code_id,)
    )


def same_coding(
    store: Store, document_id: int, code_id: int, coder_id: int, start: int, end: int
) -> sqlite3.Row | None:
    """The coding with exactly this code, coder and passage, if there is one."""
    return store.row(
        'SELECT id, memo FROM codings WHERE document_id = ? AND code_id = ? AND coder_id = ? AND start = ? AND "end" = ?',
        (document_id, code_id, coder_id, start, end),
    )


def memos_for_code(store: Store, code_id: int) -> list[sqlite3.Row]:
    return store.rows(
        "SELECT id, coder_id, text FROM memos WHERE target = 'code' AND target_id = ? ORDER BY id", (code_id,)
    )


# -- codebooks: a codebook's own name, description and source ---------------------------------


def all_codebooks(store: Store) -> list[sqlite3.Row]:
    return store.rows(f"SELECT {CODEBOOK_COLUMNS} FROM codebooks ORDER BY position, id")


def codebook_by_name(store: Store, name: str) -> sqlite3.Row | None:
    return store.row(f"SELECT {CODEBOOK_COLUMNS} FROM codebooks WHERE name = ?", (name,))


def insert_codebook(store: Store, fields: dict[str, Any]) -> int:
    position = int(store.scalar("SELECT ifnull(max(position), -1) + 1 FROM codebooks"))
    return store.insert("codebooks", {"position": position, **fields})


def update_codebook(store: Store, codebook_id: int, fields: dict[str, Any]) -> None:
    store.update("codebooks", codebook_id, fields)
