"""Each complaint's first reply, kept by the database as notes and promises change.

`report` measures the time to the first reply: the earlier of the first note out
and the first promise kept. It read both for every complaint it counts, a
correlated subquery over the notes and a grouped pass over every promise: about
0.3 s of the 2 s a report of 100,000 complaints may take (docs/performance.md).
`complaint.first_reply_at` now holds that instant, and triggers keep it, whatever
writes (complog, an import, psql): a note out or a kept promise can only make it
earlier; an update or delete of one recomputes it from the complaint's rows.
Existing complaints are filled in here.

It is derived data, so it is not in the audit log (services.common.snapshot) and
undo neither compares nor restores it.

SQLite: the complaint's search-index trigger fired on any update of the row; it
now fires only when an indexed column changes, so setting the first reply (or a
status, an owner) no longer rewrites the complaint's entry in the index.

PostgreSQL: two trigger functions (their search_path pinned as 0006 pins the
identity checks'), run with the rights of whoever writes the note or promise,
who may already update complaints. Everything is plain SQL, so `complog db
upgrade --sql` prints it.

Revision ID: 0007_first_reply
Revises: 0006_search_path
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from complog.dbtypes import UTCDateTime

revision = "0007_first_reply"
down_revision = "0006_search_path"
branch_labels = None
depends_on = None

#: the first complog release that knows this revision
REQUIRES_COMPLOG = "0.3.2"
#: complaint's columns in its search index (0002, frozen here)
INDEXED = ("summary", "wants", "outcome", "compensation", "prevention", "category")
FUNCTIONS = ("complog_note_first_reply", "complog_promise_first_reply")


def first_reply(complaint: str) -> str:
    """SQL for the first reply to the complaint whose id is `complaint`: the earliest
    note out or kept promise (NULL when there is neither)."""
    return (
        f"(SELECT min(t) FROM (SELECT min(at) AS t FROM note"
        f" WHERE complaint_id = {complaint} AND direction = 'out'"
        f" UNION ALL SELECT min(kept_at) FROM promise WHERE complaint_id = {complaint}) AS m)"
    )


def _recompute(complaint: str, differs: str) -> str:
    return (
        f"UPDATE complaint SET first_reply_at = {first_reply(complaint)}"
        f" WHERE id = {complaint} AND first_reply_at {differs} {first_reply(complaint)}"
    )


def _earlier(complaint: str, moment: str) -> str:
    """A new note out or kept promise can only bring the first reply forward."""
    return (
        f"UPDATE complaint SET first_reply_at = {moment} WHERE id = {complaint}"
        f" AND (first_reply_at IS NULL OR first_reply_at > {moment})"
    )


def _fts_update_trigger(columns: str) -> str:
    """complaint_fts_update as 0004 made it, firing on an update `columns`."""
    cols = ", ".join(INDEXED)
    old = ", ".join(f"old.{c}" for c in INDEXED)
    new = ", ".join(f"new.{c}" for c in INDEXED)
    return (
        f"CREATE TRIGGER complaint_fts_update AFTER UPDATE{columns} ON complaint BEGIN"
        f" INSERT INTO complaint_fts(complaint_fts, rowid, {cols}) VALUES ('delete', old.id, {old});"
        f" INSERT INTO complaint_fts(rowid, {cols}) VALUES (new.id, {new}); END"
    )


def _sqlite_triggers() -> list[str]:
    def recompute(complaint: str) -> str:
        return _recompute(complaint, "IS NOT") + ";"

    return [
        "CREATE TRIGGER note_first_reply_insert AFTER INSERT ON note"
        f" WHEN new.direction = 'out' BEGIN {_earlier('new.complaint_id', 'new.at')}; END",
        "CREATE TRIGGER note_first_reply_update AFTER UPDATE OF complaint_id, direction, at ON note"
        " WHEN old.direction = 'out' OR new.direction = 'out' BEGIN"
        f" {recompute('old.complaint_id')} {recompute('new.complaint_id')} END",
        "CREATE TRIGGER note_first_reply_delete AFTER DELETE ON note"
        f" WHEN old.direction = 'out' BEGIN {recompute('old.complaint_id')} END",
        "CREATE TRIGGER promise_first_reply_insert AFTER INSERT ON promise"
        f" WHEN new.kept_at IS NOT NULL BEGIN {_earlier('new.complaint_id', 'new.kept_at')}; END",
        "CREATE TRIGGER promise_first_reply_update AFTER UPDATE OF complaint_id, kept_at ON promise"
        " WHEN old.kept_at IS NOT NULL OR new.kept_at IS NOT NULL BEGIN"
        f" {recompute('old.complaint_id')} {recompute('new.complaint_id')} END",
        "CREATE TRIGGER promise_first_reply_delete AFTER DELETE ON promise"
        f" WHEN old.kept_at IS NOT NULL BEGIN {recompute('old.complaint_id')} END",
    ]


def _postgres_function(name: str, inserted: str, moment: str) -> str:
    """A trigger function: an insert (when `inserted`) brings the first reply forward
    to `moment`; an update or delete recomputes it for the old and the new complaint."""

    def recompute(complaint: str) -> str:
        return _recompute(complaint, "IS DISTINCT FROM") + ";"

    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        f"    IF {inserted} THEN {_earlier('NEW.complaint_id', moment)}; END IF;\n"
        "    RETURN NULL;\n"
        "  END IF;\n"
        f"  {recompute('OLD.complaint_id')}\n"
        "  IF TG_OP = 'UPDATE' AND NEW.complaint_id <> OLD.complaint_id THEN\n"
        f"    {recompute('NEW.complaint_id')}\n"
        "  END IF;\n"
        "  RETURN NULL;\n"
        "END\n$$"
    )


def _pin_search_path() -> str:
    """0006's pin, on this revision's functions: pg_catalog, the logbook's schema,
    pg_temp last (computed by the server, so `db upgrade --sql` prints it as is)."""
    statements = "\n".join(
        f"  EXECUTE 'ALTER FUNCTION ' || s || '.{name}() SET search_path = pg_catalog, ' || s || ', pg_temp';"
        for name in FUNCTIONS
    )  # fmt: skip
    return (
        f"DO $$\nDECLARE\n  s text := quote_ident(current_schema());\nBEGIN\n{statements}\nEND\n$$"
    )


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    op.add_column("complaint", sa.Column("first_reply_at", UTCDateTime(), nullable=True))
    if dialect == "sqlite":
        op.execute("DROP TRIGGER complaint_fts_update")
        op.execute(_fts_update_trigger(" OF " + ", ".join(INDEXED)))
        # filled in before the triggers exist (so the fill fires none)
        op.execute(f"UPDATE complaint SET first_reply_at = {first_reply('complaint.id')}")
        for trigger in _sqlite_triggers():
            op.execute(trigger)
    else:
        op.execute(
            f"UPDATE complaint SET first_reply_at = {first_reply('complaint.id')}"
            " WHERE EXISTS (SELECT 1 FROM note WHERE complaint_id = complaint.id AND direction = 'out')"
            " OR EXISTS (SELECT 1 FROM promise WHERE complaint_id = complaint.id AND kept_at IS NOT NULL)"
        )
        op.execute(_postgres_function(FUNCTIONS[0], "NEW.direction = 'out'", "NEW.at"))
        op.execute(_postgres_function(FUNCTIONS[1], "NEW.kept_at IS NOT NULL", "NEW.kept_at"))
        op.execute(_pin_search_path())
        op.execute(
            "CREATE TRIGGER note_first_reply AFTER INSERT OR DELETE"
            " OR UPDATE OF complaint_id, direction, at ON note"
            f" FOR EACH ROW EXECUTE FUNCTION {FUNCTIONS[0]}()"
        )
        op.execute(
            "CREATE TRIGGER promise_first_reply AFTER INSERT OR DELETE"
            " OR UPDATE OF complaint_id, kept_at ON promise"
            f" FOR EACH ROW EXECUTE FUNCTION {FUNCTIONS[1]}()"
        )
    op.execute(f"UPDATE meta SET value = '{REQUIRES_COMPLOG}' WHERE key = 'requires_complog'")


def downgrade() -> None:
    """Back to 0006: no first reply column, and the search-index trigger as it was."""
    op.execute("UPDATE meta SET value = '0.3.1' WHERE key = 'requires_complog'")
    if op.get_context().dialect.name == "sqlite":
        for table in ("note", "promise"):
            for suffix in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_first_reply_{suffix}")
        op.execute("DROP TRIGGER complaint_fts_update")
        op.execute(_fts_update_trigger(""))
    else:
        op.execute("DROP TRIGGER note_first_reply ON note")
        op.execute("DROP TRIGGER promise_first_reply ON promise")
        for name in FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
    op.execute("ALTER TABLE complaint DROP COLUMN first_reply_at")
