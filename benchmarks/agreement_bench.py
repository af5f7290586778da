"""Benchmark intercoder agreement and its disagreement list on a large synthetic study.

Reuses the analysis benchmark's study builder (1,000 documents of about 2,000 words, codings
by two coders, bench-a and bench-b, on every document) and times agreement by sentence
unit, segment and character, and the full list of disagreements, over all documents.

Run: python benchmarks/agreement_bench.py [--codings N] [--documents N] [--fresh]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from analysis_bench import build, timed  # noqa: E402  (after the sys.path set-up)

from qualcode.study.study import Study  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    path = Path(tempfile.gettempdir()) / f"qualcode-agreement-bench-{args.documents}-{args.codings}.qualcode"
    if args.fresh or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        t0 = time.perf_counter()
        build(path, args.documents, args.codings)
        print(f"built {path} in {time.perf_counter() - t0:.1f} s")

    from qualcode.analysis.agreement import agreement, disagreements

    study = Study.open(path, coder="bench-a")
    info = study.info()
    print(f"study: {info['documents']} documents, {info['codings']:,} codings by two coders")
    for unit in ("sentence", "segment", "character"):
        result = timed(f"agreement by {unit}", lambda unit=unit: agreement(study, unit=unit), repeat=2)
        overall = result.pairs[0].overall
        kappa = "n/a" if overall.kappa is None else f"{overall.kappa:.3f}"
        print(f"  overall: {overall.agreement:.1f}% agreement, kappa {kappa}")
    found = timed("disagreements by segment (all codes)", lambda: disagreements(study, unit="segment"), repeat=1)
    print(f"  {len(found):,} disagreements")
    study.close()


if __name__ == "__main__":
    main()
