"""Whole-process timings of complog against the floors of issue 9, and Taskwarrior.

    python benchmarks/bench.py                          # 1k and 100k, 10 runs each
    python benchmarks/bench.py --sizes 1000,10000,100000 --runs 15
    python benchmarks/bench.py --only due,add --no-taskwarrior
    python benchmarks/bench.py --insight 5 --against /tmp/old/src   # report and long show

Every figure is a whole process started cold (a new interpreter each run; the
OS page cache is warm, as on a machine that uses its logbook every day), with
hyperfine (--warmup 2 --runs N, no intermediate shell) when installed, else a
timing loop of its own. Median and min (and max) of >= 10 runs, plus the peak
RSS of one extra run per command (median of 3). Logbooks come from
make_logbook.py (cached in benchmarks/.cache/); writes (`add`) go to a
working copy so the cache stays as built. All commands run with
COMPLOG_NOW=<the logbook's NOW>, TZ=UTC, COLUMNS=100 and stdout to /dev/null
(so complog prints its plain format unless told --format table).

Results: a Markdown report on stdout and, with the raw hyperfine exports, in
benchmarks/.cache/results/<timestamp>/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_logbook import CACHE, NOW_ISO, logbook  # noqa: E402

PY = sys.executable
COMPLOG = str(Path(PY).with_name("complog"))
REF = HERE / "reference"


@dataclass
class Case:
    key: str  # e.g. "due"
    label: str  # as shown in the tables
    argv: list[str]
    size: int | None = None  # logbook size, None when it does not read one
    group: str = "complog"  # complog | floor | taskwarrior
    env: dict[str, str] = field(default_factory=dict)
    setup: str | None = None  # "copy" = runs against a fresh working copy


@dataclass
class Result:
    case: Case
    times: list[float]  # seconds
    rss_mb: float | None = None
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def min(self) -> float:
        return min(self.times) * 1000

    @property
    def max(self) -> float:
        return max(self.times) * 1000


# -- the cases -------------------------------------------------------------------------


def complog_cases(size: int, db: Path, work: Path, meta: dict) -> list[Case]:
    def c(key: str, label: str, *args: str, path: Path = db) -> Case:
        return Case(key, label, [COMPLOG, "--db", str(path), *args], size)

    return [
        c("due", "`due`", "due"),
        c("due_table", "`due --format table`", "due", "--format", "table"),
        c("list", "`list --limit 50`", "list", "--limit", "50"),
        c("show", f"`show {meta['show_id']}`", "show", str(meta["show_id"])),
        c("customer", "`customer NAME`", "customer", meta["customer"]),
        c("search_rare", f"`search {meta['rare_term']}` (rare)", "search", meta["rare_term"]),
        c(
            "search_common",
            f"`search {meta['common_term']}` (common)",
            "search",
            meta["common_term"],
        ),
        c("report", "`report --format json`", "report", "--format", "json"),
        c("escalate", "`escalate --auto --dry-run`", "escalate", "--auto", "--dry-run"),
        c(
            "add",
            "`add ... --promise --due`",
            "add",
            meta["customer"],
            "Card reader offline again",
            "--promise",
            "Call back with fix",
            "--due",
            "tomorrow 10am",
            path=work,
        ),  # fmt: skip
    ]


def holidays_case(size: int, db: Path, work_dir: Path) -> Case:
    """`due` on a copy of the logbook with `holidays GB` set: a country calendar must cost
    nothing to commands that ask it no date (issue 19: it cost 1.46x on `due`)."""
    copy = work_dir / f"holidays-{size}.db"
    shutil.copyfile(db, copy)
    subprocess.run([COMPLOG, "--db", str(copy), "config", "holidays", "GB"], env=base_env(),
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return Case("due_holidays", "`due` (holidays GB)", [COMPLOG, "--db", str(copy), "due"], size)


EXPERIMENT = HERE / "experiments" / "run.py"


def experiment_cases(size: int, db: Path, work: Path, meta: dict) -> list[Case]:
    """complog with proposed changes emulated in-process (see experiments/run.py)."""

    def x(key: str, label: str, patches: str, *args: str, path: Path = db) -> Case:
        return Case(key, label, [PY, str(EXPERIMENT), "--db", str(path), *args], size, "experiment",
                    {"COMPLOG_EXPERIMENT": patches})  # fmt: skip

    return [
        x("due_x1", "`due` without pydantic (exp.)", "no_pydantic", "due"),
        x("due_x2", "`due` without pydantic, paged (exp.)", "no_pydantic,due_page", "due"),
        x("show_x1", f"`show {meta['show_id']}` without pydantic (exp.)", "no_pydantic", "show", str(meta["show_id"])),
        x("add_x1", "`add` without pydantic coercion (exp.)", "no_pydantic", "add", meta["customer"],
          "Card reader offline again", "--promise", "Call back with fix", "--due", "tomorrow 10am", path=work),
    ]  # fmt: skip


def floor_cases(sizes: list[int], dbs: dict[int, tuple[Path, Path]]) -> list[Case]:
    cases = [
        Case("py_pass", "`python -c pass`", [PY, "-c", "pass"], group="floor"),
        Case("imp_typer_rich", "`import typer, rich.table`", [PY, "-c", "import typer, rich.table"], group="floor"),
        Case("imp_sqlmodel", "`import sqlmodel`", [PY, "-c", "import sqlmodel"], group="floor"),
        Case("ref_help", "minimal Typer app `--help`", [PY, str(REF / "ref_typer.py"), "--help"], group="floor"),
    ]  # fmt: skip
    for size in sizes:
        db, work = dbs[size]
        cases += [
            Case("ref_due", "minimal Typer + sqlite3 + Rich: overdue, 20 rows",
                 [PY, str(REF / "ref_typer.py"), "due", str(db)], size, "floor"),
            Case("ref_argparse", "same under argparse",
                 [PY, str(REF / "ref_argparse.py"), str(db)], size, "floor"),
            Case("ref_add", "minimal Typer app `add` via SQLModel",
                 [PY, str(REF / "ref_typer.py"), "add", str(work)], size, "floor"),
            Case("ref_add_frozen", "minimal Typer app `add`, frozen at exit as complog is",
                 [PY, str(REF / "ref_typer.py"), "add", str(work)], size, "floor",
                 {"REF_FREEZE_AT_EXIT": "1"}),
        ]  # fmt: skip
    return cases


def taskwarrior_cases(sizes: list[int], work_dir: Path) -> list[Case]:
    import taskwarrior

    cases = []
    for size in sizes:
        folder = taskwarrior.build(size)
        work = work_dir / f"task-{size}"
        shutil.copytree(folder / "data", work / "data")
        rc = work / "taskrc"
        rc.write_text(
            (folder / "taskrc").read_text().replace(str(folder / "data"), str(work / "data"))
        )
        env = {"TASKRC": str(rc), "TASKDATA": str(work / "data")}
        pending = taskwarrior.build(size, all_pending=True)
        pending_env = {"TASKRC": str(pending / "taskrc"), "TASKDATA": str(pending / "data")}
        cases += [
            Case("task_overdue", "Taskwarrior `task overdue`", ["task", "overdue"], size, "taskwarrior", env),
            Case("task_overdue_all", "Taskwarrior `task overdue`, every task pending", ["task", "overdue"],
                 size, "taskwarrior", pending_env),
            Case("task_add", "Taskwarrior `task add ... due:tomorrow`",
                 ["task", "add", "Call back with fix", "due:tomorrow"], size, "taskwarrior", env),
        ]  # fmt: skip
    return cases


# -- running -----------------------------------------------------------------------------


def base_env() -> dict[str, str]:
    env = dict(os.environ, COMPLOG_NOW=NOW_ISO, TZ="UTC", COMPLOG_USER="bench", COLUMNS="100")
    # PYTHONDONTWRITEBYTECODE would make every run compile complog from source, as an
    # installed copy (whose bytecode pip writes) never does.
    for var in (
        "COMPLOG_DB",
        "COMPLOG_DEBUG",
        "PYTHONPROFILEIMPORTTIME",
        "PYTHONDONTWRITEBYTECODE",
    ):
        env.pop(var, None)
    return env


def run_case(case: Case, runs: int, warmup: int, out: Path, use_hyperfine: bool) -> Result:
    env = base_env() | case.env
    check = subprocess.run(case.argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if check.returncode != 0:
        return Result(
            case, [float("nan")], error=check.stderr.decode(errors="replace").strip()[-300:]
        )
    if use_hyperfine:
        export = out / f"{case.key}-{case.size or 0}.json"
        subprocess.run(
            ["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
             "--export-json", str(export), shlex.join(case.argv)],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        times = json.loads(export.read_text())["results"][0]["times"]
    else:
        times = []
        for i in range(warmup + runs):
            t0 = time.perf_counter()
            subprocess.run(case.argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i >= warmup:
                times.append(time.perf_counter() - t0)
    rss = []
    for _ in range(3):
        proc = subprocess.Popen(
            case.argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _pid, _status, usage = os.wait4(proc.pid, 0)
        rss.append(usage.ru_maxrss / 1024)
    return Result(case, times, statistics.median(rss))


# -- reporting ---------------------------------------------------------------------------


def ms(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} × {cpu}{mem}, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f} at start")  # fmt: skip


def versions() -> str:
    from importlib.metadata import version

    names = ["typer", "rich", "pydantic", "sqlalchemy", "sqlmodel", "alembic"]
    out = [f"{n} {version(n)}" for n in names]
    import sqlite3

    out.append(f"SQLite {sqlite3.sqlite_version}")
    for tool in ("hyperfine", "task"):
        if shutil.which(tool):
            line = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
            out.append(line.strip().splitlines()[0] if line.strip() else tool)
    try:
        rev = subprocess.run(["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "-C", str(HERE.parent), "status", "--porcelain", "src"],
                               capture_output=True, text=True).stdout.strip()  # fmt: skip
        out.insert(0, f"complog @ {rev}{' (src modified)' if dirty else ''}")
    except OSError:
        pass
    return ", ".join(out)


def report(results: list[Result], sizes: list[int], tw_sizes: list[int], metas: dict[int, dict],
           runs: int, tool: str) -> str:  # fmt: skip
    by: dict[tuple[str, int | None], Result] = {(r.case.key, r.case.size): r for r in results}
    small, big = min(sizes), max(sizes)
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        f"{versions()}.",
        f"Timer: {tool}; {runs} runs after 2 warm-ups; median and min in ms; "
        "peak RSS of one more run (median of 3).",
        "",
    ]
    head = "| command |" + "".join(f" {n:,}: median (min) |" for n in sizes)
    head += f" {big // 1000}k/{small // 1000}k | RSS {big // 1000}k MB |"
    lines += ["### complog", "", head, "|---|" + "---:|" * (len(sizes) + 2)]
    keys = ["version", "help", "due", "due_table", "list", "show", "customer", "search_rare",
            "search_common", "report", "escalate", "add"]  # fmt: skip
    for key in keys:
        row = [r for r in results if r.case.key == key]
        if not row:
            continue
        label = row[0].case.label
        if row[0].case.size is None:
            r = row[0]
            cells = "".join(
                f" {ms(r.median)} ({ms(r.min)}) |" if i == 0 else " ″ |" for i in range(len(sizes))
            )
            lines.append(
                f"| {label} |{cells} — | {r.rss_mb:.0f} |"
                if r.rss_mb
                else f"| {label} |{cells} — | — |"
            )
            continue
        cells = ""
        for n in sizes:
            r = by.get((key, n))
            cells += f" {ms(r.median)} ({ms(r.min)}) |" if r and not r.error else " failed |"
        a, b = by.get((key, small)), by.get((key, big))
        ratio = f"{b.median / a.median:.2f}" if a and b and not a.error and not b.error else "—"
        rss = f"{b.rss_mb:.0f}" if b and b.rss_mb else "—"
        lines.append(f"| {label} |{cells} {ratio} | {rss} |")
    lines += ["", "### Floors and reference apps (measured in the same run)", "",
              "| reference |" + "".join(f" {n:,}: median (min) |" for n in sizes) + " RSS MB |",
              "|---|" + "---:|" * (len(sizes) + 1)]  # fmt: skip
    for key in [
        "py_pass",
        "imp_typer_rich",
        "imp_sqlmodel",
        "ref_help",
        "ref_due",
        "ref_argparse",
        "ref_add",
        "ref_add_frozen",
    ]:
        row = [r for r in results if r.case.key == key]
        if not row:
            continue
        if row[0].case.size is None:
            r = row[0]
            cells = "".join(
                f" {ms(r.median)} ({ms(r.min)}) |" if i == 0 else " ″ |" for i in range(len(sizes))
            )
            lines.append(f"| {r.case.label} |{cells} {r.rss_mb:.0f} |")
            continue
        cells = "".join(
            f" {ms(by[(key, n)].median)} ({ms(by[(key, n)].min)}) |" if (key, n) in by else " — |"
            for n in sizes
        )
        rss = by.get((key, big))
        lines.append(
            f"| {row[0].case.label} |{cells} {rss.rss_mb:.0f} |"
            if rss and rss.rss_mb
            else f"| {row[0].case.label} |{cells} — |"
        )
    if tw_sizes:
        lines += ["", "### Taskwarrior (one task per complaint, same open/resolved mix)", "",
                  "| command |" + "".join(f" {n:,}: median (min) |" for n in tw_sizes) + " RSS MB (largest) |",
                  "|---|" + "---:|" * (len(tw_sizes) + 1)]  # fmt: skip
        for key in ("task_overdue", "task_overdue_all", "task_add"):
            row = [r for r in results if r.case.key == key]
            if not row:
                continue
            cells = "".join(
                f" {ms(by[(key, n)].median)} ({ms(by[(key, n)].min)}) |"
                if (key, n) in by
                else " — |"
                for n in tw_sizes
            )
            last = by.get((key, max(tw_sizes)))
            lines.append(
                f"| {row[0].case.label} |{cells} {last.rss_mb:.0f} |"
                if last and last.rss_mb
                else f"| {row[0].case.label} |{cells} — |"
            )
    lines += [
        "",
        "### Targets (issue 9), at " + f"{big:,} complaints",
        "",
        "| target | measured | limit | met? |",
        "|---|---:|---:|:---:|",
    ]
    for name, value, limit, unit in targets(by, small, big):
        if value is None:
            lines.append(
                f"| {name} | — | {limit:.2f}{unit if unit == 'x' else ''}{'' if unit == 'x' else unit} | not measured |"
            )
            continue
        ok = value <= limit
        shown = f"{value:.2f}{unit}" if unit == "x" else f"{ms(value)}{unit}"
        gap = "" if ok else (f" (+{(value / limit - 1) * 100:.0f}%)")
        lim = f"{limit:.2f}{unit}" if unit == "x" else f"{ms(limit)}{unit}"
        lines.append(f"| {name} | {shown} | {lim} | {'yes' if ok else 'NO' + gap} |")
    lines += ["", "Logbooks:", ""]
    for n in sizes:
        m = metas[n]
        rows = ", ".join(f"{v:,} {k}s" for k, v in m["rows"].items())
        lines.append(
            f"- {n:,}: {rows}; {m['customers']:,} customers, {m['open_complaints']:,} open complaints,"
            f" {m['open_promises']:,} open promises ({m['overdue_promises']:,} overdue),"
            f" {m['unacknowledged_open_escalations']:,} unacknowledged escalations;"
            f" `show {m['show_id']}`, customer {m['customer']!r} ({m['customer_complaints']} complaints),"
            f" rare term {m['rare_term']!r} ({m['rare_term_notes']} notes), common term"
            f" {m['common_term']!r} ({m['common_term_fraction']:.0%} of notes);"
            f" {m['bytes'] / 1e6:.0f} MB, built in {m['build_seconds']} s"
        )
    errors = [r for r in results if r.error]
    if errors:
        lines += ["", "Failures:", ""] + [
            f"- {r.case.label} @ {r.case.size}: {r.error}" for r in errors
        ]
    return "\n".join(lines) + "\n"


def targets(by: dict, small: int, big: int) -> list[tuple[str, float | None, float, str]]:
    def med(key: str, size: int | None) -> float | None:
        r = by.get((key, size))
        return None if r is None or r.error else r.median

    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a / b

    ref = med("ref_due", big)
    out: list[tuple[str, float | None, float, str]] = [
        ("`due` / minimal Typer+sqlite3+Rich app", ratio(med("due", big), ref), 1.2, "x"),
        ("`due --format table` / minimal app", ratio(med("due_table", big), ref), 1.2, "x"),
        ("`--version` / minimal app", ratio(med("version", None), ref), 1.0, "x"),
        ("`--help` / minimal app", ratio(med("help", None), ref), 1.0, "x"),
        ("`add` / minimal SQLModel `add`", ratio(med("add", big), med("ref_add", big)), 1.15, "x"),
        (
            "`add` / minimal `add` frozen at exit",
            ratio(med("add", big), med("ref_add_frozen", big)),
            1.15,
            "x",
        ),
    ]
    for key in ("add", "due", "show", "list", "customer"):
        out.append(
            (
                f"`{key}` {big // 1000}k/{small // 1000}k",
                ratio(med(key, big), med(key, small)),
                1.15,
                "x",
            )
        )
    out += [
        ("`search` rare term / minimal app", ratio(med("search_rare", big), ref), 1.5, "x"),
        ("`search` term in ~1/3 of notes", med("search_common", big), 1000.0, " ms"),
        ("`report` over the year", med("report", big), 2000.0, " ms"),
        ("`due` peak RSS", by[("due", big)].rss_mb if ("due", big) in by else None, 80.0, " MB"),
        (
            "`due` / Taskwarrior `task overdue` (5x faster)",
            ratio(med("due", big), med("task_overdue", big)),
            0.2,
            "x",
        ),
    ]
    return out


def chart(results: list[Result], sizes: list[int], tw_sizes: list[int], path: Path) -> bool:
    """Median time vs logbook size (log-log), as SVG with pygal (a complog dependency);
    also as PNG when headless Chromium is installed."""
    try:
        import pygal
    except ImportError:
        return False
    names = {"due": "complog due", "list": "complog list --limit 50", "show": "complog show ID",
             "customer": "complog customer NAME", "search_common": "complog search (term in 1/3 of notes)",
             "report": "complog report", "escalate": "complog escalate --auto --dry-run",
             "add": "complog add", "ref_due": "minimal Typer+sqlite3+Rich app",
             "ref_add": "minimal Typer+SQLModel add", "task_overdue": "task overdue",
             "task_overdue_all": "task overdue (all pending)", "task_add": "task add"}  # fmt: skip
    xs = sorted({r.case.size for r in results if r.case.size})
    plot = pygal.XY(logarithmic=True, x_title="complaints (Taskwarrior: tasks)", y_title="median ms, whole process",
                    legend_at_bottom=True, legend_at_bottom_columns=3, width=1000, height=780, dots_size=3,
                    truncate_legend=40, title="Time vs logbook size (log-log)", x_labels=xs,
                    x_value_formatter=lambda x: f"{x:,.0f}")  # fmt: skip
    for key, name in names.items():
        points = sorted((r.case.size, r.median) for r in results
                        if r.case.key == key and r.case.size and not r.error)  # fmt: skip
        if points:
            plot.add(name, points)
    plot.render_to_file(str(path))
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={path.with_suffix('.png')}",
                        "--window-size=1000,780", path.resolve().as_uri()],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)  # fmt: skip
    return True


EXPERIMENT_PAIRS = [
    (("due_x1", "big"), ("ref_due", "big"), 1.2),
    (("due_x2", "big"), ("ref_due", "big"), 1.2),
    (("due_x1", "big"), ("due_x1", "small"), 1.15),
    (("due_x2", "big"), ("due_x2", "small"), 1.15),
    (("show_x1", "big"), ("ref_due", "big"), 1.2),
    (("add_x1", "big"), ("ref_add", "big"), 1.2),
]

PAIRS = [
    # (numerator, denominator, limit): both sides of each target, measured interleaved
    (("due", "big"), ("ref_due", "big"), 1.2),
    (("due_table", "big"), ("ref_due", "big"), 1.2),
    (("version", None), ("ref_due", "big"), 1.0),
    (("help", None), ("ref_due", "big"), 1.0),
    (("add", "big"), ("ref_add", "big"), 1.15),
    # the same, against a floor that leaves as complog does (gc.freeze at exit)
    (("add", "big"), ("ref_add_frozen", "big"), 1.15),
    (("search_rare", "big"), ("ref_due", "big"), 1.5),
    (("add", "big"), ("add", "small"), 1.15),
    (("due", "big"), ("due", "small"), 1.15),
    (("due_holidays", "big"), ("due", "big"), 1.05),
    (("show", "big"), ("show", "small"), 1.15),
    (("list", "big"), ("list", "small"), 1.15),
    (("customer", "big"), ("customer", "small"), 1.15),
]


def paired(
    cases: list[Case], rounds: int, small: int, big: int, pairs: list | None = None
) -> tuple[str, list[dict]]:
    """Round-robin timing of both sides of every ratio target, in a shuffled order each
    round, so load from other people hits both sides alike; the median of per-round ratios."""
    import random

    size = {"big": big, "small": small, None: None}
    index = {(c.key, c.size): c for c in cases}
    pairs = PAIRS if pairs is None else pairs
    wanted = []
    for a, b, _limit in pairs:
        for key, which in (a, b):
            case = index.get((key, size[which]))
            if case is not None and case not in wanted:
                wanted.append(case)
    times: dict[tuple[str, int | None], list[float]] = {(c.key, c.size): [] for c in wanted}
    cpu: dict[tuple[str, int | None], list[float]] = {(c.key, c.size): [] for c in wanted}
    rng = random.Random(1)
    env = {id(c): base_env() | c.env for c in wanted}
    for c in wanted:  # warm-up, and a case that fails would time its error message
        check = subprocess.run(
            c.argv, env=env[id(c)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        if check.returncode != 0:
            sys.exit(f"bench: {c.key} exits {check.returncode}: "
                     f"{check.stderr.decode(errors='replace').strip()[-300:]}")  # fmt: skip
    for r in range(rounds):
        order = wanted[:]
        rng.shuffle(order)
        for c in order:
            wall, used, _rss = _timed(c.argv, env[id(c)])
            times[(c.key, c.size)].append(wall)
            cpu[(c.key, c.size)].append(used)
        print(f"    paired round {r + 1}/{rounds}", file=sys.stderr, flush=True)
    lines = [f"### Paired ratios ({rounds} interleaved rounds, shuffled order; median of per-round ratios)", "",
             "CPU is user + system time of the process, less disturbed by other load than wall time.", "",
             "| ratio | median of ratios | ratio of medians | CPU: median of ratios | limit | met? |",
             "|---|---:|---:|---:|---:|:---:|"]  # fmt: skip
    rows = []
    for a, b, limit in pairs:
        ka, kb = (a[0], size[a[1]]), (b[0], size[b[1]])
        if ka not in times or kb not in times:
            continue
        ta, tb = times[ka], times[kb]
        per_round = statistics.median(x / y for x, y in zip(ta, tb, strict=True))
        of_medians = statistics.median(ta) / statistics.median(tb)
        cpu_ratio = statistics.median(x / y for x, y in zip(cpu[ka], cpu[kb], strict=True))
        name = f"{index[ka].label}{'' if ka[1] is None else f' @{ka[1] // 1000}k'} / {index[kb].label} @{kb[1] // 1000}k"
        ok = per_round <= limit
        lines.append(f"| {name} | {per_round:.2f} | {of_medians:.2f} | {cpu_ratio:.2f} | {limit:.2f} | "
                     f"{'yes' if ok else f'NO (+{(per_round / limit - 1) * 100:.0f}%)'} |")  # fmt: skip
        rows.append({"a": ka, "b": kb, "median_of_ratios": per_round, "ratio_of_medians": of_medians,
                     "cpu_median_of_ratios": cpu_ratio, "limit": limit,
                     "a_median_ms": statistics.median(ta) * 1000,
                     "b_median_ms": statistics.median(tb) * 1000})  # fmt: skip
    lines += ["", "| command | median ms | min ms | median CPU ms |", "|---|---:|---:|---:|"]
    for c in wanted:
        t = times[(c.key, c.size)]
        lines.append(f"| {c.label}{'' if c.size is None else f' @{c.size // 1000}k'} | "
                     f"{ms(statistics.median(t) * 1000)} | {ms(min(t) * 1000)} | "
                     f"{ms(statistics.median(cpu[(c.key, c.size)]) * 1000)} |")  # fmt: skip
    return "\n".join(lines) + "\n", rows


# -- issue 22: report and a long show, interleaved, wall time, CPU time and peak RSS --------

INSIGHT_TARGETS = {"report_json": (2000.0, 150.0), "report_plain": (2000.0, 150.0),
                   "show_notes_table": (1000.0, 100.0), "show_notes_plain": (1000.0, 100.0),
                   "show_notes_json": (None, 100.0)}  # fmt: skip


def notes_logbook(notes: int = 100_000) -> tuple[Path, int]:
    """The 1k logbook with `notes` more notes on its `show` complaint (cached): the
    customer who has rung every day for years."""
    import sqlite3
    from datetime import timedelta

    base, meta = logbook(1000)
    path = CACHE / f"logbook-1000-notes-{notes}.db"
    complaint = int(meta["show_id"])
    if path.exists() and path.stat().st_mtime >= base.stat().st_mtime:
        return path, complaint
    shutil.copyfile(base, path)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(notes):
        at = (start + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S.%f")
        rows.append((complaint, at, at, "sam", "phone", ("in", "out", "internal")[i % 3],
                     f"Call {i}: the customer chased the refund again and is still waiting"))  # fmt: skip
    with sqlite3.connect(path) as conn:  # the FTS triggers index them as complog would
        conn.executemany("INSERT INTO note (complaint_id, at, recorded_at, author, channel, direction, text)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
    return path, complaint


def build_apart(sizes: list[int], notes: bool = False) -> None:
    """Build (or find) the cached logbooks in a child process. On Linux a process's peak
    RSS survives fork and exec, so once this process has grown by a build, every child it
    starts would report this process's peak instead of its own."""
    code = f"import bench\nfor n in {sizes!r}: bench.logbook(n)\n" + (
        "bench.notes_logbook()\n" if notes else ""
    )
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent, check=True)


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one process."""
    t0 = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, _status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def at_schema_of(db: Path, src: str) -> Path:
    """`db` as the tree at `src` opens it: a copy downgraded to that tree's schema (by
    this tree's migrations, in a child process), cached beside it. An older complog
    refuses a logbook newer than itself, so comparing across a migration needs this."""

    def schema_head(src: str | None) -> str:  # asked of a child: this process stays small
        script = "from complog.connect import SCHEMA_HEAD; print(SCHEMA_HEAD)"
        env = base_env() | ({"PYTHONPATH": src} if src else {})
        return subprocess.run([PY, "-c", script], env=env, capture_output=True, text=True,
                              check=True).stdout.strip()  # fmt: skip

    head = schema_head(src)
    if head == schema_head(None):
        return db
    copy = db.with_name(f"{db.stem}-at-{head}.db")
    if copy.exists() and copy.stat().st_mtime >= db.stat().st_mtime:
        return copy
    shutil.copyfile(db, copy)
    downgrade = (
        "import sys\n"
        "from alembic import command\n"
        "from complog.connect import Location\n"
        "from complog.store import _alembic_config, _engine\n"
        "engine = _engine(Location(path=__import__('pathlib').Path(sys.argv[1])))\n"
        "with engine.connect() as conn, conn.begin():\n"
        "    command.downgrade(_alembic_config(conn), sys.argv[2])\n"
    )
    subprocess.run([PY, "-c", downgrade, str(copy), head], check=True)
    return copy


def insight(rounds: int, against: Path | None) -> str:
    """`report` at 100k and `show` of a complaint with 100,000 notes, every case (and,
    with --against OLD_SRC, the same commands from that tree) once per round in a
    shuffled order, so load from other people hits all alike."""
    import random

    build_apart([1000, 100_000], notes=True)
    big, meta = logbook(100_000)
    notes_db, complaint = notes_logbook()
    commands = {
        "report_json": (big, ["report", "--format", "json"]),
        "report_plain": (big, ["report", "--format", "plain"]),
        "show_notes_table": (notes_db, ["show", str(complaint), "--format", "table"]),
        "show_notes_plain": (notes_db, ["show", str(complaint), "--format", "plain"]),
        "show_notes_json": (notes_db, ["show", str(complaint), "--format", "json"]),
    }
    trees = {"this tree": None} | ({f"old ({against})": str(against)} if against else {})
    dbs = {(tree, db): at_schema_of(db, src) for tree, src in trees.items() if src
           for db in {big, notes_db}}  # fmt: skip
    env0 = base_env() | {"COMPLOG_NOW": meta["now"]}
    cases = [(tree, key) for tree in trees for key in commands]
    runs: dict[tuple[str, str], list[tuple[float, float, float]]] = {c: [] for c in cases}
    rng = random.Random(22)
    for r in range(rounds):
        order = cases[:]
        rng.shuffle(order)
        for tree, key in order:
            db, args = commands[key]
            if trees[tree]:
                db = dbs[(tree, db)]
            env = env0 | ({"PYTHONPATH": trees[tree]} if trees[tree] else {})
            runs[(tree, key)].append(_timed([PY, "-m", "complog", "--db", str(db), *args], env))
        print(f"    insight round {r + 1}/{rounds}", file=sys.stderr, flush=True)
    lines = [f"### report and show ({rounds} interleaved rounds; medians)", "",
             "| tree | command | wall ms | CPU ms | peak RSS MB | target |", "|---|---|---:|---:|---:|---|"]  # fmt: skip
    for tree, key in cases:
        wall, cpu, rss = (statistics.median(x[i] for x in runs[(tree, key)]) for i in range(3))
        ms_limit, mb_limit = INSIGHT_TARGETS[key]
        target = (f"<= {ms_limit:.0f} ms, " if ms_limit else "") + f"<= {mb_limit:.0f} MB"
        label = " ".join(commands[key][1])
        lines.append(
            f"| {tree} | `{label}` | {wall * 1000:.0f} | {cpu * 1000:.0f} | {rss:.0f} | {target} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,100000", help="complog logbook sizes (default 1000,100000)"
    )
    parser.add_argument("--tw-sizes", default="1000,10000,100000", help="Taskwarrior sizes")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", help="comma-separated case keys (e.g. due,add,ref_due)")
    parser.add_argument("--no-taskwarrior", action="store_true")
    parser.add_argument(
        "--experiments",
        action="store_true",
        help="paired timings of complog with proposed changes emulated (experiments/run.py)",
    )
    parser.add_argument("--paired-only", action="store_true", help="skip the hyperfine table")
    parser.add_argument(
        "--paired",
        type=int,
        default=15,
        metavar="ROUNDS",
        help="also time both sides of each ratio target interleaved (0: skip)",
    )
    parser.add_argument("--no-hyperfine", action="store_true", help="use the built-in timing loop")
    parser.add_argument(
        "--out", type=Path, help="results folder (default benchmarks/.cache/results/<time>)"
    )
    parser.add_argument(
        "--chart-from",
        type=Path,
        metavar="DIR",
        help="only redraw DIR/chart.svg from DIR/results.json",
    )
    parser.add_argument(
        "--insight",
        type=int,
        metavar="ROUNDS",
        help="only time report at 100k and show of 100,000 notes, interleaved (issue 22)",
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="OLD_SRC",
        help="with --insight: time the same commands from this source tree too",
    )
    args = parser.parse_args()
    if args.insight:
        print(insight(args.insight, args.against))
        return
    if args.chart_from:
        rows = json.loads((args.chart_from / "results.json").read_text())
        loaded = [Result(Case(r["key"], r["label"], r["argv"], r["size"], r["group"]), r["times_s"], r["rss_mb"], r["error"])
                  for r in rows]  # fmt: skip
        chart(loaded, [], [], args.chart_from / "chart.svg")
        print(args.chart_from / "chart.svg")
        return
    if args.runs < 10:
        print("note: fewer than 10 runs; the issue asks for medians of >= 10", file=sys.stderr)
    sizes = [int(s) for s in args.sizes.split(",")]
    tw_sizes = (
        []
        if args.no_taskwarrior or not shutil.which("task")
        else [int(s) for s in args.tw_sizes.split(",")]
    )
    use_hyperfine = bool(shutil.which("hyperfine")) and not args.no_hyperfine
    out = args.out or CACHE / "results" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="complog-bench-"))

    metas: dict[int, dict] = {}
    dbs: dict[int, tuple[Path, Path]] = {}
    cases: list[Case] = [
        Case("version", "`--version`", [COMPLOG, "--version"]),
        Case("help", "`--help`", [COMPLOG, "--help"]),
    ]
    build_apart(sizes)
    for n in sizes:
        db, meta = logbook(n)
        metas[n] = meta
        work = work_dir / f"work-{n}.db"  # writes go here, so the cached logbook stays as built
        shutil.copyfile(db, work)
        dbs[n] = (db, work)
    cases += floor_cases(sizes, dbs)
    for n in sizes:
        cases += complog_cases(n, *dbs[n], metas[n])
        cases.append(holidays_case(n, dbs[n][0], work_dir))
    if args.experiments:
        for n in (min(sizes), max(sizes)):
            cases += experiment_cases(n, *dbs[n], metas[n])
    cases += taskwarrior_cases(tw_sizes, work_dir)
    if args.only:
        wanted = set(args.only.split(","))
        cases = [c for c in cases if c.key in wanted]

    results = []
    timed = [] if args.paired_only else [c for c in cases if c.group != "experiment"]
    for i, case in enumerate(timed, 1):
        where = f" @ {case.size:,}" if case.size else ""
        print(f"[{i}/{len(timed)}] {case.label}{where} ...", file=sys.stderr, flush=True)
        result = run_case(case, args.runs, args.warmup, out, use_hyperfine)
        if result.error:
            print(f"    FAILED: {result.error}", file=sys.stderr)
        else:
            print(f"    median {ms(result.median)} ms, min {ms(result.min)} ms, RSS {result.rss_mb:.0f} MB",
                  file=sys.stderr)  # fmt: skip
        results.append(result)
    text = "" if args.paired_only else report(results, sizes, tw_sizes, metas, args.runs,
                                               "hyperfine" if use_hyperfine else "built-in loop")  # fmt: skip
    if args.paired and (not args.only or args.paired_only):
        print("paired, interleaved ratios ...", file=sys.stderr, flush=True)
        pairs = PAIRS + (EXPERIMENT_PAIRS if args.experiments else [])
        extra, rows = paired(cases, args.paired, min(sizes), max(sizes), pairs)
        text += "\n" + extra
        (out / "paired.json").write_text(json.dumps(rows, indent=1) + "\n")
    shutil.rmtree(work_dir, ignore_errors=True)
    if chart(results, sizes, tw_sizes, out / "chart.svg"):
        print(f"(chart: {out / 'chart.svg'})", file=sys.stderr)
    (out / "results.md").write_text(text)
    (out / "results.json").write_text(json.dumps([
        {"key": r.case.key, "label": r.case.label, "size": r.case.size, "group": r.case.group,
         "argv": r.case.argv, "times_s": r.times, "median_ms": r.median, "min_ms": r.min,
         "max_ms": r.max, "rss_mb": r.rss_mb, "error": r.error}
        for r in results
    ], indent=1) + "\n")  # fmt: skip
    print(text)
    print(f"(raw results in {out})", file=sys.stderr)


if __name__ == "__main__":
    main()
