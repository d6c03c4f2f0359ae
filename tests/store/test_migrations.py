"""Schema and migrations: one head, models equal to the migrated schema, and
files this program does not understand refused with exit 5 and left untouched.

(Upgrades from each released revision's fixture logbook live in test_upgrade.py.)
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

import complog
from complog.connect import KNOWN_REVISIONS, SCHEMA_HEAD, Location

pytestmark = pytest.mark.sqlite_only(
    reason="the revision, schema and foreign files of a SQLite logbook; the models against the"
    " migrated PostgreSQL schema: tests/pg/test_backends.py"
)


FUTURE = "zzzz_future"


#: the partial indexes the migrations made, and the rows each holds
PARTIAL_INDEXES = {
    "ix_promise_open_due_at": "status = 'open'",
    "uq_wait_open_complaint_id": "ended_at IS NULL",
}


def script_directory():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(complog.__file__).parent / "migrations"))
    return ScriptDirectory.from_config(config)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_revision(path: Path) -> list[tuple[str]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchall()


def written_beside(path: Path) -> list[str]:
    """Files next to the logbook that hold anything: an empty -wal and the -shm
    index (which SQLite readers may leave behind) do not count."""
    wal, shm = path.name + "-wal", path.name + "-shm"
    return sorted(
        p.name
        for p in path.parent.iterdir()
        if p != path and p.name != shm and not (p.name == wal and p.stat().st_size == 0)
    )


def test_new_logbook_is_stamped_with_the_schema_head(logbook, proc):
    proc("init")
    assert stored_revision(logbook) == [(SCHEMA_HEAD,)]


def test_migration_scripts_have_exactly_one_head_and_it_is_schema_head():
    assert script_directory().get_heads() == [SCHEMA_HEAD]


def test_known_revisions_lists_every_migration_oldest_first():
    walked = [script.revision for script in script_directory().walk_revisions()]  # newest first
    assert tuple(reversed(walked)) == KNOWN_REVISIONS
    assert KNOWN_REVISIONS[-1] == SCHEMA_HEAD


def _fts_tables(conn) -> set[str]:
    """FTS5 indexes (created by migration 0002 with raw SQL, not models) and their shadow tables."""
    rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
    virtual = {name for name, sql in rows if sql and sql.upper().startswith("CREATE VIRTUAL TABLE")}
    return {name for name, _ in rows if any(name == v or name.startswith(v + "_") for v in virtual)}


def test_models_match_a_freshly_migrated_logbook_exactly(logbook):
    """No diff, types included. The custom UTCDateTime type renders as VARCHAR(26)
    on SQLite in both the models and the migration (dbtypes.py), so compare_type
    needs no exception for it. The FTS5 search tables are outside the models by
    design; they are skipped by name, and that name list is itself pinned."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import complog.models  # noqa: F401  (every table)
    from complog.store import open_store

    store = open_store(Location(path=logbook))
    with store.engine.connect() as conn:
        fts = _fts_tables(conn)

        def include_name(name, type_, _parents):
            return not (type_ == "table" and name in fts)

        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": include_name,
            },
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    shadow = ("", "_config", "_data", "_docsize", "_idx")
    assert fts == {
        f"{t}_fts{s}" for t in ("complaint", "note", "promise", "reschedule") for s in shadow
    }


def test_a_table_module_imported_after_the_store_opened_gets_its_conditions():
    """`add` opens the store with only complog.tables.complaints mapped; a partial index
    defined later (the wait table's) must still get its condition for the dialect in use."""
    code = (
        "import complog.tables.complaints\n"
        "from complog.tables.base import add_partial_conditions\n"
        "add_partial_conditions('sqlite')\n"
        "from complog.tables.workflow import Wait\n"
        "from complog.tables.complaints import Promise\n"
        "print(sorted((i.name, str(i.dialect_kwargs.get('sqlite_where')))"
        " for t in (Wait, Promise) for i in t.__table__.indexes"
        " if i.dialect_kwargs.get('sqlite_where') is not None))\n"
        "print(sorted(i.name for t in (Wait, Promise) for i in t.__table__.indexes"
        " if i.dialect_kwargs.get('postgresql_where') is not None))\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [repr(sorted(PARTIAL_INDEXES.items())), "[]"]


def test_partial_indexes_hold_the_rows_the_models_say(logbook):
    """compare_metadata does not compare an index's WHERE, so this does: the store gives
    the models their dialect's conditions (models.add_partial_conditions), and each is
    the one the migrations created."""
    from sqlmodel import SQLModel

    import complog.models  # noqa: F401  (every table)
    from complog.store import open_store

    open_store(Location(path=logbook)).engine.dispose()
    declared = {
        index.name: str(index.dialect_kwargs["sqlite_where"])
        for table in SQLModel.metadata.tables.values()
        for index in table.indexes
        if index.dialect_kwargs.get("sqlite_where") is not None
    }
    assert declared == PARTIAL_INDEXES
    with closing(sqlite3.connect(logbook)) as conn:
        for name, condition in declared.items():
            (sql,) = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = ?", (name,)
            ).fetchone()
            assert sql.endswith(f"WHERE {condition}")


@pytest.fixture
def future_logbook(logbook, proc) -> Path:
    """A logbook whose stored revision this program has never heard of."""
    proc("add", "Acme Newsagency", "Till crashes at close")
    with closing(sqlite3.connect(logbook)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (FUTURE,))
        # A newer complog's own revision would name its release here; this one does not.
        conn.execute("DELETE FROM meta WHERE key = 'requires_complog'")
        conn.commit()
    return logbook


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["due"],
        ["show", "1"],
        ["add", "Hillside Dental", "Wrong invoice"],
        ["note", "1", "Rang back"],
    ],
    ids=lambda a: a[0],
)
def test_logbook_from_a_newer_complog_is_refused_with_exit_5_and_left_untouched(
    future_logbook, proc, args
):
    before = digest(future_logbook)

    ran = proc(*args, exit=5)

    assert ran.stdout == ""
    assert ran.stderr == (
        f"complog: error: the logbook {future_logbook} was written by a newer complog "
        f"(schema {FUTURE}); it was left untouched\n"
        f"  upgrade complog to open it (this is complog {complog.__version__})\n"
    )
    assert digest(future_logbook) == before
    assert stored_revision(future_logbook) == [(FUTURE,)]
    # No migration backup was made, and no -wal holding changes was left behind.
    assert written_beside(future_logbook) == []


def test_a_newer_logbook_that_names_its_release_is_refused_naming_it(future_logbook, proc):
    """From 0004 every revision records the first complog that knows it."""
    with closing(sqlite3.connect(future_logbook)) as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('requires_complog', '7.1.0')")
        conn.commit()
    before = digest(future_logbook)

    ran = proc("due", exit=5)

    assert ran.stderr.endswith(
        f"  install complog 7.1.0 or later to open it (this is complog {complog.__version__})\n"
    )
    assert digest(future_logbook) == before
    status = proc("db", "status", "--format", "json").json
    assert (status["state"], status["revision"], status["requires"]) == ("newer", FUTURE, "7.1.0")
    assert status["next"] == "install complog 7.1.0 or later: this logbook was written by it"
    assert digest(future_logbook) == before


NOT_A_LOGBOOK = {
    "random-bytes": random.Random(5).randbytes(8192),
    "text-file": b"name,phone\nAcme Newsagency,01632 960000\nHillside Dental,01632 960001\n",
    "truncated-logbook": None,  # filled in by the fixture: a real logbook cut short
}


@pytest.fixture(params=sorted(NOT_A_LOGBOOK))
def not_a_logbook(request, tmp_path, logbook, proc) -> Path:
    path = tmp_path / "elsewhere" / "notes.db"
    path.parent.mkdir()
    content = NOT_A_LOGBOOK[request.param]
    if content is None:
        proc("add", "Acme Newsagency", "Till crashes at close")
        with closing(sqlite3.connect(logbook)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        content = logbook.read_bytes()[:20000]
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "args", [["list"], ["add", "Acme Newsagency", "Till crashes"]], ids=lambda a: a[0]
)
def test_file_that_is_not_a_logbook_is_refused_with_exit_5_and_left_untouched(
    not_a_logbook, proc, args
):
    before = digest(not_a_logbook)

    ran = proc("--db", str(not_a_logbook), *args, exit=5)

    assert ran.stdout == ""
    assert ran.stderr == (
        f"complog: error: {not_a_logbook} is not a complog logbook, or it is damaged\n"
        "  restore it from a backup (complog backup) or choose another with --db\n"
    )
    assert "Traceback" not in ran.stderr
    assert digest(not_a_logbook) == before
    assert written_beside(not_a_logbook) == []


def test_sqlite_database_of_another_program_is_refused_and_left_untouched(tmp_path, proc):
    path = tmp_path / "places.sqlite"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.com/')")
        conn.commit()
    before = digest(path)

    ran = proc("--db", str(path), "list", exit=None)

    with closing(sqlite3.connect(path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables == ["moz_places"]
    assert digest(path) == before
    assert ran.exit_code == 5
    assert ran.stderr == (
        f"complog: error: {path} is a SQLite database of another program, not a complog logbook\n"
        "  it was left untouched; choose another file with --db\n"
    )
