"""Merging another coder's study file: documents matched by text, codes by path, duplicates
skipped, work on missing documents reported, memos carried, and one undo for all of it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.exchange.merge import merge_study
from qualcode.study.study import Study

T1 = "Interviewer: Hoe ging het?\nMoeder: De coach kwam gewoon bij ons thuis. Ik voelde me gezien.\n"
T2 = "I: En de regels?\nR: Soms wijken we af van de regels. Die ruimte krijgen we van de gemeente.\n"
T3 = "[Interviewer] Wat vond je van de coach?\n[Kind] Leuk. Ze hielp mij met huiswerk.\n"


def make(path: Path, titles: dict[str, str], coder: str) -> Study:
    study = Study.create(path, path.stem, coder=coder)
    study.add_code("X", shortcut="x")
    study.add_code("Thema")
    study.add_code("Deel", "Thema")
    for text, title in titles.items():
        study.add_document(text, title=title)
    return study


@pytest.fixture
def pair(tmp_path: Path):
    """``here`` (coder a) has T1 and T2; ``other`` has the same two texts under other titles,
    T3 that ``here`` lacks, a new code with a clashing shortcut, and work by a and b."""
    here = make(tmp_path / "here.qualcode", {T1: "moeder", T2: "coach"}, "a")
    d1, d2 = (d.id for d in sorted(here.documents(), key=lambda d: d.title != "moeder"))
    here.add_coding(d1, "X", 0, 26)
    here.set_memo("code", "X", "Over vertrouwen.")
    other = make(tmp_path / "other.qualcode", {T1: "Interview moeder 1", T2: "Interview coach 1", T3: "Kind"}, "b")
    o1, o2, o3 = (other.document(t).id for t in ("Interview moeder 1", "Interview coach 1", "Kind"))
    sub = other.add_code("Nieuw")
    other.add_code("Sub", sub.id)
    other.update_code("Nieuw", shortcut="n")
    other.add_coding(o1, "X", 0, 26, coder="a")  # the same coding as here: already there
    other.add_coding(o1, "X", 27, 60, memo="thuis, niet op kantoor")
    other.add_coding(o2, "Nieuw/Sub", 17, 51)
    other.add_coding(o3, "Thema/Deel", 0, 20)  # on a document here does not have
    other.set_memo("document", o1, "Sterk interview.")
    other.set_memo("code", "X", "Ook over huisbezoek.")
    other.set_memo("code", "Nieuw", "Door b toegevoegd.")
    other.close()
    yield here, tmp_path / "other.qualcode", (d1, d2)
    here.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_merge_counts_and_contents(pair) -> None:
    here, other, (d1, d2) = pair
    before = digest(other)
    report = merge_study(here, other)
    assert report.documents_matched == 2
    assert (report.codings_added, report.codings_present, report.codings_unplaced) == (2, 1, 1)
    assert report.missing_documents == [("Kind", 1)]
    assert report.codes_added == ["Nieuw", "Nieuw/Sub"]
    assert report.coders_added == ["b"]
    assert report.memos_added == 3  # the document memo and two code memos by b
    by_b = here.fragments(coder="b")
    assert sorted((f["document_id"], f["code"], f["start"], f["end"]) for f in by_b) == [
        (d1, "X", 27, 60),
        (d2, "Nieuw/Sub", 17, 51),
    ]
    assert next(f for f in by_b if f["code"] == "X")["memo"] == "thuis, niet op kantoor"
    assert {m.text for m in here.memos("document", d1)} == {"Sterk interview."}
    assert {(m.coder, m.text) for m in here.memos("code", here.code("X").id)} == {
        ("a", "Over vertrouwen."),
        ("b", "Ook over huisbezoek."),
    }
    assert here.code("Nieuw").shortcut == "n"
    assert digest(other) == before  # the other file is only read


def test_merging_twice_adds_nothing_and_records_nothing(pair) -> None:
    here, other, _ = pair
    merge_study(here, other)
    history = len(here.history())
    again = merge_study(here, other)
    assert (again.codings_added, again.codings_present, again.memos_added, again.memos_present) == (0, 3, 0, 3)
    assert not again.codes_added and not again.changed
    assert len(here.history()) == history


def test_one_undo_takes_the_whole_merge_back(pair) -> None:
    here, other, _ = pair
    codings, codes, memos = len(here.fragments()), len(here.codes()), len(here.memos())
    merge_study(here, other)
    assert len(here.fragments()) == codings + 2
    assert here.undo() == "merge other.qualcode"
    assert (len(here.fragments()), len(here.codes()), len(here.memos())) == (codings, codes, memos)
    assert here.redo() == "merge other.qualcode"
    assert len(here.fragments()) == codings + 2 and here.code("Nieuw/Sub")


def test_only_chosen_coders_and_shortcut_clash(pair, tmp_path: Path) -> None:
    here, other, _ = pair
    report = merge_study(here, other, coders=["a"])
    assert (report.codings_added, report.codings_present, report.codings_unplaced) == (0, 1, 0)
    assert report.missing_documents == []
    third = Study.create(tmp_path / "third.qualcode", coder="c")
    third.add_code("Anders", shortcut="n")
    third.add_document(T2, title="coach")
    try:
        result = merge_study(third, other, coders=["b"])
        assert result.shortcuts_dropped == ["n (Nieuw)"] and third.code("Nieuw").shortcut is None
        assert result.codings_added == 1
    finally:
        third.close()


def test_bad_merges_leave_the_study_unchanged(pair, tmp_path: Path) -> None:
    here, other, _ = pair
    history = len(here.history())
    with pytest.raises(QualcodeError, match="no coder zed there"):
        merge_study(here, other, coders=["zed"])
    with pytest.raises(QualcodeError, match="this study itself"):
        merge_study(here, here.path)
    junk = tmp_path / "junk.qualcode"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(QualcodeError, match="not a qualcode study"):
        merge_study(here, junk)
    assert len(here.history()) == history and "b" not in {c["name"] for c in here.coders()}


def test_cli_merge(pair) -> None:
    here, other, _ = pair
    path = str(here.path)
    runner = CliRunner()
    res = runner.invoke(main, ["merge", str(other), "--study", path, "--from-coder", "b"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("Merged other.qualcode: 2 coding(s) added, 0 already here, 2 document(s) matched.")
    assert "  Kind (1 coding(s))" in res.output
    res = runner.invoke(main, ["merge", str(other), "--study", path, "--json"])
    rows = {r["what"]: r["count"] for r in json.loads(res.output)}
    assert rows["codings added"] == 0 and rows["codings already here"] == 3
    res = runner.invoke(main, ["merge", str(other), "--study", path, "--from-coder", "zed"])
    assert res.exit_code == 1 and res.output.startswith("Error:")
    assert "Example:" in runner.invoke(main, ["merge", "--help"]).output


def test_a_cancelled_merge_leaves_the_study_as_it_was(pair) -> None:
    """The progress protocol: a cancel at any stage rolls the one merge action back."""
    from qualcode.core.progress import Cancelled

    here, other, _ = pair
    before = (len(here.fragments()), len(here.codes()), len(here.memos()), len(here.history()))
    seen: list[str] = []

    def progress(done: int, total: int, label: str) -> None:
        seen.append(label)
        if label == "memos":  # after the codes and codings are written, inside the action
            raise Cancelled()

    with pytest.raises(Cancelled):
        merge_study(here, other, progress=progress)
    assert seen == ["codes", "codings", "memos"]
    assert (len(here.fragments()), len(here.codes()), len(here.memos()), len(here.history())) == before
