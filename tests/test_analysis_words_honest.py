"""Distinctive words with a minimum of documents, dispersion and a stated correction;
keyword in context that never matches speaker labels, timestamps or (unless asked) the
interviewer."""

from __future__ import annotations

from pathlib import Path

import pytest
from scipy.stats import chi2, false_discovery_control

from qualcode.analysis.words import distinctive_words, document_counts, kwic, log_likelihood
from qualcode.study.study import Study

LABELLED = """[00:00:05] Interviewer: Hoe is het met de ouder contact?
[00:00:09] Ouder: Als ouder voel ik me gezien. De interviewer vroeg het ook.
[Ouder] Ik ben een trotse ouder.
"""


@pytest.fixture
def labelled(tmp_path: Path):
    study = Study.create(tmp_path / "k.qualcode", "k", coder="a")
    study.add_document(LABELLED, title="d1")
    yield study
    study.close()


def test_kwic_never_matches_labels_or_timestamps_and_skips_the_interviewer(labelled: Study) -> None:
    text = labelled.document_text(labelled.documents()[0].id)
    hits = kwic(labelled, "ouder")
    said = [text.index("Als ouder") + 4, text.index("trotse ouder") + 7]
    assert [h.start for h in hits] == said
    # the label "Interviewer:" is no hit; the parent saying "interviewer" is
    assert [h.start for h in kwic(labelled, "interviewer")] == [text.index("De interviewer") + 3]
    asked = kwic(labelled, "ouder", interviewer=True)
    assert [h.start for h in asked] == sorted([text.index("de ouder") + 3, *said])
    assert all(h.match.lower() == "ouder" for h in kwic(labelled, "ouder", unit="lemma"))
    assert [h.start for h in kwic(labelled, "ouder", unit="lemma")] == said
    assert not any(h.start < 12 for h in kwic(labelled, "00*"))


def test_distinctive_words_corrected_dispersed_and_minimum_documents(sample_study: Study) -> None:
    rows = distinctive_words(sample_study, by="role", unit="lemma", top=1000)
    per_doc = document_counts(sample_study, by="role", unit="lemma")
    documents: dict[str, int] = {}
    for group, _ in per_doc:
        documents[group] = documents.get(group, 0) + 1
    assert rows
    assert all(documents[r["role"]] >= 3 for r in rows)
    assert any("Benjamini–Hochberg" in n for n in rows.notes)
    for r in rows[:10]:
        spread = sum(1 for (g, _), c in per_doc.items() if g == r["role"] and c[r["lemma"]])
        assert r["documents"] == spread and r["of_documents"] == documents[r["role"]]
        assert r["p"] == pytest.approx(chi2.sf(r["g2"], 1))
        assert r["q"] < 0.05
    bonferroni = distinctive_words(sample_study, by="role", unit="lemma", top=1000, correction="bonferroni")
    assert len(bonferroni) <= len(rows)
    assert any("Bonferroni" in n for n in bonferroni.notes)


def test_distinctive_q_values_are_benjamini_hochberg(sample_study: Study) -> None:
    """Recompute the family: every (group, word) over-used in its group, p from G²."""
    per_doc = document_counts(sample_study, by="role", unit="lemma")
    counts: dict[str, dict[str, int]] = {}
    ndocs: dict[str, int] = {}
    for (group, _), c in per_doc.items():
        ndocs[group] = ndocs.get(group, 0) + 1
        for w, n in c.items():
            counts.setdefault(group, {})[w] = counts.setdefault(group, {}).get(w, 0) + n
    overall: dict[str, int] = {}
    for c in counts.values():
        for w, n in c.items():
            overall[w] = overall.get(w, 0) + n
    grand = sum(overall.values())
    keys, ps = [], []
    for g, c in counts.items():
        if ndocs[g] < 3:
            continue
        size = sum(c.values())
        rest = grand - size
        for w, a in c.items():
            b = overall[w] - a
            if rest and a / size <= b / rest:
                continue
            keys.append((g, w))
            ps.append(chi2.sf(log_likelihood(a, b, size, rest), 1))
    q = dict(zip(keys, false_discovery_control(ps)))
    for r in distinctive_words(sample_study, by="role", unit="lemma", top=1000):
        assert r["q"] == pytest.approx(q[(r["role"], r["lemma"])])
