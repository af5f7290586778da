"""Start-up: `qualcode --help` (budget 0.3 s) and a CLI command that opens a study.

    python benchmarks/startup_bench.py

Each is run as a fresh process seven times; the median and the best are printed. The TUI's
first paint is measured in tui_bench.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str], runs: int = 7) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    samples.sort()
    return samples[len(samples) // 2], samples[0]


def main() -> None:
    import argparse

    argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0]).parse_args()
    exe = shutil.which("qualcode") or sys.exit("install qualcode first (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "leeg.qualcode"
        subprocess.run([exe, "init", str(study)], check=True, capture_output=True)
        for label, args, budget in (
            ("qualcode --help", [exe, "--help"], "budget 300 ms"),
            ("qualcode info (opens a study)", [exe, "info", "--study", str(study)], ""),
        ):
            median, best = timed(args)
            print(f"{label:<34} median {median * 1000:6.0f} ms  best {best * 1000:6.0f} ms  {budget}")


if __name__ == "__main__":
    main()
