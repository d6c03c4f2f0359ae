"""Complaints: add, note, show, list, resolve, reopen, and how customers are matched."""

from __future__ import annotations

import pytest


def show(run, complaint_id="1"):
    return run("show", complaint_id, "--format", "json").json


# -- add -------------------------------------------------------------------------


def test_add_prints_the_new_id_and_customer(run):
    ran = run("add", "Acme Newsagency", "Till crashes at close")
    assert ran.stdout == "Logged complaint 1 for Acme Newsagency\n"
    assert ran.stderr == ""


@pytest.mark.sqlite_only(reason="about creating the SQLite file on the first add")
def test_first_add_with_a_promise_creates_the_logbook_cleanly(run, logbook):
    assert not logbook.exists()
    ran = run("add", "Acme Newsagency", "Till", "--promise", "Call back", "--due", "tomorrow 10am")
    assert ran.stdout == "Logged complaint 1 for Acme Newsagency (promise 1 due tomorrow 10:00)\n"
    assert ran.stderr == ""
    assert logbook.exists()


def test_first_add_backdated_creates_the_logbook_cleanly(run, logbook):
    ran = run("add", "Acme Newsagency", "Till", "--at", "today 8am", "--format", "json")
    assert ran.json["opened_at"] == "2026-11-23T08:00:00+00:00"
    assert ran.stderr == ""


def test_first_add_json_with_a_promise_on_a_fresh_logbook(run, logbook):
    ran = run(
        "add",
        "Acme Newsagency",
        "Till",
        "--promise",
        "Call",
        "--due",
        "tomorrow",
        "--format",
        "json",
    )
    assert ran.json["open_promises"] == 1


def test_first_add_without_dates_on_a_fresh_logbook_is_clean(run, logbook):
    ran = run("add", "Acme Newsagency", "Till", "--format", "json")
    assert ran.json["id"] == 1
    assert ran.stderr == ""


def test_reading_a_logbook_that_does_not_exist_yet_finds_nothing(run):
    assert run("list", "--format", "json").json == []
    assert run("due", "--format", "json").json == []


def test_add_records_every_option(run):
    run("add", "Acme Newsagency", "Till crashes at close", "--channel", "visit", "--category", "software",
        "--heat", "5", "--wants", "Refund", "--loss", "£1,250.75", "--written", "--owner", "sam",
        "--phone", "01632 960 001", "--email", "shop@acme.example")  # fmt: skip
    c = show(run)
    assert c == c | {"channel": "visit", "category": "software", "heat": 5, "wants": "Refund",
                     "loss": 1250.75, "written": True, "owner": "sam"}  # fmt: skip
    assert c["customer_detail"] == c["customer_detail"] | {
        "phone": "01632 960 001",
        "email": "shop@acme.example",
    }


def test_add_letter_is_a_written_complaint(run):
    run("add", "Acme Newsagency", "Charged twice", "--channel", "letter")
    assert show(run)["written"] is True


def test_add_zero_loss_is_accepted(run):
    run("add", "Acme Newsagency", "Till", "--loss", "0")
    assert show(run)["loss"] == 0


def test_add_trims_customer_and_summary(run):
    run("add", "  Acme Newsagency  ", "  Till crashes  ")
    c = show(run)
    assert c["customer"] == "Acme Newsagency"
    assert c["summary"] == "Till crashes"


def test_add_without_arguments_in_a_pipe_is_a_usage_error(run):
    ran = run("add", exit=2)
    assert ran.stderr.startswith("complog: error: CUSTOMER and SUMMARY are required\n")


def test_add_owner_defaults_to_the_user(run):
    run("--user", "priya", "add", "Acme Newsagency", "Till")
    assert show(run)["owner"] == "priya"


@pytest.mark.parametrize(
    "again", ["acme newsagency ", "ACME NEWSAGENCY", "  Acme   Newsagency", "Acme newsagency"]
)
def test_customer_names_match_ignoring_case_and_spacing(run, again):
    run("add", "Acme Newsagency", "Till crashes")
    run("add", again, "Printer jams")
    first, second = show(run, "1"), show(run, "2")
    assert second["customer"] == "Acme Newsagency"
    assert second["customer_detail"]["id"] == first["customer_detail"]["id"]
    listed = run("list", "--customer", "acme newsagency", "--format", "json").json
    assert [c["id"] for c in listed] == [2, 1]


def test_add_warns_when_the_customer_has_open_complaints(run):
    run("add", "Acme Newsagency", "Till crashes at close", "--owner", "sam")
    ran = run("add", "acme newsagency ", "Printer jams")
    assert ran.stdout == "Logged complaint 2 for Acme Newsagency\n"
    assert ran.stderr == (
        "warning: Acme Newsagency already has 1 open complaint:\n"
        "  #1 Till crashes at close (opened today 09:00, sam)\n"
    )


def test_add_warning_lists_every_open_complaint(run):
    run("add", "Acme Newsagency", "Till crashes")
    run("add", "Acme Newsagency", "Printer jams")
    ran = run("add", "Acme Newsagency", "Card reader dead")
    lines = ran.stderr.splitlines()
    assert lines[0] == "warning: Acme Newsagency already has 2 open complaints:"
    assert lines[1].startswith("  #1 Till crashes ")
    assert lines[2].startswith("  #2 Printer jams ")


def test_add_does_not_warn_about_resolved_complaints(run):
    run("add", "Acme Newsagency", "Till crashes")
    run("resolve", "1", "--outcome", "Patched")
    assert run("add", "Acme Newsagency", "Printer jams").stderr == ""


def test_add_does_not_warn_about_other_customers(run):
    run("add", "Acme Newsagency", "Till crashes")
    assert run("add", "Bravo Bakery", "Oven cold").stderr == ""


def test_add_updates_contact_details_of_a_known_customer(run):
    run("add", "Acme Newsagency", "Till", "--phone", "01632 960 001")
    run("add", "Acme Newsagency", "Printer", "--email", "shop@acme.example")
    detail = show(run, "1")["customer_detail"]
    assert detail["phone"] == "01632 960 001"
    assert detail["email"] == "shop@acme.example"


# -- note ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "direction", "channel"),
    [
        (None, "internal", "other"),
        ("--internal", "internal", "other"),
        ("--in", "in", "email"),
        ("--out", "out", "email"),
    ],
)
def test_note_directions_and_default_channel(run, flag, direction, channel):
    run("add", "Acme Newsagency", "Till", "--channel", "email")
    ran = run("note", "1", "Rang back", *([flag] if flag else []))
    assert ran.stdout == f"Noted on complaint 1 (note 1, {direction})\n"
    (note,) = show(run)["notes"]
    assert note == note | {"direction": direction, "channel": channel, "text": "Rang back", "author": "tester",
                           "at": "2026-11-23T09:00:00+00:00"}  # fmt: skip


def test_note_channel_option(run):
    run("add", "Acme Newsagency", "Till", "--channel", "email")
    run("note", "1", "Sent the letter", "--out", "--channel", "letter")
    assert show(run)["notes"][0]["channel"] == "letter"


def test_note_author_is_the_acting_user(run):
    run("add", "Acme Newsagency", "Till")
    run("--user", "sam", "note", "1", "Rang back", "--out")
    assert show(run)["notes"][0]["author"] == "sam"


# -- show ------------------------------------------------------------------------


def test_show_plain_has_facts_promises_and_timeline(run):
    run("add", "Acme Newsagency", "Till crashes at close", "--heat", "4", "--promise", "Call back",
        "--due", "today 10am")  # fmt: skip
    run("note", "1", "Customer rang again", "--in")
    out = run("show", "1", env={"COMPLOG_NOW": "2026-11-23T11:00:00+00:00"}).stdout.splitlines()
    assert out[0] == "Complaint #1: Till crashes at close"
    assert "  Customer: Acme Newsagency" in out
    assert "  Heat: 4/5" in out
    assert "Open promises" in out
    assert "  P1 due today 10:00 (tester): Call back  BROKEN" in out
    timeline = out[out.index("Timeline") + 1 :]
    assert [line.split()[2] for line in timeline] == ["opened", "note", "promise"]


def test_show_table_format_in_a_pipe_has_no_escapes(run):
    run(
        "add",
        "Acme Newsagency",
        "Till crashes at close",
        "--heat",
        "5",
        "--promise",
        "Call back",
        "--due",
        "today 8am",
    )
    out = run("show", "1", "--format", "table").stdout
    assert "\x1b" not in out
    assert "#1 Till crashes at close" in out
    assert "Timeline" in out


def test_show_csv_is_the_timeline(run):
    run("add", "Acme Newsagency", "Till")
    run("note", "1", "Rang", "--out")
    lines = run("show", "1", "--format", "csv").stdout.splitlines()
    assert lines[0] == "at,kind,text"
    assert [line.split(",")[1] for line in lines[1:]] == ["opened", "note"]


# -- list ------------------------------------------------------------------------


@pytest.fixture
def three(run):
    run(
        "add",
        "Acme Newsagency",
        "Till crashes",
        "--category",
        "Software",
        "--owner",
        "sam",
        "--at",
        "2026-11-20 10:00",
    )
    run(
        "add",
        "Bravo Bakery",
        "Oven cold",
        "--category",
        "equipment",
        "--promise",
        "Visit",
        "--due",
        "tomorrow",
    )
    run("add", "Corner Cafe", "Card reader", "--category", "equipment", "--owner", "sam")
    run("resolve", "3", "--outcome", "Rebooted")


def ids(run, *args):
    return [c["id"] for c in run("list", *args, "--format", "json").json]


def test_list_defaults_to_open_newest_first(run, three):
    assert ids(run) == [2, 1]


def test_list_status(run, three):
    assert ids(run, "--status", "resolved") == [3]
    assert ids(run, "--status", "all") == [3, 2, 1]
    assert ids(run, "--status", "open") == [2, 1]


def test_list_filters(run, three):
    assert ids(run, "--status", "all", "--owner", "sam") == [3, 1]
    assert ids(run, "--status", "all", "--category", "EQUIPMENT") == [3, 2]
    assert ids(run, "--status", "all", "--customer", " bravo BAKERY ") == [2]
    assert ids(run, "--status", "all", "--customer", "Nobody") == []
    assert ids(run, "--status", "all", "--limit", "1") == [3]


def test_list_bad_status_is_a_usage_error(run):
    ran = run("list", "--status", "closed", exit=2)
    assert ran.stderr.startswith("complog: error: Invalid value for '--status'")


def test_list_plain_is_one_tab_separated_line_each(run, three):
    lines = run("list").stdout.splitlines()
    assert lines == [
        "2\topen\tBravo Bakery\tOven cold\theat 3\ttester\t2026-11-23 09:00\t1 open promise",
        "1\topen\tAcme Newsagency\tTill crashes\theat 3\tsam\t2026-11-20 10:00\t0 open promises",
    ]


def test_list_csv_has_a_header_row(run, three):
    lines = run("list", "--status", "all", "--format", "csv").stdout.splitlines()
    assert lines[0].split(",")[:4] == ["id", "customer", "summary", "status"]
    assert len(lines) == 4
    assert lines[1].startswith("3,Corner Cafe,Card reader,resolved,")


def test_list_table_has_no_escapes_in_a_pipe(run, three):
    out = run("list", "--format", "table").stdout
    assert "\x1b" not in out
    assert "Bravo Bakery" in out


def test_list_table_of_nothing_says_so(run):
    assert run("list", "--format", "table").stdout.strip() == "No complaints match."


# -- resolve / reopen --------------------------------------------------------------


def test_resolve_records_the_outcome(run):
    run("add", "Acme Newsagency", "Till")
    ran = run("resolve", "1", "--outcome", "Till replaced", "--confirmed", "--satisfaction", "5",
              "--compensation", "Free month", "--cause", "third-party", "--prevention", "Check supplier")  # fmt: skip
    assert ran.stdout == "Resolved complaint 1\n"
    c = show(run)
    assert c["status"] == "resolved"
    assert c["resolved_at"] == "2026-11-23T09:00:00+00:00"
    assert c["resolution"] == c["resolution"] | {
        "outcome": "Till replaced", "confirmed": True, "satisfaction": 5, "compensation": "Free month",
        "cause": "third-party", "prevention": "Check supplier",
    }  # fmt: skip
    assert ids(run) == []


def test_resolve_unconfirmed(run):
    run("add", "Acme Newsagency", "Till")
    run("resolve", "1", "--outcome", "Patched", "--unconfirmed")
    assert show(run)["resolution"]["confirmed"] is False


def test_resolve_refuses_while_promises_are_open(run):
    run("add", "Acme Newsagency", "Till", "--promise", "Call back", "--due", "tomorrow")
    run("promise", "1", "Visit", "--due", "fri")
    ran = run("resolve", "1", "--outcome", "Patched", exit=4)
    assert ran.stderr == (
        "complog: error: complaint 1 still has 2 open promises: P1, P2\n"
        "  keep (complog kept) or cancel them first, or add --cancel-open-promises\n"
    )
    assert show(run)["status"] == "open"


def test_resolve_after_keeping_promises(run):
    run("add", "Acme Newsagency", "Till", "--promise", "Call back", "--due", "tomorrow")
    run("kept", "1")
    run("resolve", "1", "--outcome", "Patched")
    assert show(run)["status"] == "resolved"


def test_resolve_cancel_open_promises(run):
    run("add", "Acme Newsagency", "Till", "--promise", "Call back", "--due", "tomorrow")
    ran = run("resolve", "1", "--outcome", "Patched", "--cancel-open-promises")
    assert ran.stdout == "Resolved complaint 1 (cancelled 1 open promise)\n"
    c = show(run)
    assert c["status"] == "resolved"
    assert [p["status"] for p in c["promises"]] == ["cancelled"]
    assert c["open_promises"] == 0
    assert run("due", "--format", "json").json == []


def test_resolving_twice_is_a_conflict(run):
    run("add", "Acme Newsagency", "Till")
    run("resolve", "1", "--outcome", "Patched")
    ran = run("resolve", "1", "--outcome", "Again", exit=4)
    assert (
        ran.stderr
        == "complog: error: complaint 1 is already resolved\n  complog reopen 1 --reason ... first\n"
    )
    assert show(run)["resolution"]["outcome"] == "Patched"


def test_resolve_needs_an_outcome(run):
    run("add", "Acme Newsagency", "Till")
    ran = run("resolve", "1", exit=2)
    assert ran.stderr.startswith("complog: error: Missing option '--outcome'.")


def test_reopen_makes_it_open_again_and_keeps_the_history(run):
    run("add", "Acme Newsagency", "Till")
    run("resolve", "1", "--outcome", "Patched", "--confirmed")
    ran = run(
        "reopen", "1", "--reason", "Crashed again", env={"COMPLOG_NOW": "2026-11-24T09:00:00+00:00"}
    )
    assert ran.stdout == "Reopened complaint 1\n"
    c = show(run)
    assert c["status"] == "open"
    assert c["resolved_at"] is None
    assert c["resolution"] is None
    assert [(e["kind"], e["text"]) for e in c["timeline"]] == [
        ("opened", "Till"),
        ("resolved", "Patched"),
        ("reopened", "Crashed again"),
    ]
    assert ids(run) == [1]


def test_reopen_needs_a_reason(run):
    run("add", "Acme Newsagency", "Till")
    run("resolve", "1", "--outcome", "Patched")
    ran = run("reopen", "1", exit=2)
    assert ran.stderr.startswith("complog: error: Missing option '--reason'.")
    assert show(run)["status"] == "resolved"


def test_reopened_complaint_can_be_resolved_again(run):
    run("add", "Acme Newsagency", "Till")
    run("resolve", "1", "--outcome", "Patched")
    run("reopen", "1", "--reason", "Crashed again")
    run("resolve", "1", "--outcome", "Replaced")
    assert show(run)["resolution"]["outcome"] == "Replaced"
