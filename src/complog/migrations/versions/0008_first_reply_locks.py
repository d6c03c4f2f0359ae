"""The first reply stays right when two transactions write one complaint at once.

0007's PostgreSQL trigger functions recomputed a complaint's first reply with one
UPDATE whose subqueries read its notes and promises. complog's own writers take
turns (its advisory lock), but psql or another program does not: in READ
COMMITTED, PostgreSQL's default, an UPDATE that waits for another transaction's
lock on the complaint re-checks its WHERE on the new row while its subqueries
still read the notes as they were before the wait. A later note out added while
the earliest was deleted left the column NULL; two notes out deleted at once left
it at a deleted note's time. Each function now first takes the complaint's row
(`FOR NO KEY UPDATE`, in id order when a note moves between complaints) in a
statement of its own, so what follows reads what the other transaction wrote. An
insert that moves nothing takes the row too, or a recompute running meanwhile
would not see it.

TRUNCATE fires no row triggers: a statement trigger on each table recomputes every
complaint that had a first reply.

Under REPEATABLE READ a recompute reads its transaction's snapshot and can still
miss a concurrent note (tests/store/test_first_reply.py, a strict xfail); complog
itself never writes so. SQLite, one writer at a time, gets only the revision.

Revision ID: 0008_first_reply_locks
Revises: 0007_first_reply
Create Date: 2026-12-07
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0008_first_reply_locks"
down_revision = "0007_first_reply"
branch_labels = None
depends_on = None

#: the first complog release that knows this revision
REQUIRES_COMPLOG = "0.3.2"
#: 0007's SQL (a released revision: its text never changes)
_0007 = importlib.import_module("complog.migrations.versions.0007_first_reply")
FUNCTIONS = _0007.FUNCTIONS
TABLES = ("note", "promise")


def _lock(complaints: str) -> str:
    """Wait for the complaints' rows (in id order): another transaction writing their
    notes or promises holds them until it commits. The statements after this one
    start later, so in READ COMMITTED they read what that transaction wrote."""
    return f"PERFORM 1 FROM complaint WHERE id IN ({complaints}) ORDER BY id FOR NO KEY UPDATE;"


def _function(name: str, inserted: str, moment: str) -> str:
    """0007's trigger function, each branch taking the complaint's row first, and a
    TRUNCATE recomputing every complaint that had a first reply."""

    def recompute(complaint: str) -> str:
        return str(_0007._recompute(complaint, "IS DISTINCT FROM")) + ";"

    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  IF TG_OP = 'TRUNCATE' THEN\n"
        f"    {_0007._recompute('complaint.id', 'IS DISTINCT FROM')} AND first_reply_at IS NOT NULL;\n"
        "    RETURN NULL;\n"
        "  END IF;\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        f"    IF {inserted} THEN\n"
        f"      {_lock('NEW.complaint_id')}\n"
        f"      {_0007._earlier('NEW.complaint_id', moment)};\n"
        "    END IF;\n"
        "    RETURN NULL;\n"
        "  END IF;\n"
        "  IF TG_OP = 'UPDATE' AND NEW.complaint_id <> OLD.complaint_id THEN\n"
        f"    {_lock('OLD.complaint_id, NEW.complaint_id')}\n"
        f"    {recompute('NEW.complaint_id')}\n"
        "  ELSE\n"
        f"    {_lock('OLD.complaint_id')}\n"
        "  END IF;\n"
        f"  {recompute('OLD.complaint_id')}\n"
        "  RETURN NULL;\n"
        "END\n$$"
    )  # fmt: skip


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(_function(FUNCTIONS[0], "NEW.direction = 'out'", "NEW.at"))
        op.execute(_function(FUNCTIONS[1], "NEW.kept_at IS NOT NULL", "NEW.kept_at"))
        op.execute(_0007._pin_search_path())  # CREATE OR REPLACE dropped the pin
        for table, function in zip(TABLES, FUNCTIONS, strict=True):
            op.execute(
                f"CREATE TRIGGER {table}_first_reply_truncate AFTER TRUNCATE ON {table}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    op.execute(f"UPDATE meta SET value = '{REQUIRES_COMPLOG}' WHERE key = 'requires_complog'")


def downgrade() -> None:
    """Back to 0007's functions, without the locks and the TRUNCATE triggers."""
    if op.get_context().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_first_reply_truncate ON {table}")
        for name, inserted, moment in (
            (FUNCTIONS[0], "NEW.direction = 'out'", "NEW.at"),
            (FUNCTIONS[1], "NEW.kept_at IS NOT NULL", "NEW.kept_at"),
        ):
            op.execute(
                _0007._postgres_function(name, inserted, moment).replace(
                    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
                )
            )
        op.execute(_0007._pin_search_path())
