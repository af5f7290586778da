"""Coding passages: add, remove, adjust, recode; coders; memos.

Every method here is one user action: one transaction, committed at once and undoable.
Passages are ``(start, end)`` code-point offsets into the document's normalised text,
end-exclusive (DESIGN.md, "Offsets").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import QualcodeError
from qualcode.core.models import Code, Coding, Memo
from qualcode.store import codings as sql
from qualcode.store import documents as docsql

if TYPE_CHECKING:
    from qualcode.core.scope import Scope
    from qualcode.store.core import Store

MEMO_TARGETS = ("study", "document", "code", "coding")
ORIGINS = ("manual", "suggested", "rule", "import", "in-vivo")


class CodingMixin:
    store: Store
    coder: str

    if TYPE_CHECKING:  # provided by Study and CodeTreeMixin; declared here for the type checker only

        @property
        def coder_id(self) -> int: ...

        def code(self, ref: str | int) -> Code: ...

        def code_descendants(self, code_id: int) -> list[int]: ...

    def _document_length(self, document_id: int) -> int:
        found = docsql.char_count(self.store, document_id)
        if found is None:
            raise QualcodeError(f"no document with id {document_id}; `qualcode documents` lists them")
        return int(found)

    def _check_span(self, document_id: int, start: int, end: int) -> None:
        length = self._document_length(document_id)
        if start < 0 or end <= start:
            raise QualcodeError(f"passage {start}–{end} is empty or reversed; start must be below end")
        if end > length:
            raise QualcodeError(
                f"passage {start}–{end} runs past the end of document {document_id} ({length} characters)"
            )

    # -- codings --------------------------------------------------------------------------

    def add_coding(
        self,
        document_id: int,
        code: str | int | Code,
        start: int,
        end: int,
        *,
        memo: str = "",
        origin: str = "manual",
        coder: str | None = None,
    ) -> Coding:
        """Code the passage ``[start, end)`` of a document. Overlapping codings are fine; the
        same code on the same passage by the same coder twice is refused."""
        target = code if isinstance(code, Code) else self.code(code)
        self._check_span(document_id, start, end)
        coder_id = self.coder_id if coder is None else sql.coder_id(self.store, coder)
        if sql.find_coding(self.store, document_id, target.id, coder_id, start, end) is not None:
            raise QualcodeError(f"passage {start}–{end} already has code “{target.path}” by this coder")
        with self.store.action(f"code {start}–{end} as “{target.path}”", coder_id=coder_id):
            coding_id = sql.insert_coding(
                self.store,
                document_id=document_id,
                code_id=target.id,
                coder_id=coder_id,
                start=start,
                end=end,
                memo=memo,
                origin=origin,
            )
        return Coding(
            id=coding_id,
            document_id=document_id,
            code_id=target.id,
            coder=coder or self.coder,
            start=start,
            end=end,
            memo=memo,
            origin=origin,
        )

    def add_codings(
        self, items: list[tuple[int, int, int]], code: str | int | Code, *, origin: str = "manual"
    ) -> list[Coding]:
        """Code many passages ``(document_id, start, end)`` with one code as ONE action, so a
        single undo takes them all back ("code all search hits"). Every span is checked
        before anything is written; passages this coder already has with the code are
        skipped (as are duplicates within ``items``), not refused."""
        target = code if isinstance(code, Code) else self.code(code)
        if origin not in ORIGINS:
            raise QualcodeError(f"origin “{origin}” is not one of: {', '.join(ORIGINS)}")
        for document_id, start, end in items:
            self._check_span(document_id, start, end)
        todo: list[tuple[int, int, int]] = []
        for item in dict.fromkeys(items):
            if sql.find_coding(self.store, item[0], target.id, self.coder_id, item[1], item[2]) is None:
                todo.append(item)
        if not todo:
            return []
        made: list[Coding] = []
        with self.store.action(f"code {len(todo)} passages as “{target.path}”", coder_id=self.coder_id):
            for document_id, start, end in todo:
                coding_id = sql.insert_coding(
                    self.store,
                    document_id=document_id,
                    code_id=target.id,
                    coder_id=self.coder_id,
                    start=start,
                    end=end,
                    origin=origin,
                )
                made.append(Coding(coding_id, document_id, target.id, self.coder, start, end, origin=origin))
        return made

    def add_coding_sentences(
        self, document_id: int, code: str | int | Code, sentence_ids: Sequence[int], **kw: object
    ) -> Coding:
        """Code the passage from the first to the last of the given sentences."""
        if not sentence_ids:
            raise QualcodeError("give at least one sentence id; `qualcode sentences DOCUMENT` lists them")
        spans = docsql.sentence_spans(self.store, document_id, sentence_ids)
        if len(spans) != len(set(sentence_ids)):
            missing = set(sentence_ids) - {r["id"] for r in spans}
            raise QualcodeError(f"sentence(s) {', '.join(map(str, sorted(missing)))} are not in document {document_id}")
        return self.add_coding(document_id, code, spans[0]["start"], spans[-1]["end"], **kw)  # type: ignore[arg-type]

    def add_coding_turn(self, turn_id: int, code: str | int | Code, **kw: object) -> Coding:
        """Code what a speaker said in one turn (the label left out)."""
        turn = docsql.turn_span(self.store, turn_id)
        if turn is None:
            raise QualcodeError(f"no turn with id {turn_id}; `qualcode turns DOCUMENT` lists them")
        return self.add_coding(turn["document_id"], code, turn["body_start"], turn["end"], **kw)  # type: ignore[arg-type]

    def coding(self, coding_id: int) -> Coding:
        row = sql.get_coding(self.store, coding_id)
        if row is None:
            raise QualcodeError(f"no coding with id {coding_id}")
        return Coding.from_row(row)

    def document_codings(self, document_id: int) -> list[Coding]:
        return [Coding.from_row(r) for r in sql.document_codings(self.store, document_id)]

    def coding_spans(
        self, document_id: int, within: tuple[int, int] | None = None
    ) -> list[tuple[int, int, int, int, int]]:
        """``(start, end, id, code_id, coder_id)`` of a document's codings (unordered): the
        lean form a coding view paints from (full rows cost too much for 20,000 codings);
        with ``within=(lo, hi)`` only the codings that touch ``[lo, hi)`` (a screenful of a
        long transcript, read first so that it paints before the rest is read)."""
        from qualcode.store.workbench import document_spans

        return document_spans(self.store, document_id, within)

    def sentence_bounds(self, document_id: int, first: bool = False) -> list[tuple[int, int]]:
        """``(start, end)`` of a document's sentences: what a cursor moving by sentence needs,
        a fifth of the cost of :meth:`sentences` on a long transcript (with ``first``, only
        the first sentence: where a long transcript's selection starts, before the rest)."""
        from qualcode.store.workbench import sentence_bounds

        return sentence_bounds(self.store, document_id, first)

    def document_order(self) -> list[int]:
        """The documents' ids in the order listings show them, without their counts (those
        of :meth:`document_rows` grow with the codings): what a start-up needs first."""
        from qualcode.store.workbench import document_order

        return document_order(self.store)

    def coder_names(self) -> dict[int, str]:
        """Every coder's name by id (:meth:`coders` also counts their codings)."""
        from qualcode.store.workbench import coder_names

        return coder_names(self.store)

    def turn_bounds(self, document_id: int) -> list[tuple[int, int, int, str | None, str | None]]:
        """``(start, body_start, end, speaker, role)`` of a document's turns in order: the
        lean form of :meth:`turns` a transcript view needs (a fifth of its cost)."""
        from qualcode.store.workbench import turn_bounds

        return turn_bounds(self.store, document_id)

    def codings_at(self, document_id: int, offset: int) -> list[Coding]:
        return [Coding.from_row(r) for r in sql.codings_at(self.store, document_id, offset)]

    def remove_coding(self, coding_id: int) -> Coding:
        coding = self.coding(coding_id)
        with self.store.action(f"remove coding {coding_id}", coder_id=self.coder_id):
            for memo_id in sql.coding_memo_ids(self.store, coding_id):
                sql.delete_memo(self.store, memo_id)
            sql.delete_coding(self.store, coding_id)
        return coding

    def adjust_coding(self, coding_id: int, start: int, end: int) -> Coding:
        """Move a coding's boundaries."""
        coding = self.coding(coding_id)
        self._check_span(coding.document_id, start, end)
        self._refuse_twin(coding_id, coding.document_id, coding.code_id, start, end)
        with self.store.action(f"adjust coding {coding_id} to {start}–{end}", coder_id=self.coder_id):
            sql.update_coding(self.store, coding_id, {"start": start, "end": end})
        return self.coding(coding_id)

    def recode(self, coding_id: int, code: str | int) -> Coding:
        """Give a coding another code (the passage stays)."""
        target = self.code(code)
        coding = self.coding(coding_id)
        self._refuse_twin(coding_id, coding.document_id, target.id, coding.start, coding.end)
        with self.store.action(f"recode coding {coding_id} as “{target.path}”", coder_id=self.coder_id):
            sql.update_coding(self.store, coding_id, {"code_id": target.id})
        return self.coding(coding_id)

    def _refuse_twin(self, coding_id: int, document_id: int, code_id: int, start: int, end: int) -> None:
        """Refuse an edit that would give a coding's coder the same code on the same passage
        twice (as :meth:`add_coding` does)."""
        row = sql.get_coding(self.store, coding_id)
        assert row is not None
        twin = sql.find_coding(self.store, document_id, code_id, row["coder_id"], start, end)
        if twin is not None and twin != coding_id:
            raise QualcodeError(
                f"passage {start}–{end} already has code “{self.code(code_id).path}” by this coder (coding {twin})"
            )

    def set_coding_memo(self, coding_id: int, text: str) -> Coding:
        self.coding(coding_id)
        with self.store.action(f"memo on coding {coding_id}", coder_id=self.coder_id):
            sql.update_coding(self.store, coding_id, {"memo": text})
        return self.coding(coding_id)

    def fragments(
        self,
        *,
        codes: Sequence[str | int] | None = None,
        coder: str | None = None,
        document: int | str | None = None,
        organisation: str | None = None,
        project: str | None = None,
        role: str | None = None,
        attributes: dict[str, str] | None = None,
        include_children: bool = True,
        limit: int | None = None,
        scope: Scope | None = None,
        speaker_role: str | None = None,
        not_speaker_role: str | None = None,
    ) -> list[dict[str, Any]]:
        """Coded fragments with their context (organisation, project, document, role,
        participant, speaker, code path, coder, text, memo), filtered by a ``scope`` or the
        same filters one by one; sub-codes count for their parent unless ``include_children``
        is off. Ordered by organisation, project, document title, start, end. ``role`` is
        the document's role (whose interview it is); ``speaker_role`` / ``not_speaker_role``
        look at the turn a coding starts in, so an interviewer's question in a parent's
        interview is not the parent's.

        The one fragments query (retrieval, exports, the report): codings in one query,
        document context and texts once per document, speakers by bisecting each document's
        turns — reading them per coding would walk each transcript's pages once per coding.
        """
        from bisect import bisect_right

        from qualcode.core.scope import Scope
        from qualcode.store import analysis as anasql

        if scope is None:
            scope = Scope(organisation, project, role, dict(attributes or {}), coder)
        self.check_attribute_filters(scope.attributes)  # type: ignore[attr-defined]
        code_ids: list[int] | None = None
        if codes:
            found = [self.code(ref).id for ref in codes]
            nested = (self.code_descendants(i) for i in found) if include_children else ([i] for i in found)
            code_ids = sorted({i for ids in nested for i in ids})
        docs = {r["id"]: r for r in anasql.scope_documents(self.store, scope)}
        if document is not None:
            wanted = self.document(document).id  # type: ignore[attr-defined]
            docs = {wanted: docs[wanted]} if wanted in docs else {}
        paths = {c.id: c.path for c in self.codes()}  # type: ignore[attr-defined]
        read = anasql.fragment_codings(self.store, scope, code_ids)
        if not read:
            return []
        # Per coding only C-speed work where it can be: rows read by position, documents
        # ranked once, each fragment one dictionary display (BUILD_CONST_KEY_MAP).
        # (id, document_id, code_id, coder_id, start, end, memo, origin, created_at, coder):
        # fragment_codings's columns, unpacked below (tests/test_fragments_export.py checks)
        i_id, i_doc, i_start, i_end = 0, 1, 4, 5
        codings = [r for r in read if r[i_doc] in docs]
        # Ordered by organisation, project, title, then position: documents sharing all three
        # interleave by position, as one sort over (organisation, project, title, start, end, id).
        titles = sorted({(d["organisation"] or "", d["project"] or "", d["title"]) for d in docs.values()})
        title_rank = {t: n for n, t in enumerate(titles)}
        rank = {i: title_rank[(d["organisation"] or "", d["project"] or "", d["title"])] for i, d in docs.items()}
        codings.sort(key=lambda r: (rank[r[i_doc]], r[i_start], r[i_end], r[i_id]))
        by_role = speaker_role is not None or not_speaker_role is not None
        if limit is not None and not by_role:
            codings = codings[:limit]
        turns: dict[int, tuple[list[int], list[str | None], list[str | None]]] = {}
        for t in anasql.turn_starts(self.store, sorted({r[i_doc] for r in codings})):
            starts, speakers, roles = turns.setdefault(t["document_id"], ([], [], []))
            starts.append(t["start"])
            speakers.append(t["speaker"])
            roles.append(t["role"])
        no_turns: tuple[list[int], list[str | None], list[str | None]] = ([], [], [])

        def turn_of(r: Any) -> tuple[str | None, str | None]:
            starts, speakers, roles = turns.get(r[i_doc], no_turns)
            n = bisect_right(starts, r[i_start]) - 1
            return (speakers[n], roles[n]) if n >= 0 else (None, None)

        if by_role:
            codings = [
                r
                for r in codings
                if (speaker_role is None or turn_of(r)[1] == speaker_role)
                and (not_speaker_role is None or turn_of(r)[1] != not_speaker_role)
            ]
            if limit is not None:
                codings = codings[:limit]
        used = sorted({r[i_doc] for r in codings})
        texts = {r["id"]: r["text"] for r in anasql.document_texts(self.store, used)}
        context = {
            i: (d["organisation"], d["project"], d["title"], d["role"], d["participant"], d["case"], d["wave"])
            for i, d in docs.items()
        }
        out = []
        for cid, doc_id, code_id, coder_id, start, end, memo, origin, created_at, coder in codings:
            organisation, project, title, role, participant, case, wave = context[doc_id]
            starts, speakers, roles = turns.get(doc_id, no_turns)
            n = bisect_right(starts, start) - 1
            speaker, turn_role = (speakers[n], roles[n]) if n >= 0 else (None, None)
            out.append(
                {
                    "id": cid,
                    "document_id": doc_id,
                    "code_id": code_id,
                    "coder_id": coder_id,
                    "start": start,
                    "end": end,
                    "memo": memo,
                    "origin": origin,
                    "created_at": created_at,
                    "coder": coder,
                    "code": paths.get(code_id, ""),
                    "organisation": organisation,
                    "project": project,
                    "document": title,
                    "role": role,
                    "participant": participant,
                    "case": case,
                    "wave": wave,
                    "speaker": speaker,
                    "speaker_role": turn_role,
                    "text": texts[doc_id][start:end],
                }
            )
        return out

    # -- coders ---------------------------------------------------------------------------

    def coders(self) -> list[dict[str, Any]]:
        return [dict(r) for r in sql.coders(self.store)]

    # -- memos ----------------------------------------------------------------------------

    def set_memo(self, target: str, target_id: int | str | None, text: str) -> Memo | None:
        """Write (or, with empty text, delete) this coder's memo on the study, a document, a
        code or a coding. A memo on a coding is the coding's own memo field."""
        if target not in MEMO_TARGETS:
            raise QualcodeError(f"a memo goes on one of: {', '.join(MEMO_TARGETS)}")
        if not text.strip():  # blanks only is "no memo", not a memo nobody can see
            text = ""
        if target == "study":
            resolved = 0
        elif target == "code":
            resolved = self.code(target_id if target_id is not None else "").id
        elif target_id is None:
            raise QualcodeError(f"a memo on a {target} needs its id")
        else:
            if not str(target_id).strip().isdigit():
                raise QualcodeError(f"a {target} is named by its id (a number), not “{target_id}”")
            resolved = int(target_id)
            if target == "document":
                self._document_length(resolved)
        if target == "coding":
            self.set_coding_memo(resolved, text)
            return Memo(0, "coding", resolved, text, self.coder, "") if text else None
        with self.store.action(f"memo on {target} {resolved}", coder_id=self.coder_id):
            memo_id = sql.set_memo(self.store, target, resolved, self.coder_id, text)
        if memo_id is None:
            return None
        return next(m for m in self.memos(target, resolved) if m.id == memo_id)

    def memos(self, target: str | None = None, target_id: int | None = None) -> list[Memo]:
        found = [
            Memo(r["id"], r["target"], r["target_id"], r["text"], r["coder"], r["updated_at"])
            for r in sql.memos(self.store, target, target_id)
        ]
        if target in (None, "coding"):
            for row in sql.coding_memos(self.store, target_id if target == "coding" else None):
                found.append(Memo(0, "coding", row["id"], row["memo"], row["coder"], row["created_at"]))
        return found

    def memo_coding_ids(self, document_id: int) -> set[int]:
        """A document's codings that carry a memo (for marking them in the text)."""
        return set(sql.memo_coding_ids(self.store, document_id))

    def memo_overview(self) -> list[dict[str, Any]]:
        """Every memo in the study (unordered) with where it is: ``target`` (study,
        document, code, coding), ``target_id``, ``text``, ``coder``, ``updated_at``; for a
        memo on a coding or a document ``document_id`` and ``title``; for a coding its
        ``start``, ``end``, ``code_id`` and coded ``words`` (the first 300 characters);
        for a code ``code_id``."""
        return [dict(r) for r in sql.memo_overview(self.store)]

    def code_in_vivo(
        self, document_id: int, start: int, end: int, *, parent: str = "In vivo", name: str | None = None
    ) -> Coding:
        """Code a passage with a new code named from its own words (in-vivo coding), under
        ``parent`` (created on demand); one undoable action. An existing code of that name
        under the parent is reused. The name never holds "…": a long one is cut at a word
        boundary, and a new code keeps the passage's full words as its description."""
        text = docsql.get_document(self.store, document_id)
        if text is None:
            raise QualcodeError(f"no document with id {document_id}; `qualcode documents` lists them")
        words = " ".join(str(text["text"])[start:end].split()).strip(" .,;:!?\"'“”‘’()[]-–")
        label = _word_cut(" ".join((name or words).replace("…", " ").split()), 60).replace("/", "-")
        if not label:
            raise QualcodeError(f"passage {start}–{end} has no words to name an in-vivo code after")
        with self.store.action(f"in vivo “{label}”", coder_id=self.coder_id):
            try:
                top = self.code(parent)
            except QualcodeError:
                top = self.add_code(parent, description="Codes named from respondents' own words.")  # type: ignore[attr-defined]
            try:
                target = self.code(f"{top.path}/{label}")
            except QualcodeError:
                full = f"In vivo, from: “{words}”" if words.casefold() != label.casefold() else ""
                target = self.add_code(label, top.id, description=full)  # type: ignore[attr-defined]
            return self.add_coding(document_id, target, start, end, origin="in-vivo")


def _word_cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary (a single longer word is
    cut inside), without trailing punctuation."""
    text = text.strip()
    if len(text) > limit:
        head = text[: limit + 1]
        text = head.rsplit(" ", 1)[0] if " " in head else text[:limit]
    return text.strip(" .,;:!?\"'“”‘’()[]-–")
