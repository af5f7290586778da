"""SQL for analysis: counts per code, per group and per document, spans for numpy.

Everything heavy is one GROUP BY over an index: ``codings_code (code_id, document_id)``
covers the per-(code, document) tallies, from which every frequency table and matrix is
built. Sub-codes are rolled up into their parents with a recursive CTE of (code, ancestor)
pairs, so a parent's document count is a true distinct count, not a sum of its children's.

A *scope* is the set of documents the researcher filtered to (organisation, project, role,
attributes) and optionally the coders whose codings count: a :class:`~qualcode.core.scope.Scope`,
turned into SQL here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import QualcodeError
from qualcode.core.scope import Scope
from qualcode.store import cases as casesql
from qualcode.store.core import Store
from qualcode.store.documents import document_filter

if TYPE_CHECKING:
    import numpy as np

# Ways of grouping documents; anything else is a document attribute name.
GROUP_COLUMNS = {
    "organisation": "ifnull(o.name, '(none)')",
    "project": "ifnull(nullif(p.name, ''), '(none)')",  # '' carries an organisation's documents without a project
    "role": "ifnull(d.role, '(none)')",
    "document": "d.title",
    "participant": "ifnull(d.participant, '(none)')",
    "wave": "ifnull(d.wave, '(none)')",
    "case": "ifnull((SELECT k.name FROM cases k WHERE k.id = d.case_id), '(none)')",
}
DOC_JOINS = "LEFT JOIN projects p ON p.id = d.project_id LEFT JOIN organisations o ON o.id = p.organisation_id"
DOC_FROM = f"documents d {DOC_JOINS}"


def scope_documents_sql(scope: Scope) -> tuple[str, list[Any]]:
    """``SELECT d.id FROM documents d WHERE …`` for the scope's documents."""
    where, params = document_filter(scope.organisation, scope.project, scope.role, scope.attributes)
    return f"SELECT d.id FROM documents d {where}", params


def scope_codings_where(store: Store, scope: Scope, alias: str = "c") -> tuple[str, list[Any]]:
    """A WHERE clause over ``codings {alias}`` for the scope (empty if unfiltered)."""
    clauses: list[str] = []
    params: list[Any] = []
    if scope.filters_documents:
        docs, doc_params = scope_documents_sql(scope)
        clauses.append(f"{alias}.document_id IN ({docs})")
        params.extend(doc_params)
    names = scope.coder_names()
    if names:
        ids = coder_ids(store, names)
        clauses.append(f"{alias}.coder_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def coder_ids(store: Store, names: Sequence[str]) -> list[int]:
    """Ids of the coders named; a name no coder has is an error (a typo would otherwise
    give empty tables that look like findings)."""
    found = {r["name"]: r["id"] for r in store.rows("SELECT id, name FROM coders")}
    unknown = [n for n in names if n not in found]
    if unknown:
        known = ", ".join(sorted(found)) or "none yet"
        raise QualcodeError(f"no coder named {', '.join(unknown)} in this study (coders: {known})")
    return [found[n] for n in names]


def coders_with_codings(store: Store, scope: Scope) -> list[str]:
    """Names of the coders whose codings the scope counts and who coded something in it."""
    if not scope.filters_documents:
        # one index lookup per coder (codings_coder), not a scan of the tally
        names = scope.coder_names()
        clause, params = "", []  # type: tuple[str, list[Any]]
        if names:
            ids = coder_ids(store, names)
            clause, params = f"AND k.id IN ({','.join('?' * len(ids))})", list(ids)
        return [
            r[0]
            for r in store.conn.execute(
                "SELECT k.name FROM coders k WHERE EXISTS (SELECT 1 FROM codings c WHERE c.coder_id = k.id) "
                f"{clause} ORDER BY k.name",
                params,
            )
        ]
    where, params = scope_codings_where(store, scope)
    return [
        r[0]
        for r in store.conn.execute(
            f"SELECT k.name FROM coders k WHERE k.id IN (SELECT DISTINCT c.coder_id FROM coding_counts c {where}) "
            "ORDER BY k.name",
            params,
        )
    ]


def coded_documents(store: Store, scope: Scope) -> set[int]:
    """The scope's documents with at least one coding by the counted coders (one index
    lookup per document, not a scan of the tally)."""
    docs, params = scope_documents_sql(scope)
    clause = ""
    names = scope.coder_names()
    if names:
        ids = coder_ids(store, names)
        clause = f"AND c.coder_id IN ({','.join('?' * len(ids))})"
        params = [*params, *ids]
    return {
        r[0]
        for r in store.conn.execute(
            f"SELECT x.id FROM ({docs}) x WHERE EXISTS "
            f"(SELECT 1 FROM coding_counts c WHERE c.document_id = x.id {clause})",
            params,
        )
    }


def document_frame(store: Store, scope: Scope, by: str | None = None) -> list[sqlite3.Row]:
    """The scope's documents with what units and groups are made of: id, title, group (when
    ``by``), participant (a document without one is a participant of its own), case_id and
    word_count."""
    # the filter straight on d (not ``d.id IN (…)``): the covering index documents_frame serves it
    where, doc_params = document_filter(scope.organisation, scope.project, scope.role, scope.attributes)
    expr, join, join_params = group_expression(store, by) if by else ("NULL", "", [])
    return store.rows(
        f"SELECT d.id, d.title, {expr} AS grp, ifnull(d.participant, '#' || d.id) AS participant, "
        f"d.case_id, d.word_count FROM {DOC_FROM} {join} {where} ORDER BY d.id",
        [*join_params, *doc_params],
    )


def case_names(store: Store) -> dict[int, str]:
    return {r[0]: r[1] for r in store.conn.execute("SELECT id, name FROM cases")}


def code_documents(store: Store, scope: Scope, *, rollup: bool) -> list[tuple[int, int]]:
    """(code_id, document_id): the code (or, rolled up, one of its sub-codes) was coded in
    the document by a counted coder."""
    per, params = _per_cte(store, scope)
    return store.conn.execute(
        f"WITH RECURSIVE {_ancestors_cte(rollup)}, {per} "
        "SELECT DISTINCT a.ancestor, per.document_id FROM per JOIN anc a ON a.code_id = per.code_id",
        params,
    ).fetchall()


def interviewer_turns(store: Store, document_ids: Sequence[int]) -> list[tuple[int, int, int]]:
    """(document_id, start, end) of the interviewer's turns of some documents, by document
    and start: the words in them are questions, not what respondents said."""
    if not len(document_ids):
        return []
    return store.conn.execute(
        'SELECT document_id, start, "end" FROM turns WHERE document_id IN (SELECT value FROM json_each(?)) '
        "AND role = 'interviewer' ORDER BY document_id, start",
        [json.dumps([int(i) for i in document_ids])],
    ).fetchall()


def _ancestors_cte(rollup: bool) -> str:
    """``anc(code_id, ancestor)``: each code with itself and, rolled up, all its ancestors."""
    if not rollup:
        return "anc(code_id, ancestor) AS (SELECT id, id FROM codes)"
    return (
        "anc(code_id, ancestor) AS (SELECT id, id FROM codes UNION ALL "
        "SELECT anc.code_id, k.parent_id FROM anc JOIN codes k ON k.id = anc.ancestor "
        "WHERE k.parent_id IS NOT NULL)"
    )


def _per_cte(store: Store, scope: Scope) -> tuple[str, list[Any]]:
    """``per(code_id, document_id, n)`` from the trigger-kept tally ``coding_counts``
    (see the schema): at most codes × documents × coders rows, whatever the codings."""
    where, params = scope_codings_where(store, scope)
    return (
        f"per(code_id, document_id, n) AS (SELECT c.code_id, c.document_id, sum(c.n) FROM coding_counts c "
        f"{where} GROUP BY c.code_id, c.document_id)",
        params,
    )


def code_totals(store: Store, scope: Scope, *, rollup: bool) -> list[sqlite3.Row]:
    """Per code: codings, documents and participants (a document without a named
    participant counts as a participant of its own)."""
    per, params = _per_cte(store, scope)
    return store.rows(
        # who(…) is materialised once per document: ``participant`` sits after ``text`` in
        # the row, and reading it per (code, document) would walk each transcript again.
        f"WITH RECURSIVE {_ancestors_cte(rollup)}, {per}, "
        "who(document_id, participant) AS MATERIALIZED (SELECT id, ifnull(participant, '#' || id) FROM documents) "
        "SELECT a.ancestor AS code_id, sum(per.n) AS codings, count(DISTINCT per.document_id) AS documents, "
        "count(DISTINCT w.participant) AS participants "
        "FROM per JOIN anc a ON a.code_id = per.code_id JOIN who w ON w.document_id = per.document_id "
        "GROUP BY a.ancestor",
        params,
    )


def own_codings(store: Store, scope: Scope) -> dict[int, int]:
    """Per code: its own codings (not its sub-codes'), from the tally: one pass over the
    tally's primary key, the roll-up is done over the (small) code tree by the caller."""
    where, params = scope_codings_where(store, scope)
    return dict(
        store.conn.execute(f"SELECT c.code_id, sum(c.n) FROM coding_counts c {where} GROUP BY c.code_id", params)
    )


def own_coding_columns(store: Store, scope: Scope) -> tuple[str, str, str]:
    """(code_id, document_id, codings) of the tally for the counted coders, as three
    comma-separated columns (codes as coded; the caller rolls up)."""
    where, params = scope_codings_where(store, scope)
    found = store.conn.execute(
        "SELECT group_concat(code_id), group_concat(document_id), group_concat(n) FROM "
        f"(SELECT c.code_id, c.document_id, sum(c.n) AS n FROM coding_counts c {where} "
        "GROUP BY c.code_id, c.document_id)",
        params,
    ).fetchone()
    if found is None or found[0] is None:
        return "", "", ""
    return found[0], found[1], found[2]


def code_document_columns(store: Store, scope: Scope) -> tuple[str, str]:
    """(code_id, document_id) pairs with a coding by a counted coder, as two
    comma-separated columns (codes as coded, not rolled up)."""
    where, params = scope_codings_where(store, scope)
    found = store.conn.execute(
        "SELECT group_concat(code_id), group_concat(document_id) FROM "
        f"(SELECT DISTINCT c.code_id, c.document_id FROM coding_counts c {where})",
        params,
    ).fetchone()
    if found is None or found[0] is None:
        return "", ""
    return found[0], found[1]


def code_document_coder_columns(store: Store, scope: Scope) -> tuple[str, str, str]:
    """(code_id, document_id, coder_id) of every tally row of the scope (a coder coded the
    code in the document), as three comma-separated columns: presence, whatever the number
    of codings, read from the trigger-kept tally (codes × documents × coders rows at most)."""
    where, params = scope_codings_where(store, scope)
    found = store.conn.execute(
        "SELECT group_concat(c.code_id), group_concat(c.document_id), group_concat(c.coder_id) "
        f"FROM coding_counts c {where}",
        params,
    ).fetchone()
    if found is None or found[0] is None:
        return "", "", ""
    return found[0], found[1], found[2]


def group_expression(store: Store, by: str) -> tuple[str, str, list[Any]]:
    """(SQL expression for the group of document ``d``, extra JOIN, params)."""
    if by in GROUP_COLUMNS:
        return GROUP_COLUMNS[by], "", []
    # ``case:NAME`` is a case attribute, ``doc:NAME`` a document attribute; a bare name is the
    # document attribute, or the case attribute when no document has one of that name
    # (qualcode.analysis.units.resolve_grouping refuses names that are both).
    if by.startswith("case:") or (
        not by.startswith("doc:")
        and not casesql.has_document_attribute(store, by)
        and casesql.has_case_attribute(store, by)
    ):
        return casesql.case_attribute_group(store, by.removeprefix("case:"))
    by = by.removeprefix("doc:")
    return (
        "ifnull(ga.value, '(none)')",
        "LEFT JOIN document_attributes ga ON ga.document_id = d.id AND ga.name = ?",
        [by],
    )


def code_group_totals(store: Store, scope: Scope, by: str, *, rollup: bool) -> list[sqlite3.Row]:
    """Per (code, group): codings and documents."""
    per, params = _per_cte(store, scope)
    expr, join, join_params = group_expression(store, by)
    return store.rows(
        f"WITH RECURSIVE {_ancestors_cte(rollup)}, {per}, "
        f"grp(document_id, name) AS MATERIALIZED (SELECT d.id, {expr} FROM {DOC_FROM} {join}) "
        "SELECT a.ancestor AS code_id, g.name AS grp, sum(per.n) AS codings, "
        "count(DISTINCT per.document_id) AS documents "
        "FROM per JOIN anc a ON a.code_id = per.code_id JOIN grp g ON g.document_id = per.document_id "
        "GROUP BY a.ancestor, g.name",
        [*params, *join_params],
    )


def group_sizes(store: Store, scope: Scope, by: str) -> list[sqlite3.Row]:
    """Per group of the scope's documents: documents, words, participants."""
    docs, doc_params = scope_documents_sql(scope)
    expr, join, join_params = group_expression(store, by)
    return store.rows(
        f"SELECT {expr} AS grp, count(*) AS documents, sum(d.word_count) AS words, "
        "count(DISTINCT ifnull(d.participant, '#' || d.id)) AS participants "
        f"FROM {DOC_FROM} {join} WHERE d.id IN ({docs}) GROUP BY grp ORDER BY grp",
        [*join_params, *doc_params],
    )


def scope_documents(store: Store, scope: Scope) -> list[sqlite3.Row]:
    """The scope's documents with their context (no text)."""
    docs, params = scope_documents_sql(scope)
    return store.rows(
        "SELECT d.id, d.title, d.role, d.participant, d.word_count, d.char_count, d.sha256, d.wave, "
        '(SELECT k.name FROM cases k WHERE k.id = d.case_id) AS "case", '
        f"nullif(p.name, '') AS project, o.name AS organisation FROM {DOC_FROM} WHERE d.id IN ({docs}) "
        "ORDER BY o.name, p.name, d.title",
        params,
    )


def coding_spans(store: Store, scope: Scope) -> tuple[str, str, str, str, str]:
    """The scope's codings as five comma-separated strings (document ids, code ids, starts,
    ends, coder ids), row-aligned: the raw material for numpy (coded words, co-occurrence).

    SQLite converts and concatenates in C, far faster than handing a million row tuples to
    Python; one ``group_concat`` per column rather than one over ``a || ',' || b || …``,
    since the string concatenation operator costs three times what the conversion does
    (0.17 s against 0.45 s at a million codings). All five aggregates see the rows of the
    one scan in the same order, so the columns line up.
    """
    where, params = scope_codings_where(store, scope)
    found = store.conn.execute(
        "SELECT group_concat(c.document_id), group_concat(c.code_id), group_concat(c.start), "
        f'group_concat(c."end"), group_concat(c.coder_id) FROM codings c {where}',
        params,
    ).fetchone()
    if found is None or found[0] is None:
        return "", "", "", "", ""
    return found[0], found[1], found[2], found[3], found[4]


def unit_spans(store: Store, unit: str, document_ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document_id, start, end) of every sentence or turn of some documents, as three
    int64 arrays ordered by document and start (a turn starts at its body, after the
    speaker label)."""
    import numpy as np

    table = {"sentence": "sentences", "turn": "turns"}[unit]
    start = "body_start" if unit == "turn" else "start"
    empty = np.zeros(0, dtype=np.int64)
    if not document_ids:
        return empty, empty, empty
    # the ids go in as one JSON array: no limit on the number of bound variables
    found = store.conn.execute(
        f'SELECT group_concat(document_id), group_concat({start}), group_concat("end") FROM '
        f'(SELECT document_id, {start}, "end" FROM {table} '
        f"WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY document_id, {start})",
        [json.dumps([int(i) for i in document_ids])],
    ).fetchone()
    if found is None or found[0] is None:
        return empty, empty, empty
    document, first, end = (np.fromstring(text, dtype=np.int64, sep=",") for text in found)
    return document, first, end


def document_hashes(store: Store, document_ids: Sequence[int]) -> list[sqlite3.Row]:
    if not document_ids:
        return []
    marks = ",".join("?" * len(document_ids))
    return store.rows(f"SELECT id, sha256 FROM documents WHERE id IN ({marks})", list(document_ids))


def document_texts(store: Store, document_ids: Sequence[int]) -> list[sqlite3.Row]:
    if not document_ids:
        return []
    marks = ",".join("?" * len(document_ids))
    return store.rows(f"SELECT id, sha256, text FROM documents WHERE id IN ({marks})", list(document_ids))


def turn_labels(store: Store, document_ids: Sequence[int]) -> list[tuple[int, int, int]]:
    """(document_id, start, body_start) of every turn that opens with a label or timestamp,
    by document and start: the stretches whose words are not what was said."""
    if not document_ids:
        return []
    return store.conn.execute(
        "SELECT document_id, start, body_start FROM turns "
        "WHERE document_id IN (SELECT value FROM json_each(?)) AND body_start > start ORDER BY document_id, start",
        [json.dumps([int(i) for i in document_ids])],
    ).fetchall()


WORD_COUNTS_KEY = "word_counts"  # in meta: set while word counts include speaker labels


def word_counts_include_labels(store: Store) -> bool:
    """Whether documents imported before spoken word counts still count their labels."""
    return store.scalar("SELECT 1 FROM meta WHERE key = ?", (WORD_COUNTS_KEY,)) is not None


def word_count_sources(store: Store) -> list[sqlite3.Row]:
    """(id, text, word_count) of every document, for a recount."""
    return store.rows("SELECT id, text, word_count FROM documents ORDER BY id")


def turn_spans(store: Store, document_id: int) -> list[tuple[int, int, int]]:
    """(start, body_start, end) of a document's turns in text order."""
    return store.conn.execute(
        'SELECT start, body_start, "end" FROM turns WHERE document_id = ? ORDER BY start', (document_id,)
    ).fetchall()


def set_word_counts(store: Store, counts: Sequence[tuple[int, int]]) -> None:
    """Store recounted (document_id, word_count) pairs and clear the stale-count mark.
    Unrecorded: a recount corrects derived figures, it is no coding work to undo."""
    store.conn.executemany("UPDATE documents SET word_count = ? WHERE id = ?", [(n, i) for i, n in counts])
    store.conn.execute("DELETE FROM meta WHERE key = ?", (WORD_COUNTS_KEY,))


def turns_with_roles(store: Store, document_ids: Sequence[int]) -> list[tuple[int, int, int, int, str | None]]:
    """(document_id, start, body_start, end, role) of the turns of some documents, by
    document and start."""
    if not len(document_ids):
        return []
    return store.conn.execute(
        'SELECT document_id, start, body_start, "end", role FROM turns '
        "WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY document_id, start",
        [json.dumps([int(i) for i in document_ids])],
    ).fetchall()


def sentence_lemmas(store: Store, scope: Scope, by: str) -> list[sqlite3.Row]:
    """(group, document_id, lemmas) of every sentence in the scope's documents, spoken by respondents
    (sentences in interviewer turns are left out: their words are the questions)."""
    docs, params = scope_documents_sql(scope)
    expr, join, join_params = group_expression(store, by)
    return store.rows(
        f"SELECT {expr} AS grp, s.document_id, s.lemmas FROM sentences s JOIN documents d ON d.id = s.document_id {DOC_JOINS} {join} "
        "LEFT JOIN turns t ON t.id = s.turn_id "
        f"WHERE d.id IN ({docs}) AND ifnull(t.role, '') != 'interviewer'",
        [*join_params, *params],
    )


def respondent_texts(store: Store, scope: Scope, by: str) -> list[sqlite3.Row]:
    """(group, document_id, start, end) of the respondents' sentences, for word counts
    over surface forms."""
    docs, params = scope_documents_sql(scope)
    expr, join, join_params = group_expression(store, by)
    return store.rows(
        f'SELECT {expr} AS grp, s.document_id, substr(d.text, s.start + 1, s."end" - s.start) AS text '
        f"FROM sentences s JOIN documents d ON d.id = s.document_id {DOC_JOINS} {join} "
        "LEFT JOIN turns t ON t.id = s.turn_id "
        f"WHERE d.id IN ({docs}) AND ifnull(t.role, '') != 'interviewer'",
        [*join_params, *params],
    )


def sentences_with_lemma(store: Store, scope: Scope, lemma: str, limit: int) -> list[sqlite3.Row]:
    """Sentences whose lemmas contain ``lemma`` (a whole lemma), with their document."""
    docs, params = scope_documents_sql(scope)
    return store.rows(
        'SELECT s.document_id, s.start, s."end", d.title, d.role, o.name AS organisation '
        f"FROM sentences s JOIN documents d ON d.id = s.document_id {DOC_JOINS} "
        f"WHERE d.id IN ({docs}) AND (' ' || s.lemmas || ' ') LIKE ? "
        "ORDER BY o.name, d.title, s.start LIMIT ?",
        [*params, f"% {lemma} %", limit],
    )


def bulk_insert_codings(store: Store, rows: Sequence[tuple[int, int, int, int, int, str]]) -> None:
    """Insert (document_id, code_id, coder_id, start, end, created_at) rows in one
    statement, unrecorded: for benchmarks and bulk imports, never for a user's edit."""
    store.conn.executemany(
        'INSERT INTO codings (document_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?)',
        rows,
    )


def bulk_apply_codings(
    store: Store, rows: Sequence[tuple[int, int, int, int, int, str]], paths: dict[int, str]
) -> None:
    """Insert (document_id, code_id, coder_id, start, end, created_at) rows as if each had
    been applied by hand: every coding gets the history row ``Study.add_coding`` writes (one
    undoable action per coding, its coder's, the same description and the same recorded
    change with the document's hash), so a benchmark's study has the undo log a researcher's
    has. ``paths`` names the codes (``Parent/Child``) for the descriptions. The caller holds
    one unrecorded action around a batch."""
    if not rows:
        return
    before = store.conn.execute("SELECT ifnull(max(id), 0) FROM codings").fetchone()[0]
    bulk_insert_codings(store, rows)
    documents = sorted({r[0] for r in rows})
    hashes = dict(
        store.conn.execute(
            "SELECT id, sha256 FROM documents WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(documents)]
        )
    )
    made = store.conn.execute("SELECT id FROM codings WHERE id > ? ORDER BY id", (before,)).fetchall()
    history = []
    for (coding_id,), (document_id, code_id, coder_id, start, end, created_at) in zip(made, rows, strict=True):
        row = {
            "document_id": document_id,
            "code_id": code_id,
            "coder_id": coder_id,
            "start": start,
            "end": end,
            "memo": "",
            "origin": "manual",
            "created_at": created_at,
            "id": coding_id,
        }
        change = ["insert", "codings", None, row, {"document_id": document_id, "sha256": hashes[document_id]}]
        history.append(
            (
                f"code {start}–{end} as “{paths[code_id]}”",
                json.dumps([change], ensure_ascii=False),
                coder_id,
                created_at,
            )
        )
    store.conn.executemany(
        "INSERT INTO history (description, changes, coder_id, created_at) VALUES (?, ?, ?, ?)", history
    )


def fragment_codings(store: Store, scope: Scope, code_ids: Sequence[int] | None = None) -> list[sqlite3.Row]:
    """The scope's codings with their coder, without document context or text.

    Document columns are left to :func:`scope_documents`: ``role`` and ``participant`` sit
    after ``text`` in the documents table, so reading them per coding would walk each
    transcript's overflow pages once per coding (seconds at 50,000 codings).
    """
    where, params = scope_codings_where(store, scope)
    if code_ids is not None:
        clause = f"c.code_id IN ({','.join('?' * len(code_ids))})"
        where = f"{where} AND {clause}" if where else f"WHERE {clause}"
        params = [*params, *code_ids]
    return store.rows(
        'SELECT c.id, c.document_id, c.code_id, c.coder_id, c.start, c."end", c.memo, c.origin, c.created_at, '
        f"k.name AS coder FROM codings c JOIN coders k ON k.id = c.coder_id {where}",
        params,
    )


def turn_starts(store: Store, document_ids: Sequence[int]) -> list[sqlite3.Row]:
    """(document_id, start, speaker, role) of the turns of some documents, in text order."""
    if not document_ids:
        return []
    marks = ",".join("?" * len(document_ids))
    return store.rows(
        f"SELECT document_id, start, speaker, role FROM turns WHERE document_id IN ({marks}) "
        "ORDER BY document_id, start",
        list(document_ids),
    )


# -- derived passages (see the schema's "passages per document, code and coder") ------------


def dirty_documents(store: Store, limit: int = -1) -> list[int]:
    return [
        r[0] for r in store.conn.execute("SELECT document_id FROM passage_dirty ORDER BY document_id LIMIT ?", (limit,))
    ]


def document_spans(store: Store, document_ids: Sequence[int]) -> tuple[str, str, str, str, str]:
    """Every coding of some documents as five comma-separated columns (as
    :func:`coding_spans`), whoever coded them."""
    found = store.conn.execute(
        "SELECT group_concat(c.document_id), group_concat(c.code_id), group_concat(c.start), "
        'group_concat(c."end"), group_concat(c.coder_id) FROM codings c '
        "WHERE c.document_id IN (SELECT value FROM json_each(?))",
        [json.dumps([int(i) for i in document_ids])],
    ).fetchone()
    if found is None or found[0] is None:
        return "", "", "", "", ""
    return found[0], found[1], found[2], found[3], found[4]


def replace_passage_arrays(
    store: Store, document_ids: Sequence[int], rows: Sequence[tuple[int, int, int, int, bytes]]
) -> None:
    """Replace the packed (rollup, coder_id, document_id, n, data) rows of some documents
    and clear their dirty marks. Unrecorded: derived data, no user's work; the caller holds
    the write transaction, so no coding slips in between."""
    ids = json.dumps([int(i) for i in document_ids])
    store.conn.execute("DELETE FROM passage_arrays WHERE document_id IN (SELECT value FROM json_each(?))", [ids])
    store.conn.executemany(
        "INSERT INTO passage_arrays (rollup, coder_id, document_id, n, data) VALUES (?, ?, ?, ?, ?)", rows
    )
    store.conn.execute("DELETE FROM passage_dirty WHERE document_id IN (SELECT value FROM json_each(?))", [ids])


def stored_respondent_words(store: Store, document_ids: Sequence[int]) -> dict[int, int]:
    return {
        r[0]: r[1]
        for r in store.conn.execute(
            "SELECT document_id, words FROM respondent_words WHERE document_id IN (SELECT value FROM json_each(?))",
            [json.dumps([int(i) for i in document_ids])],
        )
    }


def store_respondent_words(store: Store, counts: dict[int, int]) -> None:
    store.conn.executemany(
        "INSERT OR REPLACE INTO respondent_words (document_id, words) VALUES (?, ?)", list(counts.items())
    )


def passage_array_rows(store: Store, scope: Scope, *, rollup: bool, coder_id: int) -> list[tuple[int, int, bytes]]:
    """The packed (document_id, n, data) passages of the scope's documents for one rollup
    and coder (0: every coder merged)."""
    clause, params = "", []  # type: tuple[str, list[Any]]
    if scope.filters_documents:
        docs, params = scope_documents_sql(scope)
        clause = f"AND p.document_id IN ({docs})"
    return store.conn.execute(
        f"SELECT p.document_id, p.n, p.data FROM passage_arrays p WHERE p.rollup = ? AND p.coder_id = ? {clause}",
        [int(rollup), coder_id, *params],
    ).fetchall()


# -- derived coding arrays (see the schema's "codings per document as packed arrays") -------

CODING_ARRAYS_KEY = "coding_arrays"  # in meta: every coded document has its row


def coding_arrays_complete(store: Store) -> bool:
    return store.scalar("SELECT 1 FROM meta WHERE key = ?", (CODING_ARRAYS_KEY,)) is not None


def unpacked_document_ids(store: Store, limit: int) -> list[int]:
    """Coded documents without their packed codings (at most ``limit``, in id order)."""
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT DISTINCT c.document_id FROM coding_counts c"
            " WHERE NOT EXISTS (SELECT 1 FROM coding_arrays a WHERE a.document_id = c.document_id)"
            " ORDER BY c.document_id LIMIT ?",
            (limit,),
        )
    ]


def replace_coding_arrays(
    store: Store,
    document_ids: Sequence[int],
    arrays: Sequence[tuple[int, int, bytes, int, bytes]],
    *,
    complete: bool = False,
) -> None:
    """Replace the packed (document_id, n, data, pairs_n, pairs) rows of some documents (a
    document without codings keeps none); ``complete`` records that every coded document now
    has its row.
    Unrecorded, like the passages: the caller holds the write transaction."""
    ids = json.dumps([int(i) for i in document_ids])
    store.conn.execute("DELETE FROM coding_arrays WHERE document_id IN (SELECT value FROM json_each(?))", [ids])
    store.conn.executemany(
        "INSERT INTO coding_arrays (document_id, n, data, pairs_n, pairs) VALUES (?, ?, ?, ?, ?)", arrays
    )
    if complete:
        store.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (CODING_ARRAYS_KEY,))


def clear_derived(store: Store) -> None:
    """Forget every derived row (packed passages and codings) and mark every coded document
    dirty: the next read derives them all again, as for a study seen for the first time.
    Unrecorded, like the rows themselves; the caller holds the write transaction."""
    store.conn.execute("DELETE FROM passage_arrays")
    store.conn.execute("DELETE FROM coding_arrays")
    store.conn.execute("DELETE FROM meta WHERE key = ?", (CODING_ARRAYS_KEY,))
    store.conn.execute(
        "INSERT OR IGNORE INTO passage_dirty (document_id) SELECT DISTINCT document_id FROM coding_counts"
    )


def derived_rows(
    store: Store,
) -> tuple[list[tuple[int, int, int, int, bytes]], list[tuple[int, int, bytes, int, bytes]]]:
    """Every packed passage row (rollup, coder_id, document_id, n, data) and coding row
    (document_id, n, data, pairs_n, pairs), in key order: to compare what was kept up to
    date with a rebuild."""
    passages = store.conn.execute(
        "SELECT rollup, coder_id, document_id, n, data FROM passage_arrays ORDER BY rollup, coder_id, document_id"
    ).fetchall()
    codings = store.conn.execute(
        "SELECT document_id, n, data, pairs_n, pairs FROM coding_arrays ORDER BY document_id"
    ).fetchall()
    return [tuple(r) for r in passages], [tuple(r) for r in codings]


def coding_array_rows(store: Store, scope: Scope) -> list[tuple[int, int, bytes]]:
    """The packed (document_id, n, data) rows of the scope's documents (every coder's
    codings: the caller keeps the counted coders')."""
    clause, params = "", []  # type: tuple[str, list[Any]]
    if scope.filters_documents:
        docs, params = scope_documents_sql(scope)
        clause = f"WHERE a.document_id IN ({docs})"
    return store.conn.execute(f"SELECT a.document_id, a.n, a.data FROM coding_arrays a {clause}", params).fetchall()


def overlap_pair_batches(store: Store, scope: Scope, size: int = 200) -> Iterator[list[tuple[int, bytes]]]:
    """The packed (pairs_n, pairs) overlapping pairs of the scope's documents, ``size``
    documents at a time (every coder's: the caller keeps the counted coders')."""
    clause, params = "", []  # type: tuple[str, list[Any]]
    if scope.filters_documents:
        docs, params = scope_documents_sql(scope)
        clause = f"WHERE a.document_id IN ({docs})"
    cursor = store.conn.execute(f"SELECT a.pairs_n, a.pairs FROM coding_arrays a {clause}", params)
    while batch := cursor.fetchmany(size):
        yield batch
