"""Writing files safely: whole or not at all, readable by their owner only.

Every file qualcode writes (CSV, XLSX, HTML report, REFI-QDA, codebook YAML, config) is
written beside its target and moved into place, so a failed or cancelled write (a full disk)
never leaves half a file where the old whole one was. Studies, exports, keys and backups hold
interviews with families: on a shared research server a 0644 file is readable by every user,
so each is created 0600 (less whatever a stricter umask also removes). Sharing an export is
then a deliberate act (``chmod g+r``), not an accident.
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

PRIVATE_MODE = 0o600

_umask_lock = threading.Lock()


def private_mode() -> int:
    """0600 less the umask: a umask of 077 or stricter still wins."""
    with _umask_lock:
        # The only way to read the umask is to set it; under a lock, and read each time
        # because a program (or a test) may change it.
        current = os.umask(0o077)
        os.umask(current)
    return PRIVATE_MODE & ~current


def check_output_path(target: Path, example: str = "a file name") -> Path:
    """Refuse, in one line, a target whose folder is missing or that is a folder."""
    if target.is_dir():
        raise QualcodeError(f"{target} is a folder; give {example}")
    if not target.parent.exists():
        raise QualcodeError(f"{target}: the folder {target.parent} does not exist; choose another place")
    return target


@contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to (for libraries that want a path); on
    success it is moved into place, private (0600), on failure it is removed."""
    target = check_output_path(Path(target))
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix or ".part", dir=target.parent)
    except OSError as exc:
        raise QualcodeError(f"{target}: cannot write there ({exc.strerror})") from None
    os.close(fd)
    try:
        yield Path(name)
        os.chmod(name, private_mode())
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
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``target``; on success move it into place."""
    binary = "b" in mode
    with atomic_path(target) as tmp:
        with open(tmp, mode, encoding=None if binary else encoding, newline=None if binary else newline) as handle:
            yield handle
