"""Search semantics (study/search.py, README "Search"): all words in one sentence, OR,
"phrases", prefix*, accents ignored; and the search screen codes exactly the ticked hits."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import PARENT_TEXT

from qualcode.study import search as searching
from qualcode.study.study import Study
from qualcode.tui.screens.search import SearchScreen
from tui_helpers import ScreenApp, pick

SIZE = (100, 32)
TRIAL_SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
"""The sizes of the issue-16 trial: the behaviours hold at both."""


def texts(study: Study, query: str) -> list[str]:
    return [study.document_text(h.document_id)[h.start : h.end] for h in study.search(query)]


def test_words_must_share_a_sentence(study: Study) -> None:
    # "schaamde" and "coach" are in one document, in different sentences: no hit
    assert texts(study, "schaamde coach") == []
    assert texts(study, "coach thuis") == ["coach kwam gewoon bij ons thuis"]


def test_or_phrase_prefix_and_accents(study: Study) -> None:
    assert sorted(texts(study, "schaamde OR voetbal")) == ["schaamde", "voetbal"]
    assert texts(study, "schaamde or voetbal") == []  # lower-case "or" is a word like any other
    assert texts(study, '"gezien en gehoord"') == ["gezien en gehoord"]
    assert texts(study, '"gehoord en gezien"') == []
    assert texts(study, "schaam*") == ["schaamde"]
    assert texts(study, "schaam") == []
    doc = study.add_document("R: Eén keer per week komt ze. Dat is één keer te weinig.", title="accent")
    assert texts(study, "een keer") == ["Eén keer", "één keer"]
    assert [h.document_id for h in study.search("een keer")] == [doc, doc]


WORDS = ["ik", "de", "coach", "me", "niet", "thuis", "bij", "gezien", "school"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True), st.booleans())
def test_hits_match_a_sentence_by_sentence_oracle(words: list[str], use_or: bool) -> None:
    """Against a brute-force oracle over the sentences: a sentence holds a hit exactly when
    it holds every word of an alternative, and the hit runs from the first to the last."""
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.?!\n:]+[.?!]", PARENT_TEXT)]
    query = " OR ".join(words) if use_or else " ".join(words)
    alternatives = searching.parse(query)
    spans = searching.find_spans(PARENT_TEXT, sentences, alternatives)
    expected: set[tuple[int, int]] = set()
    for start, end in sentences:
        body = PARENT_TEXT[start:end]
        occ = {w: [(m.start() + start, m.end() + start) for m in re.finditer(rf"(?i)\b{w}\b", body)] for w in words}
        if use_or or len(words) == 1:
            expected |= {s for o in occ.values() for s in o}
        elif all(occ.values()):
            flat = [s for o in occ.values() for s in o]
            expected.add((min(s for s, _ in flat), max(e for _, e in flat)))
    assert spans == searching._merge(sorted(expected))


def test_empty_query_is_refused(study: Study) -> None:
    import pytest

    from qualcode.core.errors import QualcodeError

    for query in ["", "OR", '""', "*"]:
        with pytest.raises(QualcodeError, match="at least one word"):
            study.search(query)


@TRIAL_SIZES
async def test_code_all_codes_exactly_the_ticked_hits(study: Study, size) -> None:
    hits = study.search("coach thuis OR voetbal")
    assert len(hits) == 2
    app = ScreenApp(lambda: SearchScreen(study, None, query="coach thuis OR voetbal"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert "codes: exact hit" in str(app.screen.query_one("#search-title").render())
        await pilot.press("c")
        await pick(pilot, "Ervaren waarden/Vertrouwen")
    code = study.code("Ervaren waarden/Vertrouwen")
    made = sorted(
        (c.document_id, c.start, c.end)
        for d in study.documents()
        for c in study.document_codings(d.id)
        if c.code_id == code.id
    )
    assert made == sorted((h.document_id, h.start, h.end) for h in hits)


def _search_snapshot(snap_compare, path, size) -> bool:
    from textual.widgets import Input

    study = Study.open(path, coder="tester")
    app = ScreenApp(lambda: SearchScreen(study, None, query="gezin* hulp OR schaamte"))

    async def before(pilot) -> None:
        await pilot.pause()
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False

    return snap_compare(app, terminal_size=size, run_before=before)


def test_search_snapshot_120x40(snap_compare, sample_study_path) -> None:
    assert _search_snapshot(snap_compare, sample_study_path, (120, 40))


def test_search_snapshot_80x24(snap_compare, sample_study_path) -> None:
    assert _search_snapshot(snap_compare, sample_study_path, (80, 24))
