"""Opening the logbook: where it is, with which guarantees, and what errors mean.

Both paths go through here: the read path (queries/, plain DB-API, cheap to
import) and the write path (store.py hands `connect_sqlite` to SQLAlchemy as
its `creator`). So every connection gets the same pragmas, and every driver
error becomes a StorageError at this boundary.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complog.errors import StorageError

#: The Alembic revision this program writes. A test keeps it equal to the head.
SCHEMA_HEAD = "0008_first_reply_locks"
#: Every revision this program knows, oldest first (a test keeps it in sync).
KNOWN_REVISIONS = (
    "0001_initial", "0002_search", "0003_workflow", "0004_identity", "0005_money",
    "0006_search_path", "0007_first_reply", "0008_first_reply_locks",
)  # fmt: skip


def busy_timeout() -> float:
    """Seconds a writer waits for the lock (COMPLOG_BUSY_TIMEOUT, default 30)."""
    raw = os.environ.get("COMPLOG_BUSY_TIMEOUT", "").strip()
    if not raw:
        return 30.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        from complog.errors import InvalidInput

        raise InvalidInput(
            f"COMPLOG_BUSY_TIMEOUT={raw!r} is not a number of seconds",
            "use a value from 0.1 to 3600",
        )
    return value


@dataclass(frozen=True)
class Location:
    """Where the logbook lives: a SQLite file, or a server URL."""

    path: Path | None = None
    url: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    def __str__(self) -> str:
        if self.path is not None:
            return str(self.path)
        return redact_url(self.url or "")


def redact_url(url: str) -> str:
    """postgresql://user:secret@host/db -> postgresql://user:***@host/db."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("complog", appauthor=False) / "complog.db"


SERVER_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")


def resolve_location(value: str | None) -> Location:
    """`--db` / COMPLOG_DB: a file path, `sqlite:///path`, or a server URL.

    An explicitly empty value is refused rather than read as "the default":
    a cron line with an unset variable must not write to someone's own logbook.
    """
    from complog.errors import InvalidInput

    if value is None:
        return Location(path=default_path())
    value = value.strip()
    if not value:
        raise InvalidInput(
            "the logbook location (--db or COMPLOG_DB) is empty",
            "give a file path, or unset it for the default",
        )
    if value.startswith("sqlite:///") and len(value) > len("sqlite:///"):
        return Location(path=Path(value.removeprefix("sqlite:///")).expanduser())
    if "://" in value:
        scheme = value.split("://", 1)[0].lower()
        if scheme not in SERVER_SCHEMES:
            raise InvalidInput(
                f"cannot use {redact_url(value)!r} as a logbook",
                "give a file path, sqlite:///path, or postgresql+psycopg://user@host/db",
            )
        return Location(url=value)
    path = Path(value).expanduser()
    if path.is_dir():
        raise InvalidInput(
            f"{path} is a folder", "give the logbook's file name, e.g. complaints.db"
        )
    return Location(path=path)


def check_logbook_file(path: Path) -> bool:
    """Whether the logbook file exists; refused (exit 2, never touched) when it, its
    -wal or its -shm is something other than a regular file: a device, a FIFO, a
    folder, a socket, or (for the -wal and -shm) a symlink that SQLite would follow."""
    from complog.errors import InvalidInput

    try:
        real = Path(os.path.realpath(path))
        try:
            mode = os.stat(real).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode):
            raise InvalidInput(
                f"the logbook {path} is {file_kind(mode)}, not a file",
                "choose a logbook file with --db or COMPLOG_DB",
            )
        for suffix in ("-wal", "-shm"):
            try:
                companion = os.lstat(real.with_name(real.name + suffix))
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(companion.st_mode):
                raise InvalidInput(
                    f"the logbook's {suffix} file beside {path} is {file_kind(companion.st_mode)}, not a file",
                    "complog will not write through it; remove it or choose another logbook",
                )
            if companion.st_nlink > 1:  # a hard link to some other file: SQLite would write it
                raise InvalidInput(
                    f"the logbook's {suffix} file beside {path} is also another file (a hard link)",
                    "complog will not write through it; remove it or choose another logbook",
                )
    except OSError as exc:  # a name too long, a loop of symlinks, no permission
        raise StorageError(
            f"cannot open the logbook {path}: {exc.strerror or exc}",
            "check the path and its folders' permissions, or choose another with --db",
        ) from None
    return mode is not None


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words: "a named pipe (FIFO)"."""
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symlink"),
    ):
        if test(mode):
            return name
    return "a special file"


def create_sqlite_file(path: Path) -> None:
    """Create an empty logbook file 0600 (directory 0700) before SQLite touches it.

    SQLite creates the -wal and -shm files with the database file's mode, so
    getting this one right keeps all three private. Only a file made here is
    chmodded: an existing empty file is taken as a new logbook only when it is
    a plain file of ours, private already (what a crash right after creating leaves).
    """
    from complog.errors import InvalidInput
    from complog.files import private_folders

    if check_logbook_file(path):
        if os.stat(path).st_size != 0:
            return  # a logbook already (or a file that migrate will refuse)
        if not _adoptable_empty(path):
            raise InvalidInput(
                f"{path} is an empty file complog did not create",
                "remove it (or chmod 600 it, if it is a plain file of yours) and run again,"
                " or choose another logbook with --db",
            )
    else:
        try:
            private_folders(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            try:
                os.fchmod(fd, 0o600)  # the mode given to open is filtered by the umask
            finally:
                os.close(fd)
        except FileExistsError:
            return  # another process created it a moment ago, and sets it up
        except OSError as exc:
            raise StorageError(
                f"cannot create the logbook at {path}: {exc.strerror}",
                "choose another location with --db or COMPLOG_DB",
            ) from None
    conn = connect_sqlite(path)
    try:
        ensure_wal(conn, Location(path=path))
    finally:
        conn.close()


def _adoptable_empty(path: Path) -> bool:
    """An empty, plain (not a symlink), private file of ours: a logbook whose creation
    was interrupted before SQLite wrote to it."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_size == 0
        and info.st_uid == os.getuid()
        and stat.S_IMODE(info.st_mode) & 0o077 == 0
    )


def ensure_wal(conn: sqlite3.Connection, location: Location) -> None:
    """WAL is a property of the file; set it whenever a writable logbook is not in it."""
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise translate_error(exc, location) from None


def connect_sqlite(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the logbook's pragmas, in autocommit mode.

    Autocommit (isolation_level=None) lets us issue BEGIN IMMEDIATE ourselves:
    Python's sqlite3 would otherwise begin a deferred transaction, which can
    fail with "database is locked" when two writers upgrade at once.
    """
    location = Location(path=path)
    try:
        if readonly:
            conn = _connect_readonly(path)
        else:
            conn = sqlite3.connect(
                path,
                timeout=busy_timeout(),
                isolation_level=None,
                check_same_thread=False,
            )
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
        if not readonly:
            conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        raise translate_error(exc, location) from None
    return conn


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Open a file we may not write. WAL readers need the -shm file; when they
    cannot create it, the file is opened as immutable (nobody can be writing it)."""
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=busy_timeout(), isolation_level=None)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            # Committed changes still sit in the WAL, which we cannot index without
            # a -shm file: read a private copy of both instead of stale data.
            return _snapshot_copy(path, wal)
        conn = sqlite3.connect(
            f"{uri}?immutable=1", uri=True, timeout=busy_timeout(), isolation_level=None
        )
    return conn


def _snapshot_copy(path: Path, wal: Path) -> sqlite3.Connection:
    import atexit
    import shutil
    import tempfile

    try:
        folder = Path(tempfile.mkdtemp(prefix="complog-ro-"))
    except OSError as exc:
        raise _no_room_to_read(path, exc) from None
    atexit.register(shutil.rmtree, folder, True)
    copy = folder / path.name
    try:
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, folder / wal.name)
        os.chmod(copy, 0o600)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise _no_room_to_read(path, exc) from None
    return sqlite3.connect(copy, timeout=busy_timeout(), isolation_level=None)


def _no_room_to_read(path: Path, exc: OSError) -> StorageError:
    return StorageError(
        f"cannot read the logbook {path}: {exc.strerror or exc}",
        "free some disk space: reading its WAL needs room for an index or a copy",
    )


def read_revision(conn: sqlite3.Connection) -> str | None:
    """The stored Alembic revision, or None for a logbook with no schema yet."""
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return row[0] if row else None


class PgConnection:
    """The read path's view of PostgreSQL: the sqlite3 calling style over psycopg.

    Queries are written once with `:name` parameters; this turns them into
    psycopg's `%(name)s` and returns rows that are read by column name, as
    sqlite3.Row is. Autocommit: every read sees the latest committed data.
    """

    dialect = "postgresql"

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.raw.execute(pyformat(sql), params or None)

    def tuples(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Rows as tuples in column order (the reads that go by position)."""
        from psycopg.rows import tuple_row

        with self.raw.cursor(row_factory=tuple_row) as cursor:
            return list(cursor.execute(pyformat(sql), params or None).fetchall())

    def close(self) -> None:
        self.raw.close()


_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def pyformat(sql: str) -> str:
    """`:name` parameters as psycopg's `%(name)s` (and a literal % doubled)."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


def psycopg_conninfo(url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy's form) -> postgresql://... (libpq's)."""
    scheme, _, rest = url.partition("://")
    return "postgresql://" + rest


def connect_postgres(location: Location) -> PgConnection:
    try:
        import psycopg
        from psycopg.rows import dict_row
    except ImportError:
        raise StorageError(
            "PostgreSQL support is not installed",
            "in complog's checkout: .venv/bin/pip install -e '.[postgres]' (it adds psycopg)",
        ) from None
    try:
        raw = psycopg.connect(
            psycopg_conninfo(location.url or ""),
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=10,
        )
    except psycopg.Error as exc:
        raise translate_error(exc, location) from None
    return PgConnection(raw)


def is_writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


#: SQLITE_FULL, SQLITE_IOERR_WRITE (ENOSPC, or EFBIG past a file size limit) and
#: SQLITE_IOERR_SHMSIZE: the operating system refused to let a file grow.
_NO_ROOM = {13, 778, 4874}


def _disk_full(location: Location) -> StorageError:
    return StorageError(f"no space left to write the logbook {location}", "free some disk space")


def translate_error(exc: BaseException, location: Location) -> StorageError:
    """A driver error -> one StorageError with a message a user can act on."""
    text = str(exc)
    lowered = text.lower()
    if getattr(exc, "sqlite_errorcode", None) in _NO_ROOM:
        return _disk_full(location)
    if "locked" in lowered or "busy" in lowered:
        return StorageError(
            f"the logbook {location} is locked by another process",
            f"waited {busy_timeout():g}s; try again, or set COMPLOG_BUSY_TIMEOUT",
        )
    if "readonly" in lowered or "read-only" in lowered or "attempt to write" in lowered:
        return StorageError(
            f"the logbook {location} is read-only",
            "reading commands work; to write, fix the file's permissions",
        )
    if "disk is full" in lowered or "database or disk is full" in lowered or "no space" in lowered:
        return _disk_full(location)
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return StorageError(
            f"{location} is not a complog logbook, or it is damaged",
            "restore it from a backup (complog backup) or choose another with --db",
        )
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return StorageError(
            f"the database server refused the login for {location}",
            "check the user name and password in the URL (or PGPASSWORD / ~/.pgpass)",
        )
    if lowered.startswith("complog: "):  # refused by a trigger of migration 0004
        return StorageError(
            f"the database refused the change: {text.splitlines()[0].removeprefix('complog: ')}",
            "only members of complog_admin act under another name (docs/team.md, Who did what)",
        )
    if "must be owner of" in lowered:  # PostgreSQL: DDL (an upgrade) by another role
        return StorageError(
            f"only the owner of the database in {location} can change its schema"
            f" ({text.splitlines()[0]})",
            "run complog db upgrade as the owner, or hand a DBA: complog db upgrade --sql",
        )
    if "permission denied for" in lowered:  # PostgreSQL: a role without that grant
        return StorageError(
            f"the database user in {location} lacks a grant complog needs ({text.splitlines()[0]})",
            "reading needs SELECT, writing also INSERT, UPDATE and DELETE: ask the database's owner"
            " (docs/team.md, Roles)",
        )
    if "does not exist" in lowered and "database" in lowered:
        return StorageError(
            f"the database in {location} does not exist",
            "create it first (createdb), or fix its name in the URL",
        )
    if (
        "connection refused" in lowered
        or "could not connect" in lowered
        or "timeout expired" in lowered
        or ("connection" in lowered and ("failed" in lowered or "closed" in lowered))
        or "could not translate host name" in lowered
        or "name or service not known" in lowered
    ):
        return StorageError(
            f"cannot reach the database server for {location}",
            "is it running, and are the host and port in the URL right?",
        )
    if "unable to open" in lowered:
        return StorageError(
            f"cannot open the logbook {location}",
            "check that the folder exists and is readable, or choose another with --db",
        )
    return StorageError(f"storage problem with {location}: {redact_url(text)}")
