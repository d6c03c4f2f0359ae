"""Start-up cost of the read commands, and of a completion request (issue 21).

The config file is read by every command, and completion, the pager and the editor
must cost nothing to commands that do not use them. This prints, for each command,
the CPU time (user + system, from wait4: steadier than wall-clock on a shared
machine) and the wall-clock time of whole processes, fastest and median of N runs,
interleaved with the same runs of another checkout when --against is given.

    python benchmarks/shell_startup.py LOGBOOK [--runs 31] [--against OLD/src]

LOGBOOK: e.g. `complog demo --keep /tmp/startup.db`. Output piped (no pager, as cron).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CASES = [
    ("due", ["due"], {}),
    ("list", ["list"], {}),
    ("show 1", ["show", "1"], {}),
    ("--help", ["--help"], {}),
    ("complete `show `", [], {"_COMPLOG_COMPLETE": "complete_bash", "COMP_WORDS": "complog show ",
                              "COMP_CWORD": "2"}),
]  # fmt: skip


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("logbook")
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--against", help="src folder of another checkout to compare with")
    args = parser.parse_args()
    config = tempfile.mkdtemp(prefix="complog-bench-config-")
    base = {**os.environ, "COMPLOG_DB": args.logbook, "XDG_CONFIG_HOME": config}
    sides = {"this": base}
    if args.against:
        sides["against"] = {**base, "PYTHONPATH": args.against}
    print(f"{args.runs} runs each, interleaved; ms: CPU fastest/median, wall fastest/median")
    for label, command, extra in CASES:
        cpu: dict[str, list[float]] = {side: [] for side in sides}
        wall: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(args.runs):
            for side, env in sides.items():
                used, took = measure([sys.executable, "-m", "complog", *command], env | extra)
                cpu[side].append(used)
                wall[side].append(took)
        cells = "  ".join(
            f"{side}: {min(cpu[side]) * 1000:.0f}/{statistics.median(cpu[side]) * 1000:.0f}"
            f" ({min(wall[side]) * 1000:.0f}/{statistics.median(wall[side]) * 1000:.0f})"
            for side in sides
        )
        print(f"{label:<20} {cells}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
