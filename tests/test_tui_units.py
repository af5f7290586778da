"""The TUI's pure parts: wrapping, coverage segments, cursor moves, fuzzy matching, colours."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qualcode.tui.colours import contrast_text
from qualcode.tui.dialogs.picker import fuzzy_score
from qualcode.tui.main.coverage import Coverage, Span
from qualcode.tui.main.cursor import Cursor, Unit, next_word_end, prev_word_start
from qualcode.tui.main.layout import wrap


@given(st.text(alphabet="ab cé\n", max_size=300), st.integers(min_value=8, max_value=40))
def test_wrap_keeps_every_visible_character_once_and_fits_the_width(text, width):
    layout = wrap(text, width)
    shown = "".join(text[s:e] for s, e in zip(layout.starts, layout.ends))
    assert shown.replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert all(e - s <= width for s, e in zip(layout.starts, layout.ends))
    assert layout.starts == sorted(layout.starts)


def test_wrap_breaks_at_spaces_and_newlines():
    layout = wrap("een twee drie vier\nvijf", 10)
    text = "een twee drie vier\nvijf"
    assert [text[s:e] for s, e in zip(layout.starts, layout.ends)] == ["een twee", "drie vier", "vijf"]
    assert layout.line_of(text.index("vijf")) == 2


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), max_size=12), st.integers(0, 70))
def test_coverage_at_equals_a_scan_of_all_codings(raw, offset):
    spans = [Span(s, s + n, coding_id=i, code_id=i % 3) for i, (s, n) in enumerate(raw)]
    coverage = Coverage(spans)
    assert {s.coding_id for s in coverage.at(offset)} == {s.coding_id for s in spans if s.start <= offset < s.end}
    pieces = list(coverage.segments(0, 70))
    assert pieces[0][0] == 0 and pieces[-1][1] == 70
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))


@given(st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 2500)), max_size=12), st.integers(0, 5000))
def test_adding_and_removing_keeps_queries_right(raw, offset):
    spans = [Span(s, s + n, coding_id=i, code_id=0) for i, (s, n) in enumerate(raw)]
    coverage = Coverage(spans[: len(spans) // 2])
    for span in spans[len(spans) // 2 :]:
        coverage.add(span)
    for span in spans[::3]:
        coverage.remove(span.coding_id)
    kept = [s for s in spans if s not in spans[::3]]
    assert {s.coding_id for s in coverage.overlapping(offset, offset + 40)} == {
        s.coding_id for s in kept if s.start < offset + 40 and s.end > offset
    }


@given(
    st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 2500), st.integers(0, 3)), max_size=15),
    st.integers(0, 5000),
)
def test_coverage_from_plain_rows_hands_out_the_same_spans(raw, offset):
    """Opening a document gives Coverage the study's plain rows (Span's fields in order);
    what it hands out is Spans, the same as when it was given Spans, also after edits."""
    spans = [Span(s, s + n, coding_id=i, code_id=c, coder_id=c + 1) for i, (s, n, c) in enumerate(raw)]
    from_rows = Coverage([tuple(s) for s in spans])
    from_spans = Coverage(spans)
    for coverage in (from_rows, from_spans):
        assert all(type(s) is Span for s in coverage)
        assert sorted(coverage) == coverage.spans == sorted(spans)
        found = coverage.overlapping(offset, offset + 40)
        assert all(type(s) is Span for s in found)
        assert found == sorted(
            (s for s in spans if s.start < offset + 40 and s.end > offset), key=lambda s: (s.start, -s.end, s.coding_id)
        )
    some = {s.coding_id for s in spans[::2]}
    assert sorted(from_rows.with_ids(some)) == sorted(s for s in spans if s.coding_id in some)
    if spans:
        gone = from_rows.remove(spans[0].coding_id)
        assert gone == spans[0] and type(gone) is Span
        assert not from_rows.has(spans[0].coding_id) and len(from_rows) == len(spans) - 1
        from_rows.add(spans[0])
        assert from_rows.has(spans[0].coding_id) and from_rows.spans == sorted(spans)


def test_innermost_coding_is_painted_last():
    coverage = Coverage([Span(0, 100, coding_id=1, code_id=1), Span(10, 20, coding_id=2, code_id=2)])
    assert [s.coding_id for s in coverage.at(15)] == [1, 2]


TEXT = "I: Vraag een? Antwoord twee. Drie hier.\nR: Vier nu. Vijf."


def _cursor() -> Cursor:
    sentences = [Unit(3, 13), Unit(14, 28), Unit(29, 39), Unit(43, 51), Unit(52, 57)]
    turns = [Unit(3, 39), Unit(43, 57)]
    return Cursor(TEXT, sentences, turns)


def test_cursor_reads_its_sentences_when_first_needed():
    reads: list[int] = []
    eager = _cursor()

    def read() -> list[Unit]:
        reads.append(1)
        return eager.sentences

    lazy = Cursor(TEXT, read, eager.turns, selection=(3, 13))
    assert lazy.selection == (3, 13) and not lazy.has_sentences and reads == []
    lazy.move_sentence(1)
    eager.move_sentence(1)
    assert lazy.selection == eager.selection == (14, 28) and reads == [1]
    lazy.move_sentence(1)
    assert reads == [1] and lazy.sentences == eager.sentences


def test_cursor_moves_by_sentence_and_turn_and_extends_both_ways():
    cursor = _cursor()
    assert cursor.selection == (3, 13)
    cursor.move_sentence(1)
    assert cursor.selection == (14, 28)
    cursor.extend_sentences(1)
    assert cursor.selection == (14, 39)
    cursor.extend_sentences(-2)  # past the anchor: now extends upwards
    assert cursor.selection == (3, 28)
    cursor.move_turn(1)
    assert cursor.selection == (43, 51)
    cursor.select_turn()
    assert cursor.selection == (43, 57)
    cursor.move_turn(-1)
    assert cursor.selection == (3, 13)
    cursor.extend_turns(1)
    assert cursor.selection == (3, 57)


def test_word_moves():
    assert TEXT[next_word_end(TEXT, 3) - 5 : next_word_end(TEXT, 3)] == "Vraag"
    assert next_word_end(TEXT, 8) == TEXT.index("een?") + 3
    assert prev_word_start(TEXT, TEXT.index("twee")) == TEXT.index("Antwoord")


def test_fuzzy_prefers_word_starts_and_the_codes_own_name():
    paths = ["Relatie/Vertrouwensband", "Ervaren waarden/Vertrouwen", "Aanpak/Integrale aanpak"]
    ranked = sorted(paths, key=lambda p: -(fuzzy_score("vtb", p) or -99))
    assert ranked[0] == "Relatie/Vertrouwensband"
    assert fuzzy_score("xyz", "Relatie") is None
    assert fuzzy_score("ger", "Ervaren waarden/Gezien en gehoord worden") is not None


def test_text_on_code_colours_is_readable():
    assert contrast_text("#ffff00") == "#000000"
    assert contrast_text("#1a237e") == "#ffffff"
