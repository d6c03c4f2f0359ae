"""Write commands print, with `--format json`, the object they created or changed,
with its id, so a script can use the id it just made (SPEC "Additions"; issue 21,
item 6). The shapes are those the read commands give: a promise as in
`show --format json`'s promises, a complaint as in `list`, an escalation as in
`escalations`, a note as in `show`'s notes."""

from __future__ import annotations

import pytest

from tests.cli.helpers import assert_iso, seed
from tests.cli.test_json_shapes import (
    PROMISE_KEYS,
    RESOLUTION_KEYS,
    assert_complaint_shape,
)

ESCALATION_KEYS = {
    "id", "complaint_id", "customer", "to", "reason", "rule", "at", "by", "acknowledged_at",
}  # fmt: skip
NOTE_KEYS = {"id", "complaint_id", "at", "author", "channel", "direction", "text"}


def _json(run, *args, where):
    """The command with -f json after it, or the global --format json before it."""
    if where == "global":
        return run("--format", "json", *args).json
    return run(*args, "-f", "json").json


@pytest.fixture(params=["command", "global"])
def where(request):
    return request.param


def test_note_json_is_the_new_note(run, where):
    seed(run)
    note = _json(run, "note", "1", "Rang back", "--out", where=where)
    assert NOTE_KEYS <= set(note)
    assert note["id"] == 1 and note["complaint_id"] == 1
    assert (note["text"], note["direction"], note["author"]) == ("Rang back", "out", "tester")
    assert_iso(note["at"])
    assert run("show", "1", "-f", "json").json["notes"][0]["id"] == note["id"]


def test_promise_json_is_the_new_promise_shaped_as_in_show(run, where):
    seed(run)
    made = _json(run, "promise", "1", "Engineer visit", "--due", "fri 10am", where=where)
    assert PROMISE_KEYS <= set(made)
    assert (made["id"], made["complaint_id"], made["status"]) == (3, 1, "open")
    shown = run("show", "1", "-f", "json").json["promises"]
    assert made == next(p for p in shown if p["id"] == 3)


def test_kept_cancel_and_reschedule_json_are_the_changed_promise(run, where):
    seed(run)
    run("promise", "1", "Engineer visit", "--due", "fri 10am")
    moved = _json(run, "reschedule", "3", "--due", "mon 10am", "--reason", "Part late",
                  where=where)  # fmt: skip
    assert moved["id"] == 3
    assert [r["reason"] for r in moved["reschedules"]] == ["Part late"]
    assert_iso(moved["due_at"])
    kept = _json(run, "kept", "1", where=where)
    assert (kept["id"], kept["status"], kept["broken"]) == (1, "kept", False)
    assert_iso(kept["kept_at"])
    cancelled = _json(run, "cancel", "3", "--reason", "No longer wanted", where=where)
    assert (cancelled["id"], cancelled["status"]) == (3, "cancelled")
    shown = {p["id"]: p for p in run("show", "1", "-f", "json").json["promises"]}
    assert shown[3] == cancelled and shown[1] == kept


def test_resolve_and_reopen_json_are_the_complaint_with_its_resolution(run, where):
    seed(run)
    done = _json(run, "resolve", "1", "--outcome", "Till replaced", "--confirmed",
                 "--cancel-open-promises", where=where)  # fmt: skip
    assert_complaint_shape(done)
    assert (done["id"], done["status"], done["cancelled_promises"]) == (1, "resolved", 1)
    assert RESOLUTION_KEYS <= set(done["resolution"])
    assert done["resolution"]["outcome"] == "Till replaced"
    again = _json(run, "reopen", "1", "--reason", "Crashed again", where=where)
    assert_complaint_shape(again)
    assert (again["id"], again["status"], again["resolution"]) == (1, "open", None)


def test_edit_wait_and_resume_json_are_the_changed_complaint(run, where):
    seed(run)
    edited = _json(run, "edit", "1", "--heat", "5", "--category", "till", where=where)
    assert_complaint_shape(edited)
    assert (edited["heat"], edited["category"]) == (5, "till")
    assert sorted(edited["changed"]) == ["category", "heat"]
    assert _json(run, "edit", "1", "--heat", "5", where=where)["changed"] == []
    waiting = _json(run, "wait", "1", "--reason", "Sending photos", where=where)
    assert_iso(waiting["waiting_since"])
    later = {"COMPLOG_NOW": "2026-11-23T11:00:00+00:00"}
    resumed = run("resume", "1", "-f", "json", env=later).json
    assert resumed["waiting_since"] is None and resumed["waited_minutes"] == 120


def test_escalate_and_ack_json_are_the_escalation(run, where):
    seed(run)
    made = _json(run, "escalate", "1", "--to", "manager", "--reason", "Threatens to leave",
                 where=where)  # fmt: skip
    assert ESCALATION_KEYS <= set(made)
    assert (made["id"], made["acknowledged_at"]) == (1, None)
    acked = _json(run, "ack", "1", where=where)
    assert ESCALATION_KEYS <= set(acked)
    assert acked["id"] == 1
    assert_iso(acked["acknowledged_at"])
    assert run("escalations", "-f", "json").json == [acked]


def test_undo_and_customer_merge_json(run, where):
    seed(run)
    run("add", "Acme Newsagancy", "Printer jams")
    merged = _json(run, "customer", "merge", "Acme Newsagancy", "Acme Newsagency", where=where)
    assert (merged["from"], merged["into"], merged["complaints"]) == (
        "Acme Newsagancy",
        "Acme Newsagency",
        [3],
    )
    undone = _json(run, "undo", where=where)
    assert (undone["action"], undone["dry_run"]) == ("merge", False)
    assert all(type(i) is int for i in undone["event_ids"])


def test_write_csv_is_one_row_with_a_header(run):
    seed(run)
    out = run("kept", "1", "-f", "csv").stdout.splitlines()
    assert out[0].startswith("id,complaint_id,text,owner,due_at,status,kept_at")
    assert out[1].startswith("1,1,Call back with fix,tester,")
    assert len(out) == 2


def test_without_a_format_a_write_still_says_a_sentence(run):
    seed(run)
    assert run("kept", "1").stdout == "Kept promise 1 on time\n"
    assert (
        run("--format", "plain", "note", "1", "x").stdout
        == "Noted on complaint 1 (note 1, internal)\n"
    )


def test_a_failed_write_prints_no_json(run):
    seed(run)
    ran = run("kept", "2", "-f", "json", exit=4)
    assert ran.stdout == ""
