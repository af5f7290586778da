"""Time `qualcode demo`'s build of the sample study against its 20 s budget.

Builds the sample study (codebooks, every sample transcript, the example codings) into a
temporary folder and prints each build's wall time beside the budget: first from the
transcripts (`--no-cache`; the first of these also pays for importing spaCy, as a user's
first `qualcode demo` does), then from the built copy that `qualcode demo` keeps in the user
data folder. `--root DIR` builds from another folder holding `codebooks/` and
`sample_transcripts/` (e.g. a corpus not yet merged). The user data folder is a temporary one,
so your own cache is left alone.

Run: python benchmarks/demo_bench.py [--repeat N] [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BUDGET_S = 20.0  # README/issue 10: the demo builds in under 20 s on two cores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="Builds of each kind to time (default 1).")
    parser.add_argument(
        "--root", type=Path, help="Folder with codebooks/ and sample_transcripts/ (default: this checkout's)."
    )
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    os.environ["QUALCODE_DATA_DIR"] = scratch.name  # the cache goes here, not into the user's

    t0 = time.perf_counter()
    from qualcode.study.sample import build_demo, sample_root

    print(f"import qualcode.study.sample: {time.perf_counter() - t0:.2f} s")
    root = args.root or sample_root()
    files = [p for p in (root / "sample_transcripts").iterdir() if p.is_file() and p.suffix != ".csv"]
    words = 0
    for path in files:
        if path.suffix in (".md", ".txt", ".vtt", ".srt"):
            words += len(path.read_text(encoding="utf-8", errors="replace").split())
    print(f"sample: {root} ({len(files)} transcript files, ~{words:,} words in the text formats)")
    times: dict[str, list[float]] = {"from the transcripts": [], "from the cached build": []}
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("from the transcripts", False)] * args.repeat + [("from the transcripts", True)]
        runs += [("from the cached build", True)] * args.repeat
        for i, (kind, cache) in enumerate(runs):
            target = Path(tmp) / f"demo-{i}.qualcode"
            start = time.perf_counter()
            totals = build_demo(target, root=root, cache=cache)
            elapsed = time.perf_counter() - start
            label = kind if cache is False or kind.endswith("cached build") else f"{kind}, kept in the cache"
            times[kind].append(elapsed)
            verdict = "within" if elapsed < BUDGET_S else "OVER"
            print(
                f"build {i + 1} ({label}): {elapsed:6.2f} s   budget {BUDGET_S:.0f} s ({verdict})   "
                f"{totals['documents']} documents, {totals['words']:,} words, {totals['codes']} codes, "
                f"{totals['codings']} codings"
            )
    for kind, values in times.items():
        print(f"{kind}: best {min(values):.2f} s, worst {max(values):.2f} s (budget {BUDGET_S:.0f} s)")
    print(f"load average while measuring: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    scratch.cleanup()


if __name__ == "__main__":
    main()
