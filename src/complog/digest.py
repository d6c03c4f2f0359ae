"""`complog digest`: the morning summary for cron mail, built from read-only queries.

"New escalations" are those since the previous scheduled run: the previous
working day at the same clock time (Monday's digest covers the weekend).
Computing it instead of storing a marker keeps digest read-only, so it works
on a logbook the cron user may only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from complog.queries import Reader
from complog.rows import ComplaintFilter, ComplaintRow, DueList, EscalationRow


@dataclass(frozen=True)
class WeekFigures:
    """The headline figures of seven days, [start, end): the report's own rules."""

    start: datetime
    end: datetime
    opened: int
    resolved: int
    resolved_quickly_rate: float | None
    promises_due: int
    promises_kept_on_time: int
    promise_keeping_rate: float | None


@dataclass(frozen=True)
class Digest:
    now: datetime
    due: DueList
    new_escalations: tuple[EscalationRow, ...]
    escalations_since: datetime
    open_too_long: tuple[ComplaintRow, ...]
    yesterday: dict[str, int]
    yesterday_start: datetime
    open_count: int
    #: the last seven days and the seven before them (week over week)
    this_week: WeekFigures | None = None
    last_week: WeekFigures | None = None
    oldest_open: ComplaintRow | None = None


def week_figures(reader: Reader, start: datetime, end: datetime, now: datetime) -> WeekFigures:
    """Opened, resolved, resolved within `resolve_within` and promises kept on time
    in [start, end), counted exactly as `complog report --since --until` counts them."""
    from complog.kpis import build_report

    settings = reader.settings()
    complaints, promises, reschedules = reader.report_figures(start, end, now)
    r = build_report(
        complaints, promises, reschedules, calendar=settings.calendar,
        resolve_within=settings.resolve_within, since=start, until=end, now=now,
        waits=reader.waits_by_complaint(start, end),
    )  # fmt: skip
    return WeekFigures(
        start=start, end=end, opened=r.opened, resolved=r.resolved,
        resolved_quickly_rate=r.resolved_quickly_rate, promises_due=r.promises_due,
        promises_kept_on_time=r.promises_kept_on_time, promise_keeping_rate=r.promise_keeping_rate,
    )  # fmt: skip


def build_digest(reader: Reader, now: datetime, since: datetime | None = None) -> Digest:
    settings = reader.settings()
    calendar = settings.calendar
    today = calendar.local_date(now)
    if since is None:
        previous = today - timedelta(days=1)
        while not calendar.is_workday(previous) and (today - previous).days < 14:
            previous -= timedelta(days=1)
        since = calendar.at(previous, now.astimezone(calendar.tz).time())
    open_rows = reader.complaints(ComplaintFilter(status="open"))
    too_long = tuple(
        c
        for c in reversed(open_rows)
        if settings.resolve_within.exceeded(c.opened_at, now, calendar)
    )
    midnight = datetime.min.time()
    yesterday_start = calendar.at(today - timedelta(days=1), midnight)
    return Digest(
        now=now,
        due=reader.due(now, days=0),
        new_escalations=tuple(reader.escalations(since=since)),
        escalations_since=since,
        open_too_long=too_long,
        yesterday=reader.period_counts(yesterday_start, calendar.at(today, midnight)),
        yesterday_start=yesterday_start,
        open_count=len(open_rows),
        this_week=week_figures(reader, now - timedelta(days=7), now, now),
        last_week=week_figures(reader, now - timedelta(days=14), now - timedelta(days=7), now),
        oldest_open=open_rows[-1] if open_rows else None,  # newest first
    )
