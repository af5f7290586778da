"""The statistics behind the comparison, written out from their formulas (scipy gives the
distributions) and checked against statsmodels in the tests:

- :func:`wilson`: the Wilson score interval of a proportion (Wilson 1927); it stays inside
  [0, 1] and is honest for 0 of 4 or 4 of 4, where the textbook (Wald) interval collapses.
- :func:`newcombe`: the interval of a difference of two proportions from the two Wilson
  intervals (Newcombe 1998, method 10, the "hybrid score" interval).
- :func:`odds_ratio`: the odds ratio with a Woolf (log) interval; with an empty cell 0.5 is
  added to every cell (the Haldane–Anscombe correction), so it is never 0 or ∞.
- :func:`cramers_v`: Cramér's V with Bergsma's (2013) bias correction: the plain V of small
  tables is far from 0 even when the groups do not differ at all.
- :func:`mantel_haenszel`: the Cochran–Mantel–Haenszel test of a 2 × 2 × K table (with the
  continuity correction, as R's ``mantelhaen.test``), the pooled Mantel–Haenszel odds ratio
  with the Robins–Breslow–Greenland interval, and the Breslow–Day test that the odds ratio is
  the same in every stratum (without Tarone's adjustment).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


# scipy.special, not scipy.stats: importing scipy.stats costs about 0.3 s, more than a whole
# comparison of a million codings; the tests check these against scipy.stats.


def chi2_sf(x: float, df: int) -> float:
    """Upper tail of the chi-square distribution."""
    from scipy.special import chdtrc

    return float(chdtrc(df, x))


def chi2_contingency(table: Sequence[Sequence[int]], correction: bool = True) -> tuple[float, float]:
    """(statistic, p) of Pearson's chi-square for an r × c table, with Yates' correction
    for 2 × 2 tables when ``correction`` (as ``scipy.stats.chi2_contingency``)."""
    import numpy as np

    observed = np.asarray(table, dtype=float)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    if dof == 1 and correction:
        diff = expected - observed
        observed = observed + np.minimum(0.5, np.abs(diff)) * np.sign(diff)
    statistic = float(((observed - expected) ** 2 / expected).sum())
    return statistic, chi2_sf(statistic, dof)


def fisher_exact(table: Sequence[Sequence[int]]) -> float:
    """Two-sided p of Fisher's exact test of a 2 × 2 table: the tables with these margins
    no more likely than the observed one (relative tolerance 1e-7, as scipy)."""
    from scipy.special import gammaln

    (a, b), (c, d) = table
    row1, row2, col1 = a + b, c + d, a + c
    n = row1 + row2

    def log_pmf(x: int) -> float:
        return float(
            gammaln(row1 + 1) - gammaln(x + 1) - gammaln(row1 - x + 1)
            + gammaln(row2 + 1) - gammaln(col1 - x + 1) - gammaln(row2 - col1 + x + 1)
            - (gammaln(n + 1) - gammaln(col1 + 1) - gammaln(n - col1 + 1))
        )  # fmt: skip

    observed = log_pmf(a)
    total = 0.0
    for x in range(max(0, col1 - row2), min(col1, row1) + 1):
        lp = log_pmf(x)
        if lp <= observed + math.log1p(1e-7):
            total += math.exp(lp)
    return min(1.0, total)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval of k successes out of n."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """(p1 − p2, low, high): the difference of two independent proportions with Newcombe's
    hybrid score interval."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


@dataclass(frozen=True)
class OddsRatio:
    value: float
    low: float
    high: float
    corrected: bool  # 0.5 added to every cell because one was empty


def odds_ratio(a: int, b: int, c: int, d: int, z: float = Z95) -> OddsRatio:
    """Odds ratio of the table [[a, b], [c, d]] (rows: the two groups; columns: with and
    without the code), i.e. (a/b) / (c/d), with its 95 % Woolf interval."""
    corrected = 0 in (a, b, c, d)
    if corrected:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5  # type: ignore[assignment]
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return OddsRatio(math.exp(log_or), math.exp(log_or - z * se), math.exp(log_or + z * se), corrected)


def chi_square(table: Sequence[Sequence[float]]) -> float:
    """Pearson's chi-square of an r × c table (no continuity correction)."""
    rows = [sum(r) for r in table]
    cols = [sum(col) for col in zip(*table)]
    n = sum(rows)
    total = 0.0
    for i, row in enumerate(table):
        for j, observed in enumerate(row):
            expected = rows[i] * cols[j] / n
            if expected:
                total += (observed - expected) ** 2 / expected
    return total


def cramers_v(table: Sequence[Sequence[float]]) -> float | None:
    """Bias-corrected Cramér's V (Bergsma 2013) of an r × c table; None when a corrected
    dimension leaves nothing to divide by."""
    r, c = len(table), len(table[0])
    n = sum(sum(row) for row in table)
    if n <= 1:
        return None
    phi2 = chi_square(table) / n
    phi2_corrected = max(0.0, phi2 - (r - 1) * (c - 1) / (n - 1))
    r_corrected = r - (r - 1) ** 2 / (n - 1)
    c_corrected = c - (c - 1) ** 2 / (n - 1)
    dimension = min(r_corrected - 1, c_corrected - 1)
    if dimension <= 0:
        return None
    return math.sqrt(phi2_corrected / dimension)


@dataclass(frozen=True)
class MantelHaenszel:
    statistic: float  # CMH chi-square, 1 df, continuity-corrected
    p: float
    odds_ratio: float  # pooled Mantel–Haenszel estimate
    low: float
    high: float
    breslow_day: float | None  # statistic, K − 1 df
    breslow_day_p: float | None
    strata: int  # strata that carried information


def mantel_haenszel(tables: Sequence[Sequence[Sequence[int]]], z: float = Z95) -> MantelHaenszel | None:
    """CMH over 2 × 2 tables [[a, b], [c, d]], one per stratum. Strata of fewer than two
    units, or where a row or column is empty, carry no information and are left out; None
    when none is left."""
    used = []
    for t in tables:
        (a, b), (c, d) = t
        n = a + b + c + d
        if n < 2 or 0 in (a + b, c + d, a + c, b + d):
            continue
        used.append((float(a), float(b), float(c), float(d), float(n)))
    if not used:
        return None
    sum_a = sum(a for a, *_ in used)
    expected = sum((a + b) * (a + c) / n for a, b, c, d, n in used)
    variance = sum((a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1)) for a, b, c, d, n in used)
    statistic = max(0.0, abs(sum_a - expected) - 0.5) ** 2 / variance if variance else 0.0
    p = chi2_sf(statistic, 1)
    r = sum(a * d / n for a, b, c, d, n in used)
    s = sum(b * c / n for a, b, c, d, n in used)
    if r == 0 or s == 0:
        pooled = math.inf if s == 0 and r > 0 else 0.0
        low, high = (0.0, math.inf)
    else:
        pooled = r / s
        # Robins, Breslow & Greenland (1986)
        pr = sum((a + d) / n * a * d / n for a, b, c, d, n in used)
        ps_qr = sum(((a + d) / n * b * c / n) + ((b + c) / n * a * d / n) for a, b, c, d, n in used)
        qs = sum((b + c) / n * b * c / n for a, b, c, d, n in used)
        se = math.sqrt(pr / (2 * r * r) + ps_qr / (2 * r * s) + qs / (2 * s * s))
        low, high = math.exp(math.log(pooled) - z * se), math.exp(math.log(pooled) + z * se)
    bd, bd_p = _breslow_day(used, pooled) if len(used) > 1 and 0 < pooled < math.inf else (None, None)
    return MantelHaenszel(statistic, p, pooled, low, high, bd, bd_p, len(used))


def _breslow_day(used: Sequence[tuple[float, float, float, float, float]], psi: float) -> tuple[float, float]:
    """Breslow–Day statistic: each stratum's a against the a its margins would give under the
    common odds ratio ``psi`` (the root of a quadratic inside the margins' bounds)."""
    total = 0.0
    for a, b, c, _d, n in used:
        m1, n1 = a + b, a + c  # first row and first column totals
        low, high = max(0.0, n1 + m1 - n), min(m1, n1)
        # psi = e (n - m1 - n1 + e) / ((m1 - e)(n1 - e)), solved for e
        qa = 1 - psi
        qb = (n - m1 - n1) + psi * (m1 + n1)
        qc = -psi * m1 * n1
        if abs(qa) < 1e-12:
            e = -qc / qb
        else:
            root = math.sqrt(qb * qb - 4 * qa * qc)
            candidates = [(-qb + root) / (2 * qa), (-qb - root) / (2 * qa)]
            e = next((x for x in candidates if low - 1e-9 <= x <= high + 1e-9), candidates[0])
        cells = (e, m1 - e, n1 - e, n - m1 - n1 + e)
        if min(cells) <= 0:
            continue
        variance = 1 / sum(1 / x for x in cells)
        total += (a - e) ** 2 / variance
    return total, chi2_sf(total, len(used) - 1)
