"""Benchmark the analysis layer on a large synthetic study.

Builds (once, cached in a temporary folder) a study of 1,000 documents of about 2,000 words
each, in 5 organisations, with 1,000,000 codings over the two codebooks by two coders, then
times the frequency table, a code × organisation matrix, co-occurrence and the fragments
CSV of 50,000 codings.

How the study is built: documents go in through the store's own
``documents.insert_document`` with sentences and turns cut by a regex (no spaCy); the codings
as a researcher's study holds them — each with the history row ``Study.add_coding`` writes
(one undoable action per coding, its coder's, the document's hash in the recorded change),
generated in bulk by ``store.analysis.bulk_apply_codings`` (``tests/test_analysis_speed.py``
checks that its rows are the ones ``add_coding`` writes and that undo takes them back). So the
study has a 1,000,000-action undo log, and every figure is read beside it.

Peers: issue 17 measured ``stats`` at 0.23× qc 1.7.8's time on 100 documents × 50 codings;
qc has no co-occurrence at this scale and no panel.

Run: python benchmarks/analysis_bench.py [--codings N] [--documents N] [--fresh]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from qualcode.ingest.nlp import spoken_word_count  # noqa: E402
from qualcode.store import analysis as analysis_sql  # noqa: E402
from qualcode.store import documents as docsql  # noqa: E402
from qualcode.store.core import now  # noqa: E402
from qualcode.study.study import Study  # noqa: E402

ORGANISATIONS = ["Leergeld", "Coevorden", "Rotterdam", "Tilburg", "Leeuwarden"]
ROLES = ["ouder", "kind", "gezinscoach", "jeugdondersteuner"]
WORDS = (
    "ik wij de het een en van in dat met voor op niet is was hebben gezin coach school geld "
    "vertrouwen huisbezoek regels gemeente kinderen moeder vader hulp schulden rust samen "
    "gesprek thuis zorgen voetbal huiswerk ruimte aandacht plan doelen netwerk schaamte"
).split()


def build(path: Path, documents: int, codings: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    study = Study.create(path, "benchmark", coder="bench-a")
    for book in sorted((ROOT / "codebooks").glob("*.yaml")):
        study.import_codebook(book)
    store = study.store
    leaves = [c.id for c in study.codes() if c.parent_id is not None]
    with store.action("benchmark documents", record=False):
        from qualcode.store.codings import coder_id

        coder_ids = [coder_id(store, "bench-a"), coder_id(store, "bench-b")]
        lengths: list[int] = []
        for n in range(documents):
            turns, text_parts, pos = [], [], 0
            for t in range(40):
                label = "Interviewer: " if t % 2 == 0 else "Respondent: "
                body = " ".join(rng.choice(WORDS) for _ in range(50)) + "."
                line = label + body + "\n"
                turns.append(
                    {
                        "seq": t,
                        "speaker": label[:-2],
                        "role": "interviewer" if t % 2 == 0 else ROLES[n % 4],
                        "timestamp": None,
                        "start": pos,
                        "body_start": pos + len(label),
                        "end": pos + len(line) - 1,
                    }
                )
                text_parts.append(line)
                pos += len(line)
            text = "".join(text_parts)
            sentences = []
            for seq, turn in enumerate(turns):
                for m in re.finditer(r"[^.]+\.?", text[turn["body_start"] : turn["end"]]):
                    sentences.append(
                        {
                            "seq": len(sentences),
                            "turn_seq": seq,
                            "start": turn["body_start"] + m.start(),
                            "end": turn["body_start"] + m.end(),
                            "lemmas": m.group().lower(),
                        }
                    )
            project = docsql.ensure_project(store, ORGANISATIONS[n % 5], f"Project {n % 10}")
            docsql.insert_document(
                store,
                project_id=project,
                title=f"Interview {n:04d}",
                text=text,
                language="nl",
                role=ROLES[n % 4],
                participant=f"P{n:04d}",
                interview_date=None,
                source_name=f"i{n}.txt",
                encoding="utf-8",
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                char_count=len(text),
                word_count=spoken_word_count(text, [(t["start"], t["body_start"], t["end"]) for t in turns]),
                attributes={},
                wave=str(1 + n % 3),
                turns=turns,
                sentences=sentences,
            )
            lengths.append(len(text))
    doc_ids = [r[0] for r in store.rows("SELECT id FROM documents ORDER BY id")]
    stamp = now()
    paths = {c.id: c.path for c in study.codes()}
    batch: list[tuple[int, int, int, int, int, str]] = []
    with store.action("benchmark codings", record=False):
        for i in range(codings):
            d = rng.randrange(len(doc_ids))
            length = rng.randint(40, 400)
            start = rng.randrange(0, lengths[d] - length)
            batch.append((doc_ids[d], rng.choice(leaves), coder_ids[i % 2], start, start + length, stamp))
            if len(batch) >= 100_000:
                analysis_sql.bulk_apply_codings(store, batch, paths)
                batch.clear()
        analysis_sql.bulk_apply_codings(store, batch, paths)
    store.conn.execute("ANALYZE")
    study.close()


def timed(label: str, func, repeat: int = 3, budget: float | None = None):
    """Best of ``repeat`` runs beside the budget; the first run (cold: page faults, word
    boundaries not cached yet) and the best CPU time of this process are shown too (on a
    shared, loaded machine the wall time also counts the waits for a core).

    ``waits`` says where the rest of the best run's wall time went: ``io`` counts the times
    the process blocked (voluntary context switches: a read or an fsync the kernel had to
    wait for) and the major page faults, ``cpu`` the times it was preempted, ready to run
    but waiting for a core (involuntary context switches). A study file in the page cache
    shows io 0: a gap between wall and CPU time with io 0 is the machine's load, not the file.
    """
    import resource

    times, cpu, waits = [], [], []
    result = None
    for _ in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0, c0 = time.perf_counter(), time.process_time()
        result = func()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        waits.append((r1.ru_nvcsw - r0.ru_nvcsw + r1.ru_majflt - r0.ru_majflt, r1.ru_nivcsw - r0.ru_nivcsw))
    best = min(times)
    io, preempted = waits[times.index(best)]
    verdict = ""
    if budget is not None:
        verdict = f"  budget {budget * 1000:.0f} ms: " + ("ok" if best <= budget else "OVER")
    print(
        f"{label:<58} {best * 1000:9.1f} ms  (first {times[0] * 1000:7.1f}, cpu {min(cpu) * 1000:7.1f}, "
        f"waits io {io} cpu {preempted}){verdict}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=1_000_000, help="codings (default 1,000,000)")
    parser.add_argument("--documents", type=int, default=1_000, help="documents (default 1,000)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached study")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    # v2: word counts without speaker labels; an older cached study is not reused
    # v3: wave a field of the document; v4: codings with their history rows; v5: opened by a
    # schema with packed passages (an older checkout must not open a migrated file)
    path = Path(tempfile.gettempdir()) / f"qualcode-analysis-bench-v5-{args.documents}-{args.codings}.qualcode"
    if args.fresh or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        t0 = time.perf_counter()
        build(path, args.documents, args.codings)
        print(f"built {path} in {time.perf_counter() - t0:.1f} s")

    from qualcode.analysis import Scope
    from qualcode.analysis.cooccurrence import cooccurrence
    from qualcode.analysis.frequencies import code_frequencies
    from qualcode.analysis.matrices import crosstab
    from qualcode.exchange.tables import write_fragments

    study = Study.open(path, coder="bench-a")
    total = study.info()["codings"]
    print(f"study: {study.info()['documents']} documents, {total:,} codings")
    from qualcode.analysis import derived
    from qualcode.analysis.compare import compare_groups

    # Passages and coded words are derived per document and kept up to date by triggers;
    # a study seen for the first time (or after a bulk load) derives them all once.
    timed("derive every document's passages (once per study)", lambda: derived.refresh(study), repeat=1)
    timed("stats: passages, coded words, rates (derived)", lambda: code_frequencies(study), budget=0.2)
    print("  peer: issue 17 measured stats at 0.23× qc 1.7.8's time (100 documents × 50 codings; qc not run here)")
    timed(
        "stats filtered (organisation + one coder)",
        lambda: code_frequencies(study, Scope(organisation="Leergeld", coders=("bench-a",))),
        budget=0.2,
    )
    doc = study.documents()[0].id
    leaf = next(c.path for c in study.codes() if c.parent_id is not None)

    def after_one_coding():
        # a user's coding marks its document; the next table re-derives that one only
        study.add_coding(doc, leaf, 0, 10)
        try:
            return code_frequencies(study)
        finally:
            study.undo()

    timed("one coding added, then stats (re-derives one document)", after_one_coding, budget=0.2)
    timed("compare by organisation (document unit)", lambda: compare_groups(study, "organisation"), budget=0.2)
    timed("code × organisation matrix", lambda: crosstab(study, "organisation"), budget=0.1)
    timed("code × wave (attribute) matrix", lambda: crosstab(study, "wave"), budget=0.1)
    timed(
        "co-occurrence, overlapping codings (same coder)",
        lambda: cooccurrence(study, unit="overlap"),
        repeat=2,
        budget=0.5,
    )
    timed(
        "co-occurrence, same sentence (same coder)", lambda: cooccurrence(study, unit="sentence"), repeat=2, budget=0.5
    )
    timed("co-occurrence, same turn (same coder)", lambda: cooccurrence(study, unit="turn"), repeat=2, budget=0.5)
    timed("co-occurrence, same document (same coder)", lambda: cooccurrence(study, unit="document"), budget=0.5)
    timed("co-occurrence, same participant (same coder)", lambda: cooccurrence(study, unit="participant"), budget=0.5)

    def cooccurrence_after_one_coding():
        # the new coding's document is packed again; the rest is read as it was
        study.add_coding(doc, leaf, 0, 10)
        try:
            return cooccurrence(study, unit="overlap")
        finally:
            study.undo()

    timed("one coding added, then co-occurrence (overlap)", cooccurrence_after_one_coding, repeat=2, budget=0.5)
    out = Path(tempfile.gettempdir()) / "qualcode-bench-fragments.csv"
    # Leergeld's parents: 50 documents of 1,000 codings each, i.e. about 50,000 codings
    selection = Scope(organisation="Leergeld", role="ouder")
    rows = timed(
        "fragments CSV, ~50,000 codings (Leergeld, ouder)",
        lambda: write_fragments(study, out, selection),
        repeat=2,
        budget=2.0,
    )
    print(f"  wrote {rows:,} rows to {out}")
    xlsx = out.with_suffix(".xlsx")
    timed("fragments .xlsx, the same codings", lambda: write_fragments(study, xlsx, selection), repeat=1)
    study.close()


if __name__ == "__main__":
    main()
