"""Every branch of `complog import`, byte for byte, from two versions of complog.

    python benchmarks/compare_imports.py OLD_SRC              # OLD_SRC against this checkout
    python benchmarks/compare_imports.py OLD_SRC NEW_SRC --show-diff

Moving import's procedures out of the command (issue 20) must leave every
message where it was: stdout, stderr and the exit code of a good file, a bad
one (refused, --skip-bad, more bad rows than are listed), --dry-run, ids
renumbered, files that are not UTF-8 or are workbooks, standard input, a
mapped CSV and .xlsx (a second import, --dry-run, bad rows, no id column, a
title row), --inspect and --write-map (new file, existing file, missing folder,
empty name) and the option errors. Each case is a sequence of commands run in
a folder of its own, the same path for both versions, with a fresh logbook;
every command of the sequence is compared. Exit status 1 when anything differs.

Get an old tree with `git archive <commit> src | tar -x -C /tmp/old` and pass /tmp/old/src.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The fixtures of the mapped-import tests, so the two stay one set of sheets.
from tests.cli.test_import_map import (  # noqa: E402
    BAD_ROWS,
    GERMAN_CSV,
    GERMAN_MAP,
    XLSX_MAP,
    XLSX_ROWS,
)

NOW_ISO = "2024-04-10T12:00:00+00:00"
Step = tuple[list[str], bytes | None]


def _jsonl(n: int, first_id: int = 1, bad: tuple[int, ...] = ()) -> str:
    """n complog-format complaints (ids from first_id); the ones in `bad` lack a summary."""
    lines = []
    for i in range(n):
        summary = "" if i in bad else f"Complaint {i}"
        lines.append(
            f'{{"id": {first_id + i}, "customer": "Customer {i}", "summary": "{summary}",'
            f' "opened_at": "2024-03-0{1 + i % 9}T10:00:00+00:00", "status": "open", "owner": "sam"}}'
        )
    return "\n".join(lines) + "\n"


def _xlsx(path: Path, rows: list[list[object]], title: str | None = None) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title is not None:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    book.create_sheet("Second")
    book.save(path)


def files(folder: Path) -> None:
    """Every input the cases read, written into the case's folder."""
    (folder / "good.jsonl").write_text(_jsonl(3))
    (folder / "bad.jsonl").write_text(_jsonl(4, bad=(1,)))
    (folder / "many_bad.jsonl").write_text(_jsonl(14, bad=tuple(range(1, 13))))
    (folder / "taken.jsonl").write_text(_jsonl(2, first_id=1))
    (folder / "latin1.csv").write_bytes("name,subject\nMüller,x\n".encode("latin-1"))
    (folder / "tickets.csv").write_text(GERMAN_CSV)
    (folder / "helpdesk.toml").write_text(GERMAN_MAP)
    (folder / "bad.csv").write_text(BAD_ROWS)
    (folder / "bad.toml").write_text(
        '[columns]\nexternal_id="id"\ncustomer="name"\nsummary="subject"\nopened_at="opened"\n'
        'status="state"\nresolved_at="opened"\n[values.status]\nOpen="open"\nClosed="resolved"\n'
    )
    (folder / "plain.csv").write_text("name,subject,opened\nAcme,Till,2024-03-05\n")
    (folder / "plain.toml").write_text(
        '[columns]\ncustomer="name"\nsummary="subject"\nopened_at="opened"\n'
    )
    (folder / "shop.toml").write_text(XLSX_MAP)
    _xlsx(folder / "shop.xlsx", XLSX_ROWS)
    _xlsx(folder / "titled.xlsx", XLSX_ROWS, title="Complaints, March 2024")
    (folder / "été\x1b[31m.csv").write_text(GERMAN_CSV)
    (folder / "exists.toml").write_text("# already here\n")
    (folder / "broken.toml").write_text("[columns\n")


CASES: dict[str, list[Step]] = {
    "good twice": [(["import", "good.jsonl"], None), (["import", "good.jsonl"], None)],
    "good dry run": [(["import", "good.jsonl", "--dry-run"], None)],
    "cfpb": [(["import", str(ROOT / "tests/data/cfpb_slice.csv"), "--format", "cfpb"], None)],
    "twcs dry run": [(["import", str(ROOT / "tests/data/twcs_slice.csv"), "--dry-run"], None)],
    "bad refused": [(["import", "bad.jsonl"], None)],
    "bad skipped": [(["import", "bad.jsonl", "--skip-bad"], None)],
    "bad skipped dry run": [(["import", "bad.jsonl", "--skip-bad", "--dry-run"], None)],
    "many bad refused": [(["import", "many_bad.jsonl"], None)],
    "many bad skipped": [(["import", "many_bad.jsonl", "--skip-bad"], None)],
    "renumbered": [
        (["add", "Someone", "Taken first"], None),
        (["import", "taken.jsonl", "--dry-run"], None),
        (["import", "taken.jsonl"], None),
        (["import", "taken.jsonl"], None),
    ],
    "renumbered parts": [
        (["add", "Ann", "First", "--promise", "Call", "--due", "tomorrow"], None),
        (["export", "--out", "export.jsonl"], None),
        (
            ["--db", "other.db", "add", "Bea", "Other", "--promise", "Call", "--due", "tomorrow"],
            None,
        ),
        (["--db", "other.db", "import", "export.jsonl", "--dry-run"], None),
        (["--db", "other.db", "import", "export.jsonl"], None),
    ],
    "standard input": [(["import", "-", "--format", "jsonl"], _jsonl(2).encode())],
    "standard input unknown": [(["import", "-"], b"\xff\xfe not text")],
    "standard input not utf-8": [(["import", "-", "--format", "jsonl"], b"\xff\xfe not text")],
    "not utf-8": [(["import", "latin1.csv"], None)],
    "missing file": [(["import", "nowhere.jsonl"], None)],
    "empty name": [(["import", ""], None)],
    "unknown format": [(["import", "good.jsonl", "--format", "xml"], None)],
    "workbook without map": [(["import", "shop.xlsx"], None)],
    "mapped csv": [
        (["import", "tickets.csv", "--map", "helpdesk.toml", "--dry-run"], None),
        (["import", "tickets.csv", "--map", "helpdesk.toml"], None),
        (["import", "tickets.csv", "--map", "helpdesk.toml"], None),
    ],
    "mapped bad": [
        (["import", "bad.csv", "--map", "bad.toml"], None),
        (["import", "bad.csv", "--map", "bad.toml", "--skip-bad", "--dry-run"], None),
        (["import", "bad.csv", "--map", "bad.toml", "--skip-bad"], None),
    ],
    "mapped without ids": [
        (["import", "plain.csv", "--map", "plain.toml"], None),
        (["import", "plain.csv", "--map", "plain.toml", "--dry-run"], None),
    ],
    "mapped xlsx": [
        (["import", "shop.xlsx", "--map", "shop.toml", "--dry-run"], None),
        (["import", "shop.xlsx", "--map", "shop.toml"], None),
    ],
    "mapped xlsx title row": [(["import", "titled.xlsx", "--map", "shop.toml"], None)],
    "mapped not utf-8": [(["import", "latin1.csv", "--map", "plain.toml"], None)],
    "mapped bad map": [(["import", "plain.csv", "--map", "broken.toml"], None)],
    "mapped missing map": [(["import", "plain.csv", "--map", "nowhere.toml"], None)],
    "inspect csv": [(["import", "tickets.csv", "--inspect"], None)],
    "inspect xlsx": [(["import", "shop.xlsx", "--inspect"], None)],
    "inspect with map": [(["import", "titled.xlsx", "--inspect", "--map", "shop.toml"], None)],
    "inspect not utf-8": [(["import", "latin1.csv", "--inspect"], None)],
    "write map": [
        (["import", "tickets.csv", "--write-map", "new.toml"], None),
        (["import", "tickets.csv", "--map", "new.toml", "--dry-run"], None),
    ],
    "odd names": [
        (["import", "été\x1b[31m.csv", "--write-map", "m\x1b[31m\n.toml"], None),
        (["import", "été\x1b[31m.csv", "--map", "m\x1b[31m\n.toml", "--dry-run"], None),
        (["import", "été\x1b[31m.csv", "--map", "m\x1b[31m\n.toml"], None),
    ],
    "write map exists": [(["import", "tickets.csv", "--write-map", "exists.toml"], None)],
    "write map no folder": [(["import", "tickets.csv", "--write-map", "no/such/m.toml"], None)],
    "write map empty": [(["import", "tickets.csv", "--inspect", "--write-map", " "], None)],
    "inspect with dry run": [(["import", "tickets.csv", "--inspect", "--dry-run"], None)],
    "map with format": [(["import", "tickets.csv", "--map", "x.toml", "--format", "csv"], None)],
}


def run(src: Path, folder: Path, argv: list[str], stdin: bytes | None) -> tuple[int, bytes, bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "COMPLOG_DB": str(folder / "logbook" / "complog.db"),
        "COMPLOG_NOW": NOW_ISO,
        "COMPLOG_USER": "tester",
        "XDG_CONFIG_HOME": str(folder / "config"),
        "TZ": "UTC",
        "COLUMNS": "100",
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "complog", *argv], cwd=folder, env=env, input=stdin or b"",
        capture_output=True, check=False, timeout=300,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def outputs(src: Path, folder: Path, steps: list[Step]) -> list[tuple[int, bytes, bytes]]:
    """The case's commands on a fresh copy of its inputs, in `folder` (the same path each time)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    files(folder)
    return [run(src, folder, argv, stdin) for argv, stdin in steps]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the old tree's src folder")
    parser.add_argument("new", type=Path, nargs="?", default=ROOT / "src")
    parser.add_argument("--show-diff", action="store_true", help="print each difference")
    parser.add_argument("--only", help="run the cases whose name contains this")
    args = parser.parse_args(argv)
    show: Callable[[str], None] = print
    compared = differ = 0
    with tempfile.TemporaryDirectory(prefix="compare-imports-") as tmp:
        folder = Path(tmp) / "case"
        for name, steps in CASES.items():
            if args.only and args.only not in name:
                continue
            old = outputs(args.old, folder, steps)
            new = outputs(args.new, folder, steps)
            for (argv, _), before, after in zip(steps, old, new, strict=True):
                compared += 1
                if before == after:
                    continue
                differ += 1
                show(f"DIFFERS [{name}] complog {' '.join(argv)}")
                if args.show_diff:
                    for label, a, b in (("exit", before[0], after[0]),):
                        if a != b:
                            show(f"  {label}: {a} -> {b}")
                    for label, a_bytes, b_bytes in (("stdout", before[1], after[1]),
                                                    ("stderr", before[2], after[2])):  # fmt: skip
                        a_text = a_bytes.decode(errors="replace").splitlines()
                        b_text = b_bytes.decode(errors="replace").splitlines()
                        for line in difflib.unified_diff(a_text, b_text, label, label, lineterm=""):
                            show(f"  {line}")
    show(f"{compared} outputs compared, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
