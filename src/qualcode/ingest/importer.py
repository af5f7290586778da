"""Importing transcripts into a study: read, check, segment, store.

Files are read and checked first, all of them; only then is anything written. A batch with a
bad file is refused whole (unless the user asks to skip bad files), so bad input leaves the
study unchanged. Documents are then segmented one by one and stored in batches committed at
least every half second (:data:`COMMIT_EVERY`), so an interrupted import keeps what it
finished (all but the last half second's after a crash or kill -9) and a second run skips
those as duplicates before segmenting them again.
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
    from qualcode.ingest.nlp import SentenceRow
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


def _sheet_row(sheet: dict[str, tuple[Path, dict[str, str]]], path: Path, folders: list[Path]) -> str | None:
    """The key of one file's sidecar row: by its path under an imported folder
    (``coevorden/ouder-01.txt``), else by its bare name if only one row has that name.
    Matching on the name alone would give two ``ouder-01.txt`` in different organisation
    folders the same row, silently."""
    if not sheet:
        return None
    for root in folders:
        if path.is_relative_to(root):
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
    from qualcode.ingest import read_source

    report = ImportReport()
    files = collect_files(paths)
    sheet = _sidecars(paths, sidecar)
    overrides = normalise_metadata(dict(metadata))
    sources: list[tuple[Path, SourceDocument, dict[str, str], str]] = []
    seen: dict[str, str] = {}
    used_rows: set[str] = set()
    folders = [p for p in paths if p.is_dir()]  # once, not once a file (`import *.txt` names thousands)
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
        row = _sheet_row(sheet, path, folders)
        if row is not None:
            used_rows.add(row)
        meta = {**normalise_metadata(source.metadata), **(sheet[row][1] if row else {}), **overrides}
        # The title it will have in the study, as for duplicates of documents already there.
        seen[digest] = meta.get("title") or source.title
        # The language, when no metadata gives it, is read as the document is segmented: not
        # for files already in the study (an import run again to finish an interrupted one).
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


# An import commits what it has finished at least this often: a crash of qualcode or a kill -9
# loses at most the batch under way, whose documents the next run imports. A power cut or an
# operating system crash may lose recent commits too (synchronous=NORMAL, see Store), never
# part of a document: a batch is one transaction.
COMMIT_EVERY = 0.5  # seconds


def _store_sources(
    store: Store,
    sources: list[tuple[Path, SourceDocument, dict[str, str], str]],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Segment the documents one by one and write them in batches: what was segmented in
    :data:`COMMIT_EVERY` seconds is written and committed in one transaction. A cancel, an
    error or Ctrl+C while segmenting commits what was segmented before it; a failing write
    loses its batch only. Every document is either stored whole or not at all, and a second
    run skips those stored as duplicates.

    All in one thread: SQLite's work in a thread of its own overlapped too little with the
    segmenting (both hold Python's lock most of the time) and the switching between the two
    cost more than it saved (issue 17: 12.4 s against 9.5 s at 1,000 transcripts).
    """
    from time import monotonic

    from qualcode.store import documents as docsql

    total = len(sources)
    # Documents already in the study are skipped before they are segmented, so that running an
    # interrupted import again costs no more than reading the files it had finished.
    stored = docsql.titles_by_sha(store, [digest for *_, digest in sources])
    pending: list[tuple[str, Prepared | str]] = []
    since = monotonic()
    try:
        for done, (path, source, meta, digest) in enumerate(sources, start=1):
            try:
                tell(progress, done - 1, total, path.name)
            except Cancelled:
                report.cancelled = True
                break
            if digest in stored:
                pending.append((str(path), stored[digest]))
            else:
                prepared = prepare_text(source.text, meta, source.title, source.source_name, source.encoding, digest)
                pending.append((str(path), prepared))
            if monotonic() - since >= COMMIT_EVERY:
                batch, pending = pending, []  # a batch that fails to write is not tried again
                _write_batch(store, batch, report)
                since = monotonic()
    finally:
        _write_batch(store, pending, report)  # what was segmented, even on Ctrl+C or an error
    if not report.cancelled:
        tell(progress, total, total, "")


def _write_batch(store: Store, items: list[tuple[str, Prepared | str]], report: ImportReport) -> None:
    """Store prepared documents (and note ``(file, title)`` of those already in the study)
    in one transaction, reported once committed: a failing write stores none of them."""
    if not items:
        return
    batch = ImportReport()
    with store.action("import", record=False):
        for path, item in items:
            _store_one(store, path, item, batch)
    report.imported += batch.imported
    report.duplicates += batch.duplicates
    report.turns += batch.turns
    report.sentences += batch.sentences
    report.words += batch.words


def _store_one(store: Store, path: str, item: Prepared | str, batch: ImportReport) -> None:
    if isinstance(item, str):
        batch.duplicates.append((path, item))
        return
    written = write_prepared(store, item)
    if written is None:  # stored since the titles were looked up (another import at once)
        from qualcode.store import documents as docsql

        existing = docsql.document_id_by_sha(store, item.digest)
        batch.duplicates.append((path, _title(store, existing) if existing is not None else item.title))
        return
    batch.imported.append((path, written.document_id))
    batch.turns += written.turns
    batch.sentences += written.sentences
    batch.words += written.words


@dataclass
class StoredDocument:
    document_id: int
    turns: int
    sentences: int
    words: int


@dataclass
class Prepared:
    """A document segmented and ready to be written: everything but its ids."""

    text: str
    title: str  # as stored: the metadata's title or the file's
    source_name: str
    encoding: str
    digest: str
    language: str
    role: str | None
    meta: dict[str, str]
    attributes: dict[str, str]
    turns: list[tuple[int, str, str | None, str | None, int, int, int]]
    sentences: list[SentenceRow]  # (start, end, turn_seq, lemmas)
    words: int


def _title(store: Store, document_id: int) -> str:
    from qualcode.store import documents as docsql

    row = docsql.get_document(store, document_id, with_text=False)
    return str(row["title"]) if row is not None else f"document {document_id}"


def prepare_text(
    text: str, meta: dict[str, str], title: str, source_name: str, encoding: str, digest: str | None = None
) -> Prepared:
    """Segment an already normalised text: turns, sentences with lemmas, the word count (no
    database)."""
    from qualcode.ingest import detect_language, nlp, parse_turns

    language = meta.get("language") or detect_language(text)
    turns = parse_turns(text)
    segmented = nlp.analyse(text, language, [(t.start, t.body_start, t.end) for t in turns])
    return Prepared(
        text=text,
        title=meta.get("title") or title,
        source_name=source_name,
        encoding=encoding,
        digest=digest or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        language=language,
        role=meta.get("role") or _respondent_role(turns),
        meta=meta,
        attributes={k: v for k, v in meta.items() if k not in KNOWN_FIELDS},
        turns=[(i, t.speaker, t.role, t.timestamp, t.start, t.body_start, t.end) for i, t in enumerate(turns)],
        sentences=segmented.sentences,
        words=segmented.words,
    )


def write_prepared(store: Store, doc: Prepared) -> StoredDocument | None:
    """Write a prepared document in the current action (``None`` if its text is in the
    study already)."""
    from qualcode.store import documents as docsql
    from qualcode.store.cases import ensure_case

    if docsql.document_id_by_sha(store, doc.digest) is not None:
        return None
    meta = doc.meta
    project_id = docsql.ensure_project(store, meta.get("organisation"), meta.get("project"))
    case_id = ensure_case(store, meta["case"]) if meta.get("case") else None
    doc_id = docsql.insert_document(
        store,
        project_id=project_id,
        title=doc.title,
        text=doc.text,
        language=doc.language,
        role=doc.role,
        participant=meta.get("participant"),
        interview_date=meta.get("interview_date"),
        source_name=doc.source_name,
        encoding=doc.encoding,
        sha256=doc.digest,
        char_count=len(doc.text),
        word_count=doc.words,
        attributes=doc.attributes,
        case_id=case_id,
        wave=normalise_wave(meta.get("wave")),
        turns=doc.turns,
        sentences=doc.sentences,
    )
    return StoredDocument(doc_id, len(doc.turns), len(doc.sentences), doc.words)


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
    from qualcode.store import documents as docsql

    digest = digest or hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = docsql.document_id_by_sha(store, digest)
    if existing is not None:
        raise QualcodeError(f"{source_name}: already in the study as “{_title(store, existing)}”")
    prepared = prepare_text(text, meta, title, source_name, encoding, digest)
    with store.action(f"import {source_name}", record=False):
        stored = write_prepared(store, prepared)
    if stored is None:
        existing = docsql.document_id_by_sha(store, digest)
        raise QualcodeError(f"{source_name}: already in the study as “{_title(store, existing or 0)}”")
    return stored


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
