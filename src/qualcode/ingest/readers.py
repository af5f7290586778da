"""One transcript file in, one :class:`SourceDocument` out; and which files a folder holds.

This is the pure reading layer: no database, no study. It decides what text gets stored
(normalised once, never changed afterwards) and which case variables come with it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.core.errors import file_error
from qualcode.ingest.encoding import check_size, check_text, decode_bytes, normalise_text, read_limited
from qualcode.ingest.metadata import split_front_matter
from qualcode.ingest.office import read_docx_text, read_odt_text
from qualcode.ingest.subtitles import srt_to_text, vtt_to_text

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".odt", ".vtt", ".srt")

_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*\n)*")


@dataclass
class SourceDocument:
    """A transcript as read from disk, ready to be stored.

    ``text`` is the normalised body that offsets (turns, codings) point into; front
    matter is already removed from it. ``metadata`` holds the front matter's remaining
    keys (``organisation``, ``project``, ``role``, ``participant``, ``interview_date``,
    ``language`` and any free attribute such as ``wave``), all as strings.
    """

    text: str
    title: str
    source_name: str
    metadata: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"


def read_source(path: Path) -> SourceDocument:
    """Read one transcript file of a supported kind, or raise a one-line QualcodeError.

    Every failure names the file first, so a batch import can list what it skipped and
    why: unsupported kind, too large, empty, binary, undecodable, corrupt, malformed
    front matter or subtitle timing.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kind = f"{suffix} files" if suffix else "files without an extension"
        raise file_error(path, f"{kind} are not supported; use .txt, .md, .docx, .odt, .vtt or .srt")
    metadata: dict[str, str] = {}
    if suffix in (".docx", ".odt"):
        check_size(path)
        raw = read_docx_text(path) if suffix == ".docx" else read_odt_text(path)
        encoding = suffix[1:]
        text = _LEADING_BLANK_LINES.sub("", normalise_text(raw), count=1)
        empty_reason = "the document has no text"
    else:
        decoded, encoding = decode_bytes(read_limited(path), path)
        normal = normalise_text(decoded)
        if suffix == ".vtt":
            text, empty_reason = vtt_to_text(normal, path), "no subtitle cues"
        elif suffix == ".srt":
            text, empty_reason = srt_to_text(normal, path), "no subtitle cues"
        else:
            metadata, text = split_front_matter(normal, path)
            empty_reason = "only front matter, no transcript text"
    if not text.strip():
        raise file_error(path, f"the file is empty ({empty_reason})")
    check_text(text, path)  # before anything segments it
    title = metadata.pop("title", "") or path.stem
    return SourceDocument(text=text, title=title, source_name=path.name, metadata=metadata, encoding=encoding)


def find_sources(folder: Path) -> list[Path]:
    """Supported transcript files under ``folder``, recursively, in a stable order.

    Hidden files and folders (``.git``, ``._x.docx`` from macOS) and Office lock files
    (``~$interview.docx``) are skipped: they are never transcripts and would otherwise
    fail the import with confusing errors.
    """
    folder = Path(folder)
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "no such folder"
        raise file_error(folder, reason)
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not _skipped(d)]
        found.extend(
            Path(root, name)
            for name in files
            if not _skipped(name) and os.path.splitext(name)[1].lower() in SUPPORTED_SUFFIXES
        )
    return sorted(found)


def _skipped(name: str) -> bool:
    return name.startswith((".", "~")) or name == "__MACOSX"
