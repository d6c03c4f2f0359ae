"""timeparse.parse_when: every form in SPEC "Dates and times", never a guess.

The calendar is Europe/London with the default 09:00-17:00 Monday-Friday day,
so the results show local wall-clock times landing on the right UTC instants
in winter (GMT = UTC) and in summer (BST = UTC+1).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from complog.businesstime import BusinessCalendar
from complog.errors import InvalidInput
from complog.timeparse import EXAMPLES, parse_when

LONDON = BusinessCalendar(tz=ZoneInfo("Europe/London"))
#: Monday 2026-11-23 09:00 GMT, the tests' frozen clock.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a date alone: the end of that business day (day_end 17:00 local)
        ("2026-12-01", utc(2026, 12, 1, 17, 0)),
        ("2026-12-01 14:30", utc(2026, 12, 1, 14, 30)),
        ("2026-12-01T14:30", utc(2026, 12, 1, 14, 30)),
        ("2026-12-01 9:15am", utc(2026, 12, 1, 9, 15)),
        # full ISO-8601 with an offset: that exact instant
        ("2026-12-01T14:30+01:00", utc(2026, 12, 1, 13, 30)),
        ("2026-12-01T14:30:00-05:00", utc(2026, 12, 1, 19, 30)),
        ("2026-12-01T14:30:00Z", utc(2026, 12, 1, 14, 30)),
        ("now", MONDAY_9AM),
        ("today", utc(2026, 11, 23, 17, 0)),
        ("tomorrow", utc(2026, 11, 24, 17, 0)),
        ("eod", utc(2026, 11, 23, 17, 0)),
        ("eow", utc(2026, 11, 27, 17, 0)),
        # relative: exact offsets from now
        ("in 3 days", utc(2026, 11, 26, 9, 0)),
        ("+3d", utc(2026, 11, 26, 9, 0)),
        ("+2h", utc(2026, 11, 23, 11, 0)),
        ("+30m", utc(2026, 11, 23, 9, 30)),
        # business days: the end of the third working day after today
        ("3bd", utc(2026, 11, 26, 17, 0)),
        ("+3bd", utc(2026, 11, 26, 17, 0)),
        # a date form followed by a time
        ("tomorrow 10am", utc(2026, 11, 24, 10, 0)),
        ("tomorrow 10:00", utc(2026, 11, 24, 10, 0)),
        ("fri 14:30", utc(2026, 11, 27, 14, 30)),
        ("friday 2pm", utc(2026, 11, 27, 14, 0)),
        ("2026-12-01 3pm", utc(2026, 12, 1, 15, 0)),
        ("in 3 days 10am", utc(2026, 11, 26, 10, 0)),
        ("+3bd 10am", utc(2026, 11, 26, 10, 0)),
        # case and spacing do not matter
        ("  Tomorrow   10AM ", utc(2026, 11, 24, 10, 0)),
        ("EOD", utc(2026, 11, 23, 17, 0)),
    ],
)
def test_documented_form_gives_exact_instant(text, expected):
    assert parse_when(text, MONDAY_9AM, LONDON) == expected


@pytest.mark.parametrize(
    ("text", "expected_day"),
    [
        # Today is Monday: the next occurrence is strictly after today.
        # Monday 09:00: Monday's end of day (17:00) is still ahead, so it is today
        ("mon", date(2026, 11, 23)),
        ("monday", date(2026, 11, 23)),
        ("tue", date(2026, 11, 24)),
        ("tuesday", date(2026, 11, 24)),
        ("wed", date(2026, 11, 25)),
        ("wednesday", date(2026, 11, 25)),
        ("thu", date(2026, 11, 26)),
        ("thursday", date(2026, 11, 26)),
        ("fri", date(2026, 11, 27)),
        ("friday", date(2026, 11, 27)),
        ("sat", date(2026, 11, 28)),
        ("saturday", date(2026, 11, 28)),
        ("sun", date(2026, 11, 29)),
        ("sunday", date(2026, 11, 29)),
    ],
)
def test_weekday_name_is_its_next_occurrence_at_end_of_day(text, expected_day):
    assert parse_when(text, MONDAY_9AM, LONDON) == datetime.combine(
        expected_day, time(17, 0), tzinfo=UTC
    )


def test_weekday_name_already_past_today_means_next_week():
    monday_evening = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert parse_when("mon", monday_evening, LONDON) == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert parse_when("mon 14:30", MONDAY_9AM, LONDON) == datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    assert parse_when("mon 08:30", MONDAY_9AM, LONDON) == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["next fri", "this monday", "midnight", "tomorrow midnight", "+99999d", "0001-01-01"]
)
def test_ambiguous_or_absurd_forms_are_rejected(text):
    with pytest.raises(InvalidInput):
        parse_when(text, MONDAY_9AM, LONDON)


def test_result_is_aware_utc():
    parsed = parse_when("2026-12-01T14:30+01:00", MONDAY_9AM, LONDON)
    assert parsed.tzinfo == UTC
    assert parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 11, 23, 9, 0), utc(2026, 11, 23, 17, 0)),  # Monday morning: today
        (utc(2026, 11, 23, 16, 59), utc(2026, 11, 23, 17, 0)),
        (utc(2026, 11, 23, 17, 0), utc(2026, 11, 24, 17, 0)),  # day over: next working day
        (utc(2026, 11, 23, 18, 0), utc(2026, 11, 24, 17, 0)),
        (utc(2026, 11, 27, 18, 0), utc(2026, 11, 30, 17, 0)),  # Friday evening: Monday
        (utc(2026, 11, 28, 10, 0), utc(2026, 11, 30, 17, 0)),  # Saturday: Monday
    ],
)
def test_eod_is_end_of_this_or_the_next_working_day(now, expected):
    assert parse_when("eod", now, LONDON) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 11, 27, 16, 0), utc(2026, 11, 27, 17, 0)),  # Friday before 17:00
        (utc(2026, 11, 27, 18, 0), utc(2026, 12, 4, 17, 0)),  # Friday evening: next Friday
        (utc(2026, 11, 29, 12, 0), utc(2026, 12, 4, 17, 0)),  # Sunday: next Friday
    ],
)
def test_eow_is_end_of_the_last_working_day_of_the_week(now, expected):
    assert parse_when("eow", now, LONDON) == expected


CHRISTMAS = BusinessCalendar(
    tz=ZoneInfo("Europe/London"), holiday_dates=frozenset({date(2026, 12, 25), date(2026, 12, 28)})
)
GB = BusinessCalendar(tz=ZoneInfo("Europe/London"), holiday_countries=("GB",))


@pytest.mark.parametrize("calendar", [CHRISTMAS, GB], ids=["holiday-dates", "holiday-country"])
@pytest.mark.parametrize("text", ["3bd", "+3bd", "in 3 business days"])
def test_business_days_skip_weekend_and_holidays(calendar, text):
    # Thursday 24 Dec: Fri 25 (Christmas), the weekend and Mon 28 (Boxing Day
    # observed) do not count; Tue 29, Wed 30, Thu 31.
    thursday = utc(2026, 12, 24, 10, 0)
    assert parse_when(text, thursday, calendar) == utc(2026, 12, 31, 17, 0)


def test_one_business_day_from_friday_is_monday():
    assert parse_when("1bd", utc(2026, 11, 27, 10, 0), LONDON) == utc(2026, 11, 30, 17, 0)


# British Summer Time ends on Sunday 2026-10-25 at 02:00 BST (01:00 UTC).
FRIDAY_BEFORE_DST_END = utc(2026, 10, 23, 12, 0)  # 13:00 BST
SATURDAY_BEFORE_DST_END = utc(2026, 10, 24, 12, 0)  # 13:00 BST


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("eod", FRIDAY_BEFORE_DST_END, utc(2026, 10, 23, 16, 0)),  # 17:00 BST
        ("2026-10-24 10:00", FRIDAY_BEFORE_DST_END, utc(2026, 10, 24, 9, 0)),  # BST
        ("mon 10:00", FRIDAY_BEFORE_DST_END, utc(2026, 10, 26, 10, 0)),  # GMT
        ("1bd", FRIDAY_BEFORE_DST_END, utc(2026, 10, 26, 17, 0)),  # 17:00 GMT
        ("tomorrow 10am", SATURDAY_BEFORE_DST_END, utc(2026, 10, 25, 10, 0)),  # the change day
        ("tomorrow", SATURDAY_BEFORE_DST_END, utc(2026, 10, 25, 17, 0)),
        # relative offsets are exact elapsed time: 24 hours, though the wall clock moves by 23
        ("+1d", SATURDAY_BEFORE_DST_END, utc(2026, 10, 25, 12, 0)),
        ("+2h", utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 30)),
    ],
)
def test_local_times_land_on_the_right_instant_across_the_dst_change(text, now, expected):
    assert parse_when(text, now, LONDON) == expected


def test_local_time_that_does_not_exist_is_rejected_not_guessed():
    with pytest.raises(InvalidInput):
        parse_when("2026-03-29 01:30", MONDAY_9AM, LONDON)


@pytest.mark.parametrize(
    "text",
    [
        "31/02",
        "2026-02-31",
        "2026-02-31 10:00",
        "2026-02-31T10:00+00:00",
        "2026-13-01",
        "2026-12-1",
        "1/12/2026",
        "soon",
        "",
        "   ",
        "25:00",
        "tomorrow 13pm",
        "tomorrow 10",
        "fri 14:60",
        "0am",
        "10am tomorrow",
        "in a day",
        "+3dd",
        "in -3 days",
        "-3bd",
        "next month",
    ],
)
def test_anything_else_is_rejected_with_accepted_examples(text):
    with pytest.raises(InvalidInput) as raised:
        parse_when(text, MONDAY_9AM, LONDON)
    error = raised.value
    assert error.exit_code == 2
    assert error.message.startswith(f"cannot read {text!r} as a date or time")
    assert error.hint == f"accepted forms: {EXAMPLES}"
    for example in ("2026-12-01", "2026-12-01 14:30", "tomorrow 10am", "fri 14:30", "+2h", "3bd"):
        assert example in error.hint


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-02-31", "no such date"),
        ("2026-02-31 10:00", "no such date or time"),
        ("", "empty"),
    ],
)
def test_rejection_says_why_when_it_knows(text, why):
    with pytest.raises(InvalidInput) as raised:
        parse_when(text, MONDAY_9AM, LONDON)
    assert raised.value.message == f"cannot read {text!r} as a date or time ({why})"


SUNDAY_NOON = utc(2026, 11, 29, 12, 0)


@pytest.mark.parametrize("text", ["today", "0bd", "eod"])
def test_business_words_on_a_day_off_land_on_the_next_working_day(text):
    # On the old code "today" and "0bd" on a Sunday were Sunday 17:00: a deadline on a
    # day nobody works, which add then warned about as if it were overdue.
    assert parse_when(text, SUNDAY_NOON, LONDON) == utc(2026, 11, 30, 17, 0)


def test_an_explicit_time_today_on_a_day_off_is_kept():
    assert parse_when("today 3pm", SUNDAY_NOON, LONDON) == utc(2026, 11, 29, 15, 0)


@pytest.mark.parametrize("text", ["٣bd", "+٣d", "٢٠٢٦-١٢-٠١", "３bd", "1٠am", "2026-12-0١ 10:00"])
def test_digits_other_than_ascii_are_refused_not_read(text):
    with pytest.raises(InvalidInput):
        parse_when(text, MONDAY_9AM, LONDON)
