"""Passages (merged spans across coders and sub-codes), coders kept apart in co-occurrence,
and rates per respondents' words — each checked by brute force or by hand."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.analysis import Scope
from qualcode.analysis.cooccurrence import cooccurrence
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.spans import merge
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study

TEXT = "Interviewer: Hoe gaat het?\nOuder: Goed, de coach komt thuis en ik vertrouw haar.\n"
# the respondent's turn body starts after "Ouder: "
BODY = TEXT.index("Goed")


def brute_force_passages(intervals: list[tuple[int, int, int]]) -> set[tuple[int, int, int]]:
    """Connected components of the intervals of each group: i and j join when they overlap
    or touch (s_i <= e_j and s_j <= e_i)."""
    out = set()
    for group in {g for g, _, _ in intervals}:
        spans = [(s, e) for g, s, e in intervals if g == group]
        parent = list(range(len(spans)))

        def find(i: int, parent: list[int] = parent) -> int:
            while parent[i] != i:
                i = parent[i]
            return i

        for i, j in itertools.combinations(range(len(spans)), 2):
            if spans[i][0] <= spans[j][1] and spans[j][0] <= spans[i][1]:
                parent[find(i)] = find(j)
        components: dict[int, list[tuple[int, int]]] = {}
        for i, span in enumerate(spans):
            components.setdefault(find(i), []).append(span)
        for members in components.values():
            out.add((group, min(s for s, _ in members), max(e for _, e in members)))
    return out


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 60), st.integers(1, 15)).map(lambda t: (t[0], t[1], t[1] + t[2])),
        max_size=40,
    )
)
@settings(max_examples=200, deadline=None)
def test_merge_matches_brute_force(intervals: list[tuple[int, int, int]]) -> None:
    arr = np.array(intervals, dtype=np.int64).reshape(-1, 3)
    g, s, e = merge(arr[:, 0], arr[:, 1], arr[:, 2])
    assert set(zip(g.tolist(), s.tolist(), e.tolist())) == brute_force_passages(intervals)


@pytest.fixture
def two_coders(tmp_path: Path):
    study = Study.create(tmp_path / "twee.qualcode", "twee", coder="a")
    study.add_code("Relatie")
    study.add_code("Huisbezoek", parent="Relatie")
    study.add_code("Vertrouwensband", parent="Relatie")
    doc = study.add_document(TEXT, title="d1", metadata={"organisation": "O", "role": "ouder"})
    other = study.add_document(TEXT + "\n.", title="d2", metadata={"organisation": "O", "role": "ouder"})
    study.add_document(TEXT + "\n..", title="d3 (uncoded)", metadata={"organisation": "O", "role": "ouder"})
    passage = (BODY, BODY + 30)
    study.add_coding(doc, "Relatie/Huisbezoek", *passage, coder="a")
    study.add_coding(doc, "Relatie/Vertrouwensband", *passage, coder="b")
    study.add_coding(other, "Relatie", *passage, coder="a")
    study.add_coding(other, "Relatie/Huisbezoek", BODY + 5, BODY + 20, coder="a")
    yield study, doc, other
    study.close()


def test_other_coders_code_is_no_cooccurrence(two_coders) -> None:
    study, _, _ = two_coders
    own = ("Relatie", "Relatie/Huisbezoek")  # d2: coder a applied both
    for unit in ("overlap", "sentence", "turn"):
        pairs = cooccurrence(study, unit=unit).pairs()
        assert [(p["code_a"], p["code_b"]) for p in pairs] == [own], unit
        across = cooccurrence(study, unit=unit, across_coders=True).pairs()
        assert sorted((p["code_a"], p["code_b"]) for p in across) == [
            own,
            ("Relatie/Huisbezoek", "Relatie/Vertrouwensband"),
        ]
    assert any("same coder" in note for note in cooccurrence(study).notes())


def test_same_coder_pairs_still_count_and_count_once_per_unit(two_coders) -> None:
    study, doc, _ = two_coders
    study.add_coding(doc, "Relatie/Vertrouwensband", BODY, BODY + 10, coder="a")
    study.add_coding(doc, "Relatie/Huisbezoek", BODY, BODY + 10, coder="b")
    pair = ("Relatie/Huisbezoek", "Relatie/Vertrouwensband")
    pairs = {(p["code_a"], p["code_b"]): p["count"] for p in cooccurrence(study, unit="sentence").pairs()}
    # both coders coded both codes in the same sentence: one sentence, not two
    assert pairs[pair] == 1
    overlap = {(p["code_a"], p["code_b"]): p["count"] for p in cooccurrence(study).pairs()}
    assert overlap[pair] == 2  # a's pair of codings and b's pair


def test_passages_merge_coders_and_sub_codes(two_coders) -> None:
    study, _, _ = two_coders
    f = {r.code: r for r in code_frequencies(study)}
    # d1: one passage coded by two coders with two sub-codes; d2: Relatie and its child
    assert (f["Relatie"].codings, f["Relatie"].passages) == (4, 2)
    assert (f["Relatie/Huisbezoek"].codings, f["Relatie/Huisbezoek"].passages) == (2, 2)
    unrolled = {r.code: r for r in code_frequencies(study, rollup=False)}
    assert unrolled["Relatie"].passages == 1


def test_rates_count_respondents_words_and_units(two_coders) -> None:
    study, _, _ = two_coders
    f = code_frequencies(study)
    relatie = next(r for r in f if r.code == "Relatie")
    # "Goed, de coach komt thuis en ik vertrouw haar." = 9 words per coded document
    assert relatie.per_1000_words == pytest.approx(1000 * 2 / 18)
    assert relatie.per_1000_mean == pytest.approx(1000 / 9) and relatie.per_1000_sd == pytest.approx(0.0)
    assert relatie.documents_pct == 100.0
    assert any("1 document not coded by anyone: left out (d3 (uncoded))" in n for n in f.notes)
    assert any("every coder (a, b)" in n for n in f.notes)


def test_coders_restrict_and_are_stated(two_coders) -> None:
    study, _, _ = two_coders
    f = code_frequencies(study, Scope(coders=("b",)))
    assert {r.code: r.passages for r in f}["Relatie"] == 1
    assert any("not coded by b" in n and "d2" in n for n in f.notes)
    assert any("codings of b" in n for n in f.notes)
    with pytest.raises(QualcodeError, match="no coder named c"):
        code_frequencies(study, Scope(coders=("c",)))


def test_brute_force_cooccurrence_by_coder_on_random_codings(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    study = Study.create(tmp_path / "r.qualcode", "r", coder="a")
    for name in ("A", "B", "C"):
        study.add_code(name)
    doc = study.add_document("Een twee drie. Vier vijf zes. Zeven acht negen. Tien elf twaalf.\n", title="d")
    sentences = [(s.start, s.end) for s in study.sentences(doc)]
    made = []
    for _ in range(25):
        start = int(rng.integers(0, 55))
        end = start + int(rng.integers(1, 12))
        code, coder = str(rng.choice(["A", "B", "C"])), str(rng.choice(["a", "b"]))
        try:
            study.add_coding(doc, code, start, end, coder=coder)
            made.append((code, coder, start, end))
        except QualcodeError:
            pass
    expected: dict[tuple[str, str], int] = {}
    for s0, s1 in sentences:
        pairs = set()
        for (c1, k1, a1, b1), (c2, k2, a2, b2) in itertools.combinations(made, 2):
            if k1 == k2 and c1 != c2 and a1 < s1 and b1 > s0 and a2 < s1 and b2 > s0:
                pairs.add(tuple(sorted((c1, c2))))
        for pair in pairs:
            expected[pair] = expected.get(pair, 0) + 1
    got = {(p["code_a"], p["code_b"]): p["count"] for p in cooccurrence(study, unit="sentence").pairs()}
    assert got == expected
    overlaps: dict[tuple[str, str], int] = {}
    for (c1, k1, a1, b1), (c2, k2, a2, b2) in itertools.combinations(made, 2):
        if k1 == k2 and c1 != c2 and a1 < b2 and a2 < b1:
            key = tuple(sorted((c1, c2)))
            overlaps[key] = overlaps.get(key, 0) + 1
    got = {(p["code_a"], p["code_b"]): p["count"] for p in cooccurrence(study).pairs()}
    assert got == overlaps
    study.close()


def test_report_counts_passages_and_keeps_coders_apart(two_coders, tmp_path: Path) -> None:
    from qualcode.analysis.report import build_report

    study, _, _ = two_coders
    page = build_report(study)
    assert "<th>Passages</th>" in page and "4 codings in 2 passages" in page
    assert "1 document not coded by anyone: left out" in page
    # a's Huisbezoek and b's Vertrouwensband on one passage are no pair in the report
    cooccurring = page[page.index('id="cooccurrence"') : page.index('id="quotes"')]
    assert "Relatie/Vertrouwensband" not in cooccurring
    assert "same coder" in cooccurring


def test_derived_passages_follow_every_change(tmp_path: Path) -> None:
    """The stored passages (kept by triggers) equal passages computed from the codings,
    after adds, deletes, recodes, undo and moving a code in the tree."""
    from qualcode.analysis import derived
    from qualcode.analysis.spans import Spans, code_document_figures

    rng = np.random.default_rng(3)
    study = Study.create(tmp_path / "d.qualcode", "d", coder="a")
    study.add_code("P")
    study.add_code("C", parent="P")
    study.add_code("Q")
    docs = [study.add_document(TEXT + "." * n, title=f"d{n}") for n in range(3)]

    def check() -> None:
        for rollup in (False, True):
            for names in ((), ("a",), ("b",)):
                scope = Scope(coders=names)
                stored = derived.columns(study, scope, rollup=rollup)
                spans = Spans.load(study.store, scope)
                live = code_document_figures(study.store, spans.rolled_up(study.codes()) if rollup else spans)
                # codings per (code, document) counted by hand: rolled up, in each ancestor
                parents = {c.id: c.parent_id for c in study.codes()}
                tally: dict[tuple[int, int], int] = {}
                for code, doc in zip(spans.code.tolist(), spans.document.tolist()):
                    current: int | None = code
                    while current is not None:
                        tally[(current, doc)] = tally.get((current, doc), 0) + 1
                        current = parents.get(current) if rollup else None
                got = sorted(zip(*(a.tolist() for a in stored)))
                want = sorted(
                    zip(
                        live.code.tolist(),
                        live.document.tolist(),
                        live.passages.tolist(),
                        live.words.tolist(),
                        [tally[(c, d)] for c, d in zip(live.code.tolist(), live.document.tolist())],
                    )
                )
                assert got == want, (rollup, names)

    for _ in range(12):
        start = int(rng.integers(BODY, BODY + 30))
        try:
            study.add_coding(
                docs[int(rng.integers(0, 3))], str(rng.choice(["P", "P/C", "Q"])), start, start + int(rng.integers(2, 15)),
                coder=str(rng.choice(["a", "b"])),
            )  # fmt: skip
        except QualcodeError:
            pass
    check()
    coding = next(c for d in docs for c in study.document_codings(d) if c.code_id != study.code("Q").id)
    study.recode(coding.id, "Q")
    check()
    study.undo()
    check()
    study.remove_coding(coding.id)
    check()
    study.move_code("P/C", None)  # C no longer rolls up into P
    check()
    study.close()


def test_a_study_from_before_packed_passages_migrates_with_the_same_figures(tmp_path: Path) -> None:
    """A study whose derived rows are in the old shape (passage_counts, codings packed in four
    columns and marked complete) opens migrated: the old rows are dropped, not misread, and
    every figure is what it was."""
    import sqlite3

    from qualcode.store.schema import MIGRATIONS

    path = tmp_path / "oud.qualcode"
    study = Study.create(path, "oud", coder="a")
    study.add_code("P")
    study.add_code("C", parent="P")
    study.add_code("Q")
    docs = [study.add_document(TEXT + "." * n, title=f"d{n}") for n in range(2)]
    for doc, code, start, end, coder in [
        (docs[0], "P", BODY, BODY + 10, "a"),
        (docs[0], "P/C", BODY + 5, BODY + 20, "b"),
        (docs[0], "Q", BODY + 8, BODY + 30, "a"),
        (docs[1], "Q", BODY, BODY + 4, "b"),
        (docs[1], "P/C", BODY + 2, BODY + 12, "b"),
    ]:
        study.add_coding(doc, code, start, end, coder=coder)

    def figures() -> tuple:
        return (
            [r.as_row() for r in code_frequencies(study)],
            [sorted(cooccurrence(study, unit=u).counts.items()) for u in ("overlap", "sentence")],
        )

    before = figures()
    study.close()
    number = next(
        i for i, (name, _) in enumerate(MIGRATIONS, start=1) if name.startswith("passages per document as packed")
    )
    conn = sqlite3.connect(path)
    old_blob = np.zeros((4, 3), dtype="<i4").tobytes()  # what the old shape held: 4 columns, here nonsense
    conn.executescript(
        "DROP TRIGGER passage_arrays_document_gone; DROP TABLE passage_arrays; DROP INDEX documents_frame;"
        "CREATE TABLE passage_counts (rollup INTEGER NOT NULL, coder_id INTEGER NOT NULL, code_id INTEGER NOT NULL,"
        " document_id INTEGER NOT NULL, passages INTEGER NOT NULL, words INTEGER NOT NULL,"
        " PRIMARY KEY (rollup, coder_id, code_id, document_id)) WITHOUT ROWID;"
        "CREATE TRIGGER passage_counts_document_gone AFTER DELETE ON documents BEGIN"
        " DELETE FROM passage_counts WHERE document_id = old.id;"
        " DELETE FROM passage_dirty WHERE document_id = old.id; END;"
        "DELETE FROM coding_arrays;"
        f"DELETE FROM migrations WHERE id = {number};"
    )
    conn.executemany("INSERT INTO coding_arrays (document_id, n, data) VALUES (?, 3, ?)", [(d, old_blob) for d in docs])
    conn.commit()
    conn.close()
    study = Study.open(path, coder="a")
    try:
        assert figures() == before
        study.remove_document(docs[1])  # the new trigger drops its rows
        assert [r.codings for r in code_frequencies(study)] == [2, 1, 1]
    finally:
        study.close()
