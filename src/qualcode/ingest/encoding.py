"""Bytes to text: size limit, encoding detection, binary refusal and normalisation.

A transcript's text is stored once and never changes (codings are offsets into it), so
everything that could shift an offset later — BOMs, ``\\r\\n``, decomposed accents,
invisible control characters — is settled here, before the text is stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from qualcode.core.errors import QualcodeError, file_error

MAX_FILE_BYTES = 20 * 1024 * 1024
_MB = 1024 * 1024
# The limits on extracted text, whatever the file's size: a 130 KB .docx can unpack to 30 MB
# of text and a .qdpx can hold a 200 MB source. 20 million characters is some 200 hours of
# talk; one line (one turn) of a million characters is no spoken turn, and spaCy would hold it
# whole in memory several times over.
MAX_TEXT_CHARS = 20 * 1024 * 1024
MAX_LINE_CHARS = 1_000_000
_LONG_LINE = re.compile(rf"[^\n]{{{MAX_LINE_CHARS + 1}}}")

# Share of control characters above which decoded "text" is really binary. Real
# transcripts have none (tabs and line breaks aside); random bytes decoded as cp1252
# give about 11 %, so 5 % separates the two with room on both sides.
_MAX_CONTROL_SHARE = 0.05
_SAMPLE_CHARS = 65536

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Files that users save with a .txt name by mistake; naming what they are saves a
# round of guessing.
_MAGIC = (
    (b"PK\x03\x04", "it is a ZIP archive, perhaps a .docx or .odt with the wrong extension"),
    (b"%PDF", "it is a PDF; export it to .docx or .txt first"),
    (b"\xd0\xcf\x11\xe0", "it is an old Word .doc or encrypted Office file; save it as .docx"),
)

# Line-like separators become "\n" rather than vanish, so that Word's soft line break
# (\v), form feeds and Unicode line/paragraph separators keep separating lines.
_LINE_BREAKS = {0x0B: "\n", 0x0C: "\n", 0x0D: "\n", 0x2028: "\n", 0x2029: "\n"}
# C0 controls (tab and newline aside), DEL and stray BOMs (U+FEFF, also where files were
# concatenated) are invisible in an editor but break terminals and offsets.
_DROP = {c: None for c in [*range(0x20), 0x7F, 0xFEFF] if c not in (0x09, 0x0A, *_LINE_BREAKS)}


def _c1_repairs() -> dict[int, str | None]:
    """C1 controls (U+0080–U+009F) in decoded text are cp1252 bytes decoded as Latin-1
    ("it\x92s" for "it’s"): map them back to the cp1252 character, as browsers do,
    rather than lose apostrophes and dashes. The five bytes cp1252 leaves undefined go."""
    repairs: dict[int, str | None] = {}
    for code in range(0x80, 0xA0):
        try:
            repairs[code] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            repairs[code] = None
    return repairs


# exchange/offsets.py replays this table to map other tools' offsets: keep every value
# None or exactly one character.
_TRANSLATE = {**_DROP, **_LINE_BREAKS, **_c1_repairs()}
# What counts towards "this is binary": the controls that no text editor writes.
_BINARY_CONTROLS = {c: None for c in _DROP if c != 0xFEFF}


def read_limited(path: Path) -> bytes:
    """Read a whole file, refusing it up front (by ``stat``) when it is over the limit.

    Checking the size before reading means a 4 GB video dropped in the folder costs
    nothing.
    """
    _checked_size(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _os_error(path, exc) from exc
    if len(data) > MAX_FILE_BYTES:  # it grew between stat and read
        raise _too_large(path, len(data))
    return data


def check_text(text: str, where: Path | str) -> str:
    """Refuse extracted text over :data:`MAX_TEXT_CHARS`, or with a line over
    :data:`MAX_LINE_CHARS`, before anything segments it; return it unchanged."""
    if len(text) > MAX_TEXT_CHARS:
        raise _text_too_long(where)
    found = _LONG_LINE.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise file_error(
            where,
            f"line {line} is over {MAX_LINE_CHARS:,} characters long; no spoken turn is, so the file is damaged "
            "or not a transcript (split it into lines)",
        )
    return text


def join_limited(pieces: Iterable[str], where: Path | str, separator: str = "\n") -> str:
    """Join text as it is extracted, stopping as soon as it passes :data:`MAX_TEXT_CHARS`
    (a document that unpacks to gigabytes of text is refused after 20 MB, not after)."""
    parts: list[str] = []
    total = 0
    for piece in pieces:
        total += len(piece) + len(separator)
        if total > MAX_TEXT_CHARS + len(separator):
            raise _text_too_long(where)
        parts.append(piece)
    return separator.join(parts)


def _text_too_long(where: Path | str) -> QualcodeError:
    return file_error(
        where,
        f"holds more than {MAX_TEXT_CHARS // _MB} million characters of text, over the limit for one transcript; "
        "split it (or the file is damaged)",
    )


def check_size(path: Path) -> None:
    """Refuse a missing, unreadable or too large file without reading it."""
    _checked_size(path)


def _checked_size(path: Path) -> int:
    try:
        st = path.stat()
    except OSError as exc:
        raise _os_error(path, exc) from exc
    if path.is_dir():
        raise file_error(path, "is a folder, not a transcript file")
    if st.st_size > MAX_FILE_BYTES:
        raise _too_large(path, st.st_size)
    return st.st_size


def _too_large(path: Path, size: int) -> QualcodeError:
    return file_error(
        path,
        f"{size / _MB:.1f} MB is over the {MAX_FILE_BYTES // _MB} MB limit for one transcript; split it",
    )


def _os_error(path: Path, exc: OSError) -> QualcodeError:
    if isinstance(exc, FileNotFoundError):
        return file_error(path, "no such file")
    if isinstance(exc, PermissionError):
        return file_error(path, "cannot be read (permission denied)")
    return file_error(path, f"cannot be read ({exc.strerror or type(exc).__name__})")


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a transcript's bytes and say which encoding was used.

    Order matters: a BOM is proof, valid UTF-8 is near-proof (cp1252 text with accents
    is almost never valid UTF-8), and cp1252 — what Dutch Windows and Excel write — is
    the fallback. NUL bytes outside UTF-16 and a high share of control characters mean
    the file is not text at all, which is a better message than mojibake.
    """
    if not data.strip():
        raise file_error(path, "the file is empty")
    for magic, reason in _MAGIC:
        if data.startswith(magic):
            raise _binary(path, reason)
    if data.startswith(_UTF8_BOM):
        text, encoding = _strict(data, "utf-8-sig", "UTF-8", path), "utf-8-sig"
    elif data.startswith(_UTF16_BOMS):
        text, encoding = _strict(data, "utf-16", "UTF-16", path), "utf-16"
    elif b"\x00" in data:
        bomless = _bomless_utf16(data)
        if bomless is None:
            raise _binary(path, "it contains NUL bytes")
        text, encoding = _strict(data, bomless, "UTF-16", path), "utf-16"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as bad:
            _refuse_damaged_utf8(data, bad, path)
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError as exc:
                raise file_error(
                    path,
                    f"is neither UTF-8 nor Windows-1252 text (byte 0x{data[exc.start]:02x} "
                    f"at position {exc.start}){_guess(data)}; save it as UTF-8 text",
                ) from exc
    if text.lstrip("\ufeff").strip() == "":
        raise file_error(path, "the file is empty")
    if text.startswith("{\\rtf"):
        raise file_error(path, "is an RTF document, not plain text; save it as .docx or .txt")
    sample = text[:_SAMPLE_CHARS]
    share = (len(sample) - len(sample.translate(_BINARY_CONTROLS))) / len(sample)
    if share > _MAX_CONTROL_SHARE:
        raise _binary(path, f"{share:.0%} of its characters are control characters")
    return text, encoding


def _refuse_damaged_utf8(data: bytes, bad: UnicodeDecodeError, path: Path) -> None:
    """Refuse UTF-8 text with a few damaged bytes, naming the first one's offset.

    A file that holds valid multi-byte UTF-8 sequences (é is C3 A9) and at most as many
    invalid bytes is UTF-8 with damage (a stray byte, a cut-off copy, one pasted cp1252
    apostrophe), not Windows-1252: cp1252 text almost never forms a valid UTF-8 pair,
    because that needs a capital accented letter followed by a punctuation byte. Read as
    cp1252, every "één" would be stored as "Ã©Ã©n" for good (the text never changes after
    import). Importing with U+FFFD in place of the bad bytes would hide a damaged file
    behind a warning that scrolls away; refusing names the byte so it can be repaired.
    """
    replaced = data.decode("utf-8", errors="replace")
    damaged = replaced.count("\ufffd")
    non_ascii = len(replaced) - len(replaced.encode("ascii", errors="ignore"))
    valid_multibyte = non_ascii - damaged
    if valid_multibyte == 0 or damaged > valid_multibyte:
        return
    raise file_error(
        path,
        f"is UTF-8 text with {damaged} damaged byte{'s' if damaged != 1 else ''} (the first, 0x{data[bad.start]:02x}, "
        f"at byte {bad.start}); not imported, as reading it as Windows-1252 would garble every accent; "
        "repair those bytes or save the file again as UTF-8",
    )


def _guess(data: bytes) -> str:
    """charset-normalizer's guess for bytes that are neither UTF-8 nor cp1252, as a hint.

    Only a hint: on Dutch text it names mac_latin2 for cp1252 and cp932 for UTF-8 with one
    stray byte (measured), so it never decides how a transcript is decoded."""
    try:
        from charset_normalizer import from_bytes  # ~40 ms; only undecodable files pay it
    except ImportError:
        return ""
    best = from_bytes(data[:262144]).best()
    return f"; it may be {best.encoding}" if best is not None else ""


def _strict(data: bytes, codec: str, name: str, path: Path) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise file_error(
            path,
            f"is marked as {name} but cannot be decoded (bad bytes at position "
            f"{exc.start}); save it again as UTF-8 text",
        ) from exc


def _bomless_utf16(data: bytes) -> str | None:
    """``'utf-16-le'``/``'utf-16-be'`` when NULs sit in every other byte, as in ASCII-heavy
    UTF-16 written without a BOM (some Windows tools do); else ``None``."""
    head = data[:4096]
    if len(data) % 2 or len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.02:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.02:
        return "utf-16-be"
    return None


def _binary(path: Path, reason: str) -> QualcodeError:
    return file_error(path, f"looks like a binary file, not a transcript ({reason})")


def normalise_text(text: str) -> str:
    """The one normal form of stored text: no BOM, ``\\n`` line ends, NFC, no controls.

    NFC matters because macOS and some Word exports write "é" as e + combining accent;
    without it, search and offsets disagree between two copies of the same interview.
    C1 controls are repaired to the cp1252 characters they stand for (see above).
    Trailing whitespace at the very end is dropped so that re-saving a file with or
    without a final newline gives the same stored text. Idempotent by construction:
    every step's output is a fixed point of every other step.
    """
    text = text.replace("\r\n", "\n").translate(_TRANSLATE)
    return unicodedata.normalize("NFC", text).rstrip()
