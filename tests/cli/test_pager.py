"""A pager for long output on a terminal (issue 21, item 3), as git and gh page theirs:
only on a terminal, only tables and plain text, only when longer than the screen;
COMPLOG_PAGER, the config file's pager, PAGER, then less -FRX; --no-pager for none.
Run on a real pseudo-terminal with a fake pager that records what it was given."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only(reason="a terminal session; the logbook is not its subject")


@dataclass
class OnTerminal:
    code: int
    screen: str  # what reached the terminal
    stderr: str


def on_terminal(*args: str, env: dict[str, str] | None = None, lines: int = 8) -> OnTerminal:
    """complog with its standard output on a pseudo-terminal of `lines` rows."""
    master, slave = pty.openpty()
    environment = {**os.environ, "LINES": str(lines), "COLUMNS": "100", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "complog", *args],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env=environment,
        start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    screen = b""
    while True:  # drain the terminal as it fills, until complog (and the pager) closed it
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    stderr = process.stderr.read().decode() if process.stderr else ""
    code = process.wait(timeout=60)
    os.close(master)
    return OnTerminal(code, screen.decode(errors="replace").replace("\r\n", "\n"), stderr)


@pytest.fixture
def pager(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake pager: copies what it is given to a file (and $LESS beside it). Set as
    COMPLOG_PAGER; PAGER is unset. Returns the file it writes."""
    script = tmp_path / "fake-pager"
    paged = tmp_path / "paged"
    script.write_text(f'#!/bin/sh\ncat > "{paged}"\nprintf "%s" "$LESS" > "{paged}.less"\n')
    script.chmod(0o755)
    monkeypatch.setenv("COMPLOG_PAGER", str(script))
    monkeypatch.delenv("PAGER", raising=False)
    return paged


@pytest.fixture
def many(run) -> None:
    """Twelve open complaints: `list` is longer than an 8-line terminal."""
    for n in range(12):
        run("add", f"Customer {n:02}", f"Complaint number {n:02}")


def test_a_listing_longer_than_the_terminal_goes_to_the_pager(many, pager):
    ran = on_terminal("list")
    assert ran.code == 0, ran.stderr
    paged = pager.read_text()
    assert "Complaint number 00" in paged and "Complaint number 11" in paged
    assert "Complaint number" not in ran.screen  # the pager had it all
    assert (pager.parent / "paged.less").read_text() == "FRX"
    assert ran.stderr == ""


def test_a_listing_that_fits_the_terminal_is_not_paged(run, pager):
    run("add", "Acme", "Till broke")
    ran = on_terminal("list", lines=40)
    assert ran.code == 0, ran.stderr
    assert "Till broke" in ran.screen
    assert not pager.exists()


def test_no_pager_flag_writes_straight_to_the_terminal(many, pager):
    ran = on_terminal("--no-pager", "list")
    assert ran.code == 0, ran.stderr
    assert "Complaint number 11" in ran.screen
    assert not pager.exists()


@pytest.mark.parametrize("format", ["json", "csv"])
def test_json_and_csv_are_never_paged(many, pager, format):
    ran = on_terminal("list", "--format", format)
    assert ran.code == 0, ran.stderr
    assert "Complaint number 11" in ran.screen
    assert not pager.exists()


def test_output_to_a_pipe_is_never_paged(many, pager, proc):
    ran = proc("list", env={"LINES": "5"})
    assert "Complaint number 11" in ran.stdout
    assert not pager.exists()


def test_a_pager_that_quits_at_once_is_not_an_error(run, tmp_path, monkeypatch):
    """`q` in less before the end: no BrokenPipe traceback, exit 0, as for `| head`."""
    run("add", "Acme", "Till broke")
    run("note", "1", "-", input="A very long call note. " * 8000)  # ~180 kB: > a pipe's buffer
    monkeypatch.setenv("COMPLOG_PAGER", "true")  # exits without reading a byte
    ran = on_terminal("show", "1")
    assert ran.code == 0, ran.stderr
    assert ran.stderr == ""


def test_the_config_file_pager_is_used_and_complog_pager_overrides_it(many, pager, tmp_path):
    other = tmp_path / "other-pager"
    other.write_text(f'#!/bin/sh\ncat > "{tmp_path / "other"}"\n')
    other.chmod(0o755)
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "complog"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(f'pager = "{other}"\n')
    on_terminal("list")  # COMPLOG_PAGER is set: it wins
    assert pager.exists() and not (tmp_path / "other").exists()
    ran = on_terminal("list", env={"COMPLOG_PAGER": str(other)})
    assert ran.code == 0 and (tmp_path / "other").exists()


def test_the_config_file_pager_beats_pager_and_false_turns_paging_off(
    many, pager, tmp_path, monkeypatch
):
    monkeypatch.delenv("COMPLOG_PAGER")
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "complog"
    folder.mkdir(parents=True)
    config = folder / "config.toml"
    config.write_text("pager = false\n")
    ran = on_terminal("list", env={"PAGER": str(pager.parent / "fake-pager")})
    assert "Complaint number 11" in ran.screen and not pager.exists()
    config.write_text(f'pager = "{pager.parent / "fake-pager"}"\n')
    on_terminal("list", env={"PAGER": "false"})
    assert pager.exists()


def test_pager_is_used_when_complog_pager_is_not_set(many, pager, monkeypatch):
    monkeypatch.setenv("PAGER", os.environ["COMPLOG_PAGER"])
    monkeypatch.delenv("COMPLOG_PAGER")
    ran = on_terminal("list")
    assert ran.code == 0
    assert "Complaint number 11" in pager.read_text()


def test_a_pager_that_is_not_installed_leaves_the_output_on_the_terminal(many, monkeypatch):
    monkeypatch.setenv("COMPLOG_PAGER", "no-such-pager-xyz -R")
    ran = on_terminal("list")
    assert ran.code == 0
    assert "Complaint number 11" in ran.screen


def test_no_pager_after_the_command_says_it_is_a_global_option(run):
    ran = run("list", "--no-pager", exit=2)
    assert ran.stderr == (
        "complog: error: --no-pager is a global option: it goes before the command\n"
        "  e.g. complog --no-pager list ...\n"
    )
