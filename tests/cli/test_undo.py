"""`complog undo`: the acting user's last change is reverted from the audit log, and
`show --format json` is byte for byte what it was before that change."""

from __future__ import annotations

import pytest

from tests.cli.helpers import assert_clean_error, snapshot


def shown(run, complaint_id="1"):
    return run("show", complaint_id, "--format", "json").stdout


def started(run):
    """Complaint 1 with an open promise 1 and an outbound note; complaint 2 resolved."""
    run("add", "Acme Newsagency", "Till crashes", "--heat", "4", "--phone", "0123 456", "--at", "today 8am",
        "--promise", "Call back", "--due", "tomorrow 10am")  # fmt: skip
    run("note", "1", "Rang them", "--out")
    run("add", "Bravo Bakery", "Oven cold", "--category", "equipment")
    run("resolve", "2", "--outcome", "Element replaced", "--confirmed", "--cause", "ours")


# Each write command, then undo: complaint 1 (or 2) shows exactly as before.
WRITES = {
    "note-in": ["note", "1", "They rang again", "--in"],
    "note-backdated": ["note", "1", "Logged late", "--out", "--at", "today 8:30am"],
    "promise": ["promise", "1", "Engineer visit", "--due", "fri 10am", "--owner", "sam"],
    "kept": ["kept", "1"],
    "kept-with-note": ["kept", "1", "--note", "Called back, fixed"],
    "kept-late-at": ["kept", "1", "--at", "today 8:45am"],
    "cancel": ["cancel", "1", "--reason", "Customer fixed it"],
    "reschedule": ["reschedule", "1", "--due", "wed 10am", "--reason", "Customer away"],
    "escalate": ["escalate", "1", "--to", "manager", "--reason", "Threatening to leave"],
    "resolve": ["resolve", "1", "--outcome", "Till replaced", "--cancel-open-promises",
                "--satisfaction", "4", "--compensation", "£20 voucher"],
    "wait": ["wait", "1", "--reason", "Waiting for photos of the till"],
    "add-existing-customer-new-phone": ["add", "Acme newsagency", "Second till", "--phone", "0999"],
    "promise-backdated": ["promise", "1", "Visit", "--due", "fri 10am", "--at", "today 8:15am"],
    "escalate-backdated": ["escalate", "1", "--to", "manager", "--reason", "Angry", "--at", "today 8:20am"],
}  # fmt: skip


@pytest.mark.parametrize("args", WRITES.values(), ids=WRITES.keys())
def test_undo_restores_show_json_byte_for_byte(run, args):
    started(run)
    before = shown(run)
    run(*args)
    assert shown(run) != before
    run("undo")
    assert shown(run) == before


def test_undo_of_resume(run):
    started(run)
    run("wait", "1", "--reason", "Photos")
    before = shown(run)
    run("resume", "1")
    assert run("undo").stdout == "Undid: resume of the wait on complaint 1 by tester\n"
    assert shown(run) == before


def test_undo_of_resolve_while_waiting_reopens_the_wait_too(run, logbook):
    started(run)
    run("wait", "1", "--reason", "Photos")
    before, rows = shown(run), snapshot(logbook)["rows"]
    run("resolve", "1", "--outcome", "Fixed anyway", "--cancel-open-promises")
    run("undo")
    assert shown(run) == before
    assert snapshot(logbook)["rows"]["wait"] == rows["wait"]


def test_undo_of_reopen_restores_the_resolution_and_its_timeline(run, logbook):
    started(run)
    before = shown(run, "2")
    run("reopen", "2", "--reason", "Oven cold again")
    run("undo")
    assert shown(run, "2") == before
    assert snapshot(logbook)["rows"]["past_resolution"] == []


def test_undo_of_a_second_resolution_keeps_the_first_in_the_timeline(run):
    started(run)
    run("reopen", "2", "--reason", "Oven cold again")
    before = shown(run, "2")
    run("resolve", "2", "--outcome", "New oven")
    ran = run("undo")
    assert ran.stdout == "Undid: resolution of complaint 2 by tester\n"
    assert shown(run, "2") == before


def test_undo_of_add_removes_the_complaint_its_promise_and_the_new_customer(run, logbook):
    run("add", "Acme Newsagency", "Till crashes")
    tables = snapshot(logbook)["rows"]
    run("add", "Bravo Bakery", "Oven cold", "--phone", "0777", "--promise", "Visit", "--due", "fri")
    ran = run("undo")
    assert ran.stdout == (
        "Undid: complaint 2 for Bravo Bakery (with promise 1 and the new customer) by tester\n"
    )
    run("show", "2", exit=3)
    run("customer", "Bravo Bakery", exit=3)
    after = snapshot(logbook)["rows"]
    for table in ("customer", "complaint", "promise", "note"):
        assert after[table] == tables[table], table


def test_undo_of_add_for_an_existing_customer_keeps_the_customer(run):
    run("add", "Acme Newsagency", "Till crashes")
    customer = run("customer", "Acme Newsagency", "--format", "json").stdout
    before = shown(run)
    run("add", "ACME Newsagency", "Receipts blank")
    run("undo")
    assert run("customer", "Acme Newsagency", "--format", "json").stdout == customer
    assert shown(run) == before
    run("show", "2", exit=3)


def test_undo_of_an_automatic_escalation_run_removes_all_of_it(run):
    run("add", "Acme Newsagency", "Till", "--at", "2026-11-16 09:00",
        "--promise", "Call back", "--due", "2026-11-16 12:00")  # fmt: skip
    run("add", "Bravo Bakery", "Oven", "--at", "2026-11-16 09:00", "--heat", "5")
    before = [shown(run, "1"), shown(run, "2")]
    ran = run("--user", "cron", "escalate", "--auto", "--format", "json")
    assert len(ran.json) >= 2
    undone = run("--user", "cron", "undo", "--format", "json").json
    assert undone["action"] == "escalate" and len(undone["event_ids"]) == len(ran.json)
    assert [shown(run, "1"), shown(run, "2")] == before
    assert run("escalations", "--format", "json").json == []


def test_undo_of_ack(run):
    started(run)
    run("escalate", "1", "--to", "manager", "--reason", "Angry")
    before = shown(run)
    run("--user", "boss", "ack", "1")
    run("--user", "boss", "undo")
    assert shown(run) == before


@pytest.mark.parametrize(
    "change",
    [["day_end", "17:30"], ["day_end", "--reset"]],
    ids=["set", "reset"],
)
def test_undo_of_config_puts_the_setting_row_back(run, logbook, change):
    run("config", "day_end", "18:00")
    before = snapshot(logbook)["rows"]["setting"]
    shown_before = run("config", "--format", "json").stdout
    run("config", *change)
    ran = run("undo")
    assert ran.stdout.startswith("Undid: config day_end")
    assert snapshot(logbook)["rows"]["setting"] == before
    assert run("config", "--format", "json").stdout == shown_before


def test_undo_of_the_first_config_removes_the_row(run, logbook):
    run("config", "hot_heat", "5")
    run("undo")
    # what is left is at most the currency the logbook was created with (migration 0005)
    assert [row for row in snapshot(logbook)["rows"]["setting"] if row[0] != "currency"] == []


# -- which change, and saying so ---------------------------------------------------------


def test_undo_says_what_it_undid_and_records_an_event(run):
    started(run)
    run("--user", "alice", "note", "1", "Wrong complaint", "--internal")
    ran = run("--user", "alice", "undo")
    assert ran.stdout == "Undid: note 2 on complaint 1 by alice\n"
    last = run("history", "1", "--format", "json").json[-1]
    assert (last["user"], last["action"], last["entity"], last["complaint_id"]) == (
        "alice", "undo", "event", 1,
    )  # fmt: skip
    assert last["after"]["description"] == "note 2 on complaint 1 by alice"


def test_undo_takes_the_acting_users_change_not_the_latest(run):
    started(run)
    run("--user", "alice", "note", "1", "Alice's note")
    run("--user", "bob", "note", "2", "Bob's note on another complaint")
    before = shown(run, "2")
    ran = run("--user", "alice", "undo")
    assert ran.stdout == "Undid: note 2 on complaint 1 by alice\n"
    assert shown(run, "2") == before


def test_undo_again_walks_back_through_your_changes(run):
    run("add", "Acme Newsagency", "Till")
    first = shown(run)
    run("note", "1", "One")
    run("note", "1", "Two")
    assert run("undo").stdout == "Undid: note 2 on complaint 1 by tester\n"
    assert run("undo").stdout == "Undid: note 1 on complaint 1 by tester\n"
    assert shown(run) == first
    run("undo")
    assert_clean_error(run("undo", exit=3), 3, "tester has no change to undo")


def test_dry_run_names_the_change_and_changes_nothing(run, logbook):
    started(run)
    before = snapshot(logbook)
    ran = run("undo", "--dry-run")
    assert ran.stdout == "Would undo: resolution of complaint 2 by tester\n"
    assert snapshot(logbook) == before


def test_undo_json(run):
    started(run)
    data = run("undo", "--format", "json").json
    assert data == {
        "dry_run": False, "description": "resolution of complaint 2 by tester",
        "user": "tester", "action": "resolve", "event_ids": [7], "complaint_id": 2,
    }  # fmt: skip


# -- refusals ------------------------------------------------------------------------------


def test_undo_refuses_when_someone_else_changed_the_complaint_since(run, logbook):
    started(run)
    run("--user", "alice", "note", "1", "Alice's note")
    run("--user", "bob", "kept", "1")
    before = snapshot(logbook)
    ran = run("--user", "alice", "undo", exit=4)
    assert_clean_error(
        ran, 4, "cannot undo note 2 on complaint 1 by alice: bob changed complaint 1 after it"
    )
    assert "ask bob to undo theirs first" in ran.stderr
    assert snapshot(logbook) == before


def test_undo_refuses_when_someone_else_added_to_a_new_customer(run):
    run("--user", "alice", "add", "Acme Newsagency", "Till")
    run("--user", "bob", "add", "Acme Newsagency", "Receipts")
    ran = run("--user", "alice", "undo", exit=4)
    assert_clean_error(ran, 4, "bob changed customer 1 after it (add, event 3)")


def test_a_later_change_that_was_undone_does_not_block(run):
    started(run)
    run("--user", "alice", "note", "1", "Alice's note")
    run("--user", "bob", "note", "1", "Bob's note")
    run("--user", "bob", "undo")
    run("--user", "alice", "undo")
    assert [n["text"] for n in run("show", "1", "--format", "json").json["notes"]] == ["Rang them"]


def test_a_later_config_of_another_setting_does_not_block(run):
    run("--user", "alice", "config", "day_end", "18:00")
    run("--user", "bob", "config", "hot_heat", "5")
    run("--user", "alice", "undo")
    assert run("config", "day_end").stdout == "17:00\n"
    assert run("config", "hot_heat").stdout == "5\n"


def test_erase_cannot_be_undone(run):
    started(run)
    run("erase", "Bravo Bakery", "--yes")
    assert_clean_error(run("undo", exit=4), 4, "erasing a customer cannot be undone")


def test_import_cannot_be_undone(run, tmp_path):
    started(run)
    out = tmp_path / "export.jsonl"
    run("export", "--format", "jsonl", "--out", str(out))
    run("--db", str(tmp_path / "other.db"), "import", str(out))
    ran = run("--db", str(tmp_path / "other.db"), "undo", exit=4)
    assert_clean_error(ran, 4, "an import cannot be undone with undo")


def test_undo_never_undoes_an_undo(run):
    run("add", "Acme Newsagency", "Till")
    run("note", "1", "One")
    run("undo")
    run("undo")
    run("show", "1", exit=3)


def test_real_process_undo(proc):
    proc("add", "Acme Newsagency", "Till")
    ran = proc("undo")
    assert (
        ran.stdout == "Undid: complaint 1 for Acme Newsagency (with the new customer) by tester\n"
    )
    assert ran.stderr == ""
