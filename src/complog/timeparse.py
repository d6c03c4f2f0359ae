"""Human date forms -> aware UTC datetimes, without ever guessing.

Accepted (case-insensitive): `2026-12-01`, `2026-12-01 14:30`, ISO-8601 with
offset, `now`, `today`, `tomorrow`, `yesterday`, `eod`, `eow`, weekday names
and abbreviations (their next occurrence: `fri` on a Friday morning is
today 17:00, on a Friday evening next week's), `in 3 days`,
`2 hours ago`, `+3d`, `+2h`, `+30m`, `-1d`, `3bd`/`+3bd` (business days),
a time alone (`3pm`: today),
and any date form followed by a time: `tomorrow 10am`, `fri 14:30`,
`2026-12-01 9:15am`. A date without a time means the end of that business
day. Anything else raises InvalidInput listing examples.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from complog.businesstime import WEEKDAYS, BusinessCalendar
from complog.errors import InvalidInput

EXAMPLES = (
    "2026-12-01, 2026-12-01 14:30, 2026-12-01T14:30+01:00, now, today, tomorrow 10am, "
    "fri 14:30, eod, eow, in 3 days, +2h, +30m, 3bd"
)

_WEEKDAYS = WEEKDAYS

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
    r"|(?P<word>noon|midday))$",
    re.ASCII,  # digits are 0-9 only: complog never guesses what ٣ or ３ meant
)
#: years outside this range are typing mistakes, not complaints
FIRST_YEAR, LAST_YEAR = 1900, 2199
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_ISO_FULL = re.compile(
    r"^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\s*(z|[+-]\d{2}(:?\d{2})?)?$", re.ASCII
)
_RELATIVE = re.compile(
    r"^(?:(?P<in>in)\s+)?(?P<sign>[+-])?\s*(?P<n>\d{1,5})\s*"
    r"(?P<unit>business days?|[a-z]+)(?:\s+(?P<ago>ago))?$",
    re.ASCII,
)


def _reject(text: str, why: str | None = None) -> InvalidInput:
    reason = f" ({why})" if why else ""
    return InvalidInput(
        f"cannot read {text!r} as a date or time{reason}", f"accepted forms: {EXAMPLES}"
    )


def parse_when(text: str, now: datetime, calendar: BusinessCalendar) -> datetime:
    """Parse one of the documented forms relative to `now` in the calendar's zone."""
    try:
        moment = _parse(text, now, calendar)
        year = moment.astimezone(calendar.tz).year
    except OverflowError:
        raise _reject(text, "too far away") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _reject(text, f"the year {year} is out of range")
    return moment


def _local(text: str, day: date, clock: time, calendar: BusinessCalendar) -> datetime:
    """A wall-clock time on a day; a time skipped by a DST change is refused."""
    moment = calendar.at(day, clock)
    if moment.astimezone(calendar.tz).replace(tzinfo=None) != datetime.combine(day, clock):
        raise _reject(
            text, f"{clock:%H:%M} does not exist on {day} in {calendar.tz}: the clocks go forward"
        )
    return moment


def _parse(text: str, now: datetime, calendar: BusinessCalendar) -> datetime:
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
    day = _parse_day(cleaned, now, calendar, calendar.day_end)
    if day is not None:
        if cleaned == "today" and not calendar.is_workday(day):
            # "today" alone is the end of today's business day; on a day off, that is
            # the next working day's (as for 0bd and eod), not a deadline already past
            day = calendar.next_workday(day)
        return _local(text, day, calendar.day_end, calendar)
    clock = _parse_time(cleaned)
    if clock is not None:  # a time alone is today at that time
        return _local(text, calendar.local_date(now), clock, calendar)
    date_part, _, time_part = cleaned.rpartition(" ")
    if date_part.endswith(" at"):
        date_part = date_part[: -len(" at")]
    clock = _parse_time(time_part)
    if date_part and clock is not None:
        day = _parse_day(date_part, now, calendar, clock)
        if day is not None:
            return _local(text, day, clock, calendar)
    raise _reject(text)


def _parse_iso(original: str, cleaned: str, calendar: BusinessCalendar) -> datetime:
    try:
        parsed = datetime.fromisoformat(cleaned.upper().replace("Z", "+00:00"))
    except ValueError:
        raise _reject(original, "no such date or time") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise _reject(original, f"the year {parsed.year} is out of range")
    if parsed.tzinfo is None:
        return _local(original, parsed.date(), parsed.time(), calendar)
    return parsed.astimezone(UTC)


def _parse_time(text: str) -> time | None:
    match = _TIME.match(text)
    if not match:
        return None
    if match.group("word"):
        return time(12, 0)
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


def _parse_day(text: str, now: datetime, calendar: BusinessCalendar, clock: time) -> date | None:
    """A calendar day named by `text`, or None if it names no day.

    `clock` is the time of day that will be used, so a weekday name means its
    next occurrence at that time: today if that is still ahead.
    """
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
    if text in _WEEKDAYS:
        ahead = (_WEEKDAYS[text] - today.weekday()) % 7
        if ahead == 0 and calendar.at(today, clock) <= now:
            ahead = 7
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
        if count == 0 and not calendar.is_workday(today):
            return calendar.next_workday(today)  # 0bd on a day off: the next working day
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
