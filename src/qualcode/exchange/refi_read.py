"""Reading a REFI-QDA project (.qdpx) into plain data, before anything is written.

Everything a study import needs is read and checked here first — the archive, the XML,
each source's text, each selection's position — so a hostile or broken file is refused
with the study untouched. The reader tolerates what real tools write: a project file not
named ``project.qde``, ``Sources/`` or ``sources/``, ``plainTextPath`` with or without
``internal://``, text only in the ``.docx`` of ``richTextPath``, ``\\r\\n`` counted as
one character or as two, and namespaces that differ slightly.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from qualcode.core.errors import QualcodeError, file_error
from qualcode.exchange.codes import ReadCodes, codebook_details, codebook_sets, read_codes
from qualcode.exchange.offsets import OffsetMap
from qualcode.exchange.safezip import SafeZip
from qualcode.exchange.xml import child, child_text, children, local, norm_guid, parse_xml
from qualcode.ingest.encoding import MAX_TEXT_CHARS, check_text

# A source's bytes: the transcript limit, with room for a .docx's markup (rich text).
_MAX_SOURCE_BYTES = 4 * MAX_TEXT_CHARS

VALUE_ELEMENTS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")
OTHER_SOURCES = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio", "VideoSource": "video"}


@dataclass
class CodingRef:
    code_guid: str
    user_guid: str
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class Selection:
    guid: str
    name: str
    start: int
    end: int
    user_guid: str
    created: str | None
    codings: list[CodingRef] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class Source:
    guid: str
    name: str
    raw: str  # the text the positions count in, as the tool wrote it
    origin: str  # where the text came from (for messages)
    selections: list[Selection] = field(default_factory=list)
    whole_codings: list[CodingRef] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # variable guid → value
    counting: str = "as written"
    offsets: OffsetMap | None = None
    description: str = ""
    created: str | None = None

    @property
    def text(self) -> str:
        assert self.offsets is not None
        return self.offsets.normalised


@dataclass
class Note:
    guid: str
    name: str
    text: str
    user_guid: str
    created: str | None


@dataclass
class Project:
    path: Path
    name: str
    origin: str = ""
    users: dict[str, str] = field(default_factory=dict)  # guid → name
    codes: ReadCodes = field(default_factory=ReadCodes)
    codebooks: dict[str, str] = field(default_factory=dict)  # code guid → codebook name
    codebook_details: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (description, source)
    variables: dict[str, str] = field(default_factory=dict)  # guid → name
    sources: list[Source] = field(default_factory=list)
    skipped_sources: list[str] = field(default_factory=list)
    notes: dict[str, Note] = field(default_factory=dict)
    project_notes: list[str] = field(default_factory=list)
    code_notes: dict[str, list[str]] = field(default_factory=dict)  # code guid → note guids
    case_values: dict[str, dict[str, str]] = field(default_factory=dict)  # source guid → values
    set_values: dict[str, dict[str, str]] = field(default_factory=dict)  # source guid → org/project
    counts: dict[str, int] = field(default_factory=dict)  # elements as found in the XML


def read_project(path: Path) -> Project:
    """Read and check a .qdpx file; raise a one-line QualcodeError if it cannot be used."""
    with SafeZip(path) as archive:
        info = _project_member(archive, path)
        root = parse_xml(archive.read(info), f"{path} ({info.filename})")
        if local(root.tag) != "Project":
            raise file_error(path, f"{info.filename} is not a REFI-QDA project (its root is <{local(root.tag)}>)")
        project = Project(
            path=path, name=(root.get("name") or path.stem).strip() or path.stem, origin=root.get("origin") or ""
        )
        for user in children(child(root, "Users"), "User"):
            guid = norm_guid(user.get("guid"))
            if guid:
                project.users[guid] = (user.get("name") or user.get("id") or f"user-{guid[:8]}").strip()
        codebook = child(root, "CodeBook")
        project.codes = read_codes(child(codebook, "Codes") if codebook is not None else None)
        project.codebooks = codebook_sets(child(root, "Sets"))
        project.codebook_details = codebook_details(child(root, "Sets"))
        for variable in children(child(root, "Variables"), "Variable"):
            guid = norm_guid(variable.get("guid"))
            if guid and (variable.get("name") or "").strip():
                project.variables[guid] = variable.get("name", "").strip()
        _read_code_notes(root, project)
        for note in children(child(root, "Notes"), "Note"):
            _read_note(note, archive, project)
        project.project_notes = [norm_guid(n.get("targetGUID")) for n in children(root, "NoteRef")]
        sources = child(root, "Sources")
        for element in list(sources) if sources is not None else []:
            kind = local(element.tag)
            if kind == "TextSource":
                _read_source(element, archive, project)
            elif kind in OTHER_SOURCES:
                project.skipped_sources.append(
                    f"{element.get('name') or element.get('guid')}: a {OTHER_SOURCES[kind]} source (qualcode imports text sources)"
                )
        _read_cases(root, project)
        _read_sets(root, project)
    return project


def _project_member(archive: SafeZip, path: Path) -> Any:
    found = archive.find("project.qde")
    if found is not None:
        return found
    candidates = [archive.find(n) for n in archive.names() if n.lower().endswith(".qde")]
    if not candidates:
        raise file_error(path, "no project file (project.qde) in the archive; is this a REFI-QDA .qdpx export?")
    if len(candidates) > 1:
        names = ", ".join(sorted(c.filename for c in candidates if c is not None))
        raise file_error(path, f"several project files in the archive ({names}); expected one .qde")
    return candidates[0]


def _member_path(reference: str) -> tuple[str, bool]:
    """A source reference as a member name, and whether it points inside the archive."""
    ref = reference.strip()
    if ref.lower().startswith("internal://"):
        return ref[len("internal://") :], True
    if "://" in ref:
        return ref, False  # file:// and other locations on the exporting machine
    return ref, True


def _read_member(archive: SafeZip, reference: str) -> tuple[bytes, str] | None:
    name, inside = _member_path(reference)
    if not inside:
        return None
    name = name.replace("\\", "/")
    base = PurePosixPath(name).name
    for candidate in (f"sources/{name}", name, f"sources/{base}"):
        info = archive.find(candidate)
        if info is not None:
            if info.file_size > _MAX_SOURCE_BYTES:
                raise file_error(
                    archive.path,
                    f"{info.filename} unpacks to {info.file_size / 2**20:.0f} MB, over the "
                    f"{_MAX_SOURCE_BYTES // 2**20} MB limit for one source; refused",
                )
            return archive.read(info), info.filename
    return None


def _decode(data: bytes, where: str) -> str:
    from qualcode.ingest import decode_bytes

    if not data.strip():
        return ""
    text, _encoding = decode_bytes(data, Path(where))
    return text


def _docx_text(data: bytes, where: str) -> str:
    from qualcode.ingest.office import read_docx_text

    with tempfile.TemporaryDirectory() as folder:
        temp = Path(folder) / "source.docx"
        temp.write_bytes(data)
        try:
            return read_docx_text(temp)
        except QualcodeError as exc:
            raise QualcodeError(f"{where}: {str(exc).split(': ', 1)[-1]}") from None


def _source_text(element: Any, archive: SafeZip, label: str) -> tuple[str, str]:
    """The source's raw text and where it came from ('' when there is none)."""
    text, origin = _source_text_unchecked(element, archive, label)
    # Before anything segments it: one 200 MB line would otherwise reach spaCy.
    check_text(text, f"{archive.path} ({origin})")
    return text, origin


def _source_text_unchecked(element: Any, archive: SafeZip, label: str) -> tuple[str, str]:
    inline = child(element, "PlainTextContent")
    if inline is not None and (inline.text or "").strip():
        return inline.text or "", "PlainTextContent"
    plain = element.get("plainTextPath")
    if plain:
        found = _read_member(archive, plain)
        if found is not None:
            text = _decode(found[0], f"{archive.path} ({found[1]})")
            if text.strip():
                return text, found[1]
    rich = element.get("richTextPath")
    if rich and rich.lower().endswith(".docx"):
        found = _read_member(archive, rich)
        if found is not None:
            text = _docx_text(found[0], f"{archive.path} ({found[1]})")
            if text.strip():
                return text, found[1]
    tried = [PurePosixPath(_member_path(r)[0]).name for r in (plain, rich) if r]
    return "", (" and ".join(tried) + (" are" if len(tried) > 1 else " is") + " empty") if tried else "no text given"


def _codings(parent: Any) -> list[CodingRef]:
    found = []
    for coding in children(parent, "Coding"):
        ref = child(coding, "CodeRef")
        found.append(
            CodingRef(
                code_guid=norm_guid(ref.get("targetGUID") if ref is not None else ""),
                user_guid=norm_guid(coding.get("creatingUser")),
                created=coding.get("creationDateTime"),
                notes=[norm_guid(n.get("targetGUID")) for n in children(coding, "NoteRef")],
            )
        )
    return found


def _values(element: Any) -> dict[str, str]:
    values: dict[str, str] = {}
    for value in children(element, "VariableValue"):
        ref = child(value, "VariableRef")
        guid = norm_guid(ref.get("targetGUID") if ref is not None else "")
        for kind in VALUE_ELEMENTS:
            found = child(value, kind)
            if found is not None and guid and (found.text or "").strip():
                values[guid] = (found.text or "").strip()
    return values


def _position(value: str | None, what: str, label: str, path: Path) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        raise file_error(path, f"source “{label}”: {what} {value!r} is not a whole number") from None


# Lines qualcode writes in a Description so that a round trip keeps what REFI has no field
# for; other tools show them as text, and the importer reads them back.
SOURCE_FILE_LINE = "qualcode source file: "
ORIGIN_LINE = "qualcode origin: "


def described(description: str, prefix: str) -> str | None:
    """The value of a ``prefix`` line in a Description, if there is one."""
    for line in description.splitlines():
        if line.startswith(prefix) and line[len(prefix) :].strip():
            return line[len(prefix) :].strip()
    return None


def _read_source(element: Any, archive: SafeZip, project: Project) -> None:
    guid = norm_guid(element.get("guid"))
    plain = element.get("plainTextPath") or ""
    label = (element.get("name") or "").strip() or (
        PurePosixPath(plain).stem if plain else f"source {len(project.sources) + 1}"
    )
    raw, origin = _source_text(element, archive, label)
    source = Source(
        guid=guid,
        name=label,
        raw=raw,
        origin=origin,
        values=_values(element),
        description=child_text(element, "Description"),
        created=element.get("creationDateTime"),
    )
    source.notes = [norm_guid(n.get("targetGUID")) for n in children(element, "NoteRef")]
    source.whole_codings = _codings(element)
    for selection in children(element, "PlainTextSelection"):
        source.selections.append(
            Selection(
                guid=norm_guid(selection.get("guid")),
                name=selection.get("name") or "",
                start=_position(selection.get("startPosition"), "startPosition", label, project.path),
                end=_position(selection.get("endPosition"), "endPosition", label, project.path),
                user_guid=norm_guid(selection.get("creatingUser")),
                created=selection.get("creationDateTime"),
                codings=_codings(selection),
                notes=[norm_guid(n.get("targetGUID")) for n in children(selection, "NoteRef")],
                description=child_text(selection, "Description"),
            )
        )
    if raw.strip():
        choose_counting(source)
    project.sources.append(source)


def _read_note(element: Any, archive: SafeZip, project: Project) -> None:
    guid = norm_guid(element.get("guid"))
    text = child_text(element, "PlainTextContent")
    if not text.strip() and element.get("plainTextPath"):
        found = _read_member(archive, element.get("plainTextPath") or "")
        if found is not None:
            text = _decode(found[0], f"{archive.path} ({found[1]})")
    if guid and text.strip():
        project.notes[guid] = Note(
            guid=guid,
            name=(element.get("name") or "").strip(),
            text=text,  # as written: leading and trailing whitespace of a memo are the coder's
            user_guid=norm_guid(element.get("creatingUser")),
            created=element.get("creationDateTime"),
        )


def _read_code_notes(root: Any, project: Project) -> None:
    codebook = child(root, "CodeBook")
    codes = child(codebook, "Codes") if codebook is not None else None
    if codes is None:
        return
    for code in codes.iter():
        if local(code.tag) == "Code":
            refs = [norm_guid(n.get("targetGUID")) for n in children(code, "NoteRef")]
            if refs:
                project.code_notes[norm_guid(code.get("guid"))] = refs


def _read_cases(root: Any, project: Project) -> None:
    """Case variable values apply to the case's sources (where a source has none itself)."""
    for case in children(child(root, "Cases"), "Case"):
        values = _values(case)
        for ref in children(case, "SourceRef"):
            target = project.case_values.setdefault(norm_guid(ref.get("targetGUID")), {})
            for key, value in values.items():
                target.setdefault(key, value)


def _read_sets(root: Any, project: Project) -> None:
    """Sets named ``organisation: X`` / ``project: ORG / X`` (qualcode's own) give sources
    their organisation and project when no variable does."""
    for element in children(child(root, "Sets"), "Set"):
        name = element.get("name") or ""
        kind, _, value = name.partition(": ")
        kind = kind.strip().casefold()
        if kind not in ("organisation", "project") or not value.strip():
            continue
        if kind == "project" and " / " in value:
            value = value.split(" / ", 1)[1]
        for member in children(element, "MemberSource"):
            project.set_values.setdefault(norm_guid(member.get("targetGUID")), {}).setdefault(kind, value.strip())


# -- line endings ----------------------------------------------------------------------------


def _boundary(text: str, i: int) -> int:
    return int(i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum()))


def _fits(text: str, selection: Selection) -> int:
    """How well a selection lines up in a text: its name (when it quotes the text) is
    strongest evidence; otherwise whether both ends fall between words."""
    if not 0 <= selection.start < selection.end <= len(text):
        return -4
    piece = " ".join(text[selection.start : selection.end].split())
    name = " ".join(selection.name.split())
    if name:
        if piece == name:
            return 4
        if name.endswith("…") and len(name) > 1 and piece.startswith(name[:-1].rstrip()):
            return 4
    return _boundary(text, selection.start) + _boundary(text, selection.end)


def choose_counting(source: Source) -> None:
    """Decide whether the tool counted ``\\r\\n`` as two characters or one: the reading under
    which the selections line up best wins (as written when they tie)."""
    candidates = [("as written", source.raw)]
    if "\r\n" in source.raw:
        candidates.append(("CRLF counted as one character", source.raw.replace("\r\n", "\n")))
    best, best_score = candidates[0], None
    for candidate in candidates:
        score = sum(_fits(candidate[1], s) for s in source.selections)
        if best_score is None or score > best_score:
            best, best_score = candidate, score
    source.counting = best[0]
    source.raw = best[1]
    source.offsets = OffsetMap(best[1])
