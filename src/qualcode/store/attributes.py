"""SQL for the values of document attributes (the filters of retrieval and analysis)."""

from __future__ import annotations

from qualcode.store.core import Store


def attribute_values(store: Store, name: str) -> list[str]:
    """The distinct values one attribute takes across the study's documents, sorted."""
    return [
        r[0]
        for r in store.rows("SELECT DISTINCT value FROM document_attributes WHERE name = ? ORDER BY value", (name,))
    ]
