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
from complog.cli.typer_internals import build_each_command_once

#: under CI=true, a skip fails the run unless tests/ci_skips.py allows its reason
pytest_plugins = ["tests.ci_skips"]

NOW = "2026-11-23T09:00:00+00:00"  # a Monday

BACKENDS = ("sqlite", "postgres")


# -- both back ends ---------------------------------------------------------------------
#
# Every test that touches the logbook runs twice: on a temp SQLite file and on a database
# of a real PostgreSQL server the tests start (tests/pgserver.py). The autouse `logbook`
# depends on `backend`, which pytest_generate_tests parametrizes, except for
#   - tests/unit/ (pure modules, no database);
#   - tests marked `sqlite_only(reason=...)`: about the SQLite file itself (modes, WAL,
#     bytes, fixture .db files, kill -9 of SQLite, read-only files, ...);
#   - tests that ask for `postgres_server` / `postgres_logbook` themselves.
# `pytest --backend sqlite` (or postgres) runs one back end only.


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        action="append",
        choices=BACKENDS,
        help="run the logbook tests on this back end only (repeatable; default: both)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): about the SQLite file itself; not run on PostgreSQL",
    )
    config.addinivalue_line(
        "markers",
        "postgres_xfail(reason): a known PostgreSQL divergence, a strict xfail on PostgreSQL only",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    if any(
        m.name == "parametrize" and "backend" in str(m.args[0])
        for m in metafunc.definition.iter_markers()
    ):
        return
    if _runs_on_sqlite_only(metafunc.definition):
        return
    chosen = metafunc.config.getoption("backend") or list(BACKENDS)
    metafunc.parametrize("backend", [b for b in BACKENDS if b in chosen], indirect=True)


def _runs_on_sqlite_only(item: pytest.Item) -> bool:
    if Path(str(item.path)).parent.name == "unit":
        return True
    if item.get_closest_marker("sqlite_only") is not None:
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "postgres_server" in fixtures or "postgres_logbook" in fixtures


#: Modules whose tests race or kill real processes: under xdist they all go to one worker
#: and run one after another, so they never compete with each other for the two cores.
PROCESS_RACES = {
    "test_crash.py",
    "test_concurrency.py",
    "test_writers.py",
    "test_escalate_concurrency.py",
    "test_backup_erase.py",
    "test_backends.py",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in PROCESS_RACES:
            item.add_marker(pytest.mark.xdist_group("processes"))
        for name in ("sqlite_only", "postgres_xfail"):
            marker = item.get_closest_marker(name)
            if marker is not None and not (marker.kwargs.get("reason") or marker.args):
                raise pytest.UsageError(f"{item.nodeid}: {name} needs a reason")
        known = item.get_closest_marker("postgres_xfail")
        if known is not None and _param(item, "backend") == "postgres":
            reason = known.kwargs.get("reason") or known.args[0]
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
    chosen = config.getoption("backend")
    if chosen == ["postgres"]:
        # Only the PostgreSQL half: leave out what runs on SQLite alone.
        kept = [i for i in items if _param(i, "backend") == "postgres"
                or "postgres_server" in getattr(i, "fixturenames", ())]  # fmt: skip
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def _param(item: pytest.Item, name: str) -> Any:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(name) if callspec is not None else None


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which back end this test's logbook is on: "sqlite" or "postgres"."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(autouse=True)
def logbook(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Path | str:
    """This test's logbook, as COMPLOG_DB: a SQLite file path that does not exist yet,
    or, on PostgreSQL, the URL of an emptied, migrated database."""
    monkeypatch.setenv("COMPLOG_NOW", NOW)
    monkeypatch.setenv("COMPLOG_USER", "tester")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("COMPLOG_DEBUG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    # The person's own config folder (hook trust): never the real one.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    if backend == "postgres":
        url: str = request.getfixturevalue("postgres_work_database").reset()
        monkeypatch.setenv("COMPLOG_DB", url)
        return url
    path = tmp_path / "logbook" / "complog.db"
    monkeypatch.setenv("COMPLOG_DB", str(path))
    return path


@pytest.fixture(scope="session", autouse=True)
def command_built_once() -> Any:
    """Typer's CliRunner builds the Click command from the Typer app on every invoke,
    about 80 ms, most of an in-process command's cost; build it once per session."""
    with pytest.MonkeyPatch.context() as patch:
        build_each_command_once(patch)
        yield


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


@pytest.fixture(scope="session")
def postgres_work_database(postgres_server: Any) -> Any:
    """The database the `logbook` fixture hands to PostgreSQL tests (see WorkDatabase)."""
    from tests.pgserver import WorkDatabase

    return WorkDatabase(postgres_server)
