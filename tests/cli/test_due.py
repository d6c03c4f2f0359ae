"""The morning list: `complog due`, its sections, filters, grouping and --exit-code.

Promises are made on Monday 2026-11-23 at 09:00 UTC; `due` is then asked at a
later moment through COMPLOG_NOW, so lateness is exact.
"""

from __future__ import annotations

import re

import pytest


def now(stamp: str) -> dict[str, str]:
    return {"COMPLOG_NOW": stamp}


@pytest.fixture
def morning(run):
    """Four open promises around Monday noon, one far away, one kept."""
    run(
        "add",
        "Acme Newsagency",
        "Till crashes",
        "--heat",
        "4",
        "--promise",
        "Call back",
        "--due",
        "today 10am",
    )
    run("add", "Bravo Bakery", "Oven cold", "--heat", "2", "--promise", "Engineer visit",
        "--due", "2026-11-20 16:30", "--owner", "sam")  # fmt: skip
    run(
        "add",
        "Corner Cafe",
        "Card reader",
        "--promise",
        "Ring with news",
        "--due",
        "today 3pm",
        "--owner",
        "Priya",
    )
    run("promise", "3", "Refund", "--due", "thu 10am")
    run("promise", "3", "Written reply", "--due", "2026-12-15")
    run("promise", "1", "Already done", "--due", "today 11am")
    run("kept", "6")


NOON = now("2026-11-23T12:34:00+00:00")


def test_due_sections_and_exact_overdue_minutes(run, morning):
    due = run("due", "--format", "json", env=NOON).json
    assert [(i["promise_id"], i["section"], i["overdue_minutes"]) for i in due] == [
        (2, "overdue", 3 * 24 * 60 - 4 * 60 + 4),  # Fri 16:30 -> Mon 12:34: 68h 4m
        (1, "overdue", 154),  # 10:00 -> 12:34
        (3, "today", 0),
        (4, "upcoming", 0),
    ]


def test_due_overdue_is_most_late_first(run):
    run("add", "Acme Newsagency", "Till")
    for due in ("today 8:30", "2026-11-20 10:00", "today 7am", "2026-11-22 09:00"):
        run("promise", "1", f"due {due}", "--due", due)
    due = run("due", "--format", "json").json
    minutes = [i["overdue_minutes"] for i in due]
    assert minutes == sorted(minutes, reverse=True)
    assert [i["text"] for i in due] == [
        "due 2026-11-20 10:00",
        "due 2026-11-22 09:00",
        "due today 7am",
        "due today 8:30",
    ]


def test_due_plain_shows_sections_and_how_late(run, morning):
    out = run("due", env=NOON).stdout
    assert out.splitlines() == [
        "Overdue (2)",
        "  P2  #2 Bravo Bakery  heat 2  Engineer visit  (sam)  due 20 Nov 16:30  2d 20h late",
        "  P1  #1 Acme Newsagency  heat 4  Call back  (tester)  due today 10:00  2h 34m late",
        "Today (1)",
        "  P3  #3 Corner Cafe  heat 3  Ring with news  (Priya)  due today 15:00",
        "Next 7 days (1)",
        "  P4  #3 Corner Cafe  heat 3  Refund  (tester)  due Thu 10:00",
    ]


def test_due_hours_late_reads_like_2h_late(run):
    run("add", "Acme Newsagency", "Till", "--promise", "Call back", "--due", "today 10am")
    out = run("due", env=now("2026-11-23T12:00:00+00:00")).stdout
    assert out.splitlines()[1].endswith("due today 10:00  2h late")


def test_due_days_widens_and_narrows_the_window(run, morning):
    def ids(days):
        return [
            i["promise_id"] for i in run("due", "--days", days, "--format", "json", env=NOON).json
        ]

    assert ids("0") == [2, 1, 3]
    assert ids("2") == [2, 1, 3]
    assert ids("3") == [2, 1, 3, 4]
    assert ids("30") == [2, 1, 3, 4, 5]


def test_due_days_title_says_how_many_days(run, morning):
    assert "Next 30 days (2)" in run("due", "--days", "30", env=NOON).stdout.splitlines()


def test_due_owner_filter_ignores_case(run, morning):
    due = run("due", "--owner", "priya", "--format", "json", env=NOON).json
    assert [i["promise_id"] for i in due] == [3]


def test_due_mine_uses_the_acting_user(run, morning):
    mine = run("due", "--mine", "--format", "json", env=NOON).json
    assert [i["promise_id"] for i in mine] == [1, 4]
    sams = run("--user", "sam", "due", "--mine", "--format", "json", env=NOON).json
    assert [i["promise_id"] for i in sams] == [2]
    envs = run("due", "--mine", "--format", "json", env={**NOON, "COMPLOG_USER": "Priya"}).json
    assert [i["promise_id"] for i in envs] == [3]


def test_due_owner_and_mine_together_is_a_usage_error(run):
    ran = run("due", "--owner", "sam", "--mine", exit=2)
    assert ran.stderr == "complog: error: use --owner or --mine, not both\n"


def test_due_by_owner_groups_under_each_owner(run, morning):
    out = run("due", "--by", "owner", env=NOON).stdout.splitlines()
    headers = [line for line in out if line.startswith("== ")]
    assert headers == ["== Priya ==", "== sam ==", "== tester =="]
    tester = out[out.index("== tester ==") :]
    assert tester[1] == "Overdue (1)"
    assert tester[2].startswith("  P1 ")
    assert tester[3] == "Next 7 days (1)"


def test_due_by_owner_json_is_sorted_by_owner(run, morning):
    due = run("due", "--by", "owner", "--format", "json", env=NOON).json
    assert [i["owner"] for i in due] == ["Priya", "sam", "tester", "tester"]


def test_due_by_anything_else_is_a_usage_error(run):
    ran = run("due", "--by", "customer", exit=2)
    assert ran.stderr == "complog: error: cannot group by 'customer'\n  use --by owner\n"


def test_due_exit_code_is_1_when_something_is_overdue(run, morning):
    ran = run("due", "--exit-code", env=NOON, exit=1)
    assert ran.stdout.startswith("Overdue (2)\n")
    assert ran.stderr == ""


def test_due_exit_code_is_0_when_nothing_is_overdue(run, morning):
    ran = run("due", "--exit-code", "--owner", "priya", env=NOON, exit=0)
    assert ran.stdout.startswith("Today (1)\n")


def test_due_without_exit_code_is_0_even_when_overdue(run, morning):
    run("due", env=NOON, exit=0)


def test_due_exit_code_on_an_empty_logbook_is_0(run):
    ran = run("due", "--exit-code", exit=0)
    assert ran.stdout == "Nothing due in the next 7 days.\n"


def test_due_is_read_only_and_lists_no_resolved_work(run, morning):
    run("resolve", "1", "--outcome", "Fixed", "--cancel-open-promises")
    due = run("due", "--format", "json", env=NOON).json
    assert 1 not in [i["complaint_id"] for i in due]


def test_due_csv_has_a_header_row(run, morning):
    lines = run("due", "--format", "csv", env=NOON).stdout.splitlines()
    header = lines[0].split(",")
    for key in (
        "promise_id",
        "complaint_id",
        "customer",
        "text",
        "owner",
        "due_at",
        "section",
        "overdue_minutes",
        "heat",
    ):
        assert key in header
    assert len(lines) == 5
    assert lines[1].startswith("2,2,Bravo Bakery,")


def test_due_table_shows_heat_and_sections_without_escapes_in_a_pipe(run, morning):
    out = run("due", "--format", "table", env={**NOON, "COLUMNS": "80"}).stdout
    assert "\x1b" not in out
    assert "Overdue (2)" in out
    assert "Today (1)" in out
    assert "Next 7 days (1)" in out
    assert "●●●●○" in out  # heat 4, shown visibly


def test_due_table_is_readable_at_80_columns(run, morning):
    run("add", "Hillside Dental Practice and Orthodontics Ltd", "Install late", "--heat", "5",
        "--promise", "One-day install by our engineer, including training for reception staff",
        "--due", "2026-11-20 10:00", "--owner", "priya")  # fmt: skip
    out = run("due", "--format", "table", env={**NOON, "COLUMNS": "80"}).stdout
    for line in out.splitlines():
        assert len(line) <= 80, line
    words = set(re.split(r"\s+", out))
    assert "Late" in words
    assert "2d 20h" in out
    assert "2h 34m" in out


def test_due_shows_times_in_the_configured_zone(run):
    run("config", "tz", "Asia/Tokyo")
    run(
        "add",
        "Acme Newsagency",
        "Till",
        "--promise",
        "Call back",
        "--due",
        "2026-11-23T16:00:00+00:00",
    )
    due = run("due", "--format", "json").json
    # 16:00 UTC is 01:00 on Tuesday in Tokyo: not "today" there
    assert due[0]["due_at"] == "2026-11-24T01:00:00+09:00"
    assert due[0]["section"] == "upcoming"
    assert run("due").stdout.splitlines()[1].endswith("due tomorrow 01:00")
