"""Week-by-week trends and the state of the open complaints: what a manager asks
"are we getting better, and what is piling up?" with.

Pure: the report's rows in, `reporting` values out. Weeks start on Monday in the
logbook's time zone. A week the period covers only in part is marked `partial`
(its counts would look like a dip); rates within it are still honest.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING

from complog.businesstime import BusinessCalendar
from complog.reporting import AgeBucket, OwnerLoad, Week
from complog.settings import Duration

if TYPE_CHECKING:
    from complog.kpis import ComplaintFigures

#: open complaints' age buckets, as multiples of `resolve_within`
AGE_EDGES = (0.0, 0.5, 1.0, 2.0, 4.0)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class WeekGrid:
    """The Mondays (local dates) around a period and the instants they begin at.

    A moment's week is found by bisecting `starts` instead of a time zone conversion
    per row: a year of a large logbook is 500,000 moments. `first` and `last` are the
    first and last weeks the series may show (`first` moves later to the period's or
    the first complaint's week)."""

    first: date
    last: date
    days: list[date]
    starts: list[datetime]
    calendar: BusinessCalendar

    def monday(self, moment: datetime) -> date:
        index = bisect_right(self.starts, moment) - 1
        return self.days[index] if index >= 0 else self.monday_of(moment)

    def monday_of(self, moment: datetime) -> date:
        day = self.calendar.local_date(moment)
        return day - timedelta(days=day.weekday())

    def by_week(
        self, rows: Iterable[ComplaintFigures], moment: Callable[[ComplaintFigures], datetime]
    ) -> dict[date, list[ComplaintFigures]]:
        """`rows` grouped by the Monday of their `moment`, each group in the order of
        that moment: one sort and a bisection per week, where a bisection per row
        cost more (100,000 opened and 100,000 resolved complaints in a large year)."""
        ordered = sorted(rows, key=moment)
        moments = list(map(moment, ordered))
        groups: dict[date, list[ComplaintFigures]] = defaultdict(list)
        # where each week's moments begin, and the end of the last week's (all after it)
        bounds = [bisect_left(moments, start) for start in self.starts] + [len(ordered)]
        begin = bounds[0]
        for c in ordered[:begin]:  # before the grid: found the slow way
            groups[self.monday_of(moment(c))].append(c)
        for day, end in zip(self.days, bounds[1:], strict=True):
            if end > begin:
                groups[day].extend(ordered[begin:end])
                begin = end
        return dict(groups)


def week_grid(
    calendar: BusinessCalendar,
    since: datetime | None,
    until: datetime,
    opened: Sequence[ComplaintFigures],
    weeks: int = 26,
) -> WeekGrid:
    """The weeks `weekly_series` counts in: the last `weeks` up to `until`, and
    every week from the period's start (or, for all time, the first complaint)."""

    def monday_of(moment: datetime) -> date:
        day = calendar.local_date(moment)
        return day - timedelta(days=day.weekday())

    last = monday_of(until)
    first = last - timedelta(weeks=weeks - 1)
    midnight = datetime.min.time()
    earliest = first - timedelta(weeks=1) if since is None else monday_of(since)
    earliest = min(earliest, first)
    if since is None and opened:
        earliest = min(earliest, monday_of(min(c.opened_at for c in opened)))
    days = [earliest + timedelta(weeks=i) for i in range((last - earliest).days // 7 + 2)]
    return WeekGrid(first, last, days, [calendar.at(day, midnight) for day in days], calendar)


def weekly_series(
    opened: Iterable[ComplaintFigures],
    resolved: Iterable[ComplaintFigures],
    calendar: BusinessCalendar,
    since: datetime | None,
    until: datetime,
    weeks: int = 26,
    *,
    everything: Sequence[ComplaintFigures] = (),
    quickly: Collection[int] = (),
    acknowledged_in_time: Mapping[int, bool | None] | None = None,
    promises_due: Mapping[date, int] | None = None,
    promises_kept: Mapping[date, int] | None = None,
    grid: WeekGrid | None = None,
) -> tuple[Week, ...]:
    """Per week of the last `weeks`: opened and resolved (the first release's
    series), then the backlog at the week's end, the service levels (acknowledged
    in time, resolved within `resolve_within`, promises kept on time), mean
    satisfaction and compensation per currency.

    `everything`: every complaint open at some point of the period (for the backlog);
    `quickly`: ids resolved within `resolve_within`; `acknowledged_in_time`: per
    complaint, its first reply in time (None: not answered yet); `promises_due`: per
    week (its Monday), the promises due in it, `promises_kept`: those of them kept on
    time (counted by their due week, not when they were kept). `grid`: the
    `week_grid` of the same arguments, when the caller has already made it."""
    opened = list(opened)
    resolved = list(resolved)
    promises_due = promises_due or {}
    promises_kept = promises_kept or {}
    if grid is None:
        grid = week_grid(calendar, since, until, opened, weeks)
    first, last = grid.first, grid.last
    midnight = datetime.min.time()

    opened_per = grid.by_week(opened, attrgetter("opened_at"))
    if since is not None:
        first = max(first, grid.monday(since))
    elif opened_per:  # all time: begin at the first week with a complaint
        first = max(first, min(opened_per))
    resolved_per = grid.by_week(
        [c for c in resolved if c.resolved_at is not None], attrgetter("resolved_at")
    )
    # backlog at a moment = opened before it - resolved before it, over the
    # complaints open at some point of the period (two sorted lists, bisected)
    opens = sorted(c.opened_at for c in everything)
    closes = sorted(c.resolved_at for c in everything if c.resolved_at is not None)
    start_day = calendar.local_date(since) if since is not None else None
    end_day = calendar.local_date(until)

    series = []
    week = first
    while week <= last:
        week_end = week + timedelta(weeks=1)
        first_day = max(week, start_day) if start_day is not None else week
        # `until` is exclusive: a period ending at Monday 00:00 does not cover Monday
        last_day = min(week_end, end_day + timedelta(days=1)) - timedelta(days=1)
        if calendar.at(end_day, midnight) == until and end_day <= last_day:
            last_day = end_day - timedelta(days=1)
        days = max(0, (last_day - first_day).days + 1)
        cutoff = min(until, calendar.at(week_end, midnight))
        # at a week's end (Monday 00:00) what opens then is next week's; at the end of
        # the period (now) a complaint logged this instant is open, as open_at counts it
        count = bisect_right if cutoff == until else bisect_left
        backlog = count(opens, cutoff) - count(closes, cutoff)
        new = opened_per.get(week, [])
        done = resolved_per.get(week, [])
        answered = (
            [acknowledged_in_time.get(c.id) for c in new]
            if acknowledged_in_time is not None
            else []
        )
        in_time = [c for c in done if c.id in quickly]
        due = promises_due.get(week, 0)
        kept = promises_kept.get(week, 0)
        scores = [c.satisfaction for c in done if c.satisfaction is not None]
        compensation: Counter[str] = Counter()
        for c in done:
            if c.compensation_minor is not None and c.compensation_currency is not None:
                compensation[c.compensation_currency] += c.compensation_minor
        series.append(
            Week(
                week=week.isoformat(), opened=len(new), resolved=len(done),
                partial=days < 7, days=days, backlog=backlog,
                acknowledged=sum(1 for a in answered if a is not None),
                acknowledged_in_time=sum(1 for a in answered if a),
                acknowledged_in_time_rate=_rate(sum(1 for a in answered if a), len(new))
                if acknowledged_in_time is not None else None,
                resolved_in_time=len(in_time), resolved_in_time_rate=_rate(len(in_time), len(done)),
                promises_due=due, promises_kept_on_time=kept,
                promise_keeping_rate=_rate(kept, due),
                satisfaction_mean=statistics.fmean(scores) if scores else None,
                compensation_given=sum(1 for c in done if c.compensation),
                compensation=dict(sorted(compensation.items())),
            )
        )  # fmt: skip
        week = week_end
    return tuple(series)


def open_at(complaints: Iterable[ComplaintFigures], moment: datetime) -> list[ComplaintFigures]:
    """The complaints open at `moment`: opened by then (a complaint logged this very
    instant counts), not resolved by then."""
    return [
        c
        for c in complaints
        if c.opened_at <= moment and (c.resolved_at is None or c.resolved_at > moment)
    ]


def _amount(limit: Duration, fraction: float) -> str:
    return f"{limit.amount * fraction:g}{limit.unit}"


def open_age(
    still_open: Sequence[ComplaintFigures],
    moment: datetime,
    limit: Duration,
    calendar: BusinessCalendar,
) -> tuple[tuple[AgeBucket, ...], dict[int, float]]:
    """Open complaints by age against `limit` (`resolve_within`): under half of it,
    half to all of it, then one to two, two to four and over four times it. Age is
    counted as the limit is (working time for bh/bd, the clock otherwise), without
    the customer's waits, as the slow-resolution rule counts it. Also returns each
    complaint's age in seconds."""
    limit_seconds = limit.seconds(calendar)
    ages = {c.id: limit.elapsed_seconds(c.opened_at, moment, calendar, ()) for c in still_open}
    edges = [limit_seconds * e for e in AGE_EDGES]
    counts = [0] * len(edges)
    for seconds in ages.values():
        index = 0
        while index + 1 < len(edges) and seconds > edges[index + 1]:
            index += 1
        counts[index] += 1
    labels = [f"under {_amount(limit, AGE_EDGES[1])}"]
    labels += [
        f"{_amount(limit, lo)}–{_amount(limit, hi)}"
        for lo, hi in zip(AGE_EDGES[1:-1], AGE_EDGES[2:], strict=True)
    ]
    labels.append(f"over {_amount(limit, AGE_EDGES[-1])}")
    buckets = tuple(
        AgeBucket(
            bucket=labels[i],
            from_hours=edges[i] / 3600,
            to_hours=edges[i + 1] / 3600 if i + 1 < len(edges) else None,
            complaints=counts[i],
            over_limit=AGE_EDGES[i] >= 1.0,
        )
        for i in range(len(edges))
    )
    return buckets, ages


def owner_load(
    still_open: Sequence[ComplaintFigures], ages: dict[int, float], limit_seconds: float
) -> tuple[OwnerLoad, ...]:
    """Each owner's open complaints, how many are past `resolve_within`, and since
    when the oldest has waited; the most loaded first."""
    groups: dict[str, list[ComplaintFigures]] = defaultdict(list)
    for c in still_open:
        groups[c.owner].append(c)
    rows = [
        OwnerLoad(
            owner=owner,
            open=len(rows),
            over_limit=sum(1 for c in rows if ages[c.id] > limit_seconds),
            oldest_opened_at=min(c.opened_at for c in rows),
        )
        for owner, rows in groups.items()
    ]
    return tuple(sorted(rows, key=lambda r: (-r.open, -r.over_limit, r.owner)))
