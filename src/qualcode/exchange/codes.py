"""Codes between qualcode and REFI-QDA: descriptions, colours, names and codebook sets.

REFI-QDA gives a code one free ``Description``. qualcode's codebook fields (description,
when to use, when not to use, example, provenance, keywords, shortcut key) are written into it
as labelled paragraphs, which reads well in NVivo, MAXQDA or ATLAS.ti, and are split back into
their fields when qualcode reads the file again. A codebook is a ``Set`` of codes named
``codebook: NAME`` whose ``Description`` holds the codebook's description and a labelled
``Source:`` paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qualcode.core.models import Code
from qualcode.exchange.xml import child_text, children, local, norm_guid
from qualcode.study.codebook import Codebook, CodeSpec, SourceRef

LABELS = (
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
    ("example", "Example"),
    ("source", "Source"),
    ("source_quote", "Source quote"),
    ("inductive", "Inductive"),
    ("keywords", "Keywords"),
    ("shortcut", "Shortcut"),
    ("created", "Created"),  # REFI-QDA's Code has no date: the code's creation travels here
)
_LABEL_FIELD = {label.casefold(): name for name, label in LABELS}
# longest label first, so "Source quote: " is not read as "Source: " followed by text
_SECTION = re.compile(
    r"(?:^|\n\n)(" + "|".join(sorted((label for _, label in LABELS), key=len, reverse=True)) + "): ", re.IGNORECASE
)
SECTION_MARK = " § "  # between a source document's title and its section in "Source: …"
_BOOK_SOURCE = re.compile(r"(?:^|\n\n)Source: ", re.IGNORECASE)
_RGB = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
CODEBOOK_SET_PREFIX = "codebook: "
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def compose_description(code: Code) -> str:
    parts = [code.description.strip()] if code.description.strip() else []
    for name, label in LABELS:
        if name == "keywords":
            value = ", ".join(code.keywords)
        elif name == "source":
            section = f"{SECTION_MARK}{code.source_section}" if code.source_section else ""
            value = f"{code.source_document}{section}" if code.source_document else ""
        elif name == "source_quote":
            value = code.source_quote if code.source_document else ""
        elif name == "inductive":
            value = "yes" if code.inductive and not code.source_document else ""
        elif name == "created":
            value = code.created_at
        else:
            value = getattr(code, name) or ""
        if value and value.strip():
            parts.append(f"{label}: {value.strip()}")
    return "\n\n".join(parts)


def compose_codebook_description(description: str, source: str) -> str:
    """A codebook set's Description: its description, then a labelled ``Source:``."""
    parts = [p for p in (description.strip(), f"Source: {source.strip()}" if source.strip() else "") if p]
    return "\n\n".join(parts)


def parse_codebook_description(text: str) -> tuple[str, str]:
    """(description, source) of a codebook set's Description."""
    text = (text or "").replace("\r\n", "\n").strip()
    match = _BOOK_SOURCE.search(text)
    if match is None:
        return text, ""
    return text[: match.start()].strip(), text[match.end() :].strip()


def parse_description(text: str) -> dict[str, Any]:
    """The codebook fields of a Description written by :func:`compose_description`; a
    description from another tool comes back whole as ``description``."""
    text = (text or "").replace("\r\n", "\n").strip()
    fields: dict[str, Any] = {
        "description": text,
        "when_to_use": "",
        "when_not_to_use": "",
        "example": "",
        "keywords": [],
        "shortcut": None,
        "source": None,
        "source_quote": "",
        "inductive": False,
        "created": "",
    }
    matches = list(_SECTION.finditer(text))
    if not matches:
        return fields
    fields["description"] = text[: matches[0].start()].strip()
    _read_sections(text, matches, fields)
    # provenance is a source with its quote, or inductive, as in a codebook file
    if fields["source"] is None or not fields["source_quote"]:
        fields["source"], fields["source_quote"] = None, ""
    if fields["source"] is not None:
        fields["inductive"] = False
    return fields


def _read_sections(text: str, matches: list[re.Match[str]], fields: dict[str, Any]) -> None:
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        name = _LABEL_FIELD[match.group(1).casefold()]
        if name == "keywords":
            fields["keywords"] = [k.strip() for k in value.split(",") if k.strip()]
        elif name == "shortcut":
            fields["shortcut"] = value if len(value) == 1 else None  # one key, or not ours
        elif name == "source":
            document, _, section = value.partition(SECTION_MARK.strip())
            fields["source"] = SourceRef(document.strip(), section.strip()) if document.strip() else None
        elif name == "inductive":
            fields["inductive"] = value.casefold() in ("yes", "true", "ja")
        elif name == "created":
            fields["created"] = value if _TIMESTAMP.match(value) else ""  # a stamp, or not ours
        else:
            fields[name] = value


def color_from_refi(value: str | None) -> str | None:
    if not value or not _RGB.match(value.strip()):
        return None
    digits = value.strip()[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


def safe_code_name(name: str) -> str:
    """qualcode separates code levels with “/”, so a “/” inside a name becomes “-”."""
    cleaned = " ".join((name or "").replace("/", "-").split())
    return cleaned or "(unnamed code)"


@dataclass
class ReadCodes:
    """Codes read from a REFI-QDA ``Codes`` element."""

    roots: list[CodeSpec] = field(default_factory=list)
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)  # guid → path
    renamed: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    count: int = 0  # Code elements in the file


def read_codes(codes_element: Any | None) -> ReadCodes:
    """The code tree of a ``Codes`` element; siblings with the same name become one code
    (reported), so every GUID maps to exactly one code path."""
    out = ReadCodes()
    if codes_element is None:
        return out

    def visit(element: Any, parent: CodeSpec | None, prefix: tuple[str, ...], siblings: dict[str, CodeSpec]) -> None:
        out.count += 1
        raw_name = element.get("name") or ""
        name = safe_code_name(raw_name)
        if name != raw_name:
            out.renamed.append(f"“{raw_name}” → “{name}”")
        fields = parse_description(child_text(element, "Description"))
        path = (*prefix, name)
        spec = siblings.get(name)
        if spec is None:
            spec = CodeSpec(
                name=name,
                description=fields["description"],
                when_to_use=fields["when_to_use"],
                when_not_to_use=fields["when_not_to_use"],
                example=fields["example"],
                color=color_from_refi(element.get("color")),
                keywords=fields["keywords"],
                shortcut=fields["shortcut"],
                source=fields["source"],
                source_quote=fields["source_quote"],
                inductive=fields["inductive"],
                created_at=fields["created"],
            )
            siblings[name] = spec
            (parent.children if parent is not None else out.roots).append(spec)
        else:
            out.merged.append("/".join(path))
        guid = norm_guid(element.get("guid"))
        if guid:
            out.paths[guid] = path
        below = {c.name: c for c in spec.children}
        for sub in children(element, "Code"):
            visit(sub, spec, path, below)

    top: dict[str, CodeSpec] = {}
    for element in children(codes_element, "Code"):
        visit(element, None, (), top)
    return out


def codebook_sets(sets_element: Any | None) -> dict[str, str]:
    """guid of a code → codebook name, from sets named ``codebook: NAME`` (qualcode's own
    exports keep each code's codebook this way)."""
    found: dict[str, str] = {}
    if sets_element is None:
        return found
    for element in children(sets_element, "Set"):
        name = element.get("name") or ""
        if not name.casefold().startswith(CODEBOOK_SET_PREFIX):
            continue
        book = name[len(CODEBOOK_SET_PREFIX) :].strip()
        for member in element:
            if local(member.tag) == "MemberCode":
                guid = norm_guid(member.get("targetGUID") or member.get("guid"))
                if guid:
                    found.setdefault(guid, book)
    return found


def codebook_details(sets_element: Any | None) -> dict[str, tuple[str, str]]:
    """codebook name → (description, source), from the ``Description`` of the sets named
    ``codebook: NAME``."""
    found: dict[str, tuple[str, str]] = {}
    if sets_element is None:
        return found
    for element in children(sets_element, "Set"):
        name = element.get("name") or ""
        if name.casefold().startswith(CODEBOOK_SET_PREFIX):
            book = name[len(CODEBOOK_SET_PREFIX) :].strip()
            found.setdefault(book, parse_codebook_description(child_text(element, "Description")))
    return found


def split_codebooks(
    read: ReadCodes, books: dict[str, str], default: str, details: dict[str, tuple[str, str]] | None = None
) -> list[Codebook]:
    """Top-level codes grouped into codebooks by their set (or ``default``), each with the
    description and source its set carries."""
    by_path = {path: guid for guid, path in read.paths.items() if len(path) == 1}
    grouped: dict[str, list[CodeSpec]] = {}
    for spec in read.roots:
        guid = by_path.get((spec.name,))
        grouped.setdefault(books.get(guid or "", default), []).append(spec)
    details = details or {}
    return [
        Codebook(
            name=name, codes=specs, description=details.get(name, ("", ""))[0], source=details.get(name, ("", ""))[1]
        )
        for name, specs in grouped.items()
    ]
