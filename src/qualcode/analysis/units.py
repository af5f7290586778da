"""Units of analysis: what a count counts — documents, participants or cases (families).

Every figure that says "in 7 of 9" needs to say 7 of 9 *what*, and which documents were left
out of the 9. A :class:`UnitFrame` holds the answer once for an analysis: the documents kept
(coded by the counted coders, and in a case when cases are the unit), each document's unit
and group, and notes saying what was left out and whose coding is counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.core.errors import QualcodeError
from qualcode.store import analysis as sql
from qualcode.store.analysis import Scope

if TYPE_CHECKING:
    from qualcode.study.study import Study

UNITS = ("document", "participant", "case")
PLURAL = {"document": "documents", "participant": "participants", "case": "cases"}


def plural(unit: str, n: int) -> str:
    return unit if n == 1 else PLURAL[unit]


@dataclass
class UnitFrame:
    unit: str
    coders: list[str]  # the coders whose codings are counted (and who coded something here)
    named_coders: list[str]  # as asked for; empty means every coder
    document_unit: dict[int, str] = field(default_factory=dict)  # kept documents → unit key
    document_group: dict[int, str] = field(default_factory=dict)
    document_title: dict[int, str] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    # every document of the scope (kept or not): participant, case id, words said
    participant: dict[int, str] = field(default_factory=dict)
    case: dict[int, int | None] = field(default_factory=dict)
    spoken: dict[int, int] = field(default_factory=dict)

    @property
    def documents(self) -> list[int]:
        return list(self.document_unit)

    def units(self) -> list[str]:
        return sorted(set(self.document_unit.values()))

    def units_of_group(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for doc, unit in self.document_unit.items():
            out.setdefault(self.document_group.get(doc, ""), set()).add(unit)
        return out

    def coders_note(self) -> str:
        who = ", ".join(self.coders) if self.coders else "nobody"
        if self.named_coders:
            return f"Counts the codings of {who}; a passage coded by several of them counts once."
        if len(self.coders) > 1:
            return f"Counts the codings of every coder ({who}); a passage coded by several counts once."
        return f"Counts the codings of {who}."

    def notes(self) -> list[str]:
        return [self.coders_note(), *self.left_out]


BUILTIN_GROUPS = ("organisation", "project", "role", "participant", "document", "case", "wave")


def grouping_names(study: Study) -> list[str]:
    """Everything an analysis can group by: the document fields, document attributes and case
    attributes; a name that is both a document and a case attribute appears as ``doc:NAME``
    and ``case:NAME``."""
    doc = [n for n in study.attribute_names() if n not in BUILTIN_GROUPS]
    case = study.case_attribute_names()
    both = set(doc) & set(case)
    names = [*BUILTIN_GROUPS, *(n for n in doc if n not in both), *(n for n in case if n not in both)]
    for n in sorted(both):
        names += [f"doc:{n}", f"case:{n}"]
    return list(dict.fromkeys(names))


def check_grouping(study: Study, by: str) -> None:
    """Refuse, in one line, a grouping the study does not have, or a name that is both a
    document attribute and a case attribute (saying how to choose)."""
    if by in BUILTIN_GROUPS:
        return
    doc = [n for n in study.attribute_names() if n not in BUILTIN_GROUPS]
    case = study.case_attribute_names()
    kind, _, name = by.partition(":") if by.startswith(("doc:", "case:")) else ("", "", by)
    if (kind == "doc" and name in doc) or (kind == "case" and name in case):
        return
    if not kind and name in doc and name in case:
        raise QualcodeError(
            f"“{name}” is both a document attribute and a case attribute; say which: doc:{name} or case:{name}"
        )
    if not kind and (name in doc or name in case):
        return
    raise QualcodeError(f"cannot group by “{by}”: use one of {', '.join(grouping_names(study))}")


def check_filters(study: Study, scope: Scope) -> None:
    """Refuse a filter (``-w NAME=VALUE``) whose name is both a document and a case
    attribute: which one it means would change the documents counted."""
    study.check_attribute_filters(scope.attributes)


def group_scopes(
    study: Study, scope: Scope, by: str, unit: str | None = None
) -> tuple[list[tuple[str, Scope]], list[str]]:
    """The scope split by ``by`` into one scope per group (for tables computed per group, such
    as ``stats --by``), and notes on the documents that fall in no group. Participants and
    documents are units, not groups, and so are cases (a table per family): ``crosstab --by``
    shows them side by side."""
    from dataclasses import replace

    if by in ("participant", "document", "case"):
        raise QualcodeError(f"stats --by {by}: one table per {by} is a matrix; use crosstab --by {by}")
    check_grouping(study, by)
    rows = sql.document_frame(study.store, scope, by)
    values = sorted({r["grp"] for r in rows})
    none = [r for r in rows if r["grp"] == "(none)"]
    key = by
    if by not in BUILTIN_GROUPS and not by.startswith(("doc:", "case:")):
        key = "doc:" + by if by in study.attribute_names() else "case:" + by
    out = []
    for value in values:
        if value == "(none)":
            continue
        if key in ("organisation", "project", "role"):
            out.append((value, replace(scope, **{key: value})))
        else:
            out.append((value, replace(scope, attributes={**scope.attributes, key: value})))
    notes = []
    if none:
        notes.append(
            f"{len(none)} {plural('document', len(none))} with no {by}: in no group "
            f"({_list([r['title'] for r in none])})."
        )
    # a family with a parent's and a coach's interview, by role, is in both tables
    notes += [n for n in unit_frame(study, scope, unit, by).left_out if "fall in more than one" in n]
    return out, notes


def default_unit(study: Study, scope: Scope | None = None) -> str:
    """Cases when the scope has documents in a case, else documents."""
    frame = sql.document_frame(study.store, scope or Scope())
    return "case" if any(r["case_id"] is not None for r in frame) else "document"


def unit_frame(study: Study, scope: Scope | None = None, unit: str | None = None, by: str | None = None) -> UnitFrame:
    """The scope's documents as units: kept when the counted coders coded them (and, for
    cases, when they belong to one); the rest left out with a note."""
    scope = scope or Scope()
    check_filters(study, scope)
    if by:
        check_grouping(study, by)
    rows = sql.document_frame(study.store, scope, by)
    unit = unit or ("case" if any(r["case_id"] is not None for r in rows) else "document")
    if unit not in UNITS:
        raise QualcodeError(f"unknown unit “{unit}”; use one of: {', '.join(UNITS)}")
    named = scope.coder_names()
    frame = UnitFrame(unit, sql.coders_with_codings(study.store, scope), named)
    coded = sql.coded_documents(study.store, scope)
    cases = sql.case_names(study.store) if unit == "case" else {}
    for r in rows:
        frame.participant[r["id"]] = r["participant"]
        frame.case[r["id"]] = r["case_id"]
        frame.spoken[r["id"]] = r["word_count"] or 0
    titles = Counter(r["title"] for r in rows)
    uncoded = [r for r in rows if r["id"] not in coded]
    no_case = [r for r in rows if r["id"] in coded and unit == "case" and r["case_id"] is None]
    for r in rows:
        if r["id"] not in coded or (unit == "case" and r["case_id"] is None):
            continue
        key = {"document": r["title"], "participant": r["participant"]}.get(unit) or cases.get(r["case_id"], "?")
        if unit == "document":
            key = f"{r['title']} (#{r['id']})" if titles[r["title"]] > 1 else r["title"]
        frame.document_unit[r["id"]] = key
        frame.document_group[r["id"]] = r["grp"]
        frame.document_title[r["id"]] = r["title"]
    if uncoded:
        by_whom = f"by {_and(named)}" if named else "by anyone"
        frame.left_out.append(
            f"{len(uncoded)} {plural('document', len(uncoded))} not coded {by_whom}: left out "
            f"({_list([r['title'] for r in uncoded])})."
        )
    if no_case:
        frame.left_out.append(
            f"{len(no_case)} coded {plural('document', len(no_case))} in no case: left out "
            f"({_list([r['title'] for r in no_case])})."
        )
    if by and unit != "document":
        groups: dict[str, set[str]] = {}
        for doc, key in frame.document_unit.items():
            groups.setdefault(key, set()).add(frame.document_group[doc])
        split = sorted(k for k, g in groups.items() if len(g) > 1)
        if split:
            frame.left_out.append(
                f"{len(split)} {plural(unit, len(split))} fall in more than one {by} and count in each "
                f"({_list(split)})."
            )
    return frame


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _list(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
