"""Theme discovery over uncoded sentences, and making a code from a topic."""

from __future__ import annotations

import pytest

from assist_helpers import DEBT, SPORT, make_study
from qualcode.assist import assistant
from qualcode.assist.rules import rule_hits
from qualcode.assist.topics import discover_topics, make_code, uncoded_units
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study

THEMES = {
    "geld": ["schulden", "rekeningen", "het geld", "de huur"],
    "sport": ["voetbal", "de club", "de training", "het zwembad"],
    "school": ["de juf", "het huiswerk", "de klas", "het rapport"],
}
TEMPLATES = [
    "Ik maakte me zorgen over {a} en {b}.",
    "Toen ging het over {a}, en later ook over {b}.",
    "Met {a} en {b} was het moeilijk dat jaar.",
]


def themed_study() -> tuple[Study, dict[str, set[str]]]:
    """Three themes whose sentences share words within a theme and differ across themes."""
    study = Study.memory()
    sentences: dict[str, set[str]] = {}
    for theme, words in THEMES.items():
        sentences[theme] = {t.format(a=a, b=b) for t in TEMPLATES for a in words for b in words if a != b}
    for n in range(4):
        body = [s for theme in THEMES for s in sorted(sentences[theme])[n::4]]
        study.add_document("Respondent: " + " ".join(body) + "\n", title=f"Gesprek {n}")
    return study, sentences


def test_topics_have_top_lemmas_and_representative_examples() -> None:
    study, sentences = themed_study()
    topics = discover_topics(assistant(study).corpus(), 3, examples=3)
    assert [t.number for t in topics] == list(range(1, len(topics) + 1)) and len(topics) == 3
    money = next(t for t in topics if "schuld" in t.lemmas)
    assert {"rekening", "geld", "huur"} <= set(money.lemmas[:6])
    assert all(e.text in sentences["geld"] for e in money.examples)
    sport = next(t for t in topics if "voetbal" in t.lemmas)
    assert sport is not money and all(e.text in sentences["sport"] for e in sport.examples)
    assert all(len(t.lemmas) <= 10 and t.examples for t in topics)
    stop = {"de", "het", "en", "een", "ik", "ja"}
    assert not stop & {lemma for t in topics for lemma in t.lemmas}


def test_coded_and_interviewer_sentences_are_left_out() -> None:
    study, ids = make_study(coded=4, total=5)
    corpus = assistant(study).corpus()
    texts = {corpus.units[i].text for i in uncoded_units(corpus)}
    last_doc = {u.text for u in corpus.units if u.document_id == ids["documents"][-1]}
    assert set(DEBT) & texts <= last_doc and set(SPORT) & texts <= last_doc
    assert not any(t.startswith("Kunt u vertellen") for t in texts)


def test_make_code_creates_a_code_with_the_topic_lemmas_as_keywords() -> None:
    study, sentences = themed_study()
    topics = discover_topics(assistant(study).corpus(), 3)
    money = next(t for t in topics if "schuld" in t.lemmas)
    study.add_code("Thema")
    code = make_code(study, money, "Geldzorgen", parent="Thema")
    assert code.path == "Thema/Geldzorgen"
    assert list(code.keywords) == list(money.lemmas[:8])
    assert "schuld" in code.description
    assert study.fragments(codes=[code.id]) == []  # nothing is coded by making a code
    corpus = assistant(study).corpus()
    found = {corpus.units[h.unit].text for h in rule_hits(corpus, [code.id])}
    assert found >= sentences["geld"]  # the new code's keywords bring its sentences up
    with pytest.raises(QualcodeError):
        make_code(study, money, "Geldzorgen", parent="Thema")  # the name is taken


def test_too_little_text_for_topics_says_so() -> None:
    study, _ = make_study(coded=0, total=1)
    with pytest.raises(QualcodeError, match="uncoded sentences"):
        discover_topics(assistant(study).corpus(), 8)


def test_function_words_never_become_keywords() -> None:
    from qualcode.assist.topics import SPOKEN_FILLERS
    from qualcode.ingest.nlp import stop_words
    from qualcode.study.search import fold

    stop = {fold(w) for w in stop_words("nl") | SPOKEN_FILLERS}
    for word in ("via", "één", "een", "Één".lower()):
        assert fold(word) in stop


def test_a_transcribers_notes_are_no_topic_words() -> None:
    """ "[lacht]" and "[stilte]" in many sentences are what the transcriber heard, not a theme;
    "lachen" said in words still counts."""
    study, _ = themed_study()
    notes = [
        f"Ik maakte me zorgen over {a}. [lacht] [stilte] Ja." for a in ("de huur", "schulden", "de club", "de klas")
    ] * 3
    said = ["We lachen samen om de juf en het rapport."] * 3
    study.add_document("Respondent: " + " ".join(notes + said) + "\n", title="Met notities")
    words = {w for t in discover_topics(assistant(study).corpus(), 3) for w in t.lemmas}
    assert not {"lacht", "stilte"} & words
    assert "lachen" in words
