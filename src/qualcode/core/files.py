"""Writing export files safely: whole or not at all, with ordinary permissions.

Every export (CSV, XLSX, HTML report, REFI-QDA) is written beside its target and moved into
place, so a failed or cancelled export never leaves half a file where a report expects a
whole one. The temporary file is private while it is written (``mkstemp``); the finished file
gets the permissions any file the user creates gets (0666 less the umask), because an export
is made to be opened by others or shared.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from qualcode.core.errors import QualcodeError

_umask_lock = threading.Lock()
_file_mode: int | None = None


def _default_mode() -> int:
    global _file_mode
    with _umask_lock:
        if _file_mode is None:
            # The only way to read the umask is to set it; done once, under a lock.
            current = os.umask(0o022)
            os.umask(current)
            _file_mode = 0o666 & ~current
    return _file_mode


def check_output_path(target: Path, example: str = "a file name") -> Path:
    """Refuse, in one line, a target whose folder is missing or that is a folder."""
    if target.is_dir():
        raise QualcodeError(f"{target} is a folder; give {example}")
    if not target.parent.exists():
        raise QualcodeError(f"{target}: the folder {target.parent} does not exist; choose another place")
    return target


@contextmanager
def atomic_path(target: Path | str, *, private: bool = False) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to (for libraries that want a path); on
    success it is moved into place with ordinary permissions (0600 when ``private``: a
    pseudonymisation key or a names list must never be readable by others), on failure it
    is removed."""
    target = check_output_path(Path(target))
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix or ".part", dir=target.parent)
    except OSError as exc:
        raise QualcodeError(f"{target}: cannot write there ({exc.strerror})") from None
    os.close(fd)
    try:
        yield Path(name)
        os.chmod(name, 0o600 if private else _default_mode())
        os.replace(name, target)
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise QualcodeError(f"{target}: cannot write it ({exc.strerror})") from None
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_output(
    target: Path | str,
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
    private: bool = False,
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``target``; on success move it into place."""
    binary = "b" in mode
    with atomic_path(target, private=private) as tmp:
        with open(tmp, mode, encoding=None if binary else encoding, newline=None if binary else newline) as handle:
            yield handle
