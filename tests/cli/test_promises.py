"""Promises: promise, kept, cancel, reschedule; lateness and broken promises.

The clock is Monday 2026-11-23 09:00 UTC; later moments are given per command
through COMPLOG_NOW.
"""

from __future__ import annotations

import pytest


def at(clock: str) -> dict[str, str]:
    """The environment for a command run at `clock` on Monday 2026-11-23 (UTC)."""
    return {"COMPLOG_NOW": f"2026-11-23T{clock}:00+00:00"}


@pytest.fixture
def complaint(run):
    run("add", "Acme Newsagency", "Till crashes at close")
    return "1"


def promises(run, complaint_id="1", clock="09:00"):
    return run("show", complaint_id, "--format", "json", env=at(clock)).json["promises"]


# -- promise ---------------------------------------------------------------------


def test_promise_prints_id_due_and_owner(run, complaint):
    ran = run("promise", complaint, "Call back with fix", "--due", "tomorrow 10am")
    assert ran.stdout == "Promise 1 on complaint 1 due tomorrow 10:00 (tester)\n"
    assert ran.stderr == ""
    (p,) = promises(run)
    assert p == p | {"id": 1, "text": "Call back with fix", "owner": "tester", "status": "open",
                     "due_at": "2026-11-24T10:00:00+00:00", "kept_at": None, "broken": False}  # fmt: skip


def test_promise_owner_option(run, complaint):
    ran = run("promise", complaint, "Engineer visit", "--due", "fri 10am", "--owner", "sam")
    assert ran.stdout.endswith("(sam)\n")
    assert promises(run)[0]["owner"] == "sam"


def test_promise_owner_defaults_to_the_acting_user(run, complaint):
    run("--user", "priya", "promise", complaint, "Call back", "--due", "tomorrow")
    assert promises(run)[0]["owner"] == "priya"


def test_promise_already_past_is_recorded_with_a_warning(run, complaint):
    ran = run("promise", complaint, "Call back", "--due", "today 8am")
    assert ran.stdout == "Promise 1 on complaint 1 due today 08:00 (tester)\n"
    assert ran.stderr == "warning: promise 1 is already overdue\n"
    assert promises(run)[0]["broken"] is True


def test_promise_needs_due(run, complaint):
    ran = run("promise", complaint, "Call back", exit=2)
    assert ran.stderr.startswith("complog: error: Missing option '--due'")


def test_add_with_promise_creates_it(run):
    ran = run(
        "add",
        "Acme Newsagency",
        "Till",
        "--promise",
        "Call back",
        "--due",
        "tomorrow 10am",
        "--owner",
        "sam",
    )
    assert ran.stdout == "Logged complaint 1 for Acme Newsagency (promise 1 due tomorrow 10:00)\n"
    (p,) = promises(run)
    assert p["text"] == "Call back"
    assert p["owner"] == "sam"
    assert p["due_at"] == "2026-11-24T10:00:00+00:00"


# -- kept ------------------------------------------------------------------------


def test_kept_before_due_reports_on_time(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    ran = run("kept", "1", env=at("09:45"))
    assert ran.stdout == "Kept promise 1 on time\n"
    (p,) = promises(run, clock="09:45")
    assert p["status"] == "kept"
    assert p["kept_at"] == "2026-11-23T09:45:00+00:00"
    assert p["broken"] is False


def test_kept_exactly_at_due_is_on_time(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    assert run("kept", "1", env=at("10:00")).stdout == "Kept promise 1 on time\n"


def test_kept_after_due_reports_late_by(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    ran = run("kept", "1", env=at("12:00"))
    assert ran.stdout == "Kept promise 1, late by 2h\n"
    (p,) = promises(run, clock="12:00")
    assert p["broken"] is True
    assert p["kept_at"] == "2026-11-23T12:00:00+00:00"


@pytest.mark.parametrize(
    ("kept_at", "late_by"),
    [("10:45", "45m"), ("12:30", "2h 30m"), ("23:59", "13h 59m")],
)
def test_kept_late_by_is_said_in_hours_and_minutes(run, complaint, kept_at, late_by):
    run("promise", complaint, "Call back", "--due", "today 10am")
    assert run("kept", "1", env=at(kept_at)).stdout == f"Kept promise 1, late by {late_by}\n"


def test_kept_days_late_says_days(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    ran = run("kept", "1", env={"COMPLOG_NOW": "2026-11-25T13:00:00+00:00"})
    assert ran.stdout == "Kept promise 1, late by 2d 3h\n"


def test_kept_at_records_when_it_was_kept(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    ran = run("kept", "1", "--at", "today 10:30", env=at("15:00"))
    assert ran.stdout == "Kept promise 1, late by 30m\n"
    assert promises(run, clock="15:00")[0]["kept_at"] == "2026-11-23T10:30:00+00:00"


def test_kept_at_in_the_future_is_refused(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    ran = run("kept", "1", "--at", "+1h", exit=2)
    assert ran.stderr.startswith("complog: error: --at is in the future")


def test_kept_note_is_recorded_as_an_outbound_note(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    run("kept", "1", "--note", "Rang, fix confirmed")
    notes = run("show", complaint, "--format", "json").json["notes"]
    assert [(n["direction"], n["text"], n["channel"]) for n in notes] == [
        ("out", "Rang, fix confirmed", "phone")
    ]


def test_kept_promise_leaves_the_due_list(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    run("kept", "1")
    assert run("due", "--format", "json").json == []


def test_keeping_a_kept_promise_is_a_conflict(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    run("kept", "1")
    ran = run("kept", "1", exit=4)
    assert (
        ran.stderr == "complog: error: promise 1 is already kept\n  only open promises can change\n"
    )


# -- cancel ----------------------------------------------------------------------


def test_cancel_needs_a_reason(run, complaint):
    run("promise", complaint, "Engineer visit", "--due", "fri")
    ran = run("cancel", "1", exit=2)
    assert ran.stderr.startswith("complog: error: Missing option '--reason'.")
    assert promises(run)[0]["status"] == "open"


def test_cancel_with_reason(run, complaint):
    run("promise", complaint, "Engineer visit", "--due", "fri")
    assert run("cancel", "1", "--reason", "Customer fixed it").stdout == "Cancelled promise 1\n"
    (p,) = promises(run)
    assert p["status"] == "cancelled"
    assert p["broken"] is False
    assert run("due", "--format", "json").json == []
    timeline = run("show", complaint, "--format", "json").json["timeline"]
    assert {"kind": "cancelled", "text": "Customer fixed it"}.items() <= timeline[-1].items()


def test_cancel_after_due_counts_as_broken(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    run("cancel", "1", "--reason", "Too late now", env=at("11:00"))
    assert promises(run, clock="11:00")[0]["broken"] is True


def test_cancelling_a_cancelled_promise_is_a_conflict(run, complaint):
    run("promise", complaint, "Call back", "--due", "fri")
    run("cancel", "1", "--reason", "moot")
    ran = run("cancel", "1", "--reason", "moot", exit=4)
    assert ran.stderr.startswith("complog: error: promise 1 is already cancelled")


def test_keeping_a_cancelled_promise_is_a_conflict(run, complaint):
    run("promise", complaint, "Call back", "--due", "fri")
    run("cancel", "1", "--reason", "moot")
    ran = run("kept", "1", exit=4)
    assert ran.stderr.startswith("complog: error: promise 1 is already cancelled")


# -- reschedule ------------------------------------------------------------------


def test_reschedule_before_due_is_not_a_break(run, complaint):
    run("promise", complaint, "Engineer visit", "--due", "tomorrow 10am")
    ran = run("reschedule", "1", "--due", "wed 10am", "--reason", "Customer asked for Wednesday")
    assert ran.stdout == "Rescheduled promise 1 to Wed 10:00; rescheduled 1 time\n"
    (p,) = promises(run)
    assert p["due_at"] == "2026-11-25T10:00:00+00:00"
    assert p["broken"] is False
    assert p["reschedules"] == [
        p["reschedules"][0] | {
            "at": "2026-11-23T09:00:00+00:00", "old_due_at": "2026-11-24T10:00:00+00:00",
            "new_due_at": "2026-11-25T10:00:00+00:00", "reason": "Customer asked for Wednesday",
            "late": False,
        }
    ]  # fmt: skip


def test_reschedule_after_due_marks_the_promise_broken(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    ran = run("reschedule", "1", "--due", "tomorrow 10am", "--reason", "Forgot", env=at("11:30"))
    assert ran.stdout == (
        "Rescheduled promise 1 to tomorrow 10:00 (it was already late: recorded as broken); rescheduled 1 time\n"
    )
    (p,) = promises(run, clock="11:30")
    assert p["status"] == "open"
    assert p["broken"] is True
    assert p["reschedules"][0]["late"] is True
    assert p["reschedules"][0]["old_due_at"] == "2026-11-23T10:00:00+00:00"


def test_broken_stays_broken_when_kept_on_time_after_a_late_reschedule(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    run("reschedule", "1", "--due", "today 4pm", "--reason", "Forgot", env=at("11:00"))
    assert run("kept", "1", env=at("15:00")).stdout == "Kept promise 1 on time\n"
    assert promises(run, clock="15:00")[0]["broken"] is True


def test_reschedule_counts_moves(run, complaint):
    run("promise", complaint, "Install", "--due", "tomorrow 10am")
    run("reschedule", "1", "--due", "wed 10am", "--reason", "Part delayed")
    ran = run("reschedule", "1", "--due", "thu 10am", "--reason", "Part delayed again")
    assert ran.stdout.endswith("; rescheduled 2 times\n")
    (p,) = promises(run)
    assert [r["new_due_at"] for r in p["reschedules"]] == [
        "2026-11-25T10:00:00+00:00",
        "2026-11-26T10:00:00+00:00",
    ]


def test_reschedule_needs_a_reason(run, complaint):
    run("promise", complaint, "Install", "--due", "tomorrow 10am")
    ran = run("reschedule", "1", "--due", "wed", exit=2)
    assert ran.stderr.startswith("complog: error: Missing option '--reason'.")
    assert promises(run)[0]["reschedules"] == []


def test_overdue_open_promise_is_broken(run, complaint):
    run("promise", complaint, "Call back", "--due", "today 10am")
    assert promises(run, clock="09:59")[0]["broken"] is False
    assert promises(run, clock="10:01")[0]["broken"] is True
