"""Checking a codebook's provenance against its source documents (codebook format v2).

A code credited to a source names the document (its title), optionally the section (a
heading) and quotes the source's own words. ``check_provenance`` verifies that the title,
the section and the quote occur in the source documents given, and reports codes that have
neither a source nor ``inductive: true``. Matching is verbatim except for what
:func:`normalise` folds: the quote is copied by hand from a web page or PDF, whose line
breaks and quote marks are not the researcher's choice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from qualcode.core.errors import file_error
from qualcode.study.codebook import Codebook, join_path

SOURCE_SUFFIXES = (".txt", ".md")
_SINGLE_QUOTES = re.compile("[\u2018\u2019\u201a\u201b\u2032]")  # ‘ ’ ‚ ‛ ′
_DOUBLE_QUOTES = re.compile("[\u201c\u201d\u201e\u201f\u2033]")  # “ ” „ ‟ ″
_WHITESPACE = re.compile(r"\s+")  # Unicode-aware: also no-break spaces and line breaks


def normalise(text: str) -> str:
    """Text as the check compares it: Unicode NFC; typographic single quotes (‘ ’ ‚ ‛ ′)
    read as ', typographic double quotes (“ ” „ ‟ ″) as "; every run of whitespace (spaces,
    tabs, line breaks, no-break spaces) as one space; no leading or trailing space. Case,
    dashes, accents and other punctuation must match exactly."""
    text = unicodedata.normalize("NFC", text)
    text = _SINGLE_QUOTES.sub("'", text)
    text = _DOUBLE_QUOTES.sub('"', text)
    return _WHITESPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class SourceDocument:
    path: Path
    text: str  # normalised


def load_sources(folder: Path) -> list[SourceDocument]:
    """The source documents in ``folder`` (``*.txt`` and ``*.md``, UTF-8, not recursive)."""
    if not folder.is_dir():
        raise file_error(folder, "no such folder of source documents")
    found: list[SourceDocument] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SOURCE_SUFFIXES or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise file_error(path, "not UTF-8 text; save the source document as UTF-8") from None
        found.append(SourceDocument(path, normalise(text)))
    if not found:
        raise file_error(folder, f"holds no source documents ({', '.join(SOURCE_SUFFIXES)} files)")
    return found


def check_provenance(book: Codebook, origin: Path | str, sources: list[SourceDocument] | None) -> list[str]:
    """One line per problem: a code with neither a source nor ``inductive: true``, and,
    when ``sources`` are given, a source document, section or quote not found in them."""
    problems: list[str] = []
    for parts, spec in book.walk():
        where = f"{origin}: code “{join_path(parts)}”"
        if spec.source is None:
            if not spec.inductive:
                problems.append(f"{where}: no provenance; give `source:` and `source_quote:`, or `inductive: true`")
            continue
        if sources is None:
            continue
        problem = _locate(spec.source.document, spec.source.section, spec.source_quote, sources)
        if problem:
            problems.append(f"{where}: {problem}")
    return problems


def _locate(document: str, section: str, quote: str, sources: list[SourceDocument]) -> str:
    """Why the quote cannot be traced, or "" when it can: some source document containing
    the title has the section heading and the quote after it."""
    title = normalise(document)
    candidates = [s for s in sources if title in s.text]
    if not candidates:
        return f"source document “{document}” is not among the {len(sources)} source document(s)"
    wanted_section, wanted_quote = normalise(section), normalise(quote)
    if wanted_section and not any(wanted_section in s.text for s in candidates):
        return f"section “{section}” not found in “{document}” ({_names(candidates)})"
    for source in candidates:
        start = source.text.find(wanted_section) if wanted_section else 0
        if start >= 0 and wanted_quote in source.text[start:]:
            return ""
    if wanted_section and any(wanted_quote in s.text for s in candidates):
        return f"quote stands in “{document}” but not under section “{section}”: “{_short(quote)}”"
    return f"quote not found in “{document}” ({_names(candidates)}): “{_short(quote)}”"


def _names(sources: list[SourceDocument]) -> str:
    return ", ".join(s.path.name for s in sources)


def _short(text: str, limit: int = 80) -> str:
    text = normalise(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
