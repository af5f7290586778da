"""SQL for the TUI workbench: lean reads for painting a document's codings.

The coding view needs only where each coding is and which code and coder it has; reading
full coding rows with their memos (as ``document_codings`` does) costs ~5 µs a row, which a
transcript with 20,000 codings would feel on opening.
"""

from __future__ import annotations

from qualcode.store.core import Store


def document_spans(store: Store, document_id: int) -> list[tuple[int, int, int, int, int]]:
    """``(start, end, id, code_id, coder_id)`` of a document's codings, read from the
    covering index ``codings_document_spans`` alone (so nearly in start order; the caller
    sorts, which costs little on sorted runs)."""
    cursor = store.conn.cursor()
    cursor.row_factory = None  # plain tuples: no sqlite3.Row per coding
    return cursor.execute(
        'SELECT start, "end", id, code_id, coder_id FROM codings WHERE document_id = ?',
        (document_id,),
    ).fetchall()


def sentence_bounds(store: Store, document_id: int) -> list[tuple[int, int]]:
    """``(start, end)`` of a document's sentences in order, without their lemmas."""
    cursor = store.conn.cursor()
    cursor.row_factory = None
    return cursor.execute(
        'SELECT start, "end" FROM sentences WHERE document_id = ? ORDER BY seq', (document_id,)
    ).fetchall()
