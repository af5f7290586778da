"""The sample study: fictional interviews, the codebooks, and example codings.

A newcomer should land in a coded study, not an empty one. The example codings are kept in
``sample_transcripts/demo_codings/*.yaml`` as quotes, not offsets, so the transcripts can be
edited without breaking them; each quote is located in its document's normalised text.

Building the sample from its transcripts segments some 100,000 words with spaCy, which takes
longer than the 20 s a first look may take on a two-core laptop once spaCy's start-up is
counted. So the first build is kept in the user data folder, keyed by a hash of the sample
files and of qualcode's own code, and later builds (``qualcode demo --fresh``, a deleted
sample study) copy it: a change to any transcript, codebook, example coding or to qualcode
makes a new key, so a copy is never stale.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from qualcode.core import config
from qualcode.core.errors import QualcodeError, file_error
from qualcode.core.files import atomic_path
from qualcode.core.models import Code
from qualcode.core.progress import Progress
from qualcode.study.study import Study


def sample_root() -> Path:
    """Where sample_transcripts/ and codebooks/ are: the source checkout, or the copy
    packaged inside the wheel."""
    package = Path(__file__).resolve().parents[1]  # src/qualcode, or site-packages/qualcode
    for candidate in (package.parent.parent, package / "sample"):
        if (candidate / "sample_transcripts").is_dir() and (candidate / "codebooks").is_dir():
            return candidate
    raise QualcodeError("the sample transcripts are not installed with this copy of qualcode")


def default_demo_path() -> Path:
    return config.data_dir() / "sample-study.qualcode"


CACHE_FOLDER = "sample-cache"
# libyaml's parser when PyYAML has it: the example codings are 20 files of quotes, and the
# pure-Python parser took a quarter of the build reading them
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def build_demo(
    target: Path,
    progress: Progress | None = None,
    root: Path | None = None,
    *,
    cache: bool = True,
    prepare: Callable[[Study], object] | None = None,
) -> dict[str, int]:
    """Build the sample study at ``target`` (replacing it) and return its totals.

    ``root`` holds ``codebooks/`` and ``sample_transcripts/`` (default: the installed
    sample). With ``cache``, a study built before from the same files is copied instead
    (see the module's docstring), and a new build is kept for next time. The study is built
    beside the target and moved into place at the end, so a failure leaves no half-built
    study. ``prepare`` runs on the built (or copied) study before it is kept and moved into
    place: ``qualcode demo`` derives there what the first analysis needs
    (:func:`qualcode.analysis.prepared.prepare`, a layer above this one, so passed in).
    """
    root = root or sample_root()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".building")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    cached = cache_path(sample_fingerprint(root)) if cache else None
    if cached is not None and cached.is_file():
        shutil.copyfile(cached, partial)
        with Study.open(partial, coder="onderzoeker-a") as study:  # the builder, so no new coder is added
            if prepare is not None:  # a copy kept by a build without it (nothing to do otherwise)
                prepare(study)
            totals = study.info()
        if progress is not None:
            progress(1, 1, "copied the sample study built before")
    else:
        totals = _build(partial, root, progress, prepare)
        if cached is not None:
            _keep_in_cache(partial, cached)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial, target)
    return {**totals, "path": str(target)}


def _build(
    path: Path, root: Path, progress: Progress | None, prepare: Callable[[Study], object] | None = None
) -> dict[str, int]:
    study = Study.create(path, "Voorbeeldstudie armoede en gezinnen", coder="onderzoeker-a")
    try:
        for book in sorted((root / "codebooks").glob("*.yaml")):
            study.import_codebook(book)
        study.import_files([root / "sample_transcripts"], progress=progress)
        import_demo_scores(study, root / "sample_transcripts" / SCORES_FILE)
        apply_demo_codings(study, root / "sample_transcripts" / "demo_codings")
        if prepare is not None:
            prepare(study)
        return study.info()
    finally:
        study.close()


def sample_fingerprint(root: Path) -> str:
    """A hash of everything a sample build depends on: every file under ``codebooks/`` and
    ``sample_transcripts/`` (path and content) and qualcode's own source files."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    groups = [(root, ["codebooks", "sample_transcripts"]), (package, ["."])]
    for base, folders in groups:
        for folder in folders:
            for path in sorted((base / folder).rglob("*")):
                if not path.is_file() or "__pycache__" in path.parts or path.name.startswith("."):
                    continue
                if base is package and path.suffix != ".py":
                    continue
                digest.update(path.relative_to(base).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def cache_path(fingerprint: str) -> Path:
    return config.data_dir() / CACHE_FOLDER / f"sample-{fingerprint[:24]}.qualcode"


def _keep_in_cache(built: Path, cached: Path) -> None:
    """Copy a fresh build into the cache, replacing older builds; a cache that cannot be
    written (a read-only home) costs the next build its speed, not the demo."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(cached) as tmp:
            shutil.copyfile(built, tmp)
        for old in cached.parent.glob("sample-*.qualcode"):
            if old != cached:
                old.unlink(missing_ok=True)
    except (OSError, QualcodeError):
        return


SCORES_FILE = "scores.csv"


def import_demo_scores(study: Study, path: Path) -> int:
    """Import the sample's outcome scores (per family and wave) when the sample has them;
    return how many values were imported. Families in the scores but without interviews are
    an error in the sample, not something to add silently."""
    if not path.exists():
        return 0
    return study.import_variables(path).values


def apply_demo_codings(study: Study, folder: Path) -> int:
    """Apply the quote-based example codings; return how many were made."""
    by_source = {d.source_name: d.id for d in study.documents()}
    codes: dict[str, Code] = {}  # resolving a code reads the whole tree: once per code, not per coding
    made = 0
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        doc_id = by_source.get(data.get("document"))
        if doc_id is None:
            raise file_error(path, f"names document {data.get('document')!r}, which is not in the sample")
        text = study.document_text(doc_id)
        default_coder = data.get("coder", "onderzoeker-a")
        for entry in data.get("codings", []):
            quote = str(entry["quote"])
            span = _find(text, quote)
            if span is None:
                raise file_error(path, f"quote not found in {data['document']}: {quote[:60]!r}")
            ref = str(entry["code"])
            if ref not in codes:
                codes[ref] = study.code(ref)
            study.add_coding(
                doc_id,
                codes[ref],
                *span,
                memo=entry.get("memo", "") or "",
                coder=entry.get("coder", default_coder),
            )
            made += 1
    return made


def _find(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote first stands in the text, allowing any whitespace between its words
    (quotes may wrap differently from the transcript). Matched word by word where the first
    word occurs: a regular expression per quote cost more to compile than to run, and the
    two made up half of the sample's build."""
    words = quote.split()
    if not words:
        return None
    position = text.find(words[0])
    while position >= 0:
        end = _match_words(text, position, words)
        if end is not None:
            return position, end
        position = text.find(words[0], position + 1)
    return None


def _match_words(text: str, position: int, words: list[str]) -> int | None:
    """The end of ``words`` at ``position`` with whitespace (at least one character) between
    them, or None."""
    for i, word in enumerate(words):
        if i:
            gap = position
            while gap < len(text) and text[gap].isspace():
                gap += 1
            if gap == position:
                return None
            position = gap
        if not text.startswith(word, position):
            return None
        position += len(word)
    return position
