"""Erase finds the person in the audit history too, not only in the live rows.

The issue's case first: after `customer merge "Jane  Do" "Jane Doe"`, erasing
"Jane Doe" left "Jane  Do" and jd@alt.test in customer 2's `create` event and in
the merge event's from/into snapshots. tests/store/test_erase_property.py checks
the same over random histories; these are the cases it found, kept readable.
"""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import assert_clean_error, snapshot


def stored(logbook) -> str:
    """Every row of every table, as text (both back ends)."""
    return json.dumps(snapshot(logbook)["rows"], default=str, ensure_ascii=False).lower()


@pytest.mark.parametrize("direction", ["into-the-first", "into-the-second"])
def test_erase_after_a_merge_leaves_neither_spelling_nor_its_email(run, logbook, direction):
    run("add", "Jane Doe", "x", "--email", "jane@doe.test")
    run("add", "Jane  Do", "y", "--email", "jd@alt.test", "--phone", "07700 900123")
    source, target = (
        ("Jane  Do", "Jane Doe") if direction == "into-the-first" else ("Jane Doe", "Jane  Do")
    )
    run("customer", "merge", source, target)

    run("erase", target, "--yes")

    text = stored(logbook)
    for trace in ("jane do", "jane  do", "jd@alt.test", "jane@doe.test", "07700 900123"):
        assert trace not in text, trace
    assert run("report", "--format", "json").json["opened"] == 2


def test_erase_after_an_undone_merge_leaves_the_other_customer_alone(run, logbook):
    run("add", "Jane Doe", "x", "--email", "jane@doe.test")
    run("add", "Bob Roe", "y", "--email", "bob@roe.test")
    run("customer", "merge", "Bob Roe", "Jane Doe")
    run("undo")
    bob = run("show", "2", "--format", "json").stdout

    run("erase", "Jane Doe", "--yes")

    assert "jane" not in stored(logbook)
    assert run("show", "2", "--format", "json").stdout == bob
    assert "bob@roe.test" in stored(logbook)  # Bob's own create event is his, and stays


def test_erase_finds_a_complaint_of_theirs_that_undo_removed(run, logbook):
    run("add", "Jane Doe", "Broken till")
    run("add", "Jane Doe", "Secret medical detail", "--wants", "discretion")
    run("undo")

    run("erase", "Jane Doe", "--yes")

    text = stored(logbook)
    assert "secret medical detail" not in text and "discretion" not in text


def test_undo_events_keep_what_they_undid_but_not_its_words(run):
    run("add", "Jane Doe", "Broken till")
    run("note", "1", "Wrong complaint")
    run("undo")
    run("erase", "Jane Doe", "--yes")

    undo = next(e for e in run("history", "--format", "json").json if e["action"] == "undo")
    assert undo["after"] == {"undid": [3], "action": "note", "description": "[erased]"}
    assert [n["text"] for n in run("show", "1", "--format", "json").json["notes"]] == []


def test_a_customer_only_the_history_remembers_can_be_erased_by_name(run, logbook):
    """Their only complaint was undone, which took the customer with it."""
    run("add", "Acme Newsagency", "Kept")
    run("add", "Jane Doe", "Logged by mistake", "--email", "jane@doe.test")
    run("undo")

    ran = run("erase", "Jane Doe", "--yes")

    assert ran.stdout == (
        "No customer is named Jane Doe now; erased them from the history"
        " (1 complaint that undo had removed)\n"
    )
    text = stored(logbook)
    assert "jane" not in text and "logged by mistake" not in text
    assert "acme newsagency" in text


def test_erasing_a_name_nobody_ever_had_is_exit_3_and_changes_nothing(run, logbook):
    run("add", "Acme Newsagency", "Kept")
    before = snapshot(logbook)
    ran = run("erase", "Jane Doe", "--yes", exit=3)
    assert_clean_error(ran, 3, "no customer named 'Jane Doe'")
    assert snapshot(logbook) == before


def test_a_change_whose_data_was_erased_cannot_be_undone_by_its_author(run):
    """Alice's complaint for Jane, then Bob erases Jane: Alice's undo would delete the
    anonymised complaint the reports still count (its add event was emptied)."""
    run("--user", "alice", "add", "Jane Doe", "Broken till")
    run("--user", "bob", "erase", "Jane Doe", "--yes")

    ran = run("--user", "alice", "undo", exit=4)

    assert_clean_error(ran, 4, "the customer's data in it was erased")
    assert run("report", "--format", "json").json["opened"] == 1
    assert run("show", "1", "--format", "json").json["summary"] == "[erased]"
