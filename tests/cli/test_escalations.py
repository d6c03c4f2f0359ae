"""escalate --auto at the rules' edges, idempotency, dry runs, manual escalations and ack.

Scenarios are built through the CLI; COMPLOG_NOW drives the clock per command.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from complog.settings import RULES

#: the spec's six, and unacknowledged: on in a new logbook since migration 0005
ALL_RULES = sorted(RULES)


def at(when: str) -> dict[str, str]:
    """The environment for a command run at `when` (UTC unless it has an offset)."""
    if "T" not in when:  # "2026-11-23 09:00"
        when = when.replace(" ", "T") + ":00+00:00"
    return {"COMPLOG_NOW": when}


def only(run, rule: str) -> None:
    """Switch every rule off except `rule`."""
    for other in RULES:
        if other != rule:
            run("config", f"rule.{other}", "off")


def would_fire(run, when: str) -> list[tuple[int, str, str]]:
    rows = run("escalate", "--auto", "--dry-run", "--format", "json", env=at(when)).json
    return [(r["complaint_id"], r["rule"], r["trigger"]) for r in rows]


def auto(run, when: str, *, exit: int = 0) -> list[dict]:
    return run("escalate", "--auto", "--format", "json", env=at(when), exit=exit).json


def escalation_rows(run) -> list[dict]:
    return run("escalations", "--format", "json").json


def assert_edge(run, before: str, after: str, expected: list[tuple[int, str, str]]) -> None:
    """Nothing at `before`; exactly `expected` at `after`; nothing more on a second run."""
    assert would_fire(run, before) == []
    assert auto(run, before) == []
    fired = auto(run, after)
    assert [(r["complaint_id"], r["rule"], r["trigger"]) for r in fired] == expected
    assert auto(run, after) == []
    assert [(r["complaint_id"], r["rule"], r["trigger"]) for r in escalation_rows(run)] == expected


# -- overdue-promise -----------------------------------------------------------


def test_promise_due_friday_afternoon_escalates_monday_after_two_working_hours(run):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-20 16:00",
        env=at("2026-11-20 09:00"))  # fmt: skip
    assert would_fire(run, "2026-11-21 12:00") == []  # Saturday: the grace is not running
    assert_edge(run, "2026-11-23 09:59", "2026-11-23 10:01",
                [(1, "overdue-promise", "promise 1 due 2026-11-20 16:00")])  # fmt: skip


def test_promise_due_on_a_date_is_due_at_day_end_and_escalates_two_working_hours_later(run):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-20",
        env=at("2026-11-19 09:00"))  # fmt: skip
    assert_edge(run, "2026-11-23 10:59", "2026-11-23 11:01",
                [(1, "overdue-promise", "promise 1 due 2026-11-20 17:00")])  # fmt: skip


def test_overdue_promise_grace_skips_a_configured_holiday(run):
    only(run, "overdue-promise")
    run("config", "holidays", "2026-12-25")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-12-24 16:00",
        env=at("2026-12-24 09:00"))  # fmt: skip
    assert would_fire(run, "2026-12-25 12:00") == []
    assert_edge(run, "2026-12-28 09:59", "2026-12-28 10:01",
                [(1, "overdue-promise", "promise 1 due 2026-12-24 16:00")])  # fmt: skip


def test_overdue_promise_grace_skips_country_holidays(run):
    # GB 2026: Christmas Fri 25th, Boxing Day Sat 26th observed Mon 28th.
    only(run, "overdue-promise")
    run("config", "holidays", "GB")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-12-24 16:00",
        env=at("2026-12-24 09:00"))  # fmt: skip
    assert would_fire(run, "2026-12-28 10:01") == []
    assert_edge(run, "2026-12-29 09:59", "2026-12-29 10:01",
                [(1, "overdue-promise", "promise 1 due 2026-12-24 16:00")])  # fmt: skip


def test_overdue_promise_across_the_london_clock_change(run):
    # Due Fri 23 Oct 16:00 BST (15:00 UTC). Clocks go back on Sunday 25 Oct, so the
    # second grace hour ends Mon 10:00 GMT = 10:00 UTC (not 09:00 UTC).
    only(run, "overdue-promise")
    run("config", "tz", "Europe/London")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-10-23 16:00",
        env=at("2026-10-23T09:00:00+01:00"))  # fmt: skip
    [due] = run("due", "--format", "json", env=at("2026-10-23T09:00:00+01:00")).json
    assert due["due_at"] == "2026-10-23T16:00:00+01:00"
    assert would_fire(run, "2026-10-26T09:30:00+00:00") == []
    assert_edge(run, "2026-10-26T09:59:00+00:00", "2026-10-26T10:01:00+00:00",
                [(1, "overdue-promise", "promise 1 due 2026-10-23 15:00")])  # fmt: skip


def test_overdue_promise_across_the_new_york_clock_change(run):
    # Due Fri 30 Oct 16:00 EDT (20:00 UTC); DST ends Sun 1 Nov; Mon 10:00 EST = 15:00 UTC.
    only(run, "overdue-promise")
    run("config", "tz", "America/New_York")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-10-30 16:00",
        env=at("2026-10-30T09:00:00-04:00"))  # fmt: skip
    assert would_fire(run, "2026-11-02T14:01:00+00:00") == []
    assert_edge(run, "2026-11-02T14:59:00+00:00", "2026-11-02T15:01:00+00:00",
                [(1, "overdue-promise", "promise 1 due 2026-10-30 20:00")])  # fmt: skip


def test_overdue_promise_uses_the_configured_grace(run):
    only(run, "overdue-promise")
    run("config", "overdue_grace", "30m")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-23 10:00")
    assert_edge(run, "2026-11-23 10:29", "2026-11-23 10:31",
                [(1, "overdue-promise", "promise 1 due 2026-11-23 10:00")])  # fmt: skip


def test_kept_and_cancelled_promises_never_escalate(run):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-23 10:00")
    run("promise", "1", "Send part", "--due", "2026-11-23 10:00")
    run("kept", "1", "--at", "2026-11-23 12:00", env=at("2026-11-23 12:00"))
    run("cancel", "2", "--reason", "Customer bought one", env=at("2026-11-23 12:00"))
    assert would_fire(run, "2026-11-25 12:00") == []


# -- quiet-hot -----------------------------------------------------------------


def test_hot_complaint_quiet_over_the_weekend_escalates_monday_afternoon(run):
    only(run, "quiet-hot")
    run("add", "Acme", "Till crashes", "--heat", "4", env=at("2026-11-20 15:00"))
    assert_edge(run, "2026-11-23 14:59", "2026-11-23 15:01",
                [(1, "quiet-hot", "quiet since 2026-11-20 15:00")])  # fmt: skip


def test_quiet_hot_skips_a_holiday(run):
    only(run, "quiet-hot")
    run("config", "holidays", "2026-11-24")
    run("add", "Acme", "Till crashes", "--heat", "5", env=at("2026-11-23 15:00"))
    assert_edge(run, "2026-11-25 14:59", "2026-11-25 15:01",
                [(1, "quiet-hot", "quiet since 2026-11-23 15:00")])  # fmt: skip


def test_quiet_hot_across_the_london_clock_change(run):
    # Last contact Fri 23 Oct 11:00 BST (10:00 UTC); one working day later is
    # Mon 26 Oct 11:00 GMT = 11:00 UTC.
    only(run, "quiet-hot")
    run("config", "tz", "Europe/London")
    run("add", "Acme", "Till crashes", "--heat", "4", env=at("2026-10-23T11:00:00+01:00"))
    assert_edge(run, "2026-10-26T10:59:00+00:00", "2026-10-26T11:01:00+00:00",
                [(1, "quiet-hot", "quiet since 2026-10-23 10:00")])  # fmt: skip


def test_contact_with_the_customer_restarts_the_quiet_clock_and_a_new_silence_fires_again(run):
    only(run, "quiet-hot")
    run("add", "Acme", "Till crashes", "--heat", "4", env=at("2026-11-23 09:00"))
    run("note", "1", "Customer rang again", "--in", env=at("2026-11-23 16:00"))
    run("note", "1", "Checked the logs", "--internal", env=at("2026-11-24 12:00"))
    # The inbound call counts, the internal note does not: quiet until Tue 16:00.
    assert would_fire(run, "2026-11-24 15:59") == []
    assert auto(run, "2026-11-24 16:01")[0]["trigger"] == "quiet since 2026-11-23 16:00"
    run("note", "1", "Called back", "--out", env=at("2026-11-25 10:00"))
    assert would_fire(run, "2026-11-26 09:59") == []
    assert [r["trigger"] for r in auto(run, "2026-11-26 10:01")] == ["quiet since 2026-11-25 10:00"]
    assert len(escalation_rows(run)) == 2


def test_quiet_hot_ignores_complaints_below_hot_heat(run):
    only(run, "quiet-hot")
    run("add", "Acme", "Till crashes", "--heat", "3", env=at("2026-11-16 09:00"))
    assert would_fire(run, "2026-11-23 09:00") == []
    run("config", "hot_heat", "3")
    assert would_fire(run, "2026-11-23 09:00") == [(1, "quiet-hot", "quiet since 2026-11-16 09:00")]


# -- slow-resolution -------------------------------------------------------------


def test_complaint_open_five_working_days_escalates(run):
    only(run, "slow-resolution")
    run("add", "Acme", "Till crashes", env=at("2026-11-18 11:00"))
    assert_edge(run, "2026-11-25 10:59", "2026-11-25 11:01",
                [(1, "slow-resolution", "opened 2026-11-18 11:00")])  # fmt: skip


def test_slow_resolution_across_the_new_york_clock_change(run):
    # Opened Wed 28 Oct 10:00 EDT (14:00 UTC); five working days: Wed 4 Nov 10:00 EST (15:00 UTC).
    only(run, "slow-resolution")
    run("config", "tz", "America/New_York")
    run("add", "Acme", "Till crashes", env=at("2026-10-28T10:00:00-04:00"))
    assert_edge(run, "2026-11-04T14:59:00+00:00", "2026-11-04T15:01:00+00:00",
                [(1, "slow-resolution", "opened 2026-10-28 14:00")])  # fmt: skip


def test_resolved_complaints_never_escalate(run):
    only(run, "slow-resolution")
    run("add", "Acme", "Till crashes", env=at("2026-11-02 11:00"))
    run("resolve", "1", "--outcome", "Replaced the till", env=at("2026-11-03 11:00"))
    assert would_fire(run, "2026-11-23 09:00") == []


# -- written-unanswered ------------------------------------------------------------


def test_written_complaint_without_a_written_reply_escalates_after_two_working_days(run):
    only(run, "written-unanswered")
    run("add", "Acme", "Letter about the till", "--written", "--channel", "letter",
        env=at("2026-11-19 14:00"))  # fmt: skip
    run("note", "1", "Phoned them", "--out", "--channel", "phone", env=at("2026-11-20 10:00"))
    run("note", "1", "Second letter arrived", "--in", "--channel", "letter",
        env=at("2026-11-20 11:00"))  # fmt: skip
    assert_edge(run, "2026-11-23 13:59", "2026-11-23 14:01",
                [(1, "written-unanswered", "no written reply")])  # fmt: skip


def test_written_unanswered_skips_a_holiday(run):
    only(run, "written-unanswered")
    run("config", "holidays", "2026-11-20")
    run("add", "Acme", "Letter about the till", "--written", env=at("2026-11-19 14:00"))
    assert_edge(run, "2026-11-24 13:59", "2026-11-24 14:01",
                [(1, "written-unanswered", "no written reply")])  # fmt: skip


@pytest.mark.parametrize("channel", ["email", "letter"])
def test_an_outbound_written_reply_prevents_written_unanswered(run, channel):
    only(run, "written-unanswered")
    run("add", "Acme", "Letter about the till", "--written", env=at("2026-11-19 14:00"))
    run("note", "1", "Replied", "--out", "--channel", channel, env=at("2026-11-20 10:00"))
    assert would_fire(run, "2026-11-30 09:00") == []


# -- rescheduled-twice -----------------------------------------------------------------


def test_promise_rescheduled_twice_escalates_on_the_second_move(run):
    only(run, "rescheduled-twice")
    run("add", "Acme", "Till crashes", "--promise", "Engineer visit", "--due", "2026-11-24 10:00")
    run("reschedule", "1", "--due", "2026-11-25 10:00", "--reason", "Engineer ill")
    assert would_fire(run, "2026-11-23 09:30") == []
    run("reschedule", "1", "--due", "2026-11-26 10:00", "--reason", "Part delayed",
        env=at("2026-11-23 09:30"))  # fmt: skip
    assert [r["trigger"] for r in auto(run, "2026-11-23 09:31")] == ["promise 1 rescheduled"]
    run("reschedule", "1", "--due", "2026-11-27 10:00", "--reason", "Again",
        env=at("2026-11-23 09:40"))  # fmt: skip
    assert auto(run, "2026-11-23 09:41") == []  # the same promise does not fire again


def test_max_reschedules_setting_raises_the_bar(run):
    only(run, "rescheduled-twice")
    run("config", "max_reschedules", "3")
    run("add", "Acme", "Till crashes", "--promise", "Engineer visit", "--due", "2026-11-24 10:00")
    for day in ("25", "26"):
        run("reschedule", "1", "--due", f"2026-11-{day} 10:00", "--reason", "Moved")
    assert would_fire(run, "2026-11-23 09:00") == []
    run("reschedule", "1", "--due", "2026-11-27 10:00", "--reason", "Moved")
    assert would_fire(run, "2026-11-23 09:00") == [
        (1, "rescheduled-twice", "promise 1 rescheduled")
    ]


# -- repeat-customer -----------------------------------------------------------------


@pytest.mark.parametrize(("third", "fires"), [("2026-11-23 09:59", True),
                                              ("2026-11-23 10:01", False)])  # fmt: skip
def test_third_complaint_within_thirty_days_escalates_the_repeat_customer(run, third, fires):
    # The first complaint was opened 30 days before 2026-11-23 10:00.
    only(run, "repeat-customer")
    run("add", "Acme", "Till crashes", env=at("2026-10-24 10:00"))
    run("add", "acme ", "Printer jams", env=at("2026-11-05 10:00"))  # same customer
    run("add", "ACME", "Card reader", env=at(third))
    expected = [(3, "repeat-customer", "repeat customer")] if fires else []
    assert would_fire(run, "2026-11-23 12:00") == expected


def test_repeat_customer_counts_resolved_complaints_too(run):
    only(run, "repeat-customer")
    run("add", "Acme", "Till crashes", env=at("2026-11-02 10:00"))
    run("resolve", "1", "--outcome", "Fixed", env=at("2026-11-03 10:00"))
    run("add", "Acme", "Printer jams", env=at("2026-11-05 10:00"))
    run("add", "Bolt", "Wrong order", env=at("2026-11-06 10:00"))
    assert would_fire(run, "2026-11-23 09:00") == []
    run("add", "Acme", "Card reader", env=at("2026-11-20 10:00"))
    assert would_fire(run, "2026-11-23 09:00") == [(4, "repeat-customer", "repeat customer")]


# -- switches and bad settings -----------------------------------------------------------


def _all_six(run) -> None:
    """Complaint 1 trips five rules, complaint 3 the sixth (repeat-customer), at 2026-11-23 09:00."""
    run("add", "Acme", "Letter about the till", "--written", "--heat", "5",
        "--promise", "Call back", "--due", "2026-11-03 10:00", env=at("2026-11-02 10:00"))  # fmt: skip
    for day in ("04", "05"):
        run("reschedule", "1", "--due", f"2026-11-{day} 10:00", "--reason", "Moved",
            env=at("2026-11-02 12:00"))  # fmt: skip
    run("add", "Acme", "Printer jams", env=at("2026-11-23 08:00"))
    run("add", "Acme", "Card reader", env=at("2026-11-23 08:30"))


def test_all_six_rules_fire_on_a_bad_enough_logbook(run):
    _all_six(run)
    fired = would_fire(run, "2026-11-23 09:00")
    assert sorted(rule for _, rule, _ in fired) == ALL_RULES
    assert [(c, r) for c, r, _ in fired if r == "repeat-customer"] == [(3, "repeat-customer")]


@pytest.mark.parametrize("rule", ALL_RULES)
def test_a_rule_switched_off_with_config_does_not_fire(run, rule):
    _all_six(run)
    assert run("config", f"rule.{rule}", "off").stdout == f"rule.{rule} = off\n"
    fired = auto(run, "2026-11-23 09:00")
    assert sorted(r["rule"] for r in fired) == sorted(set(ALL_RULES) - {rule})


def test_escalations_go_to_escalate_to(run):
    _all_six(run)
    run("config", "escalate_to", "Dana")
    fired = auto(run, "2026-11-23 09:00")
    assert {r["to"] for r in fired} == {"Dana"}
    assert {r["to"] for r in escalation_rows(run)} == {"Dana"}


@pytest.mark.parametrize(
    ("key", "value", "accepted"),
    [
        ("overdue_grace", "soon", "expected a duration such as 2bh (business hours), 5bd"),
        ("quiet_for", "1.5bd", "expected a duration such as 2bh"),
        ("hot_heat", "9", "expected a heat from 1 to 5"),
        ("rule.quiet-hot", "maybe", "expected on or off"),
        ("workdays", "xyz", "expected weekdays such as mon-fri or mon,tue,wed,thu,fri"),
        ("tz", "Mars/Base", "expected an IANA time zone such as Europe/London"),
        ("holidays", "2026-13-45", "expected dates and/or country codes, such as 2026-12-25"),
        ("max_reschedules", "0", "expected a whole number of 1 or more"),
        ("day_start", "25:00", "expected a 24-hour time such as 09:00"),
    ],
)
def test_invalid_setting_values_exit_2_with_the_accepted_form(run, key, value, accepted):
    before = run("config", key).stdout
    failed = run("config", key, value, exit=2)
    assert failed.stdout == ""
    assert failed.stderr.startswith(f"complog: error: invalid value {value!r} for {key}\n")
    assert accepted in failed.stderr
    assert "Traceback" not in failed.stderr
    assert run("config", key).stdout == before


def test_unknown_holiday_country_exits_2_with_the_accepted_form(run):
    failed = run("config", "holidays", "XX", exit=2)
    assert failed.stderr.startswith("complog: error: invalid value 'XX' for holidays\n")
    assert "such as GB" in failed.stderr


def test_a_working_day_that_ends_before_it_starts_is_refused(run):
    failed = run("config", "day_end", "08:00", exit=2)
    assert "day_end must be later than day_start" in failed.stderr
    assert run("config", "day_end").stdout == "17:00\n"


def test_unknown_setting_exits_2_and_lists_the_known_ones(run):
    failed = run("config", "rule.bogus", "off", exit=2)
    assert "unknown setting 'rule.bogus'" in failed.stderr
    assert "rule.overdue-promise" in failed.stderr


# -- idempotency -------------------------------------------------------------------


def test_running_escalate_auto_twice_escalates_once(run):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-20 10:00",
        env=at("2026-11-20 09:00"))  # fmt: skip
    first = run("escalate", "--auto", "--exit-code", exit=1)
    assert first.stdout == (
        "Escalated 1:\n"
        "  to manager:\n"
        "    E1  #1 Acme  [overdue-promise] promise 1 (tester) is 2d overdue: Call back\n"
    )
    second = run("escalate", "--auto", "--exit-code", exit=0)
    assert second.stdout == "Nothing to escalate.\n"
    later = run("escalate", "--auto", "--exit-code", env=at("2026-11-30 09:00"), exit=0)
    assert later.stdout == "Nothing to escalate.\n"
    assert [e["id"] for e in escalation_rows(run)] == [1]


def test_changing_escalate_to_does_not_escalate_the_same_trigger_again(run):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-20 10:00",
        env=at("2026-11-20 09:00"))  # fmt: skip
    run("escalate", "--auto")
    run("config", "escalate_to", "director")
    assert run("escalate", "--auto", "--exit-code").stdout == "Nothing to escalate.\n"
    run("config", "rule.overdue-promise", "off")
    run("config", "rule.overdue-promise", "on")
    assert run("escalate", "--auto", "--exit-code").stdout == "Nothing to escalate.\n"
    assert [e["to"] for e in escalation_rows(run)] == ["manager"]


def test_escalate_auto_without_exit_code_exits_0_when_it_escalated(run):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-20 10:00",
        env=at("2026-11-20 09:00"))  # fmt: skip
    assert len(run("escalate", "--auto", "--format", "json", exit=0).json) == 1


def test_a_new_overdue_promise_on_the_same_complaint_is_a_new_trigger(run):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-20 10:00",
        env=at("2026-11-20 09:00"))  # fmt: skip
    run("escalate", "--auto", "--exit-code", exit=1)
    run("promise", "1", "Send engineer", "--due", "2026-11-23 10:00")
    run("escalate", "--auto", "--exit-code", env=at("2026-11-23 11:59"), exit=0)
    again = auto(run, "2026-11-23 12:01", exit=0)
    assert [(r["complaint_id"], r["trigger"]) for r in again] == [
        (1, "promise 2 due 2026-11-23 10:00")
    ]
    assert [e["reason"] for e in escalation_rows(run)] == [
        "promise 1 (tester) is 2d overdue: Call back",
        "promise 2 (tester) is 2h overdue: Send engineer",
    ]


def test_a_rescheduled_promise_that_goes_overdue_again_fires_again(run):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-20 10:00",
        env=at("2026-11-20 09:00"))  # fmt: skip
    run("escalate", "--auto")
    run("reschedule", "1", "--due", "2026-11-24 10:00", "--reason", "Customer away")
    assert would_fire(run, "2026-11-24 11:59") == []
    assert [r["trigger"] for r in auto(run, "2026-11-24 12:01")] == [
        "promise 1 due 2026-11-24 10:00"
    ]
    assert len(escalation_rows(run)) == 2


def _files(logbook: Path) -> dict[str, str | None]:
    """sha256 of the logbook and its -wal (None when absent)."""
    result = {}
    for suffix in ("", "-wal"):
        path = logbook.with_name(logbook.name + suffix)
        result[suffix or "db"] = (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
        )
    return result


@pytest.mark.sqlite_only(reason="bytes of the SQLite file and its WAL")
def test_dry_run_lists_what_would_escalate_and_leaves_the_logbook_byte_identical(
    run, proc, logbook
):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-20 10:00",
        env=at("2026-11-20 09:00"))  # fmt: skip
    # A read-only connection held open stops the last writer checkpointing on exit,
    # so the logbook has committed pages in its -wal, as it often does in real use.
    holder = sqlite3.connect(f"{logbook.resolve().as_uri()}?mode=ro", uri=True)
    try:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        proc("add", "Bolt", "Wrong order", "--promise", "Refund", "--due", "2026-11-20 11:00",
             env=at("2026-11-20 09:00"))  # fmt: skip
    finally:
        holder.close()
    assert logbook.with_name(logbook.name + "-wal").stat().st_size > 0
    before = _files(logbook)
    dry = proc("escalate", "--auto", "--dry-run", "--exit-code", exit=1)
    assert dry.stdout == (
        "Would escalate 2:\n"
        "  to manager:\n"
        "    -  #1 Acme  [overdue-promise] promise 1 (tester) is 2d overdue: Call back\n"
        "    -  #2 Bolt  [overdue-promise] promise 2 (tester) is 2d overdue: Refund\n"
    )
    listed = proc("escalate", "--auto", "--dry-run", "--format", "json").json
    assert [(r["id"], r["complaint_id"], r["rule"]) for r in listed] == [
        (None, 1, "overdue-promise"),
        (None, 2, "overdue-promise"),
    ]
    assert _files(logbook) == before
    assert escalation_rows(run) == []
    assert run("history", "--format", "json").json[-1]["action"] != "escalate"
    # The real run escalates exactly what the dry run listed; then a dry run lists nothing.
    real = auto(run, "2026-11-23 09:00")
    assert [(r["complaint_id"], r["trigger"]) for r in real] == [
        (r["complaint_id"], r["trigger"]) for r in listed
    ]
    assert proc("escalate", "--auto", "--dry-run", "--exit-code", exit=0).stdout == (
        "Nothing would be escalated.\n"
    )


def test_dry_run_with_nothing_to_do_exits_0(run):
    run("add", "Acme", "Till crashes")
    assert (
        run("escalate", "--auto", "--dry-run", "--exit-code").stdout
        == "Nothing would be escalated.\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("escalate", "--auto", "1"),
        ("escalate", "--auto", "--to", "manager"),
        ("escalate", "1", "--to", "manager", "--reason", "x", "--dry-run"),
        ("escalate", "1", "--to", "manager", "--reason", "x", "--exit-code"),
        ("escalate", "1", "--to", "manager"),
        ("escalate",),
    ],
)
def test_mixing_manual_and_auto_options_is_a_usage_error(run, args):
    run("add", "Acme", "Till crashes")
    assert run(*args, exit=2).stdout == ""
    assert escalation_rows(run) == []


# -- manual escalations, listing, ack ---------------------------------------------------

ESCALATION_KEYS = {"id", "complaint_id", "customer", "to", "reason", "rule", "at", "by",
                   "acknowledged_at"}  # fmt: skip


def test_manual_escalation_prints_and_records_it(run):
    run("add", "Acme", "Till crashes")
    out = run("escalate", "1", "--to", "Dana", "--reason", "Threatening to leave")
    assert out.stdout == "Escalated complaint 1 to Dana (escalation 1)\n"
    [row] = escalation_rows(run)
    assert ESCALATION_KEYS <= row.keys()
    assert {k: row[k] for k in ESCALATION_KEYS} == {
        "id": 1,
        "complaint_id": 1,
        "customer": "Acme",
        "to": "Dana",
        "reason": "Threatening to leave",
        "rule": "manual",
        "at": "2026-11-23T09:00:00+00:00",
        "by": "tester",
        "acknowledged_at": None,
    }


def test_manual_escalation_json_is_the_escalation_object(run):
    run("add", "Acme", "Till crashes")
    row = run("escalate", "1", "--to", "Dana", "--reason", "Angry", "--format", "json").json
    assert ESCALATION_KEYS <= row.keys()
    assert (row["id"], row["rule"], row["to"], row["by"]) == (1, "manual", "Dana", "tester")


def test_manual_escalations_are_not_deduplicated(run):
    run("add", "Acme", "Till crashes")
    run("escalate", "1", "--to", "Dana", "--reason", "Angry")
    run("escalate", "1", "--to", "Dana", "--reason", "Angry")
    assert [e["id"] for e in escalation_rows(run)] == [1, 2]


def test_manual_escalation_of_an_unknown_complaint_exits_3(run):
    failed = run("escalate", "9", "--to", "Dana", "--reason", "Angry", exit=3)
    assert failed.stderr.startswith("complog: error: no complaint 9")


def test_manual_escalation_of_a_resolved_complaint_exits_4(run):
    run("add", "Acme", "Till crashes")
    run("resolve", "1", "--outcome", "Fixed")
    run("escalate", "1", "--to", "Dana", "--reason", "Angry", exit=4)
    assert escalation_rows(run) == []


def test_manual_escalation_needs_a_non_empty_to_and_reason(run):
    run("add", "Acme", "Till crashes")
    run("escalate", "1", "--to", " ", "--reason", "Angry", exit=2)
    run("escalate", "1", "--to", "Dana", "--reason", "", exit=2)
    assert escalation_rows(run) == []


def test_escalations_open_and_to_filter_and_ack_closes_one(run):
    run("add", "Acme", "Till crashes")
    run("add", "Bolt", "Wrong order")
    run("escalate", "1", "--to", "Dana", "--reason", "Angry", env=at("2026-11-23 09:00"))
    run("escalate", "2", "--to", "Sam", "--reason", "Legal threat", env=at("2026-11-23 09:05"))
    run("escalate", "2", "--to", "dana", "--reason", "Second opinion", env=at("2026-11-23 09:10"))
    assert [e["id"] for e in escalation_rows(run)] == [1, 2, 3]
    to_dana = run("escalations", "--to", "DANA", "--format", "json").json
    assert [e["id"] for e in to_dana] == [1, 3]
    assert run("ack", "1", env=at("2026-11-23 10:00")).stdout == "Acknowledged escalation 1\n"
    assert [e["id"] for e in run("escalations", "--open", "--format", "json").json] == [2, 3]
    assert [
        e["id"] for e in run("escalations", "--open", "--to", "dana", "--format", "json").json
    ] == [3]
    [acked] = [e for e in escalation_rows(run) if e["id"] == 1]
    assert acked["acknowledged_at"] == "2026-11-23T10:00:00+00:00"


def test_ack_twice_exits_4_and_keeps_the_first_acknowledgement(run):
    run("add", "Acme", "Till crashes")
    run("escalate", "1", "--to", "Dana", "--reason", "Angry")
    run("ack", "1", env=at("2026-11-23 10:00"))
    failed = run("ack", "1", env=at("2026-11-23 11:00"), exit=4)
    assert failed.stderr.startswith(
        "complog: error: escalation 1 was already acknowledged by tester"
    )
    assert escalation_rows(run)[0]["acknowledged_at"] == "2026-11-23T10:00:00+00:00"


def test_ack_of_an_unknown_escalation_exits_3(run):
    failed = run("ack", "42", exit=3)
    assert failed.stderr.startswith("complog: error: no escalation 42")


def test_escalations_csv_has_the_documented_header(run):
    run("add", "Acme", "Till crashes")
    run("escalate", "1", "--to", "Dana", "--reason", "Angry")
    header = run("escalations", "--format", "csv").stdout.splitlines()[0]
    assert header.split(",") == ["id", "complaint_id", "customer", "to", "reason", "rule", "at",
                                 "by", "acknowledged_at"]  # fmt: skip


def test_due_lists_unacknowledged_escalations_after_the_promises(run):
    only(run, "overdue-promise")
    run("add", "Acme", "Till crashes", "--promise", "Call back", "--due", "2026-11-20 10:00",
        env=at("2026-11-20 09:00"))  # fmt: skip
    run("add", "Bolt", "Wrong order", "--promise", "Refund", "--due", "2026-11-23 15:00")
    run("escalate", "--auto")
    run("escalate", "2", "--to", "Dana", "--reason", "Legal threat")
    lines = run("due", "--format", "plain").stdout.splitlines()
    sections = [line for line in lines if not line.startswith(" ")]
    assert sections == ["Overdue (1)", "Today (1)", "Escalations awaiting acknowledgement (2)"]
    tail = lines[lines.index("Escalations awaiting acknowledgement (2)") + 1 :]
    assert [line.split()[0] for line in tail] == ["E1", "E2"]
    assert "[overdue-promise]" in tail[0] and "Legal threat" in tail[1]
    run("ack", "1")
    lines = run("due", "--format", "plain").stdout.splitlines()
    assert lines[-2] == "Escalations awaiting acknowledgement (1)"
    assert lines[-1].split()[0] == "E2"
    run("ack", "2")
    assert "Escalations awaiting acknowledgement" not in run("due", "--format", "plain").stdout


def test_show_lists_the_complaints_escalations(run):
    run("add", "Acme", "Till crashes")
    run("escalate", "1", "--to", "Dana", "--reason", "Angry")
    shown = run("show", "1", "--format", "json").json
    assert [(e["id"], e["to"], e["rule"]) for e in shown["escalations"]] == [(1, "Dana", "manual")]
