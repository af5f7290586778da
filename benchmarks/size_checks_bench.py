"""What the size and depth checks of issue 13 cost, as a share of importing the same files.

The checks: the extracted-text limit and the longest-line scan (``check_text``), the
bounded join of .docx/.odt paragraphs (``join_limited`` against a plain join), and the
limited YAML loader for front matter (against PyYAML's BaseLoader). Each is timed on the
texts of the transcripts being imported, and set against the time to import those files
into a fresh study (reading, normalising, segmenting with spaCy, storing). The budget is
under 5 %.

Run: python benchmarks/size_checks_bench.py [--copies N] [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from qualcode.core.safe_yaml import safe_load
from qualcode.ingest.encoding import check_text, join_limited
from qualcode.ingest.metadata import split_front_matter
from qualcode.study.study import Study


def _best(repeat: int, work) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="Copies of each sample transcript, each made longer.")
    parser.add_argument("--repeat", type=int, default=5, help="Timing repeats of the checks (best is kept).")
    args = parser.parse_args()
    samples = sorted(p for p in (ROOT / "sample_transcripts").glob("*.md"))
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for copy in range(args.copies):
            for sample in samples:
                raw = sample.read_text(encoding="utf-8")
                _front, body = split_front_matter(raw, sample)
                target = Path(folder) / f"{sample.stem}-{copy}.md"
                # Distinct texts (a study refuses the same text twice), about 4× the sample.
                target.write_text(raw + "\n" + (body + f"\nR: kopie {copy}.\n") * 3, encoding="utf-8")
                files.append(target)
        texts = [split_front_matter(f.read_text(encoding="utf-8"), f) for f in files]
        chars = sum(len(t) for _, t in texts)
        study_path = Path(folder) / "bench.qualcode"
        with Study.create(study_path) as study:
            study.documents()
            started = time.perf_counter()
            study.import_files(files)
            imported = time.perf_counter() - started
        fronts = [f.read_text(encoding="utf-8").split("---")[1] for f in files]

        import yaml

        check = _best(args.repeat, lambda: [check_text(t, "x") for _, t in texts])
        lines = [t.split("\n") for _, t in texts]
        join = _best(args.repeat, lambda: [join_limited(ls, "x") for ls in lines]) - _best(
            args.repeat, lambda: ["\n".join(ls) for ls in lines]
        )
        limited = _best(args.repeat, lambda: [safe_load(f, base=True) for f in fronts])
        plain = _best(args.repeat, lambda: [yaml.load(f, Loader=yaml.BaseLoader) for f in fronts])
    total = check + max(join, 0.0) + max(limited - plain, 0.0)
    print(f"{len(files)} transcripts, {chars:,} characters; import {imported:.2f} s")
    print(f"check_text (limit + longest line): {check * 1000:.1f} ms")
    print(f"join_limited over a plain join:    {join * 1000:.1f} ms")
    print(f"limited YAML over BaseLoader:      {(limited - plain) * 1000:.1f} ms (of {limited * 1000:.1f} ms)")
    print(f"size checks: {total * 1000:.1f} ms = {100 * total / imported:.2f} % of import time (budget 5 %)")


if __name__ == "__main__":
    main()
