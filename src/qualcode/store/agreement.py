"""SQL for intercoder agreement: which coders coded which documents, their codings as
plain integer rows, and the documents' lengths.

Reads only; the figures themselves are computed with numpy in
:mod:`qualcode.analysis.agreement`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from qualcode.core.scope import Scope
from qualcode.store.analysis import scope_documents_sql
from qualcode.store.core import Store


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def coder_ids(store: Store, names: Sequence[str]) -> dict[str, int]:
    """Ids of the named coders that exist in the study (missing names are left out)."""
    if not names:
        return {}
    rows = store.rows(f"SELECT name, id FROM coders WHERE name IN ({_marks(names)})", list(names))
    return {r["name"]: r["id"] for r in rows}


def coders_with_codings(store: Store) -> list[sqlite3.Row]:
    """(name, id, codings) of every coder who has at least one coding, by name."""
    return store.rows(
        "SELECT k.name, k.id, sum(c.n) AS codings FROM coding_counts c JOIN coders k ON k.id = c.coder_id "
        "GROUP BY k.id ORDER BY k.name"
    )


def coded_documents(store: Store, coder_ids: Sequence[int], scope: Scope | None = None) -> list[tuple[int, int]]:
    """(document_id, coder_id) for every document each coder coded at least once, read from
    the trigger-kept tally (no walk over the codings), in the scope's documents."""
    where = f"coder_id IN ({_marks(coder_ids)})"
    args: list[Any] = list(coder_ids)
    if scope is not None and scope.filters_documents:
        document_sql, params = scope_documents_sql(scope)
        where += f" AND document_id IN ({document_sql})"
        args.extend(params)
    return [
        (r[0], r[1])
        for r in store.conn.execute(f"SELECT DISTINCT document_id, coder_id FROM coding_counts WHERE {where}", args)
    ]


def sentence_spans(store: Store, document_ids: Sequence[int]) -> list[tuple[int, int, int]]:
    """(document_id, start, end) of the sentences of some documents, by document and start."""
    if not document_ids:
        return []
    cursor = store.conn.execute(
        'SELECT document_id, start, "end" FROM sentences WHERE document_id IN (SELECT value FROM json_each(?)) '
        "ORDER BY document_id, start",
        [json.dumps([int(i) for i in document_ids])],
    )
    return [tuple(r) for r in cursor]


def codings(store: Store, coder_ids: Sequence[int], document_ids: Sequence[int]) -> list[tuple[int, ...]]:
    """(id, document_id, code_id, coder_id, start, end) of the coders' codings in the documents."""
    if not coder_ids or not document_ids:
        return []
    cursor = store.conn.execute(
        'SELECT id, document_id, code_id, coder_id, start, "end" FROM codings '
        f"WHERE coder_id IN ({_marks(coder_ids)}) AND document_id IN (SELECT value FROM json_each(?))",
        [*coder_ids, json.dumps([int(i) for i in document_ids])],
    )
    return [tuple(r) for r in cursor]


def documents(store: Store, document_ids: Sequence[int]) -> list[sqlite3.Row]:
    """id, title and length of some documents (without their text), by title."""
    if not document_ids:
        return []
    return store.rows(
        "SELECT id, title, char_count FROM documents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY title, id",
        [json.dumps([int(i) for i in document_ids])],
    )


def document_texts(store: Store, document_ids: Sequence[int]) -> dict[int, str]:
    """The texts of some documents, by id (to quote many passages of each)."""
    if not document_ids:
        return {}
    rows = store.conn.execute(
        "SELECT id, text FROM documents WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps([int(i) for i in document_ids])],
    )
    return {r[0]: r[1] for r in rows}
