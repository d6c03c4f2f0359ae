"""Write a fixture logbook at a given schema revision (run once per new revision).

    python tests/data/logbooks/make_fixture.py 0001_initial
    LC_ALL=en_GB.UTF-8 python tests/data/logbooks/make_fixture.py 0005_money   # GBP
    LC_ALL=en_GB.UTF-8 python tests/data/logbooks/make_fixture.py 0006_search_path
    LC_ALL=en_GB.UTF-8 python tests/data/logbooks/make_fixture.py 0007_first_reply
    LC_ALL=en_GB.UTF-8 python tests/data/logbooks/make_fixture.py 0008_first_reply_locks

Creates tests/data/logbooks/<revision>.db with a few complaints, notes,
promises (one rescheduled, one kept late), an escalation and a setting (from
0003 a reopened resolution and a wait; from 0004 a complaint added and undone;
from 0005 amounts in two currencies; 0006 changes nothing a SQLite file holds; from
0007 a note out on the second complaint, its first reply kept by the triggers;
0008 changes nothing a SQLite file holds),
written by the services of the program at that time, so upgrade tests open a
real old logbook. Released fixtures are never regenerated.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command

from complog.connect import Location, create_sqlite_file
from complog.services.common import Actor
from complog.services.complaints import (
    Resolution,
    add_note,
    reopen_complaint,
    resolve_complaint,
)
from complog.services.config import set_setting
from complog.services.escalations import escalate
from complog.services.intake import NewComplaint, log_complaint
from complog.services.promises import keep_promise, reschedule_promise
from complog.services.waiting import start_waiting
from complog.store import Store, _alembic_config, _engine


def main(revision: str) -> None:
    path = Path(__file__).parent / f"{revision}.db"
    path.unlink(missing_ok=True)
    location = Location(path=path)
    create_sqlite_file(path)
    engine = _engine(location)
    with engine.connect() as conn, conn.begin():
        command.upgrade(_alembic_config(conn), revision)
    store = Store.__new__(Store)
    store.location, store.engine, store.committed = location, engine, []
    store.commits = 0  # read by Store.transaction from 0.3.1 on
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with store.transaction() as s:
        a = log_complaint(s, Actor("alice", t0), NewComplaint(
            customer="Acme Newsagency", summary="Till crashes at close — ünïcödé ✓", heat=4,
            promise="Call back with fix", due=t0 + timedelta(hours=3), phone="01632 960 001"))  # fmt: skip
        add_note(
            s,
            Actor("alice", t0 + timedelta(hours=1)),
            a.complaint_id,
            "Rang back, left voicemail",
            direction="out",
        )
        set_setting(s, Actor("alice", t0), "day_end", "17:30")
    with store.transaction() as s:
        assert a.promise_id is not None
        keep_promise(s, Actor("alice", t0 + timedelta(hours=5)), a.promise_id, note="Patched")
        b = log_complaint(s, Actor("bob", t0 + timedelta(days=1)), NewComplaint(
            customer="Hillside Dental", summary="Install late", channel="letter", written=True,
            promise="One-day install", due=t0 + timedelta(days=2)))  # fmt: skip
    with store.transaction() as s:
        assert b.promise_id is not None
        reschedule_promise(
            s,
            Actor("bob", t0 + timedelta(days=3)),
            b.promise_id,
            t0 + timedelta(days=5),
            "Parts late",
        )
        escalate(
            s,
            Actor("bob", t0 + timedelta(days=3)),
            b.complaint_id,
            "manager",
            "Install promise broken",
        )
    if revision >= "0003":
        # From 0003: a reopened resolution and a wait on the customer.
        with store.transaction() as s:
            resolve_complaint(s, Actor("alice", t0 + timedelta(days=1)), a.complaint_id, Resolution(
                outcome="Patched the till", compensation="£20 voucher", cause="ours", confirmed=True))  # fmt: skip
            reopen_complaint(
                s, Actor("alice", t0 + timedelta(days=4)), a.complaint_id, "Crashed again"
            )
            start_waiting(s, Actor("alice", t0 + timedelta(days=4, hours=1)), a.complaint_id,
                          "Sending the till's error log")  # fmt: skip
    if revision >= "0004":
        # From 0004: a complaint added and undone, so the high-water mark (3) is above
        # the largest id the logbook holds (2); its number must never come back.
        from complog.services.undo import undo_last

        with store.transaction() as s:
            log_complaint(s, Actor("carol", t0 + timedelta(days=5)), NewComplaint(
                customer="Hillside Dental", summary="Logged on the wrong customer"))  # fmt: skip
        with store.transaction() as s:
            undo_last(s, Actor("carol", t0 + timedelta(days=5, minutes=1)))
    if revision >= "0005":
        # From 0005: losses in two currencies (the logbook's is GBP: run with
        # LC_ALL=en_GB.UTF-8); the reopened resolution's "£20 voucher" is valued.
        from complog.services.complaints import Changes, edit_complaint

        with store.transaction() as s:
            edit_complaint(s, Actor("carol", t0 + timedelta(days=6)), a.complaint_id,
                           Changes(loss="1.000,50 €"))  # fmt: skip
            edit_complaint(s, Actor("carol", t0 + timedelta(days=6)), b.complaint_id,
                           Changes(loss="120.50"))  # fmt: skip
    if revision >= "0007":
        # From 0007: the install's first reply, set by the database as the note is written
        with store.transaction() as s:
            add_note(s, Actor("bob", t0 + timedelta(days=6, hours=2)), b.complaint_id,
                     "Posted the new install date", direction="out")  # fmt: skip
    engine.dispose()
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1])
