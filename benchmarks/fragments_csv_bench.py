"""How long the coded-fragments CSV of 50,000 codings takes (budget: under 2 s, DESIGN.md).

Builds a throwaway study of 200 documents with 250 codings each (added with
Study.add_codings, one action per document), then times the query (Study.fragments) and the
writer (qualcode.exchange.csv.write_fragments_csv) separately, in wall-clock and CPU time (on a
shared machine the CPU time is the steadier figure; the budget is wall-clock on a quiet one).
With --repeat N it exports N times and prints the fastest run (by wall-clock).

    python benchmarks/fragments_csv_bench.py [--repeat 5]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from qualcode.exchange.csv import write_fragments_csv
from qualcode.study.study import Study

SENTENCE = "Ik voelde me gezien en gehoord, de coach kwam gewoon bij ons thuis. "


def build(documents: int, per_document: int) -> Study:
    study = Study.memory(coder="bench")
    code = study.add_code("Gezien en gehoord worden")
    for n in range(documents):
        text = "Moeder: " + SENTENCE * per_document + f"Einde van interview {n}.\n"  # unique: no duplicate
        doc_id = study.add_document(text, title=f"ouder-{n:03d}", metadata={"role": "ouder"})
        spans = [(doc_id, 8 + i * len(SENTENCE), 8 + (i + 1) * len(SENTENCE) - 1) for i in range(per_document)]
        study.add_codings(spans, code)
    return study


def export(study: Study, folder: Path) -> tuple[int, float, float, float, float]:
    """(rows, query wall, query CPU, write wall, write CPU) of one export."""
    started, started_cpu = time.perf_counter(), time.process_time()
    rows = study.fragments()
    queried, queried_cpu = time.perf_counter(), time.process_time()
    count = write_fragments_csv(rows, folder / "fragmenten.csv", study.name)
    written, written_cpu = time.perf_counter(), time.process_time()
    return count, queried - started, queried_cpu - started_cpu, written - queried, written_cpu - queried_cpu


def main(documents: int = 200, per_document: int = 250, repeat: int = 1) -> None:
    study = build(documents, per_document)
    with tempfile.TemporaryDirectory() as folder:
        runs = [export(study, Path(folder)) for _ in range(repeat)]
    count, query, query_cpu, write, write_cpu = min(runs, key=lambda r: r[1] + r[3])
    best = f" (fastest of {repeat})" if repeat > 1 else ""
    print(f"codings: {count}")
    print(f"query (Study.fragments): {query:.3f} s (CPU {query_cpu:.3f} s)")
    print(f"write CSV:               {write:.3f} s (CPU {write_cpu:.3f} s)")
    print(f"total:                   {query + write:.3f} s (CPU {query_cpu + write_cpu:.3f} s; budget 2 s){best}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--per-document", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=1, help="export this many times and print the fastest run")
    options = parser.parse_args()
    main(options.documents, options.per_document, max(1, options.repeat))
