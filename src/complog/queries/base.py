"""The read path's connection: one DB-API connection, rows on either driver,
times as the database compares them, and the logbook's settings."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from complog.connect import (
    Location,
    translate_error,
)
from complog.settings import Settings, load_settings
from complog.storedtime import decode_time, encode_time

if TYPE_CHECKING:
    # imported where used: `due`, `list` and `add` need none of them
    from complog.identity import Identity


def stored_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def stored_time(value: Any) -> datetime:
    decoded = decode_time(value)
    assert decoded is not None
    return decoded


#: Before any time the logbook can hold: --at takes years from 1900 in the logbook's
#: zone, and 1 January 1900 east of Greenwich (or with an ISO offset) is 31 December
#: 1899 in UTC. A 4-digit year, so the SQLite text still sorts as time.
BEGINNING = datetime(1800, 1, 1, tzinfo=UTC)


def stored_json(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)


class ReaderBase:
    """A read-only view of the logbook over one DB-API connection."""

    def __init__(self, location: Location, conn: Any, cleanup: Path | None = None) -> None:
        """`conn`: a sqlite3.Connection, or connect.PgConnection for PostgreSQL."""
        self.location = location
        self.conn = conn
        self._cleanup = cleanup
        self.dialect = getattr(conn, "dialect", "sqlite")
        self._driver_errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
        if self.dialect == "sqlite":
            conn.row_factory = sqlite3.Row
        else:
            import psycopg

            self._driver_errors = (sqlite3.Error, psycopg.Error)
        self._settings: Settings | None = None

    def close(self) -> None:
        self.conn.close()
        if self._cleanup is not None:
            import shutil

            shutil.rmtree(self._cleanup, ignore_errors=True)
            self._cleanup = None

    @property
    def exists(self) -> bool:
        """False when answering for a logbook that has not been created yet."""
        return self._cleanup is None

    def _rows(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> list[Any]:
        try:
            return list(self.conn.execute(sql, params).fetchall())
        except self._driver_errors as exc:
            raise translate_error(exc, self.location) from None

    def rows_streamed(self, sql: str, params: dict[str, Any]) -> Iterator[Any]:
        """`_rows` a thousand at a time: for reads too big to hold (a complaint's
        100,000 notes)."""
        try:
            cursor = self.conn.execute(sql, params)
            while batch := cursor.fetchmany(1000):
                yield from batch
        except self._driver_errors as exc:
            raise translate_error(exc, self.location) from None

    def tuples(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, in column order, on either driver: cheaper than rows by
        name for big reads, and read by position (so unnamed columns are all there)."""
        try:
            if self.dialect != "sqlite":  # connect.PgConnection or a borrowed one
                return list(self.conn.tuples(sql, params or {}))
            cursor = self.conn.cursor()
            cursor.row_factory = None
            return list(cursor.execute(sql, params or {}).fetchall())
        except self._driver_errors as exc:
            raise translate_error(exc, self.location) from None

    def stream(self, sql: str, params: dict[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        """`tuples` one row at a time on SQLite, for reads that turn each row into
        something smaller (the report): the raw rows are never all in memory at once."""
        if self.dialect != "sqlite":  # connect.PgConnection or a borrowed one
            yield from self.tuples(sql, params)
            return
        try:
            cursor = self.conn.cursor()
            cursor.row_factory = None
            yield from cursor.execute(sql, params or {})
        except self._driver_errors as exc:
            raise translate_error(exc, self.location) from None

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read in the block sees one state of the logbook, whatever commits
        meanwhile (each read alone sees the latest: see connect.PgConnection). A read
        transaction: deferred in SQLite (WAL keeps its snapshot), repeatable read in
        PostgreSQL; it writes nothing, so it is rolled back."""
        begin = (
            "BEGIN"
            if self.dialect == "sqlite"
            else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        )
        try:
            self.conn.execute(begin)
        except self._driver_errors as exc:
            raise translate_error(exc, self.location) from None
        try:
            yield
        finally:
            with suppress(*self._driver_errors):
                self.conn.execute("ROLLBACK")

    def _time(self, value: datetime) -> str | datetime:
        """Times as the database compares them: fixed-width UTC text in SQLite."""
        return encode_time(value) if self.dialect == "sqlite" else value

    # -- settings ------------------------------------------------------------

    def identity(self) -> Identity | None:
        """PostgreSQL: the signed-in role, the name mapped to it, whether it is an admin."""
        if self.dialect == "sqlite":
            return None
        from complog.identity import Identity

        row = self._rows(
            "SELECT session_user AS role, (SELECT name FROM role_name WHERE role = session_user)"
            " AS name, complog_is_admin() AS admin"
        )[0]
        return Identity(str(row["role"]), row["name"], bool(row["admin"]))

    def stored_settings(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self._rows("SELECT key, value FROM setting")}

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.stored_settings())
        return self._settings
