"""Raw positions of another tool's text mapped onto qualcode's normalised text."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.exchange.offsets import OffsetMap, _align
from qualcode.ingest import normalise_text


def test_identical_text_maps_to_itself() -> None:
    m = OffsetMap("Ik voel me gezien.")
    assert [m.start(i) for i in range(19)] == list(range(19))


def test_crlf_counts_as_one_after_normalising() -> None:
    raw = "Interviewer: Hoe gaat het?\r\nMoeder: Goed.\r\n"
    m = OffsetMap(raw)
    start = raw.index("Goed")
    assert m.normalised[m.start(start) : m.end(start + 4)] == "Goed"
    # a position between \r and \n rounds outward: a start to the line end, an end past it
    inside = raw.index("\r\n") + 1
    assert m.start(inside) == raw.index("\r\n")
    assert m.end(inside) == raw.index("\r\n") + 1


def test_combining_accents_are_composed_and_selections_keep_them() -> None:
    raw = "Het cafe\u0301 was dicht. Ge\u0301e\u0301n idee."
    m = OffsetMap(raw)
    assert m.normalised == unicodedata.normalize("NFC", raw)
    start = raw.index("cafe")
    end = start + len("cafe\u0301")
    assert m.normalised[m.start(start) : m.end(end)] == "café"
    # ending between the e and its accent still takes the accented letter
    assert m.normalised[m.start(start) : m.end(end - 1)] == "café"
    later = raw.index("idee")
    assert m.normalised[m.start(later) : m.end(later + 4)] == "idee"


def test_dropped_controls_and_bom_shift_later_positions() -> None:
    raw = "\ufeffEen\x00 twee\x07 drie"
    m = OffsetMap(raw)
    assert m.normalised == "Een twee drie"
    at = raw.index("drie")
    assert m.normalised[m.start(at) : m.end(at + 4)] == "drie"


def test_trailing_whitespace_is_clamped() -> None:
    raw = "Tekst.   \r\n\r\n"
    m = OffsetMap(raw)
    assert m.normalised == "Tekst."
    assert m.end(len(raw)) == len("Tekst.")


def test_alignment_fallback_agrees_on_simple_case() -> None:
    raw = "a\r\nb\x00c"
    floor, ceil = _align(raw, normalise_text(raw))
    norm = normalise_text(raw)
    assert norm[floor[raw.index("b")]] == "b"
    assert norm[floor[raw.index("c")]] == "c"
    assert ceil[len(raw)] == len(norm)


_pieces = st.lists(
    st.sampled_from(
        ["woord", "café", "cafe\u0301", "\r\n", "\n", " ", "\t", "\x00", "\ufeff", "één", "Ü", "\u2028", "x"]
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(_pieces)
def test_every_piece_maps_onto_its_normalised_self(pieces: list[str]) -> None:
    """Whatever surrounds it, a piece of raw text maps onto the normalised form of that piece."""
    raw = "".join(pieces)
    m = OffsetMap(raw)
    assert m.normalised == normalise_text(raw)
    position = 0
    for piece in pieces:
        start, end = position, position + len(piece)
        position = end
        mapped = m.normalised[m.start(start) : m.end(end)]
        expected = unicodedata.normalize("NFC", piece.replace("\r\n", "\n").replace("\u2028", "\n"))
        expected = "".join(c for c in expected if c not in "\x00\ufeff")
        if piece.isalpha():
            assert mapped == expected
        # monotone: starts never pass ends
        assert m.start(start) <= m.end(end)
