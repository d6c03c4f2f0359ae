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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool

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


class Store:
    """An open logbook for writing."""

    def __init__(self, location: Location) -> None:
        self.location = location
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
                    for name in [t.name for t in SQLModel.metadata.sorted_tables]:
                        conn.exec_driver_sql(f'VACUUM FULL "{name}"')
            except DBAPIError as exc:
                raise translate_error(exc.orig or exc, self.location) from None
            return
        raw = connect_sqlite(self.location.path)
        try:
            raw.execute("PRAGMA secure_delete=ON")
            raw.execute(f"DELETE FROM meta WHERE key = '{SCRUB_PENDING}'")
            for table in ("complaint", "note", "promise", "reschedule"):
                raw.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
            raw.execute("VACUUM")
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

    def _refuse_unknown(self, revision: str | None) -> None:
        if revision is not None and revision not in KNOWN_REVISIONS:
            raise StorageError(
                f"the logbook {self.location} was written by a newer complog "
                f"(schema {revision}); it was left untouched",
                "upgrade complog to open it",
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
                finally:
                    raw.close()
                if revision == SCHEMA_HEAD:
                    return
                self._refuse_unknown(revision)
            with self.engine.connect() as conn:
                with conn.begin():
                    revision = _stored_revision(conn)
                    if revision == SCHEMA_HEAD:
                        return
                    self._refuse_unknown(revision)
                    if revision is None and conn.dialect.name == "postgresql":
                        self._refuse_foreign_postgres(conn)
                    if revision is not None and self.location.path is not None:
                        backup_before_migration(self.location.path, revision)
                    self.created = revision is None
                    from alembic import command

                    command.upgrade(_alembic_config(conn), "head")
        except DBAPIError as exc:
            raise translate_error(exc.orig or exc, self.location) from None
        except sqlite3.Error as exc:
            raise translate_error(exc, self.location) from None


def backup_before_migration(path: Path, revision: str) -> Path:
    """Copy the logbook next to itself (0600) before changing its schema."""
    target = path.with_name(f"{path.name}.{revision}.bak")
    copy_sqlite(path, target)
    return target


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup API, private to the owner.

    The source is opened read-only. The copy is written to a private temporary
    file (files.private_file) and checked (integrity_check) before it takes the
    target's name; on any failure nothing is left at the target or beside it.
    Errors name the side at fault: the logbook, or where the copy goes.
    """
    from complog.files import private_file

    with private_file(target) as tmp:
        src = connect_sqlite(source, readonly=True)
        try:
            with closing(sqlite3.connect(tmp)) as dst:
                src.backup(dst)
                result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorcode", None) in _TARGET_FAULTS:
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


#: SQLITE_FULL, SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, SQLITE_IOERR_TRUNCATE,
#: SQLITE_CANTOPEN: what goes wrong writing the copy, not reading the logbook.
_TARGET_FAULTS = {13, 778, 1034, 1546, 14}


def open_store(location: Location) -> Store:
    return Store(location)


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
    copy_sqlite(source, path)
    return path
