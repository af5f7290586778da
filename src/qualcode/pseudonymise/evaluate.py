"""Recall and precision of detection against hand-annotated gold entities.

Gold files (``gold_entities/<stem>.yaml``) list each identifying surface form of a transcript
with its kind. A gold *mention* is every occurrence of a surface form in that document at
word boundaries; a mention is found when findings cover every character of it but spaces
(one finding, or adjacent ones: "Femke is negen" needs "is" covered too, so a name and an age
side by side do not count). A finding is right when it overlaps a gold mention (precision per
the finding's kind).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.core.errors import QualcodeError

Span = tuple[int, int, str]


@dataclass
class Score:
    mentions: int = 0
    found: int = 0  # mentions covered
    findings: int = 0
    right: int = 0  # findings overlapping a mention
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.found / self.mentions if self.mentions else None

    @property
    def precision(self) -> float | None:
        return self.right / self.findings if self.findings else None


def load_gold(path: Path) -> tuple[str, list[tuple[str, str]]]:
    """``(document file name, [(surface, kind), …])`` of one gold file."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entities = [(str(e["text"]), str(e["kind"])) for e in data.get("entities") or []]
        return str(data.get("document") or path.stem), entities
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise QualcodeError(f"{path}: not a gold entities file ({exc})") from None


def mentions(text: str, entities: Iterable[tuple[str, str]]) -> list[Span]:
    found = set()
    for surface, kind in entities:
        for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
            found.add((m.start(), m.end(), kind))
    return sorted(found)


def score(text: str, gold: list[Span], findings: list[Span], scores: dict[str, Score], label: str = "") -> None:
    """Add one document's counts to ``scores`` (per kind; "alle" sums them)."""
    for s, e, kind in gold:
        for key in (kind, "alle"):
            scores.setdefault(key, Score()).mentions += 1
        if _covered(text, s, e, findings):
            for key in (kind, "alle"):
                scores[key].found += 1
        else:
            scores.setdefault(kind, Score()).missed.append(f"{label}: {text[s:e]}")
    for fs, fe, kind in findings:
        for key in (kind, "alle"):
            scores.setdefault(key, Score()).findings += 1
        if any(fs < e and s < fe for s, e, _ in gold):
            for key in (kind, "alle"):
                scores[key].right += 1
        else:
            scores[kind].wrong.append(f"{label}: {text[fs:fe]}")


def _covered(text: str, start: int, end: int, findings: list[Span]) -> bool:
    if any(fs <= start and end <= fe for fs, fe, _ in findings):
        return True
    overlapping = [(fs, fe) for fs, fe, _ in findings if fs < end and start < fe]
    return bool(overlapping) and all(
        text[i].isspace() or any(fs <= i < fe for fs, fe in overlapping) for i in range(start, end)
    )
