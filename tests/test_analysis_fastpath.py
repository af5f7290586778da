"""The fast analysis paths (derived passages and coded words, vectorised co-occurrence) give
exactly what a plain recomputation over the codings gives, on generated studies that are
coded, uncoded, undone, redone and cut down between readings (issue 17); and the benchmarks'
bulk-built codings carry the history rows coding by hand writes."""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qualcode.analysis.cooccurrence as cooc
from qualcode.analysis import Scope, derived
from qualcode.analysis import pairs as sweep
from qualcode.analysis.cooccurrence import UNITS, cooccurrence
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrices import crosstab
from qualcode.core.errors import QualcodeError
from qualcode.store import analysis as analysis_sql
from qualcode.study.study import Study

TURNS = [
    "Interviewer: Hoe gaat het met jullie? Vertel eens.",
    "Ouder: Goed. De coach komt thuis en ik vertrouw haar. Soms is het zwaar.",
    "Interviewer: En de school?",
    "Ouder: De juf belt vaak. We praten samen over geld en regels.",
]
TEXTS = ["\n".join(TURNS) + "\n" + "." * n for n in range(4)]
CODES = ["P", "P/C", "P/D", "Q", "R"]
CODERS = ["a", "b", "c"]
PARTICIPANTS = ["M1", "M1", "K2", None]  # two interviews of one person, one without a name
CASES = ["G1", "G1", "G2", None]  # a family of two documents, one of one, one in no case


def _study(path: Path) -> tuple[Study, list[int]]:
    study = Study.create(path, "fast", coder="a")
    for coder in reversed(CODERS):  # every coder known, so that a scope may name any of them
        study.set_coder(coder)
        assert study.coder_id
    for code in CODES:
        parent, _, name = code.rpartition("/")
        study.add_code(name, parent=parent or None)
    docs = []
    for n, text in enumerate(TEXTS):
        meta = {"organisation": "O", "role": "ouder"}
        if PARTICIPANTS[n]:
            meta["participant"] = PARTICIPANTS[n]
        docs.append(study.add_document(text, title=f"d{n}", metadata=meta))
    for doc, case in zip(docs, CASES, strict=True):
        if case:
            study.assign_case(doc, case)
    return study, docs


# -- the independent recomputation: plain Python over the codings as the library lists them --


def _codings(study: Study) -> list[tuple[int, str, str, int, int]]:
    """(document, code path, coder, start, end) of every coding."""
    paths = {c.id: c.path for c in study.codes()}
    return [
        (c.document_id, paths[c.code_id], c.coder, c.start, c.end)
        for d in study.documents()
        for c in study.document_codings(d.id)
    ]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _words(study: Study, doc: int) -> list[tuple[int, int]]:
    """Spoken words: ``\\w+`` runs not starting inside a speaker label."""
    labels = [(t.start, t.body_start) for t in study.turns(doc)]
    return [
        (m.start(), m.end())
        for m in re.finditer(r"\w+", study.document_text(doc))
        if not any(a <= m.start() < b for a, b in labels)
    ]


def _derived(study: Study) -> tuple[list[Any], list[Any]]:
    """The derived rows after a reading (which refreshes the dirty documents)."""
    code_frequencies(study)
    cooccurrence(study, unit="overlap")
    return analysis_sql.derived_rows(study.store)


def expected_cells(study: Study, coders: set[str] | None, rollup: bool) -> dict[tuple[str, str], tuple[int, int]]:
    """(code path, document title) → (codings, passages) with any, by plain Python."""
    titles = {d.id: d.title for d in study.documents()}
    spans: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for doc, path, coder, start, end in _codings(study):
        if coders is not None and coder not in coders:
            continue
        parts = path.split("/")
        for code in ["/".join(parts[:i]) for i in range(1, len(parts) + 1)] if rollup else [path]:
            spans[(code, titles[doc])].append((start, end))
    return {key: (len(found), len(_merge(found))) for key, found in spans.items()}


def expected_frequencies(study: Study, coders: set[str] | None, rollup: bool) -> dict[str, tuple[int, ...]]:
    """code → (codings, passages, coded words, documents, participants, cases)."""
    docs = {d.id: d for d in study.documents()}
    spans: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    codings: dict[str, int] = defaultdict(int)
    for doc, path, coder, start, end in _codings(study):
        if coders is not None and coder not in coders:
            continue
        parts = path.split("/")
        for code in ["/".join(parts[:i]) for i in range(1, len(parts) + 1)] if rollup else [path]:
            spans[(code, doc)].append((start, end))
            codings[code] += 1
    out: dict[str, tuple[int, ...]] = {}
    for code in CODES:
        passages = words = 0
        documents, people, cases = set(), set(), set()
        for (c, doc), found in spans.items():
            if c != code:
                continue
            merged = _merge(found)
            passages += len(merged)
            words += sum(1 for s, e in merged for ws, we in _words(study, doc) if ws < e and we > s)
            documents.add(doc)
            people.add(docs[doc].participant or f"#{doc}")
            if docs[doc].case:
                cases.add(docs[doc].case)
        out[code] = (codings[code], passages, words, len(documents), len(people), len(cases))
    return out


def expected_cooccurrence(
    study: Study, unit: str, coders: set[str] | None, across: bool
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """(totals per code, counts per pair of codes) as the module docstring defines them."""
    docs = {d.id: d for d in study.documents()}
    made = [c for c in _codings(study) if coders is None or c[2] in coders]
    totals: dict[str, int] = defaultdict(int)
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    if unit == "overlap":
        for c in made:
            totals[c[1]] += 1
        for (d1, c1, k1, a1, b1), (d2, c2, k2, a2, b2) in itertools.combinations(made, 2):
            if d1 == d2 and c1 != c2 and (across or k1 == k2) and a1 < b2 and a2 < b1:
                pairs[(min(c1, c2), max(c1, c2))] += 1
        return dict(totals), dict(pairs)
    # every unit: the codes each coder has in it
    held: dict[Any, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if unit in ("sentence", "turn"):
        for doc in docs:
            bounds = (
                [(s.start, s.end) for s in study.sentences(doc)]
                if unit == "sentence"
                else [(t.body_start, t.end) for t in study.turns(doc)]
            )
            for n, (u0, u1) in enumerate(bounds):
                for d, code, coder, start, end in made:
                    if d == doc and start < u1 and end > u0:
                        held[(doc, n)]["" if across else coder].add(code)
    else:
        for d, code, coder, _, _ in made:
            key = {"document": d, "participant": docs[d].participant or f"#{d}", "case": docs[d].case}[unit]
            if key is not None:
                held[key]["" if across else coder].add(code)
    for by_coder in held.values():
        for code in set().union(*by_coder.values()):
            totals[code] += 1
        both = {pair for codes in by_coder.values() for pair in itertools.combinations(sorted(codes), 2)}
        for pair in both:
            pairs[pair] += 1
    return dict(totals), dict(pairs)


def expected_jaccard(study: Study, unit: str, coders: set[str] | None, across: bool, a: str, b: str) -> float:
    """Overlap: the share of both codes' codings that meet the other code; units: units with
    both / units with either."""
    totals, pairs = expected_cooccurrence(study, unit, coders, across)
    n1, n2 = totals.get(a, 0), totals.get(b, 0)
    if unit != "overlap":
        both = pairs.get((min(a, b), max(a, b)), 0)
        return round(both / (n1 + n2 - both), 3) if n1 + n2 - both else 0.0
    made = [c for c in _codings(study) if coders is None or c[2] in coders]
    meeting = sum(
        1
        for d1, c1, k1, s1, e1 in made
        if c1 in (a, b)
        and any(
            d2 == d1 and c2 == (b if c1 == a else a) and (across or k2 == k1) and s1 < e2 and s2 < e1
            for d2, c2, k2, s2, e2 in made
        )
    )
    return round(meeting / (n1 + n2), 3) if n1 + n2 else 0.0


def check(study: Study) -> None:
    # what was kept up to date through the steps equals what a first reading derives
    kept = _derived(study)
    with study.store.action("forget derived rows", record=False):
        analysis_sql.clear_derived(study.store)
    assert _derived(study) == kept
    # and again with a group (a coder's codings of a document) per chunk of pairs
    with study.store.action("forget derived rows", record=False):
        analysis_sql.clear_derived(study.store)
    saved = sweep.PAIR_CHUNK, sweep.FLAG_CHUNK, sweep.BIN_CHUNK
    sweep.PAIR_CHUNK = sweep.FLAG_CHUNK = sweep.BIN_CHUNK = 1
    try:
        assert _derived(study) == kept
    finally:
        sweep.PAIR_CHUNK, sweep.FLAG_CHUNK, sweep.BIN_CHUNK = saved
    for names in ((), ("a",), ("b", "c")):
        scope = Scope(coders=names)
        chosen = set(names) or None
        for rollup in (True, False):
            got = {
                r.code: (r.codings, r.passages, r.coded_words, r.documents, r.participants, r.cases)
                for r in code_frequencies(study, scope, rollup=rollup, unit="document")
            }
            assert got == expected_frequencies(study, chosen, rollup), (names, rollup)
            matrix = crosstab(study, "document", scope, rollup=rollup, unit="document")
            cells = {
                (path, g.name): (
                    int(matrix.value(code_id, g.name, "count")),
                    int(matrix.value(code_id, g.name, "passages")),
                )
                for code_id, path, _ in matrix.codes
                for g in matrix.groups
            }
            assert {c: v for c, v in cells.items() if v != (0, 0)} == expected_cells(study, chosen, rollup), (
                names,
                rollup,
            )
        for unit in UNITS:
            for across in (False, True):
                totals, pairs = expected_cooccurrence(study, unit, chosen, across)
                # as configured, then a unit per block, every unit OR-ed code by code and a
                # group per chunk of overlapping pairs; and the overlaps swept from the
                # codings, not summed from what is kept per document
                for setting in ((), (1, 0, 1, 1, 1), (None, None, None, None, None, True)):
                    patched = [
                        (cooc, "_HELD_BLOCK"),
                        (cooc, "_MOST_CODERS_IN_A_UNIT"),
                        (sweep, "PAIR_CHUNK"),
                        (sweep, "FLAG_CHUNK"),
                        (sweep, "BIN_CHUNK"),
                    ]
                    saved = [getattr(m, n) for m, n in patched]
                    sums = derived.overlap_sums
                    for (m, n), value in zip(patched, setting, strict=False):
                        if value is not None:
                            setattr(m, n, value)
                    if len(setting) > 5:
                        derived.overlap_sums = lambda *args: None  # type: ignore[assignment]
                    try:
                        result = cooccurrence(study, scope, unit=unit, across_coders=across)
                    finally:
                        for (m, n), value in zip(patched, saved, strict=True):
                            setattr(m, n, value)
                        derived.overlap_sums = sums  # type: ignore[assignment]
                    block = setting
                    paths = dict(result.codes)
                    where = (names, unit, across, block)
                    assert {paths[c]: n for c, n in result.totals.items() if n} == totals, where
                    assert {(p["code_a"], p["code_b"]): p["count"] for p in result.pairs()} == pairs, where
                    for p in result.pairs():
                        want = expected_jaccard(study, unit, chosen, across, p["code_a"], p["code_b"])
                        assert p["jaccard"] == want, (*where, p)


ADD = st.tuples(
    st.just("add"),
    st.integers(0, 3),
    st.sampled_from(CODES),
    st.sampled_from(CODERS),
    st.integers(0, 120),
    st.integers(5, 60),
)
OPERATION = st.one_of(
    ADD,  # half the steps code, so that codings overlap
    st.one_of(
        st.tuples(st.just("remove"), st.integers(0, 1000)),
        st.tuples(st.just("undo"), st.sampled_from(CODERS)),
        st.tuples(st.just("redo"), st.sampled_from(CODERS)),
        st.tuples(st.just("read")),  # figures read mid-way: derived rows refreshed, then changed again
        st.tuples(st.just("drop document"), st.integers(0, 3)),
    ),
)


@given(st.lists(ADD, min_size=4, max_size=20), st.lists(OPERATION, max_size=30))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fast_paths_equal_a_plain_recomputation(
    tmp_path_factory: pytest.TempPathFactory, coded: list[tuple], ops: list[tuple]
) -> None:
    study, docs = _study(tmp_path_factory.mktemp("fast") / "s.qualcode")
    try:
        gone: set[int] = set()
        for op in [*coded, ("read",), *ops]:
            try:
                if op[0] == "add":
                    _, n, code, coder, start, length = op
                    if docs[n] not in gone:
                        end = min(start + length, len(TEXTS[n]))
                        study.add_coding(docs[n], code, min(start, end - 1), end, coder=coder)
                elif op[0] == "remove":
                    every = [c for d in docs if d not in gone for c in study.document_codings(d)]
                    if every:
                        study.remove_coding(every[op[1] % len(every)].id)
                elif op[0] in ("undo", "redo"):
                    study.set_coder(op[1])
                    study.undo() if op[0] == "undo" else study.redo()
                elif op[0] == "read":
                    code_frequencies(study)
                    cooccurrence(study, unit="sentence")
                elif len(gone) < 3 and docs[op[1]] not in gone:
                    study.remove_document(docs[op[1]])
                    gone.add(docs[op[1]])
            except QualcodeError:
                pass  # a refused step (a duplicate coding, an undo whose document is gone) changes nothing
        check(study)
    finally:
        study.close()


def test_cooccurrence_in_documents_participants_and_cases(tmp_path: Path) -> None:
    study, docs = _study(tmp_path / "s.qualcode")
    study.add_coding(docs[0], "P", 20, 30, coder="a")
    study.add_coding(docs[1], "Q", 20, 30, coder="a")  # same person, same family, other document
    study.add_coding(docs[2], "P", 20, 30, coder="a")
    study.add_coding(docs[2], "Q", 100, 110, coder="b")  # another coder: no pair unless across coders
    study.add_coding(docs[3], "P", 20, 30, coder="a")
    study.add_coding(docs[3], "Q", 100, 110, coder="a")  # in no case
    pair = ("P", "Q")
    count = {u: {(p["code_a"], p["code_b"]): p["count"] for p in cooccurrence(study, unit=u).pairs()} for u in UNITS}
    assert count["document"] == {pair: 1}  # d3 only
    assert count["participant"] == {pair: 2}  # M1 (d0 + d1) and d3's unnamed respondent
    assert count["case"] == {pair: 1}  # G1; d3 is in no case and is left out
    result = cooccurrence(study, unit="case")
    assert result.totals == {study.code("P").id: 2, study.code("Q").id: 2}
    assert result.jaccard(study.code("P").id, study.code("Q").id) == pytest.approx(1 / 3, abs=1e-3)
    notes = " ".join(result.notes())
    assert "cases (families)" in notes and "in no case: left out (d3)" in notes
    across = cooccurrence(study, unit="case", across_coders=True).pairs()
    assert [(p["code_a"], p["code_b"], p["count"]) for p in across] == [("P", "Q", 2)]
    study.close()


def test_cooccur_command_counts_cases_by_default_and_says_so(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from qualcode.cli import main

    study, docs = _study(tmp_path / "s.qualcode")
    study.add_coding(docs[0], "P", 20, 30)
    study.add_coding(docs[1], "Q", 40, 50)
    path = str(study.path)
    study.close()
    runner = CliRunner()
    result = runner.invoke(main, ["cooccur", "--study", path])
    assert result.exit_code == 0, result.output
    assert "cases (families) in whose documents both codes are present" in result.output
    assert json.loads(runner.invoke(main, ["cooccur", "--study", path, "--json"]).stdout)[0]["count"] == 1
    overlap = runner.invoke(main, ["cooccur", "--study", path, "--unit", "overlap", "--json"])
    assert json.loads(overlap.stdout) == []  # the two codings do not overlap
    documents = runner.invoke(main, ["cooccur", "--study", path, "--unit", "document"])
    assert "documents in which both codes are present" in documents.output


def test_bulk_built_codings_carry_the_history_rows_coding_by_hand_writes(tmp_path: Path) -> None:
    study, docs = _study(tmp_path / "s.qualcode")
    by_hand = study.add_coding(docs[0], "P/C", 20, 30)
    store = study.store
    coder = study.coder_id
    with store.action("bulk", record=False):
        analysis_sql.bulk_apply_codings(
            store,
            [(docs[0], study.code("P/C").id, coder, 40, 50, by_hand.created_at or "2026-01-01T00:00:00")],
            {c.id: c.path for c in study.codes()},
        )
    first, second = (dict(r) for r in store.rows("SELECT * FROM history ORDER BY id DESC LIMIT 2")[::-1])
    assert second["description"] == first["description"].replace("20–30", "40–50")
    assert second["coder_id"] == first["coder_id"] == coder and second["undone"] == first["undone"] == 0
    [hand] = json.loads(first["changes"])
    [bulk] = json.loads(second["changes"])
    made = max(c.id for c in study.document_codings(docs[0]))
    assert bulk[:3] == hand[:3] and bulk[4] == hand[4]  # op, table, before, the document's hash
    assert set(bulk[3]) == set(hand[3]) and bulk[3]["id"] == made and (bulk[3]["start"], bulk[3]["end"]) == (40, 50)
    assert {k: v for k, v in bulk[3].items() if k not in ("id", "start", "end", "created_at")} == {
        k: v for k, v in hand[3].items() if k not in ("id", "start", "end", "created_at")
    }
    assert study.undo() == "code 40–50 as “P/C”"
    assert [(c.start, c.end) for c in study.document_codings(docs[0])] == [(20, 30)]
    study.close()


def test_overlapping_codings_of_two_coders_by_hand(tmp_path: Path) -> None:
    """A fixed case for the same comparison: two coders, overlaps within and across them."""
    study, docs = _study(tmp_path / "s.qualcode")
    for doc, code, coder, start, end in [
        (docs[0], "P", "a", 20, 40),
        (docs[0], "Q", "a", 30, 50),
        (docs[0], "Q", "a", 35, 45),
        (docs[0], "P/C", "b", 25, 60),
        (docs[0], "R", "b", 55, 90),
        (docs[1], "P", "a", 60, 80),
        (docs[1], "R", "c", 70, 75),
    ]:
        study.add_coding(doc, code, start, end, coder=coder)
    result = cooccurrence(study, unit="overlap")
    pairs = {(p["code_a"], p["code_b"]): (p["count"], p["jaccard"]) for p in result.pairs()}
    # of P's two codings one meets Q, both of Q's meet P: 3 of 4; P/C meets R, one of R's two meets P/C
    assert pairs == {("P", "Q"): (2, 0.75), ("P/C", "R"): (1, 0.667)}
    across = cooccurrence(study, unit="overlap", across_coders=True)
    assert {(p["code_a"], p["code_b"]): p["count"] for p in across.pairs()}[("P", "R")] == 1  # d1, a and c
    check(study)
    study.close()


def test_overlaps_kept_as_int32_when_a_number_does_not_fit_uint16(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document's pair columns are uint16 when every number fits; a document whose
    numbers do not (a code id or a count of 65,536 or more) keeps int32 columns, and the
    sum reads both kinds alike."""
    study, docs = _study(tmp_path / "s.qualcode")
    for n, (code, coder, start, end) in enumerate(
        [("P", "a", 0, 40), ("Q", "a", 10, 50), ("R", "a", 30, 90), ("Q", "b", 0, 60), ("R", "b", 20, 30)]
    ):
        study.add_coding(docs[n % 2], code, start, end, coder=coder)
        study.add_coding(docs[2], code, start, end, coder=coder)
    narrow = {(p["code_a"], p["code_b"]): (p["count"], p["jaccard"]) for p in cooccurrence(study).pairs()}
    kinds = {len(data) // (6 * n) for *_, n, data in analysis_sql.derived_rows(study.store)[1] if n}
    assert kinds == {2}
    monkeypatch.setattr(derived, "NARROW_BELOW", 0)  # every document as if its numbers were large
    added = study.add_coding(docs[0], "R", 5, 15, coder="a")  # docs[0] derived again: int32
    study.remove_coding(added.id)
    cooccurrence(study)
    kinds = {len(data) // (6 * n) for *_, n, data in analysis_sql.derived_rows(study.store)[1] if n}
    assert kinds == {2, 4}
    wide = {(p["code_a"], p["code_b"]): (p["count"], p["jaccard"]) for p in cooccurrence(study).pairs()}
    assert wide == narrow
    monkeypatch.setattr(derived, "_DIRECT_IDS", 0)  # counted by rank, as for codes with large ids
    ranked = {(p["code_a"], p["code_b"]): (p["count"], p["jaccard"]) for p in cooccurrence(study).pairs()}
    assert ranked == narrow
    _, pairs = expected_cooccurrence(study, "overlap", None, False)
    assert {k: v[0] for k, v in wide.items()} == pairs
    study.close()


@pytest.mark.parametrize("direct", [True, False])
def test_overlap_sums_leave_out_a_code_coded_since_the_codes_were_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct: bool
) -> None:
    """Co-occurrence reads the scope's codes, then sums the kept pairs; a colleague's coding
    of another code in between must not break the sum (or land in another code's cell)."""
    import numpy as np

    if not direct:
        monkeypatch.setattr(derived, "_DIRECT_IDS", 0)
    study, docs = _study(tmp_path / "s.qualcode")
    study.add_coding(docs[0], "P", 0, 40, coder="a")
    study.add_coding(docs[0], "Q", 10, 50, coder="a")
    first = np.array(sorted({study.code("P").id, study.code("Q").id}))
    study.add_coding(docs[0], "R", 5, 45, coder="a")  # after the codes were read: an id above theirs
    study.add_coding(docs[1], "D", 5, 45, coder="a")  # an id between theirs, not among them
    study.add_coding(docs[1], "P", 0, 40, coder="a")
    sums = derived.overlap_sums(study, Scope(), first)
    assert sums is not None
    pairs, meetings = sums
    assert pairs.tolist() == [[0, 1], [0, 0]]
    assert meetings.tolist() == [[0, 1], [1, 0]]
    study.close()


def test_packing_every_document_goes_a_batch_at_a_time_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A study whose packed codings are gone (a study from before them, or after the
    migration that added the pairs) packs them a batch of documents per transaction: an
    interruption keeps the batches done, and the next reading packs only the rest."""
    study, docs = _study(tmp_path / "s.qualcode")
    for n, doc in enumerate(docs):
        study.add_coding(doc, "P", 0, 40, coder="a")
        study.add_coding(doc, "Q", 10 + n, 50, coder="b")
        study.add_coding(doc, "R", 20, 45 + n, coder="a")
    expected = _derived(study)
    with study.store.action("forget the packed codings", record=False):
        study.store.conn.execute("DELETE FROM coding_arrays")
        study.store.conn.execute("DELETE FROM meta WHERE key = 'coding_arrays'")
    monkeypatch.setattr(derived, "_BATCH", 1)
    packed = derived._packed
    calls: list[int] = []

    def failing(spans: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("interrupted")
        return packed(spans)

    monkeypatch.setattr(derived, "_packed", failing)
    with pytest.raises(OSError):
        derived.refresh(study)
    _, rows = analysis_sql.derived_rows(study.store)
    assert len(rows) == 2 and not analysis_sql.coding_arrays_complete(study.store)  # two batches kept
    monkeypatch.setattr(derived, "_packed", packed)
    seen: list[list[int]] = []
    unpacked = analysis_sql.unpacked_document_ids

    def watched(store: Any, limit: int) -> list[int]:
        found = unpacked(store, limit)
        seen.append(found)
        return found

    monkeypatch.setattr(analysis_sql, "unpacked_document_ids", watched)
    assert _derived(study) == expected
    assert seen == [[docs[2]], [docs[3]], []]  # only the two left, then done
    study.close()


def test_a_study_that_cannot_be_written_is_counted_from_its_codings(tmp_path: Path) -> None:
    """A study whose derived rows cannot be brought up to date (a read-only file: here its
    connection made query-only) still gives every overlap figure and frequency, computed
    from the codings themselves, where it said "the study cannot be written"."""
    study, docs = _study(tmp_path / "s.qualcode")
    for n, doc in enumerate(docs):
        study.add_coding(doc, "P", 0, 40, coder="a")
        study.add_coding(doc, "Q", 10 + n, 50, coder="a")
        study.add_coding(doc, "R", 30, 60 + n, coder="b")
        study.add_coding(doc, "Q", 35, 55, coder="b")
    cooccurrence(study)  # derived and kept
    study.add_coding(docs[0], "R", 5, 15, coder="a")  # a document dirty again
    study.store.conn.execute("PRAGMA query_only = ON")
    try:
        assert not derived.refresh(study)
        for across in (False, True):
            _, pairs = expected_cooccurrence(study, "overlap", None, across)
            got = cooccurrence(study, across_coders=across).pairs()
            assert {(p["code_a"], p["code_b"]): p["count"] for p in got} == pairs
        for rollup in (True, False):  # and the frequencies, passages and coded words
            found = {
                r.code: (r.codings, r.passages, r.coded_words, r.documents, r.participants, r.cases)
                for r in code_frequencies(study, rollup=rollup, unit="document")
            }
            assert found == expected_frequencies(study, None, rollup)
    finally:
        study.store.conn.execute("PRAGMA query_only = OFF")
    study.close()
