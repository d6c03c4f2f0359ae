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

from complog.connect import decode_time, encode_time


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


#: The text of each table that PostgreSQL's search reads. The migration indexes
#: pg_search_document(table) exactly (GIN), and search queries with the same
#: expression, so the index is used.
PG_SEARCH_COLUMNS = {
    "complaint": ("summary", "wants", "outcome", "compensation", "prevention", "category"),
    "note": ("text",),
    "promise": ("text", "closed_note"),
    "reschedule": ("reason",),
}


def pg_search_text(table: str) -> str:
    # || and coalesce are IMMUTABLE, as index expressions must be (concat_ws is not)
    return " || ' ' || ".join(f"coalesce({c}, '')" for c in PG_SEARCH_COLUMNS[table])


def pg_search_document(table: str) -> str:
    return f"to_tsvector('simple', {pg_search_text(table)})"
