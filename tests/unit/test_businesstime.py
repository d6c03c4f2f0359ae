"""businesstime: working-time arithmetic over weekends, holidays and DST.

Europe/London, 09:00-17:00 Monday-Friday unless stated. In November GMT = UTC;
British Summer Time (UTC+1) ends on Sunday 2026-10-25.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from complog.businesstime import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
PLAIN = BusinessCalendar(tz=LONDON)
GB = BusinessCalendar(tz=LONDON, holiday_countries=("GB",))
HOUR = 3600.0


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("calendar", "start", "end", "seconds"),
    [
        # same day, inside working hours
        (PLAIN, utc(2026, 11, 23, 10), utc(2026, 11, 23, 12, 30), 2.5 * HOUR),
        # before opening and after closing count nothing
        (PLAIN, utc(2026, 11, 23, 7), utc(2026, 11, 23, 20), 8 * HOUR),
        # Friday 16:00 -> Monday 10:00: one hour each side of the weekend
        (PLAIN, utc(2026, 11, 27, 16), utc(2026, 11, 30, 10), 2 * HOUR),
        # Friday noon -> Monday noon: a full working day's worth
        (PLAIN, utc(2026, 11, 27, 12), utc(2026, 11, 30, 12), 8 * HOUR),
        # a weekend alone is no working time
        (PLAIN, utc(2026, 11, 28, 10), utc(2026, 11, 29, 16), 0.0),
        # Christmas Eve 16:00 -> Tue 29 Dec 10:00 skips Christmas, the weekend, Boxing Day (observed)
        (GB, utc(2026, 12, 24, 16), utc(2026, 12, 29, 10), 2 * HOUR),
        # Friday 16:00 BST -> Monday 10:00 GMT: 2 working hours, although 67 hours pass
        (PLAIN, utc(2026, 10, 23, 15), utc(2026, 10, 26, 10), 2 * HOUR),
        # Monday 09:00 BST -> Monday 09:00 GMT a week later: five whole 8-hour days
        (PLAIN, utc(2026, 10, 19, 8), utc(2026, 10, 26, 9), 40 * HOUR),
        # end before start, or equal: nothing
        (PLAIN, utc(2026, 11, 23, 12), utc(2026, 11, 23, 10), 0.0),
        (PLAIN, utc(2026, 11, 23, 10), utc(2026, 11, 23, 10), 0.0),
    ],
    ids=[
        "same-day", "clipped-to-hours", "weekend", "friday-noon-to-monday-noon", "weekend-only",
        "holidays", "dst-weekend", "dst-week", "reversed", "empty",
    ],
)  # fmt: skip
def test_business_seconds_between(calendar, start, end, seconds):
    assert calendar.business_seconds_between(start, end) == seconds


@pytest.mark.parametrize(
    ("calendar", "start", "seconds", "expected"),
    [
        (PLAIN, utc(2026, 11, 23, 10), 2 * HOUR, utc(2026, 11, 23, 12)),
        # the working day ends exactly at 17:00, not the next morning
        (PLAIN, utc(2026, 11, 23, 9), 8 * HOUR, utc(2026, 11, 23, 17)),
        (PLAIN, utc(2026, 11, 23, 9), 8 * HOUR + 1, utc(2026, 11, 24, 9, 0, 1)),
        # Friday 16:00 + 2h = Monday 10:00
        (PLAIN, utc(2026, 11, 27, 16), 2 * HOUR, utc(2026, 11, 30, 10)),
        # starting on a Saturday counts from Monday's opening
        (PLAIN, utc(2026, 11, 28, 10), HOUR, utc(2026, 11, 30, 10)),
        (PLAIN, utc(2026, 11, 28, 10), 0, utc(2026, 11, 30, 9)),
        # starting after hours counts from the next opening
        (PLAIN, utc(2026, 11, 23, 20), HOUR, utc(2026, 11, 24, 10)),
        (GB, utc(2026, 12, 24, 16), 2 * HOUR, utc(2026, 12, 29, 10)),
        # Friday 16:00 BST + 2h = Monday 10:00 GMT
        (PLAIN, utc(2026, 10, 23, 15), 2 * HOUR, utc(2026, 10, 26, 10)),
    ],
)
def test_add_business_seconds(calendar, start, seconds, expected):
    assert calendar.add_business_seconds(start, seconds) == expected


@pytest.mark.parametrize(
    ("calendar", "day", "count", "expected"),
    [
        (PLAIN, date(2026, 11, 23), 0, date(2026, 11, 23)),
        (PLAIN, date(2026, 11, 23), 1, date(2026, 11, 24)),
        (PLAIN, date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday -> Monday
        (PLAIN, date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday -> Monday
        (PLAIN, date(2026, 11, 23), 5, date(2026, 11, 30)),
        (GB, date(2026, 12, 24), 1, date(2026, 12, 29)),
        (GB, date(2026, 12, 24), 3, date(2026, 12, 31)),
        (GB, date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day is a holiday too
    ],
)
def test_add_business_days(calendar, day, count, expected):
    assert calendar.add_business_days(day, count) == expected


def test_add_business_duration_keeps_the_position_in_the_working_day():
    # Fri 15:00 + 1bd = Mon 15:00 local, across the weekend and across the DST change
    assert PLAIN.add_business_duration(utc(2026, 11, 27, 15), 1, 0) == utc(2026, 11, 30, 15)
    assert PLAIN.add_business_duration(utc(2026, 10, 23, 14), 1, 0) == utc(2026, 10, 26, 15)


@pytest.mark.parametrize(
    ("calendar", "now", "expected"),
    [
        (PLAIN, utc(2026, 11, 23, 9), utc(2026, 11, 23, 17)),
        (PLAIN, utc(2026, 11, 23, 17), utc(2026, 11, 24, 17)),
        (PLAIN, utc(2026, 11, 27, 18), utc(2026, 11, 30, 17)),
        (GB, utc(2026, 12, 25, 10), utc(2026, 12, 29, 17)),  # on a holiday: the next working day
        (PLAIN, utc(2026, 10, 23, 12), utc(2026, 10, 23, 16)),  # 17:00 BST
        # New York: 20:00 EST on Monday is 01:00 UTC on Tuesday; the local day is over
        (
            BusinessCalendar(tz=ZoneInfo("America/New_York")),
            utc(2026, 11, 24, 1),
            utc(2026, 11, 24, 22),
        ),
    ],
)
def test_end_of_business_day(calendar, now, expected):
    assert calendar.end_of_business_day(now) == expected


@pytest.mark.parametrize(
    ("code", "day", "is_holiday"),
    [
        ("GB", date(2026, 12, 25), True),
        ("GB", date(2026, 12, 28), True),  # Boxing Day (observed): 26th is a Saturday
        ("GB", date(2026, 12, 24), False),
        ("GB", date(2026, 1, 2), False),
        ("GB-SCT", date(2026, 1, 2), True),  # a Scottish bank holiday only
        ("US", date(2026, 11, 26), True),  # Thanksgiving
        ("US", date(2026, 12, 28), False),
    ],
)
def test_country_code_holidays_come_from_the_holidays_package(code, day, is_holiday):
    calendar = BusinessCalendar(tz=LONDON, holiday_countries=(code,))
    assert calendar.is_holiday(day) is is_holiday
    assert calendar.is_workday(day) is (not is_holiday and day.weekday() < 5)


def test_custom_workdays_and_hours():
    # Sunday-Thursday, 08:00-12:00
    calendar = BusinessCalendar(
        tz=UTC, day_start=time(8), day_end=time(12), workdays=frozenset({6, 0, 1, 2, 3})
    )
    assert calendar.next_workday(date(2026, 11, 26)) == date(2026, 11, 29)  # Thu -> Sun
    assert (
        calendar.business_seconds_between(utc(2026, 11, 26, 11), utc(2026, 11, 29, 9)) == 2 * HOUR
    )


def test_no_working_days_is_an_error_not_a_hang():
    calendar = BusinessCalendar(tz=UTC, workdays=frozenset())
    with pytest.raises(ValueError, match="no working days configured"):
        calendar.next_workday(date(2026, 11, 23))


def _counted_day_by_day(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """business_seconds_between as it was first written: a step per local day, each
    day's working part summed in day order."""
    if end <= start:
        return 0.0
    spans = []
    day, last = calendar.local_date(start), calendar.local_date(end)
    while day <= last:
        opens, closes = calendar.start_of_day(day), calendar.end_of_day(day)
        if calendar.is_workday(day) and opens < closes:
            lo, hi = max(opens, start), min(closes, end)
            if lo < hi:
                spans.append((hi - lo).total_seconds())
        day += timedelta(days=1)
    return sum(spans)


@pytest.mark.parametrize(
    "calendar",
    [
        BusinessCalendar(tz=LONDON, holiday_countries=("GB",)),
        BusinessCalendar(tz=ZoneInfo("America/Santiago"), day_start=time(0, 0)),  # DST at midnight
        BusinessCalendar(
            tz=UTC, day_start=time(8, 30), day_end=time(23, 59), workdays=frozenset({5})
        ),
        BusinessCalendar(tz=LONDON, day_start=time(17, 0), day_end=time(9, 0)),  # no window
    ],
)
def test_business_seconds_between_is_the_day_by_day_sum_to_the_last_bit(calendar):
    """The report's durations (hundreds of thousands, in any order, with microseconds)
    equal the day-by-day sum exactly, not merely closely: `report --format json` prints
    every float in full. Each calendar is new, so its run of windows grows as asked."""
    rng = random.Random(22)
    base = utc(2024, 1, 1)
    for _ in range(3000):
        start = base + timedelta(seconds=rng.uniform(0, 3 * 365 * 86400))
        end = start + timedelta(
            seconds=rng.choice([rng.uniform(-3600, 86400), rng.uniform(0, 90 * 86400)])
        )
        assert calendar.business_seconds_between(start, end) == _counted_day_by_day(
            calendar, start, end
        ), (start, end)
    far = (utc(1900, 1, 1), utc(2030, 1, 1))
    assert calendar.business_seconds_between(*far) == _counted_day_by_day(calendar, *far)
