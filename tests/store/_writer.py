"""A writer process for the store tests: `complog add` in a loop.

    python _writer.py PREFIX COUNT [--barrier-fd FD] [--customers N] [--subprocess]

Prints `ready` once complog is imported, then waits on the barrier if given
(it blocks reading FD until the parent closes the other end, so every writer
starts at the same instant without sleeping or polling). It then adds COUNT
complaints (0: until killed) with summaries PREFIX-0000, PREFIX-0001, ...
spread over N shared customers, so concurrent writers also race to create the
same customers.

After each add that returned exit code 0 it prints `added ID SUMMARY`, flushed:
the parent knows exactly which adds had completed when it killed us. An add
that fails prints `failed CODE SUMMARY` and the process exits 1.

By default each add runs in-process (`app(args, standalone_mode=False)`, the
same code path as `python -m complog add` minus interpreter start-up), so 200
adds take seconds, not minutes. With --subprocess each add is a real
`python -m complog add` process and "completed" means that process exited 0.
The logbook, clock and user come from the environment (COMPLOG_DB, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import os
import re
import subprocess
import sys

LOGGED = re.compile(r"^Logged complaint (\d+) for ")


def add_in_process(app: object, customer: str, summary: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = app(["add", customer, summary], standalone_mode=False)  # type: ignore[operator]
    return int(code or 0), out.getvalue()


def add_in_subprocess(customer: str, summary: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "complog", "add", customer, summary],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=None, text=True,
    )  # fmt: skip
    return done.returncode, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("prefix")
    parser.add_argument("count", type=int)
    parser.add_argument("--barrier-fd", type=int)
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--subprocess", action="store_true")
    options = parser.parse_args()

    app = None
    if not options.subprocess:
        from complog.cli.main import app

    print("ready", flush=True)
    if options.barrier_fd is not None:
        os.read(options.barrier_fd, 1)  # returns b"" when the parent closes its end
        os.close(options.barrier_fd)

    numbers = itertools.count() if options.count == 0 else range(options.count)
    for n in numbers:
        customer = f"Shared customer {n % options.customers}"
        summary = f"{options.prefix}-{n:04d}"
        if options.subprocess:
            code, out = add_in_subprocess(customer, summary)
        else:
            code, out = add_in_process(app, customer, summary)
        match = LOGGED.match(out)
        if code != 0 or match is None:
            print(f"failed {code} {summary} {out!r}", flush=True)
            return 1
        print(f"added {match.group(1)} {summary}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
