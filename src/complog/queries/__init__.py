"""The read path: SQL in, frozen dataclasses out, over the plain DB-API driver.

This package never imports SQLAlchemy, SQLModel or the models, so read-only
commands (`due`, `list`, `show`) start fast. The schema is still defined once,
in models.py: `open_reader` compares the stored Alembic revision with
SCHEMA_HEAD and hands over to store.py (which migrates) only on a mismatch.

One module per concern, each a mixin over `base.ReaderBase` (the connection):
complaints, due, customers, search, rule_facts, report, dumps; `Reader`
combines them and `opening` opens one.
"""

from __future__ import annotations

from complog.queries.base import BEGINNING
from complog.queries.dumps import ID_TABLES, high_water_sql
from complog.queries.opening import open_reader
from complog.queries.reader import Reader
from complog.queries.search import enough_rows

__all__ = ["BEGINNING", "ID_TABLES", "Reader", "enough_rows", "high_water_sql", "open_reader"]
