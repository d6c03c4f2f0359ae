"""The server's identity checks look only where complog's tables are.

0004's trigger functions (`complog_is_admin`, `complog_event_identity`,
`complog_role_name_admin_only`) name `pg_roles` and `role_name` unqualified and
ran with the *caller's* search_path, in which PostgreSQL searches the session's
temporary schema first. A handler signed in with psql could therefore create a
temporary table `pg_roles` (saying he is a superuser) or `role_name` (mapping his
role to alice), then insert events as alice or rewrite old events' actor.

Each function now carries its own search_path: pg_catalog, then the schema
complog's tables are in (current_schema() where the upgrade runs, as 0004 created
them there), then pg_temp last, where nothing the checks read can be shadowed. It
is computed by the server inside a DO block, so `complog db upgrade --sql` prints
the same statement for a database administrator. SQLite (one person's file, no
such triggers) gets only the revision.

`REVOKE TEMPORARY ON DATABASE ... FROM PUBLIC` (docs/team.md) remains good
defence in depth but is no longer needed for the checks to hold.

Revision ID: 0006_search_path
Revises: 0005_money
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0006_search_path"
down_revision = "0005_money"
branch_labels = None
depends_on = None

#: the first complog release that knows this revision (0.3.0 refuses an unknown one)
REQUIRES_COMPLOG = "0.3.1"
#: the trigger functions of 0004 whose lookups must not follow the caller's search_path
FUNCTIONS = ("complog_is_admin", "complog_event_identity", "complog_role_name_admin_only")


def _alter_functions(clause: str) -> str:
    """One DO block: `clause` (with SCHEMA standing for the quoted schema name) on each
    function, qualified by that schema. No % in it: `db upgrade --sql` would double it."""
    statements = "\n".join(
        f"  EXECUTE 'ALTER FUNCTION ' || s || '.{name}() {clause}';" for name in FUNCTIONS
    )
    return (
        f"DO $$\nDECLARE\n  s text := quote_ident(current_schema());\nBEGIN\n{statements}\nEND\n$$"
    ).replace("SCHEMA", "' || s || '")


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(_alter_functions("SET search_path = pg_catalog, SCHEMA, pg_temp"))
    op.execute(f"UPDATE meta SET value = '{REQUIRES_COMPLOG}' WHERE key = 'requires_complog'")


def downgrade() -> None:
    """Back to 0005: the functions follow the caller's search_path again."""
    op.execute("UPDATE meta SET value = '0.3.0' WHERE key = 'requires_complog'")
    if op.get_context().dialect.name == "postgresql":
        op.execute(_alter_functions("RESET search_path"))
