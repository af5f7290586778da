"""The study's codebook: the code hierarchy, editing it, and codebook files in and out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import QualcodeError
from qualcode.core.files import atomic_output, check_output_path
from qualcode.core.models import Code, code_from_row
from qualcode.store import codes as sql
from qualcode.store.codings import coding_memo_ids
from qualcode.study.codebook import (
    PATH_SEPARATOR,
    Codebook,
    CodeSpec,
    SourceRef,
    dump_codebooks,
    join_path,
    load_codebooks,
    split_path,
)

if TYPE_CHECKING:
    from qualcode.store.core import Store


class CodeTreeMixin:
    store: Store

    if TYPE_CHECKING:  # provided by Study; declared here for the type checker only

        @property
        def coder_id(self) -> int: ...

    # -- reading --------------------------------------------------------------------------

    def codes(self) -> list[Code]:
        """All codes, parents before their children, in codebook order."""
        rows = sql.all_codes(self.store)
        by_parent: dict[int | None, list[Any]] = {}
        for row in rows:
            by_parent.setdefault(row["parent_id"], []).append(row)
        out: list[Code] = []

        def visit(parent: int | None, prefix: str, depth: int) -> None:
            for row in by_parent.get(parent, []):
                path = f"{prefix}{PATH_SEPARATOR}{row['name']}" if prefix else row["name"]
                out.append(code_from_row(row, path, depth))
                visit(row["id"], path, depth + 1)

        visit(None, "", 0)
        return out

    def code(self, ref: str | int) -> Code:
        """A code by id, by path (``Parent/Child``) or by a name that is unique in the study."""
        codes = self.codes()
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            for code in codes:
                if code.id == int(ref):
                    return code
            raise QualcodeError(f"no code with id {ref}; `qualcode codes` lists them")
        wanted = ref.strip()
        folded = wanted.casefold()
        for code in codes:
            if code.path.casefold() == folded:
                return code
        if PATH_SEPARATOR not in wanted:
            named = [c for c in codes if c.name.casefold() == folded]
            if len(named) == 1:
                return named[0]
            if len(named) > 1:
                paths = "; ".join(c.path for c in named)
                raise QualcodeError(f"“{ref}” names several codes ({paths}); give the full path")
        raise QualcodeError(f"no code “{ref}” in this study; `qualcode codes` lists them")

    def code_descendants(self, code_id: int) -> list[int]:
        """The code and every code under it."""
        codes = self.codes()
        children: dict[int | None, list[int]] = {}
        for c in codes:
            children.setdefault(c.parent_id, []).append(c.id)
        out, stack = [], [code_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(children.get(current, []))
        return out

    def code_counts(self, document_id: int | None = None) -> dict[int, int]:
        return sql.coding_counts(self.store, document_id)

    # -- editing --------------------------------------------------------------------------

    def add_code(
        self,
        name: str,
        parent: str | int | None = None,
        *,
        description: str = "",
        color: str | None = None,
        shortcut: str | None = None,
        keywords: Iterable[str] = (),
        codebook: str | None = None,
    ) -> Code:
        name = _valid_name(name)
        parent_id = self.code(parent).id if parent not in (None, "") else None
        if sql.child_by_name(self.store, parent_id, name) is not None:
            where = f"under “{self.code(parent_id).path}”" if parent_id else "at the top level"
            raise QualcodeError(f"a code “{name}” already exists {where}")
        if shortcut:
            self._check_shortcut(shortcut, None)
        with self.store.action(f"add code “{name}”", coder_id=self.coder_id):
            code_id = sql.insert_code(
                self.store,
                {
                    "parent_id": parent_id,
                    "name": name,
                    "description": description,
                    "color": color,
                    "shortcut": shortcut,
                    "keywords": json.dumps(list(keywords), ensure_ascii=False),
                    "codebook": codebook,
                },
            )
        return self.code(code_id)

    def update_code(self, ref: str | int, **fields: Any) -> Code:
        """Change a code's name, description, when_to_use, when_not_to_use, example, color,
        shortcut or keywords."""
        code = self.code(ref)
        allowed = {"name", "description", "when_to_use", "when_not_to_use", "example", "color", "shortcut", "keywords"}
        unknown = set(fields) - allowed
        if unknown:
            raise QualcodeError(f"cannot change {', '.join(sorted(unknown))} of a code")
        if "name" in fields:
            fields["name"] = _valid_name(fields["name"])
            clash = sql.child_by_name(self.store, code.parent_id, fields["name"])
            if clash is not None and clash["id"] != code.id:
                raise QualcodeError(f"a code “{fields['name']}” already exists beside “{code.path}”")
        if fields.get("shortcut"):
            self._check_shortcut(fields["shortcut"], code.id)
        if "keywords" in fields:
            fields["keywords"] = json.dumps(list(fields["keywords"]), ensure_ascii=False)
        with self.store.action(f"edit code “{code.path}”", coder_id=self.coder_id):
            sql.update_code(self.store, code.id, fields)
        return self.code(code.id)

    def rename_code(self, ref: str | int, new_name: str) -> Code:
        return self.update_code(ref, name=new_name)

    def move_code(self, ref: str | int, new_parent: str | int | None) -> Code:
        code = self.code(ref)
        parent_id = self.code(new_parent).id if new_parent not in (None, "") else None
        if parent_id is not None and parent_id in self.code_descendants(code.id):
            raise QualcodeError(f"cannot move “{code.path}” under itself or one of its sub-codes")
        if sql.child_by_name(self.store, parent_id, code.name) is not None:
            raise QualcodeError(f"the new parent already has a code “{code.name}”; rename or merge first")
        with self.store.action(f"move code “{code.path}”", coder_id=self.coder_id):
            sql.update_code(
                self.store, code.id, {"parent_id": parent_id, "position": sql.next_position(self.store, parent_id)}
            )
        return self.code(code.id)

    def merge_codes(self, source: str | int, target: str | int) -> Code:
        """Move every coding, sub-code, memo and suggestion decision of ``source`` to ``target`` and delete
        ``source``.

        A coding the target already has (same passage, same coder) is not duplicated: the
        source's copy goes and its memo is added to the target's. Code memos move to the
        target; where a coder has a memo on both, the two texts are joined.
        """
        src, dst = self.code(source), self.code(target)
        if src.id == dst.id:
            raise QualcodeError("cannot merge a code into itself")
        if dst.id in self.code_descendants(src.id):
            raise QualcodeError(f"cannot merge “{src.path}” into its own sub-code “{dst.path}”")
        children = sql.children(self.store, src.id)
        for child in children:
            if sql.child_by_name(self.store, dst.id, child["name"]) is not None:
                raise QualcodeError(f"both codes have a sub-code “{child['name']}”; merge those first")
        with self.store.action(f"merge “{src.path}” into “{dst.path}”", coder_id=self.coder_id):
            for coding in sql.codings_for_code(self.store, src.id):
                twin = sql.same_coding(
                    self.store, coding["document_id"], dst.id, coding["coder_id"], coding["start"], coding["end"]
                )
                if twin is None:
                    self.store.update("codings", coding["id"], {"code_id": dst.id})
                    continue
                if coding["memo"] and coding["memo"] != twin["memo"]:
                    memo = f"{twin['memo']}\n\n{coding['memo']}" if twin["memo"] else coding["memo"]
                    self.store.update("codings", twin["id"], {"memo": memo})
                self.store.delete("codings", coding["id"])
            for decision_id in sql.decision_ids_for_code(self.store, src.id):
                self.store.update("suggestion_decisions", decision_id, {"code_id": dst.id})
            for child in children:
                self.store.update("codes", child["id"], {"parent_id": dst.id})
            kept = {m["coder_id"]: m for m in sql.memos_for_code(self.store, dst.id)}
            for memo in sql.memos_for_code(self.store, src.id):
                if memo["coder_id"] in kept:
                    joined = f"{kept[memo['coder_id']]['text']}\n\n{memo['text']}"
                    self.store.update("memos", kept[memo["coder_id"]]["id"], {"text": joined})
                    self.store.delete("memos", memo["id"])
                else:
                    self.store.update("memos", memo["id"], {"target_id": dst.id})
            sql.delete_code(self.store, src.id)
        return self.code(dst.id)

    def delete_code(self, ref: str | int) -> int:
        """Delete a code, its sub-codes and their codings; return how many codings went.

        Undo brings all of it back.
        """
        code = self.code(ref)
        ids = self.code_descendants(code.id)
        removed = 0
        with self.store.action(f"delete code “{code.path}”", coder_id=self.coder_id):
            for code_id in reversed(ids):  # children before parents
                for coding_id in sql.coding_ids_for_code(self.store, code_id):
                    for memo_id in coding_memo_ids(self.store, coding_id):  # as remove_coding does
                        self.store.delete("memos", memo_id)
                    self.store.delete("codings", coding_id)
                    removed += 1
                for memo_id in sql.memo_ids_for_code(self.store, code_id):
                    self.store.delete("memos", memo_id)
                for decision_id in sql.decision_ids_for_code(self.store, code_id):
                    self.store.delete("suggestion_decisions", decision_id)
                sql.delete_code(self.store, code_id)
        return removed

    def _check_shortcut(self, shortcut: str, code_id: int | None) -> None:
        if len(shortcut) != 1:
            raise QualcodeError(f"shortcut “{shortcut}” must be a single key")
        owner = sql.shortcut_owner(self.store, shortcut)
        if owner is not None and owner["id"] != code_id:
            raise QualcodeError(f"shortcut “{shortcut}” already belongs to “{self.code(owner['id']).path}”")

    # -- codebook files -------------------------------------------------------------------

    def import_codebook(self, path: Path | str) -> dict[str, int]:
        """Merge a codebook file (one codebook or several) into the study by code path;
        return counts of added and updated codes. The file is validated first; on any error
        nothing is written."""
        books = load_codebooks(Path(path))
        totals = {"added": 0, "updated": 0, "codes": 0}
        for result in self.merge_codebooks([(Path(path), book) for book in books]):
            for key, value in result.items():
                totals[key] += value
        return totals

    def merge_codebooks(self, books: Sequence[tuple[Path | str, Codebook]]) -> list[dict[str, int]]:
        """Merge several codebooks as ONE action: a clash found in the second file (a
        shortcut the first one took) leaves the study unchanged, and one undo takes them
        all back. Clashes are looked for before anything is written."""
        claimed: dict[str, str] = {}
        for origin, book in books:
            self._check_codebook_shortcuts(book, origin, claimed)
        names = ", ".join(f"“{book.name}”" for _, book in books)
        with self.store.action(f"import codebook{'s' if len(books) > 1 else ''} {names}", coder_id=self.coder_id):
            return [self.merge_codebook(book, origin) for origin, book in books]

    def _check_codebook_shortcuts(self, book: Codebook, origin: Path | str, claimed: dict[str, str]) -> None:
        """Raise if a shortcut of ``book`` belongs to another code, in the study or in an
        earlier codebook of the same import (``claimed``: shortcut → path, filled here)."""
        existing = {c.path.casefold(): c for c in self.codes()}
        for parts, spec in book.walk():
            if not spec.shortcut:
                continue
            path = join_path(parts)
            earlier = claimed.get(spec.shortcut)
            if earlier is not None and earlier.casefold() != path.casefold():
                raise QualcodeError(
                    f"{origin}: shortcut “{spec.shortcut}” of “{path}” already belongs to “{earlier}” in the study"
                )
            claimed[spec.shortcut] = path
            owner = sql.shortcut_owner(self.store, spec.shortcut)
            current = existing.get(path.casefold())
            if owner is not None and (current is None or owner["id"] != current.id):
                raise QualcodeError(
                    f"{origin}: shortcut “{spec.shortcut}” of “{path}” already belongs to "
                    f"“{self.code(owner['id']).path}” in the study"
                )

    def merge_codebook(self, book: Codebook, origin: Path | str = "codebook") -> dict[str, int]:
        self._check_codebook_shortcuts(book, origin, {})
        added = updated = 0
        with self.store.action(f"import codebook “{book.name}”", coder_id=self.coder_id):
            ids: dict[tuple[str, ...], int] = {}
            for parts, spec in book.walk():
                parent_id = ids[parts[:-1]] if len(parts) > 1 else None
                fields = _spec_fields(spec)
                provenance = _provenance_fields(spec)
                row = sql.child_by_name(self.store, parent_id, spec.name)
                if row is None:
                    row_id = sql.insert_code(
                        self.store,
                        {
                            "parent_id": parent_id,
                            "name": spec.name,
                            "codebook": book.name,
                            **fields,
                            **provenance,
                            **({"created_at": spec.created_at} if spec.created_at else {}),
                        },
                    )
                    added += 1
                else:
                    row_id = row["id"]
                    changes = {k: v for k, v in fields.items() if v and v != "[]" and row[k] != v}
                    changes.update({k: v for k, v in provenance.items() if row[k] != v})
                    if changes:
                        sql.update_code(self.store, row_id, changes)
                        updated += 1
                    if parent_id is None and not row["codebook"] and book.name:
                        # a top-level code added by hand joins the codebook that names it
                        sql.update_code(self.store, row_id, {"codebook": book.name})
                ids[parts] = row_id
            self._remember_codebook(book)
        return {"added": added, "updated": updated, "codes": len(book.walk())}

    def _remember_codebook(self, book: Codebook) -> None:
        """Keep the codebook's own name, description and source (export gives them back).
        A codebook without a name (codes from a foreign REFI-QDA file) is not one."""
        if not book.name:
            return
        row = sql.codebook_by_name(self.store, book.name)
        fields = {"description": book.description, "source": book.source}
        if row is None:
            sql.insert_codebook(self.store, {"name": book.name, **fields})
            return
        changes = {k: v for k, v in fields.items() if v and row[k] != v}
        if changes:
            sql.update_codebook(self.store, row["id"], changes)

    def codebook(self, name: str | None = None) -> Codebook:
        """The study's codes as one :class:`Codebook`: one named codebook's codes (with its
        description and source), or, without a name, all codes under the name "qualcode"
        (:meth:`codebooks` keeps them apart)."""
        if name is None:
            roots = [root for book in self.codebooks() for root in book.codes]
            return Codebook(name="qualcode", codes=roots)
        for book in self.codebooks():
            if book.name == name:
                return book
        raise QualcodeError(f"no codebook “{name}” in this study")

    def codebooks(self) -> list[Codebook]:
        """The study's codes grouped into the codebooks their top-level codes came from, in
        the order they were imported, each with its description and source; top-level codes
        of no codebook (added by hand) come last, in a codebook named "qualcode"."""
        specs: dict[int, CodeSpec] = {}
        grouped: dict[str, list[CodeSpec]] = {}
        for code in self.codes():
            spec = CodeSpec(
                name=code.name,
                description=code.description,
                when_to_use=code.when_to_use,
                when_not_to_use=code.when_not_to_use,
                example=code.example,
                color=code.color,
                shortcut=code.shortcut,
                keywords=list(code.keywords),
                source=SourceRef(code.source_document, code.source_section) if code.source_document else None,
                source_quote=code.source_quote if code.source_document else "",
                inductive=code.inductive and not code.source_document,
            )
            specs[code.id] = spec
            if code.parent_id is None:
                grouped.setdefault(code.codebook or "", []).append(spec)
            else:
                specs[code.parent_id].children.append(spec)
        books: list[Codebook] = []
        for row in sql.all_codebooks(self.store):
            if row["name"] in grouped:
                books.append(
                    Codebook(
                        row["name"], grouped.pop(row["name"]), description=row["description"], source=row["source"]
                    )
                )
        unnamed = grouped.pop("", [])
        books.extend(Codebook(name, roots) for name, roots in grouped.items())  # names from before the table
        if unnamed:
            books.append(Codebook("qualcode", unnamed))
        return books

    def export_codebook(self, path: Path | str, name: str | None = None) -> int:
        """Write one codebook, or all of them as one YAML document each (``---`` between
        them), to ``path``; return how many codes were written."""
        books = [self.codebook(name)] if name is not None else self.codebooks()
        with atomic_output(check_output_path(Path(path), "a file name such as codeboek.yaml")) as handle:
            handle.write(dump_codebooks(books))
        return sum(len(book.walk()) for book in books)

    def codebook_names(self) -> list[str]:
        return sorted({c.codebook for c in self.codes() if c.codebook})


def _spec_fields(spec: CodeSpec) -> dict[str, Any]:
    return {
        "description": spec.description,
        "when_to_use": spec.when_to_use,
        "when_not_to_use": spec.when_not_to_use,
        "example": spec.example,
        "color": spec.color,
        "shortcut": spec.shortcut,
        "keywords": json.dumps(spec.keywords, ensure_ascii=False),
    }


def _provenance_fields(spec: CodeSpec) -> dict[str, Any]:
    """The provenance columns a codebook file sets; a file that says nothing about a code's
    provenance leaves the study's as it is."""
    if spec.source is not None:
        return {
            "source_document": spec.source.document,
            "source_section": spec.source.section,
            "source_quote": spec.source_quote,
            "inductive": 0,
        }
    if spec.inductive:
        return {"source_document": "", "source_section": "", "source_quote": "", "inductive": 1}
    return {}


def _valid_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise QualcodeError("a code needs a name")
    if PATH_SEPARATOR in name:
        raise QualcodeError(f"“{name}”: a code name cannot contain “/”")
    split_path(name)
    return name
