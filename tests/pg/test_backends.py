"""The same behaviour on SQLite and on a real PostgreSQL server (SPEC: "PostgreSQL
through the same --db URL gives a team one shared logbook with the same behaviour
and the same migrations")."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import complog
from tests.cli.helpers import assert_clean_error
from tests.conftest import NOW
from tests.pgserver import PASSWORD, USER

LATER = "2026-11-24T12:30:00+00:00"  # Tuesday: the 10:00 promise is 2h 30m late
WEDNESDAY = "2026-11-25T09:00:00+00:00"  # the install promised for Tuesday is late


#: the partial indexes the migrations made, and the rows each holds
PARTIAL_INDEXES = {
    "ix_promise_open_due_at": "status = 'open'",
    "uq_wait_open_complaint_id": "ended_at IS NULL",
}


def story(run) -> None:
    """One complaint's life through every core write command."""
    run("add", "Acme Newsagency", "Till crashes at close", "--heat", "4", "--category", "till",
        "--promise", "Call back with fix", "--due", "tomorrow 10am", "--phone", "01632 960 001")  # fmt: skip
    run("add", "Hillside Dental", "Install not done", "--channel", "letter", "--loss", "480.50")
    run("note", "1", "Rang back, left voicemail about the ünïcode till ✓", "--out")
    run("promise", "2", "One-day install", "--due", "2026-11-24", "--owner", "priya")
    run("kept", "1", "--note", "Patched the till", env={"COMPLOG_NOW": LATER})
    run("config", "day_end", "17:30")
    run("resolve", "1", "--outcome", "Till patched", "--confirmed", "--satisfaction", "4", "--cause", "ours",
        env={"COMPLOG_NOW": LATER})  # fmt: skip
    run(
        "escalate",
        "2",
        "--to",
        "director",
        "--reason",
        "Threatening to leave",
        env={"COMPLOG_NOW": LATER},
    )
    run(
        "reschedule",
        "2",
        "--due",
        "fri 10am",
        "--reason",
        "Parts late from supplier",
        env={"COMPLOG_NOW": WEDNESDAY},
    )


def test_the_core_story_gives_the_same_answers(backend, run):
    story(run)
    later = {"COMPLOG_NOW": LATER}

    shown = run("show", "1", "--format", "json", env=later).json
    assert shown["status"] == "resolved"
    assert shown["resolution"]["cause"] == "ours"
    assert shown["promises"][0]["kept_at"] == LATER
    assert shown["promises"][0]["broken"] is True  # kept 2h 30m after its due time
    assert [n["text"] for n in shown["notes"]] == [
        "Rang back, left voicemail about the ünïcode till ✓",
        "Patched the till",
    ]
    install = run("show", "2", "--format", "json", env=later).json
    assert install["loss"] == 480.5
    assert install["written"] is True
    assert install["promises"][0]["reschedules"][0]["late"] is True
    assert install["escalations"][0]["to"] == "director"

    due = run("due", "--format", "json", env=later).json
    assert [(d["promise_id"], d["section"]) for d in due] == [(2, "upcoming")]
    assert run("list", "--status", "all", "--format", "json").json[0]["id"] == 2
    assert run("config", "day_end").stdout == "17:30\n"
    assert run("search", "voicemail", "--format", "json").json[0]["id"] == 1
    assert run("search", "supplier", "--format", "json").json[0]["id"] == 2
    assert run("customers", "--format", "json").json[0]["complaints"] == 1
    assert len(run("history", "--format", "json").json) >= 10

    report = run("report", "--format", "json", env={"COMPLOG_NOW": WEDNESDAY}).json
    assert (
        report["opened"],
        report["resolved"],
        report["promises_due"],
        report["promises_kept_on_time"],
    ) == (2, 1, 2, 0)
    assert report["promise_keeping_rate"] == 0.0


def test_conflicts_and_not_found_have_the_same_exit_codes(backend, run):
    story(run)
    assert "already kept" in run("kept", "1", exit=4).stderr
    assert "already resolved" in run("resolve", "1", "--outcome", "again", exit=4).stderr
    assert "open promise" in run("resolve", "2", "--outcome", "x", exit=4).stderr
    assert run("show", "99", exit=3).stderr.startswith("complog: error: no complaint 99")
    assert "did you mean 'Hillside Dental'?" in run("customer", "Hilside Dental", exit=3).stderr


def test_both_back_ends_export_the_same_bytes(postgres_server, monkeypatch, run, logbook):
    story(run)
    from_sqlite = run("export").stdout
    monkeypatch.setenv("COMPLOG_DB", postgres_server.url(postgres_server.create_database()))
    story(run)
    assert run("export").stdout == from_sqlite


def test_escalate_auto_is_idempotent_and_search_syntax_errors_never_crash(backend, run):
    story(run)
    first = run(
        "escalate",
        "--auto",
        "--exit-code",
        "--format",
        "json",
        exit=1,
        env={"COMPLOG_NOW": "2026-12-10T12:00:00+00:00"},
    ).json
    assert {e["rule"] for e in first} >= {"slow-resolution", "written-unanswered"}
    again = run(
        "escalate", "--auto", "--exit-code", env={"COMPLOG_NOW": "2026-12-10T12:00:00+00:00"}
    )
    assert again.stdout == "Nothing to escalate.\n"


def test_migrate_to_postgres_keeps_ids_and_history(postgres_server, run, logbook):
    story(run)
    run("config", "currency", "EUR")
    before_export = run("export").stdout
    before_history = run("history", "--format", "json").json
    target = postgres_server.url(postgres_server.create_database())

    moved = run("migrate-to", target, env={"LC_ALL": "en_GB.UTF-8"})

    assert moved.stdout.startswith("Moved 2 complaints, ")
    assert (
        postgres_server.url("x").split("@")[0].split(":")[-1] not in moved.stdout + moved.stderr
    )  # no password
    assert run("--db", target, "export").stdout == before_export
    after_history = run("--db", target, "history", "--format", "json").json
    assert after_history[: len(before_history)] == before_history
    assert after_history[-1]["action"] == "migrate-to"
    # the logbook's currency, not the one the target's creation took from its locale
    assert run("--db", target, "config", "currency").stdout == "EUR\n"
    added = run("--db", target, "add", "New Customer", "After the move", "--format", "json").json
    assert added["id"] == 3  # the id sequence continues after the copied rows
    assert "not empty" in run("migrate-to", target, exit=4).stderr


def test_server_down_wrong_password_and_missing_database_are_clean_storage_errors(
    postgres_server, proc
):
    cases = {
        f"postgresql+psycopg://complog:hunter2@127.0.0.1:{_closed_port()}/complog": "cannot reach the database server",
        postgres_server.url("postgres", password="hunter2"): "refused the login",
        postgres_server.url("no_such_database"): "does not exist",
    }
    for url, message in cases.items():
        ran = proc("--db", url, "list", exit=5)
        assert message in ran.stderr
        assert "hunter2" not in ran.stderr and "s3cret-pw" not in ran.stderr
        assert "Traceback" not in ran.stderr
        assert len(ran.stderr.strip().splitlines()) == 2


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


WRITER = """
import sys
from complog.cli.main import app
for i in range(int(sys.argv[1])):
    app(["add", f"Customer {sys.argv[2]}-{i % 7}", f"Complaint {sys.argv[2]}-{i}"], standalone_mode=False)
"""


def test_two_writers_on_postgres_lose_nothing(postgres_logbook, run):
    env = {**os.environ, "COMPLOG_DB": postgres_logbook, "COMPLOG_NOW": NOW}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, "60", name],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for name in ("a", "b")
    ]
    errors = [w.communicate(timeout=300)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    listed = run("list", "--format", "json").json
    assert len(listed) == 120
    assert len({c["customer"] for c in listed}) == 14  # shared customers created once each


def test_concurrent_escalate_auto_on_postgres_escalates_each_trigger_once(postgres_logbook, run):
    for i in range(30):
        run("add", f"Customer {i}", "Broken", "--promise", "Call back", "--due", "2026-11-16 10:00",
            "--at", "2026-11-16 09:00")  # fmt: skip
    for rule in ("quiet-hot", "slow-resolution", "repeat-customer", "unacknowledged"):
        run("config", f"rule.{rule}", "off")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "complog", "escalate", "--auto", "--format", "json"],
            env={**os.environ, "COMPLOG_DB": postgres_logbook},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outputs]
    reported = sum(len(json.loads(out)) for out, _ in outputs)
    assert reported == 30
    assert len(run("escalations", "--format", "json").json) == 30


def test_keeping_the_same_promise_twice_at_once_succeeds_once(postgres_logbook, run):
    run("add", "Acme", "Till", "--promise", "Call back", "--due", "tomorrow 10am")
    env = {**os.environ, "COMPLOG_DB": postgres_logbook}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "complog", "kept", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    for p in procs:
        p.communicate(timeout=120)
    assert sorted(p.returncode for p in procs) == [0, 4]
    kept_events = [e for e in run("history", "--format", "json").json if e["action"] == "kept"]
    assert len(kept_events) == 1


@pytest.mark.parametrize(
    "query", ["till", '"left voicemail"', "till OR dental", "install NOT dental"]
)
def test_search_syntax_on_postgres(postgres_logbook, run, query):
    story(run)
    hits = run("search", query, "--format", "json").json
    assert hits, query


def test_every_other_command_works_on_both(backend, run, tmp_path):
    story(run)
    later = {"COMPLOG_NOW": "2026-12-10T12:00:00+00:00"}
    run("init")
    escalated = run("escalate", "--auto", "--format", "json", env=later).json
    run("ack", str(escalated[0]["id"]), env=later)
    assert run("ack", str(escalated[0]["id"]), exit=4, env=later).stderr.startswith(
        "complog: error: escalation"
    )
    assert len(run("escalations", "--open", "--format", "json").json) == len(
        escalated
    )  # the manual one + auto - acked
    assert "OVERDUE PROMISES" in run("digest", env=later).stdout
    assert "BEGIN:VCALENDAR" in run("calendar").stdout
    customer = run("customer", "Acme Newsagency", "--format", "json").json
    assert customer["customer_detail"]["phone"] == "01632 960 001"
    exported = tmp_path / "out.jsonl"
    run("export", "--out", str(exported))
    assert run("import", str(exported)).stdout.startswith("Imported 0 complaints")
    run("erase", "Hillside Dental", "--yes")
    assert run("search", "supplier", "--format", "json").json == []
    assert run("customer", "Hillside Dental", exit=3)
    assert run("report", "--format", "json").json["opened"] == 2  # counts survive the erase
    run("config", "day_end", "--reset")
    if backend == "postgres":
        assert "pg_dump" in run("backup", str(tmp_path / "copy.db"), exit=2).stderr
    else:
        run("backup", str(tmp_path / "copy.db"))


def test_models_match_a_freshly_migrated_postgres_database_exactly(postgres_logbook):
    """As tests/store/test_migrations.py checks for SQLite: no diff between the models
    and what the migrations built on PostgreSQL, types included. The GIN search indexes
    (migration 0002, over expressions) are outside the models by design."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import complog.models  # noqa: F401  (every table)
    from complog.connect import resolve_location
    from complog.store import open_store

    store = open_store(resolve_location(postgres_logbook))
    search_indexes = {
        f"ix_{table}_search" for table in ("complaint", "note", "promise", "reschedule")
    }

    def include_name(name, type_, _parents):
        return not (type_ == "index" and name in search_indexes)

    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": include_name,
            },
        )
        diff = compare_metadata(context, SQLModel.metadata)
        found = {
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_search'"
            )
        }
    store.engine.dispose()
    assert diff == []
    assert found == search_indexes


def _admin(server, database: str):
    """A superuser connection to one test database (over the server's own socket)."""
    import psycopg

    return psycopg.connect(host=str(server.base), port=server.port, user="postgres",
                           dbname=database, autocommit=True)  # fmt: skip


def _fingerprint(server, database: str) -> list[tuple]:
    """Every table's row count and the stored revision: what a refused command must not change."""
    with _admin(server, database) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")]  # fmt: skip
        counts = [(t, conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables]
        return [*counts, *conn.execute("SELECT version_num FROM alembic_version").fetchall()]


def test_init_on_postgres_says_whether_it_made_the_logbook(postgres_logbook, run):
    assert run("init").stdout == f"Created logbook at {redact(postgres_logbook)}\n"
    assert run("init").stdout == f"Logbook at {redact(postgres_logbook)}\n"


def redact(url: str) -> str:
    from complog.connect import redact_url

    return redact_url(url)


def test_a_read_only_role_reads_everything_and_its_writes_fail_with_exit_5(
    postgres_server, postgres_logbook, run, monkeypatch
):
    """docs/team.md, Roles: a SELECT-only role for reports and cron digests."""
    import uuid

    story(run)
    database = postgres_logbook.rsplit("/", 1)[1]
    role, password = f"reader_{uuid.uuid4().hex[:8]}", "reader-pw-7"
    with _admin(postgres_server, database) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    reader = postgres_logbook.replace(f"//{USER}:{PASSWORD}@", f"//{role}:{password}@")
    assert reader != postgres_logbook
    exported = run("export").stdout
    before = _fingerprint(postgres_server, database)
    monkeypatch.setenv("COMPLOG_DB", reader)
    monkeypatch.delenv("COMPLOG_USER")  # recorded as itself: the grants, not the name, fail

    for args in (["due"], ["list"], ["show", "1"], ["digest"], ["report", "--format", "json"],
                 ["search", "till"], ["customer", "Acme Newsagency"], ["history"], ["calendar"]):  # fmt: skip
        run(*args)
    assert run("export").stdout == exported
    assert run("init").stdout.startswith("Logbook at")
    later = {"COMPLOG_NOW": "2026-12-10T12:00:00+00:00"}
    for args, env in ((["add", "Zed", "Wobbly"], None), (["note", "1", "Rang"], None),
                      (["escalate", "--auto"], later), (["config", "day_end", "18:00"], None),
                      (["erase", "Acme Newsagency", "--yes"], None)):  # fmt: skip
        ran = run(*args, exit=5, env=env)
        assert_clean_error(ran, 5, "lacks a grant complog needs (permission denied for table")
        assert "writing also INSERT, UPDATE and DELETE: ask the database's owner" in ran.stderr
        assert password not in ran.stderr
    assert _fingerprint(postgres_server, database) == before


@pytest.mark.parametrize(
    "args", [["list"], ["due"], ["show", "1"], ["add", "Zed", "Wobbly"], ["note", "1", "Rang"]],
    ids=lambda a: a[0],
)  # fmt: skip
def test_a_database_from_a_newer_complog_is_refused_with_exit_5_and_left_untouched(
    postgres_server, postgres_logbook, run, args
):
    story(run)
    database = postgres_logbook.rsplit("/", 1)[1]
    with _admin(postgres_server, database) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        conn.execute("UPDATE meta SET value = '9.9.0' WHERE key = 'requires_complog'")
    before = _fingerprint(postgres_server, database)

    ran = run(*args, exit=5)

    assert ran.stderr == (
        f"complog: error: the logbook {redact(postgres_logbook)} was written by a newer complog "
        "(schema 9999_from_the_future); it was left untouched\n"
        f"  install complog 9.9.0 or later to open it (this is complog {complog.__version__})\n"
    )
    assert _fingerprint(postgres_server, database) == before


def test_erase_on_postgres_rewrites_every_table_so_no_dead_row_keeps_the_text(
    postgres_server, postgres_logbook, run
):
    """VACUUM FULL gives each table it rewrites a new file (relfilenode): all of them,
    the wait and past-resolution tables (reasons, compensation) included."""
    story(run)
    run("wait", "2", "--reason", "Sending the site plan")
    database = postgres_logbook.rsplit("/", 1)[1]

    def files():
        with _admin(postgres_server, database) as conn:
            return dict(conn.execute(
                "SELECT relname, relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r'").fetchall())  # fmt: skip

    before = files()
    run("erase", "Hillside Dental", "--yes")
    after = files()
    assert {"wait", "past_resolution", "event", "note"} <= set(before)
    # alembic_version holds only the schema's revision
    assert [t for t in before if after[t] == before[t]] == ["alembic_version"]


def test_partial_indexes_hold_the_rows_the_models_say_on_postgres(postgres_logbook):
    """As tests/store/test_migrations.py checks for SQLite (compare_metadata does not
    compare an index's WHERE)."""
    from sqlmodel import SQLModel

    import complog.models  # noqa: F401  (every table)
    from complog.connect import resolve_location
    from complog.store import open_store

    store = open_store(resolve_location(postgres_logbook))
    declared = {
        index.name: str(index.dialect_kwargs["postgresql_where"])
        for table in SQLModel.metadata.tables.values()
        for index in table.indexes
        if index.dialect_kwargs.get("postgresql_where") is not None
    }
    assert declared == PARTIAL_INDEXES
    with store.engine.connect() as conn:
        for name, condition in declared.items():
            definition = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = %(name)s", {"name": name}
            ).scalar_one()
            column, value = condition.split(" ", 1)
            assert f"WHERE ({column} " in definition, definition
    store.engine.dispose()
