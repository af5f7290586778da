"""The panel: per case (family), which codes are present at each wave and how each outcome
variable changed, with a summary over cases.

A code is *present* in a case at a wave when at least one coding of it (or, rolled up, of a
sub-code) by the counted coders lies in a document of that case at that wave. A case without
documents at a wave is *not measured* there (``None``), which is not the same as "absent":
gained and lost are only said of cases with documents at both waves compared.

Changes compare two waves, ``first`` and ``last`` (by default the study's first and last):
a variable's change is its value at ``last`` minus its value at ``first``, for a case measured
at both. The summary tests the mean change with a paired Wilcoxon signed-rank test (scipy:
exact for up to 50 pairs without ties, exhaustive permutations for up to 13 with ties, a
normal approximation beyond) and gives its effect size, the matched-pairs rank-biserial
correlation. Fewer than :data:`MIN_PAIRS` pairs are described, not tested.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import QualcodeError
from qualcode.store import cases as casesql

if TYPE_CHECKING:
    from qualcode.study.study import Study

MIN_PAIRS = 5
TOO_FEW = "too few pairs to test"


@dataclass
class CaseRow:
    """One case in the panel."""

    case: str
    case_id: int
    measured: list[str]  # the waves at which the case has documents
    codes: dict[str, set[int]]  # wave -> codes present (only waves in ``measured``)
    values: dict[str, dict[str, Any]]  # variable -> wave -> value
    gained: set[int] | None = None  # None: not measured at both waves compared
    lost: set[int] | None = None

    def present(self, code_id: int, wave: str) -> bool | None:
        return None if wave not in self.codes else code_id in self.codes[wave]


@dataclass
class WaveFigures:
    n: int
    mean: float | None = None
    median: float | None = None


@dataclass
class VariableSummary:
    name: str
    numeric: bool
    waves: dict[str, WaveFigures]
    pairs: int = 0  # cases with a value at both waves compared
    mean_change: float | None = None
    ci: tuple[float, float] | None = None  # 95% t interval of the mean change
    statistic: float | None = None  # Wilcoxon's W (the smaller rank sum)
    p: float | None = None
    effect: float | None = None  # matched-pairs rank-biserial correlation
    method: str = ""
    note: str = ""


@dataclass
class Panel:
    waves: list[str]
    first: str | None
    last: str | None
    codes: list[tuple[int, str]]  # (code id, path) in codebook order
    variables: list[tuple[str, bool]]  # (name, numeric)
    cases: list[CaseRow]
    coders: list[str] | None  # None: every coder counted
    code_cases: dict[int, dict[str, int]] = field(default_factory=dict)  # code -> wave -> cases present
    measured_cases: dict[str, int] = field(default_factory=dict)  # wave -> cases with documents
    raw: dict[str, tuple[list[int], list[str], list[Any]]] = field(default_factory=dict, repr=False)
    _summaries: list[VariableSummary] | None = field(default=None, repr=False)

    @property
    def summaries(self) -> list[VariableSummary]:
        """Per variable: n, mean, median per wave and the paired test of the change.

        Computed on first use: the test needs scipy, whose import costs more than the whole
        panel, and the per-case answers (``--json``, the joint display) do not show it."""
        if self._summaries is None:
            self._summaries = [_summary(self, n, numeric, self.raw.get(n)) for n, numeric in self.variables]
        return self._summaries

    def change(self, row: CaseRow, name: str) -> float | None:
        values = row.values.get(name, {})
        a, b = values.get(self.first or ""), values.get(self.last or "")
        if isinstance(a, float) and isinstance(b, float) and self.first != self.last:
            return _difference(a, b)
        return None

    # -- the script contract and the joint display ------------------------------------------

    def variable_json(self, name: str) -> list[dict[str, Any]]:
        """``{"case", "waves": {wave: value}, "change"}`` per case, for one variable."""
        self._check_variable(name)
        return [
            {
                "case": row.case,
                "waves": {w: row.values.get(name, {}).get(w) for w in self.waves},
                "change": self.change(row, name),
            }
            for row in self.cases
        ]

    def code_json(self, code_id: int) -> list[dict[str, Any]]:
        """``{"case", "waves": {wave: present}}`` per case, for one code (null: no documents
        of the case at that wave)."""
        return [{"case": row.case, "waves": {w: row.present(code_id, w) for w in self.waves}} for row in self.cases]

    def joint_columns(self) -> list[str]:
        columns = ["case"]
        for _, path in self.codes:
            columns.extend(f"{path} @ {w}" for w in self.waves)
        for name, numeric in self.variables:
            columns.extend(f"{name} @ {w}" for w in self.waves)
            if numeric:
                columns.append(f"{name} change")
        columns.extend(["gained", "lost"])
        return columns

    def joint_rows(self) -> list[dict[str, Any]]:
        """The joint display: one row per case, codes (1 present, 0 absent, empty not
        measured) and variables per wave side by side, then gained and lost codes."""
        paths = dict(self.codes)
        # column names made once, not per case (a million f-strings at 1,000 cases × 70 codes)
        code_keys = [(code_id, [(w, f"{path} @ {w}") for w in self.waves]) for code_id, path in self.codes]
        variable_keys = [
            (name, numeric, [(w, f"{name} @ {w}") for w in self.waves], f"{name} change")
            for name, numeric in self.variables
        ]
        out = []
        for row in self.cases:
            record: dict[str, Any] = {"case": row.case}
            codes = row.codes
            for code_id, keys in code_keys:
                for w, key in keys:
                    present = codes.get(w)
                    record[key] = None if present is None else int(code_id in present)
            for name, numeric, keys, change in variable_keys:
                values = row.values.get(name, {})
                for w, key in keys:
                    record[key] = values.get(w)
                if numeric:
                    record[change] = self.change(row, name)
            record["gained"] = "; ".join(sorted(paths[c] for c in row.gained or ()))
            record["lost"] = "; ".join(sorted(paths[c] for c in row.lost or ()))
            out.append(record)
        return out

    def _check_variable(self, name: str) -> None:
        if name not in dict(self.variables):
            known = ", ".join(n for n, _ in self.variables) or "none yet; `qualcode variables import` adds them"
            raise QualcodeError(f"no variable “{name}” (variables: {known})")


def _difference(before: float, after: float) -> float:
    """after − before without binary noise: scores are written with a few decimals, and
    7.2 − 5.9 should read 1.3, not 1.2999999999999998."""
    return round(after - before, 10)


def panel(
    study: Study,
    *,
    codes: Sequence[str | int] | None = None,
    variables: Sequence[str] | None = None,
    coders: Sequence[str] | None = None,
    first: str | None = None,
    last: str | None = None,
    rollup: bool = True,
    presence: bool = True,
) -> Panel:
    """The panel of the study's cases; see the module docstring for what each figure means.
    ``presence=False`` leaves the codes out (no codings are read): for the variables alone,
    as ``qualcode panel --variable NAME --json`` prints them."""
    store = study.store
    waves = study.waves()
    for wave in (first, last):
        if wave is not None and wave not in waves:
            raise QualcodeError(f"wave “{wave}” is not a wave of the study ({', '.join(waves) or 'none'})")
    first = first if first is not None else (waves[0] if waves else None)
    last = last if last is not None else (waves[-1] if waves else None)
    coder_ids = None
    if coders:
        found = casesql.coder_ids(store, coders)
        unknown = [n for n, i in found.items() if i is None]
        if unknown:
            raise QualcodeError(f"no coder “{unknown[0]}” in this study")
        coder_ids = [int(i) for i in found.values() if i is not None]

    all_codes = study.codes()
    if not presence:
        code_list: list[tuple[int, str]] = []
    elif codes:
        chosen = [study.code(ref) for ref in codes]
        code_list = [(c.id, c.path) for c in chosen]
    else:
        code_list = [(c.id, c.path) for c in all_codes]

    names = dict(study.variable_names())
    if variables:
        for name in variables:
            if name not in names:
                known = ", ".join(names) or "none yet; `qualcode variables import` adds them"
                raise QualcodeError(f"no variable “{name}” (variables: {known})")
        var_list = [(n, names[n]) for n in variables]
    else:
        var_list = sorted(names.items())

    rows: dict[int, CaseRow] = {}
    order = {w: i for i, w in enumerate(waves)}
    for r in casesql.panel_cases(store):
        measured = sorted(set(r["waves"].split(",")), key=order.__getitem__) if r["waves"] else []
        rows[r["id"]] = CaseRow(r["name"], r["id"], measured, {w: set() for w in measured}, {})
    code_cases = _presence(store, rows, all_codes, code_list, coder_ids, rollup, waves)
    raw: dict[str, tuple[list[int], list[str], list[Any]]] = {}
    sep = casesql.UNIT_SEPARATOR
    for name, numeric in var_list:
        case_text, wave_text, value_text, _ = casesql.panel_variables(store, name)
        if not case_text:
            continue
        case_ids = [int(c) for c in case_text.split(sep)]
        wave_list = wave_text.split(sep)
        values: list[Any] = [float(v) for v in value_text.split(sep)] if numeric else value_text.split(sep)
        raw[name] = (case_ids, wave_list, values)
        for case_id, wave, value in zip(case_ids, wave_list, values):
            rows[case_id].values.setdefault(name, {})[wave] = value

    result = Panel(waves, first, last, code_list, var_list, list(rows.values()), list(coders) if coders else None)
    for row in result.cases:
        if presence and first is not None and last is not None and first in row.codes and last in row.codes:
            row.gained = row.codes[last] - row.codes[first]
            row.lost = row.codes[first] - row.codes[last]
    result.measured_cases = {w: sum(w in row.codes for row in result.cases) for w in waves}
    result.code_cases = code_cases
    if not codes:
        # Without a choice of codes, the panel shows the codes present somewhere: a joint
        # display of 80 empty columns hides the few that matter.
        result.codes = [(c, p) for c, p in code_list if any(result.code_cases[c].values())]
        result.code_cases = {c: result.code_cases[c] for c, _ in result.codes}
    result.raw = raw
    return result


def _presence(
    store: Any,
    rows: dict[int, CaseRow],
    all_codes: Sequence[Any],
    code_list: list[tuple[int, str]],
    coder_ids: list[int] | None,
    rollup: bool,
    waves: list[str],
) -> dict[int, dict[str, int]]:
    """Fill each case's codes present per wave, in numpy: a (case and wave) × code matrix of
    what was coded, rolled up into the chosen codes through an ancestor matrix. Return, per
    chosen code, the number of cases where it is present at each wave."""
    none = {code_id: {w: 0 for w in waves} for code_id, _ in code_list}
    if not code_list:
        return none  # no codes asked for (the variables alone): neither codings nor numpy
    import numpy as np

    slots: list[tuple[int, str]] = []
    slot_of: dict[tuple[int, str], int] = {}
    units = casesql.panel_units(store)
    if not units:
        return none
    doc_slot = np.full(max(u[0] for u in units) + 1, -1, dtype=np.int64)
    for doc, case_id, wave in units:
        key = (case_id, wave)
        if key not in slot_of:
            slot_of[key] = len(slots)
            slots.append(key)
        doc_slot[doc] = slot_of[key]
    ids = [c.id for c in all_codes]
    # counts[i, j]: code i counts for chosen code j (itself and, rolled up, its ancestors).
    parent = {c.id: c.parent_id for c in all_codes}
    column = {code_id: j for j, (code_id, _) in enumerate(code_list)}
    counts = np.zeros((len(ids), len(code_list)), dtype=np.float32)
    for i, code_id in enumerate(ids):
        current: int | None = code_id
        while current is not None:
            if current in column:
                counts[i, column[current]] = 1
            current = parent.get(current) if rollup else None
    # only the tally rows of codes that count for a chosen code (one code: its subtree)
    feeding = [ids[i] for i in np.flatnonzero(counts.any(axis=1)).tolist()]
    code_text, doc_text = casesql.coded_pairs(store, coder_ids, None if len(feeding) == len(ids) else feeding)
    if not code_text:
        return none
    code_arr = np.fromstring(code_text, dtype=np.int64, sep=",")
    doc_arr = np.fromstring(doc_text, dtype=np.int64, sep=",")
    known = doc_arr < len(doc_slot)
    code_arr, doc_arr = code_arr[known], doc_arr[known]
    slot_arr = doc_slot[doc_arr]
    mine = slot_arr >= 0
    index = np.full(max(ids) + 1, -1, dtype=np.int64)
    index[ids] = np.arange(len(ids))
    coded = np.zeros((len(slots), len(ids)), dtype=np.float32)  # float: the product goes to BLAS
    coded[slot_arr[mine], index[code_arr[mine]]] = 1
    present = (coded @ counts) > 0
    chosen = np.array([c for c, _ in code_list], dtype=np.int64)
    # each slot's present codes in one pass: the nonzero cells, in slot order
    slot_index, column_index = np.nonzero(present)
    bounds = np.searchsorted(slot_index, np.arange(len(slots) + 1)).tolist()
    codes_in = chosen[column_index].tolist()
    for s, (case_id, wave) in enumerate(slots):
        rows[case_id].codes[wave] = set(codes_in[bounds[s] : bounds[s + 1]])
    wave_number = {w: i for i, w in enumerate(waves)}
    slot_wave = np.array([wave_number[w] for _, w in slots], dtype=np.int64)
    per_wave = {w: present[slot_wave == i].sum(axis=0).tolist() for i, w in enumerate(waves)}
    return {code_id: {w: int(per_wave[w][j]) for w in waves} for j, (code_id, _) in enumerate(code_list)}


def _summary(
    result: Panel, name: str, numeric: bool, raw: tuple[list[int], list[str], list[Any]] | None
) -> VariableSummary:
    by_wave: dict[str, list[Any]] = {w: [] for w in result.waves}
    changes: list[float] = []
    compare = numeric and result.first != result.last
    before: dict[int, float] = {}
    after: dict[int, float] = {}
    for case_id, wave, value in zip(*(raw or ((), (), ()))):
        by_wave[wave].append(value)
        if wave == result.first:
            before[case_id] = value
        if wave == result.last:
            after[case_id] = value
    if compare:
        changes = [_difference(v, after[c]) for c, v in before.items() if c in after]
    per_wave = {
        w: WaveFigures(len(v), statistics.fmean(v), statistics.median(v)) if numeric and v else WaveFigures(len(v))
        for w, v in by_wave.items()
    }
    summary = VariableSummary(name, numeric, per_wave)
    if not compare:
        return summary
    summary.pairs = len(changes)
    if changes:
        summary.mean_change = statistics.fmean(changes)
    if len(changes) < MIN_PAIRS:
        summary.note = TOO_FEW
        return summary
    test = paired_test(changes)
    summary.statistic, summary.p, summary.effect, summary.method, summary.ci = (
        test["statistic"],
        test["p"],
        test["effect"],
        test["method"],
        test["ci"],
    )
    summary.note = test["note"]
    return summary


def paired_test(changes: Sequence[float]) -> dict[str, Any]:
    """Wilcoxon signed-rank test of paired changes, its method, the matched-pairs
    rank-biserial correlation and a 95% t interval of the mean change.

    Zero changes are dropped, as in Wilcoxon's original test (scipy's default). The
    rank-biserial correlation is (R+ − R−) / (R+ + R−) over the ranks of the nonzero |changes|:
    +1 when every family improved, −1 when every family declined.
    """
    import numpy as np
    from scipy import stats  # ~150 ms; only the panel's summary needs it

    d = np.asarray(changes, dtype=float)
    n = len(d)
    sd = float(np.std(d, ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.975, n - 1)) * sd / np.sqrt(n) if n > 1 else 0.0
    out: dict[str, Any] = {
        "statistic": None,
        "p": None,
        "effect": None,
        "method": "",
        "note": "",
        "ci": (float(d.mean()) - half, float(d.mean()) + half),
    }
    nonzero = d[d != 0]
    if len(nonzero) == 0:
        out["note"] = "no family changed: nothing to test"
        return out
    ranks = stats.rankdata(np.abs(nonzero))
    plus, minus = float(ranks[nonzero > 0].sum()), float(ranks[nonzero < 0].sum())
    out["effect"] = (plus - minus) / (plus + minus)
    # Zero changes are dropped before the test, so only ties among the others matter.
    tied = len(np.unique(np.abs(nonzero))) < len(nonzero)
    if len(nonzero) < MIN_PAIRS:
        out["note"] = TOO_FEW + " (the others did not change)"
        return out
    res = stats.wilcoxon(nonzero)
    out["statistic"], out["p"] = float(res.statistic), float(res.pvalue)
    if not tied and len(nonzero) <= 50:
        out["method"] = "exact"
    elif tied and len(nonzero) <= 13:
        out["method"] = "exact (permutations, ties)"
    else:
        out["method"] = "normal approximation"
    return out
