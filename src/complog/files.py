"""Every file complog writes for the user: exports, calendars, HTML pages, backups.

Nothing else in complog opens a file for writing (tests/store/test_outputs.py
checks the source). What `--out TARGET` does depends on what TARGET is:

- a regular file, a new name, or a symlink to either: written whole or not at
  all. The data goes to a private temporary file beside the real target
  (mkstemp: a random name, O_EXCL, 0600 whatever the umask), is fsynced, renamed
  over the target, and the folder is fsynced. A symlink keeps pointing where it
  did; its target is replaced, as editors do.
- a character device or FIFO (`/dev/stdout`, a named pipe) or `-` (standard
  output): written as a stream, never renamed, never chmodded. A reader that
  leaves early ends the command quietly (exit 0), as for standard output.
- anything else (a folder, a socket), and the live logbook with its -wal/-shm
  and its migration backups: refused before any work, exit 2.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

from complog.errors import InvalidInput, ReaderGone, StorageError

STDOUT = "-"


@dataclass(frozen=True)
class Target:
    """Where an output goes, decided once, before the work that makes it."""

    given: str
    #: the file to replace (symlinks resolved), or the device/FIFO to stream to;
    #: None for standard output
    path: Path | None
    stream: bool

    def __str__(self) -> str:
        return self.given


def protected_paths(logbook: Path | None) -> list[Path]:
    """The files an output must never replace: the logbook, its -wal/-shm and the
    copies made before migrations (`complog.db.0001_initial.bak`)."""
    if logbook is None:
        return []
    real = Path(os.path.realpath(logbook))
    found = [real, *(real.with_name(real.name + s) for s in ("-wal", "-shm", "-journal"))]
    try:
        found += real.parent.glob(glob.escape(real.name) + ".*.bak")
    except OSError:
        pass
    return found


def output_target(given: str | Path, *, logbook: Path | None, stream_ok: bool = True) -> Target:
    """Check an output before the work: what it is, and that it may be written.

    `logbook` is the live logbook's path (None on PostgreSQL): it and its
    companions are refused, through whatever symlink names them."""
    text = str(given)
    if "\x00" in text:
        raise InvalidInput("the file name contains a NUL byte")
    if text == STDOUT:
        if not stream_ok:
            raise InvalidInput("'-' (standard output) cannot take this file", "give a file name")
        return Target(text, None, stream=True)
    if not text.strip():
        raise InvalidInput("the file name is empty", "give a file name, or - for standard output")
    path = Path(text).expanduser()
    try:
        _refuse_planted_symlink(text, path)
        try:
            mode = os.stat(path).st_mode  # through symlinks, /dev/stdout's included
        except FileNotFoundError:
            mode = None
        real = Path(os.path.realpath(path))
        refuse_protected(text, real, logbook)
        if mode is None:
            if path.name in ("", ".", ".."):
                raise InvalidInput(f"{text} is a folder", "give a file name to write")
            if not real.parent.is_dir():
                raise InvalidInput(f"no such folder: {real.parent}")
            return Target(text, real, stream=False)
        if stat.S_ISREG(mode):
            return Target(text, real, stream=False)
        if stat.S_ISDIR(mode):
            raise InvalidInput(f"{text} is a folder", "give a file name to write")
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
            if not stream_ok:
                raise InvalidInput(f"{text} is not a regular file", "give a file name")
            return Target(text, path, stream=True)  # /proc/self/fd/1 has no real path
        from complog.connect import file_kind

        raise InvalidInput(f"{text} is {file_kind(mode)}, not a file", "give a file name")
    except OSError as exc:  # a name too long for the file system, a loop of symlinks
        raise InvalidInput(f"cannot write {text}: {exc.strerror or exc}") from None


def refuse_protected(text: str, real: Path, logbook: Path | None) -> None:
    """InvalidInput when `real` is the logbook or one of its companions, by any name
    (a symlink resolved already, a hard link by its inode)."""
    for protected in protected_paths(logbook):
        if real == protected or _same_file(real, protected):
            raise InvalidInput(
                f"{text} is the logbook itself (or its journal or a backup of it)",
                "choose another file: writing there would destroy the logbook",
            )


def _refuse_planted_symlink(text: str, path: Path) -> None:
    """What the kernel's fs.protected_symlinks does, where it is off: a symlink in a
    sticky, world-writable folder (/tmp) that belongs neither to us nor to the
    folder's owner is someone else's trap, not a link to follow."""
    try:
        link = os.lstat(path)
        if not stat.S_ISLNK(link.st_mode):
            return
        folder = os.stat(path.parent)
    except FileNotFoundError:
        return
    shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
    if shared and link.st_uid not in (os.geteuid(), folder.st_uid):
        raise InvalidInput(
            f"{text} is a symlink another user made in a shared folder; complog will not follow it",
            "write somewhere only you can write, or remove the link",
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def opened(target: Target, *, text: bool = True) -> Iterator[IO[Any]]:
    """The target, open for writing; a file target replaces the old one only when
    the block ends without an error."""
    if target.path is None:
        yield _stdout(text)
        return
    if target.stream:
        with _stream(target, text) as fh:
            yield fh
        return
    with private_file(target.path, target.given) as tmp:
        fh = _wrap(os.open(tmp, os.O_WRONLY | os.O_NOFOLLOW), text)
        try:
            with fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise _cannot_write(target.given, exc) from None


def write(target: Target, data: bytes) -> None:
    """Write `data` to the target (see opened)."""
    with opened(target, text=False) as fh:
        fh.write(data)


@contextmanager
def private_file(path: Path, shown: str | None = None, *, new: bool = False) -> Iterator[Path]:
    """A new, empty, private (0600) file beside `path`, for the caller to fill; it
    takes `path`'s name when the block ends without an error, and is removed otherwise
    (with any -wal, -shm or -journal SQLite made beside it).

    For writers that need a file name rather than a handle (SQLite's backup API).
    `new`: `path` must not exist, even if something appears there meanwhile (a hard
    link publishes it, and fails rather than replace)."""
    shown = shown or str(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(shown, exc) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync_file(tmp)
        if new:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
        _fsync_folder(path.parent)
    except FileExistsError:
        raise InvalidInput(f"{shown} already exists", "choose a new file name") from None
    except OSError as exc:
        raise _cannot_write(shown, exc) from None
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)


def private_folders(folder: Path) -> None:
    """Create `folder` and any missing parents 0700 each, whatever the umask (mkdir's
    mode is filtered by it, and parents=True gives parents the umask's default: 0777
    under umask 000). Folders that exist already are left as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made by another process a moment ago, with its own mode
        os.chmod(made, 0o700)


def write_new_text(path: Path, text: str, shown: str | None = None) -> None:
    """A new private (0600) file holding `text`, published whole; refused when `path`
    exists (a map written by `import --inspect --write-map` never replaces one)."""
    with private_file(path, shown, new=True) as tmp:
        tmp.write_text(text, encoding="utf-8")


def private_spool() -> IO[bytes]:
    """An anonymous private file (0600, already unlinked) to hold an input read once."""
    try:
        return tempfile.TemporaryFile(prefix="complog-")
    except OSError as exc:
        raise StorageError(
            f"cannot make a temporary file: {exc.strerror or exc}",
            "free some space in the temporary folder (TMPDIR)",
        ) from None


def remove_stale_temporaries(path: Path) -> None:
    """Remove what a killed private_file(path) left: only for a target no other process
    can be writing at the same time (a migration backup, made under the write lock),
    and only plain files of ours."""
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp*"):
        try:
            info = os.lstat(leftover)
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
                leftover.unlink()
        except OSError:
            pass


@contextmanager
def _stream(target: Target, text: bool) -> Iterator[IO[Any]]:
    assert target.path is not None
    try:
        fd = os.open(target.path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise _cannot_write(target.given, exc) from None
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):  # swapped since it was checked
        os.close(fd)
        raise InvalidInput(f"{target.given} changed while complog was working; nothing written")
    try:
        with _wrap(fd, text) as fh:
            yield fh
    except BrokenPipeError:
        # The reader went away (`--out /dev/stdout | head -1`): as for standard output,
        # cli/main.py ends quietly with exit 0; nothing of ours was left half-written.
        raise ReaderGone from None
    except OSError as exc:
        raise _cannot_write(target.given, exc) from None


def _stdout(text: bool) -> IO[Any]:
    sys.stdout.flush()
    return sys.stdout if text else sys.stdout.buffer


def _wrap(fd: int, text: bool) -> IO[Any]:
    if text:
        return os.fdopen(fd, "w", encoding="utf-8", newline="")
    return os.fdopen(fd, "wb")


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """The rename is durable only once the folder's entry is on disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the data itself is synced
    finally:
        os.close(fd)


def _cannot_write(shown: str, exc: OSError) -> StorageError:
    return StorageError(f"cannot write {shown}: {exc.strerror or exc}")


@contextmanager
def scratch_file(name: str, content: str) -> Iterator[Path]:
    """A private file for an editor to change (`$EDITOR` on a note), removed afterwards.

    In a new 0700 folder (mkdtemp), made with O_EXCL|O_NOFOLLOW and 0600, so no other
    account can read the customer's words or plant a symlink where the editor saves."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="complog-"))
    except OSError as exc:
        raise StorageError(
            f"cannot make a temporary file: {exc.strerror or exc}",
            "free some space in the temporary folder (TMPDIR)",
        ) from None
    path = folder / name
    try:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(content)
        except OSError as exc:
            raise _cannot_write(str(path), exc) from None
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def controlling_terminal() -> TextIO | None:
    """The terminal itself (/dev/tty) for writing, for a program that needs the screen
    while standard output goes elsewhere (the editor of `note 1 -f json > out`); None
    when there is no terminal. Not a file complog writes: nothing is created."""
    try:
        return open("/dev/tty", "w")  # noqa: SIM115 - the caller closes it
    except OSError:
        return None
