"""Date forms from SPEC "Dates and times", as accepted by --due and seen in due_at.

Now is Monday 2026-11-23 09:00 UTC; tz is UTC unless a test sets it.
A date without a time means 17:00 (day_end) on that day.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def complaint(run):
    run("add", "Acme Newsagency", "Till crashes at close")


def due_at(run, when: str, env: dict[str, str] | None = None) -> str:
    run("promise", "1", f"due {when}", "--due", when, env=env)
    return run("show", "1", "--format", "json", env=env).json["promises"][-1]["due_at"]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-12-01", "2026-12-01T17:00:00+00:00"),
        ("2026-12-01 14:30", "2026-12-01T14:30:00+00:00"),
        ("2026-12-01T14:30:00+01:00", "2026-12-01T13:30:00+00:00"),
        ("2026-12-01T14:30-05:00", "2026-12-01T19:30:00+00:00"),
        ("2026-12-01T14:30Z", "2026-12-01T14:30:00+00:00"),
        ("now", "2026-11-23T09:00:00+00:00"),
        ("today", "2026-11-23T17:00:00+00:00"),
        ("tomorrow", "2026-11-24T17:00:00+00:00"),
        ("eod", "2026-11-23T17:00:00+00:00"),
        ("eow", "2026-11-27T17:00:00+00:00"),
        ("fri", "2026-11-27T17:00:00+00:00"),
        ("friday", "2026-11-27T17:00:00+00:00"),
        ("mon", "2026-11-23T17:00:00+00:00"),  # Monday morning: today's end of day is next
        ("tue", "2026-11-24T17:00:00+00:00"),
        ("wednesday", "2026-11-25T17:00:00+00:00"),
        ("in 3 days", "2026-11-26T09:00:00+00:00"),
        ("+3d", "2026-11-26T09:00:00+00:00"),
        ("+2h", "2026-11-23T11:00:00+00:00"),
        ("+30m", "2026-11-23T09:30:00+00:00"),
        ("3bd", "2026-11-26T17:00:00+00:00"),
        ("+3bd", "2026-11-26T17:00:00+00:00"),
        ("5bd", "2026-11-30T17:00:00+00:00"),  # skips the weekend
        ("tomorrow 10am", "2026-11-24T10:00:00+00:00"),
        ("tomorrow 2:15pm", "2026-11-24T14:15:00+00:00"),
        ("fri 14:30", "2026-11-27T14:30:00+00:00"),
        ("2026-12-01 9am", "2026-12-01T09:00:00+00:00"),
        ("TOMORROW 10AM", "2026-11-24T10:00:00+00:00"),
        ("  fri   14:30 ", "2026-11-27T14:30:00+00:00"),
    ],
)
def test_due_accepts_documented_forms(run, when, expected):
    assert due_at(run, when) == expected


@pytest.mark.parametrize(
    "when",
    ["31/02", "2026-02-31", "12/01/2026", "2026-13-01", "soon", "next blue moon", "25:00",
     "tomorrow 13pm", "fri 25:00", "", "   ", "in -3 days", "-3bd", "yesterday-ish"],
)  # fmt: skip
def test_due_rejects_anything_else_with_examples(run, logbook, when):
    ran = run("promise", "1", "Call back", "--due", when, exit=2)
    first, hint = ran.stderr.splitlines()
    assert first.startswith("complog: error: cannot read ")
    assert "as a date or time" in first
    assert hint.startswith("  accepted forms: 2026-12-01, ")
    assert run("show", "1", "--format", "json").json["promises"] == []


def test_weekday_already_over_today_means_next_week(run):
    monday_evening = {"COMPLOG_NOW": "2026-11-23T18:00:00+00:00"}
    assert due_at(run, "mon", monday_evening) == "2026-11-30T17:00:00+00:00"


def test_eod_after_the_working_day_is_the_next_working_day(run):
    friday_evening = {"COMPLOG_NOW": "2026-11-27T18:00:00+00:00"}
    assert due_at(run, "eod", friday_evening) == "2026-11-30T17:00:00+00:00"


def test_eow_after_friday_close_is_next_week(run):
    friday_evening = {"COMPLOG_NOW": "2026-11-27T18:00:00+00:00"}
    assert due_at(run, "eow", friday_evening) == "2026-12-04T17:00:00+00:00"


def test_business_days_from_friday_skip_the_weekend(run):
    friday = {"COMPLOG_NOW": "2026-11-27T09:00:00+00:00"}
    assert due_at(run, "3bd", friday) == "2026-12-02T17:00:00+00:00"


def test_business_days_skip_configured_holidays(run):
    run("config", "holidays", "2026-11-24,2026-11-25")
    assert due_at(run, "1bd") == "2026-11-26T17:00:00+00:00"


def test_date_alone_follows_the_day_end_setting(run):
    run("config", "day_end", "17:30")
    assert due_at(run, "2026-12-01") == "2026-12-01T17:30:00+00:00"
    assert due_at(run, "tomorrow") == "2026-11-24T17:30:00+00:00"


def test_date_alone_is_day_end_in_the_configured_zone(run):
    run("config", "tz", "America/New_York")
    assert due_at(run, "2026-12-01") == "2026-12-01T17:00:00-05:00"
    assert due_at(run, "tomorrow 10am") == "2026-11-24T10:00:00-05:00"


def test_iso_with_offset_is_an_instant_whatever_the_zone(run):
    run("config", "tz", "Asia/Kolkata")
    assert due_at(run, "2026-12-01T14:30:00+00:00") == "2026-12-01T20:00:00+05:30"


def test_local_time_that_does_not_exist_is_rejected(run):
    run("config", "tz", "Europe/London")
    ran = run("promise", "1", "Call back", "--due", "2027-03-28 01:30", exit=2)
    assert ran.stderr.startswith("complog: error: cannot read '2027-03-28 01:30' as a date or time")
    assert "does not exist" in ran.stderr


def test_add_due_uses_the_same_forms(run):
    run("add", "Bravo Bakery", "Oven", "--promise", "Visit", "--due", "fri 14:30")
    assert (
        run("show", "2", "--format", "json").json["promises"][0]["due_at"]
        == "2026-11-27T14:30:00+00:00"
    )


def test_reschedule_due_uses_the_same_forms(run):
    run("promise", "1", "Visit", "--due", "tomorrow")
    run("reschedule", "1", "--due", "3bd", "--reason", "Part delayed")
    assert (
        run("show", "1", "--format", "json").json["promises"][0]["due_at"]
        == "2026-11-26T17:00:00+00:00"
    )


def test_note_at_uses_the_same_forms(run):
    later = {"COMPLOG_NOW": "2026-11-23T12:00:00+00:00"}
    run("note", "1", "Rang earlier", "--at", "today 10:15am", env=later)
    notes = run("show", "1", "--format", "json", env=later).json["notes"]
    assert notes[0]["at"] == "2026-11-23T10:15:00+00:00"


def test_note_at_before_the_complaint_was_opened_is_refused(run):
    ran = run("note", "1", "Rang earlier", "--at", "today 8:15am", exit=2)
    assert ran.stderr.startswith("complog: error: --at is before the complaint was opened")


def test_add_at_backdates_the_complaint(run):
    run("add", "Bravo Bakery", "Oven", "--at", "2026-11-20 10:00")
    assert run("show", "2", "--format", "json").json["opened_at"] == "2026-11-20T10:00:00+00:00"


def test_list_since_and_until_take_the_same_forms(run):
    run("add", "Bravo Bakery", "Oven", "--at", "2026-11-20 10:00")
    run("add", "Corner Cafe", "Card reader", "--at", "2026-11-16 10:00")

    def summaries(*args):
        return [c["summary"] for c in run("list", *args, "--format", "json").json]

    assert summaries("--since", "2026-11-19 00:00") == ["Till crashes at close", "Oven"]
    assert summaries("--until", "2026-11-21T00:00:00+00:00") == ["Oven", "Card reader"]
    assert summaries("--since", "2026-11-18 00:00", "--until", "2026-11-21 00:00") == ["Oven"]


def test_tz_setting_changes_how_times_are_shown(run):
    run("promise", "1", "Call back", "--due", "2026-11-24T10:00:00+00:00")
    assert run("show", "1", "--format", "json").json["opened_at"] == "2026-11-23T09:00:00+00:00"
    run("config", "tz", "Asia/Kolkata")
    shown = run("show", "1", "--format", "json").json
    assert shown["opened_at"] == "2026-11-23T14:30:00+05:30"
    assert shown["promises"][0]["due_at"] == "2026-11-24T15:30:00+05:30"
    assert run("list", "--format", "json").json[0]["opened_at"] == "2026-11-23T14:30:00+05:30"
    assert run("due", "--format", "json").json[0]["due_at"] == "2026-11-24T15:30:00+05:30"
    plain = run("list").stdout
    assert "2026-11-23 14:30" in plain
    assert "due tomorrow 15:30" in run("due").stdout


def test_backdated_complaint_promise_can_be_kept_in_the_past(run):
    run(
        "add",
        "Bravo Bakery",
        "Oven",
        "--at",
        "2026-11-20 10:00",
        "--promise",
        "Call back",
        "--due",
        "2026-11-20 11:00",
    )
    ran = run("kept", "1", "--at", "2026-11-20 10:30")
    assert ran.stdout == "Kept promise 1 on time\n"
    timeline = run("show", "2", "--format", "json").json["timeline"]
    assert [e["kind"] for e in timeline] == ["opened", "promise", "kept"]
    assert timeline[1]["at"] == "2026-11-20T10:00:00+00:00"
