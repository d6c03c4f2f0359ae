"""Full disks and damaged files: exit 5 with a message, and nothing else changes.

SPEC "Exit codes": 5 is a storage problem (disk full, corrupt file, ...);
every error is one or two lines that say what is wrong and what to do, never
a traceback; a failed command changes nothing.

A full disk is simulated two ways on real `python -m complog` processes:
RLIMIT_FSIZE (the kernel refuses to grow any file past N bytes: EFBIG), and,
where the test may mount, a real full filesystem (a 2 MB tmpfs in a private
mount namespace: ENOSPC). Damage is done to a copy of a real logbook: the
bytes of the complaint table's root page flipped, or the file cut in half.

(Non-SQLite files, other programs' databases and logbooks from a newer
complog are in test_migrations.py; read-only files in test_readonly.py.)
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import NOW, Ran
from tests.store._ops import load_command, run

pytestmark = pytest.mark.sqlite_only(
    reason="full disks (RLIMIT_FSIZE, tmpfs) and damaged pages of the SQLite file; a PostgreSQL server's disk is not the client's"
)


DAMAGED = (
    "complog: error: {path} is not a complog logbook, or it is damaged\n"
    "  restore it from a backup (complog backup) or choose another with --db\n"
)
DISK_FULL = "complog: error: no space left to write the logbook {path}\n  free some disk space\n"
BIG_NOTE = "Customer read out the whole contract. " * 3_000  # 114,000 characters


def query(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def limited(*args: str, limit: int, db: Path, cwd: Path | None = None) -> Ran:
    """`python -m complog ARGS` that may not make any file larger than `limit` bytes."""
    done = subprocess.run(
        [sys.executable, "-m", "complog", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "COMPLOG_DB": str(db), "PYTHONDONTWRITEBYTECODE": "1"},
        stdin=subprocess.DEVNULL, cwd=cwd,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
    )  # fmt: skip
    return Ran(list(args), done.returncode, done.stdout, done.stderr)


def assert_one_clean_error(ran: Ran, code: int = 5) -> None:
    assert ran.exit_code == code, ran
    assert ran.stdout == ""
    assert ran.stderr.startswith("complog: error: "), ran.stderr
    assert 1 <= len(ran.stderr.rstrip("\n").split("\n")) <= 2, ran.stderr
    assert "Traceback" not in ran.stderr
    assert "probably a bug" not in ran.stderr


def written_beside(path: Path) -> list[str]:
    """Files next to the logbook that hold anything (an empty -wal and the -shm
    index, which SQLite readers may leave behind, do not count)."""
    wal, shm = path.name + "-wal", path.name + "-shm"
    return sorted(
        p.name
        for p in path.parent.iterdir()
        if p != path and p.name != shm and not (p.name == wal and p.stat().st_size == 0)
    )


@pytest.fixture(scope="module")
def sample_logbook(tmp_path_factory) -> Path:
    """60 complaints with a promise each and a note on the first; WAL folded in."""
    path = tmp_path_factory.mktemp("sample") / "complog.db"
    command = load_command()
    db = ["--db", str(path)]
    with pytest.MonkeyPatch.context() as env:  # module scope: before the autouse clock
        env.setenv("COMPLOG_NOW", NOW)
        env.setenv("TZ", "UTC")
        for n in range(1, 61):
            code, _, err = run(command, [*db, "add", f"Customer {n:02d}", f"Till number {n} crashes at close " + "and loses the day's sales " * 20, "--promise", f"Call back {n}", "--due", "tomorrow 10am"])  # fmt: skip
            assert code == 0, err
        assert run(command, [*db, "note", "1", "Rang back, left voicemail", "--out"])[0] == 0
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def logbook_copy(sample_logbook, tmp_path) -> Path:
    path = tmp_path / "book" / "complog.db"
    path.parent.mkdir()
    shutil.copyfile(sample_logbook, path)
    return path


# -- full disk -------------------------------------------------------------------


def show_json(db: Path, proc) -> dict:
    return proc("--db", str(db), "show", "1", "--format", "json").json


def test_note_that_cannot_be_written_exits_5_and_leaves_the_logbook_intact(logbook_copy, proc):
    before = show_json(logbook_copy, proc)

    ran = limited("note", "1", BIG_NOTE, limit=100_000, db=logbook_copy)

    assert_one_clean_error(ran)
    assert str(logbook_copy) in ran.stderr
    assert query(logbook_copy, "PRAGMA integrity_check") == [("ok",)]
    assert show_json(logbook_copy, proc) == before  # the note is not there, all else is
    assert query(logbook_copy, "SELECT count(*) FROM complaint") == [(60,)]
    # And once there is room again, the same note is written.
    proc("--db", str(logbook_copy), "note", "1", BIG_NOTE)
    assert [n["text"] for n in show_json(logbook_copy, proc)["notes"]] == [
        "Rang back, left voicemail",
        BIG_NOTE.strip(),
    ]


def test_write_refused_for_lack_of_space_says_so_and_what_to_do(logbook_copy):
    ran = limited("note", "1", BIG_NOTE, limit=100_000, db=logbook_copy)
    assert ran.exit_code == 5
    assert ran.stderr == DISK_FULL.format(path=logbook_copy)


FULL_DISK_SCRIPT = r"""
import json, os, shutil, subprocess, sys
from pathlib import Path

source, mount, out = map(Path, sys.argv[1:4])
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, text=True)
if mounted.returncode != 0:
    print(json.dumps({"skip": mounted.stderr.strip()}))
    sys.exit(0)
db = mount / "complog.db"
shutil.copyfile(source, db)
env = {**os.environ, "COMPLOG_DB": str(db), "PYTHONDONTWRITEBYTECODE": "1"}
subprocess.run([sys.executable, "-m", "complog", "list"], env=env, check=True, capture_output=True)
stat = os.statvfs(mount)
with open(mount / "filler", "wb") as fh:  # leave 64 KB free
    fh.write(b"\0" * (stat.f_bavail * stat.f_frsize - 64 * 1024))
done = subprocess.run([sys.executable, "-m", "complog", "note", "1", sys.argv[4]], env=env, capture_output=True, text=True)
for name in ("complog.db", "complog.db-wal"):
    if (mount / name).exists():
        shutil.copyfile(mount / name, out / name)
print(json.dumps({"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr, "db": str(db)}))
"""


def test_note_on_a_really_full_disk_exits_5_says_disk_full_and_leaves_the_logbook_intact(
    logbook_copy, tmp_path, proc
):
    """A 2 MB tmpfs, mounted in a private mount namespace (root or user namespaces needed)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare is not installed")
    mount, out = tmp_path / "small-disk", tmp_path / "after"
    mount.mkdir()
    out.mkdir()
    before = show_json(logbook_copy, proc)
    done = subprocess.run(
        [unshare, "--mount", "--propagation", "private", sys.executable, "-c", FULL_DISK_SCRIPT,
         str(logbook_copy), str(mount), str(out), BIG_NOTE],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if done.returncode != 0 and not done.stdout:
        pytest.skip(f"cannot make a private mount namespace here: {done.stderr.strip()}")
    result = json.loads(done.stdout)
    if "skip" in result:
        pytest.skip(f"cannot mount a tmpfs here: {result['skip']}")

    ran = Ran(["note"], result["code"], result["stdout"], result["stderr"])
    assert_one_clean_error(ran)
    assert ran.stderr == DISK_FULL.format(path=result["db"])
    after = out / "complog.db"
    assert query(after, "PRAGMA integrity_check") == [("ok",)]
    assert show_json(after, proc) == before


LIMIT = 40_000  # above the 32 KB -shm index, below what each of these writes


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["export", "--format", "jsonl", "--out", "out.file"], id="export"),
        pytest.param(["calendar", "--out", "out.file"], id="calendar"),
        # The page is bounded (top N of each view, its own SVG): smaller than LIMIT, so
        # below it; reading then does without a 32 KB -shm (read-only, immutable).
        pytest.param(["report", "--html", "out.file"], id="report-html"),
    ],
)
def test_writing_a_file_that_does_not_fit_exits_5_and_leaves_no_partial_file(
    args, logbook_copy, tmp_path
):
    work = tmp_path / "work"
    work.mkdir()

    limit = 4_000 if args[0] == "report" else LIMIT
    ran = limited(*args, limit=limit, db=logbook_copy, cwd=work)

    assert_one_clean_error(ran)
    assert ran.stderr == "complog: error: cannot write out.file: File too large\n"
    assert sorted(p.name for p in work.iterdir()) == []


def test_backup_that_does_not_fit_exits_5_names_the_target_and_leaves_nothing(
    logbook_copy, tmp_path
):
    work = tmp_path / "work"
    work.mkdir()

    ran = limited("backup", str(work / "copy.db"), limit=LIMIT, db=logbook_copy)

    assert_one_clean_error(ran)
    assert str(work / "copy.db") in ran.stderr
    assert sorted(p.name for p in work.iterdir()) == []


def test_reading_a_live_wal_with_no_room_for_its_index_is_a_storage_error_not_a_crash(
    logbook, tmp_path, proc
):
    """A logbook copied with its -wal but not its -shm (or left so by a crash): the
    first reader must rebuild the 32 KB index, and here no file may grow past 4 KB."""
    proc("init")
    with closing(sqlite3.connect(logbook)) as other:  # keeps the WAL from being folded in
        other.execute("SELECT count(*) FROM complaint").fetchall()
        proc("add", "Acme Newsagency", "Till crashes at close")
        copy = tmp_path / "copied" / "complog.db"
        copy.parent.mkdir()
        shutil.copyfile(logbook, copy)
        shutil.copyfile(f"{logbook}-wal", f"{copy}-wal")
    assert Path(f"{copy}-wal").stat().st_size > 0

    ran = limited("list", limit=4096, db=copy)

    assert_one_clean_error(ran)


# -- damaged files -----------------------------------------------------------------


def flip_complaint_root_page(path: Path) -> None:
    """Invert the first 16 bytes (the b-tree page header) of the complaint table's root
    page: in the middle of the file, read by everything that touches a complaint."""
    with closing(sqlite3.connect(path)) as conn:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'complaint'").fetchone()  # fmt: skip
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
    assert 1 < root < pages
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + 16] = bytes(b ^ 0xFF for b in data[start : start + 16])
    path.write_bytes(bytes(data))


READS = [["list"], ["show", "1"], ["due"], ["digest"], ["customer", "Customer 01"], ["export"]]
WRITES = [["add", "Hillside Dental", "Wrong invoice"], ["note", "1", "Rang back"]]


def check_refused_untouched(path: Path, args: list[str], proc) -> None:
    before = digest(path)

    ran = proc("--db", str(path), *args, exit=None)

    assert_one_clean_error(ran)
    assert ran.stderr == DAMAGED.format(path=path)
    assert digest(path) == before
    assert written_beside(path) == []


@pytest.mark.parametrize(
    "args",
    [
        *READS,
        ["search", "till"],
        *WRITES,
    ],
    ids=lambda a: a[0],
)
def test_logbook_with_a_damaged_page_is_refused_with_exit_5_and_left_byte_identical(
    args, logbook_copy, proc
):
    flip_complaint_root_page(logbook_copy)
    check_refused_untouched(logbook_copy, args, proc)


def test_backup_of_a_damaged_logbook_exits_5_and_leaves_no_copy(logbook_copy, tmp_path, proc):
    flip_complaint_root_page(logbook_copy)
    target = tmp_path / "backup.db"

    ran = proc("--db", str(logbook_copy), "backup", str(target), exit=None)

    assert_one_clean_error(ran)
    assert not target.exists()


@pytest.mark.parametrize(
    "args",
    [
        *READS,
        ["report"],
        ["search", "till"],
        *WRITES,
        ["kept", "1"],
        ["config", "day_end", "17:30"],
    ],
    ids=lambda a: a[0],
)
def test_logbook_cut_in_half_is_refused_with_exit_5_and_left_byte_identical(
    args, logbook_copy, proc
):
    logbook_copy.write_bytes(logbook_copy.read_bytes()[: logbook_copy.stat().st_size // 2])
    check_refused_untouched(logbook_copy, args, proc)
