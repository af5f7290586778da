"""SQL for the values of document attributes (the filters of retrieval and analysis)."""

from __future__ import annotations

from qualcode.store.core import Store


def attribute_values(store: Store, name: str) -> list[str]:
    """The distinct values one attribute takes across the study's documents, sorted
    (``wave`` and ``case`` from the document's fields)."""
    if name == "wave":
        return [r[0] for r in store.rows("SELECT DISTINCT wave FROM documents WHERE wave IS NOT NULL ORDER BY wave")]
    if name == "case":
        return [
            r[0] for r in store.rows("SELECT name FROM cases WHERE id IN (SELECT case_id FROM documents) ORDER BY name")
        ]
    return [
        r[0]
        for r in store.rows("SELECT DISTINCT value FROM document_attributes WHERE name = ? ORDER BY value", (name,))
    ]
