"""Messages in complog's words, not a library's (issue 21, item 7): ids are read
in every form complog prints them, and a mistake says what to do instead."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from complog.settings import SPECS
from tests.cli.helpers import assert_clean_error, seed

# -- ids as complog prints them ---------------------------------------------------


@pytest.mark.parametrize("given", ["1", "#1", " #1 ", "# 1", "1.0", "+1"])
def test_a_complaint_id_is_read_as_printed(run, given):
    seed(run)
    assert run("show", given, "-f", "json").json["id"] == 1


@pytest.mark.parametrize("given", ["3", "P3", "p3"])
def test_a_promise_id_is_read_as_printed(run, given):
    seed(run)
    run("promise", "1", "Visit", "--due", "fri")
    assert run("kept", given, "-f", "json").json["id"] == 3


@pytest.mark.parametrize("given", ["1", "E1", "e1"])
def test_an_escalation_id_is_read_as_printed(run, given):
    seed(run)
    run("escalate", "#1", "--to", "manager", "--reason", "Angry")
    assert run("ack", given, "-f", "json").json["id"] == 1


def test_optional_complaint_ids_are_read_as_printed_too(run):
    seed(run)
    assert {e["complaint_id"] for e in run("history", "#1", "-f", "json").json} == {1}


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["show", "abc"], "'abc' is not a complaint id",
         "give it as complog prints it, e.g. 12 or #12 (complog list --status all shows them)"),
        (["show", ""], "'' is not a complaint id", "e.g. 12 or #12"),
        (["show", "P1"], "'P1' is a promise id, not a complaint id",
         "complog show takes a complaint id, e.g. 12 or #12"),
        (["show", "E1"], "'E1' is an escalation id, not a complaint id", "complog show takes"),
        (["kept", "#1"], "'#1' is a complaint id, not a promise id",
         "complog kept takes a promise id, e.g. 3 or P3"),
        (["kept", "x"], "'x' is not a promise id", "e.g. 3 or P3"),
        (["ack", "P1"], "'P1' is a promise id, not an escalation id", "e.g. 2 or E2"),
        (["ack", "x"], "'x' is not an escalation id", "complog escalations lists them"),
    ],
)  # fmt: skip
def test_a_malformed_id_is_a_usage_error_in_complogs_words(run, args, message, hint):
    seed(run)
    ran = run(*args, exit=2)
    assert_clean_error(ran, 2, message)
    assert hint in ran.stderr.splitlines()[1]
    assert "Input should be" not in ran.stderr


@pytest.mark.parametrize("args", [["show", "-1"], ["kept", "-3"], ["ack", "-2"]])
def test_a_negative_id_is_not_an_unknown_option(run, args):
    ran = run(*args, exit=2)
    assert_clean_error(ran, 2, f"{args[1]} is not an id: ids are positive numbers")
    assert "No such option" not in ran.stderr


# -- global options after the command -------------------------------------------------


@pytest.mark.parametrize(
    ("args", "option", "example"),
    [
        (["due", "--db", "x.db"], "--db", "complog --db FILE due ..."),
        (["list", "--user=sam"], "--user", "complog --user NAME list ..."),
        (["show", "1", "--version"], "--version", "complog --version show ..."),
    ],
)
def test_a_global_option_after_the_command_says_it_goes_first(run, args, option, example):
    ran = run(*args, exit=2)
    assert_clean_error(ran, 2, f"{option} is a global option: it goes before the command")
    assert ran.stderr.splitlines()[1] == f"  e.g. {example}"


def test_an_unknown_option_still_gets_clicks_suggestion(run):
    ran = run("list", "--formt", "json", exit=2)
    assert_clean_error(ran, 2, "No such option: --formt (Possible options: --format)")


# -- values ------------------------------------------------------------------------


def test_edit_heat_out_of_range_explains_the_scale_as_add_does(run):
    seed(run)
    edited = run("edit", "1", "--heat", "9", exit=2)
    added = run("add", "Acme", "Till", "--heat", "9", exit=2)
    assert (
        edited.stderr
        == added.stderr
        == ("complog: error: invalid heat 9\n  heat runs from 1 (calm) to 5 (boiling)\n")
    )


def test_list_of_an_unknown_customer_suggests_the_near_spelling(run):
    run("add", "Café Nord", "Cold coffee")
    ran = run("list", "--customer", "cafe nord", "-f", "json")
    assert ran.json == []
    assert ran.stderr == "warning: no customer named 'cafe nord'; did you mean 'Café Nord'?\n"
    nobody = run("list", "--customer", "Nobody", "-f", "json")
    assert nobody.stderr == "warning: no customer named 'Nobody'; complog customers lists them\n"


def test_config_of_an_unknown_key_lists_every_key(run):
    ran = run("config", "nosuchkey", exit=2)
    assert_clean_error(ran, 2, "unknown setting 'nosuchkey'")
    for key in SPECS:
        assert key in ran.stderr.splitlines()[1], key
    for key in ("acknowledge_within", "hooks_dir", "hook_timeout", "rule.unacknowledged"):
        assert key in ran.stderr


def test_config_of_a_misspelt_key_suggests_it(run):
    ran = run("config", "day_ends", exit=2)
    assert ran.stderr.splitlines()[1].startswith("  did you mean 'day_end'? known settings: tz,")


def test_resolve_names_the_open_promises_by_id(run):
    seed(run)
    run("promise", "1", "Visit", "--due", "fri")
    ran = run("resolve", "1", "--outcome", "Fixed", exit=4)
    assert ran.stderr.splitlines()[0] == (
        "complog: error: complaint 1 still has 2 open promises: P1, P3"
    )


def test_resolve_with_one_open_promise_names_it(run):
    run("add", "Acme", "Till")
    run("add", "Bravo", "Oven", "--promise", "Visit", "--due", "fri")
    assert "still has 1 open promise: P1\n" in run("resolve", "2", "--outcome", "x", exit=4).stderr


# -- help ------------------------------------------------------------------------------


def test_help_summaries_are_whole_sentences():
    """Each command's line in `complog --help`, on a terminal wide enough, is its
    first paragraph on one line, not broken where the docstring's lines break."""
    from typer.main import get_command

    from complog.cli.main import app

    wide = {**os.environ, "COLUMNS": "400", "TERMINAL_WIDTH": "400"}
    out = subprocess.run(
        [sys.executable, "-m", "complog", "--help"],
        capture_output=True, text=True, env=wide, check=True,
    ).stdout  # fmt: skip
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        first = " ".join(command.help.split("\n\n")[0].split())
        line = next(row for row in out.splitlines() if row.startswith(f"│ {name} "))
        assert first in line, (name, line)


# -- interactive add, on a real terminal --------------------------------------------


def _interactive_add(steps: list[tuple[bytes, bytes]]) -> tuple[str, int]:
    """`complog add` on a pseudo-terminal: for each (prompt, keys), wait for the
    prompt, then type the keys. Returns everything the terminal showed, and the exit code."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: complog on the terminal
        # As a login shell leaves it: CI starts jobs with SIGINT ignored, which the
        # child would inherit, and Ctrl-C on the terminal would then do nothing.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execv(sys.executable, [sys.executable, "-m", "complog", "add"])
    seen, closed = b"", False

    def read(until: bytes | None, timeout: float = 30) -> None:
        nonlocal seen, closed
        start, end = len(seen), time.monotonic() + timeout
        while (
            not closed and time.monotonic() < end and (until is None or until not in seen[start:])
        ):
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child exited and its terminal closed
                    chunk = b""
                closed = not chunk
                seen += chunk

    def wait_until_reading() -> None:
        """Until complog sleeps in read(0, ...): a key typed between the prompt and
        that read would be a signal Python notes but acts on only at the next one."""
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:
                syscall = Path(f"/proc/{pid}/syscall").read_text().split()
            except OSError:
                return
            if len(syscall) > 1 and syscall[1] == "0x0":
                return
            time.sleep(0.02)

    try:
        for prompt, keys in steps:
            read(prompt)
            wait_until_reading()
            os.write(fd, keys)
        read(None, timeout=15)  # until it exits and its terminal closes
    finally:
        if not closed:  # still waiting for input: a failure, never a hung test
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert closed, "complog add was still asking:\n" + seen.decode(errors="replace")
    return seen.decode(errors="replace"), os.waitstatus_to_exitcode(status)


@pytest.mark.sqlite_only(reason="a terminal session; the logbook is not its subject")
def test_interactive_heat_out_of_range_gives_the_range_and_asks_again(logbook):
    out, code = _interactive_add(
        [(b"Customer", b"Acme\r"), (b"complaint", b"Till broke\r"), (b"Heat", b"9\r"),
         (b"Heat", b"4\r"), (b"Promise", b"\r")]
    )  # fmt: skip
    assert "'9' is not a heat: heat runs from 1 (calm) to 5 (boiling)" in out
    assert "Please select one of the available options" not in out
    assert "Logged complaint 1 for Acme" in out
    assert code == 0


@pytest.mark.sqlite_only(reason="a terminal session; the logbook is not its subject")
@pytest.mark.parametrize(
    ("key", "message", "code"),
    [
        (b"\x03", "Interrupted; nothing was saved.", 130),
        (b"\x04", "Aborted; nothing was saved.", 2),
    ],
    ids=["ctrl-c", "ctrl-d"],
)
def test_interactive_add_says_nothing_was_saved_on_ctrl_c_and_ctrl_d(logbook, key, message, code):
    out, exit_code = _interactive_add([(b"Customer", b"Acme\r"), (b"complaint", key)])
    assert message in out
    assert exit_code == code
    assert not logbook.exists()
