"""The report's promise rules said twice agree: `kpis.due_promises` (the rules on
`PromiseFigures`: `broken`, `counts_as_due`) and the SQL the read path runs instead
of decoding 300,000 promises (`queries.report._DUE_PROMISES`), on a real logbook on
both back ends.

The logbook is in Pacific/Auckland (UTC+13 in November), so a local week starts on
Sunday 11:00 UTC: the SQL's rows, bisected into weeks in their stored form, must
land in the weeks the decoded datetimes land in. Every promise is one edge case,
named beside it; `--at`, `--due` and COMPLOG_NOW are local wall-clock times.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complog.connect import resolve_location
from complog.kpis import DuePromises, PromiseFigures, build_report, due_promises
from complog.queries import Reader, open_reader
from complog.queries.base import stored_time
from complog.storedtime import decode_time

ZONE = ZoneInfo("Pacific/Auckland")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def at(text: str) -> dict[str, str]:
    """COMPLOG_NOW at a local wall-clock time."""
    return {"COMPLOG_NOW": local(text).isoformat()}


#: (owner, due, what happens to it: (command, arguments..., local time it happens))
PROMISES: list[tuple[str, str, list[tuple[str, ...]]]] = [
    ("alice", "2026-11-10 12:00", [("kept", "2026-11-10 11:00")]),  # 1 kept on time
    ("alice", "2026-11-10 15:00", [("kept", "2026-11-10 15:00")]),  # 2 kept exactly at due
    ("bob", "2026-11-11 10:00", [("kept", "2026-11-11 10:01")]),  # 3 kept late
    # 4 rescheduled early, then kept before the new due time: on time
    ("bob", "2026-11-12 10:00",
     [("reschedule", "2026-11-13 10:00", "2026-11-11 09:00"), ("kept", "2026-11-13 09:00")]),
    # 5 rescheduled late, then kept before the new due time: broken at the first due
    ("carol", "2026-11-12 10:00",
     [("reschedule", "2026-11-14 10:00", "2026-11-12 11:00"), ("kept", "2026-11-14 09:00")]),
    # 6 rescheduled late twice: broken at its first due time, not the second
    ("carol", "2026-11-13 10:00",
     [("reschedule", "2026-11-17 10:00", "2026-11-13 12:00"),
      ("reschedule", "2026-11-20 10:00", "2026-11-17 12:00")]),
    # 7 due at local Monday 00:00 exactly (the first instant of a week), kept before
    ("alice", "2026-11-16 00:00", [("kept", "2026-11-15 23:00")]),
    ("alice", "2026-11-15 23:59", []),  # 8 the last minute of the week before; overdue
    ("bob", "2026-11-18 10:00", [("cancel", "2026-11-17 10:00")]),  # 9 cancelled in time
    ("bob", "2026-11-18 10:00", [("cancel", "2026-11-19 10:00")]),  # 10 cancelled too late
    ("carol", "2026-12-30 10:00", []),  # 11 open, not due yet
    # 12 rescheduled early to after now: not due
    ("carol", "2026-11-25 10:00", [("reschedule", "2026-12-28 10:00", "2026-11-20 09:00")]),
    # 13 rescheduled late to after now: due (and broken) at its old due time
    ("dave", "2026-11-20 10:00", [("reschedule", "2026-12-29 10:00", "2026-11-21 09:00")]),
    ("alice", "2026-11-27 09:00", []),  # 14 due at the very instant of now: not due yet
    ("dave", "2026-11-23 10:00", [("cancel", "2026-11-23 10:00")]),  # 15 cancelled at due
    # 16 rescheduled early and then late: broken at the due time it had then
    ("dave", "2026-11-24 10:00",
     [("reschedule", "2026-11-24 18:00", "2026-11-23 09:00"),
      ("reschedule", "2026-11-26 10:00", "2026-11-24 19:00"), ("kept", "2026-11-25 09:00")]),
    ("ëve ☃", "2026-11-19 10:00", [("kept", "2026-11-19 09:59")]),  # 17 a unicode owner
]  # fmt: skip

NOW = "2026-11-27 09:00"


@pytest.fixture
def promises_book(run: Any) -> Iterator[Reader]:
    run("config", "tz", "Pacific/Auckland")
    run("add", "Acme", "Till broken", "--at", "2026-11-02 09:00", env=at("2026-11-02 09:00"))
    for pid, (owner, due, events) in enumerate(PROMISES, start=1):
        run("promise", "1", f"Promise {pid}", "--due", due, "--owner", owner,
            env=at("2026-11-02 10:00"))  # fmt: skip
        for event in events:
            if event[0] == "kept":
                run("kept", str(pid), "--at", event[1], env=at(event[1]))
            elif event[0] == "cancel":
                run("cancel", str(pid), "--reason", "no longer wanted", env=at(event[1]))
            else:
                run("reschedule", str(pid), "--due", event[1], "--reason", "moved",
                    env=at(event[2]))  # fmt: skip
    reader = open_reader(resolve_location(os.environ["COMPLOG_DB"]))
    yield reader
    reader.close()


def promise_figures(reader: Reader) -> list[PromiseFigures]:
    """Every promise as `PromiseFigures`, its first late reschedule found in Python
    (earliest by time, then id): independent of the SQL under test."""
    first_late: dict[int, tuple[Any, ...]] = {}
    for promise_id, moment, rid, old_due, late in reader.tuples(
        "SELECT promise_id, at, id, old_due_at, late FROM reschedule"
    ):
        key = (decode_time(moment), rid, decode_time(old_due))
        if late and (promise_id not in first_late or key < first_late[promise_id]):
            first_late[promise_id] = key
    return [
        PromiseFigures(
            pid,
            owner,
            stored_time(due),
            status,
            decode_time(kept),
            decode_time(cancelled),
            first_late[pid][2] if pid in first_late else None,
        )  # fmt: skip
        for pid, owner, due, status, kept, cancelled in reader.tuples(
            "SELECT id, owner, due_at, status, kept_at, cancelled_at FROM promise"
        )
    ]


def due_times(reader: Reader) -> list[datetime]:
    """Every due time a promise has had, sorted: given as the week starts, the week
    number `counts` returns names a promise's effective due time exactly."""
    times = {stored_time(r[0]) for r in reader.tuples("SELECT due_at FROM promise")}
    times |= {stored_time(r[0]) for r in reader.tuples("SELECT old_due_at FROM reschedule")}
    return sorted(times)


def per_promise(
    promises: DuePromises, starts: list[datetime]
) -> dict[tuple[str, datetime, bool], int]:
    """The counts by owner, due time (week number -> the start it names) and kept."""
    return {
        (owner, starts[week - 1], bool(kept)): n
        for (owner, week, kept), n in promises.counts(starts).items()
    }


def decoded(promises: DuePromises, reader: Reader) -> list[tuple[str, datetime, bool]]:
    """One (owner, effective due time, kept on time) per due promise, sorted."""
    return sorted(
        row for row, n in per_promise(promises, due_times(reader)).items() for _ in range(n)
    )


WINDOWS = [
    # since, until, now (local); None: from the beginning
    (None, "2026-11-27 09:00", NOW),
    (None, "2026-12-31 00:00", NOW),  # until after now: due means due by now
    ("2026-11-16 00:00", "2026-11-20 00:00", NOW),  # starts at a week's first instant
    ("2026-11-12 10:00", "2026-11-16 00:00", NOW),  # since = a due time, until = a week start
    ("2026-11-15 23:59", "2026-11-15 23:59:00.000001", NOW),  # one microsecond
    (None, "2026-12-31 00:00", "2026-11-18 12:00"),  # now in the middle: open ones not late yet
    ("2026-11-10 15:00", "2026-11-24 10:00", "2026-11-12 10:30"),
]


@pytest.mark.parametrize(("since", "until", "now"), WINDOWS)
def test_sql_promise_rules_agree_with_the_pure_rules(
    promises_book: Reader, since: str | None, until: str, now: str
) -> None:
    start = local(since) if since else None
    end, moment = local(until), local(now)
    _complaints, from_sql, _n = promises_book.report_figures(start, end, moment)
    pure = due_promises(promise_figures(promises_book), start, end, moment)
    assert decoded(from_sql, promises_book) == decoded(pure, promises_book)
    # and with week starts that are no promise's due time: local Mondays, from before
    # the first promise to after the last
    mondays = [local("2026-11-02 00:00") + timedelta(weeks=i) for i in range(10)]
    assert dict(from_sql.counts(mondays)) == dict(pure.counts(mondays))
    assert dict(from_sql.counts([])) == dict(pure.counts([]))


def test_sql_promise_rules_on_the_edge_cases(promises_book: Reader) -> None:
    """The whole logbook at NOW, each promise's verdict spelled out."""
    _complaints, from_sql, _n = promises_book.report_figures(None, local(NOW), local(NOW))
    by_due = {(owner, due.astimezone(ZONE).strftime("%m-%d %H:%M")): kept
              for owner, due, kept in decoded(from_sql, promises_book)}  # fmt: skip
    assert by_due == {
        ("alice", "11-10 12:00"): True,  # 1
        ("alice", "11-10 15:00"): True,  # 2 kept exactly at due
        ("bob", "11-11 10:00"): False,  # 3 kept late
        ("bob", "11-13 10:00"): True,  # 4 rescheduled early, kept in time
        ("carol", "11-12 10:00"): False,  # 5 broken at its first due time
        ("carol", "11-13 10:00"): False,  # 6 the first late reschedule's old due
        ("alice", "11-16 00:00"): True,  # 7
        ("alice", "11-15 23:59"): False,  # 8 overdue
        ("bob", "11-18 10:00"): False,  # 10 cancelled after its due time (9 is not due)
        ("dave", "11-20 10:00"): False,  # 13 (11, 12, 14 and 15 are not due)
        ("dave", "11-24 18:00"): False,  # 16
        ("ëve ☃", "11-19 10:00"): True,  # 17
    }


@pytest.mark.parametrize("since", [None, "2026-11-09 00:00", "2026-11-15 23:59"])
def test_report_from_sql_equals_the_report_from_the_pure_rules(
    promises_book: Reader, since: str | None
) -> None:
    """The weekly series bisect the stored due times into local weeks: the whole
    report equals the one built from decoded promises, week boundaries included."""
    settings = promises_book.settings()
    start = local(since) if since else None
    moment = local(NOW)
    end = moment + timedelta(microseconds=1)
    complaints, from_sql, n = promises_book.report_figures(start, end, moment)
    pure = due_promises(promise_figures(promises_book), start, end, moment)
    reports = [
        build_report(
            complaints, promises, n, calendar=settings.calendar,
            resolve_within=settings.resolve_within, since=start, until=end, now=moment,
        ).as_dict()
        for promises in (from_sql, pure)
    ]  # fmt: skip
    assert reports[0] == reports[1]
    weeks = {
        w["week"]: (w["promises_due"], w["promises_kept_on_time"]) for w in reports[0]["weekly"]
    }
    if since is None:
        # 7 (Mon 16 00:00) is the first promise of its week; 8 (Sun 15 23:59) the last of
        # the week before: 1, 2, 3, 4, 5, 6 and 8 are due in the week of Mon 9
        assert weeks["2026-11-09"] == (7, 3)
        assert weeks["2026-11-16"] == (4, 2)  # 7, 10, 13, 17
        assert weeks["2026-11-23"] == (1, 0)  # 16


def test_a_customer_added_between_the_reports_reads_is_looked_up_not_dropped(
    promises_book: Reader, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report reads customers' names before the complaints (queries.report): an
    `add` that commits in between, with a new customer, still counts its complaint."""
    stream = promises_book.stream

    def add_after_the_names(sql: str, params: Any = None) -> Iterator[tuple[Any, ...]]:
        yield from stream(sql, params)
        if sql.startswith("SELECT id, name FROM customer"):
            run("add", "Newco", "Arrived mid-report", env=at("2026-11-20 09:00"))

    monkeypatch.setattr(promises_book, "stream", add_after_the_names)
    complaints, _promises, _n = promises_book.report_figures(None, local(NOW), local(NOW))
    stored = dict(promises_book.tuples(
        "SELECT c.id, cu.name FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
    ))  # fmt: skip
    assert "Newco" in stored.values()
    assert {c.id: c.customer for c in complaints} == stored
