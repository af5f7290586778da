"""A self-contained HTML report to send to a partner organisation.

One file, no network: inline CSS, inline SVG charts drawn here, every piece of text passed
through :func:`html.escape` (transcripts and code names are typed by people). Sections:
summary, codebook with definitions, frequencies with a bar chart, the code × group matrix as
a heat map, the comparison across groups as sentences, co-occurring codes, and quotes.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.analysis import formatting as fmt
from qualcode.analysis.compare import compare_groups
from qualcode.analysis.cooccurrence import cooccurrence
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrices import crosstab
from qualcode.analysis.units import check_grouping, unit_frame
from qualcode.core.errors import QualcodeError
from qualcode.core.files import atomic_output, check_output_path
from qualcode.core.scope import Scope

if TYPE_CHECKING:
    from qualcode.study.study import Study

PLURAL_UNITS = {"document": "documents", "participant": "participants", "case": "cases"}
SECTIONS = ("summary", "codebook", "frequencies", "matrix", "comparison", "cooccurrence", "quotes")
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.8em;margin-bottom:.2em}h2{border-bottom:2px solid #2b6cb0;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#edf2f7}td.code,th.code{text-align:left}.depth1{padding-left:1.6em}.depth2{padding-left:3em}
.muted{color:#666}.note{background:#fffbea;border-left:4px solid #d69e2e;padding:.4em .8em;margin:.5em 0}
blockquote{border-left:4px solid #2b6cb0;margin:.6em 0;padding:.3em .8em;background:#f7fafc}
blockquote footer{color:#666;font-size:.85em}dl dt{font-weight:600;margin-top:.6em}dl dd{margin-left:1.2em}
nav a{margin-right:1em}
"""


def build_report(
    study: Study,
    scope: Scope | None = None,
    *,
    by: str = "organisation",
    quotes: int = 3,
    title: str | None = None,
    unit: str | None = None,
) -> str:
    """The report as one HTML string. ``unit`` (document, participant or case; default: case
    when the study has cases, else document) is what every "in 7 of 9" counts."""
    scope = scope or Scope()
    check_grouping(study, by)
    freqs = code_frequencies(study, scope, unit=unit)
    matrix = crosstab(study, by, scope, unit=freqs.unit)
    docs = study.document_rows(
        organisation=scope.organisation, project=scope.project, role=scope.role, attributes=scope.attributes or None
    )
    title = title or study.name
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">qualcode report, {date.today().isoformat()}{escape(_scope_text(scope))}</p>',
        "<nav>" + "".join(f'<a href="#{s}">{s.capitalize()}</a>' for s in SECTIONS) + "</nav>",
    ]
    parts += _summary(docs, freqs, matrix, by)
    parts += _codebook(study)
    parts += _frequencies(freqs)
    parts += _matrix(matrix, by)
    parts += _comparison(study, by, scope, freqs.unit)
    parts += _cooccurrence(study, scope, freqs.unit)
    parts += _quotes(study, scope, freqs, quotes)
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(study: Study, path: Path | str, scope: Scope | None = None, **kw: Any) -> Path:
    target = check_output_path(Path(path), "a file name such as rapport.html")
    page = build_report(study, scope, **kw)
    with atomic_output(target, "w", encoding="utf-8") as handle:
        handle.write(page)
    return target


def _scope_text(scope: Scope) -> str:
    bits = [
        f"{k} {v}"
        for k, v in (
            ("organisation", scope.organisation),
            ("project", scope.project),
            ("role", scope.role),
            ("coders", ", ".join(scope.coder_names())),
        )
        if v
    ]
    bits += [f"{k} = {v}" for k, v in scope.attributes.items()]
    return ("; only " + ", ".join(bits)) if bits else ""


UNIT_MEANING = {
    "document": "a document (one interview or transcript)",
    "participant": "a participant (a named person; a document without one is a participant of its own)",
    "case": "a case (a family or household, with all its documents: parent, child, coach …)",
}


def units_phrase(n: int, total: int, unit: str) -> str:
    """ "7 of 9 cases": a count that says what it counts."""
    return f"{n} of {total} {PLURAL_UNITS[unit] if total != 1 else unit}"


def _summary(docs: list[dict[str, Any]], freqs: Any, matrix: Any, by: str) -> list[str]:
    words = sum(d["word_count"] for d in docs)
    codings = sum(f.codings for f in freqs if f.depth == 0)
    passages = sum(f.passages for f in freqs if f.depth == 0)
    unit = freqs.unit
    counted = len(freqs.frame.units())
    out = [
        '<h2 id="summary">Summary</h2>',
        f"<p>{len(docs)} documents, {words:,} words, {codings:,} codings in {passages:,} passages "
        "(a passage: coded spans merged where they overlap, across coders and sub-codes).</p>",
        f"<p><strong>Unit of analysis: {escape(UNIT_MEANING[unit])}.</strong> Every “in 7 of 9” below counts "
        f"{PLURAL_UNITS[unit]}: {counted} {PLURAL_UNITS[unit] if counted != 1 else unit}, "
        + (
            "those the counted coders coded.</p>"
            if unit == "document"
            else f"those with documents the counted coders coded ({len(freqs.frame.documents)} documents).</p>"
        ),
    ]
    out += [f'<p class="note">{escape(n)}</p>' for n in freqs.frame.notes()]
    units = PLURAL_UNITS[matrix.unit].capitalize()
    out.append(
        f'<table><tr><th class="code">{escape(by.capitalize())}</th><th>{units} coded</th>'
        "<th>Respondents' words</th><th>Participants</th></tr>"
    )
    for g in matrix.groups:
        out.append(
            f'<tr><td class="code">{escape(g.name)}</td><td>{g.documents}</td><td>{g.words:,}</td><td>{g.participants}</td></tr>'
        )
    out.append("</table>")
    return out


def _codebook(study: Study) -> list[str]:
    out = ['<h2 id="codebook">Codebook</h2>', "<dl>"]
    for code in study.codes():
        out.append(f'<dt class="depth{min(code.depth, 2)}">{escape(code.path)}</dt>')
        for label, text in (
            ("", code.description),
            ("Use when: ", code.when_to_use),
            ("Not when: ", code.when_not_to_use),
            ("Example: ", code.example),
        ):
            if text:
                out.append(f"<dd>{escape(label)}{escape(text)}</dd>")
    out.append("</dl>")
    return out


def _frequencies(freqs: Any) -> list[str]:
    unit = freqs.unit
    units = PLURAL_UNITS[unit]
    total = len(freqs.frame.units())
    out = [
        '<h2 id="frequencies">Frequencies</h2>',
        (
            "<p>Codings: the raw count. Passages: coded spans merged where they overlap or touch — a passage "
            "two coders both coded, or coded with a code and its sub-code, is one passage. "
            f"{units.capitalize()}: in how many of the {total} {units} the counted coders coded the code is present "
            f"(“in 7 of {total} {units}”), and that share. "
            + ("" if unit == "document" else "Documents: the documents with the code. ")
            + "Coded words count "
            "once where codings overlap, and only words said count (speaker labels and timestamps do not). Per 1,000 "
            "words: passages per 1,000 words said by respondents (interviewer turns out), pooled, and the mean "
            f"± sd of that rate per {unit}.</p>"
        ),
    ]
    out += [f'<p class="note">{escape(n)}</p>' for n in freqs.notes[len(freqs.frame.notes()) :]]
    out.append(
        f'<table><tr><th class="code">Code</th><th>Codings</th><th>Passages</th><th>{units.capitalize()} with the code</th>'
        f"<th>% of {units}</th>{'' if unit == 'document' else '<th>Documents</th>'}<th>Coded words</th><th>% of words</th>"
        "<th>Per 1,000 words</th><th>Mean ± sd per " + escape(unit) + "</th></tr>"
    )
    for f in freqs:
        spread = (
            f"{fmt.number(f.per_1000_mean)} ± {fmt.number(f.per_1000_sd)}" if f.per_1000_mean is not None else fmt.DASH
        )
        out.append(
            f'<tr><td class="code depth{min(f.depth, 2)}">{escape(f.code)}</td><td>{f.codings}</td><td>{f.passages}</td>'
            f"<td>{units_phrase(f.units, total, unit)}</td><td>{fmt.number(f.units_pct, 1)}</td>{'' if unit == 'document' else f'<td>{f.documents}</td>'}"
            f"<td>{f.coded_words or 0}</td><td>{fmt.number(f.coded_words_pct or 0, 1)}</td>"
            f"<td>{fmt.number(f.per_1000_words)}</td><td>{spread}</td></tr>"
        )
    out.append("</table>")
    out.append(
        bar_chart(
            [(f.code, fmt.round_half_up(f.units_pct, 1)) for f in freqs if f.depth > 0 and f.units],
            f"% of {units} (of {total})",
        )
    )
    return out


def bar_chart(items: list[tuple[str, float]], unit: str) -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return '<p class="muted">Nothing coded yet.</p>'
    items = sorted(items, key=lambda i: -i[1])
    label_w, bar_w, row_h = 380, 480, 20
    top = max(v for _, v in items) or 1
    height = row_h * len(items) + 30
    rows = []
    for i, (label, value) in enumerate(items):
        y = 20 + i * row_h
        w = bar_w * value / top
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="12">{escape(_short(label, 55))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="#2b6cb0"><title>{escape(label)}: {value:g}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="11">{value:g}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 60}" height="{height}" '
        f'aria-label="{escape(unit)}"><text x="{label_w}" y="12" font-size="11" fill="#666">{escape(unit)}</text>{"".join(rows)}</svg>'
    )


def _heat(value: float, top: float) -> str:
    share = 0 if top <= 0 else value / top
    # white → blue, text turns white on dark cells
    r, g, b = int(255 - 212 * share), int(255 - 147 * share), int(255 - 79 * share)
    colour = "#fff" if share > 0.6 else "#222"
    return f"background:rgb({r},{g},{b});color:{colour}"


def _matrix(matrix: Any, by: str) -> list[str]:
    units = PLURAL_UNITS[matrix.unit]
    out = [
        f'<h2 id="matrix">Codes by {escape(by)}</h2>',
        f"<p>Each cell: of the group's {units} (coded by the counted coders), how many have the code and "
        "their share, then the passages in brackets; n: the group's units.</p>",
    ]
    out += [f'<p class="note">{escape(n)}</p>' for n in matrix.notes if "fall in more than one" in n]
    heads = "".join(
        f"<th>{escape(g.name)}<br><span class='muted'>n={g.documents} {units if g.documents != 1 else matrix.unit}</span></th>"
        for g in matrix.groups
    )
    out.append(f'<table><tr><th class="code">Code</th>{heads}</tr>')
    for code_id, path, depth in matrix.codes:
        cells = []
        for g in matrix.groups:
            pct = matrix.value(code_id, g.name, "docs")
            n = matrix.passages.get((code_id, g.name), 0)
            k = matrix.documents.get((code_id, g.name), 0)
            shown = f"{k} of {g.documents} · {fmt.percent(k, g.documents)}"
            cells.append(f'<td style="{_heat(pct, 100)}" title="{k} of {g.documents} {units}">{shown} ({n})</td>')
        out.append(f'<tr><td class="code depth{min(depth, 2)}">{escape(path)}</td>{"".join(cells)}</tr>')
    out.append("</table>")
    return out


def _comparison(study: Study, by: str, scope: Scope, unit: str) -> list[str]:
    out = [f'<h2 id="comparison">Comparison across {escape(by)}</h2>']
    try:
        result = compare_groups(study, by, scope, unit=unit)
    except QualcodeError as exc:
        return out + [f'<p class="note">{escape(str(exc))}</p>']
    out.append(
        f"<p>Per code: in how many {PLURAL_UNITS[result.unit]} of each group it was coded, with a 95 % Wilson "
        "interval. Differences are tested (chi-square, Fisher's exact test for small tables) with the difference "
        "and the odds ratio and their intervals, or bias-corrected Cramér's V; groups under 5 units are not "
        "tested. Codes that stand out come first.</p>"
    )
    out += [f'<p class="note">{escape(w)}</p>' for w in result.notes]
    out.append("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in result.sentences()) + "</ul>")
    return out


def _cooccurrence(study: Study, scope: Scope, unit: str) -> list[str]:
    from qualcode.analysis import cooccurrence as module

    # Per unit ("both codes in 5 of 9 cases") where co-occurrence counts units; overlapping
    # passages, said so, where it does not.
    per_unit = unit in getattr(module, "PRESENCE_UNITS", ())
    result = cooccurrence(study, scope, unit=unit if per_unit else "overlap")
    units = PLURAL_UNITS[unit]
    total = len(unit_frame(study, scope, unit).units()) if per_unit else 0
    out = ['<h2 id="cooccurrence">Codes that occur together</h2>']
    if per_unit:
        out.append(
            f"<p>Pairs of codes present in the same {unit}, applied by the same coder (another coder's code is a "
            f"disagreement, see agreement): “both in 5 of {total} {units}”; Jaccard: the "
            f"{units} with both of those with either. Where in the {unit} does not matter: `qualcode cooccur "
            "--unit overlap` pairs codes on overlapping passages.</p>"
        )
    else:
        out += [
            "<p>Pairs of codes on overlapping passages, applied by the same coder (another coder's code on the "
            "same passage is a disagreement, see agreement); Jaccard: the share of both codes' codings that meet "
            "the other code.</p>",
            f'<p class="note">Overlaps count pairs of overlapping codings (passages), not {units}: '
            f"unlike the sections above, this one does not count per {unit}.</p>",
        ]
    out += [f'<p class="note">{escape(n)}</p>' for n in result.notes()]
    pairs = result.pairs()[:20]
    if not pairs:
        return out + [f'<p class="muted">No codes {"together in one " + unit if per_unit else "overlapping"}.</p>']
    head = f"{units.capitalize()} with both" if per_unit else "Overlaps"
    out.append(f'<table><tr><th class="code">Code</th><th class="code">Code</th><th>{head}</th><th>Jaccard</th></tr>')
    for p in pairs:
        count = f"{p['count']} of {total} {units}" if per_unit else str(p["count"])
        out.append(
            f'<tr><td class="code">{escape(p["code_a"])}</td><td class="code">{escape(p["code_b"])}</td><td>{count}</td><td>{p["jaccard"]:.2f}</td></tr>'
        )
    out.append("</table>")
    return out


def _quotes(study: Study, scope: Scope, freqs: list[Any], per_code: int) -> list[str]:
    out = ['<h2 id="quotes">Quotes</h2>']
    for f in freqs:
        if not f.codings or per_code <= 0:
            continue
        fragments = study.fragments(codes=[f.code_id], scope=scope, include_children=False)
        if not fragments:
            continue
        # Prefer quotes from different documents, and of a readable length.
        chosen, seen = [], set()
        for frag in sorted(fragments, key=lambda r: abs(len(str(r["text"])) - 220)):
            if frag["document_id"] in seen:
                continue
            chosen.append(frag)
            seen.add(frag["document_id"])
            if len(chosen) >= per_code:
                break
        out.append(f"<h3>{escape(f.code)}</h3>")
        for frag in chosen:
            case = f"case {frag['case']}" if frag.get("case") else None
            wave = f"wave {frag['wave']}" if frag.get("wave") else None
            who = ", ".join(
                str(x) for x in (frag.get("role"), case, wave, frag.get("organisation"), frag.get("document")) if x
            )
            out.append(f"<blockquote>{escape(str(frag['text']))}<footer>{escape(who)}</footer></blockquote>")
    return out


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :]
