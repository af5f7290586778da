"""clean_field skips the escape-sequence pass when no sequence can start in the text; the
result must be what the full pass gives, for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.core.clean import _MULTI_LINE, _ONE_LINE, _SEQUENCES, clean_field

# Escape and control characters, the starts of 8-bit sequences, and ordinary text.
ALPHABET = st.sampled_from(
    ["\x1b", "\x9b", "\x90", "\x9d", "\x9c", "\x07", "\r", "\n", "\t", "[", "]", "0", ";", "m", "a", "é", " "]
)


def full_pass(value: str, multiline: bool) -> str:
    value = _SEQUENCES.sub("", value.replace("\r\n", "\n"))
    return value.translate(_MULTI_LINE if multiline else _ONE_LINE)


@settings(max_examples=500)
@given(st.lists(ALPHABET, max_size=40).map("".join), st.booleans())
def test_the_fast_path_gives_what_the_full_pass_gives(value: str, multiline: bool) -> None:
    assert clean_field(value, multiline=multiline) == full_pass(value, multiline)


def test_a_passage_with_line_breaks_keeps_them_and_loses_an_escape() -> None:
    assert clean_field("Ja.\nNee.\r\nMisschien.", multiline=True) == "Ja.\nNee.\nMisschien."
    assert clean_field("Ja.\n\x1b]0;titel\x07Nee.", multiline=True) == "Ja.\nNee."
