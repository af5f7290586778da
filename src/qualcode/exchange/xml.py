"""XML for REFI-QDA: a parser that refuses hostile files, namespace-tolerant lookups,
stable GUIDs, and validation against the official schemas.

Project files come from anywhere, so parsing never resolves entities, never loads a DTD,
never touches the network and keeps libxml2's size limits; a file that declares a DTD at
all is refused, because a REFI-QDA file has no use for one and entity tricks (XXE,
"billion laughs") are the only reason to send one.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from qualcode.core.errors import file_error

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def parse_xml(data: bytes, where: str) -> Any:
    """Parse untrusted XML bytes into an lxml root element, or raise a one-line error."""
    from lxml import etree  # lxml: ~20 ms, only for exchange

    if not data.strip():
        raise file_error(where, "the XML file is empty")
    head = data[:4096].lstrip().lower()
    if b"<!doctype" in data[:65536].lower() or b"<!entity" in head:
        raise file_error(where, "the XML declares a DTD or entities, which REFI-QDA files never need; refused")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise file_error(where, f"not well-formed XML ({exc.msg or exc}); the file is damaged") from None
    except ValueError as exc:  # e.g. an encoding declaration lxml cannot use
        raise file_error(where, f"not readable XML ({exc})") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise file_error(where, "the XML declares a DTD or entities, which REFI-QDA files never need; refused")
    return root


def local(tag: Any) -> str:
    """An element's name without its namespace, so that files with a slightly different
    (or no) namespace still read."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(element: Any | None, name: str) -> list[Any]:
    """Child elements with this local name (none when ``element`` is None)."""
    if element is None:
        return []
    return [found for found in element if local(found.tag) == name]


def child(element: Any, name: str) -> Any | None:
    for found in element:
        if local(found.tag) == name:
            return found
    return None


def child_text(element: Any, name: str) -> str:
    found = child(element, name)
    return (found.text or "") if found is not None else ""


def norm_guid(value: str | None) -> str:
    """GUIDs compare case-insensitively and with or without braces."""
    return (value or "").strip().strip("{}").lower()


class Guids:
    """Deterministic GUIDs: uuid5 of the study's UUID and a kind and row id."""

    def __init__(self, namespace: uuid.UUID) -> None:
        self.namespace = namespace
        self._prefix = namespace.bytes

    def __call__(self, kind: str, key: object) -> str:
        """Exactly ``str(uuid.uuid5(namespace, f"{kind}:{key}"))``, without building UUID
        objects: an export makes three GUIDs per coding, and uuid5 was a third of its time."""
        h = hashlib.sha1(self._prefix + f"{kind}:{key}".encode()).hexdigest()
        variant = "89ab"[int(h[16], 16) & 0x3]
        return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def validate(root: Any, schema_path: Path) -> list[str]:
    """Schema errors of a document (empty when valid)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
