"""``deduce`` (Dutch de-identification, made for medical notes) as one detector among several.

Imported lazily. deduce keeps its word lists as lookup structures (tries of millions of small
objects) that it builds from the lists the package ships and pickles. We build them ourselves,
once, into qualcode's cache folder (``$QUALCODE_CACHE_DIR`` or the platform's user cache
folder, ``~/.cache/qualcode/deduce-<version>/lean`` on Linux; never site-packages, which may
not be writable), with two differences that change no finding on the annotated sample
(benchmarks/deduce_load_bench.py):

- without deduce's list of 153,000 Dutch streets: half the cache (83 → 41 MB) and half the
  load. deduce uses it only for a street with its house number, which the street pattern of
  :mod:`qualcode.pseudonymise.patterns` finds too ("Dwarsdiep 24", "Verdilaan 23");
- with Python's garbage collector paused while the structures are built or unpickled: it
  otherwise walks the growing heap again and again (the load takes a third of the time);
  and the loaded structures frozen (``gc.freeze``), as they live as long as the process:
  every full collection afterwards, and the interpreter's exit, would otherwise walk them
  again (a ``qualcode pseudonymise`` of one transcript spent 11 of its 15 s after its work,
  exiting).

The cache is written atomically, so an interrupted first run leaves no half file behind.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
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


# deduce's lookup tries we leave empty (see the module's docstring).
SKIPPED_LISTS = ("street",)
_CACHE_FILE = ("cache", "lookup_structs.pickle")  # where deduce looks under its cache_path


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    folder = cache_dir() / "lean"
    gc.collect()  # while the heap is small: what is garbage now is not frozen below
    with _gc_paused():
        if not folder.joinpath(*_CACHE_FILE).exists():
            build_cache(folder)
        loaded = deduce.Deduce(cache_path=folder)
        # Millions of objects that live as long as the process: out of the collector's sight
        # (a full collection would walk them for seconds, and so would the exit).
        gc.freeze()
    return loaded


def build_cache(folder: Path) -> Path:
    """Build deduce's lookup structures without the :data:`SKIPPED_LISTS` and pickle them where
    ``Deduce(cache_path=folder)`` finds them (deduce checks its version, which we write)."""
    import docdeid as dd
    from deduce import Deduce, __version__
    from deduce import lookup_structs as structs
    from deduce.data.lookup.src import all_lists

    from qualcode.core.files import atomic_output

    lookup_path = Path(structs.__file__).parent / "data" / "lookup"
    tokenizer = Deduce._initialize_tokenizer(lookup_path)
    lists = [name for name in all_lists if name.rsplit("lst_", 1)[-1] not in SKIPPED_LISTS]
    with _gc_paused():
        items = structs.load_raw_itemsets(base_path=lookup_path, subdirs=lists)
        collection = dd.ds.DsCollection()
        set_loaders, trie_loaders = structs._LOOKUP_SET_LOADERS, structs._LOOKUP_TRIE_LOADERS
        for name in set(items) - set(set_loaders) - set(trie_loaders):
            lookup = dd.ds.LookupSet()
            lookup.add_items_from_iterable(items[name])
            collection[name] = lookup
        for name, load_set in set_loaders.items():
            collection[name] = load_set(items)
        for name, load_trie in trie_loaders.items():
            collection[name] = dd.ds.LookupTrie() if name in SKIPPED_LISTS else load_trie(items, tokenizer)
        target = folder.joinpath(*_CACHE_FILE)
        target.parent.mkdir(parents=True, exist_ok=True)
        cache = {"deduce_version": __version__, "saved_datetime": str(datetime.now()), "lookup_structs": collection}
        with atomic_output(target, "wb") as handle:
            pickle.dump(cache, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return target


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
