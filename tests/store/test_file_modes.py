"""The logbook is private: file (and -wal/-shm) 0600, its new directory 0700,
whatever the umask (SPEC "Storage guarantees")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only(
    reason="file and folder modes of the SQLite logbook, its -wal and -shm"
)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def run_with_umask_0(args: list[str], db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, umask=0, timeout=60,
        env={**os.environ, "COMPLOG_DB": str(db)}, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [["init"], ["add", "Acme Newsagency", "Till crashes at close"]],
    ids=lambda a: a[0],
)
def test_new_logbook_is_0600_in_a_new_0700_directory_even_with_umask_0(tmp_path, args):
    db = tmp_path / "fresh" / "complog.db"

    done = run_with_umask_0([sys.executable, "-m", "complog", *args], db)

    assert done.returncode == 0, done.stderr
    assert oct(mode(db)) == oct(0o600)
    assert oct(mode(db.parent)) == oct(0o700)
    for suffix in ("-wal", "-shm"):
        side = db.with_name(db.name + suffix)
        if side.exists():
            assert oct(mode(side)) == oct(0o600), side.name


def test_reading_a_logbook_that_does_not_exist_creates_nothing(tmp_path):
    db = tmp_path / "fresh" / "complog.db"

    done = run_with_umask_0([sys.executable, "-m", "complog", "list", "--format", "json"], db)

    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"
    assert "no logbook at" in done.stderr
    assert not db.parent.exists()


WAL_PROBE = """
import json, sys
from pathlib import Path
from sqlalchemy import text
from complog.connect import Location
from complog.store import open_store

path = Path(sys.argv[1])
store = open_store(Location(path=path))
with store.transaction() as session:
    session.execute(text("SELECT count(*) FROM complaint")).scalar()
    modes = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir()}
print(json.dumps(modes))
"""


def test_wal_and_shm_files_are_0600_even_with_umask_0(tmp_path):
    """Inside an open transaction the -wal and -shm files must exist; their mode
    comes from the logbook file's (SQLite copies it), not from the umask."""
    db = tmp_path / "fresh" / "complog.db"

    done = run_with_umask_0([sys.executable, "-c", WAL_PROBE, str(db)], db)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "complog.db": 0o600,
        "complog.db-wal": 0o600,
        "complog.db-shm": 0o600,
    }


def test_existing_directory_keeps_its_own_mode(tmp_path):
    """complog only tightens a directory it created, never e.g. the user's home."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    db = shared / "complog.db"

    done = run_with_umask_0([sys.executable, "-m", "complog", "init"], db)

    assert done.returncode == 0, done.stderr
    assert oct(mode(db)) == oct(0o600)
    assert oct(mode(shared)) == oct(0o755)


def test_migration_backup_copy_is_0600_even_with_umask_0(tmp_path, logbook, proc):
    proc("add", "Acme Newsagency", "Till crashes at close")
    script = (
        "import sys; from pathlib import Path; from complog.store import backup_before_migration;"
        "print(backup_before_migration(Path(sys.argv[1]), 'older'))"
    )

    done = run_with_umask_0([sys.executable, "-c", script, str(logbook)], logbook)

    assert done.returncode == 0, done.stderr
    backup = Path(done.stdout.strip())
    assert backup == logbook.with_name("complog.db.older.bak")
    assert oct(mode(backup)) == oct(0o600)
