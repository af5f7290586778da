"""Reading transcripts: files to normalised text, case variables and speaker turns.

The pure reading layer of import — no database. The study wires it in: it calls
:func:`find_sources` and :func:`read_source`, merges :func:`read_sidecar` attributes,
stores ``SourceDocument.text`` and the :func:`parse_turns` offsets into it.
Heavy libraries (lxml for .docx/.odt, PyYAML) load only when a file needs them.
"""

from __future__ import annotations

from qualcode.ingest.encoding import MAX_FILE_BYTES, decode_bytes, normalise_text
from qualcode.ingest.language import detect_language
from qualcode.ingest.metadata import read_sidecar, split_front_matter
from qualcode.ingest.readers import (
    SUPPORTED_SUFFIXES,
    SourceDocument,
    find_sources,
    read_source,
)
from qualcode.ingest.turns import Turn, infer_role, parse_turns

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "SourceDocument",
    "Turn",
    "decode_bytes",
    "detect_language",
    "find_sources",
    "infer_role",
    "normalise_text",
    "parse_turns",
    "read_sidecar",
    "read_source",
    "split_front_matter",
]
