"""Theme comparison across organisations, projects or roles, and across study files.

For each code the unit is explicit — a document, a participant or a case (family); the
default is cases when the study has them — and the question is whether the code is present
in it. Units the counted coders did not code are left out and reported, never counted as
"without the code". Per code, a 2 × k table (with / without the code, by group) is tested:

- every group's proportion comes with its 95 % Wilson interval;
- groups under :data:`MIN_GROUP_UNITS` units are shown but not tested ("too few to test"):
  their tests have no power and their effect sizes are noise;
- two groups and any expected count below 5: Fisher's exact test; otherwise chi-square with
  Yates' correction. Both with the difference of the proportions (first group minus second,
  Newcombe's interval), the odds ratio of the first group against the second (Woolf interval,
  0.5 added to every cell when one is empty) and phi;
- more groups: chi-square, with a permutation p when an expected count is below 5 (exact
  over the tables with these margins — a multivariate hypergeometric distribution — when they
  are at most :data:`EXACT_LIMIT`, else 9,999 drawn tables with a fixed seed), and Cramér's V
  with Bergsma's bias correction;
- ``stratify``: two groups compared within each stratum (say role), Cochran–Mantel–Haenszel
  over the 2 × 2 × K tables with the pooled odds ratio, and Breslow–Day saying whether the
  odds ratio is the same in every stratum.

q-values are Benjamini–Hochberg over the family of codes tested in one comparison (stated in
the notes). Sentences are in English, figures as a researcher would quote them, all through
:mod:`qualcode.analysis.formatting`.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.analysis import formatting as fmt
from qualcode.analysis.matrices import check_grouping
from qualcode.analysis.statistics import cramers_v, mantel_haenszel, newcombe, odds_ratio, wilson
from qualcode.analysis.units import PLURAL, plural, unit_frame
from qualcode.core.errors import QualcodeError
from qualcode.core.scope import Scope
from qualcode.store import analysis as sql

if TYPE_CHECKING:
    from qualcode.study.study import Study

MIN_GROUP_UNITS = 5
MIN_GROUP_DOCUMENTS = MIN_GROUP_UNITS  # the name older callers used
ALPHA = 0.05
PERMUTATIONS = 9_999
SEED = 20240601
EXACT_LIMIT = 200_000
TOO_FEW = "too few to test"


@dataclass
class GroupPresence:
    group: str
    with_code: int
    units: int

    @property
    def documents(self) -> int:  # the unit was always the document before units were explicit
        return self.units

    @property
    def share(self) -> float:
        return self.with_code / self.units if self.units else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.with_code, self.units)


@dataclass
class CodeComparison:
    code_id: int
    code: str
    groups: list[GroupPresence]
    test: str = "none"
    statistic: float | None = None
    p: float | None = None
    q: float | None = None
    cramers_v: float | None = None
    phi: float | None = None
    odds_ratio: float | None = None
    standout: str | None = None  # the group where the code is most over-represented
    unit: str = "document"
    tested: list[str] = field(default_factory=list)  # the groups in the test
    difference: float | None = None  # first tested group's share minus the second's
    difference_low: float | None = None
    difference_high: float | None = None
    odds_ratio_low: float | None = None
    odds_ratio_high: float | None = None
    odds_ratio_corrected: bool = False
    breslow_day_p: float | None = None
    strata: int | None = None

    @property
    def significant(self) -> bool:
        return self.q is not None and self.q < ALPHA

    @property
    def contrast(self) -> str | None:
        """Which group against which, for the difference and the odds ratio."""
        return f"{self.tested[0]} against {self.tested[1]}" if len(self.tested) == 2 else None

    def sentence(self) -> str:
        """One sentence a researcher can quote."""
        parts = []
        for g in self.groups:
            low, high = g.interval
            parts.append(
                f"{g.with_code} of {g.units} in {g.group} ({fmt.percent(g.with_code, g.units)}, "
                f"95 % CI {fmt.share(low)}–{fmt.share(high)})"
            )
        text = f"{self.code}: in {', '.join(parts)} of the {PLURAL[self.unit]}"
        if self.test == TOO_FEW:
            return f"{text}; {TOO_FEW} (a test needs two groups of at least {MIN_GROUP_UNITS} {PLURAL[self.unit]})."
        if self.p is None:
            return text + f"; not tested (the code is in every {self.unit} or in none)."
        figures = f"{self.test}, {fmt.p_phrase('p', self.p)}, {fmt.p_phrase('q', self.q)}"
        if self.difference is not None:
            figures += (
                f", difference {self.contrast} {fmt.number(100 * self.difference, 0)} points "
                f"{fmt.interval(self.difference_low, self.difference_high, 0, as_percent=True)}"
            )
        if self.odds_ratio is not None:
            figures += (
                f", odds ratio {self.contrast} {fmt.number(self.odds_ratio)} "
                f"{fmt.interval(self.odds_ratio_low, self.odds_ratio_high)}"
            )
            if self.odds_ratio_corrected:
                figures += " (0.5 added to every cell: one was empty)"
        if self.breslow_day_p is not None:
            alike = "alike" if self.breslow_day_p >= ALPHA else "not alike: the pooled odds ratio hides that"
            figures += f", odds ratios across the {self.strata} strata {alike} (Breslow–Day {fmt.p_phrase('p', self.breslow_day_p)})"
        if self.cramers_v is not None:
            figures += f", bias-corrected {fmt.effect('V', self.cramers_v)}"
        elif self.phi is not None:
            figures += f", {fmt.effect('phi', self.phi)}"
        if self.significant and self.standout:
            return f"{text}; stands out in {self.standout} ({figures})."
        return f"{text}; no clear difference between the groups ({figures})."

    def as_row(self) -> dict[str, Any]:
        """Full precision, for JSON, CSV and XLSX."""
        row: dict[str, Any] = {"code": self.code, "unit": self.unit}
        for g in self.groups:
            low, high = g.interval
            row[g.group] = f"{g.with_code}/{g.units}"
            row[f"{g.group} %"] = 100 * g.share if g.units else None
            row[f"{g.group} low"] = 100 * low if g.units else None
            row[f"{g.group} high"] = 100 * high if g.units else None
        row.update(
            test=self.test,
            statistic=self.statistic,
            p=self.p,
            q=self.q,
            contrast=self.contrast,
            difference=None if self.difference is None else 100 * self.difference,
            difference_low=None if self.difference_low is None else 100 * self.difference_low,
            difference_high=None if self.difference_high is None else 100 * self.difference_high,
            odds_ratio=self.odds_ratio,
            odds_ratio_low=self.odds_ratio_low,
            odds_ratio_high=self.odds_ratio_high,
            haldane=self.odds_ratio_corrected,
            breslow_day_p=self.breslow_day_p,
            phi=self.phi,
            cramers_v=self.cramers_v,
            effect=_effect(self),
            standout=self.standout if self.significant else None,
        )
        return row

    def display_row(self) -> dict[str, Any]:
        """Rounded through the formatter, for the terminal table."""
        row: dict[str, Any] = {"code": self.code}
        for g in self.groups:
            low, high = g.interval
            row[g.group] = (
                f"{g.with_code}/{g.units} {fmt.percent(g.with_code, g.units)} [{fmt.share(low)}–{fmt.share(high)}]"
            )
        diff = None
        if self.difference is not None:
            diff = f"{fmt.number(100 * self.difference, 0)} {fmt.interval(self.difference_low, self.difference_high, 0, as_percent=True)}"
        ratio = None
        if self.odds_ratio is not None:
            ratio = f"{fmt.number(self.odds_ratio)} {fmt.interval(self.odds_ratio_low, self.odds_ratio_high)}"
            ratio += "*" if self.odds_ratio_corrected else ""
        row.update(
            test=self.test,
            p=None if self.p is None else fmt.p_value(self.p),
            q=None if self.q is None else fmt.p_value(self.q),
            difference=diff,
            odds_ratio=ratio,
            effect=_effect(self),
            standout=self.standout if self.significant else None,
        )
        return row


@dataclass
class Comparison:
    by: str
    groups: list[tuple[str, int]]  # (group, units)
    codes: list[CodeComparison] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unit: str = "document"
    coders: list[str] = field(default_factory=list)
    stratify: str | None = None
    family: str = ""

    def columns(self) -> list[str]:
        cols = ["code", "unit"]
        for g, _ in self.groups:
            cols += [g, f"{g} %", f"{g} low", f"{g} high"]
        return cols + [
            "test",
            "statistic",
            "p",
            "q",
            "contrast",
            "difference",
            "difference_low",
            "difference_high",
            "odds_ratio",
            "odds_ratio_low",
            "odds_ratio_high",
            "haldane",
            "breslow_day_p",
            "phi",
            "cramers_v",
            "effect",
            "standout",
        ]

    def display_columns(self) -> list[str]:
        return [
            "code",
            *[g for g, _ in self.groups],
            "test",
            "p",
            "q",
            "difference",
            "odds_ratio",
            "effect",
            "standout",
        ]

    def rows(self, only_significant: bool = False) -> list[dict[str, Any]]:
        return [c.as_row() for c in self.codes if c.significant or not only_significant]

    def display_rows(self, only_significant: bool = False) -> list[dict[str, Any]]:
        return [c.display_row() for c in self.codes if c.significant or not only_significant]

    def sentences(self, only_significant: bool = False) -> list[str]:
        chosen = [c for c in self.codes if c.significant or not only_significant]
        return [c.sentence() for c in sorted(chosen, key=lambda c: (c.q is None, c.q or 1.0, c.code))]

    @property
    def notes(self) -> list[str]:
        return [*self.warnings, self.family] if self.family else list(self.warnings)

    def as_json(self, only_significant: bool = False) -> dict[str, Any]:
        return {
            "by": self.by,
            "unit": self.unit,
            "coders": self.coders,
            "stratify": self.stratify,
            "groups": [{"group": g, "units": n} for g, n in self.groups],
            "family": self.family,
            "notes": self.notes,
            "rows": self.rows(only_significant),
        }


def compare_groups(
    study: Study,
    by: str = "organisation",
    scope: Scope | None = None,
    *,
    rollup: bool = True,
    include_uncoded: bool = False,
    unit: str | None = None,
    stratify: str | None = None,
) -> Comparison:
    """Compare, code by code, in how many units of each group the code is present."""
    import numpy as np

    check_grouping(study, by)
    if stratify is not None:
        check_grouping(study, stratify)
        if stratify == by:
            raise QualcodeError(f"--stratify {stratify} is what is compared; stratify by something else")
    scope = scope or Scope()
    frame = unit_frame(study, scope, unit, by)
    strata: dict[int, str] = {}
    if stratify:
        strata = {r["id"]: r["grp"] for r in sql.document_frame(study.store, scope, stratify)}

    # a unit-in-group (and stratum) is one observation
    def cell(doc: int) -> tuple[str, str, str]:
        return (frame.document_group[doc], strata.get(doc, ""), frame.document_unit[doc])

    observations = sorted({cell(doc) for doc in frame.documents})
    group_names = sorted({g for g, _, _ in observations})
    strata_names = sorted({s for _, s, _ in observations})
    sizes = {g: sum(1 for o in observations if o[0] == g) for g in group_names}
    result = Comparison(by, [(g, sizes[g]) for g in group_names], unit=frame.unit, coders=frame.coders)
    result.stratify = stratify
    result.warnings.extend(frame.notes())
    split = _units_in_several_groups(frame)
    if split:
        result.warnings.append(
            f"The tests treat the groups as independent, but {split} {plural(frame.unit, split)} "
            f"{'is' if split == 1 else 'are'} in more than one {by}: read those p-values as approximate"
            + (
                "; `qualcode panel` compares the same families across waves, paired."
                if by == "wave" and frame.unit == "case"
                else "."
            )
        )
    if len(group_names) < 2:
        raise QualcodeError(
            f"only one {by} in the selection, so nothing to compare; widen the filters or group by something else"
        )
    small = [g for g in group_names if sizes[g] < MIN_GROUP_UNITS]
    for g in small:
        result.warnings.append(
            f"{g} has {sizes[g]} {plural(frame.unit, sizes[g])}: fewer than {MIN_GROUP_UNITS}, so it is shown "
            "with its interval but not tested."
        )
    with_code, units_by_stratum = _presence_counts(
        study, scope, rollup, frame.document_unit, cell, observations, group_names, strata_names
    )
    codes = [c for c in study.codes() if include_uncoded or c.id in with_code]
    for code in codes:
        counts = with_code.get(code.id)
        groups = [
            GroupPresence(g, int(counts[i].sum()) if counts is not None else 0, sizes[g])
            for i, g in enumerate(group_names)
        ]
        comparison = CodeComparison(code.id, code.path, groups, unit=frame.unit)
        if stratify:
            present = counts if counts is not None else np.zeros_like(units_by_stratum)
            _stratified_test(comparison, group_names, present, units_by_stratum)
        else:
            run_presence_test(comparison)
        result.codes.append(comparison)
    apply_bh(result.codes)
    tested = sum(1 for c in result.codes if c.p is not None)
    result.family = (
        f"q-values: Benjamini–Hochberg over the {tested} code{'s' if tested != 1 else ''} tested in this comparison "
        f"(by {by}, {frame.unit} as the unit{', sub-codes rolled up into their parents' if rollup else ''})."
    )
    if any(c.test.startswith("Fisher") or "permutation" in c.test for c in result.codes):
        result.warnings.append(
            "Some expected counts are below 5; those codes were tested exactly (Fisher) or by permutation."
        )
    return result


def _units_in_several_groups(frame: Any) -> int:
    """How many units (a case with a parent's and a coach's interview, by role; a family at
    two waves, by wave) fall in more than one group, and so count in each."""
    groups: dict[str, set[str]] = {}
    for doc, key in frame.document_unit.items():
        groups.setdefault(key, set()).add(frame.document_group[doc])
    return sum(1 for g in groups.values() if len(g) > 1)


def run_presence_test(comparison: CodeComparison, minimum: int = MIN_GROUP_UNITS) -> None:
    """Fill in the test, statistic, p-value, intervals, effect sizes and standout group of
    one code, over the groups of at least ``minimum`` units."""
    import numpy as np  # numpy and scipy come with scikit-learn

    from qualcode.analysis.statistics import chi2_contingency, fisher_exact

    groups = [g for g in comparison.groups if g.units >= minimum]
    comparison.tested = [g.group for g in groups]
    if len(groups) < 2:
        comparison.test = TOO_FEW
        return
    present = np.array([g.with_code for g in groups], dtype=np.int64)
    totals = np.array([g.units for g in groups], dtype=np.int64)
    table = np.vstack([present, totals - present])
    if table[0].sum() == 0 or table[1].sum() == 0:
        return  # the code is in every unit or in none: nothing to test
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    small = bool((expected < 5).any())
    if len(groups) == 2:
        k1, k2 = int(present[0]), int(present[1])
        n1, n2 = int(totals[0]), int(totals[1])
        ratio = odds_ratio(k1, n1 - k1, k2, n2 - k2)
        comparison.odds_ratio, comparison.odds_ratio_low, comparison.odds_ratio_high = (
            ratio.value,
            ratio.low,
            ratio.high,
        )
        comparison.odds_ratio_corrected = ratio.corrected
        comparison.difference, comparison.difference_low, comparison.difference_high = newcombe(k1, n1, k2, n2)
        uncorrected, _ = chi2_contingency(table.tolist(), correction=False)
        comparison.phi = math.sqrt(uncorrected / n)
        if small:
            comparison.test, comparison.statistic = "Fisher's exact test", None
            comparison.p = fisher_exact(table.tolist())
        else:
            comparison.test = "chi-square"
            comparison.statistic, comparison.p = chi2_contingency(table.tolist(), correction=True)
    else:
        statistic, p = chi2_contingency(table.tolist(), correction=False)
        comparison.statistic = statistic
        comparison.cramers_v = cramers_v(table.tolist())
        if small:
            comparison.test, comparison.p = "chi-square, permutation p", permutation_p(present, totals)
        else:
            comparison.test, comparison.p = "chi-square", p
    # Adjusted standardised residuals of the "with code" row: the group furthest above
    # what equal shares would give is where the code stands out.
    row_share = table.sum(axis=1) / n
    col_share = table.sum(axis=0) / n
    residual = (table[0] - expected[0]) / np.sqrt(expected[0] * (1 - row_share[0]) * (1 - col_share))
    best = int(np.argmax(residual))
    comparison.standout = groups[best].group if residual[best] > 0 else None


def _presence_counts(
    study: Study,
    scope: Scope,
    rollup: bool,
    kept: dict[int, str],
    cell: Any,
    observations: list[tuple[str, str, str]],
    group_names: list[str],
    strata_names: list[str],
) -> tuple[dict[int, Any], Any]:
    """Per code: a groups × strata array of observations with the code; and the groups ×
    strata array of all observations. Counted with numpy over the (code, document) pairs:
    tens of thousands of them at a million codings."""
    import numpy as np

    from qualcode.analysis import derived
    from qualcode.analysis.spans import Spans

    found = derived.columns(study, scope, rollup=rollup)
    if found is not None:
        code, document = found[0], found[1]
    else:
        columns = sql.code_document_columns(study.store, scope)
        code, document = (
            np.fromstring(t, dtype=np.int64, sep=",") if t else np.zeros(0, dtype=np.int64) for t in columns
        )
        if rollup and len(code):
            zeros = np.zeros(len(code), dtype=np.int64)
            spans = Spans(document, code, zeros, zeros, zeros).rolled_up(study.codes())
            code, document = spans.code, spans.document
    n_groups, n_strata = len(group_names), len(strata_names)
    index = {o: i for i, o in enumerate(observations)}
    group_of = np.array([group_names.index(o[0]) for o in observations], dtype=np.int64)
    stratum_of = np.array([strata_names.index(o[1]) for o in observations], dtype=np.int64)
    top = max(max(kept, default=0), int(document.max()) if len(document) else 0) + 1
    doc_obs = np.full(top, -1, dtype=np.int64)
    for doc in kept:
        doc_obs[doc] = index[cell(doc)]
    obs = doc_obs[document] if len(document) else np.zeros(0, dtype=np.int64)
    keep = obs >= 0
    pairs = np.unique(code[keep] * len(observations) + obs[keep])
    pair_code, pair_obs = np.divmod(pairs, len(observations))
    slot = group_of[pair_obs] * n_strata + stratum_of[pair_obs]
    ids, inverse = np.unique(pair_code, return_inverse=True)
    counts = np.bincount(inverse * n_groups * n_strata + slot, minlength=len(ids) * n_groups * n_strata)
    counts = counts.reshape(len(ids), n_groups, n_strata)
    totals = np.bincount(group_of * n_strata + stratum_of, minlength=n_groups * n_strata).reshape(n_groups, n_strata)
    return {int(i): counts[n] for n, i in enumerate(ids.tolist())}, totals


def _stratified_test(comparison: CodeComparison, group_names: list[str], present: Any, units: Any) -> None:
    """Cochran–Mantel–Haenszel of the two tested groups within each stratum (``present``
    and ``units``: groups × strata counts)."""
    groups = [g for g in comparison.groups if g.units >= MIN_GROUP_UNITS]
    comparison.tested = [g.group for g in groups]
    if len(groups) < 2:
        comparison.test = TOO_FEW
        return
    if len(groups) > 2:
        raise QualcodeError(
            "--stratify compares two groups (Cochran–Mantel–Haenszel over 2 × 2 tables); "
            f"narrow the filters to two of: {', '.join(g.group for g in groups)}"
        )
    first, second = (group_names.index(g) for g in comparison.tested)
    tables = [
        [
            [int(present[first, s]), int(units[first, s] - present[first, s])],
            [int(present[second, s]), int(units[second, s] - present[second, s])],
        ]
        for s in range(units.shape[1])
    ]
    result = mantel_haenszel(tables)
    if result is None:
        return  # no stratum holds both groups with and without the code
    comparison.test = "Cochran–Mantel–Haenszel"
    comparison.statistic, comparison.p, comparison.strata = result.statistic, result.p, result.strata
    comparison.odds_ratio, comparison.odds_ratio_low, comparison.odds_ratio_high = (
        result.odds_ratio,
        result.low,
        result.high,
    )
    comparison.breslow_day_p = result.breslow_day_p
    if result.odds_ratio != 1.0:
        comparison.standout = comparison.tested[0] if result.odds_ratio > 1 else comparison.tested[1]


def permutation_p(present: Any, totals: Any) -> float:
    """The permutation p-value of the chi-square statistic of a 2 × k presence table (see the
    module docstring): exact when the tables with these margins are few, else Monte Carlo."""
    import numpy as np
    from scipy.special import gammaln

    present = np.asarray(present, dtype=np.int64)
    totals = np.asarray(totals, dtype=np.int64)
    n, with_code = int(totals.sum()), int(present.sum())
    expected_with = with_code * totals / n
    expected_without = (n - with_code) * totals / n

    def chi2(counts: Any) -> Any:  # counts: (..., k) tables' "with code" rows
        return (((counts - expected_with) ** 2) / expected_with).sum(-1) + (
            ((totals - counts - expected_without) ** 2) / expected_without
        ).sum(-1)

    observed = chi2(present) * (1 - 1e-9)  # ties with the observed table count as extreme
    tables = _tables_with_margins(totals, with_code, EXACT_LIMIT)
    if tables is not None:
        log_choose = gammaln(totals + 1) - gammaln(tables + 1) - gammaln(totals - tables + 1)
        log_all = gammaln(n + 1) - gammaln(with_code + 1) - gammaln(n - with_code + 1)
        weights = np.exp(log_choose.sum(-1) - log_all)
        return float(min(1.0, weights[chi2(tables) >= observed].sum()))
    draws = np.random.default_rng(SEED).multivariate_hypergeometric(totals, with_code, size=PERMUTATIONS)
    return float((1 + int((chi2(draws) >= observed).sum())) / (PERMUTATIONS + 1))


def _tables_with_margins(totals: Any, with_code: int, limit: int) -> Any:
    """Every "with code" row (a_1..a_k, 0 ≤ a_j ≤ n_j, summing to ``with_code``), or None when
    there would be more than ``limit``."""
    import numpy as np

    rows = np.zeros((1, 0), dtype=np.int64)
    sums = np.zeros(1, dtype=np.int64)
    remaining = int(totals.sum())
    for size in totals.tolist():
        remaining -= size
        choices = np.arange(size + 1)
        new_sums = (sums[:, None] + choices[None, :]).ravel()
        keep = (new_sums <= with_code) & (new_sums + remaining >= with_code)
        if keep.sum() > limit:
            return None
        rows = np.hstack([np.repeat(rows, size + 1, axis=0), np.tile(choices, len(sums))[:, None]])[keep]
        sums = new_sums[keep]
    return rows


def apply_bh(codes: list[CodeComparison]) -> None:
    """Benjamini–Hochberg q-values over the codes that were tested."""
    tested = [c for c in codes if c.p is not None]
    m = len(tested)
    ordered = sorted(tested, key=lambda c: c.p)  # type: ignore[arg-type,return-value]
    running = 1.0
    for rank in range(m, 0, -1):
        item = ordered[rank - 1]
        running = min(running, item.p * m / rank)  # type: ignore[operator]
        item.q = min(running, 1.0)


def _effect(c: CodeComparison) -> str | None:
    if c.cramers_v is not None:
        return fmt.effect("V", c.cramers_v)
    if c.phi is not None:
        return fmt.effect("phi", c.phi)
    return None


# -- across study files ----------------------------------------------------------------------


@dataclass
class StudyComparison:
    """Code frequencies of several studies side by side, codes matched by path; per study the
    unit counted (documents, participants or cases with their roles and waves) and, asked
    for, the outcome variables per wave."""

    studies: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    unit: str = "document"
    designs: list[str] = field(default_factory=list)  # per study: units, roles, waves
    variable_rows: list[dict[str, Any]] = field(default_factory=list)

    def columns(self) -> list[str]:
        units = PLURAL[self.unit]
        cols = ["code"]
        for name in self.studies:
            cols += [f"{name}: {units}", f"{name}: %", f"{name}: codings", f"{name}: passages"]
        return cols + [f"all: {units}", "all: codings", "all: passages"]

    def variable_columns(self) -> list[str]:
        cols = ["variable", "wave"]
        for name in self.studies:
            cols += [f"{name}: n", f"{name}: mean", f"{name}: median"]
        return cols

    @property
    def notes(self) -> list[str]:
        return [*self.designs, *self.differences]


def compare_studies(
    paths: list[Path | str], scope: Scope | None = None, *, rollup: bool = True, unit: str | None = None
) -> StudyComparison:
    """Aggregate code frequencies over studies kept in separate files (one per organisation,
    say) and list codes that one has and another lacks. ``unit``: what a study's "7 of 9"
    counts — documents, participants or cases (the default when every study has cases);
    ``%`` is of the units the counted coders coded in each study. Each study's cases come
    along with their documents' roles and waves (in the notes), and its outcome variables
    per wave (``variable_rows``)."""
    from qualcode.analysis.frequencies import code_frequencies
    from qualcode.analysis.units import UNITS
    from qualcode.study.study import Study

    if len(paths) < 2:
        raise QualcodeError("give two or more study files to compare")
    if unit is not None and unit not in UNITS:
        raise QualcodeError(f"unknown unit “{unit}”; use one of: {', '.join(UNITS)}")
    names: list[str] = []
    tables: list[dict[str, Any]] = []
    order: list[str] = []
    designs: list[str] = []
    variables: list[dict[tuple[str, str], list[float]]] = []
    opened: list[tuple[Path | str, bool]] = []
    for path in paths:
        with Study.open(path) as study:
            opened.append((path, study.has_cases()))
    if unit is None:
        unit = "case" if all(has for _, has in opened) else "document"
    elif unit == "case":
        lacking = [Path(p).name for p, has in opened if not has]
        if lacking:
            raise QualcodeError(
                f"{', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no cases, so cases cannot be "
                "counted across these files; use --unit document (or participant), or assign cases first"
            )
    for path in paths:
        with Study.open(path) as study:
            name = study.name
            if name in names:
                name = f"{name} ({Path(path).name})"
            names.append(name)
            freqs = code_frequencies(study, scope, words=False, rollup=rollup, unit=unit)
            units = len(freqs.frame.units())
            tables.append({"units": units, "codes": {f.code.casefold(): f for f in freqs}})
            docs = {r["document_id"]: r for r in study.document_units()}
            designs.append(_design(name, freqs.frame, docs))
            variables.append(_variables(study, freqs.frame, docs))
            for f in freqs:
                if f.code.casefold() not in {o.casefold() for o in order}:
                    order.append(f.code)
    result = StudyComparison(names, unit=unit, designs=designs)
    plural_units = PLURAL[unit]
    for path in order:
        key = path.casefold()
        row: dict[str, Any] = {"code": path}
        all_units = all_codings = all_passages = 0
        for name, table in zip(names, tables):
            f = table["codes"].get(key)
            row[f"{name}: {plural_units}"] = None if f is None else f.units
            row[f"{name}: %"] = None if f is None else f.units_pct
            row[f"{name}: codings"] = None if f is None else f.codings
            row[f"{name}: passages"] = None if f is None else f.passages
            if f is not None:
                all_units += f.units
                all_codings += f.codings
                all_passages += f.passages
        row[f"all: {plural_units}"], row["all: codings"], row["all: passages"] = all_units, all_codings, all_passages
        result.rows.append(row)
        missing = [n for n, t in zip(names, tables) if key not in t["codes"]]
        uncoded = [n for n, t in zip(names, tables) if key in t["codes"] and t["codes"][key].codings == 0]
        coded = [n for n, t in zip(names, tables) if key in t["codes"] and t["codes"][key].codings > 0]
        if missing:
            result.differences.append(f"{path}: not in the codebook of {_and(missing)}.")
        if uncoded and coded:
            result.differences.append(f"{path}: coded in {_and(coded)}, never in {_and(uncoded)}.")
    from qualcode.study.cases import sort_waves

    for variable in sorted({k[0] for v in variables for k in v}):
        waves = sort_waves({k[1] for v in variables for k in v if k[0] == variable})
        for wave in waves:
            vrow: dict[str, Any] = {"variable": variable, "wave": wave}
            for name, values in zip(names, variables):
                found = values.get((variable, wave), [])
                vrow[f"{name}: n"] = len(found)
                # rounded past binary noise: scores have a few decimals, (4.1 + 4.3) / 2 is 4.2
                vrow[f"{name}: mean"] = round(statistics.fmean(found), 10) if found else None
                vrow[f"{name}: median"] = round(statistics.median(found), 10) if found else None
            result.variable_rows.append(vrow)
    return result


def _design(name: str, frame: Any, docs: dict[int, Any]) -> str:
    """One line on what a study's units are: "Leergeld: 9 cases (19 coded documents: ouder 9,
    kind 5, coach 5; wave 1: 9 cases, wave 2: 3 cases)"."""
    from collections import Counter

    from qualcode.study.cases import sort_waves

    kept = frame.document_unit
    roles = Counter(docs[d]["role"] or "(no role)" for d in kept)
    units = len(frame.units())
    text = f"{name}: {units} {plural(frame.unit, units)} ({len(kept)} coded {plural('document', len(kept))}"
    text += ": " + ", ".join(f"{r} {n}" for r, n in sorted(roles.items(), key=lambda x: (-x[1], x[0])))
    by_wave: dict[str, set[str]] = {}
    for d, key in kept.items():
        if docs[d]["wave"] is not None:
            by_wave.setdefault(docs[d]["wave"], set()).add(key)
    if by_wave:
        text += "; " + ", ".join(
            f"wave {w}: {len(by_wave[w])} {plural(frame.unit, len(by_wave[w]))}" for w in sort_waves(set(by_wave))
        )
    return text + ")."


def _variables(study: Study, frame: Any, docs: dict[int, Any]) -> dict[tuple[str, str], list[float]]:
    """The numeric outcome variables of the cases whose documents are counted, per
    (variable, wave)."""
    counted = {docs[d]["case_name"] for d in frame.document_unit if docs[d]["case_name"] is not None}
    out: dict[tuple[str, str], list[float]] = {}
    numeric = {n for n, is_numeric in study.variable_names() if is_numeric}
    for v in study.variables():
        if v["name"] in numeric and v["case"] in counted:
            out.setdefault((v["name"], v["wave"]), []).append(float(v["value"]))
    return out


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
