"""Case variables that travel with a transcript: YAML front matter and a CSV sidecar.

Researchers describe an interview (organisation, role, wave, gemeente, ...) either at the
top of the file or in one spreadsheet for the whole folder. Both end up as plain
``str -> str`` attributes so that "007" stays "007" and "2024-03-12" stays as written.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from qualcode.core.errors import file_error
from qualcode.core.safe_yaml import safe_load
from qualcode.ingest.encoding import decode_bytes, normalise_text, read_limited

# Dutch researchers write Dutch keys; these map onto the names the study knows.
KEY_ALIASES = {
    "organisatie": "organisation",
    "organization": "organisation",
    "rol": "role",
    "datum": "interview_date",
    "date": "interview_date",
    "taal": "language",
    "titel": "title",
    "gezin": "case",
    "huishouden": "case",
    "golf": "wave",
}
_FILE_COLUMNS = ("file", "bestand", "bestandsnaam", "filename")

_FENCE = re.compile(r"[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*\n)*")


def split_front_matter(text: str, path: Path) -> tuple[dict[str, str], str]:
    """Split ``---``-fenced YAML at the very top of normalised text from the body.

    Values are read with PyYAML's ``BaseLoader`` rather than ``safe_load``: it is just
    as safe (it builds only strings, lists and mappings) but keeps every scalar as
    written, so ``participant: 007`` or ``consent: nee`` are not turned into 7 or False.
    Keys are lower-cased and Dutch aliases mapped. Leading blank lines of the body are
    dropped, because the body is what gets stored and offsets count from its start.
    """
    opening = _FENCE.match(text, 3) if text.startswith("---") else None
    if opening is None:
        return {}, _LEADING_BLANK_LINES.sub("", text, count=1)
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        raise file_error(path, "line 1: front matter opens with --- but never closes; add a --- line after it")
    yaml_text = text[opening.end() : closing.start()]
    body = text[closing.end() :]
    body = body.removeprefix("\n")
    return _parse_yaml(yaml_text, path), _LEADING_BLANK_LINES.sub("", body, count=1)


def _parse_yaml(yaml_text: str, path: Path) -> dict[str, str]:
    simple = simple_mapping(yaml_text)
    if simple is not None:
        return _normalised(simple, path)
    import yaml  # ~15 ms; only files with front matter beyond `key: value` lines pay it

    try:
        # BaseLoader builds only str, list and dict: as safe as safe_load; the limited
        # loader also bounds depth and alias expansion (YAML bombs).
        data = safe_load(yaml_text, base=True)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # +1 because marks count from 0, +1 for the opening --- line.
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise file_error(path, f"line {line}: malformed front matter ({problem})") from exc
    if data is None or data == "":
        return {}
    if not isinstance(data, dict):
        raise file_error(path, "line 2: front matter must be 'key: value' lines, not a list or text")
    return _normalised(data, path)


def _normalised(data: dict[Any, Any], path: Path) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            raise file_error(path, f"front matter key {key!r} must be a plain word")
        name = KEY_ALIASES.get(key.strip().lower(), key.strip().lower())
        if value_text := _scalar(value, name, path):
            result[name] = value_text
    return result


# One `key: value` line whose YAML reading is the text itself: a plain key, and a value that
# is a plain scalar (no colon, no comment mark, not opening with a YAML indicator) or quoted
# without escapes. Anything else goes to PyYAML.
_SIMPLE_LINE = re.compile(r"([A-Za-z_](?:[A-Za-z0-9_ -]*[A-Za-z0-9_])?):(?: +(.*?))? *")
_QUOTED = re.compile(r'"([^"\\]*)"|\'([^\']*)\'')
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def simple_mapping(yaml_text: str) -> dict[str, str] | None:
    """What PyYAML's ``BaseLoader`` reads from front matter made only of ``key: value``
    lines (the common case), without loading PyYAML (about 2 ms a file, and 50 ms to
    import); None when the text holds anything else (nesting, lists, comments, anchors,
    escapes, tabs, a colon in a value), which PyYAML then reads, or refuses."""
    data: dict[str, str] = {}
    lines = yaml_text.split("\n")
    if len(lines) > 1000:
        return None
    for line in lines:
        if not line.strip(" "):
            continue
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None:
            return None
        value = match.group(2) or ""
        if value and (not value.isprintable() or value[0] in _INDICATORS or ":" in value or "#" in value):
            quoted = _QUOTED.fullmatch(value)
            if quoted is None or not value.isprintable():
                return None
            value = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
        data[match.group(1)] = value
    return data


def _scalar(value: Any, key: str, path: Path) -> str:
    """A front matter value as one string; a flat list becomes ``"a, b"``."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(v.strip() for v in value if v.strip())
    raise file_error(path, f"front matter key '{key}' has a nested value; use one line of text")


def read_sidecar(path: Path) -> dict[str, dict[str, str]]:
    """Read a CSV of attributes per transcript: ``file -> {column: value}``.

    Dutch Excel saves "CSV" with ``;`` and in cp1252 (or UTF-16 with tabs for "Unicode
    text"), so the delimiter is the most frequent of ``;``, ``,`` and tab in the header
    row, and decoding goes through the same detection as transcripts. Empty cells are
    dropped so that a blank cell never overwrites front matter. A file listed twice is
    an error rather than a silent "last row wins".
    """
    text = normalise_text(decode_bytes(read_limited(path), path)[0])
    header_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header_line.count)
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_column_name(h) for h in next(rows)]
    file_col = next((i for i, h in enumerate(header) if h in _FILE_COLUMNS), None)
    if file_col is None:
        raise file_error(
            path,
            "line 1: no 'file' column; the first row must name the columns, e.g. file;wave;gemeente",
        )
    seen_columns = [h for h in header if h]
    duplicate = next((h for h in seen_columns if seen_columns.count(h) > 1), None)
    if duplicate:
        raise file_error(path, f"line 1: column '{duplicate}' appears twice")
    result: dict[str, dict[str, str]] = {}
    for row in rows:
        line = rows.line_num
        cells = [c.strip() for c in row]
        name = cells[file_col] if file_col < len(cells) else ""
        if not name:
            if any(cells):
                raise file_error(path, f"line {line}: the file column is empty")
            continue
        if any(cell and not (i < len(header) and header[i]) for i, cell in enumerate(cells)):
            raise file_error(path, f"line {line}: a value stands in a column without a name")
        if name in result:
            raise file_error(path, f"line {line}: '{name}' is listed twice")
        result[name] = {header[i]: cell for i, cell in enumerate(cells[: len(header)]) if cell and i != file_col}
    return result


def _column_name(raw: str) -> str:
    name = raw.strip().lower()
    return KEY_ALIASES.get(name, name)
