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
