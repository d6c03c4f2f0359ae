"""The way out of a command: `run` freezes the garbage collector's objects on exit
(cli/main.py) instead of letting the interpreter's teardown collect them. Nothing a
command leaves behind may depend on that collection: output is complete, the logbook
is closed, not dropped, and the exit status is the command's."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, complog_process

ABOUT_THE_FILE = "the SQLite file's -wal and -shm"


def _leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name + "-"))


@pytest.mark.sqlite_only(reason=ABOUT_THE_FILE)
def test_a_writer_closes_the_logbook_itself(logbook: Path) -> None:
    """The last connection to close checkpoints the WAL and removes it: a writer left
    for the teardown's collection to close would leave the -wal behind. (Read commands
    leave -wal and -shm anyway: a read-only connection may not remove them.)"""
    complog_process("add", "Acme Newsagency", "Till crashes at close", "--promise", "Call back",
                    "--due", "tomorrow 10am")  # fmt: skip
    assert _leftovers(logbook) == []
    complog_process("add", "Acme Newsagency", "Card reader offline")
    assert _leftovers(logbook) == []


@pytest.mark.sqlite_only(reason="the way out, not the back end")
def test_the_exit_status_survives_the_way_out(logbook: Path) -> None:
    complog_process("add", "Acme Newsagency", "Till crashes at close")
    assert complog_process("show", "99", exit=3).stdout == ""
    assert "No such command 'fly'" in complog_process("fly", exit=2).stderr


@pytest.mark.sqlite_only(reason="the way out, not the back end")
def test_a_long_output_through_a_pipe_is_complete_at_exit(logbook: Path) -> None:
    lines = "\n".join(
        json.dumps(
            {
                "customer": f"Customer {i}",
                "summary": f"Complaint {i} " + "x" * 200,
                "opened_at": NOW,
                "owner": "tester",
            }
        )  # fmt: skip
        for i in range(400)
    )
    complog_process("import", "-", "--format", "jsonl", input=lines + "\n")
    listed = json.loads(complog_process("list", "--status", "all", "--format", "json").stdout)
    assert len(listed) == 400


def _open_connections() -> list[object]:
    """Every database connection object still in memory and not closed, garbage or not."""
    import sqlite3

    try:
        import psycopg
    except ImportError:  # only the PostgreSQL tests need it
        psycopg = None  # type: ignore[assignment]
    found: list[object] = []
    for thing in gc.get_objects():
        if isinstance(thing, sqlite3.Connection):
            try:
                thing.total_changes  # noqa: B018  (raises once closed)
            except sqlite3.ProgrammingError:
                continue
            found.append(thing)
        elif psycopg is not None and isinstance(thing, psycopg.Connection) and not thing.closed:
            found.append(thing)
    return found


def test_every_command_closes_its_connections_itself(logbook: Path | str, run: Any) -> None:
    """A connection left for the teardown's collection would never be closed once the
    objects are frozen (a SQLite writer's WAL not checkpointed, a PostgreSQL session
    dropped instead of ended): every command closes what it opened."""
    run("add", "Acme Newsagency", "Till crashes at close", "--promise", "Call back",
        "--due", "tomorrow 10am")  # fmt: skip
    before = {id(c) for c in _open_connections()}
    for args in (
        ["add", "Acme Newsagency", "Card reader offline"],
        ["note", "1", "Rang back"],
        ["due"], ["list"], ["show", "1"], ["search", "till"], ["report", "--format", "json"],
        ["history"], ["escalate", "--auto"], ["customers"], ["digest"],
        ["promise", "1", "Send a voucher", "--due", "fri"], ["kept", "1"],
        ["resolve", "2", "--outcome", "Refunded"], ["undo"],
    ):  # fmt: skip
        run(*args)
        left = [c for c in _open_connections() if id(c) not in before]
        assert left == [], args
