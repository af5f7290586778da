"""SQL for cases (families or households), waves and the outcome variables of a case per wave.

A document belongs to at most one case (``documents.case_id``) and has at most one wave
(``documents.wave``, text as written: "1", "2", "0-meting" …). Case attributes and case
variables are rows with an id, written through the recorded writes of :class:`Store`, so
undo and redo replay them like any other user action.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from qualcode.store.core import Store, now, set_named_value

# -- cases --------------------------------------------------------------------------------


def case_by_name(store: Store, name: str) -> sqlite3.Row | None:
    return store.row("SELECT id, name, label, created_at FROM cases WHERE name = ?", (name,))


def case_by_id(store: Store, case_id: int) -> sqlite3.Row | None:
    return store.row("SELECT id, name, label, created_at FROM cases WHERE id = ?", (case_id,))


def insert_case(store: Store, name: str, label: str | None = None) -> int:
    return store.insert("cases", {"name": name, "label": label, "created_at": now()})


def ensure_case(store: Store, name: str) -> int:
    """The id of the case with this name, adding it when the study lacks it (imports)."""
    found = case_by_name(store, name)
    return int(found["id"]) if found is not None else insert_case(store, name)


def update_case(store: Store, case_id: int, changes: dict[str, Any]) -> None:
    store.update("cases", case_id, changes)


def delete_case(store: Store, case_id: int) -> None:
    """Delete a case with its attributes and variables, each recorded so undo restores them
    (the foreign keys' cascade would remove them unrecorded)."""
    for table in ("case_variables", "case_attributes"):
        for row in store.rows(f"SELECT id FROM {table} WHERE case_id = ?", (case_id,)):
            store.delete(table, row["id"])
    store.delete("cases", case_id)


def list_cases(store: Store) -> list[sqlite3.Row]:
    return store.rows(
        "SELECT k.id, k.name, k.label, k.created_at, "
        "(SELECT count(*) FROM documents d WHERE d.case_id = k.id) AS documents, "
        "(SELECT count(*) FROM case_variables v WHERE v.case_id = k.id) AS variables "
        "FROM cases k ORDER BY k.name"
    )


def case_documents(store: Store, case_id: int | None = None) -> list[sqlite3.Row]:
    """The documents of every case (or one), with role, participant and wave."""
    where = "WHERE d.case_id IS NOT NULL" if case_id is None else "WHERE d.case_id = ?"
    return store.rows(
        "SELECT d.case_id, d.id, d.title, d.role, d.participant, d.wave FROM documents d "
        f"{where} ORDER BY d.case_id, d.wave, d.role, d.title",
        () if case_id is None else (case_id,),
    )


def document_case_count(store: Store, case_id: int) -> int:
    return int(store.scalar("SELECT count(*) FROM documents WHERE case_id = ?", (case_id,)))


def set_document_case(store: Store, doc_id: int, case_id: int | None) -> None:
    store.update("documents", doc_id, {"case_id": case_id})


def set_document_wave(store: Store, doc_id: int, wave: str | None) -> None:
    store.update("documents", doc_id, {"wave": wave})


def document_case(store: Store, doc_id: int) -> sqlite3.Row | None:
    """A document's case id, case name and wave."""
    return store.row(
        "SELECT d.case_id, k.name AS case_name, d.wave FROM documents d LEFT JOIN cases k ON k.id = d.case_id "
        "WHERE d.id = ?",
        (doc_id,),
    )


def document_units(store: Store, documents_sql: str = "", params: Sequence[Any] = ()) -> list[sqlite3.Row]:
    """Each document's case (id and name, NULL without one) and wave, for a scope.

    ``documents_sql`` is a ``SELECT d.id FROM documents d WHERE …`` (as
    :meth:`qualcode.store.analysis.Scope.documents_sql` gives it); empty means every document.
    This is what analyses counting families rather than documents group by.
    """
    where = f"WHERE d.id IN ({documents_sql})" if documents_sql else ""
    return store.rows(
        "SELECT d.id AS document_id, d.case_id, k.name AS case_name, d.wave, d.role, d.participant "
        f"FROM documents d LEFT JOIN cases k ON k.id = d.case_id {where} ORDER BY d.id",
        params,
    )


def waves(store: Store) -> list[str]:
    """The distinct waves of the study's documents and variables (unsorted text)."""
    return [
        r[0]
        for r in store.rows("SELECT wave FROM documents WHERE wave IS NOT NULL UNION SELECT wave FROM case_variables")
    ]


def has_cases(store: Store) -> bool:
    return store.scalar("SELECT 1 FROM documents WHERE case_id IS NOT NULL LIMIT 1") is not None


# -- case attributes ----------------------------------------------------------------------


def case_attributes(store: Store, case_id: int | None = None) -> list[sqlite3.Row]:
    where = "" if case_id is None else "WHERE case_id = ?"
    return store.rows(
        f"SELECT id, case_id, name, value FROM case_attributes {where} ORDER BY case_id, name",
        () if case_id is None else (case_id,),
    )


def set_case_attribute(store: Store, case_id: int, name: str, value: str | None) -> None:
    """Set (or, with ``None``, remove) one attribute of a case, recorded."""
    set_named_value(store, "case_attributes", "case_id", case_id, name, value)


def case_attribute_names(store: Store) -> list[str]:
    """The names of the case attributes the study's cases have."""
    return [r[0] for r in store.rows("SELECT DISTINCT name FROM case_attributes ORDER BY name")]


def case_attribute_group(store: Store, name: str) -> tuple[str, str, list[Any]]:
    """(expression, JOIN, params) giving document ``d`` the value of its case's attribute
    ``name`` ('(none)' without a case or without the attribute), for grouping."""
    return (
        "ifnull(gca.value, '(none)')",
        "LEFT JOIN case_attributes gca ON gca.case_id = d.case_id AND gca.name = ?",
        [name],
    )


def has_document_attribute(store: Store, name: str) -> bool:
    return store.scalar("SELECT 1 FROM document_attributes WHERE name = ? LIMIT 1", (name,)) is not None


def has_case_attribute(store: Store, name: str) -> bool:
    return store.scalar("SELECT 1 FROM case_attributes WHERE name = ? LIMIT 1", (name,)) is not None


# -- case variables -----------------------------------------------------------------------


def variables(
    store: Store, *, case_id: int | None = None, name: str | None = None, wave: str | None = None
) -> list[sqlite3.Row]:
    clauses, params = [], []
    for column, value in (("v.case_id", case_id), ("v.name", name), ("v.wave", wave)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return store.rows(
        "SELECT v.id, v.case_id, k.name AS case_name, v.wave, v.name, v.value, v.numeric "
        f"FROM case_variables v JOIN cases k ON k.id = v.case_id {where} ORDER BY k.name, v.wave, v.name",
        params,
    )


def variable_names(store: Store) -> list[sqlite3.Row]:
    """Each variable's name and whether all its values are numeric."""
    return store.rows("SELECT name, min(numeric) AS numeric FROM case_variables GROUP BY name ORDER BY name")


def set_variable(store: Store, case_id: int, wave: str, name: str, value: str, numeric: bool) -> None:
    found = store.row(
        "SELECT id FROM case_variables WHERE case_id = ? AND wave = ? AND name = ?", (case_id, wave, name)
    )
    if found is None:
        store.insert(
            "case_variables",
            {"case_id": case_id, "wave": wave, "name": name, "value": value, "numeric": int(numeric)},
        )
    else:
        store.update("case_variables", found["id"], {"value": value, "numeric": int(numeric)})


def delete_variable(store: Store, variable_id: int) -> None:
    store.delete("case_variables", variable_id)


# -- the panel ----------------------------------------------------------------------------


def panel_units(store: Store) -> list[tuple[int, int, str]]:
    """(document id, case id, wave) of every document with both; read from the covering
    index ``documents_case_wave``, never from the rows, which carry the transcripts."""
    return store.conn.execute(
        "SELECT id, case_id, wave FROM documents WHERE case_id IS NOT NULL AND wave IS NOT NULL"
    ).fetchall()


def coded_pairs(
    store: Store, coder_ids: Sequence[int] | None = None, code_ids: Sequence[int] | None = None
) -> tuple[str, str]:
    """Distinct (code id, document id) with at least one coding (by the given coders, or any),
    as two comma-separated strings in the same order, for numpy.

    Read from the trigger-kept tally ``coding_counts`` in its key order (codes × documents ×
    coders rows, whatever the number of codings), so the grouping streams without sorting;
    two strings instead of ~50,000 row tuples keep Python out of the loop.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if code_ids is not None:  # a few codes: their stretch of the key, not the whole tally
        clauses.append("code_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps([int(i) for i in code_ids]))
    if coder_ids is not None:
        clauses.append(f"coder_id IN ({','.join('?' * len(coder_ids))})")
        params.extend(coder_ids)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    row = store.conn.execute(
        "SELECT ifnull(group_concat(code_id), ''), ifnull(group_concat(document_id), '') FROM "
        f"(SELECT code_id, document_id FROM coding_counts {where} GROUP BY code_id, document_id)",
        params,
    ).fetchone()
    return row[0], row[1]


def panel_cases(store: Store) -> list[sqlite3.Row]:
    """Every case with documents or variables, and the waves at which it has documents."""
    return store.rows(
        "SELECT k.id, k.name, group_concat(DISTINCT d.wave) AS waves FROM cases k "
        "LEFT JOIN documents d ON d.case_id = k.id AND d.wave IS NOT NULL "
        "GROUP BY k.id ORDER BY k.name"
    )


UNIT_SEPARATOR = "\x1f"  # between values in panel_variables' strings: no label holds it


def panel_variables(store: Store, name: str) -> tuple[str, str, str, int]:
    """One variable's (case ids, waves, values) as strings joined by :data:`UNIT_SEPARATOR`,
    and whether every value is numeric."""
    row = store.conn.execute(
        "SELECT ifnull(group_concat(case_id, char(31)), ''), ifnull(group_concat(wave, char(31)), ''), "
        "ifnull(group_concat(value, char(31)), ''), ifnull(min(numeric), 0) FROM case_variables WHERE name = ?",
        (name,),
    ).fetchone()
    return row[0], row[1], row[2], row[3]


def coder_ids(store: Store, names: Sequence[str]) -> dict[str, int | None]:
    return {n: store.scalar("SELECT id FROM coders WHERE name = ?", (n,)) for n in names}
