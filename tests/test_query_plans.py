"""No statement on the paths a coder waits for scans a growing table.

Applying, adjusting, recoding and removing a coding, undo and redo, and opening a document
must cost the same at 0 and at 1,000,000 logged actions and codings. The statements those
paths run are captured with SQLite's trace callback, and each one's query plan is checked:
a full ``SCAN`` of history, codings or sentences fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualcode.study.study import Study

GROWING = ("history", "codings", "sentences", "turns", "coding_counts")


def _scans(study: Study, statements: list[str]) -> list[str]:
    found = []
    conn = study.store.conn
    for sql in dict.fromkeys(statements):
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            continue
        for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
            detail = row[-1]
            match = re.match(r"SCAN (\w+)", detail)  # a SCAN, even of an index, reads every row
            if match and match.group(1) in GROWING:
                found.append(f"{detail}  <-  {sql[:160]}")
    return found


def _traced(study: Study, work) -> list[str]:
    statements: list[str] = []
    study.store.conn.set_trace_callback(statements.append)
    try:
        work()
    finally:
        study.store.conn.set_trace_callback(None)
    return statements


def test_coding_paths_use_indexes(study_path: Path) -> None:
    with Study.open(study_path) as study:
        doc = study.documents()[0]
        sentences = study.sentences(doc.id)

        def apply_and_undo() -> None:
            made = study.add_coding(doc.id, "Vertrouwensband", sentences[0].start, sentences[0].end)
            study.adjust_coding(made.id, sentences[0].start, sentences[1].end)
            study.recode(made.id, "Huisbezoek")
            study.remove_coding(made.id)
            study.undo()
            study.undo()
            study.redo()
            study.add_coding(doc.id, "Vertrouwensband", sentences[1].start, sentences[1].end)

        statements = _traced(study, apply_and_undo)
        assert any("INSERT INTO" in s and "codings" in s for s in statements)
        assert _scans(study, statements) == []


def test_opening_a_document_uses_indexes(study_path: Path) -> None:
    with Study.open(study_path) as study:
        doc = study.documents()[0]

        def open_document() -> None:
            study.document(doc.id)
            study.turns(doc.id)
            study.turn_bounds(doc.id)
            study.document_order()
            study.coder_names()
            study.sentence_bounds(doc.id)
            study.sentence_bounds(doc.id, first=True)
            study.coding_spans(doc.id)
            study.coding_spans(doc.id, within=(100, 400))
            study.code_counts(doc.id)

        statements = _traced(study, open_document)
        assert statements
        assert _scans(study, statements) == []
