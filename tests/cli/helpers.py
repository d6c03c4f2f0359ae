"""Helpers for the CLI tests: logbook snapshots, error checks, a seeded logbook.

`snapshot` reads every table of the logbook with the stdlib sqlite3 driver (or
psycopg, for a PostgreSQL URL), so "a failed command changes nothing" is checked
against the database itself, not against what complog chooses to show.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}$")
ANSI = re.compile(r"\x1b\[")


def snapshot(db: Path | str) -> dict[str, Any]:
    """Schema and every row of every table, in a stable order."""
    if isinstance(db, str) and db.startswith("postgresql"):
        return _snapshot_postgres(db)
    conn = sqlite3.connect(db)
    try:
        schema = sorted(
            conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall(), key=repr
        )
        tables = [name for (kind, name, _sql) in schema if kind == "table"]
        rows = {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in tables
        }
    finally:
        conn.close()
    return {"schema": schema, "rows": rows}


def _snapshot_postgres(url: str) -> dict[str, Any]:
    """The same for PostgreSQL, with the next id of each sequence: a failed command must
    not use up ids either (SQLite's rolled-back rows leave no gap)."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        schema = sorted(conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = 'public' UNION ALL"
            " SELECT tablename, indexname, indexdef, '' FROM pg_indexes WHERE schemaname = 'public'"
        ).fetchall())  # fmt: skip
        tables = sorted({row[0] for row in schema})
        rows = {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in tables
        }
        sequences = [r[0] for r in conn.execute(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")]  # fmt: skip
        rows["(next ids)"] = [  # the id each sequence hands out next
            (name, *conn.execute(f'SELECT last_value + is_called::int FROM "{name}"').fetchone())
            for name in sequences
        ]
    return {"schema": schema, "rows": rows}


def query(db: Path | str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of one SQL statement (`?` parameters) on either back end. PostgreSQL's
    times come back as the text SQLite stores (storedtime.encode_time), so a test's
    expected rows are the same on both."""
    if not (isinstance(db, str) and db.startswith("postgresql")):
        conn = sqlite3.connect(db)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()
    import psycopg

    from complog.storedtime import encode_time

    with psycopg.connect(db.replace("+psycopg", "")) as pg:
        rows = pg.execute(sql.replace("?", "%s"), params).fetchall()
    return [tuple(encode_time(v) if isinstance(v, datetime) else v for v in row) for row in rows]


def assert_clean_error(ran: Any, code: int, message: str) -> None:
    """One or two lines on stderr, the first `complog: error: ...` containing `message`."""
    assert ran.exit_code == code, (ran.exit_code, ran.stderr)
    lines = ran.stderr.rstrip("\n").split("\n")
    assert 1 <= len(lines) <= 2, ran.stderr
    assert lines[0].startswith("complog: error: "), ran.stderr
    assert lines[0] != "complog: error: ", "the error says nothing"
    assert message in ran.stderr, ran.stderr
    assert "Traceback" not in ran.stderr
    assert ran.stdout == ""


def assert_iso(value: Any) -> datetime:
    """An ISO-8601 timestamp with an explicit UTC offset."""
    assert isinstance(value, str), value
    assert ISO_WITH_OFFSET.match(value), value
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None
    return parsed


def seed(run: Any) -> None:
    """The shared starting point of the bad-input and conflict tests.

    complaint 1 (Acme Newsagency): open, promise 1 open, due tomorrow 10:00
    complaint 2 (Bravo Bakery): resolved; promise 2 kept on time
    """
    run("add", "Acme Newsagency", "Till crashes at close", "--heat", "4",
        "--promise", "Call back with fix", "--due", "tomorrow 10am")  # fmt: skip
    run(
        "add",
        "Bravo Bakery",
        "Oven not heating",
        "--promise",
        "Engineer visit",
        "--due",
        "today 3pm",
    )
    run("kept", "2")
    run("resolve", "2", "--outcome", "Element replaced", "--confirmed")
