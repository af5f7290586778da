"""Files are written whole or not at all, readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qualcode.core.errors import QualcodeError
from qualcode.core.files import atomic_output, atomic_path


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o600), (0o002, 0o600), (0o277, 0o400)])
def test_finished_file_is_private_within_the_umask(tmp_path: Path, umask: int, expected: int) -> None:
    """Exports hold interviews: 0600 whatever a lax umask allows, less what a strict one removes."""
    old = os.umask(umask)
    try:
        with atomic_output(tmp_path / "rapport.html") as handle:
            handle.write("<p>hallo</p>")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "rapport.html").stat().st_mode)
    assert mode == expected
    assert (tmp_path / "rapport.html").read_text(encoding="utf-8") == "<p>hallo</p>"


def test_a_failed_write_leaves_the_old_file_and_no_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "fragmenten.csv"
    target.write_text("oud", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as handle:
            handle.write("half")
            raise RuntimeError("stopped")
    assert target.read_text(encoding="utf-8") == "oud"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fragmenten.csv"]


def test_atomic_path_for_libraries(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "tabel.xlsx") as tmp:
        assert tmp.parent == tmp_path and tmp.name != "tabel.xlsx"
        tmp.write_bytes(b"PK")
    assert (tmp_path / "tabel.xlsx").read_bytes() == b"PK"


@pytest.mark.parametrize("name", ["missing/x.csv", ""])
def test_bad_targets_are_one_line_errors(tmp_path: Path, name: str) -> None:
    with pytest.raises(QualcodeError) as caught:
        with atomic_output(tmp_path / name):
            pass
    assert "\n" not in str(caught.value)
