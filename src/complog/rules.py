"""The escalation rules: (facts, settings, now) -> what should be escalated.

Pure. Each firing carries a `trigger`, the thing that made it fire (a promise
at a due time, a silence since an instant), so the database's unique key on
(complaint, rule, trigger) makes every firing happen once however often cron
runs, and a *new* trigger (a second overdue promise) fires again. Rules look at
the current state, so a missed or late run catches up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from complog.businesstime import Pause
from complog.settings import Settings
from complog.storedtime import encode_time


@dataclass(frozen=True)
class PromiseFacts:
    id: int
    text: str
    owner: str
    due_at: datetime
    reschedules: int


@dataclass(frozen=True)
class ComplaintFacts:
    """What the rules need to know about one open complaint."""

    id: int
    customer_id: int
    customer: str
    heat: int
    written: bool
    opened_at: datetime
    #: latest inbound or outbound interaction (notes, kept promises); None if none yet
    last_interaction_at: datetime | None
    #: first outbound email or letter
    written_reply_at: datetime | None
    open_promises: tuple[PromiseFacts, ...] = ()
    #: when this customer opened each of their complaints (all of them)
    customer_opened: tuple[datetime, ...] = field(default_factory=tuple)
    #: first outbound note or kept promise (ISO 10002's acknowledgement); None if none yet
    acknowledged_at: datetime | None = None
    #: stretches spent waiting on the customer (end None: still waiting); clocks stop
    waits: tuple[Pause, ...] = ()


@dataclass(frozen=True)
class Firing:
    complaint_id: int
    customer: str
    rule: str
    trigger: str
    reason: str
    to: str


def _stamp(value: datetime) -> str:
    return encode_time(value)[:16]  # minute precision: "2026-11-23 09:00"


def _late(now: datetime, since: datetime) -> str:
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // 1440}d"


def overdue_promise(c: ComplaintFacts, s: Settings, now: datetime) -> Iterator[tuple[str, str]]:
    for p in c.open_promises:
        if s.overdue_grace.exceeded(p.due_at, now, s.calendar):
            yield (
                f"promise {p.id} due {_stamp(p.due_at)}",
                f"promise {p.id} ({p.owner}) is {_late(now, p.due_at)} overdue: {p.text}",
            )


def quiet_hot(c: ComplaintFacts, s: Settings, now: datetime) -> Iterator[tuple[str, str]]:
    if c.heat < s.hot_heat:
        return
    since = c.last_interaction_at or c.opened_at
    if s.quiet_for.exceeded(since, now, s.calendar, c.waits):
        yield (
            f"quiet since {_stamp(since)}",
            f"heat {c.heat} and no contact with the customer for {_late(now, since)}",
        )


def slow_resolution(c: ComplaintFacts, s: Settings, now: datetime) -> Iterator[tuple[str, str]]:
    if s.resolve_within.exceeded(c.opened_at, now, s.calendar, c.waits):
        yield (
            f"opened {_stamp(c.opened_at)}",
            f"open for {_late(now, c.opened_at)}, longer than {s.resolve_within}",
        )


def written_unanswered(c: ComplaintFacts, s: Settings, now: datetime) -> Iterator[tuple[str, str]]:
    """A written complaint with no written reply yet, past the reply deadline."""
    if (
        c.written
        and c.written_reply_at is None
        and s.written_reply_within.exceeded(c.opened_at, now, s.calendar)
    ):
        yield (
            "no written reply",
            f"written complaint without a written reply after {s.written_reply_within}",
        )


def rescheduled_twice(c: ComplaintFacts, s: Settings, now: datetime) -> Iterator[tuple[str, str]]:
    for p in c.open_promises:
        if p.reschedules >= s.max_reschedules:
            yield (
                f"promise {p.id} rescheduled",
                f"promise {p.id} rescheduled {p.reschedules} times: {p.text}",
            )


def opened_within_window(opened: Iterable[datetime], at: datetime, s: Settings) -> int:
    """How many of a customer's complaints were opened within `repeat_window` up to
    `at` (one opened at `at` included): the one definition of a repeat customer,
    used by this rule and by the warning `add` gives."""
    return sum(1 for t in opened if t <= at and s.repeat_window.after(t, s.calendar) >= at)


def is_repeat(count: int, s: Settings) -> bool:
    return count >= s.repeat_count


def repeat_customer(c: ComplaintFacts, s: Settings, now: datetime) -> Iterator[tuple[str, str]]:
    """This complaint is the N-th the customer opened within the window."""
    recent = opened_within_window(c.customer_opened, c.opened_at, s)
    if is_repeat(recent, s):
        yield (
            "repeat customer",
            f"{c.customer} opened {recent} complaints within {s.repeat_window}",
        )


def unacknowledged(c: ComplaintFacts, s: Settings, now: datetime) -> Iterator[tuple[str, str]]:
    """No outbound contact yet (ISO 10002: acknowledge every complaint promptly)."""
    if c.acknowledged_at is None and s.acknowledge_within.exceeded(c.opened_at, now, s.calendar):
        yield (
            "not acknowledged",
            f"no reply to the customer {_late(now, c.opened_at)} after the complaint,"
            f" longer than {s.acknowledge_within}",
        )


RULE_FUNCTIONS = {
    "overdue-promise": overdue_promise,
    "quiet-hot": quiet_hot,
    "slow-resolution": slow_resolution,
    "written-unanswered": written_unanswered,
    "rescheduled-twice": rescheduled_twice,
    "repeat-customer": repeat_customer,
    "unacknowledged": unacknowledged,
}


def evaluate(
    complaints: Sequence[ComplaintFacts], settings: Settings, now: datetime
) -> list[Firing]:
    """Every rule that is on, over every open complaint, in a stable order."""
    firings = []
    for c in complaints:
        for rule, check in RULE_FUNCTIONS.items():
            if rule not in settings.rules_on:
                continue
            for trigger, reason in check(c, settings, now):
                firings.append(
                    Firing(c.id, c.customer, rule, trigger, reason, settings.escalate_to)
                )
    return firings
