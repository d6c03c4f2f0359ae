"""`complog customer NAME` (one customer's history), `complog customers` (the top
callers) and what `add` tells you about a customer who has called before."""

from __future__ import annotations

import pytest

from tests.cli.helpers import ANSI, assert_clean_error, assert_iso


def at(now: str) -> dict[str, str]:
    return {"COMPLOG_NOW": now}


@pytest.fixture
def hillside(run):
    """Hillside Dental's three complaints (now: Mon 23 Nov 09:00) and one from Acme.

    1 Mon 02 Nov: promise 1 due Tue 03 10:00 kept 09:00 (on time); resolved, free visit, cause ours
    2 Tue 10 Nov: promise 2 due Wed 11 12:00 kept Thu 12 09:00 (late); resolved, 10% discount,
      cause customer
    3 Fri 20 Nov: promise 3 due Fri 20 15:00 still open (overdue); inbound note; escalated
    4 Acme, Wed 18 Nov
    """
    run("add", "Hillside Dental", "X-ray printer down", "--at", "2026-11-02 09:00", "--phone", "01234 567890",
        "--promise", "Engineer visit", "--due", "2026-11-03 10:00", env=at("2026-11-02T09:00:00+00:00"))  # fmt: skip
    run("kept", "1", "--at", "2026-11-03 09:00")
    run("resolve", "1", "--outcome", "Printer head replaced", "--compensation", "free visit",
        "--cause", "ours", "--confirmed", "--at", "2026-11-03 12:00")  # fmt: skip
    run("add", "hillside dental", "Invoice wrong", "--at", "2026-11-10 09:00",
        "--promise", "Send corrected invoice", "--due", "2026-11-11 12:00", env=at("2026-11-10T09:00:00+00:00"))  # fmt: skip
    run("kept", "2", "--at", "2026-11-12 09:00")
    run("resolve", "2", "--outcome", "Credit note", "--compensation", "10% discount",
        "--cause", "customer", "--at", "2026-11-12 10:00")  # fmt: skip
    run("add", "Hillside Dental", "Chair squeaks", "--at", "2026-11-20 09:00",
        "--promise", "Call back", "--due", "2026-11-20 15:00", env=at("2026-11-20T09:00:00+00:00"))  # fmt: skip
    run("note", "3", "Fixed yesterday by phone, they say", "--in", "--at", "2026-11-20 10:00")
    run("escalate", "3", "--to", "manager", "--reason", "third visit")
    run("add", "Acme", "Till", "--at", "2026-11-18 09:00")
    return run


# -- customer NAME -------------------------------------------------------------------------------


def test_customer_json_is_the_whole_history(hillside):
    h = hillside("customer", "Hillside Dental", "--format", "json").json
    assert h["customer"] == "Hillside Dental"
    assert h["customer_detail"]["name"] == "Hillside Dental"
    assert h["customer_detail"]["phone"] == "01234 567890"
    assert h["complaints_count"] == 3
    assert h["open"] == 1  # 3
    assert h["promises_kept"] == 1  # 1 kept on time
    assert h["promises_broken"] == 2  # 2 kept late, 3 overdue now
    assert h["escalations"] == 1
    assert h["compensation"] == [  # newest complaint first
        {
            "complaint_id": 2,
            "compensation": "10% discount",
            "value": None,
            "currency": None,
            "reopened": False,
        },
        {
            "complaint_id": 1,
            "compensation": "free visit",
            "value": None,
            "currency": None,
            "reopened": False,
        },
    ]
    assert h["compensation_value"] == 0
    assert h["free_visits"] == 1
    assert h["causes"] == {"customer": 1, "ours": 1}
    assert [c["id"] for c in h["complaints"]] == [3, 2, 1]
    assert [c["customer"] for c in h["complaints"]] == ["Hillside Dental"] * 3
    newest = h["complaints"][0]
    assert [n["text"] for n in newest["notes"]] == ["Fixed yesterday by phone, they say"]
    assert [(p["text"], p["broken"]) for p in newest["promises"]] == [("Call back", True)]
    assert len(newest["escalations"]) == 1
    assert h["complaints"][2]["resolution"]["outcome"] == "Printer head replaced"
    assert_iso(h["customer_detail"]["created_at"])


def test_customer_plain_history(hillside):
    out = hillside("customer", "Hillside Dental").stdout
    assert not ANSI.search(out)
    assert out.splitlines()[:3] == [
        "Hillside Dental  01234 567890",
        "3 complaints (1 open); promises kept 1, broken 2; escalations 1",
        "Causes: customer 1, ours 1; compensation given 2, free visits 1",
    ]
    assert "  #3 open     2026-11-20 09:00  Chair squeaks\n" in out
    assert "  #2 resolved 2026-11-10 09:00  Invoice wrong  -> Credit note\n" in out
    assert "  #1 resolved 2026-11-02 09:00  X-ray printer down  -> Printer head replaced\n" in out
    assert (
        "Latest interactions\n  2026-11-20 10:00  #3 in       phone  Fixed yesterday by phone, they say\n"
        in out
    )
    assert "Acme" not in out


def test_customer_table_history(hillside):
    out = hillside("customer", "Hillside Dental", "--format", "table").stdout
    assert not ANSI.search(out)
    for text in ("Hillside Dental", "3 complaints (1 open); promises kept 1, broken 2; escalations 1",
                 "free visits 1", "Chair squeaks", "Printer head replaced", "Credit note (customer)",
                 "Fixed yesterday by phone, they say"):  # fmt: skip
        assert text in out, text


@pytest.mark.parametrize("name", ["hillside dental", "HILLSIDE DENTAL", "  Hillside   dental  "])
def test_customer_name_ignores_case_and_spacing(hillside, name):
    h = hillside("customer", name, "--format", "json").json
    assert h["customer"] == "Hillside Dental"
    assert h["complaints_count"] == 3


def test_add_with_another_case_files_under_the_same_customer(hillside):
    names = [c["customer"] for c in hillside("list", "--status", "all", "--format", "json").json]
    assert names.count("Hillside Dental") == 3
    assert "hillside dental" not in names


@pytest.mark.parametrize("name", ["Hillsid Dentl", "hillside dentall", "Hilside Dental"])
def test_unknown_customer_near_a_known_name_suggests_it(hillside, name):
    ran = hillside("customer", name, exit=3)
    assert_clean_error(ran, 3, f"no customer named {name.strip()!r}")
    assert "did you mean 'Hillside Dental'?" in ran.stderr


def test_unknown_customer_far_from_any_name_exits_3_without_a_guess(hillside):
    ran = hillside("customer", "Zebra Fish Ltd", exit=3)
    assert_clean_error(ran, 3, "no customer named 'Zebra Fish Ltd'")
    assert "did you mean" not in ran.stderr
    assert "complog customers lists them" in ran.stderr


def test_customer_on_an_empty_logbook_exits_3(run):
    run("init")
    assert_clean_error(run("customer", "Acme", exit=3), 3, "no customer named 'Acme'")


@pytest.mark.sqlite_only(reason="about a SQLite file that does not exist yet")
def test_customer_before_any_logbook_exists_exits_3(run, logbook):
    ran = run("customer", "Acme", exit=3)
    assert "complog: error: no customer named 'Acme'\n" in ran.stderr
    assert ran.stdout == ""
    assert not logbook.exists()  # a read never creates the logbook


def test_promise_made_with_a_backdated_complaint_can_be_kept_before_now(run):
    run("add", "Hillside Dental", "X-ray printer down", "--at", "2026-11-02 09:00",
        "--promise", "Engineer visit", "--due", "2026-11-03 10:00")  # fmt: skip
    run("kept", "1", "--at", "2026-11-03 09:00")
    promise = run("show", "1", "--format", "json").json["promises"][0]
    assert promise["created_at"] == "2026-11-02T09:00:00+00:00"


# -- customers ---------------------------------------------------------------------------------


@pytest.fixture
def callers(run):
    """Hillside 02, 10, 20 Nov (1 resolved); Acme 18, 19 Nov; Bravo 05 Nov; Cora 21 Nov."""
    run("add", "Hillside Dental", "X-ray printer down", "--at", "2026-11-02 09:00")
    run("add", "Bravo", "Oven cold", "--at", "2026-11-05 09:00")
    run("add", "Hillside Dental", "Invoice wrong", "--at", "2026-11-10 09:00")
    run("resolve", "3", "--outcome", "Credit note", "--at", "2026-11-12 10:00")
    run("add", "Acme", "Till", "--at", "2026-11-18 09:00")
    run("add", "Acme", "Printer", "--at", "2026-11-19 09:00")
    run("add", "Hillside Dental", "Chair squeaks", "--at", "2026-11-20 09:00")
    run("add", "Cora", "Kettle", "--at", "2026-11-21 09:00")
    return run


def test_customers_json_ranks_by_complaints_then_latest(callers):
    rows = callers("customers", "--format", "json").json
    assert rows == [
        {
            "customer": "Hillside Dental",
            "complaints": 3,
            "open": 2,
            "last_at": "2026-11-20T09:00:00+00:00",
        },
        {"customer": "Acme", "complaints": 2, "open": 2, "last_at": "2026-11-19T09:00:00+00:00"},
        {"customer": "Cora", "complaints": 1, "open": 1, "last_at": "2026-11-21T09:00:00+00:00"},
        {"customer": "Bravo", "complaints": 1, "open": 1, "last_at": "2026-11-05T09:00:00+00:00"},
    ]
    for row in rows:
        assert set(row) >= {"customer", "complaints", "open", "last_at"}
        assert_iso(row["last_at"])


def test_customers_top_n(callers):
    rows = callers("customers", "--top", "2", "--format", "json").json
    assert [r["customer"] for r in rows] == ["Hillside Dental", "Acme"]


def test_customers_since_counts_only_complaints_opened_since(callers):
    rows = callers("customers", "--since", "2026-11-15 00:00", "--format", "json").json
    # Acme 18, 19; Cora 21; Hillside 20 (its 02 and 10 Nov are before); Bravo none since
    assert rows == [
        {"customer": "Acme", "complaints": 2, "open": 2, "last_at": "2026-11-19T09:00:00+00:00"},
        {"customer": "Cora", "complaints": 1, "open": 1, "last_at": "2026-11-21T09:00:00+00:00"},
        {
            "customer": "Hillside Dental",
            "complaints": 1,
            "open": 1,
            "last_at": "2026-11-20T09:00:00+00:00",
        },
    ]
    top = callers("customers", "--top", "1", "--since", "2026-11-15 00:00", "--format", "json").json
    assert [r["customer"] for r in top] == ["Acme"]


def test_customers_plain_and_csv(callers):
    out = callers("customers", "--top", "2").stdout
    assert out == "3\t2\t2026-11-20 09:00\tHillside Dental\n2\t2\t2026-11-19 09:00\tAcme\n"
    csv = callers("customers", "--top", "1", "--format", "csv").stdout.splitlines()
    assert csv == [
        "customer,complaints,open,last_at",
        "Hillside Dental,3,2,2026-11-20T09:00:00+00:00",
    ]


def test_customers_on_an_empty_logbook(run):
    assert run("customers", "--format", "json").json == []


@pytest.mark.parametrize(
    "args", [["--top", "0"], ["--top", "x"], ["--since", "whenever"], ["--format", "xml"]]
)
def test_customers_bad_options_exit_2(run, args):
    assert run("customers", *args, exit=2).stdout == ""


# -- add tells you who is calling ------------------------------------------------------------------


def test_add_warns_about_a_repeat_caller_and_shows_the_last_contact(hillside):
    ran = hillside("add", "Hillside Dental", "Lights flicker")
    assert ran.stdout == "Logged complaint 5 for Hillside Dental\n"
    # 02, 10, 20 Nov and today: 4 within the 30-day repeat window (3 is the threshold)
    assert (
        "warning: repeat caller: Hillside Dental has opened 4 complaints within 30d\n" in ran.stderr
    )
    assert "warning: Hillside Dental already has 1 open complaint:\n" in ran.stderr
    assert "  #3 Chair squeaks (opened 20 Nov 09:00, tester)\n" in ran.stderr
    assert (
        "  last contact 20 Nov 10:00 by phone from them on #3 (tester): Fixed yesterday by phone, they say\n"
        in ran.stderr
    )


def test_add_shows_the_last_contact_even_without_open_complaints(run):
    run("add", "Bravo", "Oven cold", "--at", "2026-11-16 09:00")
    run("note", "1", "Fixed it by phone", "--out", "--at", "2026-11-16 11:00")
    run("resolve", "1", "--outcome", "Reset", "--at", "2026-11-16 12:00")
    ran = run("add", "Bravo", "Oven cold again")
    assert "already has" not in ran.stderr
    assert "repeat caller" not in ran.stderr  # 2 complaints, below the threshold of 3
    assert (
        "  last contact 16 Nov 11:00 by phone from us on #1 (tester): Fixed it by phone\n"
        in ran.stderr
    )


def test_the_last_contact_on_no_named_channel_says_no_channel(run):
    """It read "last contact … by other by us": a note on no particular channel."""
    run("add", "Bravo", "Oven cold", "--at", "2026-11-16 09:00")
    run("note", "1", "Left a message", "--out", "--channel", "other", "--at", "2026-11-16 11:00")
    ran = run("add", "Bravo", "Oven cold again")
    assert "  last contact 16 Nov 11:00 from us on #1 (tester): Left a message\n" in ran.stderr


def test_add_for_a_new_customer_warns_about_nothing(run):
    ran = run("add", "Brand New Ltd", "First call")
    assert ran.stderr == ""


def test_repeat_caller_threshold_follows_the_settings(run):
    run("config", "repeat_count", "2")
    run("add", "Bravo", "Oven cold", "--at", "2026-11-16 09:00")
    ran = run("add", "Bravo", "Oven cold again")
    assert "warning: repeat caller: Bravo has opened 2 complaints within 30d\n" in ran.stderr
    # complaints older than the window do not count
    run("add", "Cora", "Kettle", "--at", "2026-10-01 09:00")
    assert "repeat caller" not in run("add", "Cora", "Kettle again").stderr


@pytest.mark.parametrize(
    "mark", ["\u200b", "\u200f", "\u2060", "\u00ad"], ids=["zwsp", "rlm", "wj", "shy"]
)
def test_a_lookalike_customer_with_an_invisible_character_looks_different(run, mark):
    """Two customers, "Acme" and "Ac<invisible>me": a listing must not show them the same
    (the spoof would collect the real customer's calls and complaints)."""
    run("add", "Acme", "Till broke")
    escaped = "Ac" + mark.encode("unicode_escape").decode() + "me"
    added = run("add", f"Ac{mark}me", "Refund please")
    assert added.stdout == f"Logged complaint 2 for {escaped}\n"
    for fmt in ("plain", "table", "csv"):
        shown = run("customers", "--format", fmt).stdout
        assert mark not in shown
        assert escaped in shown, (fmt, shown)
    listed = {c["customer"] for c in run("customers", "-f", "json").json}
    assert listed == {"Acme", f"Ac{mark}me"}  # JSON keeps the name itself
