"""Running one hook program: a deadline for everything, and bounded output.

A hook is somebody's shell script, so it may hang, print without end, never
read its input, or leave programs behind. None of that may hang or sink the
complog that started it, in a terminal or a cron job:

- It runs in a session of its own, so at the deadline one `killpg` stops it and
  everything it started that stayed in its process group.
- A program that left the group (`setsid sleep 600 &`) can keep the pipes open
  after the hook exits; `communicate()` would then wait for it. So every read
  and write here is non-blocking, waits in `select` no later than the deadline,
  and at the deadline complog closes its ends of the pipes and moves on.
- At most `OUTPUT_KEPT` bytes of output are kept; the rest is read and
  dropped, so memory stays flat and the hook is not killed by a full pipe.
- Ctrl-C or SIGTERM while it starts is held until complog can stop it with
  itself, so no signal leaves a hook running without a deadline (only SIGKILL can).
- Its input is written as the pipe takes it, from an iterator: a batch of
  events is never all in memory at once, and a hook that stops reading (or
  exits without reading) costs a closed pipe, not a BrokenPipeError.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

#: bytes of a hook's output (stdout and stderr together) that complog keeps
OUTPUT_KEPT = 64 * 1024
_READ_SIZE = 64 * 1024
#: how long to wait for a process killed with SIGKILL to be reaped
_REAP_GRACE = 1.0


@dataclass(frozen=True)
class Finished:
    """How a hook run ended."""

    #: exit status (negative: killed by that signal); None if it could not be reaped
    returncode: int | None
    #: still running at the deadline: it and its process group were killed
    timed_out: bool
    #: it exited, but something it started held its output open past the deadline
    held_open: bool
    #: the first OUTPUT_KEPT bytes of its output
    output: bytes
    #: bytes of output read beyond OUTPUT_KEPT and dropped
    dropped: int


def run_program(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    stdin: Iterable[bytes],
    timeout: float,
) -> Finished:
    """Run `argv`, feed it `stdin`, collect its output; all within `timeout` seconds.

    Raises OSError only when the program cannot be started.
    """
    deadline = time.monotonic() + timeout
    with _signals_held() as held:
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=cwd, env=dict(env), start_new_session=True, bufsize=0,
        )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for signum in held:  # now that the finally below stops the hook with complog
            signal.raise_signal(signum)
        feeder = _Feeder(proc.stdin, iter(stdin))
        collector = _Collector(proc.stdout)
        timed_out = held_open = False
        if not (_pump(feeder, collector, deadline) and _exited_by(proc.pid, deadline)):
            # The deadline passed. Stop the hook and whatever stayed in its group
            # (the hook itself is not reaped yet, so its id still names the group).
            held_open = _has_exited(proc.pid)
            timed_out = not held_open
            _kill_group(proc.pid)
    finally:
        # Whatever happened above, complog stops listening: a daemon that left the
        # group keeps its copy of the pipes, but nobody waits on them any more.
        proc.stdin.close()
        proc.stdout.close()
        if proc.returncode is None and not _has_exited(proc.pid):
            _kill_group(proc.pid)  # an error in the loop: leave nothing running
    try:
        returncode: int | None = proc.wait(timeout=_REAP_GRACE)
    except subprocess.TimeoutExpired:  # stuck in the kernel even after SIGKILL
        returncode = None
    return Finished(returncode, timed_out, held_open, collector.kept(), collector.dropped)


@contextmanager
def _signals_held() -> Iterator[list[int]]:
    """Ctrl-C or SIGTERM while Popen starts the hook, kept for later: raised in there,
    after the fork, it left the hook (in a session of its own) running with no deadline
    and nobody to stop it. Python-level handlers only: the hook starts with the usual
    signal mask and default handlers. Outside the main thread, nothing is held."""
    held: list[int] = []
    saved: dict[signal.Signals, Any] = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            saved[signum] = signal.signal(signum, lambda number, _frame: held.append(number))
    except ValueError:  # not the main thread: signal handlers cannot be set here
        pass
    try:
        yield held
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


class _Feeder:
    """Writes the chunks of an iterator into a non-blocking pipe, as it takes them."""

    def __init__(self, pipe: IO[bytes], chunks: Iterator[bytes]) -> None:
        self.pipe = pipe
        self.fd = pipe.fileno()
        self.chunks = chunks
        self.pending = memoryview(b"")
        self.open = True
        os.set_blocking(self.fd, False)

    def write(self) -> None:
        while self.open:
            if not self.pending:
                chunk = next(self.chunks, None)
                if chunk is None:
                    self.open = False  # end of input: closing the pipe sends EOF
                    return
                self.pending = memoryview(chunk)
                continue
            try:
                written = os.write(self.fd, self.pending)
            except BlockingIOError:
                return  # the pipe is full: select says when it has room
            except OSError:
                # EPIPE: the hook exited or closed its input without reading it all.
                # That is its choice; the rest of the input is not needed.
                self.open = False
                return
            self.pending = self.pending[written:]

    def close(self) -> None:
        self.open = False
        self.pending = memoryview(b"")
        self.pipe.close()


class _Collector:
    """Reads a non-blocking pipe to its end, keeping the first OUTPUT_KEPT bytes."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self.fd = pipe.fileno()
        self.buffer = bytearray()
        self.dropped = 0
        self.open = True
        os.set_blocking(self.fd, False)

    def read(self) -> None:
        try:
            data = os.read(self.fd, _READ_SIZE)
        except BlockingIOError:
            return
        if not data:
            self.open = False
            return
        keep = data[: max(0, OUTPUT_KEPT - len(self.buffer))]
        self.buffer += keep
        self.dropped += len(data) - len(keep)

    def kept(self) -> bytes:
        return bytes(self.buffer)


def _pump(feeder: _Feeder, collector: _Collector, deadline: float) -> bool:
    """Feed and drain until the output ends and the input is written (True), or the
    deadline (False)."""
    with selectors.DefaultSelector() as selector:
        selector.register(collector.fd, selectors.EVENT_READ, collector)
        selector.register(feeder.fd, selectors.EVENT_WRITE, feeder)
        while collector.open or feeder.open:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            for key, _ in selector.select(remaining):
                worker = key.data
                if worker is collector:
                    collector.read()
                else:
                    feeder.write()
                if not worker.open:
                    selector.unregister(worker.fd)
                    if worker is feeder:
                        feeder.close()  # EOF for the hook, now
    return True


def _exited_by(pid: int, deadline: float) -> bool:
    """Wait (without reaping it) until `pid` exits or the deadline passes."""
    while not _has_exited(pid):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(remaining, 0.01))
    return True


def _has_exited(pid: int) -> bool:
    """Has the child exited? Leaves it a zombie, so its id stays reserved and a later
    `killpg(pid)` can only reach its own group, never a stranger that reused the id."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True  # already reaped
    return info is not None


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # nothing left in the group (or only a setuid program we may not signal)
