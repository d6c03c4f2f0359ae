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
    run("init")
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


# -- a long list: one page per section, the rest counted -------------------------------

MORE = "… and {} more: complog due --all"


@pytest.fixture
def backlog(run):
    """25 overdue promises (08:00, 08:10, ... on Friday), 2 due today, 1 on Wednesday."""
    run("add", "Acme Newsagency", "Till crashes", "--owner", "sam")
    for n in range(25):
        at = f"2026-11-20 {8 + n // 6:02d}:{n % 6 * 10:02d}"
        run("promise", "1", f"late {n + 1}", "--due", at, "--owner", "sam" if n < 20 else "jo")
    run("promise", "1", "today 1", "--due", "today 3pm")
    run("promise", "1", "today 2", "--due", "today 4pm")
    run("promise", "1", "upcoming 1", "--due", "wed 10am")


def _texts(lines):
    return [line.split("  ")[4] for line in lines if line.startswith("  P")]


def test_due_long_section_shows_its_first_20_and_counts_the_rest(run, backlog):
    out = run("due").stdout.splitlines()
    assert out[0] == "Overdue (25)"
    assert _texts(out[1:21]) == [f"late {n}" for n in range(1, 21)]  # most late first
    assert out[21] == "  " + MORE.format(5)
    assert out[22] == "Today (2)"
    assert _texts(out[23:25]) == ["today 1", "today 2"]
    assert out[25:] == ["Next 7 days (1)", out[26]]
    assert MORE.format(0) not in "\n".join(out)


def test_due_limit_sets_the_page_and_all_shows_everything(run, backlog):
    limited = run("due", "--limit", "3").stdout.splitlines()
    headings = [line for line in limited if not line.startswith("  P")]
    assert headings == ["Overdue (25)", "  " + MORE.format(22), "Today (2)", "Next 7 days (1)"]
    everything = run("due", "--all").stdout.splitlines()
    assert len(_texts(everything)) == 28
    assert "more: complog due --all" not in "\n".join(everything)
    # the page is the start of each section of the full list
    assert _texts(limited) == _texts(everything)[:3] + _texts(everything)[25:]


def test_due_json_and_csv_list_every_promise_whatever_the_page(run, backlog):
    assert len(run("due", "--format", "json").json) == 28
    assert len(run("due", "--format", "json", "--limit", "2").json) == 28
    assert len(run("due", "--format", "csv", "--limit", "2").stdout.splitlines()) == 1 + 28


def test_due_table_page_says_how_many_more(run, backlog):
    out = run("due", "--format", "table", "--limit", "5", env={"COLUMNS": "100"}).stdout
    assert "Overdue (25)" in out
    assert MORE.format(20) in out
    assert "late 5" in out
    assert "late 6" not in out


def test_due_exit_code_counts_overdue_promises_beyond_the_page(run, backlog):
    run("due", "--exit-code", "--limit", "1", exit=1)
    run("due", "--exit-code", "--limit", "1", "--owner", "jo", exit=1)


def test_due_all_and_limit_together_is_a_usage_error(run):
    ran = run("due", "--all", "--limit", "5", exit=2)
    assert ran.stderr == "complog: error: use --all or --limit, not both\n"


def test_due_by_owner_pages_each_owner_and_section(run, backlog):
    out = run("due", "--by", "owner", "--limit", "2").stdout.splitlines()
    jo = out[: out.index("== sam ==")]
    sam = out[out.index("== sam ==") :]
    assert jo == ["== jo ==", "Overdue (5)", jo[2], jo[3], "  " + MORE.format(3)]
    assert _texts(jo) == ["late 21", "late 22"]
    assert sam[1] == "Overdue (20)"
    assert "  " + MORE.format(18) in sam
    assert _texts(sam) == ["late 1", "late 2", "today 1", "today 2", "upcoming 1"]


def test_due_pages_the_escalations_too(run, backlog):
    for to in ("manager", "director", "owner"):
        run("escalate", "1", "--to", to, "--reason", f"ask the {to}")
    out = run("due", "--limit", "2").stdout.splitlines()
    start = out.index("Escalations awaiting acknowledgement (3)")
    assert [line.split("  ")[3] for line in out[start + 1 : start + 3]] == [
        "to manager",
        "to director",
    ]
    assert out[start + 3 :] == ["  " + MORE.format(1)]
    mine = run("due", "--owner", "DIRECTOR", "--limit", "5").stdout.splitlines()
    assert mine[-2:] == ["Escalations awaiting acknowledgement (1)", mine[-1]]
    assert "to director" in mine[-1]
