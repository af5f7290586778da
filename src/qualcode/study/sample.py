"""The sample study: fictional interviews, the two codebooks, and example codings.

A newcomer should land in a coded study, not an empty one. The example codings are kept in
``sample_transcripts/demo_codings/*.yaml`` as quotes, not offsets, so the transcripts can be
edited without breaking them; each quote is located in its document's normalised text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from qualcode.core import config
from qualcode.core.errors import QualcodeError, file_error
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


def build_demo(target: Path, progress: Callable[[int, int, str], None] | None = None) -> dict[str, int]:
    """Build the sample study at ``target`` (replacing it) and return its totals.

    The study is built beside the target and moved into place at the end, so a failure
    leaves no half-built study.
    """
    root = sample_root()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".building")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    study = Study.create(partial, "Voorbeeldstudie armoede en gezinnen", coder="onderzoeker-a")
    try:
        for book in sorted((root / "codebooks").glob("*.yaml")):
            study.import_codebook(book)
        study.import_files([root / "sample_transcripts"], progress=progress)
        import_demo_scores(study, root / "sample_transcripts" / SCORES_FILE)
        apply_demo_codings(study, root / "sample_transcripts" / "demo_codings")
        totals = study.info()
    finally:
        study.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial, target)
    return totals


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
    made = 0
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
            study.add_coding(
                doc_id,
                entry["code"],
                *span,
                memo=entry.get("memo", "") or "",
                coder=entry.get("coder", default_coder),
            )
            made += 1
    return made


def _find(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote stands in the text, allowing any whitespace between its words (quotes
    may wrap differently from the transcript)."""
    match = re.search(r"\s+".join(re.escape(w) for w in quote.split()), text)
    return (match.start(), match.end()) if match else None
