"""Writing a pseudonymised copy of a study, its key, and the reverse.

The original is only ever read (a read-only snapshot); the copy is rewritten in that snapshot
and moved into place whole, together with the key, or not at all. The key (placeholder →
original, with counts) is the only way back; it is written 0600 and never inside the copy.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.core.errors import QualcodeError
from qualcode.core.progress import Progress, report
from qualcode.pseudonymise.detect import LOCAL_KINDS, Finding, Options, SourceDocument, detect, spreads
from qualcode.pseudonymise.remap import OffsetMap, Replacement, apply

KEY_FORMAT = "qualcode-pseudonymisation-key"
LABELS = {
    "persoon": "Persoon",
    "plaats": "Plaats",
    "school": "School",
    "instelling": "Instelling",
    "datum": "Datum",
    "leeftijd": "Leeftijd",
    "telefoon": "Telefoon",
    "email": "E-mail",
    "postcode": "Postcode",
    "bsn": "BSN",
}
_META_MARK = "pseudonymised_copy"
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(re.escape(v) for v in LABELS.values()) + r")-\d+\]")


@dataclass
class Plan:
    """Which surface form becomes which placeholder, and where in each document."""

    placeholders: dict[str, str] = field(default_factory=dict)  # original → placeholder
    kinds: dict[str, str] = field(default_factory=dict)  # placeholder → kind
    findings: dict[int, list[Finding]] = field(default_factory=dict)
    # (document, original) → placeholder: an age or date said as a bare number ("negen",
    # "maart") gets a placeholder of its own in each document, so that two interviews' ages
    # do not read as the same age.
    local: dict[tuple[int, str], str] = field(default_factory=dict)

    def placeholder(self, document_id: int, original: str) -> str:
        """The placeholder of ``original`` where ``document_id`` said it."""
        return self.local.get((document_id, original)) or self.placeholders[original]

    def entries(self) -> list[tuple[str, str]]:
        """(original, placeholder) of every placeholder, study-wide and per document."""
        return [*self.placeholders.items(), *((o, p) for (_, o), p in self.local.items())]

    def field_map(self) -> dict[str, str]:
        """Surface forms to replace in titles, attributes, memos and codes: names, places,
        numbers and whole dates ("12 mei 2016"), not a bare month or number that is a date or
        an age only where it was said."""
        found = {o: p for o, p in self.placeholders.items() if spreads(o, self.kinds[p])}
        # "het Drenthe College" was said; a memo writes "Drenthe College".
        for original, placeholder in list(found.items()):
            bare = re.sub(r"^(?:het|de|'t)\s+", "", original)
            if bare != original and self.kinds[placeholder] in ("school", "instelling"):
                found.setdefault(bare, placeholder)
        return found

    def replacements(self, document_id: int) -> list[Replacement]:
        return [
            Replacement(f.start, f.end, self.placeholder(document_id, f.text))
            for f in self.findings.get(document_id, [])
        ]


def make_plan(findings: dict[int, list[Finding]]) -> Plan:
    """Number placeholders per kind in order of first appearance (documents by id). A name,
    place or whole date is one placeholder across the study; an age or date said as a bare
    number word is one per document (:attr:`Plan.local`)."""
    plan = Plan(findings=findings)
    counters: Counter[str] = Counter()

    def number(kind: str) -> str:
        counters[kind] += 1
        placeholder = f"[{LABELS[kind]}-{counters[kind]}]"
        plan.kinds[placeholder] = kind
        return placeholder

    for doc_id in sorted(findings):
        for f in findings[doc_id]:
            if f.kind in LOCAL_KINDS and not spreads(f.text, f.kind):
                if (doc_id, f.text) not in plan.local:
                    plan.local[doc_id, f.text] = number(f.kind)
            elif f.text not in plan.placeholders:
                plan.placeholders[f.text] = number(f.kind)
    return plan


def replace_surfaces(value: str, mapping: Mapping[str, str]) -> str:
    """Every whole-word occurrence of a mapping's key in ``value`` replaced (longest first)."""
    if not mapping or not value:
        return value
    pattern = _pattern(tuple(sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda m: mapping[m.group()], value)


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    if keys not in _PATTERNS:
        _PATTERNS.clear()
        _PATTERNS[keys] = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")
    return _PATTERNS[keys]


# -- reading the study -------------------------------------------------------------------------


@contextmanager
def open_readonly(path: Path | str) -> Iterator[Any]:
    """A study opened from a read-only snapshot in a private temporary folder: previewing
    never migrates, journals or otherwise touches the researcher's file."""
    from qualcode.store import pseudonymise as sql
    from qualcode.study.study import Study

    with tempfile.TemporaryDirectory(prefix="qualcode-pseudo-") as folder:
        scratch = Path(folder) / "snapshot.qualcode"
        sql.snapshot(Path(path), scratch)
        study = Study.open(scratch, coder="pseudonymise")
        try:
            yield study
        finally:
            study.close()


def source_documents(study: Any, only: list[int] | None = None) -> list[SourceDocument]:
    from qualcode.store import pseudonymise as sql

    docs = []
    for row in sql.document_texts(study.store):
        if only is not None and row["id"] not in only:
            continue
        docs.append(
            SourceDocument(
                id=row["id"],
                title=row["title"],
                text=row["text"],
                speakers=sql.speakers(study.store, row["id"]),
                participant=row["participant"],
                attributes=sql.document_attributes(study.store, row["id"]),
            )
        )
    return docs


def study_options(study: Any, options: Options) -> Options:
    """The options with the study's own organisation names protected."""
    from qualcode.store import pseudonymise as sql

    return Options(
        gazetteer=options.gazetteer,
        use_deduce=options.use_deduce,
        include_organisations=options.include_organisations,
        protected=options.protected | sql.organisation_names(study.store),
    )


def find(
    study: Any,
    options: Options,
    *,
    only: list[int] | None = None,
    progress: Progress | None = None,
) -> dict[int, list[Finding]]:
    """The findings in a study's documents (for ``--preview`` and the review screen)."""
    return detect(source_documents(study, only), study_options(study, options), progress=progress)


# -- rewriting a copy --------------------------------------------------------------------------


@dataclass
class Rewrite:
    """What a rewrite did: the spans that had to grow (kept to restore them exactly)."""

    snapped: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # table → rowid → values
    documents: int = 0


def rewrite(
    study: Any,
    replacements: Callable[[int, str], list[Replacement]],
    field_map: Mapping[str, str],
    *,
    restore: Mapping[str, Mapping[str, list[int]]] | None = None,
    progress: Progress | None = None,
) -> Rewrite:
    """Rewrite every text, offset and free-text field of ``study`` (a scratch copy), in one
    transaction. ``replacements(doc_id, text)`` gives a document's replacements; ``field_map``
    maps surface forms in other fields; ``restore`` puts back spans recorded as snapped."""
    from qualcode.ingest import nlp
    from qualcode.store import pseudonymise as sql

    store = study.store
    result = Rewrite()
    with store.action("pseudonymise", record=False):
        tables = sql.offset_tables(store)
        docs = sql.document_texts(store)
        for n, row in enumerate(docs, start=1):
            report(progress, n - 1, len(docs), row["title"])
            old = row["text"]
            new, offsets = apply(old, replacements(row["id"], old))
            for table, columns in tables:
                _remap_rows(store, table, columns, row["id"], offsets, result, restore)
            lemmatise_language = row["language"] or "nl"
            sentence_rows = sql.sentence_spans(store, row["id"])
            sql.set_sentence_lemmas(
                store, [(" ".join(nlp.lemmas(new[s:e], lemmatise_language)), sid) for sid, s, e in sentence_rows]
            )
            words = nlp.spoken_word_count(new, sql.turn_spans(store, row["id"]))
            sql.set_document_text(store, row["id"], new, hashlib.sha256(new.encode("utf-8")).hexdigest(), words)
            result.documents += 1
        report(progress, len(docs), len(docs), "")
        for table, rowid, column, value in list(sql.prose_fields(store)):
            changed = replace_surfaces(value, field_map)
            if changed != value:
                sql.set_field(store, table, rowid, column, changed)
    return result


def _remap_rows(
    store: Any,
    table: str,
    columns: list[str],
    document_id: int,
    offsets: OffsetMap,
    result: Rewrite,
    restore: Mapping[str, Mapping[str, list[int]]] | None,
) -> None:
    from qualcode.store import pseudonymise as sql

    updates = []
    kept = (restore or {}).get(table, {})
    for row in sql.offset_rows(store, table, columns, document_id):
        values = [row[c] for c in columns]
        start, end = row["start"], row["end"]
        if str(row["rid"]) in kept:
            updates.append((*kept[str(row["rid"])], row["rid"]))
            continue
        if restore is None and offsets.is_snapped(start, end):
            result.snapped.setdefault(table, {})[str(row["rid"])] = values
        mapped = [offsets.end(v) if c == "end" else offsets.start(v) for c, v in zip(columns, values)]
        updates.append((*mapped, row["rid"]))
    sql.set_offsets(store, table, columns, updates)


def _placeholder_counts(study: Any) -> Counter[str]:
    """How often each placeholder occurs in the copy's texts and fields (the key's counts)."""
    from qualcode.store import pseudonymise as sql

    counts: Counter[str] = Counter()
    for row in sql.document_texts(study.store):
        counts.update(PLACEHOLDER.findall(row["text"]))
    for _, _, _, value in sql.prose_fields(study.store):
        counts.update(PLACEHOLDER.findall(value))
    return counts


@dataclass
class Summary:
    documents: int
    findings: int
    placeholders: dict[str, str]  # placeholder → kind
    counts: dict[str, int]
    snapped: int


def pseudonymise(
    source: Path | str,
    output: Path | str,
    key_path: Path | str,
    options: Options,
    *,
    progress: Progress | None = None,
) -> Summary:
    """Write a pseudonymised copy of ``source`` to ``output`` and its key to ``key_path``."""
    from qualcode.core.files import atomic_output, atomic_path
    from qualcode.store import pseudonymise as sql
    from qualcode.study.study import Study

    source, output, key_path = Path(source), Path(output), Path(key_path)
    _check_targets(source, output, key_path)
    with atomic_path(output) as scratch:
        scratch.unlink()
        sql.snapshot(source, scratch)
        study = Study.open(scratch, coder="pseudonymise")
        try:
            opts = study_options(study, options)
            docs = source_documents(study)
            findings = detect(docs, opts, progress=progress)
            plan = make_plan(findings)
            done = rewrite(study, lambda doc_id, _t: plan.replacements(doc_id), plan.field_map(), progress=progress)
            copy_id = uuid.uuid4().hex
            with study.store.action("mark copy", record=False):
                sql.set_meta(study.store, _META_MARK, copy_id)
            counts = _placeholder_counts(study)
            sql.finish_copy(study.store)
        finally:
            study.close()
        key = {
            "format": KEY_FORMAT,
            "version": 1,
            "copy": copy_id,
            "placeholders": {
                p: {"original": o, "kind": plan.kinds[p], "count": counts.get(p, 0)} for o, p in plan.entries()
            },
            "restore": done.snapped,
        }
        with atomic_output(key_path) as handle:
            json.dump(key, handle, ensure_ascii=False, indent=1)
    return Summary(
        documents=done.documents,
        findings=sum(len(v) for v in findings.values()),
        placeholders=dict(plan.kinds),
        counts=dict(counts),
        snapped=sum(len(v) for v in done.snapped.values()),
    )


def _check_targets(source: Path, output: Path, key_path: Path) -> None:
    if not source.exists():
        raise QualcodeError(f"{source}: no such study")
    for target, what in ((output, "copy"), (key_path, "key")):
        if target.exists() and target.resolve() == source.resolve():
            raise QualcodeError(f"{target}: that is the original study; write the {what} somewhere else")
    if output.resolve() == key_path.resolve():
        raise QualcodeError(f"{key_path}: the key cannot be the copy; keep it apart")


def load_key(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    try:
        key = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QualcodeError(f"{path}: no such key file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QualcodeError(f"{path}: not a pseudonymisation key ({exc})") from None
    if not isinstance(key, dict) or key.get("format") != KEY_FORMAT or not isinstance(key.get("placeholders"), dict):
        raise QualcodeError(f"{path}: not a qualcode pseudonymisation key")
    return key


def check_key(study: Any, key: dict[str, Any], key_path: Path, copy_path: Path) -> None:
    """Refuse, in one line, a key that was not made for this copy."""
    from qualcode.store import pseudonymise as sql

    mark = sql.get_meta(study.store, _META_MARK)
    if mark is None:
        raise QualcodeError(f"{copy_path}: not a pseudonymised copy (no key fits it)")
    if mark != key.get("copy"):
        raise QualcodeError(f"{key_path} does not fit {copy_path}: it is the key of another copy")
    counts = _placeholder_counts(study)
    for placeholder, entry in key["placeholders"].items():
        if counts.get(placeholder, 0) != entry.get("count"):
            raise QualcodeError(
                f"{key_path} does not fit {copy_path}: {placeholder} occurs {counts.get(placeholder, 0)} times, "
                f"the key says {entry.get('count')}"
            )
    unknown = set(counts) - set(key["placeholders"])
    if unknown:
        raise QualcodeError(f"{key_path} does not fit {copy_path}: it does not know {min(unknown)}")


def reverse(
    copy_path: Path | str,
    key_path: Path | str,
    output: Path | str,
    *,
    progress: Progress | None = None,
) -> int:
    """Restore the originals of a pseudonymised copy into ``output``; return the documents."""
    from qualcode.core.files import atomic_path
    from qualcode.store import pseudonymise as sql
    from qualcode.study.study import Study

    copy_path, key_path, output = Path(copy_path), Path(key_path), Path(output)
    key = load_key(key_path)
    if not copy_path.exists():
        raise QualcodeError(f"{copy_path}: no such study")
    if output.exists() and output.resolve() == copy_path.resolve():
        raise QualcodeError(f"{output}: that is the copy; write the restored study somewhere else")
    originals = {p: e["original"] for p, e in key["placeholders"].items()}
    with atomic_path(output) as scratch:
        scratch.unlink()
        sql.snapshot(copy_path, scratch)
        study = Study.open(scratch, coder="pseudonymise")
        try:
            check_key(study, key, key_path, copy_path)

            def back(_doc_id: int, text: str) -> list[Replacement]:
                return [
                    Replacement(m.start(), m.end(), originals[m.group()])
                    for m in PLACEHOLDER.finditer(text)
                    if m.group() in originals
                ]

            done = rewrite(study, back, originals, restore=key.get("restore") or {}, progress=progress)
            with study.store.action("unmark copy", record=False):
                sql.set_meta(study.store, _META_MARK, None)
            sql.finish_copy(study.store)
        finally:
            study.close()
    return done.documents
