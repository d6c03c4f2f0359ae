"""What every table shares: the naming convention, the base class, foreign keys that
cascade, ids never reused, and the partial indexes' conditions.

The tables live in modules by what writes them (complog.tables.complaints, .workflow,
.logbook), so a command maps only the tables it uses: defining a table costs a few
milliseconds, and `add` writes four of twelve. Anything that needs every table (the
migrations, erase's scrub, import, migrate-to) imports complog.models, the whole schema.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Column, ForeignKey, Index, Integer, text
from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def cascading_fk(target: str, *, nullable: bool = False) -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable)


class PartialIndex(Index):
    """An index over the rows that match `condition` only.

    SQLAlchemy keeps the condition as a dialect's option (postgresql_where,
    sqlite_where), and naming a dialect's option imports that dialect: PostgreSQL's
    costs about 24 ms of every SQLite command. So the condition is given to each dialect
    in use (`add_partial_conditions`), to indexes defined before and after it is.
    """

    made: ClassVar[list[PartialIndex]] = []
    dialects: ClassVar[set[str]] = set()

    def __init__(self, name: str, *columns: str, condition: str, **kw: Any) -> None:
        super().__init__(name, *columns, **kw)
        self.condition = condition
        PartialIndex.made.append(self)
        for dialect in sorted(PartialIndex.dialects):
            self.give(dialect)

    def give(self, dialect: str) -> None:
        if self.dialect_kwargs.get(f"{dialect}_where") is None:
            self.dialect_kwargs[f"{dialect}_where"] = text(self.condition)


def add_partial_conditions(dialect: str) -> None:
    """Give the partial indexes their condition for `dialect` (sqlite or postgresql),
    as the migrations created them, so the tables describe the schema exactly."""
    PartialIndex.dialects.add(dialect)
    for index in PartialIndex.made:
        index.give(dialect)


class LogbookTable(SQLModel):
    """Every table's base. Pydantic builds a model's validator when the class is made
    (about a third of the time `import complog.models` takes); rows written through the
    ORM are never validated by it, so it is built on first use instead."""

    model_config = {"defer_build": True}

    #: columns the database keeps (triggers), which complog never writes: left out of
    #: the audit log's snapshots, so undo neither compares nor restores them
    derived: ClassVar[frozenset[str]] = frozenset()


#: Ids are never handed out twice (migration 0004): on SQLite AUTOINCREMENT keeps the
#: largest id ever used, so a row removed by undo does not lend its number to the next.
NEVER_REUSED = {"sqlite_autoincrement": True}
