"""Working-time arithmetic: business days, business hours, end of day.

Pure: every function takes the instants it needs and returns aware UTC
datetimes. Local wall-clock times are built with zoneinfo, so a working day
is 09:00-17:00 on the wall clock on both sides of a DST change.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: every accepted spelling of a weekday -> 0 (Monday) .. 6 (Sunday)
WEEKDAYS = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip


_ONE_DAY = timedelta(days=1)

#: a stretch of time the clocks stop for (waiting on the customer); end None: still on
Pause = tuple[datetime, datetime | None]


def less_pauses(
    start: datetime,
    end: datetime,
    pauses: Sequence[Pause],
    measure: Callable[[datetime, datetime], float],
) -> float:
    """`measure(start, end)` (wall-clock or working seconds) less the part of each
    pause that falls between start and end: the clock stood still then."""
    total = measure(start, end) if end > start else 0.0
    for a, b in pauses:
        lo, hi = max(a, start), min(b or end, end)
        if hi > lo:
            total -= measure(lo, hi)
    return total


_BEGINNING = datetime.min.replace(tzinfo=UTC)


class _Window(NamedTuple):
    """A working day: when it opens and closes (UTC), and its length in seconds."""

    opens: datetime
    closes: datetime
    seconds: float


class _Run:
    """The working windows of a run of consecutive local days, in time order, as three
    parallel lists to bisect: `covers` is the span of those days as UTC instants."""

    def __init__(self) -> None:
        self.covers = (_BEGINNING, _BEGINNING)
        self.first_day = date.max
        self.last_day = date.min
        self.opens: list[datetime] = []
        self.closes: list[datetime] = []
        self.lengths: list[float] = []


#: days added on each side when a run grows, so a report's durations (a year, in
#: any order) grow it a few times rather than once per new day
_RUN_MARGIN = timedelta(days=62)


@functools.cache
def _country_holidays(code: str) -> Any:
    """The `holidays` package's calendar for "GB" or "US-CA", imported and built on the
    first date a computation asks about (~40 ms), never just because it is set.

    A code the installed package does not know (stored by another version) has no
    holidays: `complog config holidays` refuses such codes when they are written."""
    import holidays

    country, _, subdivision = code.partition("-")
    try:
        return holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        return frozenset()


@dataclass(frozen=True)
class BusinessCalendar:
    """When the business works: hours of a day, days of a week, holidays, time zone."""

    tz: tzinfo
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holiday_dates: frozenset[date] = field(default_factory=frozenset)
    holiday_countries: tuple[str, ...] = ()
    #: each date's working window, filled on first use (the calendar is frozen, so
    #: they never change): reports ask for the same days hundreds of thousands of times
    _windows: dict[date, _Window | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    #: the working windows of the days asked about so far, for business_seconds_between
    _run: _Run = field(default_factory=_Run, init=False, repr=False, compare=False, hash=False)

    # -- days -------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        if day in self.holiday_dates:
            return True
        return any(day in _country_holidays(code) for code in self.holiday_countries)

    def is_workday(self, day: date) -> bool:
        return day.weekday() in self.workdays and not self.is_holiday(day)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def at(self, day: date, clock: time) -> datetime:
        """The UTC instant of a local wall-clock time on a given day."""
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)

    def end_of_day(self, day: date) -> datetime:
        return self.at(day, self.day_end)

    def start_of_day(self, day: date) -> datetime:
        return self.at(day, self.day_start)

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        if not self.workdays:
            raise ValueError("no working days configured")
        candidate = day + timedelta(days=1)
        for _ in range(3660):  # ten years of holidays would be a misconfiguration
            if self.is_workday(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError("no working day in the next ten years")

    def add_business_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (0 gives `day` itself)."""
        for _ in range(count):
            day = self.next_workday(day)
        return day

    def end_of_business_day(self, now: datetime) -> datetime:
        """`eod`: the end of today's working day, or of the next one if today's is over."""
        today = self.local_date(now)
        if self.is_workday(today) and now < self.end_of_day(today):
            return self.end_of_day(today)
        return self.end_of_day(self.next_workday(today))

    def end_of_business_week(self, now: datetime) -> datetime:
        """`eow`: the end of the last working day of this week (or next week, once over)."""
        today = self.local_date(now)
        monday = today - timedelta(days=today.weekday())
        for week in (0, 1, 2):
            start = monday + timedelta(weeks=week)
            days = [start + timedelta(days=i) for i in range(7)]
            working = [d for d in days if self.is_workday(d)]
            if working and self.end_of_day(working[-1]) > now:
                return self.end_of_day(working[-1])
        return self.end_of_day(self.next_workday(today))

    # -- hours ------------------------------------------------------------

    def working_window(self, day: date) -> _Window | None:
        """The working hours of a local day as UTC instants, None on a day off."""
        try:
            return self._windows[day]
        except KeyError:
            pass
        window = None
        if self.is_workday(day):
            opens, closes = self.start_of_day(day), self.end_of_day(day)
            if opens < closes:
                window = _Window(opens, closes, (closes - opens).total_seconds())
        self._windows[day] = window
        return window

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working time between two instants, in seconds (0 when end <= start)."""
        if end <= start:
            return 0.0
        run = self._run
        low, high = run.covers
        if not (low <= start and end <= high):
            run = self._grow_run(start, end)
        # The windows that overlap [start, end): they close after start and open before
        # end. Those between the first and the last lie wholly inside it. A report asks
        # 200,000 times: bisecting replaces a time zone conversion at each end and a
        # step per day (and conditional expressions replace min() and max() calls).
        opens, closes = run.opens, run.closes
        first = bisect_right(closes, start)
        last = bisect_left(opens, end) - 1
        if first > last:
            return 0
        opened, closed = opens[first], closes[first]
        if opened < start:
            opened = start
        if first == last:
            return ((closed if closed < end else end) - opened).total_seconds()
        # the first window closes before the last opens, and so before `end`; the last
        # opens after the first closes, and so after `start`
        head = (closed - opened).total_seconds()
        closed = closes[last]
        tail = ((closed if closed < end else end) - opens[last]).total_seconds()
        # Summed in day order from the first, as one sum of the parts would be: the
        # same floats in the same order give the same total to the last bit.
        return sum(run.lengths[first + 1 : last], head) + tail

    def _grow_run(self, start: datetime, end: datetime) -> _Run:
        """Grow the run to the local days of start and end (and a margin either side)."""
        run = self._run
        first_day, last_day = self.local_date(start), self.local_date(end)
        first_day = min(run.first_day, first_day - min(_RUN_MARGIN, first_day - date.min))
        last_day = max(run.last_day, last_day + min(_RUN_MARGIN, date.max - last_day))
        opens, closes, lengths = [], [], []
        day = first_day
        while True:
            w = self.working_window(day)
            if w is not None:
                opens.append(w.opens)
                closes.append(w.closes)
                lengths.append(w.seconds)
            if day == last_day:
                break
            day += _ONE_DAY
        run.first_day, run.last_day = first_day, last_day
        run.opens, run.closes, run.lengths = opens, closes, lengths
        # a day inside the edge days (so a DST change at midnight cannot move an edge
        # into a day the run lacks): a start before it or an end after it grows the run
        run.covers = (
            self.at(min(first_day + _ONE_DAY, last_day), time(0, 0)),
            self.at(max(last_day - _ONE_DAY, first_day), time(0, 0)),
        )
        return run

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant when `seconds` of working time have passed since `start`."""
        remaining = seconds
        day = self.local_date(start)
        cursor = start  # after the first day, each day's working time starts when it opens
        for _ in range(36600):
            w = self.working_window(day)
            if w is not None:
                opens, closes, _length = w
                lo = max(opens, cursor)
                if lo < closes:
                    available = (closes - lo).total_seconds()
                    if remaining <= available:
                        return lo + timedelta(seconds=remaining)
                    remaining -= available
            day += _ONE_DAY
            cursor = _BEGINNING
        raise ValueError("working time does not reach that far (no working days?)")

    def day_length_seconds(self) -> float:
        day = date(2000, 1, 3)
        return (
            datetime.combine(day, self.day_end) - datetime.combine(day, self.day_start)
        ).total_seconds()

    def add_business_duration(self, start: datetime, days: int, seconds: float) -> datetime:
        """Add whole business days (same working-clock position) then working seconds."""
        instant = start
        if days:
            # A business day is one working-day length; adding N of them keeps the
            # position within the working day, e.g. Fri 15:00 + 1bd = Mon 15:00.
            instant = self.add_business_seconds(instant, days * self.day_length_seconds())
        if seconds:
            instant = self.add_business_seconds(instant, seconds)
        return instant
