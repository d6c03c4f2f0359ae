"""Real processes: `python -m complog` with its real streams.

Exit codes 0-5 as a shell sees them, no ANSI escapes when stdout is piped, no
traceback on stderr ever (unless COMPLOG_DEBUG=1), NO_COLOR and the interactive
`add` on a pseudo-terminal.
"""

from __future__ import annotations

import os
import re
import select
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.cli.helpers import ANSI, assert_clean_error, snapshot

COLOUR_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def assert_quiet_about_internals(ran):
    assert "Traceback" not in ran.stderr
    assert "Traceback" not in ran.stdout
    assert not ANSI.search(ran.stdout), ran.stdout
    assert not ANSI.search(ran.stderr), ran.stderr


@pytest.fixture
def seeded(proc):
    proc(
        "add",
        "Acme Newsagency",
        "Till crashes at close",
        "--heat",
        "4",
        "--promise",
        "Call back",
        "--due",
        "today 8am",
    )
    proc("kept", "1")
    proc("promise", "1", "Engineer visit", "--due", "today 8:30")


# -- exit codes, one real process each ---------------------------------------------


def test_exit_0_on_success(proc, logbook):
    ran = proc("add", "Acme Newsagency", "Till crashes at close")
    assert ran.stdout == "Logged complaint 1 for Acme Newsagency\n"
    assert_quiet_about_internals(ran)
    assert proc("show", "1", "--format", "json").stdout.startswith("{")


def test_exit_1_when_due_finds_something_overdue(proc, seeded):
    ran = proc("due", "--exit-code", exit=1)
    assert ran.stdout.startswith("Overdue (1)\n")
    assert "30m late" in ran.stdout
    assert ran.stderr == ""
    assert_quiet_about_internals(ran)


def test_exit_0_when_due_finds_nothing_overdue(proc, seeded):
    proc("kept", "2")
    ran = proc("due", "--exit-code", exit=0)
    assert ran.stdout == "Nothing due in the next 7 days.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "", "Till"], "customer name must not be empty"),
        (["add", "Acme Newsagency", "Till", "--heat", "9"], "invalid heat 9"),
        (["list", "--format", "xml"], "'xml' is not one of"),
        (["promise", "1", "Call", "--due", "31/02"], "cannot read '31/02' as a date or time"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_exit_2_on_invalid_input(proc, logbook, args, message):
    proc("add", "Acme Newsagency", "Till")
    before = snapshot(logbook)
    ran = proc(*args, exit=2)
    assert_clean_error(ran, 2, message)
    assert_quiet_about_internals(ran)
    assert snapshot(logbook) == before


def test_exit_3_when_not_found(proc, logbook):
    proc("add", "Acme Newsagency", "Till")
    before = snapshot(logbook)
    ran = proc("kept", "42", exit=3)
    assert (
        ran.stderr
        == "complog: error: no promise 42\n  complog show ID lists a complaint's promises\n"
    )
    assert_quiet_about_internals(ran)
    assert snapshot(logbook) == before


def test_exit_4_on_conflict(proc, logbook, seeded):
    before = snapshot(logbook)
    ran = proc("kept", "1", exit=4)
    assert (
        ran.stderr == "complog: error: promise 1 is already kept\n  only open promises can change\n"
    )
    assert_quiet_about_internals(ran)
    assert snapshot(logbook) == before


@pytest.mark.sqlite_only(
    reason="about the SQLite file: damaged, from a newer complog, left alone by demo"
)
def test_exit_5_on_a_damaged_logbook(proc, logbook):
    logbook.parent.mkdir(parents=True)
    logbook.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    before = logbook.read_bytes()
    ran = proc("add", "Acme Newsagency", "Till", exit=5)
    assert_clean_error(ran, 5, "is not a complog logbook, or it is damaged")
    assert_quiet_about_internals(ran)
    assert logbook.read_bytes() == before


@pytest.mark.sqlite_only(
    reason="about the SQLite file: damaged, from a newer complog, left alone by demo"
)
def test_exit_5_on_a_logbook_from_a_newer_complog(proc, logbook):
    proc("add", "Acme Newsagency", "Till")
    conn = sqlite3.connect(logbook)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    before = snapshot(logbook)
    ran = proc("due", exit=5)
    assert_clean_error(ran, 5, "was written by a newer complog")
    assert "left untouched" in ran.stderr
    assert_quiet_about_internals(ran)
    assert snapshot(logbook) == before


def test_bad_complog_now_is_a_usage_error(proc):
    proc("init")
    ran = proc("list", env={"COMPLOG_NOW": "next tuesday"}, exit=2)
    assert_clean_error(ran, 2, "COMPLOG_NOW='next tuesday' is not an ISO-8601 timestamp")


def test_complog_now_at_the_end_of_the_calendar_is_a_clean_error(proc):
    proc("init")
    ran = proc("due", env={"COMPLOG_NOW": "9999-12-31T20:00:00+00:00"}, exit=None)
    assert "unexpected" not in ran.stderr
    assert ran.exit_code in (0, 2)


def test_debug_shows_the_traceback(proc):
    ran = proc("show", "99", env={"COMPLOG_DEBUG": "1"}, exit=1)  # the exception escapes to Python
    assert "Traceback" in ran.stderr
    assert "NotFound" in ran.stderr


# -- piped output ---------------------------------------------------------------


def test_piped_output_defaults_to_plain(proc, seeded):
    ran = proc("list")
    assert ran.stdout.split("\t")[:3] == ["1", "open", "Acme Newsagency"]


@pytest.mark.parametrize(
    "args",
    [
        ["due", "--format", "table"],
        ["list", "--format", "table"],
        ["show", "1", "--format", "table"],
        ["history", "--format", "table"],
        ["config", "--format", "table"],
        ["--help"],
        ["due", "--help"],
    ],
)
def test_piped_output_never_has_ansi_escapes(proc, seeded, args):
    ran = proc(*args)
    assert ran.stdout.strip()
    assert_quiet_about_internals(ran)


def test_no_color_in_a_pipe(proc, seeded):
    ran = proc("due", "--format", "table", env={"NO_COLOR": "1"})
    assert "Overdue (1)" in ran.stdout
    assert_quiet_about_internals(ran)


def test_version_in_a_real_process(proc):
    ran = proc("--version")
    assert re.fullmatch(r"complog \d+\.\d+\.\d+\n", ran.stdout)
    assert ran.stderr == ""


def test_help_in_a_real_process(proc):
    ran = proc("--help")
    assert "Usage: complog" in ran.stdout
    for name in ("add", "due", "kept", "reschedule", "resolve", "demo"):
        assert name in ran.stdout


@pytest.mark.sqlite_only(
    reason="about the SQLite file: damaged, from a newer complog, left alone by demo"
)
def test_demo_in_a_real_process_leaves_your_logbook_alone(proc, logbook, tmp_path):
    ran = proc("demo", env={"TMPDIR": str(tmp_path)})
    assert "Overdue" in ran.stdout
    assert not logbook.exists()
    assert_quiet_about_internals(ran)


def test_no_arguments_prints_help(proc):
    ran = proc(exit=0)
    assert "Usage: complog" in ran.stdout
    assert "Start with: complog demo" in ran.stdout
    assert ran.stderr == ""


# -- a real terminal -----------------------------------------------------------------

try:
    import pty
except ImportError:  # pragma: no cover - no pseudo-terminals on Windows
    pty = None  # type: ignore[assignment]
needs_terminal = pytest.mark.skipif(pty is None, reason="needs a pseudo-terminal")


def run_in_terminal(args, env=None, answers=(), timeout=30.0):
    """Run complog with stdin/stdout/stderr on a pseudo-terminal; answer prompts in order.

    `answers` is a list of (prompt text, reply) pairs: each reply is typed once the
    prompt text has appeared on the terminal.
    """
    master, slave = pty.openpty()
    full_env = {
        **os.environ,
        "COLUMNS": "80",
        "LINES": "40",
        "TERM": "xterm-256color",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "complog", *args], stdin=slave, stdout=slave, stderr=slave,
        env=full_env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if pending and pending[0][0].encode() in output.rsplit(b"\n", 1)[-1]:
                os.write(master, pending.pop(0)[1].encode() + b"\r")
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return code, output.decode("utf-8", "replace")


def colour_codes(text):
    """The SGR parameters that set a colour (30-37, 38, 40-47, 48, 90-97, 100-107)."""
    found = set()
    for params in COLOUR_SGR.findall(text):
        codes = [int(p) for p in params.split(";") if p]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in (38, 48):
                found.add(code)
                i += 3 if codes[i + 1 : i + 2] == [5] else 5
                continue
            if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                found.add(code)
            i += 1
    return found


@needs_terminal
def test_terminal_gets_a_coloured_table(proc, seeded):
    code, out = run_in_terminal(["due"])
    assert code == 0
    assert "Overdue (1)" in out
    assert colour_codes(out), "a terminal gets colour (so the NO_COLOR test means something)"


@needs_terminal
def test_no_color_turns_colour_off_on_a_terminal(proc, seeded):
    code, out = run_in_terminal(["due"], env={"NO_COLOR": "1"})
    assert code == 0
    assert "Overdue (1)" in out
    assert "●●●●○" in out
    assert colour_codes(out) == set()


@needs_terminal
def test_add_without_arguments_on_a_terminal_asks_for_the_fields(proc):
    code, out = run_in_terminal(
        ["add"],
        answers=[
            ("Customer", "Acme Newsagency"),
            ("What is the complaint", "Till crashes at close"),
            ("Heat", "4"),
            ("Promise made", "Call back with fix"),
            ("Due", "tomorrow 10am"),
        ],
    )
    assert code == 0, out
    assert "Logged complaint 1 for Acme Newsagency (promise 1 due tomorrow 10:00)" in out
    shown = proc("show", "1", "--format", "json").json
    assert shown["summary"] == "Till crashes at close"
    assert shown["heat"] == 4
    assert shown["promises"][0]["due_at"] == "2026-11-24T10:00:00+00:00"
