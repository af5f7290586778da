"""SQL for the TUI workbench: lean reads for painting a document's codings.

The coding view needs only where each coding is and which code and coder it has; reading
full coding rows with their memos (as ``document_codings`` does) costs ~5 µs a row, which a
transcript with 20,000 codings would feel on opening.
"""

from __future__ import annotations

from qualcode.store.core import Store
from qualcode.store.documents import DOCUMENT_FROM


def document_spans(
    store: Store, document_id: int, within: tuple[int, int] | None = None
) -> list[tuple[int, int, int, int, int]]:
    """``(start, end, id, code_id, coder_id)`` of a document's codings, read from the
    covering index ``codings_document_spans`` alone (so nearly in start order; the caller
    sorts, which costs little on sorted runs); with ``within`` (``lo, hi``) only those that
    touch ``[lo, hi)`` (the index is read up to ``hi``, no table row is touched)."""
    cursor = store.conn.cursor()
    cursor.row_factory = None  # plain tuples: no sqlite3.Row per coding
    if within is not None:
        return cursor.execute(
            'SELECT start, "end", id, code_id, coder_id FROM codings WHERE document_id = ? AND start < ? AND "end" > ?',
            (document_id, within[1], within[0]),
        ).fetchall()
    return cursor.execute(
        'SELECT start, "end", id, code_id, coder_id FROM codings WHERE document_id = ?',
        (document_id,),
    ).fetchall()


def sentence_bounds(store: Store, document_id: int, first: bool = False) -> list[tuple[int, int]]:
    """``(start, end)`` of a document's sentences in order, without their lemmas (with
    ``first``, only the first)."""
    cursor = store.conn.cursor()
    cursor.row_factory = None
    if first:
        return cursor.execute(
            'SELECT start, "end" FROM sentences WHERE document_id = ? ORDER BY start LIMIT 1', (document_id,)
        ).fetchall()
    return cursor.execute(
        'SELECT start, "end" FROM sentences WHERE document_id = ? ORDER BY seq', (document_id,)
    ).fetchall()


def turn_bounds(store: Store, document_id: int) -> list[tuple[int, int, int, str | None, str | None]]:
    """``(start, body_start, end, speaker, role)`` of a document's turns in order: what the
    transcript paints labels and moves by turn with, as plain tuples."""
    cursor = store.conn.cursor()
    cursor.row_factory = None
    return cursor.execute(
        'SELECT start, body_start, "end", speaker, role FROM turns WHERE document_id = ? ORDER BY seq', (document_id,)
    ).fetchall()


def document_order(store: Store) -> list[int]:
    """The documents' ids in the browser's order (organisation, project, title), without
    the counts a listing reads (which grow with the codings)."""
    return [r[0] for r in store.conn.execute(f"SELECT d.id FROM {DOCUMENT_FROM} ORDER BY o.name, p.name, d.title")]


def coder_names(store: Store) -> dict[int, str]:
    """Every coder's name by id (without their counts of codings)."""
    return dict(store.conn.execute("SELECT id, name FROM coders").fetchall())
