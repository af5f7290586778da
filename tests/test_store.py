"""The study file itself: schema migrations, SQLite settings, refusing files that are not
studies, and two connections (the TUI and the CLI) sharing one study."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qualcode.core.errors import QualcodeError
from qualcode.store.core import SCHEMA_VERSION, Store
from qualcode.store.schema import MIGRATIONS
from qualcode.study.study import Study


def _one_line(exc: pytest.ExceptionInfo[QualcodeError]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_new_study_records_migrations_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new.qualcode"
    with Study.create(path, "nieuw") as study:
        store = study.store
        ids = [r[0] for r in store.rows("SELECT id FROM migrations ORDER BY id")]
        assert ids == list(range(1, len(MIGRATIONS) + 1))
        assert len(MIGRATIONS) == SCHEMA_VERSION
        assert store.scalar("PRAGMA journal_mode") == "wal"
        assert store.scalar("PRAGMA foreign_keys") == 1
        assert study.name == "nieuw"
    # The settings are visible to a plain sqlite3 client too (WAL is persistent).
    plain = sqlite3.connect(path)
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in plain.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"documents", "codes", "codings", "memos", "history", "migrations"} <= tables
    finally:
        plain.close()


def test_reopening_keeps_contents_and_applies_no_migration_twice(tmp_path: Path) -> None:
    path = tmp_path / "again.qualcode"
    with Study.create(path, "weer") as study:
        study.add_code("Vertrouwen", description="Ouder vertrouwt de coach")
    with Study.open(path) as study:
        assert [c.path for c in study.codes()] == ["Vertrouwen"]
        assert study.store.scalar("SELECT count(*) FROM migrations") == len(MIGRATIONS)
        assert study.name == "weer"


def test_create_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "exists.qualcode"
    path.write_text("iets", encoding="utf-8")
    with pytest.raises(QualcodeError) as exc:
        Study.create(path)
    assert str(path) in _one_line(exc)
    assert path.read_text(encoding="utf-8") == "iets"


def test_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "nergens.qualcode"
    with pytest.raises(QualcodeError) as exc:
        Study.open(path)
    message = _one_line(exc)
    assert str(path) in message and "qualcode init" in message
    assert not path.exists()


def test_text_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notities.qualcode"
    path.write_text("Dit is geen studie maar een tekstbestand.\n" * 50, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(QualcodeError) as exc:
        Study.open(path)
    message = _one_line(exc)
    assert str(path) in message and "not a qualcode study" in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notities.qualcode"]


def test_other_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "ander.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE klanten (id INTEGER PRIMARY KEY, naam TEXT)")
    other.execute("INSERT INTO klanten (naam) VALUES ('Jansen')")
    other.commit()
    other.close()
    before = path.read_bytes()
    with pytest.raises(QualcodeError) as exc:
        Study.open(path)
    message = _one_line(exc)
    assert str(path) in message and "not a qualcode study" in message
    # Not converted to WAL, no tables added: the other program's file is untouched.
    assert path.read_bytes() == before
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [r[0] for r in check.execute("SELECT name FROM sqlite_master")] == ["klanten"]
    finally:
        check.close()


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leeg.qualcode"
    path.touch()
    with pytest.raises(QualcodeError) as exc:
        Study.open(path)
    assert str(path) in _one_line(exc)
    assert path.read_bytes() == b""


def test_study_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nieuwer.qualcode"
    Study.create(path).close()
    plain = sqlite3.connect(path)
    plain.execute("INSERT INTO migrations (id, name, applied_at) VALUES (999, 'future', '2099-01-01')")
    plain.commit()
    plain.close()
    with pytest.raises(QualcodeError) as exc:
        Study.open(path)
    message = _one_line(exc)
    assert "newer qualcode" in message and "999" in message and str(path) in message


def test_two_connections_see_each_others_committed_writes(tmp_path: Path) -> None:
    path = tmp_path / "gedeeld.qualcode"
    Study.create(path).close()
    with Study.open(path, coder="tui") as tui, Study.open(path, coder="cli") as cli:
        tui.add_code("Vangnet")
        assert [c.name for c in cli.codes()] == ["Vangnet"]
        cli.add_code("Vertrouwen")
        assert {c.name for c in tui.codes()} == {"Vangnet", "Vertrouwen"}
        # Undo in one process undoes that coder's newest action, and the other process sees it.
        assert tui.undo() == "add code “Vangnet”"
        assert [c.name for c in cli.codes()] == ["Vertrouwen"]
        assert {r["name"] for r in cli.coders()} == {"tui", "cli"}


def test_writes_outside_an_action_are_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.qualcode", create=True)
    try:
        with pytest.raises(RuntimeError):
            store.insert("coders", {"name": "iemand"})
        assert store.scalar("SELECT count(*) FROM coders") == 0
    finally:
        store.close()


def test_failed_action_rolls_back_everything(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.qualcode", create=True)
    try:
        with pytest.raises(QualcodeError):
            with store.action("twee coders"):
                store.insert("coders", {"name": "a"})
                raise QualcodeError("stop")
        assert store.scalar("SELECT count(*) FROM coders") == 0
        assert store.scalar("SELECT count(*) FROM history") == 0
    finally:
        store.close()


def test_create_with_a_blank_coder_leaves_no_study_file(tmp_path: Path) -> None:
    """A study whose creation fails (here: a coder of blanks) used to stay behind as a
    half-made file that the next `qualcode init` refused to overwrite."""
    target = tmp_path / "nieuw.qualcode"
    with pytest.raises(QualcodeError):
        Study.create(target, coder="   ")
    assert not target.exists()
    Study.create(target, coder="onderzoeker").close()


def test_coder_added_inside_a_failed_action_is_not_remembered(tmp_path: Path) -> None:
    """The coder row is written inside the current transaction when first needed there
    (a .qdpx import does so); if that action rolls back, the cached id pointed at no coder
    and the next action failed on a foreign key (or, once the id was reused, credited the
    work to someone else)."""
    study = Study.create(tmp_path / "s.qualcode", coder="nieuw")
    with pytest.raises(RuntimeError):
        with study.store.action("import that fails", record=False):
            assert study.coder_id > 0
            raise RuntimeError("half-way")
    code = study.add_code("Vertrouwen")
    assert study.history(1)[0]["coder"] == "nieuw"
    assert code.name == "Vertrouwen"
    study.close()
