"""Two writers at once: no lost write, no "database is locked", no lost update.

SPEC "Storage guarantees": write transactions start with BEGIN IMMEDIATE, so
concurrent writers (two crons, two terminals) never lose a write and never
fail with "database is locked". The writers are real processes
(tests/store/_ops.py) released together by a pipe barrier.

The control experiment runs the same load through sqlite3 with complog's own
connection settings but a plain deferred BEGIN, and shows it failing: the
guarantee comes from BEGIN IMMEDIATE, and this test would notice losing it.

Read-modify-write paths (reschedule, settings, ack, kept) raced by two
processes end with exact totals: every change is counted once, none is lost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.helpers import query
from tests.store._ops import load_command, run

OPS = Path(__file__).with_name("_ops.py")


def race(
    tmp_path: Path, workers: list[tuple[list[str], dict[str, str]]]
) -> tuple[list[str], float]:
    """Start one _ops.py process per (arguments, environment), release them
    together, and return their stdout and the seconds from release to the last exit."""
    read_end, write_end = os.pipe()
    with ExitStack() as stack:
        errs = [stack.enter_context(open(tmp_path / f"worker-{n}.err", "w+")) for n in range(len(workers))]  # fmt: skip
        processes = [
            subprocess.Popen(
                [sys.executable, str(OPS), *args, "--barrier-fd", str(read_end)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                pass_fds=(read_end,),
                env={**os.environ, **env},
            )  # fmt: skip
            for (args, env), err in zip(workers, errs, strict=True)
        ]
        os.close(read_end)
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline() == "ready\n"
        started = time.perf_counter()
        os.close(write_end)  # the barrier: every worker starts now
        outputs = [p.communicate(timeout=1800)[0] for p in processes]
        elapsed = time.perf_counter() - started
        stderr = []
        for err in errs:
            err.seek(0)
            stderr.append(err.read())
    assert [p.returncode for p in processes] == [0] * len(processes), stderr
    assert stderr == [""] * len(processes)
    return outputs, elapsed


def script_race(tmp_path: Path, scripts: list[tuple[list[list[str]], dict[str, str]]]) -> list[list[dict]]:  # fmt: skip
    """Each worker runs its list of commands; their results, in order."""
    workers = []
    for n, (commands, env) in enumerate(scripts):
        path = tmp_path / f"script-{n}.json"
        path.write_text(json.dumps(commands))
        workers.append((["script", str(path)], env))
    outputs, _ = race(tmp_path, workers)
    return [[json.loads(line) for line in out.splitlines()] for out in outputs]


# -- 2 writers x N adds ----------------------------------------------------------


def two_writers(logbook: Path, tmp_path: Path, proc, writes: int) -> None:
    proc("init")
    outputs, elapsed = race(tmp_path, [(["adds", p, str(writes)], {}) for p in "AB"])

    reported = []
    for prefix, out in zip("AB", outputs, strict=True):
        lines = out.splitlines()
        assert [line for line in lines if not line.startswith("added ")] == []
        reported.append({summary: int(i) for _, i, summary in (line.split(" ", 2) for line in lines)})  # fmt: skip
        assert sorted(reported[-1]) == [f"{prefix}-{n:05d}" for n in range(writes)]
    a_ids, b_ids = sorted(reported[0].values()), sorted(reported[1].values())
    assert a_ids[-1] > b_ids[0] and b_ids[-1] > a_ids[0]  # the writers really overlapped
    stored = dict(query(logbook, "SELECT summary, id FROM complaint"))
    assert stored == {**reported[0], **reported[1]}  # 0 lost, ids as printed
    assert sorted(stored.values()) == list(range(1, 2 * writes + 1))
    assert query(logbook, "SELECT count(*) FROM event WHERE action = 'add'") == [(2 * writes,)]
    assert query(logbook, "PRAGMA integrity_check") == [("ok",)]
    print(
        f"\n2 writer processes x {writes} adds: {2 * writes} stored, 0 lost, "
        f'0 "database is locked", {elapsed:.1f}s ({2 * writes / elapsed:.0f} writes/s)'
    )


@pytest.mark.sqlite_only(
    reason="BEGIN IMMEDIATE and integrity_check of the SQLite file; two PostgreSQL writers: tests/pg"
)
def test_two_writer_processes_1000_adds_each_lose_nothing_and_are_never_locked(
    logbook, tmp_path, proc
):
    two_writers(logbook, tmp_path, proc, 1000)


@pytest.mark.sqlite_only(
    reason="BEGIN IMMEDIATE and integrity_check of the SQLite file; two PostgreSQL writers: tests/pg"
)
@pytest.mark.slow
def test_two_writer_processes_5000_adds_each_lose_nothing_and_are_never_locked(
    logbook, tmp_path, proc
):
    two_writers(logbook, tmp_path, proc, 5000)


@pytest.mark.sqlite_only(reason="the control experiment is SQLite's deferred BEGIN")
@pytest.mark.parametrize("begin", ["deferred", "immediate"])
def test_control_the_same_load_with_a_deferred_begin_fails_with_database_is_locked(
    begin, logbook, tmp_path, proc
):
    """The same read-then-write transaction, complog's connection settings, two
    processes x 1000: a deferred BEGIN loses writes to "database is locked"
    (its read snapshot goes stale before it can write, and waiting cannot help);
    BEGIN IMMEDIATE loses none."""
    proc("init")
    writes = 1000
    outputs, elapsed = race(
        tmp_path, [(["deferred", p, str(writes), "--begin", begin], {}) for p in "AB"]
    )
    counts = [json.loads(out) for out in outputs]
    ok = sum(c["ok"] for c in counts)
    locked = sum(c["locked"] for c in counts)
    assert [c["other"] for c in counts] == [0, 0]
    assert ok + locked == 2 * writes
    assert query(logbook, "SELECT count(*) FROM complaint") == [(ok,)]
    assert query(logbook, "SELECT count(*) FROM event") == [(ok,)]
    print(f'\ncontrol, BEGIN {begin.upper()}: 2 x {writes} writes, {locked} "database is locked", {ok} stored, {elapsed:.1f}s')  # fmt: skip
    if begin == "deferred":
        assert locked > 0
    else:
        assert locked == 0


# -- lost updates -------------------------------------------------------------------


@pytest.fixture
def cli(logbook):
    """Set-up commands in-process (one Click command, built once)."""
    command = load_command()

    def invoke(*args: str) -> str:
        code, out, err = run(command, list(args))
        assert code == 0, err
        return out

    return invoke


def test_two_processes_rescheduling_one_promise_count_every_move_once(logbook, tmp_path, cli):
    moves = 150
    cli("add", "Acme Newsagency", "Till crashes", "--promise", "Engineer visit", "--due", "2026-12-01 10:00")  # fmt: skip
    written = {
        worker: [(start + timedelta(minutes=n)).isoformat() for n in range(moves)]
        for worker, start in (
            ("alice", datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
            ("bob", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        )
    }
    results = script_race(
        tmp_path,
        [
            (
                [
                    ["reschedule", "1", "--due", due, "--reason", f"{w} {n}"]
                    for n, due in enumerate(dues)
                ],
                {"COMPLOG_USER": w},
            )  # fmt: skip
            for w, dues in written.items()
        ],
    )

    counts = []
    for worker in results:
        assert [r["code"] for r in worker] == [0] * moves, worker
        counts.append([int(r["stdout"].rsplit("rescheduled ", 1)[1].split(" ")[0]) for r in worker])
    # Each move saw a distinct history length: 1..300, each exactly once.
    assert sorted(counts[0] + counts[1]) == list(range(1, 2 * moves + 1))
    assert counts[0] == sorted(counts[0]) and counts[1] == sorted(counts[1])
    assert min(counts[0]) < max(counts[1]) and min(counts[1]) < max(counts[0])  # interleaved
    rows = query(logbook, "SELECT old_due_at, new_due_at, actor FROM reschedule WHERE promise_id = 1 ORDER BY id")  # fmt: skip
    assert len(rows) == 2 * moves
    # An unbroken chain: every move started from the due time the previous one set.
    assert rows[0][0] == "2026-12-01 10:00:00.000000"
    assert [old for old, _, _ in rows[1:]] == [new for _, new, _ in rows[:-1]]
    assert Counter(actor for _, _, actor in rows) == {"alice": moves, "bob": moves}
    (final,) = query(logbook, "SELECT due_at FROM promise WHERE id = 1")
    assert final[0] == rows[-1][1]
    assert datetime.fromisoformat(final[0]).replace(tzinfo=UTC).isoformat() in {
        written["alice"][-1],
        written["bob"][-1],
    }
    assert query(logbook, "SELECT count(*) FROM event WHERE action = 'reschedule'") == [
        (2 * moves,)
    ]


def test_two_processes_changing_working_hours_never_leave_a_day_that_ends_before_it_starts(
    logbook, tmp_path, cli
):
    """day_start and day_end are checked together (start < end): two processes
    moving one each must not both pass the check against a stale other value."""
    cli("init")
    starts = [f"{h:02d}:00" for h in (8, 12, 16, 10, 14) * 20]
    ends = [f"{h:02d}:00" for h in (17, 11, 15, 9, 13) * 20]
    results = script_race(
        tmp_path,
        [
            ([["config", "day_start", v] for v in starts], {"COMPLOG_USER": "alice"}),
            ([["config", "day_end", v] for v in ends], {"COMPLOG_USER": "bob"}),
        ],
    )

    accepted = 0
    for worker in results:
        for r in worker:
            assert r["code"] in (0, 2), r
            if r["code"] == 2:
                assert r["stderr"].startswith("complog: error: day_end must be later than day_start\n")  # fmt: skip
            accepted += r["code"] == 0
    assert 0 < accepted < len(starts) + len(ends)  # some were refused: the check ran
    events = query(logbook, "SELECT before, after FROM event WHERE action = 'config' ORDER BY id")
    assert len(events) == accepted
    # Replaying the audit log: each change saw the value the previous one left, and
    # after every change the day started before it ended.
    state = {"day_start": "09:00", "day_end": "17:00"}
    explicit: dict[str, str] = {}
    for before, after in events:
        change = json.loads(after)
        assert (json.loads(before) if before else {}).get("value") == explicit.get(change["key"])
        explicit[change["key"]] = state[change["key"]] = change["value"]
        assert state["day_start"] < state["day_end"], state
    # (the logbook's currency, written when it was created, is no racer's)
    assert (
        dict(query(logbook, "SELECT key, value FROM setting WHERE key <> 'currency'")) == explicit
    )


@pytest.mark.parametrize("what", ["ack", "kept"])
def test_two_processes_closing_the_same_items_close_each_exactly_once(what, logbook, tmp_path, cli):
    """`ack ESC_ID` / `kept PID` raced over 30 items: per item one exits 0 and the other 4."""
    items = 30
    for n in range(1, items + 1):
        cli("add", f"Customer {n}", f"Complaint {n}", "--promise", f"Call back {n}", "--due", "tomorrow 10am")  # fmt: skip
        cli("escalate", str(n), "--to", "manager", "--reason", "Customer threatens to leave")
    ids = [str(n) for n in range(1, items + 1)]
    results = script_race(
        tmp_path,
        [([[what, i] for i in ids], {"COMPLOG_USER": user}) for user in ("alice", "bob")],
    )

    winners = {}
    for user, other, worker in (("alice", "bob", results[0]), ("bob", "alice", results[1])):
        for item, r in zip(range(1, items + 1), worker, strict=True):
            if r["code"] == 0:
                winners[item] = winners.get(item, []) + [user]
                continue
            assert r["code"] == 4, r
            assert r["stdout"] == ""
            expected = (
                f"complog: error: escalation {item} was already acknowledged by {other}\n"
                if what == "ack"
                else f"complog: error: promise {item} is already kept\n"
            )
            assert r["stderr"].startswith(expected), r
    assert sorted(winners) == list(range(1, items + 1))
    assert all(len(w) == 1 for w in winners.values()), winners
    by_winner = [(i, winners[i][0]) for i in range(1, items + 1)]
    if what == "ack":
        assert query(logbook, "SELECT id, acknowledged_by FROM escalation ORDER BY id") == by_winner
    else:
        assert query(logbook, "SELECT id FROM promise WHERE status = 'kept' ORDER BY id") == [
            (i,) for i in range(1, items + 1)
        ]
    # One audit event per item, by the process that won it.
    events = query(logbook, f"SELECT entity_id, actor FROM event WHERE action = '{what}'")
    assert sorted((int(i), actor) for i, actor in events) == by_winner
