"""The write path: engine, BEGIN IMMEDIATE transactions and migrations.

Every write runs in `Store.transaction()`, which begins with BEGIN IMMEDIATE on
SQLite: the write lock is taken up front, so two writers queue on the busy
timeout instead of failing with "database is locked" when a deferred
transaction tries to upgrade. Commit happens only when the block succeeds; a
failed command changes nothing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool

from complog import __version__
from complog.connect import (
    KNOWN_REVISIONS,
    SCHEMA_HEAD,
    Location,
    connect_sqlite,
    create_sqlite_file,
    ensure_wal,
    is_writable,
    read_revision,
    translate_error,
)
from complog.errors import StorageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session


def _engine(location: Location) -> Engine:
    from complog.tables.base import add_partial_conditions

    add_partial_conditions("sqlite" if location.path is not None else "postgresql")
    if location.path is not None:
        path = location.path
        engine = create_engine(
            "sqlite://", creator=lambda: connect_sqlite(path), poolclass=NullPool
        )

        # SQLAlchemy's documented recipe for pysqlite: let the driver stay in
        # autocommit mode and emit our own BEGIN, so it can be IMMEDIATE.
        @event.listens_for(engine, "connect")
        def _autocommit(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    try:
        engine = create_engine(
            location.url or "", poolclass=NullPool, connect_args={"connect_timeout": 10}
        )
    except ImportError:
        raise StorageError(
            "PostgreSQL support is not installed",
            "in complog's checkout: .venv/bin/pip install -e '.[postgres]' (it adds psycopg)",
        ) from None
    except ArgumentError as exc:
        raise StorageError(f"cannot use the database URL {location}: {exc}") from None

    @event.listens_for(engine, "begin")
    def _one_writer_at_a_time(conn: Connection) -> None:
        # PostgreSQL's counterpart of BEGIN IMMEDIATE: every complog write takes
        # the same transaction-level lock first, so read-modify-write paths
        # (keep a promise, acknowledge an escalation) cannot interleave and lose
        # an update; the lock is released at commit or rollback.
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    return engine


#: the advisory lock every writer takes on PostgreSQL ("complog" in ASCII)
WRITE_LOCK_KEY = 0x636F6D706C6F67


def _stored_revision(conn: Connection) -> str | None:
    if conn.dialect.name == "postgresql":
        # Asking PostgreSQL for a missing table would abort the transaction.
        if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
            return None
    try:
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except DBAPIError as exc:
        if "no such table" in str(exc).lower() or "does not exist" in str(exc).lower():
            return None
        raise
    return row[0] if row else None


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = conn
    return config


#: meta key set by an erase whose scrub could not finish (see Store.scrub)
SCRUB_PENDING = "scrub_pending"


#: how long erase's VACUUM FULL waits for a table on PostgreSQL before giving up
SCRUB_LOCK_TIMEOUT = "10s"


class Store:
    """An open logbook for writing.

    `upgrade`: this open may upgrade a PostgreSQL schema (`complog db upgrade`). A
    team's schema changes only on purpose, never as a side effect of an ordinary
    command; a SQLite file, one person's, upgrades itself after a backup copy.
    """

    def __init__(self, location: Location, *, upgrade: bool = False) -> None:
        self.location = location
        self.upgrade = upgrade
        #: transactions committed through this store (an interrupted command says so)
        self.commits = 0
        #: (old revision, new revision) when this open upgraded the schema
        self.upgraded: tuple[str, str] | None = None
        #: the copy made before a SQLite upgrade
        self.backup: Path | None = None
        if location.path is not None:
            create_sqlite_file(location.path)
            if not is_writable(location.path):
                raise StorageError(
                    f"the logbook {location} is read-only",
                    "reading commands work; to write, fix the file's or folder's permissions",
                )
        self.engine = _engine(location)
        #: audit events of the transactions committed so far (hooks run on them)
        self.committed: list[Any] = []
        #: an erase left its scrub unfinished (SQLite only; read by migrate)
        self._scrub_pending = False
        #: this open made the schema: the logbook is new (`init` says so)
        self.created = False
        self.migrate()
        self.finish_pending_scrub()

    @contextmanager
    def transaction(self, *, dry_run: bool = False) -> Iterator[Session]:
        """One write: a session inside BEGIN IMMEDIATE, committed on success.

        `dry_run`: do everything, checks included, then roll back (undo --dry-run).
        """
        from sqlmodel import Session

        try:
            with Session(self.engine, expire_on_commit=False) as session:
                with session.begin():
                    yield session
                    if dry_run:
                        session.rollback()
                if not dry_run:
                    self.commits += 1
                    self.committed.extend(session.info.get("complog_events", []))
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise translate_error(exc.orig or exc, self.location) from None
        except sqlite3.Error as exc:
            raise translate_error(exc, self.location) from None

    def scrub(self) -> None:
        """After an erase: rebuild the search indexes, zero freed pages, and fold the
        WAL back into the file, so no erased text survives anywhere in it."""
        if self.location.path is None:
            # PostgreSQL: VACUUM FULL rewrites the tables and their indexes without
            # the dead row versions that still held the erased text. Every table of
            # the schema, so none that erase rewrites can be forgotten here.
            from sqlmodel import SQLModel

            import complog.models  # noqa: F401  (registers the tables)

            try:
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    # PostgreSQL skips, with only a warning, tables the role does not own.
                    not_owned = conn.exec_driver_sql(
                        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                        " AND NOT pg_has_role(c.relowner, 'USAGE')"
                    ).scalar()
                    if not_owned:
                        raise StorageError(
                            f"the data was anonymised, but role {conn.exec_driver_sql('SELECT session_user').scalar()}"
                            " may not rewrite the tables, so old row versions still hold the erased text",
                            "the database's owner finishes the job: psql -c 'VACUUM FULL' (docs/team.md, Roles)",
                        )
                    # VACUUM FULL waits for an exclusive lock, and every other session
                    # queues behind it: an idle open transaction anywhere would freeze
                    # the whole team. Wait a bounded time, then leave it to the owner.
                    conn.exec_driver_sql(f"SET lock_timeout = '{SCRUB_LOCK_TIMEOUT}'")
                    for name in [t.name for t in SQLModel.metadata.sorted_tables]:
                        conn.exec_driver_sql(f'VACUUM FULL "{name}"')
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
                    raise StorageError(
                        "the data was anonymised, but another session kept the tables busy,"
                        " so old row versions still hold the erased text",
                        "when the team is idle: psql -c 'VACUUM FULL' (docs/team.md, Roles)",
                    ) from None
                raise translate_error(exc.orig or exc, self.location) from None
            return
        raw = connect_sqlite(self.location.path)
        try:
            raw.execute("PRAGMA secure_delete=ON")
            for table in ("complaint", "note", "promise", "reschedule"):
                raw.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
            raw.execute("VACUUM")
            # Only now: a scrub killed before its VACUUM leaves the mark for the next one.
            raw.execute(f"DELETE FROM meta WHERE key = '{SCRUB_PENDING}'")
            busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                # A reader still holds an old snapshot, so the old pages stay in the
                # file. Say so, and leave a mark for the next writer to finish the job.
                raw.execute(
                    f"INSERT OR REPLACE INTO meta(key, value) VALUES ('{SCRUB_PENDING}', '1')"
                )
                raise StorageError(
                    f"the data was anonymised, but another process is reading {self.location},"
                    " so the old text is still in the file",
                    "close other programs using the logbook; the next complog command"
                    " that writes finishes the job",
                )
        except sqlite3.Error as exc:
            raise translate_error(exc, self.location) from None
        finally:
            raw.close()

    def finish_pending_scrub(self) -> None:
        """An erase that could not fold its changes into the file (a reader was in
        the way) left a mark, read when the logbook was opened; try again now,
        quietly, and keep the mark on failure."""
        if self._scrub_pending:
            try:
                self.scrub()
            except StorageError:
                pass

    def old_backups(self) -> list[Path]:
        """Copies made before migrations: they still hold whatever was erased since."""
        if self.location.path is None:
            return []
        return sorted(self.location.path.parent.glob(self.location.path.name + ".*.bak"))

    def _refuse_foreign(self, conn: sqlite3.Connection, revision: str | None) -> None:
        """A SQLite file with tables but no complog schema belongs to another program."""
        if revision is not None:
            return
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[
            0
        ]
        if tables:
            raise StorageError(
                f"{self.location} is a SQLite database of another program, not a complog logbook",
                "it was left untouched; choose another file with --db",
            )

    def _refuse_foreign_postgres(self, conn: Connection) -> None:
        tables = conn.execute(
            text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
            )
        ).scalar()
        if tables:
            raise StorageError(
                f"the database {self.location} already has tables of another program",
                "give complog a database of its own (createdb complog)",
            )

    def _refuse_unknown(self, revision: str | None, requires: str | None) -> None:
        if revision is not None and revision not in KNOWN_REVISIONS:
            raise StorageError(
                f"the logbook {self.location} was written by a newer complog "
                f"(schema {revision}); it was left untouched",
                f"install complog {requires} or later to open it (this is complog {__version__})"
                if requires
                else f"upgrade complog to open it (this is complog {__version__})",
            )

    def _refuse_outdated(self, revision: str) -> None:
        """PostgreSQL: a shared schema is upgraded on purpose, by `complog db upgrade`."""
        raise StorageError(
            f"the team logbook {self.location} has schema {revision}; complog {__version__}"
            f" needs {SCHEMA_HEAD}",
            "its owner upgrades it with: complog db upgrade (complog db upgrade --sql prints"
            " the SQL first; docs/team.md, Upgrades)",
        )

    def migrate(self) -> None:
        """Bring the schema to SCHEMA_HEAD, after copying the file; refuse newer logbooks."""
        try:
            if self.location.path is not None:
                # Cheap check first, without taking the write lock: the usual case.
                raw = connect_sqlite(self.location.path)
                try:
                    revision = read_revision(raw)
                    self._refuse_foreign(raw, revision)
                    ensure_wal(raw, self.location)
                    if revision is not None:  # on the same connection: no second open
                        self._scrub_pending = bool(
                            raw.execute(
                                f"SELECT 1 FROM meta WHERE key = '{SCRUB_PENDING}'"
                            ).fetchone()
                        )
                    requires = _required_version_sqlite(raw, revision)
                finally:
                    raw.close()
                if revision == SCHEMA_HEAD:
                    return
                self._refuse_unknown(revision, requires)
            with self.engine.connect() as conn:
                # On PostgreSQL this takes the writers' advisory lock: two upgrades at
                # once run one after the other, and the second finds nothing to do.
                with conn.begin():
                    revision = _stored_revision(conn)
                    if revision == SCHEMA_HEAD:
                        return
                    self._refuse_unknown(revision, _required_version(conn, revision))
                    if conn.dialect.name == "postgresql":
                        if revision is None:
                            # An empty database made for complog: creating its schema
                            # changes nobody's logbook, so any command may do it.
                            self._refuse_foreign_postgres(conn)
                        elif not self.upgrade:
                            self._refuse_outdated(revision)
                    if revision is not None and self.location.path is not None:
                        self.backup = backup_before_migration(self.location.path, revision)
                    self.created = revision is None
                    from alembic import command

                    command.upgrade(_alembic_config(conn), "head")
                    if revision is not None:
                        self.upgraded = (revision, SCHEMA_HEAD)
        except DBAPIError as exc:
            raise translate_error(exc.orig or exc, self.location) from None
        except sqlite3.Error as exc:
            raise translate_error(exc, self.location) from None


def _required_version_sqlite(conn: sqlite3.Connection, revision: str | None) -> str | None:
    """The release a newer logbook asks for (meta.requires_complog, from 0004 on)."""
    if revision is None or revision in KNOWN_REVISIONS:
        return None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'requires_complog'").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _required_version(conn: Connection, revision: str | None) -> str | None:
    if revision is None or revision in KNOWN_REVISIONS:
        return None
    row = conn.execute(text("SELECT value FROM meta WHERE key = 'requires_complog'")).first()
    return str(row[0]) if row else None


@dataclass(frozen=True)
class SchemaStatus:
    """`complog db status`: where the logbook's schema stands against this complog."""

    location: str
    #: "current", "behind" (pending migrations), "newer" (a newer complog wrote it),
    #: "empty" (a database without complog's schema yet) or "missing" (no file yet)
    state: str
    revision: str | None
    head: str
    version: str
    pending: tuple[str, ...]
    #: the release a newer schema asks for (meta.requires_complog), if it says
    requires: str | None
    server: bool


def schema_status(location: Location) -> SchemaStatus:
    """Read the stored revision without changing anything (no upgrade, no file made)."""
    revision, requires, missing = None, None, False
    if location.path is not None:
        if not location.path.exists():
            missing = True
        else:
            raw = connect_sqlite(location.path, readonly=True)
            try:
                revision = read_revision(raw)
                requires = _required_version_sqlite(raw, revision)
            except sqlite3.Error as exc:
                raise translate_error(exc, location) from None
            finally:
                raw.close()
    else:
        engine = _engine(location)
        try:
            with engine.connect() as conn:
                revision = _stored_revision(conn)
                requires = _required_version(conn, revision)
        except DBAPIError as exc:
            raise translate_error(exc.orig or exc, location) from None
        finally:
            engine.dispose()
    if missing:
        state = "missing"
    elif revision is None:
        state = "empty"
    elif revision == SCHEMA_HEAD:
        state = "current"
    elif revision in KNOWN_REVISIONS:
        state = "behind"
    else:
        state = "newer"
    pending = KNOWN_REVISIONS[KNOWN_REVISIONS.index(revision) + 1 :] if state == "behind" else ()
    if state in ("missing", "empty"):
        pending = KNOWN_REVISIONS
    return SchemaStatus(str(location), state, revision, SCHEMA_HEAD, __version__, pending,
                        requires, location.path is None)  # fmt: skip


#: revisions whose upgrade reads rows in Python, so it cannot be printed as SQL
_NOT_AS_SQL = {"0003_workflow": "it copies past resolutions out of the audit log"}


def upgrade_sql(location: Location) -> str:
    """The SQL `complog db upgrade` would run on this logbook (Alembic's offline mode),
    for a database administrator to read or run; nothing is changed."""
    import io

    from complog.errors import Conflict

    status = schema_status(location)
    if status.state == "newer":
        Store(location)  # refuses, naming the release to install
    if status.state == "current":
        return ""
    if status.state in ("missing", "empty"):
        raise Conflict(
            f"{location} has no complog schema yet, so there is nothing to upgrade",
            "complog init creates it (on PostgreSQL: as a role that may create tables)",
        )
    for revision in status.pending:
        if revision in _NOT_AS_SQL:
            raise Conflict(
                f"the upgrade to {revision} cannot be printed as SQL: {_NOT_AS_SQL[revision]}",
                "run complog db upgrade (as the database's owner; it runs in one transaction)",
            )
    from alembic import command
    from alembic.config import Config

    buffer = io.StringIO()
    config = Config(output_buffer=buffer)
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["dialect"] = "sqlite" if location.path is not None else "postgresql"
    start = f"{status.revision}:" if status.revision else ""
    command.upgrade(config, f"{start}head", sql=True)
    return buffer.getvalue()


def backup_before_migration(path: Path, revision: str) -> Path:
    """Copy the logbook next to itself (0600) before changing its schema."""
    from complog.files import remove_stale_temporaries

    target = path.with_name(f"{path.name}.{revision}.bak")
    remove_stale_temporaries(target)  # of a migration killed mid-copy; we hold the lock
    copy_sqlite(path, target)
    return target


def copy_sqlite(source: Path, target: Path, *, new: bool = False) -> None:
    """A consistent copy through SQLite's online backup API, private to the owner.

    The source is opened read-only. The copy is written to a private temporary
    file (files.private_file) and checked (integrity_check) before it takes the
    target's name; on any failure nothing is left at the target or beside it.
    Errors name the side at fault: the logbook, or where the copy goes.
    """
    from complog.files import private_file

    with private_file(target, new=new) as tmp:
        src = connect_sqlite(source, readonly=True)
        try:
            with closing(sqlite3.connect(tmp)) as dst:
                src.backup(dst)
                result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.Error as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            if code == _CANTOPEN:
                raise StorageError(
                    f"cannot write {target}: SQLite cannot open the copy's files there",
                    "choose a folder only you can write to",
                ) from None
            if code in _TARGET_FAULTS:
                raise StorageError(
                    f"cannot write {target}: no space left, or the file is too large",
                    "free some disk space or choose another place",
                ) from None
            raise translate_error(exc, Location(path=source)) from None
        finally:
            src.close()
        if result != "ok":
            raise StorageError(
                f"{source} is not a complog logbook, or it is damaged",
                "restore it from a backup (complog backup) or choose another with --db",
            )


#: SQLITE_FULL, SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, SQLITE_IOERR_TRUNCATE:
#: what goes wrong writing the copy, not reading the logbook.
_TARGET_FAULTS = {13, 778, 1034, 1546}
#: SQLITE_CANTOPEN on the copy: its -wal or -shm could not be made (a planted symlink)
_CANTOPEN = 14


def open_store(location: Location, *, upgrade: bool = False) -> Store:
    return Store(location, upgrade=upgrade)


def backup_to(source: Path, target: str) -> Path:
    """`complog backup`: an online copy that must not overwrite anything."""
    from complog.errors import InvalidInput, NotFound
    from complog.files import output_target

    path = output_target(target, logbook=source, stream_ok=False).path
    assert path is not None
    if os.path.lexists(Path(target).expanduser()) or path.exists():
        raise InvalidInput(f"{target} already exists", "choose a new file name for the backup")
    if not source.exists():
        raise NotFound(f"there is no logbook at {source}", "nothing to back up yet")
    copy_sqlite(source, path, new=True)
    return path
