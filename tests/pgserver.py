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
    return server
