"""`complog doctor` finds damage nothing else reads, and `backup` never publishes it.

On the old code there was no doctor: with a 4 KB index page overwritten, `note`
kept writing into the damaged file and only `report` noticed.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import complog_process

sqlite_file = pytest.mark.sqlite_only(reason="damages the bytes of a SQLite logbook file")


@pytest.fixture
def filled(logbook, run):
    for n in range(30):
        run("add", f"Customer {n}", f"Till crashes {n}", "--promise", "Call", "--due", "tomorrow")
        run("note", str(n + 1), f"Rang back about the till {n}", "--out")
    return logbook


def checkpointed(db: Path) -> None:
    """Move the WAL's pages into the main file, as a quiet logbook has."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def overwrite_page(db: Path, index_name: str) -> None:
    with sqlite3.connect(db) as conn:
        page = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (index_name,)
        ).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with db.open("r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\xa5" * size)


def test_a_healthy_logbook_passes_every_check(filled, run):
    ran = run("doctor", "--format", "json")

    checks = {c["check"]: c["ok"] for c in ran.json}
    assert all(checks.values()), ran.json
    assert "schema" in checks


@sqlite_file
def test_a_healthy_sqlite_logbook_checks_pages_search_keys_and_modes(filled, run):
    checks = [c["check"] for c in run("doctor", "--format", "json").json]

    assert checks == [
        "file modes", "integrity", "foreign keys", "schema", "search index", "first replies"
    ]  # fmt: skip


@sqlite_file
def test_an_overwritten_index_page_that_note_never_reads_is_found(filled, proc):
    db = Path(filled)
    checkpointed(db)
    overwrite_page(db, "ix_complaint_opened_at")
    proc("note", "1", "Still writing into a damaged file")  # what went unnoticed

    done = proc("doctor", exit=5)

    assert "FAIL\tintegrity" in done.stdout
    assert "failed 1 check: integrity" in done.stderr
    assert "restore the logbook from a backup" in done.stderr


@sqlite_file
def test_a_damaged_search_index_is_found(filled, proc):
    db = Path(filled)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE note_fts_data SET block = zeroblob(length(block)) WHERE id > 10")

    done = proc("doctor", exit=5)

    assert "FAIL\tsearch index" in done.stdout


@sqlite_file
def test_a_broken_reference_is_found(filled, proc):
    db = Path(filled)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("UPDATE note SET complaint_id = 9999 WHERE id = 1")

    done = proc("doctor", exit=5)

    assert "FAIL\tforeign keys" in done.stdout


@sqlite_file
def test_a_logbook_others_can_read_is_found(filled, proc):
    os.chmod(filled, 0o644)

    done = proc("doctor", exit=5)

    assert "FAIL\tfile modes\tcomplog.db is 0644" in done.stdout
    assert "chmod 600" in done.stderr


@sqlite_file
def test_a_folder_others_may_write_is_found(filled, proc):
    # Whoever may write the folder may replace the logbook, whatever the file's own mode.
    os.chmod(Path(filled).parent, 0o777)

    done = proc("doctor", exit=5)

    assert "FAIL\tfile modes\tits folder is 0777 (others may replace the file)" in done.stdout


@sqlite_file
def test_doctor_changes_nothing(filled, proc):
    db = Path(filled)
    checkpointed(db)
    before = db.read_bytes()

    proc("doctor")

    assert db.read_bytes() == before


@sqlite_file
def test_doctor_on_a_logbook_that_does_not_exist_is_a_storage_error(tmp_path):
    done = complog_process("doctor", env={"COMPLOG_DB": str(tmp_path / "typo.db")}, exit=5)

    assert "there is no logbook at" in done.stderr
    assert not (tmp_path / "typo.db").exists()


@sqlite_file
def test_backup_refuses_to_publish_a_damaged_copy(filled, proc, tmp_path):
    db = Path(filled)
    checkpointed(db)
    overwrite_page(db, "ix_complaint_opened_at")
    target = tmp_path / "copy.db"

    proc("backup", str(target), exit=5)

    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".copy.db")] == []


def test_a_first_reply_the_triggers_could_not_follow_is_found(filled, proc):
    """A writer the triggers cannot follow (psql in REPEATABLE READ; sqlite3's INSERT OR
    REPLACE) can leave a first reply stale; doctor finds it, and the UPDATE in
    docs/team.md mends it."""
    from tests.store.test_first_reply import Psql

    sql = Psql()
    # what such a writer leaves: the column says what no note or promise does
    sql("UPDATE complaint SET first_reply_at = NULL WHERE id IN (3, 7)")
    done = proc("doctor", "--format", "json", exit=5)
    stale = {c["check"]: c for c in done.json}["first replies"]
    assert (
        not stale["ok"] and stale["detail"].startswith("2 complaint(s)") and "#3" in stale["detail"]
    )
    assert "first replies" in done.stderr and "docs/team.md" in done.stderr
    team = (Path(__file__).parents[2] / "docs" / "team.md").read_text()
    mend = team.split("```sql\n", 1)[1].split("```", 1)[0]
    sql(mend)
    assert all(c["ok"] for c in proc("doctor", "--format", "json").json)


@pytest.mark.sqlite_only(reason="SQLite's write lock, held by another connection")
def test_another_process_writing_meanwhile_is_waited_for_not_called_damage(filled, proc):
    """The search-index check began a deferred transaction: when another process
    committed while it waited, its snapshot was stale and SQLite failed at once with
    "database is locked", which doctor reported as damage (restore from a backup)."""
    import threading
    import time

    writing = threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(filled, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE note SET text = text || '.' WHERE id = 1")
        writing.set()
        time.sleep(1.0)  # doctor starts meanwhile, and must wait for the lock
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    writing.wait()
    try:
        done = proc("doctor", "--format", "json")
    finally:
        thread.join()
    assert all(c["ok"] for c in done.json), done.json
