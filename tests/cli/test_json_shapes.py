"""The JSON shapes of SPEC.md ("Keys listed here are guaranteed; more may be present"),
with the types SPEC promises: ids are integers, timestamps ISO-8601 with an offset."""

from __future__ import annotations

import re

from tests.cli.helpers import assert_iso

COMPLAINT_KEYS = {
    "id", "customer", "summary", "status", "channel", "category", "heat", "wants", "loss",
    "written", "owner", "opened_at", "resolved_at", "open_promises",
}  # fmt: skip
SHOW_EXTRA_KEYS = {"customer_detail", "notes", "promises", "escalations", "resolution", "timeline"}
PROMISE_KEYS = {"id", "text", "owner", "due_at", "status", "kept_at", "broken", "reschedules"}
RESCHEDULE_KEYS = {"at", "old_due_at", "new_due_at", "reason", "late"}
RESOLUTION_KEYS = {"outcome", "confirmed", "satisfaction", "compensation", "cause", "prevention"}
DUE_KEYS = {
    "promise_id", "complaint_id", "customer", "text", "owner", "due_at", "section",
    "overdue_minutes", "heat",
}  # fmt: skip


def assert_complaint_shape(c):
    assert COMPLAINT_KEYS <= set(c), COMPLAINT_KEYS - set(c)
    assert type(c["id"]) is int
    assert type(c["heat"]) is int and 1 <= c["heat"] <= 5
    assert type(c["written"]) is bool
    assert type(c["open_promises"]) is int
    assert c["status"] in ("open", "resolved")
    assert isinstance(c["customer"], str) and isinstance(c["summary"], str)
    assert c["loss"] is None or isinstance(c["loss"], (int, float))
    assert_iso(c["opened_at"])
    if c["resolved_at"] is not None:
        assert_iso(c["resolved_at"])


def test_add_json_is_the_new_complaint(run):
    run("init")  # a first add on a fresh logbook is tested in test_complaints.py
    c = run("add", "Acme Newsagency", "Till crashes at close", "--channel", "email", "--category", "software",
            "--heat", "4", "--wants", "A working till", "--loss", "120.50", "--written", "--owner", "sam",
            "--promise", "Call back", "--due", "tomorrow 10am", "--format", "json").json  # fmt: skip
    assert_complaint_shape(c)
    assert c["id"] == 1
    assert c["customer"] == "Acme Newsagency"
    assert c["summary"] == "Till crashes at close"
    assert c["status"] == "open"
    assert c["channel"] == "email"
    assert c["category"] == "software"
    assert c["heat"] == 4
    assert c["wants"] == "A working till"
    assert c["loss"] == 120.5
    assert c["written"] is True
    assert c["owner"] == "sam"
    assert c["opened_at"] == "2026-11-23T09:00:00+00:00"
    assert c["resolved_at"] is None
    assert c["open_promises"] == 1


def test_add_json_defaults(run):
    c = run("add", "Acme Newsagency", "Till", "--format", "json").json
    assert c["channel"] == "phone"
    assert c["heat"] == 3
    assert c["category"] is None
    assert c["wants"] is None
    assert c["loss"] is None
    assert c["written"] is False
    assert c["owner"] == "tester"
    assert c["open_promises"] == 0


def test_add_json_stdout_is_only_json_even_with_a_warning(run):
    run("add", "Acme Newsagency", "Till")
    ran = run("add", "Acme Newsagency", "Printer", "--format", "json")
    assert ran.json["id"] == 2
    assert ran.stderr.startswith("warning: ")


def test_list_json_is_an_array_of_complaints(run):
    run("add", "Acme Newsagency", "Till")
    run("add", "Bravo Bakery", "Oven", "--promise", "Visit", "--due", "tomorrow")
    listed = run("list", "--format", "json").json
    assert isinstance(listed, list)
    assert [c["id"] for c in listed] == [2, 1]
    for c in listed:
        assert_complaint_shape(c)
    assert listed[0]["open_promises"] == 1


def test_list_json_of_nothing_is_an_empty_array(run):
    assert run("list", "--format", "json").json == []


def _rich_complaint(run):
    """One complaint with a note, a kept-late promise, a rescheduled promise and a resolution."""
    run("add", "Acme Newsagency", "Till crashes at close", "--phone", "01632 960 001",
        "--email", "shop@acme.example", "--promise", "Call back", "--due", "today 10am")  # fmt: skip
    run("note", "1", "Customer rang again", "--in", "--channel", "phone")
    run("promise", "1", "Engineer visit", "--due", "tomorrow 10am", "--owner", "sam")
    run(
        "reschedule",
        "2",
        "--due",
        "wed 10am",
        "--reason",
        "Part delayed",
        env={"COMPLOG_NOW": "2026-11-23T11:00:00+00:00"},
    )
    run(
        "kept", "1", "--note", "Rang with the fix", env={"COMPLOG_NOW": "2026-11-23T12:00:00+00:00"}
    )
    run("resolve", "1", "--outcome", "Till patched", "--confirmed", "--satisfaction", "4", "--compensation",
        "Free month", "--cause", "ours", "--prevention", "Test close of day", "--cancel-open-promises",
        env={"COMPLOG_NOW": "2026-11-23T13:00:00+00:00"})  # fmt: skip


def test_show_json_has_every_documented_key(run):
    _rich_complaint(run)
    d = run("show", "1", "--format", "json", env={"COMPLOG_NOW": "2026-11-23T14:00:00+00:00"}).json
    assert_complaint_shape(d)
    assert (COMPLAINT_KEYS | SHOW_EXTRA_KEYS) <= set(d)

    detail = d["customer_detail"]
    assert isinstance(detail, dict)
    assert detail["name"] == "Acme Newsagency"
    assert detail["phone"] == "01632 960 001"
    assert detail["email"] == "shop@acme.example"

    assert isinstance(d["notes"], list) and len(d["notes"]) == 2
    for note in d["notes"]:
        assert type(note["id"]) is int
        assert_iso(note["at"])
    assert [(n["direction"], n["text"]) for n in d["notes"]] == [
        ("in", "Customer rang again"),
        ("out", "Rang with the fix"),
    ]

    assert isinstance(d["escalations"], list)
    assert d["escalations"] == []


def test_show_json_promises_and_reschedules(run):
    _rich_complaint(run)
    d = run("show", "1", "--format", "json", env={"COMPLOG_NOW": "2026-11-23T14:00:00+00:00"}).json
    first, second = d["promises"]
    for p in (first, second):
        assert PROMISE_KEYS <= set(p), PROMISE_KEYS - set(p)
        assert type(p["id"]) is int
        assert_iso(p["due_at"])
        assert type(p["broken"]) is bool
        assert isinstance(p["reschedules"], list)
    assert first == first | {
        "id": 1, "text": "Call back", "owner": "tester", "due_at": "2026-11-23T10:00:00+00:00",
        "status": "kept", "kept_at": "2026-11-23T12:00:00+00:00", "broken": True, "reschedules": [],
    }  # fmt: skip
    assert second["status"] == "cancelled"
    assert second["kept_at"] is None
    assert second["owner"] == "sam"
    assert second["broken"] is False
    (moved,) = second["reschedules"]
    assert RESCHEDULE_KEYS <= set(moved)
    assert moved == moved | {
        "at": "2026-11-23T11:00:00+00:00", "old_due_at": "2026-11-24T10:00:00+00:00",
        "new_due_at": "2026-11-25T10:00:00+00:00", "reason": "Part delayed", "late": False,
    }  # fmt: skip


def test_show_json_resolution(run):
    _rich_complaint(run)
    d = run("show", "1", "--format", "json").json
    assert d["status"] == "resolved"
    assert d["resolved_at"] == "2026-11-23T13:00:00+00:00"
    assert RESOLUTION_KEYS <= set(d["resolution"])
    assert d["resolution"] == d["resolution"] | {
        "outcome": "Till patched", "confirmed": True, "satisfaction": 4, "compensation": "Free month",
        "cause": "ours", "prevention": "Test close of day",
    }  # fmt: skip


def test_show_json_resolution_is_null_while_open(run):
    run("add", "Acme Newsagency", "Till")
    assert run("show", "1", "--format", "json").json["resolution"] is None


def test_show_json_timeline_is_in_time_order_with_at_and_kind(run):
    _rich_complaint(run)
    timeline = run("show", "1", "--format", "json").json["timeline"]
    for entry in timeline:
        assert {"at", "kind"} <= set(entry)
        assert_iso(entry["at"])
    moments = [entry["at"] for entry in timeline]
    assert moments == sorted(moments)
    kinds = [entry["kind"] for entry in timeline]
    assert kinds[0] == "opened"
    assert kinds[-1] == "resolved"
    for kind in ("note", "promise", "reschedule", "kept", "cancelled"):
        assert kind in kinds


def test_due_json_items(run):
    run(
        "add",
        "Acme Newsagency",
        "Till",
        "--heat",
        "5",
        "--promise",
        "Call back",
        "--due",
        "today 8am",
    )
    run("promise", "1", "Visit", "--due", "today 3pm", "--owner", "sam")
    run("promise", "1", "Refund", "--due", "thu")
    due = run("due", "--format", "json").json
    assert isinstance(due, list)
    for item in due:
        assert DUE_KEYS <= set(item), DUE_KEYS - set(item)
        assert type(item["promise_id"]) is int
        assert type(item["complaint_id"]) is int
        assert type(item["overdue_minutes"]) is int
        assert type(item["heat"]) is int
        assert item["section"] in ("overdue", "today", "upcoming")
        assert_iso(item["due_at"])
    assert due[0] == due[0] | {
        "promise_id": 1, "complaint_id": 1, "customer": "Acme Newsagency", "text": "Call back",
        "owner": "tester", "due_at": "2026-11-23T08:00:00+00:00", "section": "overdue",
        "overdue_minutes": 60, "heat": 5,
    }  # fmt: skip
    assert [(i["promise_id"], i["section"], i["overdue_minutes"]) for i in due] == [
        (1, "overdue", 60),
        (2, "today", 0),
        (3, "upcoming", 0),
    ]


def test_history_json_keys(run):
    run("--user", "alice", "add", "Acme Newsagency", "Till")
    events = run("history", "--format", "json").json
    assert isinstance(events, list) and events
    for e in events:
        assert {
            "id",
            "at",
            "user",
            "action",
            "entity",
            "entity_id",
            "complaint_id",
            "before",
            "after",
        } <= set(e)
        assert type(e["id"]) is int
        assert_iso(e["at"])
        assert e["user"] == "alice"


_TIMESTAMP_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_history_json_before_and_after_timestamps_have_an_offset(run):
    run("add", "Acme Newsagency", "Till", "--promise", "Call back", "--due", "tomorrow 10am")
    run("kept", "1")
    events = run("history", "--format", "json").json
    stamps = [
        s for e in events for s in _strings([e["before"], e["after"]]) if _TIMESTAMP_LIKE.match(s)
    ]
    assert stamps, "the snapshots hold timestamps"
    for stamp in stamps:
        assert_iso(stamp)
