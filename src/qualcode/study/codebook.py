"""Codebooks as YAML files: read, validate, write.

The format is documented in ``docs/codebook-format.md``. A codebook is validated completely
before anything is written to a study, so a broken file leaves the study unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qualcode.core.errors import QualcodeError, file_error
from qualcode.core.safe_yaml import safe_load as limited_yaml

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
    "children",
)
TEXT_FIELDS = ("description", "when_to_use", "when_not_to_use", "example")


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
    children: list[CodeSpec] = field(default_factory=list)

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
    """Read and validate a codebook file; raise a one-line QualcodeError naming the file."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise file_error(path, "no such file") from None
    except UnicodeDecodeError:
        raise file_error(path, "not UTF-8 text; save the codebook as UTF-8") from None
    except OSError as exc:
        raise file_error(path, exc.strerror or str(exc)) from None
    try:
        data = limited_yaml(raw)  # bounded depth and alias expansion (YAML bombs)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise file_error(path, f"{where}not valid YAML ({problem})") from None
    return parse_codebook(data, path)


def parse_codebook(data: Any, path: Path | str) -> Codebook:
    if not isinstance(data, dict):
        raise file_error(path, "a codebook is a mapping with `codebook:` and `codes:`")
    unknown = set(data) - {"codebook", "description", "source", "codes", "version"}
    if unknown:
        raise file_error(path, f"unknown top-level field(s): {', '.join(sorted(map(str, unknown)))}")
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
    return CodeSpec(
        name=name,
        description=_text(data.get("description")),
        when_to_use=_text(data.get("when_to_use")),
        when_not_to_use=_text(data.get("when_not_to_use")),
        example=_text(data.get("example")),
        color=str(color).lower() if color else None,
        shortcut=shortcut,
        keywords=[str(k).strip() for k in keywords if str(k).strip()],
        children=[_parse_code(c, path, (*parents, name)) for c in children],
    )


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
    data: dict[str, Any] = {"codebook": book.name}
    if book.description:
        data["description"] = book.description
    if book.source:
        data["source"] = book.source
    data["codes"] = [_dump_code(c) for c in book.codes]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


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
    if code.keywords:
        out["keywords"] = list(code.keywords)
    if code.children:
        out["children"] = [_dump_code(c) for c in code.children]
    return out
