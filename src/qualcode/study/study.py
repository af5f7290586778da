"""The service layer: a study and the verbs researchers use on it.

The CLI and the TUI both work through :class:`Study`; neither touches SQL. A study is one
SQLite file (see README, "The study file").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.core import config
from qualcode.core.clean import clean_field
from qualcode.core.errors import QualcodeError
from qualcode.core.models import Document, DocumentInfo, SentenceUnit, Turn
from qualcode.core.progress import Progress
from qualcode.store import analysis as anasql
from qualcode.store import codings as codingsql
from qualcode.store import documents as docsql
from qualcode.store.core import Store
from qualcode.study.cases import CaseMixin
from qualcode.study.codes import CodeTreeMixin
from qualcode.study.codings import CodingMixin

STUDY_SUFFIX = ".qualcode"


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    title: str
    start: int
    end: int

    def context(self, text: str, width: int = 60) -> str:
        left = text[max(0, self.start - width) : self.start].replace("\n", " ")
        right = text[self.end : self.end + width].replace("\n", " ")
        return f"{left}[{text[self.start : self.end]}]{right}"


def describe_database_error(exc: sqlite3.DatabaseError) -> str:
    """One true line for an SQLite error that reached the CLI outside the Store's own
    translation: a damaged page, a full disk, a read-only file, a busy study."""
    from qualcode.store import core

    known = core.study_error(exc, core.LAST_OPENED)
    if known is not None:
        return str(known)
    if "locked" in str(exc) or "busy" in str(exc):
        return "the study is busy in another program; try again in a moment"
    return f"{core.LAST_OPENED or 'the study'}: the study file could not be used ({exc})"


class Study(CodeTreeMixin, CodingMixin, CaseMixin):
    """An open study file and the coder working in it."""

    def __init__(self, store: Store, coder: str | None = None) -> None:
        self.store = store
        self.path = store.path
        self.coder = None  # type: ignore[assignment]  # not chosen: reading works, writes refuse (coder_id)
        self._coder_id: int | None = None
        chosen = coder or config.chosen_coder()
        if chosen:
            self.set_coder(chosen)

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path | str, name: str | None = None, coder: str | None = None) -> Study:
        path = Path(path)
        if not path.parent.exists():
            raise QualcodeError(f"{path}: the folder {path.parent} does not exist")
        store = Store(path, create=True)
        try:
            study = cls(store, coder)
            with store.action("create study", record=False):
                docsql.set_meta(store, "name", name or path.stem)
        except BaseException:
            # A half-made file would block the next `qualcode init` at the same path.
            store.close()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            raise
        return study

    @classmethod
    def open(cls, path: Path | str, coder: str | None = None) -> Study:
        return cls(Store(path), coder)

    @classmethod
    def memory(cls, coder: str = "tester") -> Study:
        """A throwaway in-memory study (for tests and experiments)."""
        return cls(Store(":memory:", create=True), coder)

    def close(self) -> None:
        self.store.close()

    @contextmanager
    def own_connection(self) -> Iterator[Study]:
        """This study on a connection of its own, closed afterwards: for work in another
        thread (a TUI worker), since a SQLite connection belongs to one thread. An in-memory
        study has only the one connection, so it is given as it is."""
        if self.path is None:
            yield self
            return
        study = Study.open(self.path, coder=self.coder)
        try:
            yield study
        finally:
            study.close()

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        return docsql.get_meta(self.store, "name") or (self.path.stem if self.path else "study")

    def set_coder(self, name: str) -> None:
        # The coder's name is shown in listings and history: no terminal escapes in it.
        name = clean_field(name).strip()
        if not name:
            raise QualcodeError("a coder needs a name")
        self.coder = name
        self._coder_id = None

    @property
    def coder_id(self) -> int:
        """The coder's id, adding the coder to the study on first use (opening a study to
        read it does not write to it)."""
        if self._coder_id is not None:
            return self._coder_id
        if self.coder is None:
            raise QualcodeError(
                "who is coding? give --coder NAME, set QUALCODE_CODER, or run `qualcode coder NAME` once"
            )
        found = codingsql.coder_id(self.store, self.coder)
        # Inside an open transaction the new coder row may yet be rolled back (a failed
        # import): remembering its id then would point later actions at no coder.
        if not self.store.conn.in_transaction:
            self._coder_id = found
        return found

    # -- documents ------------------------------------------------------------------------

    def import_files(
        self,
        paths: Iterable[Path | str],
        *,
        metadata: dict[str, str] | None = None,
        sidecar: Path | str | None = None,
        skip_errors: bool = False,
        progress: Progress | None = None,
    ) -> Any:
        """Import transcript files and folders; see :func:`qualcode.ingest.importer.import_files`."""
        from qualcode.ingest.importer import import_files

        return import_files(
            self.store,
            [Path(p) for p in paths],
            metadata=metadata or {},
            sidecar=Path(sidecar) if sidecar else None,
            skip_errors=skip_errors,
            progress=progress,
        )

    def add_document(
        self,
        text: str,
        *,
        title: str,
        source_name: str | None = None,
        metadata: dict[str, str] | None = None,
        encoding: str = "text",
    ) -> int:
        """Add a document from text (normalised here), with turns and sentences; return its id.

        Used by exchange formats whose texts come from an archive, and by tests.
        """
        from qualcode.ingest import normalise_text
        from qualcode.ingest.importer import normalise_metadata, store_text

        normalised = normalise_text(text)
        if not normalised.strip():
            raise QualcodeError(f"{source_name or title}: the text is empty")
        meta = normalise_metadata(dict(metadata or {}))
        return store_text(
            self.store, normalised, meta, title=title, source_name=source_name or title, encoding=encoding
        ).document_id

    def documents(
        self,
        *,
        organisation: str | None = None,
        project: str | None = None,
        role: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> list[DocumentInfo]:
        rows = docsql.list_documents(
            self.store, organisation=organisation, project=project, role=role, attributes=attributes
        )
        return [DocumentInfo.from_row(r) for r in rows]

    def document_rows(self, **filters: Any) -> list[dict[str, Any]]:
        """Documents with their counts of turns, sentences and codings, for listings."""
        self.check_attribute_filters(filters.get("attributes"))
        return [dict(r) for r in docsql.list_documents(self.store, **filters)]

    def check_attribute_filters(self, attributes: dict[str, str] | None) -> None:
        """Refuse a filter (``-w NAME=VALUE``) whose bare name is both a document and a case
        attribute: which one it means would change the documents that count."""
        from qualcode.store.cases import case_attribute_names

        names = [n for n in attributes or {} if n not in ("wave", "case") and not n.startswith(("doc:", "case:"))]
        if not names:
            return
        both = set(docsql.attribute_names(self.store)) & set(case_attribute_names(self.store))
        for name in names:
            if name in both:
                raise QualcodeError(
                    f"“{name}” is both a document attribute and a case attribute; "
                    f"say which: -w doc:{name}=… or -w case:{name}=…"
                )

    def document(self, ref: int | str) -> Document:
        """A document by id, title or source file name."""
        if isinstance(ref, str) and not ref.isdigit():
            found = docsql.find_documents(self.store, ref)
            if not found:
                raise QualcodeError(f"no document “{ref}”; `qualcode documents` lists them")
            if len(found) > 1:
                raise QualcodeError(f"“{ref}” names {len(found)} documents; use the id")
            ref = found[0]["id"]
        row = docsql.get_document(self.store, int(ref))
        if row is None:
            raise QualcodeError(f"no document with id {ref}; `qualcode documents` lists them")
        info = DocumentInfo.from_row(row)
        return Document(**info.__dict__, text=row["text"], attributes=docsql.document_attributes(self.store, info.id))

    def document_text(self, document_id: int) -> str:
        return self.document(document_id).text

    def turns(self, document_id: int) -> list[Turn]:
        # Positional: the query's columns are Turn's fields in order (half the cost of
        # Turn(**dict(row)) for the 1,200 turns of a long transcript, read at every opening).
        return [Turn(*r) for r in docsql.turns(self.store, document_id)]

    def turn_roles(self) -> list[str]:
        """The speaker roles of turns in the study (interviewer, respondent, ouder, …)."""
        return docsql.turn_roles(self.store)

    def sentences(self, document_id: int) -> list[SentenceUnit]:
        return [SentenceUnit(**dict(r)) for r in docsql.sentences(self.store, document_id)]

    def remove_document(self, ref: int | str) -> Document:
        """Remove a document with its codings (not undoable; the file can be imported again)."""
        doc = self.document(ref)
        with self.store.action(f"remove document “{doc.title}”", record=False):
            docsql.delete_document(self.store, doc.id)
        return doc

    def organisations(self) -> list[dict[str, Any]]:
        return [dict(r) for r in docsql.organisations(self.store)]

    def projects(self) -> list[dict[str, Any]]:
        return [dict(r) for r in docsql.projects(self.store)]

    def recount_words(self) -> Any:
        """Recount every document's spoken words; see :func:`qualcode.ingest.importer.recount_words`."""
        from qualcode.ingest.importer import recount_words

        return recount_words(self.store)

    def word_counts_include_labels(self) -> bool:
        """Whether documents imported before spoken word counts still count their speaker labels."""
        return anasql.word_counts_include_labels(self.store)

    def attribute_names(self) -> list[str]:
        return docsql.attribute_names(self.store)

    def attribute_values(self, name: str) -> list[str]:
        """The values an attribute takes across the study (for filter lists)."""
        from qualcode.store.attributes import attribute_values

        return attribute_values(self.store, name)

    def backup(self, target: Path | str) -> int:
        """A consistent copy of the study at ``target`` (private, written whole or not at all),
        taken while others may be writing; returns the pages copied."""
        from qualcode.core.files import atomic_path
        from qualcode.store import maintenance

        with atomic_path(Path(target)) as tmp:
            return maintenance.backup(self.store, tmp)

    def check(self) -> list[str]:
        """Every problem in the study file, one line each: integrity, foreign keys, the count
        tables kept by triggers, the full-text index, the undo log against the rows."""
        from qualcode.store import maintenance

        return maintenance.check(self.store)

    def info(self) -> dict[str, Any]:
        return {"study": self.name, "path": str(self.path or ":memory:"), **docsql.totals(self.store)}

    # -- undo and redo --------------------------------------------------------------------

    def undo(self) -> str | None:
        """Undo this coder's newest action (a colleague's work in a shared study is theirs
        to undo); return its description, or None when there is nothing to undo."""
        return self.store.undo(self.coder_id)

    def redo(self) -> str | None:
        """Redo this coder's oldest undone action."""
        return self.store.redo(self.coder_id)

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        return [dict(r) for r in self.store.history(limit)]

    # -- search ---------------------------------------------------------------------------

    def search(self, query: str, document_id: int | None = None, limit: int = 1000) -> list[SearchHit]:
        """Find hits (see study/search.py and README, "Search"): the terms of a query all in
        one sentence, ``OR`` between alternatives, ``prefix*`` and "quoted phrases"; case and
        accents ignored. Hits in text order per document, best-matching documents first."""
        from qualcode.study import search as searching

        alternatives = searching.parse(query)
        docs = codingsql.search_documents(
            self.store, searching.fts_query(alternatives), [document_id] if document_id else None
        )
        hits: list[SearchHit] = []
        for doc in docs:
            sentences = [(s.start, s.end) for s in self.sentences(doc["id"])]
            for start, end in searching.find_spans(doc["text"], sentences, alternatives):
                hits.append(SearchHit(doc["id"], doc["title"], start, end))
                if len(hits) >= limit:
                    return hits
        return hits


def default_study_path() -> Path:
    """The last study used, or an error telling the user how to choose one."""
    last = config.last_study()
    if last is not None and last.exists():
        return last
    if last is not None:
        raise QualcodeError(f"the study used last, {last}, is no longer there; pass --study PATH to choose one")
    raise QualcodeError(
        "no study given and none used before; pass --study PATH, or run `qualcode demo` or `qualcode init PATH`"
    )
