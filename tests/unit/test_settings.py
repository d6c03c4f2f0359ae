"""settings: every key accepts its documented forms, refuses the rest with exit 2,
and check_consistent refuses a working day that ends before it starts."""

from __future__ import annotations

from datetime import UTC, date, time
from zoneinfo import ZoneInfo

import pytest

from complog.errors import InvalidInput
from complog.settings import (
    RULES,
    RULES_OFF_BY_DEFAULT,
    Duration,
    canonical,
    check_consistent,
    load_settings,
)

DURATION_KEYS = [
    "overdue_grace",
    "quiet_for",
    "resolve_within",
    "written_reply_within",
    "repeat_window",
]


@pytest.mark.parametrize("key", DURATION_KEYS)
@pytest.mark.parametrize(
    ("value", "stored"),
    [("2bh", "2bh"), ("5bd", "5bd"), ("30d", "30d"), ("4h", "4h"), ("15m", "15m"), ("2w", "2w"),
     (" 5bd ", "5bd"), ("0bh", "0bh"), ("99999bh", "99999bh")],
)  # fmt: skip
def test_duration_settings_accept_amount_and_unit(key, value, stored):
    assert canonical(key, value) == stored


@pytest.mark.parametrize("key", DURATION_KEYS)
@pytest.mark.parametrize(
    "value", ["", "bh", "2", "2 hours", "-1bd", "1.5h", "2y", "100000bh", "5 business days"]
)
def test_duration_settings_refuse_anything_else(key, value):
    with pytest.raises(InvalidInput) as raised:
        canonical(key, value)
    assert raised.value.exit_code == 2
    assert raised.value.message == f"invalid value {value!r} for {key}"
    assert raised.value.hint == (
        "expected a duration such as 2bh (business hours), 5bd (business days), 30d, 4h"
    )


@pytest.mark.parametrize("key", ["day_start", "day_end"])
@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("09:00", "09:00"),
        ("9:00", "09:00"),
        ("17:30", "17:30"),
        ("00:00", "00:00"),
        ("23:59", "23:59"),
    ],
)
def test_clock_settings_accept_24_hour_times(key, value, stored):
    assert canonical(key, value) == stored


@pytest.mark.parametrize("key", ["day_start", "day_end"])
@pytest.mark.parametrize("value", ["", "24:00", "09:60", "9am", "0900", "9", "09:00:00", "noon"])
def test_clock_settings_refuse_anything_else(key, value):
    with pytest.raises(InvalidInput) as raised:
        canonical(key, value)
    assert raised.value.hint == "expected a 24-hour time such as 09:00 or 17:30"


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon,wed", {0, 2}),
        ("mon, wed ,fri", {0, 2, 4}),
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("fri-mon", {4, 5, 6, 0}),  # wraps round the weekend
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("monday-friday", {0, 1, 2, 3, 4}),
        ("sat", {5}),
    ],
)
def test_workdays_accept_ranges_and_lists(value, days):
    stored = canonical("workdays", value)
    assert load_settings({"workdays": stored}).calendar.workdays == frozenset(days)


@pytest.mark.parametrize("value", ["", ",", "funday", "mo", "mon-", "-fri", "mon-xyz", "1-5"])
def test_workdays_refuse_anything_else(value):
    with pytest.raises(InvalidInput) as raised:
        canonical("workdays", value)
    assert raised.value.hint == "expected weekdays such as mon-fri or mon,tue,wed,thu,fri"


@pytest.mark.parametrize("value", ["monkey", "wedding", "sunny-thursday"])
def test_workdays_refuse_words_that_only_start_like_a_weekday(value):
    with pytest.raises(InvalidInput):
        canonical("workdays", value)


@pytest.mark.parametrize(
    ("value", "dates", "countries"),
    [
        ("2026-12-25", {date(2026, 12, 25)}, ()),
        ("2026-12-25,2026-12-26", {date(2026, 12, 25), date(2026, 12, 26)}, ()),
        ("GB", set(), ("GB",)),
        ("gb", set(), ("GB",)),
        ("US-CA", set(), ("US-CA",)),
        ("GB-SCT, 2026-12-24", {date(2026, 12, 24)}, ("GB-SCT",)),
        ("", set(), ()),  # clears the holidays
    ],
)
def test_holidays_accept_dates_and_country_codes(value, dates, countries):
    calendar = load_settings({"holidays": canonical("holidays", value)}).calendar
    assert calendar.holiday_dates == frozenset(dates)
    assert calendar.holiday_countries == countries


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (
            "XX",
            "expected a country code the holidays package knows, such as GB, US or US-CA (XX is not one)",
        ),
        (
            "GB-XYZ",
            "expected a country code the holidays package knows, such as GB, US or US-CA (GB-XYZ is not one)",
        ),
        (
            "2026-02-31",
            "expected dates and/or country codes, such as 2026-12-25,2026-12-26 or GB or US-CA",
        ),
        (
            "christmas",
            "expected dates and/or country codes, such as 2026-12-25,2026-12-26 or GB or US-CA",
        ),
        (
            "25/12",
            "expected dates and/or country codes, such as 2026-12-25,2026-12-26 or GB or US-CA",
        ),
    ],
)
def test_holidays_refuse_unknown_countries_and_impossible_dates(value, hint):
    with pytest.raises(InvalidInput) as raised:
        canonical("holidays", value)
    assert raised.value.hint == hint


@pytest.mark.parametrize(
    ("value", "zone"),
    [
        ("Europe/London", ZoneInfo("Europe/London")),
        ("America/New_York", ZoneInfo("America/New_York")),
        ("UTC", UTC),
        ("utc", UTC),
    ],
)
def test_tz_accepts_iana_zone_names(value, zone):
    assert load_settings({"tz": canonical("tz", value)}).tz == zone


@pytest.mark.parametrize("value", ["", "Mars/Olympus", "europe/london", "GMT+25", "../etc/passwd"])
def test_tz_refuses_unknown_zones(value):
    with pytest.raises(InvalidInput) as raised:
        canonical("tz", value)
    assert (
        raised.value.hint == "expected an IANA time zone such as Europe/London or America/New_York"
    )


@pytest.mark.parametrize(("value", "stored"), [("1", "1"), ("3", "3"), ("5", "5"), (" 4 ", "4")])
def test_hot_heat_accepts_1_to_5(value, stored):
    assert canonical("hot_heat", value) == stored


@pytest.mark.parametrize("value", ["0", "6", "4.5", "", "-1", "four"])
def test_hot_heat_refuses_anything_else(value):
    with pytest.raises(InvalidInput) as raised:
        canonical("hot_heat", value)
    assert raised.value.hint == "expected a heat from 1 to 5"


@pytest.mark.parametrize("key", [f"rule.{rule}" for rule in RULES])
@pytest.mark.parametrize(
    ("value", "stored"),
    [("on", "on"), ("off", "off"), ("ON", "on"), ("yes", "on"), ("no", "off"),
     ("true", "on"), ("false", "off"), ("1", "on"), ("0", "off")],
)  # fmt: skip
def test_rule_switches_store_on_or_off(key, value, stored):
    assert canonical(key, value) == stored


@pytest.mark.parametrize("value", ["", "maybe", "enabled", "2"])
def test_rule_switches_refuse_anything_else(value):
    with pytest.raises(InvalidInput) as raised:
        canonical("rule.quiet-hot", value)
    assert raised.value.hint == "expected on or off"


@pytest.mark.parametrize("key", ["max_reschedules", "repeat_count"])
def test_counts_are_whole_numbers_of_at_least_1(key):
    assert canonical(key, "2") == "2"
    assert canonical(key, "1") == "1"
    for bad in ("0", "-1", "1.5", "1e3", "1000000", ""):
        with pytest.raises(InvalidInput):
            canonical(key, bad)


def test_escalate_to_is_a_trimmed_non_empty_name():
    assert canonical("escalate_to", " Team Lead ") == "Team Lead"
    with pytest.raises(InvalidInput) as raised:
        canonical("escalate_to", "   ")
    assert raised.value.hint == "expected a non-empty name or role, such as manager"


def test_unknown_key_is_refused_with_the_list_of_known_keys():
    with pytest.raises(InvalidInput) as raised:
        canonical("day_length", "8h")
    assert raised.value.exit_code == 2
    assert raised.value.message == "unknown setting 'day_length'"
    assert raised.value.hint.startswith(
        "did you mean 'day_end'? known settings: tz, day_start, day_end, workdays, holidays"
    )
    assert "rule.repeat-customer" in raised.value.hint


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [("overdue_grace", "2BH", "2bh"), ("overdue_grace", "2 bh", "2bh"),
     ("day_start", "9:00", "09:00"), ("workdays", "Mon-Fri", "mon-fri"), ("holidays", "gb", "GB")],
)  # fmt: skip
def test_canonical_stores_one_spelling_per_value(key, value, stored):
    assert canonical(key, value) == stored


def test_defaults_are_the_documented_ones():
    settings = load_settings({})
    assert settings.calendar.day_start == time(9, 0)
    assert settings.calendar.day_end == time(17, 0)
    assert settings.calendar.workdays == frozenset({0, 1, 2, 3, 4})
    assert settings.overdue_grace == Duration(2, "bh")
    assert settings.hot_heat == 4
    assert settings.quiet_for == Duration(1, "bd")
    assert settings.resolve_within == Duration(5, "bd")
    assert settings.written_reply_within == Duration(2, "bd")
    assert settings.max_reschedules == 2
    assert (settings.repeat_count, settings.repeat_window) == (3, Duration(30, "d"))
    assert settings.escalate_to == "manager"
    assert settings.acknowledge_within == Duration(4, "bh")
    # issue 19 item 7: every rule is on in a new logbook, unacknowledged included
    # (migration 0005 writes it off into logbooks that existed before)
    assert RULES_OFF_BY_DEFAULT == frozenset()
    assert settings.rules_on == frozenset(RULES)


def test_bad_stored_value_falls_back_to_its_default():
    settings = load_settings({"hot_heat": "9", "rule.quiet-hot": "off"})
    assert settings.hot_heat == 4
    assert settings.values["hot_heat"] == "4"
    assert settings.rules_on == frozenset(RULES) - RULES_OFF_BY_DEFAULT - {"quiet-hot"}


@pytest.mark.parametrize(
    "stored",
    [
        {"day_start": "17:00", "day_end": "09:00"},
        {"day_start": "09:00", "day_end": "09:00"},
        {"day_end": "08:00"},  # against the default start 09:00
        {"day_start": "18:00"},  # against the default end 17:00
    ],
)
def test_check_consistent_refuses_a_day_that_ends_before_it_starts(stored):
    with pytest.raises(InvalidInput) as raised:
        check_consistent(stored)
    settings = load_settings(stored)
    assert raised.value.exit_code == 2
    assert raised.value.message == "day_end must be later than day_start"
    assert raised.value.hint == (
        f"now day_start={settings.values['day_start']}, day_end={settings.values['day_end']}"
    )


@pytest.mark.parametrize(
    "stored", [{}, {"day_start": "08:00", "day_end": "18:00"}, {"day_end": "09:01"}]
)
def test_check_consistent_accepts_a_day_that_ends_after_it_starts(stored):
    assert check_consistent(stored) is None


@pytest.mark.parametrize(
    ("key", "value"),
    [("hook_timeout", "３"), ("repeat_count", "٣"), ("max_reschedules", "२"),
     ("day_start", "０９:００"), ("day_end", "١٧:٣٠")],
)  # fmt: skip
def test_numbers_in_settings_are_ascii_digits_as_everywhere_else(key, value):
    """Dates, amounts and durations take ASCII digits only; so do counts and clocks
    (int() reads any script's digits: `３` was stored as 3)."""
    with pytest.raises(InvalidInput):
        canonical(key, value)
