"""A narrow terminal keeps the point of `due`: who, what was promised, when, how late.

At 40 columns the old table kept `P# Due Late Heat Own…` and dropped the customer
and the promise; at 20-30 columns only ellipses were left.
"""

from __future__ import annotations

import pytest

PROMISES = [
    ("Acme Newsagency", "Till crashes at close", "Call back with fix", "2026-11-22 10:00"),
    ("Café Nord", "Wrong order delivered twice", "Send replacement voucher", "2026-11-23 15:00"),
    ("Bob's Bikes", "Refund not received", "Chase finance team", "2026-11-25 12:00"),
]


@pytest.fixture
def three_promises(run, logbook):
    for customer, summary, promise, due in PROMISES:
        run(
            "add", customer, summary, "--promise", promise, "--due", due, "--at", "2026-11-20 09:00"
        )


def _due(run, width: int) -> str:
    return run("--format", "table", "due", env={"COLUMNS": str(width)}).stdout


@pytest.mark.sqlite_only(reason="layout; the logbook is not its subject")
@pytest.mark.parametrize("width", [20, 25, 30, 40, 50, 60, 80, 120])
def test_every_width_shows_customer_promise_due_and_lateness(run, three_promises, width):
    out = _due(run, width)
    flat = " ".join(out.split())  # wrapped words, joined again
    for customer, _, promise, _ in PROMISES:
        for word in customer.split() + promise.split():
            assert word in flat, (width, word, out)
    assert "late" in flat.lower() or "Late" in out  # the overdue one says how late
    assert "…" not in out, out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= width, out


@pytest.mark.sqlite_only(reason="layout; the logbook is not its subject")
def test_a_narrow_terminal_drops_heat_first_and_keeps_one_layout_for_all_sections(
    run, three_promises
):
    wide = _due(run, 100)
    assert "Heat" in wide and "Owner" in wide and "P#" in wide
    narrower = _due(run, 60)
    assert "Heat" not in narrower and "Customer · promise" in narrower
    assert narrower.count("Owner") in (0, 3)  # every section has it, or none


@pytest.mark.sqlite_only(reason="layout; the logbook is not its subject")
def test_below_the_smallest_table_each_promise_is_a_block(run, three_promises):
    out = _due(run, 30)
    lines = out.splitlines()
    assert "Overdue (1)" in lines
    head = lines.index("Overdue (1)")
    assert lines[head + 1].startswith("P1 #1 Acme")
    assert lines[head + 2].strip() == "Call back with fix"
    assert lines[head + 3].strip().startswith("due ")


@pytest.mark.sqlite_only(reason="layout; the logbook is not its subject")
@pytest.mark.parametrize("width", [40, 50, 60])
def test_list_keeps_customer_and_summary_whole_on_a_narrow_terminal(run, three_promises, width):
    out = run("--format", "table", "list", env={"COLUMNS": str(width)}).stdout
    flat = " ".join(out.split())
    for customer, summary, _, _ in PROMISES:
        for word in customer.split() + summary.split():
            assert word in flat, (width, word, out)
    assert "…" not in out, out


@pytest.mark.sqlite_only(reason="layout; the logbook is not its subject")
def test_escalations_keep_whether_each_was_acknowledged_on_a_narrow_terminal(run, three_promises):
    run("escalate", "--auto", env={"COMPLOG_NOW": "2026-11-27T09:00:00+00:00"})
    out = run("--format", "table", "escalations", env={"COLUMNS": "50"}).stdout
    assert "Ack" in out and out.count("open") >= 3, out


@pytest.mark.sqlite_only(reason="layout; the logbook is not its subject")
@pytest.mark.parametrize(
    "args", [["--format", "table", "due"], ["--format", "table", "list"], ["--help"]]
)
def test_columns_0_is_no_width_given_not_a_blank_screen(run, three_promises, args):
    out = run(*args, env={"COLUMNS": "0"}).stdout
    assert out.strip(), "nothing was shown"
