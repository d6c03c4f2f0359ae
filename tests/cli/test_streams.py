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
