"""The one exception hierarchy of complog; each class carries its exit code.

The CLI translates these in one place (cli/main.py), so the core can raise
them without knowing about terminals or exit statuses.
"""

from __future__ import annotations


class ComplogError(Exception):
    """An error the user can act on: shown as one or two lines, never a traceback."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidInput(ComplogError):
    """Usage error or invalid input: bad date, empty summary, heat 9."""

    exit_code = 2


class NotFound(ComplogError):
    """No such complaint, promise, customer or escalation."""

    exit_code = 3


class Conflict(ComplogError):
    """The request conflicts with the current state (keeping a kept promise)."""

    exit_code = 4


class StorageError(ComplogError):
    """Locked beyond the timeout, read-only, disk full, corrupt, or too new."""

    exit_code = 5


class ReaderGone(Exception):
    """The reader of an output stream went away (`complog due | head -1`,
    `complog export --out /dev/stdout | head -1`): not an error, exit 0 quietly.

    Not an OSError, so that no library between the write and cli/main.py takes
    it for one of its own (Click exits 1 on EPIPE); not a ComplogError, as
    nothing went wrong."""
