"""Exactly-once automatic escalation, enforced by the database.

Three real `complog escalate --auto` processes started together over 30
triggers must leave exactly 30 escalations, with no errors; the unique key on
(complaint, rule, trigger) is what decides, not a check before inserting.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from complog.settings import RULES
from tests.cli.helpers import query

TRIGGERS = 30
LATER = "2026-11-24T12:00:00+00:00"  # every promise below is well past its grace


def _thirty_overdue_promises(run) -> None:
    for rule in RULES:
        if rule != "overdue-promise":
            run("config", f"rule.{rule}", "off")
    for n in range(1, TRIGGERS + 1):
        run("add", f"Customer {n:02d}", f"Complaint {n}", "--promise", f"Call back {n}",
            "--due", "2026-11-23 10:00")  # fmt: skip


def _escalation_rows(logbook: Path | str) -> list[tuple[int, str, str]]:
    return query(
        logbook, "SELECT complaint_id, rule, trigger FROM escalation ORDER BY complaint_id"
    )


def test_three_concurrent_auto_runs_escalate_each_trigger_exactly_once(run, logbook):
    _thirty_overdue_promises(run)
    env = {**os.environ, "COMPLOG_NOW": LATER}
    command = [sys.executable, "-m", "complog", "escalate", "--auto", "--format", "json"]
    processes = [
        subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(3)
    ]
    results = [(p.communicate(timeout=120), p.returncode) for p in processes]

    for (_, stderr), code in results:
        assert code == 0, stderr
        assert stderr == ""
    reported = [row for (stdout, _), _ in results for row in json.loads(stdout)]
    assert len(reported) == TRIGGERS
    assert sorted(r["complaint_id"] for r in reported) == list(range(1, TRIGGERS + 1))
    assert len({r["id"] for r in reported}) == TRIGGERS

    rows = _escalation_rows(logbook)
    assert rows == [
        (n, "overdue-promise", f"promise {n} due 2026-11-23 10:00") for n in range(1, TRIGGERS + 1)
    ]
    # And a fourth run, after the race, has nothing left to do.
    after = run("escalate", "--auto", "--exit-code", env={"COMPLOG_NOW": LATER}, exit=0)
    assert after.stdout == "Nothing to escalate.\n"


def test_concurrent_auto_runs_with_exit_code_report_whether_they_escalated(run, logbook):
    _thirty_overdue_promises(run)
    env = {**os.environ, "COMPLOG_NOW": LATER}
    command = [sys.executable, "-m", "complog", "escalate", "--auto", "--exit-code"]
    processes = [
        subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(3)
    ]
    results = [(p.communicate(timeout=120), p.returncode) for p in processes]

    escalated = 0
    for (stdout, stderr), code in results:
        assert stderr == ""
        if stdout == "Nothing to escalate.\n":
            assert code == 0
        else:
            assert code == 1
            header = stdout.splitlines()[0]
            assert header.startswith("Escalated ") and header.endswith(":")
            count = int(header.removeprefix("Escalated ").removesuffix(":"))
            assert stdout.count("[overdue-promise]") == count
            escalated += count
    assert escalated == TRIGGERS
    assert len(_escalation_rows(logbook)) == TRIGGERS


def test_the_database_refuses_a_second_row_for_the_same_trigger(run, logbook, backend):
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-23 10:00")
    run("escalate", "--auto", env={"COMPLOG_NOW": LATER})
    ((rule, trigger),) = query(
        logbook, "SELECT rule, trigger FROM escalation WHERE rule = 'overdue-promise'"
    )
    again = (
        "INSERT INTO escalation (complaint_id, to_whom, reason, rule, trigger, at, actor)"
        " VALUES (1, 'manager', 'again', ?, ?, '2026-11-24 12:00:00.000000', 'x')"
    )
    if backend == "postgres":
        import psycopg

        with pytest.raises(psycopg.errors.UniqueViolation, match="uq_escalation"):
            query(logbook, again, (rule, trigger))
        return
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        query(logbook, again, (rule, trigger))


def test_applying_the_same_firings_twice_inserts_them_once(run, logbook):
    from complog.connect import resolve_location
    from complog.rules import Firing
    from complog.services.common import Actor
    from complog.services.escalations import apply_firings
    from complog.store import open_store

    run("add", "Acme", "Till crashes")
    firings = [
        Firing(1, "Acme", "quiet-hot", "quiet since 2026-11-20 10:00", "quiet", "manager"),
        Firing(1, "Acme", "slow-resolution", "opened 2026-11-20 10:00", "slow", "manager"),
    ]
    store = open_store(resolve_location(str(logbook)))
    actor = Actor(user="cron", now=datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    with store.transaction() as session:
        first = apply_firings(session, actor, firings)
    with store.transaction() as session:
        second = apply_firings(session, actor, [*firings, firings[0]])
    store.engine.dispose()
    assert [(f.rule, new_id) for f, new_id in first] == [("quiet-hot", 1), ("slow-resolution", 2)]
    assert second == []
    assert len(_escalation_rows(logbook)) == 2


_HOLD_AND_RESOLVE = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE promise SET status = 'cancelled', cancelled_at = '2026-11-24 11:00:00.000000'")
db.execute("UPDATE complaint SET status = 'resolved', resolved_at = '2026-11-24 11:00:00.000000'")
print("locked", flush=True)
time.sleep(2)
db.execute("COMMIT")
"""


@pytest.mark.sqlite_only(reason="SQLite's write lock is the subject")
def test_auto_reads_the_facts_only_once_it_holds_the_write_lock(run, logbook):
    """Another writer resolves the complaint while `escalate --auto` waits for the
    lock: the run must see it resolved. Read before the lock (as it once was), the
    overdue promise of a complaint already resolved got escalated."""
    _thirty_overdue_promises(run)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_AND_RESOLVE, str(logbook)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    auto = run("escalate", "--auto", "--format", "json", env={"COMPLOG_NOW": LATER})
    assert holder.wait(timeout=60) == 0
    assert json.loads(auto.stdout) == []
    assert _escalation_rows(logbook) == []
