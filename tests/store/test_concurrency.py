"""Concurrent writers and kill -9: no lost write, no "database is locked", no corruption.

SPEC "Storage guarantees": concurrent writers never lose a write and never fail
with "database is locked"; a command that returned 0 has its change on disk
(survives kill -9). The writers are real processes running tests/store/_writer.py.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import IO

import pytest

from complog.connect import SCHEMA_HEAD

pytestmark = pytest.mark.sqlite_only(
    reason="two processes creating the same SQLite file at once, and kill -9 of SQLite writers; two writers on PostgreSQL are in tests/pg"
)

WRITER = Path(__file__).with_name("_writer.py")


def spawn_writer(
    prefix: str,
    count: int,
    stderr: IO[str],
    *extra: str,
    barrier_fd: int | None = None,
    new_session: bool = False,
) -> subprocess.Popen[str]:
    args = [sys.executable, str(WRITER), prefix, str(count), *extra]
    if barrier_fd is not None:
        args += ["--barrier-fd", str(barrier_fd)]
    return subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, text=True,
        pass_fds=() if barrier_fd is None else (barrier_fd,), start_new_session=new_session,
    )  # fmt: skip


def added(lines: str) -> dict[str, int]:
    """`added ID SUMMARY` lines -> {summary: id}; any other line fails the test."""
    result: dict[str, int] = {}
    for line in lines.splitlines():
        kind, number, summary = line.split(" ", 2)
        assert kind == "added", line
        result[summary] = int(number)
    return result


@contextmanager
def database(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path)) as conn:
        yield conn


def complaints_by_summary(path: Path) -> dict[str, int]:
    with database(path) as conn:
        return {s: i for i, s in conn.execute("SELECT id, summary FROM complaint")}


def integrity(path: Path) -> list[tuple[str]]:
    with database(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchall()


def foreign_key_problems(path: Path) -> list[tuple[object, ...]]:
    with database(path) as conn:
        return conn.execute("PRAGMA foreign_key_check").fetchall()


def audited_complaint_ids(path: Path) -> list[int]:
    with database(path) as conn:
        rows = conn.execute(
            "SELECT entity_id FROM event WHERE entity = 'complaint' AND action = 'add'"
        ).fetchall()
    return sorted(int(r[0]) for r in rows)


def test_two_processes_adding_200_complaints_each_at_once_lose_nothing(logbook, proc, tmp_path):
    proc("init")
    read_end, write_end = os.pipe()
    with ExitStack() as stack:
        errs = [stack.enter_context(open(tmp_path / f"writer-{p}.err", "w+")) for p in "AB"]
        writers = [
            spawn_writer(p, 200, err, barrier_fd=read_end)
            for p, err in zip("AB", errs, strict=True)
        ]
        os.close(read_end)
        for writer in writers:
            assert writer.stdout is not None
            assert writer.stdout.readline() == "ready\n"
        os.close(write_end)  # the barrier: both writers start now
        outputs = [writer.communicate(timeout=300)[0] for writer in writers]
        stderr = []
        for err in errs:
            err.seek(0)
            stderr.append(err.read())

    assert [w.returncode for w in writers] == [0, 0], stderr
    for text in stderr:
        assert "locked" not in text
        assert "error" not in text
    reported = [added(out) for out in outputs]
    assert sorted(reported[0]) == [f"A-{n:04d}" for n in range(200)]
    assert sorted(reported[1]) == [f"B-{n:04d}" for n in range(200)]
    a_ids, b_ids = sorted(reported[0].values()), sorted(reported[1].values())
    assert a_ids[-1] > b_ids[0] and b_ids[-1] > a_ids[0]  # the writers really overlapped
    stored = complaints_by_summary(logbook)
    assert stored == {**reported[0], **reported[1]}
    assert sorted(stored.values()) == list(range(1, 401))
    assert integrity(logbook) == [("ok",)]
    assert foreign_key_problems(logbook) == []
    assert audited_complaint_ids(logbook) == list(range(1, 401))
    with database(logbook) as conn:
        customers = conn.execute("SELECT name, count(*) FROM customer GROUP BY name_key").fetchall()
        per_customer = conn.execute(
            "SELECT count(*) FROM complaint GROUP BY customer_id ORDER BY customer_id"
        ).fetchall()
    assert sorted(customers) == [(f"Shared customer {n}", 1) for n in range(10)]
    assert per_customer == [(40,)] * 10
    listed = proc("list", "--status", "all", "--format", "json").json
    assert len(listed) == 400


def test_two_processes_creating_the_same_new_logbook_at_once_both_succeed(logbook, tmp_path):
    assert not logbook.exists()
    read_end, write_end = os.pipe()
    with open(tmp_path / "writers.err", "w+") as err:
        writers = [spawn_writer(p, 20, err, barrier_fd=read_end) for p in "AB"]
        os.close(read_end)
        for writer in writers:
            assert writer.stdout is not None
            assert writer.stdout.readline() == "ready\n"
        os.close(write_end)
        outputs = [writer.communicate(timeout=120)[0] for writer in writers]
        err.seek(0)
        stderr = err.read()

    assert [w.returncode for w in writers] == [0, 0], stderr
    assert "locked" not in stderr
    assert len(complaints_by_summary(logbook)) == 40
    assert {**added(outputs[0]), **added(outputs[1])} == complaints_by_summary(logbook)
    with database(logbook) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (SCHEMA_HEAD,)
        ]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert integrity(logbook) == [("ok",)]


def kill_loop(logbook: Path, tmp_path: Path, *, rounds: int, seed: int, subprocesses: bool) -> int:
    """Start a writer, let it complete a random number of adds, SIGKILL it at a
    random moment after that; check nothing it reported is lost. Returns how
    many adds were reported complete in all."""
    rng = random.Random(seed)
    extra = ("--subprocess",) if subprocesses else ()
    total = 0
    for round_number in range(rounds):
        prefix = f"K{round_number:02d}"
        wait_for_adds = rng.randint(0, 2 if subprocesses else 6)
        # The fault injection: how long after the last awaited add the kill lands
        # (mid-transaction, mid-commit, mid-render, or between two adds).
        delay = rng.uniform(0.0, 0.6 if subprocesses else 0.05)
        with open(tmp_path / f"{prefix}.err", "w+") as err:
            writer = spawn_writer(prefix, 0, err, *extra, new_session=True)
            assert writer.stdout is not None
            assert writer.stdout.readline() == "ready\n"
            early = [writer.stdout.readline() for _ in range(wait_for_adds)]
            time.sleep(delay)
            os.killpg(writer.pid, signal.SIGKILL)  # the writer and its `complog add` child
            rest, _ = writer.communicate(timeout=60)
            err.seek(0)
            stderr = err.read()
        assert writer.returncode == -signal.SIGKILL, stderr
        assert "locked" not in stderr
        reported = added("".join(early) + rest)
        assert len(reported) >= wait_for_adds
        stored = {s: i for s, i in complaints_by_summary(logbook).items() if s.startswith(prefix)}
        # Every add reported complete is on disk with the id it printed ...
        assert {s: stored.get(s) for s in reported} == reported
        # ... and at most one more: the add that committed but was killed before printing.
        assert len(stored) - len(reported) in (0, 1)
        total += len(reported)
    return total


def check_logbook_after_kills(logbook: Path, proc) -> None:
    assert integrity(logbook) == [("ok",)]
    assert foreign_key_problems(logbook) == []
    stored = complaints_by_summary(logbook)
    # One write, one transaction, one audit event: a killed add leaves both or neither.
    assert audited_complaint_ids(logbook) == sorted(stored.values())
    listed = proc("list", "--status", "all", "--format", "json").json
    assert sorted(c["id"] for c in listed) == sorted(stored.values())
    assert proc("add", "After the kills", "Still writable").stdout.startswith("Logged complaint")


def test_writer_killed_with_sigkill_20_times_keeps_every_completed_add(logbook, proc, tmp_path):
    proc("init")
    total = kill_loop(logbook, tmp_path, rounds=20, seed=20261123, subprocesses=False)
    assert total >= 20  # the seed makes the writers complete some adds before most kills
    check_logbook_after_kills(logbook, proc)


@pytest.mark.slow
def test_real_add_processes_killed_with_sigkill_keep_every_add_that_exited_0(
    logbook, proc, tmp_path
):
    """The same loop with one real `python -m complog add` process per complaint:
    the kill also lands during interpreter start-up, opening and migration checks."""
    proc("init")
    total = kill_loop(logbook, tmp_path, rounds=20, seed=7, subprocesses=True)
    assert total >= 5
    check_logbook_after_kills(logbook, proc)
