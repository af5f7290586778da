"""Benchmark: export a .qdpx of 1,000 documents and 50,000 codings (budget: under 3 s).

The study is built quickly with the store's bulk inserts — documents without turns and
sentences (segmentation is not what is measured), codes through the store, and codings
with ``store.exchange.insert_codings`` — all in one unrecorded action, the way an import
writes. Then the export is timed end to end (reads, XML, zip, atomic write), and, apart
from the budget, an import of the result back into a new study.

Run: python benchmarks/exchange_bench.py [documents] [codings]
"""

from __future__ import annotations

import hashlib
import random
import tempfile
import time
from pathlib import Path

from qualcode.exchange import export_qdpx, import_qdpx_new
from qualcode.store import codes as codesql
from qualcode.store import codings as codingsql
from qualcode.store import documents as docsql
from qualcode.store import exchange as exsql
from qualcode.study.study import Study

WORDS = "ik voel me gezien en gehoord door de coach die bij ons thuis kwam vertrouwen hulp gezin geld school".split()


def build(path: Path, documents: int, codings: int) -> Study:
    rng = random.Random(7)
    study = Study.create(path, "bench", coder="onderzoeker-a")
    store = study.store
    with store.action("bench build", record=False):
        code_ids = []
        for top in range(5):
            parent = codesql.insert_code(store, {"parent_id": None, "name": f"thema {top}", "codebook": "bench"})
            code_ids += [
                codesql.insert_code(store, {"parent_id": parent, "name": f"code {top}.{i}"}) for i in range(10)
            ]
        coder_ids = [study.coder_id, codingsql.coder_id(store, "onderzoeker-b")]
        lengths = []
        for n in range(documents):
            lines = [
                f"{'Interviewer' if i % 2 == 0 else 'Moeder'}: " + " ".join(rng.choices(WORDS, k=40)) for i in range(25)
            ]
            text = "\n".join(lines) + f"\n(interview {n})"
            doc_id = docsql.insert_document(
                store,
                project_id=docsql.ensure_project(store, f"Organisatie {n % 5}", f"Project {n % 10}"),
                title=f"Interview {n:04d}",
                text=text,
                language="nl",
                role="ouder",
                participant=f"P{n:04d}",
                interview_date="2024-03-01",
                source_name=f"interview-{n:04d}.txt",
                encoding="utf-8",
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                char_count=len(text),
                word_count=len(text.split()),
                attributes={"wave": str(n % 3 + 1), "gemeente": "Coevorden"},
                turns=[],
                sentences=[],
            )
            lengths.append((doc_id, len(text)))
        rows = []
        for i in range(codings):
            doc_id, length = lengths[i % documents]
            start = rng.randrange(0, length - 200)
            rows.append(
                {
                    "document_id": doc_id,
                    "code_id": rng.choice(code_ids),
                    "coder_id": rng.choice(coder_ids),
                    "start": start,
                    "end": start + rng.randrange(20, 200),
                    "memo": "memo" if i % 50 == 0 else "",
                }
            )
        exsql.insert_codings(store, rows)
    return study


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("documents", type=int, nargs="?", default=1000)
    parser.add_argument("codings", type=int, nargs="?", default=50_000)
    options = parser.parse_args()
    documents, codings = options.documents, options.codings
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        t0 = time.perf_counter()
        study = build(base / "bench.qualcode", documents, codings)
        t1 = time.perf_counter()
        print(f"built study: {documents} documents, {codings} codings in {t1 - t0:.2f} s")
        target = base / "bench.qdpx"
        best = float("inf")
        for _ in range(3):
            t2 = time.perf_counter()
            summary = export_qdpx(study, target)
            best = min(best, time.perf_counter() - t2)
        study.close()
        size = target.stat().st_size / 1e6
        verdict = "OK" if best < 3.0 else "OVER BUDGET"
        print(
            f"export .qdpx: {best:.2f} s (best of 3; budget 3 s: {verdict}), {size:.1f} MB, "
            f"{summary.sources} sources, {summary.codings} codings, {summary.notes} notes"
        )
        t3 = time.perf_counter()
        imported = import_qdpx_new(base / "back.qualcode", target, coder="bench")
        print(
            f"import .qdpx into a new study: {time.perf_counter() - t3:.2f} s "
            f"({imported.sources} sources, {imported.codings} codings, {len(imported.not_placed)} not placed; "
            "includes spaCy sentence segmentation of every document)"
        )


if __name__ == "__main__":
    main()
