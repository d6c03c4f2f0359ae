"""Issue 22: charts that compare, partial weeks, "(none)" apart, bounded plain output,
and the views a manager asks for (backlog, ageing, weekly service levels, channels,
satisfaction and compensation over time, owner load), checked through their data.

The hand-computed logbook is test_report's `book` (report read Monday 30 Nov 09:00 UTC,
working time 09:00-17:00 Mon-Fri, resolve_within 5bd, acknowledge_within 4bh).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.cli import test_report
from tests.cli.test_report import CHROMIUM, PAGE_CHARTS, REPORT_NOW

book = test_report.book  # the hand-computed logbook, a fixture


def chart(report: dict, key: str) -> dict:
    return next(c for c in report["charts"] if c["key"] == key)


def weeks_of(run, spec: list[tuple[int, int]], first_monday: str = "2026-11-02") -> None:
    """Per week (Mondays from `first_monday`): complaints opened on Tuesday and
    resolved on Wednesday of that week."""
    from datetime import date, timedelta

    monday = date.fromisoformat(first_monday)
    number = 0
    for opened, resolved in spec:
        tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
        ids = []
        for i in range(opened):
            number += 1
            run("add", f"Customer {number}", "Till crashes", "--at", f"{tuesday} 10:0{i % 10}")
            ids.append(number)
        for complaint in ids[:resolved]:
            run("resolve", str(complaint), "--outcome", "Fixed", "--at", f"{wednesday} 10:00")
        monday += timedelta(weeks=1)


# -- 1. one scale per chart -------------------------------------------------------------


def test_opened_and_resolved_sparklines_share_one_scale(run, monkeypatch):
    monkeypatch.setenv("COMPLOG_NOW", REPORT_NOW)
    weeks_of(run, [(3, 1), (3, 1), (1, 1)])
    args = ["--since", "2026-11-02 00:00", "--until", "2026-11-23 00:00"]
    out = run("report", "-f", "plain", *args).stdout
    # opened [3, 3, 1] and resolved [1, 1, 1] on the one scale 0-3: 1 is a low bar in
    # both rows (the old report stretched resolved to its own maximum: ███)
    assert "  opened    ██▃  last 1\n" in out
    assert "  resolved  ▃▃▃  last 1\n" in out
    volume = chart(run("report", "-f", "json", *args).json, "volume")
    assert volume["scale"] == [0.0, 3.0]
    assert [s["values"] for s in volume["series"]][:2] == [[3, 3, 1, 0], [1, 1, 1, 0]]


# -- 2. partial weeks ----------------------------------------------------------------------


def test_a_period_starting_on_friday_marks_its_first_week_partial(run, monkeypatch, tmp_path):
    monkeypatch.setenv("COMPLOG_NOW", REPORT_NOW)
    weeks_of(run, [(3, 3), (3, 3), (3, 3)])
    run("add", "Late Friday", "Printer", "--at", "2026-11-06 10:00")  # Friday of week one
    args = ["--since", "2026-11-06 00:00", "--until", "2026-11-23 00:00"]
    r = run("report", "-f", "json", *args).json
    first, *rest = r["weekly"]
    # Fri 6 to Sun 8: three days of the week of Monday 2 November; 1 opened in them
    assert (first["week"], first["partial"], first["days"], first["opened"]) == (
        "2026-11-02", True, 3, 1)  # fmt: skip
    assert [(w["week"], w["partial"], w["days"]) for w in rest] == [
        ("2026-11-09", False, 7), ("2026-11-16", False, 7), ("2026-11-23", True, 0)]  # fmt: skip
    assert chart(r, "volume")["partial"] == [True, False, False, True]
    out = run("report", "-f", "plain", *args).stdout
    # the partial week is left out of the sparklines, and the report says so
    assert "partial weeks left out: 2026-11-02 (3 of 7 days), 2026-11-23 (0 of 7 days)" in out
    assert "  opened    ██  last 3\n" in out
    page = tmp_path / "r.html"
    run("report", "--html", str(page), *args)
    assert "11-02*</text>" in page.read_text()  # marked on the page's axis
    assert 'class="partial"' in page.read_text()


# -- 3. causes and categories apart, "(none)" apart -----------------------------------------


def test_causes_and_categories_are_separate_charts_with_none_apart(book, tmp_path):
    r = book("report", "-f", "json").json
    causes, categories = chart(r, "causes"), chart(r, "categories")
    # causes: ours c1, c4 (2); customer c2 (1); c3 has none: apart, not ranked second
    assert causes["labels"] == ["ours", "customer"]
    assert causes["series"][0]["values"] == [2, 1]
    assert causes["apart"] == [{"label": "(none)", "value": 1}]
    assert categories["labels"] == ["till", "printer"] and categories["apart"] == []
    page = tmp_path / "r.html"
    book("report", "--html", str(page))
    text = page.read_text()
    causes_figure = re.search(r'<figure class="chart" data-chart="causes".*?</figure>', text, re.S)
    assert causes_figure is not None
    assert 'class="apart" data-series="opened" data-value="1"' in causes_figure.group()
    assert "category:" not in text and "cause:" not in text  # no longer one shared axis


# -- 4. plain output bounded like the table --------------------------------------------------


def test_plain_report_bounds_faq_candidates_and_repeat_customers(run, monkeypatch):
    monkeypatch.setenv("COMPLOG_NOW", REPORT_NOW)
    for n in range(1, 10):  # nine customers, twice each, each in a category of their own
        for day in (16, 17):
            run("add", f"Customer {n}", "Till", "--at", f"2026-11-{day} 10:00",
                "--category", f"cat{n}")  # fmt: skip
    out = run("report", "-f", "plain").stdout
    faq = out.split("FAQ candidates (category, cause)\n")[1].split("\n\n")[0].splitlines()
    assert len(faq) == 7 and faq[-1] == "  … and 3 more"  # 6 shown, as the table shows
    repeat = out.split("Repeat customers\n")[1].splitlines()
    assert len(repeat) == 9 and repeat[-1] == "  … and 1 more"  # 8 shown
    table = run("report", "-f", "table").stdout
    assert "… and 3 more" in table and "… and 1 more" in table


# -- 5. the views a manager asks for -----------------------------------------------------------


def test_weekly_backlog_and_service_levels(book):
    weekly = book("report", "-f", "json").json["weekly"]
    assert [w["week"] for w in weekly] == ["2026-11-16", "2026-11-23", "2026-11-30"]
    assert [(w["partial"], w["days"]) for w in weekly] == [(False, 7), (False, 7), (True, 1)]
    assert [(w["opened"], w["resolved"]) for w in weekly] == [(4, 1), (0, 2), (0, 0)]
    # open at each week's end: 4 opened - c2 resolved = 3; then c1, c4 resolved -> 1; c3 still
    assert [w["backlog"] for w in weekly] == [3, 1, 1]
    # acknowledged within 4bh: c1 1.5h yes, c2 3h yes, c3 8h no, c4 never -> 2 of 4
    assert (weekly[0]["acknowledged_in_time"], weekly[0]["acknowledged_in_time_rate"]) == (2, 0.5)
    # resolved within 5bd: week 16 c2 (12h) -> 1/1; week 23 c1 (2h) yes, c4 (42h) no -> 1/2
    assert [w["resolved_in_time_rate"] for w in weekly] == [1.0, 0.5, None]
    # promises due: week 16: 1 (on time), 2 (late), 3 (rescheduled late) -> 1/3;
    # week 23: 4 (on time), 6 (overdue) -> 1/2
    assert [(w["promises_due"], w["promises_kept_on_time"]) for w in weekly] == [
        (3, 1), (2, 1), (0, 0)]  # fmt: skip
    assert [w["satisfaction_mean"] for w in weekly] == [2.0, 4.0, None]  # c2 2; c1 4 (c4 none)
    levels = chart(book("report", "-f", "json").json, "service_levels")
    assert levels["scale"] == [0.0, 1.0]
    assert [s["name"] for s in levels["series"]] == [
        "acknowledged in time", "resolved in time", "promises kept"]  # fmt: skip


def test_open_complaints_age_against_resolve_within_and_owner_load(book):
    r = book("report", "-f", "json").json
    # c3, open since Wed 18 09:00: 8 working days of 8h = 64h at Mon 30 09:00, past 5bd (40h)
    assert [(b["bucket"], b["complaints"], b["over_limit"]) for b in r["open_age"]] == [
        ("under 2.5bd", 0, False), ("2.5bd–5bd", 0, False), ("5bd–10bd", 1, True),
        ("10bd–20bd", 0, True), ("over 20bd", 0, True)]  # fmt: skip
    assert r["open_over_limit"] == 1
    assert r["oldest_open_at"] == "2026-11-18T09:00:00+00:00"
    assert r["owner_load"] == [
        {"owner": "alice", "open": 1, "over_limit": 1, "oldest_opened_at": "2026-11-18T09:00:00+00:00"}]  # fmt: skip
    assert chart(r, "open_age")["limit_at"] == 2
    plain = book("report", "-f", "plain").stdout
    assert "  Open now, past 5bd: 1\n" in plain
    assert "  alice  ████████████████████  1 open · 1 past 5bd\n" in plain


def test_channels_chart_in_json_and_terminal(book):
    channels = chart(book("report", "-f", "json").json, "channels")
    assert (channels["labels"], channels["series"][0]["values"]) == (["phone", "email"], [3, 1])
    assert (
        "Complaints by channel (opened)\n  phone  ████████████████████  3\n"
        in book("report").stdout
    )


def test_compensation_over_time_per_currency_never_summed(run, monkeypatch):
    monkeypatch.setenv("COMPLOG_NOW", REPORT_NOW)
    for n, given in enumerate(
        ["£50 voucher", "refund of 12.50 USD", "30 EUR credit", "£5 and a call"]
    ):
        run("add", f"Customer {n}", "Till", "--at", "2026-11-17 10:00")
        day = 18 if n < 2 else 24
        run("resolve", str(n + 1), "--outcome", "Fixed", "--compensation", given,
            "--at", f"2026-11-{day} 10:00")  # fmt: skip
    r = run("report", "-f", "json").json
    assert r["compensation_totals"] == {"EUR": 3000, "GBP": 5500, "USD": 1250}
    weekly = {w["week"]: w for w in r["weekly"]}
    assert weekly["2026-11-16"]["compensation"] == {"GBP": 5000, "USD": 1250}
    assert weekly["2026-11-23"]["compensation"] == {"EUR": 3000, "GBP": 500}
    gbp = chart(r, "compensation_GBP")
    assert (gbp["unit"], gbp["series"][0]["values"][:2]) == ("GBP", [50.0, 5.0])
    assert {c["key"] for c in r["charts"]} >= {"compensation_EUR", "compensation_USD"}
    out = run("report", "-f", "plain").stdout
    assert (
        "  Compensation given: 4 (value 30,00 € + £55.00 + $12.50)\n" in out
    )  # money.format_money


# -- the page in headless Chromium ---------------------------------------------------------------


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_every_chart_renders_in_chromium_without_errors_or_requests(book, tmp_path):
    page = tmp_path / "report.html"
    book("add", "Delta", "Card reader", "--at", "2026-11-24 10:00")  # c5, for a compensation
    book("resolve", "5", "--outcome", "Replaced", "--compensation", "£20 voucher",
         "--at", "2026-11-25 10:00")  # fmt: skip
    book("report", "--html", str(page))
    netlog = tmp_path / "net.json"
    ran = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         f"--log-net-log={netlog}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    dom = ran.stdout
    assert dom.startswith("<!DOCTYPE html>") and "Complaints report" in dom
    # every chart present, drawn, not empty
    figures = dict(
        re.findall(r'<figure class="chart" data-chart="([\w]+)" data-empty="(\w+)"', dom)
    )
    assert sorted(figures) == sorted([*PAGE_CHARTS, "compensation_GBP"])
    assert [key for key, empty in figures.items() if empty != "false"] == []
    for key in figures:
        body = re.search(rf'data-chart="{key}".*?</figure>', dom, re.S)
        assert body is not None and re.search(
            r'<(rect|circle) class="(bar|point|apart)"', body.group()
        ), key
    # nothing on the console (the page runs no script: any message is an error)
    assert "CONSOLE" not in ran.stderr, ran.stderr
    # and no request from the page leaves the file (the browser's own are not the page's)
    log = json.loads(netlog.read_text())
    starts = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    from_page = [
        e["params"]["url"] for e in log["events"]
        if e["type"] == starts and "file://" in e["params"].get("network_isolation_key", "")
    ]  # fmt: skip
    assert [url for url in from_page if not url.startswith("file:")] == []


def test_print_stylesheet_lays_the_page_out_on_a4(book, tmp_path):
    page = tmp_path / "r.html"
    book("report", "--html", str(page))
    text = page.read_text()
    assert "@page { size: A4;" in text and "@media print" in text
    assert "break-inside: avoid" in text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_page_prints_to_a4_pdf_in_chromium(book, tmp_path):
    page, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    book("report", "--html", str(page))
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # A4 is 595 x 842 points
    sizes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data))
    assert sizes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in sizes)


def test_report_page_path_is_written_where_asked(book, tmp_path: Path):
    page = tmp_path / "deep" / "r.html"
    page.parent.mkdir()
    book("report", "--html", str(page), "-f", "json")
    assert page.read_text().count("<figure") == len(PAGE_CHARTS)


# -- 7. show of a complaint with a long timeline -------------------------------------------------


@pytest.fixture
def chatty(run, monkeypatch):
    """Complaint 1 with 60 notes, a promise and a resolution: 63 timeline entries."""
    monkeypatch.setenv("COMPLOG_NOW", REPORT_NOW)
    run("add", "Acme", "Till crashes", "--at", "2026-11-02 09:00", "--promise", "Call back",
        "--due", "2026-11-20 12:00")  # fmt: skip
    for i in range(60):
        run("note", "1", f"call {i:02d}\nFAKE forged line", "--at",
            f"2026-11-{3 + i // 10:02d} {9 + i % 10:02d}:00")  # fmt: skip
    run("kept", "1", "--at", "2026-11-20 11:00")
    run("resolve", "1", "--outcome", "Replaced", "--at", "2026-11-20 12:00")
    return run


def test_show_prints_the_latest_entries_and_says_how_many_came_before(chatty):
    out = chatty("show", "1", "-f", "plain").stdout
    timeline = out.split("Timeline\n")[1].splitlines()
    # 64 entries: opened, promise, 60 notes, kept, resolved -> the latest 50 and a pointer
    assert timeline[0] == "  … 14 earlier: use --all"
    assert len(timeline) == 51
    # left out: opened, promise and calls 00-11
    assert "call 11 FAKE forged line" not in out and "call 12 FAKE forged line" in out
    assert timeline[-1].split()[2:4] == ["resolved", "Replaced"]
    every = chatty("show", "1", "-f", "plain", "--all").stdout.split("Timeline\n")[1].splitlines()
    assert len(every) == 64 and "earlier" not in every[0]
    table = chatty("show", "1", "-f", "table").stdout
    assert "Timeline (… 14 earlier: use --all)" in table


def test_show_json_streams_every_entry_exactly_as_one_document(chatty):
    ran = chatty("show", "1", "-f", "json")
    data = ran.json
    assert len(data["notes"]) == 60 and len(data["timeline"]) == 64
    assert [t["kind"] for t in data["timeline"][:3]] == ["opened", "promise", "note"]
    # byte for byte what one json.dumps of the same object writes
    assert ran.stdout == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    csv_rows = chatty("show", "1", "-f", "csv").stdout.splitlines()
    assert len(csv_rows) > 64 and csv_rows[0] == "at,kind,text"


def test_report_follows_the_global_format_it_supports(book):
    assert book("--format", "json", "report").json["opened"] == 4
    # csv is not a report format: the report keeps its own default rather than fail
    assert book("--format", "csv", "report").stdout.startswith("complog report, the beginning")


def test_a_complaint_logged_this_instant_is_open_in_every_view(run, monkeypatch):
    monkeypatch.setenv("COMPLOG_NOW", REPORT_NOW)
    long = "a category name far longer than a terminal chart label"
    run("add", "Acme", "Till", "--owner", "sam", "--category", f"\x1b[31m{long}")
    r = run("report", "-f", "json").json
    assert (r["open"], r["weekly"][-1]["backlog"], r["open_over_limit"]) == (1, 1, 0)
    assert r["owner_load"][0]["owner"] == "sam" and r["owner_load"][0]["open"] == 1
    assert r["open_age"][0]["complaints"] == 1
    out = run("report", "-f", "plain").stdout
    assert "  sam  ████████████████████  1 open · 0 past 5bd\n" in out
    # the label is made inert and clipped to the chart's width; the JSON keeps it whole
    assert "  \\x1b[31ma category name…  ████" in out and "\x1b" not in out
    assert chart(r, "categories")["labels"] == [f"\x1b[31m{long}"]


def test_show_json_streamed_is_one_state_of_the_complaint(run, proc, monkeypatch):
    """`show -f json` reads the notes twice (for `notes`, then merged into `timeline`):
    a note committed between the two reads must be in both or in neither."""
    from complog.queries import Reader

    run("add", "Acme", "Till")
    run("note", "1", "before")
    read = Reader.iter_notes
    reads = []

    def note_after_the_first_read(self, complaint_id):
        yield from read(self, complaint_id)
        reads.append(complaint_id)
        if len(reads) == 1:  # another terminal notes the complaint meanwhile
            proc("note", "1", "in between")

    monkeypatch.setattr(Reader, "iter_notes", note_after_the_first_read)
    shown = run("show", "1", "-f", "json").json
    assert len(reads) == 2
    in_timeline = [t["text"] for t in shown["timeline"] if t["kind"] == "note"]
    assert [n["text"] for n in shown["notes"]] == in_timeline == ["before"]


def test_show_json_streamed_keeps_control_characters_inert(run):
    run("add", "Acme", "Till")
    run("note", "1", "bidi \u202e and csi \u009b31m here")
    out = run("show", "1", "-f", "json").stdout
    assert "\u202e" not in out and "\u009b" not in out
    assert "\\u202e" in out and "\\u009b" in out
    assert json.loads(out)["notes"][0]["text"] == "bidi \u202e and csi \u009b31m here"
