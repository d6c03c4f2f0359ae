"""Worker processes for the reliability tests: complog commands run in a loop.

    python _ops.py adds PREFIX COUNT [--barrier-fd FD]
    python _ops.py script FILE [--barrier-fd FD]
    python _ops.py deferred PREFIX COUNT --begin deferred|immediate [--barrier-fd FD]
    python _ops.py zygote

Every mode prints `ready` once everything is imported, then waits on the
barrier if given (it blocks reading FD until the parent closes the other end,
so all workers start at the same instant without sleeping or polling).

`adds`: COUNT complaints PREFIX-00000, ... each for a new customer; after each
add that exited 0 prints `added ID SUMMARY`; a failure prints
`failed CODE SUMMARY STDERR` and exits 1.

`script`: FILE is a JSON list of argument lists; runs each and prints one JSON
line per command: {"n", "code", "stdout", "stderr"}.

`deferred`: the control experiment. The same write as `add` (look up the
customer, insert customer, complaint and audit event), through sqlite3 with
complog's own connection (WAL, synchronous=FULL, foreign keys, busy timeout),
but begun with a plain deferred `BEGIN` (or `BEGIN IMMEDIATE`). A write that
fails is counted, rolled back and not retried. Prints {"ok", "locked", "other"}.

`zygote`: a fork server for kill loops. It imports complog once, then for each
`crash SEED LOGFILE` or `once LOGFILE ARGS_JSON` line on stdin forks a child and
prints `pid PID`; on the next line (`reap`) it waits for the child and prints
`exit STATUS` (negative: killed by that signal). Until reaped, a child that
finished stays a zombie, so its pid cannot be reused by another process
before the test has sent its kill. A forked child starts in a millisecond, so a test can kill
hundreds of real processes in seconds; it shares nothing with the zygote but
imported modules (the zygote never opens the logbook).

  crash: an endless seeded mix of `add` (half with --promise), `note` and `kept`
  on the child's own complaints; after each command that exited 0 it appends
  one JSON line to LOGFILE ({"op": "add", "summary", "complaint", "promise"},
  {"op": "note", "complaint", "text"} or {"op": "kept", "promise"}) with a
  single write(2), so a SIGKILL never leaves half a line.
  once: runs ARGS once and appends {"code", "stdout", "stderr"} to LOGFILE.

Commands run in-process through the Click command Typer builds (built once:
Typer would rebuild it on every call, which is most of the cost of a command).
The logbook, clock and user come from the environment (COMPLOG_DB, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import sys
from typing import Any

LOGGED = re.compile(r"^Logged complaint (\d+) for .*?(?: \(promise (\d+) due .*\))?$")
NOTED = re.compile(r"^Noted on complaint (\d+) \(note (\d+), ")


def load_command() -> Any:
    from typer.main import get_command

    from complog.cli.main import app

    return get_command(app)


def warm_up() -> None:
    """Import what the write path imports lazily, so forked children start warm."""
    import alembic.command  # noqa: F401
    import rich.table  # noqa: F401

    import complog.queries  # noqa: F401
    import complog.render.views  # noqa: F401
    import complog.services.complaints  # noqa: F401
    import complog.services.escalations  # noqa: F401
    import complog.services.promises  # noqa: F401
    import complog.store  # noqa: F401


def run(command: Any, args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = command.main(args, prog_name="complog", standalone_mode=False)
    return int(code or 0), out.getvalue(), err.getvalue()


def wait_for_barrier(fd: int | None) -> None:
    print("ready", flush=True)
    if fd is not None:
        os.read(fd, 1)  # returns b"" when the parent closes its end
        os.close(fd)


def adds(command: Any, prefix: str, count: int) -> int:
    for n in range(count):
        summary = f"{prefix}-{n:05d}"
        code, out, err = run(command, ["add", f"Customer {summary}", summary])
        match = LOGGED.match(out.strip())
        if code != 0 or match is None:
            print(f"failed {code} {summary} {err!r}", flush=True)
            return 1
        print(f"added {match.group(1)} {summary}", flush=True)
    return 0


def script(command: Any, path: str) -> int:
    with open(path, encoding="utf-8") as fh:
        commands = json.load(fh)
    for n, args in enumerate(commands):
        code, out, err = run(command, args)
        print(json.dumps({"n": n, "code": code, "stdout": out, "stderr": err}), flush=True)
    return 0


def deferred(prefix: str, count: int, begin: str) -> dict[str, int]:
    """The write of `complog add`, begun DEFERRED or IMMEDIATE; failures counted, not retried."""
    import sqlite3
    from datetime import UTC, datetime
    from pathlib import Path

    from complog.connect import connect_sqlite
    from complog.storedtime import encode_time

    conn = connect_sqlite(Path(os.environ["COMPLOG_DB"]))
    now = encode_time(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    counts = {"ok": 0, "locked": 0, "other": 0}
    for n in range(count):
        name = f"Customer {prefix}-{n:05d}"
        try:
            conn.execute("BEGIN" if begin == "deferred" else "BEGIN IMMEDIATE")
            # Read first (is the customer new?), then write: the read-modify-write
            # shape of every complog service.
            row = conn.execute(
                "SELECT id FROM customer WHERE name_key = ?", (name.casefold(),)
            ).fetchone()
            if row is None:
                customer_id = conn.execute(
                    "INSERT INTO customer (name, name_key, created_at) VALUES (?, ?, ?)",
                    (name, name.casefold(), now),
                ).lastrowid
            else:
                customer_id = row[0]
            complaint_id = conn.execute(
                "INSERT INTO complaint (customer_id, summary, channel, heat, written, owner,"
                " status, opened_at, recorded_at, created_by)"
                " VALUES (?, ?, 'phone', 3, 0, 'control', 'open', ?, ?, 'control')",
                (customer_id, f"{prefix}-{n:05d}", now, now),
            ).lastrowid
            conn.execute(
                "INSERT INTO event (at, actor, action, entity, entity_id, complaint_id)"
                " VALUES (?, 'control', 'add', 'complaint', ?, ?)",
                (now, str(complaint_id), complaint_id),
            )
            conn.execute("COMMIT")
            counts["ok"] += 1
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK") if conn.in_transaction else None
            counts["locked" if "locked" in str(exc) else "other"] += 1
    conn.close()
    return counts


def crash_loop(command: Any, seed: int, log_fd: int) -> None:
    """Add, note and keep until killed; log each command that exited 0, in one write."""
    rng = random.Random(seed)
    prefix = f"S{seed}"
    complaints: list[int] = []
    open_promises: list[int] = []
    for n in range(100_000):
        roll = rng.random()
        if not complaints or roll < 0.4:
            summary = f"{prefix}-{n:05d}"
            args = ["add", f"Crash customer {rng.randrange(25)}", summary, "--heat", "4"]
            if rng.random() < 0.5:
                summary += "-p"
                args[2] = summary
                args += ["--promise", f"{prefix}-promise-{n:05d}", "--due", "tomorrow 10am"]
            code, out, err = run(command, args)
            match = LOGGED.match(out.strip())
            if code != 0 or match is None:
                break
            complaint, promise = int(match.group(1)), match.group(2)
            complaints.append(complaint)
            if promise is not None:
                open_promises.append(int(promise))
            record: dict[str, Any] = {
                "op": "add", "summary": summary, "complaint": complaint,
                "promise": None if promise is None else int(promise),
            }  # fmt: skip
        elif open_promises and roll < 0.7:
            promise_id = open_promises.pop(rng.randrange(len(open_promises)))
            code, out, err = run(command, ["kept", str(promise_id)])
            if code != 0 or not out.startswith(f"Kept promise {promise_id} "):
                break
            record = {"op": "kept", "promise": promise_id}
        else:
            complaint = rng.choice(complaints)
            text = f"{prefix}-note-{n:05d}"
            code, out, err = run(command, ["note", str(complaint), text, "--in"])
            match = NOTED.match(out)
            if code != 0 or match is None:
                break
            record = {"op": "note", "complaint": complaint, "text": text, "note": int(match[2])}
        os.write(log_fd, (json.dumps(record) + "\n").encode())
    os.write(log_fd, (json.dumps({"op": "failed", "code": code, "stderr": err}) + "\n").encode())
    os._exit(3)


def zygote() -> int:
    command = load_command()
    warm_up()
    print("ready", flush=True)
    while line := sys.stdin.readline():
        kind, _, rest = line.strip().partition(" ")
        if kind == "quit":
            return 0
        if kind == "crash":
            seed_text, log_path = rest.split(" ", 1)
            args: list[str] | None = None
        else:
            log_path, args_json = rest.split(" ", 1)
            args = json.loads(args_json)
        pid = os.fork()
        if pid == 0:  # the child: never returns to the loop
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            if args is None:
                crash_loop(command, int(seed_text), log_fd)
            code, out, err = run(command, args)
            os.write(
                log_fd, (json.dumps({"code": code, "stdout": out, "stderr": err}) + "\n").encode()
            )
            os._exit(0)
        print(f"pid {pid}", flush=True)
        assert sys.stdin.readline().strip() == "reap"
        _, status = os.waitpid(pid, 0)
        print(f"exit {os.waitstatus_to_exitcode(status)}", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["adds", "script", "deferred", "zygote"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--barrier-fd", type=int)
    parser.add_argument("--begin", choices=["deferred", "immediate"], default="deferred")
    options = parser.parse_args()

    if options.mode == "zygote":
        return zygote()
    if options.mode == "deferred":
        import complog.connect  # noqa: F401

        wait_for_barrier(options.barrier_fd)
        prefix, count = options.args
        print(json.dumps(deferred(prefix, int(count), options.begin)), flush=True)
        return 0
    command = load_command()
    warm_up()
    wait_for_barrier(options.barrier_fd)
    if options.mode == "adds":
        prefix, count = options.args
        return adds(command, prefix, int(count))
    return script(command, options.args[0])


if __name__ == "__main__":
    sys.exit(main())
