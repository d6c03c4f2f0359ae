"""What the read path returns: frozen rows, one dataclass per thing a command shows.

Plain data, no database: queries/ fills them (by column name, `FromRow`), render/ and the pure modules
(rules, kpis) read them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Self, get_type_hints

from complog.money import Money, major
from complog.storedtime import decode_time


def _time(value: Any) -> datetime:
    decoded = decode_time(value)
    if decoded is None:
        raise ValueError("a required time is NULL")
    return decoded


#: how a stored value becomes a field's value, by the field's declared type
_DECODERS: dict[Any, Callable[[Any], Any]] = {
    datetime: _time,
    datetime | None: decode_time,
    bool: bool,
    bool | None: lambda v: None if v is None else bool(v),
    dict[str, Any] | None: lambda v: None if v is None else json.loads(v),
}


class FromRow:
    """Rows built by column name, never by position: `from_row(row)` reads each
    field from the column of the same name (or the one `COLUMNS` gives), decoding
    times, booleans and JSON by the field's type, so a query may select its columns
    in any order and a new column cannot shift the others."""

    #: field -> column, where the database names it differently
    COLUMNS: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def from_row(cls, row: Mapping[str, Any], **given: Any) -> Self:
        values = {
            name: row[column] if decode is None else decode(row[column])
            for name, column, decode in _plan(cls)
            if name not in given
        }
        values.update(given)
        # What a frozen dataclass's __init__ does (each field into the instance's
        # __dict__, through object.__setattr__), at a third of its cost: `show` of a
        # complaint with 100,000 notes builds 200,000 rows. The row classes have no
        # __post_init__ and no slots (tests/unit/test_rows.py).
        built = object.__new__(cls)
        built.__dict__.update(values)
        return built


_Plan = tuple[tuple[str, str, Callable[[Any], Any] | None], ...]
_PLANS: dict[type[FromRow], _Plan] = {}


def _plan(cls: type[FromRow]) -> _Plan:
    """(field, column, decoder) for each field of a row class, worked out once."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = get_type_hints(cls)
        plan = _PLANS[cls] = tuple(
            (f.name, cls.COLUMNS.get(f.name, f.name), _DECODERS.get(hints[f.name]))
            for f in fields(cls)  # type: ignore[arg-type]
        )
    return plan


@dataclass(frozen=True)
class ComplaintRow(FromRow):
    id: int
    customer: str
    customer_id: int
    summary: str
    status: str
    channel: str
    category: str | None
    heat: int
    wants: str | None
    loss_minor: int | None
    loss_currency: str | None
    written: bool
    owner: str
    opened_at: datetime
    recorded_at: datetime
    resolved_at: datetime | None
    open_promises: int
    outcome: str | None
    confirmed: bool | None
    satisfaction: int | None
    compensation: str | None
    compensation_minor: int | None
    compensation_currency: str | None
    cause: str | None
    prevention: str | None
    external_id: str | None
    created_by: str
    #: when it began waiting on the customer, if it is waiting now
    waiting_since: datetime | None = None

    @property
    def loss_money(self) -> Money | None:
        if self.loss_minor is None or self.loss_currency is None:
            return None
        return Money(self.loss_minor, self.loss_currency)

    @property
    def loss(self) -> float | None:
        """In major units (120.5), as the JSON `loss` has always been."""
        money = self.loss_money
        return None if money is None else major(money)

    @property
    def compensation_money(self) -> Money | None:
        if self.compensation_minor is None or self.compensation_currency is None:
            return None
        return Money(self.compensation_minor, self.compensation_currency)


@dataclass(frozen=True)
class CustomerRow(FromRow):
    id: int
    name: str
    phone: str | None
    email: str | None
    notes: str | None
    created_at: datetime
    erased_at: datetime | None = None


@dataclass(frozen=True)
class NoteRow(FromRow):
    id: int
    complaint_id: int
    at: datetime
    recorded_at: datetime
    author: str
    channel: str
    direction: str
    text: str


@dataclass(frozen=True)
class RescheduleRow(FromRow):
    at: datetime
    old_due_at: datetime
    new_due_at: datetime
    reason: str
    late: bool
    actor: str


@dataclass(frozen=True)
class PromiseRow(FromRow):
    id: int
    complaint_id: int
    text: str
    owner: str
    due_at: datetime
    status: str
    created_at: datetime
    created_by: str
    kept_at: datetime | None
    cancelled_at: datetime | None
    closed_note: str | None
    reschedules: tuple[RescheduleRow, ...] = ()

    def broken(self, now: datetime) -> bool:
        """Ever overdue: kept late, rescheduled late, cancelled late, or overdue now."""
        if any(r.late for r in self.reschedules):
            return True
        if self.status == "kept" and self.kept_at is not None:
            return self.kept_at > self.due_at
        if self.status == "cancelled" and self.cancelled_at is not None:
            return self.cancelled_at > self.due_at
        return self.status == "open" and self.due_at < now


@dataclass(frozen=True)
class EscalationRow(FromRow):
    COLUMNS: ClassVar[Mapping[str, str]] = {"to": "to_whom", "by": "actor"}

    id: int
    complaint_id: int
    customer: str
    to: str
    reason: str
    rule: str
    trigger: str | None
    at: datetime
    by: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None


@dataclass(frozen=True)
class EventRow(FromRow):
    COLUMNS: ClassVar[Mapping[str, str]] = {"user": "actor"}

    id: int
    at: datetime
    user: str
    action: str
    entity: str
    entity_id: str | None
    complaint_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    #: the authenticated database role (PostgreSQL); None on SQLite and before 0004
    role: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PastResolutionRow(FromRow):
    """A resolution later reopened, and why it was."""

    resolved_at: datetime
    outcome: str | None
    confirmed: bool | None
    satisfaction: int | None
    compensation: str | None
    cause: str | None
    prevention: str | None
    reopened_at: datetime
    reopened_by: str
    reopen_reason: str
    compensation_minor: int | None = None
    compensation_currency: str | None = None

    @property
    def compensation_money(self) -> Money | None:
        if self.compensation_minor is None or self.compensation_currency is None:
            return None
        return Money(self.compensation_minor, self.compensation_currency)


@dataclass(frozen=True)
class WaitRow(FromRow):
    """A stretch of waiting on the customer; open while ended_at is None."""

    id: int
    started_at: datetime
    started_by: str
    reason: str
    ended_at: datetime | None
    ended_by: str | None


@dataclass(frozen=True)
class ComplaintDetail:
    complaint: ComplaintRow
    customer: CustomerRow
    notes: tuple[NoteRow, ...]
    promises: tuple[PromiseRow, ...]
    escalations: tuple[EscalationRow, ...]
    past_resolutions: tuple[PastResolutionRow, ...]
    waits: tuple[WaitRow, ...]
    timeline: tuple[TimelineEntry, ...]
    #: notes not read (`show` reads only the latest ones unless --all): the timeline
    #: holds every other entry but only the notes in `notes`
    notes_left_out: int = 0


@dataclass(frozen=True)
class DueItem:
    promise_id: int
    complaint_id: int
    customer: str
    summary: str
    text: str
    owner: str
    due_at: datetime
    heat: int
    section: str  # overdue | today | upcoming
    overdue_minutes: int


@dataclass(frozen=True)
class WaitingItem:
    complaint_id: int
    customer: str
    summary: str
    owner: str
    since: datetime
    reason: str


@dataclass(frozen=True)
class MoneyAtRisk:
    """What customers say open complaints cost them (`--loss`): minor units per
    currency, never added across currencies."""

    open_complaints: int
    open_loss: Mapping[str, int]
    overdue_complaints: int
    overdue_loss: Mapping[str, int]


@dataclass(frozen=True)
class DueList:
    """`items` in due order; a page of them when `totals` is set."""

    items: tuple[DueItem, ...]
    escalations: tuple[EscalationRow, ...]
    days: int
    #: open promises per (owner, section), shown or not; the owner is None unless
    #: the page was cut per owner. None: `items` is complete.
    totals: Mapping[tuple[str | None, str], int] | None = None
    #: unacknowledged escalations, shown or not; None: `escalations` is complete
    escalations_total: int | None = None
    #: complaints waiting on the customer (their clocks are stopped), oldest wait first
    waiting: tuple[WaitingItem, ...] = ()
    waiting_total: int = 0
    at_risk: MoneyAtRisk | None = None

    @property
    def overdue(self) -> int:
        """How many promises are overdue (shown or not)."""
        if self.totals is not None:
            return sum(n for (_owner, section), n in self.totals.items() if section == "overdue")
        return sum(1 for i in self.items if i.section == "overdue")

    def section_total(self, owner: str | None, section: str, shown: int) -> int:
        """How many promises a section of the listing has, of which `shown` are shown."""
        if self.totals is None:
            return shown
        return self.totals.get((owner, section), shown)

    @property
    def escalation_count(self) -> int:
        if self.escalations_total is None:
            return len(self.escalations)
        return self.escalations_total


@dataclass(frozen=True)
class CustomerSummary:
    """One line of `customers`: the top callers."""

    customer: str
    complaints: int
    open: int
    last_at: datetime


@dataclass(frozen=True)
class CustomerHistory:
    customer: CustomerRow
    complaints: tuple[ComplaintDetail, ...]

    def promises(self) -> list[PromiseRow]:
        return [p for d in self.complaints for p in d.promises]

    def notes(self) -> list[NoteRow]:
        return sorted((n for d in self.complaints for n in d.notes), key=lambda n: (n.at, n.id))


@dataclass(frozen=True)
class SearchHit:
    complaint: ComplaintRow
    #: best-matching text with matches between \x02 and \x03
    snippet: str
    kind: str
    rank: float


class SearchSyntaxError(Exception):
    """The FTS engine could not parse the query."""


@dataclass(frozen=True)
class ComplaintFilter:
    status: str = "open"
    customer: str | None = None
    owner: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = None
