"""Old logbooks open in this program: migrated after a backup, data intact."""

from __future__ import annotations

import json
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


#: what 0002's `resolve` then `reopen` left in the reopen event, and what 0003 makes of it
RESOLVED_BEFORE_0003 = {"status": "resolved", "resolved_at": "2026-11-03T10:00:00+00:00",
                        "outcome": "Patched the till", "compensation": "£20 voucher", "cause": "ours",
                        "confirmed": True, "satisfaction": 4, "prevention": None}  # fmt: skip
REOPENED_BEFORE_0003 = {"status": "open", "reason": "Crashed again"}
PAST_RESOLUTION_FROM_0002 = {
    "outcome": "Patched the till", "confirmed": True, "satisfaction": 4,
    "compensation": "£20 voucher", "cause": "ours", "prevention": None,
    "resolved_at": "2026-11-03T10:00:00+00:00", "reopened_at": "2026-11-05T09:00:00+00:00",
    "reopened_by": "alice", "reopen_reason": "Crashed again",
}  # fmt: skip


def test_reopens_recorded_before_0003_become_past_resolutions(tmp_path, run):
    """Until 0003 a reopened resolution lived only in the reopen audit event."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "0002_search.db", path)
    with sqlite3.connect(path) as conn:  # what 0002's `resolve` then `reopen` left behind
        conn.execute(
            "INSERT INTO event (at, actor, action, entity, entity_id, complaint_id, before, after)"
            " VALUES ('2026-11-05 09:00:00.000000', 'alice', 'reopen', 'complaint', '1', 1, ?, ?)",
            (json.dumps(RESOLVED_BEFORE_0003), json.dumps(REOPENED_BEFORE_0003)),
        )

    shown = run("--db", str(path), "show", "1", "--format", "json").json

    assert _revision(path) == SCHEMA_HEAD
    assert shown["past_resolutions"] == [PAST_RESOLUTION_FROM_0002]
    kinds = [
        (t["kind"], t["at"]) for t in shown["timeline"] if t["kind"] in ("resolved", "reopened")
    ]
    assert kinds == [
        ("resolved", "2026-11-03T10:00:00+00:00"),
        ("reopened", "2026-11-05T09:00:00+00:00"),
    ]


def test_fixture_0003_keeps_its_reopened_resolution_and_wait(tmp_path, run):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "0003_workflow.db", path)
    shown = run("--db", str(path), "show", "1", "--format", "json").json
    assert [r["compensation"] for r in shown["past_resolutions"]] == ["£20 voucher"]
    assert shown["waiting_since"] == "2026-11-06T10:00:00+00:00"
    assert [w["reason"] for w in shown["waits"]] == ["Sending the till's error log"]


# -- 0004: ids never handed out twice ------------------------------------------------

OLDER = [r for r in KNOWN_REVISIONS if r != SCHEMA_HEAD]
ID_TABLES = ("customer", "complaint", "note", "promise", "reschedule", "escalation",
             "past_resolution", "wait", "event")  # fmt: skip


def _schema(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT type, name, coalesce(sql, '') FROM sqlite_master"))


@pytest.mark.parametrize("revision", OLDER)
def test_an_upgraded_logbook_has_exactly_the_schema_of_a_new_one(revision, tmp_path, run):
    """Tables rebuilt with AUTOINCREMENT, their indexes, the FTS triggers: nothing
    lost or left over (the old tables, renamed during the rebuild, are gone)."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"{revision}.db", path)
    new = tmp_path / "new.db"
    run("--db", str(new), "init")

    run("--db", str(path), "list")

    assert _schema(path) == _schema(new)
    with sqlite3.connect(path) as conn:
        for table in ID_TABLES:
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
            assert "PRIMARY KEY AUTOINCREMENT" in sql[0], table
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for table in ("complaint", "note", "promise", "reschedule"):
            conn.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('integrity-check')")


@pytest.mark.parametrize("revision", OLDER)
def test_after_the_upgrade_undo_then_add_never_reuses_an_id(revision, tmp_path, run):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"{revision}.db", path)
    db = ("--db", str(path))

    added = run(*db, "add", "Acme Newsagency", "Third", "--format", "json").json["id"]
    run(*db, "note", str(added), "Searchable zebracorn", "--out")
    run(*db, "undo")
    run(*db, "undo")
    again = run(*db, "add", "Acme Newsagency", "Third again", "--format", "json").json["id"]

    assert (added, again) == (3, 4)
    # the new tables' search triggers work: a new note is found, an undone one is not
    run(*db, "note", "4", "Another zebracorn", "--out")
    assert [h["id"] for h in run(*db, "search", "zebracorn", "--format", "json").json] == [4]


def test_ids_the_audit_log_names_stay_used_after_the_upgrade(tmp_path, run):
    """A complaint, promise and note added and undone *before* the upgrade left only
    events behind; the upgrade starts each high-water mark above them."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "0003_workflow.db", path)
    with sqlite3.connect(path) as conn:
        for entity, number in (("complaint", 7), ("promise", 5), ("note", 9), ("escalation", 4)):
            conn.execute(
                "INSERT INTO event (at, actor, action, entity, entity_id, complaint_id, after)"
                " VALUES ('2026-11-06 09:00:00.000000', 'alice', 'add', ?, ?, 7, '{}')",
                (entity, str(number)),
            )
    db = ("--db", str(path))

    assert run(*db, "add", "Acme Newsagency", "New", "--format", "json").json["id"] == 8
    run(*db, "promise", "8", "Call back", "--due", "tomorrow")
    run(*db, "note", "8", "Rang", "--out")
    run(*db, "escalate", "8", "--to", "manager", "--reason", "Angry")
    events = run(*db, "history", "8", "--format", "json").json
    assert {e["entity"]: int(e["entity_id"]) for e in events} == {
        "complaint": 8, "promise": 6, "note": 10, "escalation": 5,
    }  # fmt: skip


def test_the_0004_fixture_continues_above_its_undone_complaint(tmp_path, run):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "0004_identity.db", path)
    added = run("--db", str(path), "add", "Acme Newsagency", "New", "--format", "json").json
    assert added["id"] == 4  # complaint 3 was added and undone in the fixture
