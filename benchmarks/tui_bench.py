"""Benchmark the TUI: first paint, opening a 100,000-word transcript, applying a code in a
study of 100,000 codings, moving the cursor, and memory with a 5,000,000-word study open.

Budgets (DESIGN.md, issue 17): first paint < 700 ms from process start, open < 100 ms,
apply < 16 ms, undo and redo < 30 ms, RSS < 500 MB; a colleague's commit visible < 2 s
(issue 14).

How the studies are built fast: texts come from ``benchmarks/corpus.py`` (Dutch-like
speech with speaker labels and timestamps); turns and sentences are cut by regular
expressions (no spaCy) and go in through the store's own ``documents.insert_document``; the
codings as a researcher's study holds them, each with the history row ``Study.add_coding``
writes (one undoable action per coding), generated in bulk by
``store.analysis.bulk_apply_codings``: apply, undo and redo are timed beside a 100,000-action
undo log, as in a study coded by hand. The studies are cached in the temp folder (``--fresh`` rebuilds). Every figure is from one run
driven by Textual's Pilot in a headless app of 140×40; "+ paint" adds the next screen update.
The memory figure comes from a child process that opens the big study and shows a document,
so the first part's high-water mark does not count. First paint is measured from before the
child process is started (interpreter start-up included) to the moment the child's main
screen has painted its first document; the child runs `qualcode open STUDY` as typed (click,
the study check, the launch), with only the app's run made headless, and imports nothing of
this benchmark's own before it. Each first paint also prints the child's CPU time to that
frame: the figure to compare when the machine is shared (wall time then mostly measures the
others' load). Opening the 100,000-word transcript is timed from another document, as the
call (the budget's figure), its CPU time, its first frame (the codings around the passage
shown are read first) and until settled (every coding and sentence read, panels updated).
The colleague's commit is made through a second connection (another Study on the same
file), as another process would.

--screens builds the sample study as ``qualcode demo`` does, analysis tables derived at the
build (``qualcode.analysis.prepared``), and opens Analyse and S on it.

Run: python benchmarks/tui_bench.py [--fresh] [--skip-rss]   (or --screens: Analyse and S only)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def paint_child(path: str) -> None:
    """`qualcode open PATH` as typed (click, the study check, launching the TUI), with the
    app run headless at 140×40. Prints the time of the first frame that shows the
    transcript's document (the app's display call after the transcript painted a line of
    it), then the time the screen has settled (Pilot's pause: panels filled, nothing
    pending)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import qualcode.tui.app as tui_app
    from qualcode.tui.main.transcript import TranscriptView

    state = {"painted_line": False, "frame": False}
    render_line = TranscriptView.render_line

    def watched_line(self: TranscriptView, y: int):
        if self.document_id and len(self.wrapped):
            state["painted_line"] = True
        return render_line(self, y)

    display = tui_app.QualcodeApp._display

    def watched_display(self, screen, renderable) -> None:
        if renderable is not None and state["painted_line"] and not state["frame"]:
            state["frame"] = True
            print(f"frame {time.time()!r} cpu {time.process_time()!r}", flush=True)
        display(self, screen, renderable)

    async def painted(pilot) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        assert type(screen).__name__ == "MainScreen" and screen.document is not None
        print(f"painted {time.time()!r} cpu {time.process_time()!r}", flush=True)
        pilot.app.exit()

    TranscriptView.render_line = watched_line  # type: ignore[method-assign]
    tui_app.QualcodeApp._display = watched_display  # type: ignore[method-assign]
    run = tui_app.QualcodeApp.run
    tui_app.QualcodeApp.run = lambda self, **_: run(self, headless=True, size=(140, 40), auto_pilot=painted)
    from qualcode.cli import main

    main(["open", path, "--coder", "bench"], standalone_mode=False)


if __name__ == "__main__" and sys.argv[1:2] == ["--paint-child"]:
    # First paint times `qualcode open` as typed, so its process imports nothing of this
    # benchmark's own (argparse, the corpus, the store's bulk loaders) before the app.
    paint_child(sys.argv[2])
    raise SystemExit(0)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import hashlib  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import transcript  # noqa: E402

from qualcode.store import analysis as analysis_sql  # noqa: E402
from qualcode.store import documents as docsql  # noqa: E402
from qualcode.store.codings import coder_id  # noqa: E402
from qualcode.store.core import now  # noqa: E402
from qualcode.study.study import Study  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "qualcode-tui-bench-v2"  # v2: codings with their history rows
LABEL = re.compile(r"^(?:\[(\d\d:\d\d:\d\d)\] )?([A-Z][a-z]*): ", re.MULTILINE)
SENTENCE = re.compile(r"[^.?!\n]+[.?!]?")


def segment(text: str) -> tuple[list[dict], list[dict]]:
    """Turns at ``Speaker:`` labels and sentences at end punctuation, as the importer would."""
    heads = list(LABEL.finditer(text))
    turns, sentences = [], []
    for seq, match in enumerate(heads):
        end = heads[seq + 1].start() if seq + 1 < len(heads) else len(text)
        end = len(text[:end].rstrip())
        speaker = match.group(2)
        role = "interviewer" if speaker in ("Interviewer", "I", "Onderzoeker") else "ouder"
        turns.append(
            {
                "seq": seq,
                "speaker": speaker,
                "role": role,
                "timestamp": match.group(1),
                "start": match.start(),
                "body_start": match.end(),
                "end": end,
            }
        )
        for m in SENTENCE.finditer(text, match.end(), end):
            if m.group().strip():
                lead = len(m.group()) - len(m.group().lstrip())
                sentences.append(
                    {"seq": len(sentences), "turn_seq": seq, "start": m.start() + lead, "end": m.end(), "lemmas": ""}
                )
    return turns, sentences


def build(path: Path, sizes: list[int], codings: int, seed: int = 11) -> None:
    """A study with one document per entry of ``sizes`` (words), and ``codings`` codings spread
    over them in proportion to their length."""
    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    study = Study.create(path, "tui benchmark", coder="bench")
    for book in sorted((ROOT / "codebooks").glob("*.yaml")):
        study.import_codebook(book)
    store = study.store
    leaves = [c.id for c in study.codes() if c.parent_id is not None]
    lengths: list[int] = []
    with store.action("benchmark documents", record=False):
        coder = coder_id(store, "bench")
        for n, words in enumerate(sizes):
            text = transcript(rng, words).split("---\n", 2)[-1].lstrip()
            turns, sentences = segment(text)
            project = docsql.ensure_project(store, f"Organisatie {n % 5}", f"Project {n % 10}")
            docsql.insert_document(
                store,
                project_id=project,
                title=f"Interview {n:04d} ({words} w)",
                text=text,
                language="nl",
                role="ouder",
                participant=f"P{n:04d}",
                interview_date=None,
                source_name=f"i{n}.txt",
                encoding="utf-8",
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                char_count=len(text),
                word_count=len(text.split()),
                attributes={},
                turns=turns,
                sentences=sentences,
            )
            lengths.append(len(text))
    doc_ids = [r[0] for r in store.rows("SELECT id FROM documents ORDER BY id")]
    total = sum(lengths)
    stamp = now()
    paths = {c.id: c.path for c in study.codes()}
    with store.action("benchmark codings", record=False):
        batch = []
        for d, length in enumerate(lengths):
            for _ in range(max(1, round(codings * length / total))):
                span = rng.randint(40, 400)
                start = rng.randrange(0, max(1, length - span))
                batch.append((doc_ids[d], rng.choice(leaves), coder, start, min(length, start + span), stamp))
        analysis_sql.bulk_apply_codings(store, batch, paths)
    store.conn.execute("ANALYZE")
    study.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def line(label: str, value: str, budget: str = "") -> None:
    print(f"  {label:<52} {value}  {budget}")


async def run_workbench(path: Path) -> None:
    t0 = time.perf_counter()
    from qualcode.tui.app import make_app  # counted: importing Textual is part of start-up
    from qualcode.tui.main.screen import MainScreen

    app = make_app(path, coder="bench")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        main = app.screen
        assert isinstance(main, MainScreen) and main.document is not None
        painted = time.perf_counter() - t0
        line("first paint in this process (import, open, first document)", ms(painted))
        line("spaCy / scikit-learn imported at start-up", str("spacy" in sys.modules or "sklearn" in sys.modules))

        big = max(app.study.document_rows(), key=lambda r: r["word_count"])
        other = min(app.study.document_rows(), key=lambda r: r["word_count"])
        main.open_document(other["id"])  # the big one is open: open it anew
        await pilot.pause()
        frame: list[float] = []
        display = type(app)._display

        def watched_display(screen, renderable) -> None:
            if renderable is not None and not frame:
                frame.append(time.perf_counter())
            display(app, screen, renderable)

        app._display = watched_display  # type: ignore[method-assign]
        t, cpu = time.perf_counter(), time.process_time()
        main.open_document(big["id"])
        opened, opened_cpu = time.perf_counter() - t, time.process_time() - cpu
        await pilot.pause()
        settled = time.perf_counter() - t
        del app._display
        line(
            f"open a {big['word_count']:,}-word transcript ({len(main.transcript.coverage):,} codings)",
            ms(opened),
            "budget 100 ms",
        )
        line("  its CPU time", ms(opened_cpu))
        line("  + first frame (the codings on screen read first)", ms(frame[0] - t) if frame else "   none")
        line("  + settled (every coding read, panels updated)", ms(settled))

        await pilot.press("j")
        await pilot.pause()
        total_codings = app.study.info()["codings"]
        here = {s.code_id for s in main.transcript.coverage.at(main.transcript.selection[0])}
        fresh = [c for c in main.codes.values() if c.id not in here][:2]
        for n, code in enumerate(fresh, start=1):  # the first write of a process also opens the WAL
            t = time.perf_counter()
            made = main.apply_code(code.id)
            applied = time.perf_counter() - t
            await pilot.pause()
            applied_painted = time.perf_counter() - t
            assert made is not None, "the benchmark's coding was refused"
            line(f"apply a code #{n} (study of {total_codings:,} codings)", ms(applied), "budget 16 ms")
            line("  + paint", ms(applied_painted))
        for label, step in (("undo", main.action_undo), ("redo", main.action_redo), ("undo", main.action_undo)):
            t = time.perf_counter()
            step()
            stepped = time.perf_counter() - t
            await pilot.pause()
            stepped_painted = time.perf_counter() - t
            line(f"{label} (study of {total_codings:,} codings)", ms(stepped), "budget 30 ms")
            line("  + paint", ms(stepped_painted))
        for _ in fresh[1:]:
            main.action_undo()  # leave the cached study as it was
        await pilot.pause()

        # A colleague's commit: from their COMMIT to the span in this view.
        colleague = Study.open(path, coder="bench-colleague")
        document_id = main.document.id
        code_id = fresh[0].id
        start = main.transcript.selection[0]
        t = time.perf_counter()
        made = colleague.add_coding(document_id, code_id, start, start + 7)
        committed = time.perf_counter()
        while made.id not in {s.coding_id for s in main.transcript.coverage.at(start)}:
            await pilot.pause(0.01)
            if time.perf_counter() - t > 10:
                break
        seen = time.perf_counter() - committed
        await pilot.pause()
        line("a colleague's coding visible (poll every 1 s)", ms(seen), "budget 2000 ms")
        colleague.remove_coding(made.id)
        t = time.perf_counter()
        main.poll()
        line("  the refresh itself (patch from the history, fingerprint check)", ms(time.perf_counter() - t))
        colleague.close()

        samples = []
        for _ in range(20):
            t = time.perf_counter()
            main.action_move("move_sentence", 1)
            samples.append(time.perf_counter() - t)
        await pilot.pause()
        t = time.perf_counter()
        main.action_move("move_sentence", 1)
        await pilot.pause()
        moved_painted = time.perf_counter() - t
        samples.sort()
        line("move the cursor one sentence (median of 20)", ms(samples[len(samples) // 2]))
        line("  + paint", ms(moved_painted))


def first_paint(path: Path, runs: int = 3) -> list[tuple[float, float, float]]:
    """Seconds from starting a process to its first frame with the document, and to its
    settled screen, and the child's CPU seconds to its first frame (``runs`` times)."""
    out = []
    for _ in range(runs):
        t0 = time.time()
        done = subprocess.run(
            [sys.executable, __file__, "--paint-child", str(path)], capture_output=True, text=True, check=True
        )
        stamps = {x.split()[0]: x.split() for x in done.stdout.splitlines() if x.startswith(("frame ", "painted "))}
        frame, painted = stamps["frame"], stamps["painted"]
        out.append((float(frame[1]) - t0, float(painted[1]) - t0, float(frame[3])))
    return out


async def run_screens(path: Path) -> None:
    """Analyse's first open and S (suggestions) on the sample study: the first S trains and
    keeps the models in the study, the S of a new session loads them (README, Suggestions)."""
    from qualcode.tui.app import make_app
    from qualcode.tui.screens.analyse import AnalyseScreen
    from qualcode.tui.screens.suggestions import SuggestionsScreen

    async def open_screen(key: str, kind: type, label: str, budget: str = "") -> None:
        app = make_app(path, coder="bench")
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            t = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, kind), f"{key} opened {app.screen!r}"
            line(label, ms(time.perf_counter() - t), budget)

    await open_screen("A", AnalyseScreen, "Analyse: first open, sample study (until shown)", "budget 1000 ms")
    await open_screen("S", SuggestionsScreen, "S: first open (trains, keeps the models)")

    # S's list: the time to its first frame with rows (the list's render_line with rows, as
    # first paint is measured), and to the settled screen (Pilot's pause, which also waits out
    # the progress bar's animation while a worker runs).
    from qualcode.tui.screens.suggestions import SuggestionTable

    first_row: list[float] = []
    render_line = SuggestionTable.render_line

    def watched(self: SuggestionTable, y: int):  # type: ignore[no-untyped-def]
        if self.row_count and not first_row:
            first_row.append(time.perf_counter())
        return render_line(self, y)

    SuggestionTable.render_line = watched  # type: ignore[method-assign]

    async def open_suggestions(label: str, stale: bool) -> None:
        first_row.clear()
        app = make_app(path, coder="bench")
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            t = time.perf_counter()
            await pilot.press("S")
            while not (isinstance(app.screen, SuggestionsScreen) and app.screen.candidates and first_row):
                await pilot.pause(0.01)
            screen = app.screen
            title = str(screen.query_one("#suggestions-title").render())
            assert screen.stale == stale and (not stale or "ranked before 1 new coding · updating" in title), title
            line(label, ms(first_row[0] - t), "budget 1000 ms")
            await pilot.pause()
            settled = time.perf_counter() - t
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not screen.stale
            if not stale:
                line("  + settled", ms(settled))
                return
            fitted = next((n.message for n in app._notifications if n.message.startswith("Models updated")), "")
            done = fitted.split(":")[1].split(",")[0].strip() if fitted else "no model fitted"
            line(f"  + up to date ({done}; a code {depth} deep)", ms(time.perf_counter() - t))

    depth = 0
    await open_suggestions("S: open in a new session (kept list, first frame)", stale=False)

    # After a new coding the kept ranking is stale: S shows it at once, saying so, and brings
    # it up to date in a worker (only the codes whose examples changed are fitted again).
    # The new coding is a respondent's sentence of a coded document that the code did not
    # have, so its examples (and those of the codes above it) really change.
    from qualcode.assist.units import Corpus

    with Study.open(path, coder="bench") as study:
        corpus = Corpus.load(study)
        code = next(c for c in study.codes() if c.parent_id is not None)
        unit = next(
            u
            for i, u in enumerate(corpus.units)
            if u.document_id in corpus.coded_documents
            and not u.is_interviewer
            and i not in corpus.touched.get(code.id, set())
            and len(u.text) > 40
        )
        study.add_coding(unit.document_id, code.id, unit.start, unit.end)
        depth = len(code.path.split("/"))
    await open_suggestions("S: open after a new coding (kept list marked stale, first frame)", stale=True)
    SuggestionTable.render_line = render_line  # type: ignore[method-assign]

    from qualcode.assist import persist
    from qualcode.store import suggest as suggest_sql

    with Study.open(path, coder="bench") as study:
        sizes = {
            kind: len(bytes(row["model"])) if (row := suggest_sql.latest_model(study.store, kind)) else 0
            for kind in (persist.MODELS, persist.RANKED)
        }
    kept, ranked = sizes[persist.MODELS], sizes[persist.RANKED]  # the file's size once closed (WAL folded in)
    line("kept models in the study (scores, compressed)", f"{kept / 1e6:8.1f} MB", "was 69 MB (pickle)")
    line("kept ranking in the study", f"{ranked / 1e6:8.1f} MB")
    line("sample study file with both", f"{path.stat().st_size / 1e6:8.1f} MB")


async def rss_child(path: Path) -> None:
    from qualcode.tui.app import make_app

    app = make_app(path, coder="bench")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "n", "j")
        await pilot.pause()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached benchmark studies")
    parser.add_argument("--skip-rss", action="store_true", help="leave out the 5,000,000-word memory figure")
    parser.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--paint-child", help=argparse.SUPPRESS)  # handled before the imports, above
    parser.add_argument(
        "--screens", action="store_true", help="only Analyse's first open and S on a fresh copy of the sample study"
    )
    args = parser.parse_args()
    if args.rss_child:
        asyncio.run(rss_child(args.rss_child))
        return
    if args.screens:
        from qualcode.analysis.prepared import prepare
        from qualcode.study.sample import build_demo

        sample = CACHE / "sample-screens-prepared.qualcode"  # built as qualcode demo builds it
        CACHE.mkdir(exist_ok=True)
        for old in CACHE.glob("sample-screens-prepared.qualcode*"):
            old.unlink()
        build_demo(sample, cache=False, prepare=prepare)  # as `qualcode demo` builds it
        print("Screens on the sample study (one run each):")
        asyncio.run(run_screens(sample))
        return
    CACHE.mkdir(exist_ok=True)
    coding_study = CACHE / "codings-100k.qualcode"
    if args.fresh or not coding_study.exists():
        t = time.perf_counter()
        build(coding_study, [100_000] + [2_000] * 200, 100_000)
        print(f"built {coding_study} in {time.perf_counter() - t:.1f} s")
    print("TUI workbench (one run each):")
    sample = CACHE / "sample-paint.qualcode"
    if args.fresh or not sample.exists():
        from qualcode.study.sample import build_demo

        for old in CACHE.glob("sample-paint.qualcode*"):
            old.unlink()
        build_demo(sample, cache=False)
    for label, study in (("sample study", sample), ("a 100,000-word first document", coding_study)):
        paints = first_paint(study)
        frames, settled = sorted(p[0] for p in paints), sorted(p[1] for p in paints)
        cpu = sorted(p[2] for p in paints)
        line(f"first paint, {label}: first frame with the document", ms(frames[1]), "budget 700 ms")
        line("  its CPU time (the figure to compare under load)", ms(cpu[1]))
        line("  screen settled (panels filled; median of 3, own process)", ms(settled[1]))
    asyncio.run(run_workbench(coding_study))
    if args.skip_rss:
        return
    big_study = CACHE / "words-5m.qualcode"
    if args.fresh or not big_study.exists():
        t = time.perf_counter()
        build(big_study, [5_000] * 1_000, 50_000)
        print(f"built {big_study} in {time.perf_counter() - t:.1f} s")
    out = subprocess.run(
        [sys.executable, __file__, "--rss-child", str(big_study)], capture_output=True, text=True, check=True
    )
    kib = int(out.stdout.strip().splitlines()[-1])
    line("RSS with a 5,000,000-word study open", f"{kib / 1024:8.1f} MB", "budget 500 MB")


if __name__ == "__main__":
    main()
