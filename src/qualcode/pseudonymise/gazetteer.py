"""The researcher's own list of names: what to replace, and what is not a name.

One entry a line, in a plain text file the researcher keeps beside the study::

    # names of this study
    Joyce<TAB>persoon
    OBS Het Palet<TAB>school
    !Hoop                      (an ordinary Dutch word here, never a name)

A name and its kind may also be separated by two or more spaces. Lines starting with ``#``
and blank lines are skipped. The review screen writes its decisions to the same file, so a
second run over the same study finds exactly the same things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.core.errors import QualcodeError

KINDS = ("persoon", "plaats", "school", "instelling", "datum", "leeftijd", "telefoon", "email", "postcode", "bsn")
# Kinds as people also type them.
KIND_ALIASES = {
    "person": "persoon",
    "naam": "persoon",
    "name": "persoon",
    "place": "plaats",
    "locatie": "plaats",
    "straat": "plaats",
    "wijk": "plaats",
    "institution": "instelling",
    "organisatie": "instelling",
    "date": "datum",
    "age": "leeftijd",
    "phone": "telefoon",
    "telefoonnummer": "telefoon",
    "e-mail": "email",
    "emailadres": "email",
}
_SPLIT = re.compile(r"\t+| {2,}")


def kind_of(word: str) -> str | None:
    word = word.strip().lower()
    if word in KINDS:
        return word
    return KIND_ALIASES.get(word)


@dataclass
class Gazetteer:
    names: dict[str, str] = field(default_factory=dict)  # surface form → kind
    not_names: set[str] = field(default_factory=set)
    path: Path | None = None

    @classmethod
    def load(cls, path: Path | str | None) -> Gazetteer:
        """Read a gazetteer; a bad line is one error naming the file and the line."""
        if path is None:
            return cls()
        path = Path(path)
        if not path.exists():
            raise QualcodeError(f"{path}: no such names file")
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (UnicodeDecodeError, OSError) as exc:
            raise QualcodeError(f"{path}: cannot read it as UTF-8 text ({exc})") from None
        found = cls(path=path)
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("!"):
                word = line[1:].strip()
                if not word:
                    raise QualcodeError(f"{path} line {number}: '!' needs a word after it (e.g. !Hoop)")
                found.not_names.add(word)
                continue
            parts = [p.strip() for p in _SPLIT.split(line) if p.strip()]
            if len(parts) != 2:
                raise QualcodeError(
                    f"{path} line {number}: expected a name, a tab and its kind (e.g. Joyce<TAB>persoon), got “{line}”"
                )
            kind = kind_of(parts[1])
            if kind is None:
                raise QualcodeError(f"{path} line {number}: unknown kind “{parts[1]}” (use one of {', '.join(KINDS)})")
            found.names[parts[0]] = kind
        return found

    def is_not_name(self, text: str) -> bool:
        return text in self.not_names or text.casefold() in {w.casefold() for w in self.not_names}

    def accept(self, text: str, kind: str) -> None:
        self.not_names.discard(text)
        self.names[text] = kind

    def reject(self, text: str) -> None:
        self.names.pop(text, None)
        self.not_names.add(text)

    def render(self) -> str:
        lines = ["# qualcode pseudonymise: names to replace (name<TAB>kind) and words that are not names (!word)"]
        lines += [f"{name}\t{kind}" for name, kind in sorted(self.names.items(), key=lambda x: (x[1], x[0]))]
        lines += [f"!{word}" for word in sorted(self.not_names)]
        return "\n".join(lines) + "\n"

    def save(self, path: Path | str | None = None) -> Path:
        from qualcode.core.files import atomic_output

        target = Path(path or self.path or "names.txt")
        with atomic_output(target) as handle:
            handle.write(self.render())
        self.path = target
        return target
