"""The review of findings before a copy is written: one row per name found, with the
researcher's decision, kept in the gazetteer file so the next run finds the same things.

Used by the TUI's review screen (and usable from a notebook); no textual here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.pseudonymise.detect import Finding
from qualcode.pseudonymise.gazetteer import KINDS, Gazetteer

PROPOSED, ACCEPTED, REJECTED = "voorgesteld", "geaccepteerd", "afgewezen"


@dataclass
class Entity:
    """One surface form found in the study, how often, and what the researcher decided."""

    text: str
    kind: str
    count: int
    sources: set[str]
    contexts: list[str] = field(default_factory=list)
    status: str = PROPOSED


def default_names_path(study_path: Path | None) -> Path:
    """The gazetteer beside the study: ``armoede.qualcode`` → ``armoede.namen.txt``."""
    if study_path is None:
        return Path.cwd() / "namen.txt"
    return study_path.with_name(f"{study_path.stem}.namen.txt")


def entities(findings: dict[int, list[Finding]], text_of: Callable[[int], str], gazetteer: Gazetteer) -> list[Entity]:
    """The findings grouped by surface form, most frequent first, with up to three contexts."""
    grouped: dict[str, Entity] = {}
    for doc_id in sorted(findings):
        text = text_of(doc_id)
        for f in findings[doc_id]:
            entity = grouped.get(f.text)
            if entity is None:
                status = ACCEPTED if f.text in gazetteer.names else PROPOSED
                entity = grouped[f.text] = Entity(f.text, f.kind, 0, set(), status=status)
            entity.count += 1
            entity.sources.add(f.source)
            if len(entity.contexts) < 3:
                entity.contexts.append(f.context(text, 50))
    for word in sorted(gazetteer.not_names):
        grouped.setdefault(word, Entity(word, "persoon", 0, {"gazetteer"}, status=REJECTED))
    return sorted(grouped.values(), key=lambda e: (e.status == REJECTED, -e.count, e.text))


def decide(gazetteer: Gazetteer, entity: Entity, status: str) -> Path:
    """Record a decision in the gazetteer and save it (0600); return the file."""
    if status == ACCEPTED:
        gazetteer.accept(entity.text, entity.kind)
    elif status == REJECTED:
        gazetteer.reject(entity.text)
    entity.status = status
    return gazetteer.save()


def next_kind(kind: str) -> str:
    return KINDS[(KINDS.index(kind) + 1) % len(KINDS)] if kind in KINDS else KINDS[0]
