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
#: the revisions 0005 upgrades (its tests put amounts in cents into them)
BEFORE_0005 = [r for r in KNOWN_REVISIONS if r < "0005"]
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

    # from 0004 the fixture holds an undone complaint 3, whose number is never reused
    first = 4 if revision >= "0004" else 3
    assert (added, again) == (first, first + 1)
    # the new tables' search triggers work: a new note is found, an undone one is not
    run(*db, "note", str(again), "Another zebracorn", "--out")
    assert [h["id"] for h in run(*db, "search", "zebracorn", "--format", "json").json] == [again]


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


# -- 0005: money with a currency, one customer-name key, unacknowledged ------------------


def _old_with_money(revision: str, tmp_path: Path) -> Path:
    """An old fixture with the amounts complog kept before 0005: cents of no named
    currency, and compensation as text only."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"{revision}.db", path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE complaint SET loss_cents = 12050 WHERE id = 1")
        conn.execute("UPDATE complaint SET loss_cents = 100000 WHERE id = 2")
        conn.execute(
            "UPDATE complaint SET compensation = 'refund of 1.000,50 € by card' WHERE id = 1"
        )
        conn.execute("UPDATE complaint SET compensation = 'refund of $12' WHERE id = 2")
    return path


def _money_columns(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT id, loss_minor, loss_currency, compensation, compensation_minor,"
            " compensation_currency FROM complaint ORDER BY id"
        ).fetchall()


@pytest.mark.parametrize("revision", BEFORE_0005)
def test_old_amounts_get_the_logbooks_currency_unless_they_name_their_own(revision, tmp_path, run):
    path = _old_with_money(revision, tmp_path)

    run("--db", str(path), "list", env={"LC_ALL": "en_GB.UTF-8"})

    assert run("--db", str(path), "config", "currency").stdout == "GBP\n"
    assert _money_columns(path) == [
        (1, 12050, "GBP", "refund of 1.000,50 € by card", 100050, "EUR"),
        # `$` is not the GBP logbook's: kept as written, not valued by a guess
        (2, 100000, "GBP", "refund of $12", None, None),
    ]
    with sqlite3.connect(path) as conn:
        assert "loss_cents" not in {r[1] for r in conn.execute("PRAGMA table_info(complaint)")}
    shown = run("--db", str(path), "show", "1", "--format", "json").json
    assert (shown["loss"], shown["loss_currency"]) == (120.5, "GBP")
    if revision >= "0003":  # the fixture's reopened resolution: "£20 voucher"
        history = run("--db", str(path), "customer", "Acme Newsagency", "--format", "json").json
        assert {
            (c["compensation"], c["value"], c["currency"]) for c in history["compensation"]
        } >= {("£20 voucher", 20.0, "GBP")}


def test_old_cents_become_whole_yen_in_a_yen_logbook(tmp_path, run):
    path = _old_with_money("0004_identity", tmp_path)
    run("--db", str(path), "list", env={"LC_ALL": "ja_JP.UTF-8"})
    assert [row[1:3] for row in _money_columns(path)] == [(121, "JPY"), (1000, "JPY")]
    assert run("--db", str(path), "show", "2", "--format", "json").json["loss"] == 1000


def test_an_upgrade_under_a_locale_without_a_country_keeps_amounts_unlabelled(tmp_path, run):
    path = _old_with_money("0004_identity", tmp_path)
    run("--db", str(path), "list", env={"LANG": "C.UTF-8"})
    assert run("--db", str(path), "config", "currency").stdout == "XXX\n"
    assert [row[1:3] for row in _money_columns(path)] == [(12050, "XXX"), (100000, "XXX")]
    assert "Loss: 120.50" in run("--db", str(path), "show", "1").stdout


@pytest.mark.parametrize("revision", BEFORE_0005)
def test_unacknowledged_stays_off_in_a_logbook_that_existed_before(revision, tmp_path, run):
    """Issue 19 item 7: on for new logbooks; an upgraded one keeps its cron's behaviour."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"{revision}.db", path)
    new = tmp_path / "new.db"
    assert run("--db", str(path), "config", "rule.unacknowledged").stdout == "off\n"
    assert run("--db", str(new), "config", "rule.unacknowledged").stdout == "on\n"
    shown = run("--db", str(path), "config").stdout
    assert "rule.unacknowledged" in shown


def test_the_0005_fixture_opens_with_its_amounts(tmp_path, run):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "0005_money.db", path)
    listed = run("--db", str(path), "list", "--status", "all", "--format", "json").json
    assert {(c["customer"], c["loss"], c["loss_currency"]) for c in listed} == {
        ("Acme Newsagency", 1000.5, "EUR"), ("Hillside Dental", 120.5, "GBP"),
    }  # fmt: skip
    history = run("--db", str(path), "customer", "Acme Newsagency", "--format", "json").json
    assert [(c["value"], c["currency"]) for c in history["compensation"]] == [(20.0, "GBP")]
    assert run("--db", str(path), "config", "currency").stdout == "GBP\n"
    assert run("--db", str(path), "config", "rule.unacknowledged").stdout == "on\n"


@pytest.mark.parametrize("revision", OLDER)
def test_the_upgrade_records_which_complog_it_needs(revision, tmp_path, run):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"{revision}.db", path)
    run("--db", str(path), "list")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'requires_complog'").fetchone() == (
            "0.3.2",  # 0007: 0.3.1 does not know its revision
        )


def _two_acmes(revision: str, tmp_path: Path) -> Path:
    """An old logbook where ACME and full-width ＡＣＭＥ were two customers (their keys
    differed before 0005) with a complaint each."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"{revision}.db", path)
    with sqlite3.connect(path) as conn:
        for number, (name, key) in enumerate(
            (("ACME", "acme"), ("ＡＣＭＥ", "ａｃｍｅ")), start=10
        ):
            conn.execute(
                "INSERT INTO customer (id, name, name_key, created_at)"
                " VALUES (?, ?, ?, '2026-11-02 09:00:00.000000')",
                (number, name, key),
            )
            conn.execute(
                "INSERT INTO complaint (id, customer_id, summary, channel, heat, written, owner,"
                " status, opened_at, recorded_at, created_by)"
                " VALUES (?, ?, ?, 'phone', 3, 0, 'alice', 'open', '2026-11-02 09:00:00.000000',"
                " '2026-11-02 09:00:00.000000', 'alice')",
                (number, number, f"Complaint of {name}"),
            )
    return path


@pytest.mark.parametrize("revision", BEFORE_0005)
def test_customers_the_new_key_joins_are_both_kept_and_a_merge_is_suggested(
    revision, tmp_path, run
):
    path = _two_acmes(revision, tmp_path)
    db = ("--db", str(path))

    listed = run(*db, "customers", "--format", "json").json

    assert {c["customer"] for c in listed} >= {"ACME", "ＡＣＭＥ"}  # nothing lost
    with sqlite3.connect(path) as conn:
        keys = dict(conn.execute("SELECT id, name_key FROM customer WHERE id >= 10"))
    assert keys == {10: "acme", 11: "acme\n11"}  # the newer is set apart, not merged
    plain = run(*db, "customer", "ACME")
    assert plain.stderr == (
        "warning: 'ＡＣＭＥ' is the same name (a customer kept apart by the 0005 upgrade):"
        " complog customer merge 'ＡＣＭＥ' 'ACME'\n"
    )
    assert (
        run(*db, "customer", "ＡＣＭＥ", "--format", "json").json["complaints"][0]["summary"]
        == "Complaint of ＡＣＭＥ"
    )
    assert [c["id"] for c in run(*db, "list", "--customer", "ＡＣＭＥ", "-f", "json").json] == [11]
    run(*db, "customer", "merge", "ＡＣＭＥ", "ACME")
    merged = run(*db, "customer", "acme", "--format", "json")
    assert merged.stderr == ""
    assert sorted(c["id"] for c in merged.json["complaints"]) == [10, 11]


# -- 0007: each complaint's first reply, kept by the database ------------------------------


@pytest.mark.parametrize("revision", OLDER)
def test_the_upgrade_fills_in_first_replies_and_keeps_them_after(revision, tmp_path, run):
    """Complaint 1 of every fixture was answered by a note out at 10:00 (and a promise
    kept at 14:00); complaint 2 only from 0007 (at 11:00 on the 8th). From then on the triggers keep the column,
    and the search index still follows every change to a complaint's text."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"{revision}.db", path)
    run("--db", str(path), "list")

    def first_replies() -> list[tuple[int, str | None]]:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT id, first_reply_at FROM complaint ORDER BY id").fetchall()

    # from 0007 the fixture answered complaint 2 too, and the triggers recorded it
    answered = "2026-11-08 11:00:00.000000" if revision >= "0007" else None
    assert first_replies() == [(1, "2026-11-02 10:00:00.000000"), (2, answered)]
    run("--db", str(path), "note", "2", "Rang them", "--out", "--at", "2026-11-08 09:00")
    assert first_replies()[1] == (2, "2026-11-08 09:00:00.000000")
    run("--db", str(path), "edit", "2", "--summary", "Printer jams on labels")
    hits = run("--db", str(path), "search", "printer", "--format", "json").json
    assert [h["id"] for h in hits] == [2]
    run("--db", str(path), "edit", "2", "--owner", "carol")  # not indexed: the index keeps it
    hits = run("--db", str(path), "search", "printer", "--format", "json").json
    assert [h["id"] for h in hits] == [2]
    with sqlite3.connect(path) as conn:  # the old summary is gone from the index
        found = "SELECT rowid FROM complaint_fts WHERE complaint_fts MATCH :word"
        assert conn.execute(found, {"word": "install"}).fetchall() == []
        assert conn.execute(found, {"word": "printer"}).fetchall() == [(2,)]
