"""Text out of .docx and .odt, defensively: these are ZIP files full of XML from anywhere.

Both readers check the ZIP before a library sees it (not a ZIP, the main part missing,
an old .doc or encrypted file, a member that unpacks to gigabytes), so the user gets a
one-line reason instead of a traceback. Text is taken from the XML directly rather than
through the libraries' paragraph helpers, because those drop tracked insertions and
content controls — text the transcriber did type.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qualcode.core.errors import QualcodeError, file_error
from qualcode.ingest.encoding import MAX_FILE_BYTES, MAX_TEXT_CHARS, join_limited

# A 20 MB .docx of text unpacks to a few hundred MB at most; more is a damaged or
# hostile file (a "zip bomb").
_MAX_UNPACKED_BYTES = 20 * MAX_FILE_BYTES
# The main XML part is parsed whole (python-docx, odfpy), at several times its size in
# memory: its size (the ZIP's header, which zipfile holds the inflated data to) is capped
# at 4 bytes of markup per allowed character of text, ample for Word's run-heavy XML.
_MAX_MAIN_PART_BYTES = 4 * MAX_TEXT_CHARS
_MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def read_docx_text(path: Path) -> str:
    """The text of a .docx: paragraphs and table rows (cells tab-separated), one a line."""
    _check_zip(path, ".docx", "word/document.xml", "Word")
    try:
        import docx  # python-docx + lxml: ~100 ms, paid only when a .docx is imported

        body = docx.Document(str(path)).element.body
        return join_limited(_docx_blocks(body, _docx_xpath()), path)
    except QualcodeError:
        raise
    except Exception as exc:  # python-docx and lxml raise many types for a bad file
        raise _unreadable(path, ".docx", "Word", exc) from exc


def _docx_xpath() -> Any:
    from lxml import etree

    # Runs anywhere in the paragraph (inside w:ins, w:hyperlink, w:sdt, w:smartTag, ...)
    # but not in deleted text, text boxes (which Word also stores a second time as a
    # fallback) or tab-stop definitions.
    skipped = ("w:del", "w:moveFrom", "w:txbxContent", "mc:Fallback")
    runs = "w:r[" + " and ".join(f"not(ancestor::{a})" for a in skipped) + "]"
    pieces = "|".join(f".//{runs}/w:{tag}" for tag in ("t", "tab", "br", "cr", "noBreakHyphen"))
    return etree.XPath(pieces, namespaces={"w": _W, "mc": _MC})


def _docx_blocks(container: Any, pieces: Any) -> Iterator[str]:
    """Paragraph and table-row lines of a body, cell or content control, in order."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == f"{{{_W}}}p":
            yield "".join(_docx_piece(e) for e in pieces(child))
        elif tag == f"{{{_W}}}tbl":
            for row in child.iterchildren(f"{{{_W}}}tr"):
                cells = [_docx_cell(tc, pieces) for tc in row.iterchildren(f"{{{_W}}}tc")]
                if line := "\t".join(c for c in cells if c):
                    yield line
        elif tag in (f"{{{_W}}}sdt", f"{{{_W}}}sdtContent", f"{{{_W}}}customXml"):
            yield from _docx_blocks(child, pieces)


def _docx_cell(tc: Any, pieces: Any) -> str:
    # The continuation of a vertically merged cell repeats nothing: its text is above.
    merge = tc.find(f"{{{_W}}}tcPr/{{{_W}}}vMerge")
    if merge is not None and merge.get(f"{{{_W}}}val", "continue") == "continue":
        return ""
    return " ".join(t.strip() for t in _docx_blocks(tc, pieces) if t.strip())


def _docx_piece(element: Any) -> str:
    local = element.tag.rsplit("}", 1)[-1]
    if local == "t":
        return element.text or ""
    return {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}[local]


def read_odt_text(path: Path) -> str:
    """The text of an .odt: paragraphs, headings and table rows (cells tab-separated)."""
    _check_zip(path, ".odt", "content.xml", "Writer")
    try:
        from odf.opendocument import load  # odfpy: ~60 ms, paid only for .odt imports

        document = load(str(path))
        if not str(document.mimetype).startswith("application/vnd.oasis.opendocument.text"):
            raise file_error(path, f"is not a text document ({document.mimetype}); save it as .odt from Writer")
        return join_limited(_odt_blocks(document.text), path)
    except QualcodeError:
        raise
    except Exception as exc:  # odfpy raises KeyError, SAX errors, AttributeError, ...
        raise _unreadable(path, ".odt", "Writer", exc) from exc


_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
# Not spoken text: comments, footnotes, and the deleted text kept by change tracking.
_ODT_SKIP = {(_OFFICE, "annotation"), (_TEXT, "note"), (_TEXT, "tracked-changes")}
_ODT_PARAGRAPHS = {(_TEXT, "p"), (_TEXT, "h")}


def _odt_blocks(container: Any) -> Iterator[str]:
    for child in container.childNodes:
        qname = getattr(child, "qname", None)
        if qname in _ODT_SKIP or qname is None:
            continue
        if qname in _ODT_PARAGRAPHS:
            yield _odt_inline(child)
        elif qname == (_TABLE, "table-row"):
            cells = [
                " ".join(t.strip() for t in _odt_blocks(cell) if t.strip())
                for cell in child.childNodes
                if getattr(cell, "qname", None) == (_TABLE, "table-cell")
            ]
            if line := "\t".join(c for c in cells if c):
                yield line
        else:
            yield from _odt_blocks(child)


def _odt_inline(element: Any) -> str:
    """Like odfpy's ``teletype.extractText``, but skipping comments and footnotes."""
    parts: list[str] = []
    for child in element.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
            continue
        qname = child.qname
        if qname in _ODT_SKIP:
            continue
        if qname == (_TEXT, "s"):
            parts.append(" " * int(child.getAttribute("c") or 1))
        elif qname == (_TEXT, "tab"):
            parts.append("\t")
        elif qname == (_TEXT, "line-break"):
            parts.append("\n")
        else:
            parts.append(_odt_inline(child))
    return "".join(parts)


def _check_zip(path: Path, kind: str, main_part: str, app: str) -> None:
    """Refuse what is not a sound ZIP with ``main_part`` before a library parses it."""
    import zipfile  # ~3 ms; only office files need it

    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise file_error(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from exc
    if head.startswith(_OLE_MAGIC):
        raise file_error(
            path,
            f"is an old-format or password-protected file, not a {kind}; "
            f"open it in {app} and save it as {kind} without a password",
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise file_error(
            path,
            f"is not a valid {kind} file (not a ZIP archive); open it in {app} and save it again",
        ) from exc
    with archive:
        names = set(archive.namelist())
        if main_part not in names:
            raise file_error(path, f"is not a valid {kind} file ({main_part} is missing)")
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > _MAX_UNPACKED_BYTES:
            raise file_error(
                path,
                f"unpacks to {unpacked / _MB:.0f} MB, over the {_MAX_UNPACKED_BYTES // _MB} MB "
                "limit; the file is damaged or not a real transcript",
            )
        main_size = archive.getinfo(main_part).file_size
        if main_size > _MAX_MAIN_PART_BYTES:
            raise file_error(
                path,
                f"its text part ({main_part}) unpacks to {main_size / _MB:.0f} MB, over the "
                f"{_MAX_MAIN_PART_BYTES // _MB} MB limit; split the document (or the file is damaged)",
            )
        manifest = "META-INF/manifest.xml"
        if kind == ".odt" and manifest in names and b"encryption-data" in archive.read(manifest):
            raise file_error(path, "is password-protected; save it without a password")


def _unreadable(path: Path, kind: str, app: str, exc: BaseException) -> QualcodeError:
    detail = " ".join(str(exc).split())[:120] or type(exc).__name__
    return file_error(path, f"could not be read as {kind} ({detail}); open it in {app} and save it again")
