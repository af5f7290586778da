"""A study out as a REFI-QDA project (.qdpx) or codebook (.qdc).

What goes where, and why:

- Each document is a ``TextSource`` whose text is ``sources/<guid>.txt`` (UTF-8, ``\\n``),
  exactly the stored normalised text, so selection positions are qualcode's own offsets
  (code points, end-exclusive — the REFI convention) with no conversion.
- Each coding is its own ``PlainTextSelection`` with one ``Coding``: a coding's memo
  then has one obvious home (a ``NoteRef`` on the selection), and the selection's
  ``name`` carries the coded text, which NVivo and MAXQDA show as a preview.
- Document metadata (organisation, project, role, participant, interview date, language)
  and free attributes are ``Variables`` with ``VariableValue`` s on each ``TextSource``:
  MAXQDA reads these as document variables and QualCoder as file attributes. One ``Case``
  per participant, referring to that person's documents and carrying the values their
  documents share, gives NVivo and ATLAS.ti the person-as-case view their users expect.
- Organisations and projects are ``Sets`` of sources, not Cases: in every tool a set of
  documents (MAXQDA's document set, ATLAS.ti's document group, NVivo's static set) is
  what a programme or an organisation is, whereas a Case is a unit of analysis that holds
  variables; the values are also variables, so tools that ignore Sets keep them.
- Codebooks are ``Sets`` of codes named ``codebook: NAME``, so a re-import keeps them.
- Memos are ``Notes``: the study memo via the project's ``NoteRef``, document memos on
  their source, code memos on their code, coding memos on their selection.

GUIDs are uuid5 of the study's exchange UUID and each row id, so re-exports diff cleanly.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import file_error
from qualcode.core.files import atomic_output
from qualcode.exchange.codes import CODEBOOK_SET_PREFIX, compose_codebook_description, compose_description
from qualcode.exchange.refi_read import ORIGIN_LINE, SOURCE_FILE_LINE
from qualcode.exchange.safezip import fixed_member
from qualcode.exchange.xml import CODEBOOK_NS, PROJECT_NS, XSI_NS, Guids
from qualcode.store import exchange as sql

if TYPE_CHECKING:
    from qualcode.core.models import Code
    from qualcode.study.study import Study

Progress = Callable[[int, int, str], None]
METADATA_VARIABLES = ("organisation", "project", "role", "participant", "interview_date", "language")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_INTEGER = re.compile(r"^-?(0|[1-9]\d{0,17})$")
NAME_PREVIEW = 200


@dataclass
class ExportSummary:
    path: Path
    sources: int = 0
    codes: int = 0
    codings: int = 0
    notes: int = 0
    variables: int = 0
    users: int = 0
    sets: int = 0


def _origin() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"qualcode {version('qualcode')}"
    except PackageNotFoundError:
        return "qualcode"


class _Writer:
    """Builds the XML tree; one instance per export."""

    def __init__(self, namespace: str) -> None:
        from lxml import etree  # ~20 ms, only when exporting

        self.etree = etree
        self.ns = "{" + namespace + "}"
        self.namespace = namespace

    def root(self, tag: str, schema: str, /, **attrs: str) -> Any:
        element = self.etree.Element(self.ns + tag, nsmap={None: self.namespace, "xsi": XSI_NS})
        element.set(f"{{{XSI_NS}}}schemaLocation", f"{self.namespace} {schema}")
        for key, value in attrs.items():
            element.set(key, value)
        return element

    def add(self, parent: Any, tag: str, text: str | None = None, /, **attrs: str | None) -> Any:
        if None in attrs.values():
            attrs = {k: v for k, v in attrs.items() if v is not None}
        element = self.etree.SubElement(parent, self.ns + tag, attrs)
        if text is not None:
            element.text = _xml_text(text)
        return element

    def bytes(self, root: Any) -> bytes:
        return self.etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters; stored texts have none, memos might.
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def _datetime(value: str | None) -> str | None:
    return value if value and _DATETIME.match(value) else None


def _code_elements(
    w: _Writer, parent: Any, codes: list[Code], guids: Guids, notes: dict[int, list[str]] | None
) -> None:
    by_parent: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        by_parent[code.parent_id].append(code)

    def visit(container: Any, parent_id: int | None) -> None:
        for code in by_parent.get(parent_id, []):
            element = w.add(
                container, "Code", guid=guids("code", code.id), name=code.name, isCodable="true", color=code.color
            )
            description = compose_description(code)
            if description:
                w.add(element, "Description", description)
            for note in (notes or {}).get(code.id, []):
                w.add(element, "NoteRef", targetGUID=note)
            visit(element, code.id)

    visit(w.add(parent, "Codes"), None)


def _codebook_sets(
    w: _Writer, sets: Any, codes: list[Code], guids: Guids, member_attr: str, details: dict[str, tuple[str, str]]
) -> int:
    roots = {c.id: (c.codebook or "") for c in codes if c.parent_id is None}
    book_of: dict[int, str] = {}
    for code in codes:  # parents come before children
        book_of[code.id] = roots[code.id] if code.parent_id is None else book_of[code.parent_id]
    members: dict[str, list[int]] = defaultdict(list)
    for code in codes:
        if book_of[code.id]:
            members[book_of[code.id]].append(code.id)
    for book, ids in members.items():
        element = w.add(sets, "Set", guid=guids("codebook", book), name=CODEBOOK_SET_PREFIX + book)
        description = compose_codebook_description(*details.get(book, ("", "")))
        if description:
            w.add(element, "Description", description)
        for code_id in ids:
            w.add(element, "MemberCode", **{member_attr: guids("code", code_id)})
    return len(members)


def _codebook_details(study: Study) -> dict[str, tuple[str, str]]:
    """codebook name → (description, source), for the codebook sets' Descriptions."""
    return {book.name: (book.description, book.source) for book in study.codebooks()}


def export_qdc(study: Study, path: Path | str) -> ExportSummary:
    """Write the study's codebook as a REFI-QDA .qdc file (valid against Codebook.xsd)."""
    path = Path(path)
    guids = Guids(sql.study_uuid(study.store))
    codes = study.codes()
    w = _Writer(CODEBOOK_NS)
    root = w.root("CodeBook", "Codebook.xsd", origin=_origin())
    summary = ExportSummary(path, codes=len(codes))
    if codes:
        _code_elements(w, root, codes, guids, None)
    else:
        raise file_error(path, "the study has no codes to export; import or add a codebook first")
    sets = w.add(root, "Sets")
    summary.sets = _codebook_sets(w, sets, codes, guids, "guid", _codebook_details(study))
    if not summary.sets:
        root.remove(sets)
    _write_atomically(path, lambda handle: handle.write(w.bytes(root)))
    return summary


def export_qdpx(study: Study, path: Path | str, progress: Progress | None = None) -> ExportSummary:
    """Write the whole study as a REFI-QDA .qdpx project (valid against Project.xsd)."""
    path = Path(path)
    store = study.store
    guids = Guids(sql.study_uuid(store))
    summary = ExportSummary(path)
    w = _Writer(PROJECT_NS)
    coders = {r["id"]: r["name"] for r in sql.coders(store)}
    user = {cid: guids("user", cid) for cid in coders}
    root = w.root("Project", "Project.xsd", name=study.name, origin=_origin())
    # The exporting coder is named only if already in the study: an export never writes to
    # it (Study.coder_id would add a newcomer, and a read-only study could not be exported).
    exporter = next((cid for cid, name in coders.items() if name == study.coder), None)
    if exporter is not None:
        root.set("creatingUserGUID", user[exporter])

    memos = sql.memos(store)
    notes_on: dict[tuple[str, int], list[str]] = defaultdict(list)
    for memo in memos:
        notes_on[(memo["target"], memo["target_id"])].append(guids("note", memo["id"]))
    codings = sql.codings(store)
    codes = study.codes()
    documents = sql.documents(store)
    attributes: dict[int, dict[str, str]] = defaultdict(dict)
    for row in sql.attributes(store):
        attributes[row["document_id"]][row["name"]] = row["value"]
    values: dict[int, dict[str, str]] = {}
    for doc in documents:
        meta = {k: doc[k] for k in METADATA_VARIABLES if doc[k]}
        values[doc["id"]] = {**meta, **attributes.get(doc["id"], {})}

    if coders:
        users = w.add(root, "Users")
        for cid, name in coders.items():
            w.add(users, "User", guid=user[cid], name=name)
        summary.users = len(coders)
    if codes:
        code_notes = {target_id: g for (target, target_id), g in notes_on.items() if target == "code"}
        _code_elements(w, w.add(root, "CodeBook"), codes, guids, code_notes)
        summary.codes = len(codes)
    variable_names = sorted({name for v in values.values() for name in v}, key=_variable_order)
    variable_guid = {name: guids("variable", name) for name in variable_names}
    if variable_names:
        variables = w.add(root, "Variables")
        for name in variable_names:
            w.add(
                variables, "Variable", guid=variable_guid[name], name=name, typeOfVariable=_variable_type(name, values)
            )
        summary.variables = len(variable_names)
    types = {name: _variable_type(name, values) for name in variable_names}
    _cases(w, root, documents, values, guids, variable_guid, types)

    code_guid = {code.id: guids("code", code.id) for code in codes}
    by_document: dict[int, list[Any]] = defaultdict(list)
    for coding in codings:
        by_document[coding["document_id"]].append(coding)
    texts: dict[int, str] = dict(sql.document_texts(store))
    sources = w.add(root, "Sources") if documents else None
    total = len(documents)
    for done, doc in enumerate(documents, start=1):
        text = texts[doc["id"]]
        guid = guids("source", doc["id"])
        source = w.add(
            sources,
            "TextSource",
            guid=guid,
            name=doc["title"],
            plainTextPath=f"internal://{guid}.txt",
            creationDateTime=_datetime(doc["imported_at"]),
        )
        if doc["source_name"] and doc["source_name"] != doc["title"]:
            # REFI has no field for the file a source came from; a line the importer reads back.
            w.add(source, "Description", f"{SOURCE_FILE_LINE}{doc['source_name']}")
        for coding in by_document.get(doc["id"], []):
            start, end = coding["start"], coding["end"]
            passage = text[start:end]
            creator = user.get(coding["coder_id"])
            stamp = _datetime(coding["created_at"])
            selection = w.add(
                source,
                "PlainTextSelection",
                guid=guids("selection", coding["id"]),
                name=passage if len(passage) <= NAME_PREVIEW else passage[: NAME_PREVIEW - 1] + "…",
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=creator,
                creationDateTime=stamp,
            )
            # How the coding was made (manual, suggested, in-vivo), which REFI has no field for.
            w.add(selection, "Description", f"{ORIGIN_LINE}{coding['origin']}")
            link = w.add(
                selection, "Coding", guid=guids("coding", coding["id"]), creatingUser=creator, creationDateTime=stamp
            )
            w.add(link, "CodeRef", targetGUID=code_guid[coding["code_id"]])
            if coding["memo"]:
                w.add(selection, "NoteRef", targetGUID=guids("coding-note", coding["id"]))
        for note in notes_on.get(("document", doc["id"]), []):
            w.add(source, "NoteRef", targetGUID=note)
        _variable_values(w, source, values[doc["id"]], variable_guid, types)
        summary.codings += len(by_document.get(doc["id"], []))
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total + 1, doc["title"])
    summary.sources = total

    summary.notes = _notes(w, root, memos, codings, coders, user, guids)
    summary.sets = _sets(w, root, documents, codes, guids, _codebook_details(study))
    for note in notes_on.get(("study", 0), []):
        w.add(root, "NoteRef", targetGUID=note)

    project_xml = w.bytes(root)

    def write(handle: Any) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr(fixed_member("project.qde"), project_xml)
            for doc in documents:
                guid = guids("source", doc["id"])
                archive.writestr(fixed_member(f"sources/{guid}.txt"), texts[doc["id"]].encode("utf-8"))

    _write_atomically(path, write)
    if progress is not None:
        progress(total + 1, total + 1, path.name)
    return summary


def _variable_order(name: str) -> tuple[int, str]:
    return (METADATA_VARIABLES.index(name) if name in METADATA_VARIABLES else len(METADATA_VARIABLES), name)


def _variable_type(name: str, values: dict[int, dict[str, str]]) -> str:
    """Date or Integer when every value is one (tools then sort and filter them right)."""
    found = [v[name] for v in values.values() if name in v]
    if found and all(_DATE.match(x) for x in found):
        return "Date"
    if found and all(_INTEGER.match(x) for x in found):
        return "Integer"
    return "Text"


_VALUE_ELEMENT = {"Date": "DateValue", "Integer": "IntegerValue", "Text": "TextValue"}


def _variable_values(
    w: _Writer, parent: Any, values: dict[str, str], guid: dict[str, str], types: dict[str, str]
) -> None:
    for name in sorted(values, key=_variable_order):
        element = w.add(parent, "VariableValue")
        w.add(element, "VariableRef", targetGUID=guid[name])
        w.add(element, _VALUE_ELEMENT[types[name]], values[name])


def _cases(
    w: _Writer,
    root: Any,
    documents: list[Any],
    values: dict[int, dict[str, str]],
    guids: Guids,
    variable_guid: dict[str, str],
    types: dict[str, str],
) -> None:
    people: dict[str, list[int]] = defaultdict(list)
    for doc in documents:
        if doc["participant"]:
            people[doc["participant"]].append(doc["id"])
    if not people:
        return
    cases = w.add(root, "Cases")
    for person, doc_ids in sorted(people.items()):
        case = w.add(cases, "Case", guid=guids("case", person), name=person)
        shared = dict(values[doc_ids[0]])
        for other in doc_ids[1:]:
            shared = {k: v for k, v in shared.items() if values[other].get(k) == v}
        _variable_values(w, case, shared, variable_guid, types)
        for doc_id in doc_ids:
            w.add(case, "SourceRef", targetGUID=guids("source", doc_id))


def _notes(
    w: _Writer,
    root: Any,
    memos: list[Any],
    codings: list[Any],
    coders: dict[int, str],
    user: dict[int, str],
    guids: Guids,
) -> int:
    coding_memos = [c for c in codings if c["memo"]]
    if not memos and not coding_memos:
        return 0
    notes = w.add(root, "Notes")
    for memo in memos:
        label = "study" if memo["target"] == "study" else f"{memo['target']} {memo['target_id']}"
        note = w.add(
            notes,
            "Note",
            guid=guids("note", memo["id"]),
            name=f"Memo on {label} by {coders.get(memo['coder_id'], '?')}",
            creatingUser=user.get(memo["coder_id"]),
            creationDateTime=_datetime(memo["updated_at"]),
        )
        w.add(note, "PlainTextContent", memo["text"])
    for coding in coding_memos:
        note = w.add(
            notes,
            "Note",
            guid=guids("coding-note", coding["id"]),
            name=f"Memo on coding {coding['id']}",
            creatingUser=user.get(coding["coder_id"]),
            creationDateTime=_datetime(coding["created_at"]),
        )
        w.add(note, "PlainTextContent", coding["memo"])
    return len(memos) + len(coding_memos)


def _sets(
    w: _Writer, root: Any, documents: list[Any], codes: list[Code], guids: Guids, details: dict[str, tuple[str, str]]
) -> int:
    organisations: dict[str, list[int]] = defaultdict(list)
    projects: dict[tuple[str, str], list[int]] = defaultdict(list)
    for doc in documents:
        if doc["organisation"]:
            organisations[doc["organisation"]].append(doc["id"])
        if doc["project"]:
            projects[(doc["organisation"] or "", doc["project"])].append(doc["id"])
    if not organisations and not projects and not any(c.codebook for c in codes):
        return 0
    sets = w.add(root, "Sets")
    count = _codebook_sets(w, sets, codes, guids, "targetGUID", details)
    for name, ids in sorted(organisations.items()):
        element = w.add(sets, "Set", guid=guids("organisation-set", name), name=f"organisation: {name}")
        for doc_id in ids:
            w.add(element, "MemberSource", targetGUID=guids("source", doc_id))
    for (org, name), ids in sorted(projects.items()):
        label = f"{org} / {name}" if org else name
        element = w.add(sets, "Set", guid=guids("project-set", label), name=f"project: {label}")
        for doc_id in ids:
            w.add(element, "MemberSource", targetGUID=guids("source", doc_id))
    if not len(sets):
        root.remove(sets)
        return 0
    return count + len(organisations) + len(projects)


def _write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    """Write beside the target and move into place, so a failed export leaves no half file."""
    with atomic_output(path, "wb") as handle:
        write(handle)
