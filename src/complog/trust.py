"""Which hooks the person running complog has trusted, kept in their own config folder.

A hook is a program found beside a logbook, or in a folder the logbook's own
`hooks_dir` setting names, so whoever hands you a logbook (a tarball, a git
clone, a shared server database) could hand you programs with it. As direnv's
`allow` and mise's `trust` do, complog runs a hook only once the person running
it has said so, for that logbook, for that program with that content:
`complog hooks trust` records the hook's real path and the SHA-256 of its
content here, and any other path or content is "changed" until trusted again.

The record is per person and outside every logbook: `hooks-trust.json` in the
user config folder (platformdirs: `$XDG_CONFIG_HOME/complog`, else
`~/.config/complog` on Linux), 0600, replaced atomically, under a lock so two
`complog hooks trust` at once both count. Its format is stable, so trust
survives upgrades of complog:

    {
      "format": "complog hook trust",
      "version": 1,
      "hooks": [
        {"logbook": "/home/ann/shared-log/complog.db", "hook": "on-add",
         "path": "/home/ann/shared-log/hooks/on-add", "sha256": "9f86d0…",
         "trusted_at": "2026-11-23T09:00:00+00:00"}
      ]
    }

Every later complog reads version 1. Keys it does not know are kept as they
are; a file of a later version is refused, never overwritten. A file, or a
folder holding it, that others may write to is not believed at all: whoever can
write it can trust for you, or put back a record you removed. Missing folders
on the way to it are made 0700, whatever the umask.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complog.errors import StorageError

FILE_NAME = "hooks-trust.json"
FORMAT = "complog hook trust"
VERSION = 1
_FIELDS = ("logbook", "hook", "path", "sha256", "trusted_at")


def trust_file_path() -> Path:
    """The trust file of the person running complog, beside their config.toml."""
    from complog.userconfig import config_folder

    return config_folder() / FILE_NAME


@dataclass(frozen=True)
class Trusted:
    """One hook, trusted for one logbook."""

    logbook: str
    hook: str
    #: the real path of the program when it was trusted
    path: str
    sha256: str
    trusted_at: str


class TrustFile:
    """The trust records, as read; entries keep keys a later complog may have added."""

    def __init__(self, path: Path, entries: list[dict[str, Any]]) -> None:
        self.path = path
        self._entries = entries

    def find(self, logbook: str, hook: str) -> Trusted | None:
        for entry in self._entries:
            if entry["logbook"] == logbook and entry["hook"] == hook:
                return Trusted(*(entry[key] for key in _FIELDS))
        return None

    def record(self, trusted: Trusted) -> None:
        fields = {key: getattr(trusted, key) for key in _FIELDS}
        for entry in self._entries:
            if entry["logbook"] == trusted.logbook and entry["hook"] == trusted.hook:
                entry.update(fields)
                return
        self._entries.append(fields)

    def forget(self, logbook: str, hook: str) -> bool:
        """Remove the record; False if there was none."""
        kept = [e for e in self._entries if (e["logbook"], e["hook"]) != (logbook, hook)]
        removed = len(kept) != len(self._entries)
        self._entries = kept
        return removed

    def hooks_of(self, logbook: str) -> list[str]:
        return sorted(e["hook"] for e in self._entries if e["logbook"] == logbook)

    def to_bytes(self) -> bytes:
        entries = sorted(self._entries, key=lambda e: (e["logbook"], e["hook"]))
        document = {"format": FORMAT, "version": VERSION, "hooks": entries}
        # ASCII with \u escapes: a path that is not UTF-8 (kept by Python as lone
        # surrogates) survives the round trip instead of failing to encode.
        return (json.dumps(document, indent=2) + "\n").encode("ascii")


def load_trust(path: Path | None = None) -> TrustFile:
    """The trust records; none when the file does not exist yet.

    Raises StorageError when the file cannot be believed or read: then no hook runs.
    """
    path = path or trust_file_path()
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return TrustFile(path, [])
    except OSError as exc:
        raise _unusable(path, exc.strerror or str(exc)) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _unusable(path, "it is not a regular file")
        if info.st_uid not in (os.getuid(), 0):
            raise _unusable(path, "it belongs to someone else", f"remove it: rm {path}")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise _unusable(path, "others may write to it", f"chmod 600 {path}")
        _check_folder(path)
        try:
            raw = file.read()
        except OSError as exc:
            raise _unusable(path, exc.strerror or str(exc)) from None
    return TrustFile(path, _entries(path, raw))


def _check_folder(path: Path) -> None:
    """Whoever may write to the folder can put back an older trust file of yours (so a
    hook you untrusted runs again) or swap the folder for one of theirs."""
    try:
        info = os.stat(path.parent)
    except OSError as exc:
        raise _unusable(path, exc.strerror or str(exc)) from None
    if info.st_uid not in (os.getuid(), 0):
        raise _unusable(path, "its folder belongs to someone else")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise _unusable(path, "others may write to its folder", f"chmod 700 {path.parent}")


def _entries(path: Path, raw: bytes) -> list[dict[str, Any]]:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        document = None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _damaged(path)
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _damaged(path)
    if version > VERSION:
        raise StorageError(
            f"{path} was written by a newer complog (format version {version})",
            "upgrade complog; this one leaves that file as it is and runs no hook",
        )
    entries = document.get("hooks")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and all(isinstance(e.get(k), str) for k in _FIELDS) for e in entries
    ):
        raise _damaged(path)
    return entries


def _unusable(path: Path, why: str, hint: str | None = None) -> StorageError:
    return StorageError(
        f"cannot use the hook trust file {path}: {why}",
        hint or "until it is fixed, no hook runs",
    )


def _damaged(path: Path) -> StorageError:
    return _unusable(
        path,
        "it is not a complog trust file",
        f"move it away (mv {path} {path}.bad), then trust your hooks again: complog hooks trust",
    )


@contextmanager
def updating_trust(path: Path | None = None) -> Iterator[TrustFile]:
    """Read, change and write back the trust records, one `complog hooks` at a time.

    The file is written only when the block succeeds; an error leaves it as it was.
    """
    from complog import files

    path = path or trust_file_path()
    folder = path.parent
    try:
        files.private_folders(folder)
        lock = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise _unusable(path, exc.strerror or str(exc)) from None
    try:
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)
        trust = load_trust(path)
        yield trust
        try:
            write_private(path, trust.to_bytes())
        except OSError as exc:
            raise _unusable(path, exc.strerror or str(exc)) from None
    finally:
        os.close(lock)  # releases the lock


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data` whole or not at all, readable by its owner only
    (files.py: a private temporary file, fsynced, renamed, the folder fsynced)."""
    from complog import files

    files.write(files.output_target(path, logbook=None, stream_ok=False), data)
