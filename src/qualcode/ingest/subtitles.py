"""WebVTT and SubRip subtitles (Teams, Zoom, Whisper output) turned into transcript lines.

Each cue becomes one line ``[HH:MM:SS] Speaker: text`` (or ``[HH:MM:SS] text`` when the
cue names no speaker), which is exactly a form :func:`qualcode.ingest.turns.parse_turns`
recognises, so subtitles get speaker turns and timestamps like any typed transcript.
The parsers are small and strict about timing lines: a malformed timing usually means
the file is not what its extension says, and a line number lets the user look.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from qualcode.core.errors import QualcodeError, file_error

_VTT_TIMING = re.compile(
    r"[ \t]*(?:(\d+):)?(\d{2}):(\d{2})\.\d{3}[ \t]+-->[ \t]+(?:\d+:)?\d{2}:\d{2}\.\d{3}(?:[ \t].*)?"
)
_SRT_TIMING = re.compile(r"[ \t]*(\d+):(\d{2}):(\d{2})[,.]\d{1,3}[ \t]*-->[ \t]*\d+:\d{2}:\d{2}[,.]\d{1,3}(?:[ \t].*)?")
_SRT_EXAMPLE = "00:00:01,000 --> 00:00:04,000"
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")  # {\an8} positioning codes in SRT
_SPACES = re.compile(r"\s+")
_VTT_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


def vtt_to_text(text: str, path: Path) -> str:
    """Turn normalised WebVTT into transcript lines, one per cue (per voice in a cue)."""
    lines = text.split("\n")
    if not lines[0].startswith("WEBVTT"):
        raise file_error(path, "line 1: not a WebVTT file; the first line must be WEBVTT")
    out: list[str] = []
    for start, block in _blocks(lines, first=_skip_block(lines, 0)):
        keyword = block[0].split(None, 1)[0] if block[0].strip() else ""
        if keyword in _VTT_SKIPPED_BLOCKS:
            continue
        at = 0 if "-->" in block[0] else 1  # an optional cue identifier comes first
        if at >= len(block) or "-->" not in block[at]:
            raise file_error(
                path,
                f"line {start + at + 1}: expected a cue timing like 00:00:01.000 --> 00:00:04.000",
            )
        match = _VTT_TIMING.fullmatch(block[at])
        if match is None:
            raise _bad_timing(path, start + at + 1, block[at], "00:00:01.000 --> 00:00:04.000")
        hours, minutes, seconds = match.group(1) or "0", match.group(2), match.group(3)
        out.extend(_cue_lines(f"{int(hours):02d}:{minutes}:{seconds}", block[at + 1 :]))
    return "\n".join(out)


def srt_to_text(text: str, path: Path) -> str:
    """Turn normalised SubRip into transcript lines; a ``Name:`` prefix stays the label."""
    lines = text.split("\n")
    out: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        if lines[i].strip().isdigit():
            i += 1
        if i >= n or not _looks_like_timing(lines[i]):
            found = repr(_shorten(lines[i])) if i < n else "the end of the file"
            raise file_error(path, f"line {i + 1}: expected a cue timing like {_SRT_EXAMPLE}, found {found}")
        match = _SRT_TIMING.fullmatch(lines[i])
        if match is None:
            raise _bad_timing(path, i + 1, lines[i], _SRT_EXAMPLE)
        timestamp = f"{int(match.group(1)):02d}:{match.group(2)}:{match.group(3)}"
        i += 1
        payload: list[str] = []
        # A cue ends at a blank line, or — in files that forgot the blank line — where
        # the next cue's number and timing begin.
        while i < n and lines[i].strip() and not _next_cue_starts(lines, i):
            payload.append(lines[i])
            i += 1
        out.extend(_cue_lines(timestamp, payload, voices=False))
    return "\n".join(out)


def _looks_like_timing(line: str) -> bool:
    return "-->" in line


def _next_cue_starts(lines: list[str], i: int) -> bool:
    if _looks_like_timing(lines[i]):
        return True
    return lines[i].strip().isdigit() and i + 1 < len(lines) and _looks_like_timing(lines[i + 1])


def _bad_timing(path: Path, line: int, found: str, example: str) -> QualcodeError:
    shown = repr(_shorten(found))
    return file_error(path, f"line {line}: expected a cue timing like {example}, found {shown}")


def _shorten(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _skip_block(lines: list[str], i: int) -> int:
    while i < len(lines) and lines[i].strip():
        i += 1
    return i


def _blocks(lines: list[str], first: int) -> Iterator[tuple[int, list[str]]]:
    """Blank-line separated blocks as (index of first line, lines)."""
    i = first
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        end = _skip_block(lines, i)
        yield i, lines[i:end]
        i = end


def _cue_lines(timestamp: str, payload: list[str], voices: bool = True) -> Iterator[str]:
    """One output line per voice in the cue; multi-line cue text is joined with a space."""
    joined = " ".join(payload)
    parts = _VOICE.split(joined) if voices else [joined]
    segments: list[tuple[str | None, str]] = [(None, parts[0])]
    segments += zip(parts[1::2], parts[2::2], strict=True)
    for speaker, segment in segments:
        spoken = _clean(segment, unescape=voices)
        if not spoken:
            continue
        if speaker is not None and (name := _SPACES.sub(" ", speaker).strip()):
            yield f"[{timestamp}] {name}: {spoken}"
        else:
            yield f"[{timestamp}] {spoken}"


def _clean(segment: str, unescape: bool) -> str:
    """Drop markup (<i>, <c.x>, {\\an8}); WebVTT escapes like &amp; become characters."""
    segment = _ASS_OVERRIDE.sub("", _TAG.sub("", segment))
    if unescape:
        segment = html.unescape(segment)
    return _SPACES.sub(" ", segment).strip()
