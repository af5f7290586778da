"""The search screen: find text, tick hits and code them in one undoable action; exact hits
already coded are skipped; a hit's span grows to its sentence but not over a speaker label."""

from __future__ import annotations

import pytest

from qualcode.study.study import SearchHit, Study
from qualcode.tui.screens.search import SearchScreen, hit_span
from tui_helpers import ScreenApp, pick

SIZE = (100, 32)


async def test_search_code_all_ticked_hits_in_one_undo(study: Study) -> None:
    before = {c.id for d in study.documents() for c in study.document_codings(d.id)}
    app = ScreenApp(lambda: SearchScreen(study, None))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"ik", "enter")
        await pilot.pause()
        screen = app.screen
        hits = list(screen.hits)
        assert hits == study.search("ik")
        assert len({h.document_id for h in hits}) == 3
        await pilot.press("down", "space")  # untick the second hit
        await pilot.press("s", "c")  # widen each hit to its sentence
        await pick(pilot, "Ervaren waarden/Vertrouwen")
    code = study.code("Ervaren waarden/Vertrouwen")
    new = [c for d in study.documents() for c in study.document_codings(d.id) if c.id not in before]
    unticked, ticked = hits[1], [h for i, h in enumerate(hits) if i != 1]
    assert new and all(c.code_id == code.id and c.coder == "tester" for c in new)
    for hit in ticked:
        assert any(c.document_id == hit.document_id and c.start <= hit.start and hit.end <= c.end for c in new)
    assert not any(c.document_id == unticked.document_id and c.start <= unticked.start < c.end for c in new)
    for c in new:  # each coding is a sentence (its speaker label left out)
        sentences = study.sentences(c.document_id)
        assert any(s.end == c.end and s.start <= c.start for s in sentences)
        assert not study.document_text(c.document_id)[c.start : c.end].startswith(("Moeder", "R:", "[Kind]"))
    study.undo()
    assert {c.id for d in study.documents() for c in study.document_codings(d.id)} == before


async def test_search_exact_hits_skip_already_coded(study: Study) -> None:
    code = study.code("Vertrouwen")
    hits = study.search("regels")
    assert len(hits) == 2
    study.add_coding(hits[0].document_id, code, hits[0].start, hits[0].end)
    doc = hits[0].document_id
    app = ScreenApp(lambda: SearchScreen(study, doc, query="regels"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.hits == hits
        await pilot.press("c")  # exact hits are the default
        await pick(pilot, "Ervaren waarden/Vertrouwen")
    spans = sorted((c.start, c.end) for c in study.document_codings(doc) if c.code_id == code.id)
    assert spans == [(h.start, h.end) for h in hits]


def test_hit_span_extends_to_sentence_but_not_label() -> None:
    sentences = [(0, 30), (31, 50), (51, 70)]
    bodies = [(10, 50), (55, 70)]
    assert hit_span(SearchHit(1, "t", 12, 15), sentences, bodies) == (10, 30)
    assert hit_span(SearchHit(1, "t", 33, 53), sentences, bodies) == (31, 70)
    assert hit_span(SearchHit(1, "t", 60, 62), sentences, bodies) == (55, 70)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_each_hit_in_context_fits_the_screen_and_marks_where_the_text_goes_on(sample_study, size) -> None:
    from qualcode.tui.screens.search import HitTable, SearchScreen
    from tui_helpers import ScreenApp

    app = ScreenApp(lambda: SearchScreen(sample_study, None, query="thuis"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#hits", HitTable)
        assert table.row_count > 5
        for row in range(min(table.row_count, table.size.height - 1)):
            context = str(table.get_row_at(row)[2])
            painted = table.render_line(row + 1).text[
                : table.scrollable_content_region.width
            ]  # not under the scrollbar
            assert context in painted, (context, painted)  # whole on screen, not cut at the edge
            assert context.endswith("…") or context.endswith(".") or context.endswith("?")
