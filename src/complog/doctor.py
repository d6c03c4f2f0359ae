"""`complog doctor`: is the logbook whole, and is it private?

Damage to a SQLite file (a bad disk, a copy taken mid-write, a sync tool)
can sit unnoticed in a page no command happens to read. These checks read
everything: SQLite's integrity_check, each full-text index's own
integrity-check against its table, foreign keys, the schema revision, each
complaint's first reply (kept by triggers) against its notes and promises, and
the modes of the file, its -wal/-shm and its folder. Nothing is changed.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from complog.connect import (
    KNOWN_REVISIONS,
    SCHEMA_HEAD,
    Location,
    check_logbook_file,
    connect_postgres,
    connect_sqlite,
    read_revision,
    translate_error,
)
from complog.errors import StorageError

#: the full-text indexes of a SQLite logbook (migration 0002)
FTS_TABLES = ("complaint_fts", "note_fts", "promise_fts", "reschedule_fts")

RESTORE = "restore the logbook from a backup (complog backup makes one); see docs/user-guide.md"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    #: what to do about it (None when ok)
    fix: str | None = None


def examine(location: Location) -> list[Check]:
    """Every check, in order; raises StorageError when there is no logbook at all."""
    if location.path is None:
        return _examine_postgres(location)
    path = location.path
    if not check_logbook_file(path):
        raise StorageError(f"there is no logbook at {path}", "check --db or COMPLOG_DB")
    checks = _modes(path)
    try:
        conn = connect_sqlite(path, readonly=True)
    except Exception as exc:  # noqa: BLE001 - reported as a finding, not raised
        return [*checks, Check("open", False, str(exc), RESTORE)]
    try:
        checks += _contents(conn, writable=os.access(path, os.W_OK), path=path)
    finally:
        conn.close()
    return checks


def _contents(conn: sqlite3.Connection, *, writable: bool, path: Path) -> list[Check]:
    checks = []
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [Check("integrity", False, f"SQLite cannot read the file: {exc}", RESTORE)]
    if problems == ["ok"]:
        checks.append(Check("integrity", True, "every page and index is intact"))
    else:
        shown = "; ".join(p.replace("\n", " ") for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        checks.append(Check("integrity", False, f"{shown}{more}", RESTORE))
        return checks  # the other checks read the same damaged pages
    orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    checks.append(
        Check("foreign keys", True, "every reference points at a row")
        if not orphans
        else Check(
            "foreign keys",
            False,
            f"{len(orphans)} row(s) point at rows that do not exist (first: {orphans[0][0]})",
            RESTORE,
        )
    )
    revision = read_revision(conn)
    checks.append(_revision(revision))
    checks.append(_search_indexes(path, writable))
    if revision == SCHEMA_HEAD:
        count, first = conn.execute(_stale_first_replies("IS NOT")).fetchone()
        checks.append(_first_replies(int(count), first))
    return checks


def _stale_first_replies(differs: str) -> str:
    """How many complaints' first_reply_at is not their earliest note out or kept
    promise, and the first: the very expression migration 0007 fills the column with
    and its triggers keep it by (a released revision: its text never changes)."""
    import importlib

    first_reply = importlib.import_module("complog.migrations.versions.0007_first_reply")
    return (
        "SELECT count(*) AS n, min(c.id) AS first FROM complaint c"
        f" WHERE c.first_reply_at {differs} {first_reply.first_reply('c.id')}"
    )


def _first_replies(count: int, first: int | None) -> Check:
    """Only a writer the triggers cannot follow (a psql session in REPEATABLE READ,
    sqlite3's INSERT OR REPLACE) leaves one stale: report's response times then count it."""
    if not count:
        return Check(
            "first replies", True, "every complaint's first reply matches its notes and promises"
        )
    return Check(
        "first replies",
        False,
        f"{count} complaint(s) have a first reply their notes and promises do not give"
        f" (first: #{first}); report's response times count them so",
        "recompute them with the UPDATE in docs/team.md (Upgrades, migration 0008)",
    )


def _search_indexes(path: Path, writable: bool) -> Check:
    """FTS5 checks its index against the table with a special INSERT, which needs a
    writable connection; it changes nothing, and is rolled back all the same."""
    if not writable:
        return Check("search index", True, "not checked: the logbook is read-only here")
    conn = connect_sqlite(path)
    try:
        present = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        # IMMEDIATE: the write lock first, waited for (busy_timeout) while another
        # process writes; a deferred BEGIN whose snapshot that writer then
        # outdates fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT)
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in FTS_TABLES:
                if table in present:
                    conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.DatabaseError as exc:
        return Check("search index", False, str(exc), RESTORE)
    finally:
        conn.close()
    return Check("search index", True, "the full-text indexes match their tables")


def _revision(revision: str | None, *, server: bool = False) -> Check:
    if revision == SCHEMA_HEAD:
        return Check("schema", True, f"revision {revision}, this program's")
    if revision in KNOWN_REVISIONS:
        return Check(
            "schema",
            False,
            f"revision {revision}, older than this program's {SCHEMA_HEAD}",
            "complog db upgrade (on a server, after complog db upgrade --sql for the DBA)"
            if server
            else "complog db upgrade, or any command that opens it (after a backup copy)",
        )
    return Check(
        "schema",
        False,
        f"revision {revision or 'none'}, which this program does not know",
        "install a newer complog, or check that this is a complog logbook",
    )


def _modes(path: Path) -> list[Check]:
    """The logbook holds personal data: readable by its owner only (SPEC, 0600)."""
    loose = []
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(os.stat(file).st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            loose.append(f"{file.name} is {mode:04o}")
    folder_mode = stat.S_IMODE(os.stat(path.parent).st_mode)
    shared = bool(folder_mode & stat.S_ISVTX)
    if folder_mode & 0o022:
        loose.append(f"its folder is {folder_mode:04o} (others may replace the file)")
    if not loose:
        return [Check("file modes", True, "private to its owner")]
    fix = f"chmod 600 {path}*" + (
        ", and move it out of the shared folder"
        if shared
        else ", and chmod 700 its folder if only you use it"
    )
    return [Check("file modes", False, "; ".join(loose), fix)]


def _examine_postgres(location: Location) -> list[Check]:
    """On a server, PostgreSQL keeps its pages and foreign keys itself (pg_amcheck
    checks them); complog checks what it owns: the revision, and every table reads."""
    conn = connect_postgres(location)
    try:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except Exception as exc:  # noqa: BLE001 - no schema yet
            raise StorageError(
                f"there is no complog logbook in {location}", "complog init creates one"
            ) from translate_error(exc, location)
        tables = [
            r["table_name"]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        ]
        for table in tables:
            conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        revision = row["version_num"] if row else None
        stale = None
        if revision == SCHEMA_HEAD:
            stale = conn.execute(_stale_first_replies("IS DISTINCT FROM")).fetchone()
    finally:
        conn.close()
    checks = [
        _revision(revision, server=True),
        Check("tables", True, f"all {len(tables)} read; the server checks its own pages"),
    ]
    if stale is not None:
        checks.append(_first_replies(int(stale["n"]), stale["first"]))
    return checks
