"""Every ``qualcode …`` command in README.md's ```bash blocks runs as written.

The README is read when the tests run (others change it and the sample corpus it refers to),
so a new example is tested without touching this file. Each line that starts with
``qualcode`` runs in bash (globs, quotes, ``;`` and ``>`` as a user's shell would treat them,
``set -e`` so every command of a line must succeed) in a folder of its own holding what the
examples name: the sample study as the study used last and as ``armoede.qualcode`` and the
other study files, the codebooks, a folder of interviews, a .qdpx project and a .qdc codebook.
A CSV the line writes with ``>`` must be CSV (a header of several columns, rows as wide).
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"

# Commands that open the terminal UI (they would wait for a user): not run here; the TUI has
# its own tests.
OPENS_THE_TUI = {(), ("demo",), ("open",), ("serve",)}

# Files the examples name that are studies (copies of the sample study) …
STUDY_FILES = ("armoede.qualcode", "leergeld.qualcode", "coevorden.qualcode", "collega.qualcode")


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` outside quotes after a space)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def readme_commands() -> list[str]:
    """The lines of README.md's bash blocks that are qualcode commands, comments removed."""
    text = README.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M):
        block = re.sub(r"\\\n\s*", " ", block)  # a line continued with a backslash is one command
        for raw in block.splitlines():
            line = _strip_comment(raw.strip())
            if line.startswith("qualcode") and not _opens_the_tui(line):
                lines.append(line)
    return lines


def _opens_the_tui(line: str) -> bool:
    for command in re.split(r"\s*(?:&&|;|\|\|)\s*", line):
        words = shlex.split(command)
        if words and words[0] == "qualcode":
            args = tuple(w for w in words[1:] if not w.startswith("-"))[:1]
            if args in OPENS_THE_TUI:
                return True
    return False


@pytest.fixture(scope="session")
def readme_files(sample_study_built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the examples refer to, made once: copied into each command's own folder."""
    from qualcode.exchange import export_qdc, export_qdpx
    from qualcode.study.study import Study

    base = tmp_path_factory.mktemp("readme-files")
    shutil.copytree(ROOT / "codebooks", base / "codebooks")
    interviews = base / "interviews"
    interviews.mkdir()
    for source in sorted((ROOT / "sample_transcripts").rglob("*"))[:3]:
        if source.is_file():
            shutil.copy(source, interviews / source.name)
    # A researcher's own names list for the pseudonymisation examples.
    (base / "namen.txt").write_text("Joyce\tpersoon\n!Hoop\n", encoding="utf-8")
    with Study.open(sample_study_built, coder="tester") as study:
        export_qdpx(study, base / "project.qdpx")
        export_qdc(study, base / "codeboek.qdc")
    return base


def _shim(folder: Path) -> Path:
    """A ``qualcode`` on PATH that runs this checkout's code with this interpreter."""
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "qualcode"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m qualcode "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return bin_dir


def _created_by(line: str) -> set[str]:
    """Study files a line creates (``init PATH``, ``import --study PATH x.qdpx``): not pre-made."""
    made = set()
    for command in re.split(r"\s*(?:&&|;)\s*", line):
        words = shlex.split(command)
        if words[1:2] == ["init"] and len(words) > 2:
            made.add(words[2])
        if words[1:2] == ["import"] and any(w.endswith(".qdpx") for w in words) and "--study" in words:
            made.add(words[words.index("--study") + 1])
    return made


def _redirected_csv(line: str) -> list[str]:
    return re.findall(r">\s*(\S+\.csv)\b", line)


def _params() -> list[object]:
    """The README's lines; those that load deduce run one after the other on one xdist worker
    (``--dist loadgroup``, pyproject): on a machine without deduce's cache the first builds
    it (a minute and 1 GB) and the next loads it, instead of both building it at once."""
    return [
        pytest.param(line, marks=pytest.mark.xdist_group("deduce")) if _loads_deduce(line) else line
        for line in readme_commands()
    ]


def _loads_deduce(line: str) -> bool:
    return any(
        words[:2] == ["qualcode", "pseudonymise"] and "--no-deduce" not in words and "--reverse" not in words
        for words in (shlex.split(c) for c in re.split(r"\s*(?:&&|;|\|\|)\s*", line))
    )


@pytest.mark.parametrize("line", _params())
def test_readme_command_runs(line: str, readme_files: Path, sample_study_built: Path, tmp_path: Path) -> None:
    if "../shared" in line:
        if not SHARED.is_dir():
            pytest.skip(f"{SHARED} is not available")
        (tmp_path / "shared").symlink_to(SHARED)  # the README runs in a checkout beside ../shared
    work = tmp_path / "work"
    shutil.copytree(readme_files, work)
    for name in STUDY_FILES:
        if name not in _created_by(line):
            shutil.copy(sample_study_built, work / name)
    last = work / "sample.qualcode"
    shutil.copy(sample_study_built, last)
    from qualcode.core import config

    config.remember_study(last)  # the conftest's per-test config folder, inherited below
    env = dict(os.environ)
    env["PATH"] = f"{_shim(tmp_path)}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", line],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"`{line}` exited {done.returncode}:\n{done.stderr}\n{done.stdout[-2000:]}"
    for name in _redirected_csv(line):
        with open(work / name, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows and len(rows[0]) > 1, f"`{line}` wrote {name}, which is not CSV: {rows[:3]}"
        assert all(len(r) == len(rows[0]) for r in rows), f"`{line}` wrote ragged CSV to {name}"


def test_the_readme_has_commands_and_the_tui_ones_are_left_out() -> None:
    commands = readme_commands()
    assert len(commands) >= 20
    assert not any(c.split()[:2] == ["qualcode", "demo"] for c in commands)
    assert _opens_the_tui("qualcode open armoede.qualcode") and _opens_the_tui("qualcode")
    assert not _opens_the_tui("qualcode documents --role ouder")
    assert _loads_deduce("qualcode pseudonymise --preview a.md") and _loads_deduce(
        "qualcode x && qualcode pseudonymise -o b"
    )
    assert not _loads_deduce("qualcode pseudonymise --reverse b --key k -o c") and not _loads_deduce("qualcode kwic x")
    assert sum(map(_loads_deduce, commands)) >= 1
    assert _strip_comment('qualcode search "a # b"  # zoek') == 'qualcode search "a # b"'


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    """`.ci/run` runs the line the README gives for installing and testing, as written."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M)
    command = next(line.strip() for block in blocks for line in block.splitlines() if "pytest" in line)
    assert "pip install -e '.[test]'" in command and "pytest -n 2" in command
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert any(line == command or line.startswith(command + " ||") for line in ci), command
