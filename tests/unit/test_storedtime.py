"""storedtime: the stored text decodes by one fast parse, and every other form a
driver or an older logbook may hand back decodes as it always did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from complog.storedtime import decode_time, encode_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-04 10:11:12.123456", datetime(2026, 3, 4, 10, 11, 12, 123456, tzinfo=UTC)),
        ("2026-03-04 10:11:12", datetime(2026, 3, 4, 10, 11, 12, tzinfo=UTC)),
        ("2026-03-04T10", datetime(2026, 3, 4, 10, tzinfo=UTC)),
        # a bare date: the fast parse would read "+00:00" as a time of day
        ("2026-03-04", datetime(2026, 3, 4, tzinfo=UTC)),
        ("20260304", datetime(2026, 3, 4, tzinfo=UTC)),
        # text with its own offset is converted, not given a second one
        ("2026-03-04T10:00:00+02:00", datetime(2026, 3, 4, 8, tzinfo=UTC)),
        ("2026-03-04T10:00:00Z", datetime(2026, 3, 4, 10, tzinfo=UTC)),
        # a driver's datetimes (PostgreSQL), naive and aware
        (datetime(2026, 3, 4, 10), datetime(2026, 3, 4, 10, tzinfo=UTC)),  # noqa: DTZ001
        (
            datetime(2026, 3, 4, 10, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2026, 3, 4, 15, tzinfo=UTC),
        ),
        (None, None),
    ],
)
def test_decode_time(value, expected):
    decoded = decode_time(value)
    assert decoded == expected
    assert decoded is None or decoded.utcoffset() == timedelta(0)


def test_encoded_times_decode_to_themselves():
    moment = datetime(2026, 10, 25, 1, 30, 0, 7, tzinfo=UTC)
    assert decode_time(encode_time(moment)) == moment


@pytest.mark.parametrize("value", ["", "x", "2026-13-01 00:00:00.000000"])
def test_text_that_is_no_time_is_an_error(value):
    with pytest.raises(ValueError):
        decode_time(value)
