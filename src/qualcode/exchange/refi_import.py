"""REFI-QDA into a study: a .qdc into the codebook, a .qdpx as the study's contents.

A .qdpx is read completely first (:mod:`qualcode.exchange.refi_read`); then everything is
written in one action, so a failure half-way leaves the study as it was. A coding that
cannot be placed (position out of range, unknown code, empty source) is listed in the
summary with its source and code — never silently dropped.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import QualcodeError, file_error
from qualcode.exchange.codes import codebook_details, codebook_sets, read_codes, split_codebooks
from qualcode.exchange.refi_read import (
    ORIGIN_LINE,
    SOURCE_FILE_LINE,
    CodingRef,
    Project,
    Source,
    described,
    read_project,
)
from qualcode.exchange.xml import child, local, parse_xml
from qualcode.store import codings as codingsql
from qualcode.store import exchange as sql
from qualcode.study.codebook import Codebook

if TYPE_CHECKING:
    from qualcode.study.study import Study

Progress = Callable[[int, int, str], None]
LANGUAGES = ("nl", "en")


@dataclass
class ImportSummary:
    """What an import brought in and what it could not place."""

    path: Path
    name: str = ""
    sources: int = 0
    codes: int = 0
    codings: int = 0
    notes: int = 0
    variables: int = 0
    users: int = 0
    not_placed: list[str] = field(default_factory=list)
    skipped_sources: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Imported {self.path.name}: {self.sources} source(s), {self.codes} code(s), {self.codings} coding(s), "
            f"{self.notes} note(s), {self.variables} variable(s), {self.users} user(s)."
        ]
        out += [f"Not imported: {s}" for s in self.skipped_sources]
        out += [f"Not placed: {s}" for s in self.not_placed]
        out += [f"Note: {s}" for s in self.remarks]
        return out


# -- codebooks -------------------------------------------------------------------------------


def read_qdc(path: Path) -> list[Codebook]:
    """The codebooks of a .qdc file (or of the CodeBook inside a .qde)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise file_error(path, "no such file") from None
    except OSError as exc:
        raise file_error(path, exc.strerror or str(exc)) from None
    if len(data) > 64 * 1024 * 1024:
        raise file_error(path, "larger than 64 MB; not a codebook")
    root = parse_xml(data, str(path))
    if local(root.tag) == "Project":
        root = child(root, "CodeBook")
        if root is None:
            raise file_error(path, "the project has no CodeBook")
    if local(root.tag) != "CodeBook":
        raise file_error(path, f"not a REFI-QDA codebook (its root is <{local(root.tag)}>)")
    read = read_codes(child(root, "Codes"))
    if not read.roots:
        raise file_error(path, "the codebook holds no codes")
    sets = child(root, "Sets")
    return split_codebooks(read, codebook_sets(sets), path.stem, codebook_details(sets))


def import_qdc(study: Study, path: Path | str) -> dict[str, int]:
    """Merge a .qdc codebook into the study by code path (one undoable action)."""
    path = Path(path)
    books = read_qdc(path)
    totals = {"added": 0, "updated": 0, "codes": 0}
    with study.store.action(f"import codebook {path.name}", coder_id=study.coder_id):
        for book in books:
            for key, value in study.merge_codebook(book, path).items():
                totals[key] = totals.get(key, 0) + value
    return totals


# -- projects --------------------------------------------------------------------------------


def import_qdpx(study: Study, path: Path | str, progress: Progress | None = None) -> ImportSummary:
    """Import a .qdpx project into an empty study (one action; nothing written on error)."""
    path = Path(path)
    if sql.document_count(study.store) > 0:
        raise QualcodeError(
            f"{path}: the study already has documents; import a .qdpx into a new or empty study "
            f"(`qualcode import --study NEW.qualcode {path.name}`)"
        )
    return _import(study, read_project(path), progress)


def _import(study: Study, project: Project, progress: Progress | None) -> ImportSummary:
    summary = ImportSummary(path=project.path, name=project.name)
    with study.store.action(f"import {project.path.name}", record=False):
        _write(study, project, summary, progress)
    return summary


def _write(study: Study, project: Project, summary: ImportSummary, progress: Progress | None) -> None:
    store = study.store
    coder_ids: dict[str, int] = {}

    def coder_for(guid: str) -> int:
        if guid in project.users:
            if guid not in coder_ids:
                coder_ids[guid] = codingsql.coder_id(store, project.users[guid])
            return coder_ids[guid]
        return study.coder_id

    for guid in project.users:
        coder_for(guid)
    summary.users = len(project.users)

    code_ids = _write_codes(study, project, summary)
    documents, duplicates = _write_sources(study, project, summary, progress)

    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, int, int, int, int]] = set()
    memos: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    dates: dict[tuple[str, int, int], str] = {}  # a memo's date: its newest note's
    used_notes: set[str] = set()

    def note_memo(key: tuple[str, int, int], text: str, note: Any) -> None:
        memos[key].append(text)
        stamp = _stamp(note.created)
        if stamp and stamp > dates.get(key, ""):
            dates[key] = stamp

    def place(
        source: Source,
        start: int,
        end: int,
        ref: CodingRef,
        fallback_user: str,
        created: str | None,
        notes: list[str],
        where: str,
        selection_description: str = "",
    ) -> None:
        code_path = project.codes.paths.get(ref.code_guid)
        label = "/".join(code_path) if code_path else f"code {ref.code_guid or '(none)'}"
        if code_path is None:
            summary.not_placed.append(f"{source.name}, {where}, {label}: the code is not in the codebook")
            return
        doc_id = documents.get(source.guid)
        if doc_id is None:
            summary.not_placed.append(f"{source.name}, {where}, {label}: the source was not imported (no text)")
            return
        assert source.offsets is not None
        if not 0 <= start < end <= source.offsets.raw_length:
            summary.not_placed.append(
                f"{source.name}, {where}, {label}: positions outside the text ({source.offsets.raw_length} characters)"
            )
            return
        a, b = source.offsets.start(start), source.offsets.end(end)
        if a >= b:
            summary.not_placed.append(
                f"{source.name}, {where}, {label}: the selection is only whitespace or control characters"
            )
            return
        coder_id = coder_for(ref.user_guid or fallback_user)
        key = (doc_id, code_ids[code_path], coder_id, a, b)
        if key in seen:
            summary.remarks.append(f"{source.name}, {where}, {label}: the same coding twice; kept once")
            return
        seen.add(key)
        texts = [project.notes[n].text for n in notes if n in project.notes]
        used_notes.update(notes)
        rows.append(
            {
                "document_id": doc_id,
                "code_id": code_ids[code_path],
                "coder_id": coder_id,
                "start": a,
                "end": b,
                "memo": "\n\n".join(texts),
                # qualcode's own exports say how a coding was made (manual, suggested, …).
                "origin": described(selection_description, ORIGIN_LINE) or "import",
                "created_at": _stamp(ref.created or created),
            }
        )

    for source in project.sources:
        for selection in source.selections:
            where = f"positions {selection.start}–{selection.end}"
            for ref in selection.codings:
                place(
                    source,
                    selection.start,
                    selection.end,
                    ref,
                    selection.user_guid,
                    selection.created,
                    [*selection.notes, *ref.notes],
                    where,
                    selection.description,
                )
            if not selection.codings and selection.notes:
                used_notes.update(selection.notes)
                doc_id = documents.get(source.guid)
                if doc_id is not None:
                    for n in selection.notes:
                        if n in project.notes:
                            note = project.notes[n]
                            note_memo(
                                ("document", doc_id, coder_for(note.user_guid)),
                                f"[{selection.start}–{selection.end}] {note.text}",
                                note,
                            )
        for ref in source.whole_codings:
            place(
                source, 0, source.offsets.raw_length if source.offsets else 0, ref, "", None, ref.notes, "whole source"
            )
        doc_id = documents.get(source.guid)
        if doc_id is not None:
            for n in source.notes:
                if n in project.notes:
                    used_notes.add(n)
                    note = project.notes[n]
                    note_memo(("document", doc_id, coder_for(note.user_guid)), note.text, note)
    sql.insert_codings(store, rows)
    summary.codings = len(rows)
    summary.remarks += [f"“{name}” has the same text as “{first}”; imported once" for name, first in duplicates]

    for code_guid, note_guids in project.code_notes.items():
        code_path = project.codes.paths.get(code_guid)
        for n in note_guids:
            if code_path is not None and n in project.notes:
                used_notes.add(n)
                note = project.notes[n]
                note_memo(("code", code_ids[code_path], coder_for(note.user_guid)), note.text, note)
    for n in project.project_notes:
        if n in project.notes:
            used_notes.add(n)
            note = project.notes[n]
            note_memo(("study", 0, coder_for(note.user_guid)), note.text, note)
    loose = [note for guid, note in project.notes.items() if guid not in used_notes]
    for note in loose:
        heading = f"{note.name}\n" if note.name else ""
        note_memo(("study", 0, coder_for(note.user_guid)), heading + note.text, note)
    if loose:
        summary.remarks.append(f"{len(loose)} note(s) not attached to anything were added to the study memo")
    _write_memos(store, memos, dates)
    summary.notes = len(project.notes)


def _write_codes(study: Study, project: Project, summary: ImportSummary) -> dict[tuple[str, ...], int]:
    # qualcode's own exports name every codebook in a set; its other codes had none
    ours = project.origin.startswith("qualcode")
    books = split_codebooks(project.codes, project.codebooks, "" if ours else project.name, project.codebook_details)
    for book in books:
        study.merge_codebook(book, project.path)
    if ours:
        sql.clear_empty_codebook_names(study.store)
    summary.codes = len(project.codes.paths)
    if project.codes.renamed:
        summary.remarks.append("code names with “/” renamed: " + "; ".join(project.codes.renamed))
    if project.codes.merged:
        summary.remarks.append("codes with the same name under one parent merged: " + "; ".join(project.codes.merged))
    return {tuple(c.path.split("/")): c.id for c in study.codes()}


def _write_sources(
    study: Study, project: Project, summary: ImportSummary, progress: Progress | None
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    documents: dict[str, int] = {}
    by_digest: dict[str, tuple[int, str]] = {}
    duplicates: list[tuple[str, str]] = []
    summary.skipped_sources.extend(project.skipped_sources)
    names = project.variables
    summary.variables = len(names)
    total = len(project.sources)
    for done, source in enumerate(project.sources, start=1):
        if progress is not None:
            progress(done - 1, total, source.name)
        if source.offsets is None or not source.text.strip():
            summary.skipped_sources.append(f"{source.name}: no text ({source.origin})")
            continue
        digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
        if digest in by_digest:
            documents[source.guid] = by_digest[digest][0]
            duplicates.append((source.name, by_digest[digest][1]))
            continue
        meta = _metadata(project, source)
        source_name = described(source.description, SOURCE_FILE_LINE) or source.name
        doc_id = study.add_document(source.text, title=source.name, source_name=source_name, metadata=meta)
        created = _stamp(source.created)
        if created:
            sql.set_imported_at(study.store, doc_id, created)
        documents[source.guid] = doc_id
        by_digest[digest] = (doc_id, source.name)
        summary.sources += 1
        if source.counting != "as written":
            summary.remarks.append(f"{source.name}: positions read with {source.counting}")
    if progress is not None:
        progress(total, total, "codings")
    return documents, duplicates


def _metadata(project: Project, source: Source) -> dict[str, str]:
    values = dict(project.set_values.get(source.guid, {}))
    for layer in (project.case_values.get(source.guid, {}), source.values):
        for guid, value in layer.items():
            name = project.variables.get(guid)
            if name:
                values[name] = value
    meta = {k: v for k, v in values.items() if k.strip().lower() not in ("title",)}
    language = meta.get("language") or meta.get("Language")
    if language is not None and language.strip().lower() not in LANGUAGES:
        meta.pop("language", None)
        meta.pop("Language", None)
        meta["source_language"] = language
    return meta


def _write_memos(
    store: Any, memos: dict[tuple[str, int, int], list[str]], dates: dict[tuple[str, int, int], str]
) -> None:
    fresh = []
    for key, texts in memos.items():
        target, target_id, coder_id = key
        text = "\n\n".join(texts)
        existing = sql.existing_memo(store, target, target_id, coder_id)
        if existing is not None:
            sql.append_memo(store, existing["id"], "\n\n" + text)
        else:
            fresh.append(
                {
                    "target": target,
                    "target_id": target_id,
                    "coder_id": coder_id,
                    "text": text,
                    "updated_at": dates.get(key),
                }
            )
    sql.insert_memos(store, fresh)


def _stamp(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def import_qdpx_new(
    study_path: Path, qdpx: Path, coder: str | None = None, progress: Progress | None = None
) -> ImportSummary:
    """Create a study at ``study_path`` and import a .qdpx into it; on any error no study
    file is left behind."""
    from qualcode.study.study import Study

    project = read_project(qdpx)  # refuse a bad file before creating anything
    study = Study.create(study_path, project.name, coder)
    try:
        summary = _import(study, project, progress)
    except BaseException:
        study.close()
        for leftover in (study_path, Path(f"{study_path}-wal"), Path(f"{study_path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    study.close()
    return summary
