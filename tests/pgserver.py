"""A throwaway PostgreSQL server for the tests, started for real.

PostgreSQL refuses to run as root, so as root the server runs as the
`postgres` user (Debian's package creates it). It listens on 127.0.0.1 on a
free port with password (scram) authentication, so wrong-password tests mean
something; fsync is off because these tests are about behaviour, not
durability (SQLite's durability has its own kill -9 tests).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

USER, PASSWORD = "complog", "s3cret-pw"


class PostgresUnavailable(Exception):
    pass


def _bindir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresUnavailable("PostgreSQL server binaries (pg_ctl, initdb) are not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    port: int
    base: Path
    bindir: Path
    run_as: list[str]

    def url(self, database: str, password: str = PASSWORD) -> str:
        return f"postgresql+psycopg://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str) -> None:
        self._run([str(self.bindir / "psql"), "-h", str(self.base), "-p", str(self.port), "-U", "postgres",
                   "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])  # fmt: skip

    def create_database(self) -> str:
        name = f"complog_{uuid.uuid4().hex[:12]}"
        self.psql(f"CREATE DATABASE {name} OWNER {USER}")
        return name

    def _run(self, args: list[str]) -> None:
        done = subprocess.run(
            [*self.run_as, *args], capture_output=True, text=True, timeout=120, cwd="/"
        )
        if done.returncode != 0:
            raise PostgresUnavailable(
                f"{' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}"
            )

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60, cwd="/")  # fmt: skip
        shutil.rmtree(self.base, ignore_errors=True)


def start_server() -> PostgresServer:
    bindir = _bindir()
    run_as: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="complog-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable(
                "running as root and there is no 'postgres' user to run the server"
            ) from None
        os.chown(base, account.pw_uid, account.pw_gid)
        run_as = [
            "setpriv",
            f"--reuid={account.pw_uid}",
            f"--regid={account.pw_gid}",
            "--clear-groups",
        ]
    os.chmod(base, 0o755)
    server = PostgresServer(_free_port(), base, bindir, run_as)
    pwfile = base / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        os.chown(pwfile, account.pw_uid, account.pw_gid)
    server._run([str(bindir / "initdb"), "-D", str(base / "data"), "-U", "postgres", "--auth-local=trust",
                 "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C"])  # fmt: skip
    options = (f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")  # fmt: skip
    server._run([str(bindir / "pg_ctl"), "-D", str(base / "data"), "-o", options, "-l", str(base / "log"), "-w",
                 "-t", "60", "start"])  # fmt: skip
    server.psql(f"CREATE ROLE {USER} LOGIN CREATEDB PASSWORD '{PASSWORD}'")
    # The tests' login acts under many names (COMPLOG_USER=tester, --user alice): like a
    # team's import and migration login, it is an admin. tests/pg/test_identity.py makes
    # roles that are not.
    server.psql(f"CREATE ROLE complog_admin NOLOGIN; GRANT complog_admin TO {USER}")
    return server


class WorkDatabase:
    """One migrated database per test session, emptied before each test that uses it.

    Measured on the 2-core CI machine: emptying it (DELETE from every table and
    restarting the id sequences, one round trip) takes about 4 ms; TRUNCATE ...
    RESTART IDENTITY about 20 ms; a new database cloned from a migrated template
    (CREATE DATABASE ... TEMPLATE, then DROP) about 80 ms; migrating an empty one
    about 1 s. So tests share one database, and fall back to a fresh clone of the
    template only when a test left it in a state emptying cannot undo (a schema or
    revision change, a row in a table the migrations fill, a lock held).
    """

    TEMPLATE, NAME = "complog_template", "complog_work"

    def __init__(self, server: PostgresServer) -> None:
        import psycopg

        from complog.connect import Location
        from complog.store import open_store

        self.server = server
        self.admin = psycopg.connect(host=str(server.base), port=server.port, user="postgres",
                                     dbname="postgres", autocommit=True)  # fmt: skip
        self.admin.execute(f"CREATE DATABASE {self.TEMPLATE} OWNER {USER}")
        open_store(Location(url=server.url(self.TEMPLATE))).engine.dispose()
        with self._connect(self.TEMPLATE) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]  # fmt: skip
            # Tables the migrations leave rows in (alembic_version, meta) are compared
            # rather than emptied; every other table is emptied, children first.
            self.fixed = {t: self._rows(conn, t) for t in tables if self._rows(conn, t)}
            self.emptied = [t for t in self._children_first(conn, tables) if t not in self.fixed]
            self.sequences = [r[0] for r in conn.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")]  # fmt: skip
            self.schema = self._schema(conn)
        self.empty_sql = "; ".join(
            [f"DELETE FROM {t}" for t in self.emptied]
            + [f"ALTER SEQUENCE {s} RESTART" for s in self.sequences]
        )
        self.conn: Any = None
        self._clone()

    def _connect(self, database: str) -> Any:
        import psycopg

        return psycopg.connect(host=str(self.server.base), port=self.server.port, user="postgres",
                               dbname=database, autocommit=True)  # fmt: skip

    @staticmethod
    def _rows(conn: Any, table: str) -> list[Any]:
        return sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)

    @staticmethod
    def _schema(conn: Any) -> list[Any]:
        return sorted(conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = 'public' UNION ALL"
            " SELECT tablename, indexname, indexdef, '' FROM pg_indexes WHERE schemaname = 'public'"
        ).fetchall())  # fmt: skip

    @staticmethod
    def _children_first(conn: Any, tables: list[str]) -> list[str]:
        parents = {t: set() for t in tables}
        for child, parent in conn.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        ):
            if child != parent:
                parents[child].add(parent)
        order: list[str] = []
        while len(order) < len(tables):
            # a table goes after every table that refers to it
            ready = [t for t in tables if t not in order
                     and all(t not in parents[c] for c in tables if c not in order)]  # fmt: skip
            order += sorted(ready)
        return order

    def _clone(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.admin.execute(f"DROP DATABASE IF EXISTS {self.NAME} WITH (FORCE)")
        self.admin.execute(f"CREATE DATABASE {self.NAME} TEMPLATE {self.TEMPLATE} OWNER {USER}")
        self.conn = self._connect(self.NAME)
        self.conn.execute("SET lock_timeout = '10s'")

    def reset(self) -> str:
        """Empty the database (or replace it) and return its URL for COMPLOG_DB."""
        import psycopg

        try:
            with self.conn.transaction():
                self.conn.execute(self.empty_sql)
                pristine = all(self._rows(self.conn, t) == rows for t, rows in self.fixed.items())
            pristine = pristine and self._schema(self.conn) == self.schema
        except psycopg.Error:
            pristine = False
        if not pristine:
            self._clone()
        return self.server.url(self.NAME)

    def load(self, source_url: str) -> None:
        """Replace the work database's rows with those of another complog database
        (a logbook built once per module), ids and sequences included."""
        from urllib.parse import urlparse

        source = self._connect(urlparse(source_url).path.lstrip("/"))
        try:
            with self.conn.transaction():
                self.conn.execute(self.empty_sql)
                for table in reversed(self.emptied):  # parents first
                    with source.cursor().copy(f"COPY {table} TO STDOUT (FORMAT binary)") as out:
                        with self.conn.cursor().copy(
                            f"COPY {table} FROM STDIN (FORMAT binary)"
                        ) as into:
                            for block in out:
                                into.write(block)
                for (sequence,) in source.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                ).fetchall():
                    value, called = source.execute(
                        f"SELECT last_value, is_called FROM {sequence}"
                    ).fetchone()
                    self.conn.execute("SELECT setval(%s, %s, %s)", (sequence, value, called))
        finally:
            source.close()
