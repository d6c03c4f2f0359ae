"""`complog db status` / `complog db upgrade [--sql]` on a SQLite file.

SQLite files are one person's and keep upgrading themselves (after a backup copy);
`db` lets their owner look first, or upgrade on purpose. PostgreSQL, where only
`db upgrade` changes a team's schema: tests/pg/test_upgrade.py.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

import complog
from complog.connect import SCHEMA_HEAD
from tests.cli.helpers import assert_clean_error

pytestmark = pytest.mark.sqlite_only(reason="the schema of a SQLite file and its backup copy")

FIXTURES = Path(__file__).parents[1] / "data" / "logbooks"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def revision(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


@pytest.fixture
def old(tmp_path) -> Path:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "0003_workflow.db", path)
    return path


def test_status_of_an_old_logbook_says_what_is_pending_and_changes_nothing(old, run):
    before = digest(old)

    status = run("--db", str(old), "db", "status", "--format", "json").json

    assert status == {
        "logbook": str(old), "state": "behind", "revision": "0003_workflow",
        "client_revision": SCHEMA_HEAD, "client_version": complog.__version__,
        "pending": ["0004_identity", "0005_money", "0006_search_path", "0007_first_reply",
                    "0008_first_reply_locks"],
        "requires": None,
        "next": "complog db upgrade, or any command that opens it (after a backup copy)",
    }  # fmt: skip
    assert digest(old) == before
    left = [p.name for p in old.parent.iterdir() if p.name != "old.db-shm" and p.stat().st_size]
    assert left == ["old.db"]  # no backup, and no -wal holding changes


def test_a_reading_command_upgrades_an_old_logbook_after_a_backup_as_status_says(old, run):
    """`db status` used to say "any command that writes": `list` upgrades it too."""
    assert "any command that opens it" in run("--db", str(old), "db", "status").stdout

    run("--db", str(old), "list", "--status", "all")

    assert revision(old) == SCHEMA_HEAD
    assert revision(old.with_name("old.db.0003_workflow.bak")) == "0003_workflow"


def test_status_of_a_logbook_not_made_yet_makes_none(run, logbook):
    status = run("db", "status", "--format", "json").json
    assert (status["state"], status["revision"]) == ("missing", None)
    assert not logbook.exists()
    plain = run("db").stdout
    assert plain.splitlines()[1] == "schema:        (none yet)"


def test_upgrade_copies_the_file_first_and_says_where(old, run):
    ran = run("--db", str(old), "db", "upgrade")

    assert ran.stdout == f"Upgraded {old} from 0003_workflow to {SCHEMA_HEAD}\n"
    backup = old.with_name("old.db.0003_workflow.bak")
    assert ran.stderr == f"complog: the logbook as it was is in {backup}\n"
    assert revision(old) == SCHEMA_HEAD and revision(backup) == "0003_workflow"
    assert backup.stat().st_mode & 0o777 == 0o600
    assert run("--db", str(old), "db", "upgrade").stdout == f"The logbook {old} is up to date\n"


def test_upgrade_sql_prints_a_script_that_upgrades_the_file_and_changes_nothing(old, run, tmp_path):
    before = digest(old)

    script = run("--db", str(old), "db", "upgrade", "--sql").stdout

    assert digest(old) == before
    assert script.startswith("BEGIN;\n") and script.rstrip().endswith("COMMIT;")
    copy = tmp_path / "by-hand.db"
    shutil.copy(old, copy)
    with closing(sqlite3.connect(copy)) as conn:
        conn.executescript(script)
    new = tmp_path / "new.db"
    run("--db", str(new), "init")
    with closing(sqlite3.connect(copy)) as a, closing(sqlite3.connect(new)) as b:
        # the same schema; the printed DDL only indents with spaces instead of tabs
        schema = "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY 1, 2"
        assert [(t, n, " ".join(sql.split())) for t, n, sql in a.execute(schema)] == [
            (t, n, " ".join(sql.split())) for t, n, sql in b.execute(schema)
        ]
    listed = run("--db", str(copy), "list", "--status", "all", "--format", "json").json
    assert len(listed) == 2


def test_upgrade_sql_of_a_current_logbook_says_there_is_nothing_to_run(run):
    run("init")
    ran = run("db", "upgrade", "--sql")
    assert ran.stdout == ""
    assert "is up to date; no SQL to run" in ran.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [(["db", "frob"], "unknown db action 'frob'"),
     (["db", "status", "--sql"], "--sql goes with: complog db upgrade --sql"),
     (["db", "upgrade", "extra"], "db upgrade takes no more arguments"),
     (["db", "status", "--clear"], "--clear goes with"),
     (["db", "role"], "database roles are PostgreSQL's")],
    ids=["unknown", "sql-with-status", "extra", "clear", "role-on-sqlite"],
)  # fmt: skip
def test_db_usage_errors_are_exit_2(run, args, message):
    assert_clean_error(run(*args, exit=2), 2, message)


def test_two_processes_opening_an_old_logbook_at_once_upgrade_it_once(old):
    """Real processes: BEGIN IMMEDIATE serialises them; one backup, both succeed."""
    env_db = ["--db", str(old)]
    procs = [
        subprocess.Popen([sys.executable, "-m", "complog", *env_db, "add", "Acme Newsagency", f"n{i}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(3)
    ]  # fmt: skip
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]  # type: ignore[union-attr]

    assert [code for code, _ in results] == [0, 0, 0], results
    assert revision(old) == SCHEMA_HEAD
    assert sorted(p.name for p in old.parent.glob("*.bak")) == ["old.db.0003_workflow.bak"]
    with closing(sqlite3.connect(old)) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM complaint ORDER BY id")]
    assert ids == [1, 2, 3, 4, 5]
