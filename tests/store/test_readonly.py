"""Read-only logbooks: reading commands work, writing commands exit 5 (SPEC
"Storage guarantees"; exit code 5 covers "read-only").

root ignores file permissions, so when the tests run as root each complog
process is started as `nobody` through setpriv; a non-root user needs nothing.
The logbook lives in a fresh directory under the system temp dir, because
pytest's tmp_path sits in a 0700 directory `nobody` cannot enter.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import NOW, Ran, complog_process

pytestmark = pytest.mark.sqlite_only(
    reason="file permissions of a SQLite logbook; PostgreSQL's read-only role is tested in tests/pg"
)

AS_NOBODY = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]
#: root without capabilities obeys file modes like anyone else: used when `nobody`
#: cannot reach this Python (a checkout or venv inside a 0700 directory, as in CI)
NO_CAPABILITIES = ["--bounding-set=-all", "--inh-caps=-all"]


@functools.cache
def _reader_prefix() -> tuple[str, ...]:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv is missing: cannot drop privileges")
    for flags in (AS_NOBODY, NO_CAPABILITIES):
        probe = subprocess.run(
            [setpriv, *flags, sys.executable, "-c", "import complog"],
            capture_output=True, cwd="/", timeout=60, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )  # fmt: skip
        if probe.returncode == 0:
            return (setpriv, *flags)
    pytest.skip("no way to run complog without write access here")


def as_reader_command(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return [*_reader_prefix(), *args]


def run_unprivileged(args: list[str], db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        as_reader_command(args), capture_output=True, text=True, timeout=60, cwd="/",
        env={**os.environ, "COMPLOG_DB": str(db), "PYTHONDONTWRITEBYTECODE": "1",
             "XDG_CONFIG_HOME": "/nonexistent/complog-test-config"},  # root's 0700 one is out of reach
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def complog_unprivileged(*args: str, db: Path, exit: int) -> Ran:
    done = run_unprivileged([sys.executable, "-m", "complog", *args], db)
    ran = Ran(list(args), done.returncode, done.stdout, done.stderr)
    assert ran.exit_code == exit, f"complog {args} exited {ran.exit_code}\n{ran.stderr}"
    return ran


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def source_logbook(tmp_path_factory) -> Path:
    """A small logbook, made once: a complaint with a promise due tomorrow and a note."""
    path = tmp_path_factory.mktemp("source") / "complog.db"
    env = {"COMPLOG_DB": str(path), "COMPLOG_NOW": NOW, "COMPLOG_USER": "tester", "TZ": "UTC"}
    complog_process("add", "Acme Newsagency", "Till crashes at close", "--heat", "4",
                    "--promise", "Call back with fix", "--due", "tomorrow 10am", env=env)  # fmt: skip
    complog_process("note", "1", "Customer rang again", "--in", env=env)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file
    return path


@pytest.fixture(scope="module")
def unprivileged_user_cannot_write(tmp_path_factory) -> None:
    directory = Path(tempfile.mkdtemp(prefix="complog-ro-probe-"))
    try:
        target = directory / "probe"
        target.write_bytes(b"")
        target.chmod(0o444)
        directory.chmod(0o555)
        script = "import sys; open(sys.argv[1], 'r+b')"
        if run_unprivileged([sys.executable, "-c", script, str(target)], target).returncode == 0:
            pytest.skip("cannot make a file read-only for the test user (privileges not dropped)")
    finally:
        directory.chmod(0o700)
        shutil.rmtree(directory)


@pytest.fixture(params=["directory-read-only", "file-read-only"])
def readonly_logbook(request, source_logbook, unprivileged_user_cannot_write) -> Iterator[Path]:
    """A copy of the small logbook that the unprivileged user can read but not
    write: either the whole directory is read-only (no -shm can be created), or
    only the file is (in a world-writable sticky directory)."""
    directory = Path(tempfile.mkdtemp(prefix="complog-ro-"))
    try:
        path = directory / "complog.db"
        shutil.copyfile(source_logbook, path)
        path.chmod(0o444)
        directory.chmod(0o555 if request.param == "directory-read-only" else 0o1777)
        yield path
    finally:
        directory.chmod(0o700)
        shutil.rmtree(directory)


def test_reading_commands_work_on_a_read_only_logbook(readonly_logbook):
    before = digest(readonly_logbook)

    listed = complog_unprivileged("list", "--format", "json", db=readonly_logbook, exit=0).json
    due = complog_unprivileged("due", "--format", "json", db=readonly_logbook, exit=0).json
    shown = complog_unprivileged("show", "1", "--format", "json", db=readonly_logbook, exit=0).json
    plain = complog_unprivileged("due", db=readonly_logbook, exit=0)

    assert [(c["id"], c["customer"], c["heat"], c["open_promises"]) for c in listed] == [
        (1, "Acme Newsagency", 4, 1)
    ]
    assert [(d["promise_id"], d["due_at"], d["section"]) for d in due] == [
        (1, "2026-11-24T10:00:00+00:00", "upcoming")
    ]
    assert [n["text"] for n in shown["notes"]] == ["Customer rang again"]
    assert "Call back with fix" in plain.stdout
    assert plain.stderr == ""
    assert digest(readonly_logbook) == before


@pytest.mark.parametrize(
    "args",
    [
        ["add", "Hillside Dental", "Wrong invoice"],
        ["note", "1", "Rang back"],
        ["kept", "1"],
        ["config", "day_end", "17:30"],
    ],
    ids=lambda a: a[0],
)
def test_writing_commands_on_a_read_only_logbook_exit_5_and_change_nothing(readonly_logbook, args):
    before = digest(readonly_logbook)

    ran = complog_unprivileged(*args, db=readonly_logbook, exit=5)

    assert ran.stdout == ""
    assert ran.stderr == (
        f"complog: error: the logbook {readonly_logbook} is read-only\n"
        "  reading commands work; to write, fix the file's or folder's permissions\n"
    )
    assert digest(readonly_logbook) == before
