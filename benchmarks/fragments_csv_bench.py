"""How long the coded-fragments CSV of 50,000 codings takes (budget: under 2 s, DESIGN.md).

Builds a throwaway study of 200 documents with 250 codings each (added with
Study.add_codings, one action per document), then times the query (Study.fragments) and the
writer (qualcode.exchange.csv.write_fragments_csv) separately.

    python benchmarks/fragments_csv_bench.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from qualcode.exchange.csv import write_fragments_csv
from qualcode.study.study import Study

SENTENCE = "Ik voelde me gezien en gehoord, de coach kwam gewoon bij ons thuis. "


def main(documents: int = 200, per_document: int = 250) -> None:
    study = Study.memory(coder="bench")
    code = study.add_code("Gezien en gehoord worden")
    for n in range(documents):
        text = "Moeder: " + SENTENCE * per_document + f"Einde van interview {n}.\n"  # unique: no duplicate
        doc_id = study.add_document(text, title=f"ouder-{n:03d}", metadata={"role": "ouder"})
        spans = [(doc_id, 8 + i * len(SENTENCE), 8 + (i + 1) * len(SENTENCE) - 1) for i in range(per_document)]
        study.add_codings(spans, code)
    started = time.perf_counter()
    rows = study.fragments()
    queried = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        count = write_fragments_csv(rows, Path(folder) / "fragmenten.csv", study.name)
    written = time.perf_counter()
    print(f"codings: {count}")
    print(f"query (Study.fragments): {queried - started:.3f} s")
    print(f"write CSV:               {written - queried:.3f} s")
    print(f"total:                   {written - started:.3f} s (budget 2 s)")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--per-document", type=int, default=250)
    options = parser.parse_args()
    main(options.documents, options.per_document)
