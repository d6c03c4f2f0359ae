"""What a hostile or careless hook costs the complog that runs it (issue 18).

Three hooks from the issue, each run by a real `complog` process in a fresh logbook
in a temporary folder (its own XDG_CONFIG_HOME, so the hooks are trusted there only):

- daemon: `setsid sleep 25 & exit 0` with `hook_timeout 2`. Prints the wall time of
  `add` with it, and of the same `add` with no hook: the difference is what the hook
  cost (the target: at most the timeout plus a second).
- flood: `head -c 200000000 /dev/zero`. Prints complog's own peak RSS (from wait4,
  the hook's memory not included) with it, and with a hook that prints one line.
- batch: `escalate --auto` creating 2 x N escalations. Prints how many `on-escalate`
  processes started.

    python benchmarks/hooks.py [--customers 250] [--src OTHER/src]

--src runs another checkout's complog (PYTHONPATH), e.g. the code before issue 18;
its lack of `complog hooks trust` is ignored (it ran every hook).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DAEMON = "#!/bin/sh\nsetsid sleep 25 &\nexit 0\n"
FLOOD = "#!/bin/sh\nhead -c 200000000 /dev/zero\n"
QUIET = "#!/bin/sh\ncat >/dev/null\necho one line\n"
COUNT = '#!/bin/sh\ncat >/dev/null\necho x >> "$(dirname "$0")/../starts"\n'


class Logbook:
    def __init__(self, folder: Path, src: str | None) -> None:
        self.folder = folder
        self.hooks = folder / "log" / "hooks"
        self.env = {
            **os.environ,
            "COMPLOG_DB": str(folder / "log" / "complog.db"),
            "XDG_CONFIG_HOME": str(folder / "config"),
            "COMPLOG_NOW": "2026-11-23T09:00:00+00:00",
            "LANG": "C.UTF-8",
        }
        if src:
            self.env["PYTHONPATH"] = src
        self.complog("init")

    def complog(self, *args: str) -> tuple[float, int]:
        """(wall seconds, peak RSS in MiB) of one complog process."""
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "complog", *args], env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _, _, usage = os.wait4(process.pid, 0)
        return time.perf_counter() - start, usage.ru_maxrss // 1024

    def hook(self, name: str, body: str | None) -> None:
        self.hooks.mkdir(mode=0o700, exist_ok=True)
        path = self.hooks / name
        if body is None:
            path.unlink(missing_ok=True)
            return
        path.write_text(body)
        path.chmod(0o700)
        self.complog("hooks", "trust", name)  # the old code has no such command: ignored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=250)
    parser.add_argument("--src", help="another checkout's src folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Logbook(Path(tmp) / "daemon", args.src)
        log.complog("config", "hook_timeout", "2")
        bare, _ = log.complog("add", "Acme", "Till")
        log.hook("on-add", DAEMON)
        hooked, _ = log.complog("add", "Acme", "Printer")
        print(f"daemon: add {hooked:.2f} s with the hook (timeout 2 s), {bare:.2f} s without")

        log = Logbook(Path(tmp) / "flood", args.src)
        log.hook("on-add", QUIET)
        _, quiet = log.complog("add", "Acme", "Till")
        log.hook("on-add", FLOOD)
        _, flood = log.complog("add", "Acme", "Printer")
        print(f"flood: peak RSS {flood} MiB with a 200 MB hook, {quiet} MiB with one line")

        log = Logbook(Path(tmp) / "batch", args.src)
        for n in range(args.customers):
            log.complog("add", f"Customer {n}", "Till", "--at", "2026-11-16 09:00",
                        "--promise", "Call back", "--due", "2026-11-16 12:00")  # fmt: skip
        log.hook("on-escalate", COUNT)
        took, _ = log.complog("escalate", "--auto")
        starts = (log.folder / "log" / "starts").read_text().count("x")
        print(f"batch: escalate --auto ({args.customers} customers) started {starts}"
              f" on-escalate process(es), {took:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
