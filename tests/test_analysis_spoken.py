"""Word counts are the words that were said: speaker labels and timestamps are not words of
the interview, in a document's word count, in coded words, or in rates per 1,000 words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualcode.analysis import Scope
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrices import crosstab
from qualcode.ingest import nlp, parse_turns
from qualcode.study.study import Study

# Title 1 word; "Wat vind je ervan?" 4; "Goed, echt goed." 3; "Nou ja." 2 — ten words said.
# The labels (Interviewer, Moeder) and the stamps (00:01:23, 00:02:00) are not.
TRANSCRIPT = (
    "Kennismaking\n\nInterviewer:\nWat vind je ervan?\n\n[00:01:23] Moeder: Goed, echt goed.\n00:02:00 Nou ja.\n"
)


def turn_spans(text: str) -> list[tuple[int, int, int]]:
    return [(t.start, t.body_start, t.end) for t in parse_turns(text)]


def test_spoken_word_count_leaves_out_labels_and_timestamps() -> None:
    assert nlp.word_count(TRANSCRIPT) == 18  # what a plain \w+ count sees
    assert nlp.spoken_word_count(TRANSCRIPT, turn_spans(TRANSCRIPT)) == 10
    assert nlp.spoken_word_count(TRANSCRIPT) == 18  # no turns: everything is text


def test_a_label_on_its_own_line_is_no_sentence() -> None:
    sentences = nlp.segment(TRANSCRIPT, "nl", turn_spans(TRANSCRIPT))
    said = [TRANSCRIPT[s.start : s.end] for s in sentences]
    assert said == ["Kennismaking", "Wat vind je ervan?", "Goed, echt goed.", "Nou ja."]


def test_imported_word_count_and_rates(tmp_path: Path) -> None:
    study = Study.create(tmp_path / "s.qualcode", "s", coder="tester")
    study.add_code("Tevreden")
    doc = study.add_document(TRANSCRIPT, title="t", metadata={"organisation": "Leergeld", "project": "P"})
    assert study.document(doc).word_count == 10
    study.add_coding(doc, "Tevreden", 0, len(TRANSCRIPT.rstrip()))  # the whole transcript
    freq = {f.code: f for f in code_frequencies(study)}
    assert freq["Tevreden"].coded_words == 10  # labels inside the coding are not words said
    assert freq["Tevreden"].coded_words_pct == 100.0
    matrix = crosstab(study, "organisation")
    # rates count the respondents' words: the interviewer's "Wat vind je ervan?" is left out
    assert [g.words for g in matrix.groups] == [6]
    assert {r["code"]: r["Leergeld"] for r in matrix.rows("rate")}["Tevreden"] == pytest.approx(1000 / 6)
    study.close()


def test_coded_words_of_whole_documents_equal_their_word_counts(sample_study: Study) -> None:
    """On the real sample transcripts (labels, timestamps, preambles), a coding over a whole
    document codes exactly its word count, and the counts are below the naive ones."""
    sample_study.add_code("Alles")
    docs = sample_study.documents()
    for doc in docs:
        sample_study.add_coding(doc.id, "Alles", 0, len(sample_study.document_text(doc.id)))
    expected = sum(d.word_count for d in docs)
    freq = {f.code: f for f in code_frequencies(sample_study, Scope(), rollup=False)}
    assert freq["Alles"].coded_words == expected
    naive = sum(len(re.findall(r"\w+", sample_study.document_text(d.id))) for d in docs)
    labelled = sum(len(sample_study.turns(d.id)) for d in docs)
    assert labelled > 0 and expected < naive
