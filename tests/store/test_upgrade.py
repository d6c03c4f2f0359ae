"""Old logbooks open in this program: migrated after a backup, data intact."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from complog.connect import KNOWN_REVISIONS, SCHEMA_HEAD

pytestmark = pytest.mark.sqlite_only(
    reason="upgrades the SQLite fixture logbooks of every released revision (tests/data/logbooks)"
)

FIXTURES = Path(__file__).parents[1] / "data" / "logbooks"


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_every_earlier_revision_has_a_fixture_logbook():
    assert {p.stem for p in FIXTURES.glob("*.db")} >= set(KNOWN_REVISIONS)


@pytest.mark.parametrize("revision", KNOWN_REVISIONS)
def test_old_logbook_is_migrated_with_its_data_intact(revision, tmp_path, run):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"{revision}.db", path)

    listed = run("--db", str(path), "list", "--status", "all", "--format", "json").json

    assert _revision(path) == SCHEMA_HEAD
    assert sorted(c["customer"] for c in listed) == ["Acme Newsagency", "Hillside Dental"]
    shown = run("--db", str(path), "show", "1", "--format", "json").json
    assert shown["summary"] == "Till crashes at close — ünïcödé ✓"
    assert shown["promises"][0]["kept_at"] is not None
    assert [n["text"] for n in shown["notes"]] == ["Rang back, left voicemail", "Patched"]
    install = run("--db", str(path), "show", "2", "--format", "json").json
    assert install["promises"][0]["reschedules"][0]["reason"] == "Parts late"
    assert install["escalations"][0]["to"] == "manager"
    assert run("--db", str(path), "config", "day_end").stdout.strip() == "17:30"
    backup = path.with_name(f"old.db.{revision}.bak")
    if revision == SCHEMA_HEAD:
        assert not backup.exists()
    else:
        assert backup.exists() and backup.stat().st_mode & 0o777 == 0o600
        assert _revision(backup) == revision
        with sqlite3.connect(backup) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM complaint").fetchone()[0] == 2


@pytest.mark.parametrize("revision", KNOWN_REVISIONS)
def test_migrated_logbook_is_searchable_including_old_rows(revision, tmp_path, run):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"{revision}.db", path)
    run("--db", str(path), "list")
    with sqlite3.connect(path) as conn:
        hits = conn.execute(
            "SELECT rowid FROM note_fts WHERE note_fts MATCH 'voicemail'"
        ).fetchall()
    assert hits == [(1,)]
