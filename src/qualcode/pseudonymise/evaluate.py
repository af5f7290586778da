"""Recall and precision of detection against hand-annotated gold entities.

Gold files (``gold_entities/<stem>.yaml``) list each identifying surface form of a transcript
with its kind. A gold *mention* is every occurrence of a surface form in that document at
word boundaries, or, when the entry says ``in: "Mette is zeven"``, only where the surface
stands inside that phrase (an age or a date said as a bare number word: "zeven" is an age
there and a mark or an hour elsewhere). A mention inside a longer one ("februari" in "twaalf
februari tweeduizendzestien") is not counted twice.

What the sample's gold marks as a date or an age (one rule for all 24 files):

- ``datum``: the calendar words only, as said: a day with its month and year ("3 februari
  2016", "negen juni", "Mei zevenentwintig"), a month on its own ("sinds februari"), a year
  in digits or words ("sinds 2016", "de zomer van tweeëntwintig" → "tweeëntwintig"), a year
  of birth. Not seasons, feasts, weekdays, "vorig jaar" or decades ("de jaren negentig").
- ``leeftijd``: a person's age, now or at a moment of the story, as its number words with
  "jaar (oud)" when they follow ("Femke is acht" → "acht", "op haar negentiende", "een man,
  eind vijftig" → "vijftig", "drieënvijftig jaar"); not the name or the verb beside it. Not
  durations, marks, hours, counts, a pet's age or a size ("een fiets voor een kind van zes"). A mention is found when findings cover every character of it but spaces
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
Entity = tuple[str, str, str | None]  # surface, kind, the phrase it stands in (or None)


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


def load_gold(path: Path) -> tuple[str, list[Entity]]:
    """``(document file name, [(surface, kind, phrase or None), …])`` of one gold file."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entities: list[Entity] = []
        for e in data.get("entities") or []:
            phrase = e.get("in")
            if phrase is not None and str(e["text"]) not in str(phrase):
                raise KeyError(f"{e['text']!r} is not in its phrase {phrase!r}")
            entities.append((str(e["text"]), str(e["kind"]), None if phrase is None else str(phrase)))
        return str(data.get("document") or path.stem), entities
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise QualcodeError(f"{path}: not a gold entities file ({exc})") from None


def mentions(text: str, entities: Iterable[Entity]) -> list[Span]:
    """Where each gold entity stands in ``text`` (a phrase that is nowhere is an error: the
    gold no longer fits the transcript)."""
    found = set()
    for surface, kind, phrase in entities:
        if phrase is None:
            for m in _word(surface).finditer(text):
                found.add((m.start(), m.end(), kind))
            continue
        places = list(_word(phrase).finditer(text))
        if not places:
            raise QualcodeError(f"gold phrase {phrase!r} is not in the document")
        for m in places:
            inner = _word(surface).search(m.group())
            if inner is None:
                raise QualcodeError(f"gold surface {surface!r} is not a word of {phrase!r}")
            found.add((m.start() + inner.start(), m.start() + inner.end(), kind))
    spans = sorted(found, key=lambda s: (s[0], -s[1]))
    return [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]


def _word(surface: str) -> re.Pattern[str]:
    edge_start = r"(?<!\w)" if surface[:1].isalnum() else ""
    edge_end = r"(?!\w)" if surface[-1:].isalnum() else ""
    # A transcript may wrap a line inside a phrase: any run of white space matches a space.
    return re.compile(edge_start + r"\s+".join(re.escape(w) for w in surface.split(" ")) + edge_end)


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
