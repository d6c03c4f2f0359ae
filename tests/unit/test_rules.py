"""The six escalation rules, pure: hand-built facts, settings and a `now`.

Each rule is checked one minute either side of its threshold, and the
thresholds are placed so that weekends, holidays and DST changes matter.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complog.rules import ComplaintFacts, Firing, PromiseFacts, evaluate
from complog.settings import RULES, load_settings

#: the spec's six rules (unacknowledged came later, with its own tests)
SPEC_RULES = [r for r in RULES if r != "unacknowledged"]

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MINUTE = timedelta(minutes=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


def only(rule: str, **values: str):
    """Settings with just `rule` switched on (so other rules cannot add noise)."""
    stored = {"tz": "UTC", **values}
    stored.update({f"rule.{r}": "on" if r == rule else "off" for r in RULES})
    return load_settings(stored)


def complaint(**overrides) -> ComplaintFacts:
    fields = dict(
        id=1,
        customer_id=1,
        customer="Acme",
        heat=2,
        written=False,
        opened_at=utc("2026-11-16 09:00"),
        last_interaction_at=None,
        written_reply_at=None,
        open_promises=(),
        customer_opened=(),
    )
    fields.update(overrides)
    if not fields["customer_opened"]:
        fields["customer_opened"] = (fields["opened_at"],)
    return ComplaintFacts(**fields)


def promise(due_at: datetime, *, id: int = 7, reschedules: int = 0) -> PromiseFacts:
    return PromiseFacts(
        id=id, text="Call back", owner="sam", due_at=due_at, reschedules=reschedules
    )


def rules_fired(facts, settings, now) -> list[tuple[int, str, str]]:
    return [(f.complaint_id, f.rule, f.trigger) for f in evaluate(facts, settings, now)]


def fires_only_after(facts, settings, threshold: datetime) -> list[Firing]:
    """Nothing one minute before `threshold` (nor at it); one firing one minute after."""
    assert evaluate(facts, settings, threshold - MINUTE) == []
    assert evaluate(facts, settings, threshold) == []
    after = evaluate(facts, settings, threshold + MINUTE)
    assert len(after) == 1
    return after


# -- overdue-promise ---------------------------------------------------------


def test_overdue_promise_fires_after_two_business_hours_of_lateness():
    settings = only("overdue-promise")
    facts = [complaint(open_promises=(promise(utc("2026-11-23 10:00")),))]
    [firing] = fires_only_after(facts, settings, utc("2026-11-23 12:00"))
    assert firing == Firing(
        complaint_id=1,
        customer="Acme",
        rule="overdue-promise",
        trigger="promise 7 due 2026-11-23 10:00",
        reason="promise 7 (sam) is 2h overdue: Call back",
        to="manager",
    )


def test_overdue_promise_grace_skips_the_weekend():
    # Due Friday 16:00: one grace hour on Friday, the second on Monday 09:00-10:00.
    settings = only("overdue-promise")
    facts = [complaint(open_promises=(promise(utc("2026-11-20 16:00")),))]
    fires_only_after(facts, settings, utc("2026-11-23 10:00"))
    assert evaluate(facts, settings, utc("2026-11-21 12:00")) == []  # Saturday
    assert evaluate(facts, settings, utc("2026-11-23 09:59")) == []


def test_overdue_promise_grace_skips_a_configured_holiday():
    # Thursday 2026-12-24 16:00 + 2bh, Friday 25th a holiday: Monday 28th 10:00.
    settings = only("overdue-promise", holidays="2026-12-25")
    facts = [complaint(open_promises=(promise(utc("2026-12-24 16:00")),))]
    fires_only_after(facts, settings, utc("2026-12-28 10:00"))


def test_overdue_promise_grace_skips_country_holidays_including_substitute_days():
    # GB: Christmas (Fri 25th), Boxing Day (Sat 26th) observed on Mon 28th.
    settings = only("overdue-promise", holidays="GB", tz="Europe/London")
    facts = [complaint(open_promises=(promise(local("2026-12-24 16:00", LONDON)),))]
    fires_only_after(facts, settings, local("2026-12-29 10:00", LONDON))


def test_overdue_promise_across_the_autumn_dst_change_in_london():
    # Fri 23 Oct 16:00 BST (15:00 UTC); clocks go back Sun 25 Oct; Mon 10:00 GMT = 10:00 UTC.
    settings = only("overdue-promise", tz="Europe/London")
    due = local("2026-10-23 16:00", LONDON)
    assert due == utc("2026-10-23 15:00")
    facts = [complaint(open_promises=(promise(due),))]
    fires_only_after(facts, settings, utc("2026-10-26 10:00"))
    # 09:01 UTC would be "10:01" on the summer clock: must not fire yet.
    assert evaluate(facts, settings, utc("2026-10-26 09:01")) == []


def test_overdue_promise_across_the_spring_dst_change_in_london():
    # Fri 27 Mar 16:00 GMT; clocks go forward Sun 29 Mar; Mon 10:00 BST = 09:00 UTC.
    settings = only("overdue-promise", tz="Europe/London")
    facts = [complaint(open_promises=(promise(local("2026-03-27 16:00", LONDON)),))]
    fires_only_after(facts, settings, utc("2026-03-30 09:00"))


def test_overdue_promise_across_the_dst_change_in_new_york():
    # Fri 30 Oct 16:00 EDT (20:00 UTC); DST ends Sun 1 Nov; Mon 10:00 EST = 15:00 UTC.
    settings = only("overdue-promise", tz="America/New_York")
    facts = [complaint(open_promises=(promise(local("2026-10-30 16:00", NEW_YORK)),))]
    fires_only_after(facts, settings, utc("2026-11-02 15:00"))
    assert evaluate(facts, settings, utc("2026-11-02 14:01")) == []


@pytest.mark.parametrize(
    ("due", "threshold"),
    [
        ("2026-11-21 10:00", "2026-11-23 11:00"),  # due on a Saturday: Monday's first two hours
        ("2026-11-23 08:00", "2026-11-23 11:00"),  # due before the day starts
        ("2026-11-23 20:00", "2026-11-24 11:00"),  # due after the day ends
        ("2026-11-20 17:00", "2026-11-23 11:00"),  # due at day_end (a date without a time)
        ("2026-11-23 16:30", "2026-11-24 10:30"),  # grace spans the night
    ],
)
def test_overdue_promise_grace_only_counts_working_hours(due, threshold):
    settings = only("overdue-promise")
    facts = [complaint(open_promises=(promise(utc(due)),))]
    fires_only_after(facts, settings, utc(threshold))


def test_overdue_promise_fires_once_per_overdue_promise_with_distinct_triggers():
    settings = only("overdue-promise")
    facts = [
        complaint(
            open_promises=(
                promise(utc("2026-11-23 09:00"), id=7),
                promise(utc("2026-11-23 10:00"), id=8),
                promise(utc("2026-11-23 15:00"), id=9),  # not late yet
            )
        )
    ]
    assert rules_fired(facts, settings, utc("2026-11-23 12:30")) == [
        (1, "overdue-promise", "promise 7 due 2026-11-23 09:00"),
        (1, "overdue-promise", "promise 8 due 2026-11-23 10:00"),
    ]


def test_overdue_promise_trigger_changes_when_the_promise_is_moved():
    settings = only("overdue-promise")
    before = rules_fired([complaint(open_promises=(promise(utc("2026-11-20 10:00")),))],
                         settings, utc("2026-11-25 12:00"))  # fmt: skip
    after = rules_fired([complaint(open_promises=(promise(utc("2026-11-24 10:00")),))],
                        settings, utc("2026-11-25 12:00"))  # fmt: skip
    assert before != after
    assert after == [(1, "overdue-promise", "promise 7 due 2026-11-24 10:00")]


def test_overdue_promise_with_a_wall_clock_grace():
    settings = only("overdue-promise", overdue_grace="30m")
    facts = [complaint(open_promises=(promise(utc("2026-11-21 12:00")),))]  # a Saturday
    fires_only_after(facts, settings, utc("2026-11-21 12:30"))


# -- quiet-hot ---------------------------------------------------------------


def test_quiet_hot_fires_one_business_day_after_the_last_interaction():
    settings = only("quiet-hot")
    facts = [complaint(heat=4, last_interaction_at=utc("2026-11-23 11:00"))]
    [firing] = fires_only_after(facts, settings, utc("2026-11-24 11:00"))
    assert firing.trigger == "quiet since 2026-11-23 11:00"


def test_quiet_hot_counts_from_opening_when_there_was_no_interaction():
    settings = only("quiet-hot")
    facts = [complaint(heat=5, opened_at=utc("2026-11-23 10:00"))]
    [firing] = fires_only_after(facts, settings, utc("2026-11-24 10:00"))
    assert firing.trigger == "quiet since 2026-11-23 10:00"


def test_quiet_hot_skips_the_weekend():
    settings = only("quiet-hot")
    facts = [complaint(heat=4, last_interaction_at=utc("2026-11-20 15:00"))]  # Friday
    fires_only_after(facts, settings, utc("2026-11-23 15:00"))


def test_quiet_hot_skips_a_holiday():
    settings = only("quiet-hot", holidays="2026-11-24")
    facts = [complaint(heat=4, last_interaction_at=utc("2026-11-23 15:00"))]
    fires_only_after(facts, settings, utc("2026-11-25 15:00"))


def test_quiet_hot_across_the_dst_change_in_london():
    # Fri 23 Oct 11:00 BST = 10:00 UTC; one business day later is Mon 11:00 GMT = 11:00 UTC.
    settings = only("quiet-hot", tz="Europe/London")
    facts = [complaint(heat=4, last_interaction_at=local("2026-10-23 11:00", LONDON))]
    fires_only_after(facts, settings, utc("2026-10-26 11:00"))


@pytest.mark.parametrize(("heat", "hot_heat", "fires"), [(3, "4", False), (4, "4", True),
                                                          (5, "4", True), (2, "2", True),
                                                          (4, "5", False)])  # fmt: skip
def test_quiet_hot_only_for_complaints_at_or_above_hot_heat(heat, hot_heat, fires):
    settings = only("quiet-hot", hot_heat=hot_heat)
    facts = [complaint(heat=heat, last_interaction_at=utc("2026-11-16 09:00"))]
    assert len(evaluate(facts, settings, utc("2026-11-23 09:00"))) == (1 if fires else 0)


def test_quiet_hot_uses_the_configured_silence():
    settings = only("quiet-hot", quiet_for="3bh")
    facts = [complaint(heat=4, last_interaction_at=utc("2026-11-23 15:00"))]
    fires_only_after(facts, settings, utc("2026-11-24 10:00"))


# -- slow-resolution -----------------------------------------------------------


def test_slow_resolution_fires_after_five_business_days():
    # Opened Wednesday 11:00: five working days later is next Wednesday 11:00.
    settings = only("slow-resolution")
    facts = [complaint(opened_at=utc("2026-11-18 11:00"))]
    [firing] = fires_only_after(facts, settings, utc("2026-11-25 11:00"))
    assert firing.trigger == "opened 2026-11-18 11:00"


def test_slow_resolution_skips_holidays():
    settings = only("slow-resolution", holidays="2026-11-20,2026-11-23")
    facts = [complaint(opened_at=utc("2026-11-18 11:00"))]
    fires_only_after(facts, settings, utc("2026-11-27 11:00"))


def test_slow_resolution_across_the_dst_change_in_new_york():
    # Wed 28 Oct 10:00 EDT (14:00 UTC) + 5bd = Wed 4 Nov 10:00 EST (15:00 UTC).
    settings = only("slow-resolution", tz="America/New_York")
    facts = [complaint(opened_at=local("2026-10-28 10:00", NEW_YORK))]
    fires_only_after(facts, settings, utc("2026-11-04 15:00"))


def test_slow_resolution_honours_custom_workdays():
    # A Sunday-Thursday business: opened Thursday 11:00, +1bd is Sunday 11:00.
    settings = only("slow-resolution", resolve_within="1bd", workdays="sun-thu")
    facts = [complaint(opened_at=utc("2026-11-19 11:00"))]
    fires_only_after(facts, settings, utc("2026-11-22 11:00"))


# -- written-unanswered --------------------------------------------------------


def test_written_unanswered_fires_two_business_days_after_opening():
    # Opened Thursday 14:00; two working days later is Monday 14:00.
    settings = only("written-unanswered")
    facts = [complaint(written=True, opened_at=utc("2026-11-19 14:00"))]
    [firing] = fires_only_after(facts, settings, utc("2026-11-23 14:00"))
    assert firing.trigger == "no written reply"


def test_written_unanswered_skips_a_holiday():
    settings = only("written-unanswered", holidays="2026-11-20")
    facts = [complaint(written=True, opened_at=utc("2026-11-19 14:00"))]
    fires_only_after(facts, settings, utc("2026-11-24 14:00"))


def test_written_unanswered_across_the_dst_change_in_london():
    # Thu 22 Oct 14:00 BST (13:00 UTC) + 2bd = Mon 26 Oct 14:00 GMT (14:00 UTC).
    settings = only("written-unanswered", tz="Europe/London")
    facts = [complaint(written=True, opened_at=local("2026-10-22 14:00", LONDON))]
    fires_only_after(facts, settings, utc("2026-10-26 14:00"))


def test_written_unanswered_is_silenced_by_a_written_reply():
    settings = only("written-unanswered")
    facts = [complaint(written=True, opened_at=utc("2026-11-02 09:00"),
                       written_reply_at=utc("2026-11-10 09:00"))]  # fmt: skip
    assert evaluate(facts, settings, utc("2026-11-23 09:00")) == []


def test_written_unanswered_ignores_complaints_that_were_not_written():
    settings = only("written-unanswered")
    facts = [complaint(written=False, opened_at=utc("2026-11-02 09:00"))]
    assert evaluate(facts, settings, utc("2026-11-23 09:00")) == []


# -- rescheduled-twice -----------------------------------------------------------


@pytest.mark.parametrize(("reschedules", "fires"), [(0, False), (1, False), (2, True), (3, True)])
def test_rescheduled_twice_fires_at_max_reschedules(reschedules, fires):
    settings = only("rescheduled-twice")
    facts = [complaint(open_promises=(promise(utc("2026-12-01 10:00"), reschedules=reschedules),))]
    fired = rules_fired(facts, settings, utc("2026-11-23 09:00"))
    assert fired == ([(1, "rescheduled-twice", "promise 7 rescheduled")] if fires else [])


def test_rescheduled_twice_uses_the_configured_limit():
    settings = only("rescheduled-twice", max_reschedules="3")
    two = [complaint(open_promises=(promise(utc("2026-12-01 10:00"), reschedules=2),))]
    three = [complaint(open_promises=(promise(utc("2026-12-01 10:00"), reschedules=3),))]
    assert evaluate(two, settings, utc("2026-11-23 09:00")) == []
    assert len(evaluate(three, settings, utc("2026-11-23 09:00"))) == 1


# -- repeat-customer -------------------------------------------------------------


def _history(third: datetime) -> list[ComplaintFacts]:
    first, second = utc("2026-10-24 10:00"), utc("2026-11-05 10:00")
    opened = (first, second, third)
    return [complaint(id=3, opened_at=third, customer_opened=opened)]


def test_repeat_customer_fires_for_the_third_complaint_inside_thirty_days():
    settings = only("repeat-customer")
    edge = utc("2026-10-24 10:00") + timedelta(days=30)
    assert rules_fired(_history(edge - MINUTE), settings, utc("2026-11-23 12:00")) == [
        (3, "repeat-customer", "repeat customer")
    ]


def test_repeat_customer_does_not_fire_when_the_first_is_older_than_the_window():
    settings = only("repeat-customer")
    edge = utc("2026-10-24 10:00") + timedelta(days=30)
    assert rules_fired(_history(edge + MINUTE), settings, utc("2026-11-23 12:00")) == []


def test_repeat_customer_window_is_thirty_calendar_days_across_dst():
    # 30 days from 24 Oct 10:00 BST (09:00 UTC) in London: a wall-clock window.
    settings = only("repeat-customer", tz="Europe/London")
    first = local("2026-10-24 10:00", LONDON)
    opened = (first, local("2026-11-05 10:00", LONDON))
    inside = first + timedelta(days=30) - MINUTE
    outside = first + timedelta(days=30) + MINUTE
    facts_in = [complaint(id=3, opened_at=inside, customer_opened=(*opened, inside))]
    facts_out = [complaint(id=3, opened_at=outside, customer_opened=(*opened, outside))]
    assert len(evaluate(facts_in, settings, outside + timedelta(hours=1))) == 1
    assert evaluate(facts_out, settings, outside + timedelta(hours=1)) == []


def test_repeat_customer_does_not_fire_for_the_second_complaint():
    settings = only("repeat-customer")
    opened = (utc("2026-11-10 10:00"), utc("2026-11-20 10:00"))
    facts = [complaint(id=2, opened_at=opened[1], customer_opened=opened)]
    assert evaluate(facts, settings, utc("2026-11-23 09:00")) == []


def test_repeat_customer_ignores_complaints_opened_later():
    # The first complaint of three does not count the two that came after it.
    settings = only("repeat-customer")
    opened = (utc("2026-11-10 10:00"), utc("2026-11-12 10:00"), utc("2026-11-20 10:00"))
    facts = [complaint(id=1, opened_at=opened[0], customer_opened=opened)]
    assert evaluate(facts, settings, utc("2026-11-23 09:00")) == []


# -- switches and settings ---------------------------------------------------------


def _everything() -> list[ComplaintFacts]:
    """One complaint on which all six rules fire at 2026-11-23 09:00."""
    opened = utc("2026-11-02 10:00")
    return [
        complaint(
            heat=5,
            written=True,
            opened_at=opened,
            open_promises=(promise(utc("2026-11-19 10:00"), reschedules=2),),
            customer_opened=(utc("2026-10-30 10:00"), utc("2026-11-01 10:00"), opened),
        )
    ]


def test_every_rule_fires_by_default_unacknowledged_included():
    """Issue 19, item 7: unacknowledged is on by default (off only where the 0005
    upgrade wrote it off into an existing logbook)."""
    fired = [f.rule for f in evaluate(_everything(), load_settings({"tz": "UTC"}),
                                      utc("2026-11-23 09:00"))]  # fmt: skip
    assert sorted(fired) == sorted(RULES)


def test_the_spec_six_fire_where_unacknowledged_is_off():
    settings = load_settings({"tz": "UTC", "rule.unacknowledged": "off"})
    fired = [f.rule for f in evaluate(_everything(), settings, utc("2026-11-23 09:00"))]
    assert sorted(fired) == sorted(SPEC_RULES)


@pytest.mark.parametrize("rule", RULES)
def test_a_rule_switched_off_does_not_fire(rule):
    settings = load_settings({"tz": "UTC", f"rule.{rule}": "off"})
    fired = [f.rule for f in evaluate(_everything(), settings, utc("2026-11-23 09:00"))]
    assert sorted(fired) == sorted(set(RULES) - {rule})


def test_unacknowledged_fires_once_switched_on():
    settings = load_settings({"tz": "UTC", "rule.unacknowledged": "on"})
    fired = [f.rule for f in evaluate(_everything(), settings, utc("2026-11-23 09:00"))]
    assert sorted(fired) == sorted(RULES)


def test_firings_go_to_escalate_to():
    settings = load_settings({"tz": "UTC", "escalate_to": "Dana"})
    firings = evaluate(_everything(), settings, utc("2026-11-23 09:00"))
    assert {f.to for f in firings} == {"Dana"}


def test_evaluation_is_deterministic():
    settings = load_settings({"tz": "UTC"})
    now = utc("2026-11-23 09:00")
    assert evaluate(_everything(), settings, now) == evaluate(_everything(), settings, now)
