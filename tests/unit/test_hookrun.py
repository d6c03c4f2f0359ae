"""hookrun: a hook program runs within its deadline, whatever it does with its pipes.

Real /bin/sh programs; no logbook. The CLI-level stories (trust, batches, the
daemon and the flood through `complog add`) are in tests/cli/test_hook_limits.py.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from complog.hookrun import OUTPUT_KEPT, Finished, run_program


def sh(script: str, stdin: list[bytes] | Iterator[bytes] = (), timeout: float = 5) -> Finished:
    return run_program(
        ["/bin/sh", "-c", script], cwd=Path("/"), env=dict(os.environ), stdin=stdin,
        timeout=timeout,
    )  # fmt: skip


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def dies(pid: int) -> bool:
    """It is gone within 5 s: SIGKILL is sent at once, but a process takes a moment to go."""
    deadline = time.monotonic() + 5
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_input_is_written_and_output_read():
    done = sh("cat; echo done >&2; exit 3", [b'{"a": 1}\n', b'{"a": 2}\n'])
    assert done == Finished(3, False, False, b'{"a": 1}\n{"a": 2}\ndone\n', 0)


def test_a_large_input_reaches_a_hook_that_reads_it_all():
    lines = (b"x" * 999 + b"\n" for _ in range(2_000))  # 2 MB, 30 pipe buffers
    assert sh("wc -c", lines).output.strip() == b"2000000"


@pytest.mark.parametrize(
    "script",
    ["exit 0", "exec 0<&-; sleep 0.2", "head -c 10 >/dev/null", "read line; exit 0"],
    ids=["never-reads", "closes-stdin", "reads-a-little", "reads-a-line"],
)
def test_a_hook_that_stops_reading_its_input_ends_cleanly(script):
    lines = (b"x" * 999 + b"\n" for _ in range(2_000))
    done = sh(script, lines)
    assert (done.returncode, done.timed_out, done.held_open, done.output) == (0, False, False, b"")


def test_the_input_is_made_only_as_the_hook_takes_it():
    made = []

    def lines() -> Iterator[bytes]:
        for n in range(10_000):
            made.append(n)
            yield b"x" * 1023 + b"\n"

    sh("exit 0", lines())
    assert len(made) < 10_000  # what the pipe took before the hook exited, not 10 MB


def test_output_beyond_64_kib_is_read_and_dropped():
    done = sh("head -c 1000000 /dev/zero")
    assert (done.returncode, len(done.output), done.dropped) == (0, OUTPUT_KEPT, 1_000_000 - 65536)


def test_endless_output_is_stopped_at_the_deadline_with_64_kib_kept():
    started = time.monotonic()
    done = sh("exec cat /dev/zero", timeout=1)
    assert time.monotonic() - started < 1 + 1
    assert (done.returncode, done.timed_out, len(done.output)) == (-9, True, OUTPUT_KEPT)
    assert done.dropped > 0


def test_a_timeout_kills_the_whole_process_group(tmp_path):
    started = time.monotonic()
    done = sh(f"sleep 30 & echo $! > {tmp_path}/pid; wait", timeout=0.5)
    assert time.monotonic() - started < 0.5 + 1
    assert (done.returncode, done.timed_out) == (-9, True)
    assert dies(int((tmp_path / "pid").read_text()))


def test_a_daemon_holding_the_output_cannot_hold_complog(tmp_path):
    started = time.monotonic()
    done = sh(f"setsid sleep 30 & echo $! > {tmp_path}/pid; echo bye; exit 0", timeout=0.5)
    elapsed = time.monotonic() - started
    daemon = int((tmp_path / "pid").read_text())
    try:
        assert elapsed < 0.5 + 1
        assert done == Finished(0, False, True, b"bye\n", 0)
        assert alive(daemon)  # out of reach of killpg: complog just stopped listening
    finally:
        os.kill(daemon, 9)


def test_a_daemon_that_lets_go_of_the_output_is_no_concern(tmp_path):
    done = sh(f"setsid sleep 30 >/dev/null 2>&1 & echo $! > {tmp_path}/pid; exit 0")
    os.kill(int((tmp_path / "pid").read_text()), 9)
    assert done == Finished(0, False, False, b"", 0)


def test_a_hook_that_closes_its_output_and_hangs_is_stopped():
    done = sh("exec >&- 2>&-; sleep 30", timeout=0.5)
    assert (done.returncode, done.timed_out, done.held_open) == (-9, True, False)


def test_a_hook_killed_by_a_signal_reports_it():
    assert sh("kill -TERM $$").returncode == -15


def test_a_program_that_cannot_start_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        run_program([str(tmp_path / "missing")], cwd=tmp_path, env={}, stdin=[], timeout=1)


def test_ctrl_c_as_the_hook_starts_still_stops_it(tmp_path, monkeypatch):
    """A signal that lands after the fork but before Popen returns (a loaded machine:
    the hook already runs, complog is not yet in its try block) once left the hook,
    in a session of its own, running with no deadline; the CLI test of Ctrl-C failed
    this way under load. Here the signal arrives exactly then, every time."""
    import signal
    import subprocess

    real_popen = subprocess.Popen
    started: list[int] = []

    def popen_then_ctrl_c(*args, **kwargs):
        proc = real_popen(*args, **kwargs)
        started.append(proc.pid)
        signal.raise_signal(signal.SIGINT)
        return proc

    monkeypatch.setattr(subprocess, "Popen", popen_then_ctrl_c)
    # A job started in the background (`pytest &`) inherits SIGINT ignored: give the
    # test the handler an interactive complog has.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            sh("exec sleep 30", timeout=60)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert dies(started[0])
