"""On PostgreSQL the actor is the signed-in role, not whatever anyone types.

Before migration 0004, `complog --user alice undo` run by bob's role worked and was
recorded as alice. Now every event records the authenticated role (session_user);
by default the actor is that role, or the name an admin mapped to it; another
`--user` is refused with exit 4 unless the role is a member of complog_admin. The
server's triggers hold the same rules for any client, psql included.
"""

from __future__ import annotations

import uuid

import pytest

from tests.cli.helpers import assert_clean_error, snapshot
from tests.pgserver import PASSWORD, USER


def _superuser(server, database: str):
    import psycopg

    return psycopg.connect(host=str(server.base), port=server.port, user="postgres",
                           dbname=database, autocommit=True)  # fmt: skip


class Team:
    """Login roles on the test server, each with a handler's grants on one database."""

    def __init__(self, server, url: str) -> None:
        self.server, self.url = server, url
        self.database = url.rsplit("/", 1)[1]

    def role(self, prefix: str, *, admin: bool = False, quoted: bool = False) -> tuple[str, str]:
        """A new login role; returns its name and the URL that signs in as it."""
        name = f"{prefix}_{uuid.uuid4().hex[:6]}"
        password = f"pw-{uuid.uuid4().hex[:8]}"
        ident = f'"{name}"' if quoted else name
        with _superuser(self.server, self.database) as conn:
            conn.execute(f"CREATE ROLE {ident} LOGIN PASSWORD '{password}'")
            conn.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ident}"
            )
            conn.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ident}")
            if admin:
                conn.execute(f"GRANT complog_admin TO {ident}")
        from urllib.parse import quote

        url = self.url.replace(f"//{USER}:{PASSWORD}@", f"//{quote(name)}:{password}@")
        return name, url

    def sql(self, url: str, statement: str, params: tuple = ()) -> None:
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(statement, params)


@pytest.fixture
def team(postgres_server, postgres_logbook, run) -> Team:
    run("add", "Acme Newsagency", "Till crashes at close")  # made by the owner, an admin
    return Team(postgres_server, postgres_logbook)


NOBODY = {"COMPLOG_USER": None}


def test_by_default_the_actor_is_the_signed_in_role(team, run):
    bob, as_bob = team.role("bob")

    run("note", "1", "Rang them", "--out", env={**NOBODY, "COMPLOG_DB": as_bob})

    event = run("history", "--format", "json").json[-1]
    assert (event["user"], event["role"]) == (bob, bob)
    shown = run("show", "1", "--format", "json").json
    assert shown["notes"][0]["author"] == bob


def test_a_role_without_admin_may_not_record_changes_as_someone_else(team, run, postgres_logbook):
    bob, as_bob = team.role("bob")
    before = snapshot(postgres_logbook)

    ran = run("--user", "alice", "note", "1", "Rang", env={"COMPLOG_DB": as_bob}, exit=4)

    assert_clean_error(
        ran, 4, f"you are signed in to the database as role {bob!r}; only members of"
        " complog_admin may record changes as 'alice'",
    )  # fmt: skip
    assert f"leave out --user / COMPLOG_USER (you are recorded as {bob!r})" in ran.stderr
    assert snapshot(postgres_logbook) == before


def test_bob_cannot_undo_alices_change_by_calling_himself_alice(team, run, proc, postgres_logbook):
    """The issue's attack, in real processes: alice notes, bob runs --user alice undo."""
    alice, as_alice = team.role("alice")
    bob, as_bob = team.role("bob")
    proc("note", "1", "Alice's note", "--out", env={"COMPLOG_DB": as_alice, "COMPLOG_USER": alice})
    before = snapshot(postgres_logbook)

    ran = proc("--user", alice, "undo", env={"COMPLOG_DB": as_bob}, exit=4)

    assert_clean_error(ran, 4, f"only members of complog_admin may record changes as {alice!r}")
    assert snapshot(postgres_logbook) == before
    # bob's own undo finds nothing of his: alice's note is safe
    ran = proc("undo", env={"COMPLOG_DB": as_bob, "COMPLOG_USER": ""}, exit=2)
    proc("undo", env={"COMPLOG_DB": as_bob, "COMPLOG_USER": bob}, exit=3)
    assert snapshot(postgres_logbook) == before


def test_an_admin_may_act_as_someone_else_and_history_shows_both(team, run):
    carol, as_carol = team.role("carol", admin=True)

    run("--user", "alice", "note", "1", "Imported from the old system",
        env={"COMPLOG_DB": as_carol})  # fmt: skip

    event = run("history", "--format", "json").json[-1]
    assert (event["user"], event["role"]) == ("alice", carol)
    plain = run("history", "--format", "plain").stdout.splitlines()[-1]
    assert f"\talice (role {carol})\tnote\t" in plain
    # where they agree, one name is enough
    run("note", "1", "Own note", env={**NOBODY, "COMPLOG_DB": as_carol})
    assert f"\t{carol}\tnote\t" in run("history", "--format", "plain").stdout.splitlines()[-1]


def test_a_name_mapped_by_an_admin_is_recorded_for_the_role(team, run):
    bob, as_bob = team.role("bob")
    assert run("db", "role", bob, "Bob Smith").stdout == f"Role {bob} is recorded as Bob Smith\n"

    run("note", "1", "Rang", env={**NOBODY, "COMPLOG_DB": as_bob})
    run("--user", "Bob Smith", "note", "1", "Rang again", env={"COMPLOG_DB": as_bob})
    run("--user", bob, "note", "1", "And again", env={"COMPLOG_DB": as_bob})

    events = run("history", "--format", "json").json[-3:]
    assert {(e["user"], e["role"]) for e in events} == {("Bob Smith", bob)}
    listed = run("db", "role", "--format", "json").json
    assert [(r["role"], r["name"], r["updated_by"]) for r in listed] == [
        (bob, "Bob Smith", "tester")
    ]
    run("db", "role", bob, "--clear")
    run("note", "1", "Own name again", env={**NOBODY, "COMPLOG_DB": as_bob})
    assert run("history", "--format", "json").json[-1]["user"] == bob


def test_only_an_admin_maps_names_to_roles(team, run, postgres_logbook):
    bob, as_bob = team.role("bob")
    before = snapshot(postgres_logbook)

    ran = run("db", "role", bob, "The Boss", env={**NOBODY, "COMPLOG_DB": as_bob}, exit=4)

    assert_clean_error(ran, 4, "only members of complog_admin map database roles to names")
    assert snapshot(postgres_logbook) == before
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only members of complog_admin"):
        team.sql(as_bob, "INSERT INTO role_name VALUES (%s, 'The Boss', now(), 'x')", (bob,))


def test_two_roles_cannot_share_a_name(team, run):
    bob, _ = team.role("bob")
    sam, _ = team.role("sam")
    run("db", "role", bob, "B. Smith")
    ran = run("db", "role", sam, "B. Smith", exit=4)
    assert_clean_error(ran, 4, f"'B. Smith' is already the name of role {bob!r}")


def test_the_server_stamps_the_role_whatever_client_writes(team, run):
    """psql, or a changed complog: the triggers of 0004 hold the same rules."""
    import psycopg

    bob, as_bob = team.role("bob")
    insert = ("INSERT INTO event (at, actor, role, action, entity, entity_id)"
              " VALUES (now(), %s, %s, 'note', 'note', '99')")  # fmt: skip

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not record changes as"):
        team.sql(as_bob, insert, ("alice", None))
    team.sql(as_bob, insert, (bob, "alice"))  # a claimed role is replaced by the real one
    event = run("history", "--format", "json").json[-1]
    assert (event["user"], event["role"]) == (bob, bob)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="who, when and what"):
        team.sql(as_bob, "UPDATE event SET actor = 'alice' WHERE id = %s", (event["id"],))


#: a temporary table (pg_temp comes first in every search_path) standing in for what the
#: triggers of 0004 look up, unqualified: a fake superuser flag, or a fake name mapping
SHADOWS = {
    "pg_roles": ("CREATE TEMP TABLE pg_roles (rolname name, rolsuper bool)",
                 "INSERT INTO pg_roles VALUES (session_user, true)"),
    "role_name": ("CREATE TEMP TABLE role_name (role text, name text)",
                  "INSERT INTO role_name VALUES (session_user, 'alice')"),
}  # fmt: skip


def _forge_as_alice(as_role: str, shadow: str) -> tuple[str, str | None]:
    """Sign in as a handler, shadow one table, then write an event as alice."""
    import psycopg

    with psycopg.connect(as_role.replace("+psycopg", ""), autocommit=True) as conn:
        for statement in SHADOWS[shadow]:
            conn.execute(statement)
        row = conn.execute(
            "INSERT INTO event (at, actor, role, action, entity, entity_id)"
            " VALUES (now(), 'alice', 'alice', 'note', 'note', '99') RETURNING actor, role"
        ).fetchone()
    assert row is not None
    return str(row[0]), row[1]


@pytest.mark.xfail(
    strict=True,
    raises=pytest.fail.Exception,  # "DID NOT RAISE": the forged event was accepted
    reason="the 0004 trigger functions find pg_roles and role_name through the caller's"
    " search_path, where pg_temp comes first; pinning it needs a new migration (asked"
    " the lead; notes/issue17.md). Until then: REVOKE TEMPORARY, next test",
)
@pytest.mark.parametrize("shadow", SHADOWS)
def test_a_temporary_table_cannot_stand_in_for_the_servers_checks(team, shadow):
    import psycopg

    _, as_bob = team.role("bob")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not record changes as"):
        _forge_as_alice(as_bob, shadow)


def test_without_temporary_tables_a_handler_cannot_shadow_the_checks(team, run):
    """The team guide's set-up step: REVOKE TEMPORARY ON DATABASE ... FROM PUBLIC.
    complog itself never makes temporary tables, so handlers lose nothing."""
    import psycopg

    team.sql(team.url, f"REVOKE TEMPORARY ON DATABASE {team.database} FROM PUBLIC")
    bob, as_bob = team.role("bob")

    for shadow in SHADOWS:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="temporary tables"):
            _forge_as_alice(as_bob, shadow)
    run("note", "1", "Rang them", "--out", env={**NOBODY, "COMPLOG_DB": as_bob})
    assert run("history", "--format", "json").json[-1]["role"] == bob


def test_a_handler_role_can_undo_and_erase_and_is_told_who_must_vacuum(team, run):
    """The update trigger lets erase empty before/after; undo only adds events. VACUUM
    FULL is the owner's: PostgreSQL would skip bob's with a mere warning, leaving the
    erased text in dead rows, so erase says so (exit 5, like SQLite with a reader in
    the way) instead of claiming it is gone."""
    bob, as_bob = team.role("bob")
    env = {**NOBODY, "COMPLOG_DB": as_bob}
    run("note", "1", "Wrong complaint", env=env)
    assert run("undo", env=env).stdout == f"Undid: note 1 on complaint 1 by {bob}\n"

    ran = run("erase", "Acme Newsagency", "--yes", env=env, exit=5)

    assert_clean_error(
        ran, 5, f"the data was anonymised, but role {bob} may not rewrite the tables"
    )
    assert "the database's owner finishes the job: psql -c 'VACUUM FULL'" in ran.stderr
    assert run("history", "--format", "json").json[-1]["role"] == bob
    assert run("customers", "--format", "json").json[0]["customer"] == "erased customer 1"


def test_a_role_with_a_quoted_unicode_name_is_recorded_as_it_is(team, run):
    zoe, as_zoe = team.role("zoë", quoted=True)
    run("note", "1", "Rang", env={**NOBODY, "COMPLOG_DB": as_zoe})
    event = run("history", "--format", "json").json[-1]
    assert (event["user"], event["role"]) == (zoe, zoe)


def test_migrate_to_a_server_needs_an_admin_role(team, run, tmp_path, logbook):
    """It copies everyone's changes under their own names."""
    bob, as_bob = team.role("bob")
    source = tmp_path / "mine.db"
    run("--db", str(source), "--user", "alice", "add", "Zed Zebra", "Wobbly")
    database = team.server.create_database()
    with _superuser(team.server, database) as conn:
        conn.execute(f"GRANT CREATE ON SCHEMA public TO {bob}")
    target_as_bob = f"{as_bob.rsplit('/', 1)[0]}/{database}"

    ran = run("--db", str(source), "migrate-to", target_as_bob, env=NOBODY, exit=4)

    assert_clean_error(ran, 4, "the target's role must be a member of complog_admin")


def test_a_name_mapping_is_audited_and_undone_like_any_change(team, run):
    bob, _ = team.role("bob")
    run("db", "role", bob, "Bob Smith")
    event = run("history", "--format", "json").json[-1]
    assert (event["action"], event["entity"], event["entity_id"]) == ("role", "role_name", bob)
    assert run("undo").stdout == f"Undid: name 'Bob Smith' for role {bob} by tester\n"
    assert run("db", "role", "--format", "json").json == []


def test_only_the_owner_upgrades_the_schema(postgres_server, postgres_logbook, run):
    from tests.pg.test_upgrade import FIXTURES, build_at, copy_rows, stored_revision

    build_at(postgres_logbook, "0003_workflow")
    copy_rows(postgres_server, postgres_logbook.rsplit("/", 1)[1], FIXTURES / "0003_workflow.db")
    team = Team(postgres_server, postgres_logbook)
    _, as_bob = team.role("bob", admin=True)  # even an admin of names is not the owner

    ran = run("db", "upgrade", env={**NOBODY, "COMPLOG_DB": as_bob}, exit=5)

    assert_clean_error(ran, 5, "only the owner of the database in")
    assert (
        "run complog db upgrade as the owner, or hand a DBA: complog db upgrade --sql" in ran.stderr
    )
    assert stored_revision(postgres_server, postgres_logbook) == "0003_workflow"


def test_hooks_are_told_the_signed_in_role(team, run, tmp_path):
    """A hook's event carries the role as history does (it once said "role": null)."""
    hooks = tmp_path / "team-hooks"
    hooks.mkdir(mode=0o700)
    record = hooks / "on-add"
    record.write_text(f"#!/bin/sh\ncat > {tmp_path}/on-add.jsonl\n")
    record.chmod(0o700)
    run("config", "hooks_dir", str(hooks))
    bob, as_bob = team.role("bob")
    run("hooks", "trust", "on-add", env={"COMPLOG_DB": as_bob})  # trust is each person's own

    added = run("add", "Café Nord", "Wrong order", env={**NOBODY, "COMPLOG_DB": as_bob})
    assert added.stderr == ""

    import json

    [payload] = [json.loads(line) for line in (tmp_path / "on-add.jsonl").read_text().splitlines()]
    assert (payload["event"]["user"], payload["event"]["role"]) == (bob, bob)


def test_erase_does_not_freeze_the_team_behind_an_idle_transaction(team, run, postgres_logbook):
    """VACUUM FULL queues for an exclusive lock and every other session queues behind
    it: one idle open transaction made erase hang forever and freeze everyone."""
    import time

    import psycopg

    with psycopg.connect(postgres_logbook.replace("+psycopg", "")) as idle:
        idle.execute("SELECT count(*) FROM complaint").fetchone()  # and stays in its transaction
        started = time.monotonic()
        ran = run("erase", "Acme Newsagency", "--yes", exit=5)
        assert time.monotonic() - started < 60
        idle.rollback()
    assert_clean_error(ran, 5, "the data was anonymised, but another session kept the tables busy")
    assert "psql -c 'VACUUM FULL'" in ran.stderr
    assert run("customers", "--format", "json").json[0]["customer"] == "erased customer 1"
