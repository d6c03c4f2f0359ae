"""Files complog writes for the user — exports, calendars, HTML pages, backups.

Whole or not at all: the data goes to a hidden temp file beside the target,
is fsynced and renamed over it, and the temp file is removed whatever goes
wrong (it holds customer data). Private to the owner (0600).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from complog.errors import InvalidInput, StorageError


def checked_target(given: str | Path) -> Path:
    """The file to write, refused before any work when it names a folder or lives in none."""
    if "\x00" in str(given):
        raise InvalidInput("the file name contains a NUL byte")
    path = Path(given).expanduser()
    try:
        if path.name in ("", ".", "..") or path.is_dir():
            raise InvalidInput(f"{given} is a folder", "give a file name to write")
        if not path.parent.is_dir():
            raise InvalidInput(f"no such folder: {path.parent}")
    except OSError as exc:  # a name too long for the file system, say
        raise InvalidInput(f"cannot write {given}: {exc.strerror or exc}") from None
    return path


def temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


@contextmanager
def atomic_file(given: str | Path, *, text: bool = True) -> Iterator[IO[Any]]:
    """Open a file to write in full; it replaces `given` only once complete."""
    path = checked_target(given)
    tmp = temp_beside(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        fh: IO[Any]
        if text:
            fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        else:
            fh = os.fdopen(fd, "wb")
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise StorageError(f"cannot write {given}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_file(given: str | Path, data: bytes) -> None:
    """Write `data` to `given` atomically (see atomic_file)."""
    with atomic_file(given, text=False) as fh:
        fh.write(data)
