"""The report's figures: medians, 90th percentiles and rates over plain rows.

Pure: rows in, a dict of SPEC's report keys out. Durations are business hours
(the calendar counts only working time). Rates are fractions 0-1, None when
there is nothing to divide. Percentiles interpolate linearly between the two
nearest ranks (the "inclusive" method: p90 of [1, 2, 3] is 2.8), so every
figure can be checked by hand.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from complog.businesstime import BusinessCalendar, Pause, less_pauses
from complog.money import Money, major_totals, single_total, totals
from complog.settings import Duration

# NamedTuples rather than frozen dataclasses: a year of a large logbook is 100,000
# complaints and 300,000 promises, and a NamedTuple is made three times faster.


class ComplaintFigures(NamedTuple):
    id: int
    customer: str
    owner: str
    category: str | None
    cause: str | None
    channel: str
    opened_at: datetime
    resolved_at: datetime | None
    first_response_at: datetime | None
    confirmed: bool | None
    satisfaction: int | None
    compensation: str | None
    #: the compensation's value, when its text names an amount
    compensation_value: Money | None
    loss: Money | None
    escalated: bool


class PromiseFigures(NamedTuple):
    id: int
    owner: str
    due_at: datetime
    status: str
    kept_at: datetime | None
    cancelled_at: datetime | None
    #: the due time it had when it was first rescheduled late (it broke then)
    first_late_due_at: datetime | None

    @property
    def effective_due_at(self) -> datetime:
        return self.first_late_due_at or self.due_at

    def broken(self, now: datetime) -> bool:
        if self.first_late_due_at is not None:
            return True
        if self.status == "kept" and self.kept_at is not None:
            return self.kept_at > self.due_at
        if self.status == "cancelled" and self.cancelled_at is not None:
            return self.cancelled_at > self.due_at
        return self.due_at < now

    def counts_as_due(self, now: datetime) -> bool:
        """Due, and not withdrawn in time: cancelled before its due time does not count."""
        if self.effective_due_at > now:
            return False
        return not (self.status == "cancelled" and not self.broken(now))


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _in(moment: datetime | None, since: datetime | None, until: datetime) -> bool:
    return moment is not None and moment < until and (since is None or moment >= since)


def _hours(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    return calendar.business_seconds_between(start, end) / 3600


def build_report(
    complaints: Sequence[ComplaintFigures],
    promises: Sequence[PromiseFigures],
    reschedules: int,
    *,
    calendar: BusinessCalendar,
    resolve_within: Duration,
    since: datetime | None,
    until: datetime,
    now: datetime,
    waits: Mapping[int, Sequence[Pause]] | None = None,
    acknowledge_within: Duration | None = None,
) -> dict[str, Any]:
    """`waits`: per complaint, the time spent waiting on the customer, which the
    resolution clock does not count."""
    waits = waits or {}
    opened = [c for c in complaints if _in(c.opened_at, since, until)]
    resolved = [c for c in complaints if _in(c.resolved_at, since, until)]
    resolution_seconds = {
        c.id: less_pauses(
            c.opened_at, c.resolved_at, waits.get(c.id, ()), calendar.business_seconds_between
        )
        for c in resolved
        if c.resolved_at is not None
    }
    resolution_hours = {key: seconds / 3600 for key, seconds in resolution_seconds.items()}
    response_hours = [
        _hours(calendar, c.opened_at, c.first_response_at)
        for c in opened
        if c.first_response_at is not None and c.first_response_at <= now
    ]
    if resolve_within.business:
        # Duration.exceeded for working time, on the seconds just counted
        limit = resolve_within.business_seconds(calendar)
        quickly = [
            c
            for c in resolved
            if c.id in resolution_seconds and not resolution_seconds[c.id] > limit
        ]
    else:
        quickly = [
            c
            for c in resolved
            if c.resolved_at is not None
            and not resolve_within.exceeded(
                c.opened_at, c.resolved_at, calendar, waits.get(c.id, ())
            )
        ]
    horizon = min(until, now)
    due = [
        p
        for p in promises
        if _in(p.first_late_due_at or p.due_at, since, horizon) and p.counts_as_due(now)
    ]
    kept_on_time = [p for p in due if p.status == "kept" and not p.broken(now)]
    satisfaction = [c.satisfaction for c in resolved if c.satisfaction is not None]

    def breakdown(key: Callable[[ComplaintFigures], str | None], name: str) -> list[dict[str, Any]]:
        rows = []
        groups: dict[str, list[ComplaintFigures]] = defaultdict(list)
        for c in opened:
            groups[key(c) or "(none)"].append(c)
        resolved_groups: dict[str, list[ComplaintFigures]] = defaultdict(list)
        for c in resolved:
            resolved_groups[key(c) or "(none)"].append(c)
        for label in sorted(
            set(groups) | set(resolved_groups), key=lambda g: (-len(groups.get(g, [])), g)
        ):
            done = resolved_groups.get(label, [])
            rows.append({
                name: label,
                "opened": len(groups.get(label, [])),
                "resolved": len(done),
                "open": sum(1 for c in groups.get(label, []) if c.resolved_at is None),
                "resolution_median_hours": median([resolution_hours[c.id] for c in done]),
            })  # fmt: skip
        return rows

    by_owner = breakdown(lambda c: c.owner, "owner")
    promise_owner_due = Counter(p.owner for p in due)
    promise_owner_kept = Counter(p.owner for p in kept_on_time)
    known = {row["owner"] for row in by_owner}
    for owner in sorted(set(promise_owner_due) - known):
        by_owner.append(
            {"owner": owner, "opened": 0, "resolved": 0, "open": 0, "resolution_median_hours": None}
        )
    for row in by_owner:
        row["promises_due"] = promise_owner_due.get(row["owner"], 0)
        row["promises_kept_on_time"] = promise_owner_kept.get(row["owner"], 0)
        row["promise_keeping_rate"] = rate(row["promises_kept_on_time"], row["promises_due"])

    acknowledged_in_time = None
    if acknowledge_within is not None:
        acknowledged_in_time = rate(
            sum(
                1
                for c in opened
                if c.first_response_at is not None
                and c.first_response_at <= now
                and not acknowledge_within.exceeded(c.opened_at, c.first_response_at, calendar)
            ),
            len(opened),
        )
    customer_counts = Counter(c.customer for c in opened)
    faq = Counter((c.category or "(none)", c.cause or "(unknown)") for c in opened)
    compensation = [c for c in resolved if c.compensation]
    # Money is totalled per currency, never across currencies (complog.money).
    given = totals(c.compensation_value for c in compensation)
    at_stake = totals(c.loss for c in opened if c.resolved_at is None)
    return {
        "since": since,
        "until": until,
        #: the working day the "bd" figures are counted in (day_end - day_start)
        "business_day_hours": calendar.day_length_seconds() / 3600,
        "opened": len(opened),
        "resolved": len(resolved),
        "open": sum(1 for c in opened if c.resolved_at is None or c.resolved_at > now),
        "first_response_median_hours": median(response_hours),
        "first_response_p90_hours": percentile(response_hours, 0.9),
        "resolution_median_hours": median(list(resolution_hours.values())),
        "resolution_p90_hours": percentile(list(resolution_hours.values()), 0.9),
        "resolved_quickly_rate": rate(len(quickly), len(resolved)),
        "resolve_within": str(resolve_within),
        "promises_due": len(due),
        "promises_kept_on_time": len(kept_on_time),
        "promise_keeping_rate": rate(len(kept_on_time), len(due)),
        "reschedules": reschedules,
        "escalation_rate": rate(sum(1 for c in opened if c.escalated), len(opened)),
        "confirmed_rate": rate(sum(1 for c in resolved if c.confirmed), len(resolved)),
        "satisfaction_mean": statistics.fmean(satisfaction) if satisfaction else None,
        "compensation_given": len(compensation),
        "compensation": [
            {
                "complaint_id": c.id,
                "cause": c.cause,
                "compensation": c.compensation,
                **_money_keys(c.compensation_value),
            }
            for c in compensation
        ],  # fmt: skip
        "compensation_value": single_total(given),
        "compensation_value_by_currency": major_totals(given),
        "compensation_by_cause": _compensation_by_cause(compensation),
        "acknowledge_within": None if acknowledge_within is None else str(acknowledge_within),
        "acknowledged_within_rate": acknowledged_in_time,
        "loss_open": single_total(at_stake),
        "loss_open_by_currency": major_totals(at_stake),
        "by_owner": by_owner,
        "by_category": breakdown(lambda c: c.category, "category"),
        "by_cause": breakdown(lambda c: c.cause, "cause"),
        "by_channel": breakdown(lambda c: c.channel, "channel"),
        "repeat_customers": [
            {"customer": name, "complaints": n}
            for name, n in sorted(customer_counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if n >= 2
        ],
        "faq_candidates": [
            {"category": cat, "cause": cause, "complaints": n}
            for (cat, cause), n in sorted(faq.items(), key=lambda kv: (-kv[1], kv[0]))
            if n >= 2
        ],
        "weekly": weekly_series(opened, resolved, calendar, since, horizon),
        "resolution_hours": sorted(resolution_hours.values()),
    }


def _compensation_by_cause(given: Sequence[ComplaintFigures]) -> list[dict[str, Any]]:
    groups: dict[str, list[ComplaintFigures]] = defaultdict(list)
    for c in given:
        groups[c.cause or "(unknown)"].append(c)
    out = []
    for cause, rows in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        by_currency = totals(c.compensation_value for c in rows)
        out.append({"cause": cause, "given": len(rows), "value": single_total(by_currency),
                    "value_by_currency": major_totals(by_currency)})  # fmt: skip
    return out


def _money_keys(value: Money | None) -> dict[str, Any]:
    """`value` (major units) and `currency` of one amount, null when it names none."""
    return {"value": None if value is None else major_totals({value.currency: value.minor})[value.currency],
            "currency": None if value is None else value.currency}  # fmt: skip


def weekly_series(
    opened: Iterable[ComplaintFigures],
    resolved: Iterable[ComplaintFigures],
    calendar: BusinessCalendar,
    since: datetime | None,
    until: datetime,
    weeks: int = 26,
) -> list[dict[str, Any]]:
    """Opened vs resolved per week (Monday start, local dates), the last `weeks` weeks."""

    def monday(moment: datetime) -> date:
        day = calendar.local_date(moment)
        return day - timedelta(days=day.weekday())

    last = monday(until)
    first = last - timedelta(weeks=weeks - 1)
    opened_per = Counter(monday(c.opened_at) for c in opened)
    if since is not None:
        first = max(first, monday(since))
    elif opened_per:  # all time: begin at the first week with a complaint
        first = max(first, min(opened_per))
    resolved_per = Counter(monday(c.resolved_at) for c in resolved if c.resolved_at is not None)
    series = []
    week = first
    while week <= last:
        series.append(
            {
                "week": week.isoformat(),
                "opened": opened_per.get(week, 0),
                "resolved": resolved_per.get(week, 0),
            }
        )
        week += timedelta(weeks=1)
    return series
