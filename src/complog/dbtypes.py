"""Column types shared by the models and the migrations.

Kept apart from models.py so a released migration never depends on a model
that later changes: migrations import only this stable module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from complog.searchindex import SEARCH_COLUMNS, pg_search_document, pg_search_text
from complog.storedtime import decode_time, encode_time

__all__ = ["PG_SEARCH_COLUMNS", "UTCDateTime", "pg_search_document", "pg_search_text"]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes: fixed-width UTC text on SQLite, timestamptz elsewhere.

    The SQLite text form is what queries.py compares against, so the read path
    needs no ORM to filter by time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return encode_time(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return decode_time(value)


#: What PostgreSQL's search reads. Migration 0002 indexed pg_search_document(table)
#: (GIN), and search queries with the same expression so the index is used: they
#: live in searchindex.py, and must not change without a new migration.
PG_SEARCH_COLUMNS = SEARCH_COLUMNS
