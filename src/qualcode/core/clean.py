"""Text from outside that will be shown in a terminal: no control characters, no escapes.

Transcript text is normalised on import (ingest/encoding.py); names and short fields come in
by other doors — YAML front matter (whose double-quoted strings turn ``\\e`` into ESC), a
sidecar CSV, a codebook, a .qdpx, a typed code name — and a terminal obeys what they
hold: ``ESC ] 0 ; … BEL`` sets its title, others move the cursor or hide text. The store
passes every such field through :func:`clean_field` before writing it, and listings pass
cells through it again, so a study made before this check shows nothing raw either.
"""

from __future__ import annotations

import re

# Whole escape sequences go, not only their ESC, or "[31m" and "]0;title" would stay as
# visible debris: CSI (ESC [ or the 8-bit CSI U+009B), OSC/DCS/PM/APC strings up to BEL or
# ST, and two-character escapes.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]P^_X]|[\x90\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# Every escape sequence above starts with one of these (ESC, or an 8-bit CSI/DCS/OSC/PM/APC).
_SEQUENCE_START = re.compile(r"[\x1b\x90\x9b\x9d\x9e\x9f]")
_ONE_LINE: dict[int, str | None] = {c: None for c in [*range(0x20), *range(0x7F, 0xA0)]}
_ONE_LINE.update({0x09: " ", 0x0A: " ", 0x0D: " "})
_MULTI_LINE: dict[int, str | None] = {c: None for c in [*range(0x20), *range(0x7F, 0xA0)] if c not in (0x09, 0x0A)}
_MULTI_LINE[0x0D] = "\n"


def clean_field(value: str, *, multiline: bool = False) -> str:
    """``value`` without escape sequences and control characters. One-line fields (names,
    titles, attributes) get a space for a tab or line break; multi-line ones (memos,
    descriptions) keep tabs and line breaks (a lone CR becomes one)."""
    if value.isprintable():  # the common case, at C speed
        return value
    value = value.replace("\r\n", "\n")
    if _SEQUENCE_START.search(value) is not None:  # a passage with line breaks has none, mostly
        value = _SEQUENCES.sub("", value)
    return value.translate(_MULTI_LINE if multiline else _ONE_LINE)
