"""Alembic environment: runs on the connection store.py hands over.

store.py has already begun a BEGIN IMMEDIATE transaction on that connection,
so the whole upgrade (DDL included: SQLite's DDL is transactional) commits or
rolls back as one; a process killed mid-migration leaves the old revision.

`complog db upgrade --sql` runs it offline instead (store.upgrade_sql): no
connection, the SQL is written to a buffer for a database administrator.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from complog.models import add_partial_conditions  # and registers the tables

if context.is_offline_mode():
    add_partial_conditions(context.config.attributes["dialect"])
else:
    add_partial_conditions(context.config.attributes["connection"].dialect.name)
if context.is_offline_mode():
    context.configure(
        dialect_name=context.config.attributes["dialect"],
        target_metadata=SQLModel.metadata,
        render_as_batch=True,
        literal_binds=True,
        transactional_ddl=True,  # one BEGIN ... COMMIT around it all, as online
    )
else:
    context.configure(
        connection=context.config.attributes["connection"],
        target_metadata=SQLModel.metadata,
        render_as_batch=True,
        compare_type=True,
    )
# Where this run began (None: an empty database), so a migration can tell a logbook
# that existed before it from one being created (0005 keeps old logbooks' rules as
# they were).
if context.is_offline_mode():
    context.config.attributes["upgraded_from"] = context.get_starting_revision_argument()
else:
    context.config.attributes["upgraded_from"] = context.get_context().get_current_revision()
with context.begin_transaction():
    context.run_migrations()
