"""Standard output and error that fail politely.

A reader that goes away (`complog due | head -1`) is not an error: exit 0,
quietly. Any other failure to write output (a full disk, `> /dev/full`, a
closed descriptor) is a storage problem the user can act on: exit 5,
"cannot write output: REASON" — never a traceback or "probably a bug".
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from complog.errors import ReaderGone, StorageError

__all__ = ["OutputError", "ReaderGone", "Guarded"]


class OutputError(StorageError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot write output: {reason}")

    def after_saving(self) -> OutputError:
        """The command had already committed its change: say so, or a user runs it again."""
        self.hint = "the change itself was saved (complog history shows it); do not repeat it"
        return self


class Guarded:
    """A text or binary stream whose write errors become OutputError, or
    ReaderGone when the reader went away, for cli/main.py to end quietly.

    Not `fatal` (stderr): messages that cannot be written are dropped and the
    command goes on; a warning lost is no reason to stop a change half-way."""

    def __init__(self, stream: Any, *, fatal: bool = True) -> None:
        self._stream = stream
        self._fatal = fatal

    def write(self, data: Any) -> int:
        try:
            return int(self._stream.write(data))
        except OSError as exc:
            return self._failed(exc, len(data))

    def _failed(self, exc: OSError, size: int) -> int:
        if not self._fatal:
            silence(2)
            return size
        if isinstance(exc, BrokenPipeError):
            raise ReaderGone from None
        raise OutputError(exc.strerror or str(exc)) from None

    def writelines(self, lines: Iterable[Any]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            self._failed(exc, 0)

    @property
    def buffer(self) -> Guarded:
        return Guarded(self._stream.buffer, fatal=self._fatal)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def reopen_closed_descriptors() -> bool:
    """Put /dev/null on any of descriptors 0-2 that was closed (`complog due >&-`),
    so no file complog opens can take their number and receive its output.
    True when standard output was closed: nothing complog prints can arrive."""
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
    for fd in closed:
        null = os.open(os.devnull, os.O_RDWR)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    # Python starts with sys.stdin / sys.stderr None when 0 / 2 were closed: give them
    # an empty input and a sink (no file opened: files.py opens files), so a warning or
    # a hook's output is dropped, not an AttributeError that makes a saved change exit 1.
    if sys.stdin is None:
        sys.stdin = io.TextIOWrapper(io.BytesIO())
    if sys.stderr is None:
        sys.stderr = io.TextIOWrapper(io.BufferedWriter(_Discard()))
    return 1 in closed or sys.stdout is None


class _Discard(io.RawIOBase):
    """Standard error when it was closed: whatever is written goes nowhere."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)


@contextmanager
def guarded_output() -> Iterator[None]:
    """Run with guarded stdout/stderr; restored afterwards (the test runner swaps them)."""
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None:
        sys.stdout = Guarded(sys.stdout)
    if sys.stderr is not None:
        sys.stderr = Guarded(sys.stderr, fatal=False)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def silence(fd: int = 1) -> None:
    """After the reader went away or a write failed: point the descriptor at
    /dev/null, so the interpreter's last flush cannot fail a second time."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass


def error_line(text: str) -> None:
    """Write to stderr when possible; a closed or full stderr loses the message, not the exit code."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError, ReaderGone, OutputError):
        silence(2)
