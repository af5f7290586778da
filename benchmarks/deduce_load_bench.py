"""deduce's cost: building its lookup structures (first use), loading them (every run), and
annotating the sample transcripts, for qualcode's lean cache against deduce's own full one.

qualcode builds deduce's structures without the 153,000-street list and with the garbage
collector paused (see qualcode.pseudonymise.deduce_engine). This benchmark builds that cache
into a temporary folder, loads it in a fresh process, and, when deduce's own full cache is
at hand (``--full-cache``, by default the one an earlier qualcode left in the user cache
folder), loads that the way deduce does and checks both find the same spans in every sample
transcript.

Usage: python benchmarks/deduce_load_bench.py [--full-cache FOLDER] [--folder sample_transcripts]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BUILD_BUDGET_S = 120.0
LOAD_BUDGET_S = 6.0

_LOAD = r"""
import gc, json, logging, sys, time
started = time.perf_counter()
import deduce
logging.getLogger().handlers.clear()
folder, paused, texts_file = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
if paused:
    gc.disable()
engine = deduce.Deduce(cache_path=folder)
gc.enable()
loaded = time.perf_counter() - started
texts = json.load(open(texts_file, encoding="utf-8"))
started = time.perf_counter()
spans = [sorted((a.start_char, a.end_char, a.tag) for a in engine.deidentify(t).annotations) for t in texts]
print(json.dumps({"load": loaded, "annotate": time.perf_counter() - started, "spans": spans}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full-cache", type=Path, help="a folder holding deduce's own cache/lookup_structs.pickle")
    parser.add_argument("--folder", type=Path, default=ROOT / "sample_transcripts")
    args = parser.parse_args()

    from qualcode.ingest.readers import read_source
    from qualcode.pseudonymise import deduce_engine

    full = args.full_cache or deduce_engine.cache_dir()
    files = [p for p in sorted(args.folder.iterdir()) if p.suffix in {".md", ".txt", ".docx", ".odt", ".vtt", ".srt"}]
    texts = [read_source(p).text for p in files]
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts), encoding="utf-8")
        lean = Path(tmp) / "lean"
        started = time.perf_counter()
        target = deduce_engine.build_cache(lean)
        built = time.perf_counter() - started
        print(
            f"build (first use), lean: {built:6.1f} s   budget {BUILD_BUDGET_S:.0f} s   {target.stat().st_size / 1e6:.0f} MB"
        )
        runs = {"lean": _run(lean, True, texts_file)}
        print(f"load, lean, gc paused:   {runs['lean']['load']:6.1f} s   budget {LOAD_BUDGET_S:.0f} s")
        if full.joinpath("cache", "lookup_structs.pickle").exists():
            size = full.joinpath("cache", "lookup_structs.pickle").stat().st_size / 1e6
            runs["full"] = _run(full, False, texts_file)
            print(f"load, deduce's own full cache ({size:.0f} MB), as deduce does: {runs['full']['load']:6.1f} s")
            print(f"load, the same full cache, gc paused: {_run(full, True, texts_file)['load']:6.1f} s")
        for name, run in runs.items():
            print(f"annotate {len(texts)} transcripts, {name}: {run['annotate']:6.1f} s")
        if "full" in runs:
            differ = [f.name for f, a, b in zip(files, runs["lean"]["spans"], runs["full"]["spans"]) if a != b]
            print(f"transcripts where lean and full deduce find different spans: {len(differ)} {differ}")
            for f, a, b in zip(files, runs["lean"]["spans"], runs["full"]["spans"]):
                text = texts[files.index(f)]
                for s, e, tag in sorted(set(map(tuple, b)) ^ set(map(tuple, a))):
                    side = "full only" if [s, e, tag] in b else "lean only"
                    print(f"    {f.name}: {side}: {text[s:e]!r} ({tag})")
        else:
            print(f"(no full cache in {full}: pass --full-cache to compare)")


def _run(folder: Path, paused: bool, texts_file: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _LOAD, str(folder), "1" if paused else "0", str(texts_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
