"""Writing to standard output and error can fail politely (cli/streams.py).

Real processes with real descriptors: a pipe whose reader leaves, a full
device, a closed descriptor. A closed pipe is exit 0, quietly, for every
command including --help; any other write error is exit 5 "cannot write
output: REASON"; never "probably a bug".
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [
    ["--help"],
    ["due", "--help"],
    ["--version"],
    ["due"],
    ["list", "--status", "all"],
    ["list", "--status", "all", "-f", "table"],
    ["export"],
    ["history"],
    ["report"],
]


@pytest.fixture
def busy_logbook(logbook, run):
    for n in range(40):
        run("add", f"Customer {n}", "Till crashes " * 20, "--promise", "Call", "--due", "today")
    return logbook


@pytest.fixture
def full_device(tmp_path) -> Path:
    """A private /dev/full where we may make one (see tests/store/test_outputs.py)."""
    if os.geteuid() != 0:
        return Path("/dev/full")
    device = tmp_path / "full"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    return device


def complog_into(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "complog", *args], timeout=60, stdin=subprocess.DEVNULL, **kwargs
    )  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_reader_that_leaves_early_is_exit_0_and_quiet(busy_logbook, args):
    # `complog ... | head -c 1`: the pipe closes after one byte.
    producer = subprocess.Popen(
        [sys.executable, "-m", "complog", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert producer.stdout is not None and producer.stderr is not None
    producer.stdout.read(1)
    producer.stdout.close()
    error = producer.stderr.read().decode()
    code = producer.wait(timeout=60)

    assert code == 0, error
    assert error == "" or "no logbook" in error


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_space_for_output_is_a_storage_error_not_a_bug(busy_logbook, full_device, args):
    with open(full_device, "wb") as full:
        done = complog_into(args, stdout=full, stderr=subprocess.PIPE)

    assert done.returncode == 5, done.stderr
    assert done.stderr.decode().startswith("complog: error: cannot write output: No space left")
    assert "bug" not in done.stderr.decode()


@pytest.mark.parametrize("args", [["due"], ["list"], ["add", "Acme", "Till"], ["--help"]])
def test_a_closed_stdout_is_exit_5_before_anything_is_done(logbook, proc, args):
    done = complog_into(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                        pass_fds=(), preexec_fn=lambda: os.close(1))  # fmt: skip

    assert done.returncode == 5
    assert (
        done.stderr.decode() == "complog: error: cannot write output: standard output is closed\n"
    )
    assert proc("list", "--format", "json").stdout == "[]\n"


def test_a_full_stderr_loses_the_message_but_not_the_exit_code(logbook, full_device):
    with open(full_device, "wb") as full:
        done = complog_into(["show", "99"], stdout=subprocess.PIPE, stderr=full)

    assert done.returncode == 3


def test_closed_stdin_and_stderr_do_not_stop_a_command(logbook, proc):
    def close_0_and_2() -> None:
        os.close(0)
        os.close(2)

    done = subprocess.run(
        [sys.executable, "-m", "complog", "add", "Acme", "Till"],
        capture_output=False, stdout=subprocess.PIPE, timeout=60, preexec_fn=close_0_and_2,
    )  # fmt: skip

    assert done.returncode == 0
    assert done.stdout.decode().startswith("Logged complaint 1")
    assert proc("list", "--format", "json").json[0]["customer"] == "Acme"


def test_a_warning_to_a_closed_stderr_does_not_change_the_exit_code(logbook, proc):
    """Python starts with sys.stderr None when descriptor 2 is closed: the first
    warning (here: Acme already has an open complaint) was an AttributeError, exit 1,
    after the change was saved and before its line was printed."""
    proc("add", "Acme", "Till")
    done = subprocess.run(
        [sys.executable, "-m", "complog", "add", "Acme", "Printer"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=60,
        preexec_fn=lambda: os.close(2),
    )  # fmt: skip

    assert (done.returncode, done.stdout.decode()) == (0, "Logged complaint 2 for Acme\n")


def test_output_failing_after_a_change_says_the_change_was_saved(logbook, proc, full_device):
    with open(full_device, "wb") as full:
        done = complog_into(["add", "Gamma", "Till"], stdout=full, stderr=subprocess.PIPE)

    assert done.returncode == 5
    assert "the change itself was saved" in done.stderr.decode()
    assert [c["customer"] for c in proc("list", "--format", "json").json] == ["Gamma"]


def test_a_full_stderr_never_stops_a_change_half_way(logbook, proc, full_device):
    proc("add", "Gamma", "First")
    with open(full_device, "wb") as full:  # the second add warns about the first: lost
        done = complog_into(["add", "Gamma", "Second"], stdout=subprocess.PIPE, stderr=full)

    assert done.returncode == 0
    assert done.stdout.decode().startswith("Logged complaint 2")


def _full_pipe() -> tuple[int, int]:
    """A pipe nobody reads, already full: whoever writes to it next waits."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        while True:
            os.write(write_end, b"x" * 65536)
    except BlockingIOError:
        pass
    os.set_blocking(write_end, True)
    return read_end, write_end


@pytest.mark.sqlite_only(reason="the interrupt is the subject; the logbook is not")
@pytest.mark.parametrize("args", [["add", "Erin", "Refund not received"], ["escalate", "--auto"]])
def test_ctrl_c_after_the_commit_says_the_change_was_saved(logbook, run, args):
    """Interrupted while printing (a paused terminal, a full pipe), after the commit:
    saying "nothing was saved" would make the person repeat it (a duplicate complaint)."""
    import signal
    import time

    from tests.cli.helpers import query

    run("add", "Acme", "Till", "--promise", "Call back", "--due", "2026-11-20 10:00")
    before = query(logbook, "SELECT count(*) FROM event")[0][0]
    read_end, write_end = _full_pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "complog", *args], stdout=write_end, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, text=True,
        # A job started in the background (`pytest &`, some CI runners) has SIGINT ignored,
        # which the child inherits: the interrupt would do nothing and the test time out.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    os.close(write_end)
    deadline = time.monotonic() + 60
    while query(logbook, "SELECT count(*) FROM event")[0][0] == before:
        assert time.monotonic() < deadline and proc.poll() is None, "it never committed"
        time.sleep(0.05)
    time.sleep(0.5)  # now writing its result into the full pipe
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    os.close(read_end)
    assert proc.returncode == 130
    assert "nothing was saved" not in stderr
    assert "after the change was saved" in stderr
