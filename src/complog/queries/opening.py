"""Opening the logbook for reading: creating or migrating it first when needed,
and answering for a logbook that does not exist yet without creating it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from complog.connect import (
    SCHEMA_HEAD,
    Location,
    check_logbook_file,
    connect_sqlite,
    is_writable,
    read_revision,
    translate_error,
)
from complog.errors import StorageError
from complog.queries.reader import Reader

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _empty_reader(location: Location) -> Reader:
    """Reading a logbook that does not exist yet: answer from an empty one in a
    temporary folder, so reads never create files (only the first write does)."""
    import tempfile

    from complog.store import open_store

    folder = tempfile.mkdtemp(prefix="complog-empty-")
    empty = Path(folder) / "empty.db"
    open_store(Location(path=empty)).engine.dispose()
    return Reader(location, connect_sqlite(empty, readonly=True), cleanup=Path(folder))


def _open_postgres_reader(location: Location) -> Reader:
    """A team logbook: migrate on first use (the database was made for complog)."""
    import psycopg

    from complog.connect import connect_postgres

    conn = connect_postgres(location)
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()["version_num"]
    except psycopg.errors.UndefinedTable:
        revision = None  # a new, empty database: the first open creates the schema
    except psycopg.Error as exc:
        conn.close()
        raise translate_error(exc, location) from None
    if revision != SCHEMA_HEAD:
        from complog.store import open_store

        open_store(location).engine.dispose()
    return Reader(location, conn)


def open_reader(location: Location) -> Reader:
    """Open the logbook for reading, creating or migrating it first when needed."""
    if location.path is None:
        return _open_postgres_reader(location)
    path = location.path
    if not check_logbook_file(path):
        return _empty_reader(location)
    readonly = not is_writable(path)
    # Read-only even when we could write: a reader then never checkpoints the
    # WAL into the main file, so reading commands leave the file byte-identical.
    conn = connect_sqlite(path, readonly=True)
    try:
        revision = read_revision(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise translate_error(exc, location) from None
    if revision != SCHEMA_HEAD:
        conn.close()
        if readonly:
            raise StorageError(
                f"the logbook {location} needs a schema upgrade but is read-only",
                "open it once with write access to upgrade it",
            )
        from complog.store import open_store

        open_store(location)  # migrates (after a backup) or refuses a newer logbook
        conn = connect_sqlite(path, readonly=True)
    return Reader(location, conn)


class _Borrowed:
    """A write transaction's own DB-API connection, read the way the read path
    reads (rows by name), without changing the connection SQLAlchemy uses."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect

    def execute(self, sql: str, params: Any = ()) -> Any:
        if self.dialect == "sqlite":
            cursor = self.raw.cursor()
            cursor.row_factory = sqlite3.Row
            return cursor.execute(sql, params)
        from psycopg.rows import dict_row

        from complog.connect import pyformat

        return self.raw.cursor(row_factory=dict_row).execute(pyformat(sql), params or None)

    def cursor(self) -> Any:
        return self.raw.cursor()

    def tuples(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        from psycopg.rows import tuple_row

        from complog.connect import pyformat

        with self.raw.cursor(row_factory=tuple_row) as cursor:
            return list(cursor.execute(pyformat(sql), params or None).fetchall())

    def close(self) -> None:
        """Not ours to close: the transaction that lent it ends it."""


def reader_in(session: Session, location: Location) -> Reader:
    """A reader inside a write transaction, on its connection: what it reads
    cannot change before the transaction commits. On SQLite the transaction holds
    the write lock (BEGIN IMMEDIATE) from this call on."""
    connection = session.connection()  # begins the transaction: BEGIN IMMEDIATE
    dialect = connection.dialect.name
    return Reader(location, _Borrowed(connection.connection.driver_connection, dialect))
