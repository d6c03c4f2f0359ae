"""`complaint.first_reply_at` (migration 0007) is the earliest note out or kept promise,
whatever changes them: complog's commands (a note with --at, kept, undo, erase,
import) and SQL run by hand (psql), on both back ends. Each step compares the column
with the value found in Python from the notes and promises themselves."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from typing import Any

import pytest

from complog.connect import resolve_location
from complog.queries import Reader, open_reader
from complog.storedtime import decode_time


@pytest.fixture
def reader(run: Any) -> Iterator[Reader]:
    run("add", "Acme", "Till broken", "--at", "2026-11-02 09:00", "--promise", "Call back",
        "--due", "2026-11-03 12:00")  # fmt: skip
    run("add", "Hillside", "Install late", "--at", "2026-11-02 10:00")
    opened = open_reader(resolve_location(os.environ["COMPLOG_DB"]))
    yield opened
    opened.close()


def first_replies(reader: Reader) -> dict[int, tuple[datetime | None, datetime | None]]:
    """Per complaint: (the column, the earliest note out or kept promise)."""
    found: dict[int, datetime | None] = {}
    stored: dict[int, datetime | None] = {}
    for cid, kept in reader.tuples("SELECT complaint_id, kept_at FROM promise"):
        found[cid] = _earlier(found.get(cid), decode_time(kept))
    for cid, direction, moment in reader.tuples("SELECT complaint_id, direction, at FROM note"):
        found[cid] = _earlier(found.get(cid), decode_time(moment) if direction == "out" else None)
    for cid, first in reader.tuples("SELECT id, first_reply_at FROM complaint"):
        stored[cid] = decode_time(first)
    return {cid: (stored[cid], found.get(cid)) for cid in stored}


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def assert_kept(reader: Reader) -> dict[int, datetime | None]:
    replies = first_replies(reader)
    assert all(column == expected for column, expected in replies.values()), replies
    return {cid: column for cid, (column, _) in replies.items()}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text + "+00:00")


def test_the_first_reply_follows_complogs_commands(run, reader):
    assert assert_kept(reader) == {1: None, 2: None}
    run("note", "1", "Customer rang again", "--in", "--at", "2026-11-02 09:30")
    run("note", "1", "Left a voicemail", "--internal", "--at", "2026-11-02 09:40")
    assert assert_kept(reader) == {1: None, 2: None}  # neither is a reply
    run("note", "1", "Rang back", "--out", "--at", "2026-11-02 15:00")
    assert assert_kept(reader)[1] == utc("2026-11-02 15:00")
    run("kept", "1", "--at", "2026-11-02 11:00")  # the promise kept before that call
    assert assert_kept(reader)[1] == utc("2026-11-02 11:00")
    run("note", "1", "Emailed the fix", "--out", "--at", "2026-11-02 10:00")
    assert assert_kept(reader)[1] == utc("2026-11-02 10:00")
    run("undo")  # the earliest note goes: back to the kept promise
    assert assert_kept(reader)[1] == utc("2026-11-02 11:00")
    run("undo")  # the promise is open again: back to the note out
    assert assert_kept(reader)[1] == utc("2026-11-02 15:00")
    run("note", "2", "Posted a new date", "--out", "--at", "2026-11-03 09:00")
    assert assert_kept(reader) == {1: utc("2026-11-02 15:00"), 2: utc("2026-11-03 09:00")}
    run("erase", "Hillside", "--yes")  # free text goes; the counts (and times) stay
    run("resolve", "1", "--outcome", "Fixed", "--confirmed", "--cancel-open-promises")
    run("reopen", "1", "--reason", "Crashed again")
    assert assert_kept(reader) == {1: utc("2026-11-02 15:00"), 2: utc("2026-11-03 09:00")}


def test_an_undone_complaint_takes_its_first_reply_with_it(run, reader):
    run("add", "Acme", "Logged twice", "--at", "2026-11-02 11:00")
    run("note", "3", "Rang back", "--out", "--at", "2026-11-02 12:00")
    assert assert_kept(reader)[3] == utc("2026-11-02 12:00")
    run("undo")
    run("undo")
    assert 3 not in assert_kept(reader)


def test_an_import_gets_first_replies_from_its_notes_and_promises(run, reader, tmp_path):
    run("note", "1", "Rang back", "--out", "--at", "2026-11-02 15:00")
    run("kept", "1", "--at", "2026-11-02 11:00")
    exported = tmp_path / "logbook.json"
    run("export", "--format", "json", "--out", str(exported))
    other = tmp_path / "other" / "complog.db"
    run("--db", str(other), "import", str(exported))
    with closing(open_reader(resolve_location(str(other)))) as imported:
        assert assert_kept(imported) == {1: utc("2026-11-02 11:00"), 2: None}


class Psql:
    """SQL run by hand on this test's logbook, as psql or sqlite3 would."""

    def __init__(self) -> None:
        self.url = os.environ["COMPLOG_DB"]

    def __call__(self, statement: str) -> None:
        if "://" in self.url:
            import psycopg

            with psycopg.connect(self.url.replace("+psycopg", "")) as conn:
                conn.execute(statement)
        else:
            with closing(sqlite3.connect(self.url)) as conn, conn:
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute(statement)


def test_the_first_reply_follows_sql_written_by_hand(run, reader):
    sql = Psql()
    run("note", "1", "Rang back", "--out", "--at", "2026-11-02 15:00")
    run("note", "1", "Emailed", "--out", "--at", "2026-11-02 13:00")
    run("kept", "1", "--at", "2026-11-02 14:00")
    assert assert_kept(reader)[1] == utc("2026-11-02 13:00")
    sql("UPDATE note SET direction = 'in' WHERE text = 'Emailed'")
    assert assert_kept(reader)[1] == utc("2026-11-02 14:00")
    sql("UPDATE promise SET kept_at = NULL, status = 'open' WHERE complaint_id = 1")
    assert assert_kept(reader)[1] == utc("2026-11-02 15:00")
    sql("UPDATE note SET complaint_id = 2 WHERE text = 'Rang back'")  # moved to the other
    assert assert_kept(reader) == {1: None, 2: utc("2026-11-02 15:00")}
    sql("UPDATE note SET direction = 'out' WHERE text = 'Emailed'")
    sql("UPDATE note SET at = '2026-11-02 08:00:00+00' WHERE text = 'Emailed'")
    assert assert_kept(reader)[1] == utc("2026-11-02 08:00")
    sql("INSERT INTO promise (complaint_id, text, owner, due_at, status, created_at,"
        " created_by, kept_at) VALUES (2, 'Kept at once', 'sam', '2026-11-02 12:00:00+00',"
        " 'kept', '2026-11-02 11:00:00+00', 'sam', '2026-11-02 11:30:00+00')")  # fmt: skip
    assert assert_kept(reader)[2] == utc("2026-11-02 11:30")
    sql("DELETE FROM promise WHERE text = 'Kept at once'")
    sql("DELETE FROM note WHERE text = 'Emailed'")
    assert assert_kept(reader) == {1: None, 2: utc("2026-11-02 15:00")}
    sql("DELETE FROM complaint WHERE id = 2")  # its notes go with it (cascade)
    assert assert_kept(reader) == {1: None}


def test_the_report_counts_the_first_reply_the_database_keeps(run, reader):
    run("note", "1", "Rang back", "--out", "--at", "2026-11-02 11:00")
    run("kept", "1", "--at", "2026-11-02 10:00")
    report = run("report", "--format", "json").json
    # opened 09:00, first reply (the kept promise) 10:00: one working hour
    assert report["first_response_median_hours"] == 1.0


# -- two writers at once on PostgreSQL (psql, or any program without complog's lock) --


OUT = ("INSERT INTO note (complaint_id, at, recorded_at, author, channel, direction, text)"
       " VALUES (1, '{at}', '{at}', 'sam', 'phone', 'out', '{text}')")  # fmt: skip


def _concurrently(url: str, first: str, second: str, isolation: str = "") -> list[Exception]:
    """`first` in one transaction, then `second` in another while the first is still
    open (it may wait for the first's locks); the first commits, then the second.
    With `isolation`, the second's transaction takes its snapshot before the first
    commits; returns the second's serialization failures (it was rolled back)."""
    import threading

    import psycopg

    plain = url.replace("+psycopg", "")
    with psycopg.connect(plain) as one, psycopg.connect(plain) as two:
        if isolation:
            two.execute(f"SET TRANSACTION ISOLATION LEVEL {isolation}")
            two.execute("SELECT count(*) FROM note").fetchall()  # its snapshot
        one.execute(first)
        failed: list[psycopg.Error] = []
        retry: list[Exception] = []

        def write() -> None:
            try:
                two.execute(second)
                two.commit()
            except psycopg.errors.SerializationFailure as exc:
                retry.append(exc)
                two.rollback()
            except psycopg.Error as exc:  # reported by the test's thread
                failed.append(exc)

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(0.5)  # it runs, or waits for `one`'s row locks
        one.commit()
        writer.join(30)
        assert not writer.is_alive() and not failed, failed
    return retry


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # a later note out goes in while the earliest is deleted: the later one is first
        (
            OUT.format(at="2026-11-02 13:00:00+00", text="later"),
            "DELETE FROM note WHERE text = 'earliest'",
            "2026-11-02 13:00",
        ),
        # the two notes out deleted at once: no reply is left
        ("DELETE FROM note WHERE text = 'earliest'", "DELETE FROM note WHERE text = 'next'", None),
        # a note out is taken back while the promise is kept later
        (
            "DELETE FROM note WHERE direction = 'out'",
            "UPDATE promise SET kept_at = '2026-11-02 16:00:00+00', status = 'kept'",
            "2026-11-02 16:00",
        ),
    ],
    ids=["insert-and-delete", "two-deletes", "delete-and-keep"],
)
def test_two_transactions_at_once_on_postgres_leave_the_right_first_reply(
    postgres_logbook, run, first, second, expected
):
    """READ COMMITTED, PostgreSQL's default (migration 0008): an UPDATE that waited for another
    transaction's row lock re-checks its WHERE on the new row, but its subqueries
    still read the notes as they were when it started. The trigger must see the
    other transaction's notes and promises once it has the complaint's row."""
    run("add", "Acme", "Till broken", "--at", "2026-11-02 09:00", "--promise", "Call back",
        "--due", "2026-11-03 12:00")  # fmt: skip
    Psql()(OUT.format(at="2026-11-02 12:00:00+00", text="earliest"))
    Psql()(OUT.format(at="2026-11-02 14:00:00+00", text="next"))
    _concurrently(postgres_logbook, first, second)
    with closing(open_reader(resolve_location(postgres_logbook))) as reader:
        column = assert_kept(reader)[1]
    assert column == (None if expected is None else utc(expected))


@pytest.mark.parametrize("table", ["note", "promise"])
def test_a_truncated_table_takes_its_first_replies_with_it_on_postgres(
    postgres_logbook, run, table
):
    """TRUNCATE (psql; an admin emptying a table) fires no row triggers: a statement
    trigger recomputes what it took."""
    run("add", "Acme", "Till broken", "--at", "2026-11-02 09:00", "--promise", "Call back",
        "--due", "2026-11-03 12:00")  # fmt: skip
    run("add", "Hillside", "Install late", "--at", "2026-11-02 10:00")
    run("note", "1", "Rang back", "--out", "--at", "2026-11-02 15:00")
    run("note", "2", "Emailed", "--out", "--at", "2026-11-02 16:00")
    run("kept", "1", "--at", "2026-11-02 11:00")
    Psql()(f"TRUNCATE {table} CASCADE")  # (promise: its reschedules too)
    with closing(open_reader(resolve_location(postgres_logbook))) as reader:
        kept = assert_kept(reader)
    left = {"note": {1: utc("2026-11-02 11:00"), 2: None},
            "promise": {1: utc("2026-11-02 15:00"), 2: utc("2026-11-02 16:00")}}  # fmt: skip
    assert kept == left[table]


@pytest.mark.xfail(
    strict=True,
    reason="the triggers keep the first reply in READ COMMITTED only: under REPEATABLE"
    " READ the recompute reads its transaction's snapshot, and a note inserted by a"
    " transaction that only locked the complaint (its note was not the earliest) is"
    " not in it; the other did not update the row, so no serialization failure either",
)
def test_a_repeatable_read_transaction_leaves_the_right_first_reply_on_postgres(
    postgres_logbook, run
):
    run("add", "Acme", "Till broken", "--at", "2026-11-02 09:00")
    Psql()(OUT.format(at="2026-11-02 12:00:00+00", text="earliest"))
    later = OUT.format(at="2026-11-02 13:00:00+00", text="later")
    _concurrently(postgres_logbook, later, "DELETE FROM note WHERE text = 'earliest'",
                  isolation="REPEATABLE READ")  # fmt: skip
    with closing(open_reader(resolve_location(postgres_logbook))) as reader:
        assert_kept(reader)  # 13:00, or the delete failed to serialize (12:00)
