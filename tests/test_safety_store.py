"""Nothing silently wrong in the study file (issue 13): ids never reused, undo that checks
where it puts a coding back, migrations under concurrency, damaged or full or read-only
studies in one line, private files."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import qualcode.store.core as store_core
from conftest import CHILD_TEXT, COACH_TEXT, PARENT_TEXT
from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.store.schema import MIGRATIONS
from qualcode.study.study import Study

# The migrations before ids were made never-reused (an old study is made with those only).
OLD_SCHEMA = next(i for i, (name, _) in enumerate(MIGRATIONS) if name.startswith("ids are never reused"))


def _one_line(message: str) -> str:
    assert "\n" not in message.strip() and "Traceback" not in message, message
    return message


def _old_study(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A study made by the schema before AUTOINCREMENT, with documents, codes, codings,
    memos and a removed document (so freed ids exist)."""
    # Its own context: undoing the test's whole monkeypatch would also drop conftest's coder.
    with monkeypatch.context() as patch:
        patch.setattr(store_core, "MIGRATIONS", MIGRATIONS[:OLD_SCHEMA])
        patch.setattr(store_core, "SCHEMA_VERSION", OLD_SCHEMA)
        with Study.create(path, "oud") as study:
            study.add_code("Vertrouwen")
            study.add_code("Regels")
            for title, text in (("Ouder", PARENT_TEXT), ("Coach", COACH_TEXT), ("Kind", CHILD_TEXT)):
                study.add_document(text, title=title, source_name=f"{title}.txt", metadata={"organisation": "Leergeld"})
            a = study.add_coding(study.document("Ouder").id, "Vertrouwen", 0, 30, memo="eerste")
            study.add_coding(study.document("Coach").id, "Regels", 5, 25)
            study.set_memo("coding", a.id, "een memo")
            study.remove_document("Kind")
    assert (
        "AUTOINCREMENT"
        not in sqlite3.connect(path).execute("SELECT sql FROM sqlite_master WHERE name = 'documents'").fetchone()[0]
    )
    return path


# -- 1. ids are never reused; undo checks where it puts a coding back -----------------------


def test_a_removed_documents_id_is_not_given_to_the_next_import(study: Study) -> None:
    child = study.document("Kind Leergeld")
    study.remove_document(child.id)
    new = study.add_document("Interviewer: Nieuw?\nR: Ja, heel nieuw.", title="Nieuw", source_name="nieuw.txt")
    assert new > child.id


def test_undo_of_a_coding_on_a_removed_transcript_is_refused_in_one_line(study: Study) -> None:
    child = study.document("Kind Leergeld")
    coding = study.add_coding(child.id, "Ervaren waarden/Vertrouwen", 0, 20)
    study.remove_coding(coding.id)
    study.remove_document(child.id)
    study.add_document("Interviewer: Andere familie.\nR: " + "Ja. " * 30, title="Ander", source_name="a.txt")
    before = study.store.rows("SELECT * FROM codings")
    with pytest.raises(QualcodeError) as exc:
        study.undo()
    assert "removed" in _one_line(str(exc.value))
    assert study.store.rows("SELECT * FROM codings") == before


def test_redo_refuses_a_document_id_that_is_now_another_transcript(study: Study) -> None:
    """Entries logged before the migration may name an id a new transcript took: the text's
    hash, kept with the change, tells them apart."""
    child = study.document("Kind Leergeld")
    study.add_coding(child.id, "Ervaren waarden/Vertrouwen", 0, 20)
    study.undo()
    study.remove_document(child.id)
    # What the old schema did: the next import took the freed id.
    with study.store.action("simulated reuse", record=False):
        study.store.conn.execute(
            "INSERT INTO documents (id, title, text, language, sha256, char_count, word_count, imported_at) "
            "VALUES (?, 'Ander gezin', ?, 'nl', 'ander', 300, 50, '2025-01-01')",
            (child.id, "x" * 300),
        )
    with pytest.raises(QualcodeError) as exc:
        study.redo()
    assert "another transcript" in _one_line(str(exc.value))
    assert study.store.scalar("SELECT count(*) FROM codings WHERE document_id = ?", (child.id,)) == 0


def test_a_freed_coding_id_does_not_block_a_colleagues_redo(study_path: Path) -> None:
    with Study.open(study_path, coder="anna") as anna, Study.open(study_path, coder="bert") as bert:
        d = anna.document("Ouder Coevorden").id
        anna.add_coding(d, "Ervaren waarden/Vertrouwen", 0, 30)
        anna.undo()
        taken = bert.add_coding(d, "Ervaren waarden/Vertrouwen", 40, 60)
        assert anna.redo() is not None  # not "bert changed the same thing later"
        ids = [r[0] for r in anna.store.rows("SELECT id FROM codings ORDER BY id")]
        assert taken.id in ids and len(ids) == len(set(ids))


def test_an_old_schema_study_gets_autoincrement_and_keeps_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _old_study(tmp_path / "oud.qualcode", monkeypatch)
    raw = sqlite3.connect(path)
    counts = {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "codings", "memos")}
    old_ids = raw.execute('SELECT id, document_id, start, "end" FROM codings ORDER BY id').fetchall()
    raw.close()
    with Study.open(path) as study:
        conn = study.store.conn
        for table in ("documents", "codings", "codes", "memos", "coders", "history"):
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            assert "AUTOINCREMENT" in sql, table
        assert {t: study.store.scalar(f"SELECT count(*) FROM {t}") for t in counts} == counts
        assert [tuple(r) for r in conn.execute('SELECT id, document_id, start, "end" FROM codings ORDER BY id')] == [
            tuple(r) for r in old_ids
        ]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        # Triggers and the full-text index came along.
        assert [h.title if hasattr(h, "title") else h for h in study.search("gezinscoach")]
        ouder = study.document("Ouder").id
        n = study.store.scalar("SELECT sum(n) FROM coding_counts WHERE document_id = ?", (ouder,))
        study.add_coding(ouder, "Regels", 40, 60)
        assert study.store.scalar("SELECT sum(n) FROM coding_counts WHERE document_id = ?", (ouder,)) == n + 1
        # The cascade still works, and the next document does not take a used id.
        highest = study.store.scalar("SELECT max(id) FROM documents")
        study.remove_document(ouder)
        assert study.store.scalar("SELECT count(*) FROM codings WHERE document_id = ?", (ouder,)) == 0
        new = study.add_document("I: Nog een?\nR: Ja zeker.", title="Nieuw", source_name="n.txt")
        assert new > highest
        assert study.store.scalar("SELECT count(*) FROM migrations") == len(MIGRATIONS)


# The store alone (not the study service) keeps each process's start cheap: 40 of them run.
_OPEN_OLD = """
import sys
from qualcode.store.core import Store
store = Store(sys.argv[1])
print(store.scalar("SELECT count(*) FROM documents"))
"""


def test_two_processes_migrating_an_old_study_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each round: a fresh old-schema study opened by two processes at the same moment."""
    template = _old_study(tmp_path / "template.qualcode", monkeypatch)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for round_ in range(20):
        path = tmp_path / f"ronde{round_}.qualcode"
        path.write_bytes(template.read_bytes())
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_OLD, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
            )
            for _ in range(2)
        ]
        results = [p.communicate(timeout=60) for p in runs]
        for proc, (out, err) in zip(runs, results, strict=True):
            assert proc.returncode == 0, err.decode()
            assert out.decode().strip() == "2"
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM migrations").fetchone()[0] == len(MIGRATIONS)
        conn.close()


# -- 8. damaged, full, read-only -------------------------------------------------------------


def _corrupt(path: Path) -> None:
    """Overwrite the pages after the schema with garbage, as a failing disk might."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    for offset in range(2 * page, len(data), page):
        data[offset : offset + 64] = b"\xde\xad\xbe\xef" * 16
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "args",
    [
        ["codings"],
        ["code", "1", "Ervaren waarden/Vertrouwen", "--span", "0:5"],
        ["undo"],
        ["history"],
        ["documents"],
        ["export", "qdpx", "-o", "{out}/uit.qdpx"],
        ["export", "fragments", "-o", "{out}/fragmenten.csv"],
        ["report", "-o", "{out}/rapport.html"],
    ],
)
def test_a_damaged_study_gives_one_line_with_recover(study_path: Path, tmp_path: Path, args: list[str]) -> None:
    with Study.open(study_path) as study:
        study.add_coding(study.document("Ouder Coevorden").id, "Ervaren waarden/Vertrouwen", 0, 30)
    _corrupt(study_path)
    out = tmp_path / "uit"
    out.mkdir()
    result = CliRunner().invoke(main, [*(a.format(out=out) for a in args), "--study", str(study_path)])
    assert result.exit_code == 1, result.output
    line = _one_line(result.output.strip())
    assert str(study_path) in line and ".recover" in line and "Traceback" not in line
    assert list(out.iterdir()) == []  # no half-written export left behind


def test_a_full_disk_says_so_and_saves_nothing(study: Study) -> None:
    before = study.store.scalar("SELECT count(*) FROM codings")
    # A tiny page limit is a full disk as SQLite sees it.
    study.store.conn.execute(f"PRAGMA max_page_count = {study.store.scalar('PRAGMA page_count')}")
    doc = study.document("Ouder Coevorden").id
    with pytest.raises(QualcodeError) as exc, study.store.action("veel memo's"):
        for i in range(200):
            study.set_coding_memo(study.add_coding(doc, "Ervaren waarden/Vertrouwen", 0, 30 + i % 50).id, "x" * 4000)
    line = _one_line(str(exc.value))
    assert "disk is full" in line and "free some space" in line and "no transaction" not in line
    assert study.store.scalar("SELECT count(*) FROM codings") == before


def test_a_read_only_study_file_says_what_to_do(study_path: Path) -> None:
    with Study.open(study_path) as study:
        study.store.conn.execute("PRAGMA query_only = ON")  # what a read-only file does to writes
        with pytest.raises(QualcodeError) as exc:
            study.add_coding(study.document("Ouder Coevorden").id, "Ervaren waarden/Vertrouwen", 0, 30)
    line = _one_line(str(exc.value))
    assert "cannot be written" in line and "folder" in line


def test_a_read_only_folder_is_not_called_not_a_study(study_path: Path) -> None:
    """SQLite must create the -wal and -shm files beside the study. Root ignores permissions,
    so the study is opened by a process without the capability to override them."""
    with Study.open(study_path) as study:
        study.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for leftover in (Path(f"{study_path}-wal"), Path(f"{study_path}-shm")):
        leftover.unlink(missing_ok=True)
    folder = study_path.parent
    script = (
        "import sys\nfrom qualcode.core.errors import QualcodeError\nfrom qualcode.store.core import Store\n"
        "try:\n    Store(sys.argv[1])\nexcept QualcodeError as e:\n    print(e)\nelse:\n    print('opened')\n"
    )
    command = [sys.executable, "-c", script, str(study_path)]
    if os.geteuid() == 0:
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", "--", *command]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    folder.chmod(0o555)
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    finally:
        folder.chmod(0o755)
    message = out.stdout.strip() or out.stderr
    assert "not a qualcode study" not in message
    assert "folder" in _one_line(message) and str(folder) in message


# -- 14. private files -----------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o600), (0o077, 0o600), (0o277, 0o400)])
def test_a_new_study_and_its_wal_are_private(tmp_path: Path, umask: int, expected: int) -> None:
    old = os.umask(umask)
    try:
        path = tmp_path / "prive.qualcode"
        with Study.create(path) as study:
            if expected & 0o200:
                study.add_code("Vertrouwen")
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    finally:
        os.umask(old)
    assert modes and set(modes.values()) == {expected}, modes


# -- 11. codebook export goes through the atomic writer --------------------------------------


def test_codebook_export_to_a_missing_folder_is_one_line(study_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["codebook", "export", "-o", str(tmp_path / "nergens" / "boek.yaml"), "--study", str(study_path)]
    )
    assert result.exit_code == 1 and "does not exist" in _one_line(result.output.strip())


def test_codebook_export_to_a_full_disk_keeps_the_old_file(
    study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "boek.yaml"
    target.write_text("oud: codeboek\n", encoding="utf-8")
    real_open = open

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def write(self, text: str) -> int:
            self.handle.write(text[: len(text) // 2])
            raise OSError(28, "No space left on device")

        def __getattr__(self, name: str):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

    def full_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        return FullDisk(handle) if "w" in mode and Path(file).name.startswith(".boek") else handle

    monkeypatch.setattr("builtins.open", full_open)
    with pytest.raises(QualcodeError) as exc:
        study.export_codebook(target)
    monkeypatch.undo()
    assert "No space left" in _one_line(str(exc.value))
    assert target.read_text(encoding="utf-8") == "oud: codeboek\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "boek" in p.name) == ["boek.yaml"]


# -- 3. exports never write to the study; identical exports ----------------------------------


def _files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


def test_export_qdpx_by_a_new_coder_writes_nothing_and_is_byte_identical(study_path: Path, tmp_path: Path) -> None:
    with Study.open(study_path) as study:
        study.add_coding(study.document("Ouder Coevorden").id, "Ervaren waarden/Vertrouwen", 0, 30, memo="m")
        study.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _files(study_path)
    outputs = []
    for n in range(2):
        target = tmp_path / f"export{n}.qdpx"
        result = CliRunner().invoke(
            main, ["export", "qdpx", "-o", str(target), "--study", str(study_path), "--coder", f"nieuw{n}"]
        )
        assert result.exit_code == 0, result.output
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    with sqlite3.connect(study_path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM coders")] == ["tester"]
    after = _files(study_path)
    assert after[study_path.name] == before[study_path.name]


def test_a_study_that_cannot_be_written_still_exports(study_path: Path, tmp_path: Path) -> None:
    """query_only refuses every write, as a read-only file does."""
    from qualcode.exchange import export_qdpx

    with Study.open(study_path, coder="bezoeker") as study:
        study.store.conn.execute("PRAGMA query_only = ON")
        export_qdpx(study, tmp_path / "uit.qdpx")
    assert (tmp_path / "uit.qdpx").stat().st_size > 0
