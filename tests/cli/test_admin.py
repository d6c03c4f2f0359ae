"""The logbook itself: init, --db, config, history, demo, --version, --help."""

from __future__ import annotations

import re
import stat
import tempfile

import pytest

import complog
from tests.cli.helpers import assert_clean_error, assert_iso, snapshot

CORE_COMMANDS = ["init", "add", "note", "promise", "kept", "cancel", "reschedule", "due", "show", "list",
                 "resolve", "reopen", "config", "history", "demo"]  # fmt: skip


# -- init and --db -------------------------------------------------------------------


@pytest.mark.sqlite_only(
    reason="about the SQLite file: created where and with which mode, damaged, from a newer complog, left alone by demo"
)
def test_init_creates_the_logbook_and_says_where(run, logbook):
    assert not logbook.exists()
    assert run("init").stdout == f"Created logbook at {logbook}\n"
    assert logbook.exists()
    assert run("init").stdout == f"Logbook at {logbook}\n"


@pytest.mark.sqlite_only(
    reason="about the SQLite file: created where and with which mode, damaged, from a newer complog, left alone by demo"
)
def test_init_makes_the_file_private(run, logbook):
    run("init")
    assert stat.S_IMODE(logbook.stat().st_mode) == 0o600
    assert stat.S_IMODE(logbook.parent.stat().st_mode) == 0o700


@pytest.mark.sqlite_only(
    reason="about the SQLite file: created where and with which mode, damaged, from a newer complog, left alone by demo"
)
def test_first_write_creates_the_logbook_too(run, logbook):
    run("add", "Acme Newsagency", "Till")
    assert logbook.exists()


@pytest.mark.sqlite_only(
    reason="about the SQLite file: created where and with which mode, damaged, from a newer complog, left alone by demo"
)
def test_db_option_overrides_the_environment(run, logbook, tmp_path):
    other = tmp_path / "other" / "shop.db"
    run("--db", str(other), "add", "Acme Newsagency", "Till")
    assert other.exists()
    assert not logbook.exists()
    assert (
        run("--db", str(other), "list", "--format", "json").json[0]["customer"] == "Acme Newsagency"
    )
    assert run("list", "--format", "json").json == []


@pytest.mark.sqlite_only(
    reason="about the SQLite file: created where and with which mode, damaged, from a newer complog, left alone by demo"
)
def test_init_on_a_damaged_file_is_a_storage_error(run, logbook):
    logbook.parent.mkdir(parents=True)
    logbook.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    before = logbook.read_bytes()
    ran = run("init", exit=5)
    assert_clean_error(ran, 5, "is not a complog logbook, or it is damaged")
    assert logbook.read_bytes() == before


@pytest.mark.sqlite_only(
    reason="about the SQLite file: created where and with which mode, damaged, from a newer complog, left alone by demo"
)
def test_newer_logbook_is_refused_untouched(run, logbook):
    import sqlite3

    run("add", "Acme Newsagency", "Till")
    conn = sqlite3.connect(logbook)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    before = snapshot(logbook)
    for args in (["list"], ["add", "Bravo Bakery", "Oven"], ["due"], ["show", "1"]):
        ran = run(*args, exit=5)
        assert_clean_error(ran, 5, "was written by a newer complog")
    assert snapshot(logbook) == before


def test_version(run):
    ran = run("--version")
    assert ran.stdout == f"complog {complog.__version__}\n"


def test_help_lists_every_core_command(run):
    out = run("--help").stdout
    for name in CORE_COMMANDS:
        assert f" {name} " in out, name


@pytest.mark.parametrize("name", CORE_COMMANDS)
def test_every_command_has_help_with_an_example(run, name):
    out = run(name, "--help").stdout
    assert f"Usage: complog {name}" in " ".join(out.split())
    assert "Example:" in out


# -- config ----------------------------------------------------------------------------


def test_config_lists_every_setting_with_defaults(run):
    lines = run("config").stdout.splitlines()
    assert "tz = UTC" in lines
    assert "day_start = 09:00" in lines
    assert "day_end = 17:00" in lines
    assert "workdays = mon-fri" in lines


def test_config_json_is_an_object(run):
    values = run("config", "--format", "json").json
    assert values["day_end"] == "17:00"
    assert values["tz"] == "UTC"


def test_config_key_prints_its_value(run):
    assert run("config", "day_end").stdout == "17:00\n"


def test_config_set_and_reset(run):
    assert run("config", "day_end", "17:30").stdout == "day_end = 17:30\n"
    assert run("config", "day_end").stdout == "17:30\n"
    assert run("config", "--format", "json").json["day_end"] == "17:30"
    assert run("config", "day_end", "--reset").stdout == "day_end reset to its default\n"
    assert run("config", "day_end").stdout == "17:00\n"


def test_config_switch_is_stored_canonically(run):
    assert run("config", "rule.quiet-hot", "OFF").stdout == "rule.quiet-hot = off\n"


def test_config_is_kept_in_the_logbook(run, tmp_path):
    shared = str(tmp_path / "shared.db")
    run("--db", shared, "config", "tz", "Europe/London")
    assert run("--db", shared, "config", "tz").stdout == "Europe/London\n"
    assert run("config", "tz").stdout == "UTC\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tz", "Mars/Olympus"], "invalid value 'Mars/Olympus' for tz"),
        (["tz", " "], "invalid value ' ' for tz"),
        (["day_end", "25:00"], "invalid value '25:00' for day_end"),
        (["day_end", "08:00"], "day_end must be later than day_start"),
        (["day_start", "5pm"], "invalid value '5pm' for day_start"),
        (["workdays", "funday"], "invalid value 'funday' for workdays"),
        (["holidays", "2026-02-31"], "invalid value '2026-02-31' for holidays"),
        (["hot_heat", "6"], "invalid value '6' for hot_heat"),
        (["hot_heat", "0"], "invalid value '0' for hot_heat"),
        (["max_reschedules", "0"], "invalid value '0' for max_reschedules"),
        (["overdue_grace", "soon"], "invalid value 'soon' for overdue_grace"),
        (["rule.quiet-hot", "maybe"], "invalid value 'maybe' for rule.quiet-hot"),
        (["escalate_to", "   "], "invalid value '   ' for escalate_to"),
        (["no_such_setting"], "unknown setting 'no_such_setting'"),
        (["no_such_setting", "1"], "unknown setting 'no_such_setting'"),
        (["tz", "UTC", "--reset"], "give a VALUE or --reset, not both"),
    ],
)
def test_config_invalid_values_exit_2_and_change_nothing(run, logbook, args, message):
    run("config", "day_end", "17:30")
    before = snapshot(logbook)
    ran = run("config", *args, exit=2)
    assert_clean_error(ran, 2, message)
    assert snapshot(logbook) == before


def test_config_invalid_value_says_what_is_expected(run):
    ran = run("config", "tz", "Mars/Olympus", exit=2)
    assert (
        ran.stderr.splitlines()[1]
        == "  expected an IANA time zone such as Europe/London or America/New_York"
    )


def test_config_reset_without_a_key_is_a_usage_error(run, logbook):
    run("config", "day_end", "17:30")
    before = snapshot(logbook)
    ran = run("config", "--reset", exit=2)
    assert_clean_error(ran, 2, "--reset needs the KEY to reset")
    assert snapshot(logbook) == before


# -- history -------------------------------------------------------------------------


def test_history_lists_every_change_with_its_user(run):
    run(
        "--user",
        "alice",
        "add",
        "Acme Newsagency",
        "Till",
        "--promise",
        "Call back",
        "--due",
        "tomorrow",
    )
    run("--user", "bob", "kept", "1")
    run("--user", "carol", "config", "day_end", "17:30")
    events = run("history", "--format", "json").json
    assert [(e["user"], e["action"], e["entity"]) for e in events] == [
        ("alice", "create", "customer"),
        ("alice", "add", "complaint"),
        ("alice", "promise", "promise"),
        ("bob", "kept", "promise"),
        ("carol", "config", "setting"),
    ]
    kept = events[3]
    assert kept["before"]["status"] == "open"
    assert kept["after"]["status"] == "kept"
    for e in events:
        assert_iso(e["at"])


def test_history_user_comes_from_complog_user(run):
    run("add", "Acme Newsagency", "Till")
    assert {e["user"] for e in run("history", "--format", "json").json} == {"tester"}


def test_history_plain_shows_user_and_action(run, backend):
    run("--user", "alice", "add", "Acme Newsagency", "Till")
    lines = run("history").stdout.splitlines()
    # On PostgreSQL the signed-in role (the tests' admin login) is shown when it differs.
    who = "alice (role complog)" if backend == "postgres" else "alice"
    assert lines[1].split("\t") == ["2", "2026-11-23 09:00", who, "add", "complaint 1", "#1"]


def test_history_of_one_complaint(run):
    run("add", "Acme Newsagency", "Till")
    run("add", "Bravo Bakery", "Oven")
    run("note", "2", "Rang")
    events = run("history", "2", "--format", "json").json
    assert [(e["action"], e["complaint_id"]) for e in events] == [("add", 2), ("note", 2)]


def test_history_limit_keeps_the_last_events_in_order(run):
    run("add", "Acme Newsagency", "Till")
    run("note", "1", "One")
    run("note", "1", "Two")
    events = run("history", "--limit", "2", "--format", "json").json
    assert [e["after"]["text"] for e in events] == ["One", "Two"]


def test_failed_commands_leave_no_history(run):
    run("add", "Acme Newsagency", "Till")
    count = len(run("history", "--format", "json").json)
    run("add", "", "Till", exit=2)
    run("kept", "7", exit=3)
    run("reopen", "1", "--reason", "x", exit=4)
    assert len(run("history", "--format", "json").json) == count


def test_reads_leave_no_history(run):
    run("add", "Acme Newsagency", "Till")
    count = len(run("history", "--format", "json").json)
    run("show", "1")
    run("list")
    run("due")
    run("config")
    assert len(run("history", "--format", "json").json) == count


# -- demo ------------------------------------------------------------------------------


@pytest.mark.sqlite_only(
    reason="about the SQLite file: created where and with which mode, damaged, from a newer complog, left alone by demo"
)
def test_demo_tours_a_sample_logbook_without_touching_yours(run, logbook, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ran = run("demo")
    assert not logbook.exists()
    assert "your own logbook was not touched" in ran.stderr
    out = ran.stdout
    for part in ("Overdue (1)", "Today (1)", "Next 7 days (2)", "Greenway", "Hillside Dental"):
        assert part in out
    assert re.search(r"^7 complaints, 4 open; 4 open promises, 2 broken so far", out, re.MULTILINE)
    assert "\x1b" not in out


@pytest.mark.sqlite_only(
    reason="about the SQLite file: created where and with which mode, damaged, from a newer complog, left alone by demo"
)
def test_demo_keep_writes_the_sample_where_asked(run, logbook, tmp_path):
    kept = tmp_path / "demo.db"
    run("demo", "--keep", str(kept))
    assert not logbook.exists()
    complaints = run("--db", str(kept), "list", "--status", "all", "--format", "json").json
    assert len(complaints) == 7
    customers = {c["customer"] for c in complaints}
    assert {"Corner Café", "Hillside Dental", "Greenway Grocers", "Mr D. Okafor"} <= customers


def test_demo_has_the_stories_of_the_field(run, tmp_path):
    kept = tmp_path / "demo.db"
    run("demo", "--keep", str(kept))
    db = ["--db", str(kept)]
    complaints = run(*db, "list", "--status", "all", "--format", "json").json
    by_customer = {}
    for c in complaints:
        by_customer.setdefault(c["customer"], []).append(c)
    # a repeat caller whose problem was their own mistake
    cafe = by_customer["Corner Café"]
    assert len(cafe) == 3
    causes = {run(*db, "show", str(c["id"]), "--format", "json").json["resolution"]["cause"]
              for c in cafe if c["status"] == "resolved"}  # fmt: skip
    assert causes == {"customer"}
    # a "one-day install" broken twice
    (install,) = by_customer["Hillside Dental"]
    (promise,) = run(*db, "show", str(install["id"]), "--format", "json").json["promises"]
    assert promise["broken"] is True
    assert [r["late"] for r in promise["reschedules"]] == [True, True]
    # a boiling-hot customer nobody called back
    (hot,) = by_customer["Greenway Grocers"]
    assert hot["heat"] == 5
    due = run(*db, "due", "--format", "json").json
    assert [i["customer"] for i in due if i["section"] == "overdue"] == ["Greenway Grocers"]
    # a written complaint awaiting a written reply
    (letter,) = by_customer["Mr D. Okafor"]
    assert letter["written"] is True
    notes = run(*db, "show", str(letter["id"]), "--format", "json").json["notes"]
    assert not [n for n in notes if n["direction"] == "out" and n["channel"] in ("email", "letter")]


def test_demo_keep_refuses_an_existing_file(run, tmp_path):
    kept = tmp_path / "demo.db"
    kept.write_text("mine")
    ran = run("demo", "--keep", str(kept), exit=2)
    assert_clean_error(ran, 2, "already exists")
    assert kept.read_text() == "mine"


def test_global_format_applies_to_listings(run):
    run("add", "Acme Newsagency", "Till", "--promise", "Call back", "--due", "tomorrow 10am")
    assert run("--format", "json", "list").json[0]["customer"] == "Acme Newsagency"
    assert run("--format", "json", "due").json[0]["promise_id"] == 1
    assert run("--format", "json", "show", "1").json["id"] == 1
