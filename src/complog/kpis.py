"""The report's figures: medians, 90th percentiles and rates over plain rows.

Pure: rows in, a `reporting.Report` (SPEC's report keys, typed) out. Durations are business hours
(the calendar counts only working time). Rates are fractions 0-1, None when
there is nothing to divide. Percentiles interpolate linearly between the two
nearest ranks (the "inclusive" method: p90 of [1, 2, 3] is 2.8), so every
figure can be checked by hand.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any, NamedTuple, Protocol

from complog.businesstime import BusinessCalendar, Pause, less_pauses
from complog.money import Money, major, major_totals, single_total
from complog.money import totals as money_totals
from complog.reporting import (
    BreakdownRow,
    CompensationByCause,
    CompensationEntry,
    FaqCandidate,
    OwnerRow,
    RepeatCustomer,
    Report,
)
from complog.settings import Duration
from complog.trends import open_age, open_at, owner_load, week_grid, weekly_series

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
    #: what the customer says they lost (migration 0005: minor units and currency)
    loss: Money | None
    escalated: bool
    #: the compensation's amount in minor units of its currency (None: not valued)
    compensation_minor: int | None = None
    compensation_currency: str | None = None


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


#: (owner, week, kept on time) -> how many promises: see DuePromises.counts
PromiseCounts = Mapping[tuple[str, int, Any], int]


class DuePromises(Protocol):
    """The promises due in a period, counted: what the report needs of 300,000
    promises a year. The read path counts them in SQL (`queries.report`), so they are
    never turned into objects; `due_promises` counts them from `PromiseFigures`
    with the rules written in Python, and tests/store/test_report_promises.py checks
    that the two agree."""

    def counts(self, week_starts: Sequence[datetime]) -> PromiseCounts:
        """How many promises are due per owner, week and kept-on-time flag. `week` is
        the number of `week_starts` (sorted instants) at or before the promise's
        effective due time (the due time it had when first rescheduled late): 0 before
        the first week, 1 in it, and so on (`bisect_right`)."""
        ...


@dataclass(frozen=True)
class _PromiseRules:
    promises: Sequence[PromiseFigures]
    since: datetime | None
    until: datetime
    now: datetime

    def counts(self, week_starts: Sequence[datetime]) -> PromiseCounts:
        earliest = self.since or datetime.min.replace(tzinfo=UTC)
        horizon, now = min(self.until, self.now), self.now
        return Counter(
            (p.owner, bisect_right(week_starts, p.effective_due_at),
             p.status == "kept" and not p.broken(now))
            for p in self.promises
            if earliest <= p.effective_due_at < horizon
            and not (p.status == "cancelled" and not p.broken(now))
        )  # fmt: skip


def due_promises(
    promises: Iterable[PromiseFigures], since: datetime | None, until: datetime, now: datetime
) -> DuePromises:
    """The report's promise rules, on promises: due in [since, min(until, now)) by
    their effective due time, and not cancelled before it (`counts_as_due`); kept on
    time when kept and not broken. `ReportReads.report_figures` says the same in SQL."""
    return _PromiseRules(list(promises), since, until, now)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _sorted_median(ordered: Sequence[float]) -> float | None:
    """`median` of values already sorted: statistics.median's own arithmetic
    without its sort (100,000 resolution times are sorted once, for three figures)."""
    n = len(ordered)
    if not n:
        return None
    if n % 2:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def percentile(values: Sequence[float], fraction: float) -> float | None:
    return _sorted_percentile(sorted(values), fraction)


def _sorted_percentile(ordered: Sequence[float], fraction: float) -> float | None:
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def build_report(
    complaints: Sequence[ComplaintFigures],
    promises: DuePromises,
    reschedules: int,
    *,
    calendar: BusinessCalendar,
    resolve_within: Duration,
    since: datetime | None,
    until: datetime,
    now: datetime,
    waits: Mapping[int, Sequence[Pause]] | None = None,
    acknowledge_within: Duration | None = None,
) -> Report:
    """`complaints`: those opened or resolved in the period, and those still open
    at its start (for the backlog and the open complaints' age). `waits`: per
    complaint, the time spent waiting on the customer, which the resolution clock
    does not count."""
    waits = waits or {}
    # `_in`, spelled out for 100,000 complaints twice
    earliest = since or datetime.min.replace(tzinfo=UTC)
    opened = [c for c in complaints if earliest <= c.opened_at < until]
    resolved = [
        c for c in complaints if c.resolved_at is not None and earliest <= c.resolved_at < until
    ]
    between = calendar.business_seconds_between
    resolution_seconds = {
        # less_pauses only for the complaints that waited on the customer
        c.id: less_pauses(c.opened_at, c.resolved_at, waits[c.id], between)
        if c.id in waits
        else between(c.opened_at, c.resolved_at)
        for c in resolved
        if c.resolved_at is not None
    }
    resolution_hours = {key: seconds / 3600 for key, seconds in resolution_seconds.items()}
    # working seconds to the first reply, once per answered complaint: the response
    # times and the acknowledged-in-time check both read them
    response_seconds = {
        c.id: calendar.business_seconds_between(c.opened_at, c.first_response_at)
        for c in opened
        if c.first_response_at is not None and c.first_response_at <= now
    }
    response_hours = [seconds / 3600 for seconds in response_seconds.values()]
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
    grid = week_grid(calendar, since, horizon, opened)
    # The due promises counted per owner, week and kept-on-time flag (in SQL, on the
    # read path): by week only from the first week the series may show, which keeps
    # the week test a handful of comparisons per promise.
    shown = grid.days.index(grid.first)
    due_owners: Counter[str] = Counter()
    kept_owners: Counter[str] = Counter()
    due_weeks: Counter[date] = Counter()
    kept_weeks: Counter[date] = Counter()
    for (owner, week, kept), n in promises.counts(grid.starts[shown:]).items():
        due_owners[owner] += n
        if week:  # 0: before the first week shown
            due_weeks[grid.days[shown + week - 1]] += n
        if kept:
            kept_owners[owner] += n
            if week:
                kept_weeks[grid.days[shown + week - 1]] += n
    response_sorted = sorted(response_hours)
    resolution_sorted = sorted(resolution_hours.values())
    promises_due = due_owners.total()
    promises_kept = kept_owners.total()
    satisfaction = [c.satisfaction for c in resolved if c.satisfaction is not None]

    # once for the four breakdowns: the resolved complaints' hours, in their order,
    # and the opened complaints still open
    resolved_hours = [resolution_hours[c.id] for c in resolved]
    opened_open = [c for c in opened if c.resolved_at is None]

    def breakdown(field: str, name: str) -> list[BreakdownRow]:
        """One row per value of `field` ("(none)" for none): counted in one pass each
        over the opened and the resolved complaints (100,000 each in a large year)."""
        key = attrgetter(field)
        opened_n = _labelled(Counter(map(key, opened)))
        open_n = _labelled(Counter(map(key, opened_open)))
        by_value: dict[str | None, list[float]] = defaultdict(list)
        for value, h in zip(map(key, resolved), resolved_hours, strict=True):
            by_value[value].append(h)
        hours: dict[str, list[float]] = defaultdict(list)
        for value, some in by_value.items():  # a median does not depend on the order
            hours[value or "(none)"].extend(some)
        return [
            BreakdownRow(
                key=name,
                label=label,
                opened=opened_n.get(label, 0),
                resolved=len(hours.get(label, ())),
                open=open_n.get(label, 0),
                resolution_median_hours=median(hours.get(label, [])),
            )
            for label in sorted(set(opened_n) | set(hours), key=lambda g: (-opened_n.get(g, 0), g))
        ]

    promise_owner_due = due_owners
    promise_owner_kept = kept_owners
    owner_rows = breakdown("owner", "owner")
    known = {row.label for row in owner_rows}
    owner_rows += [
        BreakdownRow("owner", owner, 0, 0, 0, None)
        for owner in sorted(set(promise_owner_due) - known)
    ]
    by_owner = tuple(
        OwnerRow(
            **{f: getattr(row, f) for f in ("key", "label", "opened", "resolved", "open")},
            resolution_median_hours=row.resolution_median_hours,
            promises_due=promise_owner_due.get(row.label, 0),
            promises_kept_on_time=promise_owner_kept.get(row.label, 0),
            promise_keeping_rate=rate(
                promise_owner_kept.get(row.label, 0), promise_owner_due.get(row.label, 0)
            ),
        )
        for row in owner_rows
    )

    # acknowledged within `acknowledge_within` (None: not answered yet), once per complaint
    answered_in_time: dict[int, bool | None] = {}
    if acknowledge_within is not None:
        ack_limit = (
            acknowledge_within.business_seconds(calendar) if acknowledge_within.business else 0.0
        )
        for c in opened:
            if c.id not in response_seconds or c.first_response_at is None:
                answered_in_time[c.id] = None
            elif acknowledge_within.business:  # Duration.exceeded, on the seconds just counted
                answered_in_time[c.id] = not response_seconds[c.id] > ack_limit
            else:
                answered_in_time[c.id] = not acknowledge_within.exceeded(
                    c.opened_at, c.first_response_at, calendar
                )
    acknowledged_in_time = None
    if acknowledge_within is not None:
        acknowledged_in_time = rate(sum(1 for v in answered_in_time.values() if v), len(opened))
    customer_counts = Counter(c.customer for c in opened)
    faq = Counter((c.category or "(none)", c.cause or "(unknown)") for c in opened)
    compensation = [c for c in resolved if c.compensation]
    totals: Counter[str] = Counter()
    for c in compensation:
        if c.compensation_minor is not None and c.compensation_currency is not None:
            totals[c.compensation_currency] += c.compensation_minor
    still_open = open_at(complaints, horizon)
    ages, age_seconds = open_age(still_open, horizon, resolve_within, calendar)
    limit_seconds = resolve_within.seconds(calendar)
    # Money per currency, never added across currencies (complog.money)
    given = dict(sorted(totals.items()))
    at_stake = money_totals(c.loss for c in opened if c.resolved_at is None)
    return Report(
        since=since,
        until=until,
        business_day_hours=calendar.day_length_seconds() / 3600,
        opened=len(opened),
        resolved=len(resolved),
        open=sum(1 for c in opened if c.resolved_at is None or c.resolved_at > now),
        first_response_median_hours=_sorted_median(response_sorted),
        first_response_p90_hours=_sorted_percentile(response_sorted, 0.9),
        resolution_median_hours=_sorted_median(resolution_sorted),
        resolution_p90_hours=_sorted_percentile(resolution_sorted, 0.9),
        resolved_quickly_rate=rate(len(quickly), len(resolved)),
        resolve_within=str(resolve_within),
        promises_due=promises_due,
        promises_kept_on_time=promises_kept,
        promise_keeping_rate=rate(promises_kept, promises_due),
        reschedules=reschedules,
        escalation_rate=rate(sum(1 for c in opened if c.escalated), len(opened)),
        confirmed_rate=rate(sum(1 for c in resolved if c.confirmed), len(resolved)),
        satisfaction_mean=statistics.fmean(satisfaction) if satisfaction else None,
        compensation_given=len(compensation),
        compensation=tuple(
            CompensationEntry(c.id, c.cause, c.compensation or "", *_value(c)) for c in compensation
        ),
        compensation_value=single_total(given),
        compensation_by_cause=_compensation_by_cause(compensation),
        acknowledge_within=None if acknowledge_within is None else str(acknowledge_within),
        acknowledged_within_rate=acknowledged_in_time,
        loss_open=single_total(at_stake),
        by_owner=by_owner,
        by_category=tuple(breakdown("category", "category")),
        by_cause=tuple(breakdown("cause", "cause")),
        by_channel=tuple(breakdown("channel", "channel")),
        repeat_customers=tuple(
            RepeatCustomer(name, n)
            for name, n in sorted(customer_counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if n >= 2
        ),
        faq_candidates=tuple(
            FaqCandidate(cat, cause, n)
            for (cat, cause), n in sorted(faq.items(), key=lambda kv: (-kv[1], kv[0]))
            if n >= 2
        ),
        weekly=weekly_series(
            opened,
            resolved,
            calendar,
            since,
            horizon,
            everything=complaints,
            quickly={c.id for c in quickly},
            acknowledged_in_time=answered_in_time if acknowledge_within is not None else None,
            promises_due=due_weeks,
            promises_kept=kept_weeks,
            grid=grid,
        ),  # fmt: skip
        resolution_hours=tuple(resolution_sorted),
        compensation_totals=given,
        compensation_value_by_currency=major_totals(given),
        loss_open_by_currency=major_totals(at_stake),
        loss_open_minor=at_stake,
        as_of=horizon,
        open_age=ages,
        open_over_limit=sum(1 for s in age_seconds.values() if s > limit_seconds),
        oldest_open_at=min((c.opened_at for c in still_open), default=None),
        owner_load=owner_load(still_open, age_seconds, limit_seconds),
    )


def _labelled(counts: Counter[str | None]) -> Counter[str]:
    """Counts by value with no value (None or "") counted as "(none)"."""
    labelled: Counter[str] = Counter()
    for value, n in counts.items():
        labelled[value or "(none)"] += n
    return labelled


def _given(rows: Sequence[ComplaintFigures]) -> dict[str, int]:
    return money_totals(
        Money(c.compensation_minor, c.compensation_currency)
        for c in rows
        if c.compensation_minor is not None and c.compensation_currency is not None
    )


def _value(c: ComplaintFigures) -> tuple[float | None, str | None]:
    """A compensation's value (major units) and currency, when its text names one."""
    if c.compensation_minor is None or c.compensation_currency is None:
        return None, None
    return major(Money(c.compensation_minor, c.compensation_currency)), c.compensation_currency


def _compensation_by_cause(given: Sequence[ComplaintFigures]) -> tuple[CompensationByCause, ...]:
    groups: dict[str, list[ComplaintFigures]] = defaultdict(list)
    for c in given:
        groups[c.cause or "(unknown)"].append(c)
    return tuple(
        CompensationByCause(cause, len(rows), single_total(_given(rows)), major_totals(_given(rows)))
        for cause, rows in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )  # fmt: skip
