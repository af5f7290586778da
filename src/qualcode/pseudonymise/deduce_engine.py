"""``deduce`` (Dutch de-identification, made for medical notes) as one detector among several.

Imported lazily: ``import deduce`` plus loading its lookup structures takes ~10 s, and the very
first run builds them from the word lists the package ships (~2 minutes, offline) and stores
them in qualcode's cache folder (``$QUALCODE_CACHE_DIR`` or the platform's user cache folder,
``~/.cache/qualcode/deduce-<version>`` on Linux), never in site-packages, which may not be
writable.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

# deduce's tags → our kinds; tags not listed (url, id, patient numbers) are left alone.
TAGS = {
    "persoon": "persoon",
    "patient": "persoon",
    "naam": "persoon",
    "locatie": "plaats",
    "instelling": "instelling",
    "zorginstelling": "instelling",
    "ziekenhuis": "instelling",
    "datum": "datum",
    "leeftijd": "leeftijd",
    "telefoonnummer": "telefoon",
    "emailadres": "email",
    "bsn": "bsn",
}


def cache_dir() -> Path:
    override = os.environ.get("QUALCODE_CACHE_DIR")
    if override:
        base = Path(override)
    else:
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("qualcode", appauthor=False))
    from importlib.metadata import version

    return base / f"deduce-{version('deduce')}"


def available() -> bool:
    from importlib.util import find_spec

    return find_spec("deduce") is not None


@lru_cache(maxsize=1)
def engine() -> Any:
    """A loaded ``Deduce`` (built once per process; the lists come from the package itself)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import deduce  # ~1 s; its module calls logging.basicConfig(DEBUG, stdout), undone below

    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return deduce.Deduce(cache_path=folder)


def annotate(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of what deduce finds in ``text``."""
    found = []
    for a in engine().deidentify(text).annotations:
        kind = TAGS.get(a.tag.split("_")[0].lower()) or TAGS.get(a.tag.lower())
        if kind is not None:
            found.append((a.start_char, a.end_char, kind))
    return found


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """First names, surnames, towns and common words from the lists deduce ships (plain text,
    read in well under a second, without building deduce's lookup structures); empty sets
    when deduce is not installed."""
    if not available():
        return frozenset(), frozenset(), frozenset(), frozenset()
    from importlib.util import find_spec

    spec = find_spec("deduce")
    assert spec is not None and spec.origin is not None
    base = Path(spec.origin).parent / "data" / "lookup" / "src"

    def read(*parts: str) -> frozenset[str]:
        path = base.joinpath(*parts, "items.txt")
        try:
            return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        except OSError:
            return frozenset()

    return (
        read("names", "lst_first_name"),
        read("names", "lst_surname"),
        read("locations", "lst_placename", "lst_residence"),
        frozenset(w.lower() for w in read("whitelist", "lst_common_word") | read("whitelist", "lst_stop_word")),
    )
