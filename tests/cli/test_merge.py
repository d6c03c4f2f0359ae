"""`complog customer merge FROM INTO` (also `merge-customers`): one customer under two
spellings becomes one, every record kept; `add` suggests the near match."""

from __future__ import annotations

import pytest

from tests.cli.helpers import assert_clean_error, snapshot


def two_spellings(run):
    run("add", "Acme Newsagency", "Till crashes", "--email", "till@acme.example")
    run("add", "Acme Newsagancy", "Receipts blank", "--phone", "0123 456",
        "--email", "other@acme.example", "--promise", "Call back", "--due", "tomorrow")  # fmt: skip
    run("note", "2", "Rang them", "--out")
    run("escalate", "2", "--to", "manager", "--reason", "Second complaint")
    run("add", "Bravo Bakery", "Oven")


@pytest.mark.parametrize(
    "command",
    [["customer", "merge"], ["merge-customers"]],
    ids=["customer-merge", "merge-customers"],
)
def test_merge_moves_every_complaint_and_keeps_every_record(run, command):
    two_spellings(run)
    moved = run("show", "2", "--format", "json").json
    ran = run(*command, "Acme Newsagancy", "Acme Newsagency")
    assert ran.stdout == (
        "Merged 'Acme Newsagancy' into 'Acme Newsagency': 1 complaint; phone from 'Acme Newsagancy'\n"
    )
    assert "kept 'Acme Newsagency''s email" in ran.stderr
    history = run("customer", "Acme Newsagency", "--format", "json").json
    assert sorted(c["id"] for c in history["complaints"]) == [1, 2]
    after = run("show", "2", "--format", "json").json
    assert after["customer"] == "Acme Newsagency"
    assert after["customer_detail"]["phone"] == "0123 456"  # INTO had none
    assert after["customer_detail"]["email"] == "till@acme.example"  # INTO's kept
    for key in ("notes", "promises", "timeline", "summary", "opened_at"):
        assert after[key] == moved[key], key
    assert [e | {"customer": "-"} for e in after["escalations"]] == [
        e | {"customer": "-"} for e in moved["escalations"]
    ]
    run("customer", "Acme Newsagancy", exit=3)
    event = run("history", "--format", "json").json[-1]
    assert (event["action"], event["entity"]) == ("merge", "customer")
    assert event["before"]["from"]["email"] == "other@acme.example"
    assert event["after"]["complaints"] == [2]


def test_merge_json(run):
    two_spellings(run)
    data = run("merge-customers", "acme newsagancy", "ACME NEWSAGENCY", "--format", "json").json
    assert data == {
        "dry_run": False, "from": "Acme Newsagancy", "into": "Acme Newsagency",
        "complaints": [2], "taken": ["phone"], "differing": ["email"],
    }  # fmt: skip


def test_merge_dry_run_changes_nothing(run, logbook):
    two_spellings(run)
    before = snapshot(logbook)
    ran = run("customer", "merge", "Acme Newsagancy", "Acme Newsagency", "--dry-run")
    assert ran.stdout.startswith("Would merge 'Acme Newsagancy' into 'Acme Newsagency'")
    assert snapshot(logbook) == before


def test_undo_of_merge_restores_both_customers(run):
    two_spellings(run)
    shown = [run("show", i, "--format", "json").stdout for i in ("1", "2")]
    customers = run("customers", "--format", "json").stdout
    run("customer", "merge", "Acme Newsagancy", "Acme Newsagency")
    ran = run("undo")
    assert ran.stdout == (
        "Undid: merge of customer 'Acme Newsagancy' into 'Acme Newsagency' by tester\n"
    )
    assert [run("show", i, "--format", "json").stdout for i in ("1", "2")] == shown
    assert run("customers", "--format", "json").stdout == customers


def test_merge_unknown_name_suggests_the_near_ones(run):
    two_spellings(run)
    ran = run("customer", "merge", "Acme Newsagenzy", "Bravo Bakery", exit=3)
    assert_clean_error(ran, 3, "no customer named 'Acme Newsagenzy'")
    assert "did you mean 'Acme Newsagency'" in ran.stderr
    ran = run("merge-customers", "Bravo Bakery", "Bravo Bakeri", exit=3)
    assert_clean_error(ran, 3, "did you mean 'Bravo Bakery'?")


def test_merge_into_itself_is_refused(run):
    two_spellings(run)
    ran = run("merge-customers", "Bravo Bakery", "bravo  bakery", exit=2)
    assert_clean_error(ran, 2, "'Bravo Bakery' and 'bravo  bakery' are the same customer")


def test_customer_name_still_shows_history_even_for_a_customer_called_merge(run):
    run("add", "merge", "A customer with an odd name")
    assert run("customer", "merge", "--format", "json").json["customer"] == "merge"
    ran = run("customer", "Acme", "Newsagency", exit=2)
    assert_clean_error(ran, 2, "customer takes one NAME (quote names with spaces)")


def test_merge_keeps_notes_of_both(run, logbook):
    two_spellings(run)
    run("customer", "merge", "Acme Newsagancy", "Acme Newsagency")
    rows = snapshot(logbook)["rows"]["customer"]
    assert [r[1] for r in rows] == ["Acme Newsagency", "Bravo Bakery"]


# -- add suggests the near match ------------------------------------------------------


def test_add_of_a_near_spelling_suggests_the_existing_customer(run):
    run("add", "Acme Newsagency", "Till crashes")
    ran = run("add", "Acme Newsagancy", "Receipts blank")
    assert ran.stdout == "Logged complaint 2 for Acme Newsagancy\n"
    assert ran.stderr == (
        "warning: 'Acme Newsagancy' is a new customer; did you mean 'Acme Newsagency'?\n"
        "  if so: complog customer merge 'Acme Newsagancy' 'Acme Newsagency'\n"
    )


def test_add_suggests_names_that_differ_only_in_punctuation(run):
    run("add", "Acme Newsagency", "Till crashes")
    ran = run("add", "A.C.M.E. News-agency", "Receipts blank")
    assert "did you mean 'Acme Newsagency'?" in ran.stderr


def test_add_of_a_different_or_known_customer_suggests_nothing(run):
    run("add", "Acme Newsagency", "Till crashes")
    assert "did you mean" not in run("add", "Bravo Bakery", "Oven").stderr
    assert "did you mean" not in run("add", "acme  newsagency", "Again").stderr


def test_add_suggestion_does_not_block_json(run):
    run("add", "Acme Newsagency", "Till crashes")
    ran = run("add", "Acme Newsagancy", "Receipts", "--format", "json")
    assert ran.json["customer"] == "Acme Newsagancy"
    assert "did you mean" in ran.stderr
