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
# The main XML part is read as a stream, one top-level block in memory at a time; its size
# (the ZIP's header, which zipfile holds the inflated data to) is still capped, at 4 bytes of
# markup per allowed character of text, ample for Word's run-heavy XML.
_MAX_MAIN_PART_BYTES = 4 * MAX_TEXT_CHARS
_MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def read_docx_text(path: Path) -> str:
    """The text of a .docx: paragraphs and table rows (cells tab-separated), one a line.

    ``word/document.xml`` is read as a stream: each top-level block (a paragraph, a table) is
    turned into text and dropped before the next is parsed, so memory holds one block, not
    the whole document's tree, and reading stops as soon as the text passes its limit."""
    _check_zip(path, ".docx", "word/document.xml", "Word")
    try:
        return join_limited(_docx_stream(path, _docx_xpath()), path)
    except QualcodeError:
        raise
    except Exception as exc:  # lxml and zipfile raise many types for a bad file
        raise _unreadable(path, ".docx", "Word", exc) from exc


def _top_level_blocks(path: Path, part: str, container: str, depth: int) -> Iterator[Any]:
    """Each child of the ``container`` element of a ZIP member, parsed incrementally; a block
    is cleared (with what came before it) once the caller has read it. ``depth`` is the
    container's depth below the root (the root is 1)."""
    import zipfile  # ~3 ms; only office files need it

    from lxml import etree  # ~40 ms, paid only when an office file is imported

    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        # no entities resolved, nothing fetched: the XML comes from anywhere
        parser = etree.XMLPullParser(
            events=("start", "end"), resolve_entities=False, no_network=True, remove_comments=True
        )
        level = 0
        # Fed a chunk at a time, and each chunk's blocks read before the next is fed (and
        # before an error further on in the chunk is raised): a caller that stops (the text
        # is over its limit) leaves the rest unparsed, however it ends.
        while True:
            data = stream.read(_XML_CHUNK)
            error: Exception | None = None
            try:
                if data:
                    parser.feed(data)
                else:
                    parser.close()
            except etree.XMLSyntaxError as exc:
                error = exc
            for event, element in parser.read_events():
                if event == "start":
                    level += 1
                    continue
                level -= 1
                if level != depth:
                    continue
                parent = element.getparent()
                if parent is not None and parent.tag == container:
                    yield element
                    element.clear()
                    while element.getprevious() is not None:
                        del parent[0]
            if error is not None:
                raise error
            if not data:
                return


_XML_CHUNK = 16 * 1024  # bytes of XML parsed at a time


def _docx_stream(path: Path, pieces: Any) -> Iterator[str]:
    for block in _top_level_blocks(path, "word/document.xml", f"{{{_W}}}body", 2):
        yield from _docx_block(block, pieces)


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
        yield from _docx_block(child, pieces)


def _docx_block(child: Any, pieces: Any) -> Iterator[str]:
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
    """The text of an .odt: paragraphs, headings and table rows (cells tab-separated).

    ``content.xml`` is read as a stream, one top-level block at a time, as for .docx."""
    _check_zip(path, ".odt", "content.xml", "Writer")
    try:
        mimetype = _odt_mimetype(path)
        if not mimetype.startswith("application/vnd.oasis.opendocument.text"):
            raise file_error(path, f"is not a text document ({mimetype}); save it as .odt from Writer")
        return join_limited(_odt_stream(path), path)
    except QualcodeError:
        raise
    except Exception as exc:  # lxml and zipfile raise many types for a bad file
        raise _unreadable(path, ".odt", "Writer", exc) from exc


_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
# Not spoken text: comments, footnotes, and the deleted text kept by change tracking.
_ODT_SKIP = {f"{{{_OFFICE}}}annotation", f"{{{_TEXT}}}note", f"{{{_TEXT}}}tracked-changes"}
_ODT_PARAGRAPHS = {f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"}
_ODT_ROW = f"{{{_TABLE}}}table-row"
_ODT_CELL = f"{{{_TABLE}}}table-cell"


def _odt_mimetype(path: Path) -> str:
    """The document's type: the ``mimetype`` member, else the manifest's entry for ``/``."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "mimetype" in names:
            return archive.read("mimetype")[:200].decode("ascii", "replace").strip()
        if "META-INF/manifest.xml" in names:
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            root = etree.fromstring(archive.read("META-INF/manifest.xml"), parser)
            for entry in root.iterfind(f"{{{_MANIFEST}}}file-entry"):
                if entry.get(f"{{{_MANIFEST}}}full-path") == "/":
                    return entry.get(f"{{{_MANIFEST}}}media-type") or ""
    return ""


def _odt_stream(path: Path) -> Iterator[str]:
    for block in _top_level_blocks(path, "content.xml", f"{{{_OFFICE}}}text", 3):
        yield from _odt_block(block)


def _odt_block(element: Any) -> Iterator[str]:
    tag = element.tag
    if not isinstance(tag, str) or tag in _ODT_SKIP:
        return
    if tag in _ODT_PARAGRAPHS:
        yield _odt_inline(element)
    elif tag == _ODT_ROW:
        cells = [
            " ".join(t.strip() for t in _odt_blocks(cell) if t.strip()) for cell in element.iterchildren(_ODT_CELL)
        ]
        if line := "\t".join(c for c in cells if c):
            yield line
    else:
        yield from _odt_blocks(element)


def _odt_blocks(container: Any) -> Iterator[str]:
    for child in container.iterchildren():
        yield from _odt_block(child)


def _odt_inline(element: Any) -> str:
    """A paragraph's text, as odfpy's ``teletype.extractText`` gives it, but skipping
    comments and footnotes (their tail, the text after them, stays)."""
    parts: list[str] = [element.text or ""]
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _ODT_SKIP:
            pass
        elif tag == f"{{{_TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c") or 1))
        elif tag == f"{{{_TEXT}}}tab":
            parts.append("\t")
        elif tag == f"{{{_TEXT}}}line-break":
            parts.append("\n")
        else:
            parts.append(_odt_inline(child))
        parts.append(child.tail or "")
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
