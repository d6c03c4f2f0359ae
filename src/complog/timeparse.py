"""Human date forms -> aware UTC datetimes, without ever guessing.

Accepted (case-insensitive): `2026-12-01`, `2026-12-01 14:30`, ISO-8601 with
offset, `now`, `today`, `tomorrow`, `yesterday`, `eod`, `eow`, weekday names
and abbreviations (the next occurrence after today), `in 3 days`,
`2 hours ago`, `+3d`, `+2h`, `+30m`, `-1d`, `3bd`/`+3bd` (business days),
a time alone (`3pm`: today),
and any date form followed by a time: `tomorrow 10am`, `fri 14:30`,
`2026-12-01 9:15am`. A date without a time means the end of that business
day. Anything else raises InvalidInput listing examples.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from complog.businesstime import BusinessCalendar
from complog.errors import InvalidInput

EXAMPLES = (
    "2026-12-01, 2026-12-01 14:30, 2026-12-01T14:30+01:00, now, today, tomorrow 10am, "
    "fri 14:30, eod, eow, in 3 days, +2h, +30m, 3bd"
)

_WEEKDAYS = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip

_UNITS = {
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
    "bd": "bd", "business day": "bd", "business days": "bd",
}  # fmt: skip

_TIME = re.compile(
    r"^(?:at\s+)?(?:(?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?\s*(?P<ampm>am|pm)"
    r"|(?P<h24>\d{1,2}):(?P<m24>\d{2})(?::(?P<s24>\d{2}))?"
    r"|(?P<word>noon|midday|midnight))$"
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_FULL = re.compile(
    r"^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\s*(z|[+-]\d{2}(:?\d{2})?)?$"
)
_RELATIVE = re.compile(
    r"^(?:(?P<in>in)\s+)?(?P<sign>[+-])?\s*(?P<n>\d{1,5})\s*"
    r"(?P<unit>business days?|[a-z]+)(?:\s+(?P<ago>ago))?$"
)


def _reject(text: str, why: str | None = None) -> InvalidInput:
    reason = f" ({why})" if why else ""
    return InvalidInput(
        f"cannot read {text!r} as a date or time{reason}", f"accepted forms: {EXAMPLES}"
    )


def parse_when(text: str, now: datetime, calendar: BusinessCalendar) -> datetime:
    """Parse one of the documented forms relative to `now` in the calendar's zone."""
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        raise _reject(text, "empty")
    if _ISO_FULL.match(cleaned):
        return _parse_iso(text, cleaned, calendar)
    if cleaned == "now":
        return now
    if cleaned == "eod":
        return calendar.end_of_business_day(now)
    if cleaned == "eow":
        return calendar.end_of_business_week(now)
    relative = _relative_instant(cleaned, now, calendar)
    if relative is not None:
        return relative
    day = _parse_day(cleaned, now, calendar)
    if day is not None:
        return calendar.end_of_day(day)
    clock = _parse_time(cleaned)
    if clock is not None:  # a time alone is today at that time
        return calendar.at(calendar.local_date(now), clock)
    date_part, _, time_part = cleaned.rpartition(" ")
    if date_part.endswith(" at"):
        date_part = date_part[: -len(" at")]
    clock = _parse_time(time_part)
    if date_part and clock is not None:
        day = _parse_day(date_part, now, calendar)
        if day is not None:
            return calendar.at(day, clock)
    raise _reject(text)


def _parse_iso(original: str, cleaned: str, calendar: BusinessCalendar) -> datetime:
    try:
        parsed = datetime.fromisoformat(cleaned.upper().replace("Z", "+00:00"))
    except ValueError:
        raise _reject(original, "no such date or time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=calendar.tz)
    return parsed.astimezone(UTC)


def _parse_time(text: str) -> time | None:
    match = _TIME.match(text)
    if not match:
        return None
    if match.group("word"):
        return time(0, 0) if match.group("word") == "midnight" else time(12, 0)
    if match.group("ampm"):
        hour, minute = int(match.group("h12")), int(match.group("m12") or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        hour = hour % 12 + (12 if match.group("ampm") == "pm" else 0)
        return time(hour, minute)
    hour, minute = int(match.group("h24")), int(match.group("m24"))
    second = int(match.group("s24") or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _parse_day(text: str, now: datetime, calendar: BusinessCalendar) -> date | None:
    """A calendar day named by `text`, or None if it names no day."""
    today = calendar.local_date(now)
    iso = _ISO_DATE.match(text)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            raise _reject(text, "no such date") from None
    named = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if text in named:
        return today + timedelta(days=named[text])
    words = text.split(" ")
    if len(words) == 2 and words[0] in ("next", "this"):
        text = words[1]
    if text in _WEEKDAYS:
        ahead = (_WEEKDAYS[text] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    match = _RELATIVE.match(text)
    if match and _UNITS.get(match.group("unit")) in ("d", "w", "bd"):
        return _relative_day(match, today, calendar)
    return None


def _relative_day(match: re.Match[str], today: date, calendar: BusinessCalendar) -> date:
    count = int(match.group("n"))
    unit = _UNITS[match.group("unit")]
    backwards = match.group("sign") == "-" or bool(match.group("ago"))
    if unit == "bd":
        if backwards:
            raise _reject(match.string, "business days count forwards only")
        return calendar.add_business_days(today, count)
    days = count * (7 if unit == "w" else 1)
    return today + timedelta(days=-days if backwards else days)


def _relative_instant(text: str, now: datetime, calendar: BusinessCalendar) -> datetime | None:
    """`+2h`, `in 3 days`, `30m ago`: an exact offset from now (business days: end of that day)."""
    match = _RELATIVE.match(text)
    if not match:
        return None
    unit = _UNITS.get(match.group("unit"))
    if unit is None:
        return None
    if match.group("in") and (match.group("sign") or match.group("ago")):
        raise _reject(text)
    if unit == "bd":
        return calendar.end_of_day(_relative_day(match, calendar.local_date(now), calendar))
    minutes = int(match.group("n")) * {"m": 1, "h": 60, "d": 1440, "w": 10080}[unit]
    backwards = match.group("sign") == "-" or bool(match.group("ago"))
    try:
        return now + timedelta(minutes=-minutes if backwards else minutes)
    except OverflowError:
        raise _reject(text, "too far away") from None
