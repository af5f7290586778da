"""The memos a researcher reads back: every kind with where it is, and the marks in the text
found through the partial index (no scan of a document's codings, nor of the study's)."""

from __future__ import annotations

from qualcode.study.study import Study
from qualcode.tui.screens.memos import matching, memo_rows


def _plans(study: Study, work) -> list[str]:
    statements: list[str] = []
    conn = study.store.conn
    conn.set_trace_callback(statements.append)
    try:
        work()
    finally:
        conn.set_trace_callback(None)
    return [row[-1] for sql in statements for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]


def test_memo_overview_lists_every_kind_with_its_place(study: Study) -> None:
    parent = study.document("Ouder Coevorden")
    start = parent.text.index("Ik schaamde")
    coding = study.add_coding(parent.id, study.code("Vertrouwen"), start, start + 11)
    study.set_coding_memo(coding.id, "Schaamte eerst.")
    study.add_coding(parent.id, study.code("Vertrouwen"), 0, 5)  # no memo: not listed
    study.set_memo("document", parent.id, "Rustig gesprek.")
    code = study.code("Vangnet en veiligheid")
    study.set_memo("code", code.id, "Grens met Vertrouwen.")
    study.set_memo("study", None, "Golf 2 volgt.")
    found = {m["target"]: m for m in study.memo_overview()}
    assert set(found) == {"coding", "document", "code", "study"}
    assert len(study.memo_overview()) == 4
    on_coding = found["coding"]
    assert (on_coding["document_id"], on_coding["start"], on_coding["end"]) == (parent.id, start, start + 11)
    assert on_coding["words"] == "Ik schaamde" and on_coding["title"] == "Ouder Coevorden"
    assert on_coding["code_id"] == study.code("Vertrouwen").id and on_coding["coder"] == "tester"
    assert (found["document"]["document_id"], found["document"]["title"]) == (parent.id, "Ouder Coevorden")
    assert found["code"]["code_id"] == code.id and found["code"]["document_id"] is None
    assert study.memo_coding_ids(parent.id) == {coding.id}

    rows = memo_rows(study)
    assert [r.target for r in rows] == ["study", "document", "coding", "code"]  # reading order
    assert [r.target for r in matching(rows, "vertrouwen", None)] == ["coding", "code"]  # code path too
    assert [r.target for r in matching(rows, "VERTROUWEN schaamte", None)] == ["coding"]  # every word
    assert matching(rows, "", "document")[0].text == "Rustig gesprek."
    # A memo emptied is gone from the overview and its mark from the text.
    study.set_coding_memo(coding.id, "")
    assert study.memo_coding_ids(parent.id) == set()
    assert {m["target"] for m in study.memo_overview()} == {"document", "code", "study"}


def test_memo_marks_and_the_overview_use_the_partial_index(study: Study) -> None:
    parent = study.document("Ouder Coevorden")
    for n in range(30):
        study.add_coding(parent.id, study.code("Vertrouwen"), n, n + 3)
    plans = _plans(study, lambda: study.memo_coding_ids(parent.id))
    assert any("codings_with_memo" in p for p in plans), plans
    assert not any(p.startswith("SCAN codings") or p.startswith("SCAN c ") for p in plans), plans
    overview = _plans(study, study.memo_overview)
    assert any("codings_with_memo" in p for p in overview), overview
