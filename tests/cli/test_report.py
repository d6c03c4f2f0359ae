"""`complog report`: the KPIs through the CLI on a hand-computed logbook, the plain
and table output, the breakdown switch, bad options and the `--html` page.

The logbook is built with backdated `--at` and per-command COMPLOG_NOW; the
report is read at Monday 2026-11-30 09:00 UTC. Working time: 09:00-17:00 Mon-Fri.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.cli.helpers import ANSI, assert_clean_error

REPORT_NOW = "2026-11-30T09:00:00+00:00"  # Monday

SPEC_REPORT_KEYS = [
    "opened", "resolved", "open", "first_response_median_hours", "first_response_p90_hours",
    "resolution_median_hours", "resolution_p90_hours", "resolved_quickly_rate", "promises_due",
    "promises_kept_on_time", "promise_keeping_rate", "reschedules", "escalation_rate",
    "confirmed_rate", "satisfaction_mean", "by_owner", "by_category", "by_cause", "by_channel",
    "repeat_customers",
]  # fmt: skip
RATES = ["resolved_quickly_rate", "promise_keeping_rate", "escalation_rate", "confirmed_rate"]


def at(now: str) -> dict[str, str]:
    return {"COMPLOG_NOW": now}


@pytest.fixture
def book(run, monkeypatch):
    """Four complaints and six promises; the hand computation is in each test.

    c1 Acme    Fri 20 16:00, till, phone, alice; out note Mon 23 09:30; resolved Mon 23 10:00
               confirmed, satisfaction 4, cause ours
    c2 Bravo   Tue 17 09:00, printer, email, bob; promise 1 (bob) due Tue 17 15:00 kept 12:00;
               resolved Wed 18 13:00 unconfirmed, satisfaction 2, cause customer
    c3 Acme    Wed 18 09:00, till, phone, alice; internal note Wed 18 10:00; out email Thu 19 09:00;
               escalated; open; promises 2-6 made Wed 18 10:00:
               2 alice due Thu 19 12:00, kept 14:00 (late)
               3 alice due Fri 20 10:00, rescheduled Fri 20 11:00 (late) to Tue 24 10:00, kept Tue 24 09:00
               4 carol due Wed 25 10:00, rescheduled Tue 24 09:00 (early) to Thu 26 15:00, kept 14:00
               5 carol due Thu 26 10:00, cancelled Wed 25 09:00 (before due)
               6 carol due Fri 27 10:00, still open (overdue at report time)
    c4 Charlie Mon 16 09:00, till, phone, alice; resolved Mon 23 11:00, cause ours
    """
    monkeypatch.setenv("COMPLOG_NOW", REPORT_NOW)
    run("add", "Acme", "Till crashes at close", "--at", "2026-11-20 16:00", "--category", "till",
        "--owner", "alice")  # fmt: skip
    run("add", "Bravo", "Printer jams", "--at", "2026-11-17 09:00", "--channel", "email",
        "--category", "printer", "--owner", "bob", "--promise", "Engineer visit",
        "--due", "2026-11-17 15:00", env=at("2026-11-17T09:00:00+00:00"))  # fmt: skip
    run(
        "add",
        "Acme",
        "Till again",
        "--at",
        "2026-11-18 09:00",
        "--category",
        "till",
        "--owner",
        "alice",
    )
    run(
        "add",
        "Charlie",
        "Till slow",
        "--at",
        "2026-11-16 09:00",
        "--category",
        "till",
        "--owner",
        "alice",
    )
    run("kept", "1", "--at", "2026-11-17 12:00")
    run("resolve", "2", "--outcome", "Rollers replaced", "--unconfirmed", "--satisfaction", "2",
        "--cause", "customer", "--at", "2026-11-18 13:00")  # fmt: skip
    run("note", "1", "Called back", "--out", "--at", "2026-11-23 09:30")
    run("resolve", "1", "--outcome", "Till reset", "--confirmed", "--satisfaction", "4",
        "--cause", "ours", "--at", "2026-11-23 10:00")  # fmt: skip
    run("resolve", "4", "--outcome", "New till", "--cause", "ours", "--at", "2026-11-23 11:00")
    run("note", "3", "Checked stock", "--internal", "--at", "2026-11-18 10:00")
    run("note", "3", "Emailed quote", "--out", "--channel", "email", "--at", "2026-11-19 09:00")
    made = at("2026-11-18T10:00:00+00:00")
    run("promise", "3", "Send quote", "--due", "2026-11-19 12:00", "--owner", "alice", env=made)
    run(
        "promise",
        "3",
        "Call with parts date",
        "--due",
        "2026-11-20 10:00",
        "--owner",
        "alice",
        env=made,
    )
    run("promise", "3", "Install part", "--due", "2026-11-25 10:00", "--owner", "carol", env=made)
    run("promise", "3", "Courtesy call", "--due", "2026-11-26 10:00", "--owner", "carol", env=made)
    run("promise", "3", "Final check", "--due", "2026-11-27 10:00", "--owner", "carol", env=made)
    run("kept", "2", "--at", "2026-11-19 14:00")
    run("reschedule", "3", "--due", "2026-11-24 10:00", "--reason", "parts late",
        env=at("2026-11-20T11:00:00+00:00"))  # fmt: skip
    run("kept", "3", "--at", "2026-11-24 09:00")
    run("reschedule", "4", "--due", "2026-11-26 15:00", "--reason", "customer away",
        env=at("2026-11-24T09:00:00+00:00"))  # fmt: skip
    run("kept", "4", "--at", "2026-11-26 14:00")
    run("cancel", "5", "--reason", "not needed", env=at("2026-11-25T09:00:00+00:00"))
    run("escalate", "3", "--to", "manager", "--reason", "customer angry")
    return run


def test_report_json_has_every_spec_key(book):
    r = book("report", "--format", "json").json
    missing = [k for k in SPEC_REPORT_KEYS if k not in r]
    assert missing == []


def test_report_json_counts_and_durations(book):
    r = book("report", "--format", "json").json
    assert (r["opened"], r["resolved"], r["open"]) == (4, 3, 1)  # c3 is the open one
    # first response: c1 Fri 16:00 -> Mon 09:30 = 1h + 0.5h = 1.5h (across the weekend)
    #                 c2 Tue 09:00 -> kept promise 12:00 = 3h
    #                 c3 Wed 09:00 -> out email Thu 09:00 = 8h (the internal note does not count)
    #                 c4 never answered: left out
    assert r["first_response_median_hours"] == 3.0  # middle of [1.5, 3, 8]
    assert r["first_response_p90_hours"] == 7.0  # 3 + (8 - 3) * 0.8
    # resolution: c1 Fri 16:00 -> Mon 10:00 = 1h + 1h = 2h (across the weekend)
    #             c2 Tue 09:00 -> Wed 13:00 = 8h + 4h = 12h
    #             c4 Mon 16 09:00 -> Mon 23 11:00 = 5 x 8h + 2h = 42h
    assert r["resolution_median_hours"] == 12.0
    assert r["resolution_p90_hours"] == 36.0  # 12 + (42 - 12) * 0.8
    # within 5bd: c1 yes, c2 yes, c4 no (deadline Fri 20 17:00) -> 2 / 3
    assert r["resolved_quickly_rate"] == 2 / 3


def test_report_json_promise_keeping_overall_and_per_owner(book):
    r = book("report", "--format", "json").json
    # due: 1 (Tue 17), 2 (Thu 19), 3 (broke Fri 20 10:00), 4 (Thu 26 15:00 after an early
    # reschedule), 6 (Fri 27, overdue); 5 was cancelled before its due time -> 5 due
    assert r["promises_due"] == 5
    # on time: 1 (kept 12:00 < 15:00) and 4 (kept 14:00 < 15:00); 2 kept late, 3 rescheduled late
    assert r["promises_kept_on_time"] == 2
    assert r["promise_keeping_rate"] == 0.4
    assert r["reschedules"] == 2  # promise 3 (late) and promise 4 (early)
    owners = {row["owner"]: row for row in r["by_owner"]}
    assert [row["owner"] for row in r["by_owner"]] == ["alice", "bob", "carol"]
    # alice: 2 (late), 3 (rescheduled late) -> 0 / 2
    assert (owners["alice"]["promises_due"], owners["alice"]["promises_kept_on_time"]) == (2, 0)
    assert owners["alice"]["promise_keeping_rate"] == 0.0
    # bob: 1 on time -> 1 / 1
    assert (owners["bob"]["promises_due"], owners["bob"]["promises_kept_on_time"]) == (1, 1)
    assert owners["bob"]["promise_keeping_rate"] == 1.0
    # carol: 4 on time, 6 overdue, 5 not counted -> 1 / 2
    assert (owners["carol"]["promises_due"], owners["carol"]["promises_kept_on_time"]) == (2, 1)
    assert owners["carol"]["promise_keeping_rate"] == 0.5
    # complaints per owner: alice c1, c3, c4 (resolved c1 2h, c4 42h -> median 22h); bob c2 (12h)
    assert {k: owners["alice"][k] for k in ("opened", "resolved", "open", "resolution_median_hours")} == {
        "opened": 3, "resolved": 2, "open": 1, "resolution_median_hours": 22.0}  # fmt: skip
    assert {k: owners["bob"][k] for k in ("opened", "resolved", "open", "resolution_median_hours")} == {
        "opened": 1, "resolved": 1, "open": 0, "resolution_median_hours": 12.0}  # fmt: skip
    assert {k: owners["carol"][k] for k in ("opened", "resolved", "open", "resolution_median_hours")} == {
        "opened": 0, "resolved": 0, "open": 0, "resolution_median_hours": None}  # fmt: skip


def test_report_json_rates_over_complaints(book):
    r = book("report", "--format", "json").json
    assert r["escalation_rate"] == 0.25  # c3 escalated, of 4 opened
    assert r["confirmed_rate"] == 1 / 3  # c1 confirmed; c2 unconfirmed; c4 not asked
    assert r["satisfaction_mean"] == 3.0  # (4 + 2) / 2
    for key in RATES:
        assert 0 <= r[key] <= 1, key


def test_report_json_breakdowns_repeat_customers_and_faq_candidates(book):
    r = book("report", "--format", "json").json
    assert r["by_category"] == [
        # till c1, c3, c4: resolved c1 2h, c4 42h -> median 22h; printer c2 12h
        {
            "category": "till",
            "opened": 3,
            "resolved": 2,
            "open": 1,
            "resolution_median_hours": 22.0,
        },
        {
            "category": "printer",
            "opened": 1,
            "resolved": 1,
            "open": 0,
            "resolution_median_hours": 12.0,
        },
    ]
    assert r["by_cause"] == [
        # ours c1, c4; then the 1-complaint groups by name: "(none)" (c3) before "customer" (c2)
        {"cause": "ours", "opened": 2, "resolved": 2, "open": 0, "resolution_median_hours": 22.0},
        {"cause": "(none)", "opened": 1, "resolved": 0, "open": 1, "resolution_median_hours": None},
        {
            "cause": "customer",
            "opened": 1,
            "resolved": 1,
            "open": 0,
            "resolution_median_hours": 12.0,
        },
    ]
    assert r["by_channel"] == [
        {
            "channel": "phone",
            "opened": 3,
            "resolved": 2,
            "open": 1,
            "resolution_median_hours": 22.0,
        },
        {
            "channel": "email",
            "opened": 1,
            "resolved": 1,
            "open": 0,
            "resolution_median_hours": 12.0,
        },
    ]
    assert r["repeat_customers"] == [{"customer": "Acme", "complaints": 2}]  # c1, c3
    # (till, ours): c1, c4 -> 2; (till, unknown) c3 and (printer, customer) c2 only once
    assert r["faq_candidates"] == [{"category": "till", "cause": "ours", "complaints": 2}]


def test_report_since_until_limits_the_period(book):
    r = book(
        "report", "--since", "2026-11-18 00:00", "--until", "2026-11-21 00:00", "--format", "json"
    ).json
    assert r["since"] == "2026-11-18T00:00:00+00:00"
    assert r["until"] == "2026-11-21T00:00:00+00:00"
    # opened in [Wed 18, Sat 21): c1 (Fri 20 16:00) and c3 (Wed 18); resolved in it: c2 (Wed 18 13:00)
    assert (r["opened"], r["resolved"], r["open"]) == (2, 1, 1)  # c1 has since been resolved
    # first response of c1 1.5h and c3 8h -> median 4.75
    assert r["first_response_median_hours"] == 4.75
    # p90 = 1.5 + (8 - 1.5) * 0.9 = 7.35 (0.9 is not exact in binary floating point)
    assert r["first_response_p90_hours"] == pytest.approx(7.35, abs=1e-9)
    assert (r["resolution_median_hours"], r["resolution_p90_hours"]) == (12.0, 12.0)  # c2 only
    assert r["resolved_quickly_rate"] == 1.0
    # due in the period: 2 (Thu 19 12:00, kept late) and 3 (broke Fri 20 10:00) -> 0 / 2
    assert (r["promises_due"], r["promises_kept_on_time"], r["promise_keeping_rate"]) == (2, 0, 0.0)
    assert r["reschedules"] == 1  # promise 3 on Fri 20; promise 4's was on Tue 24
    assert r["escalation_rate"] == 0.5  # c3 of c1, c3
    assert r["confirmed_rate"] == 0.0  # c2 unconfirmed
    assert r["satisfaction_mean"] == 2.0
    assert r["repeat_customers"] == [{"customer": "Acme", "complaints": 2}]


def test_an_all_time_report_counts_the_first_day_complog_accepts(run):
    """1 January 1900, the first date `--at` takes, is 31 December 1899 in UTC east of
    Greenwich: the report with no --since must count what one since that day counts."""
    run("config", "tz", "Pacific/Auckland")  # +11:30 in 1900
    run("add", "Acme", "Till", "--at", "1900-01-01 09:00",
        "--promise", "Call back", "--due", "1900-01-01 10:00")  # fmt: skip
    run("kept", "1", "--at", "1900-01-01 09:30")
    run("resolve", "1", "--outcome", "Fixed", "--at", "1900-01-01 11:00")  # 23:30 UTC
    everything = run("report", "--format", "json").json
    since_then = run("report", "--since", "1900-01-01 00:00", "--format", "json").json
    for r in (everything, since_then):
        assert (r["opened"], r["resolved"]) == (1, 1)
        assert (r["promises_due"], r["promises_kept_on_time"]) == (1, 1)


def test_report_reads_one_state_of_the_logbook(run, proc, monkeypatch):
    """The report reads complaints, then counts the promises: an `add` with a promise
    that commits in between must be counted whole (complaint and promise) or not at
    all, never its promise without its complaint."""
    from complog.queries import Reader

    monkeypatch.setenv("COMPLOG_NOW", REPORT_NOW)
    run("add", "Acme", "Till", "--at", "2026-11-23 09:00")
    stream = Reader.stream

    def add_after_the_complaints(self, sql, params=None):
        yield from stream(self, sql, params)
        if "FROM complaint c" in sql:  # another terminal logs a complaint meanwhile
            proc("add", "Newco", "Printer", "--at", "2026-11-24 09:00", "--owner", "zed",
                 "--promise", "Call back", "--due", "2026-11-24 10:00")  # fmt: skip

    monkeypatch.setattr(Reader, "stream", add_after_the_complaints)
    r = run("report", "--format", "json").json
    zed = [o for o in r["by_owner"] if o["owner"] == "zed"]
    assert (r["opened"], r["promises_due"], zed) == (1, 0, [])


def test_report_on_an_empty_logbook_has_null_rates_and_zero_counts(run):
    r = run("report", "--format", "json").json
    assert [k for k in SPEC_REPORT_KEYS if k not in r] == []
    for key in RATES + ["first_response_median_hours", "first_response_p90_hours",
                        "resolution_median_hours", "resolution_p90_hours", "satisfaction_mean"]:  # fmt: skip
        assert r[key] is None, key
    for key in (
        "opened",
        "resolved",
        "open",
        "promises_due",
        "promises_kept_on_time",
        "reschedules",
    ):
        assert r[key] == 0, key
    for key in ("by_owner", "by_category", "by_cause", "by_channel", "repeat_customers"):
        assert r[key] == [], key


def test_report_business_hours_skip_a_configured_holiday(run, monkeypatch):
    monkeypatch.setenv("COMPLOG_NOW", "2026-12-31T09:00:00+00:00")
    run("add", "Acme", "Till crashes", "--at", "2026-12-24 16:00")
    run("resolve", "1", "--outcome", "Fixed", "--at", "2026-12-28 10:00")
    # no holiday: Thu 24 16-17 = 1h + Fri 25 8h + Mon 28 9-10 = 1h -> 10h
    assert run("report", "--format", "json").json["resolution_median_hours"] == 10.0
    run("config", "holidays", "2026-12-25")
    # Fri 25 a holiday: 1h + 0h + 1h -> 2h
    assert run("report", "--format", "json").json["resolution_median_hours"] == 2.0


def test_report_business_hours_follow_the_configured_time_zone(run, monkeypatch):
    run("config", "tz", "America/New_York")
    # --at is local time: Fri 20 16:00 EST (21:00 UTC) -> Mon 23 10:00 EST (15:00 UTC)
    run("add", "Acme", "Till crashes", "--at", "2026-11-20 16:00", env=at(REPORT_NOW))
    run("resolve", "1", "--outcome", "Fixed", "--at", "2026-11-23 10:00", env=at(REPORT_NOW))
    r = run("report", "--format", "json", env=at(REPORT_NOW)).json
    assert r["until"] == "2026-11-30T04:00:00-05:00"  # shown in the configured zone
    # 16:00-17:00 Friday + 09:00-10:00 Monday, New York working day -> 2h
    assert r["resolution_median_hours"] == 2.0


def test_resolved_quickly_follows_the_resolve_within_setting(book):
    assert book("report", "--format", "json").json["resolved_quickly_rate"] == 2 / 3  # 5bd: c1, c2
    book("config", "resolve_within", "1bd")
    r = book("report", "--format", "json").json
    assert r["resolve_within"] == "1bd"
    # 1bd = 8 working hours: c1 (2h) yes, c2 (12h) no, c4 (42h) no -> 1 / 3
    assert r["resolved_quickly_rate"] == 1 / 3


# -- the terminal and plain output ------------------------------------------------


def test_report_without_a_terminal_prints_plain_key_figures(book, proc):
    out = proc("report").stdout
    assert not ANSI.search(out)
    assert out.startswith("complog report, the beginning to 2026-11-30 09:00\n")
    assert "  Opened / resolved / still open: 4 / 3 / 1\n" in out
    assert "  First response, median (p90): 3.0h (7.0h)\n" in out
    assert "  Resolution, median (p90): 12.0h (36.0h)\n" in out
    assert "  Resolved within 5bd: 67%\n" in out
    assert "  Promises kept on time: 40% (2 of 5 due)\n" in out
    assert "  Reschedules: 2\n" in out
    assert "  Escalated: 25%\n" in out
    assert "  Customer confirmed: 33%\n" in out
    assert "  Satisfaction, mean: 3.0 / 5\n" in out
    assert "\nBy owner\n" in out
    assert "  alice: opened 3, resolved 2, median 22.0h, promises kept 0% (0/2)\n" in out
    assert "  bob: opened 1, resolved 1, median 12.0h, promises kept 100% (1/1)\n" in out
    assert "  carol: opened 0, resolved 0, median –, promises kept 50% (1/2)\n" in out
    assert "  2  till / ours\n" in out  # FAQ candidate
    assert "  2  Acme\n" in out  # repeat customer


def test_report_by_category_shows_that_breakdown(book):
    out = book("report", "--by", "category").stdout
    assert "\nBy category\n" in out
    assert "  till: opened 3, resolved 2, median 22.0h\n" in out
    assert "  printer: opened 1, resolved 1, median 12.0h\n" in out
    assert "By owner" not in out


def test_report_table_format_off_a_terminal_has_no_ansi(book):
    out = book("report", "--format", "table", "--by", "cause").stdout
    assert not ANSI.search(out)
    assert "By cause" in out
    assert "4 / 3 / 1" in out
    assert "ours" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "customer"], "cannot break down by 'customer'"),
        (["--format", "xml"], "unknown format 'xml'"),
        (
            ["--since", "2026-11-20 00:00", "--until", "2026-11-19 00:00"],
            "--since must be before --until",
        ),
        (["--since", "last blue moon"], ""),
    ],
)
def test_report_bad_options_exit_2(run, args, message):
    run("init")
    assert_clean_error(run("report", *args, exit=2), 2, message)


# -- the HTML page ----------------------------------------------------------------------

W3C_NAMESPACES = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
}
XMLNS = re.compile(r'\sxmlns(?::[\w-]+)?="(https?://[^"]*)"')


@pytest.fixture
def page(run, tmp_path, monkeypatch) -> Path:
    """Two complaints from a customer and in a category whose names are HTML."""
    monkeypatch.setenv("COMPLOG_NOW", REPORT_NOW)
    run(
        "add",
        "<i>Evil & Co</i>",
        "Till crashes",
        "--at",
        "2026-11-16 09:00",
        "--category",
        "<b>bold</b>",
    )
    run(
        "add",
        "<i>Evil & Co</i>",
        "Till again",
        "--at",
        "2026-11-17 09:00",
        "--category",
        "<b>bold</b>",
    )
    run("resolve", "1", "--outcome", "Fixed", "--at", "2026-11-16 11:00")  # 2h
    path = tmp_path / "out" / "report.html"
    path.parent.mkdir()
    ran = run("report", "--html", str(path))
    assert f"Wrote {path}" in ran.stderr + ran.stdout
    assert "Opened / resolved / still open: 2 / 1 / 1" in ran.stdout  # the report still prints
    return path


def test_html_page_is_one_self_contained_document(page):
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.rstrip().endswith("</html>")
    assert "<script" not in text.lower()
    assert text.count("<svg") == len(PAGE_CHARTS)  # one per chart, no compensation value
    # nothing that would load a resource: no src/href/url()/@import pointing anywhere
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", text, re.I)
    assert "@import" not in text
    assert "<link" not in text.lower() and "<iframe" not in text.lower()


def test_html_page_mentions_no_url_but_svg_namespaces(page):
    text = page.read_text(encoding="utf-8")
    for uri in XMLNS.findall(text):
        assert uri in W3C_NAMESPACES, uri
    rest = XMLNS.sub("", text)
    assert re.findall(r"https?://\S{0,60}", rest) == []


def test_html_page_shows_the_key_figures(page):
    text = page.read_text(encoding="utf-8")
    card = '<div class="card"><div class="label">{}</div><div class="value">{}</div></div>'
    assert card.format("Opened / resolved / still open", "2 / 1 / 1") in text
    assert card.format("Resolution, median (p90)", "2.0h (2.0h)") in text
    assert card.format("Resolved within 5bd", "100%") in text
    assert card.format("Promises kept on time", "– (0 of 0 due)") in text
    assert "Time to resolution (business hours)" in text


def test_html_page_escapes_customer_and_category_text(page):
    text = page.read_text(encoding="utf-8")
    assert "<b>bold</b>" not in text
    assert "<i>Evil" not in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text  # FAQ candidates table and the category chart
    assert "<td>&lt;b&gt;bold&lt;/b&gt;</td>" in text
    assert "<td>&lt;i&gt;Evil &amp; Co&lt;/i&gt;</td>" in text  # repeat customers table


#: control, bidi and C1 characters in a name: an OSC 8 link, a colour, a bell, an override
HOSTILE = "\x1b]8;;http://evil\x1b\\Acme\x1b]8;;\x1b\\ \x1b[31mRED\x07 \u202eRLO \u009b31m"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")


def test_html_page_keeps_control_and_bidi_characters_inert(run, tmp_path):
    """The page can go to stdout (`--html -`): stored text must not reach a terminal
    (or a browser's bidi algorithm) raw there, any more than in the other formats."""
    for day in ("16", "17"):  # twice: the repeat customers and FAQ tables name them
        run("add", f"{HOSTILE} cust", "Till", "--at", f"2026-11-{day} 09:00",
            "--owner", f"{HOSTILE} owner", "--category", f"{HOSTILE} cat")  # fmt: skip
    run("resolve", "1", "--outcome", "Fixed", "--compensation", f"{HOSTILE} voucher",
        "--cause", "ours", "--at", "2026-11-16 11:00")  # fmt: skip
    path = tmp_path / "r.html"
    run("report", "-f", "json", "--html", str(path))
    for text in (path.read_text(encoding="utf-8"), run("report", "--html", "-").stdout):
        assert RAW_CONTROL.findall(text) == []
        assert "\\x1b]8;;http://evil" in text  # shown, as the terminal views show it


CHROMIUM = Path("/usr/bin/chromium")
#: every chart the page draws for a logbook without compensation amounts
PAGE_CHARTS = ["volume", "backlog", "service_levels", "open_age", "owner_load", "resolution_time",
               "promise_keeping", "causes", "categories", "channels", "satisfaction",
               "compensation_given"]  # fmt: skip


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_html_page_renders_in_headless_chromium(page, tmp_path):
    png = tmp_path / "report.png"
    profile = tmp_path / "chromium-profile"
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--screenshot={png}", "--window-size=1280,2000", page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert png.exists()
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1280  # IHDR width
    assert int.from_bytes(data[20:24], "big") == 2000  # IHDR height
    # a blank 1280x2000 page compresses to a few kB; cards, tables and four charts do not
    assert len(data) > 40_000, len(data)


def test_html_writer_needs_no_terminal(book, proc, tmp_path):
    path = tmp_path / "r.html"
    ran = proc("report", "--format", "json", "--html", str(path))
    assert ran.json["opened"] == 4  # stdout stays pure JSON
    assert path.stat().st_size > 0
    assert "<svg" in path.read_text(encoding="utf-8")


def test_business_days_in_the_report_are_the_logbooks_own_working_day(run, tmp_path):
    # A four-hour working day: 8 working days from Wednesday 11 to Monday 23 are 32 business
    # hours, which the old report called "32.0h" (an 8-hour day) instead of 8 days.
    run("config", "day_start", "09:00")
    run("config", "day_end", "13:00")
    run("add", "Acme", "Till crashes", "--at", "2026-11-11 09:00")
    run("resolve", "1", "--outcome", "Replaced the till")

    plain = run("report", "-f", "plain").stdout
    page = tmp_path / "r.html"
    run("report", "--html", str(page), "-f", "json")

    assert "Resolution, median (p90): 8.0 bd (8.0 bd)" in plain
    assert run("report", "-f", "json").json["business_day_hours"] == 4
    html = page.read_text()
    assert "&lt; 2h" in html and "2–4h" in html and "&lt; 4h" not in html


def test_report_leaves_the_garbage_collector_as_it_found_it(book):
    """`report` pauses the cyclic collector while it holds the year's rows (bulk.py);
    in-process callers (CliRunner, the demo) get it back, also after a failure."""
    import gc

    book("report", "--format", "json", env=at(REPORT_NOW))
    assert gc.isenabled()
    book("report", "--until", "2026-11-01", "--since", "2026-11-02", exit=2)
    assert gc.isenabled()
