"""Keyword rules: lemma, word, phrase and wildcard matching on sentence units."""

from __future__ import annotations

from qualcode.assist import assistant
from qualcode.assist.rules import rule_hits
from test_assist_support import DEBT, SPORT, make_study


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
