"""Import speed: `qualcode import` against spaCy's blank sentencizer fed as qualcode feeds it.

    python benchmarks/import_bench.py --documents 1000 --words 5000

Generates the synthetic corpus (benchmarks/corpus.py: verbatim features, a third of the files
hard-wrapped), then times
1. spaCy alone: `spacy.blank("nl")` + sentencizer over the same blocks of turns that qualcode
   segments (turn bodies cut at blank lines and timestamps), in one ``nlp.pipe``;
2. the same over whole files (the old, flattering baseline: spaCy is slower on long docs);
3. `qualcode import` of the folder into a new study (read, decode, front matter, turns,
   sentences with lemmas, SQLite with FTS), as a subprocess, as a user runs it, and a
   single-file import (process start included).
Budget: (3) at most 1.5× (1) at 1,000 × 5,000 words, faster than qc's import of the same
corpus (19.4 s measured at N=1,000 in issue 17), one file under 1 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from corpus import write_corpus

QC_IMPORT_1000 = 19.4  # seconds, qc's import of 1,000 × 5,000 words (issue 17)


def spacy_alone(paths: list[Path], *, by_block: bool = False) -> tuple[float, int]:
    """spaCy's blank sentencizer over every file's whole text, or (``by_block``) over the
    blocks qualcode segments: turn bodies cut at blank lines and timestamps."""
    import spacy

    from qualcode.ingest import nlp as qnlp
    from qualcode.ingest import parse_turns

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 50_000_000
    texts = [p.read_text(encoding="utf-8") for p in paths]
    if by_block:
        blocks = []
        for t in texts:
            turns = [(x.start, x.body_start, x.end) for x in parse_turns(t)]
            blocks.extend(block.replace("\n", " ") for _, block, _ in qnlp._chunks(t, turns))
        texts = blocks
    started = time.perf_counter()
    sentences = 0
    for doc in nlp.pipe(texts, batch_size=64):
        sentences += sum(1 for _ in doc.sents)
    return time.perf_counter() - started, sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        paths = write_corpus(folder, args.documents, args.words)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
        whole, _ = spacy_alone(paths)
        alone, sentences = spacy_alone(paths, by_block=True)
        study = Path(tmp) / "bench.qualcode"
        subprocess.run([sys.executable, "-m", "qualcode", "init", str(study)], check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "qualcode", "import", str(folder), "--study", str(study)],
            check=True,
            capture_output=True,
        )
        imported = time.perf_counter() - started
        size = study.stat().st_size
        single = Path(tmp) / "one.qualcode"
        subprocess.run([sys.executable, "-m", "qualcode", "init", str(single)], check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "qualcode", "import", str(paths[0]), "--study", str(single)],
            check=True,
            capture_output=True,
        )
        one = time.perf_counter() - started
    print(f"corpus: {args.documents} transcripts, {words:,} words")
    print(f"spaCy sentencizer, same blocks, one pipe: {alone:.2f} s ({sentences:,} sentences)")
    print(f"spaCy sentencizer, whole files:           {whole:.2f} s")
    print(f"qualcode import:                          {imported:.2f} s ({words / imported:,.0f} words/s)")
    print(f"ratio: {imported / alone:.2f}x spaCy over the same blocks (budget 1.5x)")
    if args.documents == 1000:
        print(f"qc's import of the same size: {QC_IMPORT_1000} s -> qualcode {imported / QC_IMPORT_1000:.2f}x qc")
    print(f"one file of {args.words:,} words, process start included: {one:.2f} s (budget 1 s)")
    print(f"study file {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
