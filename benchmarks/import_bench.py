"""Import speed: `qualcode import` against spaCy's blank sentencizer alone, in one run.

    python benchmarks/import_bench.py --documents 1000 --words 5000

Generates the synthetic corpus (benchmarks/corpus.py), then times
1. spaCy alone: `spacy.blank("nl")` + sentencizer over every file's text (nlp.pipe), and
2. `qualcode import` of the folder into a new study (read, decode, front matter, turns,
   sentences with lemmas, SQLite with FTS), as a subprocess, as a user runs it.
The figure is the ratio (2)/(1); the budget is 1.5 at 1,000 × 5,000 words.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus


def spacy_alone(paths: list[Path], *, by_line: bool = False) -> tuple[float, int]:
    """spaCy's blank sentencizer over every file's whole text, or (``by_line``) over its
    non-empty lines, which is how qualcode feeds spaCy (it never lets a sentence cross a line
    break or a speaker turn) and which spaCy itself processes faster than whole files."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 50_000_000
    texts = [p.read_text(encoding="utf-8") for p in paths]
    if by_line:
        texts = [line for t in texts for line in t.split("\n") if line.strip()]
    started = time.perf_counter()
    sentences = 0
    for doc in nlp.pipe(texts, batch_size=64):
        sentences += sum(1 for _ in doc.sents)
    return time.perf_counter() - started, sentences


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        paths = write_corpus(folder, args.documents, args.words)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
        alone, sentences = spacy_alone(paths)
        by_line, _ = spacy_alone(paths, by_line=True)
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
    print(f"corpus: {args.documents} transcripts, {words:,} words")
    print(f"spaCy blank sentencizer alone: {alone:.2f} s ({words / alone:,.0f} words/s, {sentences:,} sentences)")
    print(f"spaCy sentencizer, by line:    {by_line:.2f} s ({words / by_line:,.0f} words/s)")
    print(f"qualcode import:               {imported:.2f} s ({words / imported:,.0f} words/s)")
    print(f"ratio: {imported / alone:.2f}x (budget 1.5x); against spaCy by line: {imported / by_line:.2f}x")
    print(f"study file {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
