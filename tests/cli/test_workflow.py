"""Case workflow: waiting on the customer (clocks stop), reopen history, the
`unacknowledged` rule and lifetime compensation — through the real CLI.

Business hours are the defaults, 09:00-17:00 Monday to Friday, UTC.
Monday 2026-11-16 is the start of the week before the frozen NOW.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest

from complog.settings import RULES
from tests.cli.test_escalations import at, would_fire


def only(run, rule: str) -> None:
    for other in RULES:
        run("config", f"rule.{other}", "on" if other == rule else "off")


def opened_monday(run, *extra: str) -> None:
    run("add", "Acme Newsagency", "Till crashes at close", *extra, env=at("2026-11-16 09:00"))


# -- wait / resume -------------------------------------------------------------------


def test_wait_and_resume_are_recorded_with_reason_times_and_who(run):
    opened_monday(run)
    ran = run("wait", "1", "--reason", "Sending photos", env=at("2026-11-17 10:00"))
    assert ran.stdout == "Complaint 1 is waiting on the customer\n"
    waiting = run("list", "--format", "json").json[0]
    assert waiting["waiting_since"] == "2026-11-17T10:00:00+00:00"

    ran = run("resume", "1", env=at("2026-11-18 12:30"))

    assert ran.stdout == "Resumed complaint 1 after waiting 1d 2h\n"
    shown = run("show", "1", "--format", "json").json
    assert shown["waiting_since"] is None
    assert shown["waits"] == [{
        "started_at": "2026-11-17T10:00:00+00:00", "started_by": "tester", "reason": "Sending photos",
        "ended_at": "2026-11-18T12:30:00+00:00", "ended_by": "tester",
    }]  # fmt: skip
    kinds = [(t["kind"], t["text"]) for t in shown["timeline"]][1:]
    assert kinds == [("waiting", "Sending photos"), ("resumed", "")]
    plain = run("show", "1").stdout
    assert "waiting on the customer: Sending photos" in plain


def test_show_says_a_complaint_is_waiting(run):
    opened_monday(run)
    run("wait", "1", "--reason", "Sending photos", env=at("2026-11-17 10:00"))
    assert "  Waiting: on the customer since 2026-11-17 10:00\n" in run("show", "1").stdout


@pytest.mark.parametrize(
    ("setup", "args", "code", "message"),
    [
        ([], ["resume", "1"], 4, "complaint 1 is not waiting on the customer"),
        ([["wait", "1", "--reason", "Photos"]], ["wait", "1", "--reason", "Again"], 4,
         "complaint 1 is already waiting on the customer (Photos)"),
        ([["resolve", "1", "--outcome", "Fixed"]], ["wait", "1", "--reason", "Photos"], 4,
         "complaint 1 is resolved"),
        ([], ["wait", "9", "--reason", "Photos"], 3, "no complaint 9"),
        ([], ["wait", "1", "--reason", "  "], 2, "reason must not be empty"),
        ([], ["wait", "1", "--reason", "Photos", "--at", "2026-11-15 09:00"], 2,
         "--at is before the complaint was opened"),
        ([], ["wait", "1", "--reason", "Photos", "--at", "tomorrow 9am"], 2, "--at is in the future"),
        ([["wait", "1", "--reason", "Photos", "--at", "2026-11-20 09:00"]],
         ["resume", "1", "--at", "2026-11-19 09:00"], 2, "--at is before the wait began"),
    ],
)  # fmt: skip
def test_wait_and_resume_refuse_what_makes_no_sense_and_change_nothing(
    run, logbook, setup, args, code, message
):
    opened_monday(run)
    for step in setup:
        run(*step)
    before = run("show", "1", "--format", "json").stdout

    ran = run(*args, exit=code)

    assert ran.stderr.startswith(f"complog: error: {message}\n")
    assert run("show", "1", "--format", "json").stdout == before


def test_resolving_a_waiting_complaint_ends_the_wait(run):
    opened_monday(run)
    run("wait", "1", "--reason", "Photos", env=at("2026-11-17 10:00"))
    run("resolve", "1", "--outcome", "Fixed anyway", env=at("2026-11-18 10:00"))
    shown = run("show", "1", "--format", "json").json
    assert [w["ended_at"] for w in shown["waits"]] == ["2026-11-18T10:00:00+00:00"]
    assert shown["waiting_since"] is None


# -- the clocks stop while waiting -------------------------------------------------------


def test_waiting_pauses_the_resolution_clock_exactly_across_a_weekend(run):
    """5 business days = 40 business hours from Monday 16th 09:00. Waiting Friday
    09:00 to Monday 13:00 takes 8 + 4 = 12 business hours off the clock, so the
    rule that would fire after Friday 17:00 now fires after Tuesday 24th 13:00."""
    opened_monday(run)
    only(run, "slow-resolution")
    assert would_fire(run, "2026-11-23 09:01") == [
        (1, "slow-resolution", "opened 2026-11-16 09:00")
    ]
    run("wait", "1", "--reason", "Sending the error log", env=at("2026-11-20 09:00"))
    run("resume", "1", env=at("2026-11-23 13:00"))

    assert would_fire(run, "2026-11-23 17:00") == []
    assert would_fire(run, "2026-11-24 13:00") == []
    assert would_fire(run, "2026-11-24 13:01") == [
        (1, "slow-resolution", "opened 2026-11-16 09:00")
    ]


def test_a_complaint_still_waiting_does_not_go_slow_or_quiet(run):
    opened_monday(run, "--heat", "5")
    run("wait", "1", "--reason", "Away until January", env=at("2026-11-16 10:00"))
    for rule in ("slow-resolution", "quiet-hot"):
        only(run, rule)
        assert would_fire(run, "2026-12-18 09:00") == []


def test_waiting_pauses_the_quiet_clock(run):
    """quiet_for 1bd = 8 business hours; 16 of the first 24 were spent waiting."""
    opened_monday(run, "--heat", "4")
    only(run, "quiet-hot")
    run("wait", "1", "--reason", "Sending photos", env=at("2026-11-16 10:00"))
    run("resume", "1", env=at("2026-11-18 10:00"))

    assert would_fire(run, "2026-11-19 09:00") == []
    assert would_fire(run, "2026-11-19 09:01") == [(1, "quiet-hot", "quiet since 2026-11-16 09:00")]


# -- acknowledgement ---------------------------------------------------------------------


def test_unacknowledged_is_on_in_a_new_logbook(run):
    """Issue 19, item 7 (a logbook from before 0005 keeps it off: tests/store/test_upgrade.py)."""
    opened_monday(run)
    assert run("config", "rule.unacknowledged").stdout.strip() == "on"
    assert run("config", "acknowledge_within").stdout.strip() == "4bh"
    assert [f[1] for f in would_fire(run, "2026-11-23 09:01")] == [
        "slow-resolution", "unacknowledged",
    ]  # fmt: skip
    run("config", "rule.unacknowledged", "off")
    assert [f[1] for f in would_fire(run, "2026-11-23 09:01")] == ["slow-resolution"]


def test_unacknowledged_fires_after_4_business_hours_without_a_reply(run):
    opened_monday(run)
    only(run, "unacknowledged")
    assert would_fire(run, "2026-11-16 13:00") == []
    assert would_fire(run, "2026-11-16 13:01") == [(1, "unacknowledged", "not acknowledged")]
    fired = run("escalate", "--auto", "--format", "json", env=at("2026-11-16 13:01")).json
    assert fired[0]["reason"] == (
        "no reply to the customer 4h after the complaint, longer than 4bh"
    )


@pytest.mark.parametrize(
    "reply",
    [
        ["note", "1", "Rang back, apologised", "--out"],
        ["kept", "1"],
    ],
    ids=["outbound-note", "kept-promise"],
)
def test_an_outbound_note_or_a_kept_promise_acknowledges(run, reply):
    opened_monday(run, "--promise", "Call back", "--due", "2026-11-16 12:00")
    only(run, "unacknowledged")
    run(*reply, env=at("2026-11-16 11:00"))
    assert would_fire(run, "2026-11-23 09:00") == []


def test_an_inbound_or_internal_note_does_not_acknowledge(run):
    opened_monday(run)
    only(run, "unacknowledged")
    run("note", "1", "They rang again", "--in", env=at("2026-11-16 10:00"))
    run("note", "1", "Asked the engineer", env=at("2026-11-16 10:30"))
    assert would_fire(run, "2026-11-16 13:01") == [(1, "unacknowledged", "not acknowledged")]


# -- reopen history and lifetime compensation ----------------------------------------------


def test_reopen_at_a_time_keeps_the_old_resolution_in_past_resolutions(run):
    opened_monday(run)
    run("resolve", "1", "--outcome", "Patched", "--compensation", "£50 voucher", "--cause", "ours",
        env=at("2026-11-17 09:00"))  # fmt: skip
    run("reopen", "1", "--reason", "Crashed again", "--at", "2026-11-19 15:00")

    shown = run("show", "1", "--format", "json").json

    assert shown["resolution"] is None
    assert shown["past_resolutions"] == [{
        "outcome": "Patched", "confirmed": None, "satisfaction": None, "compensation": "£50 voucher",
        "cause": "ours", "prevention": None, "resolved_at": "2026-11-17T09:00:00+00:00",
        "reopened_at": "2026-11-19T15:00:00+00:00", "reopened_by": "tester",
        "reopen_reason": "Crashed again",
    }]  # fmt: skip
    timeline = [(t["kind"], t["at"]) for t in shown["timeline"]]
    assert timeline[-2:] == [("resolved", "2026-11-17T09:00:00+00:00"),
                             ("reopened", "2026-11-19T15:00:00+00:00")]  # fmt: skip


def test_reopen_before_the_resolution_is_refused(run):
    opened_monday(run)
    run("resolve", "1", "--outcome", "Patched", env=at("2026-11-17 09:00"))
    ran = run("reopen", "1", "--reason", "Again", "--at", "2026-11-16 12:00", exit=2)
    assert ran.stderr.startswith("complog: error: --at is before the complaint was resolved\n")
    assert run("show", "1", "--format", "json").json["resolution"]["outcome"] == "Patched"


def test_customer_shows_lifetime_compensation_free_visits_and_losses(run):
    opened_monday(run, "--loss", "120.50")
    run("resolve", "1", "--outcome", "Patched", "--compensation", "£50 voucher")
    run("reopen", "1", "--reason", "Crashed again")
    run("resolve", "1", "--outcome", "Replaced", "--compensation", "Free visit next month")
    run("add", "Acme Newsagency", "Paper late", "--loss", "9.50")

    h = run("customer", "Acme Newsagency", "--format", "json").json

    assert h["compensation"] == [
        {
            "complaint_id": 1,
            "compensation": "£50 voucher",
            "value": 50.0,
            "currency": "GBP",
            "reopened": True,
        },
        {
            "complaint_id": 1,
            "compensation": "Free visit next month",
            "value": None,
            "currency": None,
            "reopened": False,
        },
    ]
    assert (h["compensation_value"], h["free_visits"], h["loss_total"]) == (50.0, 1, 130.0)
    plain = run("customer", "Acme Newsagency").stdout
    # the voucher was written in pounds; the losses in the logbook's currency (none named)
    assert "compensation given 2 (£50.00), free visits 1; losses claimed 130.00" in plain


# -- carried by export and import, cleared by erase ------------------------------------------


def test_waits_and_past_resolutions_survive_export_and_import(run, tmp_path):
    opened_monday(run)
    run("wait", "1", "--reason", "Photos", env=at("2026-11-17 10:00"))
    run("resume", "1", env=at("2026-11-18 10:00"))
    run("resolve", "1", "--outcome", "Patched", env=at("2026-11-18 11:00"))
    run("reopen", "1", "--reason", "Again", env=at("2026-11-19 11:00"))
    run("wait", "1", "--reason", "Engineer's report", env=at("2026-11-20 11:00"))
    exported = run("export", "--format", "jsonl").stdout
    source = tmp_path / "all.jsonl"
    source.write_text(exported, encoding="utf-8")
    copy = {"COMPLOG_DB": str(tmp_path / "copy" / "complog.db")}

    run("import", str(source), env=copy)

    assert run("export", "--format", "jsonl", env=copy).stdout == exported
    assert json.loads(exported)["waiting_since"] == "2026-11-20T11:00:00+00:00"


def test_import_refuses_two_open_waits(run, tmp_path):
    opened_monday(run)
    run("wait", "1", "--reason", "Photos", env=at("2026-11-17 10:00"))
    record = json.loads(run("export", "--format", "jsonl").stdout)
    record["waits"].append(dict(record["waits"][0], reason="Other"))
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    copy = {"COMPLOG_DB": str(tmp_path / "copy" / "complog.db")}
    ran = run("import", str(source), env=copy, exit=2)
    assert "one thing at a time" in ran.stderr


@pytest.mark.sqlite_only(reason="reads the bytes of the SQLite file")
def test_erase_clears_wait_reasons_and_reopen_reasons(run, logbook):
    opened_monday(run)
    run("resolve", "1", "--outcome", "Snarkleberry", "--compensation", "Wobbulator voucher")
    run("reopen", "1", "--reason", "Plumbusian")
    run("wait", "1", "--reason", "Grimblewick")

    run("erase", "Acme Newsagency", "--yes")

    shown = run("show", "1", "--format", "json").json
    assert [w["reason"] for w in shown["waits"]] == ["[erased]"]
    assert [
        (r["outcome"], r["compensation"], r["reopen_reason"]) for r in shown["past_resolutions"]
    ] == [("[erased]", "[erased]", "[erased]")]
    raw = b"".join(p.read_bytes() for p in logbook.parent.glob(logbook.name + "*"))
    for word in ("Snarkleberry", "Wobbulator", "Plumbusian", "Grimblewick"):
        assert word.encode() not in raw
    with closing(sqlite3.connect(logbook)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# -- two clocks: when it happened (--at) and when it was recorded -------------------------


def test_backdated_entries_move_the_kpis_by_when_they_happened(run):
    """Logged on Tuesday: a call on Monday 09:00, answered Monday 11:00."""
    tuesday = at("2026-11-17 16:00")
    run("add", "Acme Newsagency", "Till crashes", "--at", "2026-11-16 09:00", env=tuesday)
    run("note", "1", "Rang back", "--out", "--at", "2026-11-16 11:00", env=tuesday)
    run("resolve", "1", "--outcome", "Fixed", "--at", "2026-11-16 15:00", env=tuesday)

    report = run("report", "--since", "2026-11-16 00:00", "--format", "json", env=tuesday).json

    assert report["first_response_median_hours"] == 2.0
    assert report["resolution_median_hours"] == 6.0
    shown = run("show", "1", "--format", "json", env=tuesday).json
    assert (shown["opened_at"], shown["recorded_at"]) == (
        "2026-11-16T09:00:00+00:00", "2026-11-17T16:00:00+00:00")  # fmt: skip
    assert (shown["notes"][0]["at"], shown["notes"][0]["recorded_at"]) == (
        "2026-11-16T11:00:00+00:00", "2026-11-17T16:00:00+00:00")  # fmt: skip


def test_a_reschedule_agreed_before_the_due_time_is_not_a_break_when_logged_after(run):
    opened_monday(run, "--promise", "Call back", "--due", "2026-11-17 10:00")
    run("reschedule", "1", "--due", "2026-11-19 10:00", "--reason", "Customer away",
        "--at", "2026-11-17 09:00", env=at("2026-11-17 12:00"))  # fmt: skip
    promise = run("show", "1", "--format", "json", env=at("2026-11-17 12:00")).json["promises"][0]
    assert promise["reschedules"][0]["at"] == "2026-11-17T09:00:00+00:00"
    assert (promise["reschedules"][0]["late"], promise["broken"]) == (False, False)


def test_promise_cancel_escalate_and_ack_take_when_it_happened(run):
    opened_monday(run)
    later = at("2026-11-18 12:00")
    run("promise", "1", "Visit", "--due", "2026-11-20 10:00", "--at", "2026-11-16 10:00", env=later)
    run("cancel", "1", "--reason", "Not needed", "--at", "2026-11-17 10:00", env=later)
    run(
        "escalate",
        "1",
        "--to",
        "manager",
        "--reason",
        "Angry",
        "--at",
        "2026-11-17 11:00",
        env=later,
    )
    run("ack", "1", "--at", "2026-11-17 12:00", env=later)
    shown = run("show", "1", "--format", "json", env=later).json
    timeline = [(t["kind"], t["at"][:16]) for t in shown["timeline"]]
    assert timeline == [("opened", "2026-11-16T09:00"), ("promise", "2026-11-16T10:00"),
                        ("cancelled", "2026-11-17T10:00"), ("escalation", "2026-11-17T11:00"),
                        ("acknowledged", "2026-11-17T12:00")]  # fmt: skip
    history = run("history", "--format", "json", env=later).json
    assert {
        e["at"] for e in history if e["action"] in ("promise", "cancel", "escalate", "ack")
    } == {
        "2026-11-18T12:00:00+00:00"  # recorded now: the second clock
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["promise", "1", "Visit", "--due", "fri", "--at", "2026-11-15 09:00"], "--at is before the complaint was opened"),
        (["escalate", "1", "--to", "m", "--reason", "r", "--at", "2026-11-15 09:00"], "--at is before the complaint was opened"),
        (["escalate", "1", "--to", "m", "--reason", "r", "--at", "tomorrow"], "--at is in the future"),
        (["reschedule", "1", "--due", "fri", "--reason", "r", "--at", "2026-11-15 09:00"], "--at is before the promise was made"),
        (["cancel", "1", "--reason", "r", "--at", "2026-11-15 09:00"], "--at is before the promise was made"),
    ],
)  # fmt: skip
def test_backdating_before_the_thing_existed_is_refused(run, args, message):
    opened_monday(run, "--promise", "Call back", "--due", "2026-11-24 10:00")
    before = run("show", "1", "--format", "json").stdout
    ran = run(*args, exit=2)
    assert ran.stderr.startswith(f"complog: error: {message}\n")
    assert run("show", "1", "--format", "json").stdout == before


# -- the report: waiting, acknowledgement and money -----------------------------------------


def test_report_leaves_waiting_out_of_resolution_time_and_shows_acknowledgement_and_money(run):
    """#1: Mon 09:00 -> Wed 09:00 is 16 business hours, 8 of them waiting: 8h.
    #2: opened Mon 10:00, first reply Mon 16:00 (6h: late for 4bh), resolved Tue 10:00."""
    opened_monday(run, "--loss", "200")
    run("wait", "1", "--reason", "Photos", env=at("2026-11-16 12:00"))
    run("resume", "1", env=at("2026-11-17 12:00"))
    run("note", "1", "Called back", "--out", env=at("2026-11-17 13:00"))
    run("resolve", "1", "--outcome", "Fixed", "--compensation", "£50 voucher", "--cause", "ours",
        env=at("2026-11-18 09:00"))  # fmt: skip
    run("add", "Hillside Dental", "Wrong invoice", env=at("2026-11-16 10:00"))
    run("note", "2", "Emailed", "--out", env=at("2026-11-16 16:00"))
    run("resolve", "2", "--outcome", "Credited", "--compensation", "Free visit", "--cause", "ours",
        env=at("2026-11-17 10:00"))  # fmt: skip

    r = run("report", "--since", "2026-11-16 00:00", "--format", "json").json

    assert sorted(r["resolution_hours"]) == [8.0, 8.0]
    assert r["acknowledge_within"] == "4bh"
    assert r["acknowledged_within_rate"] == 0.0  # #1 after 12h (a wait does not acknowledge)
    assert r["compensation_value"] == 50.0
    assert r["compensation_by_cause"] == [
        {"cause": "ours", "given": 2, "value": 50.0, "value_by_currency": {"GBP": 50.0}}
    ]
    plain = run("report", "--since", "2026-11-16 00:00").stdout
    assert "  Acknowledged within 4bh: 0%\n" in plain
    assert "  Compensation given: 2 (value £50.00)\n" in plain


# -- due: waiting complaints apart, and the money at stake ----------------------------------


def test_due_lists_waiting_complaints_separately(run):
    run(
        "add", "Acme Newsagency", "Till crashes", "--promise", "Call back", "--due", "tomorrow 10am"
    )
    run("add", "Hillside Dental", "Invoice wrong", "--at", "2026-11-20 14:00")
    run("wait", "2", "--reason", "Sending the invoice copy", "--at", "2026-11-20 15:00")

    plain = run("due").stdout

    assert plain.endswith(
        "Waiting on the customer (1)\n"
        "  #2 Hillside Dental  Sending the invoice copy  (tester)  since 20 Nov 15:00\n"
    )
    assert [i["complaint_id"] for i in run("due", "--format", "json").json] == [1]  # promises only
    run("resume", "2")
    assert "Waiting on the customer" not in run("due").stdout


def test_due_on_a_terminal_shows_the_money_at_stake(run):
    run("add", "Acme Newsagency", "Till crashes", "--loss", "250", "--promise", "Call back",
        "--due", "2026-11-20 10:00", "--at", "2026-11-19 09:00")  # fmt: skip
    run("add", "Hillside Dental", "Invoice wrong", "--loss", "40")
    table = run("due", "--format", "table", env={"COLUMNS": "120"}).stdout
    assert (
        "At stake: 290.00 claimed on 2 open complaints, 250.00 of it on 1 with a promise overdue"
        in table
    )
    assert "At stake" not in run("due").stdout  # cron's plain list stays as the spec has it


# -- edit: completing the assessment after the call ----------------------------------------


def test_edit_completes_the_assessment_so_strict_resolution_can_pass(run):
    run("add", "Acme Newsagency", "Till crashes", "--at", "2026-11-23 08:00")
    run("note", "1", "Rang back", "--out", "--at", "2026-11-23 08:30")
    refused = run("resolve", "1", "--strict", "--outcome", "Fixed", "--cause", "ours",
                  "--confirmed", exit=4)  # fmt: skip
    assert "assessed" in refused.stderr

    ran = run("edit", "1", "--category", "till", "--heat", "4", "--loss", "120.50")

    assert ran.stdout == "Edited complaint 1: category, heat, loss\n"
    shown = run("show", "1", "--format", "json").json
    assert (shown["category"], shown["heat"], shown["loss"]) == ("till", 4, 120.5)
    assert run("history", "1", "--format", "json").json[-1]["action"] == "edit"
    run("note", "1", "Explained the fix", "--out")
    run("resolve", "1", "--strict", "--outcome", "Fixed", "--cause", "ours", "--confirmed")


def test_edit_is_undone_byte_for_byte_and_can_clear_a_field(run):
    run("add", "Acme Newsagency", "Till crashes", "--category", "till", "--wants", "Refund")
    before = run("show", "1", "--format", "json").stdout
    run("edit", "1", "--category", "", "--wants", "", "--written", "--owner", "sam")
    shown = run("show", "1", "--format", "json").json
    assert (shown["category"], shown["wants"], shown["written"], shown["owner"]) == (
        None,
        None,
        True,
        "sam",
    )
    assert run("undo").stdout == "Undid: edit of complaint 1 by tester\n"
    assert run("show", "1", "--format", "json").stdout == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["edit", "1"], 2, "nothing to change"),
        (["edit", "9", "--heat", "3"], 3, "no complaint 9"),
        (["edit", "1", "--summary", " "], 2, "summary must not be empty"),
        (["edit", "1", "--channel", "fax"], 2, "invalid channel 'fax'"),
        (["edit", "1", "--loss", "-5"], 2, "invalid --loss '-5'"),
        (["edit", "1", "--owner", ""], 2, "--owner must not be empty"),
    ],
)
def test_edit_refuses_bad_values_and_changes_nothing(run, args, code, message):
    run("add", "Acme Newsagency", "Till crashes")
    before = run("show", "1", "--format", "json").stdout
    ran = run(*args, exit=code)
    assert ran.stderr.startswith(f"complog: error: {message}")
    assert run("show", "1", "--format", "json").stdout == before


def test_edit_to_the_same_values_changes_nothing(run):
    run("add", "Acme Newsagency", "Till crashes", "--heat", "4")
    events = len(run("history", "--format", "json").json)
    assert (
        run("edit", "1", "--heat", "4").stdout == "Complaint 1 already says that; nothing changed\n"
    )
    assert len(run("history", "--format", "json").json) == events
