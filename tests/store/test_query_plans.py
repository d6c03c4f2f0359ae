"""The hot queries use the indexes they were written for (EXPLAIN QUERY PLAN).

`due` must stay flat as the logbook grows (docs/performance.md): its promise
queries read ranges of the partial index on open promises, its escalations the
index on acknowledged_at, and `list` the index on (status, opened_at). A schema
change that drops one of them would not fail a functional test, only get slow;
this fails instead. The SQL is what the Reader really runs, captured as it runs.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest

from complog.connect import Location
from complog.queries import open_reader
from complog.rows import ComplaintFilter
from tests.conftest import NOW

pytestmark = pytest.mark.sqlite_only(reason="EXPLAIN QUERY PLAN of SQLite's indexes")


@pytest.fixture
def reader(run, logbook):
    run("add", "Acme Newsagency", "Till crashes", "--promise", "Call back", "--due", "today 10am")
    run("add", "Bravo Bakery", "Oven cold", "--promise", "Visit", "--due", "wed 2pm")
    run("escalate", "1", "--to", "manager", "--reason", "Angry")
    reader = open_reader(Location(path=logbook))
    yield reader
    reader.close()


def plans(reader, call) -> list[tuple[str, list[str]]]:
    """Each statement `call` runs, with its query plan."""
    statements: list[str] = []
    reader.conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        reader.conn.set_trace_callback(None)
    explain = sqlite3.connect(f"file:{reader.location.path}?mode=ro", uri=True)
    try:
        return [
            (sql, [row[3] for row in explain.execute(f"EXPLAIN QUERY PLAN {sql}")])
            for sql in statements
            if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        ]
    finally:
        explain.close()


def _reads(found, alias: str) -> list[str]:
    """How each statement reads the table named `alias` (SEARCH/SCAN lines)."""
    return [
        line
        for _sql, plan in found
        for line in plan
        if line.split(" ")[:2] in (["SEARCH", alias], ["SCAN", alias])
    ]


def test_due_page_reads_ranges_of_the_open_promise_index(reader):
    now = datetime.fromisoformat(NOW)
    reads = _reads(plans(reader, lambda: reader.due(now, limit=20)), "p")
    # overdue, today, upcoming (each LIMITed), and the count per section
    assert len(reads) == 4, reads
    assert all(
        line.startswith("SEARCH p USING INDEX ix_promise_open_due_at (due_at") for line in reads
    ), reads


def test_due_in_full_reads_the_open_promise_index(reader):
    now = datetime.fromisoformat(NOW)
    reads = _reads(plans(reader, lambda: reader.due(now)), "p")
    assert reads == ["SEARCH p USING INDEX ix_promise_open_due_at (due_at<?)"]


def test_due_reads_waiting_complaints_and_the_money_at_stake_by_index(reader):
    now = datetime.fromisoformat(NOW)
    found = plans(reader, lambda: reader.due(now, limit=20))
    assert set(_reads(found, "op")) == {
        "SEARCH op USING INDEX ix_promise_complaint_id (complaint_id=?)"
    }
    # open complaints by the status index, each probed for an open wait
    assert _reads(found, "w") == ["SEARCH w USING INDEX uq_wait_open_complaint_id (complaint_id=?)"]
    assert "SEARCH c USING INDEX ix_complaint_status_opened_at (status=?)" in _reads(found, "c")


def test_unacknowledged_escalations_use_the_acknowledged_index(reader):
    found = plans(reader, lambda: reader.escalations(unacknowledged=True, open_complaints=True))
    assert _reads(found, "e") == [
        "SEARCH e USING INDEX ix_escalation_acknowledged_at (acknowledged_at=?)"
    ]


def test_list_of_open_complaints_uses_the_status_index(reader):
    found = plans(reader, lambda: reader.complaints(ComplaintFilter(status="open", limit=50)))
    assert _reads(found, "c") == ["SEARCH c USING INDEX ix_complaint_status_opened_at (status=?)"]


def test_a_customer_by_name_is_two_ranges_of_the_name_key_index(reader):
    """Its key, and customers migration 0005 kept apart under it (key, newline, id),
    by the unique constraint's index (SQLite names it sqlite_autoindex_customer_1)."""
    found = plans(reader, lambda: reader.find_customer("ＡＣＭＥ newsagency"))
    reads = [line for line in _reads(found, "customer") if "name_key" in line]
    assert reads == [
        "SEARCH customer USING INDEX sqlite_autoindex_customer_1 (name_key=?)",
        "SEARCH customer USING INDEX sqlite_autoindex_customer_1 (name_key>? AND name_key<?)",
    ]
