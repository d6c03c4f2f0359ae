"""Where the time goes: imports, Python hotspots, and the SQL of the hot commands.

    python benchmarks/profiles.py                 # all three parts, 100k logbook
    python benchmarks/profiles.py imports         # python -X importtime of `due` and `add`
    python benchmarks/profiles.py cprofile        # cProfile of report, search COMMON, escalate --auto --dry-run
    python benchmarks/profiles.py queries         # in-process timings of the read queries + EXPLAIN QUERY PLAN

Run it when the machine is otherwise quiet-ish, after bench.py (it disturbs
timings). Writes Markdown to stdout and raw files (.prof, importtime logs) to
benchmarks/.cache/profiles/<timestamp>/.
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import COMPLOG, PY, base_env  # noqa: E402
from make_logbook import CACHE, NOW_ISO, logbook  # noqa: E402

_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def importtime(
    argv: list[str], runs: int, out: Path, name: str
) -> tuple[dict[str, float], dict[str, float], int]:
    """Median self and cumulative µs per module over `runs` runs, and the module count."""
    selfs: dict[str, list[int]] = defaultdict(list)
    cumul: dict[str, list[int]] = defaultdict(list)
    count = 0
    for i in range(runs):
        proc = subprocess.run([PY, "-X", "importtime", *argv], env=base_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
        if i == 0:
            (out / f"importtime-{name}.txt").write_text(proc.stderr)
        mods = 0
        for line in proc.stderr.splitlines():
            m = _IMPORT_LINE.match(line)
            if m:
                selfs[m.group(4)].append(int(m.group(1)))
                cumul[m.group(4)].append(int(m.group(2)))
                mods += 1
        count = mods
    return ({k: statistics.median(v) for k, v in selfs.items()},
            {k: statistics.median(v) for k, v in cumul.items()}, count)  # fmt: skip


def imports_section(db: Path, meta: dict, out: Path, runs: int) -> str:
    work = out / "work.db"
    shutil.copyfile(db, work)
    commands = {
        "due": [COMPLOG, "--db", str(db), "due"],
        "add": [
            COMPLOG,
            "--db",
            str(work),
            "add",
            meta["customer"],
            "Card reader offline again",
            "--promise",
            "Call back with fix",
            "--due",
            "tomorrow 10am",
        ],  # fmt: skip
    }
    lines = ["## Imports (`python -X importtime`, median of "
             f"{runs} runs, 100k logbook; cumulative ms include sub-imports)", ""]  # fmt: skip
    for name, argv in commands.items():
        self_us, cum_us, count = importtime(argv, runs, out, name)
        top = sorted(cum_us.items(), key=lambda kv: -kv[1])[:15]
        lines += [f"### `{name}`: {count} modules imported", "",
                  "| module | cumulative ms | self ms |", "|---|---:|---:|"]  # fmt: skip
        lines += [f"| `{mod}` | {us / 1000:.1f} | {self_us[mod] / 1000:.1f} |" for mod, us in top]
        groups: dict[str, float] = defaultdict(float)
        for mod, us in self_us.items():
            root = mod.split(".")[0]
            groups[root] += us
        total = sum(groups.values())
        lines += [
            "",
            f"Self time by top-level package (total {total / 1000:.0f} ms of imports):",
            "",
        ]
        lines += ["| package | ms | modules |", "|---|---:|---:|"]
        n_by = defaultdict(int)
        for mod in self_us:
            n_by[mod.split(".")[0]] += 1
        for root, us in sorted(groups.items(), key=lambda kv: -kv[1])[:14]:
            lines.append(f"| `{root}` | {us / 1000:.1f} | {n_by[root]} |")
        orm = [m for m in self_us if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "alembic")]
        lines += ["", f"SQLAlchemy/SQLModel/Alembic modules imported: {len(orm)}; "
                  f"pydantic modules: {sum(1 for m in self_us if m.split('.')[0] in ('pydantic', 'pydantic_core'))}; "
                  f"rich modules: {sum(1 for m in self_us if m.split('.')[0] == 'rich')}.", ""]  # fmt: skip
    work.unlink(missing_ok=True)
    return "\n".join(lines) + "\n"


def _where(filename: str, line: int) -> str:
    for marker in ("/site-packages/", "/src/"):
        if marker in filename:
            return filename.split(marker, 1)[1] + f":{line}"
    if filename.startswith("~") or filename.startswith("<"):
        return filename
    return f"{Path(filename).name}:{line}"


def cprofile_section(db: Path, meta: dict, out: Path) -> str:
    commands = {
        "report --format json": ["report", "--format", "json"],
        f"search {meta['common_term']}": ["search", meta["common_term"]],
        "escalate --auto --dry-run": ["escalate", "--auto", "--dry-run"],
    }
    lines = ["## cProfile (100k logbook, one run each; times under the profiler are inflated)", ""]
    for label, args in commands.items():
        prof = out / (re.sub(r"\W+", "-", label).strip("-") + ".prof")
        t0 = time.perf_counter()
        subprocess.run([PY, "-m", "cProfile", "-o", str(prof), COMPLOG, "--db", str(db), *args],
                       env=base_env(), check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        wall = time.perf_counter() - t0
        stats = pstats.Stats(str(prof))
        raw = stats.stats  # type: ignore[attr-defined]
        total = stats.total_tt  # type: ignore[attr-defined]
        rows = []
        for (filename, line, func), (_cc, nc, tt, ct, _callers) in raw.items():
            rows.append((tt, ct, nc, f"{_where(filename, line)}({func})"))
        lines += [f"### `{label}`: {wall:.1f} s wall under the profiler, {total:.1f} s profiled", "",
                  "Top by own time:", "", "| own s | cumulative s | calls | function |", "|---:|---:|---:|---|"]  # fmt: skip
        for tt, ct, nc, where in sorted(rows, key=lambda r: -r[0])[:15]:
            lines.append(f"| {tt:.2f} | {ct:.2f} | {nc:,} | `{where}` |")
        lines += ["", "Top complog functions by cumulative time:", "",
                  "| cumulative s | own s | calls | function |", "|---:|---:|---:|---|"]  # fmt: skip
        mine = [r for r in rows if r[3].startswith("complog/")]
        for tt, ct, nc, where in sorted(mine, key=lambda r: -r[1])[:15]:
            lines.append(f"| {ct:.2f} | {tt:.2f} | {nc:,} | `{where}` |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _calls(reader: Any, meta: dict, now: datetime, complaint_filter: Any) -> dict[str, Any]:
    return {
        "settings()": lambda: reader.settings(),
        "due(now)": lambda: reader.due(now).items,
        "complaints(limit=50)": lambda: reader.complaints(complaint_filter(limit=50)),
        "detail(show_id)": lambda: reader.detail(meta["show_id"]).timeline,
        "customer_history(name)": lambda: reader.customer_history(meta["customer"]).complaints,
        "search(rare)": lambda: reader.search(meta["rare_term"]),
        "search(common)": lambda: reader.search(meta["common_term"]),
        "rule_facts()": lambda: reader.rule_facts(),
        "report_figures(None, now)": lambda: reader.report_figures(None, now, now)[0],
    }


def queries_section(sizes: list[int]) -> str:
    """In-process timings of the Reader methods behind each command (no start-up cost)."""
    from complog.connect import Location
    from complog.queries import ComplaintFilter, open_reader

    now = datetime.fromisoformat(NOW_ISO).astimezone(UTC)
    lines = ["## Read path in-process (Reader methods, best of 5, ms; no interpreter start-up)", ""]
    header = "| call |" + "".join(f" {n:,} |" for n in sizes) + " rows at largest |"
    lines += [header, "|---|" + "---:|" * (len(sizes) + 1)]
    table: dict[str, list[str]] = {}
    rows_out: dict[str, str] = {}
    plans: dict[str, list[str]] = {}
    for n in sizes:
        db, meta = logbook(n)
        reader = open_reader(Location(path=db))
        calls = _calls(reader, meta, now, ComplaintFilter)
        for name, call in calls.items():
            best, result = float("inf"), None
            repeat = (
                2 if name in ("report_figures(None, now)", "rule_facts()") and n >= 100000 else 5
            )
            for _ in range(repeat):
                t0 = time.perf_counter()
                result = call()
                best = min(best, time.perf_counter() - t0)
            table.setdefault(name, []).append(f"{best * 1000:,.1f}")
            try:
                rows_out[name] = f"{len(result):,}"  # type: ignore[arg-type]
            except TypeError:
                rows_out[name] = ""
        if n == max(sizes):
            conn = reader.conn
            sqls = {
                "due": "SELECT p.id FROM promise p JOIN complaint c ON c.id = p.complaint_id"
                       " JOIN customer cu ON cu.id = c.customer_id"
                       " WHERE p.status = 'open' AND p.due_at < :h ORDER BY p.due_at, p.id",
                "due escalations": "SELECT e.* FROM escalation e JOIN complaint c ON c.id = e.complaint_id"
                                   " JOIN customer cu ON cu.id = c.customer_id"
                                   " WHERE e.acknowledged_at IS NULL AND c.status = 'open' ORDER BY e.at, e.id",
                "list": "SELECT c.id FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
                        " WHERE c.status = :s ORDER BY c.opened_at DESC, c.id DESC LIMIT 50",
                "search note": "SELECT (SELECT complaint_id FROM note WHERE id = f.rowid), bm25(note_fts) AS rank"
                               " FROM note_fts f WHERE note_fts MATCH :q ORDER BY rank LIMIT 20",
                "report promises": "SELECT * FROM (SELECT p.id, (SELECT r.old_due_at FROM reschedule r"
                                   " WHERE r.promise_id = p.id AND r.late ORDER BY r.at, r.id LIMIT 1) AS f"
                                   " FROM promise p) WHERE coalesce(f, 0) >= :since",
            }  # fmt: skip
            params = {"h": "2026-11-27", "s": "open", "q": "customer", "since": ""}
            for name, sql in sqls.items():
                plan = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
                plans[name] = [r[3] for r in plan]
        reader.close()
    for name, cells in table.items():
        lines.append(
            f"| `{name}` |" + "".join(f" {c} |" for c in cells) + f" {rows_out.get(name, '')} |"
        )
    lines += ["", "Query plans at the largest size (EXPLAIN QUERY PLAN):", ""]
    for name, plan in plans.items():
        lines.append(f"- {name}: " + "; ".join(f"`{p}`" for p in plan))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", default=["imports", "cprofile", "queries"])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--sizes", default="1000,100000", help="sizes for the queries part")
    parser.add_argument("--runs", type=int, default=5, help="importtime runs (median)")
    args = parser.parse_args()
    out = CACHE / "profiles" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    db, meta = logbook(args.size)
    os.environ.update({"COMPLOG_NOW": NOW_ISO, "TZ": "UTC"})
    text = (
        f"Profiles {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, logbook of {args.size:,} complaints.\n\n"
    )
    if "imports" in args.parts:
        text += imports_section(db, meta, out, args.runs)
    if "cprofile" in args.parts:
        text += cprofile_section(db, meta, out)
    if "queries" in args.parts:
        text += queries_section([int(s) for s in args.sizes.split(",")])
    (out / "profiles.md").write_text(text)
    print(text)
    print(f"(raw files in {out})", file=sys.stderr)


if __name__ == "__main__":
    main()
