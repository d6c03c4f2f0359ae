"""Shared fixtures: every test gets its own logbook, a frozen clock and a `run` helper.

Like llm's `env_setup`, the autouse fixture points COMPLOG_DB at a temp file,
so no test can touch a real logbook. COMPLOG_NOW freezes the clock at Monday
2026-11-23 09:00 UTC; TZ=UTC keeps the default display zone stable.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from complog.cli.main import app

NOW = "2026-11-23T09:00:00+00:00"  # a Monday


@pytest.fixture(autouse=True)
def logbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "logbook" / "complog.db"
    monkeypatch.setenv("COMPLOG_DB", str(path))
    monkeypatch.setenv("COMPLOG_NOW", NOW)
    monkeypatch.setenv("COMPLOG_USER", "tester")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("COMPLOG_DEBUG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return path


@dataclass
class Ran:
    args: list[str]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


class Runner:
    """Invoke complog in-process (CliRunner) and assert the exit code, as httpie's `http()`."""

    def __call__(
        self, *args: str, exit: int = 0, input: str | None = None, env: dict[str, str] | None = None
    ) -> Ran:
        result = CliRunner().invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        ran = Ran(list(args), result.exit_code, result.stdout, result.stderr)
        assert ran.exit_code == exit, (
            f"complog {shlex.join(args)} exited {ran.exit_code}, expected {exit}\n"
            f"stdout: {ran.stdout}\nstderr: {ran.stderr}"
        )
        return ran


@pytest.fixture
def run() -> Runner:
    return Runner()


def complog_process(
    *args: str,
    exit: int | None = 0,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 60,
) -> Ran:
    """Run `python -m complog` as a real process, with the test's environment."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "complog", *args],
        capture_output=True, text=True, env=full_env, input=input, timeout=timeout,
        stdin=None if input is not None else subprocess.DEVNULL,
    )  # fmt: skip
    ran = Ran(list(args), proc.returncode, proc.stdout, proc.stderr)
    if exit is not None:
        assert ran.exit_code == exit, (
            f"complog {shlex.join(args)} exited {ran.exit_code}, expected {exit}\n"
            f"stdout: {ran.stdout}\nstderr: {ran.stderr}"
        )
    return ran


@pytest.fixture
def proc() -> Any:
    return complog_process


# -- PostgreSQL ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Any:
    """A real server for the session. Under CI=true, not being able to start one is a
    failure, not a skip: the team back end must be tested where CI says it is."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    from tests.pgserver import PostgresUnavailable, start_server

    try:
        server = start_server()
    except PostgresUnavailable as exc:
        _unavailable(str(exc))
    yield server
    server.stop()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required when CI=true: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture
def postgres_logbook(postgres_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty database on the test server, as COMPLOG_DB."""
    url = postgres_server.url(postgres_server.create_database())
    monkeypatch.setenv("COMPLOG_DB", url)
    return str(url)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Run a test on both back ends: the temp SQLite file, then a PostgreSQL database."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_logbook")
    return str(request.param)
