"""An import that stops part way (kill -9, Ctrl+C, a failing write) keeps every document it
committed, whole, and a second run imports the rest without storing anything twice.

The importer segments documents and commits them in batches of at most
``importer.COMMIT_EVERY`` seconds of work (issue 17): what a batch held is committed together or not
at all, and documents already in the study are skipped before they are segmented again.
"""

from __future__ import annotations

import importlib.util
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.ingest import importer
from qualcode.study.study import Study
from test_import_equivalence import content

ROOT = Path(__file__).resolve().parent.parent


def corpus(folder: Path, documents: int, words: int = 300) -> list[Path]:
    """Transcripts from the benchmarks' generator (turns, timestamps, wrapped lines)."""
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return sorted(module.write_corpus(folder, documents, words, seed=5))


def reference(tmp_path: Path, folder: Path) -> dict[str, Any]:
    """The folder imported in one go, uninterrupted."""
    with Study.create(tmp_path / "reference.qualcode", "reference") as study:
        study.import_files([folder])
        return content(study)


def only(found: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """``content`` restricted to the documents of these files."""
    return {
        "documents": {k: v for k, v in found["documents"].items() if k in names},
        "turns": [r for r in found["turns"] if r[0] in names],
        "sentences": [r for r in found["sentences"] if r[0] in names],
        "counts": [r for r in found["counts"] if r[0] in names],
    }


def committed(path: Path) -> int:
    """Documents committed to the study, as another process sees them."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        conn.close()


# The CLI's import in a child process, each document slowed down so that the test can kill it
# between batches; batches of 50 ms instead of half a second.
CHILD = """
import sys, time
from qualcode.ingest import importer
importer.COMMIT_EVERY = 0.05
prepare = importer.prepare_text
def slow(*args, **kwargs):
    time.sleep(0.05)
    return prepare(*args, **kwargs)
importer.prepare_text = slow
from qualcode.cli import main
main(["import", sys.argv[1], "--study", sys.argv[2]])
"""


def test_an_import_killed_mid_way_keeps_whole_documents_and_a_second_run_finishes_it(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    files = corpus(folder, 60, 200)
    path = tmp_path / "s.qualcode"
    Study.create(path, "s").close()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(path)])
    try:
        seen = 0
        deadline = time.monotonic() + 120
        while seen < 3 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
            seen = committed(path)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL, "the import ended before it could be killed"
    after = committed(path)
    # Nothing committed is lost; the batch under way is.
    assert 3 <= seen <= after < len(files)

    expected = reference(tmp_path, folder)
    with Study.open(path) as study:
        assert study.check() == []
        got = content(study)
    names = set(got["documents"])
    assert len(names) == after
    assert got == only(expected, names)  # every stored document whole: text, turns, sentences, lemmas

    result = CliRunner().invoke(main, ["import", str(folder), "--study", str(path)])
    assert result.exit_code == 0, result.output
    again = sorted(line for line in result.stderr.splitlines() if line.startswith("Already in the study:"))
    assert again == sorted(f"Already in the study: {f} (as “{f.stem}”)" for f in files if f.name in names)
    assert result.stdout.splitlines()[-1].startswith(f"Imported {len(files) - after} document(s)")
    with Study.open(path) as study:
        assert study.check() == []
        assert content(study) == expected


def test_a_second_run_does_not_segment_what_the_first_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    corpus(folder, 6)
    with Study.create(tmp_path / "s.qualcode", "s") as study:
        study.import_files([folder])
        segmented: list[str] = []
        prepare = importer.prepare_text

        def counted(text: str, *args: Any, **kwargs: Any) -> importer.Prepared:
            segmented.append(text)
            return prepare(text, *args, **kwargs)

        monkeypatch.setattr(importer, "prepare_text", counted)
        report = study.import_files([folder])
    assert report.imported == [] and len(report.duplicates) == 6
    assert segmented == []


def test_ctrl_c_commits_the_documents_segmented_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    files = corpus(folder, 6)
    monkeypatch.setattr(importer, "COMMIT_EVERY", 60.0)  # one batch: the interrupt must commit it

    def progress(done: int, total: int, label: str) -> None:
        if done == 3:
            raise KeyboardInterrupt

    path = tmp_path / "s.qualcode"
    with Study.create(path, "s") as study, pytest.raises(KeyboardInterrupt):
        study.import_files([folder], progress=progress)
    with Study.open(path) as study:
        assert study.check() == []
        got = content(study)
    assert sorted(got["documents"]) == [f.name for f in files[:3]]
    assert got == only(reference(tmp_path, folder), {f.name for f in files[:3]})


@pytest.mark.parametrize(("commit_every", "kept"), [(0.0, 3), (60.0, 0)])
def test_a_failing_write_keeps_the_batches_committed_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, commit_every: float, kept: int
) -> None:
    """A full disk on the fourth document: with a batch a document the three before it stay;
    with one batch for all, nothing does. Either way no document is stored in part, and a
    second run imports the rest."""
    folder = tmp_path / "in"
    files = corpus(folder, 6)
    monkeypatch.setattr(importer, "COMMIT_EVERY", commit_every)
    write = importer.write_prepared
    calls: list[str] = []

    def failing(store: Any, doc: importer.Prepared) -> importer.StoredDocument | None:
        calls.append(doc.source_name)
        if len(calls) == 4:
            raise sqlite3.OperationalError("database or disk is full")
        return write(store, doc)

    monkeypatch.setattr(importer, "write_prepared", failing)
    path = tmp_path / "s.qualcode"
    with Study.create(path, "s") as study, pytest.raises(QualcodeError, match="the disk is full"):
        study.import_files([folder])
    assert len(calls) == 4  # the importer stops at the failing write
    monkeypatch.setattr(importer, "write_prepared", write)
    expected = reference(tmp_path, folder)
    with Study.open(path) as study:
        assert study.check() == []
        got = content(study)
        assert sorted(got["documents"]) == [f.name for f in files[:kept]]
        assert got == only(expected, {f.name for f in files[:kept]})
        report = study.import_files([folder])
        assert len(report.imported) == len(files) - kept and len(report.duplicates) == kept
        assert content(study) == expected


def test_documents_are_committed_while_the_import_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches are bounded by time: documents finished early are in the study (for another
    connection, a crash or a kill -9) before the import ends."""
    folder = tmp_path / "in"
    files = corpus(folder, 6)
    monkeypatch.setattr(importer, "COMMIT_EVERY", 0.05)
    path = tmp_path / "s.qualcode"
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int, label: str) -> None:
        seen.append((done, committed(path)))
        if done < total:
            time.sleep(0.3)  # a slow document: what was segmented before it is committed

    with Study.create(path, "s") as study:
        report = study.import_files([folder], progress=progress)
    assert len(report.imported) == len(files)
    during = [count for done, count in seen[:-1]]
    assert during == sorted(during)  # committed documents stay committed
    assert all(count <= done for done, count in seen)  # none before it was segmented
    assert max(during) >= 1  # not one transaction for the whole import
    assert seen[-1] == (len(files), len(files))


def test_a_file_stored_after_the_look_up_is_reported_not_stored_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Duplicates are looked up before segmenting, and again in the batch's transaction
    (another import of the same files may have stored them in between)."""
    from qualcode.store import documents as docsql

    folder = tmp_path / "in"
    files = corpus(folder, 4)
    with Study.create(tmp_path / "s.qualcode", "s") as study:
        study.import_files([folder / files[1].name])
        monkeypatch.setattr(docsql, "titles_by_sha", lambda store, digests: {})  # looked up too early
        report = study.import_files([folder])
        assert [Path(p).name for p, _ in report.imported] == [files[0].name, files[2].name, files[3].name]
        assert report.duplicates == [(str(files[1]), files[1].stem)]
        assert len(study.documents()) == 4
