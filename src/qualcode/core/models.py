"""Domain objects handed out by the service layer (plain, immutable dataclasses)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Code:
    id: int
    parent_id: int | None
    name: str
    path: str
    description: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    color: str | None = None
    shortcut: str | None = None
    keywords: tuple[str, ...] = ()
    codebook: str | None = None
    position: int = 0
    depth: int = 0
    # provenance (codebook format v2): a source document's title and section with the
    # source's own words, or inductive (the study team's own code)
    source_document: str = ""
    source_section: str = ""
    source_quote: str = ""
    inductive: bool = False
    created_at: str = ""  # ISO 8601, UTC


@dataclass(frozen=True)
class Coding:
    id: int
    document_id: int
    code_id: int
    coder: str
    start: int
    end: int
    memo: str = ""
    origin: str = "manual"
    created_at: str = ""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Coding:
        return cls(
            id=row["id"],
            document_id=row["document_id"],
            code_id=row["code_id"],
            coder=row["coder"],
            start=row["start"],
            end=row["end"],
            memo=row["memo"],
            origin=row["origin"],
            created_at=row["created_at"],
        )


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    title: str
    organisation: str | None
    project: str | None
    role: str | None
    participant: str | None
    interview_date: str | None
    language: str
    word_count: int
    char_count: int
    source_name: str | None
    sha256: str
    case: str | None = None  # the case (family) the document belongs to, by name
    wave: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> DocumentInfo:
        return cls(
            id=row["id"],
            title=row["title"],
            organisation=row["organisation"],
            project=row["project"],
            role=row["role"],
            participant=row["participant"],
            interview_date=row["interview_date"],
            language=row["language"],
            word_count=row["word_count"],
            char_count=row["char_count"],
            source_name=row["source_name"],
            sha256=row["sha256"],
            case=row["case_name"] if "case_name" in row.keys() else None,  # noqa: SIM118 (sqlite3.Row: `in` looks at values)
            wave=row["wave"] if "wave" in row.keys() else None,  # noqa: SIM118
        )


@dataclass(frozen=True)
class Document(DocumentInfo):
    text: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    id: int
    seq: int
    speaker: str | None
    role: str | None
    timestamp: str | None
    start: int
    body_start: int
    end: int


@dataclass(frozen=True)
class SentenceUnit:
    id: int
    turn_id: int | None
    seq: int
    start: int
    end: int
    lemmas: str


@dataclass(frozen=True)
class Memo:
    id: int
    target: str
    target_id: int
    text: str
    coder: str
    updated_at: str


def code_from_row(row: sqlite3.Row, path: str, depth: int) -> Code:
    return Code(
        id=row["id"],
        parent_id=row["parent_id"],
        name=row["name"],
        path=path,
        description=row["description"],
        when_to_use=row["when_to_use"],
        when_not_to_use=row["when_not_to_use"],
        example=row["example"],
        color=row["color"],
        shortcut=row["shortcut"],
        keywords=tuple(json.loads(row["keywords"] or "[]")),
        codebook=row["codebook"],
        position=row["position"],
        depth=depth,
        source_document=row["source_document"],
        source_section=row["source_section"],
        source_quote=row["source_quote"],
        inductive=bool(row["inductive"]),
        created_at=row["created_at"] or "",
    )
