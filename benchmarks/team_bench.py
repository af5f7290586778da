"""Load benchmark for a team on one study: N coder processes and a headless TUI session.

The study: 100,000 codings over 201 transcripts (one of 100,000 words), built as in
``tui_bench.py`` and given one history row per coding (the undo log of a study coded by hand).
Each coder process loops: apply a coding, adjust its end, undo the adjustment, with a pause of
``--pause`` seconds (2 by default; ``--stress`` for none). A headless TUI session (Textual's
Pilot) has the biggest transcript open and refreshes as the coders commit; every 3 s the
parent, as one more colleague, commits a coding in that transcript and times how long until
the TUI shows it.

Figures:
- commit latency p50 / p95 / max over every apply, adjust and undo (wall time of the call,
  which includes waiting for the write lock); budget p95 < 100 ms;
- lock waits: calls that took over 100 ms (with the busy timeout of 10 s they wait, not fail);
- refresh latency: commit → visible in the TUI (poll once a second); budget < 2 s;
- errors surfaced: exceptions in the coders plus error/warning notices in the TUI; must be 0;
- lost actions: codings a coder made (and whose adjustment it undid) that are not in the
  study afterwards with the bounds the coder last saw; must be 0.

Run: python benchmarks/team_bench.py [--minutes 2] [--coders 10] [--stress] [--fresh]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

CACHE = Path(tempfile.gettempdir()) / "qualcode-team-bench"
SLOW = 0.100


def build(path: Path) -> None:
    """The tui_bench study of 100,000 codings, with one history row per coding."""
    from tui_bench import build as build_codings

    from qualcode.store.core import now
    from qualcode.study.study import Study

    build_codings(path, [100_000] + [2_000] * 200, 100_000)
    study = Study.open(path, coder="bench")
    store = study.store
    coder = study.coder_id
    rows = store.rows('SELECT id, document_id, code_id, coder_id, start, "end" FROM codings')
    stamp = now()
    with store.action("benchmark history", record=False):
        store.conn.executemany(
            "INSERT INTO history (description, changes, coder_id, created_at) VALUES (?, ?, ?, ?)",
            [
                (
                    f"code {r['start']}–{r['end']}",
                    json.dumps([["insert", "codings", None, {**dict(r), "memo": "", "origin": "manual"}]]),
                    coder,
                    stamp,
                )
                for r in rows
            ],
        )
    store.conn.execute("ANALYZE")
    study.close()


def coder_child(path: Path, name: str, seconds: float, pause: float, seed: int) -> None:
    """One coder: apply, adjust, undo the adjustment; print JSON figures at the end."""
    from qualcode.study.study import Study

    rng = random.Random(seed)
    study = Study.open(path, coder=name)
    documents = [(int(r["id"]), int(r["char_count"])) for r in study.document_rows()]
    codes = [c.id for c in study.codes() if c.parent_id is not None]
    latencies: list[float] = []
    errors: list[str] = []
    made: dict[int, tuple[int, int]] = {}
    end_at = time.monotonic() + seconds
    while time.monotonic() < end_at:
        document_id, length = rng.choice(documents)
        start = rng.randrange(0, max(1, length - 300))
        end = start + rng.randint(20, 250)
        try:
            t = time.perf_counter()
            coding = study.add_coding(document_id, rng.choice(codes), start, end)
            latencies.append(time.perf_counter() - t)
            made[coding.id] = (coding.start, coding.end)
            t = time.perf_counter()
            study.adjust_coding(coding.id, coding.start, coding.end + 5)
            latencies.append(time.perf_counter() - t)
            t = time.perf_counter()
            undone = study.undo()
            latencies.append(time.perf_counter() - t)
            if undone is None or not undone.startswith("adjust"):
                errors.append(f"undo undid {undone!r}")
        except Exception as exc:  # every failure is a figure, not a crash
            msg = str(exc)
            if "already has code" in msg:  # a random twin of an earlier coding: not an error
                continue
            errors.append(f"{type(exc).__name__}: {msg}")
        if pause:
            time.sleep(pause * rng.uniform(0.5, 1.5))
    study.close()
    print(json.dumps({"latencies": latencies, "errors": errors, "made": made}))


async def tui_session(path: Path, seconds: float, probes: list[float], notices: list[str]) -> None:
    from qualcode.study.study import Study
    from qualcode.tui.app import make_app

    app = make_app(path, coder="tui-observer")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        main = app.main
        big = max(app.study.document_rows(), key=lambda r: r["word_count"])
        main.open_document(int(big["id"]))
        await pilot.pause()
        probe = Study.open(path, coder="probe")
        codes = [c.id for c in probe.codes() if c.parent_id is not None]
        rng = random.Random(5)
        end_at = time.monotonic() + seconds
        while time.monotonic() < end_at:
            await pilot.pause(3.0)
            start = rng.randrange(0, 100_000)
            try:
                coding = probe.add_coding(int(big["id"]), rng.choice(codes), start, start + 40)
            except Exception as exc:
                notices.append(f"probe: {exc}")
                continue
            committed = time.perf_counter()
            while not main.transcript.coverage.has(coding.id) and time.perf_counter() - committed < 10:
                await pilot.pause(0.02)
            probes.append(time.perf_counter() - committed)
        probe.close()
        for note in app._notifications:
            if note.severity in ("error", "warning"):
                notices.append(str(note.message))
        if not app.is_running:
            notices.append("the TUI stopped")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0, help="how long the coders work (default 5)")
    parser.add_argument("--coders", type=int, default=10, help="coder processes (default 10)")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between a coder's actions (default 2)")
    parser.add_argument("--stress", action="store_true", help="no pauses between actions")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached study")
    parser.add_argument("--coder-child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.coder_child:
        path, name, seconds, pause, seed = args.coder_child
        coder_child(Path(path), name, float(seconds), float(pause), int(seed))
        return
    CACHE.mkdir(exist_ok=True)
    base = CACHE / "team-100k.qualcode"
    if args.fresh or not base.exists():
        t = time.perf_counter()
        build(base)
        print(f"built {base} in {time.perf_counter() - t:.1f} s")
    work = CACHE / "team-run.qualcode"
    for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        leftover.unlink(missing_ok=True)
    work.write_bytes(base.read_bytes())
    seconds = args.minutes * 60
    pause = 0.0 if args.stress else args.pause
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--coder-child",
                str(work),
                f"onderzoeker-{n:02d}",
                str(seconds),
                str(pause),
                str(n),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(args.coders)
    ]
    probes: list[float] = []
    notices: list[str] = []
    asyncio.run(tui_session(work, seconds, probes, notices))
    latencies: list[float] = []
    errors: list[str] = []
    made: dict[int, tuple[int, int]] = {}
    for child in children:
        out, _ = child.communicate(timeout=seconds + 120)
        if child.returncode:
            errors.append(f"a coder process exited with {child.returncode}")
            continue
        data = json.loads(out.strip().splitlines()[-1])
        latencies += data["latencies"]
        errors += data["errors"]
        made.update({int(k): tuple(v) for k, v in data["made"].items()})

    from qualcode.study.study import Study

    lost = 0
    with Study.open(work, coder="bench") as study:
        for coding_id, (start, end) in made.items():
            try:
                coding = study.coding(coding_id)
            except Exception:
                lost += 1
                continue
            lost += (coding.start, coding.end) != (start, end)
        codings = study.info()["codings"]
    mode = "stress (no pauses)" if args.stress else f"a pause of ~{pause:g} s"
    print(f"team load: {args.coders} coders × {args.minutes:g} min, {mode}; study now {codings:,} codings")
    print(f"  actions (apply, adjust, undo)     {len(latencies):,}")
    if latencies:
        print(
            f"  commit latency p50 / p95 / max   {pct(latencies, 0.5) * 1000:.1f} / {pct(latencies, 0.95) * 1000:.1f} / "
            f"{max(latencies) * 1000:.1f} ms   budget p95 < 100 ms"
        )
        print(f"  lock waits (calls over 100 ms)   {sum(v > SLOW for v in latencies):,}")
    if probes:
        print(
            f"  refresh latency commit → TUI      median {statistics.median(probes) * 1000:.0f} ms, max "
            f"{max(probes) * 1000:.0f} ms over {len(probes)} probes   budget < 2000 ms"
        )
    print(f"  errors surfaced                  {len(errors) + len(notices)}   must be 0")
    for line in (errors + notices)[:10]:
        print(f"    {line}")
    print(f"  lost actions                     {lost} of {len(made):,} codings checked   must be 0")


if __name__ == "__main__":
    main()
