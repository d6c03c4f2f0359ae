"""Every read command's output, byte for byte, from two versions of complog.

    python benchmarks/compare_outputs.py OLD_SRC              # OLD_SRC against this checkout
    python benchmarks/compare_outputs.py OLD_SRC NEW_SRC --sizes 1000,100000
    python benchmarks/compare_outputs.py OLD_SRC --widths 100,40 --show-diff
    python benchmarks/compare_outputs.py OLD_SRC --allow-added-keys   # JSON may gain keys

A refactor of the read path or the output layer must leave what users see
unchanged except where it fixes a defect on purpose. This runs `due`, `list`,
`show`, `report`, `digest`, `history`, `escalations`, `customers`, `search`, `config` and `hooks` in every
format (table, plain, json, csv) on the benchmark logbooks (make_logbook.py),
once with each source tree on PYTHONPATH, and compares stdout, stderr and the
exit code. Each run gets its own copy of the logbook, so a version that
migrates it cannot change what the other reads. Exit status 1 when anything
differs.

Get an old tree with `git worktree add /tmp/old <commit>` and pass /tmp/old/src.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_logbook import NOW_ISO, logbook  # noqa: E402

FORMATS = ("table", "plain", "json", "csv")


def commands(meta: dict[str, object]) -> list[list[str]]:
    """The read commands compared, with the logbook's own interesting ids."""
    show = str(meta.get("show_id") or 1)
    return [
        ["due"],
        ["due", "--all"],
        ["list"],
        ["list", "--status", "all", "--limit", "200"],
        ["show", show],
        ["show", "1"],
        ["report"],
        ["report", "--since", "30d"],
        ["report", "--by", "owner"],
        ["digest"],
        ["history", "--limit", "200"],
        ["escalations"],
        ["customers"],
        ["customers", "--top", "3"],
        ["search", "refund"],
        ["search", "zzzznothing"],
        ["config"],
        ["hooks"],
    ]


def run(src: Path, db: Path, argv: list[str], fmt: str, width: int) -> tuple[int, bytes, bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "COMPLOG_DB": str(db),
        "COMPLOG_NOW": NOW_ISO,
        "COMPLOG_USER": "bench",
        "TZ": "UTC",
        "COLUMNS": str(width),
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "complog", "--format", fmt, *argv],
        env=env, capture_output=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def _kept(old: object, new: object) -> bool:
    """Every key of `old`, in its order and with its value, is in `new` (at any depth)."""
    if isinstance(old, dict):
        return (isinstance(new, dict) and list(new)[: len(old)] == list(old)
                and all(_kept(v, new[k]) for k, v in old.items()))  # fmt: skip
    if isinstance(old, list):
        return isinstance(new, list) and len(old) == len(new) and all(map(_kept, old, new))
    return old == new


def extends(old: bytes, new: bytes) -> bool:
    """Both outputs are JSON and the new one only adds keys (the contract: add, never rename)."""
    import json

    try:
        return _kept(json.loads(old), json.loads(new))
    except ValueError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the src/ folder of the version to compare with")
    parser.add_argument("new", type=Path, nargs="?", default=HERE.parent / "src")
    parser.add_argument("--sizes", default="1000", help="logbook sizes, comma-separated")
    parser.add_argument("--widths", default="100", help="terminal widths, comma-separated")
    parser.add_argument("--show-diff", action="store_true", help="print a diff of each difference")
    parser.add_argument("--allow-added-keys", action="store_true",
                        help="JSON that only adds keys (old keys, order and values kept) is not a difference")  # fmt: skip
    args = parser.parse_args()
    differences = compared = 0
    with tempfile.TemporaryDirectory(prefix="complog-compare-") as scratch:
        for size in (int(s) for s in args.sizes.split(",")):
            source, meta = logbook(size)
            copies = {}
            for side in ("old", "new"):
                copies[side] = Path(scratch) / f"{side}-{size}.db"
                shutil.copyfile(source, copies[side])
            for width in (int(w) for w in args.widths.split(",")):
                for argv in commands(meta):
                    for fmt in FORMATS:
                        old = run(args.old, copies["old"], argv, fmt, width)
                        new = run(args.new, copies["new"], argv, fmt, width)
                        compared += 1
                        if old == new:
                            continue
                        if (
                            args.allow_added_keys
                            and old[0] == new[0]
                            and old[2] == new[2]
                            and extends(old[1], new[1])
                        ):
                            print(
                                f"EXTENDS  {size:,} complaints, {width} columns: complog -f {fmt} {' '.join(argv)}"
                            )
                            continue
                        differences += 1
                        label = f"{size:,} complaints, {width} columns: complog -f {fmt} {' '.join(argv)}"
                        print(f"DIFFERS  {label}  (exit {old[0]} -> {new[0]})")
                        if args.show_diff:
                            for name, before, after in (
                                ("stdout", old[1], new[1]),
                                ("stderr", old[2], new[2]),
                            ):
                                sys.stdout.writelines(
                                    difflib.unified_diff(
                                        before.decode(errors="replace").splitlines(True),
                                        after.decode(errors="replace").splitlines(True),
                                        f"old {name}", f"new {name}",
                                    )
                                )  # fmt: skip
    print(f"{compared} outputs compared, {differences} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
