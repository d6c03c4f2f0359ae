"""One definition of a repeat customer: `add`'s warning and the repeat-customer rule
agree (rules.opened_within_window), over generated histories.

On the old code, with repeat_window=3bd on a Monday at noon, the rule counted a
complaint from the previous Wednesday afternoon and `add`'s warning did not: the
warning subtracted the window's length from now, the rule added it to each opening.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.sqlite_only(reason="about the rule's arithmetic, not the back end")

MONDAY_NOON = datetime.fromisoformat("2026-11-23T12:00:00+00:00")


def history(run, env, opened: list[datetime]) -> tuple[bool, bool]:
    """Log complaints at those times, the last one now; (warned, rule fired) for the last."""
    for at in opened:
        run("add", "Acme", "Earlier", "--at", at.isoformat(), env=env)
    added = run("add", "Acme", "Today", "-f", "json", env=env)
    warned = "repeat caller" in added.stderr
    firings = run("escalate", "--auto", "--dry-run", "-f", "json", env=env).json
    fired = any(
        f["rule"] == "repeat-customer" and f["complaint_id"] == added.json["id"] for f in firings
    )
    return warned, fired


def test_three_business_days_on_a_monday_counts_the_wednesday_afternoon_before(run, tmp_path):
    env = {"COMPLOG_DB": str(tmp_path / "c.db"), "COMPLOG_NOW": MONDAY_NOON.isoformat()}
    run("config", "repeat_window", "3bd", env=env)
    run("config", "repeat_count", "2", env=env)

    warned, fired = history(run, env, [MONDAY_NOON - timedelta(days=4, hours=-2)])  # Wed 14:00

    assert (warned, fired) == (True, True)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    minutes_before=st.lists(st.integers(1, 12 * 24 * 60), min_size=1, max_size=4),
    window=st.sampled_from(["3bd", "1bd", "2d", "1w", "16bh", "30d"]),
    count=st.integers(2, 4),
    now_offset=st.integers(0, 7 * 24 * 60),
)
def test_the_warning_of_add_and_the_rule_agree(
    run, tmp_path_factory, minutes_before, window, count, now_offset
):
    now = MONDAY_NOON + timedelta(minutes=now_offset)
    env = {"COMPLOG_DB": str(tmp_path_factory.mktemp("h") / "c.db"), "COMPLOG_NOW": now.isoformat()}
    run("config", "repeat_window", window, env=env)
    run("config", "repeat_count", str(count), env=env)
    opened = sorted(now - timedelta(minutes=m) for m in minutes_before)

    warned, fired = history(run, env, opened)

    assert warned == fired
