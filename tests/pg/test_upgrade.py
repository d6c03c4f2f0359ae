"""A team database made by an older complog is migrated on PostgreSQL, data intact.

tests/store/test_upgrade.py opens the fixture logbook of every released revision
on SQLite. Here the same rows go into a PostgreSQL database that the migrations
themselves built up to that revision; the first command then runs the remaining
migrations on the server (0003's backfill of past resolutions included).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

import complog
from complog.connect import KNOWN_REVISIONS, SCHEMA_HEAD, redact_url
from tests.store.test_upgrade import (
    PAST_RESOLUTION_FROM_0002,
    REOPENED_BEFORE_0003,
    RESOLVED_BEFORE_0003,
)

FIXTURES = Path(__file__).parents[1] / "data" / "logbooks"
OLDER = [r for r in KNOWN_REVISIONS if r != SCHEMA_HEAD]
#: the revisions 0005 upgrades (its tests put amounts in cents into them)
BEFORE_0005 = [r for r in KNOWN_REVISIONS if r < "0005"]


def build_at(url: str, revision: str) -> None:
    """The schema exactly as complog at `revision` made it, by its own migrations."""
    from alembic import command
    from sqlalchemy import create_engine

    from complog.store import _alembic_config

    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)
    engine.dispose()


def copy_rows(server, database: str, fixture: Path) -> None:
    """Every row of the SQLite fixture into the same tables on PostgreSQL, values cast
    by the server from their text (times are UTC), ids and sequences kept."""
    import psycopg

    with (
        closing(sqlite3.connect(fixture)) as source,
        psycopg.connect(
            host=str(server.base), port=server.port, user="postgres", dbname=database
        ) as target,
    ):
        target.execute("SET TIME ZONE 'UTC'")
        target.execute("SET session_replication_role = replica")  # rows in any order
        types = {
            (table, column): kind
            for table, column, kind in target.execute(
                "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)"
                " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0"
            )
        }
        tables = {table for table, _ in types} - {"alembic_version"}
        for table in sorted(tables):
            target.execute(f'DELETE FROM "{table}"')  # rows a migration seeded come back below
            cursor = source.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            casts = ", ".join(f"CAST(%s AS {types[table, c]})" for c in columns)
            names = ", ".join(f'"{c}"' for c in columns)
            for row in cursor:
                values = [None if v is None else str(v) for v in row]
                target.execute(f'INSERT INTO "{table}" ({names}) VALUES ({casts})', values)
            if (table, "id") in types:
                # From 0004 the fixture's sqlite_sequence may be above its largest id
                # (a complaint added and undone): the sequence continues from there.
                used = _sqlite_sequence(source, table)
                target.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                    f' GREATEST((SELECT coalesce(max(id), 0) FROM "{table}"), %s) + 1, false)',
                    (used,),
                )


def _sqlite_sequence(source: sqlite3.Connection, table: str) -> int:
    try:
        row = source.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    except sqlite3.OperationalError:  # before 0004 no table had AUTOINCREMENT
        return 0
    return int(row[0]) if row else 0


def stored_revision(server, url: str) -> str:
    import psycopg

    with psycopg.connect(host=str(server.base), port=server.port, user="postgres",
                         dbname=url.rsplit("/", 1)[1]) as conn:  # fmt: skip
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


@pytest.mark.parametrize("revision", OLDER)
def test_an_old_team_database_is_migrated_with_its_data_intact(
    postgres_server, postgres_logbook, revision, run
):
    build_at(postgres_logbook, revision)
    copy_rows(postgres_server, postgres_logbook.rsplit("/", 1)[1], FIXTURES / f"{revision}.db")

    assert stored_revision(postgres_server, postgres_logbook) == revision
    refused = run("list", exit=5)  # an ordinary command never upgrades a team's schema
    assert "complog db upgrade" in refused.stderr
    assert stored_revision(postgres_server, postgres_logbook) == revision

    upgraded = run("db", "upgrade").stdout
    listed = run("list", "--status", "all", "--format", "json").json

    assert upgraded == f"Upgraded {redact_url(postgres_logbook)} from {revision} to {SCHEMA_HEAD}\n"
    assert stored_revision(postgres_server, postgres_logbook) == SCHEMA_HEAD
    assert sorted(c["customer"] for c in listed) == ["Acme Newsagency", "Hillside Dental"]
    shown = run("show", "1", "--format", "json").json
    assert shown["summary"] == "Till crashes at close — ünïcödé ✓"
    assert shown["promises"][0]["kept_at"] is not None
    assert [n["text"] for n in shown["notes"]] == ["Rang back, left voicemail", "Patched"]
    install = run("show", "2", "--format", "json").json
    assert install["promises"][0]["reschedules"][0]["reason"] == "Parts late"
    assert install["escalations"][0]["to"] == "manager"
    assert run("config", "day_end").stdout.strip() == "17:30"
    assert [h["id"] for h in run("search", "voicemail", "--format", "json").json] == [1]
    added = run("add", "Acme Newsagency", "After the upgrade", "--format", "json").json
    # the id sequences continue after the old rows (from 0004: above its undone complaint 3)
    assert added["id"] == (4 if revision >= "0004" else 3)


def test_reopens_recorded_before_0003_become_past_resolutions_on_postgres(
    postgres_server, postgres_logbook, run
):
    database = postgres_logbook.rsplit("/", 1)[1]
    build_at(postgres_logbook, "0002_search")
    copy_rows(postgres_server, database, FIXTURES / "0002_search.db")
    import psycopg

    with psycopg.connect(host=str(postgres_server.base), port=postgres_server.port,
                         user="postgres", dbname=database, autocommit=True) as conn:  # fmt: skip
        conn.execute(
            "INSERT INTO event (at, actor, action, entity, entity_id, complaint_id, before, after)"
            " VALUES ('2026-11-05 09:00:00+00', 'alice', 'reopen', 'complaint', '1', 1, %s, %s)",
            (json.dumps(RESOLVED_BEFORE_0003), json.dumps(REOPENED_BEFORE_0003)),
        )

    run("db", "upgrade")
    shown = run("show", "1", "--format", "json").json

    assert shown["past_resolutions"] == [PAST_RESOLUTION_FROM_0002]


def test_ids_the_audit_log_names_stay_used_after_the_upgrade_on_postgres(
    postgres_server, postgres_logbook, run
):
    """Sequences never go back by themselves; 0004 also moves them past the ids the
    audit log names (a complaint added and undone, say, whose row is gone)."""
    database = postgres_logbook.rsplit("/", 1)[1]
    build_at(postgres_logbook, "0003_workflow")
    copy_rows(postgres_server, database, FIXTURES / "0003_workflow.db")
    import psycopg

    with psycopg.connect(host=str(postgres_server.base), port=postgres_server.port,
                         user="postgres", dbname=database, autocommit=True) as conn:  # fmt: skip
        for entity, number in (("complaint", 7), ("promise", 5), ("note", 9), ("escalation", 4)):
            conn.execute(
                "INSERT INTO event (at, actor, action, entity, entity_id, complaint_id, after)"
                " VALUES ('2026-11-06 09:00:00+00', 'alice', 'add', %s, %s, 7, '{}')",
                (entity, str(number)),
            )

    run("db", "upgrade")
    assert run("add", "Acme Newsagency", "New", "--format", "json").json["id"] == 8
    run("promise", "8", "Call back", "--due", "tomorrow")
    run("note", "8", "Rang", "--out")
    run("escalate", "8", "--to", "manager", "--reason", "Angry")
    events = run("history", "8", "--format", "json").json
    assert {e["entity"]: int(e["entity_id"]) for e in events} == {
        "complaint": 8, "promise": 6, "note": 10, "escalation": 5,
    }  # fmt: skip


# -- upgrades happen on purpose: complog db status / upgrade [--sql] ------------------


def _at_0003(server, url: str) -> str:
    database = url.rsplit("/", 1)[1]
    build_at(url, "0003_workflow")
    copy_rows(server, database, FIXTURES / "0003_workflow.db")
    return database


def _fingerprint(server, url: str) -> list:
    from tests.cli.helpers import snapshot

    return snapshot(url)["rows"], stored_revision(server, url)


@pytest.mark.parametrize(
    "args",
    [["list"], ["due"], ["show", "1"], ["search", "till"], ["add", "Zed", "Wobbly"],
     ["note", "1", "Rang"], ["init"], ["escalate", "--auto"], ["history"]],
    ids=lambda a: a[0],
)  # fmt: skip
def test_an_outdated_team_schema_is_never_upgraded_by_an_ordinary_command(
    postgres_server, postgres_logbook, run, args
):
    _at_0003(postgres_server, postgres_logbook)
    before = _fingerprint(postgres_server, postgres_logbook)

    ran = run(*args, exit=5)

    assert ran.stderr == (
        f"complog: error: the team logbook {redact_url(postgres_logbook)} has schema 0003_workflow;"
        f" complog {complog.__version__} needs {SCHEMA_HEAD}\n"
        "  its owner upgrades it with: complog db upgrade (complog db upgrade --sql prints the SQL"
        " first; docs/team.md, Upgrades)\n"
    )
    assert _fingerprint(postgres_server, postgres_logbook) == before


def test_db_status_says_what_is_pending_and_changes_nothing(postgres_server, postgres_logbook, run):
    _at_0003(postgres_server, postgres_logbook)
    before = _fingerprint(postgres_server, postgres_logbook)

    status = run("db", "status", "--format", "json").json

    assert status == {
        "logbook": redact_url(postgres_logbook), "state": "behind", "revision": "0003_workflow",
        "client_revision": SCHEMA_HEAD, "client_version": complog.__version__,
        "pending": ["0004_identity", "0005_money", "0006_search_path", "0007_first_reply",
                    "0008_first_reply_locks"],
        "requires": None,
        "next": "complog db upgrade, as the database's owner (--sql prints the SQL first)",
    }  # fmt: skip
    assert (
        "pending:       0004_identity, 0005_money, 0006_search_path, 0007_first_reply,"
        " 0008_first_reply_locks" in run("db").stdout
    )
    assert _fingerprint(postgres_server, postgres_logbook) == before
    run("db", "upgrade")
    assert run("db", "status", "--format", "json").json["state"] == "current"
    assert (
        run("db", "upgrade").stdout == f"The logbook {redact_url(postgres_logbook)} is up to date\n"
    )


def test_db_upgrade_sql_prints_what_a_dba_can_run_and_changes_nothing(
    postgres_server, postgres_logbook, run
):
    database = _at_0003(postgres_server, postgres_logbook)
    before = _fingerprint(postgres_server, postgres_logbook)

    script = run("db", "upgrade", "--sql").stdout

    assert _fingerprint(postgres_server, postgres_logbook) == before
    assert script.startswith("BEGIN;\n") and script.rstrip().endswith("COMMIT;")
    assert "ALTER TABLE event ADD COLUMN role TEXT;" in script
    assert "UPDATE alembic_version SET version_num='0004_identity'" in script
    import psycopg

    # The DBA runs it as the database's owner (psql -f upgrade.sql): the logbook works.
    with psycopg.connect(postgres_logbook.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(script)
    assert stored_revision(postgres_server, postgres_logbook) == SCHEMA_HEAD
    assert run("add", "Acme Newsagency", "After", "--format", "json").json["id"] == 3
    assert run("history", "--format", "json").json[-1]["role"] == "complog"
    assert database


def test_db_upgrade_sql_says_when_a_migration_cannot_be_printed(
    postgres_server, postgres_logbook, run
):
    build_at(postgres_logbook, "0002_search")
    copy_rows(postgres_server, postgres_logbook.rsplit("/", 1)[1], FIXTURES / "0002_search.db")

    ran = run("db", "upgrade", "--sql", exit=4)

    assert ran.stderr == (
        "complog: error: the upgrade to 0003_workflow cannot be printed as SQL: it copies past"
        " resolutions out of the audit log\n"
        "  run complog db upgrade (as the database's owner; it runs in one transaction)\n"
    )


def test_two_upgrades_at_once_run_one_after_the_other(postgres_server, postgres_logbook, proc):
    """Real processes: the advisory lock serialises them; the second finds nothing to do."""
    import subprocess
    import sys

    _at_0003(postgres_server, postgres_logbook)
    procs = [subprocess.Popen([sys.executable, "-m", "complog", "db", "upgrade"], text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]  # fmt: skip
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]

    assert [code for code, _, _ in results] == [0, 0, 0], results
    said = sorted(out.split(" ")[0] for _, out, _ in results)
    assert said == ["The", "The", "Upgraded"]
    assert stored_revision(postgres_server, postgres_logbook) == SCHEMA_HEAD
    assert proc("list", "--status", "all", "--format", "json").json


# -- 0005: money with a currency, one customer-name key, unacknowledged ------------------


def _pg(server, database: str):
    import psycopg

    return psycopg.connect(host=str(server.base), port=server.port, user="postgres",
                           dbname=database, autocommit=True)  # fmt: skip


@pytest.mark.parametrize("revision", BEFORE_0005)
def test_old_amounts_get_a_currency_and_unacknowledged_stays_off_on_postgres(
    postgres_server, postgres_logbook, revision, run
):
    database = postgres_logbook.rsplit("/", 1)[1]
    build_at(postgres_logbook, revision)
    copy_rows(postgres_server, database, FIXTURES / f"{revision}.db")
    with _pg(postgres_server, database) as conn:
        conn.execute("UPDATE complaint SET loss_cents = 12050 WHERE id = 1")
        conn.execute(
            "UPDATE complaint SET compensation = 'refund of 1.000,50 € by card' WHERE id = 1"
        )
        conn.execute("UPDATE complaint SET compensation = 'refund of $12' WHERE id = 2")

    run("db", "upgrade", env={"LC_ALL": "en_GB.UTF-8"})

    with _pg(postgres_server, database) as conn:
        rows = conn.execute(
            "SELECT id, loss_minor, loss_currency, compensation_minor, compensation_currency"
            " FROM complaint ORDER BY id"
        ).fetchall()
        columns = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'complaint'")}  # fmt: skip
        requires = conn.execute("SELECT value FROM meta WHERE key = 'requires_complog'").fetchone()
    assert rows == [(1, 12050, "GBP", 100050, "EUR"), (2, None, None, None, None)]
    assert "loss_cents" not in columns
    assert requires == ("0.3.2",)  # 0007 asks for 0.3.2
    assert run("config", "currency").stdout == "GBP\n"
    assert run("config", "rule.unacknowledged").stdout == "off\n"
    assert run("show", "1", "--format", "json").json["loss"] == 120.5


def test_a_new_team_database_has_unacknowledged_on_and_its_currency(
    postgres_server, postgres_logbook, run
):
    database = postgres_logbook.rsplit("/", 1)[1]
    build_at(postgres_logbook, SCHEMA_HEAD)
    with _pg(postgres_server, database) as conn:
        settings = dict(conn.execute("SELECT key, value FROM setting").fetchall())
    assert settings.get("rule.unacknowledged") is None  # the default: on
    assert "currency" in settings
    assert run("config", "rule.unacknowledged").stdout == "on\n"


# -- 0006: the server's identity checks look only where complog's tables are ------------

#: what 0006 sets on each 0004 trigger function, and 0007 on its own two (the first
#: reply's): every complog function at the head (the logbook's schema here is public)
PINNED = {name: ["search_path=pg_catalog, public, pg_temp"]
          for name in ("complog_is_admin", "complog_event_identity", "complog_role_name_admin_only",
                       "complog_note_first_reply", "complog_promise_first_reply")}  # fmt: skip


def _function_settings(server, database: str) -> dict[str, list[str] | None]:
    with _pg(server, database) as conn:
        return dict(conn.execute(
            "SELECT p.proname, p.proconfig FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'public' AND p.proname LIKE 'complog_%'").fetchall())  # fmt: skip


@pytest.mark.parametrize("revision", OLDER)
def test_after_the_upgrade_a_temporary_table_cannot_stand_in_for_the_checks(
    postgres_server, postgres_logbook, revision, run
):
    """Before 0006 a handler's temporary pg_roles or role_name made the 0004 triggers
    take him for an admin or for alice; from every released revision the upgrade ends it."""
    import psycopg

    from tests.pg.test_identity import NOBODY, SHADOWS, Team, _forge_as_alice

    database = postgres_logbook.rsplit("/", 1)[1]
    build_at(postgres_logbook, revision)
    copy_rows(postgres_server, database, FIXTURES / f"{revision}.db")
    team = Team(postgres_server, postgres_logbook)
    if revision >= "0004":
        bob, as_bob = team.role("bob")  # granted on every table, role_name included
    if "0004" <= revision < "0006":
        # the defect, shown on the old schema: both forgeries are accepted
        assert _forge_as_alice(as_bob, "pg_roles") == ("alice", "alice")
        assert _forge_as_alice(as_bob, "role_name") == ("alice", bob)
        with _pg(postgres_server, database) as conn:
            conn.execute("DELETE FROM event WHERE entity_id = '99'")

    run("db", "upgrade")
    if revision < "0004":
        bob, as_bob = team.role("bob")  # after role_name exists, so it is granted on it

    assert _function_settings(postgres_server, database) == PINNED
    for shadow in SHADOWS:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not record changes"):
            _forge_as_alice(as_bob, shadow)
    run("note", "1", "Rang them", "--out", env={**NOBODY, "COMPLOG_DB": as_bob})
    assert run("history", "--format", "json").json[-1]["role"] == bob


def test_the_0006_upgrade_prints_as_sql_and_pins_the_logbooks_own_schema(
    postgres_server, postgres_logbook, run
):
    """Offline (`db upgrade --sql`) the schema is not known yet: the DO block asks the
    server for current_schema() where the DBA runs it. Here a schema named with a space."""
    database = postgres_logbook.rsplit("/", 1)[1]
    with _pg(postgres_server, database) as conn:
        conn.execute('CREATE SCHEMA "team log" AUTHORIZATION complog')
        conn.execute("ALTER ROLE complog IN DATABASE " + database + ' SET search_path = "team log"')
    build_at(postgres_logbook, "0005_money")

    script = run("db", "upgrade", "--sql").stdout

    assert "quote_ident(current_schema())" in script
    assert "UPDATE alembic_version SET version_num='0006_search_path'" in script
    assert "UPDATE alembic_version SET version_num='0007_first_reply'" in script
    assert "UPDATE alembic_version SET version_num='0008_first_reply_locks'" in script
    import psycopg

    with psycopg.connect(postgres_logbook.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(script)
    with _pg(postgres_server, database) as conn:
        settings = dict(conn.execute(
            "SELECT p.proname, p.proconfig FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'team log' AND p.proname LIKE 'complog_%'").fetchall())  # fmt: skip
    assert settings == {name: ['search_path=pg_catalog, "team log", pg_temp'] for name in PINNED}
    assert run("add", "Acme Newsagency", "After", "--format", "json").json["id"] == 1
    assert run("history", "--format", "json").json[-1]["role"] == "complog"


# -- 0007: each complaint's first reply, kept by the database ------------------------------


@pytest.mark.parametrize("revision", OLDER)
def test_the_upgrade_fills_in_first_replies_and_keeps_them_after_on_postgres(
    postgres_server, postgres_logbook, revision, run
):
    """As on SQLite: complaint 1 was answered at 10:00, complaint 2 only from 0007; a
    handler's note out (his own rights: the trigger runs as him) sets it."""
    from tests.pg.test_identity import NOBODY, Team

    database = postgres_logbook.rsplit("/", 1)[1]
    build_at(postgres_logbook, revision)
    copy_rows(postgres_server, database, FIXTURES / f"{revision}.db")
    run("db", "upgrade")
    _, as_bob = Team(postgres_server, postgres_logbook).role("bob")

    def first_replies() -> list[tuple[int, str | None]]:
        with _pg(postgres_server, database) as conn:
            conn.execute("SET TIME ZONE 'UTC'")
            return [(cid, None if at is None else at.isoformat()) for cid, at in conn.execute(
                "SELECT id, first_reply_at FROM complaint ORDER BY id")]  # fmt: skip

    answered = "2026-11-08T11:00:00+00:00" if revision >= "0007" else None
    assert first_replies() == [(1, "2026-11-02T10:00:00+00:00"), (2, answered)]
    run("note", "2", "Rang them", "--out", "--at", "2026-11-08 09:00",
        env={**NOBODY, "COMPLOG_DB": as_bob})  # fmt: skip
    assert first_replies()[1] == (2, "2026-11-08T09:00:00+00:00")
