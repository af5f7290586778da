"""Importing transcripts into a study: read, check, segment, store.

Files are read and checked first, all of them; only then is anything written. A batch with a
bad file is refused whole (unless the user asks to skip bad files), so bad input leaves the
study unchanged. Each document is then committed on its own, so an interrupted import keeps
what it finished and a second run skips those as duplicates.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.core.errors import QualcodeError, file_error
from qualcode.core.progress import Cancelled, Progress
from qualcode.core.progress import report as tell

if TYPE_CHECKING:
    from qualcode.ingest import SourceDocument
    from qualcode.store.core import Store

KNOWN_FIELDS = (
    "organisation",
    "project",
    "role",
    "participant",
    "interview_date",
    "language",
    "title",
    "case",
    "wave",
)
# Dutch column names and common variants people use in sidecar sheets and front matter.
ALIASES = {
    "organisatie": "organisation",
    "organization": "organisation",
    "org": "organisation",
    "rol": "role",
    "deelnemer": "participant",
    "respondent": "participant",
    "date": "interview_date",
    "datum": "interview_date",
    "interviewdatum": "interview_date",
    "taal": "language",
    "titel": "title",
    "gezin": "case",
    "huishouden": "case",
    "family": "case",
    "household": "case",
    "golf": "wave",
    "meting": "wave",
}
SIDECAR_NAMES = ("attributes.csv", "metadata.csv")


@dataclass
class ImportReport:
    imported: list[tuple[str, int]] = field(default_factory=list)  # (file, document id)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, title already in study)
    errors: list[str] = field(default_factory=list)
    unmatched_rows: list[str] = field(default_factory=list)  # sidecar rows no file matched
    turns: int = 0
    sentences: int = 0
    words: int = 0
    cancelled: bool = False


def normalise_metadata(raw: Mapping[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in raw.items():
        if value is None or str(value).strip() == "":
            continue
        name = str(key).strip().lower().replace(" ", "_")
        out[ALIASES.get(name, name)] = str(value).strip()
    return out


def collect_files(paths: list[Path]) -> list[Path]:
    from qualcode.ingest import SUPPORTED_SUFFIXES, find_sources

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = find_sources(path)
            if not found:
                raise file_error(path, f"no transcripts ({', '.join(SUPPORTED_SUFFIXES)}) in this folder")
            files.extend(found)
        elif path.exists():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise file_error(
                    path,
                    f"cannot import {path.suffix or 'files without a suffix'}; qualcode reads {', '.join(SUPPORTED_SUFFIXES)}",
                )
            files.append(path)
        else:
            raise file_error(path, "no such file or folder")
    return files


def _sidecars(paths: list[Path], explicit: Path | None) -> dict[str, tuple[Path, dict[str, str]]]:
    """Sidecar rows by file key, each with the sheet it came from."""
    from qualcode.ingest import read_sidecar

    sheets: list[Path] = []
    if explicit is not None:
        if not explicit.exists():
            raise file_error(explicit, "no such attributes file")
        sheets.append(explicit)
    else:
        for path in paths:
            if path.is_dir():
                sheets.extend(path / n for n in SIDECAR_NAMES if (path / n).exists())
    merged: dict[str, tuple[Path, dict[str, str]]] = {}
    for sheet in sheets:
        for name, attrs in read_sidecar(sheet).items():
            merged.setdefault(_sheet_key(name), (sheet, {}))[1].update(normalise_metadata(attrs))
    return merged


def _sheet_key(name: str) -> str:
    return name.replace("\\", "/").strip().removeprefix("./")


def _sheet_row(sheet: dict[str, tuple[Path, dict[str, str]]], path: Path, roots: list[Path]) -> str | None:
    """The key of one file's sidecar row: by its path under an imported folder
    (``coevorden/ouder-01.txt``), else by its bare name if only one row has that name.
    Matching on the name alone would give two ``ouder-01.txt`` in different organisation
    folders the same row, silently."""
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            key = path.relative_to(root).as_posix()
            if key in sheet:
                return key
    named = [key for key in sheet if key.rsplit("/", 1)[-1] == path.name]
    return named[0] if len(named) == 1 else None


def import_files(
    store: Store,
    paths: list[Path],
    *,
    metadata: dict[str, str],
    sidecar: Path | None,
    skip_errors: bool,
    progress: Progress | None = None,
) -> ImportReport:
    from qualcode.ingest import detect_language, read_source

    report = ImportReport()
    files = collect_files(paths)
    sheet = _sidecars(paths, sidecar)
    overrides = normalise_metadata(dict(metadata))
    sources: list[tuple[Path, SourceDocument, dict[str, str], str]] = []
    seen: dict[str, str] = {}
    used_rows: set[str] = set()
    for path in files:
        try:
            source = read_source(path)
        except QualcodeError as exc:
            report.errors.append(str(exc))
            continue
        digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
        if digest in seen:
            report.duplicates.append((str(path), seen[digest]))
            continue
        row = _sheet_row(sheet, path, paths)
        if row is not None:
            used_rows.add(row)
        meta = {**normalise_metadata(source.metadata), **(sheet[row][1] if row else {}), **overrides}
        # The title it will have in the study, as for duplicates of documents already there.
        seen[digest] = meta.get("title") or source.title
        if "language" not in meta:
            meta["language"] = detect_language(source.text)
        sources.append((path, source, meta, digest))
    # A misspelt file name in a sidecar would otherwise just mean missing attributes.
    report.unmatched_rows = [
        f"{sheet[key][0]}: no imported file matches the row for “{key}”" for key in sheet if key not in used_rows
    ]
    if report.errors and not skip_errors:
        more = len(report.errors) - 1
        extra = f" (and {more} more file{'s' if more != 1 else ''} with errors)" if more else ""
        raise QualcodeError(f"{report.errors[0]}{extra}; nothing was imported — fix the file or pass --skip-errors")
    _store_sources(store, sources, report, progress)
    return report


def _store_sources(
    store: Store,
    sources: list[tuple[Path, SourceDocument, dict[str, str], str]],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    from qualcode.store import documents as docsql

    total = len(sources)
    for done, (path, source, meta, digest) in enumerate(sources, start=1):
        # Each document is committed on its own: a cancel keeps those already imported.
        try:
            tell(progress, done - 1, total, path.name)
        except Cancelled:
            report.cancelled = True
            return
        existing = docsql.document_id_by_sha(store, digest)
        if existing is not None:
            report.duplicates.append((str(path), _title(store, existing)))
        else:
            stored = store_text(
                store,
                source.text,
                meta,
                title=source.title,
                source_name=source.source_name,
                encoding=source.encoding,
                digest=digest,
            )
            report.imported.append((str(path), stored.document_id))
            report.turns += stored.turns
            report.sentences += stored.sentences
            report.words += stored.words
    tell(progress, total, total, "")


@dataclass
class StoredDocument:
    document_id: int
    turns: int
    sentences: int
    words: int


def _title(store: Store, document_id: int) -> str:
    from qualcode.store import documents as docsql

    row = docsql.get_document(store, document_id, with_text=False)
    return str(row["title"]) if row is not None else f"document {document_id}"


def store_text(
    store: Store,
    text: str,
    meta: dict[str, str],
    *,
    title: str,
    source_name: str,
    encoding: str,
    digest: str | None = None,
) -> StoredDocument:
    """Segment an already normalised text and store it as one document (one transaction)."""
    from qualcode.ingest import detect_language, nlp, parse_turns
    from qualcode.store import documents as docsql
    from qualcode.store.cases import ensure_case

    digest = digest or hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = docsql.document_id_by_sha(store, digest)
    if existing is not None:
        raise QualcodeError(f"{source_name}: already in the study as “{_title(store, existing)}”")
    language = meta.get("language") or detect_language(text)
    turns = parse_turns(text)
    segmented = nlp.analyse(text, language, [(t.start, t.body_start, t.end) for t in turns])
    sentences, words = segmented.sentences, segmented.words
    role = meta.get("role") or _respondent_role(turns)
    attributes = {k: v for k, v in meta.items() if k not in KNOWN_FIELDS}
    with store.action(f"import {source_name}", record=False):
        project_id = docsql.ensure_project(store, meta.get("organisation"), meta.get("project"))
        case_id = ensure_case(store, meta["case"]) if meta.get("case") else None
        doc_id = docsql.insert_document(
            store,
            project_id=project_id,
            title=meta.get("title") or title,
            text=text,
            language=language,
            role=role,
            participant=meta.get("participant"),
            interview_date=meta.get("interview_date"),
            source_name=source_name,
            encoding=encoding,
            sha256=digest,
            char_count=len(text),
            word_count=words,
            attributes=attributes,
            case_id=case_id,
            wave=normalise_wave(meta.get("wave")),
            turns=[(i, t.speaker, t.role, t.timestamp, t.start, t.body_start, t.end) for i, t in enumerate(turns)],
            sentences=sentences,
        )
    return StoredDocument(doc_id, len(turns), len(sentences), words)


def normalise_wave(value: str | None) -> str | None:
    """A wave as stored: trimmed, and a whole number without leading zeros ("01" and "1" are
    one wave); other labels ("0-meting") stay as written."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    return str(int(text)) if text.isdigit() else text


@dataclass
class Recount:
    documents: int  # documents whose count changed
    before: int  # words in the study before
    after: int


def recount_words(store: Store) -> Recount:
    """Recount every document's words as :func:`store_text` counts them now: the words
    said, not the speaker labels and timestamps that studies imported before counted.

    The turns stored at import decide what a label is, so the text is not re-parsed.
    One transaction; running it again changes nothing.
    """
    from qualcode.ingest import nlp
    from qualcode.store import analysis as sql

    before = after = 0
    changed: list[tuple[int, int]] = []
    for row in sql.word_count_sources(store):
        words = nlp.spoken_word_count(row["text"], sql.turn_spans(store, row["id"]))
        before += row["word_count"]
        after += words
        if words != row["word_count"]:
            changed.append((row["id"], words))
    with store.action("recount words", record=False):
        sql.set_word_counts(store, changed)
    return Recount(len(changed), before, after)


def _respondent_role(turns: list) -> str | None:
    """The role of the person interviewed, when the speaker labels say it."""
    roles = Counter(t.role for t in turns if t.role and t.role not in ("interviewer", "respondent"))
    return roles.most_common(1)[0][0] if roles else None
