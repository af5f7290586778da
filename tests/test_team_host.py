"""A team on one host: `qualcode backup` while others write, `qualcode check`, and `qualcode
serve` answering a browser on localhost."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.study.study import Study

ROOT = Path(__file__).resolve().parent.parent
WRITER = """
import sys, time
from qualcode.study.study import Study
study = Study.open(sys.argv[1], coder="onderzoeker-b")
doc = study.documents()[0]
sentences = study.sentences(doc.id)
deadline = time.time() + 20
n = 0
while time.time() < deadline and n < len(sentences):
    s = sentences[n]
    study.add_coding(doc.id, "Huisbezoek", s.start, s.end)
    n += 1
    if n == 3:
        print("writing", flush=True)
print(n, flush=True)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def test_backup_while_another_process_writes_opens_and_checks(study_path: Path, tmp_path: Path) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(study_path)], stdout=subprocess.PIPE, text=True, env=_env()
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "writing"
    target = tmp_path / "backup.qualcode"
    result = CliRunner().invoke(main, ["backup", str(study_path), "-o", str(target)])
    writer.wait(timeout=60)
    assert result.exit_code == 0, result.output
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)
    checked = CliRunner().invoke(main, ["check", str(target)])
    assert checked.exit_code == 0, checked.output
    assert "no problems found" in checked.output
    with Study.open(target) as copy:
        assert copy.documents()  # a whole study, with whatever codings had been committed


def test_backup_refuses_to_overwrite_the_study(study_path: Path) -> None:
    before = study_path.read_bytes()
    result = CliRunner().invoke(main, ["backup", str(study_path), "-o", str(study_path)])
    assert result.exit_code == 1
    assert "that is the study itself" in result.output
    assert study_path.read_bytes() == before


def _damage(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_check_reports_each_kind_of_problem(study: Study, study_path: Path) -> None:
    doc = study.documents()[0]
    sentences = study.sentences(doc.id)
    kept = study.add_coding(doc.id, "Huisbezoek", sentences[0].start, sentences[0].end)
    gone = study.add_coding(doc.id, "Vertrouwensband", sentences[1].start, sentences[1].end)
    study.close()
    assert CliRunner().invoke(main, ["check", str(study_path)]).exit_code == 0
    _damage(
        study_path,
        f"DELETE FROM codings WHERE id = {gone.id}",  # behind the log's back (triggers fix the counts)
        f"UPDATE coding_counts SET n = n + 5 WHERE code_id = {kept.code_id}",
        'INSERT INTO codings (id, document_id, code_id, coder_id, start, "end", memo, origin, created_at) '
        "VALUES (100000, 9999, 1, 1, 0, 1, '', 'manual', '2026-01-01')",
    )
    result = CliRunner().invoke(main, ["check", str(study_path)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert any("foreign key: codings" in line for line in lines)
    assert any("coding counts" in line for line in lines)
    assert any(f"codings row {gone.id} was written by a logged action but is missing" in line for line in lines)
    assert all(line.startswith(str(study_path)) for line in lines)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_refuses_another_address_without_the_flag(study_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", str(study_path), "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "--allow-remote" in result.output and "no login" in result.output


def test_serve_refuses_a_port_in_use(study_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", str(study_path), "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_serve_answers_a_browser_and_stops_on_ctrl_c(study_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "qualcode", "serve", str(study_path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        page = ""
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "qualcode" in page and study_path.name in page
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    assert f"at http://127.0.0.1:{port}" in out
    assert "Stopped." in out


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_addresses_need_no_flag(host: str) -> None:
    from qualcode.cli.team import _is_loopback

    assert _is_loopback(host)
    assert not _is_loopback("10.0.0.5")
