"""Export files are written whole or not at all, with the user's ordinary permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qualcode.core.errors import QualcodeError
from qualcode.core.files import atomic_output, atomic_path


def test_finished_file_gets_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        import qualcode.core.files as files

        files._file_mode = None  # read the umask afresh for this test
        with atomic_output(tmp_path / "rapport.html") as handle:
            handle.write("<p>hallo</p>")
    finally:
        os.umask(old)
        files._file_mode = None
    mode = stat.S_IMODE((tmp_path / "rapport.html").stat().st_mode)
    assert mode == 0o640
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
