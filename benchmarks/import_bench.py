"""Import speed: `qualcode import` against spaCy's sentencizer fed the turns as qualcode feeds them.

    python benchmarks/import_bench.py --docs 1000 --words 5000

Generates the synthetic corpus (benchmarks/corpus.py: speaker turns, timestamps in 40 % of
the files, a third hard-wrapped at 80 columns, the verbatim features of real transcripts),
then measures

1. the floor: `spacy.blank("nl")` + sentencizer over the blocks qualcode segments (turn
   bodies cut at blank lines and timestamps, wrapped lines joined), all in one `nlp.pipe`;
   spaCy's import and pipeline set-up are not counted, nor reading the files;
2. `qualcode import FOLDER --study S`, as a subprocess, as a user runs it: process start,
   reading, decoding, front matter, turns, sentences with lemmas, word counts, SQLite with
   the full-text index (written in batches, committed at least every half second);
3. the same command again: every file is already in the study, so this is what resuming an
   interrupted import costs for the files it had finished (read, hashed, skipped);
4. `qualcode import one.md` of a single transcript into a new study, process start included
   (best and median of --single runs).

Budgets (issue 17): (2) at most 1.5x (1) at 1,000 x 5,000 words and faster than qc 1.7.8's
import of the same corpus (19.4 s measured at N=1,000); (4) under 1 s.

Wall-clock time is what a user waits, but on a shared machine it also counts the time other
processes hold the cores; CPU time (user + system of the measured process) is what the work
itself costs and is steady under load, so both are printed, with the load average. The
subprocesses run with a bytecode cache, as an installed qualcode does (one warm-up run fills
it; PYTHONDONTWRITEBYTECODE would make every start compile qualcode's sources again).
--compare-spacy also reports how many of spaCy's sentence boundaries the rule-based splitter
draws on this corpus.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from corpus import write_corpus

QC_IMPORT_1000 = 19.4  # seconds, qc 1.7.8's import of 1,000 x 5,000 words (issue 17)
RATIO_BUDGET = 1.5
SINGLE_BUDGET = 1.0


def verdict(wall: float, cpu: float, budget: float) -> str:
    """Whether a figure is within its budget by wall-clock time and by CPU time."""
    if wall <= budget and cpu <= budget:
        return "within budget by wall and CPU"
    if cpu <= budget:
        return "OVER budget by wall, within by CPU"
    return "OVER budget by wall and CPU" if wall > budget else "OVER budget by CPU"


def blocks(paths: list[Path]) -> list[str]:
    """The blocks qualcode's segmenter sees, wrapped lines joined, in file order."""
    from qualcode.ingest import nlp as qnlp
    from qualcode.ingest import read_source

    out: list[str] = []
    for path in paths:
        text = read_source(path).text
        out.extend(block.replace("\n", " ") for _, block, _ in qnlp.blocks(text, qnlp.turn_spans(text)))
    return out


def spacy_floor(texts: list[str]) -> tuple[float, float, int]:
    """Wall and CPU seconds of spaCy's blank Dutch sentencizer over ``texts`` in one pipe,
    and the sentences it found."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 50_000_000
    nlp("Opwarmen. Zo.")
    wall, cpu = time.perf_counter(), time.process_time()
    sentences = 0
    for doc in nlp.pipe(texts, batch_size=64):
        sentences += sum(1 for _ in doc.sents)
    return time.perf_counter() - wall, time.process_time() - cpu, sentences


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU (user + system) seconds of one ``qualcode`` subprocess, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "qualcode", *args], check=True, capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout.strip()


def compare_spacy(texts: list[str]) -> str:
    """How many of spaCy's sentence ends the rule-based splitter draws too (brackets and
    quotes after a full stop set aside, as tests/test_ingest_sentences.py measures it)."""
    import re

    from qualcode.ingest import nlp as qnlp
    from qualcode.ingest.sentences import split

    def boundary(text: str, end: int) -> int:
        return len(re.sub(r"[\W_]+$", "", text[:end]))

    ours_total = spacy_total = shared = 0
    for text in texts:
        ours = {boundary(text, e) for _, e in split(text)}
        theirs = {boundary(text, e) for _, e in qnlp.spacy_sentence_spans(text)}
        ours_total += len(ours)
        spacy_total += len(theirs)
        shared += len(ours & theirs)
    return (
        f"sentence ends: spaCy {spacy_total:,}, rule-based {ours_total:,}, shared {shared:,} "
        f"({shared / max(spacy_total, 1):.2%} of spaCy's; {(ours_total - shared) / max(ours_total, 1):.2%} extra)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", "--documents", dest="docs", type=int, default=1000, help="transcripts (default 1000)")
    parser.add_argument("--words", type=int, default=5000, help="words per transcript (default 5000)")
    parser.add_argument("--single", type=int, default=3, help="single-file imports to time (default 3)")
    parser.add_argument("--compare-spacy", action="store_true", help="also measure agreement with spaCy's boundaries")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        env["QUALCODE_CODER"] = env.get("QUALCODE_CODER", "bench")
        folder = root / "corpus"
        paths = write_corpus(folder, args.docs, args.words)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
        texts = blocks(paths)
        floor_wall, floor_cpu, spacy_sentences = spacy_floor(texts)

        warm = root / "warm.qualcode"
        run(["init", str(warm)], env)
        run(["import", str(paths[-1]), "--study", str(warm)], env)  # fills the bytecode cache

        study = root / "bench.qualcode"
        run(["init", str(study)], env)
        load = os.getloadavg()[0]
        wall, cpu, said = run(["import", str(folder), "--study", str(study)], env)
        size = study.stat().st_size
        again_wall, again_cpu, again_said = run(["import", str(folder), "--study", str(study)], env)

        singles: list[tuple[float, float]] = []
        for i in range(args.single):
            one = root / f"one-{i}.qualcode"
            run(["init", str(one)], env)
            singles.append(run(["import", str(paths[i % len(paths)]), "--study", str(one)], env)[:2])
        load = max(load, os.getloadavg()[0])
        agreement = compare_spacy(texts) if args.compare_spacy else ""

    cores = os.cpu_count() or 1
    scale = args.docs * args.words / (1000 * 5000)
    print(f"machine: {cores} cores, load average {load:.1f} while measuring", end="")
    print(" (under load: read the CPU column)" if load > cores / 2 else "")
    print(f"corpus: {args.docs:,} transcripts x {args.words:,} words = {words:,} words")
    print(f"{'':44s}{'wall':>9s}{'CPU':>9s}")
    print(
        f"{'spaCy sentencizer, same blocks, one pipe':44s}{floor_wall:8.2f}s{floor_cpu:8.2f}s  ({spacy_sentences:,} sentences)"
    )
    print(
        f"{'qualcode import (process start included)':44s}{wall:8.2f}s{cpu:8.2f}s  ({words / cpu:,.0f} words per CPU s)"
    )
    print(f"  {said}")
    print(
        f"{'ratio to spaCy (budget 1.5x)':44s}{wall / floor_wall:8.2f}x{cpu / floor_cpu:8.2f}x  "
        f"{verdict(wall / floor_wall, cpu / floor_cpu, RATIO_BUDGET)}"
        + ("" if scale >= 1 else " (the budget is for 1,000 x 5,000 words; smaller, process start weighs more)")
    )
    print(
        f"{'the same import again (all already there)':44s}{again_wall:8.2f}s{again_cpu:8.2f}s  "
        f"({again_said.splitlines()[-1] if again_said else ''})"
    )
    qc = QC_IMPORT_1000 * scale
    note = "" if scale == 1 else "; 19.4 s at 1,000 x 5,000 scaled to this corpus"
    print(
        f"{'qc 1.7.8 import, same corpus (peer, wall)':44s}{qc:8.2f}s{'':9s}  "
        f"qualcode {wall / qc:.2f}x qc by wall, {cpu / qc:.2f}x by CPU{note}"
    )
    best = min(s[0] for s in singles)
    median = statistics.median(s[0] for s in singles)
    cpu_one = min(s[1] for s in singles)
    print(
        f"{'one file, qualcode import (budget 1 s)':44s}{best:8.2f}s{cpu_one:8.2f}s  "
        f"(best of {len(singles)}; median wall {median:.2f} s; "
        f"{verdict(best, cpu_one, SINGLE_BUDGET)})"
    )
    print(f"study file {size / 1e6:.0f} MB")
    if agreement:
        print(agreement)


if __name__ == "__main__":
    main()
