"""SQL for organisations, projects, documents, their attributes, turns and sentences."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from qualcode.store.core import Store, now, set_named_value

DOCUMENT_COLUMNS = (
    "d.id, d.title, d.language, d.role, d.participant, d.interview_date, d.source_name, "
    "d.word_count, d.char_count, d.imported_at, d.sha256, d.project_id, nullif(p.name, '') AS project, "
    "o.name AS organisation, o.id AS organisation_id, d.case_id, "
    "(SELECT k.name FROM cases k WHERE k.id = d.case_id) AS case_name, d.wave"
)
# The name of the project row that carries an organisation's documents without a project.
NO_PROJECT = ""
DOCUMENT_FROM = (
    "documents d LEFT JOIN projects p ON p.id = d.project_id LEFT JOIN organisations o ON o.id = p.organisation_id"
)


def ensure_project(store: Store, organisation: str | None, project: str | None) -> int | None:
    """The id of the project (creating it and its organisation), or None if neither is named.

    A document reaches its organisation through its project, so an organisation's
    documents without a project hang under a project row with the empty name: that row
    is no project, and listings, groupings and exports show no project for it.
    """
    if not organisation and not project:
        return None
    org_id = None
    if organisation:
        org_id = store.scalar("SELECT id FROM organisations WHERE name = ?", (organisation,))
        if org_id is None:
            org_id = store.insert("organisations", {"name": organisation})
    name = project or NO_PROJECT
    found = store.scalar("SELECT id FROM projects WHERE name = ? AND organisation_id IS ?", (name, org_id))
    if found is not None:
        return int(found)
    return store.insert("projects", {"organisation_id": org_id, "name": name})


def char_count(store: Store, doc_id: int) -> int | None:
    """A document's length in code points (the bound for its passages), without its text."""
    return store.scalar("SELECT char_count FROM documents WHERE id = ?", (doc_id,))


def document_id_by_sha(store: Store, sha256: str) -> int | None:
    return store.scalar("SELECT id FROM documents WHERE sha256 = ?", (sha256,))


def insert_document(
    store: Store,
    *,
    project_id: int | None,
    title: str,
    text: str,
    language: str,
    role: str | None,
    participant: str | None,
    interview_date: str | None,
    source_name: str,
    encoding: str,
    sha256: str,
    char_count: int,
    word_count: int,
    attributes: dict[str, str],
    turns: Sequence[Mapping[str, Any] | Sequence[Any]],
    sentences: Sequence[Mapping[str, Any] | Sequence[Any]],
    case_id: int | None = None,
    wave: str | None = None,
) -> int:
    """Insert a document with its attributes, turns and sentences.

    ``turns`` are tuples ``(seq, speaker, role, timestamp, start, body_start, end)`` and
    ``sentences`` tuples ``(start, end, turn_seq, lemmas)`` in order (their ``seq`` is their
    place), or mappings with those keys (and a sentence's ``seq``). A sentence's ``turn_seq`` (index into
    ``turns``, or None) is resolved to the new turn's id here.
    """
    doc_id = store.insert(
        "documents",
        {
            "project_id": project_id,
            "title": title,
            "text": text,
            "language": language,
            "role": role,
            "participant": participant,
            "interview_date": interview_date,
            "source_name": source_name,
            "encoding": encoding,
            "sha256": sha256,
            "char_count": char_count,
            "word_count": word_count,
            "imported_at": now(),
            "case_id": case_id,
            "wave": wave,
        },
    )
    store.insert_many(
        "document_attributes",
        [{"document_id": doc_id, "name": k, "value": v} for k, v in attributes.items()],
    )
    store.insert_rows(
        "turns",
        ("document_id", "seq", "speaker", "role", "timestamp", "start", "body_start", "end"),
        [(doc_id, *t) for t in _tuples(turns, _TURN_KEYS)],
    )
    turn_ids = [r[0] for r in store.rows("SELECT id FROM turns WHERE document_id = ? ORDER BY seq", (doc_id,))]
    # A tuple's place is its seq; a mapping names it.
    rows: Iterable[tuple[int, Sequence[Any]]] = (
        enumerate(sentences)  # type: ignore[arg-type]  # tuples: (start, end, turn_seq, lemmas)
        if sentences and isinstance(sentences[0], tuple)
        else ((seq, rest) for seq, *rest in _tuples(sentences, _SENTENCE_KEYS))
    )
    store.insert_rows(
        "sentences",
        ("document_id", "turn_id", "seq", "start", "end", "lemmas"),
        [
            (doc_id, None if turn is None else turn_ids[turn], seq, start, end, lemmas)
            for seq, (start, end, turn, lemmas) in rows
        ],
    )
    return doc_id


_TURN_KEYS = ("seq", "speaker", "role", "timestamp", "start", "body_start", "end")
_SENTENCE_KEYS = ("seq", "start", "end", "turn_seq", "lemmas")


def _tuples(rows: Sequence[Mapping[str, Any] | Sequence[Any]], keys: tuple[str, ...]) -> Sequence[Sequence[Any]]:
    """Rows as given when they are tuples, else each mapping's values of ``keys``."""
    if not rows or isinstance(rows[0], tuple):
        return rows  # type: ignore[return-value]
    return [tuple(row[k] for k in keys) for row in rows]  # type: ignore[call-overload]


def delete_document(store: Store, doc_id: int) -> None:
    # Memos on its codings first: coding ids are reused, and an orphan would hang on a new one.
    store.conn.execute(
        "DELETE FROM memos WHERE target = 'coding' AND target_id IN (SELECT id FROM codings WHERE document_id = ?)",
        (doc_id,),
    )
    store.conn.execute("DELETE FROM codings WHERE document_id = ?", (doc_id,))
    store.conn.execute("DELETE FROM memos WHERE target = 'document' AND target_id = ?", (doc_id,))
    store.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))


def list_documents(
    store: Store,
    *,
    organisation: str | None = None,
    project: str | None = None,
    role: str | None = None,
    attributes: dict[str, str] | None = None,
) -> list[sqlite3.Row]:
    where, params = document_filter(organisation, project, role, attributes)
    return store.rows(
        f"SELECT {DOCUMENT_COLUMNS}, "
        "(SELECT count(*) FROM codings c WHERE c.document_id = d.id) AS codings, "
        "(SELECT count(*) FROM turns t WHERE t.document_id = d.id) AS turns, "
        "(SELECT count(*) FROM sentences s WHERE s.document_id = d.id) AS sentences "
        f"FROM {DOCUMENT_FROM} {where} ORDER BY o.name, p.name, d.title",
        params,
    )


def document_filter(
    organisation: str | None,
    project: str | None,
    role: str | None,
    attributes: dict[str, str] | None,
    alias: str = "d",
) -> tuple[str, list[Any]]:
    """A WHERE clause over ``documents {alias}`` joined as in :data:`DOCUMENT_FROM`."""
    clauses: list[str] = []
    params: list[Any] = []
    if organisation:
        clauses.append(
            f"{alias}.project_id IN (SELECT p2.id FROM projects p2 JOIN organisations o2 "
            "ON o2.id = p2.organisation_id WHERE o2.name = ?)"
        )
        params.append(organisation)
    if project:
        clauses.append(f"{alias}.project_id IN (SELECT id FROM projects WHERE name = ?)")
        params.append(project)
    if role:
        clauses.append(f"{alias}.role = ?")
        params.append(role)
    for name, value in (attributes or {}).items():
        # Case and wave are fields of a document; filters name them like attributes
        # (``-w wave=1``, ``-w case=G-CO-03``), as studies did when wave was an attribute.
        if name == "wave":
            clauses.append(f"{alias}.wave = ?")
            params.append(value)
            continue
        if name == "case":
            clauses.append(f"{alias}.case_id IN (SELECT id FROM cases WHERE name = ?)")
            params.append(value)
            continue
        # ``case:NAME`` is an attribute of the document's case, ``doc:NAME`` of the document; a
        # bare name is the document attribute, or the case attribute when no document has one
        # of that name (qualcode.analysis.units refuses names that are both).
        in_case = f"{alias}.case_id IN (SELECT case_id FROM case_attributes WHERE name = ? AND value = ?)"
        if name.startswith("case:"):
            clauses.append(in_case)
            params.extend([name.removeprefix("case:"), value])
            continue
        in_document = f"{alias}.id IN (SELECT document_id FROM document_attributes WHERE name = ? AND value = ?)"
        if name.startswith("doc:"):
            clauses.append(in_document)
            params.extend([name.removeprefix("doc:"), value])
            continue
        clauses.append(
            f"({in_document} OR (NOT EXISTS (SELECT 1 FROM document_attributes WHERE name = ?) AND {in_case}))"
        )
        params.extend([name, value, name, name, value])
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def get_document(store: Store, doc_id: int, *, with_text: bool = True) -> sqlite3.Row | None:
    text = ", d.text" if with_text else ""
    return store.row(f"SELECT {DOCUMENT_COLUMNS}, d.encoding{text} FROM {DOCUMENT_FROM} WHERE d.id = ?", (doc_id,))


def find_documents(store: Store, ref: str) -> list[sqlite3.Row]:
    """Documents whose id, title or source file name is ``ref``."""
    if ref.isdigit():
        return store.rows(f"SELECT {DOCUMENT_COLUMNS} FROM {DOCUMENT_FROM} WHERE d.id = ?", (int(ref),))
    return store.rows(
        f"SELECT {DOCUMENT_COLUMNS} FROM {DOCUMENT_FROM} WHERE d.title = ? OR d.source_name = ?",
        (ref, ref),
    )


def document_attributes(store: Store, doc_id: int) -> dict[str, str]:
    return {
        r["name"]: r["value"]
        for r in store.rows(
            "SELECT name, value FROM document_attributes WHERE document_id = ? ORDER BY name", (doc_id,)
        )
    }


def set_document_attribute(store: Store, doc_id: int, name: str, value: str | None) -> None:
    """Set (or, with ``None``, remove) one free attribute of a document, recorded."""
    set_named_value(store, "document_attributes", "document_id", doc_id, name, value)


def set_document_fields(store: Store, doc_id: int, changes: dict[str, Any]) -> None:
    """Change a document's own fields (role, participant, interview_date, wave, case_id), recorded."""
    store.update("documents", doc_id, changes)


def attribute_names(store: Store) -> list[str]:
    """The names documents can be filtered and grouped by: free attributes, and ``case`` and
    ``wave`` when some document has one."""
    names = {r[0] for r in store.rows("SELECT DISTINCT name FROM document_attributes")}
    if store.scalar("SELECT 1 FROM documents WHERE wave IS NOT NULL LIMIT 1"):
        names.add("wave")
    if store.scalar("SELECT 1 FROM documents WHERE case_id IS NOT NULL LIMIT 1"):
        names.add("case")
    return sorted(names)


def turn_roles(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT DISTINCT role FROM turns WHERE role IS NOT NULL ORDER BY role")]


def turns(store: Store, doc_id: int) -> list[sqlite3.Row]:
    return store.rows(
        'SELECT id, seq, speaker, role, timestamp, start, body_start, "end" FROM turns '
        "WHERE document_id = ? ORDER BY seq",
        (doc_id,),
    )


def sentences(store: Store, doc_id: int) -> list[sqlite3.Row]:
    return store.rows(
        'SELECT id, turn_id, seq, start, "end", lemmas FROM sentences WHERE document_id = ? ORDER BY seq',
        (doc_id,),
    )


def sentence_spans(store: Store, doc_id: int, sentence_ids: Sequence[int]) -> list[sqlite3.Row]:
    marks = ",".join("?" * len(sentence_ids))
    return store.rows(
        f'SELECT id, start, "end" FROM sentences WHERE document_id = ? AND id IN ({marks}) ORDER BY start',
        (doc_id, *sentence_ids),
    )


def turn_span(store: Store, turn_id: int) -> sqlite3.Row | None:
    return store.row('SELECT id, document_id, start, body_start, "end" FROM turns WHERE id = ?', (turn_id,))


def organisations(store: Store) -> list[sqlite3.Row]:
    return store.rows(
        "SELECT o.id, o.name, (SELECT count(*) FROM projects p WHERE p.organisation_id = o.id AND p.name != '') AS projects "
        "FROM organisations o ORDER BY o.name"
    )


def projects(store: Store) -> list[sqlite3.Row]:
    return store.rows(
        "SELECT p.id, p.name, o.name AS organisation, p.description, "
        "(SELECT count(*) FROM documents d WHERE d.project_id = p.id) AS documents "
        "FROM projects p LEFT JOIN organisations o ON o.id = p.organisation_id WHERE p.name != '' ORDER BY o.name, p.name"
    )


def totals(store: Store) -> dict[str, int]:
    row = store.row(
        "SELECT (SELECT count(*) FROM documents) AS documents, "
        "(SELECT ifnull(sum(word_count), 0) FROM documents) AS words, "
        "(SELECT count(*) FROM codes) AS codes, "
        "(SELECT count(*) FROM codings) AS codings, "
        "(SELECT count(*) FROM coders) AS coders, "
        "(SELECT count(*) FROM memos) AS memos, "
        "(SELECT count(*) FROM organisations) AS organisations, "
        "(SELECT count(*) FROM projects WHERE name != '') AS projects"
    )
    assert row is not None
    return dict(row)


def get_meta(store: Store, key: str) -> str | None:
    return store.scalar("SELECT value FROM meta WHERE key = ?", (key,))


def set_meta(store: Store, key: str, value: str) -> None:
    store.conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def titles_by_sha(store: Store, digests: Sequence[str]) -> dict[str, str]:
    """The titles of the documents whose text has one of these SHA-256 digests, by digest."""
    found: dict[str, str] = {}
    for at in range(0, len(digests), 500):
        chunk = digests[at : at + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.rows(f"SELECT sha256, title FROM documents WHERE sha256 IN ({marks})", chunk):
            found[row["sha256"]] = row["title"]
    return found
