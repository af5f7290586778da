"""Cases (families or households), waves and outcome variables: the study's research design.

A case groups the documents of one family (a parent, a child, their coach); each document
belongs to at most one case, with its respondent's role, and has at most one wave. Outcome
variables (scores, categories) belong to a case at a wave. Every change here is one undoable
action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.core.errors import QualcodeError, file_error
from qualcode.store import cases as casesql

if TYPE_CHECKING:
    from qualcode.store.core import Store

# Cells that mean "not measured" in the spreadsheets researchers keep.
MISSING = {"", "na", "n/a", "nvt", "n.v.t.", "-", "."}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")


def parse_number(text: str) -> float | None:
    """A number as written in a Dutch or English sheet ("5,8", "5.8", "-2"), else None.
    Thousands separators are not read: scores are small numbers, and "1.234" is ambiguous."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    return float(text.replace(",", "."))


def format_number(value: float) -> str:
    """The canonical text of a numeric value: a whole number without ".0", else its shortest
    decimal-point form (so "5,80" and "5.8" are stored alike)."""
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def sort_waves(waves: set[str] | list[str]) -> list[str]:
    """Waves in their natural order: numbers by value, then labels alphabetically."""
    return sorted(waves, key=lambda w: (0, float(w), "") if parse_number(w) is not None else (1, 0.0, w))


@dataclass
class VariablesImport:
    """What ``variables import`` wrote."""

    values: int = 0
    cases: set[str] = field(default_factory=set)
    created_cases: list[str] = field(default_factory=list)
    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)


DOCUMENT_FIELDS = ("role", "participant", "interview_date", "case", "wave")
"""What :meth:`CaseMixin.edit_document` changes besides the free attributes."""


class CaseMixin:
    """The cases, waves and variables of a :class:`~qualcode.study.study.Study`."""

    store: Store

    @property
    def coder_id(self) -> int:  # provided by Study
        raise NotImplementedError

    # -- cases ----------------------------------------------------------------------------

    def has_cases(self) -> bool:
        return casesql.has_cases(self.store)

    def case_id(self, name: str) -> int:
        found = casesql.case_by_name(self.store, name.strip())
        if found is None:
            raise QualcodeError(f"no case “{name}”; `qualcode cases` lists them, `qualcode case add` adds one")
        return int(found["id"])

    def add_case(self, name: str, label: str | None = None) -> int:
        name = _case_name(name)
        if casesql.case_by_name(self.store, name) is not None:
            raise QualcodeError(f"case “{name}” already exists")
        with self.store.action(f"add case “{name}”", coder_id=self.coder_id):
            return casesql.insert_case(self.store, name, label or None)

    def rename_case(self, name: str, new_name: str, label: str | None = None) -> None:
        case_id = self.case_id(name)
        new_name = _case_name(new_name)
        if new_name != name and casesql.case_by_name(self.store, new_name) is not None:
            raise QualcodeError(f"case “{new_name}” already exists")
        changes: dict[str, Any] = {"name": new_name}
        if label is not None:
            changes["label"] = label or None
        with self.store.action(f"rename case “{name}” to “{new_name}”", coder_id=self.coder_id):
            casesql.update_case(self.store, case_id, changes)

    def remove_case(self, name: str, *, with_variables: bool = False) -> None:
        """Remove a case that has no documents (unassign them first); its variables go only
        when asked, since they are data the researcher entered."""
        case_id = self.case_id(name)
        docs = casesql.document_case_count(self.store, case_id)
        if docs:
            raise QualcodeError(f"case “{name}” still has {docs} document(s); `qualcode case unassign DOC` them first")
        held = len(casesql.variables(self.store, case_id=case_id))
        if held and not with_variables:
            raise QualcodeError(f"case “{name}” has {held} variable value(s); pass --with-variables to remove them too")
        with self.store.action(f"remove case “{name}”", coder_id=self.coder_id):
            casesql.delete_case(self.store, case_id)

    def assign_case(self, document: int | str, case: str, *, wave: str | None = None) -> bool:
        """Put a document in a case (adding the case if the study lacks it; return whether it
        was added), optionally setting its wave."""
        from qualcode.ingest.importer import normalise_wave

        doc = self.document(document)  # type: ignore[attr-defined]
        name = _case_name(case)
        with self.store.action(f"assign “{doc.title}” to case “{name}”", coder_id=self.coder_id):
            created = casesql.case_by_name(self.store, name) is None
            casesql.set_document_case(self.store, doc.id, casesql.ensure_case(self.store, name))
            if wave is not None:
                casesql.set_document_wave(self.store, doc.id, normalise_wave(wave))
        return created

    def unassign_case(self, document: int | str) -> str | None:
        """Take a document out of its case; return the case's name (None if it had none)."""
        doc = self.document(document)  # type: ignore[attr-defined]
        if doc.case is None:
            return None
        with self.store.action(f"take “{doc.title}” out of case “{doc.case}”", coder_id=self.coder_id):
            casesql.set_document_case(self.store, doc.id, None)
        return doc.case

    def set_wave(self, document: int | str, wave: str | None) -> None:
        from qualcode.ingest.importer import normalise_wave

        doc = self.document(document)  # type: ignore[attr-defined]
        with self.store.action(f"set the wave of “{doc.title}”", coder_id=self.coder_id):
            casesql.set_document_wave(self.store, doc.id, normalise_wave(wave))

    def edit_document(
        self,
        document: int | str,
        fields: dict[str, str | None] | None = None,
        attributes: dict[str, str] | None = None,
    ) -> list[str]:
        """Change a document's role, participant, interview date, case and wave (``fields``;
        an empty value clears one) and replace its free attributes with ``attributes`` (when
        given), as one undoable action; return the names of what changed.

        A case that does not exist yet is added (as ``qualcode case assign`` does)."""
        from qualcode.ingest.importer import ALIASES, normalise_wave
        from qualcode.store import documents as docsql

        doc = self.document(document)  # type: ignore[attr-defined]
        fields = dict(fields or {})
        unknown = set(fields) - set(DOCUMENT_FIELDS)
        if unknown:
            raise QualcodeError(f"not a document field: {', '.join(sorted(unknown))}")
        new_attrs: dict[str, str] | None = None
        if attributes is not None:
            new_attrs = {}
            for raw, value in attributes.items():
                name = raw.strip()
                if not name:
                    raise QualcodeError("an attribute needs a name")
                key = ALIASES.get(name.lower().replace(" ", "_"), name.lower().replace(" ", "_"))
                if key in DOCUMENT_FIELDS or key in ("title", "organisation", "project", "language"):
                    raise QualcodeError(f"“{name}” is a field of the document, not a free attribute")
                if value.strip():
                    new_attrs[name] = value.strip()
        old = {
            "role": doc.role,
            "participant": doc.participant,
            "interview_date": doc.interview_date,
            "case": doc.case,
            "wave": doc.wave,
        }
        wanted = {k: ((v or "").strip() or None) for k, v in fields.items()}
        if "wave" in wanted:
            wanted["wave"] = normalise_wave(wanted["wave"])
        if wanted.get("case"):
            wanted["case"] = _case_name(str(wanted["case"]))
        changed = [k for k, v in wanted.items() if v != old[k]]
        attrs_before = docsql.document_attributes(self.store, doc.id)
        changed_attrs = (
            sorted(k for k in set(attrs_before) | set(new_attrs) if attrs_before.get(k) != new_attrs.get(k))
            if new_attrs is not None
            else []
        )
        if not changed and not changed_attrs:
            return []
        with self.store.action(f"edit the attributes of “{doc.title}”", coder_id=self.coder_id):
            own: dict[str, Any] = {k: wanted[k] for k in changed if k != "case"}
            if "case" in changed:
                case = wanted["case"]
                own["case_id"] = casesql.ensure_case(self.store, str(case)) if case else None
            if own:
                docsql.set_document_fields(self.store, doc.id, own)
            for name in changed_attrs:
                docsql.set_document_attribute(self.store, doc.id, name, (new_attrs or {}).get(name))
        return changed + changed_attrs

    def set_document_values(self, document: int | str, values: dict[str, str]) -> list[str]:
        """Set some of a document's fields (role, participant, interview date, case, wave; the
        importer's Dutch and English aliases work) and free attributes, leaving the rest as
        they are: an empty value clears a field or removes an attribute. One undoable action;
        returns the names of what changed.

        Organisation, project, title and language are set at import and refused here."""
        from qualcode.ingest.importer import ALIASES
        from qualcode.store import documents as docsql

        doc = self.document(document)  # type: ignore[attr-defined]
        fields: dict[str, str | None] = {}
        attributes = docsql.document_attributes(self.store, doc.id)
        by_lower = {name.lower(): name for name in attributes}
        for raw, value in values.items():
            name = raw.strip()
            key = name.lower().replace(" ", "_")
            key = ALIASES.get(key, key)
            if key in DOCUMENT_FIELDS:
                fields[key] = value
            elif key in ("title", "organisation", "project", "language"):
                raise QualcodeError(f"the {key} of a document is set when it is imported and cannot be changed here")
            else:
                attributes[by_lower.get(name.lower(), name)] = value
        return self.edit_document(doc.id, fields, attributes)

    def set_case_attribute(self, case: str, name: str, value: str) -> None:
        """Set a case attribute (gemeente, aanpak, …); an empty value removes it."""
        case_id = self.case_id(case)
        name = name.strip()
        if not name:
            raise QualcodeError("a case attribute needs a name")
        with self.store.action(f"set {name} of case “{case}”", coder_id=self.coder_id):
            casesql.set_case_attribute(self.store, case_id, name, value.strip() or None)

    def case_attribute_names(self) -> list[str]:
        """The names of the attributes the study's cases have (gemeente, aanpak, …)."""
        return casesql.case_attribute_names(self.store)

    def cases(self) -> list[dict[str, Any]]:
        """Each case with its documents (title, role, participant, wave), roles, waves and
        attributes, for listings."""
        docs: dict[int, list[dict[str, Any]]] = {}
        for r in casesql.case_documents(self.store):
            docs.setdefault(r["case_id"], []).append(dict(r))
        attrs: dict[int, dict[str, str]] = {}
        for r in casesql.case_attributes(self.store):
            attrs.setdefault(r["case_id"], {})[r["name"]] = r["value"]
        out = []
        for r in casesql.list_cases(self.store):
            mine = docs.get(r["id"], [])
            out.append(
                {
                    "case": r["name"],
                    "label": r["label"],
                    "documents": [{k: d[k] for k in ("id", "title", "role", "participant", "wave")} for d in mine],
                    "roles": sorted({d["role"] for d in mine if d["role"]}),
                    "waves": sort_waves({d["wave"] for d in mine if d["wave"]}),
                    "attributes": attrs.get(r["id"], {}),
                    "variables": r["variables"],
                }
            )
        return out

    def waves(self) -> list[str]:
        """The study's waves (of documents and of variables), in natural order."""
        return sort_waves(set(casesql.waves(self.store)))

    def document_units(self, scope: Any = None) -> list[dict[str, Any]]:
        """Each document of the scope (a :class:`~qualcode.store.analysis.Scope`, or all) with
        its case id and name and its wave."""
        if scope is None:
            return [dict(r) for r in casesql.document_units(self.store)]
        from qualcode.store.analysis import scope_documents_sql

        docs, params = scope_documents_sql(scope)
        return [dict(r) for r in casesql.document_units(self.store, docs, params)]

    # -- variables ------------------------------------------------------------------------

    def variables(
        self, *, case: str | None = None, name: str | None = None, wave: str | None = None
    ) -> list[dict[str, Any]]:
        case_id = self.case_id(case) if case else None
        return [
            {
                "case": r["case_name"],
                "wave": r["wave"],
                "name": r["name"],
                "value": float(r["value"]) if r["numeric"] else r["value"],
                "numeric": bool(r["numeric"]),
            }
            for r in casesql.variables(self.store, case_id=case_id, name=name, wave=wave)
        ]

    def variable_names(self) -> list[tuple[str, bool]]:
        """Each variable's name and whether it is numeric."""
        return [(r["name"], bool(r["numeric"])) for r in casesql.variable_names(self.store)]

    def set_variable(self, case: str, wave: str, name: str, value: str) -> None:
        """Set one variable of a case at a wave; a value that reads as a number is stored as
        one (decimal comma understood), unless the variable is categorical already."""
        from qualcode.ingest.importer import normalise_wave

        case_id = self.case_id(case)
        wave_text = normalise_wave(wave)
        name = name.strip()
        if not wave_text or not name:
            raise QualcodeError("a variable needs a case, a wave and a name")
        self._check_wave(wave_text)
        known = dict(self.variable_names())
        number = parse_number(value)
        numeric = number is not None and known.get(name, True)
        if known.get(name) and number is None:
            raise QualcodeError(f"{name} is a numeric variable; “{value}” is not a number")
        with self.store.action(f"set {name} of case “{case}” at wave {wave_text}", coder_id=self.coder_id):
            casesql.set_variable(
                self.store,
                case_id,
                wave_text,
                name,
                format_number(number) if number is not None and numeric else value.strip(),
                numeric,
            )

    def remove_variable(self, name: str, *, case: str | None = None, wave: str | None = None) -> int:
        """Remove a variable's values (of one case, one wave, or all); return how many."""
        case_id = self.case_id(case) if case else None
        rows = casesql.variables(self.store, case_id=case_id, name=name, wave=wave)
        if not rows:
            raise QualcodeError(f"no values of variable “{name}” to remove; `qualcode variables list` lists them")
        with self.store.action(f"remove variable {name}", coder_id=self.coder_id):
            for r in rows:
                casesql.delete_variable(self.store, r["id"])
        return len(rows)

    def import_variables(self, path: Path | str, *, create_cases: bool = False) -> VariablesImport:
        """Import a CSV of outcome variables: columns ``case``, ``wave``, then one per variable.

        Everything is checked before anything is written, and the whole file is one undoable
        action: a bad row is a one-line error naming the file and the row, the study unchanged.
        """
        from qualcode.ingest.importer import normalise_wave

        path = Path(path)
        header, rows = _read_table(path)
        known_waves = set(self.waves())
        names = header[2:]
        columns = {n: [(line, row[i + 2]) for line, row in rows] for i, n in enumerate(names)}
        numeric = {n: _numeric_column(values) for n, values in columns.items()}
        existing = dict(self.variable_names())
        for n in names:
            if existing.get(n) and not numeric[n] and any(v.strip().lower() not in MISSING for _, v in columns[n]):
                numeric[n] = True  # a numeric variable stays numeric: its bad cells are errors below
        report = VariablesImport(
            numeric=[n for n in names if numeric[n]], categorical=[n for n in names if not numeric[n]]
        )
        seen: dict[tuple[str, str], int] = {}
        values: list[tuple[str, str, str, str, bool]] = []
        missing_cases: list[str] = []
        for line, row in rows:
            case, wave = row[0].strip(), normalise_wave(row[1])
            where = f"line {line}"
            if not case:
                raise file_error(path, f"{where}: the case column is empty")
            if not wave:
                raise file_error(path, f"{where} (case {case}): the wave column is empty")
            if wave not in known_waves:
                waves = ", ".join(sort_waves(known_waves)) or "none yet; import documents with a wave first"
                raise file_error(path, f"{where} (case {case}): wave “{wave}” is not a wave of the study ({waves})")
            if (case, wave) in seen:
                raise file_error(
                    path, f"{where}: case {case} at wave {wave} is listed twice (also on line {seen[(case, wave)]})"
                )
            seen[(case, wave)] = line
            if casesql.case_by_name(self.store, case) is None and case not in missing_cases:
                if not create_cases:
                    raise file_error(
                        path,
                        f"{where}: the study has no case “{case}”; add it with `qualcode case add {case}` "
                        "or pass --create-cases",
                    )
                missing_cases.append(case)
            for i, name in enumerate(names):
                cell = row[i + 2].strip()
                if cell.lower() in MISSING:
                    continue
                if numeric[name]:
                    number = parse_number(cell)
                    if number is None:
                        raise file_error(
                            path, f"{where} (case {case}): {name} is numeric, but “{cell}” is not a number"
                        )
                    values.append((case, wave, name, format_number(number), True))
                else:
                    values.append((case, wave, name, cell, False))
            report.cases.add(case)
        with self.store.action(f"import variables from {path.name}", coder_id=self.coder_id):
            ids = {c: casesql.insert_case(self.store, c) for c in missing_cases}
            for case, wave, name, value, is_number in values:
                case_id = ids.get(case) or self.case_id(case)
                casesql.set_variable(self.store, case_id, wave, name, value, is_number)
        report.values = len(values)
        report.created_cases = missing_cases
        return report

    def _check_wave(self, wave: str) -> None:
        known = set(self.waves())
        if wave not in known:
            listed = ", ".join(sort_waves(known)) or "none yet"
            raise QualcodeError(f"wave “{wave}” is not a wave of the study ({listed})")


def _case_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise QualcodeError("a case needs a name (an id like G-CO-03)")
    return name


def _numeric_column(values: list[tuple[int, str]]) -> bool:
    """A column is numeric when most of its filled cells are numbers: then a stray word is a
    typo to report, not a reason to treat every score as a category."""
    filled = [v for _, v in values if v.strip().lower() not in MISSING]
    if not filled:
        return False
    numbers = sum(parse_number(v) is not None for v in filled)
    return numbers * 2 > len(filled)


_CASE_COLUMNS = ("case", "gezin", "casus", "huishouden", "family", "household")
_WAVE_COLUMNS = ("wave", "golf", "meting", "meetmoment")


def _read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (case, wave, variable names) and the rows (with their line numbers) of a
    scores file, ``,``, ``;`` or tab separated, in any encoding transcripts may have."""
    import csv
    import io

    from qualcode.ingest.encoding import decode_bytes, normalise_text, read_limited

    if not path.exists():
        raise file_error(path, "no such file")
    text = normalise_text(decode_bytes(read_limited(path), path)[0])
    header_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise file_error(path, "the file is empty") from None
    if len(header) < 3 or header[0].lower() not in _CASE_COLUMNS or header[1].lower() not in _WAVE_COLUMNS:
        raise file_error(path, "line 1: the columns must be case, wave, then one per variable (e.g. case;wave;score)")
    names = header[2:]
    for n in names:
        if not n:
            raise file_error(path, "line 1: a variable column has no name")
        if names.count(n) > 1:
            raise file_error(path, f"line 1: column '{n}' appears twice")
    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            raise file_error(path, f"line {line}: more cells than columns")
        rows.append((line, [*row, *[""] * (len(header) - len(row))][: len(header)]))
    return header[:2] + names, rows
