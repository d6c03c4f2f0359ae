"""Identity: ids that are never handed out twice, and who really acted on a server.

**Ids.** SQLite gives a new row max(id) + 1, so a complaint removed by undo lent
its number to the next one. Every table with an id is rebuilt with AUTOINCREMENT:
SQLite then keeps the largest id it ever handed out (sqlite_sequence). PostgreSQL
sequences never go back by themselves. On both, the high-water mark starts at the
largest id the logbook holds *or its audit log names*, so a complaint added and
undone before this upgrade keeps its number too.

The SQLite rebuild runs inside the migration's one transaction, with foreign keys
on (PRAGMA foreign_keys cannot change inside a transaction). Dropping a parent
table first would delete its children's rows (ON DELETE CASCADE), so: rename
every old table (their references follow), create the new tables, copy the rows
parents first, drop the old tables children first, recreate the indexes. The
FTS5 indexes name their tables (content='complaint') and the rows keep their ids,
so they stay valid; only their triggers, which belonged to the old tables, are
made again.

**Who acted.** Every event records the database role that was signed in
(`event.role`: PostgreSQL's session_user; NULL on SQLite, which is one person's
file). `role_name` maps a role to the name recorded as its actor. On PostgreSQL
triggers make this hold whatever client writes: the events of a role that is not
a member of `complog_admin` carry its session_user and name it (or its mapped
name) as the actor; only such admins (and superusers) map names or change an
event's who, when and what.

`meta.requires_complog` names the first complog that knows this schema, so an
older complog can say which version to install. Everything here is plain SQL, so
`complog db upgrade --sql` can print it for a database administrator.

Revision ID: 0004_identity
Revises: 0003_workflow
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from complog.dbtypes import UTCDateTime

revision = "0004_identity"
down_revision = "0003_workflow"
branch_labels = None
depends_on = None

#: the first complog release that knows this revision
REQUIRES_COMPLOG = "0.2.0"
#: members of this PostgreSQL role may act under another name (imports, migrations)
ADMIN_ROLE = "complog_admin"

#: tables with an id, parents before their children
ID_TABLES = ("customer", "complaint", "note", "promise", "reschedule", "escalation",
             "past_resolution", "wait", "event")  # fmt: skip
#: as migration 0002 indexed them (its triggers are recreated on the new tables)
FTS_INDEXED = {
    "complaint": ("summary", "wants", "outcome", "compensation", "prevention", "category"),
    "note": ("text",),
    "promise": ("text", "closed_note"),
    "reschedule": ("reason",),
}


def _fk(name: str, target: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _tables() -> dict[str, list[Any]]:
    """Each table as revision 0003 left it (event gains `role`), frozen here."""
    t = sa.Text
    return {
        "customer": [
            _id(), sa.Column("name", t(), nullable=False), sa.Column("name_key", t(), nullable=False),
            sa.Column("phone", t()), sa.Column("email", t()), sa.Column("notes", t()),
            sa.Column("created_at", UTCDateTime(), nullable=False), sa.Column("erased_at", UTCDateTime()),
            sa.PrimaryKeyConstraint("id", name="pk_customer"),
            sa.UniqueConstraint("name_key", name="uq_customer_name_key"),
        ],
        "complaint": [
            _id(), _fk("customer_id", "customer.id"), sa.Column("summary", t(), nullable=False),
            sa.Column("channel", t(), nullable=False), sa.Column("category", t()),
            sa.Column("heat", sa.Integer(), nullable=False), sa.Column("wants", t()),
            sa.Column("loss_cents", sa.Integer()), sa.Column("written", sa.Boolean(), nullable=False),
            sa.Column("owner", t(), nullable=False), sa.Column("status", t(), nullable=False),
            sa.Column("opened_at", UTCDateTime(), nullable=False),
            sa.Column("recorded_at", UTCDateTime(), nullable=False),
            sa.Column("created_by", t(), nullable=False), sa.Column("resolved_at", UTCDateTime()),
            sa.Column("outcome", t()), sa.Column("compensation", t()), sa.Column("confirmed", sa.Boolean()),
            sa.Column("satisfaction", sa.Integer()), sa.Column("cause", t()), sa.Column("prevention", t()),
            sa.Column("external_id", t()),
            sa.PrimaryKeyConstraint("id", name="pk_complaint"),
            sa.UniqueConstraint("external_id", name="uq_complaint_external_id"),
        ],
        "note": [
            _id(), _fk("complaint_id", "complaint.id"), sa.Column("at", UTCDateTime(), nullable=False),
            sa.Column("recorded_at", UTCDateTime(), nullable=False), sa.Column("author", t(), nullable=False),
            sa.Column("channel", t(), nullable=False), sa.Column("direction", t(), nullable=False),
            sa.Column("text", t(), nullable=False), sa.PrimaryKeyConstraint("id", name="pk_note"),
        ],
        "promise": [
            _id(), _fk("complaint_id", "complaint.id"), sa.Column("text", t(), nullable=False),
            sa.Column("owner", t(), nullable=False), sa.Column("due_at", UTCDateTime(), nullable=False),
            sa.Column("status", t(), nullable=False), sa.Column("created_at", UTCDateTime(), nullable=False),
            sa.Column("created_by", t(), nullable=False), sa.Column("kept_at", UTCDateTime()),
            sa.Column("closed_note", t()), sa.Column("cancelled_at", UTCDateTime()),
            sa.PrimaryKeyConstraint("id", name="pk_promise"),
        ],
        "reschedule": [
            _id(), _fk("promise_id", "promise.id"), sa.Column("at", UTCDateTime(), nullable=False),
            sa.Column("old_due_at", UTCDateTime(), nullable=False),
            sa.Column("new_due_at", UTCDateTime(), nullable=False), sa.Column("reason", t(), nullable=False),
            sa.Column("late", sa.Boolean(), nullable=False), sa.Column("actor", t(), nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_reschedule"),
        ],
        "escalation": [
            _id(), _fk("complaint_id", "complaint.id"), sa.Column("to_whom", t(), nullable=False),
            sa.Column("reason", t(), nullable=False), sa.Column("rule", t(), nullable=False),
            sa.Column("trigger", t()), sa.Column("at", UTCDateTime(), nullable=False),
            sa.Column("actor", t(), nullable=False), sa.Column("acknowledged_at", UTCDateTime()),
            sa.Column("acknowledged_by", t()), sa.PrimaryKeyConstraint("id", name="pk_escalation"),
            sa.UniqueConstraint("complaint_id", "rule", "trigger",
                                name="uq_escalation_complaint_id_rule_trigger"),
        ],
        "past_resolution": [
            _id(), _fk("complaint_id", "complaint.id"),
            sa.Column("resolved_at", UTCDateTime(), nullable=False), sa.Column("outcome", t()),
            sa.Column("confirmed", sa.Boolean()), sa.Column("satisfaction", sa.Integer()),
            sa.Column("compensation", t()), sa.Column("cause", t()), sa.Column("prevention", t()),
            sa.Column("reopened_at", UTCDateTime(), nullable=False),
            sa.Column("reopened_by", t(), nullable=False), sa.Column("reopen_reason", t(), nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_past_resolution"),
        ],
        "wait": [
            _id(), _fk("complaint_id", "complaint.id"),
            sa.Column("started_at", UTCDateTime(), nullable=False),
            sa.Column("started_by", t(), nullable=False), sa.Column("reason", t(), nullable=False),
            sa.Column("ended_at", UTCDateTime()), sa.Column("ended_by", t()),
            sa.PrimaryKeyConstraint("id", name="pk_wait"),
        ],
        "event": [
            _id(), sa.Column("at", UTCDateTime(), nullable=False), sa.Column("actor", t(), nullable=False),
            sa.Column("role", t()), sa.Column("action", t(), nullable=False),
            sa.Column("entity", t(), nullable=False), sa.Column("entity_id", t()),
            sa.Column("complaint_id", sa.Integer()), sa.Column("before", t()), sa.Column("after", t()),
            sa.PrimaryKeyConstraint("id", name="pk_event"),
        ],
    }  # fmt: skip


def _indexes() -> None:
    """The indexes of revisions 0001 and 0003, on the rebuilt tables."""
    open_promises = sa.text("status = 'open'")
    open_waits = sa.text("ended_at IS NULL")
    op.create_index("ix_complaint_status_opened_at", "complaint", ["status", "opened_at"])
    op.create_index("ix_complaint_opened_at", "complaint", ["opened_at"])
    op.create_index("ix_complaint_customer_id", "complaint", ["customer_id"])
    op.create_index("ix_note_complaint_id_at", "note", ["complaint_id", "at"])
    op.create_index(
        "ix_note_complaint_id_direction_at", "note", ["complaint_id", "direction", "at"]
    )
    op.create_index("ix_promise_complaint_id", "promise", ["complaint_id"])
    op.create_index("ix_promise_open_due_at", "promise", ["due_at"], sqlite_where=open_promises)
    op.create_index("ix_reschedule_promise_id", "reschedule", ["promise_id"])
    op.create_index("ix_escalation_acknowledged_at", "escalation", ["acknowledged_at"])
    op.create_index("ix_past_resolution_complaint_id", "past_resolution", ["complaint_id"])
    op.create_index("ix_wait_complaint_id", "wait", ["complaint_id"])
    op.create_index("uq_wait_open_complaint_id", "wait", ["complaint_id"], unique=True,
                    sqlite_where=open_waits)  # fmt: skip
    op.create_index("ix_event_complaint_id", "event", ["complaint_id"])


def _fts_triggers() -> list[str]:
    out = []
    for table, columns in FTS_INDEXED.items():
        fts, cols = f"{table}_fts", ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        out += [
            f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN"
            f" INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE ON {table} BEGIN"
            f" INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
            f" INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        ]
    return out


def _rebuild_sqlite_tables() -> None:
    tables = _tables()
    for table in FTS_INDEXED:
        for suffix in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {table}_fts_{suffix}")
    for table in ID_TABLES:
        op.execute(f'ALTER TABLE "{table}" RENAME TO "{table}__0003"')
    for table in ID_TABLES:
        op.create_table(table, *tables[table], sqlite_autoincrement=True)
        columns = ", ".join(
            f'"{c.name}"' for c in tables[table] if isinstance(c, sa.Column) and c.name != "role"
        )
        op.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{table}__0003"')
    for table in reversed(ID_TABLES):  # children first: nothing cascades
        op.execute(f'DROP TABLE "{table}__0003"')
    _indexes()
    for statement in _fts_triggers():
        op.execute(statement)


def _named_ids(table: str, dialect: str) -> list[str]:
    """SQL for the largest id of `table` the audit log names (0 when none)."""

    def number(expression: str) -> str:
        if dialect == "postgresql":
            return (
                f"(SELECT coalesce(max(CAST({expression} AS bigint)), 0) FROM event"
                f" WHERE {expression} ~ '^[0-9]{{1,18}}$'"
            )
        return (
            f"(SELECT coalesce(max(CAST({expression} AS INTEGER)), 0) FROM event"
            f" WHERE {expression} GLOB '[0-9]*' AND {expression} NOT GLOB '*[^0-9]*'"
            f" AND length({expression}) <= 18"
        )

    def in_after(path: str) -> str:
        if dialect == "postgresql":
            keys = ", ".join(f"'{k}'" for k in path.split("."))
            return f'(CAST("after" AS json) #>> ARRAY[{keys}])'
        return f"CAST(json_extract(\"after\", '$.{path}') AS TEXT)"

    found = [number("entity_id") + f" AND entity = '{table}')"]
    if table == "complaint":
        found.append(number("CAST(complaint_id AS TEXT)") + ")")
        found.append(number(in_after("last_id")) + " AND action IN ('import', 'migrate-to'))")
    if table == "promise":
        found.append(number(in_after("promise_id")) + " AND action = 'add')")
    if table == "note":
        found.append(number(in_after("note_id")) + " AND action = 'kept')")
    if table == "reschedule":
        found.append(number(in_after("reschedule.id")) + " AND action = 'reschedule')")
    if table == "past_resolution":
        found.append(number(in_after("past_resolution_id")) + " AND action = 'reopen')")
    return found


def _seed_high_water_marks(dialect: str) -> None:
    """Start each table's high-water mark at the largest id it holds or the log names."""
    for table in ID_TABLES:
        candidates = [f'(SELECT coalesce(max(id), 0) FROM "{table}")', *_named_ids(table, dialect)]
        if dialect == "postgresql":
            sequence = f"{table}_id_seq"
            used = f"(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence})"
            op.execute(
                f"SELECT setval('{sequence}', GREATEST({used}, {', '.join(candidates)}) + 1, false)"
            )
        else:
            op.execute(
                "INSERT INTO sqlite_sequence (name, seq)"
                f" SELECT '{table}', 0 WHERE NOT EXISTS"
                f" (SELECT 1 FROM sqlite_sequence WHERE name = '{table}')"
            )
            op.execute(
                f"UPDATE sqlite_sequence SET seq = max(seq, {', '.join(candidates)})"
                f" WHERE name = '{table}'"
            )


#: PostgreSQL: who may act under another name, and what holds for everyone else.
#: No % in them: printed by `db upgrade --sql`, a % would come out doubled.
PG_IDENTITY = [
    f"""CREATE FUNCTION complog_is_admin() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
      OR CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ADMIN_ROLE}')
              THEN pg_has_role(session_user, '{ADMIN_ROLE}', 'MEMBER') ELSE false END
$$""",
    """CREATE FUNCTION complog_event_identity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (NEW.id, NEW.at, NEW.actor, NEW.role, NEW.action, NEW.entity, NEW.entity_id, NEW.complaint_id)
       IS DISTINCT FROM
       (OLD.id, OLD.at, OLD.actor, OLD.role, OLD.action, OLD.entity, OLD.entity_id, OLD.complaint_id)
       AND NOT complog_is_admin() THEN
      RAISE EXCEPTION 'complog: the audit log''s who, when and what are not changed'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF complog_is_admin() THEN
    RETURN NEW;
  END IF;
  NEW.role := session_user;
  IF NEW.actor IS DISTINCT FROM session_user::text
     AND NEW.actor IS DISTINCT FROM (SELECT name FROM role_name WHERE role = session_user::text) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = 'complog: role ' || session_user || ' may not record changes as ' || NEW.actor;
  END IF;
  RETURN NEW;
END
$$""",
    "CREATE TRIGGER event_identity BEFORE INSERT OR UPDATE ON event"
    " FOR EACH ROW EXECUTE FUNCTION complog_event_identity()",
    f"""CREATE FUNCTION complog_role_name_admin_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT complog_is_admin() THEN
    RAISE EXCEPTION 'complog: only members of {ADMIN_ROLE} map roles to names'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$""",
    "CREATE TRIGGER role_name_admin_only BEFORE INSERT OR UPDATE OR DELETE ON role_name"
    " FOR EACH ROW EXECUTE FUNCTION complog_role_name_admin_only()",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.add_column("event", sa.Column("role", sa.Text(), nullable=True))
    else:
        _rebuild_sqlite_tables()
    op.create_table(
        "role_name",
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("role", name="pk_role_name"),
        sa.UniqueConstraint("name", name="uq_role_name_name"),
    )
    _seed_high_water_marks(dialect)
    if dialect == "postgresql":
        for statement in PG_IDENTITY:
            op.execute(statement)
    op.execute(f"INSERT INTO meta (key, value) VALUES ('requires_complog', '{REQUIRES_COMPLOG}')")


def downgrade() -> None:
    """Back to 0003's columns; ids stay AUTOINCREMENT on SQLite (0003 works with that)."""
    op.execute("DELETE FROM meta WHERE key = 'requires_complog'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER role_name_admin_only ON role_name")
        op.execute("DROP TRIGGER event_identity ON event")
        op.execute("DROP FUNCTION complog_role_name_admin_only()")
        op.execute("DROP FUNCTION complog_event_identity()")
        op.execute("DROP FUNCTION complog_is_admin()")
    op.drop_table("role_name")
    op.execute('ALTER TABLE event DROP COLUMN "role"')
