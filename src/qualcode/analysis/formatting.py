"""One formatter for the figures people read: p and q values, percentages, effect sizes,
intervals. Tables, sentences, the TUI and the report all go through it, so "p = < 0.001"
or 3/24 shown as 12 % beside 9/24 as 38 % cannot happen in one place and not another.

JSON and CSV never go through it: they carry the full-precision numbers.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

DASH = "–"


def round_half_up(value: float, decimals: int = 0) -> float:
    """Round as people do on paper (12.5 → 13), not to even as Python's round() does.
    The float's shortest repr is taken as its decimal value, so 0.125 rounds to 0.13."""
    if not math.isfinite(value):
        return value
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def percent(part: int, whole: int, decimals: int = 0) -> str:
    """``part`` of ``whole`` as a percentage, rounded half up from the exact fraction:
    3/24 → "13 %", 9/24 → "38 %"."""
    if not whole:
        return DASH
    exact = Fraction(100 * part, whole)
    step = Decimal(1).scaleb(-decimals)
    value = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(step, rounding=ROUND_HALF_UP)
    return f"{value} %"


def share(value: float | None, decimals: int = 0) -> str:
    """A proportion (0–1) as a percentage, rounded half up."""
    if value is None:
        return DASH
    return f"{round_half_up(100 * value, decimals):.{decimals}f} %"


def p_value(p: float | None) -> str:
    """The value alone: "< 0.001", "0.012", "1.000"."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return DASH
    if p < 0.001:
        return "< 0.001"
    return f"{round_half_up(p, 3):.3f}"


def p_phrase(name: str, p: float | None) -> str:
    """``name`` with its value as written in a sentence: "p < 0.001", "q = 0.040" — never
    "p = < 0.001"."""
    text = p_value(p)
    return f"{name} {text}" if text.startswith("<") else f"{name} = {text}"


def number(value: float | None, decimals: int = 2) -> str:
    """An effect size or statistic, rounded half up; ∞ for an infinite ratio."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{round_half_up(value, decimals):.{decimals}f}"


def effect(name: str, value: float | None, decimals: int = 2) -> str:
    """ "V = 0.23", "OR = 2.50"."""
    return f"{name} = {number(value, decimals)}"


def interval(low: float | None, high: float | None, decimals: int = 2, *, as_percent: bool = False) -> str:
    """A 95 % interval: "[0.12, 0.48]", or as percentages "[12 %, 48 %]"."""
    if low is None or high is None:
        return DASH
    if as_percent:
        return f"[{share(low, decimals)}, {share(high, decimals)}]"
    return f"[{number(low, decimals)}, {number(high, decimals)}]"
