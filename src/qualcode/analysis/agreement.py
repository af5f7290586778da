"""Intercoder agreement: how far two (or up to five) coders agree on the same transcripts.

Teams compare their coding before they merge it and meet to reconcile the differences, and
users of MAXQDA, ATLAS.ti and NVivo expect the figures those tools give. Three views, per
code and over all codes, each with the counts behind it:

- **sentence units** — a sentence counts as coded with X by a coder when one of that
  coder's codings of X (or of a sub-code, when rolled up) covers at least half of it; per
  code a 2×2 table over the sentences (both, only A, only B, neither), percentage agreement,
  Cohen's kappa, Krippendorff's alpha (nominal) and the Jaccard index of the coded units;
  with three or more coders also one alpha over all of them, coders who did not code a
  document counting as missing there.
- **segments** (as MAXQDA does it) — a coding of A *matches* when B has a coding of the
  same code that overlaps at least ``overlap`` of the union of the two spans, and the other
  way round; per code the matched and unmatched codings and the share matched. There is no
  "neither" cell, so no kappa.
- **characters** — the same 2×2 table over code points: coded by both, by one, by neither
  (the rest of the documents), with the Jaccard index of the two coders' coded text.

The overall row pools every code the coders applied as they applied it (not rolled up), so a
passage is not counted once for a sub-code and again for its parent. By default only the
documents both coders coded are compared: a document one coder has not started yet says
nothing about agreement. Naming documents compares on exactly those.

A list of disagreements (document, passage, code, who coded it, what the other coder coded
there instead) is what a reconciliation meeting works through.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.analysis.agreement_units import (
    Codings,
    Coverage,
    Units,
    count_by_code,
    only_in_first,
    runs,
    segment_matches,
    shared_characters,
)
from qualcode.core.errors import QualcodeError
from qualcode.core.scope import Scope
from qualcode.store import agreement as sql

if TYPE_CHECKING:
    from qualcode.study.study import Study

UNITS = ("sentence", "segment", "character")
FEW = 5  # fewer units coded by either coder than this and a figure means little
OVERALL = "(all codes)"
# Sentence and character units share their table: a 2×2 per code and its statistics.
_UNIT_COLUMNS = [
    "code",
    "units",
    "coded_a",
    "coded_b",
    "both",
    "only_a",
    "only_b",
    "neither",
    "agreement",
    "kappa",
    "alpha",
    "jaccard",
    "note",
]
COLUMNS = {
    "sentence": _UNIT_COLUMNS,
    "character": _UNIT_COLUMNS,
    "segment": ["code", "coded_a", "coded_b", "matched", "only_a", "only_b", "agreement", "note"],
}
DISAGREEMENT_COLUMNS = ["document", "start", "end", "code", "coded_by", "not_by", "other_codes", "detail", "text"]


# -- statistics ------------------------------------------------------------------------------


def cohen_kappa(both: int, only_a: int, only_b: int, neither: int) -> tuple[float | None, str]:
    """Cohen's kappa of a 2×2 table, or None with the reason it is undefined."""
    n = both + only_a + only_b + neither
    if n == 0:
        return None, "no units"
    observed = (both + neither) / n
    p_a, p_b = (both + only_a) / n, (both + only_b) / n
    expected = p_a * p_b + (1 - p_a) * (1 - p_b)
    if expected >= 1 - 1e-12:
        if both + only_a + only_b == 0:
            return None, "kappa n/a: neither coder coded any unit with it"
        return None, "kappa n/a: both coders coded every unit with it"
    return (observed - expected) / (1 - expected), ""


def binary_alpha(values: int, ones: int, mismatches: float) -> tuple[float | None, str]:
    """Krippendorff's alpha for nominal data with two values (coded / not coded).

    ``values`` is n, the pairable values (units × the coders who coded each unit, units
    with fewer than two left out); ``ones`` is n₁; ``mismatches`` is o₀₁, the coincidences
    of a 0 with a 1: Σ over units of k(m−k)/(m−1) for k ones among m values. Then
    α = 1 − (n−1)·o₀₁ / (n₀·n₁).
    """
    zeros = values - ones
    if values < 2:
        return None, "alpha n/a: fewer than two values"
    if zeros == 0 or ones == 0:
        return None, "alpha n/a: no variation (every value the same)"
    return 1.0 - (values - 1) * mismatches / (zeros * ones), ""


def pair_alpha(both: int, only_a: int, only_b: int, neither: int) -> tuple[float | None, str]:
    """Krippendorff's alpha of two coders who both judged every unit of a 2×2 table."""
    n = both + only_a + only_b + neither
    return binary_alpha(2 * n, 2 * both + only_a + only_b, float(only_a + only_b))


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAgreement:
    """One code's agreement between two coders (or, with ``coder_b`` empty, all coders'
    alpha). For segments ``both`` is the codings that found a match (of either coder) and
    ``units`` all codings; for sentences and characters they are units of the 2×2 table."""

    code_id: int | None
    code: str
    depth: int
    coder_a: str
    coder_b: str
    units: int
    coded_a: int | None
    coded_b: int | None
    both: int | None
    only_a: int | None
    only_b: int | None
    neither: int | None
    agreement: float | None  # percent
    kappa: float | None
    alpha: float | None
    jaccard: float | None
    note: str = ""

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["matched"] = self.both
        for key in ("agreement", "kappa", "alpha", "jaccard"):
            if row[key] is not None:
                row[key] = round(row[key], 1 if key == "agreement" else 3)
        return row


@dataclass
class PairAgreement:
    coder_a: str
    coder_b: str
    documents: list[tuple[int, str]]
    units: int  # sentences or characters in the documents; codings for segments
    rows: list[CodeAgreement]
    overall: CodeAgreement


@dataclass
class Agreement:
    unit: str
    overlap: float
    rollup: bool
    coders: list[str]
    pairs: list[PairAgreement]
    alpha_rows: list[CodeAgreement] = field(default_factory=list)
    alpha_overall: CodeAgreement | None = None
    skipped: list[str] = field(default_factory=list)  # pairs with no document in common

    def rows(self) -> list[dict[str, Any]]:
        """Every pair's per-code rows and overall row, then the all-coder alphas."""
        out: list[dict[str, Any]] = []
        for pair in self.pairs:
            out.extend(r.as_row() for r in [*pair.rows, pair.overall])
        if self.alpha_overall is not None:
            out.extend(r.as_row() for r in [*self.alpha_rows, self.alpha_overall])
        return out

    def columns(self, with_pair: bool = True) -> list[str]:
        return (["coder_a", "coder_b"] if with_pair else []) + COLUMNS[self.unit]

    def describe(self) -> list[str]:
        """What was compared and how, in words, for the top of a report."""
        how = {
            "sentence": "a sentence counts as coded when one coding covers at least half of it",
            "segment": f"a coding matches when the other coder's coding of the same code overlaps at least {self.overlap:.0%} of their union",
            "character": "coded characters compared one by one (the rest of the documents is 'neither')",
        }[self.unit]
        lines = [
            f"{self.unit.capitalize()} agreement — {how}; sub-codes {'rolled up into their parents' if self.rollup else 'counted on their own'}."
        ]
        for pair in self.pairs:
            size = f"{pair.units:,} {'sentences' if self.unit == 'sentence' else 'characters' if self.unit == 'character' else 'codings'}"
            lines.append(
                f"{pair.coder_a} (A) × {pair.coder_b} (B): {len(pair.documents)} document(s) both coded, {size}."
            )
        lines.extend(self.skipped)
        return lines


@dataclass(frozen=True)
class Disagreement:
    """A passage the coders coded differently, for a reconciliation meeting."""

    coder_a: str
    coder_b: str
    document_id: int
    document: str
    start: int
    end: int
    code_id: int
    code: str
    coded_by: str
    not_by: str
    other_codes: str  # what the other coder coded on this passage instead
    detail: str
    text: str

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


# -- the comparison --------------------------------------------------------------------------


class _Comparison:
    """Coders, documents and codings loaded once; figures per pair computed from them."""

    def __init__(
        self,
        study: Study,
        coders: Sequence[str] | None,
        scope: Scope | None,
        documents: Sequence[int | str] | None,
        rollup: bool,
    ) -> None:
        self.study = study
        self.rollup = rollup
        self.coders = _resolve_coders(study, coders)
        self.ids = [i for _, i in self.coders]
        self.presence = _presence(study, self.ids, scope, documents)
        self.codes = {c.id: c for c in study.codes()}
        self.parents = {c.id: c.parent_id for c in self.codes.values()}
        doc_ids = sorted(self.presence)
        found = sql.documents(study.store, doc_ids)
        self.titles = {r["id"]: r["title"] for r in found}
        self.lengths = {r["id"]: r["char_count"] for r in found}
        self.own = Codings.load(study.store, self.ids, doc_ids)
        self.rolled = self.own.rolled_up(self.parents) if rollup else self.own
        self._units: Units | None = None

    @property
    def units(self) -> Units:
        if self._units is None:
            self._units = Units.load(self.study.store, sorted(self.presence))
        return self._units

    def pair_documents(self, a: int, b: int) -> np.ndarray:
        return np.array(sorted(d for d, who in self.presence.items() if a in who and b in who), dtype=np.int64)

    def of(self, codings: Codings, coder: int, docs: np.ndarray) -> Codings:
        return codings.where((codings.coder == coder) & np.isin(codings.document, docs))

    # -- counts per code: {code: (both, only_a, only_b, coded_a, coded_b)} and the units

    def counts(
        self, unit: str, a: int, b: int, docs: np.ndarray, rolled: bool, overlap: float
    ) -> tuple[dict[int, tuple[int, ...]], int]:
        source = self.rolled if rolled else self.own
        ca, cb = self.of(source, a, docs), self.of(source, b, docs)
        if unit == "sentence":
            in_docs = self.units.in_documents(docs)
            ha, hb = self.units.hits(ca), self.units.hits(cb)
            # a code either coder applied keeps its row (and its place in the pooled
            # table) even when none of its codings covers half a sentence
            applied = np.union1d(ca.code, cb.code).tolist()
            return _table(count_by_code(np.intersect1d(ha, hb)), count_by_code(ha), count_by_code(hb), applied), len(
                in_docs
            )
        if unit == "character":
            va, vb = Coverage.of(ca), Coverage.of(cb)
            total = int(sum(self.lengths[int(d)] for d in docs))
            return _table(shared_characters(va, vb), va.per_code(), vb.per_code()), total
        matched_a, matched_b, _ = segment_matches(ca, cb, overlap)
        out: dict[int, tuple[int, ...]] = {}
        for code in np.union1d(ca.code, cb.code).tolist():
            in_a, in_b = ca.code == code, cb.code == code
            ma, mb = int(matched_a[in_a].sum()), int(matched_b[in_b].sum())
            na, nb = int(in_a.sum()), int(in_b.sum())
            out[code] = (ma + mb, na - ma, nb - mb, na, nb)
        return out, len(ca) + len(cb)


def _table(
    both: dict[int, int], coded_a: dict[int, int], coded_b: dict[int, int], applied: Sequence[int] = ()
) -> dict[int, tuple[int, ...]]:
    out: dict[int, tuple[int, ...]] = {}
    for code in set(coded_a) | set(coded_b) | {int(c) for c in applied}:
        n_both, na, nb = both.get(code, 0), coded_a.get(code, 0), coded_b.get(code, 0)
        out[code] = (n_both, na - n_both, nb - n_both, na, nb)
    return out


def _row(
    unit: str, code_id: int | None, path: str, depth: int, a: str, b: str, counts: tuple[int, ...], units: int
) -> CodeAgreement:
    both, only_a, only_b, coded_a, coded_b = counts
    either = both + only_a + only_b
    if unit == "segment":
        total = coded_a + coded_b
        note = f"only {total} coding(s): too few to judge" if total < FEW else ""
        return CodeAgreement(
            code_id,
            path,
            depth,
            a,
            b,
            total,
            coded_a,
            coded_b,
            both,
            only_a,
            only_b,
            None,
            100.0 * both / total if total else None,
            None,
            None,
            None,
            note,
        )
    neither = units - either
    kappa, why_kappa = cohen_kappa(both, only_a, only_b, neither)
    alpha, _ = pair_alpha(both, only_a, only_b, neither)
    notes = []
    if either == 0:
        notes.append("codings cover less than half of every sentence" if unit == "sentence" else "nothing coded")
    elif either < FEW:
        notes.append(f"only {either} unit(s) coded by either coder: too few to judge")
    if why_kappa and either:
        notes.append(why_kappa)
    return CodeAgreement(
        code_id,
        path,
        depth,
        a,
        b,
        units,
        coded_a,
        coded_b,
        both,
        only_a,
        only_b,
        neither,
        100.0 * (both + neither) / units if units else None,
        kappa,
        alpha,
        both / either if either else None,
        "; ".join(notes),
    )


def _pooled(tables: dict[int, tuple[int, ...]], unit: str, units: int) -> tuple[tuple[int, ...], int]:
    """All codes' tables added up: every (unit, code) is one decision."""
    sums = tuple(int(sum(t[i] for t in tables.values())) for i in range(5))
    return sums, (units * len(tables) if unit != "segment" else units)


def agreement(
    study: Study,
    coders: Sequence[str] | None = None,
    *,
    unit: str = "sentence",
    overlap: float = 0.5,
    rollup: bool = True,
    scope: Scope | None = None,
    documents: Sequence[int | str] | None = None,
) -> Agreement:
    """Agreement per code and overall, for every pair of ``coders`` (default: every coder
    with codings, when there are two to five). ``scope`` narrows the documents by
    organisation, project, role or attributes; ``documents`` (ids or titles) names them."""
    if unit not in UNITS:
        raise QualcodeError(f"unit “{unit}” is not one of: {', '.join(UNITS)}")
    if not 0.0 <= overlap <= 1.0:
        raise QualcodeError(f"--overlap {overlap} must be a share between 0 and 1, e.g. 0.5 or 0.9")
    cmp = _Comparison(study, coders, scope, documents, rollup)
    result = Agreement(unit, overlap, rollup, [n for n, _ in cmp.coders], [])
    for (name_a, a), (name_b, b) in itertools.combinations(cmp.coders, 2):
        docs = cmp.pair_documents(a, b)
        if len(docs) == 0:
            result.skipped.append(f"{name_a} × {name_b}: no document both coded; left out.")
            continue
        tables, units = cmp.counts(unit, a, b, docs, rollup, overlap)
        rows = [
            _row(unit, code.id, code.path, code.depth, name_a, name_b, tables[code.id], units)
            for code in cmp.codes.values()
            if code.id in tables
        ]
        own_tables = tables if not rollup else cmp.counts(unit, a, b, docs, False, overlap)[0]
        pooled, pooled_units = _pooled(own_tables, unit, units)
        overall = _row(unit, None, OVERALL, 0, name_a, name_b, pooled, pooled_units)
        # Segments count codings as made (a coding is not counted again for each ancestor).
        size = overall.units if unit == "segment" else units
        result.pairs.append(
            PairAgreement(name_a, name_b, [(int(d), cmp.titles[int(d)]) for d in docs], size, rows, overall)
        )
    if not result.pairs:
        names = " and ".join(n for n, _ in cmp.coders)
        raise QualcodeError(
            f"{names} coded no document in common here; name documents with --document to compare them anyway"
        )
    if unit == "sentence" and len(cmp.coders) > 2:
        _all_coder_alpha(cmp, result)
    return result


def _all_coder_alpha(cmp: _Comparison, result: Agreement) -> None:
    """Krippendorff's alpha over all coders per code (sentence units). A coder who did not
    code a document is missing there; units with fewer than two coders are left out."""
    units = cmp.units
    present = np.array([len(cmp.presence.get(int(d), ())) for d in units.document], dtype=np.int64)
    pairable = present >= 2
    values = int(present[pairable].sum())  # coder × sentence judgements, what alpha is over
    sentences = int(pairable.sum())

    def per_code(codings: Codings) -> dict[int, tuple[int, float]]:
        keys = np.concatenate([units.hits(codings.where(codings.coder == c)) for c in cmp.ids])
        keys, k = np.unique(keys, return_counts=True)
        unit = keys & np.int64(0xFFFFFFFF)
        ok = pairable[unit]
        keys, k, m = keys[ok], k[ok], present[unit[ok]]
        code = keys >> np.int64(32)
        # every code a coder applied has its place, even with no sentence half covered
        out: dict[int, tuple[int, float]] = {int(c): (0, 0.0) for c in np.unique(codings.code).tolist()}
        for c in np.unique(code).tolist():
            sel = code == c
            out[c] = (int(k[sel].sum()), float((k[sel] * (m[sel] - k[sel]) / (m[sel] - 1)).sum()))
        return out

    def row(
        code_id: int | None, path: str, depth: int, n: int, units: int, ones: int, mismatches: float
    ) -> CodeAgreement:
        # ``units`` are sentences (sentence × code decisions overall), as in the pair rows;
        # the pair-only cells (coded by A, by B, both, …) have no meaning here and stay empty
        alpha, why = binary_alpha(n, ones, mismatches)
        return CodeAgreement(
            code_id, path, depth, "(all coders)", "", units, None, None, None, None, None, None, None, None, alpha,
            None, why,
        )  # fmt: skip

    rolled = per_code(cmp.rolled)
    result.alpha_rows = [
        row(c.id, c.path, c.depth, values, sentences, *rolled[c.id]) for c in cmp.codes.values() if c.id in rolled
    ]
    own = per_code(cmp.own) if cmp.rollup else rolled
    result.alpha_overall = row(
        None,
        OVERALL,
        0,
        values * len(own),
        sentences * len(own),
        sum(v[0] for v in own.values()),
        sum(v[1] for v in own.values()),
    )


# -- disagreements ---------------------------------------------------------------------------


def disagreements(
    study: Study,
    coders: Sequence[str] | None = None,
    *,
    unit: str = "sentence",
    overlap: float = 0.5,
    rollup: bool = True,
    scope: Scope | None = None,
    documents: Sequence[int | str] | None = None,
    code: int | str | None = None,
) -> list[Disagreement]:
    """The passages where two coders differ, per pair, in document order.

    Without ``code`` each coder's codings count as made (a sub-code is not listed again
    under its parent); with ``code`` the list is that code's, gathering its sub-codes when
    rolled up. Sentence units: runs of sentences one coder coded and the other did not.
    Segments: the codings that found no match, with the best overlap there was. Characters:
    the stretches of text only one coder coded (stretches of mere spaces and punctuation,
    the usual slack at a coding's edges, are left out).
    """
    if unit not in UNITS:
        raise QualcodeError(f"unit “{unit}” is not one of: {', '.join(UNITS)}")
    target = study.code(code) if code is not None else None
    cmp = _Comparison(study, coders, scope, documents, rollup)
    source = cmp.rolled if target is not None else cmp.own
    # (coder_a, coder_b, code, by, not_by, document, start, end, detail)
    found: list[tuple[str, str, int, str, str, int, int, int, str]] = []
    for (name_a, a), (name_b, b) in itertools.combinations(cmp.coders, 2):
        docs = cmp.pair_documents(a, b)
        ca, cb = cmp.of(source, a, docs), cmp.of(source, b, docs)
        if target is not None:
            ca, cb = ca.where(ca.code == target.id), cb.where(cb.code == target.id)
        pair: list[tuple[str, str, list[tuple[int, int, int, int, str]]]] = []
        if unit == "sentence":
            ha, hb = cmp.units.hits(ca), cmp.units.hits(cb)
            for by, not_by, keys in ((name_a, name_b, np.setdiff1d(ha, hb)), (name_b, name_a, np.setdiff1d(hb, ha))):
                pair.append((by, not_by, [(c, d, s, e, "") for c, d, s, e in runs(keys, cmp.units)]))
        elif unit == "character":
            va, vb = Coverage.of(ca), Coverage.of(cb)
            for by, not_by, first, second in ((name_a, name_b, va, vb), (name_b, name_a, vb, va)):
                pair.append(
                    (by, not_by, [(c, d, s, e, f"{e - s} character(s)") for c, d, s, e in only_in_first(first, second)])
                )
        else:
            matched_a, matched_b, best = segment_matches(ca, cb, overlap)
            for by, not_by, cod, matched, shares in (
                (name_a, name_b, ca, matched_a, best[: len(ca)]),
                (name_b, name_a, cb, matched_b, best[len(ca) :]),
            ):
                items = []
                for i in np.flatnonzero(~matched).tolist():
                    share = float(shares[i])
                    detail = (
                        f"best overlap {share:.0%} (needs {overlap:.0%})"
                        if share > 0
                        else "no overlapping coding of this code"
                    )
                    items.append((int(cod.code[i]), int(cod.document[i]), int(cod.start[i]), int(cod.end[i]), detail))
                pair.append((by, not_by, items))
        for by, not_by, items in pair:
            found.extend((name_a, name_b, c, by, not_by, d, s, e, detail) for c, d, s, e, detail in items)
    texts = sql.document_texts(study.store, sorted({item[5] for item in found}))
    names = dict(cmp.coders)
    others = _OtherCodes(cmp)
    out: list[Disagreement] = []
    for coder_a, coder_b, code_id, by, not_by, doc, start, end, detail in found:
        text = texts[doc][start:end]
        if unit == "character" and not re.search(r"\w", text):
            continue
        other = others.at(names[not_by], doc, start, end)
        out.append(
            Disagreement(
                coder_a,
                coder_b,
                doc,
                cmp.titles[doc],
                start,
                end,
                code_id,
                cmp.codes[code_id].path,
                by,
                not_by,
                other,
                detail or f"{len(text.split())} word(s)",
                text,
            )
        )
    out.sort(key=lambda d: (d.coder_a, d.coder_b, d.document, d.start, d.code, d.coded_by))
    return out


class _OtherCodes:
    """What a coder put on a passage, as made: "B coded it as … instead". The codings are
    grouped by (coder, document) once, so a list of many disagreements stays fast."""

    def __init__(self, cmp: _Comparison) -> None:
        own = cmp.own
        self.paths = {c.id: c.path for c in cmp.codes.values()}
        order = np.lexsort((own.start, own.document, own.coder))
        keys = list(zip(own.coder[order].tolist(), own.document[order].tolist()))
        self.spans: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
        for key, start, end, code in zip(
            keys, own.start[order].tolist(), own.end[order].tolist(), own.own[order].tolist()
        ):
            self.spans.setdefault(key, []).append((start, end, code))

    def at(self, coder: int, document: int, start: int, end: int) -> str:
        found = {self.paths[c] for s, e, c in self.spans.get((coder, document), ()) if s < end and e > start}
        return "; ".join(sorted(found))


# -- choosing coders and documents -----------------------------------------------------------


def _resolve_coders(study: Study, coders: Sequence[str] | None) -> list[tuple[str, int]]:
    active = {r["name"]: r["id"] for r in sql.coders_with_codings(study.store)}
    listing = ", ".join(active) or "none"
    if not coders:
        if len(active) < 2:
            raise QualcodeError(f"agreement needs two coders with codings; this study has: {listing}")
        if len(active) > 5:
            raise QualcodeError(f"{len(active)} coders have codings; name two to five with --coders ({listing})")
        return list(active.items())
    names = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
    if len(names) < 2:
        raise QualcodeError(f"name at least two different coders; coders with codings: {listing}")
    for name in names:
        if name not in active:
            raise QualcodeError(f"no codings by “{name}” in this study; coders with codings: {listing}")
    return [(n, active[n]) for n in names]


def _presence(
    study: Study, coder_ids: list[int], scope: Scope | None, documents: Sequence[int | str] | None
) -> dict[int, set[int]]:
    """Per document, the coders whose codings count there: those who coded it at all, or
    every coder in the documents the user named."""
    scope = scope or Scope()
    filtered = scope.filters_documents
    if documents:
        ids = {study.document(ref).id for ref in documents}
        if filtered:
            ids &= {
                d.id
                for d in study.documents(
                    organisation=scope.organisation, project=scope.project, role=scope.role, attributes=scope.attributes
                )
            }
        return {d: set(coder_ids) for d in ids}
    presence: dict[int, set[int]] = {}
    for document_id, coder_id in sql.coded_documents(study.store, coder_ids, scope):
        presence.setdefault(document_id, set()).add(coder_id)
    return presence
