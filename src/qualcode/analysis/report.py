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

from qualcode.analysis.compare import compare_groups
from qualcode.analysis.cooccurrence import cooccurrence
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrices import crosstab
from qualcode.core.errors import QualcodeError
from qualcode.core.files import atomic_output, check_output_path
from qualcode.core.scope import Scope

if TYPE_CHECKING:
    from qualcode.study.study import Study

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
    study: Study, scope: Scope | None = None, *, by: str = "organisation", quotes: int = 3, title: str | None = None
) -> str:
    """The report as one HTML string."""
    scope = scope or Scope()
    freqs = code_frequencies(study, scope)
    matrix = crosstab(study, by, scope)
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
    parts += _summary(docs, freqs, matrix)
    parts += _codebook(study)
    parts += _frequencies(freqs)
    parts += _matrix(matrix, by)
    parts += _comparison(study, by, scope)
    parts += _cooccurrence(study, scope)
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
            ("coder", scope.coder),
        )
        if v
    ]
    bits += [f"{k} = {v}" for k, v in scope.attributes.items()]
    return ("; only " + ", ".join(bits)) if bits else ""


def _summary(docs: list[dict[str, Any]], freqs: list[Any], matrix: Any) -> list[str]:
    words = sum(d["word_count"] for d in docs)
    codings = sum(f.codings for f in freqs if f.depth == 0)
    out = ['<h2 id="summary">Summary</h2>', f"<p>{len(docs)} documents, {words:,} words, {codings:,} codings.</p>"]
    out.append('<table><tr><th class="code">Group</th><th>Documents</th><th>Words</th><th>Participants</th></tr>')
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


def _frequencies(freqs: list[Any]) -> list[str]:
    out = [
        '<h2 id="frequencies">Frequencies</h2>',
        (
            "<p>Sub-codes are counted in their parents; coded words are counted once where codings overlap, "
            "and only words said count (speaker labels and timestamps do not).</p>"
        ),
    ]
    out.append(
        '<table><tr><th class="code">Code</th><th>Codings</th><th>Documents</th><th>% documents</th><th>Participants</th><th>Coded words</th><th>% of words</th></tr>'
    )
    for f in freqs:
        out.append(
            f'<tr><td class="code depth{min(f.depth, 2)}">{escape(f.code)}</td><td>{f.codings}</td><td>{f.documents}</td>'
            f"<td>{f.documents_pct:.1f}</td><td>{f.participants}</td><td>{f.coded_words or 0}</td><td>{f.coded_words_pct or 0:.1f}</td></tr>"
        )
    out.append("</table>")
    out.append(bar_chart([(f.code, f.documents_pct) for f in freqs if f.depth > 0 and f.documents], "% of documents"))
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
    out = [
        f'<h2 id="matrix">Codes by {escape(by)}</h2>',
        "<p>Each cell: the % of the group's documents that have the code (codings in brackets).</p>",
    ]
    heads = "".join(f"<th>{escape(g.name)}<br><span class='muted'>n={g.documents}</span></th>" for g in matrix.groups)
    out.append(f'<table><tr><th class="code">Code</th>{heads}</tr>')
    for code_id, path, depth in matrix.codes:
        cells = []
        for g in matrix.groups:
            pct = matrix.value(code_id, g.name, "docs")
            n = matrix.codings.get((code_id, g.name), 0)
            cells.append(f'<td style="{_heat(pct, 100)}">{pct:.0f}% ({n})</td>')
        out.append(f'<tr><td class="code depth{min(depth, 2)}">{escape(path)}</td>{"".join(cells)}</tr>')
    out.append("</table>")
    return out


def _comparison(study: Study, by: str, scope: Scope) -> list[str]:
    out = [f'<h2 id="comparison">Comparison across {escape(by)}</h2>']
    try:
        result = compare_groups(study, by, scope)
    except QualcodeError as exc:
        return out + [f'<p class="note">{escape(str(exc))}</p>']
    out.append(
        "<p>Per code: in how many documents of each group it was coded. Differences are tested "
        "(chi-square, Fisher's exact test for small tables) and corrected for testing many codes "
        "(Benjamini–Hochberg q). Codes that stand out come first.</p>"
    )
    out += [f'<p class="note">{escape(w)}</p>' for w in result.warnings]
    out.append("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in result.sentences()) + "</ul>")
    return out


def _cooccurrence(study: Study, scope: Scope) -> list[str]:
    result = cooccurrence(study, scope, unit="overlap")
    out = [
        '<h2 id="cooccurrence">Codes that occur together</h2>',
        "<p>Pairs of codes on overlapping passages; Jaccard: the share of both codes' codings that meet the other code.</p>",
    ]
    pairs = result.pairs()[:20]
    if not pairs:
        return out + ['<p class="muted">No overlapping codings.</p>']
    out.append('<table><tr><th class="code">Code</th><th class="code">Code</th><th>Overlaps</th><th>Jaccard</th></tr>')
    for p in pairs:
        out.append(
            f'<tr><td class="code">{escape(p["code_a"])}</td><td class="code">{escape(p["code_b"])}</td><td>{p["count"]}</td><td>{p["jaccard"]:.2f}</td></tr>'
        )
    out.append("</table>")
    return out


def _quotes(study: Study, scope: Scope, freqs: list[Any], per_code: int) -> list[str]:
    out = ['<h2 id="quotes">Quotes</h2>']
    for f in freqs:
        if not f.codings or per_code <= 0:
            continue
        fragments = study.fragments(
            codes=[f.code_id],
            coder=scope.coder,
            organisation=scope.organisation,
            project=scope.project,
            role=scope.role,
            attributes=scope.attributes or None,
            include_children=False,
        )
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
            who = ", ".join(str(x) for x in (frag.get("role"), frag.get("organisation"), frag.get("document")) if x)
            out.append(f"<blockquote>{escape(str(frag['text']))}<footer>{escape(who)}</footer></blockquote>")
    return out


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :]
