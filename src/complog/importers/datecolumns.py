"""Dates in a spreadsheet column: the format read from the whole column, never guessed.

`05/03/2024` is 5 March to a European and 3 May to an American. A map may name a
column's format (strptime, `%d/%m/%Y %H:%M`); otherwise every value of the column
is looked at first (DateEvidence): one value such as `13/03/2024` settles it
day-first, `03/13/2024` month-first. A column whose numeric dates all fit both is
refused (exit 2) with the values and the line to add to the map; a column with
values of both kinds is refused too (one of them is a mistake). ISO dates
(`2024-03-05`, with or without a time and offset), year-first dates and dates
with a month name (`5 Mar 2024`, `March 5, 2024`) fit one reading only.

A time without an offset is in the logbook's time zone; a date without a time is
the end of that business day (`day_end`), as everywhere in complog. A local time
that does not exist (clocks went forward) or happens twice (clocks went back) is
refused for that row: give it with its offset. Pure: no clock, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo

from complog.errors import InvalidInput

DAY_FIRST = "%d/%m/%Y"
MONTH_FIRST = "%m/%d/%Y"
#: how many ambiguous values an error shows
SHOWN = 5

_TIME = (
    r"(?:[ T,]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC = re.compile(
    rf"(?P<a>\d{{1,2}})(?P<sep>[/.\-])(?P<b>\d{{1,2}})(?P=sep)(?P<year>\d{{4}}|\d{{2}}){_TIME}"
)
_YEAR_FIRST = re.compile(
    rf"(?P<year>\d{{4}})(?P<sep>[/.\-])(?P<a>\d{{1,2}})(?P=sep)(?P<b>\d{{1,2}}){_TIME}"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )  # fmt: skip
    for name in names
}
_DAY_MONTH_NAME = re.compile(
    rf"(?P<b>\d{{1,2}})(?:st|nd|rd|th)?[ \-](?P<month>[A-Za-z]{{3,9}})\.?,?[ \-](?P<year>\d{{4}}){_TIME}"
)
_MONTH_NAME_DAY = re.compile(
    rf"(?P<month>[A-Za-z]{{3,9}})\.? (?P<b>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<year>\d{{4}}){_TIME}"
)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T].*)?")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)


@dataclass
class DateEvidence:
    """What the values of one column say about its day/month order."""

    column: str
    #: (where, value) of the first value only day-first reads, and only month-first
    day_first: tuple[str, str] | None = None
    month_first: tuple[str, str] | None = None
    ambiguous: list[str] = field(default_factory=list)
    ambiguous_count: int = 0

    def observe(self, value: str, where: str) -> None:
        """Look at one value; values that are no date at all are the row's problem, later."""
        match = _NUMERIC.fullmatch(_strip_weekday(value))
        if match is None:
            return
        a, b = int(match["a"]), int(match["b"])
        day_first = 1 <= b <= 12 and 1 <= a <= 31
        month_first = 1 <= a <= 12 and 1 <= b <= 31
        if day_first and not month_first and self.day_first is None:
            self.day_first = (where, value)
        elif month_first and not day_first and self.month_first is None:
            self.month_first = (where, value)
        elif day_first and month_first and a != b:
            self.ambiguous_count += 1
            if len(self.ambiguous) < SHOWN and value not in self.ambiguous:
                self.ambiguous.append(value)

    def order(self, others: dict[str, str | None] | None = None) -> str | None:
        """DAY_FIRST or MONTH_FIRST, None when the column has no a/b/year dates that
        need one; InvalidInput when the column cannot tell or contradicts itself.
        `others` (column -> order) only makes the hint name what they are."""
        if self.day_first and self.month_first:
            (w1, v1), (w2, v2) = self.day_first, self.month_first
            raise InvalidInput(
                f"column {self.column!r} mixes day-first and month-first dates:"
                f" {v1!r} ({w1}) can only be day-first, {v2!r} ({w2}) only month-first",
                "correct the wrong one, or give the column's format under [dates] in the map",
            )
        if self.day_first:
            return DAY_FIRST
        if self.month_first:
            return MONTH_FIRST
        if self.ambiguous_count:
            shown = ", ".join(repr(v) for v in self.ambiguous)
            more = f" and {self.ambiguous_count - len(self.ambiguous)} more" if self.ambiguous_count > len(self.ambiguous) else ""  # fmt: skip
            like = next(((c, o) for c, o in (others or {}).items() if o), None)
            seen = f" (column {like[0]!r} is {'day' if like[1] == DAY_FIRST else 'month'}-first)" if like else ""  # fmt: skip
            raise InvalidInput(
                f"dates in column {self.column!r} fit both day-first and month-first: {shown}{more}",
                f'say which in the map: [dates] {_toml_key(self.column)} = "day-first" or'
                f' "month-first"{seen}',
            )
        return None


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else '"' + name.replace('"', '\\"') + '"'


def _strip_weekday(value: str) -> str:
    return _WEEKDAY.sub("", value.strip(), count=1)


@dataclass(frozen=True)
class Zone:
    """Where a time without an offset is, and the time a bare date stands for."""

    tz: tzinfo
    day_end: time


def read_date(
    value: str | datetime | date | time, order: str | None, fixed: str | None, zone: Zone
) -> datetime:
    """One cell as an aware UTC datetime; ValueError saying why not."""
    if isinstance(value, datetime):
        # Excel keeps a date as a date-time at midnight: read it as the date it shows.
        if value.tzinfo is None and value.time() == time(0, 0):
            return _aware(datetime.combine(value.date(), zone.day_end), zone)
        return _aware(value, zone)
    if isinstance(value, date):
        return _aware(datetime.combine(value, zone.day_end), zone)
    if isinstance(value, time):
        raise ValueError("a time without a date")
    text = value.strip()
    if fixed is not None:
        try:
            parsed = datetime.strptime(text, fixed)  # noqa: DTZ007 - zone added below
        except ValueError:
            raise ValueError(f"does not match the map's format {fixed!r}") from None
        if not any(d in fixed for d in ("%H", "%I", "%c", "%X", "%T", "%R")):
            parsed = datetime.combine(parsed.date(), zone.day_end, parsed.tzinfo)
        return _aware(parsed, zone)
    if text[:1].isalpha():
        text = _strip_weekday(text)
    if _ISO.fullmatch(text):
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise ValueError("not a valid ISO date") from None
        if len(text) == 10:
            parsed = datetime.combine(parsed.date(), zone.day_end)
        return _aware(parsed, zone)
    for pattern in (_NUMERIC, _YEAR_FIRST, _DAY_MONTH_NAME, _MONTH_NAME_DAY):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        year = int(match["year"])
        if len(match["year"]) == 2:
            year += 2000
        if pattern is _NUMERIC:
            a, b = int(match["a"]), int(match["b"])
            if order is None:  # the column had no a/b dates to tell: this one must alone
                if a != b and a <= 12 and b <= 12:
                    raise ValueError("fits both day-first and month-first")
                order = MONTH_FIRST if b > 12 else DAY_FIRST
            day, month = (a, b) if order == DAY_FIRST else (b, a)
        elif pattern is _YEAR_FIRST:
            month, day = int(match["a"]), int(match["b"])
        else:
            month_number = _MONTHS.get(match["month"].lower())
            if month_number is None:
                raise ValueError(f"{match['month']!r} is not a month name")
            month, day = month_number, int(match["b"])
        try:
            day_value = date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"not a date ({exc})") from None
        return _aware(_with_time(day_value, match, zone), zone)
    raise ValueError(
        "not a date complog reads (e.g. 2024-03-05, 05/03/2024 14:30, 5 Mar 2024);"
        " give the column's format under [dates] in the map"
    )


def _with_time(day: date, match: re.Match[str], zone: Zone) -> datetime:
    if match["hour"] is None:
        return datetime.combine(day, zone.day_end)
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    micro = int((match["fraction"] or "0").ljust(6, "0"))
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with AM/PM")
        hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
    try:
        moment = datetime(day.year, day.month, day.day, hour, minute, second, micro)  # noqa: DTZ001 - wall time; _aware adds the zone
    except ValueError as exc:
        raise ValueError(f"not a time ({exc})") from None
    offset = match["offset"]
    if offset:
        return datetime.fromisoformat(
            moment.isoformat() + ("+00:00" if offset == "Z" else offset[:3] + ":" + offset[-2:])
        )
    return moment


def _aware(moment: datetime, zone: Zone) -> datetime:
    """In UTC; a time without an offset is read in the logbook's zone, and refused when
    that zone skips it or has it twice."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    if zone.tz is UTC:
        return moment.replace(tzinfo=UTC)
    first = moment.replace(tzinfo=zone.tz, fold=0)
    second = moment.replace(tzinfo=zone.tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(UTC).astimezone(zone.tz).replace(tzinfo=None)
        if back != moment:
            raise ValueError(f"{moment:%Y-%m-%d %H:%M} does not exist in {zone.tz} (clocks went forward)")  # fmt: skip
        raise ValueError(
            f"{moment:%Y-%m-%d %H:%M} happens twice in {zone.tz} (clocks went back);"
            " give it with its UTC offset"
        )
    return first.astimezone(UTC)
