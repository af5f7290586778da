"""Normalisation, decoding and language detection: the text every offset depends on."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.core.errors import QualcodeError
from qualcode.ingest import decode_bytes, detect_language, normalise_text

PATH = Path("interviews/samira.txt")

# Text with the characters normalisation cares about, so hypothesis finds the edge cases.
_TRICKY = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            [
                "\r",
                "\n",
                "\t",
                " ",
                "\ufeff",
                "\x00",
                "\x0b",
                "\x0c",
                "\x85",
                "\u2028",
                "\u2029",
                "\x1b",
                "\x7f",
                "\x9b",
                "\xa0",
                "e",
                "\u0301",
                "é",
                "\u212b",
                "\u1100",
                "\u1161",
                "\u11a8",
            ]
        ),
        st.characters(),
    )
)


@settings(max_examples=500)
@given(_TRICKY)
def test_normalise_is_idempotent_and_clean(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once
    assert "\ufeff" not in once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.rstrip()
    assert all(ch in "\t\n" or unicodedata.category(ch) != "Cc" for ch in once)


def test_normalise_line_endings_bom_and_nfc() -> None:
    raw = "\ufeffCafe\u0301\r\nregel twee\rregel drie\x00\x07\tklaar  \n\n"
    assert normalise_text(raw) == "Café\nregel twee\nregel drie\tklaar"


def test_normalise_keeps_line_like_breaks_as_newlines() -> None:
    assert normalise_text("een\x0btwee\x0cdrie\u2028vier") == "een\ntwee\ndrie\nvier"


def test_normalise_repairs_c1_controls_as_cp1252() -> None:
    # Text once decoded as Latin-1 instead of cp1252 carries C1 controls for ’ – …
    assert normalise_text("het\x92s \x96 zo\x85 \x81") == "het’s – zo…"


def test_normalise_keeps_leading_whitespace() -> None:
    assert normalise_text("  \n  ingesprongen") == "  \n  ingesprongen"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Ouders voelen zich gehoord, één keer.".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "één keer".encode(), "utf-8-sig"),
        ("één keer – café".encode("utf-16"), "utf-16"),
        ("één keer".encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
        ("één keer – „café” €".encode("cp1252"), "cp1252"),
        ("Interviewer: hoe gaat het?\n".encode("utf-16-le"), "utf-16"),  # no BOM
    ],
)
def test_decode_detects_encoding(data: bytes, encoding: str) -> None:
    text, found = decode_bytes(data, PATH)
    assert found == encoding
    assert "één keer" in text or "hoe gaat het" in text or "gehoord" in text


def test_decode_cp1252_text_round_trips() -> None:
    original = "Moeder: ik voelde me niet veroordeeld – ‘zonder oordeel’, dat is €5 waard."
    assert decode_bytes(original.encode("cp1252"), PATH) == (original, "cp1252")


@given(st.text(min_size=1).filter(lambda t: t.strip() and "\x00" not in t))
def test_decode_utf8_round_trips(text: str) -> None:
    controls = sum(unicodedata.category(c) == "Cc" and c not in "\t\n\r\x0b\x0c" for c in text)
    if controls:  # mostly-control strings are refused as binary, which is tested below
        return
    assert decode_bytes(text.encode("utf-8"), PATH) == (text, "utf-8")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n\t\r\n ", "the file is empty"),
        (b"\xef\xbb\xbf", "the file is empty"),
        ("  \n".encode("utf-16"), "the file is empty"),
        (b"abc\x00def" * 10, "looks like a binary file, not a transcript (it contains NUL bytes)"),
        (bytes(range(1, 32)) * 20, "looks like a binary file, not a transcript ("),
        (b"PK\x03\x04rest-of-zip", "looks like a binary file, not a transcript (it is a ZIP"),
        (b"%PDF-1.7\n...", "looks like a binary file, not a transcript (it is a PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1...", "looks like a binary file, not a transcript ("),
        (b"tekst \x81\x8d\x8f\x90\x9d", "is neither UTF-8 nor Windows-1252 text"),
        (b"\xff\xfe\x00\xd8", "is marked as UTF-16 but cannot be decoded"),
        (b"{\\rtf1\\ansi Interviewer: hoi}", "is an RTF document"),
    ],
)
def test_decode_refuses_bad_input_with_one_line(data: bytes, reason: str) -> None:
    with pytest.raises(QualcodeError) as caught:
        decode_bytes(data, PATH)
    message = str(caught.value)
    assert message.startswith(f"{PATH}: {reason}")
    assert "\n" not in message


def test_decode_random_bytes_are_binary() -> None:
    import random

    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(4000))
    with pytest.raises(QualcodeError, match=r"binary|neither UTF-8"):
        decode_bytes(noise, PATH)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ik heb het gevoel dat ze echt naar ons luisteren en dat is fijn.", "nl"),
        ("I feel that they really listen to us and that is good for the kids.", "en"),
        ("", "nl"),
        ("12 34 56", "nl"),
        ("Interviewer: Hoe gaat het met de kinderen? Moeder: Goed, maar het was zwaar.", "nl"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_detect_language_looks_at_the_start_only() -> None:
    dutch = "ik weet niet of dat gewoon zo is " * 400  # 3,200 words
    english = " the thing is that you know" * 2000
    assert detect_language(dutch + english) == "nl"
