"""Alembic environment: runs on the connection store.py hands over.

store.py has already begun a BEGIN IMMEDIATE transaction on that connection,
so the whole upgrade (DDL included: SQLite's DDL is transactional) commits or
rolls back as one; a process killed mid-migration leaves the old revision.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import complog.models  # noqa: F401 - registers the tables on SQLModel.metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
