"""Codebooks as YAML files: read, validate, write.

The format is documented in ``docs/codebook-format.md``. A codebook is validated completely
before anything is written to a study, so a broken file leaves the study unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.core.errors import QualcodeError, file_error
from qualcode.core.safe_yaml import safe_load_all as limited_yaml_all

PATH_SEPARATOR = "/"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
CODE_FIELDS = (
    "name",
    "description",
    "when_to_use",
    "when_not_to_use",
    "example",
    "color",
    "shortcut",
    "keywords",
    "source",
    "source_quote",
    "inductive",
    "children",
)
TEXT_FIELDS = ("description", "when_to_use", "when_not_to_use", "example")


@dataclass(frozen=True)
class SourceRef:
    """Where a code comes from: a source document's title and, optionally, the section
    (heading) under which its quote stands. Text before a document's first heading has no
    section."""

    document: str
    section: str = ""

    def label(self) -> str:
        return f"{self.document} § {self.section}" if self.section else self.document


@dataclass
class CodeSpec:
    """One code as a codebook file describes it."""

    name: str
    description: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    color: str | None = None
    shortcut: str | None = None
    keywords: list[str] = field(default_factory=list)
    source: SourceRef | None = None
    source_quote: str = ""
    inductive: bool = False
    children: list[CodeSpec] = field(default_factory=list)
    # when the code was made, where a file carries it (a REFI-QDA file written by qualcode);
    # a new code takes it instead of the time of import. Codebook YAML files do not carry it.
    created_at: str = ""

    def walk(self, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], CodeSpec]]:
        path = (*prefix, self.name)
        found = [(path, self)]
        for child in self.children:
            found.extend(child.walk(path))
        return found


@dataclass
class Codebook:
    name: str
    codes: list[CodeSpec]
    description: str = ""
    source: str = ""

    def walk(self) -> list[tuple[tuple[str, ...], CodeSpec]]:
        """Every code with its path, parents before children."""
        found: list[tuple[tuple[str, ...], CodeSpec]] = []
        for code in self.codes:
            found.extend(code.walk())
        return found


def split_path(path: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in path.split(PATH_SEPARATOR))
    if not all(parts):
        raise QualcodeError(f"“{path}” is not a code path (names separated by “/”)")
    return parts


def join_path(parts: tuple[str, ...] | list[str]) -> str:
    return PATH_SEPARATOR.join(parts)


def load_codebook(path: Path) -> Codebook:
    """Read and validate a file holding one codebook; raise a one-line QualcodeError naming
    the file."""
    books = load_codebooks(path)
    if len(books) > 1:
        names = ", ".join(f"“{b.name}”" for b in books)
        raise file_error(path, f"holds {len(books)} codebooks ({names}); import it with `qualcode codebook import`")
    return books[0]


def load_codebooks(path: Path) -> list[Codebook]:
    """Read and validate a codebook file: one codebook, or several as YAML documents
    separated by ``---`` (what ``qualcode codebook export`` writes for a study with several
    codebooks). Raise a one-line QualcodeError naming the file."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise file_error(path, "no such file") from None
    except IsADirectoryError:
        raise file_error(path, "is a folder, not a codebook file") from None
    except UnicodeDecodeError:
        raise file_error(path, "not UTF-8 text; save the codebook as UTF-8") from None
    except OSError as exc:
        raise file_error(path, exc.strerror or str(exc)) from None
    import yaml  # ~15 ms (~25 modules); only reading or writing a codebook pays it, not opening a study

    try:
        documents = [d for d in limited_yaml_all(raw) if d is not None]  # bounded depth and alias expansion
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise file_error(path, f"{where}not valid YAML ({problem})") from None
    if not documents:
        raise file_error(path, "a codebook is a mapping with `codebook:` and `codes:`")
    books = [parse_codebook(d, path) for d in documents]
    if len(books) > 1:
        seen: set[str] = set()
        for book in books:
            if book.name.casefold() in seen:
                raise file_error(path, f"codebook “{book.name}” appears twice; give each `codebook:` its own name")
            seen.add(book.name.casefold())
    return books


def parse_codebook(data: Any, path: Path | str) -> Codebook:
    if not isinstance(data, dict):
        raise file_error(path, "a codebook is a mapping with `codebook:` and `codes:`")
    unknown = set(data) - {"codebook", "description", "source", "codes", "version"}
    if unknown:
        raise file_error(path, f"unknown top-level field(s): {', '.join(sorted(map(str, unknown)))}")
    version = data.get("version", 1)
    if version not in (1, 2):
        raise file_error(path, f"codebook format version {version!r} is not one this qualcode reads (1 or 2)")
    codes = data.get("codes")
    if not isinstance(codes, list) or not codes:
        raise file_error(path, "`codes:` must be a non-empty list of codes")
    name = data.get("codebook") or Path(str(path)).stem
    book = Codebook(
        name=str(name),
        description=_text(data.get("description")),
        source=_text(data.get("source")),
        codes=[_parse_code(c, path, ()) for c in codes],
    )
    _check_unique(book, path)
    return book


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _parse_code(data: Any, path: Path | str, parents: tuple[str, ...]) -> CodeSpec:
    where = join_path(parents) or "top level"
    if not isinstance(data, dict):
        raise file_error(path, f"each code under {where} must be a mapping with at least `name:`")
    name = data.get("name")
    if not isinstance(name, (str, int, float)) or not str(name).strip():
        raise file_error(path, f"a code under {where} has no `name:`")
    name = str(name).strip()
    full = join_path((*parents, name))
    if PATH_SEPARATOR in name:
        raise file_error(path, f"code “{full}”: a name cannot contain “/” (it separates levels)")
    unknown = set(data) - set(CODE_FIELDS)
    if unknown:
        raise file_error(path, f"code “{full}”: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    color = data.get("color")
    if color is not None and not _COLOR.match(str(color)):
        raise file_error(path, f"code “{full}”: color {color!r} is not of the form #rrggbb")
    shortcut = data.get("shortcut")
    if shortcut is not None:
        shortcut = str(shortcut)
        if len(shortcut) != 1 or shortcut.isspace():
            raise file_error(path, f"code “{full}”: shortcut {shortcut!r} must be a single key")
    keywords = data.get("keywords") or []
    if not isinstance(keywords, list):
        raise file_error(path, f"code “{full}”: `keywords:` must be a list")
    children = data.get("children") or []
    if not isinstance(children, list):
        raise file_error(path, f"code “{full}”: `children:` must be a list of codes")
    source, quote, inductive = _parse_provenance(data, path, full)
    return CodeSpec(
        name=name,
        description=_text(data.get("description")),
        when_to_use=_text(data.get("when_to_use")),
        when_not_to_use=_text(data.get("when_not_to_use")),
        example=_text(data.get("example")),
        color=str(color).lower() if color else None,
        shortcut=shortcut,
        keywords=[str(k).strip() for k in keywords if str(k).strip()],
        source=source,
        source_quote=quote,
        inductive=inductive,
        children=[_parse_code(c, path, (*parents, name)) for c in children],
    )


def _parse_provenance(data: dict[str, Any], path: Path | str, full: str) -> tuple[SourceRef | None, str, bool]:
    """A code's provenance (format v2): a source with a verbatim quote, or `inductive: true`.

    Neither is required here (v1 codebooks stay importable); `qualcode codebook check`
    reports codes that have neither.
    """
    raw = data.get("source")
    source: SourceRef | None = None
    if isinstance(raw, str) and raw.strip():
        source = SourceRef(raw.strip())
    elif isinstance(raw, dict):
        unknown = set(raw) - {"document", "section"}
        if unknown:
            raise file_error(
                path, f"code “{full}”: unknown field(s) in `source:`: {', '.join(sorted(map(str, unknown)))}"
            )
        document = _text(raw.get("document"))
        if not document:
            raise file_error(path, f"code “{full}”: `source:` needs `document:` (the source document's title)")
        source = SourceRef(document, _text(raw.get("section")))
    elif raw is not None:
        raise file_error(
            path, f"code “{full}”: `source:` must be a document title or a mapping with `document:` and `section:`"
        )
    quote_raw = data.get("source_quote")
    if quote_raw is not None and not isinstance(quote_raw, (str, int, float)):
        raise file_error(path, f"code “{full}”: `source_quote:` must be text")
    quote = _text(quote_raw)
    inductive_raw = data.get("inductive", False)
    if not isinstance(inductive_raw, bool):
        raise file_error(path, f"code “{full}”: `inductive:` must be true or false, not {inductive_raw!r}")
    if quote and source is None:
        raise file_error(
            path, f"code “{full}”: `source_quote:` needs a `source:` naming the document it is quoted from"
        )
    if source is not None and not quote:
        raise file_error(path, f"code “{full}”: `source:` needs a `source_quote:` (the source's own words)")
    if inductive_raw and source is not None:
        raise file_error(
            path, f"code “{full}”: a code is either `inductive: true` or credited to a `source:`, not both"
        )
    return source, quote, inductive_raw


def _check_unique(book: Codebook, path: Path | str) -> None:
    seen: set[tuple[str, ...]] = set()
    shortcuts: dict[str, str] = {}
    for parts, spec in book.walk():
        key = tuple(p.casefold() for p in parts)
        if key in seen:
            raise file_error(path, f"code “{join_path(parts)}” appears twice; merge the two entries")
        seen.add(key)
        if spec.shortcut:
            if spec.shortcut in shortcuts:
                raise file_error(
                    path,
                    f"shortcut “{spec.shortcut}” is given to both “{shortcuts[spec.shortcut]}” and “{join_path(parts)}”",
                )
            shortcuts[spec.shortcut] = join_path(parts)


def dump_codebook(book: Codebook) -> str:
    """The codebook as YAML in the documented format (round-trips through load_codebook)."""
    data: dict[str, Any] = {"version": 2, "codebook": book.name}
    if book.description:
        data["description"] = book.description
    if book.source:
        data["source"] = book.source
    data["codes"] = [_dump_code(c) for c in book.codes]
    import yaml  # lazily, as in load_codebooks

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def dump_codebooks(books: list[Codebook]) -> str:
    """Several codebooks as one YAML stream, one ``---`` document per codebook, so each
    keeps its name, description and source (round-trips through load_codebooks)."""
    return "".join(("---\n" if i else "") + dump_codebook(book) for i, book in enumerate(books))


def _dump_code(code: CodeSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"name": code.name}
    for key in TEXT_FIELDS:
        value = getattr(code, key)
        if value:
            out[key] = value
    if code.color:
        out["color"] = code.color
    if code.shortcut:
        out["shortcut"] = code.shortcut
    if code.source is not None:
        out["source"] = {"document": code.source.document}
        if code.source.section:
            out["source"]["section"] = code.source.section
        out["source_quote"] = code.source_quote
    if code.inductive:
        out["inductive"] = True
    if code.keywords:
        out["keywords"] = list(code.keywords)
    if code.children:
        out["children"] = [_dump_code(c) for c in code.children]
    return out
