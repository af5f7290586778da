"""Learned suggestions: the labelling rule, eligibility, ranking, caching, cancelling."""

from __future__ import annotations

import pytest

from qualcode.assist import assistant
from qualcode.assist.learn import Cancelled, Settings, train, training_set
from qualcode.assist.units import Corpus
from test_assist_support import DEBT, OTHER, SPORT, make_study


def test_classifier_ranks_the_right_sentences_first() -> None:
    study, ids = make_study(coded=4, total=5)
    last = ids["documents"][-1]
    found = assistant(study).suggestions(ids["debt"].id, source="model", min_score=0.0, limit=None)
    in_last = [s for s in found if s.document_id == last]
    debt_in_last = [s.text for s in in_last if s.text in DEBT]
    assert len(debt_in_last) == 2
    assert {s.text for s in in_last[:2]} == set(debt_in_last)
    sport = assistant(study).suggestions(ids["sport"].id, source="model", min_score=0.0, limit=None)
    top = [s.text for s in sport if s.document_id == last][:2]
    assert set(top) <= set(SPORT)


def test_codes_with_too_few_examples_say_so() -> None:
    study, ids = make_study(coded=4, total=5)
    statuses = {s.code_id: s for s in assistant(study).train()}
    trust = statuses[ids["trust"].id]
    assert not trust.trained and "too few examples" in trust.reason and "0 positive" in trust.reason
    assert statuses[ids["debt"].id].trained and statuses[ids["debt"].id].positives == 8
    assert assistant(study).suggestions(ids["trust"].id, source="model", min_score=0.0) == []


def test_one_coded_document_is_not_enough() -> None:
    study, ids = make_study(coded=1, total=3)
    status = {s.code_id: s for s in assistant(study).train()}[ids["debt"].id]
    assert not status.trained and "1 document" in status.reason


def test_sub_code_codings_count_for_the_parent() -> None:
    study, ids = make_study(coded=4, total=5)
    corpus = assistant(study).corpus()
    parent = corpus.positives(ids["parent"].id)
    assert parent == corpus.positives(ids["debt"].id) | corpus.positives(ids["sport"].id)
    assert len(parent) == 16


def test_labelling_rule_most_of_the_sentence_or_most_of_the_coding() -> None:
    study, ids = make_study(coded=0, total=1)
    doc = ids["documents"][0]
    units = study.sentences(doc)
    long = next(u for u in units if study.document_text(doc)[u.start : u.end] == DEBT[0])
    other = next(u for u in units if study.document_text(doc)[u.start : u.end] == OTHER[0])
    sport = next(u for u in units if study.document_text(doc)[u.start : u.end] == SPORT[0])
    # a short in-vivo phrase inside the sentence marks it
    study.add_coding(doc, ids["debt"], long.start + 3, long.start + 12)
    # a long coding that only clips the first characters of a sentence does not
    study.add_coding(doc, ids["sport"], other.start - 40 if other.start >= 40 else 0, other.start + 3)
    # a coding over most of a sentence marks it
    study.add_coding(doc, ids["sport"], sport.start, sport.end - 5)
    corpus = Corpus.load(study)
    index = {corpus.units[i].id: i for i in range(len(corpus.units))}
    assert index[long.id] in corpus.positives(ids["debt"].id)
    assert index[other.id] not in corpus.positives(ids["sport"].id)
    assert index[other.id] in corpus.touched[ids["sport"].id]
    assert index[sport.id] in corpus.positives(ids["sport"].id)
    # touched-only sentences are neither training example nor candidate
    indices, _ = training_set(corpus, ids["sport"].id)
    assert index[other.id] not in set(indices.tolist())
    assert index[other.id] not in corpus.open_units(ids["sport"].id)


def test_models_are_cached_until_the_study_changes() -> None:
    study, ids = make_study(coded=4, total=5)
    helper = assistant(study)
    first = helper.models()
    assert helper.models() is first
    assert assistant(study) is helper
    last = ids["documents"][-1]
    unit = study.sentences(last)[1]
    study.add_coding(last, ids["debt"], unit.start, unit.end)
    assert helper.models() is not first
    assert helper.models(Settings(char_ngrams=True)).settings.char_ngrams


def test_training_reports_progress_and_can_be_cancelled() -> None:
    study, _ = make_study(coded=4, total=5)
    corpus = Corpus.load(study)
    seen: list[tuple[int, int]] = []
    train(corpus, progress=lambda done, total, _: seen.append((done, total)))
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    with pytest.raises(Cancelled):
        train(corpus, cancelled=lambda: True)


def test_character_ngrams_train_too() -> None:
    study, ids = make_study(coded=4, total=5)
    models = assistant(study).models(Settings(char_ngrams=True))
    assert models.models[ids["debt"].id] is not None
    assert models.matrix.shape[1] > len(models.featurizer.words.vocabulary)


def test_lemma_vectorizer_weighs_like_sklearn_tfidf() -> None:
    """The hand-written vectorizer (for speed) must give scikit-learn's sublinear TF-IDF."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from qualcode.assist.learn import LemmaVectorizer

    train_docs = DEBT + SPORT + OTHER
    docs = [*train_docs, "", "woord dat niemand kent", "schulden schulden voetbal"]
    ours = LemmaVectorizer().fit(train_docs)
    theirs = TfidfVectorizer(analyzer=LemmaVectorizer.features, sublinear_tf=True).fit(train_docs)
    order = [theirs.vocabulary_[f] for f in sorted(ours.vocabulary, key=ours.vocabulary.get)]
    assert np.allclose(ours.transform(docs).toarray(), theirs.transform(docs).toarray()[:, order])
