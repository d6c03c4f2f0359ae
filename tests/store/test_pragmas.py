"""Every connection has the logbook's pragmas, and writes take the lock up front
with BEGIN IMMEDIATE (SPEC "Storage guarantees")."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from complog.connect import Location, busy_timeout, connect_sqlite
from complog.store import open_store

pytestmark = pytest.mark.sqlite_only(
    reason="SQLite pragmas, WAL and BEGIN IMMEDIATE; PostgreSQL's advisory write lock is tested in tests/pg"
)

EXPECTED = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}


def test_connect_sqlite_gives_wal_full_sync_foreign_keys_and_a_busy_timeout(logbook, run):
    run("init")
    with closing(connect_sqlite(logbook)) as conn:
        pragmas = {name: conn.execute(f"PRAGMA {name}").fetchone()[0] for name in EXPECTED}
        busy = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    assert pragmas == EXPECTED
    assert busy == int(busy_timeout() * 1000)
    assert busy > 0


def test_store_engine_connections_have_the_same_pragmas(logbook):
    store = open_store(Location(path=logbook))
    with store.engine.connect() as conn:
        pragmas = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in EXPECTED}
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert pragmas == EXPECTED
    assert busy is not None and busy > 0


def test_store_transaction_begins_with_begin_immediate(logbook):
    from sqlalchemy import event, text

    store = open_store(Location(path=logbook))
    statements: list[str] = []
    event.listen(
        store.engine, "before_cursor_execute",
        lambda _conn, _cursor, statement, *_rest: statements.append(statement),
    )  # fmt: skip
    with store.transaction() as session:
        session.execute(text("SELECT count(*) FROM complaint")).scalar()
    assert statements[:2] == ["BEGIN IMMEDIATE", "SELECT count(*) FROM complaint"]


def test_store_transaction_holds_the_write_lock_from_its_first_read(logbook):
    """With a deferred BEGIN a read takes only a shared lock, and the later
    upgrade to a write lock is what fails with "database is locked"."""
    from sqlalchemy import text

    store = open_store(Location(path=logbook))
    with closing(sqlite3.connect(logbook, timeout=0, isolation_level=None)) as other:
        with store.transaction() as session:
            session.execute(text("SELECT count(*) FROM complaint")).scalar()
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
            # WAL: readers are never blocked by the writer.
            assert other.execute("SELECT count(*) FROM complaint").fetchone() == (0,)
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")


@pytest.fixture
def write_lock_held(logbook, proc):
    """Another process's writer holding the write lock (with a change pending)."""
    proc("add", "Acme Newsagency", "Till crashes at close")
    with closing(sqlite3.connect(logbook, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE complaint SET heat = 5")
        yield
        other.execute("ROLLBACK")


def test_writer_waiting_beyond_the_busy_timeout_exits_5_and_changes_nothing(
    write_lock_held, logbook, proc
):
    ran = proc(
        "add", "Hillside Dental", "Wrong invoice", exit=5, env={"COMPLOG_BUSY_TIMEOUT": "0.1"}
    )

    assert ran.stdout == ""
    assert ran.stderr == (
        f"complog: error: the logbook {logbook} is locked by another process\n"
        "  waited 0.1s; try again, or set COMPLOG_BUSY_TIMEOUT\n"
    )
    with closing(sqlite3.connect(logbook)) as conn:
        assert conn.execute("SELECT count(*) FROM complaint").fetchone() == (1,)


def test_reading_commands_are_not_blocked_by_a_writer_holding_the_lock(write_lock_held, proc):
    listed = proc("list", "--format", "json", env={"COMPLOG_BUSY_TIMEOUT": "0.1"}).json
    assert [(c["id"], c["heat"]) for c in listed] == [(1, 3)]


def test_logbook_in_an_existing_empty_file_is_put_in_wal_mode(logbook, proc):
    logbook.parent.mkdir(mode=0o700)
    logbook.touch(mode=0o600)

    proc("add", "Acme Newsagency", "Till crashes at close")

    with closing(sqlite3.connect(logbook)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
