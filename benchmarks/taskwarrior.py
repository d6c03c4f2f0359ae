"""Taskwarrior data equivalent to a complog logbook, for `task overdue` / `task add`.

    python benchmarks/taskwarrior.py 1000 10000 100000

One task per complaint of benchmarks/.cache/logbook-N.db: the summary as the
description, the category as the project, pending (due at the complaint's
earliest open promise, if any) while the complaint is open, completed (at its
resolution) otherwise. Loaded with `task import` of a JSON array into
benchmarks/.cache/task-N/ (its own taskrc and data folder, cached), so
`task overdue` sees as many overdue tasks as complog `due` sees complaints
with overdue promises. With --all-pending (the issue's reference setup, it
seems: its figures grow 1:8:80), every task stays pending, due at the
complaint's first promise.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_logbook import CACHE, logbook  # noqa: E402

VERSION = 1


def tw_time(stored: str) -> str:
    """'2026-11-19 09:30:00.000000' -> '20261119T093000Z'."""
    return stored[:10].replace("-", "") + "T" + stored[11:19].replace(":", "") + "Z"


def tasks(db: Path, all_pending: bool = False) -> list[dict[str, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT c.id, c.summary, c.category, c.status, c.opened_at, c.resolved_at,"
        " (SELECT min(due_at) FROM promise p WHERE p.complaint_id = c.id AND p.status = 'open')"
        " FROM complaint c ORDER BY c.id"
    ).fetchall()
    conn.close()
    conn2 = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out = []
    for cid, summary, category, status, opened, resolved, due in rows:
        task = {
            "uuid": str(uuid.UUID(int=cid)),
            "description": summary,
            "entry": tw_time(opened),
            "modified": tw_time(resolved or opened),
            "status": "pending" if status == "open" else "completed",
        }
        if category:
            task["project"] = category.replace(" ", "_")
        if all_pending:  # the reference setup: every task pending, due at its first promise
            task["status"] = "pending"
            first = conn2.execute(
                "SELECT min(due_at) FROM promise WHERE complaint_id = ?", (cid,)
            ).fetchone()[0]
            if first:
                task["due"] = tw_time(first)
        elif status != "open":
            task["end"] = tw_time(resolved)
        elif due:
            task["due"] = tw_time(due)
        out.append(task)
    conn2.close()
    return out


def env(folder: Path) -> dict[str, str]:
    return dict(os.environ, TASKRC=str(folder / "taskrc"), TASKDATA=str(folder / "data"))


def build(n: int, force: bool = False, all_pending: bool = False) -> Path:
    """The cached Taskwarrior data for N complaints (all_pending: every task pending)."""
    folder = CACHE / (f"task-{n}-all-pending" if all_pending else f"task-{n}")
    stamp = folder / "built.json"
    if not force and stamp.exists() and json.loads(stamp.read_text()).get("version") == VERSION:
        return folder
    db, _meta = logbook(n)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    (folder / "taskrc").write_text(
        f"data.location={folder / 'data'}\nconfirmation=off\nverbose=nothing\n"
        "news.version=2.6.0\nrecurrence=off\n"
    )
    data = tasks(db, all_pending)
    (folder / "import.json").write_text(json.dumps(data))
    t0 = time.perf_counter()
    subprocess.run(["task", "import", str(folder / "import.json")], env=env(folder), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    subprocess.run(["task", "count"], env=env(folder), check=True, stdout=subprocess.DEVNULL)  # gc
    seconds = time.perf_counter() - t0
    (folder / "import.json").unlink()
    pending = sum(1 for t in data if t["status"] == "pending")
    stamp.write_text(json.dumps({"version": VERSION, "n": n, "pending": pending,
                                 "import_seconds": round(seconds, 1)}) + "\n")  # fmt: skip
    print(f"task-{n}: {n} tasks ({pending} pending) imported in {seconds:.1f}s", file=sys.stderr)
    return folder


if __name__ == "__main__":
    all_pending = "--all-pending" in sys.argv
    for arg in sys.argv[1:]:
        if arg != "--all-pending":
            build(int(arg), force=True, all_pending=all_pending)
