"""Shell completion (issue 21, item 4): `complog completion bash|zsh|fish` prints the
script; the shell then asks complog (with _COMPLOG_COMPLETE set) for commands, options,
ids of open complaints and promises, and customer names, read from a real logbook.
Commands that are not completing pay nothing for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import assert_clean_error, seed

pytestmark = pytest.mark.sqlite_only(reason="what the shell is offered; not about the back end")


def complete(shell: str, words: str, env: dict[str, str] | None = None) -> list[str]:
    """Ask complog as the shell's script does; the answer's lines."""
    environment = {**os.environ, "_COMPLOG_COMPLETE": f"complete_{shell}", **(env or {})}
    if shell == "bash":
        parts = words.split(" ")
        environment |= {"COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)}
    else:
        environment["_TYPER_COMPLETE_ARGS"] = words
        if shell == "fish":
            environment["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    ran = subprocess.run(
        [sys.executable, "-m", "complog"], capture_output=True, text=True, env=environment,
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr == ""
    return [line for line in ran.stdout.splitlines() if line]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_for_each_shell(run, shell):
    printed = run("completion", shell).stdout
    assert f"_COMPLOG_COMPLETE=complete_{shell}" in printed
    assert "complog" in printed


def test_completion_for_an_unknown_shell_is_a_usage_error(run):
    ran = run("completion", "tcsh", exit=2)
    assert_clean_error(ran, 2, "'tcsh' is not one of 'bash', 'zsh', 'fish'")


def test_bash_completes_ids_of_open_complaints_only(run):
    seed(run)  # complaint 1 open, complaint 2 resolved
    run("add", "Cafe Nord", "Coffee machine leaks")
    assert sorted(complete("bash", "complog show ")) == ["1", "3"]


def test_bash_completes_ids_of_open_promises_only(run):
    seed(run)  # promise 1 open, promise 2 kept
    run("promise", "1", "Send a refund", "--due", "fri")
    assert sorted(complete("bash", "complog kept ")) == ["1", "3"]
    assert sorted(complete("bash", "complog reschedule ")) == ["1", "3"]


def test_zsh_offers_ids_with_what_they_are(run):
    seed(run)
    answer = "\n".join(complete("zsh", "complog note "))
    assert '"1":"Acme Newsagency\\\\: Till crashes at close"' in answer  # zsh escapes ':'
    assert '"2"' not in answer


def test_customer_names_are_completed_ignoring_case(run):
    seed(run)
    run("add", "Acme Garage", "Door stuck")
    answer = complete("fish", "complog customer acme")
    assert sorted(line.split("\t")[0] for line in answer) == ["acme Garage", "acme Newsagency"]
    assert complete("bash", "complog list --customer Bra") == ["Bravo Bakery"]
    assert complete("bash", "complog add Z") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_customer_name_that_would_not_show_inert_is_never_offered_to_the_shell(run, shell):
    """The shell prints what it is offered as it is: an escape sequence in a shared
    logbook's customer would reach the terminal, and a newline would forge a second
    candidate. Such a name is typed, not completed; every other one is still offered."""
    run("add", "Plain Shop", "Till")
    run("add", "Acme\x1b]0;PWN\x07\u202eEvil", "Door")
    run("add", "Acme\nFORGED", "Door")
    run("add", "Acme Garage", "Door")
    answer = "\n".join(complete(shell, "complog customer "))
    assert not [c for c in answer if c in "\x1b\x07\u202e"]
    assert "FORGED" not in answer
    for name in ("Plain Shop", "Acme Garage"):
        assert name in answer


def test_commands_and_options_are_completed(run):
    assert complete("bash", "complog res") == ["reschedule", "resolve", "resume"]
    assert "--outcome" in complete("bash", "complog resolve 1 --")
    assert "--no-pager" in complete("bash", "complog --")


def test_the_logbook_named_on_the_command_line_is_the_one_read(run, tmp_path):
    seed(run)
    other = tmp_path / "other.db"
    run("--db", str(other), "add", "Elsewhere", "One")
    run("--db", str(other), "add", "Elsewhere", "Two")
    assert sorted(complete("bash", f"complog --db {other} show ")) == ["1", "2"]
    assert complete("bash", "complog show ") == ["1"]


def test_no_logbook_completes_nothing_and_creates_nothing(logbook):
    assert complete("bash", "complog show ") == []
    assert not Path(logbook).exists()


def test_bash_itself_completes_through_the_printed_script(run, proc, tmp_path):
    """The real thing: bash sources the script and calls its completion function."""
    seed(run)
    script = tmp_path / "complog.bash"
    script.write_text(proc("completion", "bash").stdout)
    shim = tmp_path / "bin" / "complog"  # the script calls `complog` by name
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m complog "$@"\n')
    shim.chmod(0o755)
    ran = subprocess.run(
        ["bash", "-c", f'source "{script}"; COMP_WORDS=(complog kept ""); COMP_CWORD=2;'
         ' _complog_completion complog; printf "%s\\n" "${COMPREPLY[@]}"'],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}"},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["1"]
