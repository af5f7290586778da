"""Merging another coder's study file into this one.

Teams often code in separate copies of a study (each coder on a laptop) and bring the work
together afterwards, as MAXQDA's "merge projects" and ATLAS.ti's team merge do. A merge
brings codings, the coders who made them, codes missing here (matched by path), coding memos
and memos on the study, documents and codes. Documents are matched by the sha256 of their
normalised text — the same transcript imported in both files — never by title, which
coders rename. The other file is only read.

The whole merge is one action: one transaction, one entry in the undo log, so one
``undo`` takes every merged coding, code and memo back. (A coder added by the merge stays
in the list of coders: coders are not part of the undo log anywhere in qualcode.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import QualcodeError
from qualcode.store import codings as codingsql
from qualcode.store import merge as sql

if TYPE_CHECKING:
    from qualcode.study.study import Study

CODE_FIELDS = (
    "description",
    "when_to_use",
    "when_not_to_use",
    "example",
    "color",
    "shortcut",
    "keywords",
    "codebook",
    "created_at",
)


@dataclass
class MergeReport:
    """What a merge did: added, already there, and what could not be placed."""

    source: str
    documents_matched: int = 0
    codings_added: int = 0
    codings_present: int = 0
    codings_unplaced: int = 0
    codes_added: list[str] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    memos_added: int = 0
    memos_present: int = 0
    memos_joined: int = 0
    memos_unplaced: int = 0
    missing_documents: list[tuple[str, int]] = field(default_factory=list)  # (title, codings)
    shortcuts_dropped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.codings_added or self.codes_added or self.memos_added or self.memos_joined)

    def rows(self) -> list[dict[str, Any]]:
        missing = "; ".join(f"{t} ({n})" for t, n in self.missing_documents)
        return [
            {"what": "documents matched", "count": self.documents_matched, "detail": ""},
            {"what": "codings added", "count": self.codings_added, "detail": ""},
            {
                "what": "codings already here",
                "count": self.codings_present,
                "detail": "same document, code, coder and passage",
            },
            {"what": "codings not placed", "count": self.codings_unplaced, "detail": missing},
            {"what": "codes added", "count": len(self.codes_added), "detail": "; ".join(self.codes_added)},
            {"what": "coders added", "count": len(self.coders_added), "detail": "; ".join(self.coders_added)},
            {"what": "memos added", "count": self.memos_added, "detail": ""},
            {
                "what": "memos joined",
                "count": self.memos_joined,
                "detail": "both files had a different memo: texts joined",
            },
            {"what": "memos already here", "count": self.memos_present, "detail": ""},
            {"what": "memos not placed", "count": self.memos_unplaced, "detail": "on documents missing here"},
            {
                "what": "shortcuts dropped",
                "count": len(self.shortcuts_dropped),
                "detail": "; ".join(self.shortcuts_dropped),
            },
        ]

    def lines(self) -> list[str]:
        out = [
            (
                f"Merged {self.source}: {self.codings_added} coding(s) added, {self.codings_present} already here, "
                f"{self.documents_matched} document(s) matched."
            ),
        ]
        if self.codes_added:
            shown = "; ".join(self.codes_added[:12]) + (
                f"; … {len(self.codes_added) - 12} more" if len(self.codes_added) > 12 else ""
            )
            out.append(f"Codes added ({len(self.codes_added)}): {shown}")
        if self.coders_added:
            out.append(f"Coders added: {', '.join(self.coders_added)}")
        if self.memos_added or self.memos_joined or self.memos_present:
            out.append(
                f"Memos: {self.memos_added} added, {self.memos_joined} joined with a different memo here, {self.memos_present} already here."
            )
        if self.missing_documents:
            out.append(
                f"Not placed: {self.codings_unplaced} coding(s) and {self.memos_unplaced} memo(s) on "
                f"{len(self.missing_documents)} document(s) this study does not have — import them first:"
            )
            out.extend(f"  {title} ({n} coding(s))" for title, n in self.missing_documents)
        if self.shortcuts_dropped:
            out.append(f"Shortcuts already taken here, left off: {'; '.join(self.shortcuts_dropped)}")
        if self.changed:
            out.append("`qualcode undo` takes the whole merge back.")
        return out


def _paths(rows: Sequence[Any]) -> dict[int, str]:
    """Code id → path (Parent/Child) for the other study's codes."""
    by_id = {r["id"]: r for r in rows}
    out: dict[int, str] = {}

    def path(code_id: int, seen: frozenset[int] = frozenset()) -> str:
        if code_id in out:
            return out[code_id]
        row = by_id[code_id]
        parent = row["parent_id"]
        found = (
            row["name"]
            if parent is None or parent not in by_id or parent in seen
            else f"{path(parent, seen | {code_id})}/{row['name']}"
        )
        out[code_id] = found
        return found

    for code_id in by_id:
        path(code_id)
    return out


def merge_study(study: Study, other: Path | str, *, coders: Sequence[str] | None = None) -> MergeReport:
    """Merge the work in study file ``other`` into ``study`` as one undoable action; only
    ``coders``' work when given."""
    other = Path(other)
    if study.path is not None and other.resolve() == Path(study.path).resolve():
        raise QualcodeError(f"{other}: that is this study itself; name another study file")
    conn = sql.open_other(other)
    try:
        documents = sql.other_documents(conn)
        codes = sql.other_codes(conn)
        known_coders = sql.other_coders(conn)
        codings = sql.other_codings(conn)
        memos = sql.other_memos(conn)
    finally:
        conn.close()
    wanted = set(coders or known_coders)
    unknown = wanted - set(known_coders)
    if unknown:
        raise QualcodeError(
            f"{other}: no coder {', '.join(sorted(unknown))} there; its coders are: {', '.join(known_coders) or 'none'}"
        )
    codings = [c for c in codings if c["coder"] in wanted]
    memos = [m for m in memos if m["coder"] in wanted]
    report = MergeReport(source=other.name)

    # Documents by text, codes by path (case-insensitive, as code references are).
    here_docs = sql.documents_by_sha(study.store)
    doc_map = {d["id"]: here_docs[d["sha256"]] for d in documents if d["sha256"] in here_docs}
    report.documents_matched = len(doc_map)
    titles = {d["id"]: d["title"] for d in documents}
    other_paths = _paths(codes)
    here_codes = {c.path.casefold(): c.id for c in study.codes()}
    new_codes = [r for r in codes if other_paths[r["id"]].casefold() not in here_codes]
    new_codes.sort(key=lambda r: other_paths[r["id"]].count("/"))
    taken = sql.shortcuts_here(study.store)

    here_coders = sql.coders_by_name(study.store)
    existing = sql.codings_in(study.store, sorted(set(doc_map.values())))
    here_memos = sql.memos_here(study.store)
    unplaced: dict[int, int] = {}
    for coding in codings:
        if coding["document_id"] not in doc_map:
            unplaced[coding["document_id"]] = unplaced.get(coding["document_id"], 0) + 1
    report.codings_unplaced = sum(unplaced.values())
    memo_docs = {m["target_id"] for m in memos if m["target"] == "document" and m["target_id"] not in doc_map}
    report.missing_documents = [
        (titles.get(d, f"document {d}"), unplaced.get(d, 0))
        for d in sorted(set(unplaced) | memo_docs, key=lambda d: titles.get(d, ""))
    ]

    with study.store.action(f"merge {other.name}", coder_id=study.coder_id):
        new_ids = {r["id"] for r in new_codes}
        code_map = {r["id"]: here_codes[other_paths[r["id"]].casefold()] for r in codes if r["id"] not in new_ids}
        for row in new_codes:
            fields = {k: row[k] for k in CODE_FIELDS}
            if fields["shortcut"] and fields["shortcut"] in taken:
                report.shortcuts_dropped.append(f"{fields['shortcut']} ({other_paths[row['id']]})")
                fields["shortcut"] = None
            elif fields["shortcut"]:
                taken.add(fields["shortcut"])
            fields["keywords"] = fields["keywords"] or json.dumps([])
            parent = code_map.get(row["parent_id"]) if row["parent_id"] is not None else None
            code_map[row["id"]] = sql.insert_code(study.store, {"parent_id": parent, "name": row["name"], **fields})
            report.codes_added.append(other_paths[row["id"]])

        def coder_here(name: str) -> int:
            if name not in here_coders:
                here_coders[name] = codingsql.coder_id(study.store, name)
                report.coders_added.append(name)
            return here_coders[name]

        coding_map: dict[int, int] = {}
        for coding in codings:
            if coding["document_id"] not in doc_map:
                continue
            key = (
                doc_map[coding["document_id"]],
                code_map[coding["code_id"]],
                coder_here(coding["coder"]),
                coding["start"],
                coding["end"],
            )
            if key in existing:
                here_id, here_memo = existing[key]
                coding_map[coding["id"]] = here_id
                report.codings_present += 1
                joined = _joined(here_memo, coding["memo"])
                if joined is not None:
                    sql.set_coding_memo(study.store, here_id, joined)
                    existing[key] = (here_id, joined)
                    report.memos_joined += 1
                continue
            new_id = sql.insert_coding(
                study.store,
                {
                    "document_id": key[0],
                    "code_id": key[1],
                    "coder_id": key[2],
                    "start": key[3],
                    "end": key[4],
                    "memo": coding["memo"],
                    "origin": coding["origin"],
                    "created_at": coding["created_at"],
                },
            )
            existing[key] = (new_id, coding["memo"])
            coding_map[coding["id"]] = new_id
            report.codings_added += 1

        targets = {"study": {0: 0}, "document": doc_map, "code": code_map, "coding": coding_map}
        for memo in memos:
            target_id = targets[memo["target"]].get(memo["target_id"])
            if target_id is None:
                report.memos_unplaced += 1
                continue
            memo_key = (memo["target"], target_id, coder_here(memo["coder"]))
            if memo_key not in here_memos:
                memo_id = sql.insert_memo(
                    study.store,
                    {
                        "target": memo_key[0],
                        "target_id": memo_key[1],
                        "coder_id": memo_key[2],
                        "text": memo["text"],
                        "updated_at": memo["updated_at"],
                    },
                )
                here_memos[memo_key] = (memo_id, memo["text"])
                report.memos_added += 1
                continue
            memo_id, text = here_memos[memo_key]
            joined = _joined(text, memo["text"])
            if joined is None:
                report.memos_present += 1
            else:
                sql.set_memo_text(study.store, memo_id, joined, memo["updated_at"])
                here_memos[memo_key] = (memo_id, joined)
                report.memos_joined += 1
    return report


def _joined(here: str, there: str) -> str | None:
    """The two memo texts joined, or None when there is nothing new (the other text is empty
    or already part of this one, as after merging the same file twice)."""
    there = (there or "").strip()
    if not there or there in (here or ""):
        return None
    return f"{here}\n\n{there}" if here else there
