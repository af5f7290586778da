"""Reading a .qdpx archive defensively.

A .qdpx is a ZIP from another machine. Before anything is read, the central directory is
checked: the number of members, each member's and the total uncompressed size, and every
name (no ``../``, no absolute or drive paths). The sizes in the headers can lie, so reading
counts the bytes actually inflated and stops at the same caps. Members are read into
memory by name and never extracted to disk, so a hostile name could not write anywhere
anyway; it is refused because an archive that contains one is not a tool's export.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from qualcode.core.errors import QualcodeError, file_error

MAX_MEMBERS = 100_000
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
_CHUNK = 1024 * 1024


class SafeZip:
    """An opened, checked archive; use as a context manager."""

    def __init__(
        self,
        path: Path,
        *,
        max_members: int = MAX_MEMBERS,
        max_member_bytes: int = MAX_MEMBER_BYTES,
        max_total_bytes: int = MAX_TOTAL_BYTES,
    ) -> None:
        self.path = path
        self.max_member_bytes = max_member_bytes
        self.max_total_bytes = max_total_bytes
        self._read_total = 0
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise file_error(path, "no such file") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise file_error(path, f"not a ZIP archive, so not a .qdpx project ({exc})") from None
        try:
            infos = self.zip.infolist()
            if len(infos) > max_members:
                raise file_error(path, f"the archive holds {len(infos)} files (at most {max_members}); refused")
            total = 0
            self.members: dict[str, zipfile.ZipInfo] = {}
            for info in infos:
                name = check_member_name(path, info.filename)
                if info.file_size > max_member_bytes:
                    raise file_error(
                        path,
                        f"{info.filename} unpacks to {info.file_size:,} bytes (at most {max_member_bytes:,}); refused",
                    )
                total += info.file_size
                if not info.is_dir():
                    self.members[name.casefold()] = info
            if total > max_total_bytes:
                raise file_error(path, f"the archive unpacks to {total:,} bytes (at most {max_total_bytes:,}); refused")
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    def names(self) -> list[str]:
        """Member names (files only), as written in the archive."""
        return [info.filename for info in self.members.values()]

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """A member by name, ignoring case and a leading ``./`` (tools differ: Sources/ or sources/)."""
        key = name.replace("\\", "/")
        while key.startswith("./"):
            key = key[2:]
        return self.members.get(key.casefold())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """A member's bytes, counting what is actually inflated against the caps."""
        pieces: list[bytes] = []
        size = 0
        try:
            with self.zip.open(info) as handle:
                while True:
                    chunk = handle.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    self._read_total += len(chunk)
                    if size > self.max_member_bytes or size > info.file_size:
                        raise file_error(
                            self.path, f"{info.filename} unpacks to more than its header says; refused as a zip bomb"
                        )
                    if self._read_total > self.max_total_bytes:
                        raise file_error(self.path, "the archive unpacks to more than allowed; refused as a zip bomb")
                    pieces.append(chunk)
        except QualcodeError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise file_error(self.path, f"{info.filename} cannot be unpacked ({exc}); the archive is damaged") from None
        return b"".join(pieces)


# Every member written with one fixed time (the earliest a ZIP can hold) and fixed
# permissions, so two exports of an unchanged study are byte for byte the same (the README
# promises it; a diff or a checksum then says whether anything changed).
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)


def fixed_member(name: str, compress_type: int = zipfile.ZIP_DEFLATED, level: int = 1) -> zipfile.ZipInfo:
    """A member header with the fixed time: pass it to ``writestr`` or ``open(..., "w")``.
    Level 1 deflate: a third of the time of the default for files only 10 % larger."""
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.compress_type = compress_type
    # A header passed in carries its own level (the archive's is not applied to it); the
    # attribute was renamed in Python 3.13.
    slot = "compress_level" if "compress_level" in zipfile.ZipInfo.__slots__ else "_compresslevel"
    setattr(info, slot, level)
    info.external_attr = 0o600 << 16
    info.create_system = 3  # Unix, whatever system writes it
    return info


def check_member_name(archive: Path, name: str) -> str:
    """The member's name with ``/`` separators, or an error if it climbs out of the archive."""
    cleaned = name.replace("\\", "/")
    parts = PurePosixPath(cleaned).parts
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":") or ".." in parts or "\x00" in cleaned:
        raise file_error(archive, f"the archive holds a file named {name!r} that points outside it; refused")
    while cleaned.startswith("./"):
        cleaned = cleaned[2:]
    return cleaned
