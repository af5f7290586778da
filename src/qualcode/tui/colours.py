"""Code colours: a colour per code, and a readable text colour on top of it.

Codes from a codebook usually carry a colour; codes made in the TUI (in vivo) may not, so
they get one from a fixed palette by id, which keeps a code's colour stable between runs.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color
from rich.style import Style

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)


def code_colour(code_id: int, colour: str | None) -> str:
    if colour:
        try:
            Color.parse(colour)
            return colour
        except Exception:  # a hand-edited codebook may hold a colour name Rich does not know
            pass
    return PALETTE[code_id % len(PALETTE)]


def _luminance(hex_colour: str) -> float:
    triplet = Color.parse(hex_colour).get_truecolor()

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(triplet.red) + 0.7152 * channel(triplet.green) + 0.0722 * channel(triplet.blue)


@lru_cache(maxsize=512)
def contrast_text(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG contrast)."""
    lum = _luminance(background)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


@lru_cache(maxsize=512)
def highlight_style(background: str, overlap: bool = False) -> Style:
    """The style of coded text: the code's colour behind, contrasting text in front;
    underlined where several codings overlap so overlaps show in the text too."""
    return Style(bgcolor=background, color=contrast_text(background), underline=overlap)


@lru_cache(maxsize=512)
def mark_style(colour: str) -> Style:
    return Style(color=colour)
