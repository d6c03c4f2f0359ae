"""Full-text search: FTS5 indexes over complaints, notes, promises and reschedules.

External-content FTS5 tables point at the rows themselves (no second copy of
the text), and triggers keep them in step inside the same transaction as
every write, erase included. PostgreSQL gets its search elsewhere, so this
revision adds GIN expression indexes there (complog.dbtypes).

Revision ID: 0002_search
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

from complog.dbtypes import PG_SEARCH_COLUMNS, pg_search_document

revision = "0002_search"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TOKENIZER = "unicode61 remove_diacritics 2"

#: table -> indexed columns (their text is what `complog search` finds)
INDEXED = {
    "complaint": ("summary", "wants", "outcome", "compensation", "prevention", "category"),
    "note": ("text",),
    "promise": ("text", "closed_note"),
    "reschedule": ("reason",),
}


def _statements() -> list[str]:
    out = []
    for table, columns in INDEXED.items():
        fts = f"{table}_fts"
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        out += [
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}',"
            f" content_rowid='id', tokenize='{TOKENIZER}')",
            f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN"
            f" INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE ON {table} BEGIN"
            f" INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
            f" INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ]
    return out


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL searches with its own text search over GIN expression indexes.
        for table in PG_SEARCH_COLUMNS:
            op.execute(
                f"CREATE INDEX ix_{table}_search ON {table} USING gin ({pg_search_document(table)})"
            )
        return
    for statement in _statements():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PG_SEARCH_COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
        return
    for table in INDEXED:
        for suffix in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts")
