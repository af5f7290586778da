"""The one progress/cancel protocol (qualcode.core.progress) and the import's use of it:
a cancel keeps the documents finished before it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qualcode.core.progress import Cancelled, CancelToken, cancellable, report
from qualcode.study.study import Study


def test_cancellable_passes_reports_on_until_cancelled() -> None:
    token = CancelToken()
    shown: list[tuple[int, int, str]] = []
    progress = cancellable(lambda d, t, label: shown.append((d, t, label)), token)
    progress(0, 3, "a")
    token.cancel()
    with pytest.raises(Cancelled):
        progress(1, 3, "b")
    progress(3, 3, "")  # the last report: the work is done, cancelling would be a lie
    assert shown == [(0, 3, "a"), (3, 3, "")]


def test_a_token_follows_a_second_source_and_other_threads() -> None:
    flag = {"worker": False}
    token = CancelToken(lambda: flag["worker"])
    assert not token.cancelled
    flag["worker"] = True
    assert token.cancelled
    other = CancelToken()
    threading.Thread(target=other.cancel).start()
    for _ in range(100):
        if other.cancelled:
            break
        threading.Event().wait(0.01)
    with pytest.raises(Cancelled):
        other.check()


def test_report_without_a_callback_does_nothing() -> None:
    report(None, 1, 2, "x")


def test_a_cancelled_import_keeps_the_documents_done_before(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"interview-{n}.txt").write_text(f"Interviewer: Vraag {n}?\nOuder: Antwoord nummer {n}.\n")
    token = CancelToken()
    labels: list[str] = []

    def show(done: int, total: int, label: str) -> None:
        labels.append(label)
        if done == 0:  # asked while the first document is being stored: it is kept
            token.cancel()

    study = Study.create(tmp_path / "s.qualcode", "s", coder="a")
    try:
        result = study.import_files([folder], progress=cancellable(show, token))
        assert result.cancelled
        assert [d.title for d in study.documents()] == ["interview-0"]
        assert labels == ["interview-0.txt"]
    finally:
        study.close()
