"""The comparison's statistics against statsmodels and scipy, and the formatter."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.analysis import formatting as fmt
from qualcode.analysis.statistics import cramers_v, mantel_haenszel, newcombe, odds_ratio, wilson


@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
@settings(max_examples=60, deadline=None)
def test_wilson_matches_statsmodels(kn: tuple[int, int]) -> None:
    from statsmodels.stats.proportion import proportion_confint

    k, n = kn
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert wilson(k, n) == pytest.approx((low, high), abs=1e-12)


@pytest.mark.parametrize("k1,n1,k2,n2", [(3, 24, 9, 24), (0, 4, 4, 4), (5, 7, 1, 12), (10, 10, 0, 3), (17, 40, 11, 38)])
def test_newcombe_matches_statsmodels(k1: int, n1: int, k2: int, n2: int) -> None:
    from statsmodels.stats.proportion import confint_proportions_2indep

    d, low, high = newcombe(k1, n1, k2, n2)
    expected = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
    assert d == pytest.approx(k1 / n1 - k2 / n2)
    assert (low, high) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("cells", [(3, 21, 9, 15), (0, 4, 4, 0), (5, 2, 1, 11), (7, 0, 3, 3), (12, 30, 20, 25)])
def test_odds_ratio_matches_statsmodels_with_haldane(cells: tuple[int, int, int, int]) -> None:
    from statsmodels.stats.contingency_tables import Table2x2

    a, b, c, d = cells
    # Haldane–Anscombe adds 0.5 to every cell (statsmodels' shift_zeros only to the empty
    # ones), so the corrected table goes in as such
    shift = 0.5 if 0 in cells else 0.0
    table = Table2x2(np.array([[a, b], [c, d]], dtype=float) + shift, shift_zeros=False)
    result = odds_ratio(a, b, c, d)
    assert result.value == pytest.approx(table.oddsratio)
    assert (result.low, result.high) == pytest.approx(table.oddsratio_confint(alpha=0.05), rel=1e-9)
    assert result.corrected == (0 in cells)
    assert 0 < result.value < math.inf


def test_cramers_v_bias_correction_by_hand_and_against_scipy() -> None:
    from scipy.stats import chi2_contingency
    from scipy.stats.contingency import association

    table = [[12, 5, 9], [8, 15, 4]]
    n, r, c = 53, 2, 3
    chi2 = chi2_contingency(np.array(table), correction=False).statistic
    phi2 = chi2 / n
    by_hand = math.sqrt(
        max(0.0, phi2 - (r - 1) * (c - 1) / (n - 1))
        / min(r - (r - 1) ** 2 / (n - 1) - 1, c - (c - 1) ** 2 / (n - 1) - 1)
    )
    assert cramers_v(table) == pytest.approx(by_hand)
    # the correction only ever lowers V, and vanishes as n grows
    plain = association(np.array(table), method="cramer", correction=False)
    assert cramers_v(table) < plain
    big = [[x * 1000 for x in row] for row in table]
    assert cramers_v(big) == pytest.approx(association(np.array(big), method="cramer", correction=False), abs=1e-3)


def test_cramers_v_is_near_zero_under_the_null_for_small_groups() -> None:
    """Plain V of groups under 5 documents averages about 0.5 when nothing differs; the
    corrected V stays near 0 (the issue's complaint)."""
    from scipy.stats.contingency import association

    rng = np.random.default_rng(1)
    plain, corrected = [], []
    for _ in range(300):
        present = rng.binomial(4, 0.5, size=3)
        table = np.vstack([present, 4 - present])
        if (table.sum(axis=1) == 0).any():
            continue
        plain.append(association(table, method="cramer", correction=False))
        corrected.append(cramers_v(table.tolist()) or 0.0)
    assert np.mean(plain) > 0.3
    assert np.mean(corrected) < np.mean(plain) / 2


def test_mantel_haenszel_and_breslow_day_match_statsmodels() -> None:
    from statsmodels.stats.contingency_tables import StratifiedTable

    tables = [[[5, 3], [2, 6]], [[4, 4], [1, 7]], [[9, 2], [6, 5]], [[2, 5], [1, 8]]]
    ours = mantel_haenszel(tables)
    theirs = StratifiedTable([np.array(t, dtype=float) for t in tables])
    null = theirs.test_null_odds(correction=True)
    assert ours is not None
    assert ours.statistic == pytest.approx(null.statistic)
    assert ours.p == pytest.approx(null.pvalue)
    assert ours.odds_ratio == pytest.approx(theirs.oddsratio_pooled)
    assert (ours.low, ours.high) == pytest.approx(theirs.oddsratio_pooled_confint(alpha=0.05))
    equal = theirs.test_equal_odds(adjust=False)
    assert ours.breslow_day == pytest.approx(equal.statistic)
    assert ours.breslow_day_p == pytest.approx(equal.pvalue)


def test_mantel_haenszel_leaves_out_strata_without_information() -> None:
    ours = mantel_haenszel([[[5, 3], [2, 6]], [[4, 0], [3, 0]], [[9, 2], [6, 5]]])
    assert ours is not None and ours.strata == 2


def test_formatter() -> None:
    assert fmt.percent(3, 24) == "13 %" and fmt.percent(9, 24) == "38 %"
    assert fmt.percent(1, 8, 1) == "12.5 %" and fmt.percent(1, 16, 1) == "6.3 %"
    assert fmt.p_phrase("p", 0.0004) == "p < 0.001"
    assert fmt.p_phrase("q", 0.0125) == "q = 0.013"
    assert fmt.p_value(1.5e-05) == "< 0.001"
    assert fmt.number(math.inf) == "∞" and fmt.number(0.125) == "0.13"
    assert fmt.effect("V", 0.2349) == "V = 0.23"
    assert fmt.interval(0.05, 0.4, 0, as_percent=True) == "[5 %, 40 %]"


@given(st.lists(st.integers(0, 30), min_size=4, max_size=4))
@settings(max_examples=80, deadline=None)
def test_chi_square_and_fisher_match_scipy(cells: list[int]) -> None:
    from scipy import stats

    from qualcode.analysis.statistics import chi2_contingency, fisher_exact

    a, b, c, d = cells
    table = [[a, b], [c, d]]
    if 0 in (a + b, c + d, a + c, b + d):
        return
    assert fisher_exact(table) == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9, abs=1e-12)
    for correction in (True, False):
        expected = stats.chi2_contingency(np.array(table), correction=correction)
        assert chi2_contingency(table, correction) == pytest.approx((expected.statistic, expected.pvalue), abs=1e-12)
    wide = [[a, b, c + 1], [d + 1, a + 1, b]]  # no empty column
    expected = stats.chi2_contingency(np.array(wide))
    assert chi2_contingency(wide) == pytest.approx((expected.statistic, expected.pvalue), abs=1e-12)
