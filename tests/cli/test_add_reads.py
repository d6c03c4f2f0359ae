"""`add` reads what it needs (the briefing, the row it prints) on its own write
connection: it never opens the read path as well (issue 20: add's cost)."""

from __future__ import annotations

import pytest


@pytest.mark.sqlite_only(reason="PostgreSQL asks the read path who is signed in")
def test_add_never_opens_the_read_path(run, logbook, monkeypatch):
    import complog.queries
    import complog.queries.opening

    run(
        "add", "Acme Newsagency", "Till crashes", "--promise", "Call back", "--due", "tomorrow 10am"
    )

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("add opened the read path")

    monkeypatch.setattr(complog.queries, "open_reader", refuse)
    monkeypatch.setattr(complog.queries.opening, "open_reader", refuse)
    again = run("add", "Acme Newsagency", "Till crashes again")
    assert "Acme Newsagency already has 1 open complaint" in again.stderr
    assert "last contact" not in again.stderr  # no notes yet
    shown = run("add", "Acme Newsagnecy", "Misspelt", "--format", "json")
    assert shown.json["customer"] == "Acme Newsagnecy"
    assert "is a new customer; did you mean 'Acme Newsagency'?" in shown.stderr
    # --due and --at are read against the logbook's calendar, on the write connection too
    dated = run("add", "Acme Newsagency", "Card reader offline", "--promise", "Call back",
                "--due", "fri 14:30", "--at", "09:00", "--format", "json")  # fmt: skip
    assert dated.json["opened_at"].startswith("2026-11-23T09:00")


@pytest.mark.sqlite_only(reason="about the logbook file not being made")
@pytest.mark.parametrize("option", ["--due", "--at"])
def test_a_bad_date_on_a_new_logbook_makes_no_logbook(run, logbook, option):
    extra = ["--promise", "Call back"] if option == "--due" else []
    failed = run("add", "Acme Newsagency", "Till crashes", *extra, option, "31/02", exit=2)
    assert "31/02" in failed.stderr
    assert not logbook.exists()


def test_a_bad_date_on_an_existing_logbook_changes_nothing(run, logbook):
    run("add", "Acme Newsagency", "Till crashes")
    failed = run("add", "Acme Newsagency", "Card reader offline", "--promise", "Call back",
                 "--due", "31/02", exit=2)  # fmt: skip
    assert "31/02" in failed.stderr
    assert [row["id"] for row in run("list", "--format", "json").json] == [1]


@pytest.mark.sqlite_only(reason="SQLite's write lock is the subject")
def test_add_compares_near_names_without_holding_the_write_lock(run, logbook, monkeypatch):
    """Comparing a new name with every customer's costs seconds on a big logbook;
    holding the write lock meanwhile made every other writer wait, then fail."""
    import sqlite3

    import complog.names

    run("add", "Acme Newsagency", "Till crashes")
    compare = complog.names.near_names
    writable: list[bool] = []

    def near_names_while_someone_writes(*args: object, **kwargs: object) -> list[str]:
        other = sqlite3.connect(logbook, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writable.append(True)
        except sqlite3.OperationalError:
            writable.append(False)
        finally:
            other.close()
        return compare(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(complog.names, "near_names", near_names_while_someone_writes)
    added = run("add", "Acme Newsagnecy", "Misspelt")
    assert writable == [True]
    assert "did you mean 'Acme Newsagency'?" in added.stderr
