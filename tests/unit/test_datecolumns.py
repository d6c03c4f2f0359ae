"""Dates in spreadsheet columns (importers/datecolumns.py): read, never guessed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from complog.errors import InvalidInput
from complog.importers.datecolumns import (
    DAY_FIRST,
    MONTH_FIRST,
    DateEvidence,
    Zone,
    read_date,
)

UTC_ZONE = Zone(UTC, time(17, 0))
LONDON = Zone(ZoneInfo("Europe/London"), time(17, 0))


def order_of(*values: str) -> str | None:
    evidence = DateEvidence("Opened")
    for n, value in enumerate(values, start=2):
        evidence.observe(value, f"row {n}")
    return evidence.order()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("01/02/2024", "13/02/2024"), DAY_FIRST),  # one value settles the whole column
        (("01/02/2024", "02/13/2024"), MONTH_FIRST),
        (("13.02.2024 09:30", "05.03.24"), DAY_FIRST),
        (("2024-02-01", "5 Mar 2024", "March 5, 2024"), None),  # nothing to decide
        (("05/05/2024",), None),  # the same either way
    ],
)
def test_the_order_comes_from_the_whole_column(values, expected):
    assert order_of(*values) == expected


def test_a_column_that_fits_both_orders_is_refused_with_its_values():
    with pytest.raises(InvalidInput) as caught:
        order_of("01/02/2024", "03/04/2024", "05/06/2024 10:00")
    assert caught.value.message == (
        "dates in column 'Opened' fit both day-first and month-first:"
        " '01/02/2024', '03/04/2024', '05/06/2024 10:00'"
    )
    assert (
        caught.value.hint == 'say which in the map: [dates] Opened = "day-first" or "month-first"'
    )


def test_a_column_that_contradicts_itself_is_refused():
    with pytest.raises(InvalidInput, match="mixes day-first and month-first"):
        order_of("13/01/2024", "01/13/2024")


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("05/03/2024 14:30", DAY_FIRST, datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        ("05/03/2024 2:30 PM", MONTH_FIRST, datetime(2024, 5, 3, 14, 30, tzinfo=UTC)),
        ("05/03/2024", DAY_FIRST, datetime(2024, 3, 5, 17, 0, tzinfo=UTC)),  # day_end
        ("2024-03-05T09:00:00+02:00", None, datetime(2024, 3, 5, 7, 0, tzinfo=UTC)),
        ("2024/03/05 08:00", None, datetime(2024, 3, 5, 8, 0, tzinfo=UTC)),
        ("Tue 5 Mar 2024 10:00", None, datetime(2024, 3, 5, 10, 0, tzinfo=UTC)),
        ("March 5, 2024", None, datetime(2024, 3, 5, 17, 0, tzinfo=UTC)),
        ("05.03.24 09:00", DAY_FIRST, datetime(2024, 3, 5, 9, 0, tzinfo=UTC)),
    ],
)
def test_read_date_forms(value, order, expected):
    assert read_date(value, order, None, UTC_ZONE) == expected


def test_excel_values_need_no_format_and_midnight_is_a_date():
    excel = datetime(2024, 3, 5, 9, 30)  # noqa: DTZ001 - Excel cells have no time zone
    assert read_date(excel, None, None, UTC_ZONE) == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    midnight = datetime(2024, 3, 5)  # noqa: DTZ001 - a date cell, as openpyxl gives it
    assert read_date(midnight, None, None, UTC_ZONE).hour == 17
    assert read_date(date(2024, 3, 5), None, None, UTC_ZONE).hour == 17


def test_a_fixed_format_from_the_map():
    assert read_date("2024|03|05", None, "%Y|%m|%d", UTC_ZONE).hour == 17
    with pytest.raises(ValueError, match="does not match the map's format"):
        read_date("05/03/2024", None, "%Y|%m|%d", UTC_ZONE)


def test_local_times_that_do_not_exist_or_happen_twice_are_refused():
    summer = read_date("2024-07-01 10:00", None, None, LONDON)
    assert summer == datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="does not exist in Europe/London"):
        read_date("2024-03-31 01:30", None, None, LONDON)
    with pytest.raises(ValueError, match="happens twice in Europe/London"):
        read_date("2024-10-27 01:30", None, None, LONDON)
    # with its offset it is one moment
    assert read_date("2024-10-27 01:30+01:00", None, None, LONDON).hour == 0


@pytest.mark.parametrize("value", ["31/02/2024", "next tuesday", "2024-13-01", "45357", ""])
def test_what_is_not_a_date_says_so(value):
    with pytest.raises(ValueError):
        read_date(value, DAY_FIRST, None, UTC_ZONE)
