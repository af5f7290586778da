"""Frequencies, matrices and co-occurrence checked against figures computed by hand on a
small fixed study (see ``fixed_study`` for the offsets and the arithmetic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.analysis import Scope
from qualcode.analysis.cooccurrence import cooccurrence
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrices import crosstab
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study

# een 0-3, twee 4-8, drie 9-13, vier 14-18, vijf 19-23 | Zes 25-28, zeven 29-34, acht 35-39,
# negen 40-45, tien 46-50: two sentences of five words, ten words per document.
TEXT = "een twee drie vier vijf. Zes zeven acht negen tien."

DOCS = [
    ("d1", "A", "ouder", "P1", "1"),
    ("d2", "A", "ouder", "P2", "2"),
    ("d3", "A", "coach", "P3", "1"),
    ("d4", "B", "ouder", "P4", "1"),
    ("d5", "B", "coach", None, "2"),
]


def build_fixed(path: Path) -> Study:
    study = Study.create(path, "vast", coder="tester")
    study.add_code("Relatie")
    study.add_code("Vertrouwensband", parent="Relatie")
    study.add_code("Huisbezoek", parent="Relatie")
    study.add_code("Schaamte")
    ids = {}
    for title, org, role, participant, wave in DOCS:
        meta = {"organisation": org, "project": f"Project {org}", "role": role, "wave": wave}
        if participant:
            meta["participant"] = participant
        # a word-less last line keeps the texts apart (an identical text is a duplicate)
        ids[title] = study.add_document(TEXT + "\n" + "." * (len(ids) + 1), title=title, metadata=meta)
    d = ids
    study.add_coding(d["d1"], "Vertrouwensband", 0, 8)  # een twee
    study.add_coding(d["d1"], "Huisbezoek", 4, 13)  # twee drie (overlaps the one above)
    study.add_coding(d["d1"], "Schaamte", 40, 50, memo="=SUM(A1)")  # negen tien
    study.add_coding(d["d2"], "Vertrouwensband", 9, 18)  # drie vier
    study.add_coding(d["d2"], "Vertrouwensband", 14, 23, coder="b")  # vier vijf (same code, overlapping)
    study.add_coding(d["d3"], "Huisbezoek", 25, 34)  # Zes zeven
    study.add_coding(d["d4"], "Vertrouwensband", 0, 3)  # een
    study.add_coding(d["d4"], "Schaamte", 0, 8)  # een twee
    return study


@pytest.fixture
def fixed(tmp_path: Path):
    study = build_fixed(tmp_path / "vast.qualcode")
    yield study
    study.close()


def by_code(rows):
    return {r.code: r for r in rows}


def test_fixture_texts_are_as_assumed(fixed: Study) -> None:
    doc = fixed.documents()[0]
    assert doc.word_count == 10
    spans = [(s.start, s.end) for s in fixed.sentences(doc.id)]
    assert spans == [(0, 24), (25, 51)]


def test_frequencies_rolled_up(fixed: Study) -> None:
    f = by_code(code_frequencies(fixed))
    assert (f["Relatie"].codings, f["Relatie"].documents, f["Relatie"].participants) == (6, 4, 4)
    # d5 has no coding: it is left out of the shares, not counted as "without the code"
    assert f["Relatie"].documents_pct == 100.0
    # union per document: d1 een-drie 3, d2 drie-vijf 3, d3 2, d4 1
    assert f["Relatie"].coded_words == 9
    assert f["Relatie"].coded_words_pct == 22.5  # 9 of the 40 words of the four coded documents
    vb = f["Relatie/Vertrouwensband"]
    assert (vb.codings, vb.documents, vb.documents_pct, vb.participants, vb.coded_words) == (4, 3, 75.0, 3, 6)
    hb = f["Relatie/Huisbezoek"]
    assert (hb.codings, hb.documents, hb.documents_pct, hb.coded_words) == (2, 2, 50.0, 4)
    assert (f["Schaamte"].codings, f["Schaamte"].documents, f["Schaamte"].coded_words) == (2, 2, 4)


def test_frequencies_unrolled_and_empty(fixed: Study) -> None:
    f = by_code(code_frequencies(fixed, rollup=False))
    assert (f["Relatie"].codings, f["Relatie"].documents, f["Relatie"].coded_words) == (0, 0, 0)
    assert f["Relatie/Vertrouwensband"].codings == 4
    coded = by_code(code_frequencies(fixed, rollup=False, include_empty=False))
    assert "Relatie" not in coded


def test_frequencies_filtered(fixed: Study) -> None:
    f = by_code(code_frequencies(fixed, Scope(coder="b")))
    assert (f["Relatie/Vertrouwensband"].codings, f["Relatie/Vertrouwensband"].coded_words) == (1, 2)
    assert f["Schaamte"].codings == 0
    a = by_code(code_frequencies(fixed, Scope(organisation="A")))
    assert (a["Relatie/Vertrouwensband"].codings, a["Relatie/Vertrouwensband"].documents_pct) == (
        3,
        pytest.approx(200 / 3),
    )
    ouder = by_code(code_frequencies(fixed, Scope(role="ouder", attributes={"wave": "1"})))
    # d1 and d4
    assert (ouder["Relatie/Vertrouwensband"].codings, ouder["Relatie/Vertrouwensband"].documents) == (2, 2)
    assert ouder["Relatie/Vertrouwensband"].documents_pct == 100.0


def test_participant_missing_counts_as_own(fixed: Study) -> None:
    d5 = next(d for d in fixed.documents() if d.title == "d5")
    fixed.add_coding(d5.id, "Schaamte", 0, 3)
    f = by_code(code_frequencies(fixed))
    assert f["Schaamte"].participants == 3  # P1, P4 and d5 itself


def test_frequencies_follow_undo(fixed: Study) -> None:
    d5 = next(d for d in fixed.documents() if d.title == "d5")
    fixed.add_coding(d5.id, "Huisbezoek", 0, 3)
    assert by_code(code_frequencies(fixed))["Relatie/Huisbezoek"].codings == 3
    fixed.undo()
    assert by_code(code_frequencies(fixed))["Relatie/Huisbezoek"].codings == 2
    shame = fixed.code("Schaamte").id
    d1 = next(d for d in fixed.documents() if d.title == "d1")
    coding = next(c for c in fixed.document_codings(d1.id) if c.code_id == shame)
    fixed.recode(coding.id, "Huisbezoek")
    f = by_code(code_frequencies(fixed))
    assert (f["Relatie/Huisbezoek"].codings, f["Schaamte"].codings) == (3, 1)


def test_matrix_by_organisation(fixed: Study) -> None:
    m = crosstab(fixed, "organisation")
    count = {r["code"]: r for r in m.rows("count")}
    assert (count["Relatie/Vertrouwensband"]["A"], count["Relatie/Vertrouwensband"]["B"]) == (3, 1)
    assert count["Relatie/Vertrouwensband"]["total"] == 4
    passages = {r["code"]: r for r in m.rows("passages")}
    # d2's two overlapping codings (tester and b) are one passage
    assert (passages["Relatie/Vertrouwensband"]["A"], passages["Relatie/Vertrouwensband"]["total"]) == (2, 3)
    docs = {r["code"]: r for r in m.rows("docs")}
    # B: d5 was not coded, so B's units are d4 alone
    assert docs["Relatie/Vertrouwensband"]["A"] == pytest.approx(200 / 3)
    assert docs["Relatie/Vertrouwensband"]["B"] == 100.0
    assert docs["Relatie/Vertrouwensband"]["total"] == 75.0
    rate = {r["code"]: r for r in m.rows("rate")}
    # A: 2 passages in 30 words; B: 1 in 10; all: 3 in 40; per document in A: 100, 100, 0
    vb = rate["Relatie/Vertrouwensband"]
    assert (vb["A"], vb["B"], vb["total"]) == (pytest.approx(200 / 3), 100.0, 75.0)
    assert vb["A mean"] == pytest.approx(200 / 3) and vb["A sd"] == pytest.approx(57.735, abs=1e-3)
    assert docs["Relatie"]["B"] == 100.0  # d4 only (rolled up)
    assert m.columns() == ["code", "A", "B", "total"]
    assert any("not coded by anyone" in n for n in m.notes)


def test_matrix_by_role_and_attribute(fixed: Study) -> None:
    role = {r["code"]: r for r in crosstab(fixed, "role").rows("count")}
    assert (role["Schaamte"]["ouder"], role["Schaamte"]["coach"]) == (2, 0)
    wave = crosstab(fixed, "wave")
    docs = {r["code"]: r for r in wave.rows("docs")}
    # wave 1: d1, d3, d4; wave 2: d2 (d5 not coded)
    assert (docs["Relatie/Vertrouwensband"]["1"], docs["Relatie/Vertrouwensband"]["2"]) == (
        pytest.approx(200 / 3),
        100.0,
    )
    with pytest.raises(QualcodeError):
        crosstab(fixed, "gemeente")


def test_cooccurrence_overlap(fixed: Study) -> None:
    result = cooccurrence(fixed, unit="overlap")
    ids = {c.path: c.id for c in fixed.codes()}
    vb, hb, sh = ids["Relatie/Vertrouwensband"], ids["Relatie/Huisbezoek"], ids["Schaamte"]
    assert result.count(vb, hb) == 1 and result.count(vb, sh) == 1 and result.count(hb, sh) == 0
    assert result.totals == {vb: 4, hb: 2, sh: 2}
    assert result.jaccard(vb, hb) == round(2 / 6, 3)
    assert result.jaccard(hb, sh) == 0.0
    pairs = result.pairs()
    assert {(p["code_a"], p["code_b"]) for p in pairs} == {
        ("Relatie/Vertrouwensband", "Relatie/Huisbezoek"),
        ("Relatie/Vertrouwensband", "Schaamte"),
    }


def test_cooccurrence_sentence_and_turn(fixed: Study) -> None:
    ids = {c.path: c.id for c in fixed.codes()}
    vb, hb, sh = ids["Relatie/Vertrouwensband"], ids["Relatie/Huisbezoek"], ids["Schaamte"]
    result = cooccurrence(fixed, unit="sentence")
    assert result.totals == {vb: 3, hb: 2, sh: 2}
    assert (result.count(vb, hb), result.count(vb, sh), result.count(hb, sh)) == (1, 1, 0)
    assert result.jaccard(vb, hb) == 0.25
    matrix = {r["code"]: r for r in result.rows("count")}
    assert matrix["Schaamte"]["Relatie/Vertrouwensband"] == 1
    with pytest.raises(QualcodeError):
        cooccurrence(fixed, unit="paragraph")


def test_cooccurrence_turns_on_sample(sample_study: Study) -> None:
    """Turn co-occurrence counts turns holding both codes: never more than either total."""
    result = cooccurrence(sample_study, unit="turn")
    assert result.counts
    for (a, b), n in result.counts.items():
        assert n <= min(result.totals[a], result.totals[b])
        assert 0 < result.jaccard(a, b) <= 1
