"""`complog import FILE --map MAP.toml` of a 100,000-row spreadsheet export (issue 23).

    python benchmarks/mapped_import.py                  # 100,000 rows, 3 runs
    python benchmarks/mapped_import.py --rows 20000 --runs 1

Writes a realistic help-desk CSV (semicolon-separated, day-first dates with times,
German status and channel words, three note columns, amounts with a decimal comma,
an id column) and its map into a temporary folder, then times whole `complog`
processes, each into a new logbook: `--dry-run`, the import itself, and the same
import again (idempotent: every row already present). Prints wall-clock seconds
and the peak RSS of each process (getrusage of the child), so "bounded memory"
is a figure: compare it across --rows. Target (issue 23): <= 30 s at 100,000 rows.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPLOG = str(Path(sys.executable).with_name("complog"))
NOW = "2026-11-23T09:00:00+00:00"

MAP = """\
[source]
name = "helpdesk"
decimal = ","

[columns]
external_id = "Ticket"
customer = "Kunde"
email = "E-Mail"
summary = ["Kategorie", "Betreff"]
category = "Kategorie"
opened_at = "Eingang"
channel = "Kanal"
heat = "Priorität"
owner = "Bearbeiter"
status = "Status"
resolved_at = "Erledigt am"
outcome = "Lösung"
loss = "Schaden"

[[notes]]
column = "Notiz Kunde"
direction = "in"

[[notes]]
column = "Notiz intern"

[[notes]]
column = "Antwort"
direction = "out"

[values.status]
offen = "open"
"in Bearbeitung" = "open"
erledigt = "resolved"

[values.channel]
Telefon = "phone"
E-Mail = "email"
Brief = "letter"
Filiale = "visit"

[values.heat]
niedrig = 2
mittel = 3
hoch = 4
dringend = 5

[defaults]
currency = "EUR"
"""

HEADER = ("Ticket;Kunde;E-Mail;Betreff;Kategorie;Eingang;Kanal;Priorität;Bearbeiter;Status;"
          "Erledigt am;Lösung;Schaden;Notiz Kunde;Notiz intern;Antwort")  # fmt: skip
SUBJECTS = ["Lieferung beschädigt", "Rechnung doppelt", "Rückruf fehlt", "Falsche Größe",
            "Gerät defekt nach 2 Wochen", "Unfreundlicher Fahrer", "Gutschrift fehlt"]  # fmt: skip
CATEGORIES = ["Versand", "Rechnung", "Service", "Produkt"]
CHANNELS = ["Telefon", "E-Mail", "Brief", "Filiale"]
HEAT = ["niedrig", "mittel", "hoch", "dringend"]
OWNERS = ["anna", "ben", "chris", "dana"]


def write_sheet(path: Path, rows: int, seed: int = 23) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\r\n")
        for n in range(1, rows + 1):
            day, month = rng.randint(1, 26), rng.randint(1, 12)
            opened = f"{day:02d}.{month:02d}.2025 {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
            resolved = rng.random() < 0.6
            closed = f"{day + 2:02d}.{month:02d}.2025 16:00" if resolved else ""
            status = "erledigt" if resolved else rng.choice(["offen", "in Bearbeitung"])
            loss = f"{rng.randint(0, 2000)},{rng.randint(0, 99):02d}" if rng.random() < 0.3 else ""
            fields = [
                f"HD-{n:06d}", f"Kunde {rng.randint(1, rows // 3 + 1)}", f"k{n}@example.org",
                rng.choice(SUBJECTS), rng.choice(CATEGORIES), opened, rng.choice(CHANNELS),
                rng.choice(HEAT), rng.choice(OWNERS), status, closed,
                "Ersatz geliefert" if resolved else "", loss,
                '"Kunde sagt: ""sofort"" bitte"' if rng.random() < 0.5 else "",
                "Rückruf vereinbart" if rng.random() < 0.5 else "",
                "Wir haben uns entschuldigt" if resolved else "",
            ]  # fmt: skip
            fh.write(";".join(fields) + "\r\n")


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of this child alone
    (os.wait4), and its stdout. CPU time is the figure to compare on a shared,
    busy machine: wall time there includes waiting for a core."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.exit(f"{' '.join(args)} failed ({child.returncode}):\n{err.read().decode()}")
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, cpu, usage.ru_maxrss / 1024, out.read().decode().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="complog-mapbench-") as folder:
        work = Path(folder)
        sheet, column_map = work / "helpdesk.csv", work / "helpdesk.toml"
        write_sheet(sheet, options.rows)
        column_map.write_text(MAP, encoding="utf-8")
        size = sheet.stat().st_size / 1e6
        print(
            f"{options.rows:,} rows, {size:.1f} MB CSV; complog {COMPLOG}; Python {sys.version.split()[0]}"
        )
        wall: dict[str, list[float]] = {"dry-run": [], "import": [], "again": []}
        cpu: dict[str, list[float]] = {key: [] for key in wall}
        peaks: dict[str, float] = {}
        for run in range(options.runs):
            env = {**os.environ, "COMPLOG_DB": str(work / f"log{run}.db"), "COMPLOG_NOW": NOW,
                   "COMPLOG_USER": "bench", "TZ": "Europe/Berlin",
                   "XDG_CONFIG_HOME": str(work / "config")}  # fmt: skip
            base = [COMPLOG, "import", str(sheet), "--map", str(column_map)]
            for key, args in (("dry-run", [*base, "--dry-run"]), ("import", base), ("again", base)):
                seconds, used, peak, out = timed(args, env)
                wall[key].append(seconds)
                cpu[key].append(used)
                peaks[key] = max(peaks.get(key, 0.0), peak)
                print(f"  run {run + 1} {key:<8} {seconds:6.1f} s wall {used:6.1f} s CPU"
                      f"  {out.splitlines()[-1]}")  # fmt: skip
        print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print()
        print("| step | wall s (median, min) | CPU s (median, min) | peak RSS MB |")
        print("|---|---|---|---|")
        for key in wall:
            w, c = wall[key], cpu[key]
            print(f"| {key} | {statistics.median(w):.1f}, {min(w):.1f} |"
                  f" {statistics.median(c):.1f}, {min(c):.1f} | {peaks[key]:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
