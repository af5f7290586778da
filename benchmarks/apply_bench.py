"""Benchmark applying, undoing and redoing a coding as the undo log grows.

A study coded by hand has one history row per action. This builds studies whose codings went
in through the library *with* their history rows (the first 2,000 through ``Study.add_coding``
itself, the rest as copies of those rows' exact shape, so the log looks as it would after a
year of coding), at 0, 10,000, 100,000 and 1,000,000 logged actions, and times one
``add_coding`` + ``undo`` + ``redo`` on top of each (median of 50).

Budget (DESIGN.md): applying a coding through the library under 1 ms, and flat as the log
grows (the peer figure: 5 ms at 5,000 codings, 25 ms at 25,000). Before the ``history_coder``
index this took 0.22 / 1.7 / 14.7 / 142 ms.

Run: python benchmarks/apply_bench.py [--sizes 0,10000,100000,1000000] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import transcript  # noqa: E402

from qualcode.core.errors import QualcodeError  # noqa: E402
from qualcode.study.study import Study  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "qualcode-apply-bench"
CODES = ["Vertrouwensband", "Huisbezoek", "Behapbare caseload", "Eén vast contactpersoon"]


def build(path: Path, logged: int) -> None:
    """A study of 20 transcripts whose ``logged`` codings each have their history row."""
    path.unlink(missing_ok=True)
    with Study.create(path, "apply bench", coder="onderzoeker-a") as study:
        for book in sorted((ROOT / "codebooks").glob("*.yaml")):
            study.import_codebook(book)
        texts = random.Random(3)
        for i in range(20):
            study.add_document(transcript(texts, 5000), title=f"doc-{i}", source_name=f"doc-{i}.txt")
        docs = [d.id for d in study.documents()]
        sentences = {d: study.sentences(d) for d in docs}
        rng = random.Random(7)
        by_hand = min(logged, 2000)
        for _ in range(by_hand):
            d = rng.choice(docs)
            s = rng.choice(sentences[d])
            try:
                study.add_coding(d, rng.choice(CODES), s.start, s.end)
            except QualcodeError:  # the same passage drawn twice
                continue
        rest = logged - by_hand
        if rest > 0:
            conn = study.store.conn
            template = conn.execute("SELECT * FROM codings ORDER BY id LIMIT 1").fetchone()
            history = conn.execute("SELECT * FROM history ORDER BY id LIMIT 1").fetchone()
            code_ids = [study.code(c).id for c in CODES]
            next_id = conn.execute("SELECT max(id) FROM codings").fetchone()[0] + 1
            conn.execute("BEGIN")
            batch_c, batch_h = [], []
            for k in range(rest):
                d = rng.choice(docs)
                s = rng.choice(sentences[d])
                row = dict(template)
                row.update(id=next_id + k, document_id=d, code_id=rng.choice(code_ids), start=s.start, end=s.end)
                batch_c.append(tuple(row.values()))
                change = [["insert", "codings", None, row]]
                batch_h.append((history["description"], json.dumps(change), history["coder_id"], history["created_at"]))
                if len(batch_c) == 50_000:
                    _flush(conn, template, batch_c, batch_h)
            _flush(conn, template, batch_c, batch_h)
            conn.execute("COMMIT")


def _flush(conn, template, batch_c: list, batch_h: list) -> None:
    marks = ", ".join("?" * len(template.keys()))
    conn.executemany(f"INSERT INTO codings VALUES ({marks})", batch_c)
    conn.executemany("INSERT INTO history (description, changes, coder_id, created_at) VALUES (?, ?, ?, ?)", batch_h)
    batch_c.clear()
    batch_h.clear()


def measure(path: Path, repeat: int) -> tuple[float, float, float, int]:
    with Study.open(path, coder="onderzoeker-a") as study:
        logged = study.store.scalar("SELECT count(*) FROM history")
        doc = study.documents()[0]
        sentences = study.sentences(doc.id)
        fresh_code = next(c for c in study.codes() if c.name not in CODES and c.parent_id is not None)
        apply, undo, redo = [], [], []
        for i in range(repeat):
            s = sentences[-1 - i]
            t0 = time.perf_counter()
            study.add_coding(doc.id, fresh_code, s.start, s.end)
            t1 = time.perf_counter()
            study.undo()
            t2 = time.perf_counter()
            study.redo()
            t3 = time.perf_counter()
            study.undo()  # leave the cached study as it was
            apply.append(t1 - t0)
            undo.append(t2 - t1)
            redo.append(t3 - t2)
        return statistics.median(apply), statistics.median(undo), statistics.median(redo), logged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,10000,100000,1000000", help="logged actions per study")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached studies")
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    print(f"{'logged actions':>15} {'apply ms':>9} {'undo ms':>8} {'redo ms':>8}   budget: apply < 1 ms, flat")
    for size in (int(s) for s in args.sizes.split(",")):
        path = CACHE / f"apply-{size}.qualcode"
        if args.fresh or not path.exists():
            build(path, size)
        a, u, r, logged = measure(path, args.repeat)
        print(f"{logged:>15,} {a * 1000:>9.2f} {u * 1000:>8.2f} {r * 1000:>8.2f}")


if __name__ == "__main__":
    main()
