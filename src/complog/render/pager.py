"""A pager for listings longer than the terminal, as git and gh page theirs.

Only when standard output is a terminal, only for tables and plain text (never
JSON or CSV), and never in pipes or cron. Output is held until it is longer than
the screen: a short listing is written as it always was, a long one goes to the
pager, streamed from there on. Which pager, first found wins: `--no-pager`
(none), COMPLOG_PAGER, `pager` in the user config file, PAGER, then `less -FRX`
(quit if one screen, keep colours, leave the text on screen). An empty value or
`cat` means no pager, as in git.

A pager that quits early (q in less) is not an error: the rest of the output is
dropped and complog exits as the command would have, never with a BrokenPipe.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Callable
from typing import IO, Any

DEFAULT_PAGER = "less -FRX"
#: formats that are read by people; JSON and CSV are read by programs
PAGED_FORMATS = ("table", "plain")


def pager_command(no_pager: bool, configured: str | bool | None) -> str | None:
    """The pager to use, or None for none (see the module's docstring for the order)."""
    if no_pager:
        return None
    for candidate in (os.environ.get("COMPLOG_PAGER"), configured, os.environ.get("PAGER")):
        if candidate is False:
            return None
        if isinstance(candidate, str):
            command = candidate.strip()
            return None if command in ("", "cat") else command
    return DEFAULT_PAGER


def choose(
    no_pager: bool, configured: str | bool | None, file_source: str
) -> tuple[str | None, str]:
    """The pager command (None: none) and where it came from, for `config --where`."""
    command = pager_command(no_pager, configured)
    if no_pager:
        return command, "--no-pager"
    if "COMPLOG_PAGER" in os.environ:
        return command, "COMPLOG_PAGER"
    if configured is not None:
        return command, file_source
    if "PAGER" in os.environ:
        return command, "PAGER"
    return command, "default"


class PagedOutput:
    """Stands in for sys.stdout on a terminal: holds what is written until it is
    longer than the screen, then starts the pager and streams to it.

    `wanted()` says, when the screen is full, whether this output is for a pager
    at all (the command's format is known only once it runs)."""

    def __init__(self, real: Any, command: str, height: int, wanted: Callable[[], bool]) -> None:
        self._real = real
        self._command = command
        self._height = max(height - 1, 1)  # leave a line for the shell's prompt
        self._wanted = wanted
        self._held: list[str] = []
        self._lines = 0
        self._process: Any = None
        self._pipe: IO[bytes] | None = None
        self._gone = False  # the pager quit (q) before reading everything
        self._direct = False  # decided against paging: write straight through

    def write(self, data: str) -> int:
        if self._direct:
            return int(self._real.write(data))
        if self._pipe is not None or self._gone:
            self._to_pager(data)
            return len(data)
        self._held.append(data)
        self._lines += data.count("\n")
        if self._lines >= self._height:
            self._overflow()
        return len(data)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._direct:
            self._real.flush()
        elif self._pipe is not None:
            try:
                self._pipe.flush()
            except OSError:
                self._pager_gone()

    def isatty(self) -> bool:
        return True

    @property
    def buffer(self) -> Any:
        """Bytes written to the terminal directly: page no further."""
        self._go_direct()
        return self._real.buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def finish(self) -> None:
        """At the end of the command: write what is held, or let the pager finish."""
        if self._pipe is None and not self._gone:
            self._go_direct()
            self._real.flush()
            return
        self._pager_gone()  # closing its input: the pager sees the end and waits for q
        self._wait()

    def _overflow(self) -> None:
        if not self._wanted() or not _installed(self._command):
            self._go_direct()
            return
        import subprocess

        self._real.flush()
        environment = dict(os.environ)
        environment.setdefault("LESS", "FRX")  # as git: for PAGER=less too
        environment.setdefault("LV", "-c")
        try:
            self._process = subprocess.Popen(  # noqa: S603 - the user's pager, as git runs it
                ["/bin/sh", "-c", self._command], stdin=subprocess.PIPE, env=environment
            )
        except OSError:
            self._go_direct()
            return
        self._pipe = self._process.stdin
        held, self._held = "".join(self._held), []
        self._to_pager(held)

    def _to_pager(self, data: str) -> None:
        if self._gone or self._pipe is None:
            return
        encoding = getattr(self._real, "encoding", None) or "utf-8"
        try:
            self._pipe.write(data.encode(encoding, "replace"))
        except OSError:  # BrokenPipeError: the reader pressed q
            self._pager_gone()

    def _pager_gone(self) -> None:
        self._gone = True
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            try:
                pipe.close()
            except OSError:
                pass

    def _go_direct(self) -> None:
        if not self._direct:
            self._direct = True
            held, self._held = "".join(self._held), []
            if held:
                self._real.write(held)

    def _wait(self) -> None:
        """Wait for the reader to quit the pager; Ctrl-C meanwhile is the pager's (less
        uses it to stop a search), as git ignores it while its pager runs."""
        import signal

        if self._process is None:
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self._process.wait()
        finally:
            signal.signal(signal.SIGINT, previous)


def _installed(command: str) -> bool:
    """The pager's program can be found (else: no pager, rather than lost output)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    while words and "=" in words[0] and not words[0].startswith("="):
        words = words[1:]  # LESS=... less
    return bool(words) and shutil.which(words[0]) is not None


def start(
    command: str | None, wanted: Callable[[], bool], *, stream: Any = None
) -> PagedOutput | None:
    """Put a PagedOutput in place of sys.stdout when it is a terminal; None otherwise."""
    real = stream if stream is not None else sys.stdout
    if command is None or real is None or not real.isatty():
        return None
    paged = PagedOutput(real, command, shutil.get_terminal_size().lines, wanted)
    sys.stdout = paged
    return paged
