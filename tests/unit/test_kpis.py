"""The report's figures, pure: hand-built ComplaintFigures / PromiseFigures in,
SPEC's KPI keys out, every number worked out by hand in the comment beside it.

Calendar: UTC, 09:00-17:00 Monday to Friday (8 business hours a day).
2026-11-16, 2026-11-23 and 2026-11-30 are Mondays; 2026-12-25 is a Friday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from complog.businesstime import BusinessCalendar
from complog.kpis import (
    ComplaintFigures,
    PromiseFigures,
    build_report,
    due_promises,
    median,
    percentile,
    rate,
)
from complog.money import Money
from complog.settings import Duration

CALENDAR = BusinessCalendar(tz=UTC)
XMAS = BusinessCalendar(tz=UTC, holiday_dates=frozenset({date(2026, 12, 25)}))
FIVE_BD = Duration(5, "bd")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 30 Nov, 09:00

RATE_KEYS = (
    "resolved_quickly_rate", "promise_keeping_rate", "escalation_rate", "confirmed_rate",
)  # fmt: skip
SPEC_KEYS = {
    "opened", "resolved", "open", "first_response_median_hours", "first_response_p90_hours",
    "resolution_median_hours", "resolution_p90_hours", "resolved_quickly_rate", "promises_due",
    "promises_kept_on_time", "promise_keeping_rate", "reschedules", "escalation_rate",
    "confirmed_rate", "satisfaction_mean", "by_owner", "by_category", "by_cause", "by_channel",
    "repeat_customers",
}  # fmt: skip


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def complaint(id: int, opened: str, resolved: str | None = None, **overrides) -> ComplaintFigures:
    fields = dict(
        id=id, customer=f"Customer {id}", owner="alice", category=None, cause=None,
        channel="phone", opened_at=utc(opened), resolved_at=utc(resolved) if resolved else None,
        first_response_at=None, confirmed=None, satisfaction=None, compensation=None,
        loss=None, escalated=False,
    )  # fmt: skip
    fields.update(overrides)
    if isinstance(fields["first_response_at"], str):
        fields["first_response_at"] = utc(fields["first_response_at"])
    return ComplaintFigures(**fields)


def promise(
    id: int, owner: str, due: str, status: str = "open", *, kept: str | None = None,
    cancelled: str | None = None, first_late_due: str | None = None,
) -> PromiseFigures:  # fmt: skip
    return PromiseFigures(
        id=id, owner=owner, due_at=utc(due), status=status,
        kept_at=utc(kept) if kept else None, cancelled_at=utc(cancelled) if cancelled else None,
        first_late_due_at=utc(first_late_due) if first_late_due else None,
    )  # fmt: skip


def report(
    complaints=(), promises=(), reschedules=0, *, calendar=CALENDAR, since=None, until=NOW, now=NOW
):
    """The typed report as the dict of its JSON keys (datetimes kept)."""
    return build_report(
        list(complaints), due_promises(promises, since, until, now), reschedules, calendar=calendar,
        resolve_within=FIVE_BD, since=since, until=until, now=now,
    ).as_dict()  # fmt: skip


# -- the statistics ------------------------------------------------------------


def test_percentile_interpolates_linearly_between_nearest_ranks():
    # position = 0.9 * (3 - 1) = 1.8 -> 2 + (3 - 2) * 0.8 = 2.8 (the docstring's example)
    assert percentile([3, 1, 2], 0.9) == 2.8
    # six values: position 0.9 * 5 = 4.5 -> 6 + (10 - 6) * 0.5 = 8.0
    assert percentile([10, 1, 6, 2, 4, 3], 0.9) == 8.0
    # one value: it is every percentile
    assert percentile([7.5], 0.9) == 7.5
    assert percentile([], 0.9) is None


def test_median_of_even_count_is_mean_of_middle_pair_and_none_when_empty():
    assert median([1, 2, 3, 4, 6, 10]) == 3.5  # (3 + 4) / 2
    assert median([2, 12, 42]) == 12
    assert median([]) is None


def test_rate_is_a_fraction_or_none_when_nothing_to_divide():
    assert rate(1, 4) == 0.25
    assert rate(0, 3) == 0.0
    assert rate(0, 0) is None


# -- durations in business hours -------------------------------------------------


def test_resolution_across_a_weekend_counts_only_working_hours():
    # Fri 20 Nov 16:00 -> 17:00 = 1h; Sat, Sun = 0; Mon 23 Nov 09:00 -> 10:00 = 1h; total 2h
    r = report([complaint(1, "2026-11-20 16:00", "2026-11-23 10:00")])
    assert r["resolution_median_hours"] == 2.0
    assert r["resolution_p90_hours"] == 2.0
    assert r["resolution_hours"] == [2.0]


def test_resolution_across_a_holiday_skips_the_holiday():
    c = complaint(1, "2026-12-24 16:00", "2026-12-28 10:00")
    now = utc("2026-12-31 09:00")
    # with 25 Dec a holiday: Thu 24 16-17 = 1h; Fri 25 holiday = 0; weekend = 0; Mon 28 9-10 = 1h -> 2h
    assert report([c], calendar=XMAS, until=now, now=now)["resolution_median_hours"] == 2.0
    # without it Fri 25 is a full 8h day: 1 + 8 + 1 = 10h
    assert report([c], until=now, now=now)["resolution_median_hours"] == 10.0


def test_resolution_across_the_end_of_summer_time_uses_the_local_working_day():
    london = ZoneInfo("Europe/London")
    calendar = BusinessCalendar(tz=london)
    opened = datetime(2026, 10, 23, 16, 0, tzinfo=london)  # Fri 16:00 BST = 15:00 UTC
    resolved = datetime(
        2026, 10, 26, 10, 0, tzinfo=london
    )  # Mon 10:00 GMT (clocks went back Sun 25)
    c = ComplaintFigures(
        id=1, customer="Acme", owner="alice", category=None, cause=None, channel="phone",
        opened_at=opened.astimezone(UTC), resolved_at=resolved.astimezone(UTC), first_response_at=None,
        confirmed=None, satisfaction=None, compensation=None, loss=None,
        escalated=False,
    )  # fmt: skip
    # Fri 16:00-17:00 local = 1h, Mon 09:00-10:00 local = 1h -> 2h (67 wall-clock hours apart)
    r = report([c], calendar=calendar, until=utc("2026-10-30 12:00"), now=utc("2026-10-30 12:00"))
    assert r["resolution_median_hours"] == 2.0


def test_resolution_median_and_p90_over_six_complaints():
    complaints = [
        complaint(1, "2026-11-02 09:00", "2026-11-02 10:00"),  # Mon 9-10 = 1h
        complaint(2, "2026-11-03 09:00", "2026-11-03 11:00"),  # Tue 9-11 = 2h
        complaint(3, "2026-11-04 09:00", "2026-11-04 12:00"),  # Wed 9-12 = 3h
        complaint(4, "2026-11-05 09:00", "2026-11-05 13:00"),  # Thu 9-13 = 4h
        complaint(
            5, "2026-11-06 15:00", "2026-11-09 13:00"
        ),  # Fri 15-17 = 2h + Mon 9-13 = 4h -> 6h
        complaint(6, "2026-11-09 09:00", "2026-11-10 11:00"),  # Mon full 8h + Tue 9-11 = 2h -> 10h
    ]
    r = report(complaints)
    assert r["resolution_hours"] == [1.0, 2.0, 3.0, 4.0, 6.0, 10.0]
    assert r["resolution_median_hours"] == 3.5  # (3 + 4) / 2
    assert r["resolution_p90_hours"] == 8.0  # position 4.5: 6 + (10 - 6) * 0.5
    assert r["resolved"] == 6
    assert r["opened"] == 6
    assert r["open"] == 0


def test_first_response_median_and_p90_in_business_hours():
    complaints = [
        # Fri 16:00 -> Mon 09:30: 1h Friday + 0.5h Monday = 1.5h
        complaint(1, "2026-11-20 16:00", first_response_at="2026-11-23 09:30"),
        # Tue 09:00 -> Tue 12:00 = 3h
        complaint(2, "2026-11-17 09:00", first_response_at="2026-11-17 12:00"),
        # Wed 09:00 -> Thu 09:00 = 8h (one full working day)
        complaint(3, "2026-11-18 09:00", first_response_at="2026-11-19 09:00"),
        # never answered: not part of the figure
        complaint(4, "2026-11-16 09:00"),
    ]
    r = report(complaints)
    assert r["first_response_median_hours"] == 3.0  # middle of [1.5, 3, 8]
    assert r["first_response_p90_hours"] == 7.0  # position 1.8: 3 + (8 - 3) * 0.8
    assert r["opened"] == 4
    assert r["open"] == 4


def test_first_response_figures_are_none_when_nobody_was_answered():
    r = report([complaint(1, "2026-11-16 09:00")])
    assert r["first_response_median_hours"] is None
    assert r["first_response_p90_hours"] is None


# -- resolved quickly --------------------------------------------------------------


def test_resolved_quickly_counts_resolutions_within_five_business_days():
    complaints = [
        # Mon 16 09:00 + 5bd (40 working hours) = Fri 20 17:00: resolved exactly then -> quick
        complaint(1, "2026-11-16 09:00", "2026-11-20 17:00"),
        # one working minute later (Mon 23 09:01) -> not quick
        complaint(2, "2026-11-16 09:00", "2026-11-23 09:01"),
        # same day -> quick
        complaint(3, "2026-11-17 10:00", "2026-11-17 11:00"),
        # Wed 18 12:00 + 40 working hours = Wed 25 12:00; resolved Wed 25 12:30 -> not quick
        complaint(4, "2026-11-18 12:00", "2026-11-25 12:30"),
    ]
    r = report(complaints)
    assert r["resolved_quickly_rate"] == 0.5  # quick: 1 and 3 -> 2 / 4
    assert r["resolve_within"] == "5bd"


def test_resolved_quickly_window_skips_a_holiday():
    # Mon 21 Dec 09:00 + 40 working hours with Fri 25 a holiday = Mon 28 Dec 17:00
    c = complaint(1, "2026-12-21 09:00", "2026-12-28 16:00")
    now = utc("2026-12-31 09:00")
    assert report([c], calendar=XMAS, until=now, now=now)["resolved_quickly_rate"] == 1.0
    # without the holiday the window ends Fri 25 17:00, so Mon 28 16:00 is late
    assert report([c], until=now, now=now)["resolved_quickly_rate"] == 0.0


def test_resolved_at_the_weekend_after_exactly_five_business_days_is_quick():
    # Mon 16 09:00 -> Sat 21 10:00: Mon-Fri 5 x 8h = 40h, Saturday 0h -> 40 business hours = 5bd
    r = report([complaint(1, "2026-11-16 09:00", "2026-11-21 10:00")])
    assert r["resolution_hours"] == [40.0]
    assert r["resolved_quickly_rate"] == 1.0


# -- promises ------------------------------------------------------------------------


def promise_book():
    """Eight promises, now = Mon 30 Nov 09:00."""
    return [
        # alice: due Mon 16 10:00, kept 09:30 -> due, kept on time
        promise(1, "alice", "2026-11-16 10:00", "kept", kept="2026-11-16 09:30"),
        # alice: due Tue 17 10:00, kept 12:00 -> due, kept LATE
        promise(2, "alice", "2026-11-17 10:00", "kept", kept="2026-11-17 12:00"),
        # bob: due Wed 18 10:00, rescheduled late (at 11:00) to Fri 20 10:00 and kept Thu 19
        #  -> effective due Wed 18 10:00, broken, not on time
        promise(
            3,
            "bob",
            "2026-11-20 10:00",
            "kept",
            kept="2026-11-19 09:00",
            first_late_due="2026-11-18 10:00",
        ),  # fmt: skip
        # bob: rescheduled early (no break) to Thu 19 15:00, kept 14:00 -> due, kept on time
        promise(4, "bob", "2026-11-19 15:00", "kept", kept="2026-11-19 14:00"),
        # carol: due Fri 20 10:00, cancelled Thu 19 (before due) -> not counted at all
        promise(5, "carol", "2026-11-20 10:00", "cancelled", cancelled="2026-11-19 12:00"),
        # carol: due Fri 20 10:00, cancelled 12:00 (after due) -> due, broken
        promise(6, "carol", "2026-11-20 10:00", "cancelled", cancelled="2026-11-20 12:00"),
        # carol: due Fri 20 15:00, still open -> due (overdue), not kept
        promise(7, "carol", "2026-11-20 15:00"),
        # alice: due Tue 1 Dec, in the future -> not due yet
        promise(8, "alice", "2026-12-01 10:00"),
    ]


def test_promise_keeping_overall_counts_late_keeps_and_late_reschedules_as_broken():
    r = report(promises=promise_book(), reschedules=2)
    assert r["promises_due"] == 6  # 1, 2, 3, 4, 6, 7 (5 cancelled in time, 8 not due)
    assert r["promises_kept_on_time"] == 2  # 1 and 4
    assert r["promise_keeping_rate"] == 2 / 6
    assert r["reschedules"] == 2  # passed through


def test_promise_keeping_per_owner():
    # alice owns the complaint; bob and carol only own promises and are appended in name order
    r = report([complaint(1, "2026-11-16 09:00")], promise_book())
    rows = {row["owner"]: row for row in r["by_owner"]}
    assert [row["owner"] for row in r["by_owner"]] == ["alice", "bob", "carol"]
    # alice: 1 on time, 2 late -> 1 / 2
    assert (rows["alice"]["promises_due"], rows["alice"]["promises_kept_on_time"]) == (2, 1)
    assert rows["alice"]["promise_keeping_rate"] == 0.5
    # bob: 3 rescheduled late, 4 rescheduled early and kept on time -> 1 / 2
    assert (rows["bob"]["promises_due"], rows["bob"]["promises_kept_on_time"]) == (2, 1)
    assert rows["bob"]["promise_keeping_rate"] == 0.5
    # carol: 5 not counted, 6 cancelled late, 7 overdue -> 0 / 2
    assert (rows["carol"]["promises_due"], rows["carol"]["promises_kept_on_time"]) == (2, 0)
    assert rows["carol"]["promise_keeping_rate"] == 0.0
    assert rows["bob"]["opened"] == 0 and rows["bob"]["resolution_median_hours"] is None


def test_promises_due_only_within_the_period_by_effective_due_time():
    # [Wed 18 00:00, Sat 21 00:00): 3 (effective Wed 18 10:00), 4 (Thu 19 15:00), 6, 7 (Fri 20)
    # 1 and 2 are before; 5 is cancelled in time; 8 is after
    r = report(
        promises=promise_book(), since=utc("2026-11-18 00:00"), until=utc("2026-11-21 00:00")
    )
    assert r["promises_due"] == 4
    assert r["promises_kept_on_time"] == 1  # 4
    assert r["promise_keeping_rate"] == 0.25


def test_a_late_reschedule_counts_at_its_old_due_time_not_the_new_one():
    # due Fri 20 10:00, rescheduled late to Tue 1 Dec (future): broken on Fri 20, so due already
    p = promise(1, "bob", "2026-12-01 10:00", first_late_due="2026-11-20 10:00")
    r = report(promises=[p])
    assert (r["promises_due"], r["promises_kept_on_time"]) == (1, 0)
    assert r["promise_keeping_rate"] == 0.0


def test_promise_cancelled_before_due_is_not_counted():
    r = report(
        promises=[
            promise(5, "carol", "2026-11-20 10:00", "cancelled", cancelled="2026-11-19 12:00")
        ]
    )
    assert r["promises_due"] == 0
    assert r["promise_keeping_rate"] is None


# -- rates over complaints --------------------------------------------------------------


def test_escalation_confirmed_and_satisfaction_over_opened_and_resolved():
    complaints = [
        complaint(
            1,
            "2026-11-16 09:00",
            "2026-11-16 12:00",
            confirmed=True,
            satisfaction=5,
            escalated=True,
        ),
        complaint(2, "2026-11-17 09:00", "2026-11-17 12:00", confirmed=False, satisfaction=2),
        complaint(3, "2026-11-18 09:00", "2026-11-18 12:00", confirmed=None),  # not asked
        complaint(4, "2026-11-19 09:00", escalated=True),  # open
    ]
    r = report(complaints)
    assert r["escalation_rate"] == 0.5  # escalated 1 and 4 of 4 opened
    assert r["confirmed_rate"] == 1 / 3  # 1 of 3 resolved
    assert r["satisfaction_mean"] == 3.5  # (5 + 2) / 2, complaint 3 has none
    assert (r["opened"], r["resolved"], r["open"]) == (4, 3, 1)


def test_compensation_given_and_open_losses():
    complaints = [
        complaint(
            1, "2026-11-16 09:00", "2026-11-16 12:00", compensation="free visit", cause="ours"
        ),
        complaint(2, "2026-11-17 09:00", "2026-11-17 12:00"),
        complaint(3, "2026-11-18 09:00", loss=Money(12050, "GBP")),
        complaint(4, "2026-11-18 10:00", loss=Money(950, "GBP")),
    ]
    r = report(complaints)
    assert r["compensation_given"] == 1
    assert r["compensation"] == [{"complaint_id": 1, "cause": "ours", "compensation": "free visit",
                                  "value": None, "currency": None}]  # fmt: skip
    assert r["loss_open"] == 130.0  # (12050 + 950) pence on the open ones
    assert r["loss_open_by_currency"] == {"GBP": 130.0}


def test_money_is_totalled_per_currency_never_across_currencies():
    """Issue 19: losses and compensation in £, € and ¥ were added into one number."""
    complaints = [
        complaint(1, "2026-11-16 09:00", "2026-11-16 12:00", compensation="£20 voucher",
                  compensation_minor=2000, compensation_currency="GBP", cause="ours"),
        complaint(2, "2026-11-16 09:00", "2026-11-16 12:00", compensation="5,50 € back",
                  compensation_minor=550, compensation_currency="EUR", cause="ours"),
        complaint(3, "2026-11-18 09:00", loss=Money(12050, "GBP")),
        complaint(4, "2026-11-18 10:00", loss=Money(1000, "JPY")),
    ]  # fmt: skip
    r = report(complaints)
    assert (r["compensation_value"], r["compensation_value_by_currency"]) == (
        None, {"EUR": 5.5, "GBP": 20.0},
    )  # fmt: skip
    assert (r["loss_open"], r["loss_open_by_currency"]) == (None, {"GBP": 120.5, "JPY": 1000})
    assert r["compensation_by_cause"] == [
        {"cause": "ours", "given": 2, "value": None, "value_by_currency": {"EUR": 5.5, "GBP": 20.0}}
    ]


def test_empty_logbook_has_zero_counts_and_null_rates():
    r = report()
    assert SPEC_KEYS <= set(r)
    for key in RATE_KEYS:
        assert r[key] is None, key
    for key in ("first_response_median_hours", "first_response_p90_hours", "resolution_median_hours",
                "resolution_p90_hours", "satisfaction_mean"):  # fmt: skip
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
    for key in (
        "by_owner",
        "by_category",
        "by_cause",
        "by_channel",
        "repeat_customers",
        "faq_candidates",
    ):
        assert r[key] == [], key


def test_rates_are_null_when_only_open_complaints_exist():
    r = report([complaint(1, "2026-11-16 09:00")])
    assert r["resolved_quickly_rate"] is None  # nothing resolved
    assert r["confirmed_rate"] is None
    assert r["satisfaction_mean"] is None
    assert r["promise_keeping_rate"] is None  # nothing due
    assert r["escalation_rate"] == 0.0  # 0 of 1 opened: a real zero, not null


# -- the period -------------------------------------------------------------------------


def test_since_and_until_select_opened_and_resolved_separately():
    complaints = [
        # opened before the period, resolved in it: resolved, not opened
        complaint(1, "2026-11-10 09:00", "2026-11-18 10:00"),
        # opened and resolved in the period
        complaint(2, "2026-11-18 09:00", "2026-11-18 12:00"),
        # opened in the period, still open
        complaint(3, "2026-11-19 09:00"),
        # opened at the period's end (until is exclusive): outside
        complaint(4, "2026-11-21 00:00"),
        # opened exactly at since (inclusive): inside
        complaint(5, "2026-11-18 00:00"),
    ]
    r = report(complaints, since=utc("2026-11-18 00:00"), until=utc("2026-11-21 00:00"))
    assert r["opened"] == 3  # 2, 3, 5
    assert r["resolved"] == 2  # 1, 2
    assert r["open"] == 2  # 3, 5
    # 1: Tue 10 09:00 -> Wed 18 10:00 = 6 full days (Tue 10..Tue 17 workdays: 10,11,12,13,16,17) 48h + 1h = 49h
    # 2: 3h
    assert r["resolution_hours"] == [3.0, 49.0]
    assert r["resolution_median_hours"] == 26.0  # (3 + 49) / 2


# -- breakdowns, repeat customers, FAQ candidates ------------------------------------------------


def breakdown_book():
    return [
        complaint(
            1,
            "2026-11-16 09:00",
            "2026-11-16 11:00",
            customer="Acme",
            category="till",
            cause="ours",
            channel="phone",
            owner="alice",
        ),  # 2h  # fmt: skip
        complaint(
            2,
            "2026-11-17 09:00",
            "2026-11-17 13:00",
            customer="Acme",
            category="till",
            cause="ours",
            channel="email",
            owner="bob",
        ),  # 4h  # fmt: skip
        complaint(
            3,
            "2026-11-18 09:00",
            "2026-11-18 10:00",
            customer="Bravo",
            category="printer",
            cause="customer",
            channel="phone",
            owner="alice",
        ),  # 1h  # fmt: skip
        complaint(
            4, "2026-11-19 09:00", customer="Acme", category="till", channel="phone", owner="alice"
        ),
        complaint(5, "2026-11-19 10:00", customer="Bravo", channel="web", owner="bob"),
        complaint(
            6,
            "2026-11-20 09:00",
            customer="Cora",
            category="printer",
            cause="customer",
            channel="phone",
            owner="bob",
        ),  # fmt: skip
    ]


def test_breakdown_by_category_sorted_by_opened_then_name():
    r = report(breakdown_book())
    assert r["by_category"] == [
        # till: 1, 2, 4 opened; 1, 2 resolved (2h, 4h) -> median 3h; 4 open
        {"category": "till", "opened": 3, "resolved": 2, "open": 1, "resolution_median_hours": 3.0},
        # printer: 3, 6 opened; 3 resolved (1h)
        {
            "category": "printer",
            "opened": 2,
            "resolved": 1,
            "open": 1,
            "resolution_median_hours": 1.0,
        },
        # no category: 5
        {
            "category": "(none)",
            "opened": 1,
            "resolved": 0,
            "open": 1,
            "resolution_median_hours": None,
        },
    ]


def test_breakdown_by_cause_and_channel():
    r = report(breakdown_book())
    assert r["by_cause"] == [
        # ours 1, 2; customer 3, 6; none 4, 5 -> tie on 2: "(none)" < "customer" < "ours"
        {"cause": "(none)", "opened": 2, "resolved": 0, "open": 2, "resolution_median_hours": None},
        {
            "cause": "customer",
            "opened": 2,
            "resolved": 1,
            "open": 1,
            "resolution_median_hours": 1.0,
        },
        {"cause": "ours", "opened": 2, "resolved": 2, "open": 0, "resolution_median_hours": 3.0},
    ]
    assert r["by_channel"] == [
        # phone 1, 3, 4, 6 (resolved 1: 2h, 3: 1h -> median 1.5); email 2 (4h); web 5
        {"channel": "phone", "opened": 4, "resolved": 2, "open": 2, "resolution_median_hours": 1.5},
        {"channel": "email", "opened": 1, "resolved": 1, "open": 0, "resolution_median_hours": 4.0},
        {"channel": "web", "opened": 1, "resolved": 0, "open": 1, "resolution_median_hours": None},
    ]


def test_breakdown_by_owner_has_promise_columns():
    r = report(breakdown_book())
    assert r["by_owner"] == [
        # alice: 1, 3, 4 opened; 1 (2h), 3 (1h) resolved -> median 1.5h
        {
            "owner": "alice",
            "opened": 3,
            "resolved": 2,
            "open": 1,
            "resolution_median_hours": 1.5,
            "promises_due": 0,
            "promises_kept_on_time": 0,
            "promise_keeping_rate": None,
        },  # fmt: skip
        # bob: 2, 5, 6 opened; 2 (4h) resolved
        {
            "owner": "bob",
            "opened": 3,
            "resolved": 1,
            "open": 2,
            "resolution_median_hours": 4.0,
            "promises_due": 0,
            "promises_kept_on_time": 0,
            "promise_keeping_rate": None,
        },  # fmt: skip
    ]


def test_breakdown_includes_groups_only_resolved_in_the_period():
    # opened before the period (category "old") and resolved inside it
    c = complaint(1, "2026-11-10 09:00", "2026-11-18 10:00", category="old")
    r = report([c], since=utc("2026-11-18 00:00"), until=utc("2026-11-21 00:00"))
    assert r["by_category"] == [
        {"category": "old", "opened": 0, "resolved": 1, "open": 0, "resolution_median_hours": 49.0}
    ]


def test_repeat_customers_have_two_or_more_complaints_in_the_period():
    r = report(breakdown_book())
    # Acme 1, 2, 4 = 3; Bravo 3, 5 = 2; Cora 6 = 1 (not a repeat)
    assert r["repeat_customers"] == [
        {"customer": "Acme", "complaints": 3},
        {"customer": "Bravo", "complaints": 2},
    ]


def test_faq_candidates_are_recurring_category_cause_pairs():
    r = report(breakdown_book())
    # (till, ours): 1, 2; (printer, customer): 3, 6; (till, (unknown)): 4; ((none), (unknown)): 5
    assert r["faq_candidates"] == [
        {"category": "printer", "cause": "customer", "complaints": 2},
        {"category": "till", "cause": "ours", "complaints": 2},
    ]


def test_week_grid_groups_rows_as_each_rows_monday_does():
    """WeekGrid.by_week (one sort, a bisection per week) puts every row where
    WeekGrid.monday (a bisection per row) puts it, moments before the grid, at a
    week's first instant and after its last week included; Auckland's weeks start
    on Sunday 11:00 UTC."""
    import random
    from datetime import timedelta
    from operator import attrgetter

    from complog.trends import week_grid

    calendar = BusinessCalendar(tz=ZoneInfo("Pacific/Auckland"))
    start = datetime(2026, 9, 1, tzinfo=UTC)
    rng = random.Random(22)
    moments = [start + timedelta(minutes=rng.randrange(0, 60 * 24 * 120)) for _ in range(500)]
    grid = week_grid(calendar, start + timedelta(days=20), start + timedelta(days=100), [])
    moments += grid.starts[:3] + [grid.starts[-1] + timedelta(days=30)]  # edges
    rows = [complaint(n, "2026-09-01", opened_at=moment) for n, moment in enumerate(moments)]
    grouped = grid.by_week(rows, attrgetter("opened_at"))
    expected: dict[date, list[int]] = {}
    for c in rows:
        expected.setdefault(grid.monday(c.opened_at), []).append(c.id)
    assert {day: sorted(c.id for c in group) for day, group in grouped.items()} == {
        day: sorted(ids) for day, ids in expected.items()
    }
    for group in grouped.values():  # each in the order of its moment
        assert [c.opened_at for c in group] == sorted(c.opened_at for c in group)
