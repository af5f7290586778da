"""Keyword rules: lemma, word, phrase and wildcard matching on sentence units."""

from __future__ import annotations

from assist_helpers import DEBT, SPORT, make_study
from qualcode.assist import assistant
from qualcode.assist.rules import rule_hits


def _texts(study, code) -> set[str]:
    corpus = assistant(study).corpus()
    return {corpus.units[h.unit].text for h in rule_hits(corpus, [code.id])}


def test_keywords_find_their_sentences_and_nothing_else() -> None:
    study, ids = make_study(coded=0)
    # "schulden" is lemmatised to "schuld", so the sentence with "een schuld" is found too
    assert _texts(study, ids["debt"]) == set(DEBT)


def test_inflected_forms_are_found_through_lemmas() -> None:
    study, ids = make_study(coded=0)
    doc = study.add_document(
        "Respondent: Ze hielp ons zonder te oordelen. Ik heb vertrouwen in haar. Het regende die dag.",
        title="Lemma",
    )
    texts = {t for t in _texts(study, ids["trust"])}
    # keyword "geholpen" -> lemma "helpen" finds "hielp"; "vertrouwt" -> "vertrouwen"
    assert texts == {"Ze hielp ons zonder te oordelen.", "Ik heb vertrouwen in haar."}
    hits = rule_hits(assistant(study).corpus(), [ids["trust"].id])
    assert {assistant(study).corpus().units[h.unit].document_id for h in hits} == {doc}


def test_wildcards_and_phrases() -> None:
    study, ids = make_study(coded=0)
    texts = _texts(study, ids["sport"])
    # voetbal* finds "voetbal" and "voetbalclub"; the phrase "op turnen" finds "zit op turnen";
    # "zwemles" finds its sentence; the match-day sentence has none of the keywords
    assert texts == {SPORT[0], SPORT[1], SPORT[2], SPORT[4]}
    study.update_code(ids["sport"].id, keywords=["turnen op"])
    assert _texts(study, ids["sport"]) == set()  # a phrase is matched in its order only


def test_coded_rejected_and_interviewer_sentences_are_not_candidates() -> None:
    study, ids = make_study(coded=4, total=5)
    corpus = assistant(study).corpus()
    last = ids["documents"][-1]
    hits = rule_hits(corpus, [ids["debt"].id])
    # the four coded documents already have every debt sentence coded
    assert {corpus.units[h.unit].document_id for h in hits} == {last}
    first = next(h for h in hits)
    unit = corpus.units[first.unit]
    assistant(study).reject(unit.key, ids["debt"])
    corpus = assistant(study).corpus()
    assert unit.key not in {corpus.units[h.unit].key for h in rule_hits(corpus, [ids["debt"].id])}
    # the interviewer's question mentions nothing, but make it match and check it stays out
    study.update_code(ids["debt"].id, keywords=["vertellen"])
    assert rule_hits(assistant(study).corpus(), [ids["debt"].id]) == []


def test_include_closed_and_descendant_keywords_for_evaluation() -> None:
    study, ids = make_study(coded=4, total=5)
    corpus = assistant(study).corpus()
    own = rule_hits(corpus, [ids["parent"].id], include_closed=True)
    assert own == []  # the parent has no keywords of its own
    rolled = rule_hits(corpus, [ids["parent"].id], include_closed=True, with_descendants=True)
    texts = {corpus.units[h.unit].text for h in rolled}
    assert set(DEBT) <= texts and SPORT[0] in texts


def test_a_keyword_hit_carries_the_keywords_precision_on_the_coded_sentences() -> None:
    import re

    from assist_helpers import OTHER, document_text

    study, ids = make_study(coded=4, total=5)
    study.update_code(ids["debt"].id, keywords=["schulden", "de"])
    # By hand: every respondent sentence of the four coded documents has a known label,
    # positive exactly when it is one of the debt sentences (all of which are coded).
    bodies = [s for n in range(4) for s in DEBT + SPORT + OTHER if s in document_text(n)]

    def words(sentence: str) -> set[str]:
        return set(re.findall(r"\w+", sentence.casefold()))

    with_de = [s for s in bodies if "de" in words(s)]
    expected = (sum(s in DEBT for s in with_de), len(with_de))
    assert 0 < expected[0] < expected[1]  # the test means something: "de" is not a debt word

    found = assistant(study).suggestions(ids["debt"].id, source="rules", limit=None)
    assert found
    by_best = {s.keyword_score.keyword: s for s in found if s.keyword_score is not None}
    only_de = by_best["de"]
    assert (only_de.keyword_score.positives, only_de.keyword_score.matched) == expected
    assert only_de.keyword_precision == expected[0] / expected[1]
    assert only_de.as_row()["keyword_basis"] == f"{expected[0]}/{expected[1]}"
    # a sentence both keywords match is scored by the better one: "schulden" never misses
    both = next(s for s in found if set(s.keywords) == {"schulden", "de"})
    assert both.keyword_score is not None and both.keyword_score.keyword == "schulden"
    assert both.keyword_precision == 1.0
    # keyword hits are ranked by that precision when the model gives no score
    precisions = [s.keyword_precision for s in found]
    assert precisions == sorted(precisions, reverse=True)
